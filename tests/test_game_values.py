"""Bad values typed into a number field: refused in human words through the one validation route."""

from __future__ import annotations

import pytest
from _game import open_room

from marketsim.governance import decisions as D
from marketsim.governance.rounds import DecisionError


@pytest.mark.parametrize(
    ("decision", "sentence"),
    [
        (lambda now: D.price_floor("usa", now, "ndpr", -5.0), "A price floor must be above zero."),
        (lambda now: D.price_floor("usa", now, "ndpr", 1e300), "A price floor of US$1e+300/kg is not possible"),
        (lambda now: D.stockpile("usa", now, "ndpr", 1e300), "A stockpile order of 1e+300 t is not possible"),
        (lambda now: D.subsidy("usa", now, "separation", 5.0), "A subsidy rate must be at most 90 %."),
        (lambda now: D.tariff("usa", now, -0.5), "A tariff rate must be at least zero."),
        (lambda now: {**D.stockpile("usa", now, "ndpr", 10), "tonnes": "lots"}, "A stockpile order must be a number."),
    ],
)
def test_an_absurd_or_negative_value_is_refused_in_human_words(server, decision, sentence):
    room, _, tokens = open_room(server)
    before = room.log_size()
    with pytest.raises(DecisionError) as refused:
        room.submit(tokens["usa"], [decision(room.status()["date"])])
    assert refused.value.human.startswith("Decision 1: " + sentence)
    assert "Input should" not in refused.value.human and "price_floor." not in refused.value.human
    assert room.player_view(tokens["usa"])["queued"] == []
    assert room.log_size() == before + 1  # logged as refused, for the debrief, with the human words
    assert room.state.log[-1].payload["message"] == refused.value.human


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_never_reach_the_model(server, value):
    room, _, tokens = open_room(server)
    with pytest.raises(DecisionError):
        room.submit(tokens["usa"], [D.price_floor("usa", room.status()["date"], "ndpr", value)])
    assert room.player_view(tokens["usa"])["queued"] == []


def test_a_plausible_decision_still_goes_through(server):
    room, _, tokens = open_room(server)
    now = room.status()["date"]
    room.submit(tokens["usa"], [D.price_floor("usa", now, "ndpr", 75.0), D.stockpile("usa", now, "ndpr", 500)])
    assert len(room.player_view(tokens["usa"])["queued"]) == 2
