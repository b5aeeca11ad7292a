"""Build a :class:`~marketsim.world.state.World` from a validated scenario: its agent sets, mixes,
prices and starting stocks."""

from __future__ import annotations

import numpy as np

from marketsim.agents.magnet_plant import MagnetPlantFleet
from marketsim.agents.manufacturer import ManufacturerFleet
from marketsim.agents.mine import MineFleet
from marketsim.agents.recycler import EndOfLife, RecyclerFleet
from marketsim.agents.refiner import RefinerFleet
from marketsim.governance.heavy_quota import HeavyQuota
from marketsim.governance.managed_supply import ManagedSupply
from marketsim.market import pricing, valuation
from marketsim.market.contracts import ContractBook
from marketsim.market.expectations import Expectations
from marketsim.market.valuation import element_values
from marketsim.policy.book import Frictions
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import CONCENTRATE, DYTB, ELEMENT_GROUPS, GOODS, LACE, MAGNET, NDPR, month_index
from marketsim.world.capacity import INDUSTRIES, fleets, schedule_construction
from marketsim.world.initial import fill_initial_stocks, starting_magnet_output
from marketsim.world.ledger import Ledger
from marketsim.world.state import World

FORECAST_MONTHS = 240
"""Demand growth is tabulated this far beyond the run, so capacity planners' forecasts over their
lead time (at most 20 years) do not depend on the run's length. A horizon, not behaviour: it stays a
constant (behavioural constants are the scenario's ``[behaviour]`` table)."""


def growth_index(scenario: Scenario, months: int) -> np.ndarray:
    """(months + 1, sectors) demand of each sector relative to the start, month by month."""
    start = scenario.start_month
    sectors = list(scenario.sectors.values())
    index = np.ones((months + 1, len(sectors)))
    for s, sector in enumerate(sectors):
        years = np.array([p.year for p in sector.growth])
        rates = np.array([p.rate for p in sector.growth])
        calendar_years = (start + np.arange(months)) // 12
        which = np.clip(np.searchsorted(years, calendar_years, side="right") - 1, 0, None)
        monthly = (1.0 + rates[which]) ** (1.0 / 12.0)
        index[1:, s] = np.cumprod(monthly)
    return index


def deposit_matrix(scenario: Scenario) -> dict[str, np.ndarray]:
    """Element shares of each deposit type, in :data:`ELEMENT_GROUPS` order."""
    return {
        name: np.array([getattr(d, group) for group in ELEMENT_GROUPS]) for name, d in scenario.deposit_types.items()
    }


def with_projects(facilities: list, scenario: Scenario, stage: str) -> tuple[list, np.ndarray]:
    """A stage's facilities followed by its supply projects (which start with no capacity).

    Returns:
        ``(specs, capacity)``: the facility and project specs, and their starting capacity.
    """
    projects = [p for p in scenario.pipeline if p.stage == stage]
    capacity = np.array([f.capacity for f in facilities] + [0.0] * len(projects))
    return [*facilities, *projects], capacity


def build_mines(scenario: Scenario, regions: dict[str, int], rng: np.random.Generator) -> MineFleet:
    """The mines of the scenario, then its mine projects, as one fleet."""
    deposits = deposit_matrix(scenario)
    mines, capacity = with_projects(scenario.mines, scenario, "mining")
    return MineFleet(
        names=[m.name for m in mines],
        regions=np.array([regions[m.region] for m in mines], dtype=np.int64),
        capacity=capacity,
        unit_cost=np.array([m.unit_cost for m in mines]),
        lead_months=round(scenario.investment.mine_lead_years * 12),
        rng=rng,
        composition=np.array([deposits[m.deposit] for m in mines]).reshape(len(mines), 4),
        reserves=np.array([np.inf if getattr(m, "reserves", None) is None else m.reserves for m in mines]),
    )


def build_refiners(scenario: Scenario, regions: dict[str, int], rng: np.random.Generator) -> RefinerFleet:
    """The separation plants of the scenario, then its separation projects, as one fleet."""
    plants, capacity = with_projects(scenario.refiners, scenario, "separation")
    return RefinerFleet(
        names=[p.name for p in plants],
        regions=np.array([regions[p.region] for p in plants], dtype=np.int64),
        capacity=capacity,
        unit_cost=np.array([p.unit_cost for p in plants]),
        lead_months=round(scenario.investment.separation_lead_years * 12),
        rng=rng,
        heavy_circuit=np.array([p.heavy_circuit for p in plants], dtype=bool),
        recovery=scenario.separation_recovery,
    )


def build_magnet_plants(scenario: Scenario, regions: dict[str, int], rng: np.random.Generator) -> MagnetPlantFleet:
    """The magnet plants of the scenario, then its magnet plant projects, as one fleet."""
    plants, capacity = with_projects(scenario.magnet_plants, scenario, "magnets")
    recipe = scenario.goods.magnet
    return MagnetPlantFleet(
        names=[p.name for p in plants],
        regions=np.array([regions[p.region] for p in plants], dtype=np.int64),
        capacity=capacity,
        unit_cost=np.array([p.unit_cost for p in plants]),
        lead_months=round(scenario.investment.magnets_lead_years * 12),
        rng=rng,
        ndpr_per_tonne=recipe.ndpr_per_tonne,
        dytb_per_tonne=recipe.dytb_per_tonne,
        regions_count=len(regions),
        thrift_elasticity=scenario.behaviour.thrift_elasticity,
        thrift_months=scenario.behaviour.thrift_months,
        backstop=scenario.behaviour.dytb_backstop,
        backstop_months=scenario.behaviour.dytb_backstop_months,
        scrap_share=scenario.recycling.scrap_share,
    )


def magnet_reference_price(scenario: Scenario) -> float:
    """Cost-plus price of a magnet at reference oxide prices, US$/kg (the demand anchor)."""
    recipe = scenario.goods.magnet
    plants = scenario.magnet_plants
    capacity = np.array([p.capacity for p in plants])
    conversion = float(np.average([p.unit_cost for p in plants], weights=capacity)) if capacity.sum() else 20.0
    materials = (
        recipe.ndpr_per_tonne * scenario.goods.ndpr.reference_price
        + recipe.dytb_per_tonne * scenario.goods.dytb.reference_price
    )
    return (1.0 + recipe.markup) * (conversion + materials)


def reference_price_by_good(scenario: Scenario) -> np.ndarray:
    """(goods,) reference price of every good; concentrate at payable value of the mine mix."""
    prices = np.zeros(len(GOODS))
    prices[NDPR] = scenario.goods.ndpr.reference_price
    prices[DYTB] = scenario.goods.dytb.reference_price
    prices[LACE] = scenario.goods.lace.reference_price
    prices[MAGNET] = magnet_reference_price(scenario)
    prices[CONCENTRATE] = scenario.goods.concentrate.payable_share * float(
        element_values(prices) @ world_mine_mix(scenario)
    )
    return prices


def regional_mine_mix(scenario: Scenario, regions: dict[str, int]) -> np.ndarray:
    """(regions, 4) capacity-weighted element mix of each region's mines (the world mix where a
    region has none)."""
    deposits = deposit_matrix(scenario)
    mix = np.zeros((len(regions), 4))
    for mine in scenario.mines:
        mix[regions[mine.region]] += mine.capacity * deposits[mine.deposit]
    total = mix.sum(axis=1, keepdims=True)
    return np.where(total > 0, mix / np.where(total > 0, total, 1.0), world_mine_mix(scenario))


def world_mine_mix(scenario: Scenario) -> np.ndarray:
    """Capacity-weighted element mix of all mines (equal shares if there are none)."""
    deposits = deposit_matrix(scenario)
    weights = np.array([m.capacity for m in scenario.mines])
    if not scenario.mines or weights.sum() == 0:
        return np.full(4, 0.25)
    mix = np.array([deposits[m.deposit] for m in scenario.mines])
    return weights @ mix / weights.sum()


def build_manufacturers(
    scenario: Scenario, regions: dict[str, int], months: int, reference: np.ndarray, buyers_per_cell: int = 1
) -> ManufacturerFleet:
    """End users: one row per (sector, region) with demand, split into ``buyers_per_cell`` rows."""
    columns: dict[str, list] = {
        key: []
        for key in (
            "region",
            "good",
            "sector",
            "base",
            "reference_price",
            "elasticity_short",
            "elasticity_long",
            "adjust_months",
            "inventory_months",
            "hoarding",
            "backstop",
            "protected",
        )
    }
    for s, sector in enumerate(scenario.sectors.values()):
        good = GOODS.index(sector.good)
        for region, share in sector.split.items():
            if share <= 0:
                continue
            for _ in range(buyers_per_cell):
                columns["region"].append(regions[region])
                columns["good"].append(good)
                columns["sector"].append(s)
                columns["base"].append(sector.demand * share / 12.0 / buyers_per_cell)
                columns["reference_price"].append(reference[good])
                columns["elasticity_short"].append(sector.elasticity_short)
                columns["elasticity_long"].append(sector.elasticity_long)
                columns["adjust_months"].append(sector.adjustment_years * 12.0)
                columns["inventory_months"].append(sector.inventory_months)
                columns["hoarding"].append(sector.hoarding)
                columns["backstop"].append(sector.backstop_multiple)
                columns["protected"].append(sector.protected)
    arrays = {key: np.array(values) for key, values in columns.items()}
    return ManufacturerFleet(
        **arrays,
        growth_index=growth_index(scenario, months + FORECAST_MONTHS),
        goods_count=len(GOODS),
        regions_count=len(regions),
    )


def build_end_of_life(scenario: Scenario, regions: dict[str, int]) -> EndOfLife:
    """Memory of magnet consumption by (sector, region), back-cast before the start."""
    sectors = list(scenario.sectors.values())
    level = np.zeros((len(sectors), len(regions)))
    for s, sector in enumerate(sectors):
        if sector.good == "magnet":
            for region, share in sector.split.items():
                level[s, regions[region]] = sector.demand * share / 12.0
    return EndOfLife(
        lifetime_months=np.array([round(s.lifetime_years * 12) for s in sectors]),
        start_level=level,
        start_growth=np.array([s.growth[0].rate for s in sectors]),
        regions_count=len(regions),
    )


def build_recyclers(
    scenario: Scenario,
    regions: dict[str, int],
    end_of_life: EndOfLife,
    plants: MagnetPlantFleet,
    buyers: ManufacturerFleet,
    rng: np.random.Generator,
) -> RecyclerFleet:
    """One recycling industry per region that uses magnets or (when magnet making leaves scrap
    that is collected) has magnet plants, sized to today's collected flow of both feeds."""
    params = scenario.recycling
    size = len(regions)
    arriving = end_of_life.arriving(0) * plants.reo_per_magnet
    scrap_kept = plants.scrap_share * params.scrap_collection
    feed = plants.ndpr_per_tonne + plants.base_dytb_per_tonne
    scrap = starting_magnet_output(plants, buyers, size) * feed * plants.scrap_share
    making = plants.by_region(np.ones(len(plants)), size) > 0
    rows = [i for i in range(size) if arriving[i] > 0 or (scrap_kept > 0 and making[i])]
    collected = (arriving[rows] * params.collection_rate + scrap[rows] * params.scrap_collection) * params.recovery_rate
    names = [f"recycling_{list(regions)[i]}" for i in rows]
    return RecyclerFleet(
        names=names,
        regions=np.array(rows, dtype=np.int64),
        capacity=collected * 12.0 * 1.25,
        unit_cost=np.full(len(rows), params.unit_cost),
        lead_months=round(scenario.investment.recycling_lead_years * 12),
        rng=rng,
        collection_rate=np.full(len(rows), params.collection_rate),
        recovery_rate=params.recovery_rate,
        scrap_collection=np.full(len(rows), params.scrap_collection),
    )


def apply_behaviour(world: World, behaviour: BehaviourParams) -> None:
    """Give the agent sets the scenario's behavioural constants (its ``[behaviour]`` table).

    Args:
        world: The world being built, its agent sets created.
        behaviour: The scenario's behavioural constants.
    """
    world.manufacturers.hoarding_cap_months = behaviour.hoarding_cap_months
    world.manufacturers.substitution_elasticity = behaviour.substitution_elasticity
    for fleet in (world.mines, world.refiners, world.magnet_plants, world.recyclers):
        fleet.cost_spread = behaviour.utilisation_band
        fleet.operating_memory = 1.0 / behaviour.operating_months
        fleet.margin_memory = 1.0 / behaviour.margin_months
    world.mines.cost_spread = behaviour.mine_cost_spread
    world.mines.operating_memory = 1.0 / behaviour.mine_operating_months


def build_world(
    scenario: Scenario, rng: np.random.Generator, months: int, frictions: Frictions, buyers_per_cell: int = 1
) -> World:
    """The world of a scenario at its start: agent sets (without their Mesa agents yet, see
    :meth:`World.enlist`), prices at reference and every stock at its target.

    Args:
        scenario: A validated scenario.
        rng: The model's random generator (facilities draw their review months from it).
        months: Length of the run (demand growth is tabulated that far).
        frictions: The policies in force at the start, compiled.
        buyers_per_cell: End users per (sector, region), for scaling experiments.
    """
    regions = {name: i for i, name in enumerate(scenario.regions)}
    reference = reference_price_by_good(scenario)
    mines = build_mines(scenario, regions, rng)
    refiners = build_refiners(scenario, regions, rng)
    plants = build_magnet_plants(scenario, regions, rng)
    buyers = build_manufacturers(scenario, regions, months, reference, buyers_per_cell)
    end_of_life = build_end_of_life(scenario, regions)
    world = World(
        scenario=scenario,
        regions=list(regions),
        region_index=regions,
        china=regions.get("china", -1),
        reference=reference,
        mines=mines,
        refiners=refiners,
        magnet_plants=plants,
        manufacturers=buyers,
        recyclers=build_recyclers(scenario, regions, end_of_life, plants, buyers, rng),
        end_of_life=end_of_life,
        ledger=Ledger(len(GOODS), len(regions)),
        mine_mix=regional_mine_mix(scenario, regions),
        world_mix=world_mine_mix(scenario),
        tech_access=np.array([r.tech_access for r in scenario.regions.values()]),
        frictions=frictions,
    )
    apply_behaviour(world, scenario.behaviour)
    at_reference = np.repeat(reference[:, None], len(regions), axis=1)
    base = pricing.price_base(
        valuation.concentrate_value(world, at_reference), valuation.magnet_cost(world, at_reference), reference[MAGNET]
    )
    goods = scenario.goods
    world.prices = pricing.initial_prices(
        reference, base, goods.concentrate.payable_share, goods.magnet.markup, scenario.market, scenario.behaviour
    )
    world.price_memory = [world.prices.regional.copy() for _ in range(scenario.behaviour.price_memory_months)]
    fill_initial_stocks(world)
    capacity = scenario.dynamics.capacity
    for stage, fleet in zip(INDUSTRIES, fleets(world), strict=True):
        fleet.capital_ratio = capacity.capital_ratio.get(stage, 0.0)
    schedule_construction(world, capacity, scenario.start_month)
    world.managed = managed_supply(scenario, regions, reference)
    world.contracts = ContractBook(scenario.dynamics.contracts, world.prices.regional)
    world.expectations = Expectations(
        scenario.dynamics.stockholders, world.prices.regional, scenario.behaviour.trend_months
    )
    return world


def managed_supply(scenario: Scenario, regions: dict[str, int], reference: np.ndarray) -> ManagedSupply:
    """China's managed supply, with its separate ionic-clay quota when the scenario sets one.

    Raises:
        ValueError: The ionic-clay quota covers none of the region's mines (loading refuses it first).
    """
    managed = scenario.dynamics.managed_supply
    region = regions.get(managed.region, -1)
    heavy = managed.heavy_quota
    quota = None
    if heavy.start_quota > 0 and region >= 0 and managed.start_quota > 0:
        mines, _ = with_projects(scenario.mines, scenario, "mining")
        home = np.array([regions[m.region] == region for m in mines], dtype=bool)
        ionic = home & np.array([m.deposit in heavy.deposits for m in mines], dtype=bool)
        if not ionic.any():
            raise ValueError(
                f"dynamics.managed_supply.heavy_quota.deposits {heavy.deposits} covers none of "
                f"{managed.region}'s mines: the ionic-clay quota would cap nothing"
            )
        since = 0 if heavy.since is None else max(month_index(heavy.since) - scenario.start_month, 0)
        quota = HeavyQuota(heavy, home, ionic, since, reference[DYTB])
    return ManagedSupply(managed, region, reference[NDPR], quota)
