"""Print the market-dynamics targets of issue 13: the baseline's stability over seeds and the
2010-2012 export-quota episode (REFERENCE §10, K1-K9) in history_2009.

Run from the repo root:

    PYTHONPATH=. .venv/bin/python benchmarks/bench_dynamics.py [--seeds 1,2,3,4,5] [--only baseline|history]

Baseline targets (30 years, 5 seeds): annual world NdPr within 0.5-3x of its 2024 level every
year; log standard deviation of annual prices at most 0.4 (NdPr) and 0.5 (Dy/Tb); coefficient of
variation of 2053 NdPr across seeds at most 0.3; China's separation share within 75-95 % through
2035 and 70-90 % in 2030 (IEA: 77 %).

History targets: the K-patterns of configs/targets/history_2010.toml (REFERENCE §10), each computed
by marketsim.calibration.statistics exactly as calibration and docs/validation.md compute it; that
file defines every statistic, its series ("outside China", ...), window, target and tolerance.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from marketsim.calibration.simulate import run_table
from marketsim.calibration.statistics import TidyTable, metrics_read, statistic, statistics
from marketsim.calibration.targets import Target, load_targets, passes, scenario_path
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
TARGETS = CONFIGS / "targets" / "history_2010.toml"


def _diagnostic(description: str, series: dict, versus: dict | None, window: list[str]) -> Target:
    kind = "ratio" if versus else "mean"
    return Target(id="diagnostic", pattern="-", description=description, statistic=kind, series=series,
                  versus=versus, window=window, target=[1e-9, 1e9], scale="log", tolerance=1.0, source="-")  # fmt: skip


DIAGNOSTICS = {
    "licence premium on China's NdPr, 2011 mean, US$/kg (not a target)": _diagnostic(
        "licence premium",
        {"metric": "licence_premium", "goods": ["ndpr"], "regions": ["china"]},
        None,
        ["2011-01", "2011-12"],
    ),
    "undocumented share of China's mining 2011-12 (an input, REF §7)": _diagnostic(
        "undocumented share",
        {"metric": "undocumented_mining", "goods": ["all"], "regions": ["china"]},
        {"metric": "production", "goods": ["concentrate"], "regions": ["china"]},
        ["2011-01", "2012-12"],
    ),
}
"""Figures printed beside the K-patterns that are not calibration targets."""


OVERRIDES: list[str] = []
"""``--set`` overrides applied to every scenario the benchmark runs."""


def run(name: str, seed: int, years: int | None = None) -> pd.DataFrame:
    """The tidy results of one run."""
    model = RareEarthModel(load_scenario(CONFIGS / f"{name}.toml", OVERRIDES), seed=seed, years=years)
    model.run()
    table = model.results()
    table["year"] = table.date.str[:4].astype(int)
    return table


def series(table: pd.DataFrame, metric: str, good: str, region: str) -> pd.Series:
    """Monthly values of one metric, indexed by date."""
    rows = table[(table.metric == metric) & (table.good == good) & (table.region == region)]
    return rows.set_index("date").value


def baseline(seeds: list[int]) -> dict[str, float]:
    """The baseline's stability figures over seeds."""
    ratio_low, ratio_high, sd_ndpr, sd_dytb, last, share_low, share_high, share_2030 = ([] for _ in range(8))
    for seed in seeds:
        table = run("baseline_2024", seed)
        annual = table[(table.metric == "price") & (table.region == "world")].groupby(["good", "year"]).value.mean()
        ndpr, dytb = annual["ndpr"], annual["dytb"]
        ratio_low.append(ndpr.min() / ndpr.iloc[0])
        ratio_high.append(ndpr.max() / ndpr.iloc[0])
        sd_ndpr.append(np.log(ndpr).std())
        sd_dytb.append(np.log(dytb).std())
        last.append(ndpr.iloc[-1])
        share = table[(table.metric == "china_share_separation")].groupby("year").value.mean()
        share_low.append(share.loc[:2035].min())
        share_high.append(share.loc[:2035].max())
        share_2030.append(share.loc[2030])
        path = " ".join(f"{v:.0f}" for v in ndpr.iloc[::3])
        print(f"  seed {seed}: NdPr every 3rd year {path} | Dy/Tb max {dytb.max():.0f} min {dytb.min():.0f}")
    last = np.array(last)
    return {
        "ndpr_ratio_min (>=0.5)": min(ratio_low),
        "ndpr_ratio_max (<=3)": max(ratio_high),
        "log_sd_ndpr max (<=0.4)": max(sd_ndpr),
        "log_sd_dytb max (<=0.5)": max(sd_dytb),
        "cv_ndpr_2053 (<=0.3)": float(last.std() / last.mean()),
        "china_sep_share_min_to_2035 (>=0.75)": min(share_low),
        "china_sep_share_max_to_2035 (<=0.95)": max(share_high),
        "china_sep_share_2030 mean (0.70-0.90)": float(np.mean(share_2030)),
    }


def history(seeds: list[int]) -> dict[str, str]:
    """The K-patterns of REFERENCE §10 in history_2009, one line per target of
    configs/targets/history_2010.toml, computed by marketsim.calibration (the one definition that
    calibration and docs/validation.md use): the value on each seed, the target and the seeds that pass."""
    spec = load_targets(TARGETS)
    scenario = load_scenario(scenario_path(TARGETS, spec.run), OVERRIDES)
    metrics = metrics_read(spec.targets) | {"licence_premium", "undocumented_mining", "production"}
    tables = [TidyTable(run_table(scenario, {}, seed, spec.run.years), metrics) for seed in seeds]
    per_seed = [statistics(table, spec.targets) for table in tables]
    figures: dict[str, str] = {}
    for target in spec.targets:
        values = [stats[target.id] for stats in per_seed]
        low, high = target.target
        passed = sum(passes(target, value) for value in values)
        shown = " ".join(f"{value:8.3f}" for value in values)
        figures[f"{target.id} ({low:g}-{high:g})"] = f"{shown}   pass {passed}/{len(values)}"
    for name, diagnostic in DIAGNOSTICS.items():
        figures[name] = " ".join(f"{statistic(table, diagnostic):8.3f}" for table in tables)
    return figures


def quota(seeds: list[int]) -> dict[str, float]:
    """Japan's NdPr under a lasting export quota on China from 2026 (5 and 30 kt/yr) against the
    no-quota twin: months above US$1,000/kg and runs above three times the median from 2027."""
    from marketsim.policy.events import ExportQuota  # noqa: PLC0415 (only this part needs it)

    figures: dict[str, float] = {}
    for tonnes in (None, 5000.0, 30000.0):
        label = "no quota" if tonnes is None else f"{tonnes / 1000:.0f} kt"
        above, runs, medians = [], [], []
        for seed in seeds:
            scenario = load_scenario(CONFIGS / "baseline_2024.toml", OVERRIDES)
            if tonnes is not None:
                event = ExportQuota(region="china", tonnes_per_year=tonnes, start="2026-01")
                scenario = scenario.model_copy(update={"events": [*scenario.events, event]})
            model = RareEarthModel(scenario, seed=seed)
            model.run()
            table = model.results()
            japan = series(table, "price", "ndpr", "japan").sort_index().to_numpy()
            settled = japan[36:]
            high = (settled > 3.0 * np.median(settled)).astype(int)
            above.append(int((japan > 1000.0).sum()))
            runs.append(int((np.diff(high) == 1).sum() + high[0]))
            medians.append(float(np.median(settled)))
        figures[f"{label}: months Japan NdPr > US$1,000/kg (mean)"] = float(np.mean(above))
        figures[f"{label}: runs above 3x median from 2027 (mean)"] = float(np.mean(runs))
        figures[f"{label}: median Japan NdPr from 2027, US$/kg"] = float(np.mean(medians))
    return figures


def show(title: str, figures: dict) -> None:
    """Print figures one a line."""
    print(title)
    for name, value in figures.items():
        print(f"  {name:<62} {value:.3f}" if isinstance(value, float) else f"  {name:<62} {value}")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--only", choices=["baseline", "history", "quota"])
    parser.add_argument("--set", action="append", default=[], help="override, e.g. dynamics.x.y=1")
    args = parser.parse_args()
    OVERRIDES.extend(args.set)
    seeds = [int(s) for s in args.seeds.split(",")]
    start = time.perf_counter()
    if args.only in (None, "baseline"):
        show("baseline_2024, 30 years, seeds " + args.seeds, baseline(seeds))
    if args.only == "quota":
        show("baseline_2024 with an export quota on China from 2026, seeds " + args.seeds, quota(seeds))
    if args.only in (None, "history"):
        show(f"history_2009 K-patterns ({TARGETS.name}), values on seeds {args.seeds}", history(seeds))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
