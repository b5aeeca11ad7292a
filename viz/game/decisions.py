"""The player's decision form: pick a lever, set it, add it to the round's list, submit the list.

One lever's fields are shown at a time (a row of lever buttons chooses which): on a phone the
form stays one screen long, and a new round redraws a handful of widgets per page instead of
every lever's, which keeps a class of 30 pages quick. Nothing here decides anything: each
decision is a plain dict built by :mod:`marketsim.governance.decisions` (as the dashboard's are) and
checked by the engine (the governance seam) when submitted.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from marketsim.game import GameError, Room
from marketsim.governance import decisions
from marketsim.governance.rounds import DecisionError
from marketsim.vocabulary import GOODS, STAGES
from viz.dashboard.components import EXPLAIN
from viz.game.facilitator import Feedback
from viz.game.fields import ChoiceButtons, NumberField
from viz.game.state import Seat, problem

CARD = {"margin": "4px", "flex": "1 1 300px", "min-width": "0"}
WRAP = {"flex-wrap": "wrap", "align-items": "stretch"}
FIELD = {"max-width": "420px"}

Add = Callable[[dict], None]
"""Adds a decision to the draft list, dated at the round's first month."""
THIS_ROUND = "this round"
"""The ``start`` a lever gives its decision: :data:`Add` replaces it by the round's first month."""


def Slider(label: str, value: int, on_value, low: int, high: int):
    """A slider with its label on its own line (a long label beside it leaves no room on a phone)."""
    solara.Text(f"{label}: {value}", style={"display": "block", "font-size": "13px", "color": "#555"})
    return solara.SliderInt("", value=value, on_value=on_value, min=low, max=high, thumb_label=False)


@solara.component
def ExportLever(region: str, others: list[str], add: Add):
    """Export quota or ban on the government's ore and oxides."""
    quota, set_quota = solara.use_state(10.0)
    ban_to, set_ban_to = solara.use_state("all")
    NumberField("Export quota, kt REO/yr", value=quota, on_value=set_quota)
    solara.Button(
        "Add export quota", small=True, on_click=lambda: add(decisions.export_quota(region, THIS_ROUND, quota * 1000.0))
    )
    solara.Select("Ban exports to", values=["all", *others], value=ban_to, on_value=set_ban_to)
    solara.Button(
        "Add export ban",
        small=True,
        on_click=lambda: add(decisions.export_ban(region, THIS_ROUND, () if ban_to == "all" else (ban_to,))),
    )


@solara.component
def TariffLever(region: str, others: list[str], add: Add):
    """A tariff on imports, from everyone or one origin."""
    rate, set_rate = solara.use_state(25)
    origin, set_origin = solara.use_state("china")
    Slider("Tariff on imports, %", rate, set_rate, 0, 100)
    solara.Select("Tariff on imports from", values=["all", *others], value=origin, on_value=set_origin)
    solara.Button(
        "Add tariff",
        small=True,
        on_click=lambda: add(decisions.tariff(region, THIS_ROUND, rate / 100.0, () if origin == "all" else (origin,))),
    )


@solara.component
def SubsidyLever(region: str, others: list[str], add: Add):
    """A subsidy to mines, separation or magnet plants at home."""
    stage, set_stage = solara.use_state("separation")
    rate, set_rate = solara.use_state(20)
    solara.Select("Subsidy to stage", values=list(STAGES), value=stage, on_value=set_stage)
    Slider("Subsidy, % of unit cost", rate, set_rate, 0, 90)
    solara.Button(
        "Add subsidy", small=True, on_click=lambda: add(decisions.subsidy(region, THIS_ROUND, stage, rate / 100.0))
    )


@solara.component
def StockpileLever(region: str, others: list[str], add: Add):
    """Strategic stockpile purchases (positive) or releases (negative)."""
    good, set_good = solara.use_state("ndpr")
    tonnes, set_tonnes = solara.use_state(500.0)
    solara.Select("Stockpile good", values=["ndpr", "dytb", "magnet"], value=good, on_value=set_good)
    NumberField("Tonnes over 12 months (negative releases)", value=tonnes, on_value=set_tonnes)
    solara.Button(
        "Add stockpile order", small=True, on_click=lambda: add(decisions.stockpile(region, THIS_ROUND, good, tonnes))
    )


@solara.component
def FloorLever(region: str, others: list[str], add: Add):
    """A price floor guaranteed to the government's producers of a good."""
    good, set_good = solara.use_state("ndpr")
    price, set_price = solara.use_state(60.0)
    solara.Select("Price floor good", values=list(GOODS), value=good, on_value=set_good)
    NumberField("Price floor, US$/kg", value=price, on_value=set_price)
    solara.Button(
        "Add price floor",
        small=True,
        on_click=lambda: add(decisions.price_floor(region, THIS_ROUND, good, price)),
    )


@solara.component
def RecyclingLever(region: str, others: list[str], add: Add):
    """A mandate to collect a share of end-of-life magnets."""
    collect, set_collect = solara.use_state(30)
    Slider("Recycling mandate: collect % of end-of-life magnets", collect, set_collect, 0, 100)
    solara.Button(
        "Add recycling mandate",
        small=True,
        on_click=lambda: add(decisions.recycling_mandate(region, THIS_ROUND, collect / 100.0)),
    )


@solara.component
def AllianceLever(region: str, others: list[str], add: Add, groups: dict[str, list[str]]):
    """Ask to join an existing alliance, or leave one (invitations are in the offers card)."""
    group, set_group = solara.use_state(next(iter(groups), ""))
    if not groups:
        solara.Text(
            "No alliance exists yet: invite another government into a new one under Alliance offers.", style=EXPLAIN
        )
        return
    members = groups.get(group, [])
    solara.Select("Alliance", values=list(groups), value=group or None, on_value=set_group)
    solara.Text("Members: " + ", ".join(members), style=EXPLAIN)
    with solara.Row():
        solara.Button(
            "Ask to join",
            small=True,
            disabled=region in members,
            on_click=lambda: add(decisions.alliance(region, THIS_ROUND, group, True)),
        )
        solara.Button(
            "Leave",
            small=True,
            disabled=region not in members,
            on_click=lambda: add(decisions.alliance(region, THIS_ROUND, group, False)),
        )


@solara.component
def ResearchLever(region: str, others: list[str], add: Add):
    """Public research into a processing stage: experience without making the tonnes."""
    stage, set_stage = solara.use_state("magnets")
    money, set_money = solara.use_state(100.0)
    solara.Select("Research into", values=["separation", "magnets", "recycling"], value=stage, on_value=set_stage)
    NumberField("US$ million a year", value=money, on_value=set_money)
    solara.Button(
        "Add research funding",
        small=True,
        on_click=lambda: add(decisions.research_funding(region, THIS_ROUND, stage, money)),
    )


@solara.component
def StandardLever(region: str, others: list[str], add: Add):
    """An environmental standard for a stage at home: dearer output, less burden per tonne."""
    stage, set_stage = solara.use_state("separation")
    level, set_level = solara.use_state(80)
    solara.Select("Standard for", values=list(STAGES), value=stage, on_value=set_stage)
    Slider("Environmental standard, % of best practice", level, set_level, 0, 100)
    solara.Button(
        "Add environmental standard",
        small=True,
        on_click=lambda: add(decisions.environmental_standard(region, THIS_ROUND, stage, level / 100.0)),
    )


@solara.component
def CollectionLever(region: str, others: list[str], add: Add):
    """A paid scheme that builds up collection of end-of-life magnets over years."""
    rate, set_rate = solara.use_state(30)
    fee, set_fee = solara.use_state(5.0)
    Slider("Collection scheme: aim to collect % of end-of-life magnets", rate, set_rate, 0, 100)
    NumberField("Paid per kg of REO collected, US$", value=fee, on_value=set_fee)
    solara.Button(
        "Add collection scheme",
        small=True,
        on_click=lambda: add(decisions.collection_scheme(region, THIS_ROUND, rate / 100.0, fee)),
    )


PROJECT_DEALS = ("loan", "equity", "offtake")
UNITS = {"mining": "t REO/yr", "separation": "t REO/yr of feed", "magnets": "t of magnet/yr"}


def project_lines(pipeline) -> dict[str, str]:
    """Each supply project's name and a line about it (where, which stage, how big, what it costs)."""
    return {
        p.name: f"In {p.region}: {p.stage}, {p.capacity:,.0f} {UNITS[p.stage]}, US${p.capital_cost:,.0f} m to build."
        for p in pipeline
    }


@solara.component
def ProjectLever(region: str, others: list[str], add: Add, projects: dict[str, str]):
    """Back a named supply project (in any region): a cheap loan, public equity, or an offtake
    at a guaranteed price. ``projects``: each project's name and a line about it."""
    project, set_project = solara.use_state(next(iter(projects)))
    deal, set_deal = solara.use_state("loan")
    share, set_share = solara.use_state(50)
    good, set_good = solara.use_state("ndpr")
    price, set_price = solara.use_state(80.0)
    solara.Select("Project", values=list(projects), value=project, on_value=set_project)
    solara.Text(projects.get(project, ""), style=EXPLAIN, classes=["project-about"])
    solara.Select("Deal", values=list(PROJECT_DEALS), value=deal, on_value=set_deal)
    if deal == "offtake":
        Slider("Share of its output bought, %", share, set_share, 1, 100)
        solara.Select("Good", values=["ndpr", "magnet"], value=good, on_value=set_good)
        NumberField("Guaranteed price, US$/kg", value=price, on_value=set_price)
        decision = decisions.offtake(region, THIS_ROUND, project, good, price, share / 100.0)
    else:
        Slider(
            f"Share of its capital, % ({'lent at 3 % a year' if deal == 'loan' else 'owned'})", share, set_share, 1, 90
        )
        decision = decisions.project_support(region, THIS_ROUND, project, deal, share / 100.0)
    solara.Button(f"Add project {deal}", small=True, on_click=lambda: add(decision))


LEVERS = {
    "Tariff": TariffLever,
    "Subsidy": SubsidyLever,
    "Stockpile": StockpileLever,
    "Price floor": FloorLever,
    "Recycling": RecyclingLever,
    "Alliance": AllianceLever,
    "Export control": ExportLever,
    "Projects": ProjectLever,
    "Research": ResearchLever,
    "Standards": StandardLever,
    "Collection scheme": CollectionLever,
}
"""The lever buttons, in the order shown; ``Export control`` only for a government with mines or
separation plants at home, ``Projects`` only in a scenario with supply projects."""


@solara.component
def LeverChooser(
    region: str, others: list[str], exporter: bool, add: Add, groups: dict[str, list[str]], projects: dict[str, str]
):
    """A row of lever buttons and the chosen lever's fields. Nothing here depends on the round
    (``add`` is stable and dates the decision), so a new round does not redraw it."""
    chosen, set_chosen = solara.use_state("Tariff")
    hidden = {"Export control"} if not exporter else set()
    if not projects:
        hidden.add("Projects")
    names = [name for name in LEVERS if name not in hidden]
    ChoiceButtons(names, chosen, set_chosen, ["lever-buttons"])
    with solara.Column(classes=["lever", f"lever-{chosen.lower().replace(' ', '-')}"], style=FIELD):
        if chosen == "Alliance":
            AllianceLever(region, others, add, groups)
        elif chosen == "Projects":
            ProjectLever(region, others, add, projects)
        else:
            LEVERS[chosen](region, others, add)


@solara.component
def DecisionForm(
    room: Room,
    seat: Seat,
    round_: int,
    date: str,
    queued: list,
    held: dict[str, int],
    groups: dict[str, list[str]],
    queued_by: str | None = None,
):
    """The round's decisions: add levers to a list, then submit the list (empty: no change). Any
    member of a team may submit; the latest submission replaces the team's queue. ``groups``:
    the alliances now, with their members."""
    region = seat.region
    draft, set_draft = solara.use_state((round_, []))
    items = draft[1] if draft[0] == round_ else []
    said, say = solara.use_state((round_, None))
    message = said[1] if said[0] == round_ else None  # last round's result is not shown again

    def set_message(text: tuple[str, bool] | None) -> None:
        say((round_, text))

    setup = solara.use_memo(room.setup, [room.id])
    others = [r for r in setup.regions if r != region]
    projects = solara.use_memo(lambda: project_lines(setup.projects), [room.id])

    def add_now(decision: dict) -> None:
        set_draft((round_, [*items, {**decision, "start": date}]))
        set_message(None)

    latest = solara.use_ref(add_now)
    latest.current = add_now
    # The same function every round (it calls the latest add_now): the levers need not redraw.
    add = solara.use_memo(lambda: lambda decision: latest.current(decision), [])  # noqa: PLW0108

    def remove(index: int) -> None:
        set_draft((round_, [d for k, d in enumerate(items) if k != index]))

    def submit() -> None:
        try:
            room.submit(seat.token, list(items), region=region)
        except (GameError, DecisionError) as error:
            set_message((problem(error), False))
            return
        count = f"{len(items)} decision{'s' if len(items) != 1 else ''}" if items else "no change"
        set_message((f"Submitted for round {round_ + 1}: {count}. You may change it until the round is played.", True))

    with solara.Card(f"Your decisions for round {round_ + 1}", classes=["decision-form"], style=CARD):
        solara.Text(
            "Pick a lever, add it, then submit the list (your briefing says what each lever does).",
            style=EXPLAIN,
        )
        LeverChooser(region, others, bool(held["mines"] or held["separation plants"]), add, groups, projects)
        solara.Text(
            "To submit:" if items else "Nothing added: submitting means no change this round.",
            style={"font-weight": "600", "margin-top": "6px"},
        )
        with solara.Column(classes=["draft"], gap="0px"):
            for index, item in enumerate(items):
                with solara.Row(style={"align-items": "center"}):
                    solara.Text(describe(item), classes=["draft-item"], style={"overflow-wrap": "anywhere"})
                    solara.Button("Remove", small=True, text=True, on_click=lambda index=index: remove(index))
        solara.Button("Submit decisions", on_click=submit, color="primary", block=True, classes=["submit-decisions"])
        Feedback(message)
        if queued:
            by = f" (sent by {queued_by})" if queued_by else ""
            solara.Text(f"Queued now{by}: " + "; ".join(describe(d) for d in queued), style=EXPLAIN, classes=["queued"])


def _n(value: float, digits: int = 1) -> str:
    """A number short enough for a phone: thousands separated, huge ones in scientific form."""
    value = float(value)
    return f"{value:.3g}" if abs(value) >= 1e9 else f"{value:,.{digits}f}"


def describe(decision: dict) -> str:
    """A decision in a few words (a huge number stays short)."""
    kind = str(decision.get("type", "?"))
    detail = {
        "export_quota": lambda d: f"{_n(d['tonnes_per_year'] / 1000)} kt/yr",
        "export_ban": lambda d: "to " + (", ".join(d.get("destinations") or []) or "all"),
        "tariff": lambda d: f"{100 * d['rate']:.0f}% on " + (", ".join(d.get("origins") or []) or "all"),
        "subsidy": lambda d: f"{100 * d['rate']:.0f}% to {d['stage']}",
        "stockpile": lambda d: f"{_n(d['tonnes'], 0)} t {d['good']}",
        "price_floor": lambda d: f"{d['good']} at US${_n(d['price'], 1)}/kg",
        "recycling_mandate": lambda d: f"collect {100 * d['collection_rate']:.0f}%",
        "alliance_join": lambda d: d["alliance"],
        "alliance_leave": lambda d: d["alliance"],
        "research_funding": lambda d: f"US${_n(d['usd_million_per_year'], 0)} m/yr into {d['stage']}",
        "environmental_standard": lambda d: f"{100 * d['level']:.0f}% for {d['stage']}",
        "collection_scheme": lambda d: f"aim {100 * d['collection_rate']:.0f}% at US${_n(d['usd_per_kg'], 1)}/kg",
        "project_loan": lambda d: f"{100 * d['share']:.0f}% of {d['project']}",
        "project_equity": lambda d: f"{100 * d['share']:.0f}% of {d['project']}",
        "offtake": lambda d: f"{100 * d['share']:.0f}% of {d['project']} at US${_n(d['price'], 0)}/kg",
    }
    try:
        extra = detail[kind](decision) if kind in detail else ""
    except (KeyError, TypeError, ValueError):
        extra = ""
    return f"{kind.replace('_', ' ')} {extra}".strip()
