"""Holders dump excess stock in the month's repricing (model.md 7.40, :mod:`marketsim.market.dumping`):
no buyer bids above the choke price, and holders with far more than their normal stock sell it rather
than bid once they expect prices to fall."""

from __future__ import annotations

import numpy as np

from marketsim.market import dumping
from marketsim.world.state import World


def dump_premium(world: World, bidding: np.ndarray, cover: np.ndarray) -> None:
    """Lower every region's scarcity premium to the choke bound, then by what holders dump.

    Args:
        world: The world, its prices just updated for the month.
        bidding: (goods, regions) True where buyers bid a premium of their own this month.
        cover: (goods, regions) the cover they bid on (pooled where importers trade freely, 7.39).
    """
    prices, params = world.prices, world.scenario.dynamics.dumping
    stockholders = world.expectations
    premium = np.minimum(prices.scarcity, dumping.choke_bound(prices.index, prices.choke))
    if params.rate > 0:  # history_2009 keeps the bound alone (rate 0): nothing to dump
        carry = stockholders.params.carrying_cost * stockholders.params.horizon_months
        premium = dumping.dumped_premium(
            premium, cover, bidding, stockholders.expected, carry, params.rate, params.excess_cover
        )
    prices.cap_premium(premium)
