"""Regenerate every model figure quoted in docs/teaching.md from check runs of the lesson's game.

Run from the repository root:

    .venv/bin/python docs/make_teaching_numbers.py            # runs the games, rewrites the guide
    .venv/bin/python docs/make_teaching_numbers.py --check    # same runs; fails if the guide is stale

The check runs, and how each is played through the game engine's own path, are described in
docs/teaching_runs.py.

Each figure sits in the guide between markers, ``<!-- n:KEY -->value<!-- /n -->``; the script
replaces every value. It fails, naming the key, when a marker it computes is missing from the
guide or the guide holds a marker it does not know. Some markers hold words, not numbers: a
sentence's claim (a trend, which projects get built) chosen from the run's facts. The script
prints those facts ("claims to re-check") so a person can re-read the sentences after a model
change.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # docs/ is not a package: its sibling modules

from teaching_facts import compute
from teaching_runs import ROOT, RUNS, play

GUIDE = ROOT / "docs" / "teaching.md"
KEYS: tuple[str, ...] = (
    "accident_effect",
    "ban_china_dytb",
    "ban_china_magnet",
    "ban_china_ndpr",
    "ban_japan_dytb",
    "ban_japan_magnet",
    "ban_japan_ndpr",
    "ban_japan_use",
    "ban_need_met_min",
    "ban_outside_ndpr",
    "base_magnet_dep",
    "baseline_projects",
    "china_burden_2024",
    "china_consumption_2024",
    "dispute_effect",
    "dytb_2024",
    "dytb_2025",
    "dytb_2026",
    "dytb_2027",
    "dytb_2028",
    "elsewhere_premium",
    "eu_dep_2024",
    "eu_floor_result",
    "eu_subsidy_result",
    "ev_effect",
    "importers_dep_range",
    "india_dep_2024",
    "japan_equity_result",
    "korea_dep_2024",
    "korea_floor_result",
    "korea_subsidy_result",
    "licence_magnet_dep",
    "licence_sep_dep",
    "magnet_2024",
    "magnet_2025",
    "magnet_2026",
    "magnet_2027",
    "magnet_2028",
    "magnets_kt_eu",
    "magnets_kt_india",
    "magnets_kt_japan",
    "magnets_kt_korea",
    "magnets_kt_row",
    "magnets_kt_usa",
    "myanmar_effect",
    "ndpr_2024",
    "ndpr_2025",
    "ndpr_2026",
    "ndpr_2027",
    "ndpr_2028",
    "peak_stockpile_cost",
    "peak_year",
    "quota_dependency",
    "quota_split",
    "r2_question",
    "r2_title",
    "r4_peak",
    "r4_title",
    "row_dep_2024",
    "unmet_need",
    "us_floor_result",
    "us_offtake_result",
    "usa_dep_2024",
    "world_ndpr_story",
)
"""Every marker the script fills in docs/teaching.md (tests/test_teaching_numbers.py checks the guide
holds exactly these)."""
MARKER = re.compile(r"<!-- n:([a-z0-9_]+) -->(.*?)<!-- /n -->", re.S)


# ------------------------------------------------------------------------------ the guide
def fill(text: str, values: dict[str, str]) -> str:
    """Replace every marked value; fail on a marker the script does not know or one it misses."""
    found = {key for key, _ in MARKER.findall(text)}
    unknown, missing = sorted(found - set(values)), sorted(set(values) - found)
    if unknown or missing:
        raise SystemExit(
            f"docs/teaching.md and the script disagree: markers the script does not know: {unknown or 'none'}; "
            f"values with no marker in the guide: {missing or 'none'}"
        )
    return MARKER.sub(lambda m: f"<!-- n:{m.group(1)} -->{values[m.group(1)]}<!-- /n -->", text)


def main() -> int:
    """Run the check games, print the facts behind the guide's claims and rewrite the guide."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; fail if the guide is not up to date")
    args = parser.parse_args()
    runs = {name: play(run) for name, run in RUNS.items()}
    values, facts = compute(runs)
    if set(values) != set(KEYS):
        raise SystemExit(f"the script's KEYS list is out of date: {sorted(set(values) ^ set(KEYS))}")
    text = GUIDE.read_text()
    new = fill(text, values)
    print("Claims to re-check in docs/teaching.md (the facts behind them):")
    for fact in facts:
        print(f"- {fact}")
    for key in sorted(values):
        print(f"{key} = {values[key]}")
    if args.check:
        if new != text:
            print("docs/teaching.md is out of date: run docs/make_teaching_numbers.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(new)
    print(f"wrote {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
