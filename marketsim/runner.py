"""Run one scenario and write its results: a tidy time series and a manifest."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import mesa
import pandas as pd

import marketsim
from marketsim.config import Scenario
from marketsim.files import write_atomically
from marketsim.loading import scenario_hash
from marketsim.model import RareEarthModel


@dataclass
class RunResult:
    """A finished run: its tidy table and its manifest."""

    table: pd.DataFrame
    manifest: dict
    model: RareEarthModel = field(repr=False)


def run_scenario(scenario: Scenario, *, seed: int | None = None, years: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 source: str = "<scenario>", overrides: list[str] | None = None) -> RunResult:
    """Build the model, run it to the end and collect its results.

    Args:
        scenario: A validated scenario.
        seed: Random seed; the scenario's own when None.
        years: Length of the run; the scenario's when None.
        progress: Called with the number of ticks done after each tick.
        source: Where the scenario came from, for the manifest.
        overrides: The ``--set`` items applied, for the manifest.
    """
    model = RareEarthModel(scenario, seed=seed, years=years)
    model.run(progress)
    manifest = {
        "scenario": scenario.scenario.name,
        "source": source,
        "overrides": overrides or [],
        "scenario_hash": scenario_hash(scenario),
        "seed": model.seed_used,
        "start": scenario.scenario.start,
        "months": model.months,
        "marketsim_version": marketsim.__version__,
        "mesa_version": mesa.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "columns": ["tick", "date", "metric", "good", "region", "value", "unit"],
        "metrics_doc": "docs/metrics.md",
        "config": json.loads(scenario.model_dump_json()),
    }
    return RunResult(table=model.results(), manifest=manifest, model=model)


def write_results(result: RunResult, out_dir: str | Path, formats: tuple[str, ...] = ("parquet",)) -> list[Path]:
    """Write the time series (Parquet and/or CSV) and ``manifest.json`` into ``out_dir``.

    Returns:
        The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "parquet" in formats:
        path = out / "timeseries.parquet"
        write_atomically(path, lambda p: result.table.to_parquet(p, index=False))
        written.append(path)
    if "csv" in formats:
        path = out / "timeseries.csv"
        write_atomically(path, lambda p: result.table.to_csv(p, index=False))
        written.append(path)
    manifest = {**result.manifest, "files": [p.name for p in written]}
    path = out / "manifest.json"
    write_atomically(path, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))
    written.append(path)
    return written
