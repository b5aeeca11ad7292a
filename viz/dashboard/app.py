"""The marketsim dashboard: watch price and dependency emerge, change policy live, compare runs.

Start it with ``marketsim app``. Declarative only: state lives in :mod:`viz.dashboard.session`, figures in
:mod:`viz.charts`, the model in :mod:`marketsim`.
"""

from __future__ import annotations

import threading
import time

import solara

from viz import charts
from viz.dashboard.components import (
    ChartCard,
    Downloads,
    Drawing,
    EventList,
    Note,
    PolicyPanel,
    RunControls,
    ScenarioControls,
    Scorecard,
    Status,
)
from viz.dashboard.session import Dashboard

FRAME_SECONDS = 0.1
"""Shortest time between two frames while playing."""
CSS = """
.scorecard, .events { border-collapse: collapse; }
.scorecard th, .scorecard td, .events td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; }
.scorecard th:first-child, .events td { text-align: left; }
"""


@solara.component
def Page():
    """The dashboard page; every browser session gets its own model."""
    dash = solara.use_memo(Dashboard.start, [])
    frame = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(3)
    good = solara.use_reactive("ndpr")
    region = solara.use_reactive("usa" if "usa" in dash.run.model.regions else dash.run.model.regions[0])

    def redraw():
        frame.set(frame.value + 1)

    def play(cancel: threading.Event):
        while playing.value and not cancel.is_set():
            started = time.perf_counter()
            if dash.step(speed.value) == 0:
                playing.set(False)
                break
            redraw()
            time.sleep(max(0.0, FRAME_SECONDS - (time.perf_counter() - started)))

    solara.use_thread(play, dependencies=[playing.value])

    view = dash.view()
    reference, span = dash.reference, dash.span
    regions = dash.run.model.regions
    key = (frame.value, dash.reference_label)
    alliances = tuple((name, tuple(sorted(members))) for name, members in dash.run.model.book.members.items())
    drawings = {
        "prices": Drawing((*key, good.value), charts.price_figure(view, reference, good.value, span)),
        "shares": Drawing((*key, region.value), charts.share_figure(view, reference, region.value, span)),
        "dependency": Drawing(key, charts.dependency_figure(view, reference)),
        "alliances": Drawing(key, charts.alliance_figure(view, reference, regions)),
        "shortages": Drawing(key, charts.shortage_figure(view, reference, span)),
        "stockpiles": Drawing(key, charts.stockpile_figure(view, reference, span)),
        "flows": Drawing(key, charts.flow_figure(view, reference)),
    }
    solara.Style(CSS)
    solara.Title("marketsim: rare earths, price and dependency on China month by month")
    with solara.Sidebar():
        with solara.Card("Scenario"):
            ScenarioControls(dash, redraw, scenario=dash.scenario_name, seed=dash.run.seed)
        with solara.Card("Run"):
            RunControls(dash, playing, speed, redraw, version=frame.value)
        with solara.Card("Export"):
            Downloads(dash, stem=f"{dash.scenario_name}_seed{dash.run.seed}")
    with solara.Column(style={"padding": "4px 12px"}):
        Status(dash, version=frame.value)
        Note(dash, version=frame.value)
        solara.Text(
            "Solid lines: this run. Dotted: the pinned reference. Vertical lines mark events "
            "(orange: live changes; grey: scheduled or decided by a government's strategy; purple: shocks).",
            style={"color": "#555", "font-size": "13px"},
        )
        PolicyPanel(dash, redraw, regions=tuple(regions), alliances=alliances)
        with solara.ColumnsResponsive(12, large=[6, 6]):
            with solara.Column():
                solara.ToggleButtonsSingle(good, values=["ndpr", "dytb", "magnet", "concentrate", "lace"], dense=True)
                ChartCard(
                    "Prices: inside China and outside it",
                    f"{charts.GOOD_NAMES[good.value]}, US$/kg. Export controls split the market in two "
                    "tiers: buyers outside China bid up what leaves China, while China's price may fall.",
                    drawings["prices"],
                    "prices",
                )
            with solara.Column():
                solara.Select("Region whose dependency is shown", values=regions, value=region, dense=True)
                ChartCard(
                    "China's share, and one region's dependency",
                    "China's share of world mining, separation and magnet making, %; dashed: the share "
                    f"of {region.value}'s end use whose separation happened in China.",
                    drawings["shares"],
                    "shares",
                )
            ChartCard(
                "Dependency on China, by region",
                "Latest month: of each region's end use of rare earths, the share mined, separated and made "
                "into magnets in China, %. Black ticks: separation in the pinned run.",
                drawings["dependency"],
                "dependency",
            )
            ChartCard(
                "Alliance network",
                "Governments; a coloured line joins members of an alliance, red dashes show disputes. "
                "Grey dots: the pinned run's alliances.",
                drawings["alliances"],
                "alliances",
            )
            ChartCard(
                "Shortages",
                "World end-use need that went unmet, t a month: firms that could not buy at any price they would pay.",
                drawings["shortages"],
                "shortages",
            )
            ChartCard(
                "Strategic stockpiles",
                "State stockpiles of NdPr and Dy/Tb oxide held worldwide, t: bought in calm times, "
                "released in shortages.",
                drawings["stockpiles"],
                "stockpiles",
            )
        ChartCard(
            "Supply-chain flows over the last 12 months",
            "Where rare earths were mined, separated, made into magnets and used, t REO a year "
            "(NdPr and Dy/Tb for magnets). Red: flows from China. With a pinned run, it is drawn on the right.",
            drawings["flows"],
            "flows",
        )
        with solara.Card("Scorecard per government, last 12 months", style={"margin": "4px"}):
            solara.Text(
                "Cost and security of supply, value added, environmental burden at home and public money "
                "spent; in brackets, the change against the pinned run (green: better).",
                style={"color": "#555", "font-size": "13px"},
            )
            Scorecard(view, reference)
        with solara.Card("Events so far", style={"margin": "4px"}):
            EventList(view)
