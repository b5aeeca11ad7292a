"""One run of a sweep, as a plain function: parameters and a seed in, outcomes out.

This is the function executors ship to worker processes or Dask workers, and the Python API
for notebooks and tools such as EMA Workbench.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from marketsim.model import RareEarthModel
from marketsim.reports.derivation import Derived
from marketsim.reports.metrics import NonFiniteOutput, check_finite
from marketsim.scenario.loading import validate_scenario
from marketsim.scenario.schema import Scenario
from marketsim.sweep.outcomes import evaluate, reduce, series
from marketsim.sweep.overrides import apply_values
from marketsim.sweep.spec import Outcome


@lru_cache(maxsize=8)
def _scenario(scenario_json: str) -> Scenario:
    return validate_scenario(json.loads(scenario_json), "sweep base scenario")


def simulate(
    scenario: Scenario | str,
    parameters: dict[str, Any],
    seed: int,
    outcomes: list[Outcome | dict],
    years: int | None = None,
    timeseries: bool = False,
) -> dict[str, Any]:
    """Run the model once with some values changed and return its outcomes.

    Args:
        scenario: A validated scenario, or its JSON (as workers receive it).
        parameters: Values to set, by dotted path (``{"sectors.ev.elasticity_short": -0.2}``).
        seed: The run's random seed.
        outcomes: What to measure (:class:`Outcome` or equivalent dicts).
        years: Run length; the scenario's when None.
        timeseries: Also return each outcome's monthly series under ``"series"``.

    Returns:
        ``{"outcomes": {name: value}, "censored": {name: bool}}`` (plus ``"series": {name: list}``
        on request). An outcome is censored when the run ended before it happened (a
        ``time_to_threshold`` never reached); its value is then NaN.

    Raises:
        ScenarioError: If a parameter path does not exist or a value is invalid.
        NonFiniteOutput: If the run's recorded numbers are not all finite, or a metric the
            outcomes read is infinite (only the metrics the outcomes read are derived).

    Example:
        >>> from marketsim.scenario.loading import load_scenario
        >>> base = load_scenario("configs/baseline_2024.toml")
        >>> out = simulate(base, {"sectors.ev.elasticity_short": -0.2}, seed=1, years=1,
        ...                outcomes=[{"name": "ndpr", "metric": "price", "good": "ndpr"}])
        >>> round(out["outcomes"]["ndpr"]) > 0
        True
    """
    base = _scenario(scenario) if isinstance(scenario, str) else scenario
    configured = apply_values(base, parameters)
    model = RareEarthModel(configured, seed=seed, years=years)
    model.run()
    return outcomes_of(
        model, [o if isinstance(o, Outcome) else Outcome.model_validate(o) for o in outcomes], timeseries
    )


def outcomes_of(model: RareEarthModel, outcomes: list[Outcome], timeseries: bool = False) -> dict[str, Any]:
    """A finished run's outcomes, from the metrics they read (see :func:`simulate`).

    The recorded flows (the largest array by far) are checked through what each region received
    (see :meth:`Derived.flows_finite`), which prices need anyway: they are read from memory once
    rather than twice, and a run is refused exactly as when every array is checked.

    Raises:
        NonFiniteOutput: As :func:`simulate`.
    """
    raw = {name: values[: model.tick] for name, values in model.recorder.raw.items()}
    metrics = Derived(raw, model.recorder.china, model.recorder.reo_per_unit)  # derived as the outcomes read them
    summed = "flows" in raw and not any(outcome.function for outcome in outcomes)
    try:
        check_finite({name: values for name, values in raw.items() if name != "flows"} if summed else raw, {})
        checked = not summed or metrics.flows_finite()
    except NonFiniteOutput:
        checked = False
    if not checked:
        check_finite(raw, {})  # names every array not finite (passes if finite flows overflowed their sum)
    result = measure(model, metrics, outcomes, timeseries)
    check_finite({}, metrics.computed)
    return result


def measure(
    model: RareEarthModel, metrics: Mapping, outcomes: list[Outcome], timeseries: bool = False
) -> dict[str, Any]:
    """A finished run's outcomes (see :func:`simulate` for what is returned)."""
    result: dict[str, Any] = {"outcomes": {}, "censored": {}}
    if timeseries:
        result["series"] = {}
    table = None
    for outcome in outcomes:
        if outcome.function is not None:
            table = model.results() if table is None else table
            values = evaluate(outcome, table)
            result["outcomes"].update(values)
            result["censored"].update(dict.fromkeys(values, False))
            continue
        values = series(model, metrics, outcome)
        value = reduce(values, outcome)
        result["outcomes"][outcome.name] = value
        result["censored"][outcome.name] = outcome.reduce == "time_to_threshold" and math.isnan(value)
        if timeseries:
            result["series"][outcome.name] = values.tolist()
    return result
