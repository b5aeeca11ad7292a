"""A room: the tokens, checks and locking around a :class:`~marketsim.game.state.RoomState`.

Every method that changes something checks the caller's token, validates the request against the
current model, appends one action to the log (committed to disk) and only then applies it and
returns. A refused request raises and changes nothing (a refused decision is still logged, as
``refused``, for the debrief).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from marketsim.game.errors import AuthError, NotFound, StateError
from marketsim.game.shocks import validate_shock
from marketsim.game.state import DECIDING, FINISHED, LOBBY, Player, RoomState
from marketsim.game.store import Action, GameStore, RoomRecord, dump_payload
from marketsim.game.tokens import new_token, token_hash, token_matches
from marketsim.governance import EVENT, DecisionError, decision_cost, validate_decision

DISCONNECTED_AFTER_S = 30.0
"""A player without a heartbeat for this long shows as disconnected."""
MAX_DECISIONS = 50
MAX_TEXT = 500
FACILITATOR = "facilitator"


def plain_json(value: Any, what: str) -> Any:
    """``value`` as plain JSON data (a copy), or a :class:`DecisionError` if it is not JSON-like."""
    try:
        return json.loads(dump_payload({"value": value}))["value"]
    except (TypeError, ValueError):
        raise DecisionError(f"{what} must be plain JSON data (lists, dicts, text, finite numbers)") from None


class Room:
    """One game room. Safe to call from many threads: one lock per room."""

    def __init__(self, record: RoomRecord, store: GameStore, clock: Callable[[], float] = time.time,
                 actions: list[Action] = ()) -> None:
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
        self.state = RoomState(record)
        for action in actions:
            self.state.apply(action)
        now = clock()
        self._last_seen = {p.id: now for p in self.state.players.values() if p.active}

    # ----------------------------------------------------------------- plumbing
    def _record(self, kind: str, actor: str, payload: dict[str, Any]) -> Action:
        """Log an action (committed when this returns), then apply it."""
        state = self.state
        action = Action(len(state.log) + 1, state.round, kind, actor, payload, self.clock())
        self.store.append(self.id, action)
        state.apply(action)
        return action

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

    def _seat_player(self, who: str) -> Player:
        """A player by id, or the player sitting in a government."""
        state = self.state
        pid = state.seat_of.get(who) if who in state.seat_of else who
        player = state.players.get(pid) if pid else None
        if player is None or not player.active:
            raise NotFound(f"no active player {who!r} in this room")
        return player

    def _need_phase(self, *phases: str) -> None:
        if self.state.phase not in phases:
            raise StateError(f"not possible while the room is {self.state.phase}")

    @property
    def is_open(self) -> bool:
        """Whether the game has not finished."""
        return self.state.phase != FINISHED

    # ----------------------------------------------------------------- players
    def join(self, name: str, region: str | None = None) -> tuple[Player, str]:
        """Seat a new player (the server checked the join code). Returns the player and their token.

        Args:
            name: Display name.
            region: The government wanted; the first free one when None.

        Raises:
            StateError: If the game has finished or every seat is taken.
            NotFound: If ``region`` is not a seat of this room.
        """
        name = " ".join(str(name).split())[:40]
        if not name:
            raise StateError("a display name is needed")
        with self.lock:
            self._need_phase(LOBBY, DECIDING)
            free = [r for r in self.state.seats if self.state.seat_of[r] is None]
            if region is None:
                if not free:
                    raise StateError("every government in this room is taken")
                region = free[0]
            elif region not in self.state.seat_of:
                raise NotFound(f"{region!r} is not a government played in this room")
            elif region not in free:
                raise StateError(f"{region} is already taken")
            token = new_token()
            pid = f"p{len(self.state.players) + 1}"
            self._record("join", pid, {"name": name, "region": region, "token_sha256": token_hash(token)})
            self._last_seen[pid] = self.clock()
            return self.state.players[pid], token

    def heartbeat(self, token: str) -> None:
        """Mark a player as connected now."""
        with self.lock:
            self._last_seen[self._player(token).id] = self.clock()

    def submit(self, token: str, decisions: list, region: str | None = None) -> list[dict]:
        """Queue a player's decisions for this round, replacing any queued before.

        Each decision (a dict in scenario-file form, e.g. from :mod:`marketsim.decisions`) is
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
                events = self._validate(player.region, data)
            except DecisionError as error:
                self._record("refused", player.id, {"region": player.region, "decisions": data,
                                                    "message": str(error)})
                raise
            self._record("submit", player.id, {"region": player.region, "decisions": data})
            return [EVENT.dump_python(e, mode="json") for e in events]

    def _validate(self, region: str, decisions: list) -> list:
        model = self.state.model
        with _budget_as_applied(model, region):
            events = []
            for number, decision in enumerate(decisions, 1):
                try:
                    events.append(validate_decision(model, region, decision))
                except DecisionError as error:
                    raise DecisionError(f"decision {number}: {error}") from None
            budget = model.governments[region].budget_left
            cost = sum(decision_cost(model, region, e) for e in events)
            if budget is not None and cost > budget + 1e-9:
                raise DecisionError(f"together these decisions cost US${cost:,.0f} m; {budget:,.0f} m is left")
        return events

    # ----------------------------------------------------------------- facilitator
    def start(self, token: str) -> None:
        """Open the first round for decisions."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY)
            self._record("start", FACILITATOR, {})

    def assign(self, token: str, player: str, region: str) -> None:
        """Move a player (by id) to a free government."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY, DECIDING)
            moving = self._seat_player(player)
            if region not in self.state.seat_of:
                raise NotFound(f"{region!r} is not a government played in this room")
            if self.state.seat_of[region] is not None:
                raise StateError(f"{region} is already taken")
            self._record("assign", FACILITATOR, {"player": moving.id, "region": region})

    def replace_with_ai(self, token: str, who: str) -> None:
        """Take a player (by id or government) out; their seat falls back and their token is revoked."""
        with self.lock:
            self._facilitator(token)
            self._need_phase(LOBBY, DECIDING)
            player = self._seat_player(who)
            self._record("replace", FACILITATOR, {"player": player.id, "region": player.region})

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

        A seat plays its player's queue if it has a player who submitted or is still connected
        (an empty queue: no change); otherwise its fallback. Which it was is logged.

        Returns:
            The logged payload: ``human`` (region -> decisions), ``fallback``, ``from_tick``, ``ticks``.
        """
        with self.lock:
            self._facilitator(token)
            self._need_phase(DECIDING)
            state, now = self.state, self.clock()
            human, fallback = {}, []
            for region in state.seats:
                pid = state.seat_of[region]
                connected = pid is not None and now - self._last_seen.get(pid, -1e18) <= DISCONNECTED_AFTER_S
                if pid is not None and (region in state.queues or connected):
                    human[region] = state.queues.get(region, [])
                else:
                    fallback.append(region)
            payload = {"human": human, "fallback": fallback, "from_tick": state.model.tick,
                       "ticks": state.round_ticks()}
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

    # ----------------------------------------------------------------- views
    def roster(self) -> list[dict[str, Any]]:
        """Each seat: region, player id and name, and status (submitted, thinking, disconnected or ai)."""
        with self.lock:
            now, state = self.clock(), self.state
            rows = []
            for region in state.seats:
                pid = state.seat_of[region]
                if pid is None:
                    rows.append({"region": region, "player": None, "name": None, "status": "ai"})
                    continue
                if now - self._last_seen.get(pid, -1e18) > DISCONNECTED_AFTER_S:
                    status = "disconnected"
                else:
                    status = "submitted" if region in state.queues else "thinking"
                rows.append({"region": region, "player": pid, "name": state.players[pid].name, "status": status})
            return rows

    def status(self) -> dict[str, Any]:
        """What everyone may see: phase, round, dates, clock, roster and messages."""
        with self.lock:
            state, model = self.state, self.state.model
            return {"room": self.id, "phase": state.phase, "round": state.round, "tick": model.tick,
                    "months": model.months, "date": model.date, "round_ticks": state.round_ticks(),
                    "paused": state.paused, "time_left": state.time_left(self.clock()),
                    "fallback": state.fallback, "roster": self.roster(), "messages": list(state.messages)}

    def player_view(self, token: str) -> dict[str, Any]:
        """A player's view: the room status plus their government and queued decisions."""
        with self.lock:
            player = self._player(token)
            return {**self.status(), "player": player.id, "region": player.region,
                    "queued": list(self.state.queues.get(player.region, []))}

    def facilitator_view(self, token: str) -> dict[str, Any]:
        """The facilitator's view: the room status plus the join code and every queue."""
        with self.lock:
            self._facilitator(token)
            return {**self.status(), "join_code": self.join_code,
                    "queues": {r: list(q) for r, q in self.state.queues.items()}}


@contextlib.contextmanager
def _budget_as_applied(model, region: str) -> Iterator[None]:
    """Judge a decision against the budget it will meet: a round opening a new year (after the
    first) refills the budget before decisions apply."""
    government = model.governments[region]
    saved = government.budget_left
    if model.tick > 0 and model.tick % 12 == 0:
        government.budget_left = government.budget
    try:
        yield
    finally:
        government.budget_left = saved
