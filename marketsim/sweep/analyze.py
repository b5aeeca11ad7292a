"""Analyse a sweep (finished or interrupted): summaries with seed noise and confidence intervals,
sensitivity indices and fan charts, as CSV and PNG in ``analysis/``, written atomically."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from marketsim.reports.metrics import BY_NAME
from marketsim.scenario.loading import format_validation_error
from marketsim.sweep.sensitivity import sensitivity
from marketsim.sweep.spec import SweepSpec
from marketsim.sweep.statistics import QUANTILES, seed_variance, summary, summary_notes
from marketsim.sweep.store import SweepFolderError, read_manifest, read_only, read_part, read_results, read_series


def _pyplot():
    import matplotlib  # noqa: PLC0415 (optional dependency, loaded on use)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


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
    if value not in indices.columns:
        return written
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
    labels = {
        o.name: f"{o.metric} of {o.good} in {o.region} ({BY_NAME[o.metric].unit})" for o in spec.outcomes if o.metric
    }
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
    parameters = list(spec.parameters)
    written = []
    for outcome in spec.outcome_names():
        rows = results[results["outcome"] == outcome]
        fig, axes = plt.subplots(1, len(parameters), figsize=(3.2 * len(parameters), 3), squeeze=False)
        for ax, parameter in zip(axes[0], parameters, strict=True):
            x = pd.to_numeric(rows[parameter], errors="coerce")
            if x.isna().all() and rows[parameter].notna().any():  # a categorical parameter: one column per value
                codes, labels = pd.factorize(rows[parameter], sort=True)
                x = pd.Series(codes, index=rows.index)
                ax.set_xticks(range(len(labels)), [str(label) for label in labels], fontsize=7)
            ax.scatter(x, rows["value"], s=8, alpha=0.6)
            ax.set_xlabel(parameter, fontsize=8)
        axes[0][0].set_ylabel(outcome)
        fig.suptitle(f"{outcome} against each parameter")
        written.append(_save(fig, folder / f"scatter_{outcome}.png"))
    return written


def load_sweep(folder: Path) -> tuple[dict, SweepSpec, pd.DataFrame, pd.DataFrame]:
    """A sweep's manifest, spec, results and design, with a clear error for anything damaged.

    Raises:
        SweepFolderError: If the manifest, its spec or a part cannot be used.
        FileNotFoundError: If no run has been recorded yet.
    """
    manifest = read_manifest(folder)
    if manifest is None:
        raise SweepFolderError(f"{folder}: not a sweep folder (no manifest.json)")
    try:
        spec = SweepSpec.model_validate(manifest["spec"])
    except ValidationError as error:
        raise SweepFolderError(
            f"{folder / 'manifest.json'}: the sweep spec it records is not valid:\n"
            + format_validation_error(error, "manifest.json: spec")
        ) from None
    results = read_results(folder)
    design = read_part(folder / "design.parquet").to_pandas().drop(columns="point")
    return manifest, spec, results, design


def missing_runs(manifest: dict, results: pd.DataFrame) -> list[str]:
    """A note naming the runs not recorded yet, if any (an interrupted sweep)."""
    planned = int(manifest.get("runs", 0))
    done = results["run_id"].nunique()
    if done >= planned:
        return []
    return [
        f"{planned - done} of {planned} runs have no result yet (the sweep was interrupted or is still running); "
        "statistics cover the runs done; finish it with `marketsim sweep ... --resume`"
    ]


def analysis_folder(folder: Path) -> Path:
    """A fresh hidden folder beside ``folder/analysis`` to write the analysis into.

    Raises:
        SweepFolderError: If the sweep folder or its analysis cannot be written.
    """
    target = folder / "analysis"
    if target.exists() and not target.is_dir():
        raise SweepFolderError(f"{target} is a file; remove or rename it so the analysis can be written there")
    for path in (folder, target):
        if path.exists() and read_only(path):
            raise SweepFolderError(f"{path} is read-only; make it writable (or copy the sweep elsewhere) to analyse it")
    for leftover in folder.glob(".analysis-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=folder, prefix=".analysis-"))


def publish(draft: Path, target: Path) -> None:
    """Put a finished analysis in place of the old one in one rename each."""
    old = None
    if target.exists():
        old = target.with_name(f"{draft.name}-old")
        target.rename(old)
    draft.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def analyze(folder: str | Path) -> tuple[list[Path], list[str]]:
    """Write ``analysis/`` into a sweep folder: summary.csv, seed_variance.csv, sensitivity indices
    (Sobol or Morris designs), scatter plots (grid and LHS), fan charts when series were saved,
    and notes.txt. The folder appears whole: a killed analysis leaves the previous one.

    Returns:
        The files written, and the notes a reader must see (seed noise, failures, censoring,
        missing runs, indices that could not be computed).
    """
    folder = Path(folder)
    manifest, spec, results, design = load_sweep(folder)
    draft = analysis_folder(folder)
    try:
        written, notes = _write_analysis(draft, manifest, spec, results, design, folder)
        (draft / "notes.txt").write_text("".join(f"{note}\n" for note in notes), encoding="utf-8")
        written.append(draft / "notes.txt")
        publish(draft, folder / "analysis")
    except BaseException:
        shutil.rmtree(draft, ignore_errors=True)
        raise
    return [folder / "analysis" / path.name for path in written], notes


def _write_analysis(out, manifest, spec, results, design, folder) -> tuple[list[Path], list[str]]:
    """Write every table and figure into ``out``."""
    notes = missing_runs(manifest, results)
    table = summary(results, spec.sweep.root_seed)
    notes += summary_notes(table, spec.sweep.replications)
    written = [out / "summary.csv", out / "seed_variance.csv"]
    table.to_csv(written[0], index=False)
    seed_variance(results).to_csv(written[1], index=False)
    indices = sensitivity(spec, results, design)
    if not indices.empty:
        path = out / f"{spec.sweep.design}_indices.csv"
        indices.to_csv(path, index=False)
        written += [path, *_plot_indices(indices, spec.sweep.design, out)]
        if "note" in indices:
            for row in indices[indices["note"].notna()].itertuples():
                notes.append(f"{row.outcome}: {spec.sweep.design} indices {row.note}")
        if "converged" in indices and (indices["converged"] == False).any():  # noqa: E712 (None is unknown)
            notes.append(
                "some Sobol indices changed by more than 0.1 between half and all of the samples "
                "(column converged); use more samples before reading them"
            )
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
    return written, notes
