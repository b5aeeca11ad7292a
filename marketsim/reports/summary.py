"""A short summary of a run: headline metrics in its first and last simulated year."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa

from marketsim.reports.metrics import ALL, WORLD
from marketsim.reports.tidy import as_numpy

if TYPE_CHECKING:
    import pandas as pd

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
SCALE = {"%": 100.0, "t/yr": 12.0, "kt REO/yr": 0.012, "kt/yr": 0.012}
"""What a headline's monthly value (a share, t/month) is multiplied by for its unit."""


class Row(NamedTuple):
    """One headline: its label, unit and mean over the first and the last 12 recorded ticks."""

    headline: str
    unit: str
    first_year: float
    last_year: float


def summary_rows(table: pa.Table | pd.DataFrame) -> list[Row]:
    """Average each headline metric over the first and the last 12 recorded ticks.

    Args:
        table: A run's tidy table, as Arrow (no pandas needed) or pandas (see
            :meth:`RareEarthModel.results`; text columns categorical or plain).

    Returns:
        One row per headline of :data:`HEADLINES`, in order.
    """
    tick, value = (np.asarray(_numbers(table, name), dtype=float) for name in ("tick", "value"))
    last_tick = tick.max() if len(tick) else np.nan
    first_year, last_year = tick < 12, tick > last_tick - 12
    world = _equals(table, "region", WORLD)
    rows = []
    for label, name, good_name, unit in HEADLINES:
        chosen = world & _equals(table, "metric", name) & _equals(table, "good", good_name)
        first, last = _mean(value[chosen & first_year]), _mean(value[chosen & last_year])
        scale = SCALE.get(unit, 1.0)
        rows.append(Row(label, unit, first * scale, last * scale))
    return rows


def summarise(table: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """:func:`summary_rows` as a pandas frame: columns ``headline``, ``unit``, ``first_year``,
    ``last_year``, one row per headline."""
    import pandas as pd  # noqa: PLC0415 (the command line prints the rows without pandas)

    return pd.DataFrame([row._asdict() for row in summary_rows(table)])


def _numbers(table: pa.Table | pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as a numpy array."""
    if not isinstance(table, pa.Table):
        return table[name].to_numpy()
    parts = [as_numpy(chunk) for chunk in table.column(name).chunks]
    return np.concatenate(parts) if parts else np.zeros(0)


def _equals(table: pa.Table | pd.DataFrame, name: str, label: str) -> np.ndarray:
    """Which cells of a text column hold ``label``; a dictionary column is compared by its
    dictionary (a few hundred labels), then read through its codes."""
    if not isinstance(table, pa.Table):
        return (table[name] == label).to_numpy()
    parts = []
    for chunk in table.column(name).chunks:
        if pa.types.is_dictionary(chunk.type) and not chunk.null_count:
            labels = np.asarray(chunk.dictionary.to_pylist(), dtype=object)
            parts.append((labels == label)[as_numpy(chunk.indices)])
        else:
            parts.append(np.asarray(chunk.to_pylist(), dtype=object) == label)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _mean(values: np.ndarray) -> float:
    """Mean of the values, NaN when there are none (as pandas' mean of an empty series)."""
    return float(values.mean()) if len(values) else float("nan")
