"""EMA Workbench adapter: a scenario's parameters as uncertainties and levers, outcomes as ScalarOutcomes.

>>> from ema_workbench import SequentialEvaluator
>>> from marketsim.sweep.ema import ema_model
>>> model = ema_model(
...     "configs/baseline_2024.toml",
...     {"market.price_speed": {"range": [0.1, 0.5]}, "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]}},
...     [{"name": "ndpr_peak", "metric": "price", "good": "ndpr", "reduce": "max"}],
...     years=2,
... )
>>> with SequentialEvaluator(model) as evaluator:
...     experiments, outcomes = evaluator.perform_experiments(scenarios=8)

EMA names are Python identifiers, so a dotted path appears with ``__`` for each dot
(``market__price_speed``). Parameters and outcomes are written as in a sweep file (docs/sweeps.md):
``{"range": [low, high]}`` (uniform; ``distribution`` other than uniform is refused, EMA samples its own way) or
``{"values": [...]}`` (categorical). Each experiment runs :func:`~marketsim.sweep.run.simulate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from marketsim.scenario.loading import ScenarioError, load_scenario
from marketsim.scenario.schema import Scenario
from marketsim.sweep.spec import Outcome, Parameter, load_spec

if TYPE_CHECKING:
    from ema_workbench import Model


def ema_name(path: str) -> str:
    """A dotted parameter path as an EMA name (a Python identifier): each dot becomes ``__``."""
    return path.replace(".", "__")


SEED = "seed"
"""The name under which an experiment's seed reaches the model (a constant, or one per replication)."""


class ScenarioFunction:
    """The model function EMA calls: parameter values in, outcomes out (picklable, so it runs on
    EMA's multiprocessing evaluator too)."""

    def __init__(self, scenario: Scenario, names: list[str], outcomes: list[Outcome], years: int | None) -> None:
        """Remember the base scenario, the parameter names, the outcomes and the run length."""
        self.scenario, self.names, self.outcomes, self.years = scenario, names, outcomes, years

    def __call__(self, **experiment: Any) -> dict[str, float]:
        """One run with the experiment's parameter values and seed."""
        from marketsim.sweep.run import simulate  # noqa: PLC0415 (the model loads only where runs happen)

        values = {name: experiment[ema_name(name)] for name in self.names if ema_name(name) in experiment}
        seed = int(experiment.get(SEED, 0))
        return simulate(self.scenario, values, seed=seed, outcomes=self.outcomes, years=self.years)["outcomes"]


def _parameter(name: str, spec: dict | Parameter) -> Any:
    """An EMA parameter from a sweep-file parameter."""
    from ema_workbench import CategoricalParameter, RealParameter  # noqa: PLC0415 (optional dependency)

    parameter = spec if isinstance(spec, Parameter) else Parameter.model_validate(spec)
    if parameter.values is not None:
        return CategoricalParameter(ema_name(name), list(parameter.values))
    if parameter.distribution not in (None, "uniform"):
        raise ScenarioError(
            f"parameter {name!r}: EMA Workbench samples uniform ranges itself; give a uniform range "
            f"(not distribution = {parameter.distribution!r})"
        )
    return RealParameter(ema_name(name), *parameter.range)


def ema_model(
    scenario: str | Path | Scenario,
    parameters: dict[str, dict | Parameter],
    outcomes: list[dict | Outcome],
    *,
    levers: dict[str, dict | Parameter] | None = None,
    years: int | None = None,
    replications: int = 1,
    seed: int = 0,
    name: str = "marketsim",
) -> Model:
    """An ``ema_workbench.Model`` that runs a marketsim scenario.

    Args:
        scenario: A scenario file or a validated scenario.
        parameters: The uncertainties, by dotted path, as in a sweep file.
        outcomes: The outcomes, as in a sweep file (a function outcome with keys gives ``name.key``).
        levers: Policy levers, by dotted path, as ``parameters``.
        years: Run length; the scenario's when None.
        replications: Runs per experiment on seeds ``seed, seed + 1, ...``; with more than one, a
            ``ReplicatorModel`` whose outcomes are the mean over replications.
        seed: The seed of a single run, or the first seed of the replications.
        name: The model's name (letters and digits).

    Raises:
        ScenarioError: If the scenario, a parameter or an outcome cannot be used.
    """
    from ema_workbench import Constant, Model, ReplicatorModel, ScalarOutcome  # noqa: PLC0415

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    checked = [o if isinstance(o, Outcome) else Outcome.model_validate(o) for o in outcomes]
    names = [*parameters, *(levers or {})]
    function = ScenarioFunction(base, names, checked, years)
    columns = [column for outcome in checked for column in outcome.columns]
    if replications > 1:
        model = ReplicatorModel(name, function=function)
        model.replications = [{SEED: seed + k} for k in range(replications)]
        model.outcomes = [ScalarOutcome(column, function=np.mean) for column in columns]
    else:
        model = Model(name, function=function)
        model.constants = [Constant(SEED, seed)]
        model.outcomes = [ScalarOutcome(column) for column in columns]
    model.uncertainties = [_parameter(path, spec) for path, spec in parameters.items()]
    model.levers = [_parameter(path, spec) for path, spec in (levers or {}).items()]
    return model


def ema_model_from_spec(path: str | Path, *, replications: int | None = None) -> Model:
    """An EMA model of a sweep file: its base scenario and events, parameters, outcomes, length
    and replications (``replications`` overrides the file's)."""
    spec, base = load_spec(path)
    count = spec.sweep.replications if replications is None else replications
    return ema_model(
        base, spec.parameters, spec.outcomes, years=spec.sweep.years, replications=count, seed=spec.sweep.root_seed
    )
