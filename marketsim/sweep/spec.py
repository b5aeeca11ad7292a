"""What a sweep file may say: base scenario, parameters, design, replications and outcomes."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from marketsim.policy.events import Event
from marketsim.reports.metrics import ALL, BY_NAME, WORLD
from marketsim.scenario.base import Strict
from marketsim.scenario.loading import (
    ScenarioError,
    apply_overrides,
    complete_text,
    format_validation_error,
    load_scenario,
    read_toml,
    validate_scenario,
)
from marketsim.scenario.schema import Scenario
from marketsim.sweep.functions import OutcomeFunctionError, add_search_folder, resolve
from marketsim.vocabulary import GOODS

OUTSIDE_CHINA = "outside_china"
CHINA = "china"

EVENT = TypeAdapter(Event)


class SweepInfo(Strict):
    """The experiment as a whole."""

    name: str
    scenario: str
    """Base scenario file, relative to the sweep file."""
    years: Annotated[int, Field(ge=1, le=100)] | None = None
    """Length of each run; the scenario's when omitted."""
    design: Literal["grid", "lhs", "sobol", "morris"] = "lhs"
    samples: Annotated[int, Field(ge=1, le=1_000_000)] = 16
    """Points for ``lhs``; base samples N for ``sobol`` (N x (D + 2) points); trajectories for
    ``morris`` (r x (D + 1) points); unused by ``grid``."""
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    """Grid levels of a range parameter (``grid``) or Morris levels (``morris``)."""
    replications: Annotated[int, Field(ge=1, le=10_000)] = 1
    root_seed: Annotated[int, Field(ge=0)] = 0


class Parameter(Strict):
    """A swept value: a continuous ``range`` (uniform unless ``distribution`` says otherwise) or a
    list of ``values`` (categorical: each equally likely; grid and LHS designs only)."""

    range: tuple[float, float] | None = None
    """Bounds of a continuous parameter: [low, high]."""
    values: list[Any] | None = None
    distribution: Literal["uniform", "log-uniform", "normal"] | None = None
    """How values spread over the range: ``uniform`` (default), ``log-uniform`` (uniform in the
    logarithm; low > 0), or ``normal`` (``mean`` and ``sd``, truncated to the range)."""
    mean: float | None = None
    """Mean of a ``normal`` parameter."""
    sd: Annotated[float, Field(gt=0.0)] | None = None
    """Standard deviation of a ``normal`` parameter."""

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.range is None) == (self.values is None):
            raise ValueError("give either range = [low, high] or values = [...]")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        if self.values is not None and not self.values:
            raise ValueError("values must not be empty")
        if self.values is not None and self.distribution is not None:
            raise ValueError("a list of values is categorical (each value equally likely); drop distribution")
        return self._distribution_fields()

    def _distribution_fields(self) -> Parameter:
        normal = self.distribution == "normal"
        if normal and (self.mean is None or self.sd is None):
            raise ValueError("distribution = 'normal' needs mean and sd (the range bounds it)")
        if not normal and (self.mean is not None or self.sd is not None):
            raise ValueError("mean and sd are only for distribution = 'normal'")
        if self.distribution == "log-uniform" and self.range[0] <= 0:
            raise ValueError(f"distribution = 'log-uniform' needs a range above zero, got {list(self.range)}")
        return self


class Outcome(Strict):
    """One number per run: a metric reduced over time, or what a Python function makes of the run."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    metric: str | None = None
    """A metric of docs/metrics.md (or give ``function``)."""
    function: Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")] | None = None
    """``module:function`` called with the run's tidy table; returns a float, or a dict of floats
    whose ``keys`` are listed (outcomes ``name.key``)."""
    keys: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] | None = None
    """The keys of the dict a ``function`` returns."""
    good: str = "all"
    region: str = "world"
    """A region, ``world``, or ``outside_china`` (all regions but China, see docs/sweeps.md)."""
    reduce: Literal["final", "mean", "max", "min", "time_to_threshold"] = "mean"
    last_years: Annotated[float, Field(gt=0.0)] | None = None
    """Reduce over the last N years only (all of the run when omitted)."""
    threshold: float | None = None
    """For ``time_to_threshold``: months until the metric first reaches this value (NaN if never)."""

    @model_validator(mode="after")
    def _known_metric(self) -> Outcome:
        if (self.metric is None) == (self.function is None):
            raise ValueError("give either metric = '...' or function = 'module:function'")
        if self.function is not None:
            metric_fields = ("metric", "good", "region", "reduce", "last_years", "threshold")
            extra = [f for f in metric_fields if getattr(self, f) != type(self).model_fields[f].default]
            if extra:
                raise ValueError(f"a function outcome takes only name, function and keys, not {', '.join(extra)}")
            return self
        if self.keys is not None:
            raise ValueError("keys are only for a function outcome")
        if self.metric not in BY_NAME:
            raise ValueError(f"unknown metric {self.metric!r} (see docs/metrics.md)")
        if self.reduce == "time_to_threshold" and self.threshold is None:
            raise ValueError("reduce = 'time_to_threshold' needs a threshold")
        return self

    @property
    def columns(self) -> list[str]:
        """The outcome names this outcome writes: its name, or ``name.key`` for each key."""
        return [f"{self.name}.{key}" for key in self.keys] if self.keys else [self.name]


class SweepSpec(Strict):
    """A whole sweep file."""

    sweep: SweepInfo
    parameters: dict[str, Parameter] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    """Policy events added to the base scenario; their fields can be swept as ``events.N.field``."""
    outcomes: list[Outcome] = Field(min_length=1)

    @model_validator(mode="after")
    def _designs_and_names(self) -> SweepSpec:
        listed = [p for p, spec in self.parameters.items() if spec.values is not None]
        if listed and self.sweep.design in ("sobol", "morris"):
            raise ValueError(
                f"parameters {listed} are categorical (a list of values); design = '{self.sweep.design}' needs "
                "continuous parameters (range = [low, high]), so use design = 'grid' or 'lhs' for them"
            )
        names = [o.name for o in self.outcomes]
        if len(set(names)) != len(names):
            raise ValueError(f"outcome names must be unique, got {names}")
        return self

    def outcome_names(self) -> list[str]:
        """Every outcome name a run writes, in order (a function's keys as ``name.key``)."""
        return [column for outcome in self.outcomes for column in outcome.columns]

    def digest(self) -> str:
        """SHA-256 of the spec's canonical JSON (fields added later are left out while unused, so a
        spec written before them keeps its digest)."""
        data = self.model_dump(mode="json")
        for parameter in data["parameters"].values():
            for key in LATER_PARAMETER_FIELDS:
                if parameter.get(key) is None:
                    parameter.pop(key, None)
        for outcome in data["outcomes"]:
            for key in LATER_OUTCOME_FIELDS:
                if outcome.get(key) is None:
                    outcome.pop(key, None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


LATER_PARAMETER_FIELDS = ("distribution", "mean", "sd")
LATER_OUTCOME_FIELDS = ("function", "keys")


def load_spec(path: str | Path) -> tuple[SweepSpec, Scenario]:
    """Load a sweep file and its base scenario, and check every swept path against it.

    Returns:
        The spec and the base scenario with the spec's events added.

    Raises:
        ScenarioError: With a readable message for a bad spec, a bad base scenario, or a
            parameter path the scenario does not have.
    """
    path = Path(path)
    try:
        spec = SweepSpec.model_validate(read_toml(path))
    except ValidationError as error:
        raise ScenarioError(format_validation_error(error, str(path))) from None
    base_path = (path.parent / spec.sweep.scenario).resolve()
    try:
        base = load_scenario(base_path)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: sweep.scenario: cannot use the base scenario\n{error}") from None
    if spec.events:
        data = json.loads(base.model_dump_json())
        data["events"] += [EVENT.dump_python(event, mode="json") for event in spec.events]
        base = validate_scenario(data, f"{base_path} + events of {path}")
    _check_parameters(spec, base, path)
    _check_outcomes(spec, base, path)
    check_size(spec, path)
    return spec, base


def _check_parameters(spec: SweepSpec, base: Scenario, path: Path) -> None:
    """Both ends of every range must make a valid scenario, and at least one of a list's values.

    A list may hold invalid values on purpose (their runs fail and are recorded as failures).
    """
    for name, parameter in spec.parameters.items():
        probes = list(parameter.range) if parameter.values is None else parameter.values
        problems = []
        for probe in probes:
            try:
                apply_overrides(base, [f"{name}={json.dumps(probe)}"], f"{path}: parameter {name!r}")
            except ScenarioError as error:
                problems.append(str(error))
        if parameter.values is None and problems:
            raise ScenarioError(
                f"{path}: parameters.{name}: the range {list(parameter.range)} goes outside the values this "
                f"setting accepts, so runs would fail:\n{problems[0]}"
            )
        if problems and len(problems) == len(probes):
            raise ScenarioError(f"{path}: parameters.{name}: no value in the list is valid:\n{problems[0]}")
        if parameter.range is not None:
            _check_fractions(base, name, parameter.range, path)


def _check_fractions(base: Scenario, name: str, bounds: tuple[float, float], path: Path) -> None:
    """A range draws fractional values: refuse it for a setting that takes whole numbers only."""
    inside = bounds[0] + 0.5123 * (bounds[1] - bounds[0])
    try:
        apply_overrides(base, [f"{name}={json.dumps(inside)}"], f"{path}: parameter {name!r}")
    except ScenarioError:
        raise ScenarioError(
            f"{path}: parameters.{name}: this setting takes whole numbers, but a range draws fractions "
            f"such as {inside:g}; list the values instead (values = [...])"
        ) from None


def _check_outcomes(spec: SweepSpec, base: Scenario, path: Path) -> None:
    """Every outcome's region and good must exist, and every outcome function must be callable."""
    regions = [*base.regions, WORLD] + ([OUTSIDE_CHINA] if CHINA in base.regions else [])
    goods = [*GOODS, ALL]
    for i, outcome in enumerate(spec.outcomes):
        if outcome.function is not None:
            add_search_folder(path.parent)
            try:
                resolve(outcome.function)
            except OutcomeFunctionError as error:
                raise ScenarioError(f"{path}: outcomes.{i}.function: {error}") from None
            continue
        if outcome.region not in regions:
            raise ScenarioError(
                f"{path}: outcomes.{i}.region: unknown region {outcome.region!r} (known: {', '.join(regions)})"
            )
        if outcome.region == OUTSIDE_CHINA and BY_NAME[outcome.metric].layout == "world":
            raise ScenarioError(
                f"{path}: outcomes.{i}.region: {outcome.metric!r} is a world figure, so it has no 'outside_china' part"
            )
        if outcome.good not in goods:
            raise ScenarioError(f"{path}: outcomes.{i}.good: unknown good {outcome.good!r} (known: {', '.join(goods)})")


def spec_sources(path: str | Path) -> dict[str, str]:
    """The full texts of a sweep file and of its base scenario file, for the manifest."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    scenario = (path.parent / read_toml(path)["sweep"]["scenario"]).resolve()
    return {"spec": text, "scenario": complete_text(scenario), "scenario_path": str(scenario)}


BYTES_PER_RUN = 1500
"""Memory a sweep needs per run before any run starts (its seed, its plan, its manifest entry)."""
BYTES_PER_VALUE = 32
"""Memory per design value (the design matrix and its copies)."""


def point_count(spec: SweepSpec) -> int:
    """Number of design points, computed without building the design."""
    info, dims = spec.sweep, len(spec.parameters)
    if info.design == "grid":
        return math.prod(len(p.values) if p.values is not None else info.levels for p in spec.parameters.values())
    return {"lhs": info.samples, "sobol": info.samples * (dims + 2), "morris": info.samples * (dims + 1)}[info.design]


def available_memory() -> int:
    """Bytes of memory available to a new sweep on this machine."""
    try:
        import psutil  # noqa: PLC0415 (comes with the sweep extra)

        return int(psutil.virtual_memory().available)
    except ImportError:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_size(spec: SweepSpec, path: str | Path = "<sweep>") -> None:
    """Refuse, before anything is computed, a sweep whose plan cannot fit in half the free memory.

    Raises:
        ScenarioError: With the number of runs, the memory they need and what is available.
    """
    points = point_count(spec)
    runs = points * spec.sweep.replications
    needed = runs * BYTES_PER_RUN + points * len(spec.parameters) * BYTES_PER_VALUE
    free = available_memory()
    if needed > free // 2:
        raise ScenarioError(
            f"{path}: the sweep has {runs:,} runs ({points:,} design points x {spec.sweep.replications:,} "
            f"replications), whose plan alone needs about {needed / 1e9:,.1f} GB; this machine has "
            f"{free / 1e9:,.1f} GB free. Use fewer samples, levels or replications"
        )
