"""Time a 30-year baseline run and a scaled world (10,000 end users, 1,000 mines).

Prints run time and microseconds per agent-step for each: an agent-step is one agent acting
for one month. Every month the model steps each agent set once (mines produce, separation
plants separate, magnet plants make, recyclers recycle, end users buy and use, all vectorised
over the set's agents), so the agents counted are those of the stepped sets; governments, which
act only once a round, are not counted. Run from the repo root:

    .venv/bin/python benchmarks/bench_run.py [--repeats 5]

Targets (issue 2): the baseline's 30 years in under 0.5 s; the scaled world's cost per
agent-step within 1.5x of the baseline's.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario, validate_scenario

BASELINE = Path(__file__).resolve().parents[1] / "configs" / "baseline_2024.toml"


def scaled(scenario, mines: int):
    """The same world with each mine split into equal parts, about ``mines`` in all."""
    data = json.loads(scenario.model_dump_json())
    copies = math.ceil(mines / len(data["mines"]))
    split = []
    for mine in data["mines"]:
        for k in range(copies):
            split.append({**mine, "name": f"{mine['name']} #{k}", "capacity": mine["capacity"] / copies})
    data["mines"] = split[:mines] if len(split) > mines else split
    kept = {mine["name"] for mine in data["mines"]}
    building = data["dynamics"]["capacity"]["under_construction"]
    data["dynamics"]["capacity"]["under_construction"] = [
        {**item, "facility": f"{item['facility']} #{k}", "capacity": item["capacity"] / copies}
        if f"{item['facility']} #0" in kept
        else item
        for item in building
        for k in (range(copies) if f"{item['facility']} #0" in kept else [0])
        if f"{item['facility']} #{k}" in kept or f"{item['facility']} #0" not in kept
    ]
    return validate_scenario(data, "scaled")


def time_run(scenario, repeats: int, buyers_per_cell: int = 1) -> tuple[float, float, int, int]:
    """Best and median wall time of a full run (build + run), the agents the month steps, and ticks."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = RareEarthModel(scenario, buyers_per_cell=buyers_per_cell)
        model.run()
        times.append(time.perf_counter() - start)
    world = model.world
    stepped = sum(len(agent_set) for agent_set in (*world.facilities, world.manufacturers))
    return min(times), statistics.median(times), stepped, model.months


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    baseline = load_scenario(BASELINE)
    rows_per_cell = sum(len([s for s in sec.split.values() if s > 0]) for sec in baseline.sectors.values())
    big = scaled(baseline, 1000)
    buyers_per_cell = math.ceil(10_000 / rows_per_cell)

    print(f"{'world':<34}{'agents':>8}{'ticks':>7}{'best s':>9}{'median s':>10}{'us/agent-step':>15}")
    results = {}
    for label, scenario, per_cell, repeats in (
        ("baseline 30 years", baseline, 1, args.repeats),
        (
            f"scaled: {buyers_per_cell * rows_per_cell} buyers, {len(big.mines)} mines",
            big,
            buyers_per_cell,
            max(1, args.repeats // 2),
        ),
    ):
        best, median, agents, ticks = time_run(scenario, repeats, per_cell)
        per_step = best / (agents * ticks) * 1e6
        results[label] = per_step
        print(f"{label:<34}{agents:>8}{ticks:>7}{best:>9.3f}{median:>10.3f}{per_step:>15.2f}")
    baseline_cost, scaled_cost = results.values()
    ratio = scaled_cost / baseline_cost
    print(f"scaled cost per agent-step / baseline cost per agent-step: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
