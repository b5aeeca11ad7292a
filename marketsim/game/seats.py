"""Taking a seat: a join seated at once, or held for the facilitator's approval.

:class:`RoomSeats` is a mixin of :class:`~marketsim.game.room.Room`. A seat is claimed once: the
first join to an empty government is seated; a second join to a taken government (a team member)
or a join under a name already playing (an impostor, or the same student on another device) waits
until the facilitator admits or refuses it. Admitting a join under a playing name moves that
player to the new device: their old token stops working. Held joins (and refused ones) are kept in
the game's database, so a restart of the server keeps students waiting where they were.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from marketsim.game.errors import NotFound, StateError
from marketsim.game.state import DECIDING, LOBBY, Player, RoomState
from marketsim.game.store import GameStore, SeatRequest
from marketsim.game.tokens import new_token, token_hash, token_matches

MAX_PLAYERS = 500
"""Players a room accepts, over its whole life (replaced players count)."""
MAX_WAITING = 60
"""Joins a room holds for the facilitator's approval at once."""
FACILITATOR = "facilitator"


class RoomSeats:
    """Joining, held joins and their approval (a mixin of :class:`~marketsim.game.room.Room`)."""

    # Provided by Room.
    id: str
    store: GameStore
    lock: threading.RLock
    state: RoomState
    clock: Callable[[], float]
    _requests: dict[str, SeatRequest]
    _refused_requests: set[str]
    _request_count: int
    _last_seen: dict[str, float]
    _record: Callable[..., Any]
    _touch: Callable[[], None]
    _facilitator: Callable[[str], None]
    _need_phase: Callable[..., None]

    def _restore_held(self) -> None:
        """Take back the joins held (and refused) before a restart from the database."""
        for held in self.store.held_joins(self.id):
            self._request_count = max(self._request_count, int(held.id.lstrip("r") or 0))
            if held.status == "refused":
                self._refused_requests.add(held.token_sha256)
            else:
                self._requests[held.id] = held

    def join(self, name: str, region: str | None = None) -> tuple[Player | SeatRequest, str]:
        """Seat a new player (the server checked the join code), or hold the join for the
        facilitator's approval. Returns the player (or the held request) and their token.

        A seat is claimed once: the first join to an empty government is seated at once; a join to
        a government that already has a player (a team), or under a name already playing in this
        room (an impostor, or the same student on another device), waits for the facilitator
        (:meth:`approve`). The token works from the moment it is approved.

        Args:
            name: Display name.
            region: The government wanted; when None, the first empty seat (or, with none left,
                the seat with the fewest players, held for approval).

        Raises:
            StateError: If the game has finished, the room is full, or too many joins wait.
            NotFound: If ``region`` is not a seat of this room.
        """
        name = " ".join(str(name).split())[:40]
        if not name:
            raise StateError("a display name is needed")
        with self.lock:
            self._need_phase(LOBBY, DECIDING)
            state = self.state
            if not state.seats:
                raise StateError("this room has no government played by people")
            if len(state.players) >= MAX_PLAYERS:
                raise StateError(f"this room is full ({MAX_PLAYERS} players)")
            if region is None:
                region = min(state.seats, key=lambda r: len(state.team[r]))
            elif region not in state.team:
                raise NotFound(f"{region!r} is not a government played in this room")
            token, claimed = new_token(), self._named(name)
            if claimed is None and not state.team[region]:
                pid = f"p{len(state.players) + 1}"
                self._record("join", pid, {"name": name, "region": region, "token_sha256": token_hash(token)})
                self._last_seen[pid] = self.clock()
                return state.players[pid], token
            return self._hold(name, claimed.region if claimed else region, token, claimed), token

    def _named(self, name: str) -> Player | None:
        """The active player already called ``name`` (case and spacing ignored), if any."""
        wanted = name.casefold()
        return next((p for p in self.state.players.values() if p.active and p.name.casefold() == wanted), None)

    def _hold(self, name: str, region: str, token: str, claimed: Player | None) -> SeatRequest:
        if len(self._requests) >= MAX_WAITING:
            raise StateError("too many people are waiting for the facilitator; try again in a minute")
        self._request_count += 1
        request = SeatRequest(
            f"r{self._request_count}", name, region, token_hash(token), self.clock(), claimed.id if claimed else None
        )
        self.store.hold_join(self.id, request)
        self._requests[request.id] = request
        self._touch()
        return request

    def requests(self) -> list[dict[str, Any]]:
        """Joins waiting for the facilitator, oldest first: ``id``, ``name``, ``region``, ``same_as``
        (the id of the player of that name, when the join claims a name already playing) and
        ``team`` (the names already on the government)."""
        with self.lock:
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "region": r.region,
                    "same_as": r.same_as,
                    "team": [p.name for p in self.state.members(r.region)],
                }
                for r in self._requests.values()
            ]

    def request_status(self, token: str) -> str:
        """Where a held join stands: ``waiting``, ``refused``, ``admitted`` or ``unknown``."""
        with self.lock:
            digest = token_hash(token)
            if any(r.token_sha256 == digest for r in self._requests.values()):
                return "waiting"
            if any(p.active and token_matches(token, p.token_sha256) for p in self.state.players.values()):
                return "admitted"
            return "refused" if digest in self._refused_requests else "unknown"

    def waiting_region(self, token: str) -> str | None:
        """The government a held join asked for (None: the token is not waiting)."""
        with self.lock:
            digest = token_hash(token)
            return next((r.region for r in self._requests.values() if r.token_sha256 == digest), None)

    def approve(self, token: str, request_id: str, admit: bool = True) -> None:
        """Admit a held join (or refuse it, ``admit=False``). A join under the name of a player
        already in the room is that student on another device: admitting it moves their seat to
        the new device (the old device's token stops working); any other is a new team member."""
        with self.lock:
            self._facilitator(token)
            request = self._requests.get(request_id)
            if request is None:
                raise NotFound("this join is no longer waiting")
            if not admit:
                self.store.settle_join(self.id, request_id, admitted=False)
                del self._requests[request_id]
                self._refused_requests.add(request.token_sha256)
                self._touch()
                return
            self._need_phase(LOBBY, DECIDING)
            self.store.settle_join(self.id, request_id, admitted=True)
            del self._requests[request_id]
            same = self.state.players.get(request.same_as or "")
            if same is not None and same.active:
                self._record("rekey", FACILITATOR, {"player": same.id, "token_sha256": request.token_sha256})
                self._last_seen[same.id] = self.clock()
                return
            pid = f"p{len(self.state.players) + 1}"
            payload = {"name": request.name, "region": request.region, "token_sha256": request.token_sha256}
            self._record("join", pid, payload)
            self._last_seen[pid] = self.clock()
