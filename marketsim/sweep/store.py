"""A sweep's output folder: manifest, design, results and series parts, and its lock.

Parts are written whole or not at all, with one explicit Arrow schema per table, so the
``results/`` and ``series/`` folders are Parquet datasets any tool reads directly. A lock file
keeps a second process from working on the same folder at the same time.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from marketsim.reports.files import write_atomically
from marketsim.scenario.loading import ScenarioError
from marketsim.sweep.spec import SweepSpec
from marketsim.sweep.tables import design_schema, parameter_values, results_schema, series_schema, table

LOCK_NAME = ".lock"


class SweepFolderError(ScenarioError):
    """A sweep folder that cannot be used, with a message for the person who chose it."""


def read_only(path: Path) -> bool:
    """Whether ``path`` cannot be written, or its owner's write permission is off (which a user
    who runs as root, to whom every path is writable, still means as read-only)."""
    return not os.access(path, os.W_OK | os.X_OK) or not path.stat().st_mode & stat.S_IWUSR


def check_writable_folder(folder: Path, option: str = "--out") -> None:
    """Refuse a folder that is a file, lies under a file, or cannot be written.

    Raises:
        SweepFolderError: Naming the folder and the problem.
    """
    if folder.exists() and not folder.is_dir():
        raise SweepFolderError(f"{option} {folder} is a file, not a folder; choose a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise SweepFolderError(f"{option} {folder} cannot be created: {parent} is a file")
            if not folder.exists() and read_only(parent):
                raise SweepFolderError(f"{option} {folder} cannot be created: {parent} is read-only")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SweepFolderError(f"{option} {folder} cannot be created: {error.strerror or error}") from None
    if read_only(folder):
        raise SweepFolderError(f"{option} {folder} is read-only; choose a folder you can write to")


class FolderLock:
    """An exclusive lock on a sweep folder, released when the holder exits or is killed."""

    def __init__(self, folder: Path) -> None:
        """Prepare to lock ``folder`` (which must exist)."""
        self.path = folder / LOCK_NAME
        self.handle: IO[str] | None = None

    def __enter__(self) -> FolderLock:
        """Take the lock, or refuse if another process holds it."""
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SweepFolderError(
                f"{self.path.parent} is in use by {holder}; wait for it to finish (or stop it) and try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        """Release the lock."""
        if self.handle is not None:
            self.handle.truncate(0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def read_manifest(folder: Path) -> dict | None:
    """A sweep folder's manifest, or None if it has none.

    Raises:
        SweepFolderError: If the manifest is not a readable JSON object with a spec.
    """
    path = folder / "manifest.json"
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SweepFolderError(f"{path} is damaged and cannot be read ({error}); it is not a usable sweep") from None
    if not isinstance(manifest, dict) or "spec" not in manifest:
        raise SweepFolderError(f"{path} is not a marketsim sweep manifest (it has no spec)")
    return manifest


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One Parquet part, with a clear error if it is damaged."""
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as error:
        raise SweepFolderError(
            f"{path} is damaged ({error}); delete it and run the sweep again with --resume to redo its runs"
        ) from None


class ResultStore:
    """The sweep's output folder: manifest, design, and results written in whole parts."""

    def __init__(self, folder: str | Path, spec: SweepSpec | None = None) -> None:
        """Open (without creating) an output folder; ``spec`` is needed to write parts."""
        self.folder = Path(folder)
        self.results = self.folder / "results"
        self.series = self.folder / "series"
        self.spec = spec

    def manifest(self) -> dict | None:
        """The manifest, or None for a new folder."""
        return read_manifest(self.folder)

    def start(self, manifest: dict, design: pd.DataFrame) -> None:
        """Create the folder and write the design, then the manifest (which marks the folder as a sweep)."""
        assert self.spec is not None
        for folder in (self.folder, self.results, self.series):
            folder.mkdir(parents=True, exist_ok=True)
        rows = [{"point": k, **values} for k, values in enumerate(parameter_values(self.spec, design))]
        design_table = table(rows, design_schema(self.spec))
        write_atomically(self.folder / "design.parquet", lambda p: pq.write_table(design_table, p))
        self.save_manifest(manifest)

    def save_manifest(self, manifest: dict) -> None:
        """Replace the manifest (whole or not at all)."""
        write_atomically(self.folder / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=1)))

    def finished_runs(self) -> set[int]:
        """Runs already recorded; half-written leftovers of a killed sweep are removed."""
        done: set[int] = set()
        parts = set()
        for folder in (self.results, self.series):
            for leftover in folder.glob(".*"):
                leftover.unlink()
        for part in sorted(self.results.glob("part-*.parquet")):
            parts.add(part.name)
            done.update(read_part(part, ["run_id"]).column("run_id").to_pylist())
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
        assert self.spec is not None
        name = f"part-{number:05d}.parquet"
        if series_rows:
            series = table(series_rows, series_schema(self.spec))
            write_atomically(self.series / name, lambda p: pq.write_table(series, p))
        results = table(rows, results_schema(self.spec))
        write_atomically(self.results / name, lambda p: pq.write_table(results, p))


def _read_dataset(folder: Path, missing: str) -> pd.DataFrame:
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(missing)
    return pa.concat_tables([read_part(p) for p in parts]).to_pandas()


def read_results(folder: str | Path) -> pd.DataFrame:
    """A sweep's results: one row per run and outcome, with columns run_id, point, replication,
    seed, outcome, value, censored, error and one column per parameter.

    Raises:
        FileNotFoundError: If no run has been recorded yet.
        SweepFolderError: If a part is damaged.
    """
    store = ResultStore(folder)
    results = _read_dataset(store.results, f"{folder}: no results yet")
    return results.sort_values(["run_id", "outcome"], ignore_index=True)


def read_series(folder: str | Path) -> pd.DataFrame:
    """Monthly series saved with ``--timeseries``: run_id, point, replication, seed, outcome,
    tick, date, value and one column per parameter."""
    store = ResultStore(folder)
    return _read_dataset(store.series, f"{folder}: no time series saved (run the sweep with --timeseries)")
