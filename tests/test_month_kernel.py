"""What the month computes once and reuses (issue 18) follows the state it was computed from:
clearing's routes follow the frictions in force, regional prices follow every move of the price
book, the four fleets' regional sums and the month's growth forecasts equal their one-at-a-time
definitions."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.market.clearing import clear, cut_off_by_controls
from marketsim.market.pricing import PriceBook
from marketsim.model import RareEarthModel
from marketsim.policy.book import PolicyBook
from marketsim.policy.events import ExportBan, ExportLicence, ExportQuota
from marketsim.scenario.schema import MarketParams
from marketsim.vocabulary import GOODS
from marketsim.world.capacity import forecast_growth, growth_outlook, need_weights
from marketsim.world.flows import foreign_routes
from marketsim.world.quotas import controls_news, exposed_buyers, quota_covered

REGIONS = ["china", "usa", "japan"]
CHINA, USA, JAPAN = range(3)
G = len(GOODS)


def market():
    """China alone offers every good; the USA and Japan each want 100 t of every good."""
    offer = np.zeros((G, 3))
    offer[:, CHINA] = 1000.0
    demand = np.zeros((G, 3))
    demand[:, USA] = demand[:, JAPAN] = 100.0
    return offer, demand, np.full((G, 3), 10.0), np.ones((G, 3))


def test_clearing_follows_a_change_of_policy_after_clearing_under_the_old_one():
    book = PolicyBook(REGIONS, {})
    offer, demand, price, quality = market()
    params = MarketParams()
    free = book.compile([])
    before = clear(offer, demand, price, quality, free, params)
    assert before.flows[:, CHINA, JAPAN].sum() > 0
    banned = book.compile([ExportBan(start="2024-01", region="china", destinations=("japan",))])
    after = clear(offer, demand, price, quality, banned, params)
    assert after.flows[:, CHINA, JAPAN].sum() == 0.0
    assert cut_off_by_controls(after, demand, banned)[:, JAPAN].all()
    # ... and the old frictions still clear as they did.
    again = clear(offer, demand, price, quality, free, params)
    np.testing.assert_array_equal(again.flows, before.flows)
    assert not cut_off_by_controls(again, demand, free).any()


def test_licences_and_market_parameters_each_clear_with_their_own_routes():
    book = PolicyBook(REGIONS, {})
    offer, demand, price, quality = market()
    licensed = book.compile([ExportLicence(start="2024-01", region="china", approval_rate=0.5)])
    result = clear(offer, demand, price, quality, licensed, MarketParams())
    assert result.refused.sum() > 0
    dear = clear(offer, demand, price, quality, licensed, MarketParams(transport_cost=0.5))
    domestic = result.delivered_cost[:, CHINA, CHINA]
    np.testing.assert_allclose(dear.delivered_cost[:, CHINA, USA], 1.5 * domestic)
    np.testing.assert_allclose(result.delivered_cost[:, CHINA, USA], (1.0 + MarketParams().transport_cost) * domestic)


def test_regional_prices_follow_every_move_of_the_book_and_cannot_be_written():
    prices = PriceBook(np.ones((1, 2)), np.full((1, 2), 0.1), np.ones((1, 2)), np.array([np.nan]), MarketParams())
    prices.choke[:] = 1000.0
    prices.index[:] = 50.0
    first = prices.regional.copy()
    with pytest.raises(ValueError):
        prices.regional[0, 0] = 1.0
    cut = np.array([[True, False]])
    prices.update(
        offered=np.zeros((1, 2)),
        requested=np.full((1, 2), 10.0),
        demand=np.full((1, 2), 10.0),
        cut_off=cut,
        buyer_cover=np.full((1, 2), 0.5),
        price_index=np.full((1, 2), 60.0),
        producers=np.ones((1, 2), dtype=bool),
    )
    moved = prices.regional.copy()
    assert moved[0, 1] == pytest.approx(60.0)  # the new delivered cost, no scarcity
    assert moved[0, 0] > 60.0 > first[0, 0]  # cut-off buyers bid a premium
    prices.requalify(np.full((1, 2), 61.0), cut, 1.0)
    assert prices.regional[0, 0] == pytest.approx(61.0)  # requalified at once (a one-month delay)


def test_regional_sums_of_all_fleets_at_once_equal_each_fleets_own(baseline):
    world = RareEarthModel(baseline, years=1).world
    columns = [fleet.capacity * (1.0 + np.arange(len(fleet))) for fleet in world.facilities]
    together = world.by_region(columns)
    for row, (fleet, values) in zip(together, zip(world.facilities, columns, strict=True), strict=True):
        np.testing.assert_array_equal(row, fleet.by_region(values, world.size))


def test_the_months_growth_forecasts_at_once_equal_each_one_alone(baseline):
    model = RareEarthModel(baseline, years=3)
    for _ in range(14):
        model.step()
    world, horizons = model.world, [1, 6, 18, 30, 400]
    weight = need_weights(world)
    outlook = growth_outlook(world, model.tick, horizons, weight)
    alone = [forecast_growth(world, model.tick, months, weight) for months in horizons]
    np.testing.assert_array_equal(outlook, alone)
    buyers, last = world.manufacturers, len(world.manufacturers.growth_index) - 1
    for months, growth in zip(horizons, outlook, strict=True):  # the definition, end user by end user
        ratio = [
            buyers.growth_index[min(model.tick + months, last), s] / buyers.growth_index[model.tick, s]
            for s in buyers.sector
        ]
        assert growth == pytest.approx(np.average(ratio, weights=weight), rel=1e-12)
    assert outlook[2] > 1.0  # the outlook grows
    assert outlook[-1] == outlook[-2] or outlook[-1] > outlook[-2]  # capped at the outlook's end


def exposure_by_definition(world) -> tuple[np.ndarray, np.ndarray]:
    """(goods, regions) True where another region's export quota covers the good, and True where that
    or a licence or a closed route controls a route into the region (:func:`quota_covered` and
    :func:`exposed_buyers`, which keep theirs per frictions), cell by cell."""
    f, goods = world.frictions, len(world.reference)
    covered = np.zeros((goods, world.size), dtype=bool)
    for covers, origin in zip(f.quota_goods, f.quota_origin, strict=True):
        for good in np.flatnonzero(covers):
            covered[good, np.arange(world.size) != origin] = True
    routes = ((f.approval < 1.0) | (f.open == 0.0)) & foreign_routes(world.size)[None, :, :]
    return covered, covered | routes.any(axis=1)


def test_exposure_and_quota_coverage_follow_each_change_of_policy(baseline):
    model = RareEarthModel(baseline, years=1)
    world, china = model.world, model.world.region_index["china"]
    for policies in (
        [],
        [ExportQuota(start="2024-01", region="china", tonnes_per_year=1000.0, goods=("ndpr",))],
        [ExportLicence(start="2024-01", region="china", approval_rate=0.5)],
        [],
    ):
        world.frictions = model.book.compile(policies)
        covered, exposed = exposure_by_definition(world)
        for _ in range(2):  # computed once, then read again
            np.testing.assert_array_equal(quota_covered(world), covered)
            np.testing.assert_array_equal(exposed_buyers(world), exposed)
        with pytest.raises(ValueError):
            exposed_buyers(world)[0, 0] = True  # shared by the month's readers: read-only
        if policies:
            assert exposed.any() and not exposed[:, china].any()
        else:
            assert not exposed.any()


def test_controls_are_news_when_imposed_and_not_while_they_stay_the_same(baseline):
    model = RareEarthModel(baseline, years=1)
    world = model.world
    quota = [ExportQuota(start="2024-01", region="china", tonnes_per_year=5000.0, goods=("dytb",))]
    world.frictions = model.book.compile(quota)
    news, tightened = controls_news(world)
    assert news.any() and not tightened.any()  # in force when first seen: news, not a tightening
    for _ in range(2):  # the same frictions month after month
        news, tightened = controls_news(world)
        assert not news.any() and not tightened.any()
    quota = [ExportQuota(start="2024-01", region="china", tonnes_per_year=1000.0, goods=("dytb",))]
    world.frictions = model.book.compile(quota)  # a smaller quota: news, and tighter
    news, tightened = controls_news(world)
    assert news.any() and tightened.any()
    news, tightened = controls_news(world)
    assert not news.any() and not tightened.any()


def test_each_end_user_reads_its_own_good_and_region_of_a_grid(baseline):
    buyers = RareEarthModel(baseline, years=1).world.manufacturers
    grid = np.arange(float(buyers.shape[0] * buyers.shape[1])).reshape(buyers.shape)
    np.testing.assert_array_equal(buyers.each(grid), grid[buyers.good, buyers.region])
    np.testing.assert_array_equal(buyers.each(grid.T.copy().T), grid[buyers.good, buyers.region])


def test_requalification_at_rest_stays_exactly_where_the_full_delay_would_leave_it():
    def book() -> PriceBook:
        prices = PriceBook(np.ones((2, 3)), np.full((2, 3), 0.1), np.ones((2, 3)), np.full(2, np.nan), MarketParams())
        prices.choke[0] = 300.0  # an oxide's choke price; no limit on the other good
        return prices

    kept, full = book(), book()
    calm, cut = np.zeros((2, 3), dtype=bool), np.array([[True, False, False], [False, False, False]])
    willing = np.full((2, 3), 120.0)
    months = [calm] * 30 + [cut] * 5 + [calm] * 60
    for month, cut_off in enumerate(months):
        if month == 70:
            kept.choke[0, 2] = full.choke[0, 2] = 250.0  # the choke price moves (in place)
        kept.requalify(willing, cut_off, 4.0)
        full._requalify_rest = None  # the delay worked out in full every month
        full.requalify(willing, cut_off, 4.0)
        for ours, theirs in zip(kept.requalified, full.requalified, strict=True):
            assert ours.tobytes() == theirs.tobytes()
        np.testing.assert_array_equal(kept.regional, full.regional)
    assert kept.requalified[-1][0, 0] < 300.0 and kept.requalified[-1][0, 2] <= 250.0


def test_free_trade_refuses_nothing_and_a_binding_quota_refuses_what_it_cuts():
    book = PolicyBook(REGIONS, {})
    offer, demand, price, quality = market()
    free = clear(offer, demand, price, quality, book.compile([]), MarketParams())
    assert not free.refused.any()
    np.testing.assert_allclose(free.received[:, [USA, JAPAN]], 100.0)
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=12.0 * 50.0, goods=("ndpr",))
    capped = clear(offer, demand, price, quality, book.compile([quota]), MarketParams())
    ndpr = GOODS.index("ndpr")
    assert capped.refused[ndpr].sum() == pytest.approx(150.0)
    assert capped.flows[ndpr, CHINA, [USA, JAPAN]].sum() == pytest.approx(50.0)


def test_recyclers_order_on_their_whole_supply_line(baseline):
    model = RareEarthModel(baseline, years=3)
    for _ in range(14):
        model.step()
    recyclers = model.world.recyclers
    recyclers.decision_month[:] = model.tick % 12  # every recycler reviews this month
    recyclers.margin[:] = 2.0
    recyclers.pipeline[:, 7] += 5.0 + np.arange(len(recyclers))  # capacity already on its way
    before = recyclers.pipeline.copy()
    gap = (recyclers.available + recyclers.scrap_available) * 12.0 * 1.1 - recyclers.capacity - before.sum(axis=1)
    recyclers.expand(model.tick)
    ordered = (recyclers.pipeline - before).sum(axis=1)
    np.testing.assert_allclose(ordered, np.maximum(gap, 0.0), rtol=1e-12, atol=1e-9)


def test_unit_costs_from_the_months_capacity_equal_those_computed_alone(baseline):
    model = RareEarthModel(baseline, years=1)
    for _ in range(3):
        model.step()
    world = model.world
    capacity = world.by_region([fleet.capacity for fleet in world.facilities])
    np.testing.assert_array_equal(model.levers.unit_costs(world, capacity), model.levers.unit_costs(world))
