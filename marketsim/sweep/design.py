"""Experimental designs: the points of a sweep, and the seed of every run."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketsim.sweep.spec import SweepSpec


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a design point, a replication and its seed."""

    run_id: int
    point: int
    replication: int
    seed: int


def salib_problem(spec: SweepSpec) -> dict:
    """The SALib problem definition of a sweep's range parameters."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [list(spec.parameters[n].range) for n in names]}


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point, one column per parameter (named by its dotted path).

    ``grid`` crosses every parameter's ``values`` (or ``levels`` evenly spaced values of its
    range); ``lhs`` draws a Latin hypercube; ``sobol`` a Saltelli sample for Sobol indices;
    ``morris`` Morris trajectories. Random designs are seeded from ``root_seed``.
    """
    info, names = spec.sweep, list(spec.parameters)
    if info.design == "grid":
        axes = [
            spec.parameters[n].values
            if spec.parameters[n].values is not None
            else list(np.linspace(*spec.parameters[n].range, info.levels))
            for n in names
        ]
        return pd.DataFrame(list(itertools.product(*axes)), columns=names)
    problem = salib_problem(spec)
    if info.design == "lhs":
        from scipy.stats import qmc  # noqa: PLC0415 (optional dependency, loaded on use)

        unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(info.root_seed)).random(info.samples)
        low, high = np.array(problem["bounds"]).T
        matrix = qmc.scale(unit, low, high)
    elif info.design == "sobol":
        from SALib.sample import sobol  # noqa: PLC0415

        matrix = sobol.sample(problem, info.samples, calc_second_order=False, seed=info.root_seed)
    else:
        from SALib.sample import morris  # noqa: PLC0415

        matrix = morris.sample(problem, info.samples, num_levels=info.levels, seed=info.root_seed)
    return pd.DataFrame(matrix, columns=names)


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
