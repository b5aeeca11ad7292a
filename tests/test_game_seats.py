"""The classroom game's seats and teams: who sits where, shared queues, heartbeats, moves and replacements."""

from __future__ import annotations

import pytest
from _game import events_of, open_room, seat, small_text

from marketsim.game import AuthError, NotFound
from marketsim.game.room import DISCONNECTED_AFTER_S
from marketsim.governance import decisions as D
from marketsim.governance.rounds import DecisionError


def test_players_fill_the_emptiest_seat_and_may_join_a_taken_one(server):
    created = server.create_room(small_text(), "s", 1, ["usa", "japan"])
    joined = [seat(server, created, name, "a") for name in ("Ann", "Bob", "Cy", "Dee", "Eve")]
    assert [j.region for j in joined] == ["usa", "japan", "usa", "japan", "usa"]
    assert seat(server, created, "Fay", "a", "usa").region == "usa"  # asked for: taken or not
    room = server.room(created.room_id)
    rows = room.roster()
    assert [[p["name"] for p in r["players"]] for r in rows] == [["Ann", "Cy", "Eve", "Fay"], ["Bob", "Dee"]]
    assert rows[0]["name"] == "Ann, Cy, Eve, Fay" and rows[0]["player"] == joined[0].player_id
    with pytest.raises(NotFound):
        seat(server, created, "Gus", "b", "china")  # not a seat: keeps its strategy


def test_team_members_share_one_queue(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob, _ = (seat(server, created, n, "a", r) for n, r in (("Ann", "usa"), ("Bob", "usa"), ("Cy", "japan")))
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    now = room.state.model.date
    room.submit(ann.token, [D.tariff("usa", now, 0.25)])
    assert room.player_view(bob.token)["queued"] == [D.tariff("usa", now, 0.25)]
    assert room.player_view(bob.token)["queued_by"] == "Ann"
    assert room.player_view(bob.token)["team"] == ["Ann", "Bob"]
    statuses = {p["name"]: p["status"] for r in room.roster() for p in r["players"]}
    assert statuses == {"Ann": "submitted", "Bob": "thinking", "Cy": "thinking"}
    room.submit(bob.token, [D.subsidy("usa", now, "mining", 0.3)], region="usa")  # the latest replaces it
    assert [r["status"] for r in room.roster()] == ["submitted", "thinking"]
    payload = room.advance(created.facilitator_token)
    assert payload["human"] == {"usa": [D.subsidy("usa", now, "mining", 0.3)], "japan": []}
    (subsidy,) = events_of(room.state.model, "usa")
    assert subsidy.stage == "mining"


def test_a_team_member_cannot_decide_for_another_government(server):
    created = server.create_room(small_text(), "s", 5, ["usa", "japan"])
    ann, bob = (seat(server, created, n, "a", "usa") for n in ("Ann", "Bob"))
    seat(server, created, "Cy", "a", "japan")
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
    ann, bob = (seat(server, created, n, "a", "usa") for n in ("Ann", "Bob"))
    cy = seat(server, created, "Cy", "a", "japan")
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
    ann, bob = (seat(server, created, n, "a", "usa") for n in ("Ann", "Bob"))
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
    joined = seat(server, created, "Ann", "a")
    room = server.room(created.room_id)
    room.assign(created.facilitator_token, joined.player_id, "japan")
    assert room.player_view(joined.token)["region"] == "japan"
    assert [r["status"] for r in room.roster()] == ["ai", "thinking"]
