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

Grey dotted lines mark the months in which the scenario's scripted events start. Where buyers' price
of an oxide passes 60 % of its choke price (``market.max_price_multiple`` times the reference price,
the most sellers may post), a red dashed line marks the choke price.

A scenario whose run draws random shocks or whose governments play strategies (ai_world) gets a
fourth panel, a timeline: each shock as a bar over the months it lasts, and each government's
decisions on a row of its own (stockpile orders as dots, other decisions as labelled diamonds).
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

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
OUT = ROOT / "docs" / "img" / "scenarios"
SCENARIOS = (
    "baseline_2024",
    "history_2009",
    "licensing_2025",
    "friendshoring",
    "recycling_push",
    "escalation",
    "ai_world",
)

REGIONS = {  # region id: (label, colour, line style, width)
    "china": ("China", "#d62728", "-", 2.2),
    "japan": ("Japan", "#1f77b4", "--", 1.6),
    "usa": ("USA", "#2ca02c", "-.", 1.6),
    "eu": ("EU", "#9467bd", ":", 2.0),
}


SHOCKS = {  # event type: (timeline row, colour)
    "dispute": ("shock: dispute", "#ff7f0e"),
    "mine_disruption": ("shock: mine disruption", "#8c564b"),
    "demand_surge": ("shock: demand surge", "#e377c2"),
}
DECISION_LABELS = {  # event type: short label on the timeline
    "tariff": "tariff",
    "export_ban": "ban",
    "export_quota": "quota",
    "export_tax": "export tax",
    "alliance_join": "joins",
    "alliance_leave": "leaves",
}


def run(name: str) -> tuple[pd.DataFrame, RareEarthModel]:
    """Run a scenario as written and return its tidy results and the model after the run."""
    model = RareEarthModel(load_scenario(CONFIGS / f"{name}.toml"))
    model.run()
    table = model.results()
    table["date"] = pd.to_datetime(table["date"].astype(str), format="%Y-%m")
    return table, model


def month(label: str) -> pd.Timestamp:
    """A ``YYYY-MM`` label as a date (the first of the month)."""
    return pd.Timestamp(f"{label}-01")


def series(table: pd.DataFrame, metric: str, good: str, region: str) -> pd.Series:
    """One metric as a time series (empty where the model left cells out)."""
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    return rows.set_index("date")["value"].sort_index()


def price_panel(ax, table: pd.DataFrame, good: str, title: str, choke: float) -> None:
    """Prices of one good in the main regions over time, with the choke price when prices near it."""
    highest = 0.0
    for region, (label, colour, style, width) in REGIONS.items():
        values = series(table, "price", good, region)
        if not values.empty:
            ax.plot(values.index, values.to_numpy(), style, color=colour, lw=width, label=label)
            highest = max(highest, float(values.max()))
    if highest > 0.6 * choke:
        ax.axhline(choke, color="#d62728", lw=1.0, ls="--", alpha=0.6, label=f"choke price\n({choke:,.0f} US$/kg)")
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
    ax.plot(
        share.index, share.to_numpy(), "-", color="black", lw=1.2, alpha=0.8, label="China's share\nof world output"
    )
    ax.set_ylim(0.0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share (%)")
    ax.set_title(
        "Separation stage: share of each region's use separated in China (dependency_separation,\n"
        "all goods by REO content), and China's share of world separation output",
        loc="left",
        fontsize=11,
    )
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def decision_label(event) -> str:
    """Short label of a government decision on the timeline."""
    if event.type == "export_licence":
        return "licences lifted" if event.approval_rate >= 1.0 else f"licence {event.approval_rate:.0%}"
    if event.type == "subsidy":
        return f"subsidies {event.rate:.0%}"
    label = DECISION_LABELS.get(event.type, event.type)
    destinations = getattr(event, "destinations", ())
    return f"{label} on {', '.join(destinations)}" if destinations else label


def clusters(dates: list[pd.Timestamp], gap_months: int = 18) -> list[list[int]]:
    """Indices of sorted dates grouped where consecutive dates are less than ``gap_months`` apart."""
    groups: list[list[int]] = []
    for i, when in enumerate(dates):
        if groups and (when - dates[groups[-1][-1]]).days < gap_months * 30.4:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def timeline_panel(ax, model: RareEarthModel, first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Random shocks (bars over their duration) and governments' decisions (one row each)."""
    rows: list[str] = []

    def row(label: str) -> int:
        if label not in rows:
            rows.append(label)
        return rows.index(label)

    def note(when: pd.Timestamp, y: float, text: str, above: bool = True) -> None:
        # Right-align a label that would run past the right edge (about 0.6 % of the axis a character).
        right = (when - first) / (last - first) + 0.006 * (len(text) + 2) > 0.99
        ax.text(
            when,
            y - 0.3 if above else y + 0.3,
            f" {text} ",
            fontsize=7.5,
            va="bottom" if above else "top",
            ha="right" if right else "left",
            clip_on=True,
        )

    describe = {
        "dispute": lambda e: f"{e.region} vs {e.target}",
        "mine_disruption": lambda e: f"{e.region} mines -{e.share:.0%}",
        "demand_surge": lambda e: f"{e.sector} x{e.factor:g}",
    }
    shocks = sorted((e for e in model.events if e.type in SHOCKS), key=lambda e: (e.type, e.start))
    for kind, (label, colour) in SHOCKS.items():
        events = [e for e in shocks if e.type == kind]
        if not events:
            continue
        y = row(label)
        starts = [month(e.start) for e in events]
        for group in clusters(starts, gap_months=36):
            for k, i in enumerate(group):
                event = events[i]
                end = month(event.end) if event.end else last
                ax.barh(y, (end - starts[i]).days, left=starts[i], height=0.45, color=colour, alpha=0.8)
                note(starts[i], y, describe[kind](event), above=k % 2 == 0)
    decisions = [d for d in model.decisions if d.accepted]
    for region in sorted({d.region for d in decisions}):
        y = row(f"{region}: decisions")
        mine = [d for d in decisions if d.region == region]
        orders = [month(d.event.start) for d in mine if d.event.type == "stockpile"]
        if orders:
            ax.plot(orders, [y] * len(orders), "o", color="#1f77b4", ms=4, ls="none")
        others = sorted((month(d.event.start), decision_label(d.event)) for d in mine if d.event.type != "stockpile")
        if not others:
            continue
        ax.plot([when for when, _ in others], [y] * len(others), "D", color="#2ca02c", ms=6, ls="none")
        for group in clusters([when for when, _ in others]):
            labels = list(dict.fromkeys(others[i][1] for i in group))
            switches = sum(1 for i in group if others[i][1].startswith("licence"))
            if switches > 1:  # a licence switched on and off: one label for the lot
                labels = [f"licences on/off {switches} times"] + [x for x in labels if not x.startswith("licence")]
            note(others[group[0]][0], y, ", ".join(labels))
    ax.set_yticks(range(len(rows)), rows, fontsize=8.5)
    ax.set_ylim(len(rows) - 0.4, -0.9)
    ax.set_title(
        "Random shocks (bars: months they last) and governments' decisions "
        "(dots: stockpile orders; diamonds: other decisions)",
        loc="left",
        fontsize=11,
    )
    ax.grid(True, axis="x", alpha=0.3)


def figure(name: str) -> Path:
    """Run one scenario and save its figure; return the file written."""
    table, model = run(name)
    scenario = model.config
    info = scenario.scenario
    has_timeline = bool(model.decisions) or any(e.type in SHOCKS for e in model.events)
    if has_timeline:
        fig, axes = plt.subplots(
            4, 1, figsize=(12, 15.5), sharex=True, layout="constrained", height_ratios=(1.0, 1.0, 1.0, 0.85)
        )
    else:
        fig, axes = plt.subplots(3, 1, figsize=(12, 12), sharex=True, layout="constrained")
    multiple = scenario.market.max_price_multiple
    price_panel(axes[0], table, "ndpr", "NdPr oxide: price buyers pay", multiple * scenario.goods.ndpr.reference_price)
    price_panel(axes[1], table, "dytb", "Dy/Tb oxide: price buyers pay", multiple * scenario.goods.dytb.reference_price)
    dependency_panel(axes[2], table)
    first, last = table["date"].min(), table["date"].max()
    if has_timeline:
        timeline_panel(axes[3], model, first, last)
    months = sorted({month(event.start) for event in scenario.events})
    for ax in axes:
        for start in months:
            if first <= start <= last:
                ax.axvline(start, color="grey", lw=0.8, ls=":", alpha=0.7, zorder=0)
    span = (last - first).days / 365.25
    axes[-1].xaxis.set_major_locator(mdates.YearLocator(1 if span <= 15 else 2))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axes[-1].set_xlabel("date (monthly model output)")
    axes[-1].set_xlim(first, last)
    headline = f"{name}: seed {info.seed}, {info.start} + {info.years} years"
    if months:
        headline += " (grey dotted lines: scripted events start)"
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
