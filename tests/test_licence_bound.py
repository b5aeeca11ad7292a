"""A quota's licence is worth no more than the rent of its marginal tonne (docs/model.md 7.38, Falvey
1979): buyers priced out of a good stop raising the one licence price, so a lasting quota on the 2024
world does not send importers' NdPr to the choke price."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.market.leakage import licence_bound, quota_covered, quota_licence_step
from marketsim.market.pricing import PriceBook
from marketsim.model import RareEarthModel
from marketsim.policy.events import ExportQuota
from marketsim.scenario.dynamics import LeakageParams
from marketsim.scenario.schema import MarketParams

# Two goods, two regions: region 0 exports both to region 1 under one quota.
QUOTA_GOODS, QUOTA_ORIGIN = np.array([[True, True]]), np.array([0])


def asked(dear: float, cheap: float) -> np.ndarray:
    """(goods, origins, destinations) requests abroad: ``dear`` t of a good worth a lot to its buyers,
    ``cheap`` t of one worth little."""
    tonnes = np.zeros((2, 2, 2))
    tonnes[0, 0, 1], tonnes[1, 0, 1] = dear, cheap
    return tonnes


RENT = np.zeros((2, 2, 2))
RENT[0, 0, 1], RENT[1, 0, 1] = 100.0, 5.0  # demand price less delivered cost, US$/kg


def test_the_licence_is_worth_the_rent_of_the_tonne_that_fills_the_quota():
    assert licence_bound(asked(50.0, 500.0), RENT, np.array([100.0]), QUOTA_GOODS, QUOTA_ORIGIN)[0, 0] == 5.0
    assert licence_bound(asked(50.0, 500.0), RENT, np.array([40.0]), QUOTA_GOODS, QUOTA_ORIGIN)[0, 0] == 100.0
    assert np.isinf(licence_bound(asked(50.0, 40.0), RENT, np.array([100.0]), QUOTA_GOODS, QUOTA_ORIGIN)).all()


def test_refusals_of_buyers_priced_out_do_not_raise_the_licence_above_the_bound():
    delivered = np.array([[[50.0, 55.0], [55.0, 50.0]], [[2.0, 2.2], [2.2, 2.0]]])
    flows, refused = asked(5.0, 5.0), asked(45.0, 495.0)  # 95 % of every request refused, pro rata
    quota = np.array([10.0])
    bound = licence_bound(flows + refused, RENT, quota, QUOTA_GOODS, QUOTA_ORIGIN)
    prices = {}
    for label, limit in (("bounded", bound), ("unbounded", None)):
        ones = np.ones((2, 2))
        book = PriceBook(ones, 0.1 * ones, ones, np.array([np.nan, np.nan]), MarketParams())
        book.index = np.array([[50.0, 55.0], [2.0, 2.2]])
        for _ in range(24):
            step, slack = quota_licence_step(
                flows, refused, delivered, quota, QUOTA_GOODS, QUOTA_ORIGIN, LeakageParams()
            )
            covered = quota_covered(QUOTA_GOODS, QUOTA_ORIGIN, 2, 2)
            book.charge_licence(step, slack, delivered, covered, 0.5, 0.5, limit)
        prices[label] = book.licence[0, 0]
    assert prices["bounded"] == pytest.approx(100.0)  # the dear good's buyers pay their rent, no more
    assert prices["unbounded"] > 10.0 * prices["bounded"]  # without the bound it climbs to the ceiling


def test_requests_are_remembered_over_a_few_months():
    book = PriceBook(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), np.array([np.nan, np.nan]), MarketParams())
    book.remember_requests(asked(60.0, 0.0), 3.0)
    remembered = book.remember_requests(asked(0.0, 0.0), 3.0)  # a month in which buyers live off stock
    assert remembered[0, 0, 1] == pytest.approx(40.0)


def japan_ndpr(scenario, bound: bool) -> np.ndarray:
    """Japan's monthly NdPr price, 2024-2029, with a 5 kt/yr quota on China from 2026 priced once."""
    quota = ExportQuota(region="china", tonnes_per_year=5000.0, start="2026-01")
    leakage = scenario.dynamics.leakage.model_copy(update={"quota_price": True, "licence_bound": bound})
    dynamics = scenario.dynamics.model_copy(update={"leakage": leakage})
    scenario = scenario.model_copy(update={"events": [*scenario.events, quota], "dynamics": dynamics})
    model = RareEarthModel(scenario, seed=2024, years=6)
    model.run()
    table = model.results()
    rows = table[(table.metric == "price") & (table.good == "ndpr") & (table.region == "japan")]
    return rows.sort_values("date").value.to_numpy()


def test_a_lasting_quota_priced_once_stays_below_the_choke_only_with_the_bound(baseline):
    bounded, unbounded = japan_ndpr(baseline, True), japan_ndpr(baseline, False)
    before = bounded[12:24].mean()
    assert (bounded > 1000.0).sum() == 0
    assert (bounded[24:] > 8.0 * before).sum() <= 12
    assert (unbounded > 1000.0).sum() > 0  # priced-out buyers' refusals drive the licence to the choke
