"""Parameters of the market's dynamics (issue 13): capacity acquisition, the pull of prices to
full cost, contracts, stockholders, thrift, China's managed supply and export-quota leakage.

Every section hangs on :class:`DynamicsParams`, the scenario's ``[dynamics]`` table; every number
is finite and bounded so sweeps can vary it by its dotted path (``--set
dynamics.capacity.adjustment_months=30``). Equations and sources: docs/model.md §7.21-7.27.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from marketsim.scenario.base import Strict

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def _ordered_band(band: tuple[float, float]) -> tuple[float, float]:
    """A price band's low end below its high end."""
    if band[0] >= band[1]:
        raise ValueError(f"the band's low end ({band[0]:g}) must be below its high end ({band[1]:g})")
    return band


PriceBand = Annotated[
    tuple[Annotated[float, Field(gt=0.0, le=20.0)], Annotated[float, Field(gt=0.0, le=20.0)]],
    AfterValidator(_ordered_band),
]
"""Low and high price a quota rule defends, multiples of the reference price (0-20], low below high."""


class Construction(Strict):
    """Capacity under construction at the start: it arrives whatever prices do (sunk capital)."""

    facility: str
    """Name of the facility (mine, separation plant or magnet plant) the capacity is added to."""
    capacity: Annotated[float, Field(gt=0.0, le=1e7)]
    """Capacity added, t/yr (the facility's unit)."""
    start: Month
    """Month the first capacity arrives."""
    ramp_months: Annotated[int, Field(ge=1, le=120)] = 12
    """Months over which it arrives in equal steps."""


class CapacityParams(Strict):
    """Capacity acquisition on expected demand (Sterman 2000, ch. 17 and 20; REF §11)."""

    acquire: bool = True
    """False freezes mines', separation and magnet plants' capacity (no orders, no retirements),
    except for events, projects and the capacity under construction (for experiments)."""

    adjustment_months: Annotated[float, Field(ge=6.0, le=120.0)] = 30.0
    """Time to close the gap between desired and installed-plus-ordered capacity (REF §11: 24-36)."""
    supply_line_weight: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    """Weight on the whole industry's capacity under construction (REF §11: 0.34 in experiments, 1 = full)."""
    life_years: Annotated[float, Field(ge=5.0, le=60.0)] = 25.0
    """Average life of capacity; it retires at 1/life a year and orders replace it (REF §11: 20-25)."""
    demand_months: Annotated[float, Field(ge=1.0, le=60.0)] = 12.0
    """Time constant of the smoothing of observed need into expected demand."""
    normal_utilisation: Annotated[float, Field(gt=0.3, le=1.0)] = 0.85
    """Share of capacity the industry plans to run (spare capacity for outages and swings)."""
    profit_sensitivity: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    """Elasticity of desired capacity to the industry's expected full margin (revenue over operating
    plus capital cost)."""
    profit_effect_range: Annotated[float, Field(ge=0.0, le=0.9)] = 0.5
    """The profitability effect stays within 1 +- this."""
    capital_ratio: dict[str, Annotated[float, Field(ge=0.0, le=20.0)]] = Field(
        default_factory=lambda: {"mining": 2.0, "separation": 1.0, "magnets": 0.5}
    )
    """Capital charge per kg of output as a multiple of the facility's operating cost, per stage."""
    under_construction: list[Construction] = Field(default_factory=list)
    """Capacity under construction at the start (REF §2, §9 and company reports)."""


class HeavyQuotaParams(Strict):
    """MIIT's separate mining quota for ionic-clay (medium-heavy) rare earths, set on Dy/Tb need and
    stocks (REF §7: 13.4 kt of the 93.8 kt of 2011; docs/model.md 7.35)."""

    start_quota: Annotated[float, Field(ge=0.0, le=1e7)] = 0.0
    """Ionic-clay quota in the first year, t REO/yr, part of ``start_quota``; 0: no separate category
    (the ionic mines share the region's one quota, set on NdPr)."""
    deposits: list[str] = Field(default_factory=lambda: ["ionic_heavy", "ionic_light"], min_length=1)
    """Deposit types under the category (MIIT: the ion-adsorption, mainly medium-heavy, type)."""
    stock_months: Annotated[float, Field(ge=0.0, le=120.0)] = 0.0
    """Time over which the quota closes the gap between the market's unsold Dy/Tb oxide and its normal
    level (Sterman 2000 ch. 17; 0: the quota ignores stocks)."""
    since: Month | None = None
    """First month of the separate category (None: from the start of the run)."""
    price_band: PriceBand = (0.8, 2.0)
    """Low and high Dy/Tb price the quota defends, as multiples of the reference price, with
    ``band_response`` (ASSUMPTION: the light quota's NdPr band, 7.23)."""


class ManagedSupplyParams(Strict):
    """China's managed supply: the mining quota as a rule of its government, and a state reserve
    (REF §8, §11)."""

    region: str = "china"
    """The region whose government manages its mine output (ignored where the scenario has none)."""
    start_quota: Annotated[float, Field(ge=0.0, le=1e7)] = 0.0
    """Mining quota in the first year, t REO/yr; 0 switches the rule off."""
    price_band: PriceBand = (0.8, 2.0)
    """Low and high NdPr price the rule defends, as multiples of the reference price."""
    band_response: Annotated[float, Field(ge=0.0, le=0.5)] = 0.1
    """Share by which the quota is cut (raised) at the annual review when the past year's home NdPr
    price was below (above) the band."""
    fill_gap: bool = True
    """The region is the swing supplier: its quota fills what the rest of the world's mines do not supply
    (False: it keeps its starting share of demand only, as China's restrictive quotas of 2009-2012)."""
    undocumented_share: Annotated[float, Field(ge=0.0, le=0.6)] = 0.0
    """Undocumented (illegal) mining as a share of the region's mine output (REF §10 K9: 15-30 %)."""
    capacity_months: Annotated[float, Field(ge=1.0, le=120.0)] = 18.0
    """Time over which the region's mine capacity follows its quota."""
    lead_months: Annotated[int, Field(ge=1, le=120)] = 12
    """Months from the region's order to new mine capacity (expansions of worked districts)."""
    review_months: Annotated[int, Field(ge=1, le=12)] = 12
    """Months between the government's reviews of the quota (MIIT: annual quotas, issued since 2018 in
    two batches a year; ASSUMPTION)."""
    stock_months: Annotated[float, Field(ge=0.0, le=120.0)] = 0.0
    """Time over which the quota closes the gap between the market's unsold NdPr oxide stock and its
    normal level (sellers' target cover), converted to concentrate (Sterman 2000 ch. 17; 0: the quota
    ignores stocks)."""
    reserve_rate: Annotated[float, Field(ge=0.0, le=0.5)] = 0.03
    """Monthly purchases (releases) of the state reserve below (above) the band, as a share of the
    region's NdPr and Dy/Tb output."""
    heavy_quota: HeavyQuotaParams = HeavyQuotaParams()
    """The separate ionic-clay (medium-heavy) quota, set on Dy/Tb (7.35)."""

    @model_validator(mode="after")
    def _heavy_part_of_the_quota(self) -> ManagedSupplyParams:
        """The ionic-clay quota is a part of the whole quota."""
        heavy = self.heavy_quota.start_quota
        if heavy > 0 and self.start_quota > 0 and heavy >= self.start_quota:
            raise ValueError(
                f"heavy_quota.start_quota ({heavy:g} t) must be less than the whole quota start_quota "
                f"({self.start_quota:g} t): it is a part of it"
            )
        return self


class PriceParams(Strict):
    """The pull of prices toward the full cost of the marginal supplier (Sterman 2000, ch. 20)."""

    cost_pull_months: Annotated[float, Field(ge=3.0, le=120.0)] = 24.0
    """Time constant of the pull of oxide price anchors to the fundamental price (REF §11: 1-3 years)."""


class StockholderParams(Strict):
    """Stockholders with heterogeneous expectations and competitive storage (REF §11: Brock & Hommes
    1997; ter Ellen & Zwinkels 2010; Deaton & Laroque 1996)."""

    enabled: bool = True
    """False: buyers keep the old rule (hoarding on the last three months' rise only)."""
    horizon_months: Annotated[float, Field(ge=1.0, le=36.0)] = 6.0
    """Horizon of stockholders' forecasts."""
    reversion_months: Annotated[float, Field(ge=3.0, le=120.0)] = 24.0
    """Fundamentalists expect the log gap to the fundamental price to close over this time (REF §11:
    prices return to full cost over 1-3 years)."""
    trend_weight: Annotated[float, Field(ge=0.0, le=3.0)] = 1.0
    """Trend followers' extrapolation of the last three months' monthly log change (1: it continues)."""
    intensity_of_choice: Annotated[float, Field(ge=0.0, le=5000.0)] = 300.0
    """How sharply holders switch to the rule that earned more (per unit of squared log return)."""
    memory: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.8
    """Weight of past fitness in each month's fitness."""
    carrying_cost: Annotated[float, Field(ge=0.0, le=0.05)] = 0.015
    """Carrying cost of stock per month (REF §11: 1-2 %)."""
    cover_per_return: Annotated[float, Field(ge=0.0, le=100.0)] = 8.0
    """Extra months of cover per month of normal cover per unit of expected log gain beyond carry, times
    the sector's ``hoarding`` (0.5 by default: 4 months per month of cover)."""
    min_cover_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    """Holders never destock below this share of their normal cover."""
    storage_anchor: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    """Weight of the competitive-storage bound on hoarding: holders build speculative stock on the
    expected gain, but with this weight on no more than the fundamentalists' expected return to the
    fundamental price (Deaton & Laroque 1996: speculative stocks are held when prices are below normal
    and released when above, never bought on a rise above it; REF §11). 0: the weighted expectation of
    both rules, trend included; 1: no hoarding above the fundamental price (plausible 0.5-1;
    ASSUMPTION). Lifted after export controls are imposed or changed (``precaution_months``)."""
    precaution_months: Annotated[float, Field(ge=1.0, le=120.0)] = 24.0
    """Quota-driven speculation: for this many months after export controls (quota, licence, ban) are
    imposed or changed (controls in force when a run starts count) the storage bound is lifted (REF §10:
    panic buying and quota-driven trading in 2010-2011; model.md 7.33; 24 keeps history_2009's K2 and K7,
    12 loses K7)."""
    precaution_scope: Literal["controlled", "all"] = "all"
    """Which goods' storage bound export-control news lifts: ``"controlled"``, only the goods the
    imposed or changed controls cover (in 2010 concentrate and oxides, not magnets, which were not
    under quota: REF §6); ``"all"``, every good (model.md 7.36)."""
    precaution_cover: Annotated[float, Field(ge=0.0, le=3.0)] = 0.0
    """Precautionary stock: for ``precaution_months`` after export controls on a good are tightened,
    buyers importing it under those controls keep this share more than their normal cover (Japanese
    buyers built stocks in 2010-2011, REF §10; precautionary demand under supply risk: Alquist & Kilian
    2010; model.md 7.36). 0: none."""
    speculation_news: Literal["change", "tightening"] = "change"
    """What export-control news lifts the storage bound for ``precaution_months``: ``"change"``, controls
    imposed or changed (those in force when a run starts count; 7.33); ``"tightening"``, controls
    tightened (less quota tonnage, lower approval, a route closed; not the controls a run starts with):
    speculation on scarcity starts when supply is cut, not when a quota is reissued or loosened (7.36)."""
    feed_hoarding: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    """Plants' (magnet makers' and separators') propensity to hold speculative stock of their inputs, as
    end users' sector ``hoarding`` (7.27): their feed cover (``behaviour.feed_cover_months``) grows with
    the stockholders' expected gain like end users' cover, and with ``precaution_cover`` under tightened
    controls (magnet makers and traders held most of the oxide hoarded in 2010-2011, REF §10; model.md
    7.36). 0: plants hold their normal feed cover only."""


class ThriftParams(Strict):
    """Thrift and substitution that ratchet (Sprecher et al. 2017; REF §10-11)."""

    ratchet: bool = True
    """False: the symmetric lag of each sector's ``adjustment_years``."""
    down_months: Annotated[float, Field(ge=1.0, le=120.0)] = 18.0
    """Time constant of thrift and substitution when prices are high (REF §11: 1-2 years)."""
    max_fall_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = 0.10
    """Most of a buyer's intensity it thrifts or substitutes away in a year (REF §11: about 10 % of demand)."""
    up_months: Annotated[float, Field(ge=1.0, le=600.0)] = 144.0
    """Time constant of the return of intensity when prices fall (a decade or more; ASSUMPTION)."""
    cut_off_target: Annotated[float, Field(ge=0.0, le=0.9)] = 0.15
    """Share by which buyers cut off by export controls lower their intensity even at normal prices
    (Japan after 2010: alumina polishing, magnets with 40 % less Dy; REF §10; ASSUMPTION)."""


class ContractParams(Strict):
    """Long-term contracts (REF §11: Adamas Intelligence 2025)."""

    share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.6
    """Share of every market's volume bought on long-term contracts (REF §11: most volume; ASSUMPTION)."""
    lag_months: Annotated[float, Field(ge=1.0, le=60.0)] = 12.0
    """Time constant with which contract prices follow spot (annual renegotiation; ASSUMPTION)."""


class LeakageParams(Strict):
    """Leakage past export controls (REF §10 K9: undocumented output and smuggling 15-30 % of Chinese
    supply)."""

    rate: Annotated[float, Field(ge=0.0, le=10.0)] = 0.5
    """Share of refused requests smuggled per unit of log gap between importers' price and the legal
    delivered cost (ASSUMPTION)."""
    max_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    """Most of the refused requests smuggled in a month (ASSUMPTION)."""
    evade_taxed_trade: bool = True
    """Smuggling also shadows legal exports that pay an export tax or use a quota licence, in the same
    share of the gap (Fisman & Wei 2004: evasion grows with the tax on a route's trade; REF §10 K9).
    False: only refused requests leak."""
    tonnage_licences: bool = True
    """A quota counted in tonnes has one licence price per kg for all the goods it covers, and cut-off
    buyers of each pay at least the legal delivered cost plus it (Falvey 1979; REF §10 K7-K8). False:
    each good's premium is its own."""
    quota_price: bool = False
    """A binding export quota is priced once for all buyers abroad of the goods it covers: they pay the
    legal delivered cost plus the quota's licence price, which clears the quota (rises with the share
    of requests refused, falls within months once the quota stops binding); a premium of a region's
    own, set by its buyers' stock cover, remains only where a ban singles it out (Falvey 1979; REF §10
    K7; model.md 7.34). False (the default): each cut-off region bids a premium on its own buyers' cover
    (7.30). Off by default because on history_2009 it loses the 2011 bubble (K2, K4, K6; 7.34)."""
    licence_bound: bool = True
    """With ``quota_price``: a licence is worth at most the rent of the quota's marginal tonne, what the
    buyer of the last tonne that fits the quota would pay over its legal delivered cost (its choke
    price; for NdPr the import parity of the magnets it makes, 7.31), when the month's requests are
    ranked by that rent (Falvey 1979; model.md 7.38). False: requests from buyers priced out keep
    raising the licence price up to ``behaviour.max_scarcity`` times the delivered cost."""
    licence_memory_months: Annotated[float, Field(ge=1.0, le=24.0)] = 3.0
    """Time constant over which the licence bound sees buyers' monthly requests (exponential smoothing;
    1: this month's only). Buyers with stock skip months, so one month's requests misstate the demand
    for licences (ASSUMPTION; range 1-12)."""
    licence_elasticity: Annotated[float, Field(gt=0.05, le=5.0)] = 0.7
    """Elasticity of buyers' requests to the licence price: a quota refusing the share ``s`` of
    requests is priced at ``(1 - s) ** (-1 / elasticity) - 1`` times the legal export cost (capped by
    ``behaviour.max_scarcity``). Short-run demand elasticities of rare earths are 0.1-0.6 (REF §3);
    buyers' stocks and trade in licences make the licence market more elastic (ASSUMPTION; range
    0.3-2)."""
    licence_cut_off: Annotated[float, Field(ge=0.0, le=20.0)] = 0.1
    """Buyers abroad whose licence price adds more than this share to their delivered cost count as cut
    off by export controls, like refused buyers: they requalify imported magnets (7.31) and thrift
    (ASSUMPTION; range 0.05-0.5)."""
    licence_rise: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    """Share of the gap to the clearing licence price closed each month while it rises (ASSUMPTION)."""
    licence_decay: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    """Share of the gap to the clearing licence price closed each month while it falls: once the quota
    stops binding the licence price halves each month (ASSUMPTION: licences lose their value within
    months; range 0.2-1)."""


class ImportParityParams(Strict):
    """Demand destruction under export controls: cut-off buyers' willingness to pay for an oxide
    falls to the import parity of the finished good (magnets), after a delay (7.31)."""

    enabled: bool = True
    """False: cut-off buyers bid up to the choke price however long they are cut off."""
    requalify_months: Annotated[float, Field(ge=3.0, le=240.0)] = 48.0
    """Mean time (third-order delay) for buyers cut off by export controls to requalify imported
    magnets or move production (automotive part approval takes 1-3 years; after 2011 magnet making
    moved into China; REF §10; ASSUMPTION)."""
    margin: Annotated[float, Field(ge=1.0, le=5.0)] = 1.0
    """Multiple of import parity that buyers pay to keep their own magnet making (security of supply;
    1 = none; ASSUMPTION)."""


class ArbitrageParams(Strict):
    """Arbitrage bounds on the scarcity premium of buyers cut off by export controls (model.md 7.39):
    traders re-sell between importers, smugglers and grey traders buy at the exporter's domestic price."""

    enabled: bool = False
    """False (the default): no bound but the choke price and import parity (7.10, 7.31)."""
    reexport_margin: Annotated[float, Field(ge=0.0, le=5.0)] | None = 0.1
    """Gap between the dearest and the cheapest price of the regions that trade a good freely, as a share of
    the cheapest, below which traders do not re-sell (freight and traders' margin; ASSUMPTION, range
    0.03-1). None: no re-export."""
    reexport_rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    """Share of the gap to the pooled cover of the regions that trade a good freely that traders close a
    month by re-selling from the well-stocked to the short (ASSUMPTION, range 0.1-1; 0: no re-export)."""
    pool_weight: Annotated[float, Field(ge=0.0, le=1.0)] = 0.7
    """Whenever export controls cut any of the regions that trade a good freely off, they all bid a scarcity
    premium on a cover that is this weight their pooled buyers' cover and the rest their own (traders
    arbitrage between them; 1: one market; 0: each bids on its own cover, 7.30; 0.7 CHOSEN against REF §10
    K3-K6 on history_2009, model.md 7.39)."""
    tier_gap: Annotated[float, Field(ge=0.0, le=20.0)] | None = None
    """Most the price abroad stays above the domestic price of an origin whose export controls cut the
    buyers off, as a share of it (export duty plus smugglers' risk premium; range 0.2-3). None: no bound."""


class DumpingParams(Strict):
    """Holders dump excess stock when expectations turn, and bid no more than the choke price (model.md
    7.40; REF §10: "inventories are dumped"; Deaton & Laroque 1996)."""

    enabled: bool = False
    """False (the default): the premium fades at ``market.scarcity_decay`` only, whatever buyers hold (7.10)."""
    rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    """Largest share of the scarcity premium lost a month, on top of its decay, where buyers hold far more
    than their normal stock and expect a fall beyond the carrying cost (0.1 CHOSEN against REF §10 K4-K5 on
    history_2009, seeds 1-5, 2009-2012 only; range 0.05-0.5)."""
    excess_cover: Annotated[float, Field(ge=1.0, le=50.0)] = 3.0
    """Buyers' stock over their normal stock above which they dump (3 CHOSEN with ``rate``; range 1.5-6)."""


class DynamicsParams(Strict):
    """All dynamics sections (the scenario's ``[dynamics]`` table)."""

    capacity: CapacityParams = CapacityParams()
    managed_supply: ManagedSupplyParams = ManagedSupplyParams()
    prices: PriceParams = PriceParams()
    stockholders: StockholderParams = StockholderParams()
    thrift: ThriftParams = ThriftParams()
    contracts: ContractParams = ContractParams()
    leakage: LeakageParams = LeakageParams()
    import_parity: ImportParityParams = ImportParityParams()
    arbitrage: ArbitrageParams = ArbitrageParams()
    dumping: DumpingParams = DumpingParams()
