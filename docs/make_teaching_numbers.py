"""Regenerate every model figure quoted in docs/teaching.md from check runs of the lesson's game.

Run from the repository root:

    .venv/bin/python docs/make_teaching_numbers.py            # runs the games, rewrites the guide
    .venv/bin/python docs/make_teaching_numbers.py --check    # same runs; fails if the guide is stale

Every check run is the lesson as docs/teaching.md sets it up: the scenario
configs/baseline_2024.toml, seed 2024, 12 months per round, five rounds (2024-2028), all nine
seats of the lesson taken by teams. It is played through the game engine's own path
(:mod:`marketsim.game.replay`: the room's scenario, its model with a seat controller per team,
decisions validated as the game validates a team's submission and queued on the government,
shocks validated as the console validates them and submitted before the round's months). A run
is the no-policy game (every team submits nothing) plus the decisions or shock the guide names.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from marketsim.game.debrief import scorecards
from marketsim.game.replay import new_model, room_scenario
from marketsim.game.shocks import demand_surge, dispute, export_ban, mine_disruption, validate_shock
from marketsim.governance import decisions as d
from marketsim.governance.rounds import as_event, queue_decisions, validate_decisions
from marketsim.levers.projects import ABANDONED, RAMP_UP
from marketsim.reports.views import CHINA_TIER, OUTSIDE_TIER, view_of
from marketsim.vocabulary import STAGES

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
SCENARIO = ROOT / "configs" / "baseline_2024.toml"
SEED, MONTHS_PER_ROUND, ROUNDS = 2024, 12, 5
FIRST_YEAR = 2024
SEATS = ("china", "usa", "eu", "japan", "korea", "australia", "myanmar", "india", "row")
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


# ------------------------------------------------------------------------------------ the runs
@dataclass
class Run:
    """One check run: decisions by round (1-5, as functions of the round's date) and shocks."""

    decisions: dict[int, list[Callable[[str], dict]]] = field(default_factory=dict)
    shocks: dict[int, list[Callable[[str], dict]]] = field(default_factory=dict)


def _year(n: int) -> int:
    return FIRST_YEAR + n - 1


BAN_ROUND = 3  # the round-3 shock: 2026
RUNS: dict[str, Run] = {
    "baseline": Run(),
    "ban": Run(shocks={BAN_ROUND: [lambda now: export_ban(now, "china", ("japan",), months=12)]}),
    "myanmar": Run(shocks={BAN_ROUND: [lambda now: mine_disruption(now, "myanmar", 0.5, months=12)]}),
    "accident": Run(shocks={BAN_ROUND: [lambda now: mine_disruption(now, "china", 0.3, months=6)]}),
    "ev_boom": Run(shocks={BAN_ROUND: [lambda now: demand_surge(now, "ev", 1.5, months=12)]}),
    "dispute": Run(shocks={BAN_ROUND: [lambda now: dispute(now, "japan", "china", months=12)]}),
    # Round-1 levers for projects (round notes, round 5; Korea's briefing)
    "us_floor": Run(
        decisions={
            1: [
                lambda now: d.price_floor("usa", now, "ndpr", 110),
                lambda now: d.subsidy("usa", now, "separation", 0.3),
                lambda now: d.subsidy("usa", now, "magnets", 0.3),
            ]
        }
    ),
    "eu_floor": Run(
        decisions={
            1: [lambda now: d.price_floor("eu", now, "ndpr", 110), lambda now: d.subsidy("eu", now, "separation", 0.3)]
        }
    ),
    "eu_subsidy": Run(
        decisions={
            1: [lambda now: d.subsidy("eu", now, "separation", 0.5), lambda now: d.subsidy("eu", now, "magnets", 0.5)]
        }
    ),
    "korea_floor": Run(
        decisions={
            1: [
                lambda now: d.subsidy("korea", now, "magnets", 0.5),
                lambda now: d.price_floor("korea", now, "magnet", 130),
            ]
        }
    ),
    "korea_subsidy": Run(decisions={1: [lambda now: d.subsidy("korea", now, "magnets", 0.5)]}),
    # China's export controls from round 2 (debrief)
    "quota": Run(decisions={2: [lambda now: d.export_quota("china", now, 5000)]}),
    "licence": Run(decisions={2: [lambda now: d.export_licence("china", now, 0.5, goods=("dytb", "magnet"))]}),
    # Appendix B levers from round 1 (debrief, question 3.2.2)
    "us_offtake": Run(
        decisions={1: [lambda now: d.offtake("usa", now, "MP Materials magnet expansion", "magnet", 110, 0.5)]}
    ),
    "japan_equity": Run(
        decisions={1: [lambda now: d.project_support("japan", now, "Mt Weld expansion", "equity", 0.3)]}
    ),
}


@dataclass
class Played:
    """A finished check run: the model, its results, the dashboard's view and project phases."""

    model: object
    table: pd.DataFrame
    view: object
    phases: pd.DataFrame
    """month x project: phase code at the end of each month."""
    capacity: pd.DataFrame
    """month x project: capacity of its fleet row, t a year."""


def play(run: Run) -> Played:
    """Play the lesson's five rounds with the run's decisions and shocks, as the game does."""
    scenario = room_scenario(SCENARIO.read_text(), SCENARIO.name, MONTHS_PER_ROUND)
    model, controllers = new_model(scenario, SEED, list(SEATS), "ai")
    pipeline = model.levers.projects
    phases, capacity, dates = [], [], []
    for n in range(1, ROUNDS + 1):
        now = model.date
        for make in run.shocks.get(n, []):
            data = make(now)
            validate_shock(model, data)  # raises DecisionError, as on the console
            model.submit(as_event(data, now))
        by_region: dict[str, list[dict]] = {}
        for make in run.decisions.get(n, []):
            data = make(now)
            region = data.get("region") or data.get("importer")
            by_region.setdefault(region, []).append(data)
        for region, chosen in by_region.items():
            validate_decisions(model, region, chosen)  # raises DecisionError, as a refused submission
        for region, controller in controllers.items():
            controller.played = True  # every team is at its device; an empty list is "no change"
            queue_decisions(model, region, [as_event(x, now) for x in by_region.get(region, [])])
        for _ in range(MONTHS_PER_ROUND):
            model.step()
            dates.append(model.tick)
            phases.append(pipeline.phase.copy())
            fleets = pipeline.fleets
            capacity.append(
                [float(fleets[STAGES[s]].capacity[r]) for s, r in zip(pipeline.stage, pipeline.row, strict=True)]
            )
        for controller in controllers.values():
            controller.played = False
    names = pipeline.names
    return Played(
        model=model,
        table=model.results(),
        view=view_of(model),
        phases=pd.DataFrame(phases, index=dates, columns=names),
        capacity=pd.DataFrame(capacity, index=dates, columns=names),
    )


# ----------------------------------------------------------------------------- reading a run
def _months_of(year: int) -> slice:
    start = (year - FIRST_YEAR) * 12
    return slice(start, start + 12)


def tier(p: Played, good: str, year: int, which: str = CHINA_TIER) -> float:
    """Yearly mean of the price buyers pay in China (or the debrief's "Outside China" average)."""
    return float(np.mean(p.view.prices[good][which][_months_of(year)]))


def metric(p: Played, name: str, region: str, year: int, good: str | None = None) -> float:
    """Yearly mean of a recorded metric for a region."""
    t = p.table
    rows = (t.metric == name) & (t.region == region) & t.date.str.startswith(str(year))
    if good is not None:
        rows &= t.good == good
    values = t.loc[rows, "value"]
    if values.empty:
        raise KeyError(f"no {name} for {region} in {year} (good {good})")
    return float(values.mean())


def price(p: Played, region: str, good: str, year: int) -> float:
    """Yearly mean of the price a region's buyers pay."""
    return metric(p, "price", region, year, good)


def dependency(p: Played, stage: str, region: str, year: int) -> float:
    """Yearly mean of a region's dependency on China at a stage (all goods)."""
    return metric(p, f"dependency_{stage}", region, year, "all")


def phase_at_end(p: Played, project: str) -> int:
    """A project's phase code at the end of the game."""
    return int(p.phases[project].iloc[-1])


def built(p: Played, project: str) -> bool:
    """Whether a project finished construction by the end of the game (ramping up or operating)."""
    return RAMP_UP <= phase_at_end(p, project) < ABANDONED


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_label_of(index: int) -> str:
    """'December 2028' for a month index counted from January of the first year."""
    return f"{MONTH_NAMES[index % 12]} {FIRST_YEAR + index // 12}"


def yearly_sum(p: Played, name: str, region: str, year: int, good: str) -> float:
    """A flow metric (t a month) summed over a year."""
    return 12.0 * metric(p, name, region, year, good)


def cost_of_supply(p: Played, region: str, year: int) -> float:
    """What a region's end users paid in a year (the scorecard's cost of supply), US$ million."""
    m = p.model
    rows = slice((year - FIRST_YEAR) * 12, (year - FIRST_YEAR + 1) * 12)
    i = m.regions.index(region)
    raw = m.recorder.raw
    return float((raw["consumption"][rows, :, i] * raw["price"][rows, :, i]).sum() / 1000.0)


def need_met(p: Played, region: str) -> float:
    """The scorecard's need met over the whole game, %."""
    return float(scorecards(p.model).loc[region, "need_met"])


def pct(new: float, old: float) -> int:
    """Change in whole percent."""
    return round(100.0 * (new / old - 1.0))


def signed(value: int) -> str:
    """+19 or -7 (a typographic minus)."""
    return f"+{value}" if value >= 0 else f"\u2212{-value}"


def whole(x: float) -> str:
    """A whole number with a thousands comma."""
    return f"{round(x):,}"


PHASE_WORDS = ("in exploration", "in permitting", "under construction")
YEARS = range(FIRST_YEAR, FIRST_YEAR + ROUNDS)
LAST = FIRST_YEAR + ROUNDS - 1
IMPORTERS = ("usa", "eu", "japan", "korea", "india", "row")


def status(p: Played, project: str) -> str:
    """Where a project stands at the end of the game, in words."""
    code = phase_at_end(p, project)
    tonnes = whole(p.capacity[project].iloc[-1])
    if code == ABANDONED:
        month = int(np.flatnonzero(p.phases[project].to_numpy() == ABANDONED)[0])
        return f"abandoned in {month_label_of(month)}"
    if code == RAMP_UP:
        return f"built and ramping up ({tonnes} t a year at the end of {LAST})"
    if code > RAMP_UP:
        return f"built and running ({tonnes} t a year) by the end of {LAST}"
    return f"still {PHASE_WORDS[code]} at the end of {LAST}"


def lever_result(p: Played, twin: Played, project: str) -> str:
    """What a run's levers did for a project, against the no-policy game."""
    mine, twin_said = status(p, project), status(twin, project)
    if mine == twin_said:
        return f"{mine}, as with no policy"
    return f"{mine}, against {twin_said.replace(f' by the end of {LAST}', '')} with no policy"


def project_census(p: Played) -> str:
    """The no-policy fate of the planned separation and magnet plants outside China."""
    pipeline = p.model.levers.projects
    china = p.model.regions.index("china")
    parts = []
    for stage, label in ((1, "separation plants"), (2, "magnet plants")):
        names = [
            n
            for n, s, r in zip(pipeline.names, pipeline.stage, pipeline.region, strict=True)
            if s == stage and r != china
        ]
        groups: dict[str, list[str]] = {}
        for name in names:
            where = (
                status(p, name)
                .split(" (")[0]
                .replace(f" at the end of {LAST}", "")
                .replace(f" by the end of {LAST}", "")
            )
            groups.setdefault(where, []).append(name)
        said = "; ".join(f"{', '.join(v)}: {k}" for k, v in groups.items())
        parts.append(f"of the {len(names)} planned {label} outside China, {said}")
    return ". ".join(part if k == 0 else part[0].upper() + part[1:] for k, part in enumerate(parts))


def compute(runs: dict[str, Played]) -> tuple[dict[str, str], list[str]]:
    """Every marked value of the guide, and the facts behind its claims (to print)."""
    b, ban = runs["baseline"], runs["ban"]
    n: dict[str, str] = {}
    facts: list[str] = []
    china = {(g, y): tier(b, g, y) for g in ("ndpr", "dytb", "magnet") for y in YEARS}
    for (g, y), v in china.items():
        n[f"{g}_{y}"] = whole(v)
    premiums = [pct(tier(b, g, y, OUTSIDE_TIER), tier(b, g, y)) for g in ("ndpr", "dytb", "magnet") for y in YEARS]
    n["elsewhere_premium"] = (
        f"{min(premiums)}-{max(premiums)}" if min(premiums) != max(premiums) else f"{min(premiums)}"
    )
    ndpr = {y: china["ndpr", y] for y in YEARS}
    peak = max(ndpr, key=ndpr.get)
    rising = ndpr[2025] > 1.05 * ndpr[2024] and china["dytb", 2025] > 1.05 * china["dytb", 2024]
    falling = ndpr[2025] < 0.95 * ndpr[2024] and china["dytb", 2025] < 0.95 * china["dytb", 2024]
    n["r2_title"] = "prices start to climb" if rising else "prices start to fall" if falling else "prices move"
    n["r2_question"] = (
        "why are prices rising?" if rising else "why are prices falling?" if falling else "why do prices move?"
    )
    facts.append(
        f"round 2 '{n['r2_title']}': NdPr {ndpr[2024]:.0f} -> {ndpr[2025]:.0f}, "
        f"Dy/Tb {china['dytb', 2024]:.0f} -> {china['dytb', 2025]:.0f}"
    )
    if peak == 2027:
        n["r4_title"], n["r4_peak"] = "the peak", "This is the top of the baseline's first price spike"
    else:
        level = "below" if ndpr[2027] < ndpr[2024] else "above"
        n["r4_title"] = "after the spike" if peak < 2027 else "prices still rising"
        n["r4_peak"] = (
            f"The baseline's first price spike peaked in {peak} (NdPr about {whole(ndpr[peak])}); in 2027 NdPr is back "
            f"{level} its 2024 level"
            if peak < 2027
            else f"The baseline's first price spike has not peaked yet (it peaks in {peak})"
        )
    facts.append(f"round 4 '{n['r4_title']}': yearly NdPr in China {[round(v) for v in ndpr.values()]}, peak {peak}")
    n["peak_year"] = str(peak)
    n["peak_stockpile_cost"] = whole(price(b, "world", "ndpr", peak))  # 1,000 t x US$/kg = US$ m
    world = {y: price(b, "world", "ndpr", y) for y in YEARS}
    wpeak = max(world, key=world.get)
    story = f"{whole(world[FIRST_YEAR])} US$/kg in {FIRST_YEAR} to {whole(world[wpeak])} in {wpeak}"
    if wpeak < LAST:
        low = min(range(wpeak + 1, LAST + 1), key=world.get)
        story += f", then falls to {whole(world[low])} in {low}"
    n["world_ndpr_story"] = story
    facts.append(f"debrief 3.1 world NdPr by year {[round(v) for v in world.values()]}")
    n["baseline_projects"] = project_census(b)
    facts.append(f"round 5 projects (no policy): {n['baseline_projects']}")
    n.update(_levers(runs))
    n.update(_ban(b, ban, facts))
    n.update(_alternatives(runs, facts))
    n.update(_quota_and_licence(runs, facts))
    deps = [dependency(b, "separation", r, y) for r in IMPORTERS for y in YEARS]
    n["importers_dep_range"] = f"between {min(deps):.2f} and {max(deps):.2f}"
    for region in ("usa", "eu", "korea", "india"):
        n[f"{region}_dep_2024"] = f"{dependency(b, 'separation', region, FIRST_YEAR):.2f}"
    n["row_dep_2024"] = whole(100 * dependency(b, "separation", "row", FIRST_YEAR))
    for region in IMPORTERS:
        n[f"magnets_kt_{region}"] = whole(yearly_sum(b, "consumption", region, FIRST_YEAR, "magnet") / 1000.0)
    scenario = room_scenario(SCENARIO.read_text(), SCENARIO.name, MONTHS_PER_ROUND)
    acting = [r for r, spec in scenario.regions.items() if spec.strategy.kind != "scripted"]
    facts.append(
        "room settings 'no government has a strategy' (so the `ai` seat makes no change): governments with a "
        f"strategy in {SCENARIO.name}: {', '.join(acting) or 'none'}"
    )
    n["china_burden_2024"] = whole(100 * metric(b, "burden_share", "china", FIRST_YEAR, "all"))
    n["china_consumption_2024"] = whole(100 * metric(b, "reo_consumption_share", "china", FIRST_YEAR, "all"))
    return n, facts


def _levers(runs: dict[str, Played]) -> dict[str, str]:
    b = runs["baseline"]
    return {
        "us_floor_result": lever_result(runs["us_floor"], b, "US heavy-REE separation"),
        "eu_floor_result": lever_result(runs["eu_floor"], b, "EU separation"),
        "eu_subsidy_result": lever_result(runs["eu_subsidy"], b, "EU separation"),
        "korea_floor_result": lever_result(runs["korea_floor"], b, "Korean magnet plant"),
        "korea_subsidy_result": lever_result(runs["korea_subsidy"], b, "Korean magnet plant"),
        "us_offtake_result": lever_result(runs["us_offtake"], b, "MP Materials magnet expansion"),
        "japan_equity_result": lever_result(runs["japan_equity"], b, "Mt Weld expansion"),
    }


def _change_words(change: int) -> str:
    return f"{signed(change)} %"


def _ban(b: Played, ban: Played, facts: list[str]) -> dict[str, str]:
    y = FIRST_YEAR + BAN_ROUND - 1
    n = {}
    for g in ("ndpr", "dytb", "magnet"):
        n[f"ban_japan_{g}"] = whole(price(ban, "japan", g, y))
        n[f"ban_china_{g}"] = whole(tier(ban, g, y))
    n["ban_outside_ndpr"] = whole(tier(ban, "ndpr", y, OUTSIDE_TIER))
    used, twin_used = (yearly_sum(p, "consumption", "japan", y, "magnet") for p in (ban, b))
    unmet = yearly_sum(ban, "unmet_demand", "japan", y, "magnet")
    cost = pct(cost_of_supply(ban, "japan", y), cost_of_supply(b, "japan", y))
    changes = {g: pct(price(ban, "japan", g, y), price(b, "japan", g, y)) for g in ("ndpr", "dytb", "magnet")}
    less = pct(used, twin_used)
    n["ban_japan_use"] = (
        f"Japan used {abs(less)} % {'fewer' if less < 0 else 'more'} magnets in {y} ({used / 1000:.1f} kt against "
        f"{twin_used / 1000:.1f} kt), with {'no' if unmet < 1 else f'{unmet / 1000:.1f} kt of'} unmet need "
        "for magnets, "
        f"and its cost of supply for that year changed by {_change_words(cost)}, while its prices changed by "
        f"{_change_words(changes['ndpr'])} (NdPr), {_change_words(changes['dytb'])} (Dy/Tb) and "
        f"{_change_words(changes['magnet'])} (magnets)"
    )
    low = min(need_met(ban, r) for r in IMPORTERS)
    n["ban_need_met_min"] = "at 100 %" if round(low) >= 100 else f"at {whole(low)} % or more"
    down = {g: pct(tier(ban, g, y), tier(b, g, y)) for g in ("ndpr", "dytb", "magnet")}
    facts.append(
        "3.1 ban 'unsold stock pushes China's price down, refused buyers push theirs up': China's price in "
        f"{y} against no ban: {', '.join(f'{g} {signed(v)} %' for g, v in down.items())}; Japan's: "
        f"{', '.join(f'{g} {signed(v)} %' for g, v in changes.items())}"
    )
    facts.append(f"3.3 ban: {n['ban_japan_use']}; lowest need met of importers over the game {low:.1f} %")
    return n


def _alternatives(runs: dict[str, Played], facts: list[str]) -> dict[str, str]:
    b, y = runs["baseline"], FIRST_YEAR + BAN_ROUND - 1

    def ch(run: str, good: str, year: int, which: str = CHINA_TIER) -> int:
        return pct(tier(runs[run], good, year, which), tier(b, good, year, which))

    def unmet(run: str) -> str:
        short = sum(yearly_sum(runs[run], "unmet_demand", "world", year, "magnet") for year in (y, y + 1))
        return f"{whole(short)} t of magnet need goes unmet in {y}-{y + 1}" if short >= 1 else "no need goes unmet"

    n = {}
    rises = [ch("myanmar", "dytb", year, w) for year in (y, y + 1) for w in (CHINA_TIER, OUTSIDE_TIER)]
    gap = max(
        abs(
            pct(
                tier(runs["myanmar"], "dytb", yy, OUTSIDE_TIER) / tier(runs["myanmar"], "dytb", yy),
                tier(b, "dytb", yy, OUTSIDE_TIER) / tier(b, "dytb", yy),
            )
        )
        for yy in (y, y + 1)
    )
    span = f"{abs(min(rises))}-{abs(max(rises))}" if min(rises) != max(rises) else f"{abs(min(rises))}"
    verb = "rises by" if min(rises) > 0 else "falls by" if max(rises) < 0 else "changes by"
    if verb == "changes by":
        span = f"{signed(min(rises))} to {signed(max(rises))}"
    n["myanmar_effect"] = (
        f"Dy/Tb {verb} {span} % everywhere in {y}-{y + 1} (heavy rare earths "
        f"come from ionic clays, REF §1, §8); {'no' if gap <= 3 else 'a'} gap between China and the rest; "
        f"{unmet('myanmar')}"
    )
    later = [ch("accident", "ndpr", year) for year in (y + 1, y + 2)]
    n["accident_effect"] = (
        f"NdPr {signed(ch('accident', 'ndpr', y))} %, Dy/Tb {signed(ch('accident', 'dytb', y))} %, magnets "
        f"{signed(ch('accident', 'magnet', y))} % in {y} (prices in China); {unmet('accident')}. NdPr then runs "
        f"{signed(later[0])} % in {y + 1} and {signed(later[1])} % in {y + 2} against the run without the accident: "
        "the price cycle shifts, so treat that as one possible path"
    )
    n["ev_effect"] = (
        f"magnets {signed(ch('ev_boom', 'magnet', y))} %, NdPr {signed(ch('ev_boom', 'ndpr', y))} % in {y}; "
        f"{unmet('ev_boom')}"
    )
    moved = max(
        abs(pct(tier(runs["dispute"], g, yy), tier(b, g, yy))) for g in ("ndpr", "dytb", "magnet") for yy in YEARS
    )
    n["dispute_effect"] = (
        "nothing happens by itself in this scenario" if moved == 0 else f"prices move by up to {moved} % by themselves"
    )
    for key in ("myanmar_effect", "accident_effect", "ev_effect", "dispute_effect"):
        facts.append(f"shock table {key}: {n[key]}")
    return n


def _quota_and_licence(runs: dict[str, Played], facts: list[str]) -> dict[str, str]:
    b, quota, licence = runs["baseline"], runs["quota"], runs["licence"]
    y = FIRST_YEAR + BAN_ROUND - 1
    n = {}
    nd_out, nd_in = tier(quota, "ndpr", y, OUTSIDE_TIER), tier(quota, "ndpr", y)
    dy_out, dy_in = tier(quota, "dytb", y, OUTSIDE_TIER), tier(quota, "dytb", y)
    if dy_out / dy_in - 1 < (nd_out / nd_in - 1) / 3:
        tail = "but hardly Dy/Tb. A quota is filled with the dearest goods first, so the scarce Dy/Tb still got out"
    else:
        tail = f"and Dy/Tb too ({whole(dy_out)} outside against {whole(dy_in)} in China)"
    n["quota_split"] = f"split NdPr ({whole(nd_out)} outside against {whole(nd_in)} in China in {y}) {tail}"
    dep0, dep1 = dependency(quota, "separation", "usa", FIRST_YEAR), dependency(quota, "separation", "usa", LAST)
    twin1 = dependency(b, "separation", "usa", LAST)
    share, twin_share = (metric(p, "china_share_separation", "world", LAST, "all") for p in (quota, b))
    cap, twin_cap = (metric(p, "capacity_separation", "usa", LAST, "all") for p in (quota, b))
    verb = "fell" if dep1 < dep0 - 0.005 else "rose" if dep1 > dep0 + 0.005 else "stayed"
    text = (
        f"In the check run with a 5 kt Chinese export quota, US dependency at the separation stage {verb} from "
        f"{dep0:.2f} to {dep1:.2f} by {LAST} ({twin1:.2f} without the quota), while China's share of world separation "
        f"{'rose' if share > twin_share else 'fell'} to {whole(100 * share)} % ({whole(100 * twin_share)} % without)."
    )
    if dep1 < twin1 and cap <= twin_cap * 1.01:
        text += " Less Chinese oxide arrived; nothing new was built"
    elif dep1 >= twin1:
        text += " Here the quota did not lower dependency at all"
    n["quota_dependency"] = text
    facts.append(f"3.2 quota: {text}; US separation capacity {LAST} {cap:.0f} t vs {twin_cap:.0f} t without")
    trio = ("usa", "eu", "korea")
    mag, twin_mag = (np.mean([dependency(p, "magnets", r, LAST) for r in trio]) for p in (licence, b))
    sep, twin_sep = (np.mean([dependency(p, "separation", r, LAST) for r in trio]) for p in (licence, b))
    n["licence_magnet_dep"], n["base_magnet_dep"] = f"{mag:.2f}", f"{twin_mag:.2f}"
    n["licence_sep_dep"] = (
        f"stayed at {sep:.2f}" if abs(sep - twin_sep) < 0.015 else f"was {sep:.2f}, against {twin_sep:.2f} without it"
    )
    facts.append(f"3.2 licence: magnet-stage {mag:.3f} vs {twin_mag:.3f}; separation {sep:.3f} vs {twin_sep:.3f}")
    needs = {r: need_met(quota, r) for r in ("japan", "eu", "usa")}
    worst = min(need_met(runs[k], r) for k in ("accident", "ev_boom") for r in IMPORTERS)
    said = ", ".join(
        f"{whole(v)} % for {label}" for v, label in zip(needs.values(), ("Japan", "the EU", "the USA"), strict=True)
    )
    if min(needs.values()) < 95:
        text = (
            "Unmet need appears when supply is cut hard or suddenly. In a check run with a 5 kt Chinese export quota "
            f"on ore and oxides from 2025, need met over {FIRST_YEAR}-{LAST} was {said}: "
            "their magnet makers ran short of oxide"
        )
    else:
        text = (
            "Even when supply is cut hard, little need goes unmet. In a check run with a 5 kt Chinese export quota "
            f"on ore and oxides from 2025, need met over {FIRST_YEAR}-{LAST} was still {said}"
        )
    text += ". The China mining accident and the demand boom of the shock menu " + (
        "leave no need unmet"
        if worst >= 99.5
        else f"leave some need unmet (need met down to {whole(np.floor(worst))} %)"
    )
    n["unmet_need"] = text
    facts.append(f"3.3 unmet need: {text}")
    return n


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
