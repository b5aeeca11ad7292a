"""Property-based invariants of the model over seeds, perturbed configs and random trade policies."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_WORLD
from hypothesis import given
from hypothesis import strategies as st
from invariant_worlds import (
    CONFIGS,
    FIRST,
    SETTINGS,
    Run,
    check_balance,
    goods_lists,
    in_force,
    label,
    month_number,
    scenarios,
    seeds,
    series,
    simulate,
    tonnes,
)

from marketsim.reports.metrics import CATALOGUE
from marketsim.scenario.loading import load_scenario, validate_scenario
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import GOODS


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_material_balance_closes_every_tick(scenario, seed):
    run = simulate(scenario, seed)
    check_balance(run.table, run.model.months)


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_no_negative_stocks_or_flows(scenario, seed):
    run = simulate(scenario, seed)
    worst = int(np.argmin(run.lowest_stock))
    assert run.lowest_stock[worst] >= 0.0, f"negative stock {run.lowest_stock[worst]} after tick {worst}"
    assert (run.flows >= 0).all(), "negative traded tonnage"
    table = run.table
    quantities = [
        "production",
        "consumption",
        "exports",
        "imports",
        "stockpile",
        "unmet_demand",
        "recycled",
        "end_of_life",
        "capacity_mining",
        "capacity_separation",
        "capacity_magnets",
        "capacity_recycling",
    ]
    rows = table[table["metric"].isin(quantities)]
    negative = rows[rows["value"] < -1e-9]
    assert negative.empty, f"negative quantities:\n{negative.head(10)}"


ALWAYS_DEFINED = [
    "price",
    "seller_price",
    "production",
    "consumption",
    "unmet_demand",
    "stockpile",
    "exports",
    "imports",
]
"""Metrics defined for every good in every region and the world, every tick."""


def check_complete(table: pd.DataFrame, ticks: int, regions: list[str]) -> None:
    """Cells that are always defined are all there: a NaN or infinity would leave a gap."""
    cells = set(
        zip(
            table["tick"],
            table["metric"].astype(str),
            table["good"].astype(str),
            table["region"].astype(str),
            strict=True,
        )
    )
    everywhere = [*regions, "world"]
    expected = {(t, m, g, r) for t in range(ticks) for m in ALWAYS_DEFINED for g in GOODS for r in everywhere}
    # China's share of a stage is undefined (left out) in months when nobody produces at it.
    world_output = table[(table["metric"] == "production") & (table["region"] == "world")]
    stage_good = {
        "china_share_mining": ["concentrate"],
        "china_share_magnets": ["magnet"],
        "china_share_separation": ["lace"],
    }  # recycling makes NdPr and Dy/Tb, never La/Ce
    for metric in CATALOGUE:
        if metric.name in stage_good:
            made = world_output[world_output["good"].isin(stage_good[metric.name])].groupby("tick")["value"].sum()
            expected |= {(t, metric.name, "all", "world") for t in range(ticks) if made.get(t, 0.0) > 0}
        elif metric.layout == "world":
            expected |= {(t, metric.name, "all", "world") for t in range(ticks)}
        elif metric.layout == "region":
            expected |= {(t, metric.name, "all", r) for t in range(ticks) for r in everywhere}
    missing = sorted(expected - cells)
    assert not missing, f"{len(missing)} cells missing, e.g. {missing[:5]}"


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_results_are_finite_complete_and_bounded(scenario, seed):
    run = simulate(scenario, seed)
    table = run.table
    values = table["value"].to_numpy()
    assert np.isfinite(values).all(), f"non-finite values:\n{table[~np.isfinite(values)].head(10)}"
    check_complete(table, run.model.months, run.model.regions)
    prices = table[table["metric"].isin(["price", "seller_price"])]
    assert (prices["value"] > 0).all(), f"non-positive prices:\n{prices[prices['value'] <= 0].head()}"
    shares = table[table["metric"].astype(str).str.match(r"(china_share|dependency)_")]
    assert shares["value"].between(-1e-9, 1 + 1e-9).all(), shares[~shares["value"].between(0, 1)].head()
    hhi = table[table["metric"].astype(str).str.startswith("hhi_")]
    assert hhi["value"].between(0, 10_000 + 1e-6).all()


def exports_by_tick(table: pd.DataFrame, ticks: int, regions: list[str]) -> np.ndarray:
    """(ticks, goods, regions) exports metric."""
    rows = table[(table["metric"] == "exports") & table["good"].isin(GOODS) & table["region"].isin(regions)]
    cube = rows.pivot_table(index="tick", columns=["good", "region"], values="value", observed=True)
    cube = cube.reindex(index=range(ticks), columns=pd.MultiIndex.from_product([GOODS, regions]))
    return cube.to_numpy().reshape(ticks, len(GOODS), len(regions))


def check_quotas(run: Run, scenario: Scenario) -> None:
    model, ticks = run.model, run.model.months
    exports_metric = exports_by_tick(run.table, ticks, model.regions)
    foreign = ~np.eye(len(model.regions), dtype=bool)
    exports_flows = (run.flows * foreign).sum(axis=3)
    first = month_number(scenario.scenario.start)
    for event in scenario.events:
        if event.type != "export_quota":
            continue
        origin = model.region_index[event.region]
        goods = [GOODS.index(g) for g in event.goods]
        limit = event.tonnes_per_year / 12.0
        for tick in range(ticks):
            if not in_force(event, first + tick):
                continue
            for name, exports in (("exports metric", exports_metric), ("cleared flows", exports_flows)):
                shipped = exports[tick, goods, origin].sum()
                assert shipped <= limit * (1 + 1e-9) + 1e-6, (
                    f"{name}: {event.region} exported {shipped:.6g} t of {event.goods} in "
                    f"{model.date_of(tick)} under a quota of {limit:.6g} t/month ({event})"
                )


def check_bans(run: Run, scenario: Scenario) -> None:
    model, ticks = run.model, run.model.months
    first = month_number(scenario.scenario.start)
    for event in scenario.events:
        closed = event.type == "export_ban" or (event.type == "export_licence" and event.approval_rate == 0)
        if not closed:
            continue
        origin = model.region_index[event.region]
        targets = event.destinations or [r for r in model.regions if r != event.region]
        destinations = [model.region_index[r] for r in targets if r != event.region]
        goods = [GOODS.index(g) for g in event.goods]
        for tick in range(ticks):
            if in_force(event, first + tick):
                shipped = run.flows[tick][np.ix_(goods, [origin], destinations)]
                assert (shipped == 0).all(), (
                    f"{shipped.sum():.6g} t flowed on a closed route in {model.date_of(tick)} ({event})"
                )


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_export_quotas_and_bans_hold(scenario, seed):
    run = simulate(scenario, seed)
    check_quotas(run, scenario)
    check_bans(run, scenario)


@SETTINGS
@given(
    seed=seeds,
    quota=tonnes(60_000.0),
    goods=goods_lists,
    start=st.integers(0, 24),
    ban_goods=goods_lists,
    ban_to=st.sampled_from([[], ["japan"], ["usa"], ["usa", "japan"]]),
)
def test_china_quota_and_ban_on_small_world(seed, quota, goods, start, ban_goods, ban_to):
    data = copy.deepcopy(SMALL_WORLD)
    data["events"] = [
        {
            "type": "export_quota",
            "region": "china",
            "tonnes_per_year": quota,
            "goods": goods,
            "start": label(FIRST + start),
        },
        {
            "type": "export_ban",
            "region": "china",
            "goods": ban_goods,
            "destinations": ban_to,
            "start": label(FIRST + start + 3),
            "end": label(FIRST + start + 15),
        },
    ]
    scenario = validate_scenario(data, "quota and ban")
    run = simulate(scenario, seed)
    check_quotas(run, scenario)
    check_bans(run, scenario)


def test_two_export_quotas_on_different_goods_both_hold(small_data):
    small_data["events"] = [
        {"type": "export_quota", "region": "china", "tonnes_per_year": 1200.0, "goods": ["lace"], "start": "2024-01"},
        {
            "type": "export_quota",
            "region": "china",
            "tonnes_per_year": 120_000.0,
            "goods": ["ndpr"],
            "start": "2024-01",
        },
    ]
    scenario = validate_scenario(small_data, "two quotas")
    check_quotas(simulate(scenario, seed=1, years=1), scenario)


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_same_seed_gives_identical_results(scenario, seed):
    first, second = simulate(scenario, seed), simulate(scenario, seed)
    pd.testing.assert_frame_equal(first.table, second.table, check_exact=True)
    np.testing.assert_array_equal(first.flows, second.flows)


@SETTINGS
@given(scenario=scenarios(noisy=True), seeds=st.lists(seeds, min_size=2, max_size=2, unique=True))
def test_different_seeds_give_different_results(scenario, seeds):
    first, second = (simulate(scenario, seed).table for seed in seeds)
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(first, second, check_exact=True)
    demand = [series(t, "consumption", "magnet").to_numpy() for t in (first, second)]
    assert not np.array_equal(*demand)


@SETTINGS
@given(scenario=scenarios(), seed=seeds)
def test_shorter_run_is_a_prefix_of_a_longer_one(scenario, seed):
    short, long = simulate(scenario, seed, years=1).table, simulate(scenario, seed).table
    prefix = long[long["tick"] < 12].reset_index(drop=True)
    for column in ("tick", "date", "metric", "good", "region"):
        assert short[column].astype(str).tolist() == prefix[column].astype(str).tolist(), column
    np.testing.assert_array_equal(short["value"].to_numpy(), prefix["value"].to_numpy())


SHIPPED = sorted(CONFIGS.glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_configs_keep_the_invariants(path):
    scenario = load_scenario(path)
    run = simulate(scenario, seed=scenario.scenario.seed, years=min(scenario.scenario.years, 3))
    check_balance(run.table, run.model.months)
    assert min(run.lowest_stock) >= 0.0
    assert np.isfinite(run.table["value"].to_numpy()).all()
    check_complete(run.table, run.model.months, run.model.regions)
    check_quotas(run, scenario)
    check_bans(run, scenario)
