"""`marketsim sweep` and `marketsim analyze`: in-process for error handling, as the real script for runs."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from _toml_text import dumps
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.sweep import read_results, read_series
from marketsim.sweep.analyze import analyze

SCRIPT = Path(sys.executable).parent / "marketsim"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "marketsim.cli"]
OUTCOMES = [
    {"name": "japan_ndpr_peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "max"},
    {"name": "china_ndpr_mean", "metric": "price", "good": "ndpr", "region": "china", "reduce": "mean"},
]
PARAMETERS = {
    "mines.0.capacity": {"range": [1000.0, 100000.0]},
    "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]},
}


def marketsim(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [*COMMAND, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


class CliResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def report(proc: subprocess.CompletedProcess | CliResult) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def assert_clean_failure(proc: subprocess.CompletedProcess | CliResult, *parts: str) -> None:
    assert proc.returncode == 2, report(proc)
    assert "error:" in proc.stderr, report(proc)
    assert "Traceback" not in proc.stderr + proc.stdout, report(proc)
    missing = [part for part in parts if part not in proc.stderr]
    assert not missing, f"stderr lacks {missing}\n{report(proc)}"


def spec_data(**sweep) -> dict:
    return {
        "sweep": {
            "name": "cli",
            "scenario": "small.toml",
            "years": 1,
            "design": "lhs",
            "samples": 3,
            "root_seed": 5,
            **sweep,
        },
        "parameters": copy.deepcopy(PARAMETERS),
        "outcomes": copy.deepcopy(OUTCOMES),
    }


@pytest.fixture
def folder(tmp_path, small_data) -> Path:
    (tmp_path / "small.toml").write_text(dumps(small_data), encoding="utf-8")
    return tmp_path


def write_spec(folder: Path, data: dict, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(dumps(data), encoding="utf-8")
    return path


# ----------------------------------------------------------------- bad specs


def _unknown_key(data):
    data["sweep"]["smaples"] = 4
    return ["sweep.smaples", "unknown key"]


def _values_in_sobol(data):
    data["sweep"]["design"] = "sobol"
    data["parameters"]["mines.0.capacity"] = {"values": [1000.0, 2000.0]}
    return ["mines.0.capacity", "categorical", "use design = 'grid' or 'lhs'"]


def _no_such_index(data):
    data["parameters"]["mines.7.capacity"] = {"range": [1.0, 2.0]}
    return ["parameters.mines.7.capacity"]


def _no_such_setting(data):
    data["parameters"]["sectors.ev.elasticity_shrt"] = {"range": [-0.3, -0.02]}
    return ["sectors.ev.elasticity_shrt", "no setting"]


def _unknown_metric(data):
    data["outcomes"][0]["metric"] = "prise"
    return ["outcomes.0", "unknown metric 'prise'"]


def _threshold_missing(data):
    data["outcomes"][0]["reduce"] = "time_to_threshold"
    return ["outcomes.0", "threshold"]


def _missing_base(data):
    data["sweep"]["scenario"] = "nowhere.toml"
    return ["nowhere.toml", "no such scenario file"]


def _empty_range(data):
    data["parameters"]["mines.0.capacity"] = {"range": [5.0, 5.0]}
    return ["parameters.mines.0.capacity", "low < high"]


def _no_outcomes(data):
    data["outcomes"] = []
    return ["outcomes"]


BAD_SPECS = [
    _unknown_key,
    _values_in_sobol,
    _no_such_index,
    _no_such_setting,
    _unknown_metric,
    _threshold_missing,
    _missing_base,
    _empty_range,
    _no_outcomes,
]


def cli(*args) -> CliResult:
    """The same command in-process (fast); the exit status and streams are those of the script."""
    result = CliRunner().invoke(app, [*map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"the command raised instead of reporting an error:\n{trace}")
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("spoil", BAD_SPECS, ids=[f.__name__.strip("_") for f in BAD_SPECS])
def test_bad_spec_is_a_clear_error(folder, spoil):
    data = spec_data()
    expected = spoil(data)
    path = write_spec(folder, data)
    where = str(folder / "nowhere.toml") if spoil is _missing_base else str(path)
    proc = cli("sweep", path, "--out", folder / "out", "--quiet")
    assert_clean_failure(proc, "invalid sweep", where, *expected)
    assert not (folder / "out").exists()


def test_error_text_in_square_brackets_is_printed_verbatim(folder):
    """Messages such as "range must be [low, high]" reach the terminal whole (not eaten as markup)."""
    data = spec_data()
    data["parameters"]["mines.0.capacity"] = {"range": [5.0, 5.0]}
    proc = cli("sweep", write_spec(folder, data), "--quiet")
    assert_clean_failure(proc, "range must be [low, high] with low < high, got [5.0, 5.0]")
    data = spec_data(design="morris")
    data["parameters"]["mines.0.capacity"] = {"values": [1000.0, 2000.0]}
    proc = cli("sweep", write_spec(folder, data), "--quiet")
    assert_clean_failure(proc, "needs continuous parameters (range = [low, high])")


def test_missing_spec_file_is_a_clear_error(folder):
    proc = cli("sweep", folder / "absent.toml", "--quiet")
    assert_clean_failure(proc, "absent.toml", "no such")


# The console script itself, in a subprocess: exit status 2 and no traceback.


def test_script_malformed_toml_is_a_clear_error(folder):
    path = folder / "spec.toml"
    path.write_text('[sweep]\nname = "cli\nscenario = "small.toml"\n', encoding="utf-8")
    proc = marketsim("sweep", path, "--out", folder / "out", "--quiet", cwd=folder)
    assert_clean_failure(proc, "invalid sweep", str(path), "not valid TOML")
    assert not (folder / "out").exists()


def test_script_unknown_parameter_path_is_a_clear_error(folder):
    data = spec_data()
    expected = _no_such_setting(data)
    path = write_spec(folder, data)
    proc = marketsim("sweep", path, "--out", folder / "out", "--quiet", cwd=folder)
    assert_clean_failure(proc, "invalid sweep", str(path), *expected)


# ----------------------------------------------------------------- sweep, resume, analyze


def test_sweep_then_rerun_then_resume(folder):
    path = write_spec(folder, spec_data(replications=2))
    out = folder / "out"
    proc = marketsim("sweep", path, "--out", out, "--workers", "1", "--quiet", cwd=folder)
    assert proc.returncode == 0, report(proc)
    assert "6 runs done (0 failed)" in proc.stdout, report(proc)
    results = read_results(out)
    assert len(results) == 6 * len(OUTCOMES)
    shown = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert shown == ["design.parquet", "manifest.json", "results", "series"]

    again = cli("sweep", path, "--out", out, "--workers", "1", "--quiet")
    assert_clean_failure(again, "--resume")

    other = write_spec(folder, spec_data(replications=3), name="other.toml")
    clash = cli("sweep", other, "--out", out, "--workers", "1", "--quiet", "--resume")
    assert_clean_failure(clash, "different sweep")

    resumed = cli("sweep", path, "--out", out, "--workers", "1", "--quiet", "--resume")
    assert resumed.returncode == 0, report(resumed)
    assert "0 runs done" in resumed.stdout and "6 already done" in resumed.stdout, report(resumed)
    pd.testing.assert_frame_equal(read_results(out), results)


def test_analyze_sobol_sweep_writes_indices_and_plots(folder):
    path = write_spec(folder, spec_data(design="sobol", samples=8))
    out = folder / "sobol"
    proc = marketsim("sweep", path, "--out", out, "--workers", "2", "--quiet", cwd=folder)
    assert proc.returncode == 0, report(proc)
    assert len(read_results(out)) == 8 * (len(PARAMETERS) + 2) * len(OUTCOMES)

    proc = marketsim("analyze", out, cwd=folder)
    assert proc.returncode == 0, report(proc)
    analysis = out / "analysis"
    indices = pd.read_csv(analysis / "sobol_indices.csv")
    assert {"outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    pairs = sorted(zip(indices["outcome"], indices["parameter"], strict=True))
    assert pairs == sorted((o["name"], p) for o in OUTCOMES for p in PARAMETERS)
    assert np.isfinite(indices[["S1", "ST"]].to_numpy()).all(), indices
    for outcome in OUTCOMES:
        png = analysis / f"sobol_{outcome['name']}.png"
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    summary = pd.read_csv(analysis / "summary.csv")
    assert sorted(summary["outcome"]) == sorted(o["name"] for o in OUTCOMES)
    assert (summary["runs"] == 32).all() and (summary["failed"] == 0).all()
    for name in ("summary.csv", "sobol_indices.csv"):
        assert str(analysis / name) in proc.stdout.replace("\n", ""), report(proc)


def test_analyze_timeseries_sweep_writes_fan_charts(folder):
    path = write_spec(folder, spec_data(samples=4))
    out = folder / "fans"
    proc = marketsim("sweep", path, "--out", out, "--workers", "1", "--timeseries", "--quiet", cwd=folder)
    assert proc.returncode == 0, report(proc)
    series = read_series(out)
    assert {"run_id", "point", "outcome", "tick", "value"} <= set(series.columns)
    lengths = series.groupby(["run_id", "outcome"])["tick"].agg(["size", "min", "max"])
    assert len(lengths) == 4 * len(OUTCOMES)
    assert (lengths["size"] == 12).all() and (lengths["min"] == 0).all() and (lengths["max"] == 11).all()

    proc = marketsim("analyze", out, cwd=folder)
    assert proc.returncode == 0, report(proc)
    analysis = out / "analysis"
    quantiles = pd.read_csv(analysis / "fan_quantiles.csv")
    assert {"outcome", "tick", "q05", "q25", "q50", "q75", "q95"} <= set(quantiles.columns)
    assert len(quantiles) == 12 * len(OUTCOMES)
    for outcome in OUTCOMES:
        for kind in ("fan", "scatter"):
            png = analysis / f"{kind}_{outcome['name']}.png"
            assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert not (analysis / "sobol_indices.csv").exists()


def test_analyze_without_series_writes_no_fans_and_morris_writes_indices(folder):
    path = write_spec(folder, spec_data(design="morris", samples=4, levels=4))
    out = folder / "morris"
    proc = marketsim("sweep", path, "--out", out, "--workers", "2", "--quiet", cwd=folder)
    assert proc.returncode == 0, report(proc)
    written, _ = analyze(out)
    names = sorted(p.name for p in written)
    assert not [n for n in names if n.startswith("fan")], names
    indices = pd.read_csv(out / "analysis" / "morris_indices.csv")
    assert {"outcome", "parameter", "mu_star", "sigma"} <= set(indices.columns)
    assert len(indices) == len(OUTCOMES) * len(PARAMETERS)
    assert np.isfinite(indices["mu_star"]).all()
    for outcome in OUTCOMES:
        assert (out / "analysis" / f"morris_{outcome['name']}.png").exists()


def test_analyze_on_a_folder_that_is_not_a_sweep(folder):
    proc = cli("analyze", folder)
    assert_clean_failure(proc, "not a sweep folder")
