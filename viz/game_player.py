"""The player's page: join with a code, read the role's briefing, watch its own dashboard and
send the round's decisions. Fits a phone: every block wraps to one column.

A session keeps only its own token; each decision is checked by the engine (the governance
seam) when submitted, and a refused one shows the engine's message.
"""

from __future__ import annotations

import html

import solara

from marketsim import decisions
from marketsim.events import GOODS, STAGES
from marketsim.game import GameError, Room
from marketsim.governance import DecisionError
from marketsim.metrics import derive
from viz import charts
from viz.components import EXPLAIN, Chart, Drawing
from viz.game_facilitator import Feedback
from viz.game_state import (
    Seat,
    alliances,
    attempt,
    briefing,
    budget_left,
    find_room,
    game_server,
    holdings,
    observation,
    player_seat,
    problem,
    use_refresh,
)

CARD = {"margin": "4px", "flex": "1 1 300px", "min-width": "0"}
WRAP = {"flex-wrap": "wrap", "align-items": "stretch"}
ANY = "any (the smallest team)"


def Slider(label: str, value: int, on_value, low: int, high: int):
    """A slider with its label on its own line (a long label beside it leaves no room on a phone)."""
    solara.Text(f"{label}: {value}", style={"display": "block", "font-size": "13px", "color": "#555"})
    return solara.SliderInt("", value=value, on_value=on_value, min=low, max=high, thumb_label=False)


def client_key() -> str:
    """Who is asking, for the join-code rate limit: this browser session."""
    try:
        return solara.get_session_id()
    except Exception:
        return "local"


def price_history(room: Room, region: str, good: str) -> dict:
    """A government's price of a good against the world's, month by month."""
    with room.lock:
        model = room.state.model
        ticks = model.tick
        if not ticks:
            return charts.placeholder("Prices appear after the first round.", 240)
        raw = {name: values[:ticks] for name, values in model.recorder.raw.items()}
        price = derive(raw, model.china, model.recorder.reo_per_unit)["price"]
        dates = [model.date_of(t) for t in range(ticks)]
        k, r = GOODS.index(good), model.region_index[region]
    traces = [charts._line(dates, price[:, k, r], region, charts.OTHERS_BLUE),
              charts._line(dates, price[:, k, -1], "world", charts.GREY, dash="dash")]
    layout = {"height": 240, "margin": {"l": 50, "r": 10, "t": 10, "b": 30},
              "yaxis": {"title": {"text": f"{charts.GOOD_NAMES[good]}, US$/kg"}, "rangemode": "tozero"},
              "xaxis": {"type": "date", "tickformat": "%b %Y"},
              "legend": {"orientation": "h", "y": -0.25, "font": {"size": 10}}}
    return charts._figure(traces, layout)


@solara.component
def JoinForm(code: str = ""):
    """Join a room with its code and a name (and, optionally, the government wanted: taken or
    not, since several players may play one government as a team)."""
    typed, set_typed = solara.use_state(code)
    name, set_name = solara.use_state("")
    wanted, set_wanted = solara.use_state(ANY)
    key, set_key = solara.use_state("")
    message, set_message = solara.use_state(None)
    try:
        room = find_room(typed) if len(typed.strip()) >= 6 else None
    except GameError:
        room = None
    teams = {r["region"]: len(r["players"]) for r in room.roster()} if room is not None and room.is_open else {}

    def join():
        try:
            joined = game_server().join(typed, name, client_key(), None if wanted == ANY else wanted)
        except GameError as error:
            set_message((problem(error), False))
            return
        room_ = game_server().room(joined.room_id)
        player_seat.set(Seat(joined.room_id, room_.join_code, joined.token, joined.region))

    def rejoin():
        try:
            room_ = find_room(typed)
            view = room_.player_view(key.strip())
        except GameError as error:
            set_message((problem(error), False))
            return
        player_seat.set(Seat(room_.id, room_.join_code, key.strip(), view["region"]))

    with solara.Card("Join the game", classes=["join-form"], style={"max-width": "560px"}):
        solara.InputText("Join code", value=typed, on_value=set_typed, continuous_update=True)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        if teams:
            solara.Select("Government (optional; a taken one makes you a team)", values=[ANY, *teams],
                          value=wanted, on_value=set_wanted)
            solara.Text("Players now: " + ", ".join(f"{r} {n}" for r, n in teams.items()), style=EXPLAIN,
                        classes=["team-sizes"])
        solara.Button("Join", on_click=join, color="primary", block=True)
        Feedback(message)
        with solara.Details("Already joined? Rejoin with your key"):
            solara.InputText("Your key", value=key, on_value=set_key, password=True, continuous_update=True)
            solara.Button("Rejoin", on_click=rejoin, outlined=True)


@solara.component
def Briefing(room: Room, region: str, tick: tuple, date: str):
    """The role's briefing, generated from what the government observes."""
    paragraphs = solara.use_memo(
        lambda: briefing(region, observation(room, region), holdings(room, region), list(room.state.seats),
                         budget_left(room, region), date),
        [room.id, region, tick])
    with solara.Card("Your briefing", classes=["briefing"], style=CARD):
        for text in paragraphs:
            solara.Text(text, style={"display": "block", "margin": "0 0 6px 0"})


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    top = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table class='own-table'><thead><tr>{top}</tr></thead><tbody>{cells}</tbody></table>"


@solara.component
def OwnDashboard(room: Room, region: str, tick: int):
    """The government's own numbers: prices against the world, dependency, stockpile, budget, allies."""
    obs = solara.use_memo(lambda: observation(room, region), [room.id, region, tick])
    good, set_good = solara.use_state("ndpr")
    figure = solara.use_memo(lambda: price_history(room, region, good), [room.id, region, good, tick])
    if obs is None:
        with solara.Card("Your dashboard", classes=["own-dashboard"], style=CARD):
            solara.Text("Your prices, dependency and stockpile appear here after the first round.", style=EXPLAIN)
        return
    prices = [(charts.GOOD_NAMES[g], f"{obs.price[g]:,.1f}", f"{obs.world_price[g]:,.1f}") for g in GOODS]
    stock = [(charts.GOOD_NAMES[g], f"{obs.stockpile[g]:,.0f}") for g in GOODS if obs.stockpile[g] > 0]
    budget = "no fixed limit" if obs.budget_left is None else f"US${obs.budget_left:,.0f} m left this year"
    with solara.Card("Your dashboard", classes=["own-dashboard"], style=CARD):
        solara.Text(f"Averages over the last round, to {obs.date}. Budget: {budget}.", style=EXPLAIN)
        solara.HTML(tag="div", unsafe_innerHTML=_table(prices, ("good", "your price", "world")),
                    style={"font-size": "13px"}, classes=["own-prices"])
        depend = [(stage, f"{100 * obs.dependency[stage]:.0f}%", f"{100 * obs.china_share[stage]:.0f}%")
                  for stage in STAGES]
        solara.HTML(tag="div", unsafe_innerHTML=_table(depend, ("stage", "your dependency on China",
                                                                  "China's world share")),
                    style={"font-size": "13px", "margin-top": "6px"}, classes=["own-dependency"])
        solara.Text("Stockpile: " + (", ".join(f"{g} {t} t" for g, t in stock) if stock else "none") +
                    f" · unmet need {100 * obs.unmet_share:.0f}%", style={**EXPLAIN, "display": "block"})
        solara.Text("Allies: " + (", ".join(obs.allies) or "none") +
                    (" · disputes with " + ", ".join(obs.disputes) if obs.disputes else ""),
                    style={**EXPLAIN, "display": "block"})
        solara.ToggleButtonsSingle(good, on_value=set_good, values=["ndpr", "dytb", "magnet"], dense=True)
        Chart(Drawing((room.id, region, good, tick), figure), "own_prices")


@solara.component
def DecisionForm(room: Room, seat: Seat, round_: int, date: str, queued: list, held: dict[str, int],
                 queued_by: str | None = None):
    """The round's decisions: add levers to a list, then submit the list (empty: no change). Any
    member of a team may submit; the latest submission replaces the team's queue."""
    region = seat.region
    draft, set_draft = solara.use_state((round_, []))
    items = draft[1] if draft[0] == round_ else []
    message, set_message = solara.use_state(None)
    quota, set_quota = solara.use_state(10.0)
    ban_to, set_ban_to = solara.use_state("all")
    rate, set_rate = solara.use_state(25)
    origin, set_origin = solara.use_state("china")
    stage, set_stage = solara.use_state("separation")
    subsidy, set_subsidy = solara.use_state(20)
    good, set_good = solara.use_state("ndpr")
    tonnes, set_tonnes = solara.use_state(500.0)
    floor_good, set_floor_good = solara.use_state("ndpr")
    floor, set_floor = solara.use_state(60.0)
    collect, set_collect = solara.use_state(30)
    groups = alliances(room)
    group, set_group = solara.use_state(next(iter(groups), ""))
    others = [r for r in room.state.model.regions if r != region]

    def add(decision):
        def handler():
            set_draft((round_, [*items, decision]))
            set_message(None)
        return handler

    def remove(index):
        set_draft((round_, [d for k, d in enumerate(items) if k != index]))

    def submit():
        try:
            room.submit(seat.token, list(items), region=region)
        except (GameError, DecisionError) as error:
            set_message((problem(error), False))
            return
        count = f"{len(items)} decision{'s' if len(items) != 1 else ''}" if items else "no change"
        set_message((f"Submitted for round {round_ + 1}: {count}. You may change it until the round is played.",
                     True))

    with solara.Card(f"Your decisions for round {round_ + 1}", classes=["decision-form"], style=CARD):
        solara.Text("Add levers to the list, then submit it. Each is checked; one your government cannot make is "
                    "refused with the reason.", style=EXPLAIN)
        with solara.Row(style=WRAP):
            if held["mines"] or held["separation plants"]:
                with solara.Column(classes=["lever", "lever-export"], style=CARD):
                    solara.InputFloat("Export quota, kt REO/yr", value=quota, on_value=set_quota,
                                      continuous_update=True)
                    solara.Button("Add export quota", small=True, on_click=add(
                        decisions.export_quota(region, date, quota * 1000.0)))
                    solara.Select("Ban exports to", values=["all", *others], value=ban_to, on_value=set_ban_to)
                    solara.Button("Add export ban", small=True, on_click=add(
                        {"type": "export_ban", "region": region, "start": date,
                         "destinations": [] if ban_to == "all" else [ban_to]}))
            with solara.Column(classes=["lever", "lever-tariff"], style=CARD):
                Slider("Tariff on imports, %", rate, set_rate, 0, 100)
                solara.Select("Tariff on imports from", values=["all", *others], value=origin, on_value=set_origin)
                solara.Button("Add tariff", small=True, on_click=add(
                    decisions.tariff(region, date, rate / 100.0, () if origin == "all" else (origin,))))
            with solara.Column(classes=["lever", "lever-subsidy"], style=CARD):
                solara.Select("Subsidy to stage", values=list(STAGES), value=stage, on_value=set_stage)
                Slider("Subsidy, % of unit cost", subsidy, set_subsidy, 0, 90)
                solara.Button("Add subsidy", small=True, on_click=add(
                    decisions.subsidy(region, date, stage, subsidy / 100.0)))
            with solara.Column(classes=["lever", "lever-stockpile"], style=CARD):
                solara.Select("Stockpile good", values=["ndpr", "dytb", "magnet"], value=good, on_value=set_good)
                solara.InputFloat("Tonnes over 12 months (negative releases)", value=tonnes, on_value=set_tonnes,
                                  continuous_update=True)
                solara.Button("Add stockpile order", small=True, on_click=add(
                    decisions.stockpile(region, date, good, tonnes)))
            with solara.Column(classes=["lever", "lever-floor"], style=CARD):
                solara.Select("Price floor good", values=list(GOODS), value=floor_good, on_value=set_floor_good)
                solara.InputFloat("Price floor, US$/kg", value=floor, on_value=set_floor, continuous_update=True)
                solara.Button("Add price floor", small=True, on_click=add(
                    {"type": "price_floor", "region": region, "start": date, "good": floor_good,
                     "price": float(floor)}))
            with solara.Column(classes=["lever", "lever-recycling"], style=CARD):
                Slider("Recycling mandate: collect % of end-of-life magnets", collect, set_collect, 0, 100)
                solara.Button("Add recycling mandate", small=True, on_click=add(
                    {"type": "recycling_mandate", "region": region, "start": date,
                     "collection_rate": collect / 100.0}))
            if groups:
                with solara.Column(classes=["lever", "lever-alliance"], style=CARD):
                    members = groups.get(group, [])
                    solara.Select("Alliance", values=list(groups), value=group or None, on_value=set_group)
                    solara.Text("Members: " + ", ".join(members), style=EXPLAIN)
                    with solara.Row():
                        solara.Button("Ask to join", small=True, disabled=region in members,
                                      on_click=add(decisions.alliance(region, date, group, True)))
                        solara.Button("Leave", small=True, disabled=region not in members,
                                      on_click=add(decisions.alliance(region, date, group, False)))
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


NEW_ALLIANCE = "a new alliance"


@solara.component
def Offers(room: Room, seat: Seat, offers: dict[str, list[dict]], round_: int):
    """Invitations into alliances: incoming ones to accept or decline, and a form to invite
    another government played by people into an alliance of yours or a new one. An accepted
    invitation takes effect when the next round is played."""
    region = seat.region
    message, set_message = solara.use_state(None)
    mine = [name for name, members in alliances(room).items() if region in members]
    others = [r for r in room.state.seats if r != region]
    to, set_to = solara.use_state(others[0] if others else "")
    group, set_group = solara.use_state(mine[0] if mine else NEW_ALLIANCE)
    name, set_name = solara.use_state("")

    def act(call, done: str):
        attempt(call, done, set_message)

    def invite():
        act(lambda: room.propose(seat.token, to, name if group == NEW_ALLIANCE else group),
            f"Invitation sent to {to}.")

    with solara.Card("Alliance offers", classes=["offers"], style=CARD):
        pending = [o for o in offers["incoming"] if o["status"] == "pending"]
        for offer in pending:
            what = "a new alliance" if offer["new"] else "the alliance"
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["offer-incoming"]):
                solara.Text(f"{offer['from'].upper()} invites you into {what} {offer['alliance']}.")
                solara.Button("Accept", small=True, color="primary", on_click=lambda o=offer: act(
                    lambda: room.answer(seat.token, o["id"], True), "Accepted: you join when the round is played."))
                solara.Button("Decline", small=True, outlined=True, on_click=lambda o=offer: act(
                    lambda: room.answer(seat.token, o["id"], False), "Declined."))
        answered = [o for o in [*offers["incoming"], *offers["outgoing"]] if o not in pending]
        if answered:
            solara.Text("; ".join(f"{o['from']} → {o['to']}: {o['alliance']} ({o['status']})" for o in answered),
                        style=EXPLAIN, classes=["offer-history"])
        if others:
            solara.Select("Invite government", values=others, value=to, on_value=set_to)
            solara.Select("Into", values=[*mine, NEW_ALLIANCE], value=group, on_value=set_group)
            if group == NEW_ALLIANCE:
                solara.InputText("New alliance name", value=name, on_value=set_name, continuous_update=True)
            solara.Button("Send invitation", on_click=invite, outlined=True)
        Feedback(message)


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


@solara.component
def PlayerView(seat: Seat):
    """A seated player's page: status, messages, briefing, own dashboard, decisions."""
    room = solara.use_memo(lambda: game_server().room(seat.room_id), [seat.room_id])

    def heartbeat():
        try:
            room.heartbeat(seat.token)
        except GameError:
            pass

    use_refresh(on_tick=heartbeat, room=room, public=True)
    # Every hook before the early return below (a revoked seat): hooks must not be conditional.
    held = solara.use_memo(lambda: holdings(room, seat.region), [room.id, seat.region])
    try:
        view = room.player_view(seat.token)
    except GameError as error:
        solara.Error(f"{problem(error)}: the facilitator may have handed your seat to the AI.",
                     classes=["game-error"])
        solara.Button("Join again", on_click=lambda: player_seat.set(None))
        return
    left = view["time_left"]
    clock = "" if left is None else f" · {int(left) // 60}:{int(left) % 60:02d} left"
    phase = {"lobby": "waiting for the facilitator to start", "deciding": "decide now",
             "finished": "game over"}[view["phase"]]
    if view["paused"]:
        phase = "paused by the facilitator"
    solara.Text(f"{seat.region.upper()} · round {view['round'] + 1} · {view['date']} · {phase}{clock}",
                classes=["player-status"], style={"font-weight": "600", "font-size": "17px"})
    if len(view.get("team", [])) > 1:
        solara.Text("Your team: " + ", ".join(view["team"]) + ". Any of you may submit; the latest submission "
                    "counts.", classes=["player-team"], style=EXPLAIN)
    for note in view["messages"][-2:]:
        solara.Info(f"Facilitator: {note.get('text', '')}", dense=True, classes=["broadcast"])
    tick = view["tick"]
    key = (tick, view["round"])
    with solara.Row(style=WRAP):
        Briefing(room, seat.region, key, view["date"])
        OwnDashboard(room, seat.region, key)
    if view["phase"] == "deciding":
        DecisionForm(room, seat, view["round"], view["date"], view["queued"], held, view.get("queued_by"))
    if view["phase"] != "finished":
        Offers(room, seat, view["offers"], view["round"])
    with solara.Details("Your key (to rejoin if you close this page)"):
        solara.Text(seat.token, classes=["player-key"], style={"font-family": "monospace", "word-break": "break-all"})
    solara.Text(f"Months played: {tick} of {view['months']}.", style=EXPLAIN)


@solara.component
def PlayerPage(code: str = ""):
    """The ``/join`` page: the join form until this session has a seat, then the player's view."""
    seat = player_seat.value
    if seat is None:
        JoinForm(code)
    else:
        PlayerView(seat)
