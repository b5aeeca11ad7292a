"""Experiments over parameters and seeds: specs, designs, execution and analysis.

The names below load their modules when first read: a worker that imports
``marketsim.sweep.run`` (the model, outcomes and overrides) does not load the planning, storing
and analysing modules, nor pandas, which they import.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marketsim.sweep.execute import run_sweep
    from marketsim.sweep.run import simulate
    from marketsim.sweep.spec import Outcome, SweepSpec, load_spec, spec_sources
    from marketsim.sweep.store import read_results, read_series

MODULE_OF = {
    "Outcome": "spec",
    "SweepSpec": "spec",
    "load_spec": "spec",
    "read_results": "store",
    "read_series": "store",
    "run_sweep": "execute",
    "simulate": "run",
    "spec_sources": "spec",
}
"""The module of this package that defines each public name."""

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
    """Load a public name's module when the name is first read."""
    if name not in MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *MODULE_OF})
