"""Experiments over parameters and seeds: specs, designs, execution and analysis."""

from marketsim.sweep.execute import read_results, read_series, run_sweep
from marketsim.sweep.run import simulate
from marketsim.sweep.spec import Outcome, SweepSpec, load_spec

__all__ = ["Outcome", "SweepSpec", "load_spec", "read_results", "read_series", "run_sweep", "simulate"]
