"""Stability figures of the no-policy baseline across seeds (issue 13's targets).

* annual world NdPr stays within 0.5-3x of its first-year (2024) level every year;
* the log standard deviation of annual prices is at most 0.4 for NdPr and 0.5 for Dy/Tb;
* NdPr in the last year differs across seeds by a coefficient of variation of at most 0.3;
* China's share of separation stays within 75-95 % through 2035;
* China's share of separation in 2030 lies within 70-90 % (IEA: 77 % from announced projects).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marketsim.calibration.statistics import TidyTable
from marketsim.calibration.targets import SeriesSpec

PRICE_BAND = (0.5, 3.0)
LOG_SD_LIMIT = {"ndpr": 0.4, "dytb": 0.5}
CV_LIMIT = 0.3
SHARE_BAND = (0.75, 0.95)
SHARE_BAND_UNTIL = 2035
SHARE_2030_BAND = (0.70, 0.90)
SHARE_YEAR = 2030


@dataclass(frozen=True)
class StabilityCheck:
    """One stability figure: what it checks, the target, the model's value (as text) and the verdict."""

    name: str
    target: str
    value: str
    passed: bool


def _annual(table: TidyTable, spec: SeriesSpec) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years with all 12 months recorded, and the series' mean in each."""
    series = table.series(spec)
    years = series.months // 12
    kept = [year for year in np.unique(years) if np.isfinite(series.values[years == year]).sum() == 12]
    return np.array(kept, dtype=int), np.array([series.values[years == year].mean() for year in kept])


def annual_prices(table: TidyTable, good: str) -> tuple[np.ndarray, np.ndarray]:
    """Years and annual mean world price of a good."""
    return _annual(table, SeriesSpec(metric="price", goods=[good], regions=["world"]))


def annual_separation_share(table: TidyTable) -> tuple[np.ndarray, np.ndarray]:
    """Years and annual mean of China's share of world separation."""
    return _annual(table, SeriesSpec(metric="china_share_separation", goods=["all"], regions=["world"]))


def _price_band(tables: list[TidyTable]) -> StabilityCheck:
    ratios = np.concatenate([prices / prices[0] for _, prices in (annual_prices(t, "ndpr") for t in tables)])
    low, high = PRICE_BAND
    return StabilityCheck(
        "World NdPr, every year, over its 2024 level",
        f"{low}-{high}x",
        f"{ratios.min():.2f}-{ratios.max():.2f}x (all seeds and years)",
        bool(ratios.min() >= low and ratios.max() <= high),
    )


def _log_sd(tables: list[TidyTable], good: str) -> StabilityCheck:
    spreads = [float(np.std(np.log(prices))) for _, prices in (annual_prices(t, good) for t in tables)]
    label = {"ndpr": "NdPr", "dytb": "Dy/Tb"}[good]
    return StabilityCheck(
        f"Log standard deviation of annual world {label} prices",
        f"<= {LOG_SD_LIMIT[good]}",
        f"{min(spreads):.2f}-{max(spreads):.2f} over seeds",
        max(spreads) <= LOG_SD_LIMIT[good],
    )


def _end_cv(tables: list[TidyTable]) -> StabilityCheck:
    years, _ = annual_prices(tables[0], "ndpr")
    last = [prices[-1] for _, prices in (annual_prices(t, "ndpr") for t in tables)]
    cv = float(np.std(last, ddof=1) / np.mean(last)) if len(last) > 1 else float("nan")
    return StabilityCheck(
        f"Coefficient of variation across seeds of world NdPr in {years[-1]} (sample sd)",
        f"<= {CV_LIMIT}",
        f"{cv:.2f} (prices {min(last):.0f}-{max(last):.0f})" if np.isfinite(cv) else "n/a (one seed)",
        bool(np.isfinite(cv) and cv <= CV_LIMIT),
    )


def _share_band(tables: list[TidyTable]) -> StabilityCheck:
    shares = []
    for table in tables:
        years, values = annual_separation_share(table)
        shares.append(values[years <= SHARE_BAND_UNTIL])
    both = np.concatenate(shares)
    low, high = SHARE_BAND
    return StabilityCheck(
        f"China's share of separation, every year through {SHARE_BAND_UNTIL}",
        f"{low:.0%}-{high:.0%}",
        f"{both.min():.1%}-{both.max():.1%}",
        bool(both.min() >= low and both.max() <= high),
    )


def _share_in(tables: list[TidyTable]) -> StabilityCheck:
    values = []
    for table in tables:
        years, shares = annual_separation_share(table)
        values += list(shares[years == SHARE_YEAR])
    low, high = SHARE_2030_BAND
    if not values:
        return StabilityCheck(f"China's share of separation in {SHARE_YEAR}", f"{low:.0%}-{high:.0%}", "not run", False)
    return StabilityCheck(
        f"China's share of separation in {SHARE_YEAR} (IEA: 77 % from announced projects, REFERENCE §2)",
        f"{low:.0%}-{high:.0%}",
        f"{np.median(values):.1%} (seeds {min(values):.1%}-{max(values):.1%})",
        bool(min(values) >= low and max(values) <= high),
    )


def stability_checks(tables: list[TidyTable]) -> list[StabilityCheck]:
    """Every stability figure of the baseline, from one indexed run table per seed."""
    return [
        _price_band(tables),
        _log_sd(tables, "ndpr"),
        _log_sd(tables, "dytb"),
        _end_cv(tables),
        _share_band(tables),
        _share_in(tables),
    ]
