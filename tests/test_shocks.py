"""Random shocks drawn from the seed, what each kind of shock does while it holds, and the
determinism of a world where every government plays its strategy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import CONFIGS
from simkit import build, run, series

from marketsim.model import RareEarthModel
from marketsim.policy.events import DemandSurge, Dispute, MineDisruption, TechnologyBan
from marketsim.scenario.loading import load_scenario

CHINA, USA, JAPAN = range(3)
SHOCKS = (MineDisruption, Dispute, DemandSurge)
RATES = {
    "mine_disruption_rate": 0.2,
    "dispute_rate": 0.2,
    "demand_surge_rate": 0.2,
    "disruption_share": 0.4,
    "surge_factor": 1.5,
    "duration_months": 4,
}


def shocks(model: RareEarthModel) -> list:
    return [e for e in model.events if isinstance(e, SHOCKS)]


def shaken(small_data, seed: int, **rates) -> RareEarthModel:
    small_data["shocks"] = {**RATES, **rates}
    return run(build(small_data), years=2, seed=seed)


# ------------------------------------------------------------------ drawing shocks
def test_shocks_are_drawn_at_the_configured_rates_and_sizes(small_data):
    model = shaken(small_data, seed=1)
    drawn = shocks(model)
    assert {type(e) for e in drawn} == set(SHOCKS)
    assert 5 <= len(drawn) <= 30  # 24 months x 3 draws at 20 %
    for event in drawn:
        months = (int(event.end[:4]) - int(event.start[:4])) * 12 + int(event.end[5:]) - int(event.start[5:])
        assert months == 4
        if isinstance(event, MineDisruption):
            assert event.share == 0.4 and event.region in ("china", "usa")  # the regions with mines
        elif isinstance(event, DemandSurge):
            assert event.factor == 1.5 and event.sector in ("ev", "catalysts")
        else:
            assert event.region != event.target and {event.region, event.target} <= {"china", "usa", "japan"}


def test_same_seed_gives_the_same_shocks_and_results(small_data):
    first, second = shaken(small_data, seed=3), shaken(small_data, seed=3)
    assert shocks(first) and shocks(first) == shocks(second)
    pd.testing.assert_frame_equal(first.results(), second.results(), check_exact=True)


def test_different_seed_gives_different_shocks(small_data):
    assert shocks(shaken(small_data, seed=3)) != shocks(shaken(small_data, seed=4))


def test_zero_rates_draw_no_shocks_and_leave_the_run_as_it_was(small_data):
    quiet = run(build(small_data), years=2, seed=5)
    zero = shaken(small_data, seed=5, mine_disruption_rate=0.0, dispute_rate=0.0, demand_surge_rate=0.0)
    assert shocks(zero) == []
    pd.testing.assert_frame_equal(zero.results(), quiet.results(), check_exact=True)


def test_one_kind_of_shock_at_a_time(small_data):
    model = shaken(small_data, seed=2, mine_disruption_rate=0.0, dispute_rate=0.0, demand_surge_rate=0.5)
    assert shocks(model) and all(isinstance(e, DemandSurge) for e in shocks(model))


# ------------------------------------------------------------------ what shocks do
def test_mine_disruption_cuts_the_regions_mine_output_by_its_share_while_it_holds(small_data):
    scenario = build(small_data)
    quiet = run(scenario, years=1).results()
    hit = run(scenario, [MineDisruption(start="2024-04", end="2024-10", region="usa", share=0.5)], years=1)
    table = hit.results()
    mined, before = series(table, "production", "concentrate", "usa"), series(quiet, "production", "concentrate", "usa")
    capacity = series(table, "capacity_mining", "all", "usa") / 12.0
    assert np.array_equal(mined[:3], before[:3])
    assert mined[3] == pytest.approx(0.5 * before[3], rel=1e-9)
    assert np.all(mined[3:9] <= 0.5 * capacity[3:9] * (1 + 1e-9))
    assert np.all(mined[9:] > 0.5 * capacity[9:])  # back once it ends
    assert series(table, "production", "concentrate", "china")[3] == pytest.approx(
        series(quiet, "production", "concentrate", "china")[3], rel=1e-9
    )  # others untouched that month


def test_mine_disruption_is_in_the_frictions_only_while_it_holds(small_data):
    model = RareEarthModel(build(small_data), years=1)
    model.submit(MineDisruption(start="2024-02", end="2024-04", region="china", share=0.3))
    available = []
    for _ in range(5):
        model.step()
        available.append(model.frictions.mine_available.copy())
    assert [a[CHINA] for a in available] == pytest.approx([1.0, 0.7, 0.7, 1.0, 1.0])
    assert all(a[USA] == 1.0 and a[JAPAN] == 1.0 for a in available)


def test_demand_surge_raises_the_sectors_consumption(small_data):
    scenario = build(small_data)
    quiet = run(scenario, years=1).results()
    surged = run(scenario, [DemandSurge(start="2024-04", end="2024-07", sector="ev", factor=1.5)], years=1)
    table = surged.results()
    assert surged.frictions.demand_factor.tolist() == [1.0, 1.0]  # over by December
    magnets, before = series(table, "consumption", "magnet", "world"), series(quiet, "consumption", "magnet", "world")
    assert np.array_equal(magnets[:3], before[:3])
    assert np.all(magnets[3:6] > 1.3 * before[3:6])
    assert magnets[3] == pytest.approx(1.5 * before[3], rel=1e-6)
    lace, lace_before = series(table, "consumption", "lace", "world"), series(quiet, "consumption", "lace", "world")
    assert lace[3] == pytest.approx(lace_before[3], rel=1e-9)  # the catalysts sector is not surging


def test_technology_ban_slows_non_allies_only(small_data):
    model = RareEarthModel(build(small_data), years=1)
    model.submit(TechnologyBan(start="2024-02", end="2024-04", region="usa", factor=0.3))
    model.submit(TechnologyBan(start="2024-03", end="2024-04", region="china", factor=0.5))
    factors = []
    for _ in range(4):
        model.step()
        factors.append(model.frictions.tech_factor.tolist())
    assert factors[0] == [1.0, 1.0, 1.0]
    assert factors[1] == [0.3, 1.0, 1.0]  # the USA's ban spares itself and its ally Japan
    assert factors[2] == [0.3, 0.5, 0.5]  # China's hits both
    assert factors[3] == [1.0, 1.0, 1.0]


# ------------------------------------------------------------------ every strategy at once
def test_ai_world_is_deterministic_with_every_strategy_and_shock_active():
    scenario = load_scenario(CONFIGS / "ai_world.toml")
    assert scenario.shocks.dispute_rate > 0
    first = RareEarthModel(scenario, years=3)
    first.run()
    second = RareEarthModel(scenario, years=3)
    second.run()
    assert first.decisions and first.decisions == second.decisions
    assert first.events == second.events
    pd.testing.assert_frame_equal(first.results(), second.results(), check_exact=True)
    other = RareEarthModel(scenario, seed=scenario.scenario.seed + 1, years=3)
    other.run()
    assert shocks(other) != shocks(first)
