"""The tidy long table of a run, built from the derived metric arrays in one pass.

One row per (metric, tick, good, region) cell that applies (cells of NaN are left out), in
catalogue order, then tick, then good, then region. Columns: tick (int64), date, metric, good,
region, unit (dictionary-encoded strings whose dictionaries hold the values present, sorted,
as pandas' ``astype("category")`` makes them) and value (float64). The table is an Arrow table:
Parquet and CSV are written from it directly, and pandas gets it through ``to_pandas()``.

Its arrays are made from numpy's buffers (:func:`numbers`, :func:`strings`) rather than by
``pa.array``, which imports pandas to ask whether what it is given is a pandas object: writing a
run's files needs no pandas.
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

    The values of every metric are laid end to end (metric, then tick, then cell) and the cells
    that apply are kept with one mask. A label column is built from a code per metric, per tick
    or per cell (a few hundred numbers), repeated by the rows each keeps or tiled over the ticks
    and masked like the values: nothing is done per row in Python, and no row's position is
    divided back into its metric, tick and cell.

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
    value = np.concatenate([array.ravel() for array in arrays]) if arrays else np.empty(0)
    kept = ~np.isnan(value)  # cells that do not apply are NaN
    ends = np.cumsum([array.size for array in arrays], dtype=np.int64)
    grids = [
        kept[end - ticks * len(good) : end].reshape(ticks, len(good))
        for end, (good, _) in zip(ends, labels, strict=True)
    ]
    rows = np.array([grid.sum(axis=1) for grid in grids], dtype=np.int64).reshape(len(arrays), ticks)
    units = sorted({metric.unit for metric in catalogue})
    unit_of_metric = np.array([units.index(metric.unit) for metric in catalogue], dtype=np.int64)
    columns = {"tick": numbers(np.repeat(np.tile(np.arange(ticks), len(arrays)), rows.ravel()))}
    columns["date"] = _per_tick(list(dates)[:ticks], rows)
    columns["metric"] = _per_metric([metric.name for metric in catalogue], np.arange(len(catalogue)), rows)
    columns["good"] = _per_cell(goods, [good for good, _ in labels], grids, kept)
    columns["region"] = _per_cell(regions, [region for _, region in labels], grids, kept)
    columns["value"] = numbers(value[kept])
    columns["unit"] = _per_metric(units, unit_of_metric, rows)
    return pa.table({name: columns[name] for name in COLUMNS})


def _per_metric(labels: Sequence[str], code_of_metric: np.ndarray, rows: np.ndarray) -> pa.DictionaryArray:
    """A column labelled by metric: ``labels[code_of_metric[m]]`` for the rows of metric ``m``;
    ``rows`` (metrics, ticks) counts the rows kept of each metric and tick."""
    count = rows.sum(axis=1)
    index, dictionary = dictionary_encoding(labels, np.unique(code_of_metric[count > 0]))
    return pa.DictionaryArray.from_arrays(numbers(np.repeat(index[code_of_metric], count)), dictionary)


def _per_tick(labels: Sequence[str], rows: np.ndarray) -> pa.DictionaryArray:
    """A column labelled by tick (``labels[tick]``), rows counted as in :func:`_per_metric`."""
    index, dictionary = dictionary_encoding(labels, np.flatnonzero(rows.sum(axis=0) > 0))
    return pa.DictionaryArray.from_arrays(numbers(np.repeat(np.tile(index, len(rows)), rows.ravel())), dictionary)


def _per_cell(
    labels: Sequence[str], code_of_cell: list[np.ndarray], grids: list[np.ndarray], kept: np.ndarray
) -> pa.DictionaryArray:
    """A column labelled by cell: ``labels[code_of_cell[m][c]]`` for cell ``c`` of metric ``m``;
    ``grids`` (ticks, cells) tell the cells kept, ``kept`` the same for all metrics end to end."""
    present = [codes[grid.any(axis=0)] for codes, grid in zip(code_of_cell, grids, strict=True)]
    index, dictionary = dictionary_encoding(labels, np.unique(np.concatenate([[], *present]).astype(np.int64)))
    tiled = [np.tile(index[codes], len(grid)) for codes, grid in zip(code_of_cell, grids, strict=True)]
    codes = np.concatenate(tiled)[kept] if tiled else index[:0]
    return pa.DictionaryArray.from_arrays(numbers(codes), dictionary)


def dictionary_encoding(labels: Sequence[str], present: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """How pandas encodes a categorical column of ``labels[codes]`` where the codes ``present``
    occur: the dictionary holds the labels present, sorted, and ``index[code]`` is a label's
    place in it, in the narrowest integer type pandas would use for that many categories."""
    labels = np.asarray(labels, dtype=str)
    order = present[np.argsort(labels[present], kind="stable")]
    index_type = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(order) < np.iinfo(t).max)
    index = np.zeros(len(labels), dtype=index_type)
    index[order] = np.arange(len(order))
    return index, strings(labels[order].tolist())


def numbers(values: np.ndarray) -> pa.Array:
    """An Arrow array of a one-dimensional numeric numpy array (NaN stays a value, not a null),
    made from its buffer."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


NUMPY_TYPES = {
    pa.from_numpy_dtype(kind): kind for kind in map(np.dtype, (np.int8, np.int16, np.int32, np.int64, np.float64))
}
"""The Arrow types :func:`as_numpy` reads straight from their buffer, and the numpy type of each."""


def as_numpy(array: pa.Array) -> np.ndarray:
    """A numeric Arrow array as numpy, read from its buffer (``to_numpy`` imports pandas); other
    arrays, or ones with nulls (as NaN), through Python lists."""
    kind = NUMPY_TYPES.get(array.type)
    if kind is None or array.null_count:
        return np.asarray([np.nan if value is None else value for value in array.to_pylist()])
    return np.frombuffer(array.buffers()[1], dtype=kind)[array.offset : array.offset + len(array)]


def strings(labels: Sequence[str]) -> pa.Array:
    """An Arrow string array of ``labels`` (UTF-8 text laid end to end, with their offsets)."""
    encoded = [label.encode() for label in labels]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(text) for text in encoded])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)
