"""The classroom game's facilitator tools: the clock, broadcasts, shocks, undo and the bot twin."""

from __future__ import annotations

import numpy as np
import pytest
from _game import assert_same_run, differs, open_room, small_text

from marketsim.game import AuthError, StateError
from marketsim.game.debrief import bot_twin
from marketsim.game.replay import state_digest
from marketsim.game.shocks import demand_surge, dispute, export_ban, mine_disruption
from marketsim.governance import decisions as D
from marketsim.governance.rounds import DecisionError
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import parse_scenario_text


def test_facilitator_actions_need_the_facilitator_token(server):
    room, _, tokens = open_room(server)
    for action in (room.advance, room.pause, room.undo):
        with pytest.raises(AuthError):
            action(tokens["usa"])
    with pytest.raises(AuthError):
        room.inject_shock(tokens["usa"], mine_disruption(room.state.model.date, "china"))
    with pytest.raises(AuthError):
        room.replace_with_ai(tokens["usa"], "japan")
    with pytest.raises(AuthError):
        server.export_room(room.id, tokens["usa"])
    with pytest.raises(AuthError):
        room.facilitator_view("")
    assert room.state.model.tick == 0 and room.state.round == 0


def test_pause_resume_and_extend_the_clock(server, clock):
    room, facilitator, tokens = open_room(server, time_limit_s=60)
    clock.advance(20.0)
    assert room.status()["time_left"] == 40.0
    room.pause(facilitator)
    clock.advance(100.0)
    assert room.status()["time_left"] == 40.0
    with pytest.raises(StateError, match="paused"):
        room.submit(tokens["usa"], [])
    room.extend(facilitator, 30)
    room.resume(facilitator)
    clock.advance(69.0)
    assert room.status()["time_left"] == 1.0
    room.submit(tokens["usa"], [])
    clock.advance(2.0)
    with pytest.raises(StateError, match="time is up"):
        room.submit(tokens["usa"], [])
    room.advance(facilitator)
    assert room.status()["time_left"] == 60.0


def test_broadcasts_reach_players(server):
    room, facilitator, tokens = open_room(server)
    room.broadcast(facilitator, "  Five minutes left  ")
    assert [m["text"] for m in room.player_view(tokens["japan"])["messages"]] == ["Five minutes left"]


def test_shocks_from_the_menu_are_validated_and_injected(server):
    room, facilitator, _ = open_room(server)
    now = room.state.model.date
    for shock in (
        dispute(now, "usa", "china"),
        mine_disruption(now, "china", 0.4),
        demand_surge(now, "ev", 1.3),
        export_ban(now, "china", ("usa",), ("ndpr",)),
    ):
        event = room.inject_shock(facilitator, shock)
        assert event["type"] == shock["type"]
    with pytest.raises(DecisionError, match="one of"):
        room.inject_shock(facilitator, D.tariff("usa", now, 0.5))
    with pytest.raises(DecisionError, match="unknown sector"):
        room.inject_shock(facilitator, demand_surge(now, "toys"))
    with pytest.raises(DecisionError, match="unknown region"):
        room.inject_shock(facilitator, mine_disruption(now, "atlantis"))
    assert sum(a.kind == "shock" for a in room.state.log) == 4
    room.advance(facilitator)
    assert room.state.model.frictions.disputes


def test_undo_restores_the_state_before_the_last_round(server):
    room, facilitator, tokens = open_room(server)
    room.advance(facilitator)
    before = room.state.model
    digest = state_digest(before)
    decisions_before, events_before = list(before.decisions), list(before.events)
    raw_before = {k: v.copy() for k, v in before.recorder.raw.items()}
    now = room.state.model.date
    room.submit(tokens["usa"], [D.tariff("usa", now, 1.0)])
    room.inject_shock(facilitator, mine_disruption(now, "china", 0.9))
    room.advance(facilitator)
    assert room.state.model.tick == 24
    room.undo(facilitator)
    after = room.state.model
    assert after.tick == 12 and room.status()["round"] == 1 and room.state.queues == {}
    assert state_digest(after) == digest
    for name, values in raw_before.items():
        np.testing.assert_array_equal(after.recorder.raw[name][:12], values[:12])
    assert [(d.tick, d.region, d.accepted) for d in after.decisions] == [
        (d.tick, d.region, d.accepted) for d in decisions_before
    ]
    assert after.events == events_before
    np.testing.assert_array_equal(after.prices.regional, raw_before["price"][11])
    room.advance(facilitator)  # the round replays without the undone decisions
    assert not any(getattr(e, "importer", None) == "usa" and e.rate == 1.0 for e in room.state.model.events)


def test_undo_needs_a_played_round(server):
    room, facilitator, _ = open_room(server)
    with pytest.raises(StateError):
        room.undo(facilitator)


def test_bot_twin_differs_when_players_decide(server):
    room, facilitator, tokens = open_room(server)
    now = room.state.model.date
    room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 500.0)])
    room.inject_shock(facilitator, mine_disruption(now, "china", 0.5))
    room.advance(facilitator)
    twin = bot_twin(room)
    assert twin.tick == room.state.model.tick == 12
    assert differs(twin, room.state.model)
    assert any(e.type == "mine_disruption" for e in twin.events)  # the injected shock is kept


def test_bot_twin_equals_the_game_when_nobody_decides(server):
    """Scripted seats, players present who decide nothing, a shock: the twin is the game exactly."""
    created = server.create_room(small_text(strategies=False), "s", 5, ["usa", "japan"])
    tokens = [server.join(created.join_code, n, "a").token for n in ("Ann", "Bob")]
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    room.submit(tokens[0], [])
    room.inject_shock(created.facilitator_token, demand_surge(room.state.model.date, "ev", 1.5))
    room.advance(created.facilitator_token)
    room.advance(created.facilitator_token)
    twin = bot_twin(room)
    assert_same_run(twin, room.state.model)
    plain = RareEarthModel(parse_scenario_text(small_text(strategies=False)), seed=5)
    for _ in range(24):
        plain.step()
    assert differs(plain, room.state.model)  # the shock mattered, and the twin kept it
