"""Dashboard components: declarative views of a :class:`viz.dashboard.session.Dashboard`.

Components read the dashboard and call its methods; ``on_change`` tells the page to redraw. The
dashboard object itself stays the same while the run changes, so components that read it take
``version`` (the page's frame count): a new value makes them render again.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets
import solara

from marketsim.governance import decisions
from marketsim.reports.views import RunView
from marketsim.vocabulary import STAGES
from viz.dashboard.session import Dashboard, scenario_library
from viz.plotly_chart import PlotlyChart, jsonable
from viz.tables import scorecard_table

EXPLAIN = {"color": "#555", "font-size": "13px", "margin": "0 0 4px 0"}


@solara.component
def Explained(text: str):
    """A one-line explanation under a title."""
    solara.Text(text, style=EXPLAIN)


class Drawing:
    """A figure (a dict, see :mod:`viz.charts`) and the key it was drawn for. Drawings with equal
    keys count as equal, so the page never compares figures point by point."""

    __hash__ = None

    def __init__(self, key: tuple, figure: dict) -> None:
        self.key, self.figure = key, figure

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drawing) and self.key == other.key


@solara.component
def Chart(drawing: Drawing, name: str):
    """A Plotly chart that redraws when its drawing's key changes; its camera icon saves a PNG."""
    config = {
        "displaylogo": False,
        "responsive": True,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "modeBarButtonsToRemove": ["sendDataToCloud"],
        "toImageButtonOptions": {"format": "png", "filename": f"marketsim_{name}", "scale": 2},
    }
    element = PlotlyChart.element(config=config)

    def draw():
        widget = solara.get_widget(element)
        layout = jsonable(drawing.figure["layout"])
        with widget.hold_sync():
            if layout != widget.figure_layout:  # most frames change only the data
                widget.figure_layout = layout
            widget.traces = jsonable(drawing.figure["data"])

    solara.use_effect(draw, [drawing.key])
    return element


@solara.component
def ChartCard(title: str, explanation: str, drawing: Drawing, name: str):
    """A chart with its title and a sentence a newcomer understands."""
    with solara.Card(title, classes=["chart-card", f"chart-{name}"], style={"margin": "4px"}):
        Explained(explanation)
        Chart(drawing, name)


@solara.component
def Status(dash: Dashboard, version: int = 0):
    """Where the run is: month, date, scenario and seed."""
    run = dash.run
    date = run.model.date_of(max(run.tick - 1, 0)) if run.tick else "not started"
    text = (
        f"Month {run.tick} of {run.months} · last simulated: {date} · scenario {dash.scenario_name} · "
        f"seed {run.seed} · live changes {len(run.interventions)}"
    )
    if dash.reference is not None:
        text += f" · pinned: {dash.reference_label}"
    solara.Text(text, classes=["run-status"], style={"font-weight": "600"})


@solara.component
def Note(dash: Dashboard, version: int = 0):
    """The last message: what a control did, or why it was refused."""
    if dash.message is None:
        return
    style = {"white-space": "pre-wrap", "margin": "4px 0"}
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
    """Step, play, pause, reset, run to the end, speed; pin and replay."""

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

    finished = dash.run.finished
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button("Step", on_click=act(dash.step, 1), disabled=finished or playing.value)
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), color="warning")
        else:
            solara.Button("Play", on_click=lambda: playing.set(True), disabled=finished, color="primary")
        solara.Button("Run to end", on_click=stop_then(dash.run_to_end), disabled=finished)
        solara.Button("Reset", on_click=stop_then(dash.reset))
    solara.SliderInt("Speed: months per frame", value=speed, min=1, max=12)

    def follow(value):
        dash.follow_through = value
        on_change()

    solara.Checkbox(label="Run to the end after each policy change", value=dash.follow_through, on_value=follow)
    with solara.Row(style={"flex-wrap": "wrap"}):
        if dash.reference is None:
            solara.Button("Pin as reference", on_click=act(dash.pin), disabled=dash.run.tick == 0, outlined=True)
        else:
            solara.Button("Unpin reference", on_click=act(dash.unpin), outlined=True)
        solara.Button(
            "Replay last change", on_click=stop_then(dash.replay), outlined=True, disabled=not dash.run.interventions
        )


@solara.component
def Downloads(dash: Dashboard, stem: str):
    """The run so far as CSV or Parquet, with its manifest, events and alliance changes, in files
    named after ``stem``."""
    solara.Text("Download the run so far (time series + manifest.json + events):", style=EXPLAIN)
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
def PolicyPanel(
    dash: Dashboard,
    on_change: Callable[[], None],
    regions: tuple[str, ...],
    alliances: tuple[tuple[str, tuple[str, ...]], ...],
):
    """A government's levers; a change takes effect from the current month, without a reset.

    Renders again only when the regions or the alliances' members change, not every month: the
    month a decision starts is read when it is made.
    """
    region, set_region = solara.use_state("usa" if "usa" in regions else regions[0])
    quota, set_quota = solara.use_state(30.0)
    tariff, set_tariff = solara.use_state(25)
    origin, set_origin = solara.use_state("china")
    stage, set_stage = solara.use_state("separation")
    subsidy, set_subsidy = solara.use_state(20)
    good, set_good = solara.use_state("ndpr")
    tonnes, set_tonnes = solara.use_state(1000.0)
    region = region if region in regions else regions[0]

    def decide(decision):
        def handler():
            dash.decide(region, decision(dash.run.model.date))
            on_change()

        return handler

    origins = () if origin == "all" else (origin,)
    with solara.Card("Change policy", classes=["policy-panel"], style={"margin": "4px"}):
        Explained(
            "Decisions act from the next simulated month on; the run is not restarted. Each is checked "
            "like a player's move: one a government cannot make is refused."
        )
        with solara.Columns([1, 1, 1, 1]):
            with solara.Column():
                solara.Select("Government", values=list(regions), value=region, on_value=set_region)
                solara.InputFloat("Export quota on ore and oxides, kt REO/yr", value=quota, on_value=set_quota)
                with solara.Row():
                    solara.Button(
                        "Set quota",
                        on_click=decide(lambda now: decisions.export_quota(region, now, max(quota, 0.0) * 1000.0)),
                        small=True,
                    )
                    solara.Button(
                        "Lift quota",
                        on_click=decide(lambda now: decisions.export_quota(region, now, None)),
                        small=True,
                        outlined=True,
                    )
            with solara.Column():
                solara.SliderInt("Tariff on imports, %", value=tariff, on_value=set_tariff, min=0, max=100)
                solara.Select("Tariff on imports from", values=["china", "all"], value=origin, on_value=set_origin)
                solara.Button(
                    "Apply tariff",
                    small=True,
                    on_click=decide(lambda now: decisions.tariff(region, now, tariff / 100.0, origins)),
                )
            with solara.Column():
                solara.Select("Subsidy to stage", values=list(STAGES), value=stage, on_value=set_stage)
                solara.SliderInt("Subsidy, % of unit cost", value=subsidy, on_value=set_subsidy, min=0, max=90)
                solara.Button(
                    "Apply subsidy",
                    small=True,
                    on_click=decide(lambda now: decisions.subsidy(region, now, stage, subsidy / 100.0)),
                )
            with solara.Column():
                solara.Select("Stockpile good", values=["ndpr", "dytb", "magnet"], value=good, on_value=set_good)
                solara.InputFloat("Tonnes over 12 months (negative releases)", value=tonnes, on_value=set_tonnes)
                solara.Button(
                    "Order stockpile",
                    small=True,
                    on_click=decide(lambda now: decisions.stockpile(region, now, good, tonnes)),
                )
        if alliances:
            solara.Text("Alliance membership (switch to apply to join or to leave):", style=EXPLAIN)
            with solara.Row(style={"flex-wrap": "wrap"}):
                for name, members in alliances:
                    solara.Switch(
                        label=name,
                        value=region in members,
                        on_value=lambda member, name=name: decide(
                            lambda now: decisions.alliance(region, now, name, member)
                        )(),
                    )


@solara.component
def Scorecard(view: RunView, reference: RunView | None):
    """Each government's scorecard over the last 12 months; changes against the pinned run."""
    scores = view.scores
    if scores.empty:
        solara.Text("The scorecard appears after the first month.", style=EXPLAIN)
        return
    pinned = reference.scores if reference is not None and not reference.scores.empty else None
    table = scorecard_table(scores, pinned)
    solara.HTML(tag="div", unsafe_innerHTML=table, style={"overflow-x": "auto", "font-size": "13px"})


@solara.component
def EventList(view: RunView):
    """Events so far, newest first."""
    if not view.markers:
        solara.Text("No events yet.", style=EXPLAIN)
        return
    kinds = {"change": "live change", "scenario": "scheduled", "decision": "government strategy", "shock": "shock"}
    rows = "".join(
        f"<tr><td>{m.date}</td><td>{html.escape(m.label)}</td><td>{kinds[m.kind]}</td></tr>"
        for m in reversed(view.markers[-60:])
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<table class='events'><tbody>{rows}</tbody></table>",
        style={"max-height": "260px", "overflow-y": "auto", "font-size": "12px"},
    )
