"""The marketsim dashboard: what if a government did this, from that month on? Every change is run to
the end at once and drawn against its no-change twin.

Start it with ``marketsim app``. Declarative only: state lives in :mod:`viz.dashboard.session`, figures in
:mod:`viz.charts`, the model in :mod:`marketsim`.
"""

from __future__ import annotations

import os
import threading
import time

import solara
from solara.server import settings

from marketsim.reports.headline import headline, importers
from viz import charts, structure_charts
from viz.dashboard.components import (
    SEEN,
    ChangesList,
    ChartCard,
    Downloads,
    Drawing,
    EventList,
    Note,
    RunControls,
    ScenarioControls,
    Scorecard,
    Seen,
    Status,
)
from viz.dashboard.headline import Glossary, HeadlineStrip
from viz.dashboard.levers import PolicyPanel
from viz.dashboard.session import Dashboard
from viz.dashboard.style import CSS, PRESENTER_CSS

FRAME_SECONDS = 1 / 15
"""Shortest time between two frames while playing."""
REST_MONTHS = 12
"""Months simulated at a time after a change has been shown (the page's clicks get their turn between)."""
REST_GAP_SECONDS = 0.001
"""Pause between two parts of the rest, so that the page's renders and clicks get the lock."""
RENDER_WAIT_SECONDS = 5.0
"""Longest wait for the page's render before the rest of a run is simulated anyway."""
DRAW_WAIT_SECONDS = 1.0
"""Longest wait for the browser to draw the first years of a run on the charts in view before the
rest is simulated anyway (a tab in the background draws nothing)."""
MIN_GAP_SECONDS = 0.02
"""Pause after a frame however long it took, so that clicks (pause) get their turn."""
os.environ.setdefault("REACTON_FAST", "1")
"""Reacton's renderer that re-renders only the components whose state or arguments changed: the
default one walks and updates every widget of the page (about a thousand, most of them levers) on
every frame and every click, which took most of a click's time on the server."""
if settings.kernel.cull_timeout == "24h":  # a closed tab frees its run within a minute, not a day
    settings.kernel.cull_timeout = os.environ.get("MARKETSIM_SESSION_TIMEOUT", "60s")
GOODS_SHOWN = ["ndpr", "dytb", "magnet", "concentrate", "lace"]


def _drawings(
    dash: Dashboard,
    view,
    key: tuple,
    good: str,
    region: str,
    presenter: bool,
    playing: bool = False,
    cache: dict | None = None,
    seen=None,
) -> dict[str, Drawing]:
    """Every chart of the page. Time charts show the whole run against the whole twin (the
    browser cuts this run's lines at the month shown, see :func:`until`), so they are built again
    only when ``key`` (the runs compared) changes; the others show the month shown against the
    twin at the same month (while playing, they are built once a year, not every frame).
    ``cache`` keeps the drawings of earlier frames. While the rest of a run is being simulated,
    a chart that ``seen`` (a chart's name -> in the browser's window) says is out of view keeps its
    drawing: it gets the whole run when it arrives."""
    cache = {} if cache is None else cache
    yearly = (*key, view.ticks // 12 if playing else view.ticks)
    keys = {
        "prices": (*key, good, presenter),
        "importers": (*key, presenter),
        "shares": (*key, region),
        "dependency": yearly,
        "alliances": yearly,
        "shortages": key,
        "stockpiles": key,
        "flows": yearly,
    }
    names = ["prices", "importers"] if presenter else list(keys)
    missing = [name for name in names if cache.get(name, Drawing((), {})).key != keys[name]]
    stale = set()
    if seen is not None and missing and dash.pending:
        stale = {name for name in missing if name in cache and not seen(name)}
        missing = [name for name in missing if name not in stale]
    if missing:
        whole, full, same_month = dash.whole(), dash.reference(), dash.reference(view.ticks)
        span, regions = dash.span, dash.run.model.regions
        shown = importers(whole) or [r for r in regions if r != "china"][:4]
        build = {
            "prices": lambda: charts.price_figure(whole, full, good, span, presenter),
            "importers": lambda: charts.importers_figure(whole, full, shown, span, presenter),
            "shares": lambda: charts.share_figure(whole, full, region, span),
            "dependency": lambda: charts.dependency_figure(view, same_month),
            "alliances": lambda: structure_charts.alliance_figure(view, same_month, regions),
            "shortages": lambda: charts.shortage_figure(whole, full, span),
            "stockpiles": lambda: charts.stockpile_figure(whole, full, span),
            "flows": lambda: structure_charts.flow_figure(view, same_month),
        }
        partial = dash.pending
        for name in missing:
            cache[name] = Drawing(keys[name], build[name](), partial)
        if partial and seen is not None:
            seen.expect(missing)
    old = {name: Drawing(cache[name].key, cache[name].figure, cache[name].partial, stale=True) for name in stale}
    return {name: old.get(name, cache[name]) for name in names}


@solara.component
def RestOfRun(
    dash: Dashboard,
    on_done,
    runs: tuple = (),
    drawn: threading.Event | None = None,
    headline_due: solara.Reactive | None = None,
    seen: Seen | None = None,
):
    """Simulates the rest of the run and its twin in the background after a change has been shown
    (``runs``: the runs compared; a new value starts over), then calls ``on_done``. Draws nothing;
    a component of its own so that its thread starting and ending renders only this component.
    It starts once ``drawn`` is set (the page's render that showed the change is done): every
    message of that render waits for the server's event loop, which a simulating thread slowed,
    and then once the browser has drawn the charts in view (``seen``): on a machine that runs both,
    the browser drew them more slowly while the server simulated.
    When the run and its twin reach the months the headline reads (a change early in the run
    shows its first year before the headline's year is simulated), ``headline_due`` is counted up:
    the headline strip alone is drawn again then."""

    def simulate_rest(cancel: threading.Event):
        if drawn is not None:
            drawn.wait(timeout=RENDER_WAIT_SECONDS)
        if seen is not None:
            seen.settled.wait(timeout=DRAW_WAIT_SECONDS)
        ran, short = 0, dash.ready < dash.headline_until
        while not cancel.wait(REST_GAP_SECONDS) and (months := dash.simulate(REST_MONTHS)):
            ran += months
            if short and dash.ready >= dash.headline_until and headline_due is not None:
                short = False
                headline_due.set(headline_due.value + 1)
        if ran and not cancel.is_set():
            on_done()

    solara.use_thread(simulate_rest, dependencies=[runs], intrusive_cancel=False)


@solara.component
def Headline(
    dash: Dashboard,
    good: str,
    months: int,
    runs: tuple,
    importers: int | None = None,
    due: solara.Reactive | None = None,
    shown: int = 0,
):
    """The headline strip over the 12 months to month ``months`` (the end of the year it shows),
    or to the last month shown and simulated of the run and its twin when that is earlier (while
    playing, or just after a change early in the run): ``due`` moves when the rest of the run
    reaches the headline's year, and renders this component alone. ``runs``: the runs compared
    (see the page's key); ``shown``: the months the page shows (a new value renders it again)."""
    if due is not None:
        _ = due.value  # read: a new value draws the headline again
    shown = min(dash.view().ticks, months)
    head = solara.use_memo(lambda: headline(dash.view(shown), dash.reference(shown), good), [runs, shown, good])
    HeadlineStrip(head, good, importers=importers)


def until(dash: Dashboard, view) -> str:
    """The last month the time charts show (``YYYY-MM``; empty when every month is shown)."""
    if view.ticks >= dash.run.months:
        return ""
    return view.dates[-1] if view.ticks else "0000-00"


@solara.component
def Page():
    """The dashboard page; every browser session gets its own runs, freed when the tab closes."""
    dash = solara.use_memo(Dashboard.start, [])
    solara.use_effect(lambda: dash.close, [])
    frame = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(3)
    good = solara.use_reactive("ndpr")
    presenter = solara.use_reactive(False)
    region = solara.use_reactive("usa" if "usa" in dash.run.model.regions else dash.run.model.regions[0])

    # One function for the page's life, so components given it render again only when their data change.
    redraw = solara.use_memo(lambda: lambda: frame.set(frame.value + 1), [])

    drawn = solara.use_memo(threading.Event, [])
    """Cleared while the page renders, set when the render has finished: the player waits for it
    before the next frame, so it never changes the page faster than the page can be drawn, and the
    rest of a run waits for it before it is simulated."""
    drawn.clear()

    def play(cancel: threading.Event):
        while playing.value and not cancel.is_set():
            started = time.perf_counter()
            if dash.step(speed.value) == 0:
                playing.set(False)
                break
            drawn.clear()
            redraw()
            drawn.wait(timeout=5)
            time.sleep(max(MIN_GAP_SECONDS, FRAME_SECONDS - (time.perf_counter() - started)))

    # Not cancelled mid-frame (an intrusive cancel could strike inside a render); the loop checks.
    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)
    solara.use_effect(drawn.set)  # after every render has been committed

    view = dash.view()
    first, years = int(dash.run.date_of(0)[:4]), dash.run.months // 12
    year = solara.use_reactive(str(first + min(3, years - 1)))
    dash.headline_until = (int(year.value) - first + 1) * 12 if year.value.isdigit() else dash.run.months
    # The runs compared and how far they are simulated: every control that changes them sets a
    # message (a new revision); after a change, the rest of the run arrives in the background.
    key = (dash.revision, dash.compare, *dash.compared())

    # Counted up when the rest of a run reaches the headline's year; read by the headline alone.
    headline_due = solara.use_reactive(0)
    seen = solara.use_memo(Seen, [])
    RestOfRun(dash, redraw, runs=key[:-1], drawn=drawn, headline_due=headline_due, seen=seen)
    cache = solara.use_memo(dict, [])
    # A chart scrolled into view while the rest of a run is simulated is built with the first years.
    seen.on_shown = lambda name: redraw() if dash.pending else None
    SEEN.provide(seen)
    drawings = _drawings(dash, view, key, good.value, region.value, presenter.value, playing.value, cache, seen)
    cut = until(dash, view)
    solara.Style(CSS + (PRESENTER_CSS if presenter.value else ""))
    solara.Title("marketsim: rare earths, what if?")
    with solara.Row(style={"justify-content": "space-between", "align-items": "center", "padding": "8px 12px 0"}):
        with solara.Row(style={"align-items": "center", "gap": "12px"}):
            solara.ToggleButtonsSingle(good, values=GOODS_SHOWN, dense=True, classes=["good-choice"])
            solara.Select(
                "Headline for the year",
                values=[str(first + k) for k in range(years)],
                value=year,
                dense=True,
                classes=["headline-year"],
                style={"max-width": "170px"},
            )
        solara.Switch(label="Presenter mode", value=presenter, classes=["presenter-switch"])
    Headline(dash, good.value, dash.headline_until, key[:-1], 3 if presenter.value else None, headline_due, view.ticks)
    if presenter.value:
        _presenter(drawings, good.value, cut)
        return
    regions = dash.run.model.regions
    alliances = tuple((name, tuple(sorted(members))) for name, members in dash.run.baseline.book.members.items())
    # A column of its own rather than solara.Sidebar: the sidebar is a portal whose content,
    # new every frame, made every frame render the whole page twice.
    with solara.Row(classes=["page-body"], style={"align-items": "flex-start", "flex-wrap": "nowrap", "gap": "0"}):
        with solara.Column(classes=["controls"], style={"gap": "0"}):
            projects = tuple((p.name, p.region, p.stage) for p in dash.run.scenario.pipeline)
            PolicyPanel(
                dash, redraw, regions=tuple(regions), alliances=alliances, months=dash.run.months, projects=projects
            )
            with solara.Card("Changes", classes=["changes"], style={"margin": "4px"}):
                ChangesList(dash, redraw, version=dash.revision)
            with solara.Card("Timeline", classes=["timeline"], style={"margin": "4px"}):
                RunControls(dash, playing, speed, redraw, version=frame.value)
            with solara.Card("Scenario", style={"margin": "4px"}):
                ScenarioControls(dash, redraw, scenario=dash.scenario_name, seed=dash.run.seed)
            with solara.Card("Export", style={"margin": "4px"}):
                Downloads(dash, stem=f"{dash.scenario_name}_seed{dash.run.seed}")
        with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
            _workspace(dash, view, drawings, good.value, region, frame.value, alliances, cut)


def _presenter(drawings, good, cut) -> None:
    """Presenter mode: no controls, the headline and two charts, in type the back row can read."""
    with solara.Columns([1, 1]):
        ChartCard(f"{charts.GOOD_NAMES[good]}: price inside and outside China", "", drawings["prices"], "prices", cut)
        ChartCard("Importers' dependency on China", "", drawings["importers"], "importers", cut)


def _workspace(dash, view, drawings, good, region, version, alliances, cut) -> None:
    """The facilitator's page: status, every chart, scorecard, events, glossary (levers in the sidebar)."""
    regions = dash.run.model.regions
    with solara.Column(style={"padding": "4px 12px"}):
        Status(dash, version=version)
        Note(dash, version=dash.revision)
        solara.Text(
            "Solid lines: this run. Dotted: its twin. Vertical lines mark events: numbered orange tags are "
            "live changes (see Changes); grey dots: scheduled or decided by a government; purple: shocks.",
            style={"color": "#444", "font-size": "14px"},
        )
        with solara.ColumnsResponsive(12, large=[6, 6]):
            ChartCard(
                "Prices: inside China and outside it",
                f"{charts.GOOD_NAMES[good]}, US$ per kg. Export controls split the market in two tiers: buyers "
                "outside China bid up what leaves China, while China's own price may fall.",
                drawings["prices"],
                "prices",
                cut,
            )
            ChartCard(
                "Importers' dependency on China",
                "Share of each importer's end use whose rare earths were separated in China, %.",
                drawings["importers"],
                "importers",
                cut,
            )
            with solara.Column():
                solara.Select("Region whose dependency is shown", values=regions, value=region, dense=True)
                ChartCard(
                    "China's share of each stage, and one region's dependency",
                    f"China's share of world mining, separation and magnet making, %; dark: {region.value}'s.",
                    drawings["shares"],
                    "shares",
                    cut,
                )
            ChartCard(
                "Dependency on China by stage, latest month",
                "Of each region's end use, the share mined, separated and made into magnets in China, %. "
                "Black ticks: separation in the twin, same month.",
                drawings["dependency"],
                "dependency",
            )
            ChartCard(
                "Shortages",
                "World end-use need that went unmet, tonnes a month: firms that could not buy at a price they "
                "would pay.",
                drawings["shortages"],
                "shortages",
                cut,
            )
            ChartCard(
                "Strategic stockpiles",
                "State stockpiles of NdPr and Dy/Tb oxide held worldwide, tonnes: bought in calm times, released in "
                "shortages.",
                drawings["stockpiles"],
                "stockpiles",
                cut,
            )
        ChartCard(
            "Alliance network",
            "Governments; a coloured line joins members of an alliance, red dashes show disputes. "
            "Grey dots: the twin's alliances.",
            drawings["alliances"],
            "alliances",
        )
        ChartCard(
            "Supply-chain flows over the last 12 months shown",
            "Where rare earths were mined, separated, made into magnets and used, t REO a year (NdPr and Dy/Tb for "
            "magnets). Red: flows from China. With a twin, the twin is drawn below.",
            drawings["flows"],
            "flows",
        )
        with solara.Card("Scorecard per government, last 12 months shown", style={"margin": "4px"}):
            solara.Text(
                "Cost and security of supply, value added, environmental burden at home and public money spent; in "
                "brackets, the change against the twin over the same months (green: better).",
                style={"color": "#444", "font-size": "14px"},
            )
            Scorecard(view, dash.reference(view.ticks))
        with solara.Card("Events shown", style={"margin": "4px"}):
            EventList(view)
        with solara.Card("Glossary", style={"margin": "4px"}):
            Glossary(tuple(name for name, _ in alliances))
