"""A sweep killed with SIGKILL and resumed loses no run and repeats none."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from _toml_text import dumps

from marketsim.sweep import load_spec, read_results, run_sweep

RUNS = 40
OUTCOMES = [
    {"name": "japan_ndpr_peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "max"},
    {"name": "china_ndpr_mean", "metric": "price", "good": "ndpr", "region": "china", "reduce": "mean"},
]


def write_sweep(folder: Path, world: dict) -> Path:
    (folder / "small.toml").write_text(dumps(world), encoding="utf-8")
    spec = {
        "sweep": {
            "name": "resume",
            "scenario": "small.toml",
            "years": 1,
            "design": "lhs",
            "samples": RUNS // 2,
            "replications": 2,
            "root_seed": 77,
        },
        "parameters": {
            "mines.0.capacity": {"range": [1000.0, 100000.0]},
            "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]},
        },
        "outcomes": OUTCOMES,
    }
    path = folder / "spec.toml"
    path.write_text(dumps(spec), encoding="utf-8")
    return path


def doomed_sweep(spec_path: str, folder: str, blocked, stop_after: int) -> None:
    """Child process: a sweep writing a part every 5 runs, which hangs (to be killed) once
    ``stop_after`` runs have finished."""
    from marketsim.sweep import execute  # noqa: PLC0415

    execute.FLUSH_RUNS = 5
    spec, base = load_spec(spec_path)

    def progress(done: int, total: int) -> None:
        if done >= stop_after:
            blocked.set()
            time.sleep(3600)

    run_sweep(spec, base, folder, workers=1, progress=progress)


@pytest.mark.parametrize("stop_after", [13])
def test_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path, small_data, stop_after):
    spec_path = write_sweep(tmp_path, small_data)
    out = tmp_path / "killed"
    context = multiprocessing.get_context("spawn")
    blocked = context.Event()
    child = context.Process(target=doomed_sweep, args=(str(spec_path), str(out), blocked, stop_after))
    child.start()
    descendants: list[psutil.Process] = []
    try:
        assert blocked.wait(timeout=90), f"the sweep never reached {stop_after} runs (exit {child.exitcode})"
        descendants = psutil.Process(child.pid).children(recursive=True)
        parts = sorted((out / "results").glob("part-*.parquet"))
        assert parts, "no part written before the kill"
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL
    finally:
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            child.join(timeout=30)
        for process in descendants:  # the killed sweep's worker pool
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(descendants, timeout=30)

    partial = read_results(out)
    recorded = set(partial["run_id"])
    assert 0 < len(recorded) < RUNS  # killed part-way (runs are sent to workers in small batches)

    # A half-written part left by a kill in the middle of a write must not count.
    (out / "results" / ".part-00099.parquet.abc.tmp").write_bytes(b"PAR1 truncated")

    spec, base = load_spec(spec_path)
    counts = run_sweep(spec, base, out, workers=1, resume=True)
    assert counts["runs"] == RUNS
    assert counts["skipped"] == len(recorded)
    assert counts["ran"] == RUNS - len(recorded)
    assert counts["failed"] == 0
    assert not list((out / "results").glob(".*")), "leftover temporary files"

    resumed = read_results(out)
    per_run = resumed.groupby(["run_id", "outcome"]).size()
    assert (per_run == 1).all(), per_run[per_run != 1]
    assert sorted(resumed["run_id"].unique()) == list(range(RUNS))
    assert len(resumed) == RUNS * len(OUTCOMES)

    clean = tmp_path / "clean"
    run_sweep(spec, base, clean, workers=1)
    pd.testing.assert_frame_equal(resumed, read_results(clean))
