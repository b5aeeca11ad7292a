"""A sweep's folder is a Parquet dataset that pandas, pyarrow.dataset and duckdb read directly,
with failing runs in the same schema, and a manifest that names the code and its dependencies."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest
from _toml_text import dumps

from marketsim.sweep import execute, load_spec, run_sweep, spec_sources

CAPACITIES = [100000.0, 40000.0, -5.0]
"""The issue's grid, smaller: capacities ending with an invalid -5.0 (its runs fail)..."""
SPEEDS = [0.1, 0.3]
"""...times values of market.price_speed."""
OUTCOMES = [
    {"name": "japan_ndpr_peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "max"},
    {
        "name": "months_to_ndpr_1000",
        "metric": "price",
        "good": "ndpr",
        "region": "japan",
        "reduce": "time_to_threshold",
        "threshold": 1000.0,
    },
]
RUNS = len(CAPACITIES) * len(SPEEDS) * 2


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory, request) -> Path:
    from conftest import SMALL_WORLD  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("grid")
    (folder / "small.toml").write_text(dumps(SMALL_WORLD), encoding="utf-8")
    spec = {
        "sweep": {"name": "grid", "scenario": "small.toml", "years": 1, "design": "grid", "replications": 2},
        "parameters": {"mines.0.capacity": {"values": CAPACITIES}, "market.price_speed": {"values": SPEEDS}},
        "outcomes": OUTCOMES,
    }
    path = folder / "spec.toml"
    path.write_text(dumps(spec), encoding="utf-8")
    loaded, base = load_spec(path)
    flush = execute.FLUSH_RUNS
    execute.FLUSH_RUNS = 2  # parts with and without failures, as in the issue
    try:
        counts = run_sweep(loaded, base, folder / "out", workers=2, timeseries=True, sources=spec_sources(path))
    finally:
        execute.FLUSH_RUNS = flush
    assert counts == {"runs": RUNS, "skipped": 0, "ran": RUNS, "failed": RUNS // 3}
    return folder


def check_table(table: pd.DataFrame) -> None:
    assert len(table) == RUNS * len(OUTCOMES)
    assert {"run_id", "point", "replication", "seed", "outcome", "value", "censored", "error"} <= set(table.columns)
    assert {"mines.0.capacity", "market.price_speed"} <= set(table.columns)
    failed = table[table["mines.0.capacity"] == -5.0]
    assert len(failed) == RUNS // 3 * len(OUTCOMES)
    assert failed["error"].str.contains("capacity").all()
    good = table[table["mines.0.capacity"] > 0]
    assert good["error"].isna().all()
    assert sorted(table["market.price_speed"].unique()) == SPEEDS
    assert table.groupby("run_id")["seed"].nunique().eq(1).all()
    assert table["seed"].nunique() == RUNS


def test_pandas_reads_the_results_folder(grid_sweep):
    parts = list((grid_sweep / "out" / "results").glob("part-*.parquet"))
    assert len(parts) >= 3
    check_table(pd.read_parquet(grid_sweep / "out" / "results"))


def test_pyarrow_dataset_reads_the_results_folder(grid_sweep):
    table = ds.dataset(grid_sweep / "out" / "results", format="parquet").to_table().to_pandas()
    check_table(table)


def test_duckdb_reads_the_results_and_series(grid_sweep):
    duckdb = pytest.importorskip("duckdb")
    out = grid_sweep / "out"
    table = duckdb.sql(f"select * from read_parquet('{out}/results/*.parquet')").df()
    check_table(table)
    series = duckdb.sql(
        f"select run_id, seed, date, value, \"market.price_speed\" from read_parquet('{out}/series/*.parquet')"
    ).df()
    assert len(series) == (RUNS - RUNS // 3) * len(OUTCOMES) * 12
    assert sorted(series["date"].unique())[:2] == ["2024-01", "2024-02"]


def test_censored_outcomes_are_flagged_not_hidden(grid_sweep):
    table = pd.read_parquet(grid_sweep / "out" / "results")
    never = table[(table["outcome"] == "months_to_ndpr_1000") & table["error"].isna()]
    assert never["censored"].all() and never["value"].isna().all()
    assert not table[table["outcome"] == "japan_ndpr_peak"]["censored"].any()


def test_manifest_names_the_code_dependencies_and_full_texts(grid_sweep):
    manifest = json.loads((grid_sweep / "out" / "manifest.json").read_text())
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert manifest["code_version"]["kind"] == "git"
    assert manifest["code_version"]["commit"] == head
    assert manifest["dependencies"]["numpy"] == np.__version__
    assert manifest["dependencies"]["pandas"] == pd.__version__
    assert manifest["python_version"] and manifest["platform"]
    assert manifest["spec_text"] == (grid_sweep / "spec.toml").read_text()
    assert manifest["scenario_text"] == (grid_sweep / "small.toml").read_text()
    assert manifest["scenario"]["scenario"]["name"] == "small"
    assert [c["name"] for c in manifest["schemas"]["results"]][:4] == ["run_id", "point", "replication", "seed"]


def test_analyze_reports_failures_censoring_and_seed_noise(grid_sweep):
    from marketsim.sweep.analyze import analyze  # noqa: PLC0415

    written, notes = analyze(grid_sweep / "out")
    assert grid_sweep / "out" / "analysis" / "summary.csv" in written
    summary = pd.read_csv(grid_sweep / "out" / "analysis" / "summary.csv").set_index("outcome")
    assert summary.loc["japan_ndpr_peak", "failed"] == RUNS // 3
    assert summary.loc["months_to_ndpr_1000", "censored"] == RUNS - RUNS // 3
    peak = summary.loc["japan_ndpr_peak"]
    assert peak["mean_ci_low"] <= peak["mean"] <= peak["mean_ci_high"]
    assert 0.0 <= peak["seed_share"] <= 1.0
    assert any("never reached the threshold" in note for note in notes)
    assert any("runs failed" in note for note in notes)
    seeds = pd.read_csv(grid_sweep / "out" / "analysis" / "seed_variance.csv")
    assert {"outcome", "point", "runs", "std", "share_of_total_variance"} <= set(seeds.columns)
    assert (grid_sweep / "out" / "analysis" / "notes.txt").read_text().count("\n") == len(notes)
    assert not list((grid_sweep / "out").glob(".analysis-*"))
