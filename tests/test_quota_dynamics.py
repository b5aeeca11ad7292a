"""A lasting export quota: one spike outside China, then a calm two-tier plateau, no sawtooth
(docs/model.md 7.31)."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.market.pricing import PriceBook
from marketsim.model import RareEarthModel
from marketsim.policy.events import ExportQuota
from marketsim.scenario.schema import MarketParams

QUOTA_START = "2026-01"
SHOCK_MONTH = 24  # 2026-01 in baseline_2024
SETTLED = SHOCK_MONTH + 12  # the plateau is judged from a year after the quota


def japan_ndpr(scenario, seed: int, quota_tonnes: float | None) -> np.ndarray:
    """Japan's monthly NdPr price over 30 years, with or without a lasting quota on China."""
    if quota_tonnes is not None:
        quota = ExportQuota(region="china", tonnes_per_year=quota_tonnes, start=QUOTA_START)
        scenario = scenario.model_copy(update={"events": [*scenario.events, quota]})
    model = RareEarthModel(scenario, seed=seed)
    model.run()
    table = model.results()
    rows = table[(table.metric == "price") & (table.good == "ndpr") & (table.region == "japan")]
    return rows.sort_values("date").value.to_numpy()


def spikes(prices: np.ndarray) -> int:
    """Episodes, after the plateau should have settled, in which the price climbs above three
    times its median over the same months."""
    settled = prices[SETTLED:]
    above = (settled > 3.0 * np.median(settled)).astype(int)
    return int((np.diff(above) == 1).sum() + above[0])


@pytest.mark.parametrize("seed", [2024, 7])
def test_a_lasting_quota_spikes_once_and_does_not_saw_tooth(baseline, seed):
    twin = japan_ndpr(baseline, seed, None)
    for tonnes in (5000.0, 30000.0):
        prices = japan_ndpr(baseline, seed, tonnes)
        before = prices[SHOCK_MONTH - 12 : SHOCK_MONTH].mean()
        # No repeated runs to the choke price: at most one spike's worth of months far above 2025.
        assert (prices[SHOCK_MONTH:] > 8.0 * before).sum() <= 12, tonnes
        assert (prices > 1000.0).sum() == 0, tonnes
        # The quota adds no cycle of its own to the baseline's.
        assert spikes(prices) <= spikes(twin) + 1, tonnes


def book() -> PriceBook:
    """One good, two regions, oxide-like: choke 1,000, delivered cost 50."""
    params = MarketParams()
    prices = PriceBook(np.ones((1, 2)), np.full((1, 2), 0.1), np.ones((1, 2)), np.array([np.nan]), params)
    prices.choke[:] = 1000.0
    prices.requalified = [np.full((1, 2), np.inf) for _ in prices.requalified]
    prices.index[:] = 50.0
    prices.scarcity[:] = 19.0  # bids at the choke
    return prices


def test_cut_off_buyers_fall_to_import_parity_after_a_delay_and_back_when_free():
    prices = book()
    willing = np.full((1, 2), 100.0)
    cut = np.array([[True, False]])
    prices.requalify(willing, cut, 48.0)
    assert prices.regional[0, 0] > 900.0  # a pipeline delay: almost nothing in the first month
    for _ in range(240):
        prices.requalify(willing, cut, 48.0)
    assert prices.regional[0, 0] == pytest.approx(100.0, rel=0.05)  # settled at import parity
    assert prices.regional[0, 1] == pytest.approx(1000.0)  # buyers not cut off keep bidding to the choke
    for _ in range(240):
        prices.requalify(willing, np.array([[False, False]]), 48.0)
    assert prices.regional[0, 0] == pytest.approx(1000.0, rel=0.05)


def test_the_ceiling_never_falls_below_the_legal_delivered_cost():
    prices = book()
    for _ in range(240):
        prices.requalify(np.zeros((1, 2)), np.array([[True, True]]), 12.0)
    assert np.allclose(prices.regional, 50.0)
