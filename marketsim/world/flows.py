"""One month's flows: what each phase made, used, traded and lost, its tracer bookkeeping and
the material balance that checks nothing appears or vanishes."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from marketsim.market.clearing import Clearing
from marketsim.vocabulary import GOODS, MAGNET, MAGNET_ROWS, REO_ROWS, TRACERS
from marketsim.world.state import World


def goods_by_region(world: World) -> np.ndarray:
    """A zero (goods, regions) array."""
    return np.zeros((len(GOODS), world.size))


@functools.cache
def foreign_routes(regions: int) -> np.ndarray:
    """(regions, regions) True off the diagonal: the routes between two regions (read-only, shared)."""
    foreign = ~np.eye(regions, dtype=bool)
    foreign.flags.writeable = False
    return foreign


def no_tracers(world: World) -> np.ndarray:
    """A zero (goods, regions, tracers) array."""
    return np.zeros((len(GOODS), world.size, TRACERS))


def offer_output(world: World, made: np.ndarray, china_stage: int, carried: np.ndarray | None = None) -> None:
    """Put a phase's output on its regions' markets (the seller pools) with its tracers: those it
    carries from its inputs, and China's own output marked as made in China at this stage.

    Args:
        world: The world.
        made: (goods, regions) t made.
        china_stage: Tracer column of the stage (CHINA_MINED, CHINA_SEPARATED or CHINA_MAGNETS).
        carried: (goods, regions, tracers) tracer tonnes carried over from the inputs (none when
            omitted); its ``china_stage`` column must be empty.
    """
    tracer = no_tracers(world) if carried is None else carried
    if world.china >= 0:
        tracer[:, world.china, china_stage] = made[:, world.china]
    world.ledger.seller.add(made, tracer)


@dataclass
class Month:
    """What happened in one month, filled phase by phase (arrays over (goods, regions) unless
    said otherwise)."""

    tick: int
    market_posted: np.ndarray
    """Producer prices this month before floors."""
    posted: np.ndarray
    """Producer prices this month, floors included."""
    oxide_value: np.ndarray
    """(regions,) value of the oxides (not Dy/Tb) in 1 kg of the feed at each region's refiners."""
    dytb_value: np.ndarray
    """(regions,) value of the Dy/Tb oxide in 1 kg of that feed."""
    market_oxides: np.ndarray
    """(1,) value of the oxides (not Dy/Tb) in 1 kg of the concentrate on offer."""
    market_dytb: np.ndarray
    """(1,) value of the Dy/Tb oxide in 1 kg of the concentrate on offer."""
    held_before: float
    """T REO held anywhere at the start of the month."""
    magnets_before: float
    """T of magnet held anywhere at the start of the month."""
    produced: np.ndarray
    mined: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """(regions,) t REO mined."""
    separated: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """(regions,) t of oxide separated."""
    lost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """(regions,) t REO lost at separation."""
    taken: np.ndarray | None = None
    """Concentrate refiners took from their stock."""
    planned_feed: np.ndarray | None = None
    """(refiners,) concentrate each separation plant plans to buy."""
    plan: np.ndarray | None = None
    """(regions,) magnets the region's plants plan to make."""
    sector_need: np.ndarray | None = None
    """End users' need."""
    magnets: np.ndarray | None = None
    """(regions,) t of magnet made."""
    consumed: np.ndarray | None = None
    """End users' consumption."""
    into_magnets: np.ndarray | None = None
    """Oxide fed into magnet making (scrap included)."""
    content: np.ndarray | None = None
    """(goods, regions, tracers) tracer tonnes per tonne of the buyer pools before use."""
    scrap: np.ndarray | None = None
    """Oxide that ended as manufacturing scrap."""
    end_of_life: np.ndarray | None = None
    """(regions,) t REO in magnets reaching end of life."""
    recycled: np.ndarray | None = None
    """(regions,) t REO recovered from end-of-life magnets."""
    scrap_recycled: np.ndarray | None = None
    """(regions,) t REO recovered from manufacturing scrap."""
    offered: np.ndarray | None = None
    """What sellers had on offer at clearing."""
    demand: np.ndarray | None = None
    """What buyers and state stockpiles asked the market for."""
    clearing: Clearing | None = None
    to_state: np.ndarray | None = None
    licence_premium: np.ndarray | None = None
    """(goods, origins) shadow price of binding export controls, US$/kg."""
    smuggled: np.ndarray | None = None
    """(goods, origins) tonnes smuggled past export controls."""
    smuggled_in: np.ndarray | None = None
    """(goods, destinations) tonnes smuggled past export controls that reached each importer."""
    cut_off: np.ndarray | None = None
    """(goods, regions) True where export controls left the region's buyers short."""
    """Share of what arrived in each cell that went to the state stockpile."""


def material_balance(world: World, month: Month) -> tuple[float, float]:
    """Tonnes that appeared (positive) or vanished (negative) this month without a cause.

    Returns:
        ``(reo, magnets)``: the error in t REO and in t of magnet; both are zero up to rounding
        when every phase keeps its books.
    """
    plants, ledger = world.magnet_plants, world.ledger
    direct = month.consumed.copy()
    direct[MAGNET] = 0.0
    in_magnets = month.into_magnets * (1.0 - plants.scrap_share)
    add = np.add.reduce  # ndarray.sum without its Python wrapper (the same reduction): add(x, None) is x.sum()
    scrap_lost = add(month.scrap, None) - add(month.scrap_recycled, None)
    balance = (
        add(month.mined, None)
        + add(month.recycled, None)
        - add(direct[REO_ROWS], None)
        - add(in_magnets, None)
        - add(month.lost, None)
        - scrap_lost
        - (ledger.held(REO_ROWS) - month.held_before)
    )
    magnets = (
        add(month.magnets, None) - add(month.consumed[MAGNET], None) - (ledger.held(MAGNET_ROWS) - month.magnets_before)
    )
    return balance, magnets
