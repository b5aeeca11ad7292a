"""Small helpers shared by the behaviour tests: run a model and read its results table."""

from __future__ import annotations

import numpy as np
import pandas as pd

import marketsim.world.phases
from marketsim.market.clearing import Clearing
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import validate_scenario
from marketsim.scenario.schema import Scenario


def build(data: dict) -> Scenario:
    """Validate edited scenario data."""
    return validate_scenario(data, "test")


def run(scenario: Scenario, events=(), years: int = 1, seed: int | None = None) -> RareEarthModel:
    """Run a model to the end with extra events submitted before the first tick."""
    model = RareEarthModel(scenario, seed=seed, years=years)
    for event in events:
        model.submit(event)
    model.run()
    return model


def series(table: pd.DataFrame, metric: str, good: str = "all", region: str = "world") -> np.ndarray:
    """Values of one metric, good and region, in tick order (NaN where not recorded)."""
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    ticks = int(table["tick"].max()) + 1
    out = np.full(ticks, np.nan)
    out[rows["tick"].to_numpy()] = rows["value"].to_numpy()
    return out


def mean(table: pd.DataFrame, metric: str, good: str = "all", region: str = "world", ticks=None) -> float:
    """Mean of a metric over ``ticks`` (all recorded ticks when None)."""
    values = series(table, metric, good, region)
    if ticks is not None:
        values = values[list(ticks)]
    return float(np.nanmean(values))


def spy_on_clearing(monkeypatch, inputs: list | None = None) -> list[Clearing]:
    """Record every clearing the model makes, in tick order (route-level flows); when ``inputs``
    is given, append each call's ``(offer, demand)`` to it."""
    seen: list[Clearing] = []
    real = marketsim.world.phases.clear

    def spy(offer, demand, *args, **kwargs):
        result = real(offer, demand, *args, **kwargs)
        seen.append(result)
        if inputs is not None:
            inputs.append((offer.copy(), demand.copy()))
        return result

    monkeypatch.setattr(marketsim.world.phases, "clear", spy)
    return seen
