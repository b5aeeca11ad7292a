"""Every bad input of issue 15 gets one clear sentence and a non-zero exit, never a traceback."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from _toml_text import dumps
from test_sweep_cli import assert_clean_failure, cli, report, spec_data, write_spec

from marketsim.reports.metrics import NonFiniteOutput
from marketsim.sweep.store import FolderLock


@pytest.fixture
def folder(tmp_path, small_data) -> Path:
    (tmp_path / "small.toml").write_text(dumps(small_data), encoding="utf-8")
    return tmp_path


def small_spec(**sweep) -> dict:
    return spec_data(**{"samples": 2, **sweep})


# ----------------------------------------------------------------- --out


def test_out_that_is_a_file(folder):
    (folder / "taken").write_text("x")
    proc = cli("sweep", write_spec(folder, small_spec()), "--out", folder / "taken", "--quiet")
    assert_clean_failure(proc, "taken is a file, not a folder")


def test_out_under_a_file(folder):
    (folder / "taken").write_text("x")
    proc = cli("sweep", write_spec(folder, small_spec()), "--out", folder / "taken" / "sub", "--quiet")
    assert_clean_failure(proc, "cannot be created", "taken is a file")


def test_out_read_only(folder):
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = cli("sweep", write_spec(folder, small_spec()), "--out", locked, "--quiet")
        assert_clean_failure(proc, "is read-only")
        proc = cli("sweep", write_spec(folder, small_spec()), "--out", locked / "new", "--quiet")
        assert_clean_failure(proc, "cannot be created", "is read-only")
    finally:
        locked.chmod(0o755)
    assert not list(locked.iterdir())


# ----------------------------------------------------------------- the spec


def test_sweep_too_big_for_memory_is_refused_up_front(folder):
    proc = cli("sweep", write_spec(folder, spec_data(samples=1_000_000, replications=10_000)), "--quiet")
    assert_clean_failure(proc, "10,000,000,000 runs", "GB", "fewer samples")


def test_range_with_infinity(folder):
    data = small_spec()
    data["parameters"]["mines.0.capacity"] = {"range": [0.0, float("inf")]}
    proc = cli("sweep", write_spec(folder, data), "--quiet")
    assert_clean_failure(proc, "invalid sweep", "parameters.mines.0.capacity.range", "finite")


def test_range_outside_the_parameters_valid_range(folder):
    data = small_spec()
    data["parameters"]["sectors.ev.elasticity_short"] = {"range": [-0.3, 0.5]}
    proc = cli("sweep", write_spec(folder, data), "--out", folder / "out", "--quiet")
    assert_clean_failure(proc, "parameters.sectors.ev.elasticity_short", "goes outside", "less than or equal to 0")
    assert not (folder / "out").exists()


def test_range_over_a_whole_number_setting(folder):
    data = small_spec()
    data["parameters"] = {"behaviour.clearing_rounds": {"range": [1, 5]}}
    proc = cli("sweep", write_spec(folder, data), "--out", folder / "out", "--quiet")
    assert_clean_failure(proc, "parameters.behaviour.clearing_rounds", "whole numbers", "values = [...]")
    assert not (folder / "out").exists()


def test_list_with_no_valid_value(folder):
    data = small_spec(design="grid")
    data["parameters"] = {"mines.0.capacity": {"values": [-1.0, -5.0]}}
    proc = cli("sweep", write_spec(folder, data), "--quiet")
    assert_clean_failure(proc, "parameters.mines.0.capacity", "no value in the list is valid")


@pytest.mark.parametrize(
    ("key", "typo", "expected"), [("region", "japn", "unknown region 'japn'"), ("good", "ndrp", "unknown good 'ndrp'")]
)
def test_typo_in_an_outcomes_region_or_good(folder, key, typo, expected):
    data = small_spec()
    data["outcomes"][1][key] = typo
    proc = cli("sweep", write_spec(folder, data), "--quiet")
    assert_clean_failure(proc, "invalid sweep", f"outcomes.1.{key}", expected)


def test_unreachable_scheduler_leaves_no_manifest(folder):
    path = write_spec(folder, small_spec())
    out = folder / "out"
    proc = cli("sweep", path, "--out", out, "--scheduler", "tcp://127.0.0.1:9", "--quiet")
    assert_clean_failure(proc, "cannot reach the Dask scheduler")
    assert not out.exists()
    retry = cli("sweep", path, "--out", out, "--workers", "1", "--quiet")
    assert retry.returncode == 0, report(retry)


def test_a_folder_in_use_is_refused(folder):
    out = folder / "out"
    out.mkdir()
    with FolderLock(out):
        proc = cli("sweep", write_spec(folder, small_spec()), "--out", out, "--workers", "1", "--quiet")
    assert_clean_failure(proc, "is in use by process", "try again")
    assert not (out / "manifest.json").exists()


def test_sweep_where_every_run_fails_exits_non_zero(folder, monkeypatch):
    import marketsim.sweep  # noqa: PLC0415

    monkeypatch.setattr(marketsim.sweep, "run_sweep", lambda *a, **k: {"runs": 4, "skipped": 0, "ran": 4, "failed": 4})
    proc = cli("sweep", write_spec(folder, small_spec()), "--quiet")
    assert proc.returncode == 1, report(proc)
    assert "every run failed" in proc.stderr and "Traceback" not in proc.stderr


def test_resume_with_other_code_needs_a_flag(folder):
    path = write_spec(folder, small_spec())
    out = folder / "out"
    assert cli("sweep", path, "--out", out, "--workers", "1", "--quiet").returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["code_version"]["id"] = "git:0000000"
    (out / "manifest.json").write_text(json.dumps(manifest))
    proc = cli("sweep", path, "--out", out, "--workers", "1", "--quiet", "--resume")
    assert_clean_failure(proc, "git:0000000", "--allow-code-change")
    proc = cli("sweep", path, "--out", out, "--workers", "1", "--quiet", "--resume", "--allow-code-change")
    assert proc.returncode == 0, report(proc)
    resumed = json.loads((out / "manifest.json").read_text())
    assert resumed["code_version"]["id"] == "git:0000000"
    assert resumed["resumed_with_other_code"][0]["code_version"]["id"] != "git:0000000"


# ----------------------------------------------------------------- analyze


@pytest.fixture
def finished(folder) -> Path:
    out = folder / "done"
    proc = cli("sweep", write_spec(folder, small_spec(replications=2)), "--out", out, "--workers", "1", "--quiet")
    assert proc.returncode == 0, report(proc)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{not json", "is damaged"), ("{}", "not a marketsim sweep manifest"), ("[1, 2]", "not a marketsim sweep")],
)
def test_analyze_bad_manifest(finished, text, expected):
    (finished / "manifest.json").write_text(text)
    assert_clean_failure(cli("analyze", finished), expected)


def test_analyze_invalid_spec_in_manifest(finished):
    manifest = json.loads((finished / "manifest.json").read_text())
    manifest["spec"]["sweep"]["design"] = "bogus"
    (finished / "manifest.json").write_text(json.dumps(manifest))
    assert_clean_failure(cli("analyze", finished), "spec it records is not valid", "sweep.design")


def test_analyze_truncated_part(finished):
    part = sorted((finished / "results").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    assert_clean_failure(cli("analyze", finished), part.name, "is damaged", "--resume")


def test_analyze_when_analysis_is_a_file(finished):
    (finished / "analysis").write_text("x")
    assert_clean_failure(cli("analyze", finished), "analysis is a file")


def test_analyze_when_analysis_is_read_only(finished):
    (finished / "analysis").mkdir()
    (finished / "analysis").chmod(0o555)
    try:
        assert_clean_failure(cli("analyze", finished), "analysis is read-only")
    finally:
        (finished / "analysis").chmod(0o755)


def test_analyze_an_interrupted_sweep_says_what_is_missing(folder):
    path = write_spec(folder, small_spec(design="sobol", samples=4))
    out = folder / "sobol"
    assert cli("sweep", path, "--out", out, "--workers", "1", "--quiet").returncode == 0
    import pyarrow.parquet as pq  # noqa: PLC0415

    part = sorted((out / "results").glob("part-*.parquet"))[0]
    table = pq.read_table(part)
    pq.write_table(table.filter(table.column("run_id").to_numpy() < 10), part)
    proc = cli("analyze", out)
    assert proc.returncode == 0, report(proc)
    assert "6 of 16 runs have no result yet" in proc.stderr, report(proc)
    assert "--resume" in proc.stderr
    indices = (out / "analysis" / "sobol_indices.csv").read_text()
    assert "the method needs every point" in indices


# ----------------------------------------------------------------- run and validate


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("mines.0.capacity", "inf", "finite"),
        ("mines.0.capacity", "1e308", "too large"),
        ("sectors.ev.demand", "inf", "finite"),
    ],
)
def test_run_refuses_non_finite_and_absurd_values(folder, small_data, path, value, expected):
    data = copy.deepcopy(small_data)
    node = data
    *parents, last = path.split(".")
    for name in parents:
        node = node[int(name)] if isinstance(node, list) else node[name]
    node[last] = float(value)
    (folder / "bad.toml").write_text(dumps(data), encoding="utf-8")
    for command in ("run", "validate"):
        args = [command, folder / "bad.toml"] + (["--out", folder / "out", "--quiet"] if command == "run" else [])
        assert_clean_failure(cli(*args), "invalid scenario", path, expected)
    assert not (folder / "out").exists()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [("2001-01", "2002-01", "over before the scenario starts"), ("2090-01", None, "after the scenario ends")],
)
def test_validate_refuses_events_outside_the_scenario(folder, small_data, start, end, expected):
    event = {"type": "export_ban", "region": "china", "start": start, "destinations": ["japan"]}
    if end:
        event["end"] = end
    small_data["events"] = [event]
    (folder / "events.toml").write_text(dumps(small_data), encoding="utf-8")
    assert_clean_failure(cli("validate", folder / "events.toml"), "events.0.export_ban", expected)


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_table_writer_refuses_non_finite_output_instead_of_dropping_rows(small_world, bad):
    from marketsim.model import RareEarthModel  # noqa: PLC0415

    model = RareEarthModel(small_world, seed=1, years=1)
    model.run()
    healthy = model.results()
    assert len(healthy) > 0
    name = sorted(model.recorder.raw)[0]
    model.recorder.raw[name][3].flat[0] = bad
    with pytest.raises(NonFiniteOutput, match=name):
        model.results()


@pytest.mark.parametrize("bad", [np.inf, np.nan])
@pytest.mark.parametrize("metric", ["price", "china_share_separation"])
@pytest.mark.parametrize("also_bad", [None, "production"])
def test_a_sweep_run_with_a_non_finite_flow_is_refused_whatever_its_outcomes_read(small_world, bad, metric, also_bad):
    """The flows are checked through what each region received, whether the outcomes read it
    (``price``) or not (``china_share_separation``): every non-finite array is named, before
    anything is derived from them (no warning of NaN arithmetic)."""
    from marketsim.model import RareEarthModel  # noqa: PLC0415
    from marketsim.sweep.run import outcomes_of  # noqa: PLC0415
    from marketsim.sweep.spec import Outcome  # noqa: PLC0415

    model = RareEarthModel(small_world, seed=1, years=1)
    model.run()
    outcomes = [Outcome(name="x", metric=metric, good="ndpr" if metric == "price" else "all", reduce="max")]
    assert np.isfinite(outcomes_of(model, outcomes)["outcomes"]["x"])
    model.recorder.raw["flows"][3].flat[7] = bad
    if also_bad:
        model.recorder.raw[also_bad][2].flat[0] = bad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NonFiniteOutput) as refused:
            outcomes_of(model, outcomes)
    named = str(refused.value).split(" in ")[1].split(";")[0]
    assert named == ", ".join(sorted({"flows", also_bad} - {None}))
