"""Reduce a run's metrics over time to the outcomes a sweep asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from marketsim.reports.metrics import ALL, BY_NAME, WORLD
from marketsim.sweep.spec import Outcome
from marketsim.vocabulary import GOODS

if TYPE_CHECKING:
    from marketsim.model import RareEarthModel


def series(model: RareEarthModel, metrics: dict[str, np.ndarray], outcome: Outcome) -> np.ndarray:
    """The monthly series an outcome is computed from.

    Raises:
        ValueError: If the outcome names a good or region the metric does not have.
    """
    values = metrics[outcome.metric]
    layout = BY_NAME[outcome.metric].layout
    regions = [*model.regions, WORLD]
    if outcome.region not in regions:
        raise ValueError(f"outcome {outcome.name!r}: unknown region {outcome.region!r}")
    if layout == "world":
        return values
    region = regions.index(outcome.region)
    if layout == "region":
        return values[:, region]
    goods = [*GOODS, ALL]
    if outcome.good not in goods:
        raise ValueError(f"outcome {outcome.name!r}: unknown good {outcome.good!r}")
    return values[:, goods.index(outcome.good), region]


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
