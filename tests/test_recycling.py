"""Recycling industry and protected demand: collection schemes build up over years, recycled
supply never exceeds what reaches end of life, defence is served first, and material balance
closes with recycling, stockpiles and projects all in play."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import build, mean, run, series

from marketsim.model import RareEarthModel
from marketsim.policy.events import CollectionScheme, ExportBan, ExportLicence, RecyclingMandate, StockpileOrder


def test_baseline_recycling_stays_below_one_percent(baseline):
    table = run(baseline, years=1).results()
    recycled = mean(table, "recycled")
    assert recycled < 0.01 * mean(table, "end_of_life")
    assert recycled < 0.01 * mean(table, "production", "ndpr")


def test_a_collection_scheme_builds_collection_over_years_and_costs_public_money(small_data):
    small_data["scenario"]["years"] = 4
    scheme = CollectionScheme(start="2024-01", region="japan", collection_rate=0.5, usd_per_kg=5.0)
    model = RareEarthModel(build(small_data), years=4)
    model.submit(scheme)
    row = model.recyclers.index_of("recycling_japan")
    rates = []
    for _ in range(48):
        model.step()
        rates.append(model.recyclers.collection_rate[row])
    assert rates[0] < 0.05, "collection does not jump to the target"
    assert np.all(np.diff(rates) > 0) and rates[11] < rates[35] < 0.5
    assert rates[-1] > 0.3
    table = model.results()
    recycled = series(table, "recycled", region="japan")
    assert recycled[-12:].mean() > 10 * recycled[:3].mean()
    assert series(table, "public_spending", region="japan")[-1] > 0
    assert series(table, "public_spending", region="usa").sum() == 0


@pytest.mark.parametrize("rate", [0.3, 1.0])
def test_recycled_supply_never_exceeds_end_of_life(small_data, rate):
    events = [RecyclingMandate(start="2024-02", region=r, collection_rate=rate) for r in ("china", "usa", "japan")]
    events.append(CollectionScheme(start="2024-01", region="usa", collection_rate=1.0))
    table = run(build(small_data), events, years=3).results()
    for region in ("china", "usa", "japan", "world"):
        assert (series(table, "recycled", region=region) <= series(table, "end_of_life", region=region) + 1e-9).all()


def with_defence(data: dict) -> dict:
    data["sectors"]["defence"] = {
        "good": "magnet",
        "demand": 2000,
        "growth": [{"year": 2024, "rate": 0.0}],
        "split": {"usa": 1.0},
        "elasticity_short": -0.01,
        "elasticity_long": -0.05,
        "protected": True,
    }
    data["sectors"]["ev"]["split"] = {"china": 0.5, "japan": 0.2, "usa": 0.3}
    return data


def test_defence_is_served_first_when_supply_runs_short(small_data):
    scenario = build(with_defence(small_data))
    model = RareEarthModel(scenario, years=1)
    # The USA makes no magnets: with China's closed, only a trickle of licensed Japanese magnets arrives.
    model.submit(ExportBan(start="2024-01", region="china", goods=("magnet",), destinations=("usa",)))
    model.submit(
        ExportLicence(start="2024-01", region="japan", goods=("magnet",), destinations=("usa",), approval_rate=0.1)
    )
    m = model.manufacturers
    defence = m.protected
    ev_usa = (~m.protected) & (m.region == model.region_index["usa"]) & (m.good == 4)
    need, used = np.zeros(2), np.zeros(2)
    for _ in range(12):
        model.step()
        need += [m.need[defence].sum(), m.need[ev_usa].sum()]
        used += [m.consumed[defence].sum(), m.consumed[ev_usa].sum()]
    served = used / need
    assert served[1] < 0.95, "the ban leaves US end users short"
    assert served[0] > 0.99 > served[1]
    assert served[0] - served[1] > 0.05


def test_material_balance_closes_with_recycling_stockpiles_and_projects(small_data):
    data = with_defence(small_data)
    data["pipeline"] = [
        {
            "name": "US plant",
            "region": "usa",
            "stage": "magnets",
            "capacity": 5000,
            "capital_cost": 10.0,
            "unit_cost": 10.0,
            "phase": "construction",
            "phase_years": {"construction": 0.5, "ramp_up": 0.5},
        }
    ]
    events = [
        RecyclingMandate(start="2024-03", region="japan", collection_rate=0.6),
        CollectionScheme(start="2024-01", region="china", collection_rate=0.4),
        StockpileOrder(start="2024-02", region="usa", good="ndpr", tonnes=3000, months=6),
        StockpileOrder(start="2025-01", region="usa", good="ndpr", tonnes=-2000, months=4),
    ]
    model = run(build(data), events, years=3)
    table = model.results()
    assert model.levers.projects.phase[0] == 4
    goods = ("concentrate", "ndpr", "dytb", "lace", "magnet")
    throughput = np.maximum(sum(series(table, "production", g) for g in goods), 1.0)
    for metric in ("material_balance_error", "magnet_balance_error"):
        assert (np.abs(series(table, metric)) <= 1e-6 * throughput).all()
    assert series(table, "recycled")[-1] > 0
