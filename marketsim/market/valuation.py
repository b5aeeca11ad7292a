"""What goods are worth: price bases and ceilings, concentrate mixes and grades, producers and
their unsold stock. Helpers of :class:`~marketsim.model.RareEarthModel`'s monthly tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.market.pricing import PriceBook
from marketsim.vocabulary import CONCENTRATE, DYTB, ELEMENTS, GOODS, LACE, MAGNET, NDPR, OXIDE_ROWS
from marketsim.world import build as world

if TYPE_CHECKING:
    from marketsim.model import RareEarthModel

CONCENTRATE_MIN_PAYABLE = 0.05
"""Concentrate never sells for less than this share of the value of its oxides."""
MAGNET_MIN_MARKUP = 0.7
"""Magnet makers never sell below this share of their full cost."""


def initial_prices(model: RareEarthModel) -> PriceBook:
    """Oxides at their reference prices, concentrate at its payable share, magnets at cost-plus."""
    market, size = model.config.market, len(model.regions)
    markup = np.ones((len(GOODS), size))
    floor = np.ones((len(GOODS), size))
    for good in (NDPR, DYTB, LACE):
        markup[good] = model.reference[good]
        floor[good] = market.min_price_share * model.reference[good]
    markup[CONCENTRATE] = model.config.goods.concentrate.payable_share
    floor[CONCENTRATE] = CONCENTRATE_MIN_PAYABLE
    markup[MAGNET] = 1.0 + model.config.goods.magnet.markup
    floor[MAGNET] = MAGNET_MIN_MARKUP
    reference = np.repeat(model.reference[:, None], size, axis=1)
    base = price_base(model, reference, reference)
    normal = np.full(len(GOODS), np.nan)
    normal[MAGNET] = 1.0 + model.config.goods.magnet.markup
    book = PriceBook(markup, floor, base, normal, market)
    book.choke[OXIDE_ROWS] = market.max_price_multiple * model.reference[OXIDE_ROWS, None]
    return book


def price_base(model: RareEarthModel, posted: np.ndarray, regional: np.ndarray) -> np.ndarray:
    """What each posted price is a markup on: 1 for oxides; for concentrate, the value of
    the oxides in a kg of the region's concentrate at the region's posted oxide prices; for
    magnets, the full cost of a kg of the region's magnets with oxides bought at its
    regional prices."""
    size = len(model.regions)
    base = np.ones((len(GOODS), size))
    values = netback_values(model, posted)
    base[CONCENTRATE] = (concentrate_mix(model) * values).sum(axis=1)
    plants = model.magnet_plants
    cost = plants.cost_floor(regional[NDPR], regional[DYTB], model.frictions.stage_cost_share("magnets"), size)
    has_plants = cost > 0
    fallback = cost[has_plants].mean() if has_plants.any() else float(model.reference[MAGNET])
    base[MAGNET] = np.where(has_plants, cost, fallback)
    return base


def netback_values(model: RareEarthModel, posted: np.ndarray) -> np.ndarray:
    """(regions, 4) value of each element group in concentrate: the separation regions' posted
    oxide prices, weighted by their capacity (the same everywhere: ore is worth what refiners
    get for its oxides, not what the mine's own region would pay to import them)."""
    size = len(model.regions)
    capacity = model.refiners.by_region(model.refiners.capacity, size)
    weights = capacity / capacity.sum() if capacity.sum() > 0 else np.full(size, 1.0 / size)
    prices = posted @ weights
    return np.repeat(world.element_values(prices)[None, :], size, axis=0)


def price_ceiling(model: RareEarthModel, oxide_value: np.ndarray, dytb_value: np.ndarray) -> np.ndarray:
    """Highest markups buyers pay: for concentrate, the best refiners' break-even payable; for
    oxides, the choke price (``market.max_price_multiple`` times the reference), above which
    substitutes take all demand."""
    size = len(model.regions)
    ceiling = np.full((len(GOODS), size), np.inf)
    ceiling[OXIDE_ROWS] = model.config.market.max_price_multiple * model.reference[OXIDE_ROWS, None]
    payable = model.refiners.break_even_payable(
        oxide_value, dytb_value, model.frictions.stage_cost_share("separation"), size
    )
    refining = model.refiners.by_region(model.refiners.capacity, size) > 0
    ceiling[CONCENTRATE] = payable[refining].max() if refining.any() else 1.0
    return ceiling


def unsold_brake(model: RareEarthModel, good: int) -> np.ndarray:
    """(regions,) share of planned output producers keep making given their unsold stock:
    all of it up to their target cover, falling to none at three times the target."""
    target = model.config.market.seller_cover_months * np.maximum(model.orders[good], 1e-9)
    cover = model.ledger.seller.amount[good] / target
    return np.clip((3.0 - cover) / 2.0, 0.0, 1.0)


def producers(model: RareEarthModel) -> np.ndarray:
    """(goods, regions) True where a region has capacity to make each good."""
    size = len(model.regions)
    has = np.zeros((len(GOODS), size), dtype=bool)
    has[CONCENTRATE] = model.mines.by_region(model.mines.capacity, size) > 0
    separating = (
        model.refiners.by_region(model.refiners.capacity, size)
        + model.recyclers.by_region(model.recyclers.capacity, size)
    ) > 0
    has[OXIDE_ROWS] = separating
    has[MAGNET] = model.magnet_plants.by_region(model.magnet_plants.capacity, size) > 0
    return has


def offered_mix(model: RareEarthModel) -> np.ndarray:
    """(1, 3) recoverable element mix (La/Ce, NdPr, Dy/Tb) of all concentrate on offer:
    what refiners would be buying."""
    offered = model.ledger.seller.tracer[CONCENTRATE][:, ELEMENTS].sum(axis=0)
    mix = offered / offered.sum() if offered.sum() > 0 else model._world_mix
    return mix[None, :3]


def feed_mix(model: RareEarthModel) -> np.ndarray:
    """(regions, 3) recoverable element mix of the concentrate at each region's refiners;
    where they hold none, the mix on offer."""
    mix = model.ledger.buyer.content_of(CONCENTRATE)[:, ELEMENTS][:, :3]
    empty = model.ledger.buyer.amount[CONCENTRATE] <= 0
    return np.where(empty[:, None], offered_mix(model), mix)


def concentrate_mix(model: RareEarthModel) -> np.ndarray:
    """(regions, 4) element mix of the concentrate each region sells (its mines' mix when
    it holds none, the world's when it has no mines)."""
    mix = model.ledger.seller.content_of(CONCENTRATE)[:, ELEMENTS]
    empty = mix.sum(axis=1) <= 0
    if empty.any():
        mix[empty] = model._mine_mix[empty]
    return mix


def concentrate_quality(model: RareEarthModel) -> np.ndarray:
    """Value of each region's concentrate relative to the world mine mix, at today's world
    oxide prices (what buyers compare when they choose between origins)."""
    quality = np.ones((len(GOODS), len(model.regions)))
    values = world.element_values(model.prices.seller.mean(axis=1))
    norm = float(values @ model._world_mix)
    mix = model.ledger.seller.content_of(CONCENTRATE)[:, ELEMENTS]
    value = mix @ values
    quality[CONCENTRATE] = np.where(value > 0, value / norm, 1.0)
    return quality
