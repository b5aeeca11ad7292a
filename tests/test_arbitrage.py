"""Arbitrage past export controls (docs/model.md 7.39): traders re-sell between importing regions, so
a region singled out by a ban does not pay several times what other importers pay (REF §10 K3:
prices "indifferent" to China's 2010 halt to Japan), and the price abroad stays within a bounded gap
over the exporter's domestic price."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from marketsim.market.arbitrage import capped_premium, free_sources, pooled_bid, reexport, tier_cap
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import ScenarioError, load_scenario

HISTORY = Path(__file__).resolve().parents[1] / "configs" / "history_2009.toml"


def japan_over_usa_eu_in_the_halt(hand_set: list[str], overrides: list[str]) -> float:
    """Japan's mean NdPr price over the USA's and the EU's, Sep-Nov 2010 (the K3 statistic)."""
    model = RareEarthModel(load_scenario(HISTORY, [*hand_set, *overrides]), seed=1, years=2)
    model.run()
    table = model.results()
    rows = table[
        (table.metric == "price")
        & (table.good == "ndpr")
        & table.date.astype(str).isin(["2010-09", "2010-10", "2010-11"])
    ]
    by_region = rows.groupby("region").value.mean()
    return float(by_region["japan"] / by_region[["usa", "eu"]].mean())


def test_traders_keep_japan_near_other_importers_during_the_halt(history_2009_hand_set):
    def ratio(*settings: str) -> float:
        return japan_over_usa_eu_in_the_halt(history_2009_hand_set, list(settings))

    off = ratio("dynamics.arbitrage.enabled=false")
    one_market = ratio("dynamics.arbitrage.enabled=true", "dynamics.arbitrage.pool_weight=1")
    partial = ratio("dynamics.arbitrage.enabled=true", "dynamics.arbitrage.pool_weight=0.5")
    assert off > 2.0  # each region bids on its own buyers' stock: Japan's magnet makers run dry
    assert 0.8 < one_market < 1.2  # one premium for the importers that re-sell to each other
    assert one_market < partial < off


def test_importers_that_trade_freely_bid_on_their_pooled_cover():
    # Two goods, three regions: region 0 is the controlling exporter of good 0 and trades good 1 freely.
    free = np.array([[False, True, True], [True, True, True]])
    held = np.array([[50.0, 10.0, 90.0], [5.0, 10.0, 90.0]])
    normal = np.array([[100.0, 100.0, 100.0], [10.0, 100.0, 100.0]])
    cut_off = np.array([[False, True, False], [False, False, False]])
    bidding, cover = pooled_bid(cut_off, held, normal, free)
    assert bidding[0].tolist() == [False, True, True]  # region 2 bids too: its stock is re-sold to region 1
    assert cover[0].tolist() == pytest.approx([0.5, 0.5, 0.5])  # the exporter keeps its own cover
    assert not bidding[1].any()  # nobody cut off from good 1: nobody bids
    half = pooled_bid(cut_off, held, normal, free, weight=0.5)[1]
    assert half[0, 1] == pytest.approx(0.3) and half[0, 2] == pytest.approx(0.7)


def test_reexport_moves_stock_from_the_well_stocked_to_the_short_and_keeps_every_tonne():
    free = np.array([[True, True, True]])
    held, normal = np.array([[10.0, 90.0, 50.0]]), np.array([[100.0, 100.0, 100.0]])
    move = reexport(held, normal, np.array([[300.0, 60.0, 60.0]]), free, margin=0.1, rate=0.5)
    assert move.sum() == pytest.approx(0.0)
    assert move[0, 0] > 0 > move[0, 1]
    assert not reexport(held, normal, np.array([[65.0, 60.0, 60.0]]), free, margin=0.1, rate=0.5).any()


def test_free_sources_exclude_every_controlled_origin():
    open_routes = np.ones((2, 3, 3))
    open_routes[1, 2, 0] = 0.0  # region 2 bans good 1 to region 0
    tax = np.array([[0.15, 0.0, 0.0], [0.0, 0.0, 0.0]])
    free = free_sources(open_routes, tax, np.array([[False, True]]), np.array([1]))
    assert free.tolist() == [[False, True, True], [True, False, False]]


def test_the_tier_gap_caps_the_premium_not_the_delivered_cost():
    regional = np.array([[20.0, 100.0, 30.0]])
    cut_by = np.zeros((1, 3, 3), dtype=bool)
    cut_by[0, 0, 1:] = True
    cap = tier_cap(regional, cut_by, gap=1.0)
    assert cap[0].tolist() == [np.inf, 40.0, 40.0]
    premium = capped_premium(np.array([[0.0, 2.0, 0.5]]), np.array([[20.0, 33.3, 50.0]]), cap)
    assert premium[0, 1] == pytest.approx(40.0 / 33.3 - 1.0)
    assert premium[0, 2] == 0.0  # delivered cost above the cap: no premium, the cost stays


@pytest.mark.parametrize(
    "override",
    ["dynamics.arbitrage.pool_weight=1.5", "dynamics.arbitrage.tier_gap=-1", "dynamics.arbitrage.reexport_rate=nan"],
)
def test_bad_arbitrage_settings_are_refused_with_a_sentence(override):
    with pytest.raises(ScenarioError, match="arbitrage"):
        load_scenario(HISTORY, [override])
