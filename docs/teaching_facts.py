"""The figures and phrases of docs/teaching.md, computed from the lesson's check runs.

Some values are words, not numbers: a sentence's claim (a trend, which projects get built)
chosen from the run's facts; :func:`compute` returns those facts too, so a person can re-read
the sentences after a model change. Used by docs/make_teaching_numbers.py.
"""

from __future__ import annotations

import numpy as np
from teaching_runs import (
    BAN_ROUND,
    FIRST_YEAR,
    IMPORTERS,
    LAST,
    MONTHS_PER_ROUND,
    SCENARIO,
    YEARS,
    Played,
    cost_of_supply,
    dependency,
    lever_result,
    metric,
    need_met,
    pct,
    price,
    project_census,
    signed,
    tier,
    whole,
    yearly_sum,
)

from marketsim.game.replay import room_scenario
from marketsim.reports.views import CHINA_TIER, OUTSIDE_TIER


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
