"""The whole chain in the model: co-production by deposit type through to the oxide markets."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from simkit import build, mean, run, series

from marketsim.scenario.loading import apply_overrides

HEAVY_MINE = 1  # "China heavy", the ionic-clay mine, is mines.1 in the small world


def relative_drop(before: float, after: float) -> float:
    return (before - after) / before


def test_heavy_ionic_clay_mine_supplies_most_of_the_dytb(small_data):
    data = copy.deepcopy(small_data)
    data["market"] = {"outage_rate": 0.0}
    model = run(build(data), years=1)
    mines = model.mines
    row = mines.index_of("China heavy")
    mined_dytb = mines.output * mines.composition[:, 2]
    mined_ndpr = mines.output * mines.composition[:, 1]
    assert mined_dytb[row] > 0.8 * mined_dytb.sum()
    assert mined_ndpr[row] < 0.2 * mined_ndpr.sum()
    assert model.tick == 12


def test_closing_the_heavy_mine_cuts_dytb_far_more_than_ndpr(small_world):
    base = run(small_world, years=1).results()
    closed = run(apply_overrides(small_world, [f"mines.{HEAVY_MINE}.capacity=0"], "small"), years=1).results()
    ticks = range(3, 12)  # once the stocks of concentrate already mined are used up
    dytb = relative_drop(mean(base, "production", "dytb", ticks=ticks), mean(closed, "production", "dytb", ticks=ticks))
    ndpr = relative_drop(mean(base, "production", "ndpr", ticks=ticks), mean(closed, "production", "ndpr", ticks=ticks))
    assert dytb > 0.6
    assert ndpr < 0.1
    assert dytb > 5 * abs(ndpr)


def test_closing_a_light_mine_cuts_ndpr_and_lace_more_than_dytb(small_world):
    base = run(small_world, years=1).results()
    closed = run(apply_overrides(small_world, ["mines.0.capacity=30000"], "small"), years=1).results()
    ticks = range(3, 12)
    drops = {
        good: relative_drop(mean(base, "production", good, ticks=ticks), mean(closed, "production", good, ticks=ticks))
        for good in ("ndpr", "lace", "dytb")
    }
    assert drops["ndpr"] > 0.2 and drops["lace"] > 0.2
    assert drops["dytb"] < 0.5 * drops["ndpr"]


def test_world_oxide_output_follows_the_mix_of_the_deposits_mined(small_data):
    """With only one deposit type mined and separated, oxides come out in its proportions."""
    data = copy.deepcopy(small_data)
    data["mines"] = [m for m in data["mines"] if m["deposit"] == "bastnaesite"]
    for plant in data["refiners"]:
        plant["heavy_circuit"] = True
    data["recycling"] = {"collection_rate": 0.0}
    table = run(build(data), years=1).results()
    ticks = range(2, 12)
    ndpr, lace, dytb = (mean(table, "production", g, ticks=ticks) for g in ("ndpr", "lace", "dytb"))
    assert ndpr / lace == pytest.approx(0.247 / 0.73, rel=1e-6)
    assert dytb / ndpr == pytest.approx(0.002 / 0.247, rel=1e-6)


def test_refiners_without_heavy_circuit_make_no_dytb_in_the_model(small_data):
    data = copy.deepcopy(small_data)
    for plant in data["refiners"]:
        plant["heavy_circuit"] = False
    data["recycling"] = {"collection_rate": 0.0}
    table = run(build(data), years=1).results()
    assert mean(table, "production", "ndpr") > 0
    np.testing.assert_allclose(series(table, "production", "dytb"), 0.0)


def test_separated_dytb_comes_only_from_plants_with_a_heavy_circuit(small_world):
    """The US plant has no heavy circuit: US Dy/Tb output is only what US recyclers recover."""
    table = run(small_world, years=1).results()
    recycled = series(table, "recycled", region="usa")
    dytb_share_of_recycled = 0.02 / (0.31 + 0.02)  # default magnet recipe
    np.testing.assert_allclose(
        series(table, "production", "dytb", "usa"), recycled * dytb_share_of_recycled, rtol=1e-9, atol=1e-12
    )
    assert mean(table, "production", "ndpr", "usa") > 10 * mean(table, "recycled", region="usa")


def test_same_seed_same_results_and_interventions_change_them(small_world):
    first = run(small_world, years=1, seed=3).results()
    second = run(small_world, years=1, seed=3).results()
    np.testing.assert_array_equal(first["value"].to_numpy(), second["value"].to_numpy())
    other = run(apply_overrides(small_world, ["mines.2.capacity=40000"], "small"), years=1, seed=3).results()
    assert not np.allclose(series(other, "price", "concentrate"), series(first, "price", "concentrate"))
