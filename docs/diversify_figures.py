"""The four figures of docs/diversify.md, drawn from one run of each scenario (docs/make_diversify_plots.py)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from diversify_data import HOME, IMPORTERS, LABEL, OUT, STAGES, STYLE, yearly


def plot_dependency(runs: dict) -> None:
    """Figure 1: importers' dependency on China by stage."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
    for ax, stage in zip(axes, STAGES, strict=True):
        for name, table in runs.items():
            data = yearly(table, f"dependency_{stage}", regions=IMPORTERS)
            ax.fill_between(data.index, data.min(axis=1), data.max(axis=1), color=STYLE[name]["color"], alpha=0.2, lw=0)
            ax.plot(data.index, data.mean(axis=1), **STYLE[name], label=name)
        ax.set_title(f"{stage} stage")
        ax.set_xlabel("year")
        ax.set_ylim(0.5, 1.0)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("China's share of importers' use\n(REO-weighted, yearly mean)")
    axes[0].legend(
        title="line: mean of USA, EU, Japan\nband: their range", fontsize=8, title_fontsize=8, loc="lower left"
    )
    fig.suptitle("Dependency on China by stage: what the USA, the EU and Japan consume (dependency_*)")
    fig.tight_layout()
    fig.savefig(OUT / "dependency.png", dpi=110)
    plt.close(fig)


def plot_cost(runs: dict) -> None:
    """Figure 2: what consumers in the USA pay for magnets and NdPr oxide."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    titles = {"magnet": "NdFeB magnet", "ndpr": "NdPr oxide"}
    for ax, good in zip(axes, ("magnet", "ndpr"), strict=True):
        for name, table in runs.items():
            data = yearly(table, "price", good, regions=("usa",))["usa"]
            ax.plot(data.index, data, **STYLE[name], label=name)
        ax.set_title(f"{titles[good]}: price buyers pay in the USA (yearly mean)")
        ax.set_ylabel("US$/kg")
        ax.set_xlabel("year")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].hlines(80, 2025.5, 2035.5, color="k", lw=1, ls=":", label="DoD offtake price, MP magnets (diversify)")
    axes[1].hlines(110, 2025.5, 2035.5, color="k", lw=1, ls=":", label="DoD floor for US producers (diversify)")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "cost.png", dpi=110)
    plt.close(fig)


def plot_money(table: pd.DataFrame) -> None:
    """Figure 3: cumulative public spending of each government."""
    yearly_bn = yearly(table, "public_spending", regions=(*HOME, "india")) * 12 / 1000
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    spenders = [r for r in yearly_bn.columns if yearly_bn[r].sum() > 0]
    for region in sorted(spenders, key=lambda r: -yearly_bn[r].sum()):
        cumulative = yearly_bn[region].cumsum()
        ax.plot(cumulative.index, cumulative, label=f"{LABEL[region]} ({cumulative.iloc[-1]:.1f})")
    ax.set_title(
        "diversify: public money spent on the levers, cumulative\n"
        "(research, subsidies, collection, project capital, floor and offtake top-ups)"
    )
    ax.set_ylabel("US$ bn, cumulative since 2024")
    ax.set_xlabel("year")
    ax.grid(alpha=0.3)
    ax.legend(title="government (total 2024-2053)", fontsize=8, title_fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "public_money.png", dpi=110)
    plt.close(fig)


def plot_burden(runs: dict) -> None:
    """Figure 4: environmental burden at home and in China."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for name, table in runs.items():
        burden = yearly(table, "environmental_burden", regions=(*HOME, "china")) * 12 / 1000
        axes[0].plot(burden.index, burden[list(HOME)].sum(axis=1), **STYLE[name], label=name)
        axes[1].plot(burden.index, burden["china"], **STYLE[name], label=name)
        share = yearly(table, "burden_share", regions=("china",))["china"]
        use = yearly(table, "reo_consumption_share", regions=("china",))["china"]
        axes[2].plot(share.index, share, **STYLE[name], label=f"burden share ({name})")
        axes[2].plot(use.index, use, color=STYLE[name]["color"], ls=":", lw=2, label=f"consumption share ({name})")
    axes[0].set_title("burden at home\n(USA, EU, Japan, Korea, Australia, Canada, Greenland)")
    axes[1].set_title("burden in China")
    for ax in axes[:2]:
        ax.set_ylabel("thousand index units a year")
        ax.set_ylim(bottom=0)
    axes[2].set_title("China: share of world burden\nvs share of world use (REO-weighted)")
    axes[2].set_ylabel("share")
    axes[2].set_ylim(0, 1)
    for ax in axes:
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right" if ax is axes[2] else "upper left")
    fig.tight_layout()
    fig.savefig(OUT / "burden.png", dpi=110)
    plt.close(fig)
