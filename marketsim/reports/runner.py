"""Run one scenario and write its results: a tidy time series and a manifest.

Nothing here needs pandas: the files are written from Arrow and plain rows, and a result's
pandas table is made (importing pandas) only when it is read.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

import marketsim
from marketsim.model import RareEarthModel
from marketsim.reports.files import write_atomically, write_csv, write_parquet, write_rows
from marketsim.scenario.loading import scenario_hash
from marketsim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

EVENT_COLUMNS = ("start", "end", "type", "source", "accepted", "message", "fields")
"""Columns of ``events.csv``."""
ALLIANCE_COLUMNS = ("tick", "date", "alliance", "region", "action")
"""Columns of ``alliances.csv``."""


class RunResult:
    """A finished run: its tidy table (Arrow, and pandas when read) and its manifest."""

    def __init__(
        self,
        table: pd.DataFrame | None = None,
        manifest: dict | None = None,
        model: RareEarthModel | None = None,
        arrow: pa.Table | None = None,
    ) -> None:
        """Hold a run's results.

        Args:
            table: The tidy table as pandas (made from ``arrow`` when first read if None).
            manifest: The run's manifest (see :func:`run_manifest`).
            model: The model run.
            arrow: The tidy table as Arrow, which the files are written from (made from ``table``
                when None; one of the two is needed).
        """
        if table is None and arrow is None:
            raise ValueError("a run's result needs its tidy table, as pandas or as Arrow")
        self._table, self.arrow = table, arrow
        self.manifest = manifest if manifest is not None else {}
        self.model = model

    def __repr__(self) -> str:
        return f"RunResult(manifest={self.manifest!r})"

    @property
    def table(self) -> pd.DataFrame:
        """The tidy table as pandas (categorical text columns), made from Arrow on first reading."""
        if self._table is None:
            self._table = self.arrow.to_pandas()
        return self._table

    def tidy(self) -> pa.Table:
        """The tidy table as an Arrow table."""
        if self.arrow is None:
            self.arrow = pa.Table.from_pandas(self._table, preserve_index=False).replace_schema_metadata(None)
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
    return RunResult(manifest=manifest, model=model, arrow=tidy_results(model))


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


def event_table(model: RareEarthModel) -> list[dict]:
    """Every event of the run, scheduled, decided or drawn: when it starts and ends, who acted,
    whether it was a government's decision and whether it was accepted, and its fields as JSON
    (rows of :data:`EVENT_COLUMNS`)."""
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
    return rows


def alliance_table(model: RareEarthModel) -> list[dict]:
    """Alliance membership changes: tick, date, alliance, region, action (join or leave)."""
    return [
        {"tick": tick, "date": model.date_of(tick), "alliance": name, "region": region, "action": action}
        for tick, name, region, action in model.alliance_log
    ]


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
    for name, columns, rows in (
        ("events.csv", EVENT_COLUMNS, event_table(result.model)),
        ("alliances.csv", ALLIANCE_COLUMNS, alliance_table(result.model)),
    ):
        path = out / name
        write_rows(columns, rows, path)
        written.append(path)
    manifest = {**result.manifest, "files": [p.name for p in written]}
    path = out / "manifest.json"
    write_atomically(path, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))
    written.append(path)
    return written
