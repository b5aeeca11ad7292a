"""The tidy long table of a run, built from the derived metric arrays in one pass.

One row per (metric, tick, good, region) cell that applies (cells of NaN are left out), in
catalogue order, then tick, then good, then region. Columns: tick (int64), date, metric, good,
region, unit (dictionary-encoded strings whose dictionaries hold the values present, sorted,
as pandas' ``astype("category")`` makes them) and value (float64). The table is an Arrow table:
Parquet and CSV are written from it directly, and pandas gets it through ``to_pandas()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pyarrow as pa

COLUMNS = ("tick", "date", "metric", "good", "region", "value", "unit")
"""Columns of the tidy table, in order."""


class Catalogued(Protocol):
    """What the table needs to know of a metric (see ``marketsim.reports.metrics.Metric``)."""

    name: str
    unit: str
    layout: str


def cell_labels(layout: str, goods: int, regions: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the good and the region of each cell of one tick of a metric, in array order.

    Args:
        layout: ``good_region`` (cells goods x regions), ``region`` or ``world`` (one cell).
        goods: Number of good labels (the last is ``all``).
        regions: Number of region labels (the last is ``world``).
    """
    if layout == "good_region":
        return np.repeat(np.arange(goods), regions), np.tile(np.arange(regions), goods)
    if layout == "region":
        return np.full(regions, goods - 1), np.arange(regions)
    return np.array([goods - 1]), np.array([regions - 1])


def tidy_table(
    derived: Mapping[str, np.ndarray],
    catalogue: Sequence[Catalogued],
    goods: Sequence[str],
    regions: Sequence[str],
    dates: Sequence[str],
) -> pa.Table:
    """The tidy long table of the derived metrics.

    The values of every metric are laid end to end (metric, then tick, then cell); the labels
    of the cells kept are computed from their positions, so nothing is built per row in Python.

    Args:
        derived: Each metric's values, time first (see :func:`marketsim.reports.metrics.derive`).
        catalogue: The metrics, in the order of the table's rows.
        goods: Good labels (``all`` last).
        regions: Region labels (``world`` last).
        dates: Calendar label of each tick (at least as many as the ticks).
    """
    arrays = [np.asarray(derived[metric.name], dtype=float) for metric in catalogue]
    ticks = len(arrays[0]) if arrays else 0
    labels = [cell_labels(metric.layout, len(goods), len(regions)) for metric in catalogue]
    cells = np.array([len(good) for good, _ in labels], dtype=np.int64)
    value = np.concatenate([array.ravel() for array in arrays]) if arrays else np.empty(0)
    kept = np.flatnonzero(~np.isnan(value))  # cells that do not apply are NaN
    block_start = np.concatenate([[0], np.cumsum(cells * ticks)])
    metric_code = np.searchsorted(block_start, kept, side="right") - 1
    local = kept - block_start[metric_code]
    tick = local // cells[metric_code]
    cell = np.concatenate([[0], np.cumsum(cells)])[metric_code] + local - tick * cells[metric_code]
    good_of_cell = np.concatenate([good for good, _ in labels]) if labels else np.empty(0, np.int64)
    region_of_cell = np.concatenate([region for _, region in labels]) if labels else np.empty(0, np.int64)
    units = sorted({metric.unit for metric in catalogue})
    unit_of_metric = np.array([units.index(metric.unit) for metric in catalogue], dtype=np.int64)
    return pa.table(
        {
            "tick": pa.array(tick),
            "date": categorical(tick, list(dates)[:ticks]),
            "metric": categorical(metric_code, [metric.name for metric in catalogue]),
            "good": categorical(good_of_cell[cell], list(goods)),
            "region": categorical(region_of_cell[cell], list(regions)),
            "value": pa.array(value[kept]),
            "unit": categorical(unit_of_metric[metric_code], units),
        }
    )


def categorical(codes: np.ndarray, labels: Sequence[str]) -> pa.DictionaryArray:
    """Labels ``labels[codes]`` dictionary-encoded as pandas encodes a categorical column: the
    dictionary holds the labels present, sorted, and its indices are the narrowest integer
    pandas would use for that many categories."""
    labels = np.asarray(labels, dtype=str)
    present = np.flatnonzero(np.bincount(codes, minlength=len(labels)) > 0) if len(codes) else np.empty(0, int)
    order = present[np.argsort(labels[present], kind="stable")]
    position = np.zeros(len(labels), dtype=np.int64)
    position[order] = np.arange(len(order))
    index_type = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(order) < np.iinfo(t).max)
    indices = pa.array(position[codes].astype(index_type))
    return pa.DictionaryArray.from_arrays(indices, pa.array(labels[order].tolist(), type=pa.string()))
