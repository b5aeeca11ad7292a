"""Experiments over parameters and seeds: specs, designs, execution and analysis."""

from typing import Any

from marketsim.sweep.execute import run_sweep
from marketsim.sweep.spec import Outcome, SweepSpec, load_spec, spec_sources
from marketsim.sweep.store import read_results, read_series

__all__ = [
    "Outcome",
    "SweepSpec",
    "load_spec",
    "read_results",
    "read_series",
    "run_sweep",
    "simulate",
    "spec_sources",
]


def __getattr__(name: str) -> Any:
    """Load :func:`simulate` (and with it the model) only when it is asked for."""
    if name == "simulate":
        from marketsim.sweep.run import simulate  # noqa: PLC0415

        return simulate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
