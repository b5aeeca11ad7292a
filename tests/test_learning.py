"""Learning curves: processing costs fall with experience, research and shared know-how, and
more slowly under a technology ban."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import build, run, series

from marketsim.levers.learning import Learning
from marketsim.policy.events import ResearchFunding, TechnologyBan
from marketsim.scenario.levers import LearningParams


def test_each_doubling_of_experience_cuts_cost_by_the_learning_rate():
    params = LearningParams(rates={"separation": 0.2, "magnets": 0.1, "recycling": 0.0}, pilot_tonnes=1.0, floor=0.01)
    learning = Learning(params, np.full((3, 2), 100.0), np.array([1.0, 1.0]))
    none = np.zeros((3, 2))
    multiplier = learning.accumulate(np.full((3, 2), 100.0), none, np.zeros((2, 2)), np.ones(2))
    np.testing.assert_allclose(multiplier[:, 0], [0.8, 0.9, 1.0])
    multiplier = learning.accumulate(np.full((3, 2), 200.0), none, np.zeros((2, 2)), np.ones(2))
    np.testing.assert_allclose(multiplier[:, 0], [0.64, 0.81, 1.0])


def test_costs_never_fall_below_the_floor():
    learning = Learning(LearningParams(floor=0.5, pilot_tonnes=1.0), np.ones((3, 1)), np.ones(1))
    multiplier = learning.accumulate(np.full((3, 1), 1e9), np.zeros((3, 1)), np.zeros((1, 1)), np.ones(1))
    np.testing.assert_allclose(multiplier, 0.5)


def unit_cost(table, stage: str, region: str) -> np.ndarray:
    return series(table, f"unit_cost_{stage}", region=region)


@pytest.mark.parametrize("rate", [0.1, 0.25])
def test_unit_costs_in_the_model_follow_the_learning_curve(small_data, rate):
    small_data["learning"] = {"rates": {"separation": rate, "magnets": rate, "recycling": rate}}
    model = run(build(small_data), years=3)
    table = model.results()
    cost = unit_cost(table, "separation", "usa")
    assert (np.diff(cost) <= 1e-12).all() and cost[-1] < cost[0]
    # The recorded cost is the starting cost times (E / E0) ** -b for the experience built up.
    learning = model.levers.learning
    model.levers.set_costs(model.world)  # costs are set at the start of each month from the experience so far
    expected = 5.0 * (learning.experience[0, 1] / learning.start[0, 1]) ** np.log2(1 - rate)
    assert model.refiners.unit_cost[model.refiners.index_of("US separation")] == pytest.approx(expected)


def test_a_higher_learning_rate_lowers_costs_further(small_data):
    finals = []
    for rate in (0.0, 0.1, 0.25):
        small_data["learning"] = {"rates": {"separation": rate, "magnets": rate, "recycling": rate}}
        finals.append(unit_cost(run(build(small_data), years=3).results(), "magnets", "japan")[-1])
    assert finals[0] == pytest.approx(15.0)
    assert finals[0] > finals[1] > finals[2]


def test_research_spending_lowers_costs(small_data):
    funded = [ResearchFunding(start="2024-01", region="usa", stage="separation", usd_million_per_year=500.0)]
    base = unit_cost(run(build(small_data), years=2).results(), "separation", "usa")[-1]
    table = run(build(small_data), funded, years=2).results()
    assert unit_cost(table, "separation", "usa")[-1] < base
    assert series(table, "public_spending", region="usa")[0] == pytest.approx(500.0 / 12)


def test_a_technology_ban_slows_learning_outside_the_imposers_alliances(small_data):
    ban = [TechnologyBan(start="2024-01", region="china", factor=0.2)]
    free = run(build(small_data), years=2).levers.learning
    banned = run(build(small_data), ban, years=2).levers.learning
    usa, china = 1, 0
    assert banned.experience[0, usa] - banned.start[0, usa] < 0.5 * (free.experience[0, usa] - free.start[0, usa])
    assert banned.multiplier[0, usa] > free.multiplier[0, usa]
    assert banned.multiplier[0, china] == pytest.approx(free.multiplier[0, china], rel=0.05)


def test_alliance_research_sharing_pays_off_for_its_members(small_data):
    small_data["magnet_plants"].append({"name": "US magnets", "region": "usa", "capacity": 2000, "unit_cost": 22.0})
    alone = unit_cost(run(build(small_data), years=2).results(), "magnets", "usa")[-1]
    small_data["alliances"]["quad"]["research_sharing"] = 0.5
    shared = unit_cost(run(build(small_data), years=2).results(), "magnets", "usa")[-1]
    assert shared < alone
