"""A room: the tokens, checks and locking around a :class:`~marketsim.game.state.RoomState`.

Every method that changes something checks the caller's token, validates the request against the
current model, appends one action to the log (committed to disk) and only then applies it and
returns. A refused request raises and changes nothing (a refused decision is still logged, as
``refused``, for the debrief).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from marketsim.game.consequences import TwinKeeper
from marketsim.game.errors import AuthError, NotFound, StateError
from marketsim.game.offers import ALLIANCE_NAME, RoomOffers
from marketsim.game.seats import MAX_PLAYERS, MAX_WAITING, RoomSeats
from marketsim.game.shocks import validate_shock
from marketsim.game.state import DECIDING, FINISHED, LOBBY, Player, RoomState
from marketsim.game.store import Action, GameStore, RoomRecord, SeatRequest, dump_payload
from marketsim.game.tokens import token_matches
from marketsim.game.views import RoomViews
from marketsim.governance.rounds import EVENT, DecisionError, validate_decisions

DISCONNECTED_AFTER_S = 30.0
"""A player without a heartbeat for this long shows as disconnected."""
MAX_DECISIONS = 50
MAX_TEXT = 500
FACILITATOR = "facilitator"

__all__ = [
    "ALLIANCE_NAME",
    "DISCONNECTED_AFTER_S",
    "FACILITATOR",
    "MAX_DECISIONS",
    "MAX_PLAYERS",
    "MAX_TEXT",
    "MAX_WAITING",
    "PUBLIC_ACTIONS",
    "Room",
    "plain_json",
]


def plain_json(value: Any, what: str) -> Any:
    """``value`` as plain JSON data (a copy), or a :class:`DecisionError` if it is not JSON-like."""
    try:
        return json.loads(dump_payload({"value": value}))["value"]
    except (TypeError, ValueError):
        raise DecisionError(f"{what} must be plain JSON data (lists, dicts, text, finite numbers)") from None


TWIN_ACTIONS = frozenset({"start", "advance", "shock", "undo"})
"""Logged actions after which the bot twin's coming round is played ahead (see ``twin_ahead``)."""
TWIN_AHEAD_AFTER_S = 3.0
"""Seconds after such an action before the twin is played ahead: the pages draw the change first
(a class of 30 phones on a busy server can take more than a second)."""

PUBLIC_ACTIONS = frozenset(
    {
        "start",
        "advance",
        "undo",
        "pause",
        "resume",
        "extend",
        "broadcast",
        "shock",
        "assign",
        "replace",
        "offer",
        "answer",
    }
)
"""Logged actions that change what every player sees."""


class Room(RoomSeats, RoomOffers, RoomViews):
    """One game room. Safe to call from many threads: one lock per room.

    ``twin_ahead_after``: seconds after a round opens (or a shock) before the bot twin's coming
    round is played in the background (None: only when the cards are asked for).

    Alliance offers come from :class:`~marketsim.game.offers.RoomOffers`, the read-only views
    (roster, status, a player's and the facilitator's) from :class:`~marketsim.game.views.RoomViews`.
    """

    def __init__(
        self, record: RoomRecord, store: GameStore, clock: Callable[[], float] = time.time, actions: list[Action] = ()
    ) -> None:
        """Open a room, replaying its logged actions (a room restored after a restart or imported).

        Args:
            record: The room's setup.
            store: The database its actions are appended to.
            clock: Wall-clock seconds; injectable for tests.
            actions: Its log so far.
        """
        self.id = record.id
        self.join_code = record.join_code
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        self._changed = threading.Condition()
        self.version = 0
        """Count of actions logged since this process opened the room."""
        self.public_version = 0
        """Count of those every player sees (rounds, pauses, shocks, messages, seats, offers)."""
        self.state = RoomState(record)
        self._requests: dict[str, SeatRequest] = {}
        """Joins held for the facilitator (kept in the database too: a restart keeps them)."""
        self._refused_requests: set[str] = set()
        self._request_count = 0
        self._round_cache: dict[str, tuple] = {}
        self._shared: dict = {}
        """What pages derive for a government this round (see ``shared``), made once for them all."""
        self._shared_key: tuple = ()
        self._shared_lock = threading.Lock()
        """Per kind (observations, prices, cards): the round it was computed for and the value."""
        self._twin = TwinKeeper()
        """The bot twin, played forward round by round for the consequence cards."""
        self._twin_due = bool(actions)
        """Rebuilt from its log: the twin is played ahead once the console opens it (see ``facilitator_view``)."""
        for action in actions:
            self.state.apply(action)
        self._restore_held()
        now = clock()
        self._last_seen = {p.id: now for p in self.state.players.values() if p.active}

    twin_ahead_after: float | None = TWIN_AHEAD_AFTER_S

    # ----------------------------------------------------------------- plumbing
    def _record(self, kind: str, actor: str, payload: dict[str, Any]) -> Action:
        """Log an action (committed when this returns), then apply it."""
        state = self.state
        action = Action(len(state.log) + 1, state.round, kind, actor, payload, self.clock())
        self.store.append(self.id, action)
        state.apply(action)
        with self._changed:
            self.version += 1
            if kind in PUBLIC_ACTIONS:
                self.public_version += 1
            self._changed.notify_all()
        if kind in TWIN_ACTIONS:
            self.schedule_twin()
        return action

    def wait_for_change(self, since: int, timeout: float, *, public: bool = False) -> int:
        """Block until the room changes after version ``since`` or ``timeout`` seconds pass, so a
        page can show a new round at once instead of at its next poll.

        Args:
            since: The version the caller has shown (:attr:`version`, or :attr:`public_version`
                with ``public``).
            timeout: Longest wait, seconds.
            public: Wait only for changes every player sees, not other players' submissions.

        Returns:
            The version now.
        """

        def current() -> int:
            return self.public_version if public else self.version

        with self._changed:
            self._changed.wait_for(lambda: current() != since, timeout=timeout)
            return current()

    def _facilitator(self, token: str) -> None:
        if not token_matches(token, self.state.record.facilitator_sha256):
            raise AuthError("this needs the facilitator's token")

    def _player(self, token: str) -> Player:
        found = None
        for player in self.state.players.values():  # compare with every player: no early exit
            if token_matches(token, player.token_sha256) and player.active:
                found = player
        if found is None:
            raise AuthError("unknown or revoked player token")
        return found

    def _players_of(self, who: str) -> list[Player]:
        """The active players named by ``who``: a player id, or a government (its whole team)."""
        state = self.state
        if who in state.team:
            found = state.members(who)
        else:
            player = state.players.get(who)
            found = [player] if player is not None and player.active else []
        if not found:
            raise NotFound(f"no active player {who!r} in this room")
        return found

    def _connected(self, pid: str, now: float) -> bool:
        return now - self._last_seen.get(pid, -1e18) <= DISCONNECTED_AFTER_S

    def _need_phase(self, *phases: str) -> None:
        if self.state.phase not in phases:
            raise StateError(f"not possible while the room is {self.state.phase}")

    @property
    def is_open(self) -> bool:
        """Whether the game has not finished."""
        return self.state.phase != FINISHED

    # ----------------------------------------------------------------- players
    def _touch(self) -> None:
        """Wake the pages waiting on this room for a change that is not logged (a held join)."""
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def heartbeat(self, token: str) -> None:
        """Mark a player as connected now."""
        with self.lock:
            self._last_seen[self._player(token).id] = self.clock()

    def submit(self, token: str, decisions: list, region: str | None = None) -> list[dict]:
        """Queue a player's decisions for this round, replacing any queued before.

        Each decision (a dict in scenario-file form, e.g. from :mod:`marketsim.governance.decisions`) is
        validated now against the current model; if any is refused, nothing changes.

        Args:
            token: The player's token.
            decisions: The round's decisions (an empty list: no change).
            region: The government the client believes it plays; refused if not the player's.

        Returns:
            The decisions as validated events (plain JSON).

        Raises:
            AuthError: Bad token, or a government that is not the player's.
            StateError: Not deciding now, paused, or out of time.
            DecisionError: A decision refused, with its message.
        """
        with self.lock:
            player = self._player(token)
            if region is not None and region != player.region:
                raise AuthError(f"you play {player.region}, not {region}")
            self._need_phase(DECIDING)
            if self.state.paused:
                raise StateError("the game is paused")
            left = self.state.time_left(self.clock())
            if left is not None and left <= 0:
                raise StateError("time is up for this round")
            if not isinstance(decisions, list) or len(decisions) > MAX_DECISIONS:
                raise DecisionError(f"decisions must be a list of at most {MAX_DECISIONS}")
            data = plain_json(decisions, "decisions")
            try:
                events = validate_decisions(self.state.model, player.region, data)
            except DecisionError as error:
                self._record("refused", player.id, {"region": player.region, "decisions": data, "message": error.human})
                raise
            self._record("submit", player.id, {"region": player.region, "decisions": data})
            return [EVENT.dump_python(e, mode="json") for e in events]

    # ----------------------------------------------------------------- facilitator
    def start(self, token: str) -> None:
        """Open the first round for decisions."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY)
            self._record("start", FACILITATOR, {})

    def assign(self, token: str, player: str, region: str) -> None:
        """Move a player (by id) to a government, joining its team if it has one."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY, DECIDING)
            moving = self.state.players.get(player)
            if moving is None or not moving.active:
                raise NotFound(f"no active player {player!r} in this room")
            if region not in self.state.team:
                raise NotFound(f"{region!r} is not a government played in this room")
            if moving.region == region:
                raise StateError(f"{moving.name} already plays {region}")
            self._record("assign", FACILITATOR, {"player": moving.id, "region": region})

    def replace_with_ai(self, token: str, who: str) -> None:
        """Take players out and revoke their tokens: one player (by id), or a government's whole
        team (by region). A seat left with no player falls back (to its strategy or no change);
        a seat that keeps a connected member goes on being played by its team."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY, DECIDING)
            players = self._players_of(who)
            self._record("replace", FACILITATOR, {"players": [p.id for p in players], "region": players[0].region})

    def pause(self, token: str) -> None:
        """Stop the clock; players cannot submit until :meth:`resume`."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING)
            if not self.state.paused:
                self._record("pause", FACILITATOR, {})

    def resume(self, token: str) -> None:
        """Restart the clock with the time that was left."""
        with self.lock:
            self._facilitator(token)
            if self.state.paused:
                self._record("resume", FACILITATOR, {})

    def extend(self, token: str, seconds: float) -> None:
        """Give this round ``seconds`` more."""
        seconds = float(seconds)
        if not 0 < seconds <= 3600:
            raise StateError("extend by 1 s to 1 h")
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING)
            self._record("extend", FACILITATOR, {"seconds": seconds})

    def broadcast(self, token: str, text: str) -> None:
        """Send a message to every player."""
        text = str(text).strip()[:MAX_TEXT]
        if not text:
            raise StateError("an empty message")
        with self.lock:
            self._facilitator(token)
            self._record("broadcast", FACILITATOR, {"text": text})

    def inject_shock(self, token: str, shock: dict) -> dict:
        """Inject a shock from the menu (see :mod:`marketsim.game.shocks`) before this round's ticks.

        Returns:
            The validated event (plain JSON).

        Raises:
            DecisionError: If the shock is not on the menu or is invalid.
        """
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING)
            data = plain_json(shock, "shock")
            event = validate_shock(self.state.model, data)
            self._record("shock", FACILITATOR, {"event": data})
            return EVENT.dump_python(event, mode="json")

    def advance(self, token: str) -> dict[str, Any]:
        """Close the round: apply the queued decisions and run the round's ticks.

        A seat plays its team's queue (the latest submission of any member) if it has a player
        and the queue was submitted or a member is still connected (an empty queue: no change);
        otherwise its fallback. Which it was is logged.

        Returns:
            The logged payload: ``human`` (region -> decisions), ``fallback``, ``from_tick``, ``ticks``,
            and, when offers were accepted, ``offers`` (region -> ``alliance_join`` decisions, played
            whoever plays the seat), ``new_alliances`` and ``offers_played``.
        """
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING)
            state, now = self.state, self.clock()
            human, fallback = {}, []
            for region in state.seats:
                members = state.team[region]
                if members and (region in state.queues or any(self._connected(p, now) for p in members)):
                    human[region] = state.queues.get(region, [])
                else:
                    fallback.append(region)
            payload = {
                "human": human,
                "fallback": fallback,
                "from_tick": state.model.tick,
                "ticks": state.round_ticks(),
                **self._offer_decisions(),
            }
            self._record("advance", FACILITATOR, payload)
            return payload

    def undo(self, token: str) -> None:
        """Undo the last round: rebuild the model without it (its decisions and shocks) and
        reopen it for decisions. Who sits where is kept."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING, FINISHED)
            if self.state.round == 0:
                raise StateError("no round has been played yet")
            self._record("undo", FACILITATOR, {"round": self.state.round - 1})
