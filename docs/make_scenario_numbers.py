"""Fill the number tables of docs/scenarios.md: each scenario against its no-policy twin.

Run from the repository root:

    .venv/bin/python docs/make_scenario_numbers.py                 # every scenario below
    .venv/bin/python docs/make_scenario_numbers.py licensing_2025  # only the ones named

Each scenario runs as written (its own seed and years) and, beside it, as its no-policy twin on the
same seed: the same file with its events removed, or, for ai_world, with every government's
strategy set to ``{kind = "scripted"}`` (docs/make_policy_effects.py, ``twin_of``); history_2009's
twin keeps its dated capacity events and drops China's trade measures (``twin`` below). baseline_2024
has no events, so it is its own twin and its table has one value per cell. Two more blocks come
from the runs as written: ``ai_world_decisions`` (every government's decisions, counted by kind,
China's licences on and off, the shocks drawn) and ``known_problems`` (prices against the choke
price and the floor, in every scenario).

The table of each scenario replaces whatever stands between ``<!-- numbers:NAME:start -->`` and
``<!-- numbers:NAME:end -->`` in docs/scenarios.md. Prices, shares and dependency are yearly means of
the monthly values (the mean over the regions named where there are several); tonnages and money
are yearly sums (summed over the regions named).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_policy_effects import twin_of

from marketsim.model import RareEarthModel

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenarios.md"
PREFIX = "numbers"
IMPORTERS = ("usa", "eu", "japan")
NOT_CHINA = "not china"  # every region but China (and the world total)
REO_PER_MAGNET = 0.2731  # t REO a tonne of magnet carries (docs/model.md 7.5)
TRADE_POLICY = ("export_quota", "export_tax", "export_ban", "export_licence", "tariff")


@dataclass(frozen=True)
class Row:
    """One line of a table: a metric, a good and the regions it is averaged or summed over."""

    label: str
    metric: str
    good: str = "all"
    regions: tuple[str, ...] | str = ("world",)
    how: str = "mean"  # "mean": yearly mean; "kt": yearly sum in kt; "bn": yearly sum in US$ bn; "end": December;
    # "cap": capacity (t/yr), yearly mean summed over the regions, in kt/yr
    scale: float = 1.0  # multiplies the value (e.g. t of magnet -> t REO)


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


def twin(name: str):
    """The scenario as written and its no-policy twin. history_2009's twin keeps its dated capacity
    events (Mountain Pass, Mt Weld, Lynas starting up are history, not policy) and drops China's
    quotas, export tax and the 2010 halt to Japan; every other twin is make_policy_effects's."""
    policy, other = twin_of(name)
    if name == "history_2009":
        kept = [event for event in policy.events if event.type not in TRADE_POLICY]
        other = policy.model_copy(update={"events": kept})
    return policy, other


_RUNS: dict[tuple[str, str], tuple[pd.DataFrame, RareEarthModel]] = {}


def results(name: str, which: str = "scenario") -> tuple[pd.DataFrame, RareEarthModel]:
    """Run a scenario (``which="scenario"``) or its twin once (its own seed and years); return its
    table, with a year column, and the model after the run."""
    if (name, which) not in _RUNS:
        scenario = twin(name)[0 if which == "scenario" else 1]
        model = RareEarthModel(scenario)
        model.run()
        table = model.results()
        table["year"] = table["date"].astype(str).str[:4].astype(int)
        _RUNS[name, which] = (table, model)
    return _RUNS[name, which]


def value(table: pd.DataFrame, row: Row, year: int) -> float:
    """The number one row shows for one year."""
    rows = table[(table["metric"] == row.metric) & (table["good"] == row.good) & (table["year"] == year)]
    if row.regions == NOT_CHINA:
        rows = rows[~rows["region"].isin(["china", "world"])]
    else:
        rows = rows[rows["region"].isin(row.regions)]
    if rows.empty:
        return float("nan")
    by_region = rows.groupby("region", observed=True)["value"]
    if row.how == "mean":
        return float(by_region.mean().mean())
    if row.how == "end":
        return float(rows[rows["date"].astype(str).str[5:7] == "12"]["value"].sum())
    if row.how == "cap":  # capacity in t/yr: yearly mean, summed over regions, in kt
        return float(by_region.mean().sum()) / 1000.0
    total = float(rows["value"].sum()) * row.scale
    return total / 1000.0  # t -> kt, or US$ m -> US$ bn


def number(x: float, row: Row) -> str:
    """A value rounded the way the prose quotes it."""
    if math.isnan(x):
        return "-"
    if row.how == "end":
        return f"{x:.0f}"
    if row.metric.startswith(("dependency", "china_share")):
        return f"{x:.2f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.0f}" if row.metric == "price" else f"{x:.1f}"
    return f"{x:.1f}" if abs(x) >= 1 or x == 0 else f"{x:.2f}"


def block(name: str) -> str:
    """The Markdown table of one scenario (with its twin beside it)."""
    policy, other = twin(name)
    years, rows = SPECS[name]
    runs = {"scenario": results(name)[0]}
    if other.events != policy.events or name == "ai_world":
        runs["twin"] = results(name, "twin")[0]
    lines = ["| | " + " | ".join(str(y) for y in years) + " |", "|---" * (len(years) + 1) + "|"]
    for row in rows:
        cells = []
        for year in years:
            own = number(value(runs["scenario"], row, year), row)
            if "twin" in runs:
                own += f" ({number(value(runs['twin'], row, year), row)})"
            cells.append(own)
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    if "twin" in runs:
        twin_text = {"ai_world": "every government scripted", "history_2009": "no quotas, tax or halt"}.get(
            name, "events removed"
        )
        note = f"{name} (in brackets: its twin, {twin_text}, same seed {policy.scenario.seed})"
    else:
        note = f"{name}, seed {policy.scenario.seed} (no events: it is its own twin)"
    caption = f"*{note}; yearly means, tonnages and money yearly sums. Made by `docs/make_scenario_numbers.py`.*"
    return caption + "\n\n" + "\n".join(lines) + "\n"


def decision_kind(decision) -> str:
    """A short name for an accepted decision: its event type, split where the message tells more."""
    kind = getattr(decision.event, "type", "decision")
    message = decision.message or ""
    if kind == "stockpile":
        return "stockpile release" if "releases" in message else "stockpile order"
    if kind == "export_licence":
        return "licences lifted or eased" if ("lifts" in message or "Easing" in message) else "licences imposed"
    return kind.replace("_", " ")


def decisions_block() -> str:
    """ai_world: every government's accepted decisions, counted by kind, with the months they came."""
    _, model = results("ai_world")
    by_region: dict[str, dict[str, list[str]]] = {}
    for decision in model.decisions:
        if decision.accepted:
            months = by_region.setdefault(decision.region, {}).setdefault(decision_kind(decision), [])
            months.append(str(model.date_of(decision.tick)))
    lines = ["| region | decisions (count: first month - last month) |", "|---|---|"]
    for region, kinds in by_region.items():
        cells = []
        for kind, months in sorted(kinds.items()):
            span = months[0] if months[0] == months[-1] else f"{months[0]} - {months[-1]}"
            cells.append(f"{kind} x{len(months)} ({span})")
        lines.append(f"| {region} | " + "; ".join(cells) + " |")
    china = by_region.get("china", {})
    switches = sorted({(m, k) for k in ("licences imposed", "licences lifted or eased") for m in china.get(k, [])})
    timeline = ", ".join(f"{m} {'on' if k == 'licences imposed' else 'off'}" for m, k in switches)
    shocks = [
        f"{e.type.replace('_', ' ')} {e.region}"
        + (f"-{e.target}" if getattr(e, "target", None) else "")
        + f" ({e.start})"
        for e in model.events
        if getattr(e, "type", "") in ("mine_disruption", "demand_surge")
    ]
    rejected = sum(not d.accepted for d in model.decisions)
    return (
        f"*ai_world, seed {model.seed_used}: {sum(d.accepted for d in model.decisions)} decisions "
        f"accepted, {rejected} rejected. Made by `docs/make_scenario_numbers.py`.*\n\n"
        + "\n".join(lines)
        + f"\n\nChina's licences, on and off: {timeline or 'none'}.\n\n"
        + f"Random shocks drawn (besides disputes): {'; '.join(shocks) or 'none'}.\n"
    )


def known_problems_block() -> str:
    """Where prices sit against the choke price and the floor, in each scenario's own run."""
    lines = [
        "| scenario | Dy/Tb choke price | highest Dy/Tb a seller outside China posts (months at the choke) "
        "| highest Dy/Tb buyers outside China pay (months at the choke) | NdPr floor | lowest NdPr in China (month) "
        "| Dy/Tb floor | lowest Dy/Tb in China (month) |",
        "|---" * 8 + "|",
    ]
    for name in SPECS:
        table, model = results(name)
        market, goods = model.config.market, model.config.goods
        choke = goods.dytb.reference_price * market.max_price_multiple
        rows = table[(table["good"] == "dytb") & ~table["region"].isin(["china", "world"])]
        posted = rows[rows["metric"] == "seller_price"]
        at_choke = posted[posted["value"] >= 0.999 * choke]["date"].nunique()
        bought = rows[rows["metric"] == "price"]
        paid_choke = bought[bought["value"] >= 0.999 * choke]["date"].nunique()
        paid = f"{bought['value'].max():,.0f} ({paid_choke})"
        cells = [name, f"{choke:,.0f}", f"{posted['value'].max():,.0f} ({at_choke})", paid]
        for good in ("ndpr", "dytb"):
            floor = getattr(goods, good).reference_price * market.min_price_share
            china = table[(table["metric"] == "price") & (table["good"] == good) & (table["region"] == "china")]
            low = china.loc[china["value"].idxmin()]
            cells += [f"{floor:.1f}", f"{low['value']:.1f} ({low['date']})"]
        lines.append("| " + " | ".join(cells) + " |")
    caption = (
        "*Each scenario as written, its own seed; monthly values (US$/kg). Choke price: "
        "`market.max_price_multiple` times the reference price; floor: `market.min_price_share` times it. "
        "Made by `docs/make_scenario_numbers.py`.*"
    )
    return caption + "\n\n" + "\n".join(lines) + "\n"


EXTRA = {"ai_world_decisions": decisions_block, "known_problems": known_problems_block}


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
        body = EXTRA[name]() if name in EXTRA else block(name)
        print(f"== {name}\n{body}")
        text = fill(text, name, body)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote the tables in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
