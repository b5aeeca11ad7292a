"""How a swept parameter's values are spread: uniform, log-uniform, normal within bounds, categorical.

Every continuous distribution is defined by its inverse cumulative distribution function on
[0, 1], so a design drawn on the unit cube (Latin hypercube, Saltelli's Sobol sample, Morris
trajectories) is mapped to parameter values the same way for every method. Categorical
parameters (a list of ``values``) are taken as equally likely choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from marketsim.sweep.spec import Parameter

CONTINUOUS = ("uniform", "log-uniform", "normal")


def kind(parameter: Parameter) -> str:
    """``uniform``, ``log-uniform``, ``normal`` or ``categorical``."""
    if parameter.values is not None:
        return "categorical"
    return parameter.distribution or "uniform"


def _truncated_normal(parameter: Parameter) -> Any:
    from scipy.stats import truncnorm  # noqa: PLC0415 (optional dependency, loaded on use)

    low, high = parameter.range
    mean, sd = parameter.mean, parameter.sd
    return truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


def from_unit(parameter: Parameter, unit: np.ndarray) -> np.ndarray:
    """Values of a continuous parameter at quantiles ``unit`` (its inverse CDF).

    ``uniform`` is linear between the bounds, ``log-uniform`` linear in the logarithm, and
    ``normal`` is the normal of ``mean`` and ``sd`` truncated to the bounds.
    """
    unit = np.asarray(unit, dtype=float)
    low, high = parameter.range
    shape = kind(parameter)
    if shape == "uniform":
        return low + unit * (high - low)
    if shape == "log-uniform":
        return np.clip(np.exp(np.log(low) + unit * (np.log(high) - np.log(low))), low, high)
    if shape == "normal":
        return np.clip(_truncated_normal(parameter).ppf(unit), low, high)
    raise ValueError(f"a {shape} parameter has no inverse CDF")


def to_unit(parameter: Parameter, values: np.ndarray) -> np.ndarray:
    """Quantiles of a continuous parameter's values (its CDF): the inverse of :func:`from_unit`."""
    values = np.asarray(values, dtype=float)
    low, high = parameter.range
    shape = kind(parameter)
    if shape == "uniform":
        return (values - low) / (high - low)
    if shape == "log-uniform":
        return (np.log(values) - np.log(low)) / (np.log(high) - np.log(low))
    return _truncated_normal(parameter).cdf(values)


def pick(parameter: Parameter, unit: np.ndarray) -> list[Any]:
    """Values of a categorical parameter at quantiles ``unit``: each value equally likely."""
    choices = parameter.values
    index = np.minimum((np.asarray(unit) * len(choices)).astype(int), len(choices) - 1)
    return [choices[k] for k in index]


def grid_axis(parameter: Parameter, levels: int) -> list[Any]:
    """A parameter's values on a grid: its list, or ``levels`` values from bound to bound
    (evenly spaced for uniform, evenly spaced in the logarithm for log-uniform, at evenly
    spaced quantiles for normal)."""
    shape = kind(parameter)
    if shape == "categorical":
        return list(parameter.values)
    if shape == "uniform":
        return list(np.linspace(*parameter.range, levels))
    return list(from_unit(parameter, np.linspace(0.0, 1.0, levels)))
