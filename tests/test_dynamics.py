"""Market dynamics (issue 13): capacity acquisition, the rent to the binding stage, the cost pull
and China's managed supply."""

from __future__ import annotations

import numpy as np
import pytest

from marketsim.agents.acquisition import industry_order, spread
from marketsim.governance.managed_supply import ManagedSupply
from marketsim.market.fundamentals import break_even_share, marginal_cost
from marketsim.market.valuation import unsold_brake
from marketsim.model import RareEarthModel
from marketsim.scenario.dynamics import CapacityParams, ManagedSupplyParams
from marketsim.vocabulary import CONCENTRATE
from marketsim.world.capacity import others_feed_supply
from marketsim.world.heavy_outlook import ionic_ndpr_feed


def simulate(params: CapacityParams, demand: float, start: float, lead: int = 36, months: int = 600) -> np.ndarray:
    """Capacity path of one industry ordering on a constant demand with a fixed lead time."""
    capacity, pipeline, path = start, [0.0] * lead, []
    for _ in range(months):
        capacity = capacity * (1 - 1 / (12 * params.life_years)) + pipeline.pop(0)
        pipeline.append(industry_order(capacity, sum(pipeline), demand, 1.0, params, lead_months=lead))
        path.append(capacity)
    return np.array(path)


def test_orders_net_of_the_supply_line_do_not_overshoot_a_constant_demand():
    params = CapacityParams()
    desired = 100.0 / params.normal_utilisation
    path = simulate(params, 100.0, 0.5 * desired)
    assert path.max() <= desired * 1.02
    assert path[-1] == pytest.approx(desired, rel=0.02)


def test_ignoring_the_supply_line_overshoots():
    params = CapacityParams(supply_line_weight=0.0)
    desired = 100.0 / params.normal_utilisation
    assert simulate(params, 100.0, 0.5 * desired).max() > desired * 1.2


def test_orders_are_spread_over_profitable_facilities_by_capacity():
    share = spread(30.0, np.array([100.0, 200.0, 50.0]), np.array([1.3, 1.3, 0.7]), np.ones(3))
    np.testing.assert_allclose(share, [10.0, 20.0, 0.0])
    assert spread(30.0, np.array([100.0]), np.array([0.5]), np.ones(1)).sum() == 0.0


def test_concentrate_ceiling_is_the_marginal_refiners_break_even():
    payable, capacity = np.array([0.8, 0.3]), np.array([100.0, 50.0])
    assert break_even_share(payable, capacity, needed=90.0) == 0.8  # cheap refiners take all the ore
    assert break_even_share(payable, capacity, needed=120.0) == 0.3  # separation binds: rent to refiners


def test_marginal_cost_climbs_the_supply_curve():
    cost, capacity = np.array([5.0, 2.0, 9.0]), np.array([10.0, 10.0, 10.0])
    assert marginal_cost(cost, capacity, 5.0) == 2.0
    assert marginal_cost(cost, capacity, 15.0) == 5.0
    assert marginal_cost(cost, capacity, 50.0) == 9.0


def test_managed_quota_follows_demand_and_defends_its_band():
    rule = ManagedSupply(ManagedSupplyParams(start_quota=100.0, band_response=0.2), region=0, reference_ndpr=50.0)
    for tick in range(12):
        rule.review(tick, expected_demand=200.0 * (1 + tick / 100), home_ndpr=50.0)
    assert rule.quota == pytest.approx(100.0 * 222.0 / 200.0)  # keeps its share of growing demand
    for tick in range(12, 24):
        rule.review(tick, expected_demand=200.0, home_ndpr=10.0)
    assert rule.quota == pytest.approx(80.0)  # price below the band: the quota is cut
    orders = rule.reserve_orders(np.array([0.5, 3.0]), np.array([100.0, 10.0]), np.array([0.0, 5.0]))
    assert orders[0] > 0 and orders[1] < 0  # buys low, sells high


def test_capacity_under_construction_arrives_in_the_baseline(baseline):
    model = RareEarthModel(baseline, years=5)
    row = model.magnet_plants.index_of("MP Materials magnets")
    model.run()
    assert model.magnet_plants.capacity[row] > 8000.0  # REF §2: about 10 kt by 2028


def test_baseline_mining_capacity_grows_with_demand_and_china_keeps_to_its_quota(baseline):
    model = RareEarthModel(baseline, years=6)
    model.run()
    table = model.results()
    capacity = table[(table.metric == "capacity_mining") & (table.region == "world")].value.to_numpy()
    mined = table[(table.metric == "production") & (table.good == "concentrate") & (table.region == "china")]
    assert capacity[-1] > 1.3 * capacity[0], "mine capacity follows demand growing 8.7 %/yr"
    first_batch = baseline.dynamics.managed_supply.review_months  # the quota is revised after each batch
    assert mined.value.to_numpy()[:first_batch].max() * 12 <= 270000.0 * 1.001, "China's first batch keeps to its quota"


def test_managed_quota_fills_what_the_rest_of_the_world_does_not_supply():
    rule = ManagedSupply(ManagedSupplyParams(start_quota=100.0), region=0, reference_ndpr=50.0)
    for tick in range(12):
        rule.review(tick, expected_demand=200.0, home_ndpr=50.0, others_supply=60.0)
    assert rule.quota == pytest.approx(140.0)  # the swing supplier covers the rest's shortfall
    for tick in range(12, 24):
        rule.review(tick, expected_demand=200.0, home_ndpr=50.0, others_supply=150.0)
    assert rule.quota == pytest.approx(100.0)  # never below its starting share


def test_band_defence_is_graded_not_bang_bang():
    rule = ManagedSupply(ManagedSupplyParams(start_quota=100.0, band_response=0.2), region=0, reference_ndpr=50.0)
    high = rule.band[1]
    assert rule.defence(high * 0.99) == 1.0
    assert 1.0 < rule.defence(high * 1.1) < rule.defence(high * 1.5) < 1.2
    assert rule.defence(high * 4.0) == pytest.approx(1.2)
    assert rule.defence(rule.band[0] / 1.5) < 1.0


def test_unsold_brake_judges_stock_against_the_sales_trend(baseline):
    model = RareEarthModel(baseline, years=1)
    world, china = model.world, model.china
    world.sales_trend[CONCENTRATE, china] = 1000.0
    world.ledger.seller.amount[CONCENTRATE, china] = 1500.0 * model.config.market.seller_cover_months
    world.orders[CONCENTRATE, china] = 1.0  # buyers pause for a month
    assert unsold_brake(world, CONCENTRATE)[china] > 0.7  # the mines keep working
    world.sales_trend[CONCENTRATE, china] = 1.0  # a lasting stop
    assert unsold_brake(world, CONCENTRATE)[china] == 0.0


def test_a_restrictive_quota_does_not_fill_the_gap():
    params = ManagedSupplyParams(start_quota=100.0, fill_gap=False)
    rule = ManagedSupply(params, region=0, reference_ndpr=50.0)
    for tick in range(12):
        rule.review(tick, expected_demand=200.0, home_ndpr=50.0, others_supply=10.0)
    assert rule.quota == pytest.approx(100.0)


def test_the_quota_closes_the_markets_stock_gap():
    params = ManagedSupplyParams(start_quota=100.0, stock_months=12.0)
    short, glut = (
        ManagedSupply(params, region=0, reference_ndpr=50.0),
        ManagedSupply(params, region=0, reference_ndpr=50.0),
    )
    for tick in range(12):
        short.review(tick, expected_demand=200.0, home_ndpr=50.0, stock_gap=30.0)
        glut.review(tick, expected_demand=200.0, home_ndpr=50.0, stock_gap=-30.0)
    assert short.quota == pytest.approx(130.0)  # unsold stock below normal: mine more this year
    assert glut.quota == pytest.approx(70.0)  # a surplus: mine less, even below the starting share


def test_the_quota_ignores_stocks_by_default_and_is_reviewed_as_often_as_asked():
    rule = ManagedSupply(ManagedSupplyParams(start_quota=100.0), region=0, reference_ndpr=50.0)
    for tick in range(12):
        rule.review(tick, expected_demand=200.0, home_ndpr=50.0, stock_gap=-30.0)
    assert rule.quota == pytest.approx(100.0)
    twice = ManagedSupply(ManagedSupplyParams(start_quota=100.0, review_months=6), region=0, reference_ndpr=50.0)
    for tick in range(6):
        twice.review(tick, expected_demand=200.0 * (1 + tick / 10), home_ndpr=50.0)
    assert twice.quota == pytest.approx(100.0 * 300.0 / 200.0)  # revised after six months, not twelve


def test_others_heavy_clays_count_as_little_ndpr_bearing_feed(baseline):
    model = RareEarthModel(baseline, years=1)
    world, mines = model.world, model.world.mines
    outside = mines.region != model.china
    tonnes = baseline.dynamics.capacity.normal_utilisation * mines.capacity[outside].sum()
    myanmar = mines.capacity[mines.index_of("Myanmar ionic clays")]
    feed = others_feed_supply(world, baseline.dynamics.capacity) - ionic_ndpr_feed(world)  # China's own clays: 7.35
    assert feed < tonnes - 0.5 * baseline.dynamics.capacity.normal_utilisation * myanmar
