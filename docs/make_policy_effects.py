"""Measure every policy scenario against its no-policy twin over 10 seeds (docs/scenarios.md).

Run from the repository root:

    .venv/bin/python docs/make_policy_effects.py              # 10 seeds, writes the table
    .venv/bin/python docs/make_policy_effects.py --seeds 3    # a quick look (still writes)

For each policy scenario and each seed, the scenario runs twice on the same seed: as written, and
as its twin without the policy (its events removed; for ai_world, every government's strategy set
to "scripted", so nobody decides anything, while the random shocks stay). The effect of the policy
on an outcome is the scenario's value minus the twin's (or the ratio, for prices), seed by seed.
The table gives the median effect over the seeds and its range (lowest to highest seed), and says
whether every seed agrees on the sign: an effect whose range straddles zero is not visible against
the model's own seed-to-seed noise.

Outcomes, over 2026-2035 (every policy scenario runs at least to 2035):
- NdPr, Dy/Tb and magnet prices buyers pay outside China (mean of Japan, the USA and the EU),
  and NdPr in China: the change of the 2026-2035 mean, in percent;
- dependency on Chinese separation of the USA, the EU and Japan (mean of the three, 2035): points;
- China's share of world separation (2035): points;
- magnet need unmet outside China, 2026-2035 total: kt;
- public money spent by all governments, 2026-2035: US$ billion.

Writes docs/data/policy_effects.csv (one row per scenario, seed and outcome) and replaces the
table between the markers ``<!-- policy-effects:start -->`` and ``<!-- policy-effects:end -->`` in
docs/scenarios.md.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import load_scenario, validate_scenario

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
DOC = ROOT / "docs" / "scenarios.md"
CSV = ROOT / "docs" / "data" / "policy_effects.csv"
SCENARIOS = ("licensing_2025", "friendshoring", "recycling_push", "escalation", "diversify", "ai_world")
OUTSIDE = ("japan", "usa", "eu")
WINDOW = (2026, 2035)
FIRST_SEED = 1
START, END = "<!-- policy-effects:start -->", "<!-- policy-effects:end -->"
OUTCOMES = {
    "ndpr_outside": ("NdPr outside China", "%"),
    "dytb_outside": ("Dy/Tb outside China", "%"),
    "magnet_outside": ("magnets outside China", "%"),
    "ndpr_china": ("NdPr in China", "%"),
    "dependency": ("importers' separation dependency 2035", "points"),
    "china_share": ("China's separation share 2035", "points"),
    "unmet_outside": ("magnet need unmet outside China", "kt"),
    "public_money": ("public money", "US$ bn"),
}


def twin_of(name: str):
    """The scenario as written and its no-policy twin."""
    scenario = load_scenario(CONFIGS / f"{name}.toml")
    if name != "ai_world":
        return scenario, scenario.model_copy(update={"events": []})
    data = json.loads(scenario.model_dump_json())
    for region in data["regions"].values():
        region["strategy"] = {"kind": "scripted"}
    return scenario, validate_scenario(data, "ai_world without strategies")


def outcomes(scenario, seed: int) -> dict[str, float]:
    """The raw outcomes of one run (before differencing with the twin)."""
    model = RareEarthModel(scenario, seed=seed)
    model.run()
    table = model.results()
    table = table[table.date.str[:4].astype(int).between(*WINDOW)]
    year = table.date.str[:4].astype(int)

    def series(metric: str, good: str | None = None, regions=None):
        rows = table[(table.metric == metric)]
        if good is not None:
            rows = rows[rows.good == good]
        if regions is not None:
            rows = rows[rows.region.isin(regions)]
        return rows

    def price(good: str, regions) -> float:
        return float(series("price", good, regions).value.mean())

    last = year == WINDOW[1]
    dependency = table[last & (table.metric == "dependency_separation") & (table.good == "all")]
    share = table[last & (table.metric == "china_share_separation")]
    unmet = series("unmet_demand", "magnet")
    unmet = unmet[~unmet.region.isin(["china", "world"])]
    spending = series("public_spending", None, ["world"])
    return {
        "ndpr_outside": price("ndpr", OUTSIDE),
        "dytb_outside": price("dytb", OUTSIDE),
        "magnet_outside": price("magnet", OUTSIDE),
        "ndpr_china": price("ndpr", ["china"]),
        "dependency": float(dependency[dependency.region.isin(OUTSIDE)].value.mean()),
        "china_share": float(share[share.region == "world"].value.mean()),
        "unmet_outside": float(unmet.value.sum()) / 1000.0,
        "public_money": float(spending.value.sum()) / 1000.0,
    }


def effect_of(job: tuple[str, int]) -> list[dict]:
    """Rows of (scenario, seed, outcome, policy, twin, effect) for one scenario and seed."""
    name, seed = job
    policy, twin = twin_of(name)
    with_policy, without = outcomes(policy, seed), outcomes(twin, seed)
    rows = []
    for key, (_, unit) in OUTCOMES.items():
        a, b = with_policy[key], without[key]
        if unit == "%":
            effect = 100.0 * (a / b - 1.0) if b > 0 else float("nan")
        elif unit == "points":
            effect = 100.0 * (a - b)
        else:
            effect = a - b
        rows.append({"scenario": name, "seed": seed, "outcome": key, "policy": a, "twin": b, "effect": effect})
    return rows


def cell(values: pd.Series, unit: str) -> str:
    """``median [low, high]`` with a mark when every seed agrees on the sign."""
    digits = 1 if unit in ("%", "points") else 2
    med, low, high = values.median(), values.min(), values.max()
    agrees = (low > 0) or (high < 0)
    text = f"{med:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"
    return f"**{text}**" if agrees else text


def markdown(frame: pd.DataFrame, seeds: int) -> str:
    """The table for docs/scenarios.md."""
    head = "| outcome (unit) | " + " | ".join(SCENARIOS) + " |"
    lines = [head, "|" + "---|" * (len(SCENARIOS) + 1)]
    for key, (label, unit) in OUTCOMES.items():
        cells = []
        for name in SCENARIOS:
            values = frame[(frame.scenario == name) & (frame.outcome == key)].effect.dropna()
            cells.append(cell(values, unit) if len(values) else "n/a")
        lines.append(f"| {label} ({unit}) | " + " | ".join(cells) + " |")
    note = (
        f"\nEffect of each policy against its no-policy twin, {seeds} seeds "
        f"({FIRST_SEED}-{FIRST_SEED + seeds - 1}), 2026-2035: median [lowest, highest seed]. **Bold**: every "
        "seed agrees on the sign (the effect stands out of the seed noise). Prices: change of the mean price "
        "in percent; dependency and share: percentage points; unmet need: kt of magnets; public money: US$ bn "
        "(all governments). Made by `docs/make_policy_effects.py`; the rows behind it are in "
        "`docs/data/policy_effects.csv`.\n"
    )
    return note + "\n" + "\n".join(lines) + "\n"


def write(frame: pd.DataFrame, seeds: int) -> None:
    """Save the rows and put the table into docs/scenarios.md."""
    CSV.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(CSV, index=False, float_format="%.6g")
    text = DOC.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"{DOC} has no {START} marker: add the markers where the table belongs")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + START + "\n" + markdown(frame, seeds) + END + tail, encoding="utf-8")


def main() -> None:
    """Run every scenario and its twin on each seed, then write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(name, seed) for name in SCENARIOS for seed in range(FIRST_SEED, FIRST_SEED + args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = [row for batch in pool.map(effect_of, jobs) for row in batch]
    frame = pd.DataFrame(rows)
    write(frame, args.seeds)
    print(markdown(frame, args.seeds))
    print(f"wrote {CSV} and the table in {DOC}; non-finite effects: {int(np.isnan(frame.effect).sum())}")


if __name__ == "__main__":
    main()
