"""Compare the diversify scenario with the baseline and draw the figures of docs/diversify.md.

Run from the repository root:

    .venv/bin/python docs/make_diversify_plots.py

Runs configs/baseline_2024.toml and configs/diversify.toml (30 years, each with its own seed) and
writes four PNGs under docs/img/diversify/:

1. ``dependency.png``: China's share, by stage (mining, separation, magnets), of what the USA, the
   EU and Japan consume (``dependency_*``, good ``all``), both scenarios;
2. ``cost.png``: magnet and NdPr oxide price buyers pay in the USA and the EU (``price``);
3. ``public_money.png``: public spending of each government, cumulative (``public_spending``);
4. ``burden.png``: environmental burden at home (USA, EU, Japan, Korea, Australia, Canada,
   Greenland) and in China (``environmental_burden``), and China's burden share against its share
   of consumption (``burden_share``, ``reo_consumption_share``).

It prints the headline numbers that docs/diversify.md quotes (yearly means of 2024, 2035 and 2053).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from marketsim.loading import load_scenario
from marketsim.model import RareEarthModel

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img" / "diversify"
IMPORTERS = ("usa", "eu", "japan")
HOME = ("usa", "eu", "japan", "korea", "australia", "canada", "greenland")
STAGES = ("mining", "separation", "magnets")
YEARS = (2024, 2035, 2053)


def run(name: str) -> pd.DataFrame:
    """Run a shipped scenario and return its table with a calendar-year column."""
    model = RareEarthModel(load_scenario(ROOT / "configs" / f"{name}.toml"))
    model.run()
    table = model.results()
    table["year"] = table["date"].astype(str).str[:4].astype(int)
    return table


def yearly(table: pd.DataFrame, metric: str, good: str = "all", regions=("world",)) -> pd.DataFrame:
    """Yearly mean of a metric, one column per region."""
    rows = table[(table["metric"] == metric) & (table["good"] == good) & table["region"].isin(regions)]
    return rows.pivot_table(index="year", columns="region", values="value", observed=True, aggfunc="mean")


def plot_dependency(runs: dict) -> None:
    """Figure 1: importers' dependency on China by stage."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
    for ax, stage in zip(axes, STAGES, strict=True):
        for name, table in runs.items():
            data = yearly(table, f"dependency_{stage}", regions=IMPORTERS)
            for region in IMPORTERS:
                ax.plot(data.index, data[region], ls="-" if name == "diversify" else ":",
                        label=f"{region} ({name})")
        ax.set_title(f"China's share of {stage}")
        ax.set_ylim(0, 1.02)
    axes[0].set_ylabel("share of consumption (REO-weighted)")
    axes[-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "dependency.png", dpi=110)


def plot_cost(runs: dict) -> None:
    """Figure 2: what consumers pay for magnets and NdPr."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, good in zip(axes, ("magnet", "ndpr"), strict=True):
        for name, table in runs.items():
            data = yearly(table, "price", good, regions=("usa", "eu", "world"))
            for region in data.columns:
                ax.plot(data.index, data[region], ls="-" if name == "diversify" else ":", label=f"{region} ({name})")
        ax.set_title(f"{good} price buyers pay, US$/kg (yearly mean)")
        ax.set_yscale("log")
    axes[-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "cost.png", dpi=110)


def plot_money(table: pd.DataFrame) -> None:
    """Figure 3: cumulative public spending of each government."""
    monthly = yearly(table, "public_spending", regions=(*HOME, "india", "world")) * 12 / 1000
    fig, ax = plt.subplots(figsize=(8, 4))
    for region in monthly.columns:
        if region != "world" and monthly[region].sum() > 0:
            ax.plot(monthly.index, monthly[region].cumsum(), label=region)
    ax.set_title("diversify: public money spent on the levers, cumulative, US$ bn")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "public_money.png", dpi=110)


def plot_burden(runs: dict) -> None:
    """Figure 4: environmental burden at home and in China."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for name, table in runs.items():
        burden = yearly(table, "environmental_burden", regions=(*HOME, "china")) * 12
        style = "-" if name == "diversify" else ":"
        axes[0].plot(burden.index, burden[list(HOME)].sum(axis=1) / 1000, ls=style, label=f"home ({name})")
        axes[0].plot(burden.index, burden["china"] / 1000, ls=style, label=f"China ({name})")
        share = yearly(table, "burden_share", regions=("china",))["china"]
        use = yearly(table, "reo_consumption_share", regions=("china",))["china"]
        axes[1].plot(share.index, share, ls=style, label=f"China's burden share ({name})")
        axes[1].plot(use.index, use, ls=style, label=f"China's consumption share ({name})")
    axes[0].set_title("environmental burden, thousand index units a year")
    axes[0].legend(fontsize=7)
    axes[1].set_title("China: share of world burden vs share of world use")
    axes[1].set_ylim(0, 1)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "burden.png", dpi=110)


def headlines(runs: dict) -> None:
    """Print the numbers docs/diversify.md quotes."""
    for name, table in runs.items():
        print(f"== {name}")
        for stage in STAGES:
            dep = yearly(table, f"dependency_{stage}", regions=IMPORTERS).loc[list(YEARS)]
            print(f"dependency_{stage}:", dep.round(2).to_dict("index"))
        for good in ("magnet", "ndpr"):
            price = yearly(table, "price", good, regions=("usa", "eu", "world")).loc[list(YEARS)]
            print(f"price {good}:", price.round(1).to_dict("index"))
        money = yearly(table, "public_spending", regions=("world", *HOME)) * 12
        print("public spending US$ bn total 2024-2053:", (money.sum() / 1000).round(2).to_dict())
        burden = yearly(table, "environmental_burden", regions=(*HOME, "china")) * 12
        print("home burden k/yr:", (burden[list(HOME)].sum(axis=1).loc[list(YEARS)] / 1000).round(1).to_dict(),
              "china:", (burden["china"].loc[list(YEARS)] / 1000).round(1).to_dict())
        for metric in ("burden_share", "reo_consumption_share"):
            china = yearly(table, metric, regions=("china",))["china"]
            print(metric, "china:", china.loc[list(YEARS)].round(2).to_dict())
        for phase in ("operating", "abandoned"):
            print(f"projects_{phase} (end):", int(yearly(table, f"projects_{phase}").iloc[-1, 0]))
        shares = {s: yearly(table, f"china_share_{s}").loc[list(YEARS)]["world"].round(2).to_dict() for s in STAGES}
        print("china_share:", shares)
        recycled = yearly(table, "recycled")["world"] / yearly(table, "end_of_life")["world"]
        print("recycled / end of life:", recycled.loc[list(YEARS)].round(3).to_dict())


def main() -> None:
    """Run both scenarios, write the figures and print the headlines."""
    OUT.mkdir(parents=True, exist_ok=True)
    runs = {"baseline": run("baseline_2024"), "diversify": run("diversify")}
    plot_dependency(runs)
    plot_cost(runs)
    plot_money(runs["diversify"])
    plot_burden(runs)
    headlines(runs)


if __name__ == "__main__":
    main()
