"""What-if runs: a scenario simulated to its horizon under a list of policy changes, each change
re-run only from its own month on.

Every run to the horizon (a :class:`Trajectory`) keeps snapshots of its model every
:data:`SNAPSHOT_MONTHS` months. A run with other changes starts from the latest snapshot of a
kept run whose changes before that month are the same, so a change in month ``m`` costs the
months from ``m`` (at most a year earlier) to the horizon, not the whole run. A run resumed
from a snapshot is bit-identical to a fresh run with the same changes (tests/test_live.py).

A run may also be simulated in parts: :meth:`Runs.get` and :meth:`Runs.try_change` given
``ahead`` stop that many months after the change (the dashboard shows those first), and
:meth:`Runs.extend` runs the rest. The parts are the same steps as one run, so the result is
bit-identical too.

A snapshot is the model pickled without its recorder's arrays (8 MB of the 9 MB of a 30-year
run): rows before the snapshot month are the same in every run that shares it, so they are
copied back from the run it was taken from, and later rows are written again as the run goes on.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from marketsim.agents.fleet import AgentColumns
from marketsim.governance.effects import no_effect
from marketsim.governance.rounds import Decision, DecisionError, apply_decisions, validate_decision
from marketsim.model import RareEarthModel
from marketsim.scenario.schema import Scenario

SNAPSHOT_MONTHS = 12
"""Months between two snapshots of a run."""
KEPT_RUNS = 4
"""Runs kept besides the one with no change (the current run, its twin and two more)."""


@dataclass(frozen=True)
class Change:
    """A policy change made live: the month it starts, by whom, the validated event, and whether
    it is switched on.

    Attributes:
        tick: Month of the run (0 = the first) the change starts.
        region: The government that made it.
        event: The validated policy event (it starts at ``tick``).
        serial: Order in which changes were made; changes in the same month apply in this order.
        enabled: Switched on (off: kept in the list, left out of the run).
    """

    tick: int
    region: str
    event: Any
    serial: int
    enabled: bool = True

    @property
    def date(self) -> str:
        """Calendar month the change starts (YYYY-MM)."""
        return self.event.start

    @property
    def label(self) -> str:
        """Short text for chart markers, e.g. ``usa: tariff``."""
        return f"{self.region}: {self.event.type.replace('_', ' ')}"


# ----------------------------------------------------------------- snapshots
def _restore_columns(agent_set: AgentColumns, state: dict) -> None:
    agents = state.pop("_agent_list")
    agent_set.__dict__.update(state)
    agent_set._agents = weakref.WeakKeyDictionary(dict.fromkeys(agents))


def _reduce_columns(agent_set: AgentColumns):
    """Mesa's ``AgentSet`` pickles only its agents and random generator; ours keep their columns
    as attributes too, so they are pickled whole."""
    state = {k: v for k, v in agent_set.__dict__.items() if k != "_agents"}
    state["_agent_list"] = list(agent_set._agents)
    return object.__new__, (type(agent_set),), state, None, None, _restore_columns


def _subclasses(cls: type) -> list[type]:
    return [cls] + [sub for direct in cls.__subclasses__() for sub in _subclasses(direct)]


def take_snapshot(model: RareEarthModel) -> bytes:
    """The model's state, without its recorder's arrays."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **dict.fromkeys(_subclasses(AgentColumns), _reduce_columns)}
    recorder = model.recorder
    arrays, recorder.raw = recorder.raw, {}
    try:
        pickler.dump(model)
    finally:
        recorder.raw = arrays
    return buffer.getvalue()


def restore_snapshot(snapshot: bytes, recorded: RareEarthModel) -> RareEarthModel:
    """A model from a snapshot, its recorder's arrays copied from ``recorded`` (a model of the
    run the snapshot was taken from, or of one that shares it)."""
    model = pickle.loads(snapshot)
    model.recorder.raw = {name: values.copy() for name, values in recorded.recorder.raw.items()}
    return model


# ----------------------------------------------------------------- runs
@dataclass
class Trajectory:
    """A run to the horizon under some changes, with snapshots of it along the way.

    Attributes:
        held: The changes it holds, as (month, serial) in the order applied.
        model: The model at the horizon, or at the month run so far (see :attr:`done`).
        snapshots: Month -> the model at the start of that month, before that month's changes.
    """

    held: tuple[tuple[int, int], ...]
    model: RareEarthModel
    snapshots: dict[int, bytes] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.model.tick >= self.model.months


def in_order(changes: list[Change]) -> list[Change]:
    """Switched-on changes in the order a run applies them: by month, then as made."""
    return sorted((c for c in changes if c.enabled), key=lambda c: (c.tick, c.serial))


def _shared_until(held: tuple[tuple[int, int], ...], ordered: list[Change], months: int) -> int:
    """The first month in which a run holding ``held`` ((month, serial) in the order applied)
    and a run of ``ordered`` may differ (``months`` when they are the same run)."""
    wanted = [(c.tick, c.serial) for c in ordered]
    for k in range(min(len(held), len(wanted))):
        if held[k] != wanted[k]:
            return min(held[k][0], wanted[k][0])
    if len(held) == len(wanted):
        return months
    return held[len(wanted)][0] if len(held) > len(wanted) else wanted[len(held)][0]


def _key(ordered: list[Change]) -> tuple[tuple[int, int], ...]:
    return tuple((c.tick, c.serial) for c in ordered)


class Runs:
    """Runs of one scenario and seed to the horizon, kept with their snapshots."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        """Simulate the run with no change to the horizon."""
        model = RareEarthModel(scenario, seed=seed)
        self.months = model.months
        self.baseline = Trajectory((), model, {0: take_snapshot(model)})
        self._advance(model, self.baseline.snapshots, [], self.months)
        self._kept: OrderedDict[tuple[tuple[int, int], ...], Trajectory] = OrderedDict()

    def get(self, changes: list[Change], ahead: int | None = None) -> Trajectory:
        """The run with ``changes`` (switched-on ones, see :func:`in_order`), to the horizon, or,
        given ``ahead``, at least ``ahead`` months past the month it parts from every kept run
        (:meth:`extend` runs the rest)."""
        ordered = in_order(changes)
        key = _key(ordered)
        found = self._kept.get(key) if key else self.baseline
        if found is not None:
            if key:
                self._kept.move_to_end(key)
            if ahead is None:
                self._advance(found.model, found.snapshots, ordered, self.months)
            return found
        model, snapshots, parted = self._resume(ordered)
        self._advance(model, snapshots, ordered, self._stop(parted, ahead))
        return self._keep(Trajectory(key, model, snapshots))

    def extend(self, changes: list[Change], months: int) -> int:
        """Run the kept run with ``changes`` up to ``months`` months further towards the horizon.

        Returns:
            How many months it ran (0 when it is at the horizon or no longer kept).
        """
        ordered = in_order(changes)
        key = _key(ordered)
        found = self._kept.get(key) if key else self.baseline
        if found is None or found.done:
            return 0
        start = found.model.tick
        self._advance(found.model, found.snapshots, ordered, min(self.months, start + max(0, int(months))))
        return found.model.tick - start

    def try_change(
        self, changes: list[Change], region: str, decision: dict, tick: int, serial: int, ahead: int | None = None
    ) -> Decision:
        """Validate a decision at the start of month ``tick`` of the run with ``changes``, after
        that month's earlier changes; if accepted, run it to the horizon (or ``ahead`` months
        past ``tick``, see :meth:`get`) and keep it.

        Returns:
            What became of the decision; its ``event`` is the validated event when accepted.
        """
        ordered = in_order(changes)
        before = [c for c in ordered if c.tick <= tick]
        model, snapshots, _ = self._resume(before, tick)
        self._advance(model, snapshots, ordered, tick)
        self._apply_due(model, ordered)
        try:
            event = validate_decision(model, region, decision)
        except DecisionError as error:
            return Decision(tick, region, decision, False, str(error))
        reason = no_effect(model, region, event)
        if reason is not None:
            return Decision(tick, region, decision, False, f"{reason}: the decision would have no effect")
        (result,) = apply_decisions(model, region, [event])
        added = Change(tick, region, result.event, serial)
        ordered = in_order([*ordered, added])
        model.step()
        self._snap(model, snapshots)
        self._advance(model, snapshots, ordered, self._stop(tick, ahead))
        self._keep(Trajectory(_key(ordered), model, snapshots))
        return result

    # ----------------------------------------------------------------- inside
    def _stop(self, parted: int, ahead: int | None) -> int:
        """The month to run to: the horizon, or ``ahead`` months past month ``parted``."""
        return self.months if ahead is None else min(self.months, parted + max(1, int(ahead)))

    def _resume(self, ordered: list[Change], until: int | None = None) -> tuple[RareEarthModel, dict[int, bytes], int]:
        """A model restored from the latest snapshot any kept run shares with a run of
        ``ordered`` (not after month ``until``), the snapshots that go with it, and the first
        month in which the run of ``ordered`` may differ from the one restored."""
        best, best_tick, parted = self.baseline, -1, 0
        for run in (self.baseline, *self._kept.values()):
            shared = _shared_until(run.held, ordered, self.months)
            if until is not None:
                shared = min(shared, until)
            tick = max((t for t in run.snapshots if t <= shared), default=-1)
            if tick > best_tick:
                best, best_tick, parted = run, tick, shared
        snapshots = {t: data for t, data in best.snapshots.items() if t <= best_tick}
        return restore_snapshot(best.snapshots[best_tick], best.model), snapshots, parted

    def _apply_due(self, model: RareEarthModel, ordered: list[Change]) -> None:
        """Apply the changes that start at the model's current month (validated when made)."""
        for change in ordered:
            if change.tick == model.tick:
                apply_decisions(model, change.region, [change.event])

    def _snap(self, model: RareEarthModel, snapshots: dict[int, bytes]) -> None:
        if model.tick % SNAPSHOT_MONTHS == 0 and model.tick < self.months and model.tick not in snapshots:
            snapshots[model.tick] = take_snapshot(model)

    def _advance(self, model: RareEarthModel, snapshots: dict[int, bytes], ordered: list[Change], stop: int) -> None:
        """Run to the start of month ``stop`` (its changes not yet applied), snapshotting."""
        while model.tick < stop:
            self._apply_due(model, ordered)
            model.step()
            self._snap(model, snapshots)

    def _keep(self, run: Trajectory) -> Trajectory:
        self._kept[run.held] = run
        self._kept.move_to_end(run.held)
        while len(self._kept) > KEPT_RUNS:
            self._kept.popitem(last=False)
        return run
