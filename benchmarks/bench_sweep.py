"""Sweep benchmark: parallel efficiency, Dask overhead and memory of large sweeps.

Prints, for a sweep of the 30-year baseline (200 runs by default):
- serial time (1 worker) and time on 2 local workers, and the parallel efficiency
  ``T1 / (2 * T2)`` (target >= 90 %);
- time on a real dask.distributed cluster on 127.0.0.1 (a scheduler and 2 single-thread workers
  started as subprocesses) and its overhead against the local pool (target within 10 %);
- the per-run overhead: CPU time a run costs beyond the model's own construction and run (setting
  the design point on the base scenario, deriving metrics, reducing outcomes), measured in one
  process on 1-year and 30-year runs, plus the sweep process's CPU time per run (planning, receiving and
  writing results) at 1, 4, 16 and 32 runs per task and with batches sized by measurement (the
  default) on 2 local workers (target < 2 ms together);
- peak memory (driver and workers) of a 10,000-run sweep of 1-year runs (target < 500 MB);
- 10,000 thirty-year runs on 2 local workers, projected from the measured sweep (target within
  10 minutes).

CPU times are reported besides wall times because the machine may be shared: its load average is
printed first and last.

Run from the repo root: ``.venv/bin/python benchmarks/bench_sweep.py [--runs 200] [--memory-runs 10000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

SPEC = """
[sweep]
name = "{name}"
scenario = "{scenario}"
years = {years}
design = "lhs"
samples = {samples}
replications = 1
root_seed = 7

[parameters."sectors.ev.elasticity_short"]
range = [-0.3, -0.02]
[parameters."market.price_sensitivity"]
range = [0.5, 1.2]

[[outcomes]]
name = "ndpr_peak"
metric = "price"
good = "ndpr"
reduce = "max"

[[outcomes]]
name = "china_share_separation"
metric = "china_share_separation"
reduce = "final"
"""


def write_spec(folder: Path, name: str, samples: int, years: int) -> Path:
    """A sweep spec of ``samples`` LHS points of the baseline."""
    path = folder / f"{name}.toml"
    path.write_text(
        SPEC.format(name=name, scenario=ROOT / "configs" / "baseline_2024.toml", samples=samples, years=years)
    )
    return path


def sweep(spec: Path, out: Path, *options: str) -> float:
    """Run ``marketsim sweep`` as a user would; return its wall time."""
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "marketsim"), "sweep", str(spec), "--out", str(out), "--quiet", *options],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def start_cluster(folder: Path) -> tuple[str, list[subprocess.Popen]]:
    """A dask scheduler and two single-thread workers on 127.0.0.1."""
    from distributed import Client  # noqa: PLC0415 (optional dependency)

    scheduler_file = folder / "scheduler.json"
    processes = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    for _ in range(100):
        if scheduler_file.exists():
            break
        time.sleep(0.1)
    address = json.loads(scheduler_file.read_text())["address"]
    processes.append(
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    with Client(address, timeout="20s") as client:
        client.wait_for_workers(2, timeout=60)
        client.run(lambda: __import__("marketsim.sweep.run"))  # warm imports, as the pool's forkserver does
    return address, processes


def peak_memory_mb(spec: Path, out: Path) -> tuple[float, float, float]:
    """Run a sweep on 2 local workers, sampling the memory of its whole process tree (driver,
    forkserver and workers) twice a second; return wall time, the peak of the tree's total
    proportional set size (PSS: pages shared by forked processes counted once) and the peak RSS
    of its largest single process, in MB."""
    import psutil  # noqa: PLC0415 (comes with dask.distributed)

    start = time.perf_counter()
    sweep_process = subprocess.Popen(
        [str(BIN / "marketsim"), "sweep", str(spec), "--out", str(out), "--quiet", "--workers", "2"],
        stdout=subprocess.DEVNULL,
    )
    root = psutil.Process(sweep_process.pid)
    peak_total = peak_single = 0.0
    while sweep_process.poll() is None:
        shares, sizes = [], []
        for process in [root, *root.children(recursive=True)]:
            try:
                memory = process.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            shares.append(memory.pss / 2**20)
            sizes.append(memory.rss / 2**20)
        peak_total, peak_single = max(peak_total, sum(shares)), max(peak_single, max(sizes, default=0.0))
        time.sleep(0.5)
    if sweep_process.returncode:
        raise subprocess.CalledProcessError(sweep_process.returncode, "marketsim sweep")
    return time.perf_counter() - start, peak_total, peak_single


def model_and_overhead_ms(spec: Path, runs: int) -> tuple[float, float, float]:
    """Median CPU ms of the model alone (construct and run), and the median and best CPU ms of
    what a sweep's run costs beyond it, in this process: setting the design point on the base
    scenario, and deriving and reducing the outcomes (what :func:`marketsim.sweep.run.simulate`
    does around the model), each timed directly in the same runs."""
    from marketsim.model import RareEarthModel  # noqa: PLC0415
    from marketsim.sweep import load_spec  # noqa: PLC0415
    from marketsim.sweep.design import design_points, plan_runs  # noqa: PLC0415
    from marketsim.sweep.overrides import apply_values  # noqa: PLC0415
    from marketsim.sweep.run import outcomes_of  # noqa: PLC0415

    loaded, base = load_spec(spec)
    design = design_points(loaded).to_dict(orient="records")
    model_times, overhead_times = [], []
    for run in plan_runs(loaded, len(design))[:runs]:
        start = time.process_time()
        configured = apply_values(base, design[run.point])
        configured_at = time.process_time()
        model = RareEarthModel(configured, seed=run.seed, years=loaded.sweep.years)
        model.run()
        ran_at = time.process_time()
        outcomes_of(model, loaded.outcomes)
        model_times.append(ran_at - configured_at)
        overhead_times.append(configured_at - start + time.process_time() - ran_at)
    return 1000 * statistics.median(model_times), 1000 * statistics.median(overhead_times), 1000 * min(overhead_times)


def sweep_process_ms(
    spec: Path, folder: Path, batches: tuple[int | None, ...]
) -> tuple[float, list[tuple[int | None, float, float, float]]]:
    """The sweep process's own CPU on 2 local workers: a sweep's fixed cost (planning, manifest,
    pool; ms, from a sweep of 4 runs), and for each runs-per-task (None: sized by measurement, the
    default) its wall s, CPU ms per run, and CPU ms per run beyond the fixed cost. A first sweep
    loads what planning and writing a sweep import, so that no row pays for it."""
    from marketsim.sweep import load_spec, run_sweep  # noqa: PLC0415

    loaded, base = load_spec(spec)
    runs = loaded.sweep.samples * loaded.sweep.replications
    small = load_spec(write_spec(folder, "small", 4, 1))
    run_sweep(*small, folder / "warm", workers=2)
    cpu = time.process_time()
    run_sweep(*small, folder / "fixed", workers=2)
    fixed = 1000 * (time.process_time() - cpu)
    rows = []
    for batch in batches:
        start, cpu = time.perf_counter(), time.process_time()
        run_sweep(loaded, base, folder / f"batch{batch}", workers=2, batch=batch)
        total = 1000 * (time.process_time() - cpu)
        rows.append((batch, time.perf_counter() - start, total / runs, (total - fixed) / (runs - 4)))
    return fixed, rows


def print_overhead(folder: Path, runs: int) -> None:
    """Per-run overhead beyond the model, and the sweep process's cost at several batch sizes."""
    spec = write_spec(folder, "overhead", runs, 1)
    model, beyond, beyond_best = model_and_overhead_ms(spec, min(runs, 100))
    model_30, beyond_30, beyond_30_best = model_and_overhead_ms(write_spec(folder, "overhead30", 10, 30), 10)
    print("per-run overhead in a worker (median CPU, one process): setting the point, deriving the outcomes")
    print(
        f"  {min(runs, 100)} 1-year runs: model {model:.1f} ms, beyond the model {beyond:.2f} ms "
        f"(best {beyond_best:.2f} ms)"
    )
    print(
        f"  10 30-year runs: model {model_30:.1f} ms, beyond the model {beyond_30:.2f} ms "
        f"(best {beyond_30_best:.2f} ms)"
    )
    fixed, rows = sweep_process_ms(spec, folder, (1, 4, 16, 32, None))
    print(f"  the sweep process's CPU on 2 local workers ({runs} runs), a sweep's fixed cost {fixed:.0f} ms:")
    for batch, wall, cpu, beyond_fixed in rows:
        label = f"{batch:2d} runs per task" if batch else "sized by measurement (default)"
        print(f"    {label}: {cpu:5.2f} ms per run, {beyond_fixed:5.2f} beyond the fixed cost ({wall:5.1f} s wall)")
    chosen = dict((batch, cpu) for batch, _, _, cpu in rows)[None]
    print(
        f"  overhead per run, batches sized by measurement, beyond a sweep's fixed cost: {beyond + chosen:.2f} ms "
        f"for 1-year runs, {beyond_30 + chosen:.2f} ms for 30-year runs (target < 2 ms)"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--memory-runs", type=int, default=10_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-serial", action="store_true", help="skip the 1-worker run (no efficiency figure)")
    parser.add_argument("--overhead-runs", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    try:
        print_overhead(folder, args.overhead_runs)
        spec = write_spec(folder, "efficiency", args.runs, 30)
        print(f"{args.runs} runs of the 30-year baseline (best of {args.repeats}, pool and Dask interleaved)")
        address, processes = start_cluster(folder)
        pool_times, dask_times = [], []
        try:
            for k in range(args.repeats):
                pool_times.append(sweep(spec, folder / f"pool{k}", "--workers", "2"))
                dask_times.append(sweep(spec, folder / f"dask{k}", "--scheduler", address))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        pooled, dask = min(pool_times), min(dask_times)
        print(f"  2 local workers:  {pooled:7.1f} s  ({pooled / args.runs * 1000:6.0f} ms per run)")
        projected = pooled / args.runs * 10_000 / 60
        print(
            f"  10,000 runs of 30 years on 2 local workers, projected at that rate: {projected:.1f} min "
            "(target <= 10 min; the sweep's start-up counted in every run, so an upper bound)"
        )
        if not args.skip_serial:
            serial = sweep(spec, folder / "serial", "--workers", "1")
            print(f"  1 local worker:   {serial:7.1f} s  ({serial / args.runs * 1000:6.0f} ms per run)")
            print(f"  parallel efficiency on 2 workers: {serial / (2 * pooled):.1%} (target >= 90 %)")
        print(f"  Dask, 2 workers:  {dask:7.1f} s  ({dask / args.runs * 1000:6.0f} ms per run)")
        print(f"  Dask per-run overhead against the local pool: {dask / pooled - 1:+.1%} (target within 10 %)")
        if not args.skip_memory:
            spec = write_spec(folder, "memory", args.memory_runs, 1)
            elapsed, total, single = peak_memory_mb(spec, folder / "memory")
            print(f"{args.memory_runs} runs of 1 year on 2 local workers: {elapsed:.0f} s")
            print(
                f"  peak memory of the whole sweep (driver, forkserver, workers; PSS): {total:.0f} MB "
                f"(target < 500 MB); largest single process {single:.0f} MB RSS"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
