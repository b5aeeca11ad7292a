"""Calibration targets: the patterns a run should reproduce, read from a TOML file and checked.

A target file (``configs/targets/history_2010.toml``) has three parts:

* ``[run]``: the scenario to run, its length and the seeds per particle;
* ``[parameters]``: the scenario parameters to fit (``--set`` paths) with their priors;
* ``[[targets]]``: one summary statistic each, with its target range, tolerance, weight and
  source (see :mod:`marketsim.calibration.statistics` for the statistics).

Each target's error is its distance to the target range (0 inside it), on a log or linear scale,
divided by its tolerance; it passes when that ratio is at most 1. The distance of a run is the
weighted root mean square of those ratios.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Field(pattern=MONTH_PATTERN)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
PositiveFinite = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
MISSING_PENALTY = 10.0
"""Normalised error given to a statistic the run could not compute (no data, or a log of <= 0)."""
NEEDS: dict[str, tuple[str, ...]] = {
    "mean": (),
    "peak_ratio": ("base_window",),
    "peak_delay": ("reference",),
    "share_of_peak": ("peak_window",),
    "ratio": ("versus",),
    "gap": ("versus",),
    "total_share": ("denominator",),
}
"""The extra fields each kind of statistic needs."""


class TargetsError(ValueError):
    """A target file that cannot be used, with one sentence meant for the person who wrote it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeriesSpec(_Strict):
    """A monthly series read from a run's tidy table: goods are summed, regions combined.

    A target's ``series`` (or ``versus``) may be a list of these: their sum, each with its sign.
    """

    metric: str
    goods: list[str] = Field(min_length=1)
    regions: list[str] = Field(min_length=1)
    combine: Literal["mean", "sum", "weighted"] = "mean"
    """How regions are combined: the mean (prices), the sum (tonnages), or the mean with ``weights``."""
    weights: list[PositiveFinite] | None = None
    """With ``combine = "weighted"``: one weight per region, in the order of ``regions``."""
    sign: Literal[1, -1] = 1
    """+1 to add this term to the others of a list, -1 to subtract it."""

    @model_validator(mode="after")
    def _weights_match_regions(self) -> SeriesSpec:
        if self.combine == "weighted" and (self.weights is None or len(self.weights) != len(self.regions)):
            raise ValueError(f"combine = 'weighted' needs one weight per region ({len(self.regions)})")
        if self.combine != "weighted" and self.weights is not None:
            raise ValueError("weights are only used with combine = 'weighted'")
        return self


class RunSpec(_Strict):
    """Which scenario each particle runs, for how long, and on how many seeds."""

    scenario: str
    years: Annotated[int, Field(ge=1, le=100)]
    seeds_per_particle: Annotated[int, Field(ge=1, le=20)] = 1
    epsilon_quantile: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    """Each generation's epsilon is this weighted quantile of the previous generation's distances."""
    min_epsilon: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0
    """Stop early once epsilon falls to this (1 = every target within tolerance on average)."""


class ParameterSpec(_Strict):
    """A scenario parameter to fit, with its prior."""

    prior: Literal["uniform", "log-uniform"]
    low: FiniteFloat
    high: FiniteFloat
    note: str = ""

    @model_validator(mode="after")
    def _range_is_valid(self) -> ParameterSpec:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.prior == "log-uniform" and self.low <= 0:
            raise ValueError(f"a log-uniform prior needs low > 0, got {self.low}")
        return self


class Target(_Strict):
    """One summary statistic of a run and the range it should fall in."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    pattern: str
    description: str
    statistic: Literal["mean", "peak_ratio", "peak_delay", "share_of_peak", "ratio", "gap", "total_share"]
    series: list[SeriesSpec] = Field(min_length=1)
    window: tuple[Month, Month]
    target: tuple[FiniteFloat, FiniteFloat]
    scale: Literal["log", "linear"]
    tolerance: PositiveFinite
    weight: PositiveFinite = 1.0
    source: str
    versus: list[SeriesSpec] | None = None
    base_window: tuple[Month, Month] | None = None
    peak_window: tuple[Month, Month] | None = None
    reference: Month | None = None
    denominator: PositiveFinite | None = None

    @field_validator("series", "versus", mode="before")
    @classmethod
    def _one_term_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("target", mode="before")
    @classmethod
    def _single_value_is_a_range(cls, value: Any) -> Any:
        return (value, value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        for name in ("window", "base_window", "peak_window"):
            span = getattr(self, name)
            if span is not None and span[0] > span[1]:
                raise ValueError(f"{name} starts ({span[0]}) after it ends ({span[1]})")
        if self.target[0] > self.target[1]:
            raise ValueError(f"target range {list(self.target)} has its low end above its high end")
        if self.scale == "log" and self.target[0] <= 0:
            raise ValueError(f"a log-scale target needs positive values, got {list(self.target)}")
        missing = [name for name in NEEDS[self.statistic] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"statistic {self.statistic!r} needs {', '.join(missing)}")
        return self


class TargetFile(_Strict):
    """A whole target file."""

    run: RunSpec
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> TargetFile:
        ids = [target.id for target in self.targets]
        repeated = sorted({name for name in ids if ids.count(name) > 1})
        if repeated:
            raise ValueError(f"target ids must be unique, repeated: {', '.join(repeated)}")
        return self


def _first_problem(error: ValidationError, source: Path) -> str:
    item = error.errors()[0]
    where = ".".join(str(part) for part in item["loc"])
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against configs/targets/history_2010.toml)"
    elif item["type"] == "missing":
        message = "is missing"
    place = f"{where}: " if where else ""
    more = len(error.errors()) - 1
    tail = f" ({more} more problem{'s' if more > 1 else ''} after this one)" if more else ""
    return f"{source}: {place}{message}{tail}."


def load_targets(path: str | Path) -> TargetFile:
    """Read and validate a target file.

    Args:
        path: The TOML target file.

    Returns:
        The validated target file.

    Raises:
        TargetsError: If the file is missing, not TOML, or does not describe valid targets.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetsError(f"{path}: no such target file.") from None
    except IsADirectoryError:
        raise TargetsError(f"{path}: is a folder, expected a .toml target file.") from None
    except UnicodeDecodeError:
        raise TargetsError(f"{path}: not a text file (TOML must be UTF-8 text).") from None
    except tomllib.TOMLDecodeError as error:
        raise TargetsError(f"{path}: not valid TOML ({error}).") from None
    try:
        return TargetFile.model_validate(data)
    except ValidationError as error:
        raise TargetsError(_first_problem(error, path)) from None


def scenario_path(targets_path: str | Path, run: RunSpec) -> Path:
    """Find the run's scenario file: absolute, or relative to the target file's folder or a parent of it.

    Raises:
        TargetsError: If no such file exists.
    """
    relative = Path(run.scenario)
    if relative.is_absolute():
        candidates = [relative]
    else:
        folder = Path(targets_path).resolve().parent
        candidates = [base / relative for base in (folder, *folder.parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise TargetsError(f"{targets_path}: run.scenario {run.scenario!r} not found beside the target file or above it.")


def normalised_error(target: Target, value: float) -> float:
    """The statistic's distance to its target range over its tolerance (0 inside the range).

    A value that is NaN, or not positive on a log scale, gets :data:`MISSING_PENALTY`.
    """
    low, high = target.target
    if value is None or not math.isfinite(value) or (target.scale == "log" and value <= 0):
        return MISSING_PENALTY
    if target.scale == "log":
        value, low, high = math.log(value), math.log(low), math.log(high)
    gap = low - value if value < low else value - high if value > high else 0.0
    return gap / target.tolerance


def distance(targets: list[Target], statistics: dict[str, float]) -> float:
    """Weighted root mean square of the targets' normalised errors (1: on average at the tolerance)."""
    total = sum(target.weight for target in targets)
    errors = [normalised_error(target, statistics.get(target.id, math.nan)) for target in targets]
    squares = sum(target.weight * error**2 for target, error in zip(targets, errors, strict=True))
    return math.sqrt(squares / total)


def passes(target: Target, value: float) -> bool:
    """Whether a statistic lies within its tolerance of the target range."""
    return normalised_error(target, value) <= 1.0


def pattern_results(targets: list[Target], statistics: dict[str, float]) -> dict[str, bool]:
    """Pass or fail per pattern (K1, K2...): a pattern passes when all its targets pass."""
    results: dict[str, bool] = {}
    for target in targets:
        ok = passes(target, statistics.get(target.id, math.nan))
        results[target.pattern] = results.get(target.pattern, True) and ok
    return results
