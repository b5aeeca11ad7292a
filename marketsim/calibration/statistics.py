"""Summary statistics of a run, computed from its tidy table (see docs/metrics.md).

Every statistic reads one monthly series (goods summed, regions combined by mean, weighted mean
or sum; or a signed sum of such series) over a window of months ``YYYY-MM`` (both ends included):

* ``mean``: the series' mean over the window;
* ``peak_ratio``: its maximum over the window over its mean over ``base_window``;
* ``peak_delay``: months from ``reference`` to the month of the maximum over the window;
* ``share_of_peak``: its mean over the window over its maximum over ``peak_window``;
* ``ratio`` and ``gap``: its mean over the window divided by, or less, that of ``versus``;
* ``total_share``: its sum over the window over ``denominator`` (monthly flows against a yearly total).

A statistic that has no data (a metric, good or region the run did not record) is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from marketsim.calibration.targets import SeriesSpec, Target


def month_number(month: str) -> int:
    """``YYYY-MM`` as a count of months, so that differences are months apart."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_label(number: int) -> str:
    """A count of months back to ``YYYY-MM``."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


@dataclass(frozen=True)
class MonthlySeries:
    """Values by month (month numbers ascending, see :func:`month_number`); NaN where not recorded."""

    months: np.ndarray
    values: np.ndarray

    def within(self, window: tuple[str, str]) -> MonthlySeries:
        """The finite values inside a window of ``YYYY-MM`` months (both ends included)."""
        first, last = month_number(window[0]), month_number(window[1])
        keep = (self.months >= first) & (self.months <= last) & np.isfinite(self.values)
        return MonthlySeries(self.months[keep], self.values[keep])


EMPTY = MonthlySeries(np.zeros(0, dtype=int), np.zeros(0))


class TidyTable:
    """A run's tidy table, indexed once so that many series can be read from it quickly."""

    def __init__(self, table: pd.DataFrame, metrics: set[str] | None = None) -> None:
        """Index the table by metric.

        Args:
            table: Columns date, metric, good, region, value (as ``RareEarthModel.results()``).
            metrics: Keep only these metrics (faster when a few are needed); all when None.
        """
        names = table["metric"].to_numpy(dtype=object)
        keep = np.ones(len(names), dtype=bool) if metrics is None else np.isin(names, list(metrics))
        codes, dates = pd.factorize(table["date"].to_numpy(dtype=object)[keep])
        self._columns = {
            "metric": names[keep],
            "month": np.array([month_number(str(date)) for date in dates], dtype=int)[codes] if len(dates) else codes,
            "good": table["good"].to_numpy(dtype=object)[keep],
            "region": table["region"].to_numpy(dtype=object)[keep],
            "value": table["value"].to_numpy(dtype=float)[keep],
        }
        self._cache: dict[tuple, MonthlySeries] = {}

    def has(self, metric: str, good: str | None = None, region: str | None = None) -> bool:
        """Whether the table holds any cell of this metric (and good and region, when given)."""
        found = self._columns["metric"] == metric
        if good is not None:
            found &= self._columns["good"] == good
        if region is not None:
            found &= self._columns["region"] == region
        return bool(found.any())

    def series(self, spec: SeriesSpec) -> MonthlySeries:
        """The monthly series a spec describes, without its sign (empty when there is no data)."""
        key = (spec.metric, tuple(spec.goods), tuple(spec.regions), spec.combine, tuple(spec.weights or ()))
        if key not in self._cache:
            self._cache[key] = self._read(spec)
        return self._cache[key]

    def _read(self, spec: SeriesSpec) -> MonthlySeries:
        columns = self._columns
        mask = (
            (columns["metric"] == spec.metric)
            & np.isin(columns["good"], spec.goods)
            & np.isin(columns["region"], spec.regions)
        )
        if not mask.any():
            return EMPTY
        months, values = columns["month"][mask], columns["value"][mask]
        names, regions = np.unique(columns["region"][mask], return_inverse=True)
        first = months.min()
        cells = np.zeros((months.max() - first + 1, len(names)))
        counts = np.zeros_like(cells)
        np.add.at(cells, (months - first, regions), values)
        np.add.at(counts, (months - first, regions), 1.0)
        present = counts > 0
        recorded = present.sum(axis=1)
        if spec.combine == "sum":
            combined = np.where(present, cells, 0.0).sum(axis=1)
        else:
            given = dict(zip(spec.regions, spec.weights or [1.0] * len(spec.regions), strict=True))
            weight = np.where(present, np.array([given[str(name)] for name in names])[None, :], 0.0)
            total = (np.where(present, cells, 0.0) * weight).sum(axis=1)
            combined = total / np.maximum(weight.sum(axis=1), 1e-300)
        combined = np.where(recorded > 0, combined, np.nan)
        return MonthlySeries(np.arange(first, first + len(combined)), combined)

    def terms(self, specs: list[SeriesSpec]) -> MonthlySeries:
        """The signed sum of several series, on the months they all cover (empty if one has no data)."""
        parts = [self.series(spec) for spec in specs]
        if any(len(part.months) == 0 for part in parts):
            return EMPTY
        first = max(part.months[0] for part in parts)
        last = min(part.months[-1] for part in parts)
        if first > last:
            return EMPTY
        total = np.zeros(last - first + 1)
        for spec, part in zip(specs, parts, strict=True):
            total = total + spec.sign * part.values[first - part.months[0] : last - part.months[0] + 1]
        return MonthlySeries(np.arange(first, last + 1), total)


def _mean(series: MonthlySeries, window: tuple[str, str]) -> float:
    part = series.within(window)
    return float(part.values.mean()) if len(part.values) else math.nan


def _max(series: MonthlySeries, window: tuple[str, str]) -> float:
    part = series.within(window)
    return float(part.values.max()) if len(part.values) else math.nan


def _divide(numerator: float, denominator: float) -> float:
    if not (math.isfinite(numerator) and math.isfinite(denominator)) or denominator == 0:
        return math.nan
    return numerator / denominator


def _peak_delay(series: MonthlySeries, target: Target) -> float:
    part = series.within(target.window)
    if not len(part.values):
        return math.nan
    return float(part.months[int(np.argmax(part.values))] - month_number(target.reference))


def _total_share(series: MonthlySeries, target: Target) -> float:
    part = series.within(target.window)
    return _divide(float(part.values.sum()), target.denominator) if len(part.values) else math.nan


def _versus(table: TidyTable, series: MonthlySeries, target: Target) -> tuple[float, float]:
    return _mean(series, target.window), _mean(table.terms(target.versus), target.window)


def statistic(table: TidyTable, target: Target) -> float:
    """Compute one target's summary statistic from a run.

    Args:
        table: The run's indexed tidy table.
        target: The target, naming the statistic, its series and windows.

    Returns:
        The statistic, or NaN when the run holds no data for it.
    """
    series = table.terms(target.series)
    kind = target.statistic
    if kind == "ratio":
        return _divide(*_versus(table, series, target))
    if kind == "gap":
        mine, theirs = _versus(table, series, target)
        return mine - theirs
    simple = {
        "mean": lambda: _mean(series, target.window),
        "peak_ratio": lambda: _divide(_max(series, target.window), _mean(series, target.base_window)),
        "peak_delay": lambda: _peak_delay(series, target),
        "share_of_peak": lambda: _divide(_mean(series, target.window), _max(series, target.peak_window)),
        "total_share": lambda: _total_share(series, target),
    }
    return simple[kind]()


def metrics_read(targets: list[Target]) -> set[str]:
    """The metrics a list of targets reads."""
    return {spec.metric for target in targets for spec in [*target.series, *(target.versus or [])]}


def statistics(table: pd.DataFrame | TidyTable, targets: list[Target]) -> dict[str, float]:
    """Every target's statistic from one run, by target id."""
    indexed = table if isinstance(table, TidyTable) else TidyTable(table, metrics_read(targets))
    return {target.id: statistic(indexed, target) for target in targets}


def combine_seeds(per_seed: list[dict[str, float]]) -> dict[str, float]:
    """Average each statistic over seeds, ignoring seeds where it is NaN (NaN if all are)."""
    keys = per_seed[0].keys() if per_seed else []
    combined = {}
    for key in keys:
        values = np.array([stats[key] for stats in per_seed], dtype=float)
        finite = values[np.isfinite(values)]
        combined[key] = float(finite.mean()) if finite.size else math.nan
    return combined


def missing_cells(table: TidyTable, targets: list[Target]) -> list[str]:
    """One sentence per series cell a run does not record (metric, good, region), for early errors."""
    problems = []
    for target in targets:
        for spec in [*target.series, *(target.versus or [])]:
            if not table.has(spec.metric):
                problems.append(f"target {target.id}: the model records no metric {spec.metric!r}")
                continue
            problems.extend(
                f"target {target.id}: metric {spec.metric!r} has no good {good!r}"
                for good in spec.goods
                if not table.has(spec.metric, good=good)
            )
            problems.extend(
                f"target {target.id}: metric {spec.metric!r} has no region {region!r}"
                for region in spec.regions
                if not table.has(spec.metric, region=region)
            )
    return problems
