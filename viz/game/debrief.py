"""The game's debrief: price and dependency over time with every decision marked, the bot twin
(the same game with every seat left to its fallback) overlaid dotted, a scorecard per government,
the decision table, and all of it as one self-contained HTML file.
"""

from __future__ import annotations

import dataclasses
import html
import math
import threading

import pandas as pd
import plotly.io
import solara

from marketsim.game import Room
from marketsim.game.debrief import bot_twin, game_so_far, scorecards
from marketsim.game.narrative import role_scores, splits, story, timeline
from marketsim.reports.views import Marker, RunView, view_of
from viz import charts
from viz.dashboard.components import EXPLAIN, Chart, Drawing
from viz.plotly_chart import jsonable
from viz.tables import scorecard_table, text_table

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
    timeline: list[tuple[str, str, str, str]] = dataclasses.field(default_factory=list)
    ranking: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    story: list[str] = dataclasses.field(default_factory=list)


def decision_markers(table: pd.DataFrame) -> list[Marker]:
    """Accepted decisions as time-axis markers: people's labelled (one label a month, so labels do
    not stack: "usa: tariff +2"), the AI's faint."""
    rows = table[table["accepted"]]
    markers = [Marker(r.date, "", "decision") for r in rows[rows["by"] != "player"].itertuples()]
    people = rows[rows["by"] == "player"]
    for date, month in people.groupby("date", sort=True):
        first = month.iloc[0]
        more = f" +{len(month) - 1}" if len(month) > 1 else ""
        markers.append(Marker(date, f"{first.government}: {first.kind.replace('_', ' ')}{more}", "change"))
    return markers


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
    exporters = {r for r in seats if (h := room.holdings(r))["mines"] or h["separation plants"]}
    split_at = splits(view, cached[0], seats)
    ranking = role_scores(scores, cached[1], seats, exporters)
    shocks = [text for _, text in room.headlines()]
    return Debrief(
        key,
        view,
        cached[0],
        span,
        table,
        scores,
        cached[1],
        seats,
        timeline(table, split_at),
        ranking,
        story(table, ranking, split_at, shocks),
    )


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
    """The decision table as HTML: round, date, government, by whom, the decision and what became
    of it ("accepted", or "refused" with the reason in words; refused rows in red)."""
    if people_only:
        table = table[table["by"] == "player"]
    head = "".join(f"<th scope='col'>{c}</th>" for c in ("round", "date", "government", "by", "decision", "outcome"))
    rows = []
    for row in table.itertuples(index=False):
        outcome = "accepted" if row.accepted else f"refused: {row.message}"
        style = "" if row.accepted else " style='color:#c0392b'"
        values = (row.round + 1, row.date, row.government.upper(), row.by, row.kind.replace("_", " "), outcome)
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in values)
        rows.append(f"<tr{style}>{cells}</tr>")
    return f"<table class='decisions'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def story_html(debrief: Debrief) -> str:
    """The narrative, the timeline of decisions and splits, and the class ranking, as HTML."""
    story_part = "".join(f"<p>{html.escape(line)}</p>" for line in debrief.story)
    timeline_part = text_table(debrief.timeline, ("round", "government", "decision", "what followed"), "decisions")
    ranking = debrief.ranking
    rows = [tuple(str(v) for v in r) for r in ranking.itertuples(index=False)] if not ranking.empty else []
    ranking_part = text_table(rows, tuple(ranking.columns) if rows else ("rank",), "scorecard")
    return (
        f"<div class='debrief-narrative'>{story_part}</div>"
        f"<h3>Timeline: each decision and where the game split from the bot twin</h3>{timeline_part}"
        "<h3>Class ranking: each government's own goals against the bot twin (points)</h3>"
        f"{ranking_part}"
    )


def chart_table(figure: dict, every: int = 12) -> str:
    """A chart's numbers as an accessible table: each line's value once a year (and the last month)."""
    traces = [t for t in figure.get("data", []) if t.get("x") is not None and t.get("y") is not None]
    if not traces:
        return ""
    dates = list(traces[0]["x"])
    picks = sorted({*range(0, len(dates), every), len(dates) - 1}) if dates else []
    head = ("month", *(str(t.get("name", "")) for t in traces))
    rows = []
    for k in picks:
        values = [t["y"][k] if k < len(t["y"]) else None for t in traces]
        rows.append((str(dates[k]), *("" if v is None or math.isnan(float(v)) else f"{float(v):,.2f}" for v in values)))
    table = text_table(rows, head, "decisions")
    return f"<details class='chart-table'><summary>The chart's numbers</summary>{table}</details>"


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
        parts.append(f"<h2>{html.escape(name)}</h2>{chart}{chart_table(figure)}")
    style = (
        "body{font-family:sans-serif;margin:20px;max-width:1100px} table{border-collapse:collapse;"
        "font-size:13px} th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        "<h2>What happened</h2>"
        + story_html(debrief)
        + "<p>Solid lines: this game. Dotted: the bot twin (same scenario, seed and shocks; every seat left to "
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
    with solara.Card("What happened", style={"margin": "4px"}, classes=["debrief-story"]):
        solara.HTML(tag="div", unsafe_innerHTML=story_html(debrief), style={"overflow-x": "auto", "font-size": "14px"})
    price = price_timeline(debrief, good)
    with solara.Card("Price", classes=["chart-card", "chart-debrief-price"], style={"margin": "4px"}):
        Chart(Drawing((debrief.key, good), price), "debrief_price")
        solara.HTML(tag="div", unsafe_innerHTML=chart_table(price), style={"font-size": "12px"})
    with solara.Card(
        f"Dependency: {region}", classes=["chart-card", "chart-debrief-dependency"], style={"margin": "4px"}
    ):
        dependency = dependency_timeline(debrief, region)
        Chart(Drawing((debrief.key, region), dependency), "debrief_dependency")
        solara.HTML(tag="div", unsafe_innerHTML=chart_table(dependency), style={"font-size": "12px"})
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
