"""The player's decision form: pick a lever, set it, add it to the round's list, submit the list.

One lever's fields are shown at a time (a row of lever buttons chooses which): on a phone the
form stays one screen long, and a new round redraws a handful of widgets per page instead of
every lever's, which keeps a class of 30 pages quick. Nothing here decides anything: each
decision is a plain dict checked by the engine (the governance seam) when submitted.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from marketsim import decisions
from marketsim.events import GOODS, STAGES
from marketsim.game import GameError, Room
from marketsim.governance import DecisionError
from viz.components import EXPLAIN
from viz.game_facilitator import Feedback
from viz.game_state import Seat, problem

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
    solara.InputFloat("Export quota, kt REO/yr", value=quota, on_value=set_quota, continuous_update=True)
    solara.Button("Add export quota", small=True,
                  on_click=lambda: add(decisions.export_quota(region, THIS_ROUND, quota * 1000.0)))
    solara.Select("Ban exports to", values=["all", *others], value=ban_to, on_value=set_ban_to)
    solara.Button("Add export ban", small=True, on_click=lambda: add(
        {"type": "export_ban", "region": region, "start": THIS_ROUND,
         "destinations": [] if ban_to == "all" else [ban_to]}))


@solara.component
def TariffLever(region: str, others: list[str], add: Add):
    """A tariff on imports, from everyone or one origin."""
    rate, set_rate = solara.use_state(25)
    origin, set_origin = solara.use_state("china")
    Slider("Tariff on imports, %", rate, set_rate, 0, 100)
    solara.Select("Tariff on imports from", values=["all", *others], value=origin, on_value=set_origin)
    solara.Button("Add tariff", small=True, on_click=lambda: add(
        decisions.tariff(region, THIS_ROUND, rate / 100.0, () if origin == "all" else (origin,))))


@solara.component
def SubsidyLever(region: str, others: list[str], add: Add):
    """A subsidy to mines, separation or magnet plants at home."""
    stage, set_stage = solara.use_state("separation")
    rate, set_rate = solara.use_state(20)
    solara.Select("Subsidy to stage", values=list(STAGES), value=stage, on_value=set_stage)
    Slider("Subsidy, % of unit cost", rate, set_rate, 0, 90)
    solara.Button("Add subsidy", small=True,
                  on_click=lambda: add(decisions.subsidy(region, THIS_ROUND, stage, rate / 100.0)))


@solara.component
def StockpileLever(region: str, others: list[str], add: Add):
    """Strategic stockpile purchases (positive) or releases (negative)."""
    good, set_good = solara.use_state("ndpr")
    tonnes, set_tonnes = solara.use_state(500.0)
    solara.Select("Stockpile good", values=["ndpr", "dytb", "magnet"], value=good, on_value=set_good)
    solara.InputFloat("Tonnes over 12 months (negative releases)", value=tonnes, on_value=set_tonnes,
                      continuous_update=True)
    solara.Button("Add stockpile order", small=True,
                  on_click=lambda: add(decisions.stockpile(region, THIS_ROUND, good, tonnes)))


@solara.component
def FloorLever(region: str, others: list[str], add: Add):
    """A price floor guaranteed to the government's producers of a good."""
    good, set_good = solara.use_state("ndpr")
    price, set_price = solara.use_state(60.0)
    solara.Select("Price floor good", values=list(GOODS), value=good, on_value=set_good)
    solara.InputFloat("Price floor, US$/kg", value=price, on_value=set_price, continuous_update=True)
    solara.Button("Add price floor", small=True, on_click=lambda: add(
        {"type": "price_floor", "region": region, "start": THIS_ROUND, "good": good, "price": float(price)}))


@solara.component
def RecyclingLever(region: str, others: list[str], add: Add):
    """A mandate to collect a share of end-of-life magnets."""
    collect, set_collect = solara.use_state(30)
    Slider("Recycling mandate: collect % of end-of-life magnets", collect, set_collect, 0, 100)
    solara.Button("Add recycling mandate", small=True, on_click=lambda: add(
        {"type": "recycling_mandate", "region": region, "start": THIS_ROUND, "collection_rate": collect / 100.0}))


@solara.component
def AllianceLever(region: str, others: list[str], add: Add, groups: dict[str, list[str]]):
    """Ask to join an existing alliance, or leave one (invitations are in the offers card)."""
    group, set_group = solara.use_state(next(iter(groups), ""))
    if not groups:
        solara.Text("No alliance exists yet: invite another government into a new one under "
                    "Alliance offers.", style=EXPLAIN)
        return
    members = groups.get(group, [])
    solara.Select("Alliance", values=list(groups), value=group or None, on_value=set_group)
    solara.Text("Members: " + ", ".join(members), style=EXPLAIN)
    with solara.Row():
        solara.Button("Ask to join", small=True, disabled=region in members,
                      on_click=lambda: add(decisions.alliance(region, THIS_ROUND, group, True)))
        solara.Button("Leave", small=True, disabled=region not in members,
                      on_click=lambda: add(decisions.alliance(region, THIS_ROUND, group, False)))


LEVERS = {"Tariff": TariffLever, "Subsidy": SubsidyLever, "Stockpile": StockpileLever,
          "Price floor": FloorLever, "Recycling": RecyclingLever, "Alliance": AllianceLever,
          "Export control": ExportLever}
"""The lever buttons, in the order shown; ``Export control`` only for a government with mines or
separation plants at home."""


@solara.component
def LeverChooser(region: str, others: list[str], exporter: bool, add: Add, groups: dict[str, list[str]]):
    """A row of lever buttons and the chosen lever's fields. Nothing here depends on the round
    (``add`` is stable and dates the decision), so a new round does not redraw it."""
    chosen, set_chosen = solara.use_state("Tariff")
    names = [name for name in LEVERS if name != "Export control" or exporter]
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}, classes=["lever-buttons"]):
        for name in names:
            solara.Button(name, small=True, depressed=name == chosen, outlined=name != chosen,
                          color="primary" if name == chosen else None,
                          on_click=lambda name=name: set_chosen(name))
    with solara.Column(classes=["lever", f"lever-{chosen.lower().replace(' ', '-')}"], style=FIELD):
        if chosen == "Alliance":
            AllianceLever(region, others, add, groups)
        else:
            LEVERS[chosen](region, others, add)


@solara.component
def DecisionForm(room: Room, seat: Seat, round_: int, date: str, queued: list, held: dict[str, int],
                 groups: dict[str, list[str]], queued_by: str | None = None):
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

    others = [r for r in room.state.model.regions if r != region]

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
        set_message((f"Submitted for round {round_ + 1}: {count}. You may change it until the round is played.",
                     True))

    with solara.Card(f"Your decisions for round {round_ + 1}", classes=["decision-form"], style=CARD):
        solara.Text("Choose a lever, add it to the list, then submit the list. Each is checked; one your "
                    "government cannot make is refused with the reason.", style=EXPLAIN)
        LeverChooser(region, others, bool(held["mines"] or held["separation plants"]), add, groups)
        solara.Text("To submit:" if items else "Nothing added: submitting means no change this round.",
                    style={"font-weight": "600", "margin-top": "6px"})
        with solara.Column(classes=["draft"], gap="0px"):
            for index, item in enumerate(items):
                with solara.Row(style={"align-items": "center"}):
                    solara.Text(describe(item), classes=["draft-item"])
                    solara.Button("Remove", small=True, text=True, on_click=lambda index=index: remove(index))
        solara.Button("Submit decisions", on_click=submit, color="primary", block=True, classes=["submit-decisions"])
        Feedback(message)
        if queued:
            by = f" (sent by {queued_by})" if queued_by else ""
            solara.Text(f"Queued now{by}: " + "; ".join(describe(d) for d in queued), style=EXPLAIN,
                        classes=["queued"])


def describe(decision: dict) -> str:
    """A decision in a few words."""
    kind = str(decision.get("type", "?"))
    detail = {"export_quota": lambda d: f"{d['tonnes_per_year'] / 1000:,.1f} kt/yr",
              "export_ban": lambda d: "to " + (", ".join(d.get("destinations") or []) or "all"),
              "tariff": lambda d: f"{100 * d['rate']:.0f}% on " + (", ".join(d.get("origins") or []) or "all"),
              "subsidy": lambda d: f"{100 * d['rate']:.0f}% to {d['stage']}",
              "stockpile": lambda d: f"{d['tonnes']:,.0f} t {d['good']}",
              "price_floor": lambda d: f"{d['good']} at US${d['price']:,.1f}/kg",
              "recycling_mandate": lambda d: f"collect {100 * d['collection_rate']:.0f}%",
              "alliance_join": lambda d: d["alliance"], "alliance_leave": lambda d: d["alliance"]}
    try:
        extra = detail[kind](decision) if kind in detail else ""
    except (KeyError, TypeError, ValueError):
        extra = ""
    return f"{kind.replace('_', ' ')} {extra}".strip()
