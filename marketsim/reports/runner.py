"""Run one scenario and write its results: a tidy time series and a manifest."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyarrow as pa

import marketsim
from marketsim.model import RareEarthModel
from marketsim.reports.files import write_atomically, write_csv, write_parquet
from marketsim.scenario.loading import scenario_hash
from marketsim.scenario.schema import Scenario


@dataclass
class RunResult:
    """A finished run: its tidy table and its manifest."""

    table: pd.DataFrame
    manifest: dict
    model: RareEarthModel = field(repr=False)
    arrow: pa.Table | None = field(default=None, repr=False)
    """The tidy table as Arrow, which the files are written from (made from ``table`` when None)."""

    def tidy(self) -> pa.Table:
        """The tidy table as an Arrow table."""
        if self.arrow is None:
            self.arrow = pa.Table.from_pandas(self.table, preserve_index=False).replace_schema_metadata(None)
        return self.arrow


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    years: int | None = None,
    progress: Callable[[int], None] | None = None,
    source: str = "<scenario>",
    overrides: list[str] | None = None,
) -> RunResult:
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
    manifest = run_manifest(scenario, model, source=source, overrides=overrides)
    tidy = tidy_results(model)
    return RunResult(table=tidy.to_pandas(), manifest=manifest, model=model, arrow=tidy)


def tidy_results(model: RareEarthModel) -> pa.Table:
    """The model's recorded ticks as a tidy Arrow table (what ``model.results()`` gives as pandas)."""
    return model.recorder.to_arrow([model.date_of(t) for t in range(model.months)], model.tick)


def run_manifest(
    scenario: Scenario, model: RareEarthModel, *, source: str = "<scenario>", overrides: list[str] | None = None
) -> dict:
    """Provenance of a run: the scenario as run, its hash, seed, versions and time of writing."""
    return {
        "scenario": scenario.scenario.name,
        "source": source,
        "overrides": overrides or [],
        "scenario_hash": scenario_hash(scenario),
        "seed": model.seed_used,
        "start": scenario.scenario.start,
        "months": model.months,
        "marketsim_version": marketsim.__version__,
        "mesa_version": version("mesa"),  # not mesa.__version__, which loads all of Mesa (see marketsim.lazy_mesa)
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "columns": ["tick", "date", "metric", "good", "region", "value", "unit"],
        "metrics_doc": "docs/metrics.md",
        "config": json.loads(scenario.model_dump_json()),
    }


def event_table(model: RareEarthModel) -> pd.DataFrame:
    """Every event of the run, scheduled, decided or drawn: when it starts and ends, who acted,
    whether it was a government's decision and whether it was accepted, and its fields as JSON."""
    from marketsim.governance.rounds import EVENT  # noqa: PLC0415

    decided = {id(d.event): d for d in model.decisions}
    rows = []
    for event in model.events:
        decision = decided.get(id(event))
        rows.append(
            {
                "start": event.start,
                "end": event.end,
                "type": event.type,
                "source": f"decision by {decision.region}" if decision else "scenario or shock",
                "accepted": True,
                "message": decision.message if decision else "",
                "fields": json.dumps(EVENT.dump_python(event, mode="json")),
            }
        )
    for decision in model.decisions:
        if not decision.accepted:
            kind = getattr(decision.event, "type", "")
            rows.append(
                {
                    "start": model.date_of(decision.tick),
                    "end": None,
                    "type": kind,
                    "source": f"decision by {decision.region}",
                    "accepted": False,
                    "message": decision.message,
                    "fields": str(decision.event),
                }
            )
    return pd.DataFrame(rows, columns=["start", "end", "type", "source", "accepted", "message", "fields"])


def alliance_table(model: RareEarthModel) -> pd.DataFrame:
    """Alliance membership changes: tick, date, alliance, region, action (join or leave)."""
    rows = [
        {"tick": tick, "date": model.date_of(tick), "alliance": name, "region": region, "action": action}
        for tick, name, region, action in model.alliance_log
    ]
    return pd.DataFrame(rows, columns=["tick", "date", "alliance", "region", "action"])


def write_results(result: RunResult, out_dir: str | Path, formats: tuple[str, ...] = ("parquet",)) -> list[Path]:
    """Write the time series (Parquet and/or CSV), the events and alliance changes (CSV) and
    ``manifest.json`` into ``out_dir``.

    Returns:
        The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, write in (("parquet", write_parquet), ("csv", write_csv)):
        if kind in formats:
            path = out / f"timeseries.{kind}"
            write(result.tidy(), path)
            written.append(path)
    for name, frame in (("events.csv", event_table(result.model)), ("alliances.csv", alliance_table(result.model))):
        path = out / name
        write_atomically(path, lambda p, frame=frame: frame.to_csv(p, index=False))
        written.append(path)
    manifest = {**result.manifest, "files": [p.name for p in written]}
    path = out / "manifest.json"
    write_atomically(path, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))
    written.append(path)
    return written
