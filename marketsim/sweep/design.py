"""Experimental designs: the points of a sweep, and the seed of every run."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketsim.sweep.distributions import from_unit, grid_axis, kind, pick, to_unit
from marketsim.sweep.spec import Parameter, SweepSpec


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a design point, a replication and its seed."""

    run_id: int
    point: int
    replication: int
    seed: int


def salib_problem(spec: SweepSpec) -> dict:
    """The SALib problem definition of a sweep's continuous parameters: uniform ones on their range,
    others on the unit interval (their values are their inverse CDF there, see :func:`unit_design`)."""
    names = list(spec.parameters)
    bounds = [list(spec.parameters[n].range) if kind(spec.parameters[n]) == "uniform" else [0.0, 1.0] for n in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point, one column per parameter (named by its dotted path).

    ``grid`` crosses every parameter's ``values`` (or ``levels`` values of its range, see
    :func:`~marketsim.sweep.distributions.grid_axis`); ``lhs`` draws a Latin hypercube;
    ``sobol`` a Saltelli sample for Sobol indices; ``morris`` Morris trajectories. Random designs
    are seeded from ``root_seed``; non-uniform and categorical parameters are drawn on the unit
    interval and mapped through their inverse CDF.
    """
    info, names = spec.sweep, list(spec.parameters)
    if info.design == "grid":
        axes = [grid_axis(spec.parameters[n], info.levels) for n in names]
        return pd.DataFrame(list(itertools.product(*axes)), columns=names)
    problem = salib_problem(spec)
    if info.design == "lhs":
        from scipy.stats import qmc  # noqa: PLC0415 (optional dependency, loaded on use)

        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(info.root_seed)).random(info.samples)
        low, high = np.array([spec.parameters[n].range or (0.0, 1.0) for n in names], dtype=float).T
        uniform = [kind(spec.parameters[n]) == "uniform" for n in names]
        scaled = qmc.scale(unit, low, high)
        columns = {
            n: scaled[:, k] if uniform[k] else _from_unit(spec.parameters[n], unit[:, k]) for k, n in enumerate(names)
        }
        return pd.DataFrame(columns, columns=names)
    if info.design == "sobol":
        from SALib.sample import sobol  # noqa: PLC0415

        matrix = sobol.sample(problem, info.samples, calc_second_order=False, seed=info.root_seed)
    else:
        from SALib.sample import morris  # noqa: PLC0415

        matrix = morris.sample(problem, info.samples, num_levels=info.levels, seed=info.root_seed)
    columns = {
        n: matrix[:, k] if kind(spec.parameters[n]) == "uniform" else from_unit(spec.parameters[n], matrix[:, k])
        for k, n in enumerate(names)
    }
    return pd.DataFrame(columns, columns=names)


def _from_unit(parameter: Parameter, unit: np.ndarray) -> list | np.ndarray:
    return pick(parameter, unit) if kind(parameter) == "categorical" else from_unit(parameter, unit)


def unit_design(spec: SweepSpec, design: pd.DataFrame) -> np.ndarray:
    """The design of continuous parameters on SALib's scale: uniform ones as they are, others as
    their quantiles (where Morris steps are evenly spaced)."""
    columns = [
        design[n].to_numpy(dtype=float) if kind(p) == "uniform" else to_unit(p, design[n].to_numpy(dtype=float))
        for n, p in spec.parameters.items()
    ]
    return np.column_stack(columns)


def plan_runs(spec: SweepSpec, points: int) -> list[Run]:
    """Every run of the sweep with its seed, spawned from ``root_seed`` by NumPy's SeedSequence.

    Run ``k`` always gets the same seed, whatever executes it and in whatever order.
    """
    replications = spec.sweep.replications
    children = np.random.SeedSequence(spec.sweep.root_seed).spawn(points * replications)
    return [
        Run(
            run_id=k,
            point=k // replications,
            replication=k % replications,
            seed=int(child.generate_state(1, dtype=np.uint32)[0]),
        )
        for k, child in enumerate(children)
    ]
