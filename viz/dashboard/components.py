"""Dashboard components: declarative views of a :class:`viz.dashboard.session.Dashboard`.

Components read the dashboard and call its methods; ``on_change`` tells the page to redraw. The
dashboard object itself stays the same while the run changes, so components that read it take
``version`` (the page's frame count): a new value makes them render again. The policy levers are
in :mod:`viz.dashboard.levers`, the headline strip and the glossary in :mod:`viz.dashboard.headline`.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import ipywidgets
import solara

from marketsim.reports.views import RunView
from viz.dashboard.session import COMPARISONS, Dashboard, scenario_library
from viz.plotly_chart import PlotlyChart, jsonable, share_dates, split_twin
from viz.tables import scorecard_table

EXPLAIN = {"color": "#444", "font-size": "14px", "margin": "0 0 4px 0"}


@solara.component
def Explained(text: str):
    """A one-line explanation under a title."""
    solara.Text(text, style=EXPLAIN)


class Drawing:
    """A figure (a dict, see :mod:`viz.charts`) and the key it was drawn for. Drawings with equal
    keys count as equal, so the page never compares figures point by point. ``partial``: drawn
    from the first years of a run whose rest is still being simulated (a chart off screen waits
    for the rest rather than draw this). ``stale``: an earlier run's drawing kept by a chart out of
    the browser's window while the rest of a run is simulated: its lines keep the month they were
    cut at (cutting them at the new run's month would redraw the earlier run for nothing)."""

    __hash__ = None

    def __init__(self, key: tuple, figure: dict, partial: bool = False, stale: bool = False) -> None:
        self.key, self.figure, self.partial, self.stale = key, figure, partial, stale

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drawing) and self.key == other.key


DIGITS = 5
"""Significant digits of the numbers sent to the browser (hover text shows at most four)."""


class Seen:
    """Which charts of a page the browser has in its window (it says so as the page scrolls), so
    that the first years of a run are built and sent only to those; the others get the whole run.
    It also tracks which of those the browser has drawn, so that the rest of the run is simulated
    after the browser has drawn what is in view, not while it draws.

    Attributes:
        names: Chart name -> in the window; a chart not yet reported counts as in it.
        on_shown: Called with a chart's name when it comes into the window.
        waiting: Charts in view sent the first years of a run, not yet drawn by the browser.
        settled: Set when no chart is :attr:`waiting`.
    """

    def __init__(self) -> None:
        self.names: dict[str, bool] = {}
        self.on_shown: Callable[[str], None] = lambda name: None
        self.waiting: set[str] = set()
        self.settled = threading.Event()
        self.settled.set()

    def __call__(self, name: str) -> bool:
        """Whether the chart called ``name`` is in the window (as far as the browser said)."""
        return self.names.get(name, True)

    def expect(self, names: list[str]) -> None:
        """The charts (those in view of ``names``) just given the first years of a run to draw."""
        self.waiting = {name for name in names if self(name)}
        if self.waiting:
            self.settled.clear()
        else:
            self.settled.set()

    def drawn(self, name: str) -> None:
        """The browser has drawn the first years of a run on chart ``name``."""
        self.waiting.discard(name)
        if not self.waiting:
            self.settled.set()


SEEN = solara.create_context(None)
"""The page's :class:`Seen`, told by every :func:`Chart` in it (None: nobody asks)."""


@solara.component
def Chart(drawing: Drawing, name: str, until: str = ""):
    """A Plotly chart that redraws when its drawing's key changes; its camera icon saves a PNG.
    ``until`` (a month, ``YYYY-MM``; empty: all) cuts this run's lines in the browser: while
    playing only it moves, so a frame sends a few bytes."""
    config = {
        "displaylogo": False,
        "responsive": True,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": f"marketsim_{name}", "scale": 2},
    }
    element = PlotlyChart.element(config=config)

    def draw():
        widget = solara.get_widget(element)
        layout = jsonable(drawing.figure["layout"])
        with widget.hold_sync():
            if layout != widget.figure_layout:  # most changes move only the data
                widget.figure_layout = layout
            dates, traces = share_dates(jsonable(drawing.figure["data"], DIGITS))
            if dates != widget.dates:
                widget.dates = dates
            ours, twin = split_twin(traces)
            widget.partial = drawing.partial
            widget.traces = ours
            widget.twin = twin  # sent only if the twin's lines changed (an equal value is not sent)
            widget.until = until  # in the same message (the effect below then sends nothing)

    def cut():
        if not drawing.stale:
            solara.get_widget(element).until = until

    seen = solara.use_context(SEEN)
    solara.use_effect(draw, [drawing.key])
    solara.use_effect(cut, [until, drawing.stale])
    solara.use_effect(lambda: _watch(solara.get_widget(element), seen, name), [])
    return element


def _watch(widget: PlotlyChart, seen: Seen | None, name: str):
    """Tell ``seen`` when the browser says chart ``name`` came into or left its window, or drew the
    first years of a run; returns what stops it (an effect's cleanup)."""
    if seen is None:
        return None

    def changed(change):
        seen.names[name] = change.new
        if change.new:
            seen.on_shown(name)

    def drawn(_change):
        seen.drawn(name)

    widget.observe(changed, "seen")
    widget.observe(drawn, "drawn")

    def forget():
        widget.unobserve(changed, "seen")
        widget.unobserve(drawn, "drawn")

    return forget


@solara.component
def ChartCard(title: str, explanation: str, drawing: Drawing, name: str, until: str = ""):
    """A chart with its title and a sentence a newcomer understands (``until``: see :func:`Chart`)."""
    with solara.Card(title, classes=["chart-card", f"chart-{name}"], style={"margin": "4px"}):
        if explanation:
            Explained(explanation)
        Chart(drawing, name, until)


@solara.component
def Status(dash: Dashboard, version: int = 0):
    """Which months are shown, the scenario, seed and changes, and what the dotted lines are."""
    run = dash.run
    date = run.date_of(run.tick - 1) if run.tick else "none yet"
    text = (
        f"Month {run.tick} of {run.months} · shown to: {date} · scenario {dash.scenario_name} · "
        f"seed {run.seed} · live changes {len(run.interventions)}"
    )
    if dash.reference_label:
        text += f" · dotted: {dash.reference_label}"
    if dash.pending and run.ready:
        text += f" · simulated to {run.date_of(run.ready - 1)}, the rest follows"
    solara.Text(text, classes=["run-status"], style={"font-weight": "600", "font-size": "15px"})


@solara.component
def Note(dash: Dashboard, version: int = 0):
    """The last message: what a control did, or why it was refused."""
    if dash.message is None:
        return
    style = {"white-space": "pre-wrap", "margin": "4px 0", "font-size": "15px"}
    if dash.message.ok:
        solara.Success(dash.message.text, dense=True, style=style, classes=["run-message"])
    else:
        solara.Error(dash.message.text, dense=True, style=style, classes=["run-message", "run-error"])


@solara.component
def ScenarioControls(dash: Dashboard, on_change: Callable[[], None], scenario: str = "", seed: int | None = None):
    """Pick a scenario from the library or upload one; set the seed (``scenario`` and ``seed``
    are the current ones: a change renders the controls again)."""
    seed_text, set_seed_text = solara.use_state(str(dash.run.seed))
    library = list(scenario_library())

    def choose(name):
        dash.choose(name)
        set_seed_text(str(dash.run.seed))
        on_change()

    def uploaded(files):
        if files:
            upload = files[0]
            dash.upload(upload["name"], bytes(upload["content"]))
            set_seed_text(str(dash.run.seed))
            on_change()

    def reseed():
        dash.reseed(seed_text)
        on_change()

    solara.Select(
        "Scenario", values=library, value=dash.scenario_name if dash.scenario_name in library else None, on_value=choose
    )
    solara.Text("…or upload a scenario file (TOML):", style=EXPLAIN)
    ipywidgets.FileUpload.element(accept=".toml", multiple=False, description="Upload scenario", on_value=uploaded)
    solara.InputText("Seed", value=seed_text, on_value=set_seed_text, continuous_update=True)
    solara.Button("Restart with this seed", on_click=reseed, outlined=True, classes=["restart-seed"])


@solara.component
def RunControls(
    dash: Dashboard,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    on_change: Callable[[], None],
    version: int = 0,
):
    """The timeline: the whole run is always simulated; these choose how much of it is shown."""

    def act(method, *args):
        def handler():
            method(*args)
            on_change()

        return handler

    def stop_then(method):
        def handler():
            playing.set(False)
            method()
            on_change()

        return handler

    def play_from_start():
        dash.rewind()
        on_change()
        playing.set(True)

    def replay():
        playing.set(False)
        if dash.replay():
            playing.set(True)
        on_change()

    finished = dash.run.finished
    Explained("Every change is simulated to the end at once; play to watch the months unfold.")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        solara.Button("Step", on_click=act(dash.step, 1), disabled=finished or playing.value)
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), color="warning")
        else:
            solara.Button("Play", on_click=lambda: playing.set(True), disabled=finished, color="primary")
        solara.Button("Play from start", on_click=play_from_start, outlined=True)
        solara.Button("Show all", on_click=stop_then(dash.run_to_end), disabled=finished)
    solara.SliderInt("Speed: months per frame", value=speed, min=1, max=12, thumb_label="always")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        solara.Button("Replay last change", on_click=replay, outlined=True, disabled=not dash.run.interventions)
        solara.Button("Reset", on_click=stop_then(dash.reset), outlined=True)


@solara.component
def ChangesList(dash: Dashboard, on_change: Callable[[], None], version: int = 0):
    """Every live change, numbered as on the charts; each can be switched off or removed."""

    def comparing(value):
        dash.compare = value
        on_change()

    solara.Select(
        "Dotted lines show",
        values=list(COMPARISONS),
        value=dash.compare,
        on_value=comparing,
        dense=True,
        classes=["compare-select"],
    )
    Explained(COMPARISONS[dash.compare] + ".")
    if not dash.run.changes:
        Explained("No changes yet: pick a government, a month and a lever in 'Change policy'.")
        return
    for change in dash.run.changes:
        with solara.Row(classes=["change-row"], style={"align-items": "center", "gap": "6px"}):

            def switched(value, serial=change.serial):
                dash.switch(serial, value)
                on_change()

            def removed(serial=change.serial):
                dash.remove(serial)
                on_change()

            solara.Switch(
                label=f"#{change.serial} {change.date} {change.label}", value=change.enabled, on_value=switched
            )
            solara.Button(icon_name="mdi-close", on_click=removed, small=True, text=True, classes=["remove-change"])


@solara.component
def Downloads(dash: Dashboard, stem: str):
    """The whole run as CSV or Parquet, with its manifest, events and alliance changes, in files
    named after ``stem``."""
    solara.Text("Download the run (time series + manifest.json + events):", style=EXPLAIN)
    with solara.Row():
        solara.FileDownload(
            lambda: dash.export("csv"), filename=f"{stem}_csv.zip", label="CSV (.zip)", mime_type="application/zip"
        )
        solara.FileDownload(
            lambda: dash.export("parquet"),
            filename=f"{stem}_parquet.zip",
            label="Parquet (.zip)",
            mime_type="application/zip",
        )
    solara.Text("Each chart saves itself as PNG from the camera icon in its top-right corner.", style=EXPLAIN)


@solara.component
def Scorecard(view: RunView, reference: RunView | None):
    """Each government's scorecard over the last 12 months shown; changes against the twin over
    the same months."""
    scores = view.scores
    if scores.empty:
        solara.Text("The scorecard appears after the first month.", style=EXPLAIN)
        return
    pinned = reference.scores if reference is not None and not reference.scores.empty else None
    table = scorecard_table(scores, pinned)
    solara.HTML(tag="div", unsafe_innerHTML=table, style={"overflow-x": "auto", "font-size": "14px"})


@solara.component
def EventList(view: RunView):
    """Events so far, newest first."""
    if not view.markers:
        solara.Text("No events yet.", style=EXPLAIN)
        return
    kinds = {"change": "live change", "scenario": "scheduled", "decision": "government strategy", "shock": "shock"}
    rows = "".join(
        f"<tr><td>{m.date}</td><td>{'#' + str(m.number) + ' ' if m.number else ''}{html.escape(m.label)}</td>"
        f"<td>{kinds[m.kind]}</td></tr>"
        for m in reversed(view.markers[-60:])
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<table class='events'><tbody>{rows}</tbody></table>",
        style={"max-height": "260px", "overflow-y": "auto", "font-size": "14px"},
    )
