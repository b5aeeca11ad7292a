"""Holders dump excess stock when expectations turn (model.md 7.40; REF §10: "inventories are
dumped"; competitive storage, Deaton & Laroque 1996).

A region's scarcity premium (7.10) is what its buyers bid over the delivered cost for what is left
in the region. Two things bound it here. (1) No buyer bids above the choke price, so the premium a
region keeps is at most the choke price over the delivered cost, less one: a premium stored above it
would hold the price at the choke for months after the delivered cost has turned. (2) Where buyers
are not cut off, hold more than ``excess_cover`` times their normal stock and stockholders expect a
fall beyond the carrying cost over their horizon, holders sell their excess rather than bid: the
premium loses the share ``rate * (1 - excess_cover / cover)`` a month on top of its decay.
"""

from __future__ import annotations

import numpy as np


def choke_bound(index: np.ndarray, choke: np.ndarray) -> np.ndarray:
    """(goods, regions) largest premium buyers bid: the choke price over the delivered cost, less one
    (infinite where no choke price is set; never below 0).

    Args:
        index: (goods, regions) expected delivered cost, US$/kg.
        choke: (goods, regions) choke prices, US$/kg (inf where none).
    """
    with np.errstate(invalid="ignore"):
        return np.maximum(choke / np.maximum(index, 1e-9) - 1.0, 0.0)


def dumped_premium(
    premium: np.ndarray,
    cover: np.ndarray,
    cut_off: np.ndarray,
    expected: np.ndarray,
    carry: float,
    rate: float,
    excess_cover: float,
) -> np.ndarray:
    """(goods, regions) premium after holders with excess stock sell it when they expect a fall.

    Args:
        premium: (goods, regions) scarcity premium after this month's bid (7.10).
        cover: (goods, regions) buyers' stock over their normal stock (pooled where importers trade
            freely, 7.39).
        cut_off: (goods, regions) True where buyers bid a premium of their own this month: they do
            not dump.
        expected: (goods, regions) stockholders' expected log change over their horizon (7.27).
        carry: Carrying cost over the horizon (log).
        rate: Largest share of the premium lost a month.
        excess_cover: Cover above which holders dump.
    """
    excess = 1.0 - excess_cover / np.maximum(cover, 1e-9)
    dumping = ~cut_off & (excess > 0.0) & (expected < -carry)
    return np.where(dumping, premium * (1.0 - np.minimum(rate * excess, 1.0)), premium)
