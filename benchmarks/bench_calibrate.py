"""How much calibration one hour on this machine buys.

Times one simulated history_2009 particle (model run, tidy table, summary statistics) for the
shipped target file, then a short real ABC-SMC run on a local process pool (pyabc's overhead and
the pool included), and prints how many particles a 1-hour calibration of the file's parameters
can afford on 2 cores.

    PYTHONPATH=. python benchmarks/bench_calibrate.py [--repeats 10] [--population 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics as stats
import tempfile
import time
from pathlib import Path

import pandas as pd

from marketsim.calibration.abc import run_calibration
from marketsim.calibration.parameters import midpoints
from marketsim.calibration.statistics import TidyTable, metrics_read
from marketsim.calibration.statistics import statistics as compute_statistics
from marketsim.calibration.targets import load_targets, scenario_path
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import apply_overrides, load_scenario

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "configs" / "targets" / "history_2010.toml"
HOUR_S = 3600.0
CORES = 2


def time_particle(repeats: int, years: int) -> dict[str, float]:
    """Best and median seconds of each part of one particle's evaluation."""
    spec = load_targets(TARGETS)
    scenario = load_scenario(scenario_path(TARGETS, spec.run))
    items = [f"{path}={value!r}" for path, value in midpoints(spec.parameters).items()]
    parts: dict[str, list[float]] = {"model": [], "results": [], "statistics": []}
    for seed in range(repeats):
        start = time.perf_counter()
        model = RareEarthModel(apply_overrides(scenario, items, "bench"), seed=seed, years=years)
        model.run()
        ran = time.perf_counter()
        table = model.results()
        tabled = time.perf_counter()
        compute_statistics(TidyTable(table, metrics_read(spec.targets)), spec.targets)
        done = time.perf_counter()
        parts["model"].append(ran - start)
        parts["results"].append(tabled - ran)
        parts["statistics"].append(done - tabled)
    totals = [sum(values) for values in zip(*parts.values(), strict=True)]
    summary = {f"{name}_median": stats.median(values) for name, values in parts.items()}
    summary |= {"total_best": min(totals), "total_median": stats.median(totals)}
    return summary


def time_calibration(population: int, workers: int) -> tuple[float, int]:
    """Seconds and simulations of a 2-generation calibration of the shipped target file."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        settings = {"population": population, "generations": 2, "root_seed": 1, "workers": workers}
        paths = run_calibration(TARGETS, Path(folder), **settings)
        seconds = time.perf_counter() - start
        simulations = int(pd.read_json(paths["manifest.json"], typ="series")["total_simulations"])
    return seconds, simulations


def main() -> None:
    """Print the timings and the 1-hour budget."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--workers", type=int, default=CORES)
    args = parser.parse_args()
    spec = load_targets(TARGETS)
    years, seeds = spec.run.years, spec.run.seeds_per_particle
    for label, run_years in (("target file's run", years), ("full history_2009", 10)):
        timing = time_particle(args.repeats, run_years)
        print(
            f"{label} ({run_years} years): best {timing['total_best']:.3f} s, median {timing['total_median']:.3f} s "
            f"(model {timing['model_median']:.3f}, results() {timing['results_median']:.3f}, "
            f"statistics {timing['statistics_median']:.3f})"
        )
        if run_years == years:
            particle_s = timing["total_median"] * seeds
    seconds, simulations = time_calibration(args.population, args.workers)
    wall_per_sim = seconds / simulations
    print(
        f"ABC-SMC, population {args.population}, 2 generations, {args.workers} workers: {simulations} simulations "
        f"in {seconds:.1f} s = {wall_per_sim:.3f} s wall per simulation (pool start-up and pyabc included)"
    )
    ideal = CORES * HOUR_S / particle_s
    measured = HOUR_S / wall_per_sim
    print(f"1 hour on {CORES} cores, {len(spec.parameters)} parameters, {seeds} seed(s) per particle:")
    print(f"  simulations: {measured:,.0f} at the measured ABC rate ({ideal:,.0f} if both cores ran only the model)")
    for acceptance in (0.3, 0.1):
        accepted = measured * acceptance
        print(
            f"  at {acceptance:.0%} mean acceptance: {accepted:,.0f} accepted particles, e.g. population "
            f"{int(accepted / 10):,} x 10 generations or {int(accepted / 20):,} x 20"
        )


if __name__ == "__main__":
    main()
