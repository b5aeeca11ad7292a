"""Many rooms in one process, and the debrief tables."""

from __future__ import annotations

import threading
import time

import pytest
from _game import assert_same_run, small_text
from conftest import CONFIGS

from marketsim.game import GameServer
from marketsim.game.debrief import DECISION_COLUMNS, decision_table, game_scorecards
from marketsim.game.room import Room
from marketsim.governance import decisions as D
from marketsim.governance.rounds import DecisionError
from marketsim.reports.scorecard import COLUMNS
from marketsim.scenario.loading import parse_scenario_text

BASELINE = (CONFIGS / "baseline_2024.toml").read_text()


def test_five_full_rooms_play_at_once(tmp_path):
    server = GameServer(tmp_path / "g.db")
    regions = list(parse_scenario_text(BASELINE).regions)
    rooms = [server.create_room(BASELINE, "baseline_2024.toml", seed, regions, ticks_per_round=12) for seed in range(5)]
    errors = []

    def play(created, region, index):
        try:
            joined = server.join(created.join_code, f"student {index}", f"10.0.{index}.1", region)
            room = server.room(created.room_id)
            while room.state.phase == "lobby":
                time.sleep(0.005)
            room.heartbeat(joined.token)
            room.submit(joined.token, [D.tariff(region, room.state.model.date, 0.05 * (index % 5))])
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=play, args=(c, r, i)) for c in rooms for i, r in enumerate(regions)]
    for thread in threads:
        thread.start()
    for created in rooms:
        room = server.room(created.room_id)
        while len(room.state.players) < len(regions) and not errors:
            time.sleep(0.005)
        room.start(created.facilitator_token)
    for thread in threads:
        thread.join()
    assert errors == []
    advancing = [threading.Thread(target=server.room(c.room_id).advance, args=(c.facilitator_token,)) for c in rooms]
    for thread in advancing:
        thread.start()
    for thread in advancing:
        thread.join()
    for created in rooms:
        room = server.room(created.room_id)
        assert room.state.model.tick == 12
        assert sum(d.accepted for d in room.state.model.decisions) == len(regions)  # every player's tariff
        alone = Room(room.state.record, server.store, actions=room.state.log)  # replayed on its own
        assert_same_run(alone.state.model, room.state.model)
    server.close()


def test_a_full_room_plays_a_year_with_every_seat_deciding(tmp_path):
    """Every government of the baseline played by a person, one round of a year: all ticks run and
    every seat's decision is applied. (How long it takes is measured in benchmarks/bench_game.py.)"""
    server = GameServer(tmp_path / "g.db")
    regions = list(parse_scenario_text(BASELINE).regions)
    created = server.create_room(BASELINE, "baseline_2024.toml", 1, regions, ticks_per_round=12)
    room = server.room(created.room_id)
    tokens = [server.join(created.join_code, r, "k", r).token for r in regions]
    room.start(created.facilitator_token)
    for region, token in zip(regions, tokens, strict=True):
        room.submit(token, [D.tariff(region, room.state.model.date, 0.05)])
    room.advance(created.facilitator_token)
    assert room.state.model.tick == 12
    applied = {d.region for d in room.state.model.decisions if d.accepted}
    assert applied == set(regions)
    server.close()


def test_debrief_tables(tmp_path):
    server = GameServer(tmp_path / "g.db")
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    usa = server.join(created.join_code, "Ann", "a", "usa").token
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    room.submit(usa, [D.tariff("usa", room.state.model.date, 0.2)])
    with pytest.raises(DecisionError):
        room.submit(usa, [D.tariff("japan", room.state.model.date, 0.2)])
    room.advance(created.facilitator_token)
    room.advance(created.facilitator_token)
    table = decision_table(room)
    assert list(table.columns) == DECISION_COLUMNS
    mine = table[table.government == "usa"]
    assert mine[["round", "date", "by", "kind", "accepted"]].values.tolist()[:2] == [
        [0, "2024-01", "player", "tariff", True],
        [0, "2024-01", "player", "tariff", False],
    ]
    assert "only japan can decide it" in mine.message.iloc[1]
    assert set(table[table.government == "japan"].by) == {"ai"}  # an empty seat: its strategy decided
    assert (table[table.government == "china"].by == "ai").all()
    scores = game_scorecards(room)
    assert list(scores.index) == ["china", "usa", "japan"] and list(scores.columns) == list(COLUMNS)
    server.close()
