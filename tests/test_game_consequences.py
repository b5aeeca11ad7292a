"""The consequence card of a round: a seat's numbers against the bot twin, the four a phone shows
first, and one line of why."""

from __future__ import annotations

from _game import open_room

from marketsim.game.consequences import KEY_LINES
from marketsim.governance import decisions as D


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
