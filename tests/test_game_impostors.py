"""A seat is claimed once: second joins to a taken government and joins under a playing name wait
for the facilitator; admitting a playing name moves that student to the new device."""

from __future__ import annotations

import pytest
from _game import small_text

from marketsim.game import AuthError, NotFound
from marketsim.governance import decisions as D


@pytest.fixture
def room_of(server):
    created = server.create_room(small_text(), "small.toml", 5, ["usa", "japan"])
    ann = server.join(created.join_code, "Ben", "a", "usa")
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    return created, room, ann


def test_an_impostor_under_a_classmates_name_is_held_and_cannot_act(server, room_of):
    created, room, ben = room_of
    room.submit(ben.token, [D.tariff("usa", room.status()["date"], 0.2)])
    impostor = server.join(created.join_code, " ben ", "b", "usa")
    assert impostor.held and impostor.player_id is None
    assert room.request_status(impostor.token) == "waiting"
    with pytest.raises(AuthError):
        room.submit(impostor.token, [])
    assert room.player_view(ben.token)["queued_by"] == "Ben" and len(room.player_view(ben.token)["queued"]) == 1
    assert [(r["name"], r["region"], r["same_as"]) for r in room.requests()] == [("ben", "usa", ben.player_id)]


def test_a_second_join_to_a_taken_government_waits_for_the_teacher(server, room_of):
    created, room, _ = room_of
    held = server.join(created.join_code, "Cleo", "c", "usa")
    assert held.held and [p["name"] for p in room.status()["roster"][0]["players"]] == ["Ben"]
    room.approve(created.facilitator_token, room.requests()[0]["id"])
    assert room.request_status(held.token) == "admitted"
    assert room.player_view(held.token)["team"] == ["Ben", "Cleo"]
    free = server.join(created.join_code, "Dan", "d")  # an empty government is taken at once
    assert not free.held and free.region == "japan"


def test_refused_join_stays_out(server, room_of):
    created, room, _ = room_of
    held = server.join(created.join_code, "Eve", "e", "usa")
    room.approve(created.facilitator_token, room.requests()[0]["id"], admit=False)
    assert room.request_status(held.token) == "refused" and room.requests() == []
    with pytest.raises(AuthError):
        room.player_view(held.token)
    with pytest.raises(NotFound):
        room.approve(created.facilitator_token, "r1")
    with pytest.raises(AuthError):  # only the facilitator admits
        room.approve("not the token", "r1")


def test_readmitting_a_student_on_another_device_moves_the_seat(server, room_of):
    created, room, ben = room_of
    phone = server.join(created.join_code, "Ben", "new-phone")
    assert phone.held and room.requests()[0]["same_as"] == ben.player_id
    room.approve(created.facilitator_token, room.requests()[0]["id"])
    assert room.player_view(phone.token)["player"] == ben.player_id  # the same seat, team and queue
    with pytest.raises(AuthError):
        room.player_view(ben.token)  # the old device is out
    assert len(room.state.players) == 1


def test_a_readmission_survives_a_restart(tmp_path, clock):
    from marketsim.game import GameServer  # noqa: PLC0415

    server = GameServer(tmp_path / "g.db", clock=clock)
    created = server.create_room(small_text(), "small.toml", 5, ["usa"])
    server.join(created.join_code, "Ben", "a", "usa")
    phone = server.join(created.join_code, "Ben", "b")
    room = server.room(created.room_id)
    room.approve(created.facilitator_token, room.requests()[0]["id"])
    server.close()
    again = GameServer(tmp_path / "g.db", clock=clock)
    assert again.room(created.room_id).player_view(phone.token)["region"] == "usa"
    again.close()
