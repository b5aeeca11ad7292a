"""Reduce a run's metrics over time to the outcomes a sweep asks for.

Besides each region and the world, an outcome may read ``outside_china``: every region but China
combined. Quantities (tonnes, capacities, projects, money, burden, shares of the world) are summed
over those regions; intensive figures (prices, months of cover, dependency shares, unit costs)
are their mean weighted by each region's end use of the good (good ``all``: by REO-weighted end
use; unit costs: by the stage's capacity), the plain mean where the weights are all zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from marketsim.reports.metrics import ALL, BY_NAME, WORLD
from marketsim.sweep.functions import OutcomeFunctionError, resolve
from marketsim.sweep.spec import CHINA, OUTSIDE_CHINA, Outcome
from marketsim.vocabulary import GOODS

if TYPE_CHECKING:
    import pandas as pd

    from marketsim.model import RareEarthModel

INTENSIVE_UNITS = ("US$/kg", "months")
"""Units of figures that are averaged, not summed, over regions (and ``share`` of a good's use)."""


def aggregation(metric: str) -> str:
    """How ``outside_china`` combines a metric's regions: ``sum`` or ``weighted``."""
    info = BY_NAME[metric]
    intensive = info.unit in INTENSIVE_UNITS or (info.unit == "share" and info.layout == "good_region")
    return "weighted" if intensive else "sum"


def series(model: RareEarthModel, metrics: Mapping[str, np.ndarray], outcome: Outcome) -> np.ndarray:
    """The monthly series an outcome is computed from.

    Raises:
        ValueError: If the outcome names a good or region the metric does not have.
    """
    values = metrics[outcome.metric]
    layout = BY_NAME[outcome.metric].layout
    regions = [*model.regions, WORLD]
    if outcome.region not in (*regions, OUTSIDE_CHINA):
        raise ValueError(f"outcome {outcome.name!r}: unknown region {outcome.region!r}")
    if layout == "world":
        return values
    if layout == "good_region":
        goods = [*GOODS, ALL]
        if outcome.good not in goods:
            raise ValueError(f"outcome {outcome.name!r}: unknown good {outcome.good!r}")
        values = values[:, goods.index(outcome.good)]
    if outcome.region == OUTSIDE_CHINA:
        return outside_china(model.regions, metrics, outcome, values)
    return values[:, regions.index(outcome.region)]


def outside_china(
    regions: list[str], metrics: Mapping[str, np.ndarray], outcome: Outcome, values: np.ndarray
) -> np.ndarray:
    """(ticks,) a metric over every region but China: summed or weighted (see the module's text).

    Args:
        regions: The model's regions in array order (without the world).
        metrics: The run's metrics.
        outcome: The outcome (its metric and good).
        values: (ticks, regions + 1) the metric for the outcome's good, world last.

    Raises:
        ValueError: If the scenario has no region ``china``.
    """
    if CHINA not in regions:
        raise ValueError(f"outcome {outcome.name!r}: region 'outside_china' needs a region 'china'")
    keep = [k for k, region in enumerate(regions) if region != CHINA]
    part = values[:, keep]
    if aggregation(outcome.metric) == "sum":
        return part.sum(axis=1)
    valid = np.isfinite(part)
    weights = np.where(valid, _weights(metrics, outcome, len(regions))[:, keep], 0.0)
    values = np.where(valid, part, 0.0)
    total, count = weights.sum(axis=1), valid.sum(axis=1)
    weighted = np.divide((values * weights).sum(axis=1), total, out=np.zeros(len(total)), where=total > 0)
    plain = np.divide(values.sum(axis=1), count, out=np.full(len(total), np.nan), where=count > 0)
    return np.where(total > 0, weighted, plain)


def _weights(metrics: Mapping[str, np.ndarray], outcome: Outcome, regions: int) -> np.ndarray:
    """(ticks, regions) each region's weight: its end use of the good, REO end use, or capacity."""
    if outcome.metric.startswith("unit_cost_"):
        return metrics[f"capacity_{outcome.metric.removeprefix('unit_cost_')}"][:, :regions]
    if BY_NAME[outcome.metric].layout == "good_region" and outcome.good != ALL:
        return metrics["consumption"][:, GOODS.index(outcome.good), :regions]
    return metrics["reo_consumption_share"][:, :regions]


def reduce(values: np.ndarray, outcome: Outcome) -> float:
    """One number from a monthly series (NaN where the series has no finite value)."""
    if outcome.last_years is not None:
        values = values[-max(1, round(outcome.last_years * 12)) :]
    finite = values[np.isfinite(values)]
    if outcome.reduce == "time_to_threshold":
        reached = np.flatnonzero(values >= outcome.threshold)
        return float(reached[0]) if reached.size else float("nan")
    if not finite.size:
        return float("nan")
    if outcome.reduce == "final":
        return float(finite[-1])
    return float({"mean": np.mean, "max": np.max, "min": np.min}[outcome.reduce](finite))


def evaluate(outcome: Outcome, table: pd.DataFrame) -> dict[str, float]:
    """Call an outcome's function on a run's tidy table; its values by outcome name.

    Raises:
        OutcomeFunctionError: If the function returns something other than a number, or a dict
            other than one with exactly the spec's keys.
    """
    value = resolve(outcome.function)(table)
    if isinstance(value, dict):
        if not outcome.keys or set(value) != set(outcome.keys):
            raise OutcomeFunctionError(
                f"outcome {outcome.name!r}: {outcome.function} returned keys {sorted(value)}, the spec lists "
                f"keys = {outcome.keys or []}; list exactly the keys it returns"
            )
        return {f"{outcome.name}.{key}": _number(outcome, value[key]) for key in outcome.keys}
    if outcome.keys:
        raise OutcomeFunctionError(
            f"outcome {outcome.name!r}: {outcome.function} returned one number, the spec lists keys {outcome.keys}"
        )
    return {outcome.name: _number(outcome, value)}


def _number(outcome: Outcome, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise OutcomeFunctionError(
            f"outcome {outcome.name!r}: {outcome.function} returned a {type(value).__name__}, not a number"
        ) from None
    if math.isinf(number):
        raise OutcomeFunctionError(f"outcome {outcome.name!r}: {outcome.function} returned {number}")
    return number
