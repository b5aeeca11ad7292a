"""Print the market-dynamics targets of issue 13: the baseline's stability over seeds and the
2010-2012 export-quota episode (REFERENCE §10, K1-K9) in history_2009.

Run from the repo root:

    PYTHONPATH=. .venv/bin/python benchmarks/bench_dynamics.py [--seeds 1,2,3,4,5] [--only baseline|history]

Baseline targets (30 years, 5 seeds): annual world NdPr within 0.5-3x of its 2024 level every
year; log standard deviation of annual prices at most 0.4 (NdPr) and 0.5 (Dy/Tb); coefficient of
variation of 2053 NdPr across seeds at most 0.3; China's separation share within 75-95 % through
2035 and 70-90 % in 2030 (IEA: 77 %).

History targets: "outside China" is the mean regional price of Japan, the USA and the EU (what
buyers outside China paid, FOB plus freight); "China" is China's regional price.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
OUTSIDE = ["japan", "usa", "eu"]
QUOTA_GOODS = ["concentrate", "ndpr", "dytb", "lace"]


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


def outside(table: pd.DataFrame, good: str) -> pd.Series:
    """Monthly mean regional price of a good in Japan, the USA and the EU."""
    return pd.concat([series(table, "price", good, r) for r in OUTSIDE], axis=1).mean(axis=1)


def optional(table: pd.DataFrame, metric: str, good: str, region: str) -> pd.Series | None:
    """A metric's monthly series, or None where the model does not record it."""
    values = series(table, metric, good, region)
    return values if len(values) else None


def history(seed: int) -> dict[str, float | str]:
    """The K-patterns of REFERENCE §10 in history_2009."""
    table = run("history_2009", seed, years=5)
    ndpr, dytb, lace = outside(table, "ndpr"), outside(table, "dytb"), outside(table, "lace")
    base_n, base_d, base_l = ndpr["2009-01":"2009-12"].mean(), dytb["2009-01":"2009-12"].mean(), lace[:"2009-12"].mean()
    window = slice("2010-01", "2012-12")
    peak_n, peak_d = ndpr[window].max(), dytb[window].max()
    exports = sum(series(table, "exports", g, "china") for g in QUOTA_GOODS)
    china_ndpr = series(table, "price", "ndpr", "china")
    figures: dict[str, float | str] = {
        "K1 NdPr 2009 outside (15-20)": base_n,
        "K1 Dy/Tb 2009 outside (91-118)": base_d,
        "K2 NdPr peak/2009 (15-20x)": peak_n / base_n,
        "K2 Dy/Tb peak/2009 (~26x)": peak_d / base_d,
        "K3 NdPr peak month (2011-07/08)": ndpr[window].idxmax(),
        "K3 Dy/Tb peak month (2011-08)": dytb[window].idxmax(),
        "K4 NdPr Dec 2011 / peak (~0.6)": ndpr["2011-12"] / peak_n,
        "K4 Dy/Tb Dec 2011 / peak (~0.6)": dytb["2011-12"] / peak_d,
        "K5 NdPr Dec 2012 / peak (~0.25)": ndpr["2012-12"] / peak_n,
        "K5 Dy/Tb Dec 2012 / peak (~0.25)": dytb["2012-12"] / peak_d,
        "K6 exports 2012 / quota (0.52)": exports["2012-01":"2012-12"].sum() / 31000.0,
        "K7 China/outside NdPr 2011 (<1, well below)": (
            china_ndpr["2011-01":"2011-12"] / ndpr["2011-01":"2011-12"]
        ).mean(),
        "K8 La/Ce peak/2009 (~36x)": lace[window].max() / base_l,
    }
    premium = optional(table, "licence_premium", "ndpr", "china")
    if premium is not None:
        figures["K7 licence premium NdPr 2011 mean, US$/kg (>0)"] = premium["2011-01":"2011-12"].mean()
    smuggled = optional(table, "smuggled", "all", "china")
    if smuggled is not None:
        legal = exports["2011-01":"2012-12"].sum()
        figures["K9 (official+smuggled)/official exports 2011-12 (1.2-1.6)"] = (
            legal + smuggled["2011-01":"2012-12"].sum()
        ) / legal
    undocumented = optional(table, "undocumented_mining", "all", "china")
    if undocumented is not None:
        mined = series(table, "production", "concentrate", "china")["2011-01":"2012-12"].sum()
        figures["K9 undocumented share of China's mining 2011-12 (0.15-0.30)"] = (
            undocumented["2011-01":"2012-12"].sum() / mined
        )
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
        for seed in seeds[:2]:
            show(f"history_2009 to 2013, seed {seed}", history(seed))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
