"""Nothing lost: the game's log survives restarts and SIGKILL, replays exactly, and travels as JSON."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from _game import Clock, assert_same_run, seat, small_text

from marketsim.game import AuthError, GameError, GameServer
from marketsim.game.replay import state_digest
from marketsim.game.room import Room
from marketsim.game.shocks import mine_disruption
from marketsim.game.store import Action, GameStore
from marketsim.governance import decisions as D

TESTS = Path(__file__).resolve().parent


def played_room(server):
    """A room two rounds in, with decisions, a shock, a replacement, an undo and queued decisions."""
    created = server.create_room(small_text(years=4), "small.toml", 11, ["usa", "japan"], time_limit_s=90)
    usa = seat(server, created, "Ann", "a").token
    seat(server, created, "Bob", "b")
    room, boss = server.room(created.room_id), created.facilitator_token
    room.start(boss)
    now = room.state.model.date
    room.submit(usa, [D.tariff("usa", now, 0.3, ("china",)), D.stockpile("usa", now, "ndpr", 800.0)])
    room.inject_shock(boss, mine_disruption(now, "china", 0.3))
    room.advance(boss)
    room.replace_with_ai(boss, "japan")
    room.advance(boss)
    room.undo(boss)
    room.submit(usa, [D.subsidy("usa", room.state.model.date, "separation", 0.25)])
    room.advance(boss)
    room.pause(boss)
    room.broadcast(boss, "back in five")
    room.resume(boss)
    room.submit(usa, [D.subsidy("usa", room.state.model.date, "mining", 0.1)])  # left pending
    return created, usa, room


def test_a_restarted_server_rebuilds_every_room_exactly(tmp_path):
    clock = Clock()
    server = GameServer(tmp_path / "g.db", clock=clock)
    created, usa, room = played_room(server)
    other = server.create_room(small_text(), "other.toml", 3, ["china"])
    before = room.status()
    server.close()

    again = GameServer(tmp_path / "g.db", clock=clock)
    assert {r["room"] for r in again.rooms()} == {created.room_id, other.room_id}
    restored = again.room(created.room_id)
    assert_same_run(restored.state.model, room.state.model)
    assert restored.status() == before  # phase, round, clock, roster, messages
    assert restored.state.queues == room.state.queues
    restored.submit(usa, [])  # tokens still work: their hashes were stored
    restored.advance(created.facilitator_token)
    assert restored.state.model.tick == 36
    again.close()


def test_the_database_is_durable_and_append_only(tmp_path):
    store = GameStore(tmp_path / "g.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()
    server = GameServer(tmp_path / "g.db")
    created, _, _ = played_room(server)
    server.close()
    db = sqlite3.connect(tmp_path / "g.db")
    rows = db.execute(
        "SELECT seq, kind, payload FROM actions WHERE room_id = ? ORDER BY seq", (created.room_id,)
    ).fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert "undo" in [r[1] for r in rows]
    text = " ".join(r[2] for r in rows) + " ".join(map(str, db.execute("SELECT * FROM rooms").fetchone()))
    assert created.facilitator_token not in text  # tokens are stored only as hashes
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE actions SET kind = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM actions")
    db.close()


SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
from _game import small_text, seat
from marketsim.governance import decisions as D
from marketsim.game import GameServer
from marketsim.game.replay import state_digest

server = GameServer({db!r})
created = server.create_room(small_text(years=30, round_months=3), "small.toml", 99, ["usa", "japan"])
print("ROOM", created.room_id, created.facilitator_token, flush=True)
room = server.room(created.room_id)
def ack():
    print("ACK", len(room.state.log), room.state.model.tick, state_digest(room.state.model), flush=True)
usa = seat(server, created, "Ann", "a").token; ack()
seat(server, created, "Bob", "b"); ack()
room.start(created.facilitator_token); ack()
while room.is_open:
    room.submit(usa, [D.tariff("usa", room.state.model.date, 0.01 * (room.state.round % 7), ("china",))]); ack()
    room.advance(created.facilitator_token); ack()
    time.sleep(0.01)
print("DONE", flush=True)
"""


def test_kill_mid_game_loses_no_acknowledged_action(tmp_path):
    db = tmp_path / "g.db"
    script = tmp_path / "play.py"
    script.write_text(textwrap.dedent(SCRIPT.format(tests=str(TESTS), db=str(db))))
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=TESTS.parent)
    acks = []
    room_line = process.stdout.readline().split()
    deadline = time.monotonic() + 120
    while len(acks) < 25 and time.monotonic() < deadline:
        line = process.stdout.readline().split()
        assert line and line[0] == "ACK", f"the script stopped early: {line}"
        acks.append((int(line[1]), int(line[2]), line[3]))
    process.send_signal(signal.SIGKILL)  # mid-game, possibly mid-write
    process.wait()
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    room_id, facilitator = room_line[1], room_line[2]
    server = GameServer(db)
    logged = server.store.actions(room_id)
    last_acked, tick, digest = acks[-1]
    assert len(logged) >= last_acked  # every acknowledged action is there (one more may have been committed)
    assert [a.seq for a in logged[:last_acked]] == list(range(1, last_acked + 1))
    room = server.room(room_id)
    assert room.is_open and 0 < room.state.model.tick < room.state.model.months  # killed mid-game
    # The restored room equals a fresh replay of its log...
    fresh = Room(server.store.rooms()[0], server.store, actions=logged)
    assert_same_run(room.state.model, fresh.state.model)
    # ...and replaying exactly the acknowledged actions gives what the killed process had acknowledged.
    acknowledged = Room(server.store.rooms()[0], server.store, actions=logged[:last_acked])
    assert (acknowledged.state.model.tick, state_digest(acknowledged.state.model)) == (tick, digest)
    room.advance(facilitator)  # and the game goes on
    server.close()


def test_export_and_import_reproduce_the_game(tmp_path):
    server = GameServer(tmp_path / "a.db")
    created, usa, room = played_room(server)
    with pytest.raises(AuthError):
        server.export_room(created.room_id, usa)
    exported = json.loads(json.dumps(server.export_room(created.room_id, created.facilitator_token)))
    assert "token_sha256" not in json.dumps(exported)
    server.close()

    elsewhere = GameServer(tmp_path / "b.db")
    imported = elsewhere.import_room(exported)
    copy = elsewhere.room(imported.room_id)
    assert imported.room_id != created.room_id
    assert_same_run(copy.state.model, room.state.model)
    assert [a.to_json()["payload"].get("decisions") for a in copy.state.log] == [
        a["payload"].get("decisions") for a in exported["actions"]
    ]
    copy.advance(imported.facilitator_token)  # the importing facilitator can carry on
    elsewhere.close()
    reopened = GameServer(tmp_path / "b.db")  # and the import itself survives a restart
    assert reopened.room(imported.room_id).state.model.tick == copy.state.model.tick
    reopened.close()

    tampered = {**exported, "seed": exported["seed"] + 1}
    with pytest.raises(GameError, match="does not replay"):
        GameServer(tmp_path / "c.db").import_room(tampered)


def test_a_team_room_restarts_exactly(tmp_path):
    clock = Clock()
    server = GameServer(tmp_path / "g.db", clock=clock)
    created = server.create_room(small_text(), "small.toml", 4, ["usa", "japan"])
    ann, bob, cy = (seat(server, created, n, "a", r).token for n, r in (("Ann", "usa"), ("Bob", "usa"), ("Cy", "usa")))
    seat(server, created, "Dee", "a")  # the emptiest seat: japan
    room, boss = server.room(created.room_id), created.facilitator_token
    room.start(boss)
    room.submit(ann, [D.tariff("usa", room.state.model.date, 0.2)])
    room.advance(boss)
    room.replace_with_ai(boss, "p2")
    room.submit(cy, [D.subsidy("usa", room.state.model.date, "separation", 0.1)])
    before = room.status()
    server.close()

    restored = GameServer(tmp_path / "g.db", clock=clock).room(created.room_id)
    assert restored.status() == before
    assert [p["name"] for p in before["roster"][0]["players"]] == ["Ann", "Cy"]
    assert restored.state.submitted_by == {"usa": "p3"}
    with pytest.raises(AuthError):
        restored.submit(bob, [])  # still revoked
    assert_same_run(restored.state.model, room.state.model)


def test_logs_from_before_teams_still_replay(tmp_path):
    """A ``replace`` logged before teams names one ``player``; it replays as it did then."""
    server = GameServer(tmp_path / "g.db")
    created = server.create_room(small_text(), "small.toml", 4, ["usa", "japan"])
    seat(server, created, "Ann", "a")
    seat(server, created, "Bob", "a")
    room, boss = server.room(created.room_id), created.facilitator_token
    room.start(boss)
    room.submit(seat(server, created, "Cy", "a", "japan").token, [])
    old = [
        *room.state.log,
        Action(len(room.state.log) + 1, 0, "replace", "facilitator", {"player": "p1", "region": "usa"}, 0.0),
    ]
    replayed = Room(room.state.record, server.store, actions=old)
    assert [r["status"] for r in replayed.roster()] == ["ai", "submitted"]
    assert not replayed.state.players["p1"].active
    server.close()


def test_joins_held_for_the_teacher_survive_a_restart(tmp_path):
    clock = Clock()
    server = GameServer(tmp_path / "g.db", clock=clock)
    created = server.create_room(small_text(), "small.toml", 4, ["usa", "japan"])
    seat(server, created, "Ann", "a", "usa")
    team = server.join(created.join_code, "Cleo", "c", "usa")  # a taken government
    refused = server.join(created.join_code, "Eve", "e", "usa")
    phone = server.join(created.join_code, "ann", "d")  # Ann's name on another device
    room = server.room(created.room_id)
    room.approve(created.facilitator_token, room.requests()[1]["id"], admit=False)  # Eve
    waiting = room.requests()
    server.close()

    again = GameServer(tmp_path / "g.db", clock=clock)  # the same SQLite file, a new process's server
    room = again.room(created.room_id)
    assert room.requests() == waiting and [r["name"] for r in waiting] == ["Cleo", "ann"]
    assert room.request_status(team.token) == "waiting" and room.waiting_region(team.token) == "usa"
    assert room.request_status(refused.token) == "refused"
    room.approve(created.facilitator_token, waiting[0]["id"])
    assert room.player_view(team.token)["team"] == ["Ann", "Cleo"]
    later = again.join(created.join_code, "Finn", "f", "japan")
    assert not later.held
    more = again.join(created.join_code, "Gus", "g", "japan")
    assert more.held and room.requests()[-1]["id"] not in {r["id"] for r in waiting}  # ids are not reused
    again.close()

    third = GameServer(tmp_path / "g.db", clock=clock)
    room = third.room(created.room_id)
    assert [r["name"] for r in room.requests()] == ["ann", "Gus"]  # Cleo's admitted join is gone
    assert room.request_status(team.token) == "admitted" and room.request_status(phone.token) == "waiting"
    with sqlite3.connect(tmp_path / "g.db") as db:
        statuses = sorted(row[0] for row in db.execute("SELECT status FROM held_joins"))
    assert statuses == ["refused", "waiting", "waiting"]
    third.close()
