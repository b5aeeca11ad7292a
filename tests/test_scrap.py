"""Manufacturing scrap as recycling feed: magnet making loses a share of its oxide feed as scrap,
the region's recyclers recover the collected part within their capacity, recycled scrap lowers
the region's oxide purchases, end-of-life recycling keeps its meaning and bound, and the
material balance closes with scrap in play."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from simkit import build, mean, run, series
from test_invariants import SETTINGS, check_balance, scenarios, seeds, simulate

from marketsim.agents import RecyclerFleet
from marketsim.model import RareEarthModel
from marketsim.policy.events import CollectionScheme, RecyclingMandate
from marketsim.vocabulary import MAGNET

REGIONS = ("china", "usa", "japan")


def with_scrap(data: dict, share: float = 0.25, collection: float = 0.8) -> dict:
    data["recycling"] = {"scrap_share": share, "scrap_collection": collection}
    return data


def test_scrap_arises_in_proportion_to_magnet_output(small_data):
    data = with_scrap(small_data, share=0.2)
    data["goods"]["magnet"] = {"ndpr_per_tonne": 0.3, "dytb_per_tonne": 0.0}
    table = run(build(data), years=2).results()
    for region in (*REGIONS, "world"):
        made = series(table, "production", "magnet", region)
        np.testing.assert_allclose(
            series(table, "scrap_generated", region=region), 0.2 * 0.3 * made, rtol=1e-9, atol=1e-9
        )
    assert series(table, "scrap_generated", region="china").min() > 0
    assert (series(table, "scrap_generated", region="usa") == 0).all(), "the USA makes no magnets"


def test_scrap_carries_the_dytb_fed_and_doubles_with_its_share(small_data):
    tables = {share: run(build(with_scrap(dict(small_data), share=share)), years=1).results() for share in (0.1, 0.2)}
    made = series(tables[0.1], "production", "magnet")
    scrap = series(tables[0.1], "scrap_generated")
    assert ((0.1 * 0.31 * made - 1e-9 <= scrap) & (scrap <= 0.1 * (0.31 + 0.05) * made)).all()
    per_tonne = {share: mean(t, "scrap_generated") / mean(t, "production", "magnet") for share, t in tables.items()}
    assert per_tonne[0.2] == pytest.approx(2 * per_tonne[0.1], rel=0.05)


def test_without_scrap_share_nothing_changes(small_world):
    table = run(small_world, years=1).results()
    assert (series(table, "scrap_generated") == 0).all()
    assert (series(table, "scrap_recycled") == 0).all()


def test_recycler_cuts_both_feeds_in_proportion_within_capacity():
    fleet = RecyclerFleet(
        names=["a", "b"],
        regions=np.array([0, 1]),
        capacity=np.array([1e9, 60.0]),
        unit_cost=np.array([1.0, 1.0]),
        lead_months=24,
        rng=np.random.default_rng(0),
        collection_rate=np.array([0.4, 1.0]),
        recovery_rate=0.5,
        scrap_collection=np.array([0.8, 1.0]),
    )
    for _ in range(12):
        eol, scrap = fleet.recycle(
            np.array([100.0, 100.0]), np.array([1000.0, 1000.0]), np.ones(2), scrap_reo=np.array([50.0, 300.0])
        )
    assert eol[0] == pytest.approx(100.0 * 0.4 * 0.5, rel=0.01)
    assert scrap[0] == pytest.approx(50.0 * 0.8 * 0.5, rel=0.01)
    assert scrap[0] <= 50.0 * 0.8 * 0.5 + 1e-9, "never more than the collected scrap recovers"
    assert eol[1] + scrap[1] <= 60.0 / 12 + 1e-9, "never more than a month's capacity"
    assert scrap[1] / eol[1] == pytest.approx(300.0 / 100.0), "a short recycler cuts both feeds alike"
    np.testing.assert_allclose(fleet.output, eol + scrap)


def test_recovered_scrap_never_exceeds_collected_scrap_nor_capacity(small_data):
    model = RareEarthModel(build(with_scrap(small_data, collection=0.9)), years=3)
    recyclers = model.recyclers
    recyclers.capacity[recyclers.index_of("recycling_japan")] = 30.0  # a tight recycler
    size = len(model.regions)
    for _ in range(model.months):
        model.step()
        monthly = recyclers.by_region(recyclers.capacity, size) / 12.0
        assert (recyclers.output <= recyclers.capacity / 12.0 + 1e-9).all()
        assert (recyclers.scrap_output <= recyclers.scrap_available + 1e-12).all()
        assert (recyclers.by_region(recyclers.output, size) <= monthly + 1e-9).all()
    table = model.results()
    for region in (*REGIONS, "world"):
        generated = series(table, "scrap_generated", region=region)
        recovered = series(table, "scrap_recycled", region=region)
        assert (recovered <= 0.9 * 0.5 * generated + 1e-9).all(), region
    japan = series(table, "scrap_recycled", region="japan")[:24]  # before new capacity can arrive
    assert 0.9 * 30.0 / 12 < japan.max() <= 30.0 / 12 + 1e-9, "the tight recycler runs at capacity"
    assert series(table, "capacity_recycling", region="japan")[-1] > 30.0, "and orders more"
    assert series(table, "scrap_recycled", region="china").min() > 0


def net_imports(table: pd.DataFrame, region: str) -> float:
    """Mean t REO/month of NdPr and Dy/Tb oxide the region buys from other regions, less what
    it sells them: its oxide purchases on the market, net of its own recovered oxide."""
    return sum(mean(table, "imports", g, region) - mean(table, "exports", g, region) for g in ("ndpr", "dytb"))


def test_more_scrap_collection_means_more_recycled_oxide_and_fewer_purchases(small_data):
    small_data["dynamics"] = {"stockholders": {"enabled": False}}  # physical flows, not speculative stocks
    tables = {c: run(build(with_scrap(dict(small_data), collection=c)), years=2).results() for c in (0.1, 0.9)}
    low, high = tables[0.1], tables[0.9]
    for region in ("china", "japan"):
        assert mean(high, "scrap_recycled", region=region) > 3 * mean(low, "scrap_recycled", region=region)
        assert mean(high, "production", "ndpr", region) > mean(low, "production", "ndpr", region)
    # Japan makes magnets from imported oxide: recovering more of its scrap, it buys less abroad.
    assert net_imports(high, "japan") < net_imports(low, "japan") - 0.5 * (
        mean(high, "scrap_recycled", region="japan") - mean(low, "scrap_recycled", region="japan")
    )
    assert mean(high, "price", "ndpr") < mean(low, "price", "ndpr"), "more recovered oxide on the market"
    # The magnet makers need the same feed; more of it is recovered scrap.
    assert mean(high, "production", "magnet", "japan") == pytest.approx(
        mean(low, "production", "magnet", "japan"), rel=0.05
    )


def test_recycled_end_of_life_supply_keeps_its_meaning_and_bound_with_scrap(small_data):
    events = [RecyclingMandate(start="2024-02", region=r, collection_rate=1.0) for r in REGIONS]
    events.append(CollectionScheme(start="2024-01", region="usa", collection_rate=1.0))
    table = run(build(with_scrap(small_data, collection=1.0)), events, years=3).results()
    for region in (*REGIONS, "world"):
        recycled = series(table, "recycled", region=region)
        assert (recycled <= series(table, "end_of_life", region=region) + 1e-9).all(), region
        assert (recycled <= 0.5 * series(table, "end_of_life", region=region) + 1e-9).all(), region
        assert (
            series(table, "scrap_recycled", region=region) <= series(table, "scrap_generated", region=region) + 1e-9
        ).all(), region
    oxides = sum(series(table, "production", g) for g in ("ndpr", "dytb"))
    assert (oxides >= series(table, "recycled") + series(table, "scrap_recycled") - 1e-9).all()


def test_same_seed_same_run_with_scrap(small_data):
    scenario = build(with_scrap(small_data))
    first, second = (run(scenario, years=1, seed=5).results() for _ in range(2))
    pd.testing.assert_frame_equal(first, second, check_exact=True)


@SETTINGS
@given(
    scenario=scenarios(),
    seed=seeds,
    share=st.floats(0.0, 0.6),
    collection=st.floats(0.0, 1.0),
    recovery=st.floats(0.05, 1.0),
)
def test_material_balance_closes_with_scrap_in_play(scenario, seed, share, collection, recovery):
    recycling = scenario.recycling.model_copy(
        update={"scrap_share": share, "scrap_collection": collection, "recovery_rate": recovery}
    )
    scenario = scenario.model_copy(update={"recycling": recycling})
    result = simulate(scenario, seed, years=2)
    check_balance(result.table, result.model.months)
    assert min(result.lowest_stock) >= 0.0
    table = result.table
    generated, recovered = series(table, "scrap_generated"), series(table, "scrap_recycled")
    assert (recovered <= collection * recovery * generated + 1e-9).all()
    made = series(table, "production", "magnet")
    assert (generated >= share * 0.31 * made - 1e-6).all()


def test_baseline_recycles_scrap_but_keeps_end_of_life_recycling_below_one_percent(baseline):
    table = run(baseline, years=1).results()
    assert mean(table, "recycled") < 0.01 * mean(table, "end_of_life")
    scrap = mean(table, "scrap_generated")
    assert 0.2 * 0.3 * mean(table, "production", "magnet") < scrap
    assert mean(table, "scrap_recycled") == pytest.approx(
        baseline.recycling.scrap_collection * baseline.recycling.recovery_rate * scrap, rel=0.02
    )


def test_magnet_content_is_the_feed_less_its_scrap(baseline):
    model = RareEarthModel(baseline, years=1)
    recipe, recycling = baseline.goods.magnet, baseline.recycling
    content = (1 - recycling.scrap_share) * (recipe.ndpr_per_tonne + recipe.dytb_per_tonne)
    assert model.reo_per_magnet == pytest.approx(content)
    assert model.recorder.reo_per_unit[MAGNET] == pytest.approx(content)
