"""A sweep's manifest: everything needed to reproduce a figure made from its results, and the
checks that keep a resumed sweep from mixing two specs, two scenarios or two versions of the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from marketsim.scenario.loading import ScenarioError, scenario_hash
from marketsim.sweep.provenance import environment
from marketsim.sweep.tables import results_schema, schema_description, series_schema

if TYPE_CHECKING:
    from marketsim.scenario.schema import Scenario
    from marketsim.sweep.design import Run
    from marketsim.sweep.spec import SweepSpec


def sweep_manifest(spec: SweepSpec, base: Scenario, runs: list[Run], points: int, sources: dict[str, str]) -> dict:
    """The manifest of a sweep about to start.

    Args:
        spec: The sweep.
        base: The base scenario as run (with the spec's events).
        runs: Every run with its seed.
        points: Number of design points.
        sources: File texts: ``"spec"`` and ``"scenario"`` (the base scenario file), when known.
    """
    return {
        "sweep": spec.sweep.name,
        "spec": spec.model_dump(mode="json"),
        "spec_hash": spec.digest(),
        "spec_text": sources.get("spec"),
        "scenario_hash": scenario_hash(base),
        "scenario_text": sources.get("scenario"),
        "scenario": json.loads(base.model_dump_json()),
        **environment(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "points": points,
        "replications": spec.sweep.replications,
        "runs": len(runs),
        "root_seed": spec.sweep.root_seed,
        "seeds": [run.seed for run in runs],
        "files": {"design": "design.parquet", "results": "results/part-*.parquet", "series": "series/part-*.parquet"},
        "schemas": {
            "results": schema_description(results_schema(spec)),
            "series": schema_description(series_schema(spec)),
        },
    }


def check_resumable(existing: dict, new: dict, folder: Path, resume: bool, allow_code_change: bool) -> None:
    """Refuse to add runs to a folder that holds another sweep, another base scenario, or results
    of another version of the code (unless ``allow_code_change``), or to touch it without ``resume``.

    Raises:
        ScenarioError: Saying what differs and what to do.
    """
    if existing.get("spec_hash") != new["spec_hash"]:
        raise ScenarioError(f"{folder} holds a different sweep ({existing.get('sweep')!r}); choose another --out")
    if existing.get("scenario_hash") != new["scenario_hash"]:
        raise ScenarioError(
            f"{folder}: the base scenario has changed since this sweep started; "
            "resuming would mix results of two scenarios; choose another --out"
        )
    if not resume:
        raise ScenarioError(f"{folder} already holds this sweep; pass --resume to continue it")
    before = (existing.get("code_version") or {}).get("id", "unknown (written by an older marketsim)")
    now = new["code_version"]["id"]
    if before != now and not allow_code_change:
        raise ScenarioError(
            f"{folder}: this sweep was started with code {before} and the code is now {now}; resuming "
            "would mix results of two versions of the model. Choose another --out, or pass "
            "--allow-code-change to resume anyway"
        )
