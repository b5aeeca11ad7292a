"""Capacity acquisition on expected demand, for a whole industry (one stage of the chain).

After Sterman, *Business Dynamics* (2000), ch. 17 and 20 (REF §11): the industry wants the
capacity that would serve the demand it expects one lead time ahead at normal utilisation,
more when its expected full margin (revenue over operating plus capital cost) is high and less
when it is low; it orders each month the capacity that retires plus a share of the gap between
that desire and what it has installed and (weighted) under construction. The order is spread
over the industry's facilities by capacity, profitability and access to technology, so nobody
orders in lumps.
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.dynamics import CapacityParams


def profit_effect(full_margin: float, params: CapacityParams) -> float:
    """Multiplier of desired capacity for an industry whose expected revenue is ``full_margin``
    times its full cost: ``full_margin ** sensitivity`` within ``1 +- profit_effect_range``."""
    low, high = 1.0 - params.profit_effect_range, 1.0 + params.profit_effect_range
    return float(min(max(max(full_margin, 1e-9) ** params.profit_sensitivity, low), high))


def industry_order(
    capacity: float,
    supply_line: float,
    expected_demand: float,
    full_margin: float,
    params: CapacityParams,
    adjustment_months: float | None = None,
    lead_months: float = 0.0,
) -> float:
    """Capacity (t/yr) the industry orders this month.

    Args:
        capacity: Installed capacity, t/yr.
        supply_line: Capacity ordered and not yet arrived, t/yr.
        expected_demand: Demand expected one lead time ahead, t/yr of output.
        full_margin: The industry's capacity-weighted expected revenue over full cost.
        params: Capacity parameters.
        adjustment_months: Time to close the gap; ``params.adjustment_months`` when None.
        lead_months: Lead time; the industry wants enough under construction to replace what
            retires over it (Sterman's desired supply line).
    """
    adjustment = params.adjustment_months if adjustment_months is None else adjustment_months
    desired = expected_demand / params.normal_utilisation * profit_effect(full_margin, params)
    retiring = capacity / (12.0 * params.life_years)
    wanted_line = retiring * lead_months
    gap = desired - capacity + params.supply_line_weight * (wanted_line - supply_line)
    return max(retiring + gap / adjustment, 0.0)


def spread(order: float, capacity: np.ndarray, full_margin: np.ndarray, readiness: np.ndarray) -> np.ndarray:
    """(facilities,) share out an industry's order: by capacity, times how far each facility's
    full margin clears 0.8 of its full cost (none below; weight 1 at 1.2, up to 8 for the
    richest, such as ionic clays when Dy/Tb is dear) and its access to technology.

    Where no facility qualifies the order lapses (the industry waits for better prices).
    """
    attraction = np.minimum(np.maximum((full_margin - 0.8) / 0.4, 0.0), 8.0)  # np.clip, without its wrappers
    weight = capacity * attraction * readiness
    total = np.add.reduce(weight, None)  # ndarray.sum without its Python wrapper (the same reduction)
    if order <= 0.0 or total <= 0.0:
        return np.zeros_like(capacity)
    return order * weight / total
