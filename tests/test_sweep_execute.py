"""Running sweeps: the same results serially, on a process pool and on a real Dask cluster;
failing runs recorded; output folders guarded."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _toml_text import dumps

from marketsim.scenario.loading import ScenarioError
from marketsim.sweep import load_spec, read_results, run_sweep, simulate
from marketsim.sweep.design import plan_runs

BIN = Path(sys.executable).parent
OUTCOMES = [
    {"name": "japan_ndpr_peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "max"},
    {"name": "china_ndpr_mean", "metric": "price", "good": "ndpr", "region": "china", "reduce": "mean"},
    {"name": "japan_unmet", "metric": "unmet_demand", "good": "magnet", "region": "japan", "reduce": "mean"},
]


def write_sweep(folder: Path, world: dict, sweep: dict, parameters: dict, outcomes=None, name="spec.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.toml").write_text(dumps(world), encoding="utf-8")
    spec = {
        "sweep": {"name": "t", "scenario": "small.toml", "years": 1, **sweep},
        "parameters": parameters,
        "outcomes": outcomes or OUTCOMES,
    }
    path = folder / name
    path.write_text(dumps(spec), encoding="utf-8")
    return path


LHS = {"design": "lhs", "samples": 6, "replications": 2, "root_seed": 2024}
LHS_PARAMETERS = {
    "mines.0.capacity": {"range": [1000.0, 100000.0]},
    "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]},
}


# ----------------------------------------------------------------- a real Dask cluster


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A `dask scheduler` and a `dask worker` (2 processes) on 127.0.0.1; yields the address."""
    from distributed import Client  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    procs: list[subprocess.Popen] = []
    logs = []

    def start(*args: str, log: str) -> subprocess.Popen:
        handle = (folder / log).open("w")
        logs.append(handle)
        proc = subprocess.Popen([str(BIN / "dask"), *args], cwd=folder, stdout=handle, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    try:
        scheduler = start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--scheduler-file",
            str(scheduler_file),
            "--no-dashboard",
            log="scheduler.log",
        )
        deadline = time.monotonic() + 60
        address = None
        while address is None:
            if scheduler.poll() is not None:
                pytest.fail(f"dask scheduler exited:\n{(folder / 'scheduler.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"dask scheduler did not start:\n{(folder / 'scheduler.log').read_text()}")
            try:
                address = json.loads(scheduler_file.read_text())["address"]
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                time.sleep(0.1)
        start(
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--local-directory",
            str(folder / "scratch"),
            log="worker.log",
        )
        with Client(address, timeout="30s") as client:
            try:
                client.wait_for_workers(2, timeout=60)
            except TimeoutError:
                pytest.fail(f"dask workers did not register:\n{(folder / 'worker.log').read_text()}")
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)
        for handle in logs:
            handle.close()


# ----------------------------------------------------------------- same results everywhere


def test_same_results_serial_pool_and_dask(tmp_path, small_data, dask_cluster):
    spec_path = write_sweep(tmp_path, small_data, LHS, LHS_PARAMETERS)
    spec, base = load_spec(spec_path)
    counts = {}
    frames = {}
    for label, options in {
        "serial": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"scheduler": dask_cluster},
    }.items():
        counts[label] = run_sweep(spec, base, tmp_path / label, **options)
        frames[label] = read_results(tmp_path / label).sort_values(["run_id", "outcome"], ignore_index=True)
    for label, count in counts.items():
        assert count == {"runs": 12, "skipped": 0, "ran": 12, "failed": 0}, label
    serial = frames["serial"]
    assert len(serial) == 12 * len(OUTCOMES)
    assert serial["error"].isna().all()
    assert np.isfinite(serial["value"]).all()
    assert serial["value"].nunique() > len(OUTCOMES), "the swept parameters should change the outcomes"
    pd.testing.assert_frame_equal(frames["pool"], serial)
    pd.testing.assert_frame_equal(frames["dask"], serial)

    # Seeds: one per run, as planned from root_seed, whatever executed the runs.
    runs = plan_runs(spec, 6)
    seeds = serial.drop_duplicates("run_id").set_index("run_id")["seed"]
    assert seeds.to_dict() == {r.run_id: r.seed for r in runs}
    for label in frames:
        manifest = json.loads((tmp_path / label / "manifest.json").read_text())
        assert manifest["seeds"] == [r.seed for r in runs], label
        assert manifest["runs"] == 12 and manifest["points"] == 6

    # ...and each run equals a direct call of the Python API with its parameters and seed.
    design = pd.read_parquet(tmp_path / "serial" / "design.parquet")
    for run in (runs[0], runs[7], runs[11]):
        parameters = design.loc[design["point"] == run.point, list(LHS_PARAMETERS)].iloc[0].to_dict()
        direct = simulate(base, parameters, run.seed, spec.outcomes, years=1)["outcomes"]
        recorded = serial[serial["run_id"] == run.run_id].set_index("outcome")["value"].to_dict()
        assert recorded == direct


def test_same_results_whatever_the_runs_per_task(tmp_path, small_data):
    parameters = {"sectors.ev.elasticity_short": {"range": [-0.3, -0.02]}, "mines.0.capacity": {"range": [5e4, 2e5]}}
    spec_path = write_sweep(tmp_path, small_data, {**LHS, "samples": 20, "replications": 2}, parameters)
    spec, base = load_spec(spec_path)
    frames = []
    for batch in (1, 16):
        counts = run_sweep(spec, base, tmp_path / f"batch{batch}", workers=2, batch=batch)
        assert counts["ran"] == 40 and counts["failed"] == 0
        frames.append(read_results(tmp_path / f"batch{batch}").sort_values(["run_id", "outcome"], ignore_index=True))
    assert frames[0]["value"].nunique() > 20
    pd.testing.assert_frame_equal(frames[0], frames[1])


WORKER = """
import json, pickle, sys
run_batch, watch_parent = (pickle.loads(bytes.fromhex(text)) for text in sys.argv[1:3])
watch_parent(int(sys.argv[5]))  # the test, alive throughout
jobs = [({"sectors.ev.elasticity_short": -0.1}, 5)]
results, seconds = run_batch(sys.argv[3], jobs, json.loads(sys.argv[4]), 1, False)
print(json.dumps({"results": results, "pandas": "pandas" in sys.modules, "mesa": "mesa.model" in sys.modules}))
"""


def test_a_worker_runs_its_batch_without_loading_pandas(tmp_path, small_world):
    """What the pool and Dask send a worker, unpickled in a fresh interpreter as a worker does."""
    import pickle  # noqa: PLC0415

    from marketsim.sweep import execute  # noqa: PLC0415

    scenario = small_world.model_dump_json()
    functions = [pickle.dumps(function).hex() for function in (execute.run_batch, execute.watch_parent)]
    command = [sys.executable, "-c", WORKER, *functions, scenario, json.dumps(OUTCOMES), str(os.getpid())]
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    done = json.loads(proc.stdout)
    direct = simulate(small_world, {"sectors.ev.elasticity_short": -0.1}, 5, OUTCOMES, years=1)
    assert done["results"] == [{"ok": True, **json.loads(json.dumps(direct))}]
    assert done["mesa"] and not done["pandas"]


# ----------------------------------------------------------------- failing runs


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path, small_data):
    parameters = {"mines.0.capacity": {"values": [100000.0, -5.0, 20000.0, -1.0]}}
    spec_path = write_sweep(tmp_path, small_data, {"design": "grid", "replications": 2, "root_seed": 1}, parameters)
    spec, base = load_spec(spec_path)
    counts = run_sweep(spec, base, tmp_path / "out", workers=2)
    assert counts == {"runs": 8, "skipped": 0, "ran": 8, "failed": 4}
    results = read_results(tmp_path / "out")
    assert len(results) == 8 * len(OUTCOMES)
    assert sorted(results.groupby("run_id").size().index) == list(range(8))
    bad = results["mines.0.capacity"] < 0
    assert sorted(results.loc[bad, "point"].unique()) == [1, 3]
    for row in results[bad].itertuples():
        assert isinstance(row.error, str) and row.error, row
        assert "capacity" in row.error, row.error
        assert math.isnan(row.value)
    good = results[~bad]
    assert good["error"].isna().all(), good["error"].unique()
    assert np.isfinite(good["value"]).all()


# ----------------------------------------------------------------- guarded output folders


def test_existing_folder_needs_resume_and_the_same_spec(tmp_path, small_data):
    spec_path = write_sweep(tmp_path, small_data, {**LHS, "samples": 2, "replications": 1}, LHS_PARAMETERS)
    spec, base = load_spec(spec_path)
    out = tmp_path / "out"
    run_sweep(spec, base, out, workers=1)
    before = read_results(out)
    with pytest.raises(ScenarioError, match="resume"):
        run_sweep(spec, base, out, workers=1)
    other_path = write_sweep(
        tmp_path, small_data, {**LHS, "samples": 3, "replications": 1}, LHS_PARAMETERS, name="other.toml"
    )
    other, other_base = load_spec(other_path)
    for resume in (False, True):
        with pytest.raises(ScenarioError, match="different sweep"):
            run_sweep(other, other_base, out, workers=1, resume=resume)
    # Resuming a finished sweep runs nothing and changes nothing.
    assert run_sweep(spec, base, out, workers=1, resume=True) == {"runs": 2, "skipped": 2, "ran": 0, "failed": 0}
    pd.testing.assert_frame_equal(read_results(out), before)


def test_resume_with_a_changed_base_scenario_is_an_error(tmp_path, small_data):
    """The spec names the base scenario by path; if that file now says something else, resuming
    would mix results of two different models in one folder."""
    spec_path = write_sweep(tmp_path, small_data, {**LHS, "samples": 2, "replications": 1}, LHS_PARAMETERS)
    spec, base = load_spec(spec_path)
    out = tmp_path / "out"
    run_sweep(spec, base, out, workers=1)
    small_data["mines"][1]["capacity"] = 1000.0
    spec_path = write_sweep(tmp_path, small_data, {**LHS, "samples": 2, "replications": 1}, LHS_PARAMETERS)
    changed, changed_base = load_spec(spec_path)
    assert changed.digest() == spec.digest()
    with pytest.raises(ScenarioError):
        run_sweep(changed, changed_base, out, workers=1, resume=True)
