"""Stockholders with heterogeneous expectations and competitive storage (docs/model.md 7.27)."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.market.contracts import ContractBook
from marketsim.market.expectations import Expectations
from marketsim.scenario.dynamics import ContractParams, StockholderParams


def run(path: list[float], fundamental: float = 100.0, news: list[bool] | None = None, **params) -> Expectations:
    """Expectations after a price path of one market (Brock & Hommes' rules alone unless
    ``storage_anchor`` is given; ``news``: export controls imposed or changed in each month of the path)."""
    params.setdefault("storage_anchor", 0.0)
    book = Expectations(StockholderParams(**params), np.array([[path[0]]]))
    for month, price in enumerate(path[1:]):
        book.update(np.array([[price]]), np.array([[fundamental]]), bool(news and news[month]))
    return book


def holding(book: Expectations) -> float:
    """Extra months of cover of a holder with 2 months of normal cover and hoarding 0.5."""
    return float(book.speculative_months(np.array([2.0]), np.array([0.5]), book.expected[0])[0])


def test_calm_near_fundamentals_holds_no_speculative_stock():
    book = run([100.0, 101.0, 99.0, 100.5, 100.0] * 6)
    assert holding(book) == 0.0


def test_a_rising_price_turns_holders_to_trend_following_and_they_hoard():
    book = run([100.0 * 1.08**t for t in range(12)])
    assert book.fundamentalists[0, 0] < 0.5  # trend following earned more
    assert book.expected[0, 0] > 0.0
    assert holding(book) > 1.0  # a bubble: months of extra cover


def test_when_the_trend_turns_holders_destock_below_normal_cover():
    book = run([100.0 * 1.08**t for t in range(12)] + [250.0 * 0.93**t for t in range(1, 8)])
    assert book.expected[0, 0] < 0.0
    assert -1.0 <= holding(book) < 0.0  # dump, but never below half of normal cover


def test_without_switching_fundamentalists_expect_reversion():
    book = run([300.0] * 10, intensity_of_choice=0.0, trend_weight=0.0)
    assert book.forecasts[0, 0, 0] < -0.25  # a quarter of the log gap over a 6-month horizon
    assert book.expected[0, 0] < -0.1
    assert holding(book) < 0.0


def test_contract_prices_lag_spot_and_buyers_pay_the_blend():
    book = ContractBook(ContractParams(share=0.75, lag_months=12.0), np.array([[100.0]]))
    for _ in range(3):
        book.update(np.array([[1000.0]]))  # a spot spike
    assert 100.0 < book.price[0, 0] < 350.0  # contracts have barely moved
    paid = book.paid(np.array([[1000.0]]))[0, 0]
    assert paid == pytest.approx(0.75 * book.price[0, 0] + 250.0)
    for _ in range(120):
        book.update(np.array([[1000.0]]))
    assert book.price[0, 0] == pytest.approx(1000.0, rel=1e-3)  # and follow it in the end


def storing(book: Expectations) -> float:
    """Extra months of cover on the storage gain (competitive-storage bound) instead of the expectation."""
    return float(book.speculative_months(np.array([2.0]), np.array([0.5]), book.storage_gain[0])[0])


def test_with_the_storage_anchor_holders_do_not_hoard_on_a_rise_above_the_fundamental():
    rise = [100.0 * 1.08**t for t in range(12)]
    free, anchored = run(rise), run(rise, storage_anchor=1.0)
    assert storing(free) == holding(free) > 1.0
    assert anchored.expected[0, 0] > 0.0  # trend followers still expect a rise
    assert storing(anchored) == 0.0  # but nobody stocks up above the fundamental price


def test_with_the_storage_anchor_holders_stock_up_below_the_fundamental_and_still_dump():
    below = run([40.0 * 1.05**t for t in range(10)], storage_anchor=1.0)
    assert 0.0 < storing(below) <= holding(below)
    falling = run([100.0 * 1.08**t for t in range(12)] + [250.0 * 0.93**t for t in range(1, 8)], storage_anchor=1.0)
    assert storing(falling) == holding(falling) < 0.0


def test_the_storage_bound_is_on_by_default():
    assert StockholderParams().storage_anchor == 1.0


def test_new_export_controls_lift_the_storage_bound_for_a_while():
    rise = [100.0 * 1.08**t for t in range(12)]
    news = run(rise, storage_anchor=1.0, news=[True] + [False] * 10, precaution_months=24.0)
    assert news.supply_risk == 1.0
    assert storing(news) == holding(news) > 1.0  # quota-driven speculation
    old_news = run(rise, storage_anchor=1.0, news=[True] + [False] * 10, precaution_months=6.0)
    assert old_news.supply_risk == 0.0  # controls imposed ten months ago: the risk is known
    assert storing(old_news) == 0.0
