"""Sweep designs: grid, Latin hypercube, Sobol (Saltelli) and Morris points, and run seeds."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from marketsim.sweep.design import design_points, plan_runs
from marketsim.sweep.spec import SweepSpec

OUTCOMES = [{"name": "ndpr", "metric": "price", "good": "ndpr"}]
RANGES = {
    "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]},
    "mines.0.capacity": {"range": [1000.0, 100000.0]},
    "market.price_adjustment": {"range": [0.05, 0.5]},
}


def make_spec(design: str, parameters: dict | None = None, **sweep) -> SweepSpec:
    info = {"name": "t", "scenario": "small.toml", "design": design, **sweep}
    return SweepSpec.model_validate({"sweep": info, "parameters": parameters or RANGES, "outcomes": OUTCOMES})


def bounds(spec: SweepSpec) -> dict[str, tuple[float, float]]:
    return {name: p.range for name, p in spec.parameters.items()}


# ----------------------------------------------------------------- grid


def test_grid_crosses_values_and_levels():
    parameters = {
        "mines.0.capacity": {"values": [1000.0, 5000.0, 20000.0]},
        "scenario.name": {"values": ["a", "b"]},
        "sectors.ev.elasticity_short": {"range": [-0.3, -0.1]},
    }
    spec = make_spec("grid", parameters, levels=3)
    points = design_points(spec)
    assert list(points.columns) == list(parameters)
    assert len(points) == 3 * 2 * 3
    axes = [[1000.0, 5000.0, 20000.0], ["a", "b"], list(np.linspace(-0.3, -0.1, 3))]
    expected = set(itertools.product(*axes))
    got = {tuple(row) for row in points.itertuples(index=False)}
    assert len(got) == len(points), "a grid point is repeated"
    assert got == expected


def test_grid_range_levels_are_evenly_spaced_and_include_the_bounds():
    spec = make_spec("grid", {"mines.0.capacity": {"range": [0.0, 30000.0]}}, levels=4)
    points = design_points(spec)
    assert points["mines.0.capacity"].tolist() == pytest.approx([0.0, 10000.0, 20000.0, 30000.0])


# ----------------------------------------------------------------- LHS


@pytest.mark.parametrize("samples", [1, 7, 20])
def test_lhs_one_point_per_stratum_within_bounds(samples):
    spec = make_spec("lhs", samples=samples, root_seed=11)
    points = design_points(spec)
    assert len(points) == samples
    assert list(points.columns) == list(RANGES)
    for name, (low, high) in bounds(spec).items():
        values = points[name].to_numpy(dtype=float)
        assert np.all((values >= low) & (values <= high)), name
        strata = np.floor((values - low) / (high - low) * samples).astype(int)
        strata = np.minimum(strata, samples - 1)  # a value exactly at the upper bound
        assert sorted(strata.tolist()) == list(range(samples)), f"{name}: strata {sorted(strata.tolist())}"


def test_lhs_same_root_seed_same_points_other_seed_other_points():
    first = design_points(make_spec("lhs", samples=10, root_seed=5))
    again = design_points(make_spec("lhs", samples=10, root_seed=5))
    other = design_points(make_spec("lhs", samples=10, root_seed=6))
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first.to_numpy(), other.to_numpy())


# ----------------------------------------------------------------- Sobol


@pytest.mark.parametrize(("n", "names"), [(8, 1), (8, 2), (16, 3)])
def test_sobol_saltelli_points_within_bounds(n, names):
    parameters = dict(list(RANGES.items())[:names])
    spec = make_spec("sobol", parameters, samples=n, root_seed=3)
    points = design_points(spec)
    d = len(parameters)
    assert len(points) == n * (d + 2)  # Saltelli without second-order indices
    assert list(points.columns) == list(parameters)
    for name, (low, high) in bounds(spec).items():
        values = points[name].to_numpy(dtype=float)
        assert np.all((values >= low) & (values <= high)), name
    again = design_points(make_spec("sobol", parameters, samples=n, root_seed=3))
    pd.testing.assert_frame_equal(points, again)


def test_sobol_blocks_follow_saltelli_structure():
    """Each block of D + 2 rows is A, AB_1 .. AB_D, B: AB_i is A with column i taken from B."""
    spec = make_spec("sobol", samples=8, root_seed=3)
    matrix = design_points(spec).to_numpy(dtype=float)
    d = len(RANGES)
    for block in matrix.reshape(8, d + 2, d):
        a, b = block[0], block[-1]
        for i in range(d):
            expected = a.copy()
            expected[i] = b[i]
            np.testing.assert_array_equal(block[1 + i], expected)


# ----------------------------------------------------------------- Morris


@pytest.mark.parametrize(("r", "levels"), [(1, 4), (5, 4), (6, 6)])
def test_morris_trajectories_change_one_parameter_per_step(r, levels):
    spec = make_spec("morris", samples=r, levels=levels, root_seed=9)
    points = design_points(spec)
    d = len(RANGES)
    assert len(points) == r * (d + 1)
    assert list(points.columns) == list(RANGES)
    low = np.array([b[0] for b in bounds(spec).values()])
    high = np.array([b[1] for b in bounds(spec).values()])
    matrix = points.to_numpy(dtype=float)
    assert np.all((matrix >= low - 1e-9) & (matrix <= high + 1e-9))
    for trajectory in matrix.reshape(r, d + 1, d):
        changed = [np.flatnonzero(~np.isclose(step, prev)) for prev, step in itertools.pairwise(trajectory)]
        assert all(len(c) == 1 for c in changed), changed
        assert sorted(int(c[0]) for c in changed) == list(range(d)), "each parameter moves once per trajectory"
    again = design_points(make_spec("morris", samples=r, levels=levels, root_seed=9))
    pd.testing.assert_frame_equal(points, again)


# ----------------------------------------------------------------- seeds


def test_one_distinct_seed_per_run_reproducible_from_root_seed():
    spec = make_spec("lhs", samples=6, replications=3, root_seed=42)
    runs = plan_runs(spec, 6)
    assert [r.run_id for r in runs] == list(range(18))
    assert [(r.point, r.replication) for r in runs] == [(p, k) for p in range(6) for k in range(3)]
    seeds = [r.seed for r in runs]
    assert len(set(seeds)) == len(seeds)
    assert all(isinstance(s, int) and s >= 0 for s in seeds)
    assert plan_runs(spec, 6) == runs
    other = plan_runs(make_spec("lhs", samples=6, replications=3, root_seed=43), 6)
    assert not set(seeds) & {r.seed for r in other}


def test_run_seed_depends_only_on_root_seed_and_run_id():
    spec = make_spec("lhs", samples=6, replications=2, root_seed=42)
    short, long = plan_runs(spec, 3), plan_runs(spec, 6)
    assert long[: len(short)] == short
    expected = [int(child.generate_state(1, dtype=np.uint32)[0]) for child in np.random.SeedSequence(42).spawn(12)]
    assert [r.seed for r in long] == expected
