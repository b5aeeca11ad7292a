"""Policy and shock events: small frozen, validated records with a time and a target.

Scenario files schedule them, strategies emit them and human players submit them. A run is
reproduced exactly by its config, its seed and its event log.

Times are calendar months written ``"YYYY-MM"`` (a day, ``"YYYY-MM-DD"``, is accepted and
truncated to its month). ``start`` is the first month an event is in force; ``end``, when given,
is the first month it no longer is (exclusive), so ``start="2010-09", end="2010-11"`` covers
September and October 2010.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from marketsim.vocabulary import GOODS, check_month, month_index

Month = Annotated[str, AfterValidator(check_month)]
Good = Literal["concentrate", "ndpr", "dytb", "lace", "magnet"]
Stage = Literal["mining", "separation", "magnets", "recycling"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]

_STRICT = ConfigDict(extra="forbid")


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class _Timed:
    start: Month
    end: Month | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> _Timed:
        if self.end is not None and month_index(self.end) <= month_index(self.start):
            raise ValueError(f"end {self.end} must come after start {self.start}")
        return self

    def regions(self) -> tuple[str, ...]:
        """Every region this event names, for cross-checking against the scenario."""
        names: list[str] = []
        for field in ("region", "importer", "target"):
            if hasattr(self, field):
                names.append(getattr(self, field))
        for field in ("destinations", "origins"):
            names.extend(getattr(self, field, None) or ())
        return tuple(names)


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ExportQuota(_Timed):
    """A ceiling on a region's total exports of ``goods`` (t per year, enforced monthly).

    A later quota on the same region and goods replaces an earlier one; quotas on different
    goods hold side by side.
    """

    type: Literal["export_quota"] = "export_quota"
    region: str
    tonnes_per_year: NonNegative
    goods: tuple[Good, ...] = ("concentrate", "ndpr", "dytb", "lace")


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ExportBan(_Timed):
    """No exports of ``goods`` from ``region`` to ``destinations`` (all foreign when empty)."""

    type: Literal["export_ban"] = "export_ban"
    region: str
    destinations: tuple[str, ...] = ()
    goods: tuple[Good, ...] = GOODS


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ExportLicence(_Timed):
    """Exports need a licence; only ``approval_rate`` of the requested tonnage is approved."""

    type: Literal["export_licence"] = "export_licence"
    region: str
    approval_rate: Fraction
    destinations: tuple[str, ...] = ()
    goods: tuple[Good, ...] = ("dytb", "magnet")


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ExportTax(_Timed):
    """An ad valorem duty on a region's exports of ``goods``."""

    type: Literal["export_tax"] = "export_tax"
    region: str
    rate: Annotated[float, Field(ge=0.0, le=5.0)]
    goods: tuple[Good, ...] = ("concentrate", "ndpr", "dytb", "lace")


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class Tariff(_Timed):
    """An ad valorem import tariff levied by ``importer`` on ``origins`` (all when empty)."""

    type: Literal["tariff"] = "tariff"
    importer: str
    rate: Annotated[float, Field(ge=0.0, le=5.0)]
    origins: tuple[str, ...] = ()
    goods: tuple[Good, ...] = GOODS
    exempt_allies: bool = True
    """Allies of the importer pay no tariff (an alliance's tariff exemption)."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class Subsidy(_Timed):
    """A government pays ``rate`` of the unit operating cost of a stage in its region."""

    type: Literal["subsidy"] = "subsidy"
    region: str
    stage: Stage
    rate: Annotated[float, Field(ge=0.0, le=0.9)]


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class PriceFloor(_Timed):
    """Producers of ``good`` in ``region`` are paid at least ``price`` (US$/kg) by their state."""

    type: Literal["price_floor"] = "price_floor"
    region: str
    good: Good
    price: Annotated[float, Field(gt=0.0)]


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class StockpileOrder(_Timed):
    """A state buys (``tonnes`` > 0) or releases (< 0) ``good`` evenly over ``months``."""

    type: Literal["stockpile"] = "stockpile"
    region: str
    good: Good
    tonnes: float
    months: Annotated[int, Field(ge=1, le=120)] = 12


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class MiningQuota(_Timed):
    """A ceiling on a region's mine output (t REO per year)."""

    type: Literal["mining_quota"] = "mining_quota"
    region: str
    tonnes_per_year: NonNegative


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class CapacityChange(_Timed):
    """A named facility's capacity moves to ``capacity`` linearly over ``ramp_months``."""

    type: Literal["capacity"] = "capacity"
    facility: str
    capacity: NonNegative
    ramp_months: Annotated[int, Field(ge=1, le=120)] = 1


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class RecyclingMandate(_Timed):
    """A region requires ``collection_rate`` of end-of-life magnets to be collected."""

    type: Literal["recycling_mandate"] = "recycling_mandate"
    region: str
    collection_rate: Fraction


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AllianceJoin(_Timed):
    """A region asks to join an alliance (members prefer each other's supply and exempt each
    other from their tariffs). Members refuse a region in a dispute with one of them."""

    type: Literal["alliance_join"] = "alliance_join"
    region: str
    alliance: str


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AllianceLeave(_Timed):
    """A region leaves an alliance."""

    type: Literal["alliance_leave"] = "alliance_leave"
    region: str
    alliance: str


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AllianceFound(_Timed):
    """``region`` founds a new alliance, named ``alliance``, as its first member, on these terms
    (others join it with :class:`AllianceJoin`; it dissolves when its last member leaves)."""

    type: Literal["alliance_found"] = "alliance_found"
    region: str
    alliance: str
    joint_stockpile: Fraction = 0.0
    """Share of its stockpile each member releases when another member runs short."""
    research_sharing: Fraction = 0.0
    """Share of the other members' processing experience each member gains."""
    floor_ndpr: NonNegative = 0.0
    """NdPr price (US$/kg) members' producers are guaranteed (0: none)."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AllianceTerms(_Timed):
    """A member of ``alliance`` changes its terms on the members' behalf (None keeps a term)."""

    type: Literal["alliance_terms"] = "alliance_terms"
    region: str
    alliance: str
    joint_stockpile: Fraction | None = None
    research_sharing: Fraction | None = None
    floor_ndpr: NonNegative | None = None
    """NdPr price (US$/kg) members' producers are guaranteed; 0 removes the floor."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class Dispute(_Timed):
    """A bilateral dispute: ``region`` is aggrieved with ``target`` (strategies may retaliate)."""

    type: Literal["dispute"] = "dispute"
    region: str
    target: str


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class MineDisruption(_Timed):
    """A region's mines lose ``share`` of their output (floods, conflict, a border closure)."""

    type: Literal["mine_disruption"] = "mine_disruption"
    region: str
    share: Fraction


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class DemandSurge(_Timed):
    """End-use demand of a sector is multiplied by ``factor`` (a boom, or a slump below 1)."""

    type: Literal["demand_surge"] = "demand_surge"
    sector: str
    factor: Annotated[float, Field(gt=0.0, le=10.0)]


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class TechnologyBan(_Timed):
    """A region bans exports of separation and magnet technology: outside its alliances, the
    speed at which capacity can grow is multiplied by ``factor``."""

    type: Literal["technology_ban"] = "technology_ban"
    region: str
    factor: Fraction = 0.5


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ProjectLoan(_Timed):
    """``region``'s government lends ``share`` of a supply project's capital cost at ``rate`` a
    year (cheaper than the developer's cost of capital); the loan is paid out as capital is spent."""

    type: Literal["project_loan"] = "project_loan"
    region: str
    project: str
    share: Annotated[float, Field(gt=0.0, le=0.9)]
    rate: Annotated[float, Field(ge=0.0, le=0.3)] = 0.03


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ProjectEquity(_Timed):
    """``region``'s government takes ``share`` of a project's equity and asks only the public
    discount rate on it (no risk premium); it pays its share of capital as it is spent."""

    type: Literal["project_equity"] = "project_equity"
    region: str
    project: str
    share: Annotated[float, Field(gt=0.0, le=0.9)]


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class Offtake(_Timed):
    """``region``'s government guarantees ``price`` (US$/kg of ``good``) for ``share`` of a
    project's output: NdPr contained for mines and separation plants, magnets for magnet plants.
    The state pays the gap to the market price."""

    type: Literal["offtake"] = "offtake"
    region: str
    project: str
    good: Literal["ndpr", "magnet"] = "ndpr"
    price: Annotated[float, Field(gt=0.0)]
    share: Fraction = 1.0


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ResearchFunding(_Timed):
    """``region``'s government spends ``usd_million_per_year`` on research into a processing
    stage; each US$ million adds experience as if that many tonnes had been made
    (``learning.tonnes_per_million``)."""

    type: Literal["research_funding"] = "research_funding"
    region: str
    stage: Literal["separation", "magnets", "recycling"]
    usd_million_per_year: Annotated[float, Field(gt=0.0, le=100_000.0)]


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class EnvironmentalStandard(_Timed):
    """``region`` sets its environmental standard for a stage (0 lax, 1 best practice): a
    stricter standard adds to unit cost and cuts the burden per tonne."""

    type: Literal["environmental_standard"] = "environmental_standard"
    region: str
    stage: Stage
    level: Fraction


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class CollectionScheme(_Timed):
    """``region``'s government pays ``usd_per_kg`` of REO collected so that collection of
    end-of-life magnets builds up towards ``collection_rate`` (over
    ``recycling.collection_build_years``)."""

    type: Literal["collection_scheme"] = "collection_scheme"
    region: str
    collection_rate: Fraction
    usd_per_kg: Annotated[float, Field(ge=0.0, le=1000.0)] = 5.0


Event = Annotated[
    ExportQuota
    | ExportBan
    | ExportLicence
    | ExportTax
    | Tariff
    | Subsidy
    | PriceFloor
    | StockpileOrder
    | MiningQuota
    | CapacityChange
    | RecyclingMandate
    | AllianceJoin
    | AllianceLeave
    | AllianceFound
    | AllianceTerms
    | Dispute
    | MineDisruption
    | DemandSurge
    | TechnologyBan
    | ProjectLoan
    | ProjectEquity
    | Offtake
    | ResearchFunding
    | EnvironmentalStandard
    | CollectionScheme,
    Field(discriminator="type"),
]
"""Any scheduled intervention; the ``type`` field selects the kind."""

ONE_OFF_EVENTS = (
    StockpileOrder,
    CapacityChange,
    RecyclingMandate,
    AllianceJoin,
    AllianceLeave,
    AllianceFound,
    AllianceTerms,
)
"""Events that act once at ``start`` rather than holding a policy in force until ``end``."""
