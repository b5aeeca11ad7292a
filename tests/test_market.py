"""Market clearing with per-route frictions: directly on ``clear`` and through the model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import run, spy_on_clearing

from marketsim.market.clearing import clear
from marketsim.policy.book import PolicyBook
from marketsim.policy.events import ExportBan, ExportLicence, ExportQuota, Tariff
from marketsim.scenario.schema import MarketParams
from marketsim.vocabulary import GOODS

REGIONS = ["china", "usa", "japan"]
CHINA, USA, JAPAN = range(3)
G = len(GOODS)
CONC, NDPR, DYTB, LACE, MAGNET = (GOODS.index(g) for g in GOODS)
QUOTA_GOODS = [CONC, NDPR, DYTB, LACE]
PARAMS = MarketParams()


def book(alliances: dict | None = None) -> PolicyBook:
    return PolicyBook(REGIONS, {"quad": ["usa", "japan"]} if alliances is None else alliances)


def china_sells_to_importers(supply: float = 1000.0, wanted: float = 100.0):
    """China alone offers every good; the USA and Japan each want ``wanted`` of every good."""
    offer = np.zeros((G, 3))
    offer[:, CHINA] = supply
    demand = np.zeros((G, 3))
    demand[:, USA] = demand[:, JAPAN] = wanted
    price = np.full((G, 3), 10.0)
    return offer, demand, price, np.ones((G, 3))


def two_sellers_one_buyer():
    """China and the USA offer the same amount at the same price; only Japan buys."""
    offer = np.zeros((G, 3))
    offer[:, CHINA] = offer[:, USA] = 100.0
    demand = np.zeros((G, 3))
    demand[:, JAPAN] = 50.0
    return offer, demand, np.full((G, 3), 10.0), np.ones((G, 3))


# ------------------------------------------------------------------ clear(), hand-built arrays
def test_unrestricted_market_serves_all_demand_when_supply_is_ample():
    offer, demand, price, quality = china_sells_to_importers()
    result = clear(offer, demand, price, quality, book().compile([]), PARAMS)
    np.testing.assert_allclose(result.received, demand)
    np.testing.assert_allclose(result.refused, 0.0)


def test_export_quota_caps_total_exports_of_its_goods():
    offer, demand, price, quality = china_sells_to_importers()
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=1200.0)
    result = clear(offer, demand, price, quality, book().compile([quota]), PARAMS)
    exported = result.flows[QUOTA_GOODS][:, CHINA, [USA, JAPAN]].sum()
    assert exported == pytest.approx(100.0, rel=1e-9)  # 1,200 t a year is 100 t a month
    # Magnets are not a quota good here: their exports are untouched.
    assert result.flows[MAGNET, CHINA, [USA, JAPAN]].sum() == pytest.approx(200.0)


def test_binding_quota_binds_on_every_good_it_covers_in_proportion():
    offer, demand, price, quality = china_sells_to_importers()
    price[NDPR, CHINA], price[LACE, CHINA] = 60.0, 1.0
    free = clear(offer, demand, price, quality, book().compile([]), PARAMS)
    asked = free.flows[:, CHINA, [USA, JAPAN]].sum(axis=1)
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=12 * 200.0, goods=("ndpr", "lace"))
    result = clear(offer, demand, price, quality, book().compile([quota]), PARAMS)
    exported = result.flows[:, CHINA, [USA, JAPAN]].sum(axis=1)
    assert exported[NDPR] + exported[LACE] == pytest.approx(200.0)
    assert exported[NDPR] < asked[NDPR]  # the dear good is refused too, not only La/Ce
    assert exported[NDPR] / asked[NDPR] == pytest.approx(exported[LACE] / asked[LACE], rel=0.05)


def test_export_quota_leaves_domestic_sales_alone():
    offer, demand, price, quality = china_sells_to_importers()
    demand[:, CHINA] = 300.0
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=0.0)
    result = clear(offer, demand, price, quality, book().compile([quota]), PARAMS)
    np.testing.assert_allclose(result.flows[QUOTA_GOODS][:, CHINA, [USA, JAPAN]], 0.0, atol=1e-9)
    np.testing.assert_allclose(result.flows[:, CHINA, CHINA], 300.0)


def test_licence_cuts_flows_on_licensed_routes_and_goods_only():
    offer, demand, price, quality = china_sells_to_importers()
    free = clear(offer, demand, price, quality, book().compile([]), PARAMS)
    licence = ExportLicence(
        start="2024-01", region="china", approval_rate=0.3, destinations=("japan",), goods=("dytb",)
    )
    limited = clear(offer, demand, price, quality, book().compile([licence]), PARAMS)
    assert limited.flows[DYTB, CHINA, JAPAN] < 0.9 * free.flows[DYTB, CHINA, JAPAN]
    assert limited.refused[DYTB, CHINA, JAPAN] > 0
    assert limited.flows[DYTB, CHINA, USA] == pytest.approx(free.flows[DYTB, CHINA, USA])
    assert limited.flows[NDPR, CHINA, JAPAN] == pytest.approx(free.flows[NDPR, CHINA, JAPAN])


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_licence_approves_at_most_its_rate_of_what_buyers_request(rate):
    """ExportLicence: 'only approval_rate of the requested tonnage is approved'. With China the
    only seller and ample stock, buyers abroad can get at most ``rate`` of what they ask for."""
    offer, demand, price, quality = china_sells_to_importers()
    licence = ExportLicence(start="2024-01", region="china", approval_rate=rate, goods=("dytb",))
    result = clear(offer, demand, price, quality, book().compile([licence]), PARAMS)
    delivered = result.flows[DYTB, CHINA, [USA, JAPAN]]
    np.testing.assert_array_less(delivered, rate * demand[DYTB, [USA, JAPAN]] + 1e-9)


def test_licence_refusals_never_exceed_what_buyers_asked_for():
    """``Clearing.refused`` is 'tonnes requested but refused': refused plus delivered on a route
    cannot be more than the buyers there wanted in all."""
    offer, demand, price, quality = china_sells_to_importers()
    licence = ExportLicence(start="2024-01", region="china", approval_rate=0.1, goods=("dytb",))
    result = clear(offer, demand, price, quality, book().compile([licence]), PARAMS)
    asked = result.refused[DYTB, CHINA, [USA, JAPAN]] + result.flows[DYTB, CHINA, [USA, JAPAN]]
    np.testing.assert_array_less(asked, demand[DYTB, [USA, JAPAN]] + 1e-9)


def test_ban_stops_flows_to_named_destinations_only():
    offer, demand, price, quality = china_sells_to_importers()
    free = clear(offer, demand, price, quality, book().compile([]), PARAMS)
    ban = ExportBan(start="2024-01", region="china", destinations=("japan",))
    banned = clear(offer, demand, price, quality, book().compile([ban]), PARAMS)
    np.testing.assert_allclose(banned.flows[:, CHINA, JAPAN], 0.0)
    np.testing.assert_allclose(banned.flows[:, CHINA, USA], free.flows[:, CHINA, USA])
    assert free.flows[:, CHINA, JAPAN].min() > 0


def test_tariff_shifts_importer_purchases_away_from_taxed_origin():
    offer, demand, price, quality = two_sellers_one_buyer()
    free = clear(offer, demand, price, quality, book({}).compile([]), PARAMS)
    tariff = Tariff(start="2024-01", importer="japan", rate=0.25, origins=("china",))
    taxed = clear(offer, demand, price, quality, book({}).compile([tariff]), PARAMS)
    assert taxed.flows[NDPR, CHINA, JAPAN] < free.flows[NDPR, CHINA, JAPAN]
    assert taxed.flows[NDPR, USA, JAPAN] > free.flows[NDPR, USA, JAPAN]
    assert taxed.received[NDPR, JAPAN] == pytest.approx(50.0)
    assert taxed.delivered_cost[NDPR, CHINA, JAPAN] > free.delivered_cost[NDPR, CHINA, JAPAN]


def test_allies_are_preferred_at_equal_prices():
    offer, demand, price, quality = two_sellers_one_buyer()
    no_alliance = clear(offer, demand, price, quality, book({}).compile([]), PARAMS)
    np.testing.assert_allclose(no_alliance.flows[:, CHINA, JAPAN], no_alliance.flows[:, USA, JAPAN])
    allied = clear(offer, demand, price, quality, book().compile([]), PARAMS)
    assert (allied.flows[:, USA, JAPAN] > allied.flows[:, CHINA, JAPAN]).all()


def test_cheaper_origin_gets_more_of_the_demand():
    offer, demand, price, quality = two_sellers_one_buyer()
    price[:, USA] = 12.0
    result = clear(offer, demand, price, quality, book({}).compile([]), PARAMS)
    assert (result.flows[:, CHINA, JAPAN] > result.flows[:, USA, JAPAN]).all()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    licence=st.floats(0.0, 1.0),
    quota=st.floats(0.0, 5000.0),
    tariff=st.floats(0.0, 2.0),
    ban=st.booleans(),
)
def test_flows_never_exceed_offers_demand_quotas_or_open_routes(seed, licence, quota, tariff, ban):
    rng = np.random.default_rng(seed)
    offer = rng.uniform(0, 200, (G, 3)) * (rng.random((G, 3)) < 0.8)
    demand = rng.uniform(0, 200, (G, 3)) * (rng.random((G, 3)) < 0.8)
    price = rng.uniform(1, 100, (G, 3))
    quality = rng.uniform(0.5, 1.5, (G, 3))
    policies = [
        ExportLicence(start="2024-01", region="china", approval_rate=licence),
        ExportQuota(start="2024-01", region="usa", tonnes_per_year=quota),
        Tariff(start="2024-01", importer="japan", rate=tariff),
    ]
    if ban:
        policies.append(ExportBan(start="2024-01", region="japan", destinations=("usa",)))
    result = clear(offer, demand, price, quality, book().compile(policies), PARAMS)
    eps = 1e-6
    assert (result.flows >= 0).all()
    assert (result.sold <= offer + eps).all()
    assert (result.received <= demand + eps).all()
    usa_exports = result.flows[QUOTA_GOODS][:, USA, [CHINA, JAPAN]].sum()
    assert usa_exports <= quota / 12.0 + eps
    if ban:
        np.testing.assert_allclose(result.flows[:, JAPAN, USA], 0.0)
    if licence == 0.0:
        np.testing.assert_allclose(result.flows[[DYTB, MAGNET]][:, CHINA, [USA, JAPAN]], 0.0)


# ------------------------------------------------------------------ the same frictions in the model
def test_export_quota_caps_china_exports_in_the_model(small_world, monkeypatch):
    free = spy_on_clearing(monkeypatch)
    run(small_world, years=1)
    quota = ExportQuota(start="2024-01", region="china", tonnes_per_year=1000.0)
    limited = spy_on_clearing(monkeypatch)
    run(small_world, [quota], years=1)
    for result in limited:
        assert result.flows[QUOTA_GOODS][:, CHINA, [USA, JAPAN]].sum() <= 1000.0 / 12 + 1e-6
    free_exports = sum(r.flows[QUOTA_GOODS][:, CHINA, [USA, JAPAN]].sum() for r in free)
    assert free_exports > 12 * 1000.0 / 12  # the quota binds


def test_ban_on_japan_stops_china_japan_trade_but_not_china_usa(small_world, monkeypatch):
    ban = ExportBan(start="2024-01", region="china", destinations=("japan",))
    flows = spy_on_clearing(monkeypatch)
    run(small_world, [ban], years=1)
    for result in flows:
        np.testing.assert_allclose(result.flows[:, CHINA, JAPAN], 0.0)
    assert sum(r.flows[MAGNET, CHINA, USA] for r in flows) > 0


def test_tariff_shifts_japan_magnet_purchases_away_from_china_in_the_model(small_world, monkeypatch):
    free = spy_on_clearing(monkeypatch)
    run(small_world, years=1)
    tariff = Tariff(start="2024-01", importer="japan", rate=0.5, origins=("china",), goods=("magnet",))
    taxed = spy_on_clearing(monkeypatch)
    run(small_world, [tariff], years=1)

    def china_share(results):
        received = sum(r.received[MAGNET, JAPAN] for r in results)
        return sum(r.flows[MAGNET, CHINA, JAPAN] for r in results) / received

    assert china_share(taxed) < china_share(free) - 0.05


def test_licence_cuts_china_exports_on_licensed_goods_in_the_model(small_world, monkeypatch):
    free = spy_on_clearing(monkeypatch)
    run(small_world, years=1)
    licence = ExportLicence(start="2024-01", region="china", approval_rate=0.2)  # Dy/Tb and magnets
    limited = spy_on_clearing(monkeypatch)
    run(small_world, [licence], years=1)

    def exported(results, good):
        return sum(r.flows[good, CHINA, [USA, JAPAN]].sum() for r in results)

    for good in (DYTB, MAGNET):
        assert exported(limited, good) < 0.6 * exported(free, good)
    assert all(r.refused[[DYTB, MAGNET]][:, CHINA].sum() > 0 for r in limited)
    assert all(r.refused[[CONC, NDPR, LACE]].sum() == 0 for r in limited)


def test_model_flows_never_exceed_offers_or_demand(baseline, monkeypatch):
    inputs: list = []
    results = spy_on_clearing(monkeypatch, inputs)
    policies = [
        ExportQuota(start="2024-03", region="china", tonnes_per_year=20000.0),
        ExportLicence(start="2024-06", region="china", approval_rate=0.4),
        ExportBan(start="2024-09", region="usa", destinations=("japan",)),
        Tariff(start="2024-04", importer="usa", rate=0.5, origins=("china",)),
    ]
    run(baseline, policies, years=1)
    assert len(results) == 12
    for (offer, demand), result in zip(inputs, results, strict=True):
        assert (result.flows >= 0).all()
        assert (result.sold <= offer + 1e-6).all()
        assert (result.received <= demand + 1e-6).all()
