"""Pages wait on their room instead of polling blindly: a new round wakes them at once."""

from __future__ import annotations

import threading
import time

import pytest
from _game import Clock, small_text

from marketsim.game import GameServer


@pytest.fixture
def game(tmp_path):
    server = GameServer(tmp_path / "g.db", clock=Clock())
    created = server.create_room(small_text(), "small.toml", 5, ["usa", "japan"])
    tokens = {r: server.join(created.join_code, f"player {r}", "a", r).token for r in ("usa", "japan")}
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    yield room, created.facilitator_token, tokens
    server.close()


def wait_in_thread(room, since: int, timeout: float, public: bool) -> dict:
    result: dict = {}

    def wait():
        started = time.monotonic()
        result["version"] = room.wait_for_change(since, timeout, public=public)
        result["waited"] = time.monotonic() - started

    thread = threading.Thread(target=wait)
    thread.start()
    return {"thread": thread, "result": result}


def test_advancing_wakes_a_waiting_page_at_once(game):
    room, boss, _ = game
    waiting = wait_in_thread(room, room.public_version, timeout=10.0, public=True)
    time.sleep(0.2)
    room.advance(boss)
    waiting["thread"].join(timeout=10)
    assert waiting["result"]["version"] > 0 and waiting["result"]["waited"] < 5.0


def test_another_players_submission_does_not_wake_a_player_but_wakes_the_console(game):
    room, _, tokens = game
    player = wait_in_thread(room, room.public_version, timeout=0.5, public=True)
    console = wait_in_thread(room, room.version, timeout=10.0, public=False)
    time.sleep(0.1)
    room.submit(tokens["usa"], [])
    for waiting in (player, console):
        waiting["thread"].join(timeout=10)
    assert player["result"]["version"] == room.public_version  # timed out, nothing public changed
    assert player["result"]["waited"] >= 0.45
    assert console["result"]["version"] == room.version and console["result"]["waited"] < 5.0


def test_without_changes_the_wait_ends_at_its_timeout(game):
    room, _, _ = game
    started = time.monotonic()
    assert room.wait_for_change(room.version, 0.3) == room.version
    assert time.monotonic() - started >= 0.25
