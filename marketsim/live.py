"""A run a person drives live: step it, change policy at the current tick, pin it, replay a change.

This is the model-side state behind the dashboard (and the classroom game): one
:class:`LiveRun` per browser session. It holds no UI code. Every policy change goes through the
governance seam: :func:`marketsim.governance.rounds.decide` validates it like a player's decision
and :func:`~marketsim.governance.rounds.apply_decisions` makes it an event at the current tick.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marketsim.governance.rounds import EVENT, Decision, apply_decisions, decide
from marketsim.model import RareEarthModel
from marketsim.reports.runner import RunResult, run_manifest, write_results
from marketsim.scenario.schema import Scenario

MAX_SEED = 2**63 - 1


def parse_seed(text: Any) -> int:
    """Read a seed typed by a person.

    Raises:
        ValueError: With a message fit to show, if it is not a whole number from 0 to 2**63-1.
    """
    cleaned = str(text).strip().replace("_", "").replace(",", "")
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED} (got {str(text)!r})")
    seed = int(cleaned)
    if seed > MAX_SEED:
        raise ValueError(f"seed must be at most {MAX_SEED} (got {seed})")
    return seed


@dataclass(frozen=True)
class Intervention:
    """A policy change made live: when, by whom, and the validated event."""

    tick: int
    date: str
    region: str
    event: Any

    @property
    def label(self) -> str:
        """Short text for chart markers, e.g. ``usa: tariff``."""
        return f"{self.region}: {self.event.type.replace('_', ' ')}"


@dataclass
class LiveRun:
    """One live run of a scenario.

    Attributes:
        scenario: The scenario being run.
        seed: Its random seed.
        source: Where the scenario came from (a file name), for the manifest.
        model: The model, advanced tick by tick.
        interventions: Accepted live policy changes, oldest first.
    """

    scenario: Scenario
    seed: int | None = None
    source: str = "<scenario>"
    model: RareEarthModel = field(init=False)
    interventions: list[Intervention] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if self.seed is None:
            self.seed = self.scenario.scenario.seed
        self.model = RareEarthModel(self.scenario, seed=self.seed)

    # ----------------------------------------------------------------- time
    @property
    def tick(self) -> int:
        """Ticks run so far."""
        return self.model.tick

    @property
    def months(self) -> int:
        """Length of the run in ticks."""
        return self.model.months

    @property
    def finished(self) -> bool:
        """Whether every tick has run."""
        return self.model.tick >= self.model.months

    def step(self, ticks: int = 1) -> int:
        """Advance up to ``ticks`` months; returns how many ran (fewer at the end)."""
        ran = 0
        while ran < ticks and not self.finished:
            self.model.step()
            ran += 1
        return ran

    def run_to_end(self) -> int:
        """Run the remaining months; returns how many ran."""
        return self.step(self.months - self.tick)

    def restart(self, scenario: Scenario | None = None, *, seed: int | None = None, source: str | None = None) -> None:
        """Start again from tick 0, optionally with another scenario or seed; live changes are
        forgotten."""
        if scenario is not None:
            self.scenario = scenario
            self.source = source or self.source
            self.seed = scenario.scenario.seed if seed is None else seed
        elif seed is not None:
            self.seed = seed
        self.model = RareEarthModel(self.scenario, seed=self.seed)
        self.interventions = []

    # ----------------------------------------------------------------- policy
    def change_policy(self, region: str, decision: dict) -> Decision:
        """Make a government's decision take effect from the current tick.

        Args:
            region: The government deciding.
            decision: A decision in scenario-file form, e.g. from :mod:`marketsim.governance.decisions`.

        Returns:
            What became of it: accepted, or refused with a message (and nothing changed).
        """
        if region not in self.model.governments:
            return Decision(self.tick, region, decision, False, f"unknown government {region!r}")
        (result,) = decide(self.model, region, [decision])
        if result.accepted:
            self.interventions.append(Intervention(self.tick, self.model.date, region, result.event))
        return result

    def replay_last_change(self) -> bool:
        """Run again from the start to the tick of the last live change, with every change made
        so far, and stop there so its effect can be watched again.

        Returns:
            False (and nothing changes) if no change has been made.
        """
        if not self.interventions:
            return False
        kept, self.interventions = self.interventions, []
        self.model = RareEarthModel(self.scenario, seed=self.seed)
        for change in kept:
            self.step(change.tick - self.tick)
            apply_decisions(self.model, change.region, [change.event])  # validated when it was made
            self.interventions.append(change)
        return True

    # ----------------------------------------------------------------- export
    def result(self) -> RunResult:
        """The ticks run so far, with a manifest that lists the live changes."""
        manifest = run_manifest(self.scenario, self.model, source=self.source)
        manifest["ticks_run"] = self.tick
        manifest["live_changes"] = [
            {"tick": c.tick, "date": c.date, "region": c.region, "event": _event_json(c.event)}
            for c in self.interventions
        ]
        return RunResult(table=self.model.results(), manifest=manifest, model=self.model)

    def export_zip(self, file_format: str) -> bytes:
        """The run so far as a zip: time series (``csv`` or ``parquet``), events, alliances and
        ``manifest.json``, exactly as ``marketsim run`` writes them."""
        if file_format not in ("csv", "parquet"):
            raise ValueError(f"format must be csv or parquet (got {file_format!r})")
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory() as folder:
            paths = write_results(self.result(), folder, (file_format,))
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in paths:
                    archive.write(path, Path(path).name)
        return buffer.getvalue()


def _event_json(event) -> dict:
    return EVENT.dump_python(event, mode="json")
