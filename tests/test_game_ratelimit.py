"""Wrong join codes are limited per browser session and per device address, and every way of
looking a room up by code or key counts against the same limits."""

from __future__ import annotations

import pytest
from _game import Clock, open_room

from marketsim.game import AuthError, GameServer, NotFound, RateLimited
from marketsim.game.server import ADDRESS_PAUSE_S


@pytest.fixture
def limited(tmp_path):
    clock = Clock()
    server = GameServer(
        tmp_path / "game.db",
        join_failures_per_minute=3,
        address_failures_per_minute=5,
        limiter_clock=clock,
        sleep=clock.advance,  # a slowed-down lookup waits on the test's clock
    )
    yield server, clock
    server.close()


def wrong(server, session, address=None, device=None):
    with pytest.raises(NotFound):
        server.join("ZZZZZZ", "x", session, address=address, device=device)


def test_new_sessions_from_one_address_are_slowed_down_not_given_more_guesses(limited):
    server, clock = limited
    for session in ("s1", "s2", "s3", "s4", "s5"):  # one wrong code each: 5 from the address
        wrong(server, session, "10.0.0.9")
    before = clock()
    for session in ("s6", "s7", "s8"):  # past the address's limit: one try a second at most
        wrong(server, session, "10.0.0.9")
    assert clock() - before >= 3 * ADDRESS_PAUSE_S
    before = clock()
    wrong(server, "s9", "10.0.0.10")  # another address is not held back
    assert clock() == before


def test_a_busy_school_address_never_locks_out_a_student_with_the_right_code(limited):
    server, _ = limited
    room, _, _ = open_room(server, seats=("usa", "japan"), players=())
    for session in ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"):  # guessers behind the school's router
        wrong(server, session, "10.0.0.9")
    joined = server.join(room.join_code, "Ann", "s9", address="10.0.0.9", device="ann-phone")
    assert not joined.held and room.player_view(joined.token)["region"] == "usa"


def test_a_device_keeps_its_count_across_sessions(limited):
    server, _ = limited
    for session in ("s1", "s2", "s3"):  # a reload is a new session, the same device
        wrong(server, session, device="phone-1")
    with pytest.raises(RateLimited, match="too many wrong join codes"):
        server.join("ZZZZZZ", "x", "s4", device="phone-1")
    wrong(server, "s5", device="phone-2")


def test_each_session_has_its_own_smaller_limit(limited):
    server, clock = limited
    for _ in range(3):
        wrong(server, "s1", "10.0.0.9")
    with pytest.raises(RateLimited):
        server.find("ZZZZZZ", "s1", "10.0.0.9")
    wrong(server, "s2", "10.0.0.9")  # the address still has 1 left
    clock.now += 60.0  # a minute later the buckets have refilled
    wrong(server, "s1", "10.0.0.9")


def test_looking_up_a_finished_room_counts_like_joining(limited):
    server, _ = limited
    for _ in range(3):
        with pytest.raises(NotFound):
            server.find("ZZZZZZ", "s1", open_only=False)
    with pytest.raises(RateLimited):
        server.find("ZZZZZZ", "s1", open_only=False)


def test_a_wrong_key_counted_with_refused_uses_up_the_same_budget(limited):
    server, _ = limited
    room, _, _ = open_room(server)
    assert server.find(room.join_code, "s1", "10.0.0.9") is room
    for _ in range(3):
        with pytest.raises(AuthError):
            room.player_view("not-a-token")
        server.refused("s1", "10.0.0.9")
    with pytest.raises(RateLimited):
        server.find(room.join_code, "s1", "10.0.0.9")
