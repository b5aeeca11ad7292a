"""Figures of the validation report: historical paths beside the data, the baseline across seeds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from marketsim.calibration.statistics import MonthlySeries, TidyTable, month_number
from marketsim.calibration.targets import SeriesSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

GOOD_LABELS = {"ndpr": "NdPr oxide", "dytb": "Dy/Tb oxide", "lace": "La/Ce oxide"}
DPI = 110


def price_spec(
    good: str, regions: list[str], region_combine: str = "mean", weights: list[float] | None = None
) -> SeriesSpec:
    """The monthly price of a good, averaged over regions (with ``weights`` when combined "weighted")."""
    return SeriesSpec(metric="price", goods=[good], regions=regions, combine=region_combine, weights=weights)


def outside_label(outside: SeriesSpec) -> str:
    """A legend label for the outside-China price, e.g. ``outside China (japan 18, usa 8.5, eu 8.5)``."""
    weights = outside.weights or [1.0] * len(outside.regions)
    parts = ", ".join(f"{region} {weight:g}" for region, weight in zip(outside.regions, weights, strict=True))
    return f"outside China ({parts})"


def _years(months: np.ndarray) -> np.ndarray:
    """Month numbers as decimal years at mid-month, for the x axis."""
    return months / 12.0 + 1.0 / 24.0


def _stack(series: Sequence[MonthlySeries]) -> tuple[np.ndarray, np.ndarray]:
    """Seeds' series on their common months, as (months, values[seed, month])."""
    first = max(item.months[0] for item in series)
    last = min(item.months[-1] for item in series)
    months = np.arange(first, last + 1)
    values = np.array([item.values[first - item.months[0] : last - item.months[0] + 1] for item in series])
    return months, values


def _band(axis: Any, series: Sequence[MonthlySeries], colour: str, label: str, dashed: bool = False) -> None:
    series = [item for item in series if len(item.months)]
    if not series:
        return
    months, values = _stack(series)
    x = _years(months)
    axis.plot(x, np.nanmedian(values, axis=0), color=colour, lw=1.6, ls="--" if dashed else "-", label=label)
    if len(series) > 1:
        axis.fill_between(x, np.nanmin(values, axis=0), np.nanmax(values, axis=0), color=colour, alpha=0.15, lw=0)


def _points(axis: Any, points: list[dict[str, Any]], good: str, span: tuple[float, float]) -> None:
    label = "REFERENCE §5, §10"
    for point in points:
        x = float(_years(np.array(month_number(point["month"]))))
        if point["good"] != good or not span[0] <= x <= span[1]:
            continue
        low, high = point["low"], point["high"]
        axis.plot([x, x], [low, high], color="black", lw=2.5, solid_capstyle="butt")
        axis.plot([x], [(low * high) ** 0.5], "o", color="black", ms=4, label=label)
        label = None


def history_figure(
    name: str, tables: Sequence[TidyTable], points: list[dict[str, Any]], path: Path, outside_price: SeriesSpec
) -> Path:
    """Prices of NdPr and Dy/Tb in a historical scenario (median and range over seeds) beside the data.

    Args:
        name: The scenario's name, for the title.
        tables: One indexed tidy table per seed.
        points: Data points (good, month, low, high) from configs/targets/price_points.toml.
        path: The PNG to write.
        outside_price: The outside-China price as the target file defines it (its good is replaced).
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
    for axis, good in zip(axes, ("ndpr", "dytb"), strict=True):
        spec = price_spec(good, outside_price.regions, outside_price.combine, outside_price.weights)
        outside = [table.series(spec) for table in tables]
        china = [table.series(price_spec(good, ["china"])) for table in tables]
        _band(axis, outside, "tab:red", outside_label(outside_price))
        _band(axis, china, "tab:blue", "China domestic", dashed=True)
        months = [item.months for item in outside if len(item.months)]
        if months:
            span = (float(_years(min(m[0] for m in months))), float(_years(max(m[-1] for m in months))))
            _points(axis, points, good, span)
        axis.set_yscale("log")
        axis.set_title(f"{GOOD_LABELS[good]}, US$/kg")
        axis.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8, loc="lower right")
    seeds = f"{len(tables)} seed{'s' if len(tables) > 1 else ''}: median, band = range"
    figure.suptitle(f"{name}: model ({seeds}) and data")
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def baseline_figure(annual: dict[str, dict[int, np.ndarray]], first_year: int, path: Path) -> Path:
    """Annual world prices of the baseline, one line per seed, with the band 0.5-3x the first year.

    Args:
        annual: By good, the annual mean price by seed (``{good: {seed: prices by year}}``).
        first_year: The calendar year of the first value.
        path: The PNG to write.
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
    for axis, good in zip(axes, ("ndpr", "dytb"), strict=True):
        for seed, prices in annual[good].items():
            axis.plot(first_year + np.arange(len(prices)), prices, lw=1.2, label=f"seed {seed}")
            if good == "ndpr":
                axis.axhspan(0.5 * prices[0], 3.0 * prices[0], color="tab:green", alpha=0.03)
        axis.set_yscale("log")
        axis.set_title(f"World {GOOD_LABELS[good]}, annual mean, US$/kg")
        axis.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=7, ncols=2)
    figure.suptitle("baseline_2024 across seeds (shading: 0.5-3x each seed's 2024 NdPr)")
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path
