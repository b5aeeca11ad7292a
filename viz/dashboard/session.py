"""One browser session's dashboard state: its live what-if run, what to compare it with and the last message.

Every session builds its own :class:`Dashboard` (``solara.use_memo`` in the page), so sessions on
one server never share a model. The methods here only call the model-side API
(:mod:`marketsim.live`, :mod:`marketsim.governance.decisions`, :mod:`marketsim.scenario.loading`) and turn errors into
messages; the simulation itself lives in ``marketsim``.
"""

from __future__ import annotations

import ctypes
import gc
import math
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from marketsim.live import LiveRun, parse_seed
from marketsim.reports.views import RunReader, RunView
from marketsim.scenario.loading import ScenarioError, load_scenario, parse_scenario_text

CONFIG_DIR = Path(os.environ.get("MARKETSIM_CONFIGS", Path(__file__).resolve().parents[2] / "configs"))
DEFAULT_SCENARIO = os.environ.get("MARKETSIM_SCENARIO", str(CONFIG_DIR / "baseline_2024.toml"))


def scenario_library() -> dict[str, Path]:
    """Scenario files in the configs folder, by name (sweep specs excluded)."""
    return {path.stem: path for path in sorted(CONFIG_DIR.glob("*.toml"))}


@dataclass
class Message:
    """A note for the person at the controls."""

    text: str
    ok: bool = True


def release_memory() -> None:
    """Collect garbage and hand freed heap memory back to the system: glibc keeps what a closed
    session's runs freed (many arrays of a few MB) for the process otherwise."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


AHEAD_MONTHS = 12
"""Months after a change simulated before the page shows it; the rest follows
(:meth:`Dashboard.simulate`), the headline's year first when it is later. Each month costs about
2.5 ms: a year shows the change's first effects at once."""
VIEWS_KEPT = 8
"""Views kept by a dashboard: those of the frame being drawn and the one before."""
COMPARISONS = {"twin": "the twin: before the latest change", "baseline": "no change at all"}
"""What the dotted lines show: the run without the latest change, or the run with no change."""


def non_finite(value, path: str = "") -> str | None:
    """The place (e.g. ``regions.china.mines.bayan.capacity``) of the first number in a parsed
    TOML document that is not finite (``nan``, ``inf``), or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else path or "(top)"
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found = non_finite(inner, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


@dataclass
class Dashboard:
    """State behind one browser session's dashboard."""

    run: LiveRun
    scenario_name: str
    message: Message | None = None
    compare: str = "twin"
    """What the dotted lines show: a key of :data:`COMPARISONS`."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _readers: dict = field(default_factory=dict, repr=False)
    _views: dict = field(default_factory=dict, repr=False)
    headline_until: int = 0
    """The months the page's headline reads (to the end of the year it shows): when a change's
    first part stops before, the page draws the headline again once the rest gets there."""
    revision: int = 0
    """Counts changes to the message and the comparison (every control that changes the runs sets
    a message): components that show them render again only when it moves, not every frame."""

    def __setattr__(self, name: str, value) -> None:
        if name in ("message", "compare"):
            object.__setattr__(self, "revision", getattr(self, "revision", 0) + 1)
        object.__setattr__(self, name, value)

    @classmethod
    def start(cls, path: str | Path = DEFAULT_SCENARIO) -> Dashboard:
        """A dashboard on a scenario file (the default scenario unless told otherwise), simulated
        to its horizon."""
        path = Path(path)
        return cls(LiveRun(load_scenario(path), source=str(path), ahead=AHEAD_MONTHS), path.stem)

    def close(self) -> None:
        """Let go of the runs (the browser tab closed)."""
        with self.lock:
            self._readers.clear()
            self._views.clear()
            self.run.runs = None
        release_memory()

    # ----------------------------------------------------------------- what to draw
    def _reader(self, model, changes=()) -> RunReader:
        """A reader per run, kept while the run is (a run is read once, then sliced)."""
        key = id(model)
        found = self._readers.get(key)
        if found is None or found.model is not model or found.ticks != model.tick:
            found = RunReader(model, list(changes))
            self._readers = {k: r for k, r in self._readers.items() if r.model in self._live_models()}
            self._readers[key] = found
        return found

    def _live_models(self) -> list:
        return [m for m in (self.run.model, self.run.twin, self.run.baseline) if m is not None]

    def reference_model(self):
        """The run the dotted lines show (None: nothing to compare with)."""
        if self.compare == "baseline":
            return self.run.baseline if self.run.interventions else None
        return self.run.twin

    def _view(self, model, ticks: int | None) -> RunView:
        """A run's view of its first ``ticks`` months (all when None), kept for the frames that
        ask for it again (the page reads the same views for its charts, headline and scorecard)."""
        ticks = None if ticks is None or ticks >= model.tick else ticks  # one view of every month run
        key = (id(model), model.tick, ticks)
        found = self._views.get(key)
        if found is None or found[0] is not model:
            found = (model, self._reader(model, self.run.changes).view(ticks))
            live = self._live_models()
            kept = [(k, v) for k, v in self._views.items() if v[0] in live][-(VIEWS_KEPT - 1) :]
            self._views = dict(kept)
            self._views[key] = found
        return found[1]

    def view(self, ticks: int | None = None) -> RunView:
        """The run with its changes, for the months shown (or its first ``ticks``) that it and
        its twin have been simulated for."""
        with self.lock:
            shown = min(self.run.shown if ticks is None else min(ticks, self.run.shown), self.run.ready)
            return self._view(self.run.model, shown)

    def whole(self) -> RunView:
        """The run with its changes, every month (the charts cut it at the month shown)."""
        with self.lock:
            return self._view(self.run.model, None)

    def reference(self, ticks: int | None = None) -> RunView | None:
        """The comparison run (see :attr:`compare`), for its whole horizon or its first ``ticks``."""
        with self.lock:
            model = self.reference_model()
            return None if model is None else self._view(model, ticks)

    def compared(self) -> tuple[int, int, int]:
        """Which runs the page compares and how far they are simulated: (the run, its
        reference, months simulated of both); a new value means new lines to draw."""
        with self.lock:
            reference = self.reference_model()
            return id(self.run.model), id(reference), self.run.ready

    @property
    def pending(self) -> bool:
        """Whether the run or its twin still has months to simulate (after a change)."""
        with self.lock:
            return self.run.runs is not None and self.run.pending

    @property
    def ready(self) -> int:
        """Months simulated of both the run and its twin (0 once the tab closed)."""
        with self.lock:
            return 0 if self.run.runs is None else self.run.ready

    def simulate(self, months: int) -> int:
        """Simulate up to ``months`` more months of the run or its twin; returns how many (0: done
        or the tab closed)."""
        with self.lock:
            return 0 if self.run.runs is None else self.run.simulate(months)

    @property
    def reference_label(self) -> str:
        """What the dotted lines show, in words."""
        if self.reference_model() is None:
            return ""
        if self.compare == "baseline":
            return "no change at all"
        return f"without {self.run.latest.label} ({self.run.latest.date})"

    @property
    def span(self) -> tuple[str, str]:
        """First and last month of the run, for fixed time axes."""
        return self.run.date_of(0), self.run.date_of(self.run.months - 1)

    # ----------------------------------------------------------------- controls
    def step(self, ticks: int = 1) -> int:
        """Show more months."""
        with self.lock:
            return self.run.step(ticks)

    def run_to_end(self) -> None:
        """Show every month."""
        with self.lock:
            self.run.run_to_end()

    def rewind(self) -> None:
        """Show no month yet (press play to watch the run unfold)."""
        with self.lock:
            self.run.show_from(0)

    def reset(self) -> None:
        """Forget every live change: the scenario as it is, to the horizon."""
        with self.lock:
            self.run.restart()
            self._readers.clear()
            self._views.clear()
        self.message = Message(f"Restarted {self.scenario_name} with seed {self.run.seed}, no changes.")

    def reseed(self, text: str) -> None:
        """Restart with a seed typed by the user; a malformed seed changes nothing."""
        try:
            seed = parse_seed(text)
        except ValueError as error:
            self.message = Message(str(error), ok=False)
            return
        with self.lock:
            self.run.restart(seed=seed)
            self._readers.clear()
            self._views.clear()
        self.message = Message(f"Restarted {self.scenario_name} with seed {seed}.")

    def choose(self, name: str) -> None:
        """Switch to a scenario of the library; an invalid file changes nothing."""
        path = scenario_library().get(name)
        if path is None:
            self.message = Message(f"no scenario named {name!r} in {CONFIG_DIR}", ok=False)
            return
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            self.message = Message(f"{path.name} is not a valid scenario:\n{error}", ok=False)
            return
        self._switch(scenario, name, str(path))

    def upload(self, filename: str, content: bytes) -> None:
        """Switch to an uploaded scenario file; one that fails validation or holds a number that
        is not finite changes nothing."""
        refused = f"{filename} was not loaded; the current run is unchanged.\n"
        try:
            place = non_finite(tomllib.loads(content.decode("utf-8")))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            place = None  # the validation below says what is wrong
        if place is not None:
            self.message = Message(f"{refused}{place}: every number must be finite (not nan or inf)", ok=False)
            return
        try:
            scenario = parse_scenario_text(content, filename, folder=CONFIG_DIR)
        except ScenarioError as error:
            self.message = Message(f"{refused}{error}", ok=False)
            return
        self._switch(scenario, Path(filename).stem, f"uploaded: {filename}")

    def _switch(self, scenario, name: str, source: str) -> None:
        try:
            with self.lock:
                self.run.restart(scenario, source=source)
                self._readers.clear()
                self._views.clear()
        except (ValueError, ArithmeticError, IndexError, KeyError) as error:
            self.message = Message(f"{name} could not be run: {error}", ok=False)
            with self.lock:
                self.run.restart(load_scenario(DEFAULT_SCENARIO), source=DEFAULT_SCENARIO)
            self.scenario_name = Path(DEFAULT_SCENARIO).stem
            return
        self.scenario_name = name
        self.message = Message(f"Loaded {name} (seed {self.run.seed}).")

    def decide(self, region: str, decision: dict | None, tick: int | None = None) -> None:
        """A government's policy change from month ``tick`` on (the first month not shown when
        None), re-run to the horizon. ``decision`` None means the form could not build one (its
        message is already set)."""
        if decision is None:
            return
        with self.lock:
            self.run.ahead = self.ahead(self.run.shown if tick is None else tick)
            result = self.run.change_policy(region, decision, tick)
        kind = str(decision.get("type", "decision")).replace("_", " ")
        if result.accepted:
            self.message = Message(f"{region}: {kind} in force from {result.event.start}; re-run to the horizon.")
        else:
            self.message = Message(f"Refused: {result.message}", ok=False)

    def ahead(self, tick: int) -> int:
        """Months simulated at once after a change in month ``tick``: a year (:data:`AHEAD_MONTHS`),
        wherever the change is; the headline's year, when later, is simulated first of the rest."""
        return AHEAD_MONTHS

    def switch(self, serial: int, enabled: bool) -> None:
        """Switch a change on or off."""
        with self.lock:
            self.run.switch(serial, enabled)
        self.message = Message(f"Change {serial} switched {'on' if enabled else 'off'}; re-run to the horizon.")

    def remove(self, serial: int) -> None:
        """Forget a change."""
        with self.lock:
            self.run.remove(serial)
        self.message = Message(f"Change {serial} removed.")

    def replay(self) -> bool:
        """Go back to the latest change, so the room can watch its effect unfold again."""
        with self.lock:
            replayed = self.run.replay_last_change()
        if replayed:
            change = self.run.latest
            self.message = Message(f"Back at {change.date}, when {change.label} starts: watch it unfold.")
        else:
            self.message = Message("No live change to replay yet: change a policy first.", ok=False)
        return replayed

    def export(self, file_format: str) -> bytes:
        """The whole run as a zip (time series, events, alliances, manifest)."""
        with self.lock:
            return self.run.export_zip(file_format)
