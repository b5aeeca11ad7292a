"""The consequence card of a round: a seat's numbers against the bot twin, the four a phone shows
first, and one line of why."""

from __future__ import annotations

from types import SimpleNamespace

from _game import open_room

from marketsim.game import GameServer, views
from marketsim.game.consequences import KEY_LINES
from marketsim.game.shocks import mine_disruption
from marketsim.governance import decisions as D
from marketsim.model import RareEarthModel


def test_each_seat_gets_a_card_with_four_key_numbers_and_units(server):
    room, facilitator, tokens = open_room(server, seats=("usa", "china"), players=("usa", "china"))
    assert room.consequences() is None  # nothing played yet
    now = room.state.model.date
    room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 2000.0)])
    room.advance(facilitator)
    cards = room.consequences()
    assert set(cards) == {"usa", "china"}
    usa, china = cards["usa"], cards["china"]
    assert [what for what, _, _ in usa["key"]] == [
        "Your NdPr price",
        "Industry supplied",
        "Dependency on China (separation)",
        "Public money spent this round",
    ]
    # China has no dependency on itself: its exports take that place.
    assert [what for what, _, _ in china["key"]] == [
        "Your NdPr price",
        "Industry supplied",
        "Public money spent this round",
        "Exports (a month)",
    ]
    assert all(row in usa["lines"] for row in usa["key"]) and len(usa["lines"]) > len(usa["key"])
    assert all(what in KEY_LINES or what.startswith("Magnets") for what, _, _ in usa["lines"])
    for _, ours, twin in usa["key"]:
        assert any(unit in ours for unit in ("US$", "%", " t")) and any(unit in twin for unit in ("US$", "%", " t"))
    money = dict((what, ours) for what, ours, _ in usa["lines"])["Public money spent this round"]
    assert money != "US$0.0 m"  # the stockpile order was paid for
    assert "stockpile" in usa["why"]
    assert room.consequences() is cards  # made once a round for every page


def play(server, ahead: bool):
    """A game of three rounds with a shock and an undo; the cards of each round. With ``ahead``, the
    twin's coming round is played while the players decide (as the room does in the background)."""
    room, boss, tokens = open_room(server)
    room.twin_ahead_after = None  # no background thread: played ahead here, when the test says so

    def decided():
        if ahead:
            room.twin_ahead()

    decided()
    cards = []
    for k in range(3):
        now = room.state.model.date
        room.submit(tokens["usa"], [D.stockpile("usa", now, "ndpr", 200.0 * (k + 1))])
        decided()
        if k == 1:  # played ahead, then a shock comes: the twin must play the round again
            room.inject_shock(boss, mine_disruption(now, "china", 0.4))
        room.advance(boss)
        cards.append(room.consequences())
        decided()
    room.undo(boss)
    decided()
    room.advance(boss)
    cards.append(room.consequences())
    return cards


def test_cards_are_the_same_whether_the_twin_played_ahead_or_not(tmp_path):
    lazy, eager = GameServer(tmp_path / "a.db"), GameServer(tmp_path / "b.db")
    try:
        assert play(lazy, ahead=False) == play(eager, ahead=True)
    finally:
        lazy.close()
        eager.close()


def count_months(monkeypatch) -> list:
    """The models stepped from now on, one entry a month (``RareEarthModel.step`` counted)."""
    months = []
    step = RareEarthModel.step

    def counted(model):
        months.append(model)
        return step(model)

    monkeypatch.setattr(RareEarthModel, "step", counted)
    return months


def test_a_twin_played_ahead_leaves_no_model_time_for_the_new_round(server, monkeypatch):
    room, boss, _ = open_room(server)
    room.twin_ahead_after = None
    months = count_months(monkeypatch)
    room.twin_ahead()  # while the players decide
    assert len(months) == 12  # the twin's coming round
    room.advance(boss)
    months.clear()
    room.consequences()  # what the class's pages wait for when the round is played
    assert months == []
    room.twin_ahead()
    room.advance(boss)
    months.clear()
    lazy = GameServer(server.store.path.with_name("lazy.db"))
    try:
        other, other_boss, _ = open_room(lazy)
        other.twin_ahead_after = None
        other.advance(other_boss)
        months.clear()
        other.consequences()
        assert len(months) == 12  # not played ahead: the twin's round is played now
    finally:
        lazy.close()


def test_a_background_twin_run_scheduled_before_it_was_switched_off_plays_nothing(server, monkeypatch):
    """Starting a room schedules the twin's coming round in the background; switched off before
    that run wakes, the run plays no month (it used to play them later, in the middle of whatever
    the room's owner did then: a test counting months saw 13 instead of 12)."""
    scheduled = []
    monkeypatch.setattr(views, "_thread", SimpleNamespace(start_new_thread=lambda run, args: scheduled.append(run)))
    monkeypatch.setattr(views, "time", SimpleNamespace(sleep=lambda seconds: None))
    months = count_months(monkeypatch)
    switched_off, _, _ = open_room(server)
    switched_off.twin_ahead_after = None
    assert len(scheduled) == 1  # the start's run, still asleep
    scheduled.pop()()
    assert months == []
    open_room(server)  # another room, left on
    scheduled.pop()()
    assert len(months) == 12  # left on, the same run plays the twin's coming round


def test_a_room_rebuilt_from_its_log_plays_its_twin_ahead_once_the_console_opens_it(server, monkeypatch):
    """A restarted server (or a room made by another process) rebuilds rooms without their bot
    twin: the console's first look schedules the twin's coming round, so the round played next
    does not wait for it; the rebuild itself schedules nothing."""
    scheduled = []
    monkeypatch.setattr(views, "_thread", SimpleNamespace(start_new_thread=lambda run, args: scheduled.append(run)))
    monkeypatch.setattr(views, "time", SimpleNamespace(sleep=lambda seconds: None))
    room, boss, _ = open_room(server)
    room.advance(boss)
    scheduled.clear()  # the runs of this process's start and round
    again = GameServer(server.store.path)
    try:
        rebuilt = again.room(room.id)
        assert scheduled == []
        rebuilt.facilitator_view(boss)
        rebuilt.facilitator_view(boss)
        assert len(scheduled) == 1
        months = count_months(monkeypatch)
        scheduled.pop()()
        assert len(months) == 24  # the twin's round so far, and its coming one
        rebuilt.advance(boss)
        months.clear()
        rebuilt.consequences()  # what the class's pages wait for when the round is played
        assert months == []
    finally:
        again.close()
