"""The classroom game in the browser: a facilitator runs rounds, students play governments.

Start it with ``marketsim game``. Routes: ``/`` the facilitator (create a room, its console and
debrief, or resume a console), ``/join`` the players (``/join?code=XXXXXX``), ``/projector`` the
class's big screen (``/projector?room=XXXXXX``, read only, no secret on it). Declarative only:
the engine is :mod:`marketsim.game`, one server per process (:mod:`viz.game.state`); each
browser session keeps only its own token.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara

from viz.game.home import FacilitatorHome
from viz.game.player import PlayerPage
from viz.game.projector import ProjectorPage

CSS = """
.join-code { font-size: min(18vw, 160px); font-weight: 800; letter-spacing: 0.08em; line-height: 1.1;
             font-family: monospace; color: #1a5276; }
.join-link { font-size: min(5vw, 40px); font-family: monospace; word-break: break-all; text-align: center; }
.scorecard, .decisions, .own-table { border-collapse: collapse; }
.scorecard th, .scorecard td, .decisions th, .decisions td, .own-table th, .own-table td {
    padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; }
.scorecard th:first-child, .decisions td, .decisions th, .own-table td:first-child, .own-table th:first-child {
    text-align: left; }
.own-table td:not(:first-child) { white-space: nowrap; }
.game-header { background: #1a5276; color: white; padding: 6px 12px; font-size: 18px; font-weight: 600; }
.briefing-text p { margin: 0 0 6px 0; }
.step-title { font-size: 20px; font-weight: 500; margin: 0 0 8px 0; }
.own-numbers { font-size: 13px; }
.own-numbers p { color: #555; margin: 4px 0; }
.reading-step:has(.briefing-text) .price-chart-toggle { display: none; }
.status-line { font-weight: 600; font-size: 17px; }
.player-clock { white-space: pre; }
.game-body { padding: 4px 12px; max-width: 1400px; }
.news { font-weight: 600; }
.card-why { margin: 2px 0 6px 0; }
.projector .join-code { font-size: min(12vw, 120px); }
.projector-news { font-size: 22px; }
.projector-clock { font-size: 30px; font-weight: 700; }
.projector-headlines table, .projector-headlines td, .projector-headlines th { font-size: 20px; }
.glossary dt { font-weight: 600; } .glossary dd { margin: 0 0 4px 12px; }
.lever-list li, .briefing-text li { margin-bottom: 2px; }
@media (max-width: 600px) { .briefing-text p { margin: 0 0 6px 0; }
.own-numbers { font-size: 13px; }
.own-numbers p { color: #555; margin: 4px 0; }
.status-line { font-weight: 600; font-size: 17px; }
.player-clock { white-space: pre; }
.game-body { padding: 2px 4px; } }
"""


@solara.component
def Frame(children=[]):  # noqa: B006 (solara's children signature)
    """The style, a plain header and the page (no sidebar: the player page must fit a phone)."""
    solara.Style(CSS)
    solara.Title("marketsim: the classroom game")
    solara.Text("marketsim · the rare-earth game", classes=["game-header"])
    solara.Column(children=children, classes=["game-body"])


@solara.component
def Layout(children=[]):  # noqa: B006
    """No app bar or sidebar around the pages: each draws its own :func:`Frame`."""
    solara.Column(children=children, style={"padding": "0"})


@solara.component
def Facilitator():
    """The facilitator's page."""
    with Frame():
        FacilitatorHome()


@solara.component
def Join():
    """The players' page; the join code may come in the link (``?code=``)."""
    router = solara.use_router()
    code = parse_qs(router.search or "").get("code", [""])[0]
    with Frame():
        PlayerPage(code)


@solara.component
def Projector():
    """The projector view, read only: ``/projector?room=CODE``."""
    router = solara.use_router()
    code = parse_qs(router.search or "").get("room", [""])[0]
    solara.Style(CSS)
    solara.Title("marketsim: the class's screen")
    solara.Text("marketsim · the rare-earth game", classes=["game-header"])
    with solara.Column(classes=["game-body", "projector"]):
        ProjectorPage(code)


routes = [
    solara.Route(path="/", component=Facilitator, label="Facilitator", layout=Layout),  # replaces AppLayout
    solara.Route(path="join", component=Join, label="Join"),
    solara.Route(path="projector", component=Projector, label="Projector"),
]
