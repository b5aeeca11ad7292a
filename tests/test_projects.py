"""Supply projects: they advance when their economics clear, stall when they stop, and public
de-risking (loans, equity, offtakes, floors) changes which clear."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import build, run, series

from marketsim.governance.rounds import actor, decide
from marketsim.levers.projects import ABANDONED, OPERATING, RAMP_UP, annuity_factor
from marketsim.model import RareEarthModel
from marketsim.policy.events import Offtake, PriceFloor, ProjectEquity, ProjectLoan

CONSTRUCTION = 2


def with_project(data: dict, capital: float = 400.0, phase: str = "construction", **params) -> dict:
    data["pipeline"] = [
        {
            "name": "US new mine",
            "region": "usa",
            "stage": "mining",
            "deposit": "bastnaesite",
            "capacity": 10000,
            "capital_cost": capital,
            "unit_cost": 4.0,
            "phase": phase,
            "phase_years": {"exploration": 1, "permitting": 1, "construction": 1, "ramp_up": 0.5},
        }
    ]
    data["projects"] = {"expectation_months": 2, "stall_years": 1, **params}
    return data


def test_annuity_factor_recovers_the_capital():
    factor = annuity_factor(np.array([0.0, 0.1]), 10)
    assert factor[0] == pytest.approx(0.1)
    # Paying the factor for 10 years at 10 % repays 1 in present value.
    assert sum(factor[1] / 1.1**t for t in range(1, 11)) == pytest.approx(1.0)


def test_a_project_that_clears_is_built_and_its_capacity_arrives(small_data):
    data = with_project(small_data, capital=50.0)
    data["dynamics"] = {"capacity": {"acquire": False}}  # the project's capacity alone (no orders, no wear)
    model = run(build(data), years=2)
    p = model.levers.projects
    assert p.phase[0] == OPERATING
    row = model.mines.index_of("US new mine")
    assert model.mines.capacity[row] == pytest.approx(10000.0)
    table = model.results()
    built = series(table, "capacity_mining", region="usa")
    assert built[0] == pytest.approx(20000.0) and built[-1] == pytest.approx(30000.0)
    assert series(table, "projects_operating", region="usa")[-1] == 1


def test_a_project_that_does_not_clear_stalls_and_is_abandoned(small_data):
    scenario = build(with_project(small_data, capital=5000.0))
    model = RareEarthModel(scenario, years=2)
    for _ in range(6):
        model.step()
    p = model.levers.projects
    assert p.phase[0] == CONSTRUCTION and p.done[0] == 0 and p.stalled[0] == 6
    model.run()
    assert p.phase[0] == ABANDONED
    assert model.mines.capacity[model.mines.index_of("US new mine")] == 0.0
    assert series(model.results(), "projects_abandoned", region="world")[-1] == 1


def test_a_price_floor_starts_a_project_and_it_stalls_when_the_floor_ends(small_data):
    scenario = build(with_project(small_data, capital=1200.0))
    floor = PriceFloor(start="2024-01", end="2024-05", region="usa", good="concentrate", price=60.0)
    model = RareEarthModel(scenario, years=1)
    model.submit(floor)
    done = []
    for _ in range(12):
        model.step()
        done.append(model.levers.projects.done[0])
    assert done[3] == 4, "the project advances while the floor covers its costs"
    assert done[-1] < 12 and model.levers.projects.stalled[0] > 0, "and stalls once the floor is gone"
    assert model.levers.projects.phase[0] == CONSTRUCTION


@pytest.mark.parametrize(
    "support",
    [
        ProjectLoan(start="2024-01", region="japan", project="US new mine", share=0.8, rate=0.0),
        ProjectEquity(start="2024-01", region="japan", project="US new mine", share=0.9),
    ],
    ids=["loan", "equity"],
)
def test_public_capital_lowers_the_hurdle_and_is_counted_as_spending(small_data, support):
    data = with_project(small_data, capital=250.0, risk_premium=0.3)
    without = run(build(data), years=1)
    assert without.levers.projects.done[0] == 0, "at a 30 % risk premium the project does not clear"
    helped = run(build(data), [support], years=1)
    assert helped.levers.projects.phase[0] in (RAMP_UP, OPERATING)
    table = helped.results()
    paid = series(table, "public_spending", region="japan").sum()
    assert paid == pytest.approx(support.share * 250.0 * 0.9, rel=1e-6)  # construction's 90 % of capital
    assert series(table, "public_spending", region="usa").sum() == 0.0


def test_an_offtake_guarantee_starts_a_project_and_tops_up_its_revenue(small_data):
    data = with_project(small_data, capital=1500.0)
    assert run(build(data), years=1).levers.projects.done[0] == 0
    offtake = Offtake(start="2024-01", region="usa", project="US new mine", good="ndpr", price=400.0)
    model = run(build(data), [offtake], years=2)
    assert model.levers.projects.phase[0] == OPERATING
    spent = series(model.results(), "public_spending", region="usa")
    assert spent[-6:].min() > 0, "the state pays the gap to the guaranteed price once it produces"


def test_governments_decide_project_support_through_the_seam(small_data):
    model = RareEarthModel(build(with_project(small_data)), years=1)
    loan = {"type": "project_loan", "region": "japan", "project": "US new mine", "share": 0.5}
    assert actor(model, ProjectLoan(start="2024-01", region="japan", project="US new mine", share=0.5)) == "japan"
    good, wrong_actor, unknown = decide(
        model, "japan", [loan, {**loan, "region": "usa"}, {**loan, "project": "Nowhere"}]
    )
    assert good.accepted
    assert not wrong_actor.accepted and "japan cannot decide" in wrong_actor.message
    assert not unknown.accepted and "unknown project" in unknown.message


def test_scenario_rejects_support_for_an_unknown_project(small_data):
    data = with_project(small_data)
    data["events"] = [{"type": "offtake", "region": "usa", "project": "Atlantis", "price": 100.0, "start": "2024-01"}]
    with pytest.raises(Exception, match="unknown project 'Atlantis'"):
        build(data)


def with_refinery(data: dict, feed_cost: float | None) -> dict:
    project = {
        "name": "US refinery",
        "region": "usa",
        "stage": "separation",
        "capacity": 5000,
        "capital_cost": 20.0,
        "unit_cost": 6.0,
        "heavy_circuit": True,
        "phase": "construction",
        "phase_years": {"construction": 1, "ramp_up": 0.5},
    }
    if feed_cost is not None:
        project["feed_cost"] = feed_cost
    data["pipeline"] = [project]
    data["projects"] = {"expectation_months": 2, "stall_years": 1}
    return data


def test_an_integrated_refinery_values_its_own_feed_at_its_cost(small_data):
    # Buying concentrate at the market price the refinery does not clear; fed from its own mine or
    # stockpile at a low cost it does (docs/model.md 7.16, 7.31).
    outcomes = {}
    for feed_cost in (None, 0.5):
        model = RareEarthModel(build(with_refinery(small_data, feed_cost)), years=1)
        for _ in range(6):
            model.step()
        p = model.levers.projects
        outcomes[feed_cost] = (p.done[0], p.stalled[0])
    assert outcomes[None][1] >= 5.0  # stalls from its first month of expectations on
    assert outcomes[0.5] == (6.0, 0.0)
