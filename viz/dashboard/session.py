"""One browser session's dashboard state: its live run, the pinned reference and the last message.

Every session builds its own :class:`Dashboard` (``solara.use_memo`` in the page), so sessions on
one server never share a model. The methods here only call the model-side API
(:mod:`marketsim.live`, :mod:`marketsim.governance.decisions`, :mod:`marketsim.scenario.loading`) and turn errors into
messages; the simulation itself lives in ``marketsim``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from marketsim.live import LiveRun, parse_seed
from marketsim.reports.views import RunView, view_of
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


@dataclass
class Dashboard:
    """State behind one browser session's dashboard."""

    run: LiveRun
    scenario_name: str
    reference: RunView | None = None
    reference_label: str = ""
    message: Message | None = None
    follow_through: bool = False
    """Run to the end after every policy change ("what if" mode)."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(cls, path: str | Path = DEFAULT_SCENARIO) -> Dashboard:
        """A dashboard on a scenario file (the default scenario unless told otherwise)."""
        path = Path(path)
        return cls(LiveRun(load_scenario(path), source=str(path)), path.stem)

    def view(self) -> RunView:
        """What to draw now."""
        with self.lock:
            return view_of(self.run.model, self.run.interventions)

    @property
    def span(self) -> tuple[str, str]:
        """First and last month of the run, for fixed time axes."""
        model = self.run.model
        return model.date_of(0), model.date_of(model.months - 1)

    # ----------------------------------------------------------------- controls
    def step(self, ticks: int = 1) -> int:
        """Advance the run."""
        with self.lock:
            return self.run.step(ticks)

    def run_to_end(self) -> None:
        """Run the remaining months."""
        with self.lock:
            self.run.run_to_end()

    def reset(self) -> None:
        """Start the run again from its first month, same scenario and seed, no live changes."""
        with self.lock:
            self.run.restart()
        self.message = Message(f"Restarted {self.scenario_name} with seed {self.run.seed}.")

    def reseed(self, text: str) -> None:
        """Restart with a seed typed by the user; a malformed seed changes nothing."""
        try:
            seed = parse_seed(text)
        except ValueError as error:
            self.message = Message(str(error), ok=False)
            return
        with self.lock:
            self.run.restart(seed=seed)
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
        """Switch to an uploaded scenario file; one that fails validation changes nothing."""
        try:
            scenario = parse_scenario_text(content, filename)
        except ScenarioError as error:
            self.message = Message(f"{filename} was not loaded; the current run is unchanged.\n{error}", ok=False)
            return
        self._switch(scenario, Path(filename).stem, f"uploaded: {filename}")

    def _switch(self, scenario, name: str, source: str) -> None:
        with self.lock:
            self.run.restart(scenario, source=source)
        self.scenario_name = name
        self.reference = None
        self.message = Message(f"Loaded {name} (seed {self.run.seed}).")

    def decide(self, region: str, decision: dict) -> None:
        """A government's policy change, from the current month on."""
        with self.lock:
            result = self.run.change_policy(region, decision)
        kind = decision.get("type", "decision").replace("_", " ")
        if result.accepted:
            self.message = Message(f"{region}: {kind} in force from {result.event.start}.")
            if self.follow_through:
                self.run_to_end()
        else:
            self.message = Message(f"Refused: {result.message}", ok=False)

    def pin(self) -> None:
        """Keep the run so far as the reference drawn dotted on every chart."""
        self.reference = self.view()
        last = self.run.model.date_of(max(self.run.tick - 1, 0))
        self.reference_label = f"{self.scenario_name}, seed {self.run.seed}, to {last}"
        self.message = Message(f"Pinned {self.reference_label} as the reference.")

    def unpin(self) -> None:
        """Drop the reference."""
        self.reference = None
        self.message = Message("Reference removed.")

    def replay(self) -> None:
        """Go back to the last live change, so the room can watch its effect again."""
        with self.lock:
            replayed = self.run.replay_last_change()
        if replayed:
            change = self.run.interventions[-1]
            self.message = Message(f"Back at {change.date}, just after {change.label}. Press play to watch again.")
        else:
            self.message = Message("No live change to replay yet: change a policy first.", ok=False)

    def export(self, file_format: str) -> bytes:
        """The run so far as a zip (time series, events, alliances, manifest)."""
        with self.lock:
            return self.run.export_zip(file_format)
