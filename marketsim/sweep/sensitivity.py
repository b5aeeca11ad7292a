"""Sobol and Morris sensitivity indices of a sweep, with seed noise and convergence made visible.

Indices are computed from each design point's mean over its replications. With replications,
Sobol indices also get a seed interval: the indices are recomputed with each point's
replications resampled, so the interval shows how much seed noise moves them. A convergence
check compares the indices from the first half of the base samples with those from all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketsim.sweep.design import salib_problem, unit_design
from marketsim.sweep.spec import SweepSpec

SEED_RESAMPLES = 50
CONVERGENCE_TOLERANCE = 0.1
"""Largest change of a total-order index between half and all of the samples deemed converged."""


def point_means(results: pd.DataFrame, outcome: str, points: int) -> np.ndarray:
    """(points,) an outcome's mean over replications at each design point, in point order."""
    values = results[results["outcome"] == outcome].groupby("point")["value"].mean()
    return values.reindex(range(points)).to_numpy(dtype=float)


def _skip_reason(results: pd.DataFrame, outcome: str, y: np.ndarray) -> str | None:
    if not np.isfinite(y).all():
        rows = results[results["outcome"] == outcome]
        missing = int((~np.isfinite(y)).sum())
        failed, censored = int(rows["error"].notna().sum()), int(rows["censored"].sum())
        return (
            f"skipped: {missing} of {len(y)} design points have no value ({failed} runs failed, {censored} "
            "censored (never reached the threshold), the rest not run yet); the method needs every point"
        )
    if np.ptp(y) == 0:
        return f"skipped: the same value ({y[0]:g}) in every run"
    return None


def _sobol(problem: dict, y: np.ndarray, seed: int, resamples: int = 100) -> dict:
    from SALib.analyze import sobol  # noqa: PLC0415 (optional dependency)

    return sobol.analyze(
        problem, y, calc_second_order=False, conf_level=0.95, seed=seed, num_resamples=resamples, print_to_console=False
    )


def _seed_intervals(spec: SweepSpec, results: pd.DataFrame, outcome: str, points: int) -> np.ndarray:
    """(2, 2, D): 95 % range of S1 and ST over resampled replications (NaN without them)."""
    problem = salib_problem(spec)
    dims = problem["num_vars"]
    if spec.sweep.replications < 2:
        return np.full((2, 2, dims), np.nan)
    rows = results[results["outcome"] == outcome].sort_values(["point", "replication"])
    values = rows.pivot(index="point", columns="replication", values="value").reindex(range(points)).to_numpy()
    rng = np.random.default_rng(spec.sweep.root_seed)
    draws = []
    for _ in range(SEED_RESAMPLES):
        picks = rng.integers(0, values.shape[1], size=values.shape)
        y = np.take_along_axis(values, picks, axis=1).mean(axis=1)
        s = _sobol(problem, y, spec.sweep.root_seed, resamples=2)
        draws.append([s["S1"], s["ST"]])
    return np.quantile(np.array(draws), [0.025, 0.975], axis=0)


def _half_change(spec: SweepSpec, y: np.ndarray, full_st: np.ndarray) -> np.ndarray:
    """|ST from the first half of the base samples - ST from all|, per parameter."""
    problem = salib_problem(spec)
    block = problem["num_vars"] + 2
    half = spec.sweep.samples // 2
    if half < 2:
        return np.full(problem["num_vars"], np.nan)
    s = _sobol(problem, y[: half * block], spec.sweep.root_seed)
    return np.abs(np.asarray(s["ST"]) - np.asarray(full_st))


def _sobol_rows(spec: SweepSpec, results: pd.DataFrame, outcome: str, y: np.ndarray) -> list[dict]:
    problem = salib_problem(spec)
    s = _sobol(problem, y, spec.sweep.root_seed)
    seeds = _seed_intervals(spec, results, outcome, len(y))
    change = _half_change(spec, y, s["ST"])
    return [
        {
            "outcome": outcome,
            "parameter": name,
            "S1": s["S1"][k],
            "S1_conf": s["S1_conf"][k],
            "ST": s["ST"][k],
            "ST_conf": s["ST_conf"][k],
            "S1_seed_low": seeds[0, 0, k],
            "S1_seed_high": seeds[1, 0, k],
            "ST_seed_low": seeds[0, 1, k],
            "ST_seed_high": seeds[1, 1, k],
            "ST_change_from_half": change[k],
            "converged": bool(change[k] <= CONVERGENCE_TOLERANCE) if np.isfinite(change[k]) else None,
        }
        for k, name in enumerate(problem["names"])
    ]


def _morris_rows(spec: SweepSpec, design: pd.DataFrame, outcome: str, y: np.ndarray) -> list[dict]:
    from SALib.analyze import morris  # noqa: PLC0415

    problem = salib_problem(spec)
    x = unit_design(spec, design)
    s = morris.analyze(problem, x, y, conf_level=0.95, num_levels=spec.sweep.levels, seed=spec.sweep.root_seed)
    return [
        {
            "outcome": outcome,
            "parameter": name,
            "mu_star": s["mu_star"][k],
            "mu_star_conf": s["mu_star_conf"][k],
            "sigma": s["sigma"][k],
            "mu": s["mu"][k],
        }
        for k, name in enumerate(problem["names"])
    ]


def sensitivity(spec: SweepSpec, results: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Sobol (S1, ST, their 95 % intervals over samples and over seeds, and a convergence check)
    or Morris (mu*, sigma) indices per outcome and parameter; empty for grid and LHS designs.
    An outcome the method cannot use gets one row with a ``note`` saying why."""
    method = spec.sweep.design
    if method not in ("sobol", "morris"):
        return pd.DataFrame()
    rows = []
    for outcome in spec.outcome_names():
        y = point_means(results, outcome, len(design))
        reason = _skip_reason(results, outcome, y)
        if reason:
            rows.append({"outcome": outcome, "parameter": "", "note": reason})
        elif method == "sobol":
            rows += _sobol_rows(spec, results, outcome, y)
        else:
            rows += _morris_rows(spec, design, outcome, y)
    return pd.DataFrame(rows)
