"""The game database: one SQLite file holding each room's setup and its append-only action log,
and the joins waiting for the facilitator's approval (so a restart keeps them).

Every write is committed (WAL journal, ``synchronous=FULL``) before the call returns, so an
action the engine has acknowledged survives the process being killed. Rows of ``actions`` can
be inserted but never updated or deleted (triggers refuse it).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    join_code TEXT NOT NULL,
    source TEXT NOT NULL,
    scenario_text TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL,
    seed INTEGER NOT NULL,
    settings TEXT NOT NULL,
    facilitator_sha256 TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    round INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    payload TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (room_id, seq)
);
CREATE TABLE IF NOT EXISTS held_joins (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    time REAL NOT NULL,
    same_as TEXT,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'refused')),
    PRIMARY KEY (room_id, id)
);
CREATE TRIGGER IF NOT EXISTS actions_append_only_update BEFORE UPDATE ON actions
BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS actions_append_only_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;
"""


@dataclass(frozen=True)
class RoomRecord:
    """A room's setup as stored: everything needed, with its actions, to rebuild it."""

    id: str
    join_code: str
    source: str
    scenario_text: str
    scenario_sha256: str
    seed: int
    settings: dict[str, Any]
    facilitator_sha256: str
    created: float


@dataclass(frozen=True)
class SeatRequest:
    """A join held for the facilitator's approval (a taken government, or a name already playing),
    as the room holds it and the store keeps it."""

    id: str
    name: str
    region: str
    token_sha256: str
    time: float
    same_as: str | None
    """The player already called ``name``: admitting the request moves that player to the new device."""
    status: str = "waiting"
    """``waiting`` or ``refused`` (a refused browser is told so after a restart too)."""


@dataclass(frozen=True)
class Action:
    """One entry of a room's log."""

    seq: int
    round: int
    kind: str
    actor: str
    payload: dict[str, Any]
    time: float

    def to_json(self) -> dict[str, Any]:
        """The action as plain JSON data."""
        return {
            "seq": self.seq,
            "round": self.round,
            "kind": self.kind,
            "actor": self.actor,
            "payload": self.payload,
            "time": self.time,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Action:
        """Read an action written by :meth:`to_json`."""
        return cls(
            int(data["seq"]),
            int(data["round"]),
            str(data["kind"]),
            str(data["actor"]),
            dict(data["payload"]),
            float(data["time"]),
        )


def dump_payload(payload: dict[str, Any]) -> str:
    """Canonical JSON of a payload (refuses NaN and infinities)."""
    return json.dumps(payload, sort_keys=True, allow_nan=False, separators=(",", ":"))


class GameStore:
    """The database of a game server; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the database at ``path``."""
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def add_room(self, room: RoomRecord, actions: list[Action] = ()) -> None:
        """Store a new room, with any actions it already has (an import), in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        room.id,
                        room.join_code,
                        room.source,
                        room.scenario_text,
                        room.scenario_sha256,
                        room.seed,
                        dump_payload(room.settings),
                        room.facilitator_sha256,
                        room.created,
                    ),
                )
                self._db.executemany(
                    "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?)", [self._row(room.id, a) for a in actions]
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def append(self, room_id: str, action: Action) -> None:
        """Append an action to a room's log; committed to disk when this returns."""
        with self._lock:
            self._db.execute("INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?)", self._row(room_id, action))

    @staticmethod
    def _row(room_id: str, action: Action) -> tuple:
        return (room_id, action.seq, action.round, action.kind, action.actor, dump_payload(action.payload), action.time)

    def rooms(self) -> list[RoomRecord]:
        """Every room, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM rooms ORDER BY created, id").fetchall()
        return [RoomRecord(r[0], r[1], r[2], r[3], r[4], int(r[5]), json.loads(r[6]), r[7], float(r[8])) for r in rows]

    def actions(self, room_id: str) -> list[Action]:
        """A room's log in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, round, kind, actor, payload, time FROM actions WHERE room_id = ? ORDER BY seq", (room_id,)
            ).fetchall()
        return [Action(int(s), int(r), k, a, json.loads(p), float(t)) for s, r, k, a, p, t in rows]

    # ----------------------------------------------------------------- held joins
    def hold_join(self, room_id: str, held: SeatRequest) -> None:
        """Store a join waiting for the facilitator; committed when this returns."""
        with self._lock:
            self._db.execute(
                "INSERT INTO held_joins VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (room_id, held.id, held.name, held.region, held.token_sha256, held.time, held.same_as, held.status),
            )

    def settle_join(self, room_id: str, request_id: str, *, admitted: bool) -> None:
        """A held join settled: admitted (forgotten: the log now has the player) or refused (kept,
        so the refused browser is told so after a restart too)."""
        with self._lock:
            if admitted:
                self._db.execute("DELETE FROM held_joins WHERE room_id = ? AND id = ?", (room_id, request_id))
            else:
                self._db.execute(
                    "UPDATE held_joins SET status = 'refused' WHERE room_id = ? AND id = ?", (room_id, request_id)
                )

    def held_joins(self, room_id: str) -> list[SeatRequest]:
        """A room's held joins (waiting and refused), in the order they came."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, region, token_sha256, time, same_as, status FROM held_joins WHERE room_id = ? "
                "ORDER BY time, rowid",
                (room_id,),
            ).fetchall()
        return [SeatRequest(i, n, r, t, float(w), s, st) for i, n, r, t, w, s, st in rows]
