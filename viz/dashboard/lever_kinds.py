"""One component per kind of lever: its fields, in words with their units, and the button that
makes the decision.

Every lever gets ``act``, which makes a decision from the month the policy panel shows (see
:func:`viz.dashboard.levers.PolicyPanel`): it is handed a builder, the start month (``YYYY-MM``)
in, a decision in scenario-file form out (:mod:`marketsim.governance.decisions`). A builder raises
``ValueError`` with a sentence fit to show when a typed number is not one; typed numbers are read
with :func:`marketsim.live.parse_number`, so no entry (``nan``, ``inf``, empty, huge) can break
the page. Each lever keeps what is typed into it in its own state.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from marketsim.governance import decisions
from marketsim.live import parse_number
from marketsim.vocabulary import POLICY_STAGES, month_index, month_label

Act = Callable[[Callable[[str], dict]], None]
"""Makes a decision from a builder (start month -> decision); see the module's docstring."""
EVERYONE = "every country"
ROW = {"flex-wrap": "wrap", "gap": "4px", "align-items": "center"}
STOCKPILE_GOODS = ["ndpr", "dytb", "magnet", "lace", "concentrate"]
RESEARCH_STAGES = ["separation", "magnets", "recycling"]


@solara.component
def Kind(title: str, when: str, css: str, children=None):
    """One lever: its name, the month it would start, and its controls."""
    with solara.Column(classes=["lever-kind", css], style={"gap": "2px", "width": "100%"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{title}</b> <span class='lever-when'>from {when} on</span>",
            classes=["lever-kind-title"],
        )
        solara.Column(children=children or [], style={"gap": "2px"})


def export_tax(region: str, now: str, rate: float) -> dict:
    """A duty on the region's exports of ore and oxides, as a fraction of the price, in
    scenario-file form; a rate of 0 lifts it (a neutral tax that lapses after a month, as the
    builders of :mod:`marketsim.governance.decisions` lift their levers)."""
    decision = {"type": "export_tax", "region": region, "start": now, "rate": float(rate)}
    return {**decision, "end": month_label(month_index(now) + 1)} if rate == 0 else decision


def _percent(label: str, value: int, on_value, of: str, low: int = 0, high: int = 100, step: int = 1) -> None:
    """A slider for a percentage ``of`` something, its label and value written above it (a label
    beside a slider in the narrow panel squeezes the slider and hides the value)."""
    solara.Text(f"{label}: {value} % {of}", classes=["lever-value"])
    solara.SliderInt("", value=value, on_value=on_value, min=low, max=high, step=step)


def _typed(label: str, value: str, on_value) -> None:
    solara.InputText(label, value=value, on_value=on_value, continuous_update=True)


def _targets(others: tuple[str, ...], chosen: str) -> tuple[str, ...]:
    """Destinations or origins picked in a select: none (meaning every country) or one."""
    return () if chosen not in others else (chosen,)


@solara.component
def QuotaLever(act: Act, region: str, when: str):
    """An export quota on ore and oxides, set or lifted."""
    kilotonnes, set_kilotonnes = solara.use_state("30")
    with Kind("Export quota", when, "lever-quota"):
        _typed("Quota on ore and oxides, kt REO a year", kilotonnes, set_kilotonnes)
        with solara.Row(style=ROW):
            solara.Button(
                "Set quota",
                small=True,
                on_click=lambda: act(
                    lambda now: decisions.export_quota(region, now, parse_number(kilotonnes, "the quota", 0, 1e6) * 1e3)
                ),
            )
            solara.Button(
                "Lift quota",
                small=True,
                outlined=True,
                on_click=lambda: act(lambda now: decisions.export_quota(region, now, None)),
            )


@solara.component
def BanLever(act: Act, region: str, when: str, others: tuple[str, ...]):
    """A ban on exports to one country or to all."""
    target, set_target = solara.use_state(EVERYONE)
    with Kind("Export ban", when, "lever-ban"):
        solara.Select("Ban exports to", values=[EVERYONE, *others], value=target, on_value=set_target)
        solara.Button(
            "Ban exports",
            small=True,
            on_click=lambda: act(lambda now: decisions.export_ban(region, now, _targets(others, target))),
        )


@solara.component
def LicenceLever(act: Act, region: str, when: str, others: tuple[str, ...]):
    """Export licences for Dy/Tb oxide and magnets, with a share of the tonnage approved."""
    approval, set_approval = solara.use_state(50)
    target, set_target = solara.use_state(EVERYONE)
    with Kind("Export licences", when, "lever-licence"):
        _percent("Licences approve", approval, set_approval, "of the tonnage asked for")
        solara.Select("Licences for exports to", values=[EVERYONE, *others], value=target, on_value=set_target)
        solara.Button(
            "Require licences (Dy/Tb, magnets)",
            small=True,
            on_click=lambda: act(
                lambda now: decisions.export_licence(region, now, approval / 100, _targets(others, target))
            ),
        )


@solara.component
def ExportTaxLever(act: Act, region: str, when: str):
    """A duty on exports of ore and oxides, as a share of their price; 0 lifts it."""
    rate, set_rate = solara.use_state(15)
    with Kind("Export tax", when, "lever-export-tax"):
        with solara.Column(classes=["export-tax-rate"]):
            _percent("Export tax on ore and oxides", rate, set_rate, "of the price")
        solara.Button(
            "Apply export tax",
            small=True,
            on_click=lambda: act(lambda now: export_tax(region, now, rate / 100)),
        )


@solara.component
def TariffLever(act: Act, region: str, when: str, others: tuple[str, ...]):
    """A tariff on imports from one country or from all (allies exempt)."""
    rate, set_rate = solara.use_state(25)
    origin, set_origin = solara.use_state("all")
    with Kind("Import tariff", when, "lever-tariff"):
        with solara.Column(classes=["tariff-rate"]):
            _percent("Tariff on imports", rate, set_rate, "of the price")
        solara.Select("Tariff on imports from", values=["all", *others], value=origin, on_value=set_origin)
        solara.Button(
            "Apply tariff",
            small=True,
            on_click=lambda: act(lambda now: decisions.tariff(region, now, rate / 100, _targets(others, origin))),
        )


@solara.component
def SubsidyLever(act: Act, region: str, when: str):
    """An operating subsidy to producers at home at one stage (mining, processing, magnets)."""
    stage, set_stage = solara.use_state("separation")
    rate, set_rate = solara.use_state(20)
    with Kind("Production subsidy", when, "lever-subsidy"):
        solara.Select("Stage", values=list(POLICY_STAGES), value=stage, on_value=set_stage)
        _percent("Subsidy", rate, set_rate, "of unit cost", high=90)
        solara.Button(
            "Apply subsidy",
            small=True,
            on_click=lambda: act(lambda now: decisions.subsidy(region, now, stage, rate / 100)),
        )


@solara.component
def ResearchLever(act: Act, region: str, when: str):
    """Public research funding for a stage, US$ million a year."""
    stage, set_stage = solara.use_state("separation")
    amount, set_amount = solara.use_state("100")
    with Kind("Research", when, "lever-research"):
        solara.Select("Research into", values=RESEARCH_STAGES, value=stage, on_value=set_stage)
        _typed("Research, US$ million a year", amount, set_amount)
        solara.Button(
            "Fund research",
            small=True,
            outlined=True,
            on_click=lambda: act(
                lambda now: decisions.research_funding(
                    region, now, stage, parse_number(amount, "research funding", 0, 1e5)
                )
            ),
        )


@solara.component
def StockpileLever(act: Act, region: str, when: str):
    """A state stockpile order (bought over a year) or release."""
    good, set_good = solara.use_state("ndpr")
    tonnes, set_tonnes = solara.use_state("1000")
    with Kind("Strategic stockpile", when, "lever-stockpile"):
        solara.Select("Good stockpiled", values=STOCKPILE_GOODS, value=good, on_value=set_good)
        _typed("Tonnes over 12 months (negative releases)", tonnes, set_tonnes)
        solara.Button(
            "Order stockpile",
            small=True,
            on_click=lambda: act(
                lambda now: decisions.stockpile(region, now, good, parse_number(tonnes, "tonnes", -1e7, 1e7))
            ),
        )


@solara.component
def FloorLever(act: Act, region: str, when: str):
    """A price guaranteed to producers at home of one good."""
    good, set_good = solara.use_state("ndpr")
    price, set_price = solara.use_state("60")
    with Kind("Price floor", when, "lever-floor"):
        solara.Select("Good guaranteed", values=STOCKPILE_GOODS, value=good, on_value=set_good)
        _typed("Price floor, US$ per kg", price, set_price)
        solara.Button(
            "Set price floor",
            small=True,
            on_click=lambda: act(
                lambda now: decisions.price_floor(region, now, good, parse_number(price, "the floor", 0.01, 1e5))
            ),
        )


@solara.component
def RecyclingLever(act: Act, region: str, when: str):
    """A mandate to collect a share of end-of-life magnets."""
    share, set_share = solara.use_state("30")
    with Kind("Recycling mandate", when, "lever-recycling"):
        _typed("Recycling: % of old magnets collected", share, set_share)
        solara.Button(
            "Mandate recycling",
            small=True,
            on_click=lambda: act(
                lambda now: decisions.recycling_mandate(
                    region, now, parse_number(share, "the collection rate", 0, 100) / 100
                )
            ),
        )


def _project_note(projects: dict[str, tuple[str, str]], name: str) -> None:
    where, stage = projects.get(name, ("?", "?"))
    solara.Text(f"a {stage} project in {where}", style={"color": "#444", "font-size": "14px"})


@solara.component
def ProjectSupportLever(act: Act, region: str, when: str, projects: dict[str, tuple[str, str]]):
    """A public loan to, or a public stake in, a supply project (at home or abroad)."""
    names = list(projects)
    project, set_project = solara.use_state(names[0])
    deal, set_deal = solara.use_state("loan")
    share, set_share = solara.use_state(50)
    rate, set_rate = solara.use_state("3")
    project = project if project in projects else names[0]
    with Kind("Project loan or stake", when, "lever-project"):
        solara.Select("Project backed", values=names, value=project, on_value=set_project)
        _project_note(projects, project)
        solara.ToggleButtonsSingle(deal, values=["loan", "equity"], on_value=set_deal, dense=True)
        if deal == "loan":
            _percent("Loan", share, set_share, "of the project's capital", 5, 90, 5)
        else:
            _percent("Stake", share, set_share, "of the project owned", 5, 90, 5)
        if deal == "loan":
            _typed("Loan interest, % a year", rate, set_rate)

        def build(now: str) -> dict:
            decision = decisions.project_support(region, now, project, deal, share / 100)
            if deal == "loan":
                decision["rate"] = parse_number(rate, "the loan's interest", 0, 30) / 100
            return decision

        solara.Button("Back the project", small=True, on_click=lambda: act(build))


@solara.component
def OfftakeLever(act: Act, region: str, when: str, projects: dict[str, tuple[str, str]]):
    """A guaranteed price for a share of a project's output (the state pays the gap to the market)."""
    names = list(projects)
    project, set_project = solara.use_state(names[0])
    good, set_good = solara.use_state("ndpr")
    price, set_price = solara.use_state("80")
    share, set_share = solara.use_state(100)
    project = project if project in projects else names[0]
    with Kind("Offtake guarantee", when, "lever-offtake"):
        solara.Select("Project whose output is bought", values=names, value=project, on_value=set_project)
        _project_note(projects, project)
        solara.Select(
            "Good bought (NdPr contained, or magnets)", values=["ndpr", "magnet"], value=good, on_value=set_good
        )
        _typed("Guaranteed price, US$ per kg", price, set_price)
        _percent("Bought at that price", share, set_share, "of its output", 5, 100, 5)
        solara.Button(
            "Guarantee offtake",
            small=True,
            on_click=lambda: act(
                lambda now: decisions.offtake(
                    region, now, project, good, parse_number(price, "the guaranteed price", 0.01, 2e4), share / 100
                )
            ),
        )


@solara.component
def AllianceLever(act: Act, region: str, when: str, alliances: tuple[tuple[str, tuple[str, ...]], ...]):
    """Join or leave an alliance: a switch per alliance."""
    with Kind("Alliances", when, "lever-alliance"):
        with solara.Row(style=ROW):
            for name, members in alliances:
                solara.Switch(
                    label=name,
                    value=region in members,
                    on_value=lambda member, name=name: act(lambda now: decisions.alliance(region, now, name, member)),
                )
