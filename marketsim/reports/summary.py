"""A short summary of a run: headline metrics in its first and last simulated year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketsim.reports.metrics import ALL, WORLD

HEADLINES: list[tuple[str, str, str, str]] = [
    ("NdPr oxide price", "price", "ndpr", "US$/kg"),
    ("Dy/Tb oxide price", "price", "dytb", "US$/kg"),
    ("NdFeB magnet price", "price", "magnet", "US$/kg"),
    ("China share of mining", "china_share_mining", ALL, "%"),
    ("China share of separation", "china_share_separation", ALL, "%"),
    ("China share of magnet making", "china_share_magnets", ALL, "%"),
    ("Magnet demand unmet", "unmet_demand", "magnet", "t/yr"),
    ("Mine output", "production", "concentrate", "kt REO/yr"),
    ("Magnet output", "production", "magnet", "kt/yr"),
]


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Average each headline metric over the first and the last 12 recorded ticks.

    Args:
        table: A run's tidy table (see :meth:`RareEarthModel.results`).

    Returns:
        One row per headline with columns ``headline``, ``unit``, ``first_year``, ``last_year``.
    """
    last_tick = int(table["tick"].max())
    world = table[table["region"] == WORLD]
    ticks, values = world["tick"].to_numpy(), world["value"].to_numpy()
    rows = []
    for label, metric, good, unit in HEADLINES:
        chosen = ((world["metric"] == metric) & (world["good"] == good)).to_numpy()
        first = _mean(values[chosen & (ticks < 12)])
        last = _mean(values[chosen & (ticks > last_tick - 12)])
        scale = {"%": 100.0, "t/yr": 12.0, "kt REO/yr": 0.012, "kt/yr": 0.012}.get(unit, 1.0)
        rows.append({"headline": label, "unit": unit, "first_year": first * scale, "last_year": last * scale})
    return pd.DataFrame(rows)


def _mean(values: np.ndarray) -> float:
    """Mean of the values, NaN when there are none (as pandas' mean of an empty series)."""
    return float(values.mean()) if len(values) else float("nan")
