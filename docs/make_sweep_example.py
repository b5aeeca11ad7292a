"""Regenerate docs/sweeps.md's worked example on the current model, in one command.

Runs configs/sweeps/quota_stockpile.toml (48 eight-year runs: 24 LHS points x 2 seeds) on local
workers, analyses it (seed variance, bootstrap intervals), runs the same question through the EMA
Workbench adapter (64 experiments) and finds a PRIM box for "Japan's magnet output falls short",
then writes docs/img/sweep_*.png and the text between the example markers of docs/sweeps.md.

    PYTHONPATH=. .venv/bin/python docs/make_sweep_example.py [--workers 2] [--experiments 64]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "configs" / "sweeps" / "quota_stockpile.toml"
IMG = ROOT / "docs" / "img"
DOC = ROOT / "docs" / "sweeps.md"
START, END = "<!-- example:start (docs/make_sweep_example.py writes this part) -->", "<!-- example:end -->"
LOW_OUTPUT_QUANTILE = 0.25
"""PRIM looks for the parameter box where Japan's magnet output is in the lowest quarter of runs."""
MIN_DENSITY = 0.8
"""The box shown is the one of PRIM's peeling trajectory with the most coverage at this density or more."""


def run_sweep_and_analysis(out: Path, workers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The example sweep and its analysis; returns the results and summary.csv."""
    from marketsim.sweep import load_spec, read_results, run_sweep  # noqa: PLC0415
    from marketsim.sweep.analyze import analyze  # noqa: PLC0415

    spec, base = load_spec(SPEC)
    run_sweep(spec, base, out, workers=workers, timeseries=True)
    analyze(out)
    shutil.copy(out / "analysis" / "scatter_japan_magnet_output.png", IMG / "sweep_quota_japan_magnets.png")
    shutil.copy(out / "analysis" / "fan_japan_ndpr_peak.png", IMG / "sweep_quota_fan_japan_ndpr.png")
    return read_results(out), pd.read_csv(out / "analysis" / "summary.csv")


def plot_intervals(summary: pd.DataFrame) -> None:
    """Each outcome's mean with its 95 % bootstrap interval, and its seed share."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows = summary.set_index("outcome")
    fig, axes = plt.subplots(1, len(rows), figsize=(3.0 * len(rows), 3.0))
    for ax, (name, row) in zip(np.atleast_1d(axes), rows.iterrows(), strict=True):
        ax.errorbar([0], [row["mean"]], yerr=[[row["mean"] - row["mean_ci_low"]], [row["mean_ci_high"] - row["mean"]]])
        ax.plot([0], [row["mean"]], "o")
        ax.set_xticks([])
        ax.set_title(f"{name}\nseed share {row['seed_share']:.0%}", fontsize=8)
    fig.suptitle("Mean over runs with its 95 % bootstrap interval (design points resampled)", fontsize=9)
    fig.tight_layout()
    fig.savefig(IMG / "sweep_quota_intervals.png", dpi=110)
    plt.close(fig)


EMA_SEED = 2024
"""Seed of the EMA experiments' Latin hypercube."""


def run_prim(experiments: int, workers: int) -> dict:
    """The example through the EMA adapter, and PRIM's box for low Japanese magnet output."""
    from ema_workbench import MultiprocessingEvaluator  # noqa: PLC0415
    from ema_workbench.analysis import prim  # noqa: PLC0415

    from marketsim.sweep.ema import ema_model_from_spec  # noqa: PLC0415

    model = ema_model_from_spec(SPEC, replications=1)
    with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
        # EMA draws its Latin hypercube from the generator it is given: seeded, the box is reproducible.
        frame, outcomes = evaluator.perform_experiments(
            scenarios=experiments, uncertainty_sampling_kwargs={"rng": EMA_SEED}
        )
    output = np.asarray(outcomes["japan_magnet_output"])
    cutoff = float(np.quantile(output, LOW_OUTPUT_QUANTILE))
    x = frame[[u.name for u in model.uncertainties]]
    box = prim.Prim(x, output <= cutoff).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= MIN_DENSITY]
    box.select(int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax()))
    figure = box.inspect(style="graph")
    figure = figure[0] if isinstance(figure, list | tuple) else figure
    figure = figure[0] if isinstance(figure, tuple) else figure
    figure = getattr(figure, "figure", figure)
    figure.set_size_inches(11, 3.4)  # room for the parameter names and the box limits side by side
    figure.subplots_adjust(left=0.34, right=0.78, top=0.9, bottom=0.12)
    figure.savefig(IMG / "sweep_prim_box.png", dpi=110)
    first, chosen = box.box_lims[0], box.box_lim
    restricted = [name for name in chosen.columns if not chosen[name].equals(first[name])]
    stats = trajectory.iloc[box._cur_box]
    return {"cutoff": cutoff, "limits": chosen[restricted]} | {
        key: float(stats[key]) for key in ("coverage", "density")
    }


def correlation(results: pd.DataFrame, outcome: str, parameter: str) -> float:
    """Spearman rank correlation of an outcome with a parameter across runs."""
    rows = results[(results["outcome"] == outcome) & results["value"].notna()]
    return float(rows[parameter].rank().corr(rows["value"].rank()))


def write_text(results: pd.DataFrame, summary: pd.DataFrame, box: dict, commit: str) -> None:
    """Replace the example section of docs/sweeps.md."""
    rows = summary.set_index("outcome")
    quota, stock, elasticity = "events.0.tonnes_per_year", "events.1.tonnes", "sectors.ev.elasticity_short"

    def line(name: str, unit: str) -> str:
        row = rows.loc[name]
        return (
            f"| `{name}` | {row['mean']:,.1f} {unit} | {row['mean_ci_low']:,.1f} to {row['mean_ci_high']:,.1f} | "
            f"{row['seed_share']:.0%} | {correlation(results, name, quota):+.2f} | "
            f"{correlation(results, name, stock):+.2f} | {correlation(results, name, elasticity):+.2f} |"
        )

    limits = box["limits"]
    box_rows = (
        "\n".join(
            f"| `{name.replace('__', '.')}` | {limits[name].iloc[0]:,.4g} | {limits[name].iloc[1]:,.4g} |"
            for name in limits.columns
        )
        or "| (none: no box is denser than the whole space) | | |"
    )
    censored = int(rows.loc["months_to_ndpr_100", "censored"])
    text = f"""{START}
Generated on commit `{commit}` by `docs/make_sweep_example.py` (48 runs of the sweep, 64 EMA experiments).

| outcome | mean | 95 % interval | seed share | rank corr. quota | stockpile release | EV elasticity |
|---|---|---|---|---|---|---|
{line("japan_ndpr_peak", "US$/kg")}
{line("china_ndpr_mean", "US$/kg")}
{line("japan_magnet_output", "t/month")}
{line("months_to_ndpr_100", "months")}

The interval resamples design points with both their seeds; the seed share is the part of the
outcome's variance that is seed-to-seed noise at the same point. `months_to_ndpr_100` was never
reached (censored) in {censored} of 48 runs; those runs are reported as censored, not dropped.

![Mean and 95 % interval of each outcome](img/sweep_quota_intervals.png)

![Japan's magnet output against each parameter](img/sweep_quota_japan_magnets.png)

![NdPr price in Japan across all runs](img/sweep_quota_fan_japan_ndpr.png)

**Scenario discovery (PRIM).** The same spec through the EMA adapter
(`ema_model_from_spec("configs/sweeps/quota_stockpile.toml")`, 64 Latin-hypercube experiments):
which parameter box holds the runs where Japan's magnet output is in the lowest quarter (below
{box["cutoff"]:,.0f} t/month)? Of PRIM's peeling trajectory, the box with the most coverage at a
density of at least {MIN_DENSITY:.0%} (or the densest) covers {box["coverage"]:.0%} of those runs with
a density of {box["density"]:.0%}; it restricts these parameters (the others stay free):

| parameter | box low | box high |
|---|---|---|
{box_rows}

![PRIM box for low Japanese magnet output](img/sweep_prim_box.png)
{END}"""
    doc = DOC.read_text(encoding="utf-8")
    head, _, rest = doc.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + text + tail, encoding="utf-8")


def main() -> None:
    """Run the example and rewrite the figures and the docs section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--experiments", type=int, default=64)
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    folder = Path(tempfile.mkdtemp(prefix="sweep-example-"))
    try:
        results, summary = run_sweep_and_analysis(folder / "quota", args.workers)
        plot_intervals(summary)
        box = run_prim(args.experiments, args.workers)
        write_text(results, summary, box, commit.stdout.strip() or "unknown")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"wrote {DOC.relative_to(ROOT)} and docs/img/sweep_*.png")


if __name__ == "__main__":
    main()
