"""The policy panel: every lever a workshop asks for, for any government, from any month.

A change is validated like a player's decision in the month it starts (one a government cannot
make, or that cannot have an effect, is refused with the reason) and the run is re-simulated
from that month to the horizon. The levers themselves, one component per kind, are in
:mod:`viz.dashboard.lever_kinds`; this module picks the government and the month and lays them
out in groups.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from viz.dashboard import lever_kinds as kinds
from viz.dashboard.components import Explained
from viz.dashboard.session import Dashboard, Message

ROW = kinds.ROW


@solara.component
def Lever(title: str, children=None):
    """A group of levers."""
    with solara.Card(title, classes=["lever"], style={"margin": "2px 0", "width": "100%"}):
        solara.Column(children=children or [], style={"gap": "10px"})


@solara.component
def PolicyPanel(
    dash: Dashboard,
    on_change: Callable[[], None],
    regions: tuple[str, ...],
    alliances: tuple[tuple[str, tuple[str, ...]], ...],
    months: int,
    projects: tuple[tuple[str, str, str], ...] = (),
):
    """A government's levers, from a month the facilitator picks to the end of the run.

    Args:
        dash: The session's dashboard.
        on_change: Tells the page to draw again.
        regions: The governments.
        alliances: Each alliance's name and members at the start.
        months: Length of the run.
        projects: Supply projects of the scenario: name, region, stage.
    """
    region, set_region = solara.use_state("china" if "china" in regions else regions[0])
    start, set_start = solara.use_state(min(24, months - 1))
    region = region if region in regions else regions[0]
    start = max(0, min(start, months - 1))
    when = dash.run.date_of(start)
    others = tuple(r for r in regions if r != region)
    by_name = {name: (where, stage) for name, where, stage in projects}

    def act(build: Callable[[str], dict]) -> None:
        try:
            decision = build(when)
        except ValueError as error:
            dash.message = Message(f"Not applied: {error}", ok=False)
            on_change()
            return
        dash.decide(region, decision, start)
        on_change()

    with solara.Card("Change policy", classes=["policy-panel"], style={"margin": "4px"}):
        Explained(
            "Pick a government and the month the change starts; the model re-runs from that month to the end. "
            "A change a government cannot make, or that would change nothing, is refused with the reason."
        )
        with solara.Row(style=ROW):
            solara.Select(
                "Government", values=list(regions), value=region, on_value=set_region, style={"max-width": "200px"}
            )
            with solara.Column(classes=["start-month"], style={"width": "100%"}):
                solara.SliderInt(f"Starts in {when}", value=start, on_value=set_start, min=0, max=months - 1)
        with solara.Row(style=ROW):
            with Lever("Export controls"):
                kinds.QuotaLever(act, region, when)
                kinds.BanLever(act, region, when, others)
                kinds.LicenceLever(act, region, when, others)
                kinds.ExportTaxLever(act, region, when)
            with Lever("Imports and home producers"):
                kinds.TariffLever(act, region, when, others)
                kinds.SubsidyLever(act, region, when)
                kinds.ResearchLever(act, region, when)
            if by_name:
                with Lever("Supply projects"):
                    kinds.ProjectSupportLever(act, region, when, by_name)
                    kinds.OfftakeLever(act, region, when, by_name)
            with Lever("Stockpiles, floors, recycling"):
                kinds.StockpileLever(act, region, when)
                kinds.FloorLever(act, region, when)
                kinds.RecyclingLever(act, region, when)
            if alliances:
                with Lever("Alliances"):
                    kinds.AllianceLever(act, region, when, alliances)
