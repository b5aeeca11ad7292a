"""Regenerate the scenario figures of docs/scenarios.md.

Run from the repository root:

    .venv/bin/python docs/make_scenario_plots.py            # every scenario below
    .venv/bin/python docs/make_scenario_plots.py escalation # only the ones named

Each scenario in configs/ is run as written (its own length and seed) and gets one figure,
docs/img/scenarios/<name>.png, with three panels sharing the time axis:

1. NdPr oxide price buyers pay in China, Japan, the USA and the EU (metric ``price``);
2. Dy/Tb oxide price, same regions;
3. China dependency at the separation stage (``dependency_separation``, good ``all``) of Japan,
   the USA and the EU, and China's share of world separation (``china_share_separation``).

Grey dotted lines mark the months in which the scenario's events start.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, PercentFormatter

from marketsim.loading import load_scenario
from marketsim.model import RareEarthModel

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
OUT = ROOT / "docs" / "img" / "scenarios"
SCENARIOS = ("baseline_2024", "history_2009", "licensing_2025", "friendshoring", "recycling_push", "escalation",
             "ai_world")

REGIONS = {  # region id: (label, colour, line style, width)
    "china": ("China", "#d62728", "-", 2.2),
    "japan": ("Japan", "#1f77b4", "--", 1.6),
    "usa": ("USA", "#2ca02c", "-.", 1.6),
    "eu": ("EU", "#9467bd", ":", 2.0),
}


def run(name: str) -> tuple[pd.DataFrame, object]:
    """Run a scenario as written and return its tidy results and the scenario."""
    scenario = load_scenario(CONFIGS / f"{name}.toml")
    model = RareEarthModel(scenario)
    model.run()
    table = model.results()
    table["date"] = pd.to_datetime(table["date"].astype(str), format="%Y-%m")
    return table, scenario


def series(table: pd.DataFrame, metric: str, good: str, region: str) -> pd.Series:
    """One metric as a time series (empty where the model left cells out)."""
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    return rows.set_index("date")["value"].sort_index()


def price_panel(ax, table: pd.DataFrame, good: str, title: str) -> None:
    """Prices of one good in the main regions over time."""
    for region, (label, colour, style, width) in REGIONS.items():
        values = series(table, "price", good, region)
        if not values.empty:
            ax.plot(values.index, values.to_numpy(), style, color=colour, lw=width, label=label)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_ylabel("US$/kg (log scale)")
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def dependency_panel(ax, table: pd.DataFrame) -> None:
    """Importers' dependency on Chinese separation, and China's world share of it."""
    for region, (label, colour, style, width) in REGIONS.items():
        if region == "china":
            continue
        values = series(table, "dependency_separation", "all", region)
        if not values.empty:
            ax.plot(values.index, values.to_numpy(), style, color=colour, lw=width, label=label)
    share = series(table, "china_share_separation", "all", "world")
    ax.plot(share.index, share.to_numpy(), "-", color="black", lw=1.2, alpha=0.8,
            label="China's share\nof world output")
    ax.set_ylim(0.0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share (%)")
    ax.set_title("Separation stage: share of each region's use separated in China (dependency_separation,\n"
                 "all goods by REO content), and China's share of world separation output", loc="left", fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def figure(name: str) -> Path:
    """Run one scenario and save its figure; return the file written."""
    table, scenario = run(name)
    info = scenario.scenario
    fig, axes = plt.subplots(3, 1, figsize=(12, 12), sharex=True, layout="constrained")
    price_panel(axes[0], table, "ndpr", "NdPr oxide: price buyers pay")
    price_panel(axes[1], table, "dytb", "Dy/Tb oxide: price buyers pay")
    dependency_panel(axes[2], table)
    months = sorted({pd.Timestamp(f"{event.start}-01") for event in scenario.events})
    first, last = table["date"].min(), table["date"].max()
    for ax in axes:
        for month in months:
            if first <= month <= last:
                ax.axvline(month, color="grey", lw=0.8, ls=":", alpha=0.7, zorder=0)
    span = (last - first).days / 365.25
    axes[2].xaxis.set_major_locator(mdates.YearLocator(1 if span <= 15 else 2))
    axes[2].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes[2].set_xlabel("date (monthly model output)")
    axes[2].set_xlim(first, last)
    headline = f"{name}: seed {info.seed}, {info.start} + {info.years} years"
    if months:
        headline += " (grey dotted lines: events start)"
    fig.suptitle(headline + "\n" + textwrap.fill(info.description, 110), fontsize=12, x=0.01, ha="left")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(names: list[str]) -> None:
    """Draw the figures of the named scenarios (all when none are named)."""
    for name in names or SCENARIOS:
        print("wrote", figure(name).relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
