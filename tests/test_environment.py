"""Environmental standards and burdens: a stricter standard costs more and burdens less, and
the burden lands where production happens."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import build, mean, run, series

from marketsim.levers.environment import Environment
from marketsim.policy.events import EnvironmentalStandard
from marketsim.scenario.levers import EnvironmentParams


def test_a_stricter_standard_adds_cost_and_cuts_burden_per_tonne():
    env = Environment(EnvironmentParams(), np.full((4, 2), 0.2))
    before = env.burden_per_tonne().copy()
    override = np.full((4, 2), np.nan)
    override[0, 1] = 0.9
    env.set_standards(override)
    assert env.extra_cost[0, 1] == pytest.approx(3.0 * 0.7)
    assert env.extra_cost[0, 0] == 0.0
    assert env.burden_per_tonne()[0, 1] < before[0, 1]
    np.testing.assert_allclose(env.burden_per_tonne()[:, 0], before[:, 0])


def test_a_standard_raises_unit_cost_and_lowers_burden_per_tonne_in_the_model(small_data):
    strict = [EnvironmentalStandard(start="2024-07", region="usa", stage="mining", level=1.0)]
    base = run(build(small_data), years=1).results()
    tight = run(build(small_data), strict, years=1).results()
    cost_before, cost_after = series(tight, "unit_cost_mining", region="usa")[[0, 11]]
    assert cost_after == pytest.approx(cost_before + 3.0 * (1.0 - 0.6))
    assert series(base, "unit_cost_mining", region="usa")[11] == pytest.approx(cost_before)

    def per_tonne(table, ticks):
        burden = mean(table, "environmental_burden", region="usa", ticks=ticks)
        return burden / mean(table, "production", "concentrate", "usa", ticks=ticks)

    late = range(7, 12)
    assert per_tonne(tight, late) < 0.8 * per_tonne(base, late)
    assert per_tonne(tight, range(6)) == pytest.approx(per_tonne(base, range(6)))


def test_burden_lands_where_production_happens(small_data):
    table = run(build(small_data), years=1).results()
    japan = series(table, "environmental_burden", region="japan")
    china = series(table, "environmental_burden", region="china")
    world = series(table, "environmental_burden", region="world")
    regions = sum(series(table, "environmental_burden", region=r) for r in ("china", "usa", "japan"))
    np.testing.assert_allclose(world, regions)
    assert (china > japan).all()  # Japan makes magnets only; China mines and separates
    shares = sum(series(table, "burden_share", region=r) for r in ("china", "usa", "japan"))
    np.testing.assert_allclose(shares, 1.0)


def test_importers_offload_burden_to_china_in_the_baseline(baseline):
    table = run(baseline, years=1).results()
    first = range(12)
    china_burden = mean(table, "burden_share", region="china", ticks=first)
    china_use = mean(table, "reo_consumption_share", region="china", ticks=first)
    assert china_burden > china_use + 0.1
    for importer in ("japan", "eu", "korea"):
        assert mean(table, "burden_share", region=importer, ticks=first) < mean(
            table, "reo_consumption_share", region=importer, ticks=first
        )
