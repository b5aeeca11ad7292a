"""Statistics of a sweep's results that keep seed noise apart from the parameters' effects.

- :func:`summary`: per outcome, how many runs finished, failed, were censored (the event never
  happened before the run ended) or gave no value; mean with a bootstrap confidence interval
  that resamples design points with all their replications; quantiles; and the share of the
  variance due to seeds.
- :func:`seed_variance`: that share at each design point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SEED_SHARE_WARNING = 0.25
"""Above this share of the variance due to seeds, the analysis warns that noise dominates."""
BOOTSTRAP_SAMPLES = 1000
CONFIDENCE = 0.95


def finite(results: pd.DataFrame) -> pd.DataFrame:
    """Rows with a usable value (the run finished and the outcome was reached)."""
    return results[np.isfinite(results["value"].to_numpy(dtype=float))]


def bootstrap_mean(values: pd.DataFrame, seed: int = 0) -> tuple[float, float]:
    """Confidence interval of the mean over runs, resampling design points (each with all its
    replications), so runs that share a point are not counted as independent.

    Args:
        values: Rows of one outcome with ``point`` and a finite ``value``.
        seed: Seed of the resampling.

    Returns:
        The lower and upper bounds (NaN for fewer than two points).
    """
    grouped = values.groupby("point")["value"]
    sums, counts = grouped.sum().to_numpy(), grouped.size().to_numpy()
    if len(sums) < 2:
        return float("nan"), float("nan")
    picks = np.random.default_rng(seed).integers(0, len(sums), size=(BOOTSTRAP_SAMPLES, len(sums)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def seed_share(values: pd.DataFrame) -> float:
    """Share of an outcome's variance that is seed-to-seed variance at the same design point:
    the mean within-point variance over the total variance (NaN without replications)."""
    within = values.groupby("point")["value"].var(ddof=1).dropna()
    total = values["value"].var(ddof=1)
    if within.empty or not total > 0:
        return float("nan") if within.empty else 0.0
    return float(min(1.0, within.mean() / total))


def summary(results: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Per outcome: runs, failed, censored, no_value, finite, mean and its bootstrap confidence
    interval, std, quantiles and ``seed_share`` (see :func:`seed_share`)."""
    rows = []
    for outcome, rows_of in results.groupby("outcome", sort=True):
        failed = rows_of["error"].notna()
        censored = rows_of["censored"].astype(bool) & ~failed
        good = finite(rows_of)
        low, high = bootstrap_mean(good, seed)
        row = {
            "outcome": outcome,
            "runs": len(rows_of),
            "failed": int(failed.sum()),
            "censored": int(censored.sum()),
            "no_value": int(len(rows_of) - len(good) - failed.sum() - censored.sum()),
            "finite": len(good),
            "mean": good["value"].mean(),
            "mean_ci_low": low,
            "mean_ci_high": high,
            "std": good["value"].std(),
        }
        for q in QUANTILES:
            row[f"q{round(q * 100):02d}"] = good["value"].quantile(q) if len(good) else float("nan")
        row["seed_share"] = seed_share(good)
        rows.append(row)
    return pd.DataFrame(rows)


def seed_variance(results: pd.DataFrame) -> pd.DataFrame:
    """Per outcome and design point: runs, mean, standard deviation across seeds, and the share
    of the outcome's total variance that this point's seed variance represents."""
    good = finite(results)
    total = good.groupby("outcome")["value"].var(ddof=1)
    table = good.groupby(["outcome", "point"])["value"].agg(runs="size", mean="mean", std="std").reset_index()
    table["share_of_total_variance"] = table["std"] ** 2 / table["outcome"].map(total).replace(0.0, np.nan)
    return table


def summary_notes(table: pd.DataFrame, replications: int) -> list[str]:
    """Warnings a reader must see: seed noise over the threshold, failures, censored outcomes."""
    notes = []
    if replications < 2:
        notes.append(
            "one seed per design point: seed noise cannot be told apart from the parameters' effects; "
            "add replications to measure it"
        )
    for row in table.itertuples():
        if row.seed_share > SEED_SHARE_WARNING:
            notes.append(
                f"{row.outcome}: {row.seed_share:.0%} of its variance is seed-to-seed noise at the same design "
                f"point (over {SEED_SHARE_WARNING:.0%}); its sensitivity indices mostly measure noise; add "
                "replications or read the seed_variance.csv"
            )
        if row.failed:
            notes.append(f"{row.outcome}: {row.failed} of {row.runs} runs failed (see the results' error column)")
        if row.censored:
            notes.append(
                f"{row.outcome}: {row.censored} of {row.runs} runs never reached the threshold before the run "
                "ended (censored); its statistics cover only the runs that did"
            )
    return notes
