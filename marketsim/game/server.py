"""The game server: the rooms of one database, join codes, and export/import of whole games."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marketsim.game.errors import AuthError, GameError, NotFound
from marketsim.game.ratelimit import FailureLimiter
from marketsim.game.replay import FALLBACKS, state_digest
from marketsim.game.room import Room
from marketsim.game.store import Action, GameStore, RoomRecord, SeatRequest
from marketsim.game.tokens import new_join_code, new_token, normalise_code, token_hash, token_matches
from marketsim.scenario.loading import parse_scenario_text, scenario_hash

EXPORT_FORMAT = "marketsim-game/1"
ADDRESS_PAUSE_S = 1.0
"""How long each lookup waits, one at a time, from an address past its wrong-code limit."""
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Created:
    """A new room: its id, its join code and the facilitator's token (shown once, never stored)."""

    room_id: str
    join_code: str
    facilitator_token: str


@dataclass(frozen=True)
class Joined:
    """A player seated in a room (or held for the facilitator's approval: ``held``, with no
    player id yet), with their token (shown once, stored only as a hash)."""

    room_id: str
    player_id: str | None
    region: str
    token: str
    held: bool = False


def check_setup(scenario, seed: object, settings: dict[str, Any]) -> None:
    """Check a room's seed and settings (``seats``, ``ticks_per_round``, ``time_limit_s``,
    ``fallback``) against its scenario: the same rules for a new room and an imported one.

    Raises:
        GameError: Naming the first setting that is wrong.
    """
    seats, ticks, limit = settings.get("seats"), settings.get("ticks_per_round"), settings.get("time_limit_s")
    if not (type(ticks) is int and 1 <= ticks <= 24):
        raise GameError("months per round must be 1 to 24")
    if not (type(seed) is int and 0 <= seed <= MAX_SEED):
        raise GameError(f"seed must be a whole number from 0 to {MAX_SEED}")
    if not (isinstance(seats, list) and all(isinstance(r, str) for r in seats)):
        raise GameError("seats must be a list of the scenario's regions")
    unknown = [r for r in seats if r not in scenario.regions]
    if unknown or len(set(seats)) != len(seats):
        raise GameError(f"seats must be distinct regions of the scenario (unknown: {', '.join(unknown)})")
    if settings.get("fallback") not in FALLBACKS:
        raise GameError(f"fallback must be one of {', '.join(FALLBACKS)}")
    if not (type(limit) in (int, float) and 0 <= limit <= 24 * 3600):
        raise GameError("time limit must be 0 (none) to 24 h")


class GameServer:
    """Every room of one SQLite database, rebuilt from their logs when the server starts."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        join_failures_per_minute: int = 10,
        address_failures_per_minute: int = 60,
        limiter_clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Open the database and rebuild every room in it.

        Args:
            db_path: The SQLite file (created if missing).
            clock: Wall-clock seconds, logged with each action; injectable for tests.
            join_failures_per_minute: Wrong join codes allowed per client key (a browser
                session) per minute.
            address_failures_per_minute: Wrong join codes per network address per minute,
                whatever the sessions, before that address is slowed down: past it, its lookups
                go one at a time, :data:`ADDRESS_PAUSE_S` each (a right code still works: a class
                behind one school address is never locked out; a guesser gets one try a second).
            limiter_clock: Monotonic seconds for the rate limiter.
            sleep: Waits the slowed-down lookups of a busy address (injectable for tests).
        """
        self.store = GameStore(db_path)
        self.clock = clock
        self.limiter = FailureLimiter(join_failures_per_minute, limiter_clock)
        self.device_limiter = FailureLimiter(join_failures_per_minute, limiter_clock)
        self.address_limiter = FailureLimiter(address_failures_per_minute, limiter_clock)
        self.sleep = sleep
        self._address_gates: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        for record in self.store.rooms():
            self._rooms[record.id] = Room(record, self.store, clock, self.store.actions(record.id))

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # ----------------------------------------------------------------- rooms
    def create_room(
        self,
        scenario_text: str,
        source: str,
        seed: int,
        seats: list[str],
        *,
        ticks_per_round: int | None = None,
        time_limit_s: float = 300.0,
        fallback: str = "ai",
    ) -> Created:
        """Create a room in the lobby.

        Args:
            scenario_text: The scenario as TOML text.
            source: Where it came from (a file name), for messages and the export.
            seed: Random seed, 0 to 2**63-1.
            seats: Governments played by people; the others keep their scenario strategy.
            ticks_per_round: Months per round (1-24); the scenario's ``round_months`` when None.
            time_limit_s: Seconds to decide each round (0: no limit).
            fallback: What an empty or dropped seat does: ``"ai"`` (its scenario strategy, or no
                change if it has none) or ``"no_change"``.

        Raises:
            ScenarioError: If the scenario is invalid.
            GameError: If a setting is invalid.
        """
        scenario = parse_scenario_text(scenario_text, source)
        settings = {
            "seats": list(seats),
            "ticks_per_round": int(ticks_per_round or scenario.scenario.round_months),
            "time_limit_s": float(time_limit_s),
            "fallback": fallback,
        }
        check_setup(scenario, seed, settings)
        token = new_token()
        with self._lock:
            record = RoomRecord(
                secrets.token_hex(8),
                new_join_code(self._open_codes()),
                source,
                scenario_text,
                scenario_hash(scenario),
                int(seed),
                settings,
                token_hash(token),
                self.clock(),
            )
            self.store.add_room(record)
            self._rooms[record.id] = Room(record, self.store, self.clock)
        return Created(record.id, record.join_code, token)

    def _open_codes(self) -> set[str]:
        return {room.join_code for room in self._rooms.values() if room.is_open}

    def room(self, room_id: str) -> Room:
        """A room by id.

        Raises:
            NotFound: If there is none.
        """
        with self._lock:
            room = self._rooms.get(room_id)
        if room is None:
            raise NotFound(f"no room {room_id!r}")
        return room

    def rooms(self) -> list[dict[str, Any]]:
        """Every room: id, join code (open rooms only), phase, round and tick."""
        with self._lock:
            rooms = list(self._rooms.values())
        return [
            {
                "room": r.id,
                "join_code": r.join_code if r.is_open else None,
                "phase": r.state.phase,
                "round": r.state.round,
                "tick": r.state.model.tick,
            }
            for r in rooms
        ]

    # ----------------------------------------------------------------- joining
    def find(
        self,
        code: str,
        client_key: str,
        address: str | None = None,
        *,
        open_only: bool = True,
        device: str | None = None,
    ) -> Room:
        """A room by its join code, for a client: every lookup by code goes through the wrong-code
        limits, so no page can be used to try codes faster than joining allows.

        A browser session and a device (the id its browser keeps) are refused after too many
        wrong codes; a network address is only slowed down (one lookup at a time,
        :data:`ADDRESS_PAUSE_S` each), so classmates with the right code behind the same school
        address still get in.

        Args:
            code: The join code (case-insensitive).
            client_key: Who is asking (a browser session), for rate limiting.
            address: The client's network address, for slowing down guessing across its sessions.
            open_only: Only rooms taking players (not finished ones).
            device: The id the browser keeps across sessions (None: the session counts alone).

        Raises:
            RateLimited: If this session or device got codes wrong too often in the last minute.
            NotFound: If no such room has this code.
        """
        self.limiter.check(client_key)
        if device is not None:
            self.device_limiter.check(device)
        if address is not None and not self.address_limiter.allows(address):
            with self._gate(address):
                self.sleep(ADDRESS_PAUSE_S)
        wanted = normalise_code(code)
        with self._lock:
            matches = [r for r in self._rooms.values() if r.join_code == wanted and (r.is_open or not open_only)]
        if not matches:
            self.refused(client_key, address, device)
            raise NotFound("no open room has this join code" if open_only else "no room has this code")
        return matches[0]

    def _gate(self, address: str) -> threading.Lock:
        with self._lock:
            if len(self._address_gates) > 10_000:
                self._address_gates.clear()
            return self._address_gates.setdefault(address, threading.Lock())

    def refused(self, client_key: str, address: str | None = None, device: str | None = None) -> None:
        """Count a failed attempt (a wrong code, or a wrong key with a right code) against a client."""
        self.limiter.fail(client_key)
        if device is not None:
            self.device_limiter.fail(device)
        if address is not None:
            self.address_limiter.fail(address)

    def join(
        self,
        code: str,
        name: str,
        client_key: str,
        region: str | None = None,
        address: str | None = None,
        device: str | None = None,
    ) -> Joined:
        """Join an open room by its code (seated at once, or held for the facilitator's approval:
        see :meth:`Room.join`).

        Args:
            code: The join code (case-insensitive).
            name: Display name.
            client_key: Who is asking (a browser session), for rate limiting.
            region: The government wanted; the first free one when None.
            address: The client's network address, for rate limiting across its sessions.
            device: The id the client's browser keeps, for rate limiting across its sessions.

        Raises:
            RateLimited: If this client got the code wrong too often in the last minute.
            NotFound: If no open room has this code.
        """
        room = self.find(code, client_key, address, device=device)
        seated, token = room.join(name, region)
        if isinstance(seated, SeatRequest):
            return Joined(room.id, None, seated.region, token, held=True)
        return Joined(room.id, seated.id, seated.region, token)

    # ----------------------------------------------------------------- export
    def export_room(self, room_id: str, facilitator_token: str) -> dict[str, Any]:
        """A whole game as JSON data: setup, log (token hashes left out) and a digest of the result.

        Raises:
            AuthError: Without the room's facilitator token.
        """
        room = self.room(room_id)
        with room.lock:
            record = room.state.record
            if not token_matches(facilitator_token, record.facilitator_sha256):
                raise AuthError("this needs the facilitator's token")
            actions = [a.to_json() for a in room.state.log]
            digest, tick = state_digest(room.state.model), room.state.model.tick
        for action in actions:
            action["payload"] = {k: v for k, v in action["payload"].items() if k != "token_sha256"}
        return {
            "format": EXPORT_FORMAT,
            "source": record.source,
            "scenario_text": record.scenario_text,
            "scenario_sha256": record.scenario_sha256,
            "seed": record.seed,
            "settings": record.settings,
            "created": record.created,
            "actions": actions,
            "tick": tick,
            "digest": digest,
        }

    def import_room(self, data: dict[str, Any]) -> Created:
        """Recreate an exported game as a new room (new id, join code and facilitator token) and
        check that it replays to the exported result.

        Raises:
            GameError: If the data is not an export, or does not replay to its digest.
        """
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise GameError(f"not a {EXPORT_FORMAT} export")
        token = new_token()
        try:
            actions = [Action.from_json(a) for a in data["actions"]]
            probe = RoomRecord(
                "import",
                "",
                str(data["source"]),
                str(data["scenario_text"]),
                str(data["scenario_sha256"]),
                int(data["seed"]),
                dict(data["settings"]),
                token_hash(token),
                float(data["created"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise GameError(f"malformed export: {error}") from None
        scenario = parse_scenario_text(probe.scenario_text, probe.source)
        if scenario_hash(scenario) != probe.scenario_sha256:
            raise GameError("the export's scenario does not match its hash")
        check_setup(scenario, probe.seed, probe.settings)
        room = Room(probe, self.store, self.clock, actions)
        if state_digest(room.state.model) != data.get("digest") or room.state.model.tick != data.get("tick"):
            raise GameError("the export does not replay to its recorded result")
        with self._lock:
            code = new_join_code(self._open_codes())
            record = RoomRecord(
                secrets.token_hex(8),
                code,
                probe.source,
                probe.scenario_text,
                probe.scenario_sha256,
                probe.seed,
                probe.settings,
                probe.facilitator_sha256,
                probe.created,
            )
            self.store.add_room(record, actions)
            room.id, room.join_code, room.state.record = record.id, code, record
            self._rooms[record.id] = room
        return Created(record.id, code, token)
