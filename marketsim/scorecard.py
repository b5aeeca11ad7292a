"""A scorecard per government: cost of supply, security of supply, value added at home and the
environmental burden of mining and processing at home, and public money spent, over a window of months."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

COLUMNS: dict[str, str] = {
    "cost_of_supply": "What end users paid for rare earths and magnets, US$ million a year.",
    "need_met": "Share of end users' need (t REO) that was met, %.",
    "china_dependency": "Share of end use whose separation happened in China, %.",
    "value_added": "Value of output at home minus the rare earths bought to make it, US$ million a year.",
    "burden": "Environmental burden at home (tailings, acidic wastewater, radioactive residue), index a year "
              "(see docs/model.md).",
    "public_spending": "Public money spent on subsidies, stockpiles, projects, research and collection, "
                       "US$ million a year.",
}
"""Scorecard columns and what they mean."""
HIGHER_IS_BETTER = {"cost_of_supply": False, "need_met": True, "china_dependency": False,
                    "value_added": True, "burden": False, "public_spending": False}


def scorecard(raw: dict[str, np.ndarray], metrics: dict[str, np.ndarray], regions: list[str],
              reo_per_unit: np.ndarray, months: int = 12) -> pd.DataFrame:
    """Score every region over the last ``months`` recorded months.

    Args:
        raw: The recorder's raw arrays for the ticks run (time first).
        metrics: The derived metrics for the same ticks (:func:`marketsim.metrics.derive`).
        regions: Region ids in array order.
        reo_per_unit: (goods,) t REO in a tonne of each good.
        months: Window length; all ticks run when fewer.

    Returns:
        One row per region (index ``region``) with the columns of :data:`COLUMNS`; empty before
        the first tick.
    """
    ticks = len(raw.get("price", ()))
    if ticks == 0:
        return pd.DataFrame(columns=list(COLUMNS), index=pd.Index([], name="region"))
    window = slice(max(0, ticks - months), ticks)
    per_year = 12.0 / (window.stop - window.start)
    price, seller = raw["price"][window], raw["seller_price"][window]
    consumed, unmet = raw["consumption"][window], raw["unmet"][window]
    produced, bought_as_input = raw["production"][window], raw["use"][window] - consumed
    reo = np.asarray(reo_per_unit)[None, :, None]
    need = ((consumed + unmet) * reo).sum(axis=(0, 1))
    met = (consumed * reo).sum(axis=(0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # regions that use nothing have no dependency
        dependency = np.nanmean(metrics["dependency_separation"][window, -1, : len(regions)], axis=0)
    value_added = (produced * seller).sum(axis=(0, 1)) - (bought_as_input * price).sum(axis=(0, 1))
    table = pd.DataFrame({
        "cost_of_supply": (consumed * price).sum(axis=(0, 1)) / 1000.0 * per_year,
        "need_met": 100.0 * np.divide(met, need, out=np.ones_like(met), where=need > 0),
        "china_dependency": 100.0 * np.nan_to_num(dependency),
        "value_added": value_added / 1000.0 * per_year,
        "burden": raw["burden"][window].sum(axis=0) * per_year,
        "public_spending": raw["public_spending"][window].sum(axis=0) * per_year,
    }, index=pd.Index(regions, name="region"))
    return table
