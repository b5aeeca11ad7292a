"""What buyers cut off by export controls pay at most for an oxide: the import parity of the finished
good they make from it (model.md 7.31), read by the requalification of cut-off buyers and by the
bound on a quota's licence price (7.34, 7.38)."""

from __future__ import annotations

import numpy as np

from marketsim.market import valuation
from marketsim.vocabulary import MAGNET, NDPR
from marketsim.world.flows import foreign_routes
from marketsim.world.state import World

PARITY_GOODS = (NDPR,)
"""Oxides whose cut-off buyers fall back to imported magnets (7.31): NdPr, the bulk of a magnet's
oxide cost; Dy/Tb is thrifted within the magnet (Dy-free grades, :data:`DY_FREE_SHARE`)."""


def import_parity_willingness(world: World, magnet_delivered: np.ndarray, margin: float) -> np.ndarray:
    """(goods, regions) most each region's magnet makers pay for NdPr oxide (7.31): the
    oxide price at which their magnets' full cost, at their markup and ``margin`` times the cheapest
    imported magnet, breaks even (inf for other goods and where a region has no magnet plants).

    Args:
        world: The world.
        magnet_delivered: (origins, destinations) delivered cost of a kg of magnet, US$/kg.
        margin: Multiple of import parity buyers pay for their own supply.
    """
    regional, size = world.prices.regional, world.size
    parity = np.where(foreign_routes(size), magnet_delivered, np.inf).min(axis=0)
    affordable = margin * parity / np.maximum(world.prices.markup[MAGNET], 1e-9)
    willingness = np.full_like(regional, np.inf)
    for good in PARITY_GOODS:
        without, unit = regional.copy(), regional.copy()
        without[good], unit[good] = 0.0, 1.0
        fixed = valuation.magnet_cost(world, without)
        per_kg = valuation.magnet_cost(world, unit) - fixed
        makers = (per_kg > 0) & np.isfinite(parity)
        break_even = np.divide(affordable - fixed, per_kg, out=np.full(size, np.inf), where=makers)
        willingness[good] = np.where(makers, np.maximum(break_even, 0.0), np.inf)
    return willingness
