"""Time a 30-year baseline run and a scaled world (10,000 end users, 1,000 mines), the cost of
writing a run's results, and ``marketsim run`` end to end against a Mesa toy market.

Prints run time and microseconds per agent-step for each world: an agent-step is one agent
acting for one month. Every month the model steps each agent set once (mines produce, separation
plants separate, magnet plants make, recyclers recycle, end users buy and use, all vectorised
over the set's agents), so the agents counted are those of the stepped sets; governments, which
act only once a round, are not counted. Then:

- write vs simulate: what ``marketsim run`` does after the model has run (the tidy table, the
  Parquet file, events, alliances and manifest) against building and running the model;
- ``marketsim run configs/baseline_2024.toml`` end to end in a fresh interpreter (start-up,
  run, table, files, summary), best of 3, with bytecode cached as an installed package has it;
- the toy call-auction market of benchmarks/toy_market.py (Mesa, pure Python, 360 steps), timed
  in the same run, and the ratio of the end-to-end run to it (a yardstick that moves with the
  machine's load as the model does);
- the floor under the end-to-end run: fresh interpreters that only start Python, import numpy,
  import mesa, import Mesa's model as marketsim loads it, and import everything the run path
  imports.

Run from the repo root:

    .venv/bin/python benchmarks/bench_run.py [--repeats 5]

It also runs against an older checkout (put it first on PYTHONPATH) for before/after figures.

Targets (issue 2): the baseline's 30 years in under 0.5 s; the scaled world's cost per
agent-step within 1.5x of the baseline's. Targets (issue 18): the baseline at most 50 ms (best
of 5), the scaled world at most 5x that; writing cheaper than simulating; ``marketsim run``
end to end at most 0.6 s and at most 4x the toy market.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from toy_market import time_toy_market

import marketsim
from marketsim.model import RareEarthModel
from marketsim.reports import runner
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


def time_run(scenario, repeats: int, buyers_per_cell: int = 1) -> tuple[float, float, float, int, int]:
    """Best and median wall time of a full run (build + run), its best CPU time (which moves less
    than wall time when other work shares the machine), the agents the month steps, and ticks."""
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        model = RareEarthModel(scenario, buyers_per_cell=buyers_per_cell)
        model.run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    world = model.world
    stepped = sum(len(agent_set) for agent_set in (*world.facilities, world.manufacturers))
    return min(times), statistics.median(times), min(cpu), stepped, model.months


def time_write(scenario, repeats: int) -> tuple[float, float, float, float]:
    """Best wall times of simulating (build + run) and of what ``marketsim run`` does next: the
    tidy table (Arrow), the manifest and the files (Parquet, events, alliances, manifest); then
    the best CPU times of the same two. An older checkout whose results needed a pandas table
    is timed making it too, as its ``marketsim run`` did."""
    simulate, write, simulate_cpu, write_cpu = [], [], [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        model = RareEarthModel(scenario)
        model.run()
        ran, ran_cpu = time.perf_counter(), time.process_time()
        result = _result(scenario, model)
        with tempfile.TemporaryDirectory() as folder:
            runner.write_results(result, folder)
            write.append(time.perf_counter() - ran)
            write_cpu.append(time.process_time() - ran_cpu)
        simulate.append(ran - start)
        simulate_cpu.append(ran_cpu - start_cpu)
    return min(simulate), min(write), min(simulate_cpu), min(write_cpu)


def _result(scenario, model) -> runner.RunResult:
    """What ``run_scenario`` returns for a model run, as the checkout timed makes it."""
    manifest = runner.run_manifest(scenario, model)
    if hasattr(runner, "EVENT_COLUMNS"):  # results written from Arrow, pandas made only when read
        return runner.RunResult(manifest=manifest, model=model, arrow=runner.tidy_results(model))
    if hasattr(runner, "tidy_results"):  # an older checkout: Arrow, and pandas beside it
        tidy = runner.tidy_results(model)
        return runner.RunResult(table=tidy.to_pandas(), manifest=manifest, model=model, arrow=tidy)
    return runner.RunResult(table=model.results(), manifest=manifest, model=model)  # older still: pandas


def fresh_environment() -> dict[str, str]:
    """The environment of the fresh interpreters timed: the same marketsim as this process first
    on the path, and bytecode written and read as usual (``PYTHONDONTWRITEBYTECODE``, which some
    shells here set, would make every start compile marketsim's modules from source: about
    0.2 s that an installed package never pays)."""
    source = str(Path(marketsim.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_fresh(command: list[str], repeats: int, cwd: str | None = None) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of ``command`` in a fresh interpreter,
    after one untimed start that writes the bytecode caches. CPU time moves less than wall time
    when other work shares the machine."""
    env = fresh_environment()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best, best_cpu


def time_cli(repeats: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time of ``marketsim run configs/baseline_2024.toml`` in a fresh
    interpreter (see :func:`time_fresh`), running the same marketsim as this process."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "marketsim.cli", "run", str(BASELINE), "--out", folder]
        return time_fresh(command, repeats, cwd=folder)


RUN_LOADS = """
import sys
from marketsim.cli import app
try:
    app(sys.argv[1:])
except SystemExit as done:
    assert done.code in (0, None), done.code
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & {"pandas", "scipy", "networkx"})) or "none")
"""
"""A ``marketsim run`` that prints which of pandas, scipy and networkx it loaded."""


def heavy_packages_loaded() -> str:
    """Which of pandas, scipy and networkx ``marketsim run`` on the baseline loads."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-c", RUN_LOADS, "run", str(BASELINE), "--out", folder, "--quiet"]
        done = subprocess.run(command, env=fresh_environment(), check=True, capture_output=True, text=True)
    return done.stdout.split("\n")[-2]


START_UP = {
    "Python alone": "pass",
    "Python + numpy": "import numpy",
    "Python + Mesa (import mesa: pandas, scipy, networkx come with it)": "import mesa",
    "Python + Mesa's model as marketsim loads it": "import marketsim, mesa.model",
    "every import of the run path (Mesa's model, the scenario schema, the model, writing)": (
        "import marketsim.cli, marketsim.reports.runner, marketsim.reports.summary, pyarrow.parquet"
    ),
}
"""Fresh interpreters that time the floor under ``marketsim run``: a model on Mesa cannot start
faster than ``import mesa.model``. Mesa 3.5's ``__init__`` imports its spaces (scipy, networkx),
batch runner and pandas whichever submodule is asked for, and its model and agent modules import
pandas too; marketsim defers all of it (see ``marketsim/lazy_mesa.py``), so the run path pays for
``mesa.model`` and ``mesa.agent`` only (an older checkout: and pandas)."""


def time_start_up(repeats: int = 3) -> dict[str, tuple[float, float]]:
    """Best wall time and best CPU time (user + system) of each of :data:`START_UP` in a fresh
    interpreter (see :func:`time_fresh`), with the same marketsim on the path as :func:`time_cli`."""
    return {label: time_fresh([sys.executable, "-c", code], repeats) for label, code in START_UP.items()}


def print_start_up(cli: float, cli_cpu: float, toy: float, toy_cpu: float) -> None:
    """The floor under the end-to-end run: what starting Python and importing cost."""
    floors = time_start_up()
    print("start-up floor, fresh interpreters (bytecode cached), best of 3:")
    for label, (wall, cpu) in floors.items():
        print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    mesa_wall, mesa_cpu = floors[next(label for label in START_UP if "Mesa's model" in label)]
    print(
        f"  marketsim run beyond Python + Mesa's model: {cli - mesa_wall:.2f} s wall, {cli_cpu - mesa_cpu:.2f} s CPU; "
        f"Mesa's model alone is {mesa_wall / toy:.1f}x the toy market ({mesa_cpu / toy_cpu:.1f}x in CPU time): "
        "the ratio's floor"
    )
    print(f"  of pandas, scipy and networkx, marketsim run loads: {heavy_packages_loaded()}")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    baseline = load_scenario(BASELINE)
    print(f"marketsim from {Path(marketsim.__file__).resolve().parent}")
    results = time_worlds(baseline, args.repeats)
    (baseline_cost, baseline_best, baseline_cpu), (scaled_cost, scaled_best, _) = results.values()
    ratio = scaled_cost / baseline_cost
    print(f"scaled cost per agent-step / baseline cost per agent-step: {ratio:.2f} (target <= 1.5)")
    print(f"scaled run time / baseline run time: {scaled_best / baseline_best:.1f}x (target <= 5x)")
    print(
        f"baseline 30 years best of {args.repeats}: {baseline_best * 1000:.0f} ms wall, "
        f"{baseline_cpu * 1000:.0f} ms CPU (target <= 50 ms)"
    )
    simulate, write, simulate_cpu, write_cpu = time_write(baseline, args.repeats)
    print(
        f"baseline 30 years: simulate {simulate * 1000:.0f} ms, write results {write * 1000:.0f} ms "
        f"(write / simulate {write / simulate:.2f}, target < 1); CPU: simulate {simulate_cpu * 1000:.0f} ms, "
        f"write {write_cpu * 1000:.0f} ms"
    )
    cli, cli_cpu = time_cli()
    toy = time_toy_market(args.repeats)
    print(
        f"marketsim run configs/baseline_2024.toml end to end, best of 3: {cli:.2f} s wall, "
        f"{cli_cpu:.2f} s CPU (target <= 0.6 s)"
    )
    toy_cpu = time_toy_market(args.repeats, time.process_time)
    print(f"Mesa toy call-auction market, 360 steps, best of {args.repeats}: {toy:.3f} s wall, {toy_cpu:.3f} s CPU")
    print(f"end-to-end run / toy market: {cli / toy:.1f} (target <= 4); in CPU time {cli_cpu / toy_cpu:.1f}")
    print_start_up(cli, cli_cpu, toy, toy_cpu)


def time_worlds(baseline, repeats: int) -> dict[str, tuple[float, float, float]]:
    """Time the baseline and the scaled world; print a line for each and return, for each, its
    cost per agent-step (microseconds), its best run time and its best CPU time (seconds)."""
    rows_per_cell = sum(len([s for s in sec.split.values() if s > 0]) for sec in baseline.sectors.values())
    big = scaled(baseline, 1000)
    buyers_per_cell = math.ceil(10_000 / rows_per_cell)
    print(f"{'world':<34}{'agents':>8}{'ticks':>7}{'best s':>9}{'median s':>10}{'CPU s':>8}{'us/agent-step':>15}")
    results = {}
    for label, scenario, per_cell, times in (
        ("baseline 30 years", baseline, 1, repeats),
        (
            f"scaled: {buyers_per_cell * rows_per_cell} buyers, {len(big.mines)} mines",
            big,
            buyers_per_cell,
            max(1, repeats // 2),
        ),
    ):
        best, median, cpu, agents, ticks = time_run(scenario, times, per_cell)
        per_step = best / (agents * ticks) * 1e6
        results[label] = (per_step, best, cpu)
        print(f"{label:<34}{agents:>8}{ticks:>7}{best:>9.3f}{median:>10.3f}{cpu:>8.3f}{per_step:>15.2f}")
    return results


if __name__ == "__main__":
    main()
