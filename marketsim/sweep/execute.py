"""Run a sweep on a local process pool or a Dask cluster, streaming results to Parquet.

The output folder holds ``manifest.json`` (spec, hashes, versions, seeds), ``design.parquet``
(one row per design point), and ``results/part-NNNNN.parquet`` (one row per run and outcome;
``series/`` holds monthly series on request). Parts are written whole or not at all, so a
sweep killed at any moment can be resumed without losing or repeating a run.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from marketsim.scenario.loading import ScenarioError
from marketsim.sweep.design import Run, design_points, plan_runs
from marketsim.sweep.manifest import check_resumable, sweep_manifest
from marketsim.sweep.spec import SweepSpec
from marketsim.sweep.store import FolderLock, ResultStore, check_writable_folder, read_results, read_series
from marketsim.sweep.tables import parameter_values
from marketsim.sweep.worker import WORKER_MODULE, run_batch, run_task, watch_parent
from marketsim.vocabulary import month_label

if TYPE_CHECKING:
    import pandas as pd

    from marketsim.scenario.schema import Scenario

__all__ = ["read_results", "read_series", "run_batch", "run_sweep", "run_task"]

FLUSH_RUNS = 100
"""Write a results part after this many finished runs..."""
FLUSH_SECONDS = 30.0
"""...or after this long, whichever comes first."""


MAX_BATCH = 64
"""Most runs sent to a worker in one task."""
TASK_SECONDS = 2.0
"""Aimed CPU time of one task's runs. The sweep process spends about 1-2.6 ms on a task, whatever
its size, and a Dask task costs a few milliseconds more (benchmarks/bench_sweep.py): two seconds of
runs a task keep that near 0.1 %, and below 1 ms a run for 30-year runs. Batches shrink as the sweep
nears its end (see :class:`BatchSizer`), so long tasks do not leave a worker idle at the end."""


class BatchSizer:
    """Runs per task, sized by measurement: the first tasks (two a slot) hold one run each; then
    each task holds runs of about :data:`TASK_SECONDS` at the CPU seconds per run measured so far, and
    at most half a slot's share of the runs not yet sent, so batches shrink towards the end and
    every slot finishes at about the same time."""

    def __init__(self, slots: int, chosen: int | None = None) -> None:
        """Size batches for ``slots`` workers; always ``chosen`` runs per task when given."""
        self.slots, self.chosen = slots, chosen
        self.runs, self.seconds = 0, 0.0

    def measured(self, runs: int, seconds: float) -> None:
        """Record a finished task: ``runs`` runs that took ``seconds`` on their worker."""
        self.runs, self.seconds = self.runs + runs, self.seconds + seconds

    def size(self, remaining: int) -> int:
        """Runs for the next task, with ``remaining`` runs not yet sent."""
        if self.chosen is not None:
            return max(1, self.chosen)
        if not self.runs:
            return 1
        per_run = max(self.seconds / self.runs, 1e-6)
        by_time = max(1, min(MAX_BATCH, round(TASK_SECONDS / per_run)))
        return max(1, min(by_time, -(-remaining // (2 * self.slots))))


@contextmanager
def executor(scheduler: str | None, workers: int | None) -> Iterator[tuple[cf.Executor, int]]:
    """A local process pool, or an executor on an existing dask.distributed cluster.

    Yields:
        The executor and how many tasks it runs at once.

    Raises:
        ScenarioError: If the scheduler cannot be reached.
    """
    if scheduler is None:
        count = workers or os.cpu_count() or 1
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", WORKER_MODULE])
        with cf.ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),)
        ) as pool:
            yield pool, count
        return
    from distributed import Client  # noqa: PLC0415 (optional dependency)

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, ValueError, TypeError) as error:
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
    sources: dict[str, str] | None = None,
    allow_code_change: bool = False,
    batch: int | None = None,
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
        sources: The spec's and base scenario's file texts (``{"spec": ..., "scenario": ...}``),
            stored in the manifest.
        allow_code_change: Resume even if the code differs from the code that started the sweep.
        batch: Runs sent to a worker in one task (sized by measurement when None, see
            :class:`BatchSizer`); results do not depend on it.

    Returns:
        Counts: ``{"runs": ..., "skipped": ..., "ran": ..., "failed": ...}``.

    Raises:
        ScenarioError: If ``folder`` cannot be written, is in use, holds another sweep, holds
            this one and ``resume`` is off, or the scheduler cannot be reached.
    """
    folder = Path(folder)
    created = not folder.exists()
    check_writable_folder(folder)
    try:
        with FolderLock(folder), executor(scheduler, workers) as (pool, slots):
            options = {
                "resume": resume,
                "timeseries": timeseries,
                "progress": progress,
                "sources": sources,
                "batch": batch,
            }
            return _run_locked(spec, base, folder, pool, slots, allow_code_change=allow_code_change, **options)
    except BaseException:
        if created and not (folder / "manifest.json").exists():
            _remove_empty(folder)
        raise


def _remove_empty(folder: Path) -> None:
    """Remove a folder this sweep created but never started (only its lock and empty subfolders)."""
    for name in (".lock", "results", "series"):
        path = folder / name
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        elif path.is_file():
            path.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def _start_or_resume(
    store: ResultStore, manifest: dict, design: pd.DataFrame, resume: bool, allow_code_change: bool
) -> None:
    """Write a new sweep's manifest and design, or check that the folder's sweep may be resumed
    (recording the code of a resume with other code)."""
    existing = store.manifest()
    if existing is None:
        store.start(manifest, design)
        return
    check_resumable(existing, manifest, store.folder, resume, allow_code_change)
    if (existing.get("code_version") or {}).get("id") != manifest["code_version"]["id"]:
        keys = ("code_version", "dependencies", "python_version", "platform", "created")
        existing.setdefault("resumed_with_other_code", []).append({key: manifest[key] for key in keys})
        store.save_manifest(existing)


def _run_locked(
    spec: SweepSpec,
    base: Scenario,
    folder: Path,
    pool: cf.Executor,
    slots: int,
    *,
    resume: bool,
    timeseries: bool,
    progress: Callable[[int, int], None] | None,
    sources: dict[str, str] | None,
    allow_code_change: bool,
    batch: int | None,
) -> dict:
    """:func:`run_sweep` once the folder is locked and the executor is up."""
    design = design_points(spec)
    runs = plan_runs(spec, len(design))
    store = ResultStore(folder, spec)
    _start_or_resume(
        store, sweep_manifest(spec, base, runs, len(design), sources or {}), design, resume, allow_code_change
    )
    done = store.finished_runs()
    todo = [run for run in runs if run.run_id not in done]
    counts = {"runs": len(runs), "skipped": len(runs) - len(todo), "ran": 0, "failed": 0}
    if progress:
        progress(counts["skipped"], len(runs))
    writer = _PartWriter(store, spec, parameter_values(spec, design), base.start_month, timeseries)
    scenario_json = base.model_dump_json()
    outcomes = [o.model_dump(mode="json") for o in spec.outcomes]
    sizer = BatchSizer(slots, batch)
    queue = iter(todo)
    left = len(todo)
    pending: dict[cf.Future, list[Run]] = {}

    def submit_next() -> None:
        nonlocal left
        chunk = list(islice(queue, sizer.size(left)))
        if chunk:
            left -= len(chunk)
            jobs = [(writer.points[run.point], run.seed) for run in chunk]
            pending[pool.submit(run_batch, scenario_json, jobs, outcomes, spec.sweep.years, timeseries)] = chunk

    for _ in range(2 * slots):
        submit_next()
    while pending:
        finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for future in finished:
            chunk = pending.pop(future)
            results, seconds = future.result()
            sizer.measured(len(chunk), seconds)
            for run, result in zip(chunk, results, strict=True):
                writer.add(run, result)
                counts["ran"] += 1
                counts["failed"] += not result["ok"]
            submit_next()
        writer.flush_if_due()
        if progress:
            progress(counts["skipped"] + counts["ran"], len(runs))
    writer.flush()
    return counts


class _PartWriter:
    """Collects finished runs as rows and writes them as a part every so often."""

    def __init__(self, store: ResultStore, spec: SweepSpec, points: list[dict], start: int, timeseries: bool) -> None:
        self.store, self.spec, self.points, self.start, self.timeseries = store, spec, points, start, timeseries
        self.part = store.next_part()
        self.names = spec.outcome_names()
        self.rows: list[dict] = []
        self.series_rows: list[dict] = []
        self.last_flush = time.monotonic()

    def add(self, run: Run, result: dict) -> None:
        """Rows of one finished (or failed) run."""
        identity = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run.seed}
        parameters = self.points[run.point]
        for name in self.names:
            if result["ok"]:
                cells = {"value": result["outcomes"][name], "censored": result["censored"][name], "error": None}
            else:
                cells = {"value": float("nan"), "censored": False, "error": result["error"]}
            self.rows.append({**identity, "outcome": name, **cells, **parameters})
        if self.timeseries and result["ok"]:
            for name, values in result["series"].items():
                self.series_rows.extend(
                    {**identity, "outcome": name, "tick": tick, "date": month_label(self.start + tick), "value": value}
                    | parameters
                    for tick, value in enumerate(values)
                )

    def flush_if_due(self) -> None:
        """Write a part after :data:`FLUSH_RUNS` runs or :data:`FLUSH_SECONDS` seconds."""
        if len(self.rows) >= FLUSH_RUNS * len(self.names) or time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what has been collected as one part."""
        if self.rows:
            self.store.write(self.part, self.rows, self.series_rows)
            self.part += 1
        self.rows, self.series_rows, self.last_flush = [], [], time.monotonic()
