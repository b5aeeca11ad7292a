"""Government policies: which are in force when, what they compile to, and what they do."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from simkit import build, mean, run, series, spy_on_clearing

from marketsim.model import RareEarthModel
from marketsim.policy.book import PolicyBook, in_force
from marketsim.policy.events import (
    AllianceJoin,
    ExportBan,
    ExportLicence,
    ExportQuota,
    MiningQuota,
    PriceFloor,
    StockpileOrder,
    Subsidy,
    Tariff,
)
from marketsim.vocabulary import GOODS, month_index

REGIONS = ["china", "usa", "japan"]
CHINA, USA, JAPAN = range(3)
NDPR, DYTB, MAGNET = GOODS.index("ndpr"), GOODS.index("dytb"), GOODS.index("magnet")


def at(month: str, events: list) -> list:
    return in_force(events, month_index(month), month_index)


# ------------------------------------------------------------------ in_force
def test_policy_is_in_force_from_its_start_until_its_end_exclusive():
    ban = ExportBan(start="2010-09", end="2010-11", region="china", destinations=("japan",))
    assert at("2010-08", [ban]) == []
    assert at("2010-09", [ban]) == [ban]
    assert at("2010-10", [ban]) == [ban]
    assert at("2010-11", [ban]) == []


def test_policy_without_end_stays_in_force():
    quota = ExportQuota(start="2010-01", region="china", tonnes_per_year=30000.0)
    assert at("2040-01", [quota]) == [quota]


def test_later_policy_with_the_same_key_replaces_the_earlier():
    first = ExportQuota(start="2010-01", region="china", tonnes_per_year=50000.0)
    second = ExportQuota(start="2010-07", region="china", tonnes_per_year=30000.0)
    assert at("2010-06", [second, first]) == [first]
    assert at("2010-07", [second, first]) == [second]
    assert at("2012-01", [first, second]) == [second]


def test_policies_with_different_keys_coexist():
    china = ExportQuota(start="2010-01", region="china", tonnes_per_year=50000.0)
    usa = ExportQuota(start="2010-03", region="usa", tonnes_per_year=1000.0)
    tariff = Tariff(start="2010-02", importer="japan", rate=0.1)
    assert set(map(id, at("2010-06", [china, usa, tariff]))) == {id(china), id(usa), id(tariff)}


# ------------------------------------------------------------------ compiling to frictions
def compile_(*policies):
    return PolicyBook(REGIONS, {"quad": ["usa", "japan"]}).compile(list(policies))


def test_no_policy_means_open_free_trade():
    f = compile_()
    assert (f.open == 1).all() and (f.approval == 1).all()
    assert (f.tariff == 0).all() and (f.export_tax == 0).all()
    assert np.isinf(f.quota).all() and np.isinf(f.mining_quota).all()
    assert (f.cost_share == 1).all() and (f.floor == 0).all()
    assert f.ally[USA, JAPAN] and f.ally[JAPAN, USA] and not f.ally[CHINA, USA]


def test_subsidy_lowers_the_cost_share_of_its_stage_and_region_only():
    f = compile_(Subsidy(start="2024-01", region="usa", stage="separation", rate=0.4))
    assert f.stage_cost_share("separation")[USA] == pytest.approx(0.6)
    assert f.stage_cost_share("separation")[CHINA] == 1.0
    assert (f.stage_cost_share("mining") == 1.0).all()


def test_licence_and_ban_compile_to_their_routes():
    f = compile_(
        ExportLicence(start="2024-01", region="china", approval_rate=0.25, destinations=("usa",)),
        ExportBan(start="2024-01", region="usa", destinations=("japan",), goods=("ndpr",)),
    )
    assert f.approval[DYTB, CHINA, USA] == 0.25 and f.approval[MAGNET, CHINA, USA] == 0.25
    assert f.approval[DYTB, CHINA, JAPAN] == 1.0 and f.approval[NDPR, CHINA, USA] == 1.0
    assert f.open[NDPR, USA, JAPAN] == 0.0 and f.open[DYTB, USA, JAPAN] == 1.0
    assert f.open[NDPR, USA, CHINA] == 1.0


def test_price_floor_and_mining_quota_compile():
    f = compile_(
        PriceFloor(start="2024-01", region="usa", good="ndpr", price=110.0),
        MiningQuota(start="2024-01", region="china", tonnes_per_year=120000.0),
    )
    assert f.floor[NDPR, USA] == 110.0 and f.floor[NDPR, CHINA] == 0.0
    assert f.mining_quota[CHINA] == pytest.approx(10000.0)
    assert np.isinf(f.mining_quota[USA])


# ------------------------------------------------------------------ in the model
def test_policy_takes_effect_at_its_start_and_stops_at_its_end(small_world):
    ban = ExportBan(start="2024-03", end="2024-06", region="china")
    table = run(small_world, [ban], years=1).results()
    for good in ("concentrate", "ndpr", "dytb", "magnet"):
        exports = series(table, "exports", good, "china")
        assert exports[:2].min() > 0, good
        np.testing.assert_allclose(exports[2:5], 0.0, err_msg=good)
        assert exports[5] > 0, good


def test_policy_submitted_mid_run_matches_the_same_policy_scheduled(small_world):
    quota = ExportQuota(start="2024-05", region="china", tonnes_per_year=2000.0)
    scheduled = run(small_world, [quota], years=1).results()
    model = RareEarthModel(small_world, years=1)
    for _ in range(4):
        model.step()
    model.submit(quota)
    model.run()
    np.testing.assert_allclose(
        series(model.results(), "price", "ndpr", "japan"), series(scheduled, "price", "ndpr", "japan")
    )


def test_stockpile_orders_fill_and_releases_empty_the_state_stockpile(small_world):
    orders = [
        StockpileOrder(start="2024-03", region="japan", good="ndpr", tonnes=600.0, months=6),
        StockpileOrder(start="2024-12", region="japan", good="ndpr", tonnes=-600.0, months=3),
    ]
    table = run(small_world, orders, years=2).results()
    held = series(table, "stockpile", "ndpr", "japan")
    np.testing.assert_allclose(held[:2], 0.0)
    assert (np.diff(held[1:8]) > 0).all()
    assert held[7] == pytest.approx(600.0, rel=0.05)
    np.testing.assert_allclose(held[8:11], held[7])
    assert held[11] < held[10]
    assert held[13:].max() == pytest.approx(0.0, abs=1e-6)
    # Nobody else's stockpile moved.
    np.testing.assert_allclose(series(table, "stockpile", "ndpr", "usa"), 0.0)


def test_stockpile_purchases_raise_the_price_buyers_face(small_world):
    base = run(small_world, years=1).results()
    buying = run(
        small_world, [StockpileOrder(start="2024-02", region="japan", good="dytb", tonnes=600.0, months=6)], years=1
    ).results()
    assert mean(buying, "price", "dytb", "world", range(3, 9)) > 1.05 * mean(
        base, "price", "dytb", "world", range(3, 9)
    )


@pytest.fixture
def dear_us_separation(small_data):
    """The small world with a US separation plant too dear to run at market prices."""
    data = copy.deepcopy(small_data)
    data["refiners"][1]["unit_cost"] = 25.0
    # Without stockholders' speculation (7.27): in the small world a rising price trend becomes a bubble
    # that would make the dear plant worth running without any subsidy.
    data["dynamics"] = {"stockholders": {"enabled": False}}
    return build(data)


def test_subsidy_keeps_an_otherwise_idle_plant_running(dear_us_separation):
    base = run(dear_us_separation, years=2)
    subsidy = Subsidy(start="2024-01", region="usa", stage="separation", rate=0.6)
    helped = run(dear_us_separation, [subsidy], years=2)
    assert helped.frictions.stage_cost_share("separation")[USA] == pytest.approx(0.4)
    row = base.refiners.index_of("US separation")
    assert helped.refiners.output[row] > 0.5 * 5000 / 12
    assert base.refiners.output[row] < 0.1 * 5000 / 12
    assert mean(helped.results(), "production", "ndpr", "usa", range(12, 24)) > 2 * mean(
        base.results(), "production", "ndpr", "usa", range(12, 24)
    )


def test_price_floor_keeps_producers_revenue_up(dear_us_separation):
    base = run(dear_us_separation, years=2)
    floor = PriceFloor(start="2024-01", region="usa", good="ndpr", price=120.0)
    floored = run(dear_us_separation, [floor], years=2)
    row = base.refiners.index_of("US separation")
    assert floored.refiners.margin[row] > base.refiners.margin[row]
    assert floored.refiners.output[row] > 0.5 * 5000 / 12
    assert mean(floored.results(), "production", "ndpr", "usa", range(12, 24)) > 2 * mean(
        base.results(), "production", "ndpr", "usa", range(12, 24)
    )


def test_mining_quota_caps_a_region_s_mine_output(small_data):
    data = copy.deepcopy(small_data)
    data["market"] = {"outage_rate": 0.0}  # no random mine outages in the months before
    quota = MiningQuota(start="2024-04", region="china", tonnes_per_year=60000.0)
    table = run(build(data), [quota], years=1).results()
    mined = series(table, "production", "concentrate", "china")
    assert mined[:3].min() > 60000.0 / 12 * 1.2
    assert (mined[3:] <= 60000.0 / 12 + 1e-6).all()


def test_joining_an_alliance_shifts_purchases_towards_the_new_ally(small_data, monkeypatch):
    data = copy.deepcopy(small_data)
    data["alliances"] = {"quad": {"members": ["usa"]}}
    world = build(data)
    apart = spy_on_clearing(monkeypatch)
    run(world, years=1)
    joined = spy_on_clearing(monkeypatch)
    run(world, [AllianceJoin(start="2024-01", region="japan", alliance="quad")], years=1)

    def us_share_of_japan_ndpr(results):
        return sum(r.flows[NDPR, USA, JAPAN] for r in results) / sum(r.received[NDPR, JAPAN] for r in results)

    assert us_share_of_japan_ndpr(joined) > us_share_of_japan_ndpr(apart)


def test_every_timed_policy_type_has_a_handler():
    """A policy type held in force must change the frictions; none may be silently ignored."""
    import typing  # noqa: PLC0415

    from marketsim.policy.book import HANDLERS  # noqa: PLC0415
    from marketsim.policy.events import ONE_OFF_EVENTS, Event, Offtake, ProjectEquity, ProjectLoan  # noqa: PLC0415

    kinds = typing.get_args(typing.get_args(Event)[0])
    held = [k for k in kinds if k not in ONE_OFF_EVENTS and k not in (ProjectLoan, ProjectEquity, Offtake)]
    assert len(held) >= 15
    assert sorted(k.__name__ for k in held) == sorted(k.__name__ for k in HANDLERS)
