"""Which supply projects of baseline_2024 are built, and the economics that decide it (issue 13:
China's share of separation in 2030 against IEA's 77 % from announced projects).

Run from the repo root:

    PYTHONPATH=. .venv/bin/python benchmarks/bench_projects.py [--seeds 1,2,3,4,5] [--stage separation]

For each project of the stage: its phase in January 2030 in every seed, the first year it runs at
full capacity (median over seeds), and in the first month of seed 1 what developers expect per kg
of output: revenue, operating cost (inputs included for magnet plants), feed for separation (own
feed where the project is integrated, else the market concentrate price, shown in brackets) and
capital charge (docs/model.md 7.16, 7.31). Last, China's share of separation in 2030 per seed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from marketsim.levers.projects import OPERATING, PHASES
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario
from marketsim.vocabulary import CONCENTRATE, STAGES

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "baseline_2024.toml"
NAMES = [*PHASES, "operating", "abandoned"]
JANUARY_2030 = 72


def follow(seed: int, stage: int) -> tuple[list[str], list[str], list[float], list[tuple[float, ...]], float]:
    """Phases in Jan 2030, first year at full capacity, first-month economics, China's 2030 share."""
    model = RareEarthModel(load_scenario(CONFIG), seed=seed, years=30)
    projects, world = model.levers.projects, model.world
    rows = np.flatnonzero(projects.stage == stage)
    first = np.full(len(projects), np.nan)
    economics, phase_2030, shares = [], [], []
    for tick in range(model.months):
        model.step()
        if tick == 0:
            support = projects.support(world.frictions.project_support, world.size)
            revenue, cost = projects.unit_margin(world, support, model.levers.project_costs(world))
            capital = projects.capital_charge(support)
            market = projects.expected_regional[CONCENTRATE, projects.region]
            feed = np.where(np.isnan(projects.feed_cost), market, projects.feed_cost) * (projects.stage == 1)
            economics = [(revenue[i], cost[i] - feed[i], feed[i], market[i], capital[i]) for i in rows]
        if tick == JANUARY_2030:
            phase_2030 = [NAMES[projects.phase[i]] for i in rows]
        first = np.where(np.isnan(first) & (projects.phase == OPERATING), 2024 + tick // 12, first)
        if 2030 * 12 <= 2024 * 12 + tick < 2031 * 12:
            separated = world.refiners.by_region(world.refiners.output, world.size)
            shares.append(separated[world.china] / max(separated.sum(), 1e-9))
    names = [projects.names[i] for i in rows]
    return names, phase_2030, list(first[rows]), economics, float(np.mean(shares))


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--stage", default="separation", choices=list(STAGES))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = [follow(seed, STAGES.index(args.stage)) for seed in seeds]
    names, economics = runs[0][0], runs[0][3]
    print("| project | phase Jan 2030 (seeds) | full capacity from | revenue | operating | feed (market) | capital |")
    print("|---|---|---|---|---|---|---|")
    for i, name in enumerate(names):
        phases = " ".join(run[1][i][:5] for run in runs)
        years = [run[2][i] for run in runs if not np.isnan(run[2][i])]
        built = f"{np.median(years):.0f} ({len(years)}/{len(runs)})" if years else "never"
        rev, operating, feed, market, capital = economics[i]
        bought = f"{feed:.1f} ({market:.1f})" if args.stage == "separation" else "-"
        print(f"| {name} | {phases} | {built} | {rev:.1f} | {operating:.1f} | {bought} | {capital:.1f} |")
    print(
        "China's share of separation in 2030: "
        + ", ".join(f"seed {s} {run[4]:.3f}" for s, run in zip(seeds, runs, strict=True))
    )


if __name__ == "__main__":
    main()
