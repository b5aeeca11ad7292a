"""Agents: co-production at mines and refiners, end users' price response, substitution and
stocks, capacity with lead times, and recycling of end-of-life magnets."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from simkit import build, mean, run, series

from marketsim.agents import EndOfLife, ManufacturerFleet, MineFleet, RecyclerFleet, RefinerFleet
from marketsim.model import RareEarthModel
from marketsim.policy.events import CapacityChange, RecyclingMandate
from marketsim.scenario.dynamics import ThriftParams
from marketsim.vocabulary import GOODS

NDPR, MAGNET = GOODS.index("ndpr"), GOODS.index("magnet")
BASTNAESITE = [0.73, 0.247, 0.002, 0.021]
IONIC_HEAVY = [0.02, 0.037, 0.08, 0.863]


def rng():
    return np.random.default_rng(0)


# ------------------------------------------------------------------ co-production
def test_mines_split_output_into_element_groups_by_deposit_type():
    mines = MineFleet(
        names=["light", "heavy"],
        regions=np.array([0, 1]),
        capacity=np.array([1200.0, 1200.0]),
        unit_cost=np.array([1.0, 1.0]),
        lead_months=36,
        rng=rng(),
        composition=np.array([BASTNAESITE, IONIC_HEAVY]),
        reserves=np.array([np.inf, np.inf]),
    )
    elements = mines.produce(
        np.ones(2), np.full((2, 4), 100.0), np.ones(2), np.full(2, np.inf), np.zeros(2, dtype=bool)
    )
    np.testing.assert_allclose(mines.output, [100.0, 100.0])  # full capacity when price >> cost
    np.testing.assert_allclose(elements, [np.multiply(100.0, BASTNAESITE), np.multiply(100.0, IONIC_HEAVY)])
    # The heavy ionic clay yields 40 times the Dy/Tb of the same tonnage of bastnaesite.
    assert elements[1, 2] == pytest.approx(40 * elements[0, 2])


def test_each_mine_is_paid_for_what_its_own_concentrate_contains():
    # Same region, same payable share and cost: Dy/Tb at US$300/kg makes the heavy clay worth
    # running, while NdPr and La/Ce prices too low for bastnaesite keep the light mine idle.
    mines = MineFleet(
        names=["light", "heavy"],
        regions=np.array([0, 0]),
        capacity=np.array([1200.0, 1200.0]),
        unit_cost=np.array([5.0, 5.0]),
        lead_months=36,
        rng=rng(),
        composition=np.array([BASTNAESITE, IONIC_HEAVY]),
        reserves=np.array([np.inf, np.inf]),
    )
    values = np.array([[0.5, 10.0, 300.0, 0.0]])  # lace, ndpr, dytb, other (US$/kg)
    for _ in range(12):  # operators act on a few months' average margin
        mines.produce(np.array([0.5]), values, np.ones(1), np.array([np.inf]), np.zeros(2, dtype=bool))
    assert mines.output[1] == pytest.approx(100.0)
    assert mines.output[0] == 0.0


def refiners(heavy: list[bool]) -> RefinerFleet:
    count = len(heavy)
    return RefinerFleet(
        names=[f"r{i}" for i in range(count)],
        regions=np.arange(count),
        capacity=np.full(count, 12_000.0),
        unit_cost=np.full(count, 1.0),
        lead_months=24,
        rng=rng(),
        heavy_circuit=np.array(heavy),
        recovery=0.95,
    )


def test_separation_yields_oxides_in_the_proportions_of_the_feed():
    plants = refiners([True, True])
    feed = np.array([300.0, 500.0])
    feed_elements = np.array([np.multiply(300.0, BASTNAESITE), np.multiply(500.0, IONIC_HEAVY)])
    used, oxides, lost = plants.separate(np.full(2, 50.0), np.full(2, 5.0), np.ones(2), feed, feed_elements)
    np.testing.assert_allclose(used, feed)
    np.testing.assert_allclose(oxides, 0.95 * feed_elements[:, :3])  # lace, ndpr, dytb
    np.testing.assert_allclose(used, oxides.sum(axis=1) + lost)


def test_separation_is_limited_by_capacity_and_keeps_the_proportions():
    plants = refiners([True])
    feed = np.array([5000.0])  # ten months of capacity on hand
    feed_elements = np.multiply(5000.0, [BASTNAESITE])
    used, oxides, _ = plants.separate(np.full(1, 50.0), np.full(1, 5.0), np.ones(1), feed, feed_elements)
    assert used[0] == pytest.approx(1000.0)
    np.testing.assert_allclose(oxides[0], 0.95 * 1000.0 * np.array(BASTNAESITE[:3]))


def test_refiner_without_heavy_circuit_recovers_no_dytb():
    plants = refiners([True, False])
    feed = np.array([500.0, 500.0])
    feed_elements = np.multiply(500.0, [IONIC_HEAVY, IONIC_HEAVY])
    _, oxides, lost = plants.separate(np.full(2, 50.0), np.full(2, 5.0), np.ones(2), feed, feed_elements)
    assert oxides[0, 2] > 0
    assert oxides[1, 2] == 0.0
    np.testing.assert_allclose(oxides[1, :2], oxides[0, :2])  # the light elements are still recovered
    assert lost[1] > lost[0]


# ------------------------------------------------------------------ end users
def buyers(short: float = -0.1, long: float = -0.5, adjust_months: float = 60.0, months: int = 600):
    goods, regions = len(GOODS), 1
    return ManufacturerFleet(
        region=np.array([0]),
        good=np.array([NDPR]),
        sector=np.array([0]),
        base=np.array([100.0]),
        reference_price=np.array([50.0]),
        elasticity_short=np.array([short]),
        elasticity_long=np.array([long]),
        adjust_months=np.array([adjust_months]),
        inventory_months=np.array([2.0]),
        hoarding=np.array([0.0]),
        backstop=np.array([3.0]),
        growth_index=np.ones((months + 1, 1)),
        goods_count=goods,
        regions_count=regions,
    )


def prices(ndpr: float) -> np.ndarray:
    grid = np.full((len(GOODS), 1), 1.0)
    grid[NDPR, 0] = ndpr
    return grid


def need(fleet: ManufacturerFleet, price: float, tick: int = 0) -> float:
    return float(fleet.plan_need(tick, prices(price), np.ones(1))[NDPR, 0])


def test_need_is_the_base_at_the_reference_price():
    assert need(buyers(), 50.0) == pytest.approx(100.0)


def test_higher_price_lowers_need_at_once_by_the_short_run_elasticity():
    fleet = buyers(short=-0.1)
    assert need(fleet, 100.0) == pytest.approx(100.0 * 2.0**-0.1)
    assert need(buyers(short=-0.3), 100.0) < need(fleet, 100.0)


def test_need_falls_further_over_time_towards_the_long_run_elasticity():
    fleet = buyers(short=-0.1, long=-0.5, adjust_months=60.0)
    path = []
    for month in range(600):
        path.append(need(fleet, 100.0, month))
        fleet.adapt(prices(100.0))
    path = np.array(path)
    short_run, long_run = 100.0 * 2.0**-0.1, 100.0 * 2.0**-0.5
    assert path[0] == pytest.approx(short_run)
    assert (np.diff(path) < 0).all()
    assert path[-1] == pytest.approx(long_run, rel=1e-3)
    # After one time constant about 1 - 1/e of the gap has closed: the response lags.
    closed = (short_run - path[60]) / (short_run - long_run)
    assert 0.55 < closed < 0.72


def test_substitution_is_slower_with_a_longer_adjustment_time():
    fast, slow = buyers(adjust_months=12.0), buyers(adjust_months=120.0)
    for _ in range(24):
        fast.adapt(prices(100.0))
        slow.adapt(prices(100.0))
    assert need(fast, 100.0) < need(slow, 100.0) < need(buyers(), 100.0)


def test_substitution_unwinds_when_the_price_returns_to_reference():
    fleet = buyers()
    for _ in range(120):
        fleet.adapt(prices(100.0))
    low = need(fleet, 50.0)
    for _ in range(600):
        fleet.adapt(prices(50.0))
    assert low < 99.0
    assert need(fleet, 50.0) == pytest.approx(100.0, rel=1e-3)


def test_ratcheted_thrift_falls_fast_within_a_bound_and_returns_slowly():
    ratchet = ThriftParams()
    fleet = buyers(short=-0.1, long=-0.5)
    path = []
    for _ in range(24):
        fleet.adapt(prices(500.0), ratchet)
        path.append(fleet.thrift[0])
    assert path[11] >= 0.9 - 1e-9  # at most 10 % a year however high the price
    assert path[11] < 0.92  # ... and close to that bound when prices are ten times the reference
    low = fleet.thrift[0]
    for _ in range(24):
        fleet.adapt(prices(50.0), ratchet)
    recovered = (fleet.thrift[0] - low) / (1.0 - low)
    assert 0.05 < recovered < 0.2  # two years at reference prices win back little of it


def test_buyers_cut_off_by_export_controls_thrift_at_normal_prices():
    ratchet = ThriftParams()
    open_market, cut = buyers(), buyers()
    for _ in range(36):
        open_market.adapt(prices(50.0), ratchet, np.zeros((len(GOODS), 1), dtype=bool))
        cut.adapt(prices(50.0), ratchet, np.ones((len(GOODS), 1), dtype=bool))
    assert open_market.thrift[0] == pytest.approx(1.0)
    assert cut.thrift[0] < 0.9


# ------------------------------------------------------------------ stocks and hoarding
def magnet_buyer_stock(data: dict, events=(), years: int = 2):
    """Run month by month; return the model, its results and end users' magnet stock each tick."""
    model = RareEarthModel(build(data), years=years)
    for event in events:
        model.submit(event)
    stock = []
    while model.running:
        model.step()
        stock.append(model.ledger.buyer.amount[MAGNET].sum())
    return model.results(), np.array(stock)


def test_buyers_hold_more_stock_when_they_want_more_months_of_cover(small_data):
    _, two = magnet_buyer_stock(small_data, years=1)
    more = copy.deepcopy(small_data)
    more["sectors"]["ev"]["inventory_months"] = 4.0
    _, four = magnet_buyer_stock(more, years=1)
    assert four[6:].mean() > 1.4 * two[6:].mean()


def test_hoarding_buyers_hold_more_stock_while_prices_rise(small_data):
    squeeze = [CapacityChange(start="2024-04", facility="China light", capacity=60000.0, ramp_months=6)]
    legacy = copy.deepcopy(small_data)  # the rule without stockholders' expectations (7.8)
    legacy.setdefault("dynamics", {})["stockholders"] = {"enabled": False}
    calm = copy.deepcopy(legacy)
    calm["sectors"]["ev"]["hoarding"] = 0.0
    hoard = copy.deepcopy(legacy)
    hoard["sectors"]["ev"]["hoarding"] = 3.0
    _, calm_stock = magnet_buyer_stock(calm, squeeze)
    table, hoard_stock = magnet_buyer_stock(hoard, squeeze)
    price = series(table, "price", "magnet", "world")
    rising = np.zeros(len(price), dtype=bool)
    rising[3:] = price[3:] > 1.05 * price[:-3]
    assert rising.sum() >= 3, "the supply cut should make magnet prices rise"
    assert (hoard_stock[rising] > calm_stock[rising]).all()
    assert hoard_stock[rising].mean() > 1.05 * calm_stock[rising].mean()


# ------------------------------------------------------------------ capacity and lead times
def no_investment(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["dynamics"] = {"capacity": {"acquire": False}}
    return data


def test_capacity_event_ramps_linearly_from_its_start_month(small_data):
    model = RareEarthModel(build(no_investment(small_data)), years=2)
    model.submit(CapacityChange(start="2024-06", facility="US mine", capacity=40000.0, ramp_months=4))
    row = model.mines.index_of("US mine")
    capacity = []
    while model.running:
        model.step()
        capacity.append(model.mines.capacity[row])
    start = 5  # 2024-06 is the sixth month
    np.testing.assert_allclose(capacity[:start], 20000.0)
    np.testing.assert_allclose(capacity[start : start + 4], [25000.0, 30000.0, 35000.0, 40000.0])
    np.testing.assert_allclose(capacity[start + 4 :], 40000.0)
    table = model.results()
    np.testing.assert_allclose(series(table, "capacity_mining", region="usa")[: start + 4], capacity[: start + 4])


def test_capacity_cut_by_event_lowers_output_from_its_start(small_data):
    model = run(
        build(no_investment(small_data)), [CapacityChange(start="2024-07", facility="US mine", capacity=0.0)], years=1
    )
    mined = series(model.results(), "production", "concentrate", "usa")
    assert mined[:6].min() > 0
    np.testing.assert_allclose(mined[6:], 0.0)


@pytest.mark.parametrize("lead_years", [1.0, 2.0])
def test_endogenous_mine_investment_arrives_only_after_the_lead_time(small_data, lead_years):
    data = copy.deepcopy(small_data)
    data["investment"] = {"mine_lead_years": lead_years}
    data["scenario"]["years"] = 3
    model = run(build(data), years=3)
    capacity = series(model.results(), "capacity_mining")
    lead = int(lead_years * 12)
    # Before the first order arrives, capacity only wears out (retirements over its life).
    assert (np.diff(capacity[:lead]) <= 1e-9).all()
    assert (np.diff(capacity[lead - 1 :]) > 0).any(), "orders arrive after the lead time"
    assert capacity[-1] > capacity[0], "mines earning far above cost should expand"


def test_longer_mine_lead_time_delays_new_capacity_by_the_difference(small_data):
    first_growth = {}
    for lead_years in (1.0, 2.0):
        data = copy.deepcopy(small_data)
        data["investment"] = {"mine_lead_years": lead_years}
        capacity = series(run(build(data), years=3).results(), "capacity_mining")
        grown = np.flatnonzero(np.diff(capacity) > 0)
        assert grown.size, f"no new mine capacity within 3 years at lead time {lead_years}"
        first_growth[lead_years] = grown[0]
    assert first_growth[2.0] - first_growth[1.0] == 12


# ------------------------------------------------------------------ end of life and recycling
def test_end_of_life_releases_consumption_after_the_lifetime():
    memory = EndOfLife(
        lifetime_months=np.array([12]),
        start_level=np.array([[10.0, 4.0]]),
        start_growth=np.array([0.0]),
        regions_count=2,
    )
    for tick in range(40):
        arriving = memory.arriving(tick)
        if tick < 12:
            np.testing.assert_allclose(arriving, [10.0, 4.0])  # back-cast, no growth
        else:
            np.testing.assert_allclose(arriving, [20.0 + tick - 12, 1.0])
        memory.record(tick, np.array([[20.0 + tick, 1.0]]))


def test_end_of_life_back_cast_reflects_past_growth():
    growing = EndOfLife(
        lifetime_months=np.array([24]), start_level=np.array([[100.0]]), start_growth=np.array([0.1]), regions_count=1
    )
    assert growing.arriving(0)[0] == pytest.approx(100.0 / 1.1**2)


def test_end_of_life_in_the_model_follows_magnet_use_with_the_sector_lifetime(small_data):
    data = copy.deepcopy(small_data)
    data["sectors"]["ev"]["lifetime_years"] = 1.0
    table = run(build(data), years=2).results()
    reo_per_magnet = 0.31 + 0.02  # default recipe
    for region in ("china", "usa", "japan"):
        used = series(table, "consumption", "magnet", region)
        retired = series(table, "end_of_life", region=region)
        np.testing.assert_allclose(retired[12:], reo_per_magnet * used[:12], rtol=1e-9)


def test_recycler_output_never_exceeds_collected_end_of_life():
    fleet = RecyclerFleet(
        names=["a", "b"],
        regions=np.array([0, 1]),
        capacity=np.array([1e9, 60.0]),
        unit_cost=np.array([1.0, 1.0]),
        lead_months=24,
        rng=rng(),
        collection_rate=np.array([0.4, 1.0]),
        recovery_rate=0.5,
    )
    for _ in range(12):
        out, _ = fleet.recycle(np.array([100.0, 100.0]), np.array([1000.0, 1000.0]), np.ones(2))
    assert out[0] <= 100.0 * 0.4 * 0.5 + 1e-9
    assert out[1] <= 60.0 / 12 + 1e-9
    assert out[0] == pytest.approx(20.0, rel=0.01)


def test_recycled_output_never_exceeds_end_of_life_in_the_model(small_world):
    mandate = RecyclingMandate(start="2024-03", region="japan", collection_rate=1.0)
    table = run(small_world, [mandate], years=3).results()
    for region in ("china", "usa", "japan", "world"):
        recycled = series(table, "recycled", region=region)
        retired = series(table, "end_of_life", region=region)
        assert (recycled <= retired + 1e-9).all()


def test_recycling_grows_with_end_of_life_flows(small_world):
    table = run(small_world, years=3).results()
    retired = series(table, "end_of_life")
    recycled = series(table, "recycled")
    assert retired[-1] > retired[0]
    assert recycled[-12:].mean() > recycled[:12].mean()


def test_recycling_mandate_raises_recycled_output(small_world):
    base = run(small_world, years=4).results()
    mandate = RecyclingMandate(start="2024-04", region="china", collection_rate=0.3)
    mandated = run(small_world, [mandate], years=4).results()
    before, after = range(3), range(3, 48)
    assert mean(mandated, "recycled", region="china", ticks=before) == pytest.approx(
        mean(base, "recycled", region="china", ticks=before)
    )
    assert mean(mandated, "recycled", region="china", ticks=after) > 1.15 * mean(
        base, "recycled", region="china", ticks=after
    )
    # Recyclers review once a year and build to the collected feed after their 2-year lead
    # time, so by month 3 + 11 + 24 the new capacity is running.
    late = range(40, 48)
    assert mean(mandated, "recycled", region="china", ticks=late) > 5.0 * mean(
        base, "recycled", region="china", ticks=late
    )
