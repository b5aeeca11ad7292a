"""The role's briefing on the player's page: its 2024 situation, goals, levers and a glossary,
from :mod:`marketsim.game.briefings`, with this round's own figures (budget, allies, capacity)."""

from __future__ import annotations

import html

from marketsim.game import Room
from marketsim.game.briefings import GLOSSARY, LEVERS, role_of, score_line


def levers_of(exporter: bool, projects: bool) -> list[str]:
    """The levers the decision form shows this government, in its order."""
    hidden = set() if exporter else {"Export control"}
    if not projects:
        hidden.add("Projects")
    return [name for name in LEVERS if name not in hidden]


def briefing_html(room: Room, region: str, held: dict[str, int]) -> str:
    """The whole briefing as one HTML block (a new round redraws one widget)."""
    setup = room.setup()
    exporter = bool(held["mines"] or held["separation plants"])
    role = role_of(region, exporter)
    budget = room.budget_left(region)
    money = "no fixed limit on public spending" if budget is None else f"US${budget:,.0f} m left to spend this year"
    owned = (
        ", ".join(
            f"{n} {name if n > 1 else name.replace('mines', 'mine').replace('plants', 'plant')}"
            for name, n in held.items()
            if n
        )
        or "no mines or plants"
    )
    others = [r.upper() for r in setup.seats if r != region]
    allies = (room.observation(region).allies if room.observation(region) is not None else ()) or ()
    parts = [
        f"<p><b>You are the government of {html.escape(region.upper())}.</b> {html.escape(role.situation)}</p>",
        f"<p>At home: {html.escape(owned)}. Budget: {html.escape(money)}.</p>",
        "<p><b>Your goals</b></p><ul>" + "".join(f"<li>{html.escape(g)}</li>" for g in role.goals) + "</ul>",
        f"<p class='score-weights'>Your final score weighs: {html.escape(score_line(role))}.</p>",
        "<details class='lever-help'><summary><b>Your levers: what each does</b> (most take years to show)</summary>"
        "<ul class='lever-list'>"
        + "".join(
            f"<li><b>{html.escape(name)}</b>: {html.escape(LEVERS[name])}</li>"
            for name in levers_of(exporter, bool(setup.projects))
        )
        + "</ul></details>",
    ]
    if allies:
        parts.append(f"<p>Your allies now: {html.escape(', '.join(a.upper() for a in allies))}.</p>")
    if others:
        parts.append(f"<p>Other governments played by classmates: {html.escape(', '.join(others))}.</p>")
    words = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in GLOSSARY.items())
    parts.append(
        f"<details class='glossary'><summary>Words (NdPr, Dy/Tb, t REO, MSP…)</summary><dl>{words}</dl></details>"
    )
    return "".join(parts)
