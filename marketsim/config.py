"""Scenario schema: what a scenario file may say, with defaults and cross-checks.

Every section rejects unknown keys. Defaults keep a small scenario short: only regions,
deposit types, facilities and demand sectors must be written out. Loading from TOML and turning
validation errors into readable messages lives in :mod:`marketsim.loading`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marketsim.events import OXIDES, Event, Fraction, Month, NonNegative, month_index

RegionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,15}$")]
Positive = Annotated[float, Field(gt=0.0)]
SHARE_TOLERANCE = 1e-6
CROSS_CHECK_SEPARATOR = "\n"
"""Separates the problems one cross-reference check reports."""


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are frozen once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    dytb_per_tonne: Annotated[float, Field(ge=0.0, lt=0.2)] = 0.02
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


class AllianceSpec(Strict):
    """A group of governments that prefer each other's supply."""

    members: list[RegionId] = Field(min_length=1)


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
    """Endogenous capacity expansion (see docs/model.md, "Investment")."""

    hurdle: Annotated[float, Field(ge=0.0, le=2.0)] = 0.2
    """Margin over unit cost (as a share) that a project needs before it goes ahead."""
    step: Annotated[float, Field(ge=0.0, le=1.0)] = 0.15
    """Fastest expansion, as a share of current capacity per year of lead time (reached when the
    margin is well above the hurdle)."""
    mine_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 3.0
    separation_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 2.0
    magnets_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 3.0
    recycling_lead_years: Annotated[float, Field(ge=0.0, le=20.0)] = 2.0


class RecyclingParams(Strict):
    """End-of-life magnet recycling into NdPr and DyTb oxide."""

    collection_rate: Fraction = 0.01
    recovery_rate: Fraction = 0.5
    unit_cost: Positive = 20.0
    """US$/kg of recovered oxide."""


class Scenario(Strict):
    """A whole scenario file."""

    scenario: ScenarioInfo
    market: MarketParams = MarketParams()
    investment: InvestmentParams = InvestmentParams()
    recycling: RecyclingParams = RecyclingParams()
    separation_recovery: Annotated[float, Field(gt=0.0, le=1.0)] = 0.95
    goods: GoodsSpec
    deposit_types: dict[str, DepositType] = Field(min_length=1)
    regions: dict[RegionId, RegionSpec] = Field(min_length=1)
    alliances: dict[str, AllianceSpec] = {}
    mines: list[MineSpec] = []
    refiners: list[RefinerSpec] = []
    magnet_plants: list[MagnetPlantSpec] = []
    sectors: dict[str, SectorSpec] = Field(min_length=1)
    events: list[Event] = []
    shocks: ShockRates = ShockRates()

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        errors: list[str] = []
        regions = set(self.regions)

        def check_region(path: str, region: str) -> None:
            if region not in regions:
                errors.append(f"{path}: unknown region {region!r} (known: {', '.join(sorted(regions))})")

        for name, region in self.regions.items():
            wanted = getattr(region.strategy, "alliance", None)
            if wanted is not None and wanted not in self.alliances:
                errors.append(f"regions.{name}.strategy.alliance: unknown alliance {wanted!r} "
                              f"(known: {', '.join(sorted(self.alliances)) or 'none defined in [alliances]'})")
        for name, alliance in self.alliances.items():
            for i, member in enumerate(alliance.members):
                check_region(f"alliances.{name}.members.{i}", member)
        facilities: dict[str, str] = {}
        for kind in ("mines", "refiners", "magnet_plants"):
            for i, facility in enumerate(getattr(self, kind)):
                check_region(f"{kind}.{i}.region", facility.region)
                if facility.name in facilities:
                    errors.append(f"{kind}.{i}.name: {facility.name!r} is used twice")
                facilities[facility.name] = kind
        for i, mine in enumerate(self.mines):
            if mine.deposit not in self.deposit_types:
                errors.append(
                    f"mines.{i}.deposit: unknown deposit type {mine.deposit!r} "
                    f"(known: {', '.join(sorted(self.deposit_types))})"
                )
        for name, sector in self.sectors.items():
            for region in sector.split:
                check_region(f"sectors.{name}.split.{region}", region)
        for i, event in enumerate(self.events):
            for name in ("region", "importer", "target", "destinations", "origins"):
                value = getattr(event, name, None)
                for region in [value] if isinstance(value, str) else value or ():
                    check_region(f"events.{i}.{event.type}.{name}", region)
            facility = getattr(event, "facility", None)
            if facility is not None and facility not in facilities:
                errors.append(f"events.{i}.{event.type}.facility: unknown facility {facility!r} "
                              f"(known: {', '.join(sorted(facilities))})")
            sector = getattr(event, "sector", None)
            if sector is not None and sector not in self.sectors:
                errors.append(f"events.{i}.{event.type}.sector: unknown sector {sector!r} "
                              f"(known: {', '.join(self.sectors)})")
            alliance = getattr(event, "alliance", None)
            if alliance is not None and alliance not in self.alliances:
                known = ", ".join(sorted(self.alliances)) or "none defined in [alliances]"
                errors.append(f"events.{i}.{event.type}.alliance: unknown alliance {alliance!r} (known: {known})")
        if errors:
            raise ValueError(CROSS_CHECK_SEPARATOR.join(errors))
        return self

    @property
    def start_month(self) -> int:
        """The first simulated month as a month index."""
        return month_index(self.scenario.start)


def reference_prices(scenario: Scenario) -> dict[str, float]:
    """Reference price of every oxide, US$/kg."""
    return {name: getattr(scenario.goods, name).reference_price for name in OXIDES}
