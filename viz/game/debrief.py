"""The game's debrief: price and dependency over time with every decision marked, the bot twin
(the same game with every seat left to its fallback) overlaid dotted, a scorecard per government,
the decision table, and all of it as one self-contained HTML file.
"""

from __future__ import annotations

import dataclasses
import html
import threading

import pandas as pd
import plotly.io
import solara

from marketsim.game import Room
from marketsim.game.debrief import bot_twin, game_so_far, scorecards
from marketsim.reports.views import Marker, RunView, view_of
from viz import charts
from viz.dashboard.components import EXPLAIN, Chart, Drawing
from viz.plotly_chart import jsonable
from viz.tables import scorecard_table

TWIN = " (bot twin)"
_twins: dict[tuple[str, int], tuple] = {}
_twins_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Debrief:
    """What the debrief shows of a room at one point of its log."""

    key: tuple[str, int]
    view: RunView
    twin: RunView
    span: tuple[str, str]
    decisions: pd.DataFrame
    scores: pd.DataFrame
    twin_scores: pd.DataFrame
    seats: list[str]


def decision_markers(table: pd.DataFrame) -> list[Marker]:
    """Accepted decisions as time-axis markers: people's labelled, the AI's faint."""
    rows = table[table["accepted"]]
    return [
        Marker(
            row.date, f"{row.government}: {row.kind.replace('_', ' ')}", "change" if row.by == "player" else "decision"
        )
        for row in rows.itertuples()
    ]


def debrief_of(room: Room) -> Debrief:
    """The room's debrief now; the bot twin is replayed once per state of the log."""
    now = game_so_far(room)
    key, view, span, table, scores, seats = now.key, now.view, now.span, now.decisions, now.scores, now.seats
    shocks = [m for m in view.markers if m.kind == "shock"]
    view = dataclasses.replace(view, markers=decision_markers(table) + shocks)
    with _twins_lock:
        cached = _twins.get(key)
    if cached is None:
        twin_model = bot_twin(room)
        cached = (view_of(twin_model), scorecards(twin_model))
        with _twins_lock:
            _twins.clear()  # keep one: the debrief of the latest state asked for
            _twins[key] = cached
    return Debrief(key, view, cached[0], span, table, scores, cached[1], seats)


def _as_twin(figure: dict) -> dict:
    for trace in figure["data"]:
        trace["name"] = str(trace.get("name", "")).replace(charts.PINNED, TWIN)
    return figure


def price_timeline(debrief: Debrief, good: str) -> dict:
    """A good's price in China and outside it, the bot twin dotted, decisions marked."""
    return _as_twin(charts.price_figure(debrief.view, debrief.twin, good, debrief.span))


def dependency_timeline(debrief: Debrief, region: str) -> dict:
    """China's shares by stage and one government's dependency, the bot twin dotted."""
    return _as_twin(charts.share_figure(debrief.view, debrief.twin, region, debrief.span))


def decisions_html(table: pd.DataFrame, people_only: bool = False) -> str:
    """The decision table as HTML (refused decisions in red)."""
    if people_only:
        table = table[table["by"] == "player"]
    table = table.assign(round=table["round"] + 1)  # rounds count from 1 on every page
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = []
    for row in table.itertuples(index=False):
        style = "" if row.accepted else " style='color:#c0392b'"
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        rows.append(f"<tr{style}>{cells}</tr>")
    return f"<table class='decisions'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(debrief: Debrief, title: str) -> str:
    """The whole debrief as one HTML file: plotly.js inline once, the charts, the tables."""
    figures = [
        ("NdPr oxide price", price_timeline(debrief, "ndpr")),
        ("Dy/Tb oxide price", price_timeline(debrief, "dytb")),
    ]
    figures += [(f"{region}: dependency on China", dependency_timeline(debrief, region)) for region in debrief.seats]
    parts = []
    for number, (name, figure) in enumerate(figures):
        fig = {"data": jsonable(figure["data"]), "layout": jsonable(figure["layout"])}
        chart = plotly.io.to_html(fig, include_plotlyjs=number == 0, full_html=False, default_height="320px")
        parts.append(f"<h2>{html.escape(name)}</h2>{chart}")
    style = (
        "body{font-family:sans-serif;margin:20px;max-width:1100px} table{border-collapse:collapse;"
        "font-size:13px} th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        "<p>Solid lines: this game. Dotted: the bot twin (same scenario, seed and shocks; every seat left to "
        "the AI or no change). Orange lines: decisions of players; grey: the AI's; purple: shocks.</p>"
        + "".join(parts)
        + "<h2>Scorecard per government (in brackets: change against the bot twin)</h2>"
        + scorecard_table(debrief.scores, debrief.twin_scores)
        + "<h2>Every decision</h2>"
        + decisions_html(debrief.decisions)
        + "</body></html>"
    )


@solara.component
def DebriefView(room: Room, version: int = 0):
    """The debrief of a room, drawn now (``version`` makes it draw again)."""
    debrief = solara.use_memo(lambda: debrief_of(room), [room.id, version])
    seats = debrief.seats or list(debrief.view.dependency)
    region, set_region = solara.use_state(seats[0])
    good, set_good = solara.use_state("ndpr")
    region = region if region in debrief.view.dependency else seats[0]
    solara.Text(
        "Solid lines: this game. Dotted: the bot twin, the same game with every seat left to its "
        "fallback. Orange lines: players' decisions; grey: the AI's; purple: shocks.",
        style=EXPLAIN,
    )
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.ToggleButtonsSingle(good, on_value=set_good, values=["ndpr", "dytb", "magnet"], dense=True)
        solara.Select("Government", values=seats, value=region, on_value=set_region, dense=True)
    with solara.Card("Price", classes=["chart-card", "chart-debrief-price"], style={"margin": "4px"}):
        Chart(Drawing((debrief.key, good), price_timeline(debrief, good)), "debrief_price")
    with solara.Card(
        f"Dependency: {region}", classes=["chart-card", "chart-debrief-dependency"], style={"margin": "4px"}
    ):
        Chart(Drawing((debrief.key, region), dependency_timeline(debrief, region)), "debrief_dependency")
    with solara.Card("Scorecards (in brackets: against the bot twin)", style={"margin": "4px"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=scorecard_table(debrief.scores, debrief.twin_scores),
            style={"overflow-x": "auto", "font-size": "13px"},
            classes=["debrief-scores"],
        )
    with solara.Card("Decisions of the players", style={"margin": "4px"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=decisions_html(debrief.decisions, people_only=True),
            style={"overflow-x": "auto", "max-height": "320px", "font-size": "12px"},
            classes=["debrief-decisions"],
        )
    title = f"marketsim game {room.join_code}: debrief"
    solara.FileDownload(
        lambda: report_html(debrief_of(room), title).encode("utf-8"),
        filename=f"debrief_{room.join_code}.html",
        label="Download debrief (HTML)",
        mime_type="text/html",
    )
