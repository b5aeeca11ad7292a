"""Scenario schema: what a scenario file may say, with defaults and cross-checks.

Every section rejects unknown keys. Defaults keep a small scenario short: only regions,
deposit types, facilities and demand sectors must be written out. Loading from TOML and turning
validation errors into readable messages lives in :mod:`marketsim.scenario.loading`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from marketsim.policy.events import Event, Fraction, Month, NonNegative
from marketsim.scenario.base import Strict
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.dynamics import DynamicsParams
from marketsim.scenario.event_checks import event_problems
from marketsim.scenario.levers import EnvironmentParams, LearningParams, ProjectParams, ProjectSpec
from marketsim.scenario.strategies import (
    GovernanceParams,
    ScriptedStrategy,
    ShockRates,
    StrategySpec,
)
from marketsim.vocabulary import month_index

RegionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,15}$")]
Positive = Annotated[float, Field(gt=0.0)]
SHARE_TOLERANCE = 1e-6
CROSS_CHECK_SEPARATOR = "\n"
"""Separates the problems one cross-reference check reports."""


class ScenarioInfo(Strict):
    """Name, calendar and default seed of a scenario."""

    name: str
    description: str = ""
    start: Month = "2024-01"
    years: Annotated[int, Field(ge=1, le=100)] = 30
    seed: Annotated[int, Field(ge=0)] = 0
    round_months: Annotated[int, Field(ge=1, le=24)] = 12
    """Months between governments' decisions (a game round)."""


class MarketParams(Strict):
    """Clearing and price-formation parameters (see docs/model.md, "Markets")."""

    price_sensitivity: Annotated[float, Field(gt=0.0, le=5.0)] = 0.8
    """Elasticity of a seller's price to its relative cover (stock on offer over requests)."""
    price_speed: Annotated[float, Field(gt=0.0, le=1.0)] = 0.2
    """Share of the log gap to the indicated price that a posted price closes each month."""
    expectation_months: Annotated[float, Field(ge=1.0, le=120.0)] = 12.0
    """Time constant with which sellers' price anchor follows their actual price."""
    competition_months: Annotated[float, Field(ge=1.0, le=240.0)] = 24.0
    """Time constant with which competition pulls magnet markups back to normal."""
    max_monthly_change: Annotated[float, Field(gt=0.0, le=1.0)] = 0.2
    """Largest log change of a posted price in one month."""
    seller_cover_months: Positive = 1.0
    """Stock, in months of sales, that sellers aim to hold after selling."""
    scarcity_adjustment: Annotated[float, Field(ge=0.0, le=2.0)] = 0.5
    """Share of the gap to its target that a rising scarcity premium closes each month. The
    target is ``target stock / stock - 1`` for buyers cut off by export controls, else 0."""
    scarcity_decay: Fraction = 0.25
    """Share of the gap to its target that a falling scarcity premium closes each month."""
    choice_sharpness: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0
    """Logit sharpness of buyers' choice between origins by relative delivered cost."""
    transport_cost: Annotated[float, Field(ge=0.0, le=1.0)] = 0.03
    """Freight and insurance on cross-border trade, as a share of the export price."""
    ally_preference: Fraction = 0.05
    """Discount on the perceived cost of supply from an ally."""
    home_preference: Fraction = 0.05
    """Discount on the perceived cost of domestic supply."""
    max_price_multiple: Annotated[float, Field(gt=1.0, le=1000.0)] = 20.0
    """Choke price: posted oxide prices never exceed this multiple of their reference price."""
    min_price_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.2
    """Posted oxide prices never fall below this share of their reference price."""
    demand_noise: Annotated[float, Field(ge=0.0, le=0.5)] = 0.02
    """Standard deviation of the monthly multiplicative noise on end-use demand."""
    outage_rate: Fraction = 0.005
    """Monthly probability that a mine loses its output for the month."""


class OxideSpec(Strict):
    """A separated oxide traded in its own market."""

    reference_price: Positive
    """Price (US$/kg) at which sector demand equals its reference quantity."""


class MagnetSpec(Strict):
    """Recipe and cost of sintered NdFeB magnets."""

    ndpr_per_tonne: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.31
    """t NdPr oxide fed per t of finished magnet, manufacturing scrap included (see
    ``recycling.scrap_share``)."""
    dytb_per_tonne: Annotated[float, Field(ge=0.0, lt=0.2)] = 0.02
    """t Dy/Tb oxide fed per t of finished magnet at the reference Dy/Tb price, scrap included."""
    markup: Annotated[float, Field(ge=0.0, le=2.0)] = 0.1
    """Margin over cost that sets the magnet reference price at the start."""


class ConcentrateSpec(Strict):
    """Mixed concentrate; its price is a payable share of the value of its oxides."""

    payable_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5


class GoodsSpec(Strict):
    """Reference prices and recipes of the traded goods."""

    ndpr: OxideSpec
    dytb: OxideSpec
    lace: OxideSpec
    magnet: MagnetSpec = MagnetSpec()
    concentrate: ConcentrateSpec = ConcentrateSpec()


class DepositType(Strict):
    """Share of each element group in a deposit's total REO; the shares sum to 1."""

    lace: Fraction
    ndpr: Fraction
    dytb: Fraction
    other: Fraction

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> DepositType:
        total = self.lace + self.ndpr + self.dytb + self.other
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"element shares must sum to 1, they sum to {total:.6g}")
        return self


class RegionSpec(Strict):
    """A country or bloc with its government."""

    name: str
    strategy: StrategySpec = ScriptedStrategy()
    """How its government decides each round."""
    budget: NonNegative | None = None
    """US$ million a year a player may spend on stockpiles (None: no limit)."""
    tech_access: Fraction = 1.0
    """Access to separation and magnet know-how; scales how fast capacity can grow here."""
    stockpile_days: NonNegative = 0.0
    """State stockpile of NdPr and DyTb at the start, in days of the region's use."""
    experience_years: NonNegative | None = None
    """Processing experience at the start, in years of its starting output (learning curves);
    ``learning.experience_years`` when None."""
    standards: dict[Literal["mining", "separation", "magnets", "recycling"], Fraction] = Field(default_factory=dict)
    """Environmental standard per stage at the start (0 lax, 1 best practice);
    ``environment.default_standard`` for stages not given."""


class AllianceSpec(Strict):
    """A group of governments that prefer each other's supply and exempt each other from tariffs."""

    members: list[RegionId] = Field(min_length=1)
    floor_prices: dict[Literal["concentrate", "ndpr", "dytb", "lace", "magnet"], Positive] = Field(default_factory=dict)
    """Offtake agreements: members' producers of these goods are paid at least this (US$/kg)."""
    coordinate_export_controls: bool = False
    """An export ban by one member binds every member's exports to the same destinations."""
    joint_stockpile: Fraction = 0.0
    """When a member runs short, every other member releases this share of its stockpile onto
    the market (where members buy first). 0: no joint stockpile."""
    research_sharing: Fraction = 0.0
    """Research collaboration: each member gains this share of the other members' processing
    experience as they make it (learning curves). 0: no sharing."""


class Facility(Strict):
    """Common fields of mines, separation plants and magnet plants."""

    name: str
    region: RegionId
    capacity: NonNegative
    """Annual capacity: t REO mined or fed, or t of magnet made."""
    unit_cost: Positive
    """Operating cost, US$/kg of output (REO for mines and refiners, magnet for magnet plants)."""


class MineSpec(Facility):
    """A mine or mining district."""

    deposit: str
    reserves: NonNegative | None = None
    """t REO left in the ground; None means not binding within the horizon."""


class RefinerSpec(Facility):
    """A separation plant turning concentrate into oxides."""

    heavy_circuit: bool = True
    """Whether it can separate Dy and Tb; without it their content is lost."""


class MagnetPlantSpec(Facility):
    """A sintered NdFeB magnet plant."""


class GrowthPoint(Strict):
    """From ``year`` on, demand grows at ``rate`` per year."""

    year: Annotated[int, Field(ge=1900, le=2200)]
    rate: Annotated[float, Field(ge=-0.5, le=1.0)]


class SectorSpec(Strict):
    """An end use: a demand for one good, split over regions."""

    good: Literal["ndpr", "dytb", "lace", "magnet"]
    demand: NonNegative
    """World demand at the start, t per year of the good, at the reference price."""
    growth: list[GrowthPoint] = Field(min_length=1)
    split: dict[RegionId, Fraction]
    """Share of world demand in each region; the shares sum to 1."""
    elasticity_short: Annotated[float, Field(ge=-2.0, le=0.0)] = -0.1
    elasticity_long: Annotated[float, Field(ge=-3.0, le=0.0)] = -0.5
    adjustment_years: Annotated[float, Field(gt=0.0, le=50.0)] = 5.0
    """Time constant of substitution and thrifting towards the long-run response."""
    inventory_months: Annotated[float, Field(ge=0.0, le=24.0)] = 2.0
    hoarding: Annotated[float, Field(ge=0.0, le=20.0)] = 0.5
    """Buyers scale their stock target by ``1 + hoarding * r``, where ``r`` is the rise of the log
    price over the last 3 months (at most 6 extra months)."""
    backstop_multiple: Annotated[float, Field(gt=1.0, le=100.0)] = 3.0
    """Price, as a multiple of the reference, above which substitutes take demand away fast."""
    lifetime_years: Annotated[float, Field(gt=0.0, le=50.0)] = 12.0
    """Life of the products, after which they reach end of life and can be recycled."""
    protected: bool = False
    """Served first from its region's stock (defence: its government protects its supply)."""

    @field_validator("split")
    @classmethod
    def _split_sums_to_one(cls, split: dict[str, float]) -> dict[str, float]:
        total = sum(split.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"regional shares must sum to 1, they sum to {total:.6g}")
        return split

    @field_validator("growth")
    @classmethod
    def _growth_sorted(cls, growth: list[GrowthPoint]) -> list[GrowthPoint]:
        years = [point.year for point in growth]
        if years != sorted(set(years)):
            raise ValueError(f"growth years must increase strictly, got {years}")
        return growth


class InvestmentParams(Strict):
    """Lead times of new capacity. How much capacity is ordered is ``[dynamics.capacity]``
    (docs/model.md 7.21); the old margin hurdle and expansion step were removed with that rule."""

    mine_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 3.0
    separation_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 2.0
    magnets_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 3.0
    recycling_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 2.0


class RecyclingParams(Strict):
    """Recycling of end-of-life magnets and of manufacturing scrap into NdPr and DyTb oxide."""

    collection_rate: Fraction = 0.01
    recovery_rate: Fraction = 0.5
    unit_cost: Positive = 20.0
    """US$/kg of recovered oxide."""
    collection_build_years: Annotated[float, Field(gt=0.0, le=30.0)] = 3.0
    """Time constant with which a collection scheme raises the collection rate to its target."""
    scrap_share: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    """Share of magnet makers' NdPr and Dy/Tb feed lost as manufacturing scrap (swarf, rejects);
    the magnet carries the rest. 0: no scrap (the recipe is then what a magnet carries)."""
    scrap_collection: Fraction = 0.8
    """Share of that scrap collected by the recyclers of the region where it arises (the rest
    is lost)."""


class Scenario(Strict):
    """A whole scenario file."""

    scenario: ScenarioInfo
    market: MarketParams = MarketParams()
    investment: InvestmentParams = InvestmentParams()
    recycling: RecyclingParams = RecyclingParams()
    projects: ProjectParams = ProjectParams()
    learning: LearningParams = LearningParams()
    environment: EnvironmentParams = EnvironmentParams()
    separation_recovery: Annotated[float, Field(gt=0.0, le=1.0)] = 0.95
    goods: GoodsSpec
    deposit_types: dict[str, DepositType] = Field(min_length=1)
    regions: dict[RegionId, RegionSpec] = Field(min_length=1)
    alliances: dict[str, AllianceSpec] = Field(default_factory=dict)
    mines: list[MineSpec] = Field(default_factory=list)
    refiners: list[RefinerSpec] = Field(default_factory=list)
    magnet_plants: list[MagnetPlantSpec] = Field(default_factory=list)
    pipeline: list[ProjectSpec] = Field(default_factory=list)
    """Supply projects outside today's fleet (see :mod:`marketsim.levers.projects`)."""
    sectors: dict[str, SectorSpec] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    shocks: ShockRates = ShockRates()
    governance: GovernanceParams = GovernanceParams()
    """Rules every government shares (joint-stockpile calls)."""
    dynamics: DynamicsParams = DynamicsParams()
    """Market dynamics: capacity acquisition, cost pull, contracts, stockholders, thrift (docs/model.md)."""
    behaviour: BehaviourParams = BehaviourParams()
    """Behavioural constants of buyers, magnet makers and operators (:mod:`marketsim.scenario.behaviour`)."""

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        """Every name a section uses (region, alliance, deposit, facility, project, sector) exists."""
        facilities = self._facility_kinds()
        errors = [*self._alliance_problems(), *self._facility_problems(), *self._sector_problems()]
        for i, event in enumerate(self.events):
            errors += self._event_reference_problems(i, event, facilities)
        if errors:
            raise ValueError(CROSS_CHECK_SEPARATOR.join(errors))
        return self

    def _unknown_region(self, path: str, region: str) -> list[str]:
        if region in self.regions:
            return []
        return [f"{path}: unknown region {region!r} (known: {', '.join(sorted(self.regions))})"]

    def _alliance_problems(self) -> list[str]:
        errors: list[str] = []
        for name, region in self.regions.items():
            wanted = getattr(region.strategy, "alliance", None)
            if wanted is not None and wanted not in self.alliances:
                errors.append(
                    f"regions.{name}.strategy.alliance: unknown alliance {wanted!r} "
                    f"(known: {', '.join(sorted(self.alliances)) or 'none defined in [alliances]'})"
                )
        for name, alliance in self.alliances.items():
            for i, member in enumerate(alliance.members):
                errors += self._unknown_region(f"alliances.{name}.members.{i}", member)
        return errors

    def _facility_kinds(self) -> dict[str, str]:
        """Facility and project names to their section (the last one wins where a name repeats)."""
        kinds = {f.name: kind for kind in ("mines", "refiners", "magnet_plants") for f in getattr(self, kind)}
        return kinds | {project.name: "pipeline" for project in self.pipeline}

    def _facility_problems(self) -> list[str]:
        errors: list[str] = []
        seen: set[str] = set()
        for kind in ("mines", "refiners", "magnet_plants", "pipeline"):
            for i, facility in enumerate(getattr(self, kind)):
                errors += self._unknown_region(f"{kind}.{i}.region", facility.region)
                if facility.name in seen:
                    errors.append(f"{kind}.{i}.name: {facility.name!r} is used twice")
                seen.add(facility.name)
                mine = kind == "mines" or (kind == "pipeline" and facility.stage == "mining")
                if mine and facility.deposit not in self.deposit_types:
                    errors.append(
                        f"{kind}.{i}.deposit: unknown deposit type {facility.deposit!r} "
                        f"(known: {', '.join(sorted(self.deposit_types))})"
                    )
        return errors

    def _sector_problems(self) -> list[str]:
        return [
            problem
            for name, sector in self.sectors.items()
            for region in sector.split
            for problem in self._unknown_region(f"sectors.{name}.split.{region}", region)
        ]

    def _event_reference_problems(self, i: int, event, facilities: dict[str, str]) -> list[str]:
        errors: list[str] = []
        where = f"events.{i}.{event.type}"
        for name in ("region", "importer", "target", "destinations", "origins"):
            value = getattr(event, name, None)
            for region in [value] if isinstance(value, str) else value or ():
                errors += self._unknown_region(f"{where}.{name}", region)
        project = getattr(event, "project", None)
        if project is not None and facilities.get(project) != "pipeline":
            known = ", ".join(p.name for p in self.pipeline) or "none in [[pipeline]]"
            errors.append(f"{where}.project: unknown project {project!r} (known: {known})")
        facility = getattr(event, "facility", None)
        if facility is not None and facility not in facilities:
            errors.append(f"{where}.facility: unknown facility {facility!r} (known: {', '.join(sorted(facilities))})")
        sector = getattr(event, "sector", None)
        if sector is not None and sector not in self.sectors:
            errors.append(f"{where}.sector: unknown sector {sector!r} (known: {', '.join(self.sectors)})")
        alliance = getattr(event, "alliance", None)
        if alliance is not None and alliance not in self.alliances:
            known = ", ".join(sorted(self.alliances)) or "none defined in [alliances]"
            errors.append(f"{where}.alliance: unknown alliance {alliance!r} (known: {known})")
        return errors

    @model_validator(mode="after")
    def _events_usable(self) -> Scenario:
        errors = event_problems(self.events, self.scenario.start, self.scenario.years)
        if errors:
            raise ValueError(CROSS_CHECK_SEPARATOR.join(errors))
        return self

    @property
    def start_month(self) -> int:
        """The first simulated month as a month index."""
        return month_index(self.scenario.start)
