"""China's separate ionic-clay (medium-heavy) quota, set on Dy/Tb need and stocks (docs/model.md 7.35)."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.governance.heavy_quota import HeavyQuota
from marketsim.model import RareEarthModel
from marketsim.scenario.dynamics import HeavyQuotaParams
from marketsim.scenario.loading import ScenarioError, load_scenario
from tests.conftest import CONFIGS

HEAVY = "dynamics.managed_supply.heavy_quota"


def rule(**params) -> HeavyQuota:
    """A quota over two mines, the second one ionic, at a Dy/Tb reference of 100 US$/kg."""
    home, ionic = np.array([True, True]), np.array([False, True])
    return HeavyQuota(HeavyQuotaParams(start_quota=100.0, **params), home, ionic, since=0, reference_dytb=100.0)


def test_the_quota_fills_dytb_need_others_leave_and_keeps_its_share():
    quota = rule()
    quota.review(need=10.0, others=4.0, stock_gap=0.0, content=0.05, response=0.0)
    assert quota.share == pytest.approx(0.5)  # 100 t of ore x 5 % = 5 t of 10 t needed
    assert quota.quota == pytest.approx(6.0 / 0.05)  # the swing supplier covers the others' shortfall
    quota.review(need=10.0, others=9.0, stock_gap=0.0, content=0.05, response=0.0)
    assert quota.quota == pytest.approx(100.0)  # never below its starting share
    quota.review(need=10.0, others=4.0, stock_gap=0.0, content=0.05, response=0.0, fill_gap=False)
    assert quota.quota == pytest.approx(100.0)  # a restrictive quota keeps its share only


def test_the_quota_closes_the_dytb_stock_gap_and_defends_its_band():
    short, glut = rule(stock_months=12.0), rule(stock_months=12.0)
    short.review(need=10.0, others=5.0, stock_gap=1.0, content=0.05, response=0.0)
    glut.review(need=10.0, others=5.0, stock_gap=-1.0, content=0.05, response=0.0)
    assert short.quota == pytest.approx(6.0 / 0.05) and glut.quota == pytest.approx(4.0 / 0.05)
    dear = rule()
    dear.prices = [400.0] * 12  # 4x the reference, above the band's high end (2x)
    dear.review(need=10.0, others=5.0, stock_gap=0.0, content=0.05, response=0.2)
    assert dear.quota > 100.0 * 1.1  # raised against the dear price


def test_the_ionic_mines_keep_to_their_own_quota_and_the_light_mines_to_theirs(baseline):
    model = RareEarthModel(baseline, years=3, seed=3)
    managed, mines = model.world.managed, model.mines
    assert managed.split and managed.quota + managed.heavy.quota == pytest.approx(270000.0)
    ionic, light = managed.heavy.ionic, managed.heavy.home & ~managed.heavy.ionic
    for _ in range(36):
        caps = np.array([managed.quota, managed.heavy.quota]) / 12.0  # as set before the month runs
        model.step()
        assert mines.output[ionic].sum() <= caps[1] * (1 + 1e-9)
        assert mines.output[light].sum() <= caps[0] * (1 + 1e-9)
    assert managed.heavy.quota != pytest.approx(38600.0), "the quota is reviewed"


def annual_dytb_log_sd(scenario, seed: int) -> float:
    """Log standard deviation of the annual world Dy/Tb price over a 30-year run."""
    model = RareEarthModel(scenario, seed=seed)
    model.run()
    table = model.results()
    rows = table[(table.metric == "price") & (table.good == "dytb") & (table.region == "world")]
    return float(np.log(rows.groupby(rows.date.str[:4]).value.mean()).std())


def test_the_ionic_quota_calms_the_baselines_dytb_price(baseline):
    calm = annual_dytb_log_sd(baseline, seed=2)
    off = annual_dytb_log_sd(load_scenario(CONFIGS / "baseline_2024.toml", [f"{HEAVY}.start_quota=0"]), seed=2)
    assert calm <= 0.5, "issue 13's target: log sd of annual Dy/Tb at most 0.5"
    assert off > calm + 0.1, "the quota is what calms it"


def test_the_history_splits_its_quota_when_the_medium_heavy_category_appears():
    history = load_scenario(CONFIGS / "history_2009.toml")
    model = RareEarthModel(history, years=3)
    managed = model.world.managed
    for _ in range(24):
        assert not managed.split, "one quota until 2011 (REF §7: the split is first recorded for 2011)"
        model.step()
    model.step()
    assert managed.split and managed.heavy.quota == pytest.approx(13400.0)  # REF §7: 13.4 kt medium/heavy


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        (f"{HEAVY}.start_quota=300000", "less than the whole quota"),
        (f'{HEAVY}.deposits=["bayan_obo_x"]', "none of"),
        (f"{HEAVY}.price_band=[3, 1]", "low end .* must be below its high end"),
        ("dynamics.managed_supply.price_band=[2, 2]", "low end .* must be below its high end"),
    ],
)
def test_an_impossible_ionic_quota_is_refused_with_a_reason(setting, words):
    with pytest.raises(ScenarioError, match=words):
        load_scenario(CONFIGS / "baseline_2024.toml", [setting])
