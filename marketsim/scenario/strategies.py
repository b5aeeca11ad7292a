"""Scenario settings for governments' strategies and for random shocks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from marketsim.policy.events import Fraction, NonNegative
from marketsim.scenario.base import Strict


class ScriptedStrategy(Strict):
    """The government applies the scenario's events and nothing else."""

    kind: Literal["scripted"] = "scripted"


class DominantSupplierStrategy(Strict):
    """A dominant supplier (China by default) restricts exports to keep value added at home and
    as leverage in disputes, and relaxes when restrictions cost it too much export revenue or
    provoke rival supply."""

    kind: Literal["dominant_supplier"]
    value_added_target: Fraction = 0.9
    """Restrict oxide exports while its share of world magnet making is below this."""
    approval_rate: Fraction = 0.5
    """Share of licence requests approved while it restricts."""
    dispute_response: Literal["ban", "licence"] = "ban"
    """What a dispute triggers against the target: an embargo or licences."""
    dispute_months: Annotated[int, Field(ge=1, le=120)] = 12
    max_revenue_loss: Fraction = 0.3
    """Lift general restrictions once export revenue has fallen by this share."""
    rival_share_trigger: Fraction = 0.15
    """Lift general restrictions once rivals make this share of world separation."""
    memory_rounds: Annotated[int, Field(ge=1, le=40)] = 4
    """Rounds of export revenue it remembers when judging the loss."""


class ImporterStrategy(Strict):
    """An importer watches its dependency on China and its shortages, and answers with
    stockpiles, subsidies, tariffs and alliances, within a yearly budget."""

    kind: Literal["importer"]
    dependency_threshold: Fraction = 0.8
    """Act when China's share of its separated supply exceeds this."""
    shortage_threshold: Fraction = 0.02
    """Release stockpiles when this share of its need goes unmet."""
    budget: NonNegative = 500.0
    """US$ million a year for stockpile purchases."""
    stockpile_months: Annotated[float, Field(ge=0.0, le=24.0)] = 2.0
    """Months of its NdPr and Dy/Tb use it stockpiles when dependent."""
    subsidy_rate: Annotated[float, Field(ge=0.0, le=0.9)] = 0.3
    """Share of separation and magnet-making costs it subsidises when dependent."""
    tariff_rate: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    """Tariff on Chinese magnets it sets when dependent (0: none)."""
    price_floor: NonNegative = 0.0
    """NdPr price (US$/kg) it guarantees its own producers when dependent (0: none)."""
    recycling_target: Fraction = 0.0
    """Collection rate of end-of-life magnets it mandates when dependent (0: none)."""
    alliance: str | None = None
    """Alliance it joins when dependent, and leaves when no longer dependent and paying more."""


class ResourceHolderStrategy(Strict):
    """A resource holder chooses where its ore goes and joins alliances that bring investment."""

    kind: Literal["resource_holder"]
    process_at_home: bool = False
    """Ban exports of concentrate once it has separation capacity of its own."""
    alliance: str | None = None
    """Alliance it joins at the first round."""


StrategySpec = Annotated[
    ScriptedStrategy | DominantSupplierStrategy | ImporterStrategy | ResourceHolderStrategy,
    Field(discriminator="kind"),
]


class ShockRates(Strict):
    """Random shocks, drawn each month from the model's seed."""

    mine_disruption_rate: Fraction = 0.0
    """Monthly chance that one mining region, drawn at random, loses part of its output."""
    disruption_share: Fraction = 0.5
    dispute_rate: Fraction = 0.0
    """Monthly chance of a dispute between two regions drawn at random."""
    demand_surge_rate: Fraction = 0.0
    """Monthly chance that one sector's demand jumps."""
    surge_factor: Annotated[float, Field(gt=0.0, le=10.0)] = 1.3
    duration_months: Annotated[int, Field(ge=1, le=120)] = 6
