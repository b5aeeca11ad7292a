"""The fundamental price: what the marginal supplier needs to cover its full cost.

Prices drift toward the full cost, operating plus capital charge, of the marginal supplier over
one to three years (Sterman 2000, ch. 20; REF §11). The chain that makes oxides is a mine and a
separation plant; each stage's marginal cost is the full cost of the dearest facility needed to
meet expected demand at normal utilisation (a supply curve, cheapest first). Oxides are joint
products, so their fundamental prices move together: each is its reference price times the
marginal chain's full cost over its value at the start (the cost index).
"""

from __future__ import annotations

import numpy as np


def marginal_cost(full_cost: np.ndarray, capacity: np.ndarray, needed: float) -> float:
    """Full cost (US$/kg) of the dearest facility needed to supply ``needed`` (t/yr) from
    ``capacity`` (t/yr, at the utilisation the caller allows), cheapest first; the dearest of all
    when capacity falls short."""
    running = capacity > 0
    if not np.logical_or.reduce(running, None):
        return 0.0
    cost, size = full_cost[running], capacity[running]
    order = cost.argsort(kind="stable")  # the array methods: np.argsort etc. without their Python wrappers
    reached = size[order].cumsum().searchsorted(needed)
    return float(cost[order[min(reached, len(order) - 1)]])


def break_even_share(payable: np.ndarray, capacity: np.ndarray, needed: float) -> float:
    """Concentrate markup ceiling: the break-even payable share of the marginal refining region,
    the one whose capacity (t/yr) completes the separation of ``needed`` t/yr of ore, the regions
    that can pay most first (1 where no region refines).

    When the cheapest refiners can take all the ore, concentrate may be bid up to their break-even
    and the rent goes to the mines; when separation binds, dearer refiners are needed and
    concentrate may sell only for what leaves them whole, so the rent goes to separation.
    """
    refining = capacity > 0
    if not np.logical_or.reduce(refining, None):
        return 1.0
    share, size = payable[refining], capacity[refining]
    order = (-share).argsort(kind="stable")  # the array methods: np.argsort etc. without their Python wrappers
    reached = size[order].cumsum().searchsorted(needed)
    return float(share[order[min(reached, len(order) - 1)]])
