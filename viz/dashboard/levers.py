"""The policy panel: every lever a workshop asks for, for any government, from any month.

A change is validated like a player's decision in the month it starts (one a government cannot
make, or that cannot have an effect, is refused with the reason) and the run is re-simulated
from that month to the horizon. Numbers are typed as text and read with
:func:`marketsim.live.parse_number`, so no entry (``nan``, ``inf``, empty, huge) can break the page.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from marketsim.governance import decisions
from marketsim.live import parse_number
from marketsim.vocabulary import POLICY_STAGES
from viz.dashboard.components import Explained
from viz.dashboard.session import Dashboard, Message

EVERYONE = "every country"
ROW = {"flex-wrap": "wrap", "gap": "4px", "align-items": "center"}


@solara.component
def Lever(title: str, children=None):
    """A group of controls for one lever."""
    with solara.Card(title, classes=["lever"], style={"margin": "2px 0", "width": "100%"}):
        solara.Column(children=children or [])


@solara.component
def PolicyPanel(
    dash: Dashboard,
    on_change: Callable[[], None],
    regions: tuple[str, ...],
    alliances: tuple[tuple[str, tuple[str, ...]], ...],
    months: int,
):
    """A government's levers, from a month the facilitator picks to the end of the run."""
    region, set_region = solara.use_state("china" if "china" in regions else regions[0])
    start, set_start = solara.use_state(min(24, months - 1))
    text, set_text = solara.use_state(
        {"quota": "30", "floor": "60", "tonnes": "1000", "research": "100", "collection": "30"}
    )
    choice, set_choice = solara.use_state(
        {"ban_to": EVERYONE, "licence_to": EVERYONE, "origin": "china", "stage": "separation", "good": "ndpr"}
    )
    rate, set_rate = solara.use_state({"tariff": 25, "subsidy": 20, "approval": 50})
    region = region if region in regions else regions[0]
    start = max(0, min(start, months - 1))
    others = [EVERYONE, *[r for r in regions if r != region]]

    def typed(name):
        return lambda value: set_text({**text, name: value})

    def picked(name):
        return lambda value: set_choice({**choice, name: value})

    def slid(name):
        return lambda value: set_rate({**rate, name: value})

    def decide(build):
        def handler():
            now = dash.run.date_of(start)
            try:
                decision = build(now)
            except ValueError as error:
                dash.message = Message(f"Not applied: {error}", ok=False)
                on_change()
                return
            dash.decide(region, decision, start)
            on_change()

        return handler

    def number(name, label, low, high):
        return parse_number(text[name], label, low, high)

    def to(name):
        return () if choice[name] == EVERYONE else (choice[name],)

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
                solara.SliderInt(
                    f"Starts in {dash.run.date_of(start)}", value=start, on_value=set_start, min=0, max=months - 1
                )
        with solara.Row(style=ROW):
            with Lever("Export controls"):
                solara.InputText(
                    "Quota on ore and oxides, kt REO a year",
                    value=text["quota"],
                    on_value=typed("quota"),
                    continuous_update=True,
                )
                with solara.Row(style=ROW):
                    solara.Button(
                        "Set quota",
                        small=True,
                        on_click=decide(
                            lambda now: decisions.export_quota(region, now, number("quota", "the quota", 0, 1e6) * 1e3)
                        ),
                    )
                    solara.Button(
                        "Lift quota",
                        small=True,
                        outlined=True,
                        on_click=decide(lambda now: decisions.export_quota(region, now, None)),
                    )
                solara.Select("Ban exports to", values=others, value=choice["ban_to"], on_value=picked("ban_to"))
                solara.Button(
                    "Ban exports",
                    small=True,
                    on_click=decide(lambda now: decisions.export_ban(region, now, to("ban_to"))),
                )
                solara.SliderInt("Licences: % of tonnage approved", value=rate["approval"], on_value=slid("approval"))
                solara.Select(
                    "Licences for exports to", values=others, value=choice["licence_to"], on_value=picked("licence_to")
                )
                solara.Button(
                    "Require licences (Dy/Tb, magnets)",
                    small=True,
                    on_click=decide(
                        lambda now: decisions.export_licence(region, now, rate["approval"] / 100, to("licence_to"))
                    ),
                )
            with Lever("Imports and home producers"):
                solara.SliderInt("Tariff on imports, %", value=rate["tariff"], on_value=slid("tariff"), min=0, max=100)
                solara.Select(
                    "Tariff on imports from",
                    values=["all", *others[1:]],
                    value=choice["origin"],
                    on_value=picked("origin"),
                )
                solara.Button(
                    "Apply tariff",
                    small=True,
                    on_click=decide(
                        lambda now: decisions.tariff(
                            region, now, rate["tariff"] / 100, () if choice["origin"] == "all" else (choice["origin"],)
                        )
                    ),
                )
                solara.Select("Stage", values=list(POLICY_STAGES), value=choice["stage"], on_value=picked("stage"))
                solara.SliderInt(
                    "Subsidy, % of unit cost", value=rate["subsidy"], on_value=slid("subsidy"), min=0, max=90
                )
                solara.Button(
                    "Apply subsidy",
                    small=True,
                    on_click=decide(lambda now: decisions.subsidy(region, now, choice["stage"], rate["subsidy"] / 100)),
                )
                solara.Button(
                    "Fund research (US$ m a year below)",
                    small=True,
                    outlined=True,
                    on_click=decide(
                        lambda now: decisions.research_funding(
                            region, now, choice["stage"], number("research", "research funding", 0, 1e5)
                        )
                    ),
                )
                solara.InputText(
                    "Research, US$ million a year",
                    value=text["research"],
                    on_value=typed("research"),
                    continuous_update=True,
                )
            with Lever("Stockpiles, floors, recycling"):
                solara.Select(
                    "Good",
                    values=["ndpr", "dytb", "magnet", "lace", "concentrate"],
                    value=choice["good"],
                    on_value=picked("good"),
                )
                solara.InputText(
                    "Tonnes over 12 months (negative releases)",
                    value=text["tonnes"],
                    on_value=typed("tonnes"),
                    continuous_update=True,
                )
                solara.Button(
                    "Order stockpile",
                    small=True,
                    on_click=decide(
                        lambda now: decisions.stockpile(
                            region, now, choice["good"], number("tonnes", "tonnes", -1e7, 1e7)
                        )
                    ),
                )
                solara.InputText(
                    "Price floor, US$ per kg", value=text["floor"], on_value=typed("floor"), continuous_update=True
                )
                solara.Button(
                    "Set price floor",
                    small=True,
                    on_click=decide(
                        lambda now: decisions.price_floor(
                            region, now, choice["good"], number("floor", "the floor", 0.01, 1e5)
                        )
                    ),
                )
                solara.InputText(
                    "Recycling: % of old magnets collected",
                    value=text["collection"],
                    on_value=typed("collection"),
                    continuous_update=True,
                )
                solara.Button(
                    "Mandate recycling",
                    small=True,
                    on_click=decide(
                        lambda now: decisions.recycling_mandate(
                            region, now, number("collection", "the collection rate", 0, 100) / 100
                        )
                    ),
                )
        if alliances:
            Explained("Alliances (switch to join or leave from the chosen month):")
            with solara.Row(style=ROW):
                for name, members in alliances:
                    solara.Switch(
                        label=name,
                        value=region in members,
                        on_value=lambda member, name=name: decide(
                            lambda now: decisions.alliance(region, now, name, member)
                        )(),
                    )
