"""The ``marketsim`` console script, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _toml_text import dumps

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "marketsim"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "marketsim.cli"]


def marketsim(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [*COMMAND, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def assert_clean_failure(proc: subprocess.CompletedProcess, *parts: str) -> None:
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 2, report
    assert "error:" in proc.stderr, report
    assert "Traceback" not in proc.stderr, report
    assert "Traceback" not in proc.stdout, report
    missing = [part for part in parts if part not in proc.stderr]
    assert not missing, f"stderr lacks {missing}\n{report}"


@pytest.fixture
def small_file(tmp_path, small_data) -> Path:
    small_data["scenario"]["years"] = 1
    path = tmp_path / "small.toml"
    path.write_text(dumps(small_data), encoding="utf-8")
    return path


# ----------------------------------------------------------------- run


def test_run_writes_parquet_manifest_and_summary(tmp_path, small_file):
    out = tmp_path / "out"
    proc = marketsim("run", small_file, "--out", out, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for headline in ("NdPr oxide price", "China share of mining", "Magnet output"):
        assert headline in proc.stdout, proc.stdout
    assert "small" in proc.stdout and "seed 7" in proc.stdout
    written = sorted(p.name for p in out.iterdir())
    assert written == ["alliances.csv", "events.csv", "manifest.json", "timeseries.parquet"]
    table = pd.read_parquet(out / "timeseries.parquet")
    assert {"tick", "date", "metric", "good", "region", "value"} <= set(table.columns)
    assert sorted(table["tick"].unique()) == list(range(12))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["months"] == 12
    assert manifest["source"] == str(small_file)


def test_run_csv_with_seed_years_and_set(tmp_path, small_file):
    out = tmp_path / "csv-out"
    proc = marketsim(
        "run",
        small_file,
        "--out",
        out,
        "--format",
        "csv",
        "--quiet",
        "--seed",
        "3",
        "--years",
        "2",
        "--set",
        "mines.0.capacity=5000",
        "--set",
        "market.price_speed=0.3",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["alliances.csv", "events.csv", "manifest.json", "timeseries.csv"]
    table = pd.read_csv(out / "timeseries.csv")
    assert table["tick"].max() == 23
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["overrides"] == ["mines.0.capacity=5000", "market.price_speed=0.3"]
    assert manifest["config"]["mines"][0]["capacity"] == 5000
    assert manifest["config"]["market"]["price_speed"] == 0.3
    china_mined = table[(table["metric"] == "capacity_mining") & (table["region"] == "china") & (table["tick"] == 0)][
        "value"
    ]
    assert china_mined.iloc[0] == pytest.approx(5000 + 20000)


def test_run_baseline_for_one_year(tmp_path):
    proc = marketsim(
        "run", ROOT / "configs" / "baseline_2024.toml", "--years", "1", "--quiet", "--out", tmp_path / "b", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "baseline_2024" in proc.stdout
    assert (tmp_path / "b" / "timeseries.parquet").is_file()
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["months"] == 12


# ----------------------------------------------------------------- bad input


def _malformed(data):
    return dumps(data) + "\n[market\n"


def _unknown_key(data):
    return dumps(data) + "\n[market]\nbogus = 1\n"


def _negative_capacity(data):
    data["mines"][0]["capacity"] = -1
    return dumps(data)


def _shares(data):
    data["sectors"]["ev"]["split"]["china"] = 0.9
    return dumps(data)


def _unknown_region(data):
    data["events"] = [{"type": "export_ban", "region": "china", "start": "2025-01", "destinations": ["mars"]}]
    return dumps(data)


def _not_utf8(data):
    return b"\xff\xfe" + dumps(data).encode()


BAD_FILES = {
    "malformed-toml": (_malformed, ["not valid TOML"]),
    "unknown-key": (_unknown_key, ["market.bogus", "unknown key"]),
    "negative-capacity": (_negative_capacity, ["mines.0.capacity", "-1"]),
    "shares": (_shares, ["sectors.ev.split", "sum to 1"]),
    "unknown-region": (_unknown_region, ["events.0", "'mars'"]),
    "not-utf8": (_not_utf8, []),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_run_rejects_bad_file(tmp_path, small_data, case):
    make, parts = BAD_FILES[case]
    content = make(small_data)
    path = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    proc = marketsim("run", path, "--out", tmp_path / "out", "--quiet", cwd=tmp_path)
    assert_clean_failure(proc, "bad.toml", *parts)
    assert not (tmp_path / "out").exists()


def test_run_rejects_bad_set_path(tmp_path, small_file):
    proc = marketsim("run", small_file, "--set", "market.bogus=1", "--out", tmp_path / "out", "--quiet", cwd=tmp_path)
    assert_clean_failure(proc, "market.bogus", "price_speed")
    assert not (tmp_path / "out").exists()


def test_run_rejects_invalid_set_value(tmp_path, small_file):
    proc = marketsim("run", small_file, "--set", "mines.0.capacity=-1", "--quiet", cwd=tmp_path)
    assert_clean_failure(proc, "mines.0.capacity", "-1")


def test_run_rejects_missing_file(tmp_path):
    proc = marketsim("run", tmp_path / "missing.toml", "--quiet", cwd=tmp_path)
    assert_clean_failure(proc, "missing.toml")
    assert not (tmp_path / "runs").exists()


# ----------------------------------------------------------------- validate


def test_validate_good_file(tmp_path, small_file):
    proc = marketsim("validate", small_file, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout and "small" in proc.stdout
    assert not list(tmp_path.glob("runs*"))


def test_validate_bad_file(tmp_path, small_data):
    path = tmp_path / "bad.toml"
    path.write_text(_negative_capacity(small_data), encoding="utf-8")
    proc = marketsim("validate", path, cwd=tmp_path)
    assert_clean_failure(proc, "bad.toml", "mines.0.capacity")


def test_app_refuses_a_bad_scenario_before_starting(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "bad"\nyears = 0\n')
    proc = marketsim("app", "--scenario", bad, "--port", "1", cwd=tmp_path)
    assert_clean_failure(proc, "bad.toml")
    assert "dashboard on" not in proc.stdout
    proc = marketsim("app", "--scenario", tmp_path / "missing.toml", cwd=tmp_path)
    assert_clean_failure(proc, "missing.toml", "no such scenario file")


# ----------------------------------------------------------------- start-up: what each command loads

HEAVY = ("solara", "plotly", "ipywidgets", "dask", "distributed", "pyabc", "matplotlib", "SALib", "viz")
"""Packages of the dashboard, plots, clusters and calibration: no business on the run path."""
LOADED = """
import json, sys
from marketsim.cli import app
try:
    app(sys.argv[1:])
except SystemExit as done:
    assert done.code in (0, None), done.code
print("LOADED " + json.dumps(sorted(sys.modules)))
"""


def modules_loaded(*args, cwd: Path) -> set[str]:
    """Modules in ``sys.modules`` after running ``marketsim ARGS`` in a fresh interpreter."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run(
        [sys.executable, "-c", LOADED, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.rsplit("LOADED ", 1)[1]))


def packages_loaded(*args, cwd: Path) -> set[str]:
    """Top-level packages in ``sys.modules`` after running ``marketsim ARGS`` in a fresh interpreter."""
    return {name.split(".")[0] for name in modules_loaded(*args, cwd=cwd)}


def test_run_loads_no_dashboard_plotting_cluster_or_calibration_package(tmp_path, small_file):
    loaded = packages_loaded("run", small_file, "--out", tmp_path / "out", "--quiet", "--format", "both", cwd=tmp_path)
    assert (tmp_path / "out" / "timeseries.csv").is_file()
    assert {"marketsim", "mesa"} <= loaded  # the run happened in this interpreter
    assert not loaded & set(HEAVY)


def test_run_loads_mesas_model_but_not_its_spaces_or_batch_runner(tmp_path, small_file):
    loaded = modules_loaded("run", small_file, "--out", tmp_path / "out", "--quiet", cwd=tmp_path)
    assert {"mesa.model", "mesa.agent"} <= loaded  # the run happened in this interpreter
    unused = {"mesa.discrete_space", "mesa.space", "mesa.batchrunner", "mesa.experimental.continuous_space"}
    assert not loaded & unused
    assert not {name.split(".")[0] for name in loaded} & {"scipy", "networkx"}


def test_run_writes_its_files_without_loading_pandas(tmp_path, small_file):
    loaded = packages_loaded("run", small_file, "--out", tmp_path / "out", "--quiet", "--format", "both", cwd=tmp_path)
    assert {"marketsim", "mesa", "pyarrow"} <= loaded  # the run happened and wrote from Arrow
    assert "pandas" not in loaded
    table = pd.read_parquet(tmp_path / "out" / "timeseries.parquet")
    assert len(table) > 0 and table["value"].notna().all()
    assert len(pd.read_csv(tmp_path / "out" / "timeseries.csv")) == len(table)
    assert list(pd.read_csv(tmp_path / "out" / "events.csv").columns)[:3] == ["start", "end", "type"]


def test_mesa_gets_the_real_pandas_when_it_reads_a_name_of_it_and_its_model_logger(tmp_path):
    code = (
        "import logging, sys, types, marketsim.model, mesa.agent\n"
        "assert 'pandas' not in sys.modules\n"
        "assert 'MESA.mesa.model' in logging.root.manager.loggerDict\n"  # Mesa's model logger, named as Mesa names it
        "import pandas\n"
        "assert type(pandas) is types.ModuleType and 'pandas.core.frame' in sys.modules\n"
        "assert mesa.agent.pd.Series is pandas.Series\n"
        "model = mesa.Model()\n"
        "class Holder(mesa.Agent):\n"
        "    def __init__(self, model, value):\n"
        "        super().__init__(model)\n"
        "        self.value = value\n"
        "agents = Holder.create_agents(model, 3, pandas.Series([4, 5, 6]))\n"  # Mesa splits a Series per agent
        "print(sum(agent.value for agent in agents), mesa.agent.__loader__.__class__.__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["15", "SourceFileLoader"]


def test_mesa_is_whole_on_demand_after_marketsim_deferred_its_optional_parts(tmp_path):
    code = (
        "import marketsim.model, mesa\n"
        "from mesa import batch_run\n"
        "from mesa.discrete_space import OrthogonalMooreGrid\n"
        "print(mesa.__version__, batch_run.__name__, mesa.experimental.devs.__name__, mesa.Model.__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[1:] == ["batch_run", "mesa.experimental.devs", "Model"]


def test_sweep_loads_no_dashboard_plotting_cluster_or_calibration_package(tmp_path, small_file):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        f'[sweep]\nname = "light"\nscenario = "{small_file.name}"\nyears = 1\ndesign = "grid"\n'
        '[parameters."market.price_sensitivity"]\nvalues = [0.5, 1.0]\n'
        '[[outcomes]]\nname = "ndpr"\nmetric = "price"\ngood = "ndpr"\n'
    )
    loaded = packages_loaded("sweep", spec, "--out", tmp_path / "sweep", "--quiet", "--workers", "1", cwd=tmp_path)
    assert (tmp_path / "sweep" / "manifest.json").is_file()
    assert not loaded & set(HEAVY)


def test_validate_and_help_do_not_load_the_model(tmp_path, small_file):
    for args in (("validate", small_file), ("--help",), ("calibrate", "--help")):
        modules = modules_loaded(*args, cwd=tmp_path)
        loaded = {name.split(".")[0] for name in modules}
        assert "marketsim" in loaded, args
        assert not loaded & {*HEAVY, "pandas", "pyarrow", "scipy"}, args
        assert not modules & {"mesa.model", "mesa.agent"}, args


def test_calibrate_help_lists_its_options(tmp_path):
    proc = marketsim("calibrate", "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for option in ("--population", "--generations", "--scheduler", "--workers", "--out"):
        assert option in proc.stdout, option
    assert "marketsim calibrate" in proc.stdout
    listing = marketsim("--help", cwd=tmp_path)
    assert "calibrate" in listing.stdout


def test_calibrate_refuses_a_missing_target_file(tmp_path):
    proc = marketsim("calibrate", tmp_path / "missing.toml", "--out", tmp_path / "cal", cwd=tmp_path)
    assert_clean_failure(proc, "missing.toml")
    assert not (tmp_path / "cal").exists()
