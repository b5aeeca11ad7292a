"""Fill the number tables of docs/scenarios.md: each scenario against its no-policy twin.

Run from the repository root:

    .venv/bin/python docs/make_scenario_numbers.py                 # every scenario below
    .venv/bin/python docs/make_scenario_numbers.py licensing_2025  # only the ones named

Each scenario runs as written (its own seed and years) and, beside it, as its no-policy twin on the
same seed: the same file with its events removed, or, for ai_world, with every government's
strategy set to ``{kind = "scripted"}`` (docs/make_policy_effects.py, ``twin_of``); history_2009's
twin keeps its dated capacity events and drops China's trade measures (``twin`` in
docs/scenario_tables.py, which also builds the tables). baseline_2024 has no events, so it is its own
twin and its table has one value per cell. Two more blocks come from the runs as written:
``ai_world_decisions`` (every government's decisions, counted by kind, China's licences on and off,
the shocks drawn) and ``known_problems`` (prices against the choke price and the floor, in every
scenario).

The table of each scenario replaces whatever stands between ``<!-- numbers:NAME:start -->`` and
``<!-- numbers:NAME:end -->`` in docs/scenarios.md. Prices, shares and dependency are yearly means of
the monthly values (the mean over the regions named where there are several); tonnages and money
are yearly sums (summed over the regions named).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario_tables import NOT_CHINA, Row, block, decisions_block, known_problems_block

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenarios.md"
PREFIX = "numbers"
IMPORTERS = ("usa", "eu", "japan")
REO_PER_MAGNET = 0.2731  # t REO a tonne of magnet carries (docs/model.md 7.5)


PRICE_ROWS = {
    "ndpr_china": Row("NdPr in China (US$/kg)", "price", "ndpr", ("china",)),
    "ndpr_out": Row("NdPr in Japan/USA/EU (US$/kg)", "price", "ndpr", IMPORTERS),
    "dytb_china": Row("Dy/Tb in China (US$/kg)", "price", "dytb", ("china",)),
    "dytb_out": Row("Dy/Tb in Japan/USA/EU (US$/kg)", "price", "dytb", IMPORTERS),
    "magnet_china": Row("magnets in China (US$/kg)", "price", "magnet", ("china",)),
    "magnet_out": Row("magnets in Japan/USA/EU (US$/kg)", "price", "magnet", IMPORTERS),
}
DEPENDENCY = {
    stage: Row(f"dependency of USA/EU/Japan, {stage}", f"dependency_{stage}", "all", IMPORTERS)
    for stage in ("mining", "separation", "magnets")
}
CHINA_SHARE = {
    stage: Row(f"China's share of world {stage}", f"china_share_{stage}")
    for stage in ("mining", "separation", "magnets")
}
UNMET_OUT = Row("magnet need unmet outside China (kt)", "unmet_demand", "magnet", NOT_CHINA, "kt")
MONEY = Row("public money, all governments (US$ bn)", "public_spending", "all", ("world",), "bn")

SPECS: dict[str, tuple[tuple[int, ...], list[Row]]] = {
    "baseline_2024": (
        (2024, 2026, 2027, 2030, 2035, 2040, 2045, 2053),
        [
            Row("NdPr, world (US$/kg)", "price", "ndpr"),
            Row("Dy/Tb, world (US$/kg)", "price", "dytb"),
            Row("magnets, world (US$/kg)", "price", "magnet"),
            CHINA_SHARE["separation"],
            DEPENDENCY["separation"],
            Row("magnet need unmet, world (kt)", "unmet_demand", "magnet", ("world",), "kt"),
            Row("separation capacity outside China (kt/yr of feed)", "capacity_separation", "all", NOT_CHINA, "cap"),
            Row("mining outside China (kt REO)", "production", "concentrate", NOT_CHINA, "kt"),
            Row("projects operating (December)", "projects_operating", "all", ("world",), "end"),
            Row("projects abandoned (December)", "projects_abandoned", "all", ("world",), "end"),
        ],
    ),
    "history_2009": (
        (2009, 2010, 2011, 2012, 2013, 2014, 2016, 2018),
        [
            PRICE_ROWS["ndpr_china"],
            PRICE_ROWS["ndpr_out"],
            PRICE_ROWS["dytb_china"],
            PRICE_ROWS["dytb_out"],
            CHINA_SHARE["separation"],
            DEPENDENCY["separation"],
        ],
    ),
    "licensing_2025": (
        (2024, 2025, 2026, 2027, 2029, 2032, 2035),
        [
            PRICE_ROWS["dytb_china"],
            PRICE_ROWS["dytb_out"],
            PRICE_ROWS["ndpr_china"],
            PRICE_ROWS["ndpr_out"],
            PRICE_ROWS["magnet_china"],
            PRICE_ROWS["magnet_out"],
            Row("magnets in the USA (US$/kg)", "price", "magnet", ("usa",)),
            UNMET_OUT,
            Row("magnet use outside China (kt)", "consumption", "magnet", NOT_CHINA, "kt"),
            Row("magnet use in China (kt)", "consumption", "magnet", ("china",), "kt"),
            Row("magnets made outside China (kt)", "production", "magnet", NOT_CHINA, "kt"),
            Row("magnet capacity outside China (kt/yr)", "capacity_magnets", "all", NOT_CHINA, "cap"),
            DEPENDENCY["separation"],
            DEPENDENCY["magnets"],
            CHINA_SHARE["magnets"],
        ],
    ),
    "friendshoring": (
        (2024, 2026, 2028, 2030, 2032, 2035),
        [
            DEPENDENCY["separation"],
            Row("dependency of Korea/India, separation", "dependency_separation", "all", ("korea", "india")),
            CHINA_SHARE["separation"],
            DEPENDENCY["magnets"],
            PRICE_ROWS["ndpr_china"],
            PRICE_ROWS["ndpr_out"],
            PRICE_ROWS["magnet_out"],
            Row("NdPr separated outside China (kt)", "production", "ndpr", NOT_CHINA, "kt"),
            Row("magnets made in the USA (kt)", "production", "magnet", ("usa",), "kt"),
            Row("mining in the USA and Australia (kt REO)", "production", "concentrate", ("usa", "australia"), "kt"),
            MONEY,
        ],
    ),
    "recycling_push": (
        (2024, 2026, 2028, 2030, 2032, 2035),
        [
            Row("end-of-life oxide recycled, EU (kt REO)", "recycled", "all", ("eu",), "kt"),
            Row("end-of-life oxide recycled, Japan (kt REO)", "recycled", "all", ("japan",), "kt"),
            Row("end-of-life oxide recycled, world (kt REO)", "recycled", "all", ("world",), "kt"),
            Row("reaching end of life, EU (kt REO)", "end_of_life", "all", ("eu",), "kt"),
            Row("REO in the magnets the EU uses (kt)", "consumption", "magnet", ("eu",), "kt", REO_PER_MAGNET),
            Row("scrap recycled, world (kt REO)", "scrap_recycled", "all", ("world",), "kt"),
            Row("scrap recycled, Japan (kt REO)", "scrap_recycled", "all", ("japan",), "kt"),
            Row("dependency of the EU, separation", "dependency_separation", "all", ("eu",)),
            Row("dependency of the USA, separation", "dependency_separation", "all", ("usa",)),
            Row("NdPr, world (US$/kg)", "price", "ndpr"),
            Row("Dy/Tb, world (US$/kg)", "price", "dytb"),
        ],
    ),
    "escalation": (
        (2024, 2026, 2027, 2028, 2030, 2032, 2035),
        [
            Row("NdPr in the USA (US$/kg)", "price", "ndpr", ("usa",)),
            PRICE_ROWS["ndpr_china"],
            PRICE_ROWS["magnet_out"],
            PRICE_ROWS["magnet_china"],
            PRICE_ROWS["dytb_out"],
            PRICE_ROWS["dytb_china"],
            Row("magnet use, USA/EU/Japan/Korea (kt)", "consumption", "magnet", (*IMPORTERS, "korea"), "kt"),
            Row("magnet use in China (kt)", "consumption", "magnet", ("china",), "kt"),
            UNMET_OUT,
            Row("dependency of the USA, separation", "dependency_separation", "all", ("usa",)),
            Row("separation capacity outside China (kt/yr of feed)", "capacity_separation", "all", NOT_CHINA, "cap"),
            Row("magnet capacity outside China (kt/yr)", "capacity_magnets", "all", NOT_CHINA, "cap"),
        ],
    ),
    "ai_world": (
        (2024, 2025, 2026, 2028, 2030, 2033, 2035, 2038),
        [
            PRICE_ROWS["dytb_china"],
            PRICE_ROWS["dytb_out"],
            PRICE_ROWS["ndpr_china"],
            PRICE_ROWS["ndpr_out"],
            PRICE_ROWS["magnet_out"],
            CHINA_SHARE["magnets"],
            CHINA_SHARE["separation"],
            DEPENDENCY["separation"],
            DEPENDENCY["magnets"],
            Row("magnet use in the USA (kt)", "consumption", "magnet", ("usa",), "kt"),
            UNMET_OUT,
            MONEY,
        ],
    ),
}


def start_marker(name: str) -> str:
    """The line that opens a scenario's block."""
    return f"<!-- {PREFIX}:{name}:start -->"


def end_marker(name: str) -> str:
    """The line that closes a scenario's block."""
    return f"<!-- {PREFIX}:{name}:end -->"


EXTRA = {"ai_world_decisions": decisions_block, "known_problems": lambda: known_problems_block(SPECS)}


def fill(text: str, name: str, body: str) -> str:
    """Replace the text between a scenario's markers."""
    start, end = start_marker(name), end_marker(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise SystemExit(f"{DOC} needs exactly one {start} and one {end}: add them where {name}'s table belongs")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + start + "\n" + body + end + tail


def main() -> None:
    """Run the scenarios named (default: all) with their twins and fill their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    known = [*SPECS, *EXTRA]
    parser.add_argument("names", nargs="*", help=f"blocks to refresh (default: {', '.join(known)})")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        raise SystemExit(f"unknown block {', '.join(unknown)}: choose from {', '.join(known)}")
    text = DOC.read_text(encoding="utf-8")
    for name in args.names or known:
        body = EXTRA[name]() if name in EXTRA else block(name, *SPECS[name])
        print(f"== {name}\n{body}")
        text = fill(text, name, body)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote the tables in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
