"""A scorecard per government: cost of supply, security of supply, value added at home and the
environmental burden of mining and processing at home, and public money spent, over a window of months."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

COLUMNS: dict[str, str] = {
    "cost_of_supply": "What end users paid for rare earths and magnets, US$ million a year.",
    "need_met": "Share of end users' need (t REO) that was met, %; blank where the region has no end users.",
    "china_dependency": "Share of end use whose separation happened in China, %; blank where the region has no "
    "end users.",
    "value_added": "Value of output at home minus the rare earths bought to make it, both at world prices, "
    "US$ million a year.",
    "burden": "Environmental burden at home (tailings, acidic wastewater, radioactive residue), index a year "
    "(see docs/model.md).",
    "public_spending": "Public money spent on subsidies, stockpiles, projects, research and collection, "
    "US$ million a year.",
}
"""Scorecard columns and what they mean."""
HIGHER_IS_BETTER = {
    "cost_of_supply": False,
    "need_met": True,
    "china_dependency": False,
    "value_added": True,
    "burden": False,
    "public_spending": False,
}


def scorecard(
    raw: dict[str, np.ndarray],
    metrics: dict[str, np.ndarray],
    regions: list[str],
    reo_per_unit: np.ndarray,
    months: int = 12,
) -> pd.DataFrame:
    """Score every region over the last ``months`` recorded months.

    Args:
        raw: The recorder's raw arrays for the ticks run (time first).
        metrics: The derived metrics for the same ticks (:func:`marketsim.reports.metrics.derive`).
        regions: Region ids in array order.
        reo_per_unit: (goods,) t REO in a tonne of each good.
        months: Window length; all ticks run when fewer.

    Returns:
        One row per region (index ``region``) with the columns of :data:`COLUMNS` (NaN where a
        column does not apply); empty before the first tick.
    """
    ticks = len(raw.get("price", ()))
    if ticks == 0:
        return pd.DataFrame(columns=list(COLUMNS), index=pd.Index([], name="region"))
    window = slice(max(0, ticks - months), ticks)
    per_year = 12.0 / (window.stop - window.start)
    price = raw["price"][window]
    world_price = metrics["price"][window, : price.shape[1], -1][:, :, None]
    consumed, unmet = raw["consumption"][window], raw["unmet"][window]
    produced, bought_as_input = raw["production"][window], raw["use"][window] - consumed
    reo = np.asarray(reo_per_unit)[None, :, None]
    need = ((consumed + unmet) * reo).sum(axis=(0, 1))
    met = (consumed * reo).sum(axis=(0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # regions that use nothing have no dependency
        dependency = np.nanmean(metrics["dependency_separation"][window, -1, : len(regions)], axis=0)
    # At world prices: a region's own posted price can sit far above what anyone pays (a seller
    # cut off by export controls), and would make output look worth a fortune.
    value_added = ((produced - bought_as_input) * world_price).sum(axis=(0, 1))
    table = pd.DataFrame(
        {
            "cost_of_supply": (consumed * price).sum(axis=(0, 1)) / 1000.0 * per_year,
            "need_met": 100.0 * np.divide(met, need, out=np.full_like(met, np.nan), where=need > 0),
            "china_dependency": 100.0 * np.where(need > 0, np.nan_to_num(dependency), np.nan),
            "value_added": value_added / 1000.0 * per_year,
            "burden": raw["burden"][window].sum(axis=0) * per_year,
            "public_spending": raw["public_spending"][window].sum(axis=0) * per_year,
        },
        index=pd.Index(regions, name="region"),
    )
    return table
