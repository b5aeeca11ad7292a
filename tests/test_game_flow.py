"""The classroom game's rooms: joining by code, tokens, submitting decisions, advancing rounds and fallbacks."""

from __future__ import annotations

import pytest
from _game import assert_same_run, events_of, open_room, small_text

from marketsim.game import AuthError, GameServer, NotFound, RateLimited, StateError
from marketsim.game.replay import state_digest
from marketsim.game.tokens import CODE_ALPHABET, CODE_LENGTH, new_join_code
from marketsim.governance import decisions as D
from marketsim.governance.rounds import DecisionError
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import apply_overrides, parse_scenario_text


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
    room.submit(tokens["usa"], [D.subsidy("usa", now, "mining", 0.3)])  # the USA has mines, no magnet plants
    room.advance(facilitator)
    (subsidy,) = events_of(room.state.model, "usa")
    assert (subsidy.type, subsidy.stage) == ("subsidy", "mining")


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


def test_a_refused_decision_gives_its_message_and_keeps_the_queue(server):
    room, _, tokens = open_room(server)
    now = room.state.model.date
    room.submit(tokens["usa"], [D.subsidy("usa", now, "separation", 0.2)])
    with pytest.raises(DecisionError, match=r"decision 2: .*subsidy.*rate"):
        room.submit(tokens["usa"], [D.tariff("usa", now, 0.1), D.subsidy("usa", now, "separation", 5.0)])
    with pytest.raises(DecisionError, match="before now"):
        room.submit(tokens["usa"], [{**D.tariff("usa", now, 0.1), "start": "2020-01"}])
    with pytest.raises(DecisionError, match="costs US"):
        room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 1e5)])  # far over the US$500 m budget
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


def test_a_round_opening_a_year_judges_and_charges_the_refilled_budget_once(server):
    """The first round and a round opening a new year both meet the full yearly budget; checking a
    submission leaves the model as it was, and what the round spends is charged once."""
    room, facilitator, tokens = open_room(server, players=("usa",))
    model = room.state.model
    usa = model.governments["usa"]
    price = model.prices.regional[1, model.region_index["usa"]]  # ndpr, US$/kg
    tonnes = 400.0 * 1000.0 / price  # US$400 m of the US$500 m a year
    room.submit(tokens["usa"], [D.stockpile("usa", model.date, "ndpr", tonnes)])
    assert usa.budget_left == 500.0  # judged, not charged
    room.advance(facilitator)
    (first,) = [d for d in room.state.model.decisions if d.region == "usa"]
    assert first.tick == 0 and usa.budget_left == pytest.approx(100.0)  # charged once, after the year opened
    model = room.state.model
    price = model.prices.regional[1, model.region_index["usa"]]
    again = [D.stockpile("usa", model.date, "ndpr", 400.0 * 1000.0 / price)]
    room.submit(tokens["usa"], again)  # more than the US$100 m left, within the refilled US$500 m
    assert usa.budget_left == pytest.approx(100.0)
    room.advance(facilitator)
    assert usa.budget_left == pytest.approx(100.0)


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
