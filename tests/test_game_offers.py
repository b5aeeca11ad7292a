"""Offers between governments: invitations into alliances (new or existing), answered by the
invited government's players, played through the governance seam at the next round, logged."""

from __future__ import annotations

import pytest
from _game import Clock, assert_same_run, seat, small_text

from marketsim.game import GameServer, NotFound, StateError
from marketsim.game.debrief import bot_twin, decision_table
from marketsim.game.replay import state_digest
from marketsim.governance.rounds import DecisionError


@pytest.fixture
def game(tmp_path):
    clock = Clock()
    server = GameServer(tmp_path / "g.db", clock=clock)
    created = server.create_room(small_text(), "small.toml", 5, ["usa", "japan", "china"])
    tokens = {r: seat(server, created, f"player {r}", "a", r).token for r in ("usa", "japan", "china")}
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    yield server, room, created.facilitator_token, tokens
    server.close()


def members(room, alliance):
    return sorted(room.state.model.book.members.get(alliance, ()))


def test_a_new_alliance_is_formed_when_the_invitation_is_accepted(game):
    _, room, boss, tokens = game
    offer = room.propose(tokens["usa"], "china", "  Pact ")
    assert offer == {
        "id": 1,
        "from": "usa",
        "to": "china",
        "alliance": "pact",
        "new": True,
        "round": 0,
        "status": "pending",
    }
    assert room.player_view(tokens["china"])["offers"]["incoming"] == [offer]
    assert room.player_view(tokens["usa"])["offers"]["outgoing"] == [offer]
    assert room.answer(tokens["china"], 1, True)["status"] == "accepted"
    assert "pact" not in room.state.model.book.members  # nothing changes before the round is played
    payload = room.advance(boss)
    assert payload["new_alliances"] == ["pact"] and payload["offers_played"] == [1]
    assert set(payload["offers"]) == {"usa", "china"}
    assert members(room, "pact") == ["china", "usa"]
    table = decision_table(room)
    joins = table[table["kind"] == "alliance_join"]
    assert sorted(joins["government"]) == ["china", "usa"] and set(joins["by"]) == {"player"}
    assert joins["accepted"].all()
    assert room.offers_of("china")["incoming"][0]["status"] == "played"
    assert "pact" not in bot_twin(room).book.members  # the twin has no offers between players


def test_members_invite_into_an_existing_alliance_and_declines_change_nothing(game):
    _, room, boss, tokens = game
    with pytest.raises(DecisionError, match="only members invite"):
        room.propose(tokens["china"], "usa", "quad")
    with pytest.raises(DecisionError, match="already in quad"):
        room.propose(tokens["usa"], "japan", "quad")
    with pytest.raises(DecisionError, match="not another government"):
        room.propose(tokens["usa"], "usa", "quad")
    with pytest.raises(DecisionError, match="name"):
        room.propose(tokens["usa"], "china", "9 lives!")
    room.propose(tokens["japan"], "china", "quad")
    with pytest.raises(DecisionError, match="open offer"):
        room.propose(tokens["usa"], "china", "quad")
    room.answer(tokens["china"], 1, False)
    with pytest.raises(StateError, match="declined"):
        room.answer(tokens["china"], 1, True)
    room.advance(boss)
    assert members(room, "quad") == ["japan", "usa"]
    room.propose(tokens["usa"], "china", "quad")  # asked again after the decline
    room.answer(tokens["china"], 2, True)
    room.advance(boss)
    assert members(room, "quad") == ["china", "japan", "usa"]


def test_only_the_invited_government_answers(game):
    server, room, boss, tokens = game
    joined = server.join(room.join_code, "Dee", "a", "china")
    assert joined.held  # a taken government: the teacher admits the team member
    room.approve(boss, room.requests()[0]["id"])
    teammate = joined.token
    room.propose(tokens["usa"], "china", "pact")
    with pytest.raises(NotFound):
        room.answer(tokens["usa"], 1, True)  # the sender cannot accept its own offer
    with pytest.raises(NotFound):
        room.answer(tokens["japan"], 1, True)  # nor a third government
    with pytest.raises(NotFound):
        room.answer(tokens["china"], 7, True)
    room.answer(teammate, 1, True)  # any member of the invited team
    assert room.state.offers[1].status == "accepted"


def test_an_accepted_offer_is_played_even_if_the_seat_falls_back(game):
    _, room, boss, tokens = game
    room.propose(tokens["usa"], "china", "pact")
    room.answer(tokens["china"], 1, True)
    room.replace_with_ai(boss, "china")
    payload = room.advance(boss)
    assert "china" in payload["fallback"] and payload["offers"]["china"]
    assert members(room, "pact") == ["china", "usa"]


def test_offers_survive_restart_undo_and_export(game, tmp_path):
    server, room, boss, tokens = game
    room.advance(boss)
    room.propose(tokens["usa"], "china", "pact")
    room.answer(tokens["china"], 1, True)
    room.propose(tokens["japan"], "china", "quad")  # left pending
    digest = state_digest(room.state.model)
    room.advance(boss)
    assert members(room, "pact") == ["china", "usa"]
    room.undo(boss)  # the round is reopened: the accepted offer joins when it is played again
    assert state_digest(room.state.model) == digest and "pact" not in room.state.model.book.members
    assert room.state.offers[1].status == "accepted"
    room.advance(boss)
    played = room.state.model
    exported = server.export_room(room.id, boss)
    server.close()
    again = GameServer(tmp_path / "g.db", clock=room.clock)
    restored = again.room(room.id)
    assert_same_run(restored.state.model, played)
    assert [o.as_dict() for o in restored.state.offers.values()] == [o.as_dict() for o in room.state.offers.values()]
    elsewhere = GameServer(tmp_path / "other.db")
    assert elsewhere.import_room(exported).room_id != room.id  # it replays to the same digest
    elsewhere.close()
    again.close()
