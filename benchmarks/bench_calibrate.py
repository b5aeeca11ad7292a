"""How much calibration one hour on this machine buys.

Times one simulated history_2009 particle (model run, tidy table, summary statistics) for the
shipped target file, then a short real ABC-SMC run on a local process pool (pyabc's overhead and
the pool included), and prints how many particles a 1-hour calibration of the file's parameters
can afford on 2 cores. CPU seconds are printed beside wall seconds: on a machine shared with other
work the wall time says little, and an idle 2-core machine runs the CPU seconds in about half.

    PYTHONPATH=. python benchmarks/bench_calibrate.py [--repeats 10] [--population 20] [--workers 2]

With ``--compare FOLDER`` it instead runs the scenario's own values, a calibration's posterior median
and its closest particle (from FOLDER's manifest.json and accepted.parquet) on seeds 1-5 and prints
the targets' errors and the patterns each set passes on each seed:

    PYTHONPATH=. python benchmarks/bench_calibrate.py --compare runs/cal [--seeds 1,2,3,4,5]
"""

from __future__ import annotations

import argparse
import json
import statistics as stats
import tempfile
import time
from pathlib import Path

import pandas as pd

from marketsim.calibration.abc import run_calibration
from marketsim.calibration.parameters import midpoints
from marketsim.calibration.simulate import run_statistics
from marketsim.calibration.statistics import TidyTable, metrics_read
from marketsim.calibration.statistics import statistics as compute_statistics
from marketsim.calibration.targets import distance, load_targets, normalised_error, pattern_results, scenario_path
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
    cpu: list[float] = []
    for seed in range(repeats):
        cpu_start = time.process_time()
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
        cpu.append(time.process_time() - cpu_start)
    totals = [sum(values) for values in zip(*parts.values(), strict=True)]
    summary = {f"{name}_median": stats.median(values) for name, values in parts.items()}
    summary |= {"total_best": min(totals), "total_median": stats.median(totals), "cpu_median": stats.median(cpu)}
    return summary


def time_calibration(population: int, workers: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (this process and its workers) and simulations of a 2-generation calibration."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        settings = {"population": population, "generations": 2, "root_seed": 1, "workers": workers}
        paths = run_calibration(TARGETS, Path(folder), **settings)
        seconds = time.perf_counter() - start
        facts = pd.read_json(paths["manifest.json"], typ="series")
    return seconds, float(facts["cpu_seconds"]), int(facts["total_simulations"])


def candidate_sets(folder: Path) -> dict[str, dict[str, float]]:
    """The scenario's own values (no override), the posterior median and the last generation's closest particle."""
    median = json.loads((folder / "manifest.json").read_text())["posterior_check"]["values"]
    accepted = pd.read_parquet(folder / "accepted.parquet")
    last = accepted[accepted["generation"] == accepted["generation"].max()]
    best = last.loc[last["distance"].idxmin()]
    return {"scenario": {}, "median": median, "closest": {path: float(best[path]) for path in median}}


def compare(folder: Path, seeds: list[int]) -> None:
    """Print each candidate set's errors (error / tolerance, one column a seed) and patterns passed per seed."""
    spec = load_targets(TARGETS)
    scenario = load_scenario(scenario_path(TARGETS, spec.run))
    for name, values in candidate_sets(folder).items():
        per_seed = [run_statistics(scenario, values, [seed], spec.run.years, spec.targets) for seed in seeds]
        print(f"{name}: " + " ".join(f"--set {path}={value:.4g}" for path, value in values.items()))
        for target in spec.targets:
            errors = " ".join(f"{normalised_error(target, stats[target.id]):6.2f}" for stats in per_seed)
            print(f"  {target.id:<18} {errors}")
        passed = [pattern_results(spec.targets, stats) for stats in per_seed]
        for pattern in passed[0]:
            print(f"  {pattern}: passes on {sum(result[pattern] for result in passed)}/{len(seeds)} seeds")
        patterns = [sum(result.values()) for result in passed]
        print(f"  patterns passed per seed: {patterns} (total {sum(patterns)})")
        targets = [sum(normalised_error(t, stats[t.id]) <= 1 for t in spec.targets) for stats in per_seed]
        print(f"  targets passed per seed: {targets} (total {sum(targets)} of {len(spec.targets) * len(seeds)})")
        distances = " ".join(f"{distance(spec.targets, stats):.3f}" for stats in per_seed)
        print(f"  ABC distance per seed: {distances}")


def main() -> None:
    """Print the timings and the 1-hour budget, or compare a calibration's sets with the scenario's."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--workers", type=int, default=CORES)
    parser.add_argument("--compare", type=Path, help="a calibration's output folder")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    args = parser.parse_args()
    if args.compare is not None:
        compare(args.compare, [int(seed) for seed in args.seeds.split(",")])
        return
    spec = load_targets(TARGETS)
    years, seeds = spec.run.years, spec.run.seeds_per_particle
    for label, run_years in (("target file's run", years), ("full history_2009", 10)):
        timing = time_particle(args.repeats, run_years)
        print(
            f"{label} ({run_years} years): best {timing['total_best']:.3f} s, median {timing['total_median']:.3f} s "
            f"(model {timing['model_median']:.3f}, results() {timing['results_median']:.3f}, "
            f"statistics {timing['statistics_median']:.3f}); CPU median {timing['cpu_median']:.3f} s"
        )
        if run_years == years:
            particle_s = timing["cpu_median"] * seeds
    seconds, cpu, simulations = time_calibration(args.population, args.workers)
    wall_per_sim, cpu_per_sim = seconds / simulations, cpu / simulations
    print(
        f"ABC-SMC, population {args.population}, 2 generations, {args.workers} workers: {simulations} simulations "
        f"in {seconds:.1f} s wall, {cpu:.1f} s CPU = {wall_per_sim:.3f} s wall, {cpu_per_sim:.3f} s CPU per "
        "simulation (pool start-up, imports and pyabc included)"
    )
    ideal = CORES * HOUR_S / particle_s
    measured = CORES * HOUR_S / cpu_per_sim
    print(f"1 hour on {CORES} idle cores, {len(spec.parameters)} parameters, {seeds} seed(s) per particle:")
    print(
        f"  simulations: {measured:,.0f} from the ABC run's CPU seconds ({ideal:,.0f} if both cores ran only the "
        f"model; {HOUR_S / wall_per_sim:,.0f} at this run's wall rate, under whatever load the machine had)"
    )
    for acceptance in (0.3, 0.1):
        accepted = measured * acceptance
        print(
            f"  at {acceptance:.0%} mean acceptance: {accepted:,.0f} accepted particles, e.g. population "
            f"{int(accepted / 10):,} x 10 generations or {int(accepted / 20):,} x 20"
        )


if __name__ == "__main__":
    main()
