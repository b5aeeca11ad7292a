"""Scenario settings for governments' strategies and for random shocks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from marketsim.policy.events import Fraction, NonNegative
from marketsim.scenario.base import Strict


class CoalitionTerms(Strict):
    """How a government weighs alliance membership (US$ million a year; see
    :mod:`marketsim.governance.coalitions`)."""

    join_margin: Annotated[float, Field(ge=0.0, le=1.0)] = 0.01
    """Join when membership is worth this share of its yearly use of magnets and oxides more than it costs."""
    leave_margin: Annotated[float, Field(ge=0.0, le=1.0)] = 0.02
    """Leave when membership costs this share of its yearly use more than it brings..."""
    patience: Annotated[int, Field(ge=1, le=40)] = 3
    """...for this many rounds in a row."""
    risk_floor: Fraction = 0.05
    """Yearly chance of a supply crisis it assumes even in calm times (scaled by its dependency)."""
    risk_memory: Fraction = 0.5
    """Weight of last round's threat in its running estimate of the risk (the rest is memory)."""
    retaliation_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Weight on the supply the dominant supplier's licences aimed at members withhold."""
    forgone_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Weight on the premium members pay over the world price (forgone cheap supply)."""
    technology_value: Annotated[float, Field(ge=0.0, le=100.0)] = 2.0
    """US$ million a year a member gains per kt/yr of partners' processing capacity fully shared."""
    rejoin_after: Annotated[int, Field(ge=1, le=40)] = 8
    """Rounds after leaving an alliance before it applies to it again (members remember)."""
    found_after: Annotated[int, Field(ge=1, le=40)] = 2
    """Rounds threatened outside every alliance (or refused) before it founds one."""
    found_alone_rounds: Annotated[int, Field(ge=1, le=80)] = 8
    """Rounds its founded alliance may stay without partners before it gives up (dissolves it)."""
    joint_stockpile: Fraction = 0.3
    """Joint-stockpile share it proposes when it founds an alliance or members are short."""
    admit_burden: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """As a member: refuse an applicant whose expected call on the joint stockpile exceeds what it
    brings (its stockpile and processing) times this."""


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
    bloc_approval_rate: Fraction = 0.6
    """Share of licence requests approved for members of a rival bloc while it answers the bloc
    (1: it never targets blocs)."""
    bloc_months: Annotated[int, Field(ge=1, le=120)] = 12
    """How long an answer to the bloc lasts unless renewed by a new move of the bloc."""
    disputes_to_ease: Annotated[int, Field(ge=1, le=20)] = 2
    """Open disputes with bloc members at which it eases its licences on the bloc (a WTO-style
    dispute raises the cost of controls)."""
    technology_ban_share: Fraction = 0.12
    """Ban exports of processing technology once rivals make this share of world separation."""
    technology_factor: Fraction = 0.5
    """Factor on rivals' capacity growth of its technology ban."""
    export_quota_share: Fraction = 0.8
    """Share of its last round's exports of ore and oxides (concentrate, NdPr, Dy/Tb) it allows
    under an export quota, set when a rival bloc grows (or, with ``quota_for_value_added``, while
    its magnet share is below its aim) and lifted when disputes with the bloc or lost export
    revenue make it costly (1: no quota)."""
    quota_for_value_added: bool = False
    """Also set the export quota while its magnet share is below ``value_added_target`` (not
    only against a bloc that grows)."""
    mining_quota_share: Fraction = 0.9
    """Share of its last round's mine output (t REO a year) it allows under a cap on its own mining,
    set for ``bloc_months`` when its export revenue fell by ``max_revenue_loss`` while none of its
    export controls was in force (low prices, which less ore lifts); 1: it never caps its mining."""
    mining_rival_share: Fraction = 0.5
    """Rivals' share of world mining above which it does not cap (or stops capping) its own mining."""


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
    """Alliance it prefers to join when membership is worth more than it costs."""
    coalition: CoalitionTerms = CoalitionTerms()
    """How it weighs what an alliance brings against what it costs (docs/model.md)."""
    dispute_cooldown: Annotated[int, Field(ge=1, le=40)] = 8
    """Rounds between two WTO-style disputes it files against licences aimed at it."""
    file_disputes: bool = True
    """File a WTO-style dispute when the dominant supplier's licences target it."""
    take_offtakes: bool = True
    """Take an offtake (at the NdPr price its bloc's buyers pay) of a project a resource holder
    offers its alliance."""
    equity_share: Annotated[float, Field(ge=0.0, le=0.9)] = 0.2
    """Share of an offered project that stalls for want of revenue it buys as equity (0: none)..."""
    project_budget: Fraction = 0.5
    """...if the stake (or loan) costs at most this share of its budget left this year."""
    loan_share: Annotated[float, Field(ge=0.0, le=0.9)] = 0.2
    """Share of the capital of an offered project that pays its way it lends (0: none), within
    ``project_budget``: cheaper capital keeps it paying if prices fall."""
    loan_rate: Annotated[float, Field(ge=0.0, le=0.3)] = 0.03
    """Yearly rate of its project loans."""


class ResourceHolderStrategy(Strict):
    """A resource holder chooses where its ore goes and joins alliances that bring investment."""

    kind: Literal["resource_holder"]
    process_at_home: bool = False
    """Ban exports of concentrate once it has separation capacity of its own."""
    alliance: str | None = None
    """Alliance it joins at the first round when it has no ore to sell (else: the bloc paying more)."""
    price_margin: Annotated[float, Field(ge=0.0, le=2.0)] = 0.05
    """How much more (a share) a bloc must pay for its ore than China before it joins the bloc,
    and China than the bloc before it leaves."""
    patience: Annotated[int, Field(ge=1, le=40)] = 2
    """Rounds the other side must pay more before it changes side."""
    offtake_share: Fraction = 0.5
    """Share of each of its supply projects' output it offers as an offtake to the importers'
    alliance that pays more for NdPr than China (0: it sells none)."""
    home_subsidy_rate: Annotated[float, Field(ge=0.0, le=0.9)] = 0.2
    """With ``process_at_home``: share of the unit cost of separation at home it subsidises, where
    it has a plant or a separation project (0: none)."""


StrategySpec = Annotated[
    ScriptedStrategy | DominantSupplierStrategy | ImporterStrategy | ResourceHolderStrategy,
    Field(discriminator="kind"),
]


class GovernanceParams(Strict):
    """Rules every government shares (``[governance]``)."""

    shortage: Fraction = 0.02
    """Share of need unmet at which a member of a joint-stockpile alliance calls on the others..."""
    premium: Annotated[float, Field(ge=0.0, le=10.0)] = 0.5
    """...or how far above the world price its NdPr, Dy/Tb or magnet price must be."""


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
