"""Metrics: concentration, China's share of each stage and importers' dependency."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from simkit import build, run, series

from marketsim.policy.events import ExportLicence
from marketsim.reports.derivation import Derived, derive
from marketsim.reports.metrics import CATALOGUE, PROJECT_PHASES, hhi, stock_cover
from marketsim.vocabulary import POLICY_STAGES, STAGES

OXIDES = ("ndpr", "dytb", "lace")


# ------------------------------------------------------------------ HHI
def test_hhi_of_a_monopoly_is_10000():
    assert hhi(np.array([0.0, 42.0, 0.0])) == pytest.approx(10000.0)


def test_hhi_of_two_equal_producers_is_5000():
    assert hhi(np.array([7.0, 7.0])) == pytest.approx(5000.0)


@pytest.mark.parametrize("producers", [3, 4, 10])
def test_hhi_of_equal_producers_is_10000_over_their_number(producers):
    assert hhi(np.full(producers, 3.0)) == pytest.approx(10000.0 / producers)


def test_hhi_does_not_depend_on_units_and_rises_with_concentration():
    shares = np.array([60.0, 30.0, 10.0])
    assert hhi(shares) == pytest.approx(3600 + 900 + 100)
    assert hhi(shares * 1000) == pytest.approx(hhi(shares))
    assert hhi(np.array([80.0, 10.0, 10.0])) > hhi(shares)


def test_hhi_of_nothing_is_zero():
    assert hhi(np.zeros(3)) == 0.0


# ------------------------------------------------------------------ stage shares in the results
@pytest.fixture(scope="module")
def baseline_year(baseline):
    model = run(baseline, years=1)
    return model.regions, model.results()


def stage_output(table, regions, stage: str) -> np.ndarray:
    """(regions, ticks) output of a stage read from the production table."""
    if stage == "mining":
        return np.array([series(table, "production", "concentrate", r) for r in regions])
    if stage == "magnets":
        return np.array([series(table, "production", "magnet", r) for r in regions])
    # Separation: oxides made, less those recovered by recycling (end-of-life magnets and scrap).
    return np.array(
        [
            sum(series(table, "production", g, r) for g in OXIDES)
            - series(table, "recycled", region=r)
            - series(table, "scrap_recycled", region=r)
            for r in regions
        ]
    )


@pytest.mark.parametrize("stage", STAGES)
def test_china_share_equals_china_output_over_world_output(baseline_year, stage):
    regions, table = baseline_year
    output = stage_output(table, regions, stage)
    expected = output[regions.index("china")] / output.sum(axis=0)
    np.testing.assert_allclose(series(table, f"china_share_{stage}"), expected, rtol=1e-6)


@pytest.mark.parametrize("stage", STAGES)
def test_hhi_metric_matches_regional_output(baseline_year, stage):
    regions, table = baseline_year
    output = stage_output(table, regions, stage)
    expected = [hhi(output[:, t]) for t in range(output.shape[1])]
    np.testing.assert_allclose(series(table, f"hhi_{stage}"), expected, rtol=1e-6)


def test_world_production_is_the_sum_over_regions(baseline_year):
    regions, table = baseline_year
    for good in ("concentrate", "ndpr", "dytb", "lace", "magnet"):
        total = sum(series(table, "production", good, r) for r in regions)
        np.testing.assert_allclose(series(table, "production", good, "world"), total, rtol=1e-9)


# ------------------------------------------------------------------ dependency
def test_dependency_metrics_lie_between_zero_and_one(baseline):
    licence = ExportLicence(start="2024-06", region="china", approval_rate=0.3)
    table = run(baseline, [licence], years=2).results()
    dependency = table[table["metric"].astype(str).str.startswith("dependency_")]
    assert set(dependency["metric"].astype(str)) == {f"dependency_{s}" for s in STAGES}
    assert len(dependency) > 0
    assert dependency["value"].between(0.0, 1.0).all()


def test_importer_buying_only_chinese_magnets_depends_on_china_fully(small_data):
    """With no magnet plant outside China, every magnet the USA and Japan use was made in China,
    from the first month on."""
    data = copy.deepcopy(small_data)
    data["magnet_plants"] = [p for p in data["magnet_plants"] if p["region"] == "china"]
    table = run(build(data), years=1).results()
    for region in ("usa", "japan", "world"):
        dependency = series(table, "dependency_magnets", "magnet", region)
        assert np.isfinite(dependency).all()
        np.testing.assert_allclose(dependency, 1.0, atol=1e-6, err_msg=region)


def test_importer_with_its_own_magnet_plants_depends_less(small_world):
    table = run(small_world, years=2).results()
    japan = series(table, "dependency_magnets", "magnet", "japan")[12:]
    china = series(table, "dependency_magnets", "magnet", "china")[12:]
    assert (japan < china).all()


def test_every_catalogued_metric_is_recorded(small_world):
    table = run(small_world, years=1).results()
    assert set(table["metric"].astype(str)) == {m.name for m in CATALOGUE}


# ------------------------------------------------------------------ world columns of derive
TOTALLED = ("recycled", "end_of_life", "scrap_generated", "scrap_recycled", "allies", "public_spending")


def test_region_metrics_world_column_is_the_total_of_the_regions(baseline):
    model = run(baseline, years=1)
    metrics, raw = model.recorder.metrics(), model.recorder.raw
    names = [f"capacity_{s}" for s in (*STAGES, "recycling")] + [f"projects_{p}" for p in PROJECT_PHASES]
    for name in (*names, *TOTALLED, "environmental_burden"):
        values = metrics[name]
        assert values.shape == (12, len(model.regions) + 1), name
        np.testing.assert_allclose(values[:, -1], values[:, :-1].sum(axis=1), rtol=1e-12, err_msg=name)
    np.testing.assert_array_equal(metrics["capacity_mining"][:, :-1], raw["capacity"][:, 0])
    np.testing.assert_array_equal(metrics["projects_stalled"][:, :-1], raw["projects"][:, -1])


def test_unit_cost_world_column_is_weighted_by_capacity(baseline):
    model = run(baseline, years=1)
    metrics, raw = model.recorder.metrics(), model.recorder.raw
    for k, stage in enumerate(POLICY_STAGES):
        cost, capacity = raw["unit_cost"][:, k], raw["capacity"][:, k]
        expected = (cost * capacity).sum(axis=1) / capacity.sum(axis=1)
        np.testing.assert_allclose(metrics[f"unit_cost_{stage}"][:, -1], expected, rtol=1e-12, err_msg=stage)
        np.testing.assert_array_equal(metrics[f"unit_cost_{stage}"][:, :-1], cost)


def test_good_region_metrics_have_an_all_row_of_nan_and_world_totals(baseline):
    model = run(baseline, years=1)
    metrics = model.recorder.metrics()
    for name in ("production", "consumption", "unmet_demand", "stockpile", "exports", "imports"):
        values = metrics[name]
        assert np.isnan(values[:, -1]).all(), name
        np.testing.assert_allclose(values[:, :-1, -1], values[:, :-1, :-1].sum(axis=-1), rtol=1e-12, err_msg=name)
    flows = model.recorder.raw["flows"]
    smuggled = metrics["smuggled"][:, :-1, -1]  # counted in importers' imports, not in exporters' exports
    np.testing.assert_allclose(
        metrics["exports"][:, :-1, -1] + smuggled, metrics["imports"][:, :-1, -1], rtol=1e-9, atol=1e-9
    )
    assert metrics["exports"][:, :-1, :-1].sum() == pytest.approx(flows.sum() - np.einsum("tgii->", flows))


def test_stock_cover_over_a_trace_of_use_does_not_apply():
    """Months of cover are stock over use; over no use or a trace of it (a licence letting through
    2e-309 of a good once made it overflow to infinity and the run was refused) they do not apply."""
    stock = np.array([1.0, 1.0, 1.0, 0.0])
    use = np.array([2.0, 0.0, 2.225e-309, 0.5])
    cover = stock_cover(stock, use)
    assert cover[0] == 0.5 and cover[3] == 0.0
    assert np.isnan(cover[1:3]).all()


# ------------------------------------------------------------------ metrics derived on demand
def test_metrics_derived_on_demand_equal_those_derived_all_at_once(small_world):
    model = run(small_world, years=1)
    raw = {name: values[: model.tick] for name, values in model.recorder.raw.items()}
    every = derive(raw, model.recorder.china, model.recorder.reo_per_unit)
    assert set(every) == {metric.name for metric in CATALOGUE}
    for name in reversed(list(every)):  # each read alone, in another order than derive's
        lazy = Derived(raw, model.recorder.china, model.recorder.reo_per_unit)
        assert lazy[name].tobytes() == every[name].tobytes(), name


def test_reading_one_metric_derives_only_its_group(small_world):
    model = run(small_world, years=1)
    raw = {name: values[: model.tick] for name, values in model.recorder.raw.items()}
    lazy = Derived(raw, model.recorder.china, model.recorder.reo_per_unit)
    lazy["china_share_separation"]
    assert "china_share_separation" in lazy.computed
    assert "price" not in lazy.computed and "capacity_mining" not in lazy.computed
    assert len(lazy) == len(CATALOGUE) and set(lazy) == {metric.name for metric in CATALOGUE}
