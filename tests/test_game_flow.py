"""The classroom game's rooms: joining, tokens, decisions, rounds, fallbacks and the facilitator's tools."""

from __future__ import annotations

import numpy as np
import pytest
from _game import Clock, assert_same_run, differs, small_text

from marketsim import decisions as D
from marketsim.game import AuthError, GameServer, NotFound, RateLimited, StateError
from marketsim.game.debrief import bot_twin
from marketsim.game.replay import state_digest
from marketsim.game.room import DISCONNECTED_AFTER_S
from marketsim.game.shocks import demand_surge, dispute, export_ban, mine_disruption
from marketsim.game.tokens import CODE_ALPHABET, CODE_LENGTH, new_join_code
from marketsim.governance import DecisionError
from marketsim.loading import apply_overrides, parse_scenario_text
from marketsim.model import RareEarthModel


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def server(tmp_path, clock):
    srv = GameServer(tmp_path / "game.db", clock=clock, limiter_clock=clock)
    yield srv
    srv.close()


def open_room(server, seats=("usa", "japan"), players=("usa", "japan"), **settings):
    created = server.create_room(small_text(), "small.toml", 5, list(seats), **settings)
    tokens = {region: server.join(created.join_code, f"player {region}", "10.0.0.1", region).token
              for region in players}
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    return room, created.facilitator_token, tokens


def events_of(model, region):
    return [d.event for d in model.decisions if d.region == region and d.accepted]


def test_create_join_submit_advance(server):
    created = server.create_room(small_text(), "small.toml", 5, ["usa", "japan"], time_limit_s=120)
    assert len(created.join_code) == CODE_LENGTH
    first = server.join(created.join_code.lower(), "Ann", "10.0.0.1")
    second = server.join(f" {created.join_code} ", "Bob", "10.0.0.2")
    assert (first.region, second.region) == ("usa", "japan")
    assert first.token != second.token and len(first.token) >= 32
    room = server.room(created.room_id)
    with pytest.raises(StateError):
        room.submit(first.token, [])  # still in the lobby
    room.start(created.facilitator_token)
    now = room.state.model.date
    accepted = room.submit(first.token, [D.tariff("usa", now, 0.25, ("china",))])
    assert accepted[0]["type"] == "tariff" and accepted[0]["importer"] == "usa"
    assert [r["status"] for r in room.roster()] == ["submitted", "thinking"]
    payload = room.advance(created.facilitator_token)
    assert payload["human"] == {"usa": [D.tariff("usa", now, 0.25, ("china",))], "japan": []}
    status = room.status()
    assert (status["phase"], status["round"], status["tick"], status["date"]) == ("deciding", 1, 12, "2025-01")
    (tariff,) = events_of(room.state.model, "usa")
    assert tariff.rate == 0.25 and tariff.start == "2024-01"
    assert events_of(room.state.model, "japan") == []  # a present player who decided nothing: no change
    room.advance(created.facilitator_token)
    room.advance(created.facilitator_token)
    assert room.status()["phase"] == "finished" and room.state.model.tick == 36
    with pytest.raises(StateError):
        room.advance(created.facilitator_token)


def test_resubmitting_replaces_the_queue(server):
    room, facilitator, tokens = open_room(server)
    now = room.state.model.date
    room.submit(tokens["usa"], [D.tariff("usa", now, 0.25), D.subsidy("usa", now, "separation", 0.2)])
    room.submit(tokens["usa"], [D.subsidy("usa", now, "magnets", 0.3)])
    room.advance(facilitator)
    (subsidy,) = events_of(room.state.model, "usa")
    assert (subsidy.type, subsidy.stage) == ("subsidy", "magnets")


def test_join_codes_use_an_unambiguous_alphabet_and_are_unique():
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = [new_join_code() for _ in range(300)]
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    taken = set(codes)
    assert new_join_code(taken) not in taken


def test_join_codes_are_unique_among_open_rooms(server, monkeypatch):
    first = server.create_room(small_text(), "s", 1, ["usa"])
    draws = iter(first.join_code + first.join_code + "ABCDEF")  # the taken code twice, then a new one
    monkeypatch.setattr("marketsim.game.tokens.secrets.choice", lambda alphabet: next(draws))
    second = server.create_room(small_text(), "s", 1, ["usa"])
    assert second.join_code == "ABCDEF" != first.join_code


def test_wrong_join_codes_are_rate_limited_per_client(tmp_path, clock):
    server = GameServer(tmp_path / "g.db", clock=clock, limiter_clock=clock, join_failures_per_minute=3)
    created = server.create_room(small_text(), "s", 1, ["usa", "japan"])
    for _ in range(3):
        with pytest.raises(NotFound):
            server.join("ZZZZZZ", "Eve", "6.6.6.6")
    with pytest.raises(RateLimited, match="try again"):
        server.join(created.join_code, "Eve", "6.6.6.6")  # even the right code, for now
    assert server.join(created.join_code, "Ann", "10.0.0.1").region == "usa"  # others are unaffected
    clock.advance(20.0)  # one attempt comes back every 20 s
    assert server.join(created.join_code, "Eve", "6.6.6.6").region == "japan"
    server.close()


def test_players_fill_the_emptiest_seat_and_may_join_a_taken_one(server):
    created = server.create_room(small_text(), "s", 1, ["usa", "japan"])
    joined = [server.join(created.join_code, name, "a") for name in ("Ann", "Bob", "Cy", "Dee", "Eve")]
    assert [j.region for j in joined] == ["usa", "japan", "usa", "japan", "usa"]
    assert server.join(created.join_code, "Fay", "a", "usa").region == "usa"  # asked for: taken or not
    room = server.room(created.room_id)
    rows = room.roster()
    assert [[p["name"] for p in r["players"]] for r in rows] == [["Ann", "Cy", "Eve", "Fay"], ["Bob", "Dee"]]
    assert rows[0]["name"] == "Ann, Cy, Eve, Fay" and rows[0]["player"] == joined[0].player_id
    with pytest.raises(NotFound):
        server.join(created.join_code, "Gus", "b", "china")  # not a seat: keeps its strategy


def test_team_members_share_one_queue(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob, _ = (server.join(created.join_code, n, "a", r) for n, r in
                   (("Ann", "usa"), ("Bob", "usa"), ("Cy", "japan")))
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    now = room.state.model.date
    room.submit(ann.token, [D.tariff("usa", now, 0.25)])
    assert room.player_view(bob.token)["queued"] == [D.tariff("usa", now, 0.25)]
    assert room.player_view(bob.token)["queued_by"] == "Ann"
    assert room.player_view(bob.token)["team"] == ["Ann", "Bob"]
    statuses = {p["name"]: p["status"] for r in room.roster() for p in r["players"]}
    assert statuses == {"Ann": "submitted", "Bob": "thinking", "Cy": "thinking"}
    room.submit(bob.token, [D.subsidy("usa", now, "magnets", 0.3)], region="usa")  # the latest replaces it
    assert [r["status"] for r in room.roster()] == ["submitted", "thinking"]
    payload = room.advance(created.facilitator_token)
    assert payload["human"] == {"usa": [D.subsidy("usa", now, "magnets", 0.3)], "japan": []}
    (subsidy,) = events_of(room.state.model, "usa")
    assert subsidy.stage == "magnets"


def test_a_team_member_cannot_decide_for_another_government(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob = (server.join(created.join_code, n, "a", "usa") for n in ("Ann", "Bob"))
    server.join(created.join_code, "Cy", "a", "japan")
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    now = room.state.model.date
    with pytest.raises(AuthError, match="you play usa"):
        room.submit(bob.token, [D.tariff("japan", now, 0.5)], region="japan")
    with pytest.raises(DecisionError, match="it is japan's"):
        room.submit(ann.token, [D.tariff("japan", now, 0.5)])
    assert room.state.queues == {}
    room.advance(created.facilitator_token)
    assert events_of(room.state.model, "japan") == []


def test_a_team_seat_falls_back_only_when_no_member_is_left(server, clock):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob = (server.join(created.join_code, n, "a", "usa") for n in ("Ann", "Bob"))
    cy = server.join(created.join_code, "Cy", "a", "japan")
    room, boss = server.room(created.room_id), created.facilitator_token
    room.start(boss)
    room.replace_with_ai(boss, ann.player_id)  # one member out: Bob plays on
    with pytest.raises(AuthError):
        room.heartbeat(ann.token)
    assert [p["name"] for p in room.roster()[0]["players"]] == ["Bob"]
    assert room.advance(boss)["human"] == {"usa": [], "japan": []}
    clock.advance(DISCONNECTED_AFTER_S - 1)
    room.heartbeat(cy.token)
    clock.advance(2.0)
    assert [r["status"] for r in room.roster()] == ["disconnected", "thinking"]
    assert room.advance(boss)["fallback"] == ["usa"]  # no member connected, nothing submitted
    room.heartbeat(bob.token)
    room.replace_with_ai(boss, "japan")  # the whole team of a government
    assert [r["status"] for r in room.roster()] == ["thinking", "ai"]
    assert room.advance(boss)["fallback"] == ["japan"]


def test_moving_the_last_member_drops_the_seat_queue(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob = (server.join(created.join_code, n, "a", "usa") for n in ("Ann", "Bob"))
    room, boss = server.room(created.room_id), created.facilitator_token
    room.start(boss)
    room.submit(ann.token, [])
    room.assign(boss, ann.player_id, "japan")
    assert room.state.queues == {"usa": []}  # Bob still plays the USA: its queue stays
    room.assign(boss, bob.player_id, "japan")
    assert room.state.queues == {}
    assert [p["name"] for p in room.roster()[1]["players"]] == ["Ann", "Bob"]
    with pytest.raises(NotFound):
        room.assign(boss, "usa", "japan")  # a government is not a player


def test_forged_decisions_are_rejected_and_change_nothing(server):
    room, facilitator, tokens = open_room(server)
    now = room.state.model.date
    log_before, digest_before = len(room.state.log), state_digest(room.state.model)
    with pytest.raises(AuthError):  # the USA's player claims Japan's seat
        room.submit(tokens["usa"], [D.tariff("japan", now, 0.5)], region="japan")
    with pytest.raises(AuthError):  # a forged token
        room.submit("not-a-token", [D.tariff("usa", now, 0.5)])
    with pytest.raises(DecisionError, match="cannot decide a tariff: it is japan's"):
        room.submit(tokens["usa"], [D.tariff("japan", now, 0.5)])  # a decision for another government
    assert room.state.queues == {}
    assert [a.kind for a in room.state.log[log_before:]] == ["refused"]
    room.advance(facilitator)
    assert events_of(room.state.model, "japan") == []
    assert digest_before != state_digest(room.state.model)  # the round ran, without the forged tariff
    assert not any(getattr(e, "importer", None) == "japan" for e in room.state.model.events)


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


def test_a_refused_decision_gives_its_message_and_keeps_the_queue(server):
    room, _, tokens = open_room(server)
    now = room.state.model.date
    room.submit(tokens["usa"], [D.subsidy("usa", now, "separation", 0.2)])
    with pytest.raises(DecisionError, match=r"decision 2: .*subsidy.*rate"):
        room.submit(tokens["usa"], [D.tariff("usa", now, 0.1), D.subsidy("usa", now, "separation", 5.0)])
    with pytest.raises(DecisionError, match="before now"):
        room.submit(tokens["usa"], [{**D.tariff("usa", now, 0.1), "start": "2020-01"}])
    with pytest.raises(DecisionError, match="costs US"):
        room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 1e7)])  # far over the US$500 m budget
    with pytest.raises(DecisionError, match="plain JSON"):
        room.submit(tokens["usa"], [{"type": "tariff", "importer": "usa", "rate": float("nan")}])
    assert room.state.queues == {"usa": [D.subsidy("usa", now, "separation", 0.2)]}


def test_queued_decisions_share_one_budget(server):
    room, _, tokens = open_room(server)
    now = room.state.model.date
    price = room.state.model.prices.regional[1, room.state.model.region_index["usa"]]  # ndpr, US$/kg
    tonnes = 300.0 * 1000.0 / price  # US$300 m each, within the US$500 m budget alone
    room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", tonnes)])
    with pytest.raises(DecisionError, match="together"):
        room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", tonnes)] * 2)


def test_empty_seats_follow_the_ai_fallback(server):
    """Nobody joins: the seats play their scenario strategies, exactly as the model alone would."""
    room, facilitator, _ = open_room(server, players=())
    for _ in range(3):
        room.advance(facilitator)
    alone = RareEarthModel(parse_scenario_text(small_text()), seed=5)
    alone.run()
    assert_same_run(room.state.model, alone)
    assert events_of(room.state.model, "usa")  # the importer strategy did decide


def test_empty_seats_follow_the_no_change_fallback(server):
    room, facilitator, _ = open_room(server, players=("japan",), fallback="no_change")
    for _ in range(3):
        room.advance(facilitator)
    assert events_of(room.state.model, "usa") == []
    assert events_of(room.state.model, "japan") == []
    assert events_of(room.state.model, "china")  # not a seat: keeps its strategy
    assert [r["status"] for r in room.roster()] == ["ai", "thinking"]


def test_ticks_per_round_sets_when_everyone_decides(server):
    created = server.create_room(small_text(), "s", 5, ["usa"], ticks_per_round=6)
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    room.advance(created.facilitator_token)
    assert room.state.model.tick == 6
    base = apply_overrides(parse_scenario_text(small_text()), ["scenario.round_months=6"], "s")
    alone = RareEarthModel(base, seed=5)
    for _ in range(6):
        alone.step()
    assert_same_run(room.state.model, alone)


def test_roster_heartbeats_and_dropped_seats(server, clock):
    room, facilitator, tokens = open_room(server)
    room.submit(tokens["japan"], [])
    clock.advance(25.0)
    room.heartbeat(tokens["usa"])
    clock.advance(10.0)
    assert [r["status"] for r in room.roster()] == ["thinking", "disconnected"]
    clock.advance(25.0)
    assert [r["status"] for r in room.roster()] == ["disconnected", "disconnected"]
    payload = room.advance(facilitator)
    # Japan submitted (no change) before dropping; the USA dropped without submitting: its AI plays.
    assert payload["human"] == {"japan": []} and payload["fallback"] == ["usa"]
    assert events_of(room.state.model, "usa") == []  # strategies do not act in the first round
    room.heartbeat(tokens["usa"])
    room.advance(facilitator)
    assert events_of(room.state.model, "usa") == []  # back and connected: plays (no change)
    assert events_of(room.state.model, "japan")  # dropped and silent: its importer strategy decided
    room.replace_with_ai(facilitator, "japan")
    with pytest.raises(AuthError):
        room.heartbeat(tokens["japan"])  # the token is revoked
    assert [r["status"] for r in room.roster()] == ["thinking", "ai"]


def test_replaced_player_seat_falls_back_to_its_strategy(server):
    room, facilitator, _ = open_room(server)
    room.advance(facilitator)
    room.replace_with_ai(facilitator, "p1")
    room.advance(facilitator)
    assert [e.type for e in events_of(room.state.model, "usa")]  # the importer strategy took over
    again = server.join(server.rooms()[0]["join_code"], "Cleo", "10.0.0.9")
    assert again.region == "usa"


def test_facilitator_can_move_a_player(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    joined = server.join(created.join_code, "Ann", "a")
    room = server.room(created.room_id)
    room.assign(created.facilitator_token, joined.player_id, "japan")
    assert room.player_view(joined.token)["region"] == "japan"
    assert [r["status"] for r in room.roster()] == ["ai", "thinking"]


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
    for shock in (dispute(now, "usa", "china"), mine_disruption(now, "china", 0.4), demand_surge(now, "ev", 1.3),
                  export_ban(now, "china", ("usa",), ("ndpr",))):
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
    assert [(d.tick, d.region, d.accepted) for d in after.decisions] == \
        [(d.tick, d.region, d.accepted) for d in decisions_before]
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
