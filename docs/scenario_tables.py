"""The tables docs/make_scenario_numbers.py writes into docs/scenarios.md: runs, rows and their numbers.

Each scenario runs once as written and once as its no-policy twin (``twin``), cached for the whole
script (``results``); ``block`` turns a scenario's rows into its Markdown table, ``decisions_block`` and
``known_problems_block`` build the two other blocks. Imported by docs/make_scenario_numbers.py (docs/ is
on the path when a script under it runs).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from make_policy_effects import twin_of

from marketsim.model import RareEarthModel

NOT_CHINA = "not china"  # every region but China (and the world total)
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


def block(name: str, years: tuple[int, ...], rows: list[Row]) -> str:
    """The Markdown table of one scenario (with its twin beside it): ``rows`` for ``years``."""
    policy, other = twin(name)
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


def known_problems_block(names: Iterable[str]) -> str:
    """Where prices sit against the choke price and the floor, in the own run of each scenario named."""
    lines = [
        "| scenario | Dy/Tb choke price | highest Dy/Tb a seller outside China posts (months at the choke) "
        "| highest Dy/Tb buyers outside China pay (months at the choke) | NdPr floor | lowest NdPr in China (month) "
        "| Dy/Tb floor | lowest Dy/Tb in China (month) |",
        "|---" * 8 + "|",
    ]
    for name in names:
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
