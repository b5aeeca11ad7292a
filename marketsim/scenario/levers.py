"""Scenario schema of the diversification levers: supply projects, learning curves and
environmental standards (see docs/model.md, sections 7.16-7.18)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from marketsim.policy.events import Fraction, NonNegative
from marketsim.scenario.base import Strict
from marketsim.vocabulary import LEARNING_STAGES

RegionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,15}$")]
Positive = Annotated[float, Field(gt=0.0)]


Phase = Literal["exploration", "permitting", "construction", "ramp_up"]
PHASES: tuple[str, ...] = ("exploration", "permitting", "construction", "ramp_up")


class ProjectParams(Strict):
    """How developers judge supply projects (see docs/model.md, "Supply projects")."""

    discount_rate: Annotated[float, Field(ge=0.0, le=0.5)] = 0.08
    """Developers' cost of capital before the risk premium."""
    risk_premium: Annotated[float, Field(ge=0.0, le=0.5)] = 0.06
    """Extra return developers ask of a rare-earth project outside China."""
    public_rate: Annotated[float, Field(ge=0.0, le=0.5)] = 0.03
    """Return a government asks on its equity in a project."""
    life_years: Annotated[float, Field(ge=1.0, le=60.0)] = 20.0
    """Years over which a project's capital is recovered."""
    expectation_months: Annotated[float, Field(ge=1.0, le=240.0)] = 36.0
    """Time constant of developers' expected prices (moving average of producer prices)."""
    stall_years: Annotated[float, Field(gt=0.0, le=50.0)] = 5.0
    """A project stalled this long without going ahead is abandoned."""
    mine_phase_years: dict[Phase, NonNegative] = Field(
        default_factory=lambda: {"exploration": 4.0, "permitting": 3.0, "construction": 3.0, "ramp_up": 2.0}
    )
    """Default length of each phase of a mine project."""
    plant_phase_years: dict[Phase, NonNegative] = Field(
        default_factory=lambda: {"exploration": 0.0, "permitting": 1.0, "construction": 2.0, "ramp_up": 2.0}
    )
    """Default length of each phase of a separation or magnet plant project."""
    capital_shares: dict[Phase, Fraction] = Field(
        default_factory=lambda: {"exploration": 0.05, "permitting": 0.05, "construction": 0.9, "ramp_up": 0.0}
    )
    """Share of capital spent in each phase (renormalised over the phases a project has)."""


class ProjectSpec(Strict):
    """A named supply project: a mine, separation plant or magnet plant not yet producing."""

    name: str
    region: RegionId
    stage: Literal["mining", "separation", "magnets"]
    deposit: str | None = None
    """Deposit type (mines only)."""
    capacity: Positive
    """Capacity when complete: t REO a year (mines, separation feed) or t of magnet."""
    capital_cost: Positive
    """US$ million to build."""
    unit_cost: Positive
    """Operating cost once running, US$/kg of output (of feed for separation)."""
    phase: Phase = "exploration"
    """Where the project stands at the start."""
    phase_years: dict[Phase, NonNegative] = Field(default_factory=dict)
    """Length of phases, overriding the defaults in ``projects``."""
    heavy_circuit: bool = False
    """Separation plants: whether it recovers Dy and Tb."""
    feed_cost: Annotated[float, Field(ge=0.0, le=1000.0)] | None = None
    """Separation plants with their own feed (integrated with the developer's mine or stockpile):
    what a kg of REO feed costs the developer, US$/kg; None: bought at the market concentrate price
    (docs/model.md 7.16, 7.32)."""


class LearningParams(Strict):
    """Processing costs that fall with cumulative output and research (learning curves)."""

    rates: dict[Literal["separation", "magnets", "recycling"], Fraction] = Field(
        default_factory=lambda: dict.fromkeys(LEARNING_STAGES, 0.15)
    )
    """Learning rate per stage: unit-cost fall per doubling of experience."""
    experience_years: NonNegative = 5.0
    """Experience at the start in years of starting output, for regions that do not say."""
    pilot_tonnes: Positive = 500.0
    """Least experience a region has at a stage (a pilot line), t of output."""
    floor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.4
    """Unit cost never falls below this share of its starting level."""
    tonnes_per_million: NonNegative = 20.0
    """Experience one US$ million of research buys, t of output equivalent."""


class EnvironmentParams(Strict):
    """Environmental burden of production and the cost of standards."""

    burden_per_tonne: dict[Literal["mining", "separation", "magnets", "recycling"], NonNegative] = Field(
        default_factory=lambda: {"mining": 0.6, "separation": 0.4, "magnets": 0.02, "recycling": 0.05}
    )
    """Burden index per t of output (REO; magnets per t of magnet) at standard 0."""
    abatement: Fraction = 0.8
    """Share of the burden a standard of 1 removes."""
    cost_per_level: dict[Literal["mining", "separation", "magnets", "recycling"], NonNegative] = Field(
        default_factory=lambda: {"mining": 3.0, "separation": 4.0, "magnets": 1.0, "recycling": 1.0}
    )
    """Unit cost (US$/kg) of raising the standard from 0 to 1."""
    default_standard: Fraction = 0.6
    """Standard of regions and stages the scenario does not set."""
