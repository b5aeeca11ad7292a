"""The check runs of docs/teaching.md's lesson: building and playing the game, and reading a run.

Every check run is the lesson as docs/teaching.md sets it up: the scenario
configs/baseline_2024.toml, seed 2024, 12 months per round, five rounds (2024-2028), all nine
seats of the lesson taken by teams. It is played through the game engine's own path
(:mod:`marketsim.game.replay`: the room's scenario, its model with a seat controller per team,
decisions validated as the game validates a team's submission and queued on the government,
shocks validated as the console validates them and submitted before the round's months). A run
is the no-policy game (every team submits nothing) plus the decisions or shock the guide names.
Used by docs/make_teaching_numbers.py (docs/ is not a package: that script puts docs/ on sys.path).
"""

from __future__ import annotations

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
from marketsim.reports.views import CHINA_TIER, view_of
from marketsim.vocabulary import STAGES

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "configs" / "baseline_2024.toml"
SEED, MONTHS_PER_ROUND, ROUNDS = 2024, 12, 5
FIRST_YEAR = 2024
SEATS = ("china", "usa", "eu", "japan", "korea", "australia", "myanmar", "india", "row")


# ------------------------------------------------------------------------------------ the runs
@dataclass
class Run:
    """One check run: decisions by round (1-5, as functions of the round's date) and shocks."""

    decisions: dict[int, list[Callable[[str], dict]]] = field(default_factory=dict)
    shocks: dict[int, list[Callable[[str], dict]]] = field(default_factory=dict)


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
