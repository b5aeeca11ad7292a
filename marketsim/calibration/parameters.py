"""The parameters a calibration fits: their names in pyabc and their values on the scenario's scale."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from marketsim.calibration.targets import ParameterSpec

LOG_PREFIX = "log10__"


def pyabc_name(path: str, spec: ParameterSpec) -> str:
    """The name pyabc gives a parameter: dots become ``__``; a log-uniform one is fitted as its log10."""
    name = path.replace(".", "__")
    return f"{LOG_PREFIX}{name}" if spec.prior == "log-uniform" else name


def fitted_range(spec: ParameterSpec) -> tuple[float, float]:
    """The range pyabc samples uniformly: the prior's, or its log10 for a log-uniform prior."""
    if spec.prior == "log-uniform":
        return math.log10(spec.low), math.log10(spec.high)
    return spec.low, spec.high


def parameter_values(theta: Mapping[str, float], parameters: Mapping[str, ParameterSpec]) -> dict[str, float]:
    """A particle's values by dotted scenario path, back on their natural scale."""
    values = {}
    for path, spec in parameters.items():
        value = float(theta[pyabc_name(path, spec)])
        values[path] = 10.0**value if spec.prior == "log-uniform" else value
    return values


def midpoints(parameters: Mapping[str, ParameterSpec]) -> dict[str, float]:
    """Each parameter at the middle of its prior (geometric middle for log-uniform ones)."""
    return {
        path: math.sqrt(spec.low * spec.high) if spec.prior == "log-uniform" else (spec.low + spec.high) / 2
        for path, spec in parameters.items()
    }
