"""A run a person drives live: what if this government did that, from that month on?

This is the model-side state behind the dashboard: one :class:`LiveRun` per browser session. It
holds no UI code. The run is always simulated to its horizon, together with its no-change twin;
a change re-runs from its own month (:mod:`marketsim.whatif`), to the horizon at once or, given
``ahead``, for that many months first and the rest by :meth:`LiveRun.simulate` (the dashboard
shows the first years while the rest is simulated). Every policy change goes through
the governance seam: :func:`marketsim.governance.rounds.decide` validates it like a player's
decision in the month it starts, and :func:`~marketsim.governance.rounds.apply_decisions` makes
it an event there.
"""

from __future__ import annotations

import io
import math
import numbers
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from marketsim.governance.rounds import EVENT, Decision
from marketsim.model import RareEarthModel
from marketsim.reports.runner import RunResult, run_manifest, write_results
from marketsim.scenario.schema import Scenario
from marketsim.whatif import Change, Runs

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


def parse_number(text: Any, name: str, low: float, high: float) -> float:
    """Read a number typed by a person into a field called ``name``.

    Raises:
        ValueError: With a message fit to show, if it is empty, not a number, not finite (nan,
            inf) or outside ``low`` to ``high``.
    """
    cleaned = str(text).strip().replace("_", "").replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g} (got {str(text)!r})") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g} (got {str(text)!r})")
    return value


Intervention = Change
"""The old name of a live policy change."""


@dataclass
class LiveRun:
    """One live what-if run of a scenario: always simulated to the horizon.

    The run with every switched-on change (:attr:`model`) and its no-change twin (:attr:`twin`:
    the same scenario, seed and earlier changes, without the latest) are kept to the horizon; a
    change re-runs from its own month (see :mod:`marketsim.whatif`). ``shown`` is how many months
    the dashboard shows: the whole run unless someone steps, plays or replays.

    Attributes:
        scenario: The scenario being run.
        seed: Its random seed.
        source: Where the scenario came from (a file name), for the manifest.
        ahead: Months simulated at once past the month a change parts from the runs already
            made; :meth:`simulate` runs the rest. None: every run goes to the horizon at once.
        changes: Every live policy change made, switched on or off, in the order made.
        shown: Months shown, 0 to the length of the run.
    """

    scenario: Scenario
    seed: int | None = None
    source: str = "<scenario>"
    ahead: int | None = None
    changes: list[Change] = field(init=False, default_factory=list)
    shown: int = field(init=False, default=0)
    runs: Runs = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.seed is None:
            self.seed = self.scenario.scenario.seed
        self.runs = Runs(self.scenario, self.seed)
        self.shown = self.months

    # ----------------------------------------------------------------- the runs
    @property
    def model(self) -> RareEarthModel:
        """The run with every switched-on change, at the horizon (or, with :attr:`ahead`, as far
        as it has been simulated)."""
        return self.runs.get(self.changes, self.ahead).model

    @property
    def interventions(self) -> list[Change]:
        """The switched-on changes, oldest first."""
        return [c for c in self.changes if c.enabled]

    @property
    def latest(self) -> Change | None:
        """The switched-on change made last (the one the twin leaves out)."""
        on = self.interventions
        return on[-1] if on else None

    @property
    def twin(self) -> RareEarthModel | None:
        """The no-change twin: the same run without the latest change (None without changes)."""
        latest = self.latest
        if latest is None:
            return None
        return self.runs.get(self._twin_changes(), self.ahead).model

    def _twin_changes(self) -> list[Change]:
        latest = self.latest
        return [c for c in self.changes if latest is None or c.serial != latest.serial]

    @property
    def pending(self) -> bool:
        """Whether the run or its twin still has months to simulate (see :attr:`ahead`)."""
        twin = self.twin
        return self.model.tick < self.months or (twin is not None and twin.tick < self.months)

    @property
    def ready(self) -> int:
        """Months simulated of both the run and its twin."""
        twin = self.twin
        return min(self.model.tick, self.months if twin is None else twin.tick)

    def simulate(self, months: int) -> int:
        """Simulate up to ``months`` more months towards the horizon of the run, or of its twin
        when the twin is behind it, so that both advance together (:attr:`ready` grows).

        Returns:
            How many months were simulated (0: both are at the horizon).
        """
        twin = self.twin
        if twin is not None and twin.tick < self.model.tick:
            return self._extend(self._twin_changes(), months)
        ran = self._extend(self.changes, months)
        if ran == 0 and twin is not None:
            ran = self._extend(self._twin_changes(), months)
        return ran

    def _extend(self, changes: list[Change], months: int) -> int:
        self.runs.get(changes, self.ahead)  # made again if it was no longer kept
        return self.runs.extend(changes, months)

    def finish(self) -> None:
        """Simulate the run and its twin to the horizon."""
        self.runs.get(self.changes)
        if self.latest is not None:
            self.runs.get(self._twin_changes())

    @property
    def baseline(self) -> RareEarthModel:
        """The run with no change at all."""
        return self.runs.baseline.model

    # ----------------------------------------------------------------- time shown
    @property
    def tick(self) -> int:
        """Months shown."""
        return self.shown

    @property
    def months(self) -> int:
        """Length of the run in months."""
        return self.runs.months

    @property
    def finished(self) -> bool:
        """Whether every month is shown."""
        return self.shown >= self.months

    def step(self, ticks: int = 1) -> int:
        """Show up to ``ticks`` more months; returns how many (fewer at the end)."""
        ran = max(0, min(int(ticks), self.months - self.shown))
        self.shown += ran
        return ran

    def run_to_end(self) -> int:
        """Show every month; returns how many more are shown."""
        return self.step(self.months - self.shown)

    def show_from(self, tick: int) -> None:
        """Show the months before ``tick`` only (0 to the length of the run)."""
        self.shown = max(0, min(int(tick), self.months))

    def restart(self, scenario: Scenario | None = None, *, seed: int | None = None, source: str | None = None) -> None:
        """Start again, optionally with another scenario or seed; live changes are forgotten."""
        if scenario is not None:
            self.scenario = scenario
            self.source = source or self.source
            self.seed = scenario.scenario.seed if seed is None else seed
        elif seed is not None:
            self.seed = seed
        self.runs = Runs(self.scenario, self.seed)
        self.changes = []
        self.shown = self.months

    # ----------------------------------------------------------------- policy
    def date_of(self, tick: int) -> str:
        """Calendar month of a month of the run."""
        return self.runs.baseline.model.date_of(tick)

    def change_policy(self, region: str, decision: dict, tick: int | None = None) -> Decision:
        """Make a government's decision take effect from month ``tick`` (the first month not
        shown when None) and re-run from there to the horizon.

        Args:
            region: The government deciding.
            decision: A decision in scenario-file form, e.g. from :mod:`marketsim.governance.decisions`;
                its ``start`` is set to the month of ``tick``.
            tick: Month of the run the change starts, 0 to the length of the run minus one.

        Returns:
            What became of it: accepted, or refused with a message (and nothing changed).
        """
        tick = min(self.shown, self.months - 1) if tick is None else tick
        if not (isinstance(tick, numbers.Integral) and 0 <= tick < self.months):
            last = self.date_of(self.months - 1)
            return Decision(0, region, decision, False, f"a change must start between {self.date_of(0)} and {last}")
        if region not in self.scenario.regions:
            return Decision(tick, region, decision, False, f"unknown government {region!r}")
        decision = {**decision, "start": self.date_of(tick)} if isinstance(decision, dict) else decision
        serial = max((c.serial for c in self.changes), default=0) + 1
        result = self.runs.try_change(self.changes, region, decision, tick, serial, self.ahead)
        if result.accepted:
            self.changes.append(Change(tick, region, result.event, serial))
        return result

    def switch(self, serial: int, enabled: bool) -> bool:
        """Switch a change on or off (the run re-runs from its month); False if there is none."""
        for k, change in enumerate(self.changes):
            if change.serial == serial:
                self.changes[k] = replace(change, enabled=bool(enabled))
                return True
        return False

    def remove(self, serial: int) -> bool:
        """Forget a change; False if there is none."""
        kept = [c for c in self.changes if c.serial != serial]
        removed, self.changes = len(kept) < len(self.changes), kept
        return removed

    def replay_last_change(self) -> bool:
        """Show the run up to the latest change only, so its effect can be watched again.

        Returns:
            False (and nothing changes) if no change is switched on.
        """
        latest = self.latest
        if latest is None:
            return False
        self.show_from(latest.tick)
        return True

    # ----------------------------------------------------------------- export
    def result(self) -> RunResult:
        """The whole run with its switched-on changes, and a manifest that lists every live change
        (``enabled`` false for those switched off)."""
        self.finish()
        manifest = run_manifest(self.scenario, self.model, source=self.source)
        manifest["ticks_run"] = self.model.tick
        manifest["live_changes"] = [
            {"tick": c.tick, "date": c.date, "region": c.region, "enabled": c.enabled, "event": _event_json(c.event)}
            for c in self.changes
        ]
        return RunResult(table=self.model.results(), manifest=manifest, model=self.model)

    def export_zip(self, file_format: str) -> bytes:
        """The whole run as a zip: time series (``csv`` or ``parquet``), events, alliances and
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
