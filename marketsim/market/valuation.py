"""What goods are worth: element values, concentrate mixes and grades, netbacks, producers and
their unsold stock, read from the :class:`~marketsim.world.state.World`. Prices themselves are
formed in :mod:`marketsim.market.pricing`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.vocabulary import CONCENTRATE, DYTB, ELEMENTS, GOODS, LACE, MAGNET, NDPR, OXIDE_ROWS

if TYPE_CHECKING:
    from marketsim.world.state import World


def element_values(prices: np.ndarray) -> np.ndarray:
    """(4,) value of each element group at the given (goods,) prices (the 'other' group is unpaid)."""
    values = np.zeros(4)
    values[0], values[1], values[2] = prices[LACE], prices[NDPR], prices[DYTB]
    return values


def netback_values(world: World, posted: np.ndarray) -> np.ndarray:
    """(regions, 4) value of each element group in concentrate: the separation regions' posted
    oxide prices, weighted by their capacity (the same everywhere: ore is worth what refiners
    get for its oxides, not what the mine's own region would pay to import them)."""
    size = world.size
    capacity = world.refiners.by_region(world.refiners.capacity, size)
    total = np.add.reduce(capacity, None)  # ndarray.sum without its Python wrapper (the same reduction)
    weights = capacity / total if total > 0 else np.full(size, 1.0 / size)
    prices = posted @ weights
    return element_values(prices)[None, :].repeat(size, axis=0)


def unsold_brake(world: World, good: int) -> np.ndarray:
    """(regions,) share of planned output producers keep making given their unsold stock:
    all of it up to their target cover, falling to none at three times the target. The cover is
    judged against the larger of this month's orders and their 12-month trend, so a month or two
    of buyers drawing down their own stocks does not shut a mining region (it stockpiles instead)."""
    sales = np.maximum(world.orders[good], world.sales_trend[good])
    target = world.market.seller_cover_months * np.maximum(sales, 1e-9)
    cover = world.ledger.seller.amount[good] / target
    return np.minimum(np.maximum((3.0 - cover) / 2.0, 0.0), 1.0)  # np.clip, without its wrappers


def producers(world: World) -> np.ndarray:
    """(goods, regions) True where a region has capacity to make each good."""
    mines, refiners, magnet_plants, recyclers = world.by_region([fleet.capacity for fleet in world.facilities])
    has = np.zeros((len(GOODS), world.size), dtype=bool)
    has[CONCENTRATE] = mines > 0
    has[OXIDE_ROWS] = (refiners + recyclers) > 0
    has[MAGNET] = magnet_plants > 0
    return has


def offered_mix(world: World) -> np.ndarray:
    """(1, 3) recoverable element mix (La/Ce, NdPr, Dy/Tb) of all concentrate on offer:
    what refiners would be buying."""
    offered = np.add.reduce(world.ledger.seller.tracer[CONCENTRATE][:, ELEMENTS], axis=0)
    total = np.add.reduce(offered, None)
    mix = offered / total if total > 0 else world.world_mix
    return mix[None, :3]


def feed_mix(world: World, offered: np.ndarray | None = None) -> np.ndarray:
    """(regions, 3) recoverable element mix of the concentrate at each region's refiners;
    where they hold none, the mix on offer (``offered``: :func:`offered_mix`, computed here when None)."""
    mix = world.ledger.buyer.content_of(CONCENTRATE)[:, ELEMENTS][:, :3]
    empty = world.ledger.buyer.amount[CONCENTRATE] <= 0
    return np.where(empty[:, None], offered_mix(world) if offered is None else offered, mix)


def concentrate_mix(world: World) -> np.ndarray:
    """(regions, 4) element mix of the concentrate each region sells (its mines' mix when
    it holds none, the world's when it has no mines)."""
    mix = world.ledger.seller.content_of(CONCENTRATE)[:, ELEMENTS]
    empty = np.add.reduce(mix, axis=1) <= 0
    if np.logical_or.reduce(empty, None):
        mix[empty] = world.mine_mix[empty]
    return mix


def concentrate_quality(world: World) -> np.ndarray:
    """Value of each region's concentrate relative to the world mine mix, at today's world
    oxide prices (what buyers compare when they choose between origins)."""
    quality = np.ones((len(GOODS), world.size))
    seller = world.prices.seller
    values = element_values(np.add.reduce(seller, axis=1) / seller.shape[1])  # the mean without its wrapper
    norm = float(values @ world.world_mix)
    mix = world.ledger.seller.content_of(CONCENTRATE)[:, ELEMENTS]
    value = mix @ values
    quality[CONCENTRATE] = np.where(value > 0, value / norm, 1.0)
    return quality


def concentrate_value(world: World, posted: np.ndarray) -> np.ndarray:
    """(regions,) value of the oxides in a kg of each region's concentrate at the netback values
    of the given posted prices (what a concentrate markup applies to)."""
    return np.add.reduce(concentrate_mix(world) * netback_values(world, posted), axis=1)


def magnet_cost(world: World, regional: np.ndarray) -> np.ndarray:
    """(regions,) capacity-weighted full cost of a kg of each region's magnets with oxides bought
    at the given regional prices (0 where a region has no plants)."""
    stage_cost = world.frictions.stage_cost_share("magnets")
    return world.magnet_plants.cost_floor(regional[NDPR], regional[DYTB], stage_cost, world.size)


def refiners_payable(world: World, oxide_value: np.ndarray, dytb_value: np.ndarray) -> np.ndarray:
    """(regions,) most each region's refiners can pay for concentrate, as a share of its oxides'
    value (1 where it has no separation capacity)."""
    stage_cost = world.frictions.stage_cost_share("separation")
    return world.refiners.break_even_payable(oxide_value, dytb_value, stage_cost, world.size)
