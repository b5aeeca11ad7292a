"""The month's capacity phase: each industry (mining, separation, magnet making) retires worn
capacity and orders new capacity on the demand it expects (:mod:`marketsim.agents.acquisition`),
and the capacity under construction at the start is put in the pipelines."""

from __future__ import annotations

import numpy as np

from marketsim.agents.acquisition import industry_order, spread
from marketsim.agents.fleet import PIPELINE_MONTHS, Fleet
from marketsim.scenario.dynamics import CapacityParams
from marketsim.vocabulary import MAGNET, NDPR, month_index
from marketsim.world.flows import Month
from marketsim.world.heavy_outlook import home_groups, ionic_ndpr_feed, review_heavy
from marketsim.world.state import World

INDUSTRIES = ("mining", "separation", "magnets")


def fleets(world: World) -> tuple[Fleet, Fleet, Fleet]:
    """The agent sets of :data:`INDUSTRIES`, in order."""
    return (world.mines, world.refiners, world.magnet_plants)


def schedule_construction(world: World, params: CapacityParams, start_month: int) -> None:
    """Put the capacity under construction at the start into its facilities' pipelines.

    Raises:
        ValueError: A named facility is not in the scenario.
    """
    for item in params.under_construction:
        for fleet in fleets(world):
            row = fleet.index_of(item.facility)
            if row is not None:
                break
        else:
            raise ValueError(f"under_construction names unknown facility {item.facility!r}")
        first = max(month_index(item.start) - start_month, 0)
        for month in range(item.ramp_months):
            fleet.pipeline[row, (first + month) % PIPELINE_MONTHS] += item.capacity / item.ramp_months


def need_weights(world: World) -> np.ndarray:
    """(end users,) weight of each end user's need in the growth forecast: its need times its
    NdPr content (what :func:`forecast_growth` averages over; compute it once a month)."""
    buyers = world.manufacturers
    content = np.where(buyers.good == MAGNET, world.magnet_plants.ndpr_per_tonne, 0.0) + (buyers.good == NDPR)
    return buyers.need * content


def forecast_growth(world: World, tick: int, months: int, weight: np.ndarray | None = None) -> float:
    """Growth of magnet and NdPr need expected over the next ``months`` from the sectors' demand
    outlooks (REF §8: the industry's published forecast), weighted by NdPr content
    (``weight``: :func:`need_weights`, computed here when None)."""
    return float(growth_outlook(world, tick, [months], weight)[0])


def growth_outlook(world: World, tick: int, horizons: list[int], weight: np.ndarray | None = None) -> np.ndarray:
    """:func:`forecast_growth` over each of ``horizons`` (months ahead) at once: one array
    operation for all the horizons the capacity phase looks at in a month."""
    buyers = world.manufacturers
    index = buyers.growth_index
    last = len(index) - 1
    ahead = np.minimum(tick + np.asarray(horizons), last)
    ratio = index[ahead[:, None], buyers.sector] / index[min(tick, last)][buyers.sector]
    weight = need_weights(world) if weight is None else weight
    total = np.add.reduce(weight, None)  # ndarray.sum without its Python wrapper (the same reduction)
    if total <= 0:
        return np.ones(len(horizons))
    return np.add.reduce(weight * ratio, axis=1) / total


def observed_need(world: World, month: Month) -> np.ndarray:
    """(3,) this month's structural need in each industry's capacity unit, t/yr: end users' need at
    their growth and long-run thrift, without the short-run rationing of today's price (planners
    build for the market, not for a spike), as REO of concentrate mined and separated to meet the
    world's NdPr need (net of recycled scrap) and as magnets."""
    plants, recycling, buyers = world.magnet_plants, world.scenario.recycling, world.manufacturers
    net_recipe = plants.ndpr_per_tonne * (
        1.0 - plants.scrap_share * recycling.scrap_collection * recycling.recovery_rate
    )
    tick = min(month.tick, len(buyers.growth_index) - 1)
    structural = buyers.base * buyers.growth_index[tick][buyers.sector] * buyers.thrift
    magnets = np.add.reduce(structural[buyers.good == MAGNET], None)
    ndpr = np.add.reduce(structural[buyers.good == NDPR], None) + magnets * net_recipe
    feed = ndpr / (world.scenario.separation_recovery * max(world.world_mix[1], 1e-6))
    return 12.0 * np.array([feed, feed, magnets])


def expected_demand(world: World, month: Month, params: CapacityParams, growth: np.ndarray | None = None) -> np.ndarray:
    """(3,) demand each industry expects one lead time ahead, t/yr: smoothed need times the
    forecast growth over its lead time and over the smoothing time (exponential smoothing of a
    growing need lags it by ``demand_months``; without the correction every industry plans a year
    of growth short). ``growth``: that (3,) forecast growth (:func:`growth_outlook` over
    :func:`demand_horizons`), computed here when None."""
    need = observed_need(world, month)
    if world.expected_need is None:
        world.expected_need = need
    world.expected_need = world.expected_need + (need - world.expected_need) / params.demand_months
    if growth is None:
        growth = growth_outlook(world, month.tick, demand_horizons(world, params))
    return world.expected_need * growth


def demand_horizons(world: World, params: CapacityParams) -> list[int]:
    """Months ahead each industry forecasts its demand growth over: its lead time plus the
    smoothing time of :func:`expected_demand`."""
    smoothing = round(params.demand_months)
    return [fleet.lead_months + smoothing for fleet in fleets(world)]


def others_feed_supply(world: World, params: CapacityParams) -> float:
    """What the mines outside the managed region supply, t/yr of the world's feed: their capacity at
    normal utilisation, not their output (China does not fill what others leave idle because prices are
    low: that would push prices lower still), counted by NdPr content, since a tonne of heavy clay (4 %
    NdPr) does not replace a tonne of the world's feed (about 22 %) (model.md 7.33)."""
    mines = world.mines
    ndpr_feed = mines.composition[:, 1] / max(world.world_mix[1], 1e-6)
    outside = mines.region != world.managed.region
    return params.normal_utilisation * float(
        np.add.reduce((mines.capacity * ndpr_feed)[outside], None)
    ) + ionic_ndpr_feed(world)


def unsold_gap(world: World) -> float:
    """The world's unsold NdPr oxide short of sellers' target cover (negative: a surplus), in t REO
    of concentrate whose separation would make it up."""
    target = world.market.seller_cover_months * float(np.add.reduce(world.orders[NDPR], None))
    gap = target - float(np.add.reduce(world.ledger.seller.amount[NDPR], None))
    return gap / (world.scenario.separation_recovery * max(world.world_mix[1], 1e-6))


def wear_out(world: World, params: CapacityParams) -> None:
    """At the start of every month after the first, mines', separation and magnet plants' capacity
    wears out over its life (what the month then runs and records is what is left)."""
    if params.acquire:
        for fleet in fleets(world):
            fleet.retire(params.life_years)


def readiness(world: World, fleet: Fleet, industry: str) -> np.ndarray:
    """(facilities,) access to technology: 1 for mines; the region's access (slowed by technology
    bans) for separation and magnet plants."""
    if industry == "mining":
        return np.ones(len(fleet))
    return world.tech_access[fleet.region] * world.frictions.tech_factor[fleet.region]


def _order(
    fleet: Fleet,
    rows: np.ndarray | slice,
    demand: float,
    params: CapacityParams,
    months: float | None = None,
    lead: int = 0,
) -> float:
    """Capacity (t/yr) the facilities ``rows`` (a mask, or ``slice(None)`` for all, which reads the
    fleet's columns without copying them) of a fleet order together on ``demand``."""
    add = np.add.reduce  # ndarray.sum without its Python wrapper (the same reduction)
    capacity = fleet.capacity[rows]
    installed = add(capacity, None)
    if installed <= 0:
        return 0.0
    margin = float(add(capacity * fleet.full_margin[rows], None) / installed)
    supply_line = float(add(fleet.pipeline[rows], None))
    return industry_order(installed, supply_line, demand, margin, params, months, lead or fleet.lead_months)


def acquire_capacity(world: World, month: Month, params: CapacityParams) -> np.ndarray:
    """Every industry retires worn capacity and orders capacity on expected demand, spread over
    its facilities; where a government manages mine output (China), its mines follow the quota it
    expects to set and the rest of the world's mines the rest of demand. Return the (3,) t/yr
    ordered."""
    managed = world.managed
    managed.update_split(month.tick)
    # Every growth forecast of the month in one operation: each industry's, the year ahead the
    # managing government reviews its quota over, its own mines' lead time, and the half year the
    # ionic-clay quota is reviewed over (7.35).
    horizons = [*demand_horizons(world, params), 6 + round(params.demand_months), managed.params.lead_months, 6]
    growth = growth_outlook(world, month.tick, horizons, need_weights(world))
    demand = expected_demand(world, month, params, growth[:3])
    if not params.acquire:
        return np.zeros(len(INDUSTRIES))
    review_heavy(world, month, params.normal_utilisation, float(growth[5]))
    due = managed.active and managed.due(month.tick)  # what only a review reads is worked out for one
    managed.review(
        month.tick,
        world.expected_need[0] * float(growth[3]),
        float(world.prices.regional[NDPR, max(managed.region, 0)]),
        others_feed_supply(world, params) if due else None,
        unsold_gap(world) if due else 0.0,
    )
    ordered = np.zeros(len(INDUSTRIES))
    for k, (industry, fleet) in enumerate(zip(INDUSTRIES, fleets(world), strict=True)):
        ready = readiness(world, fleet, industry)
        everyone, capacity = slice(None), fleet.capacity
        if industry == "mining" and managed.active:
            home = fleet.region == managed.region
            rule = managed.params
            for rows, cap in home_groups(world):
                own = _order(fleet, rows, cap * float(growth[4]), params, rule.capacity_months, rule.lead_months)
                shares = spread(own, fleet.capacity * rows, np.ones(len(fleet)), ready)
                fleet.acquire(month.tick, shares, rule.lead_months)
                ordered[k] += own
            everyone, ready = ~home, ready * ~home
            capacity = fleet.capacity * everyone
            demand[0] = max(demand[0] - managed.output_cap * demand[0] / max(world.expected_need[0], 1e-9), 0.0)
        order = _order(fleet, everyone, demand[k], params)
        fleet.acquire(month.tick, spread(order, capacity, fleet.full_margin, ready))
        ordered[k] += order
    return ordered
