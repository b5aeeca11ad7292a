"""A binding export quota priced once for all buyers abroad (docs/model.md 7.34): one licence price,
whatever each importer's stocks, that falls to zero within months once the quota stops binding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from marketsim.market.leakage import quota_covered, quota_licence_step
from marketsim.market.pricing import PriceBook
from marketsim.model import RareEarthModel
from marketsim.scenario.dynamics import LeakageParams
from marketsim.scenario.loading import load_scenario
from marketsim.scenario.schema import MarketParams

HISTORY = Path(__file__).resolve().parents[1] / "configs" / "history_2009.toml"

# One good, three regions: 0 exports to 1 and 2 under a quota of 100 t a month.
DELIVERED = np.array([[[10.0, 12.0, 12.0], [12.0, 10.0, 12.0], [12.0, 12.0, 10.0]]])
QUOTA, QUOTA_GOODS, QUOTA_ORIGIN = np.array([100.0]), np.array([[True]]), np.array([0])


def month(book: PriceBook, flows: np.ndarray, refused: np.ndarray) -> None:
    """One month of quota pricing after a clearing with these flows and refusals."""
    step, slack = quota_licence_step(flows, refused, DELIVERED, QUOTA, QUOTA_GOODS, QUOTA_ORIGIN, LeakageParams())
    covered = quota_covered(QUOTA_GOODS, QUOTA_ORIGIN, 1, 3)
    book.charge_licence(step, slack, DELIVERED, covered, 0.5, 0.5)


def fresh_book() -> PriceBook:
    ones = np.ones((1, 3))
    book = PriceBook(10.0 * ones, 0.1 * ones, ones, np.array([np.nan]), MarketParams())
    book.index = np.array([[10.0, 12.0, 12.0]])
    return book


def test_all_buyers_abroad_pay_one_licence_price_and_it_falls_once_the_quota_is_slack():
    book = fresh_book()
    binding = np.array([[[0.0, 50.0, 50.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
    refused = 4.0 * binding  # 80 % of the requests refused
    for _ in range(3):
        month(book, binding, refused)
    regional = book.regional[0]
    assert book.licence[0, 0] > 10.0  # the quota is priced
    assert regional[1] == pytest.approx(regional[2])  # one price for both importers
    assert regional[0] == pytest.approx(10.0)  # not in the exporter's own market
    peak, premium = book.licence[0, 0], regional[1] - book.index[0, 1]
    slack = 0.5 * binding  # half the quota used, nothing refused
    for _ in range(6):
        month(book, slack, np.zeros_like(slack))
    assert book.licence[0, 0] < 0.05 * peak
    assert book.regional[0, 1] - book.index[0, 1] < 0.05 * premium


def test_a_just_filled_quota_keeps_its_licence_price():
    book = fresh_book()
    binding = np.array([[[0.0, 50.0, 50.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
    month(book, binding, binding)
    price = book.licence[0, 0]
    month(book, binding, np.zeros_like(binding))  # exactly filled, nothing refused
    assert price > 0.0
    assert book.licence[0, 0] == pytest.approx(price)


STOCKHOLDERS_7_27 = [
    "dynamics.stockholders.precaution_scope=all",
    "dynamics.stockholders.speculation_news=change",
    "dynamics.stockholders.feed_hoarding=0",
    "dynamics.stockholders.min_cover_share=0.5",
    "dynamics.stockholders.precaution_cover=0",
]
"""The stockholders of 7.27 and 7.33, without 7.36's settings that history_2009 now uses: the per-region premium
of 7.30 as 7.34 compared it."""


def ndpr_japan_over_usa(quota_price: bool) -> np.ndarray:
    """Japan's NdPr price over the USA's in history_2009, July-August 2010 (the quota cut binds,
    before the halt to Japan), seed 1."""
    sets = [f"dynamics.leakage.quota_price={'true' if quota_price else 'false'}", *STOCKHOLDERS_7_27]
    sets.append("dynamics.arbitrage.enabled=false")  # 7.30's own-cover premium, without traders' arbitrage (7.39)
    model = RareEarthModel(load_scenario(HISTORY, sets), seed=1, years=2)
    model.run()
    table = model.results()
    rows = table[(table.metric == "price") & (table.good == "ndpr") & table.date.isin(["2010-07", "2010-08"])]
    prices = rows.pivot(index="date", columns="region", values="value")
    return (prices["japan"] / prices["usa"]).to_numpy()


def test_importers_without_a_ban_pay_the_same_under_the_2010_quota_cut():
    assert np.all(np.abs(ndpr_japan_over_usa(quota_price=True) - 1.0) < 0.05)
    assert np.max(ndpr_japan_over_usa(quota_price=False)) > 1.5  # each region's own cover: a gap
