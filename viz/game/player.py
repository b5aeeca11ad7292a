"""The player's page: join with a code, read the role's briefing, watch its own dashboard and
send the round's decisions. Fits a phone: every block wraps to one column.

A session keeps only its own token; each decision is checked by the engine (the governance
seam) when submitted, and a refused one shows the engine's message.
"""

from __future__ import annotations

import html

import solara

from marketsim.game import GameError, Room
from marketsim.vocabulary import GOODS, STAGES
from viz import charts
from viz.dashboard.components import EXPLAIN, Chart, Drawing
from viz.game.countdown import Countdown
from viz.game.decisions import CARD, WRAP, DecisionForm
from viz.game.facilitator import Feedback
from viz.game.state import (
    Seat,
    attempt,
    briefing,
    game_server,
    open_room,
    player_seat,
    problem,
    room_by_key,
    use_refresh,
)
from viz.tables import text_table

ANY = "any (the smallest team)"


def price_history(room: Room, region: str, good: str) -> dict:
    """A government's price of a good against the world's, month by month."""
    history = room.price_table()
    if history is None:
        return charts.placeholder("Prices appear after the first round.", 240)
    dates, price, region_index = history
    return charts.own_price_figure(dates, price, region_index[region], region, good)


@solara.component
def JoinForm(code: str = ""):
    """Join a room with its code and a name (and, optionally, the government wanted: taken or
    not, since several players may play one government as a team)."""
    typed, set_typed = solara.use_state(code)
    name, set_name = solara.use_state("")
    wanted, set_wanted = solara.use_state(ANY)
    key, set_key = solara.use_state("")
    message, set_message = solara.use_state(None)
    # One lookup per code typed (the join link fills it in): it counts against the wrong-code
    # limits once, and joining then uses the room found instead of looking it up again.
    room, lookup_error = solara.use_memo(lambda: open_room(typed), [typed])
    teams = {r["region"]: len(r["players"]) for r in room.roster()} if room is not None and room.is_open else {}

    def join():
        if room is None:
            set_message((lookup_error or "Type the 6-character join code shown by your teacher.", False))
            return
        try:
            player, token = room.join(name, None if wanted == ANY else wanted)
        except GameError as error:
            set_message((problem(error), False))
            return
        player_seat.set(Seat(room.id, room.join_code, token, player.region))

    def rejoin():
        try:
            room_, view = room_by_key(typed, key, facilitator=False)
        except GameError as error:
            set_message((problem(error), False))
            return
        player_seat.set(Seat(room_.id, room_.join_code, key.strip(), view["region"]))

    with solara.Card("Join the game", classes=["join-form"], style={"max-width": "560px"}):
        solara.InputText("Join code", value=typed, on_value=set_typed, continuous_update=True)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        if teams:
            solara.Select(
                "Government (optional; a taken one makes you a team)",
                values=[ANY, *teams],
                value=wanted,
                on_value=set_wanted,
            )
            solara.Text(
                "Players now: " + ", ".join(f"{r} {n}" for r, n in teams.items()), style=EXPLAIN, classes=["team-sizes"]
            )
        solara.Button("Join", on_click=join, color="primary", block=True)
        Feedback(message)
        with solara.Details("Already joined? Rejoin with your key"):
            solara.InputText("Your key", value=key, on_value=set_key, password=True, continuous_update=True)
            solara.Button("Rejoin", on_click=rejoin, outlined=True)


@solara.component
def Briefing(room: Room, region: str, tick: tuple, date: str):
    """The role's briefing, generated from what the government observes."""
    paragraphs = solara.use_memo(
        lambda: briefing(
            region,
            room.observation(region),
            room.holdings(region),
            list(room.setup().seats),
            room.budget_left(region),
            date,
            bool(room.setup().projects),
        ),
        [room.id, region, tick],
    )
    with solara.Card("Your briefing", classes=["briefing"], style=CARD):
        # One element for the whole text: a new round then updates one widget, not one a paragraph.
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(f"<p>{html.escape(text)}</p>" for text in paragraphs),
            classes=["briefing-text"],
        )


def own_numbers(obs) -> str:
    """A government's numbers of the last round as HTML: prices against the world, dependency,
    stockpile, unmet need, budget, allies (a line to wait for before the first round)."""
    if obs is None:
        return "<p>Your prices, dependency and stockpile appear here after the first round.</p>"
    prices = [(charts.GOOD_NAMES[g], f"{obs.price[g]:,.1f}", f"{obs.world_price[g]:,.1f}") for g in GOODS]
    stock = [(charts.GOOD_NAMES[g], f"{obs.stockpile[g]:,.0f}") for g in GOODS if obs.stockpile[g] > 0]
    budget = "no fixed limit" if obs.budget_left is None else f"US${obs.budget_left:,.0f} m left this year"
    depend = [
        (stage, f"{100 * obs.dependency[stage]:.0f}%", f"{100 * obs.china_share[stage]:.0f}%") for stage in STAGES
    ]
    stocks = ", ".join(f"{g} {t} t" for g, t in stock) if stock else "none"
    allies = ", ".join(obs.allies) or "none"
    disputes = " · disputes with " + ", ".join(obs.disputes) if obs.disputes else ""
    price_table_html = text_table(prices, ("good", "your price", "world"), "own-table")
    depend_table_html = text_table(depend, ("stage", "your dependency on China", "China's world share"), "own-table")
    summary = f"Averages over the last round, to {obs.date}. Budget: {budget}."
    stocks_line = f"Stockpile: {stocks} · unmet need {100 * obs.unmet_share:.0f}%"
    return "".join(
        [
            f"<p>{html.escape(summary)}</p>",
            f"<div class='own-prices'>{price_table_html}</div>",
            f"<div class='own-dependency' style='margin-top: 6px'>{depend_table_html}</div>",
            f"<p>{html.escape(stocks_line)}</p>",
            f"<p>{html.escape(f'Allies: {allies}{disputes}')}</p>",
        ]
    )


@solara.component
def OwnDashboard(room: Room, region: str, tick: int):
    """The government's own numbers and its price chart. The same widgets before and after the
    first round (only their contents change), so no page builds new ones when the whole class
    gets its first round at once; the empty chart also loads plotly.js at join."""
    obs = solara.use_memo(lambda: room.observation(region), [room.id, region, tick])
    good, set_good = solara.use_state("ndpr")
    figure = solara.use_memo(lambda: price_history(room, region, good), [room.id, region, good, tick])
    with solara.Card("Your dashboard", classes=["own-dashboard"], style=CARD):
        # One element for the numbers: a new round updates one widget, not seven.
        solara.HTML(tag="div", unsafe_innerHTML=own_numbers(obs), classes=["own-numbers"])
        solara.ToggleButtonsSingle(good, on_value=set_good, values=["ndpr", "dytb", "magnet"], dense=True)
        Chart(Drawing((room.id, region, good, tick), figure), "own_prices")


NEW_ALLIANCE = "a new alliance"


@solara.component
def Offers(room: Room, seat: Seat, offers: dict[str, list[dict]], groups: dict[str, list[str]]):
    """Invitations into alliances: incoming ones to accept or decline, and a form to invite
    another government played by people into an alliance of yours or a new one (``groups``: the
    alliances now, with their members). An accepted invitation takes effect when the next round
    is played. Redrawn only when the offers or the alliances change."""
    region = seat.region
    message, set_message = solara.use_state(None)
    mine = [name for name, members in groups.items() if region in members]
    others = [r for r in room.setup().seats if r != region]
    to, set_to = solara.use_state(others[0] if others else "")
    group, set_group = solara.use_state(mine[0] if mine else NEW_ALLIANCE)
    name, set_name = solara.use_state("")

    def act(call, done: str):
        attempt(call, done, set_message)

    def invite():
        act(lambda: room.propose(seat.token, to, name if group == NEW_ALLIANCE else group), f"Invitation sent to {to}.")

    with solara.Card("Alliance offers", classes=["offers"], style=CARD):
        pending = [o for o in offers["incoming"] if o["status"] == "pending"]
        for offer in pending:
            what = "a new alliance" if offer["new"] else "the alliance"
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["offer-incoming"]):
                solara.Text(f"{offer['from'].upper()} invites you into {what} {offer['alliance']}.")
                solara.Button(
                    "Accept",
                    small=True,
                    color="primary",
                    on_click=lambda o=offer: act(
                        lambda: room.answer(seat.token, o["id"], True), "Accepted: you join when the round is played."
                    ),
                )
                solara.Button(
                    "Decline",
                    small=True,
                    outlined=True,
                    on_click=lambda o=offer: act(lambda: room.answer(seat.token, o["id"], False), "Declined."),
                )
        answered = [o for o in [*offers["incoming"], *offers["outgoing"]] if o not in pending]
        if answered:
            solara.Text(
                "; ".join(f"{o['from']} → {o['to']}: {o['alliance']} ({o['status']})" for o in answered),
                style=EXPLAIN,
                classes=["offer-history"],
            )
        if others:
            solara.Select("Invite government", values=others, value=to, on_value=set_to)
            solara.Select("Into", values=[*mine, NEW_ALLIANCE], value=group, on_value=set_group)
            if group == NEW_ALLIANCE:
                solara.InputText("New alliance name", value=name, on_value=set_name, continuous_update=True)
            solara.Button("Send invitation", on_click=invite, outlined=True)
        Feedback(message)


@solara.component
def Clock(seconds_left: float | None, running: bool, stamp: int):
    """The decision clock, counting down in the browser (see :mod:`viz.game.countdown`)."""
    return Countdown.element(seconds_left=seconds_left, running=running, stamp=stamp, _dom_classes=["player-clock"])


@solara.component
def PlayerView(seat: Seat):
    """A seated player's page: status, messages, briefing, own dashboard, decisions."""
    room = solara.use_memo(lambda: game_server().room(seat.room_id), [seat.room_id])

    def heartbeat():
        try:
            room.heartbeat(seat.token)
        except GameError:
            pass

    wakes = use_refresh(on_tick=heartbeat, room=room, clock=False, watch=lambda: room.seat_signature(seat.region))
    # Every hook before the early return below (a revoked seat): hooks must not be conditional.
    held = solara.use_memo(lambda: room.holdings(seat.region), [room.id, seat.region])
    try:
        view = room.player_view(seat.token)
    except GameError as error:
        solara.Error(f"{problem(error)}: the facilitator may have handed your seat to the AI.", classes=["game-error"])
        solara.Button("Join again", on_click=lambda: player_seat.set(None))
        return
    phase = {"lobby": "waiting for the facilitator to start", "deciding": "decide now", "finished": "game over"}[
        view["phase"]
    ]
    if view["paused"]:
        phase = "paused by the facilitator"
    # Explicit keys: a team line or a message appearing above must not make the blocks below
    # count as new (that would build all their widgets again on every page).
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap", "gap": "0"}).key("status"):
        solara.Text(
            f"{seat.region.upper()} · round {view['round'] + 1} · {view['date']} · {phase}",
            classes=["player-status"],
            style={"font-weight": "600", "font-size": "17px"},
        )
        Clock(view["time_left"], view["phase"] == "deciding" and not view["paused"], wakes)
    if len(view.get("team", [])) > 1:
        solara.Text(
            "Your team: " + ", ".join(view["team"]) + ". Any of you may submit; the latest submission counts.",
            classes=["player-team"],
            style=EXPLAIN,
        )
    for note in view["messages"][-2:]:
        solara.Info(f"Facilitator: {note.get('text', '')}", dense=True, classes=["broadcast"])
    tick = view["tick"]
    key = (tick, view["round"])
    groups = room.alliances()
    with solara.Row(style=WRAP).key("dashboards"):
        Briefing(room, seat.region, key, view["date"])
        OwnDashboard(room, seat.region, key)
    if view["phase"] == "deciding":
        DecisionForm(room, seat, view["round"], view["date"], view["queued"], held, groups, view.get("queued_by")).key(
            "decisions"
        )
    if view["phase"] != "finished":
        Offers(room, seat, view["offers"], groups).key("offers")
    with solara.Details("Your key (to rejoin if you close this page)").key("key"):
        solara.Text(seat.token, classes=["player-key"], style={"font-family": "monospace", "word-break": "break-all"})
    solara.Text(f"Months played: {tick} of {view['months']}.", style=EXPLAIN).key("months")


@solara.component
def PlayerPage(code: str = ""):
    """The ``/join`` page: the join form until this session has a seat, then the player's view."""
    seat = player_seat.value
    if seat is None:
        JoinForm(code)
    else:
        PlayerView(seat)
