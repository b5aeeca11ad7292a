"""The projector view (``/projector?room=CODE``): what the whole class sees on the big screen.

Read-only and without a secret: no token, no shock menu, no player controls. Before the game,
the join code, the join link and its QR code; then the world: the round clock, headline prices
and dependency, the alliances as a network, and the shocks as news headlines.
"""

from __future__ import annotations

import html
import math

import segno
import solara

from marketsim.game import GameError, Room
from viz.game.countdown import Countdown
from viz.game.state import find_room, join_link, only_this_machine, problem, use_refresh
from viz.tables import text_table


def qr_svg(link: str, scale: int = 6) -> str:
    """A QR code of ``link`` as inline SVG (segno: pure Python, nothing fetched)."""
    return segno.make(link, error="m").svg_inline(scale=scale, dark="#1a5276")


def network_svg(alliances: dict[str, list[str]], players: list[str], size: int = 360) -> str:
    """The alliances as a network: governments on a circle, a line between every two members of
    an alliance (one colour per alliance), seats played by people in bold."""
    regions = sorted({r for members in alliances.values() for r in members} | set(players))
    if not regions:
        return "<p>No alliances yet.</p>"
    centre, radius = size / 2, size / 2 - 50
    spot = {
        r: (
            centre + radius * math.cos(2 * math.pi * k / len(regions)),
            centre + radius * math.sin(2 * math.pi * k / len(regions)),
        )
        for k, r in enumerate(regions)
    }
    colours = ["#1f77b4", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"]
    lines = []
    for n, (_, members) in enumerate(sorted(alliances.items())):
        colour = colours[n % len(colours)]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                (x1, y1), (x2, y2) = spot[a], spot[b]
                ends = f"x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}'"
                lines.append(f"<line {ends} stroke='{colour}' stroke-width='3' opacity='0.7'/>")
    nodes = "".join(
        f"<circle cx='{x:.0f}' cy='{y:.0f}' r='8' fill='{'#1a5276' if r in players else '#999'}'/>"
        f"<text x='{x:.0f}' y='{y - 12:.0f}' text-anchor='middle' font-size='14' "
        f"font-weight='{700 if r in players else 400}'>{html.escape(r.upper())}</text>"
        for r, (x, y) in spot.items()
    )
    legend = ", ".join(
        f"<span style='color:{colours[n % len(colours)]}'>■</span> {html.escape(name)}"
        for n, name in enumerate(sorted(alliances))
    )
    title = "Alliances: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(alliances.items()))
    return (
        f"<svg role='img' aria-label='{html.escape(title)}' viewBox='0 0 {size} {size}' width='100%' "
        f"style='max-width:{size}px'>" + "".join(lines) + nodes + f"</svg><p class='network-legend'>{legend}</p>"
    )


def headline_table(room: Room) -> str:
    """Headline numbers: world prices now and a year in, and each seat's dependency on China."""
    world = room.world_headlines()
    if world is None:
        return "<p>The numbers appear after the first round.</p>"
    prices = text_table(
        world["prices"], ("oxide", "world price now", "when the game began"), "own-table projector-prices"
    )
    depend = text_table(
        world["dependency"], ("government", "dependency on China (separation)"), "own-table projector-dependency"
    )
    return prices + depend


@solara.component
def JoinPanel(code: str):
    """The join code, link and QR code, big enough for the back of the classroom."""
    link = join_link(code)
    with solara.Row(style={"align-items": "center", "justify-content": "center", "flex-wrap": "wrap", "gap": "24px"}):
        solara.HTML(tag="div", unsafe_innerHTML=qr_svg(link, 7), classes=["join-qr"])
        with solara.Column(style={"align-items": "center"}, gap="4px"):
            solara.Text("Join code", style={"font-size": "22px", "color": "#555"})
            solara.Text(code, classes=["join-code"])
            solara.Text(link, classes=["join-link"])
            if only_this_machine(link):
                solara.Warning(
                    "This link works on this computer only: start the game with marketsim game --lan.", dense=True
                )


@solara.component
def ProjectorView(room: Room):
    """The big screen of a room."""
    stamp = use_refresh(room=room, clock=False)
    status = room.status()
    if status["phase"] == "lobby":
        JoinPanel(room.join_code)
        players = [f"{r['region'].upper()}: {r['name'] or '—'}" for r in status["roster"]]
        solara.Text(
            "Seats: " + " · ".join(players),
            classes=["projector-roster"],
            style={"font-size": "20px", "text-align": "center"},
        )
        return
    with solara.Row(
        style={"align-items": "baseline", "flex-wrap": "wrap", "gap": "16px"}, classes=["projector-status"]
    ):
        solara.Text(
            f"Round {status['round'] + 1} · {status['date']}", style={"font-size": "30px", "font-weight": "700"}
        )
        if status["phase"] == "finished":
            solara.Text("Game over: time for the debrief", style={"font-size": "24px"})
        Countdown.element(
            seconds_left=status["time_left"],
            running=status["phase"] == "deciding" and not status["paused"],
            stamp=stamp,
            prefix="",
            _dom_classes=["projector-clock"],
        )
        solara.Text(f"Join: {room.join_code}", style={"font-size": "20px", "color": "#555"})
    for round_, text in reversed(room.headlines()):
        solara.Warning(f"Round {round_ + 1}: {text}", icon="mdi-newspaper", classes=["projector-news"])
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        with solara.Card("The world", style={"flex": "1 1 420px"}):
            solara.HTML(tag="div", unsafe_innerHTML=headline_table(room), classes=["projector-headlines"])
        with solara.Card("Alliances", style={"flex": "1 1 320px"}):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=network_svg(room.alliances(), list(room.setup().seats)),
                classes=["projector-network"],
            )


@solara.component
def ProjectorPage(code: str = ""):
    """``/projector?room=CODE``: the room by its join code (a public code; looked up with the same
    limits as a join), read only."""
    found = solara.use_memo(lambda: _lookup(code), [code])
    if isinstance(found, str):
        solara.Error(found, classes=["game-error"])
        return
    ProjectorView(found)


def _lookup(code: str) -> Room | str:
    if not code:
        return "Open the projector view from the console (it needs the room's code: /projector?room=CODE)."
    try:
        return find_room(code)
    except GameError as error:
        return problem(error)
