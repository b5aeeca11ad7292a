"""Prices per good and region: they come from clearing, and split into two tiers under export
controls."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import mean, run

from marketsim.market.pricing import PriceBook
from marketsim.policy.events import ExportLicence, ExportQuota
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.loading import apply_overrides
from marketsim.scenario.schema import MarketParams

SECOND_YEAR = range(12, 24)


# ------------------------------------------------------------------ prices from clearing
def test_cutting_mine_supply_raises_oxide_and_concentrate_prices(small_world):
    base = run(small_world, years=2).results()
    cut = run(apply_overrides(small_world, ["mines.0.capacity=70000"], "small"), years=2).results()
    for good in ("concentrate", "ndpr", "magnet"):
        assert mean(cut, "price", good, ticks=SECOND_YEAR) > 1.2 * mean(base, "price", good, ticks=SECOND_YEAR)


def test_cutting_heavy_supply_raises_the_dytb_price(small_world):
    base = run(small_world, years=2).results()
    cut = run(apply_overrides(small_world, ["mines.1.capacity=10000"], "small"), years=2).results()
    assert mean(cut, "price", "dytb", ticks=SECOND_YEAR) > 1.5 * mean(base, "price", "dytb", ticks=SECOND_YEAR)


def test_cutting_demand_lowers_the_price(small_world):
    base = run(small_world, years=2).results()
    less_ev = run(apply_overrides(small_world, ["sectors.ev.demand=60000"], "small"), years=2).results()
    for good in ("ndpr", "magnet"):
        assert mean(less_ev, "price", good, ticks=SECOND_YEAR) < 0.9 * mean(base, "price", good, ticks=SECOND_YEAR)
    less_catalysts = run(apply_overrides(small_world, ["sectors.catalysts.demand=35000"], "small"), years=2).results()
    assert mean(less_catalysts, "price", "lace", ticks=SECOND_YEAR) < 0.9 * mean(
        base, "price", "lace", ticks=SECOND_YEAR
    )


def test_raising_demand_raises_the_price(small_world):
    base = run(small_world, years=2).results()
    more = run(apply_overrides(small_world, ["sectors.ev.demand=120000"], "small"), years=2).results()
    assert mean(more, "price", "ndpr", ticks=SECOND_YEAR) > 1.2 * mean(base, "price", "ndpr", ticks=SECOND_YEAR)


# ------------------------------------------------------------------ two tiers
@pytest.fixture(scope="module")
def baseline_two_years(baseline):
    return run(baseline, years=2).results()


def ratio(table, good: str, importer: str) -> float:
    return mean(table, "price", good, importer, SECOND_YEAR) / mean(table, "price", good, "china", SECOND_YEAR)


@pytest.mark.parametrize("good", ["ndpr", "dytb"])
@pytest.mark.parametrize("importer", ["japan", "usa"])
def test_prices_stay_close_across_regions_without_export_controls(baseline_two_years, good, importer):
    assert 0.9 < ratio(baseline_two_years, good, importer) < 1.1


@pytest.mark.parametrize("good", ["ndpr", "dytb"])
@pytest.mark.parametrize("importer", ["japan", "usa"])
def test_tight_export_quota_splits_prices_into_two_tiers(baseline, good, importer):
    # A quota on the one good, far below what China exports of it (exporters spend a quota that
    # covers several goods is rationed over them in proportion; each good gets its own quota here).
    tight = {"ndpr": 2000.0, "dytb": 100.0}[good]
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=tight, goods=(good,))
    table = run(baseline, [quota], years=2).results()
    assert ratio(table, good, importer) > 1.5


@pytest.mark.parametrize("importer", ["japan", "usa"])
def test_tight_licence_splits_the_dytb_price(baseline, baseline_two_years, importer):
    licence = ExportLicence(start="2024-01", region="china", approval_rate=0.2)
    table = run(baseline, [licence], years=2).results()
    assert ratio(table, "dytb", importer) > 1.5
    # China's own price falls below where it would be without the licence.
    assert mean(table, "price", "dytb", "china", SECOND_YEAR) < mean(
        baseline_two_years, "price", "dytb", "china", SECOND_YEAR
    )


def collapsing_ceiling(fall_per_month: float) -> list[float]:
    """Concentrate markups over a year in which the marginal refiner's break-even drops from 0.8
    to 0.05 of the oxides' value in one month (separation capacity binds)."""
    book = PriceBook(
        markup=np.array([[0.8]]),
        markup_floor=np.array([[0.01]]),
        base=np.array([[10.0]]),
        normal_markup=np.array([np.nan]),
        params=MarketParams(),
        behaviour=BehaviourParams(ceiling_fall_per_month=fall_per_month),
    )
    book.rebase(np.array([[10.0]]), np.array([[0.8]]))
    markups = []
    for _ in range(12):
        book.rebase(np.array([[10.0]]), np.array([[0.05]]))
        markups.append(float(book.markup[0, 0]))
    return markups


def test_the_concentrate_ceiling_falls_gradually_when_separation_binds():
    gradual, sudden = collapsing_ceiling(0.1), collapsing_ceiling(10.0)
    assert sudden[0] == pytest.approx(0.05)
    falls = np.array([0.8, *gradual[:-1]]) / np.array(gradual)
    assert np.all(falls <= np.exp(0.1) + 1e-12)
    assert gradual[0] > 0.7 and gradual[-1] < gradual[0]
    assert min(gradual) >= 0.05 - 1e-12
