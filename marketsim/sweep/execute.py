"""Run a sweep on a local process pool or a Dask cluster, streaming results to Parquet.

The output folder holds ``manifest.json`` (spec, hashes, versions, seeds), ``design.parquet``
(one row per design point), and ``results/part-NNNNN.parquet`` (one row per run and outcome;
``series/`` holds monthly series on request). Parts are written whole or not at all, so a
sweep killed at any moment can be resumed without losing or repeating a run.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import marketsim
from marketsim.reports.files import write_atomically
from marketsim.scenario.loading import ScenarioError, scenario_hash
from marketsim.scenario.schema import Scenario
from marketsim.sweep.design import Run, design_points, plan_runs
from marketsim.sweep.spec import SweepSpec

FLUSH_RUNS = 100
"""Write a results part after this many finished runs..."""
FLUSH_SECONDS = 30.0
"""...or after this long, whichever comes first."""


MAX_BATCH = 4
"""Most runs sent to a worker in one task (fewer tasks, less scheduling overhead)."""


def run_task(
    scenario_json: str, parameters: dict[str, Any], seed: int, outcomes: list[dict], years: int | None, timeseries: bool
) -> dict[str, Any]:
    """One run; any error is returned as text, never raised."""
    from marketsim.sweep.run import simulate  # noqa: PLC0415 (only workers need the model)

    try:
        return {"ok": True, **simulate(scenario_json, parameters, seed, outcomes, years, timeseries)}
    except Exception as error:  # a failing run is recorded and the sweep goes on
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def run_batch(
    scenario_json: str,
    jobs: list[tuple[dict[str, Any], int]],
    outcomes: list[dict],
    years: int | None,
    timeseries: bool,
) -> list[dict[str, Any]]:
    """Worker entry point: a few runs, each as :func:`run_task`."""
    return [run_task(scenario_json, parameters, seed, outcomes, years, timeseries) for parameters, seed in jobs]


def batch_size(runs: int, slots: int) -> int:
    """Runs per task: enough tasks to keep every slot busy to the end, at most :data:`MAX_BATCH`."""
    return max(1, min(MAX_BATCH, runs // (4 * slots)))


class ResultStore:
    """The sweep's output folder: manifest, design, and results written in whole parts."""

    def __init__(self, folder: str | Path) -> None:
        """Open (without creating) an output folder."""
        self.folder = Path(folder)
        self.results = self.folder / "results"
        self.series = self.folder / "series"

    def manifest(self) -> dict | None:
        """The manifest, or None for a new folder."""
        path = self.folder / "manifest.json"
        return json.loads(path.read_text()) if path.exists() else None

    def start(self, manifest: dict, design: pd.DataFrame) -> None:
        """Create the folder and write the manifest and design."""
        for folder in (self.folder, self.results, self.series):
            folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=1)))
        table = design.copy()
        table.insert(0, "point", range(len(table)))
        write_atomically(self.folder / "design.parquet", lambda p: table.to_parquet(p, index=False))

    def finished_runs(self) -> set[int]:
        """Runs already recorded; half-written leftovers of a killed sweep are removed."""
        done: set[int] = set()
        parts = set()
        for folder in (self.results, self.series):
            for leftover in folder.glob(".*"):
                leftover.unlink()
        for part in sorted(self.results.glob("part-*.parquet")):
            parts.add(part.name)
            done.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        for part in self.series.glob("part-*.parquet"):
            if part.name not in parts:  # killed between writing a series part and its results
                part.unlink()
        return done

    def next_part(self) -> int:
        """Number for the next part file."""
        numbers = [int(p.stem.split("-")[1]) for p in self.results.glob("part-*.parquet")]
        return max(numbers, default=-1) + 1

    def write(self, number: int, rows: list[dict], series_rows: list[dict]) -> None:
        """Write one part (series first, so a results part always has its series)."""
        name = f"part-{number:05d}.parquet"
        if series_rows:
            frame = pd.DataFrame(series_rows)
            write_atomically(self.series / name, lambda p: frame.to_parquet(p, index=False))
        frame = pd.DataFrame(rows)
        write_atomically(self.results / name, lambda p: frame.to_parquet(p, index=False))


def read_results(folder: str | Path) -> pd.DataFrame:
    """A sweep's results joined with its design: one row per run and outcome, with columns
    run_id, point, replication, seed, outcome, value, error and one column per parameter."""
    store = ResultStore(folder)
    parts = sorted(store.results.glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"{folder}: no results yet")
    results = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    design = pd.read_parquet(store.folder / "design.parquet")
    return results.merge(design, on="point").sort_values(["run_id", "outcome"], ignore_index=True)


def read_series(folder: str | Path) -> pd.DataFrame:
    """Monthly series saved with ``--timeseries``: run_id, point, outcome, tick, value."""
    parts = sorted(ResultStore(folder).series.glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"{folder}: no time series saved (run the sweep with --timeseries)")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def _manifest(spec: SweepSpec, base: Scenario, runs: list[Run], points: int) -> dict:
    return {
        "sweep": spec.sweep.name,
        "spec": spec.model_dump(mode="json"),
        "spec_hash": spec.digest(),
        "scenario_hash": scenario_hash(base),
        "marketsim_version": marketsim.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "points": points,
        "replications": spec.sweep.replications,
        "runs": len(runs),
        "root_seed": spec.sweep.root_seed,
        "seeds": [run.seed for run in runs],
        "files": {"design": "design.parquet", "results": "results/part-*.parquet", "series": "series/part-*.parquet"},
    }


@contextmanager
def executor(scheduler: str | None, workers: int | None) -> Iterator[tuple[cf.Executor, int]]:
    """A local process pool, or an executor on an existing dask.distributed cluster.

    Yields:
        The executor and how many tasks it runs at once.
    """
    if scheduler is None:
        count = workers or os.cpu_count() or 1
        context = multiprocessing.get_context("forkserver")
        with cf.ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            yield pool, count
        return
    from distributed import Client  # noqa: PLC0415 (optional dependency)

    try:
        client = Client(scheduler, timeout="10s")
    except OSError as error:
        raise ScenarioError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        slots = sum(client.nthreads().values()) or 1
        with client.get_executor(pure=False) as pool:
            yield pool, slots
    finally:
        client.close()


def run_sweep(
    spec: SweepSpec,
    base: Scenario,
    folder: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    timeseries: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run (or resume) a sweep and stream its results into ``folder``.

    Args:
        spec: The sweep.
        base: The base scenario (with the spec's events added).
        folder: Output folder.
        scheduler: Address of a dask.distributed scheduler (``tcp://host:port``); a local
            process pool when None.
        workers: Local pool size (all cores when None).
        resume: Continue a sweep already in ``folder`` (same spec), skipping finished runs.
        timeseries: Also save each outcome's monthly series.
        progress: Called with (runs finished, runs in all) as runs finish.

    Returns:
        Counts: ``{"runs": ..., "skipped": ..., "ran": ..., "failed": ...}``.

    Raises:
        ScenarioError: If ``folder`` holds another sweep, or holds this one and ``resume`` is off.
    """
    design = design_points(spec)
    runs = plan_runs(spec, len(design))
    store = ResultStore(folder)
    existing = store.manifest()
    if existing is not None:
        if existing.get("spec_hash") != spec.digest():
            raise ScenarioError(f"{folder} holds a different sweep ({existing.get('sweep')!r}); choose another --out")
        if existing.get("scenario_hash") != scenario_hash(base):
            raise ScenarioError(
                f"{folder}: the base scenario has changed since this sweep started; "
                "resuming would mix results of two scenarios; choose another --out"
            )
        if not resume:
            raise ScenarioError(f"{folder} already holds this sweep; pass --resume to continue it")
    else:
        store.start(_manifest(spec, base, runs, len(design)), design)
    done = store.finished_runs()
    todo = [run for run in runs if run.run_id not in done]
    counts = {"runs": len(runs), "skipped": len(runs) - len(todo), "ran": 0, "failed": 0}
    if progress:
        progress(counts["skipped"], len(runs))
    scenario_json = base.model_dump_json()
    outcomes = [o.model_dump(mode="json") for o in spec.outcomes]
    points = design.to_dict(orient="records")
    part = store.next_part()
    rows: list[dict] = []
    series_rows: list[dict] = []
    last_flush = time.monotonic()
    pending: dict[cf.Future, list[Run]] = {}

    with executor(scheduler, workers) as (pool, slots):
        size = batch_size(len(todo), slots)
        batches = iter([todo[k : k + size] for k in range(0, len(todo), size)])

        def submit_next() -> bool:
            batch = next(batches, None)
            if batch is None:
                return False
            jobs = [(points[run.point], run.seed) for run in batch]
            pending[pool.submit(run_batch, scenario_json, jobs, outcomes, spec.sweep.years, timeseries)] = batch
            return True

        for _ in range(2 * slots):
            if not submit_next():
                break
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                batch = pending.pop(future)
                for run, result in zip(batch, future.result(), strict=True):
                    rows.extend(_rows(run, spec, result))
                    if timeseries and result["ok"]:
                        series_rows.extend(_series_rows(run, result["series"]))
                    counts["ran"] += 1
                    counts["failed"] += not result["ok"]
                submit_next()
            if len(rows) >= FLUSH_RUNS * len(outcomes) or time.monotonic() - last_flush > FLUSH_SECONDS:
                store.write(part, rows, series_rows)
                part, rows, series_rows, last_flush = part + 1, [], [], time.monotonic()
            if progress:
                progress(counts["skipped"] + counts["ran"], len(runs))
    if rows:
        store.write(part, rows, series_rows)
    return counts


def _rows(run: Run, spec: SweepSpec, result: dict) -> list[dict]:
    base = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run.seed}
    if not result["ok"]:
        return [{**base, "outcome": o.name, "value": float("nan"), "error": result["error"]} for o in spec.outcomes]
    return [{**base, "outcome": name, "value": value, "error": None} for name, value in result["outcomes"].items()]


def _series_rows(run: Run, series: dict[str, list[float]]) -> list[dict]:
    return [
        {"run_id": run.run_id, "point": run.point, "outcome": name, "tick": tick, "value": value}
        for name, values in series.items()
        for tick, value in enumerate(values)
    ]
