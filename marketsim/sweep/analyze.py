"""Analyse a finished sweep: sensitivity indices, summaries and fan charts, as CSV and PNG."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from marketsim.reports.metrics import BY_NAME
from marketsim.sweep.design import salib_problem
from marketsim.sweep.execute import read_results, read_series
from marketsim.sweep.spec import SweepSpec

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _pyplot():
    import matplotlib  # noqa: PLC0415 (optional dependency, loaded on use)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def point_means(results: pd.DataFrame, outcome: str, points: int) -> np.ndarray:
    """(points,) an outcome's mean over replications at each design point, in point order."""
    values = results[results["outcome"] == outcome].groupby("point")["value"].mean()
    return values.reindex(range(points)).to_numpy(dtype=float)


def sensitivity(spec: SweepSpec, results: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Sobol (first-order and total, with 95 % confidence intervals) or Morris (mu*, sigma)
    indices per outcome and parameter; empty for grid and LHS designs."""
    method = spec.sweep.design
    if method not in ("sobol", "morris"):
        return pd.DataFrame()
    from SALib.analyze import morris, sobol  # noqa: PLC0415

    problem = salib_problem(spec)
    rows = []
    for outcome in spec.outcomes:
        y = point_means(results, outcome.name, len(design))
        if not np.isfinite(y).all():
            rows.append(
                {
                    "outcome": outcome.name,
                    "parameter": "",
                    "note": "skipped: some runs failed or never reached the threshold (NaN)",
                }
            )
            continue
        if np.ptp(y) == 0:
            rows.append(
                {"outcome": outcome.name, "parameter": "", "note": f"skipped: the same value ({y[0]:g}) in every run"}
            )
            continue
        if method == "sobol":
            s = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=spec.sweep.root_seed)
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome.name,
                        "parameter": name,
                        "S1": s["S1"][k],
                        "S1_conf": s["S1_conf"][k],
                        "ST": s["ST"][k],
                        "ST_conf": s["ST_conf"][k],
                    }
                )
        else:
            x = design[problem["names"]].to_numpy(dtype=float)
            s = morris.analyze(problem, x, y, conf_level=0.95, num_levels=spec.sweep.levels, seed=spec.sweep.root_seed)
            for k, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": outcome.name,
                        "parameter": name,
                        "mu_star": s["mu_star"][k],
                        "mu_star_conf": s["mu_star_conf"][k],
                        "sigma": s["sigma"][k],
                        "mu": s["mu"][k],
                    }
                )
    return pd.DataFrame(rows)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: runs, failures, mean, standard deviation and quantiles over all runs."""
    grouped = results.groupby("outcome")["value"]
    table = pd.DataFrame(
        {
            "runs": grouped.size(),
            "failed": results.groupby("outcome")["error"].count(),
            "mean": grouped.mean(),
            "std": grouped.std(),
        }
    )
    for q in QUANTILES:
        table[f"q{round(q * 100):02d}"] = grouped.quantile(q)
    return table.reset_index()


def fan_quantiles(series: pd.DataFrame) -> pd.DataFrame:
    """Quantiles across runs of each outcome's monthly series: outcome, tick, q05 ... q95."""
    grouped = series.groupby(["outcome", "tick"])["value"]
    table = pd.concat({f"q{round(q * 100):02d}": grouped.quantile(q) for q in QUANTILES}, axis=1)
    return table.reset_index()


def _save(fig, path: Path) -> Path:
    """Write a figure to PNG and free it."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def _plot_indices(indices: pd.DataFrame, method: str, folder: Path) -> list[Path]:
    plt = _pyplot()
    written = []
    value, error = ("ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf")
    for outcome, rows in indices.dropna(subset=[value]).groupby("outcome"):
        fig, ax = plt.subplots(figsize=(7, 0.5 + 0.5 * len(rows)))
        ax.barh(rows["parameter"], rows[value], xerr=rows[error], color="#4477aa")
        if method == "sobol":
            ax.barh(rows["parameter"], rows["S1"], height=0.4, color="#ee7733", label="first order (S1)")
            ax.legend(loc="lower right")
        label = "total-order Sobol index (ST), 95 % CI" if method == "sobol" else "Morris mu* (95 % CI)"
        ax.set_xlabel(label)
        ax.set_title(f"{outcome}: which parameters matter")
        written.append(_save(fig, folder / f"{method}_{outcome}.png"))
    return written


def _plot_fans(quantiles: pd.DataFrame, spec: SweepSpec, folder: Path) -> list[Path]:
    plt = _pyplot()
    written = []
    labels = {o.name: f"{o.metric} of {o.good} in {o.region} ({BY_NAME[o.metric].unit})" for o in spec.outcomes}
    for outcome, rows in quantiles.groupby("outcome"):
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.fill_between(rows["tick"], rows["q05"], rows["q95"], alpha=0.25, color="#4477aa", label="5-95 %")
        ax.fill_between(rows["tick"], rows["q25"], rows["q75"], alpha=0.45, color="#4477aa", label="25-75 %")
        ax.plot(rows["tick"], rows["q50"], color="#223355", label="median")
        ax.set_xlabel("months since start")
        ax.set_ylabel(labels.get(outcome, outcome), fontsize=9)
        ax.set_title(f"{outcome}: monthly series across all runs")
        ax.legend()
        written.append(_save(fig, folder / f"fan_{outcome}.png"))
    return written


def _plot_scatter(spec: SweepSpec, results: pd.DataFrame, folder: Path) -> list[Path]:
    plt = _pyplot()
    names = list(spec.parameters)
    written = []
    for outcome in spec.outcomes:
        rows = results[results["outcome"] == outcome.name]
        fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3), squeeze=False)
        for ax, name in zip(axes[0], names, strict=True):
            ax.scatter(pd.to_numeric(rows[name], errors="coerce"), rows["value"], s=8, alpha=0.6)
            ax.set_xlabel(name, fontsize=8)
        axes[0][0].set_ylabel(outcome.name)
        fig.suptitle(f"{outcome.name} against each parameter")
        written.append(_save(fig, folder / f"scatter_{outcome.name}.png"))
    return written


def analyze(folder: str | Path) -> list[Path]:
    """Write ``analysis/`` into a sweep folder: summary.csv, sensitivity indices (Sobol or Morris
    designs), scatter plots (grid and LHS), and fan charts when series were saved.

    Returns:
        The files written.
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    spec = SweepSpec.model_validate(manifest["spec"])
    results = read_results(folder)
    design = pd.read_parquet(folder / "design.parquet").drop(columns="point")
    out = folder / "analysis"
    out.mkdir(exist_ok=True)
    written = []
    path = out / "summary.csv"
    summary(results).to_csv(path, index=False)
    written.append(path)
    indices = sensitivity(spec, results, design)
    if not indices.empty:
        path = out / f"{spec.sweep.design}_indices.csv"
        indices.to_csv(path, index=False)
        written += [path, *_plot_indices(indices, spec.sweep.design, out)]
    else:
        written += _plot_scatter(spec, results, out)
    try:
        quantiles = fan_quantiles(read_series(folder))
    except FileNotFoundError:
        quantiles = None
    if quantiles is not None:
        path = out / "fan_quantiles.csv"
        quantiles.to_csv(path, index=False)
        written += [path, *_plot_fans(quantiles, spec, out)]
    return written
