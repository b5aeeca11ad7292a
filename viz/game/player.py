"""The player's page: join with a code, read the role's briefing, watch its own dashboard and
send the round's decisions. Fits a phone: every block wraps to one column.

A session keeps only its own token; each decision is checked by the engine (the governance
seam) when submitted, and a refused one shows the engine's message.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Callable

import solara

from marketsim.game import GameError, Room
from marketsim.game.store import SeatRequest
from viz.dashboard.components import EXPLAIN
from viz.game.decisions import CARD, DecisionForm
from viz.game.facilitator import Feedback
from viz.game.live import LivePage, LiveStatus, PageState, Pane, StepButtons, page_state
from viz.game.memory import Memory, memory, remember
from viz.game.numbers import ReadingStep
from viz.game.state import (
    Seat,
    attempt,
    game_server,
    open_room,
    player_seat,
    problem,
    room_by_key,
    use_refresh,
)

ANY = "any (the smallest team)"


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
            seated, token = room.join(name, None if wanted == ANY else wanted)
        except GameError as error:
            set_message((problem(error), False))
            return
        take_seat(Seat(room.id, room.join_code, token, seated.region, held=isinstance(seated, SeatRequest)))

    def rejoin():
        try:
            room_, view = room_by_key(typed, key, facilitator=False)
        except GameError as error:
            set_message((problem(error), False))
            return
        take_seat(Seat(room_.id, room_.join_code, key.strip(), view["region"]))

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
        solara.Text(
            "This browser remembers your seat: if the page reloads or your phone sleeps, open the same link "
            "again. On another device, join with the same name: your teacher lets you back in.",
            style=EXPLAIN,
        )
        with solara.Details("Have a key? Rejoin with it"):
            solara.InputText("Your key", value=key, on_value=set_key, password=True, continuous_update=True)
            solara.Button("Rejoin", on_click=rejoin, outlined=True)


def take_seat(seat: Seat | None) -> None:
    """This session's seat, remembered by the browser (None: forget it)."""
    remember(seat=None if seat is None else {"room": seat.room_id, "code": seat.join_code, "token": seat.token})
    player_seat.set(seat)


def restore(stored: dict | None) -> Seat | None:
    """The seat the browser remembered, if the engine still knows its token (a reload, or a phone
    waking up): seated, or still waiting for the teacher."""
    if not isinstance(stored, dict) or not isinstance(stored.get("token"), str):
        return None
    try:
        room = game_server().room(str(stored.get("room")))
        status = room.request_status(stored["token"])
        if status == "admitted":
            return Seat(room.id, room.join_code, stored["token"], room.player_view(stored["token"])["region"])
    except GameError:
        return None
    if status == "waiting":
        return Seat(room.id, room.join_code, stored["token"], room.waiting_region(stored["token"]), held=True)
    return None


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

    inviting, set_inviting = solara.use_state(False)
    pending = [o for o in offers["incoming"] if o["status"] == "pending"]
    answered = [o for o in [*offers["incoming"], *offers["outgoing"]] if o not in pending]
    if not (pending or answered or inviting or message):
        # Nothing to answer: one button, so the "Decide" step stays one phone screen.
        if others:
            solara.Button(
                "Invite a government into an alliance",
                small=True,
                text=True,
                on_click=lambda: set_inviting(True),
                classes=["offers", "open-invite"],
            )
        return
    with solara.Card("Alliance offers", classes=["offers"], style={**CARD, "flex": "0 0 auto"}):
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
        if answered:
            solara.Text(
                "; ".join(f"{o['from']} → {o['to']}: {o['alliance']} ({o['status']})" for o in answered),
                style=EXPLAIN,
                classes=["offer-history"],
            )
        if others and not inviting:
            solara.Button(
                "Invite a government into an alliance",
                small=True,
                outlined=True,
                on_click=lambda: set_inviting(True),
                classes=["open-invite"],
            )
        elif others:
            solara.Select("Invite government", values=others, value=to, on_value=set_to)
            solara.Select("Into", values=[*mine, NEW_ALLIANCE], value=group, on_value=set_group)
            if group == NEW_ALLIANCE:
                solara.InputText("New alliance name", value=name, on_value=set_name, continuous_update=True)
            solara.Button("Send invitation", on_click=invite, outlined=True)
        Feedback(message)


redraws: collections.Counter[str] = collections.Counter()
"""How often each government's player pages have been drawn in this process (for tests: one
seat's change must not redraw the pages of other seats)."""


@solara.component
def News(items: tuple[tuple[str, str], ...]):
    """This round's shocks (as headlines) and the facilitator's messages."""
    with solara.Column(gap="2px"):
        for kind, text in items:
            if kind == "shock":
                solara.Warning(text, dense=True, icon="mdi-newspaper", classes=["news"])
            else:
                solara.Info(f"Facilitator: {text}", dense=True, classes=["broadcast"])


def use_live_page(room: Room, seat: Seat, live: LivePage) -> Callable[[tuple, int], PageState]:
    """The page's watcher (a hook): a heartbeat at every wake, and at a change of the seat's
    room, its values written into the page (:meth:`LivePage.update`) or the page drawn again.
    Returns how the page reads its state (given the step and chart asked for and a clock stamp)."""

    def heartbeat():
        try:
            room.heartbeat(seat.token)
        except GameError:
            pass

    def now(asked: tuple, stamp: int) -> PageState:
        return page_state(room, seat, *asked, stamp)

    use_refresh(
        on_tick=heartbeat,
        room=room,
        clock=False,
        watch=lambda: room.seat_signature(seat.region),
        take_turns=True,
        live=lambda: live.update(now),
    )
    return now


@solara.component
def PlayerView(seat: Seat):
    """A seated player's page: status and news, then one step at a time (briefing, my numbers,
    decide), each about one phone screen.

    Another seat's submission does not wake this page. A new round that leaves what its
    components draw as it was (see :mod:`viz.game.live`) draws nothing: the page's watcher writes
    the status line, the step buttons, the panes and the numbers into their widgets (also turning
    a page from its briefing or its decisions to its numbers). Otherwise (a new phase, team,
    news, the queue of a page deciding...) the page is drawn again."""
    room = solara.use_memo(lambda: game_server().room(seat.room_id), [seat.room_id])
    live = solara.use_memo(LivePage, [seat.token])
    chosen, choose = solara.use_state((None, 0))
    chart, set_chart = solara.use_state(False)
    opened = solara.use_ref(False)  # the decision form, drawn since first opened
    _, redraw = solara.use_state(0)
    now = use_live_page(room, seat, live)
    redraws[seat.region] += 1

    # The same function every round (it reads the round shown, drawn or written): the step
    # buttons need not redraw.
    pick = solara.use_memo(lambda: lambda name: choose((name, live.round)), [])
    try:
        state, error = page_state(room, seat, chosen, chart, live.stamp), None
    except GameError as gone:
        state, error = None, gone

    def drawn():
        if state is None:
            return
        live.drawn(state)  # after every draw: its values, and its shape as drawn
        if not live.catch_up(room.version, now):  # a round played while the page was drawn
            redraw(lambda count: count + 1)

    solara.use_effect(drawn)
    # Every hook before this early return (a revoked seat): hooks must not be conditional.
    if error is not None:
        solara.Error(f"{problem(error)}: the facilitator may have handed your seat to the AI.", classes=["game-error"])
        solara.Button("Join again", on_click=lambda: take_seat(None))
        return
    view, step = state.view, state.step
    # Explicit keys: a team line or a message above must not make the blocks below new ones.
    LiveStatus(live.attach).key("status")
    News(state.news).key("news")
    if len(view.get("team", [])) > 1:
        solara.Text(
            "Your team: " + ", ".join(view["team"]) + ". Any of you may submit; the latest submission counts.",
            style=EXPLAIN,
            classes=["player-team"],
        )
    StepButtons(step, pick, live.attach).key("steps")
    key = (view["tick"], view["round"])
    # Briefing and numbers: the same widgets, other values written; "Decide" built when first
    # opened, then kept (hidden): a new round turns any page to its numbers with no draw.
    with Pane("reading", step != "Decide", live.attach).key("pane-reading"):
        ReadingStep(room, seat.region, live.attach, chart, chart and step == "My numbers", set_chart, key)
    opened.current = opened.current or step == "Decide"
    if opened.current:
        with Pane("decide", step == "Decide", live.attach).key("pane-decide"):
            DecideStep(room, seat, view, state.held, state.groups)


@solara.component
def DecideStep(room: Room, seat: Seat, view: dict, held: dict[str, int], groups: dict[str, list[str]]):
    """The "Decide" step: the decision form and the alliance offers while the round is open."""
    if view["phase"] == "deciding":
        DecisionForm(room, seat, view["round"], view["date"], view["queued"], held, groups, view["queued_by"]).key(
            "decisions"
        )
        Offers(room, seat, view["offers"], groups).key("offers")
    else:
        solara.Info(
            "Decisions open when the teacher starts the round."
            if view["phase"] == "lobby"
            else "The game is over: look at the big screen for the debrief."
        )


@solara.component
def Waiting(seat: Seat):
    """A join held for the teacher: wait here (a reload comes back here too)."""
    room = solara.use_memo(lambda: game_server().room(seat.room_id), [seat.room_id])
    use_refresh(room=room, clock=True)
    status = room.request_status(seat.token)

    def admitted():
        if status == "admitted":
            take_seat(dataclasses.replace(seat, held=False))

    solara.use_effect(admitted, [status])
    if status in ("refused", "unknown"):
        solara.Error("Your teacher did not let you in. Ask them, or join under your own name.", classes=["game-error"])
        solara.Button("Join again", on_click=lambda: take_seat(None))
        return
    solara.Info(
        f"Waiting for your teacher to let you in ({(seat.region or '').upper()} is already taken, or your name is "
        "already playing). Keep this page open.",
        classes=["held-join"],
    )


@solara.component
def PlayerPage(code: str = ""):
    """The ``/join`` page: the join form until this browser has a seat (remembered across
    reloads), the wait for the teacher when the join was held, then the player's view."""
    Memory()
    remembered = (memory.value or {}).get("seat")
    seat = player_seat.value
    restored = solara.use_memo(
        lambda: restore(remembered) if seat is None else None, [json.dumps(remembered), seat is None]
    )

    def settle():
        if seat is None and restored is not None:
            player_seat.set(restored)
        elif seat is None and remembered and memory.value is not None and restored is None:
            remember(seat=None)  # a revoked, refused or unknown seat: forget it

    solara.use_effect(settle, [restored, seat is None])
    seat = seat or restored
    if memory.value is None and seat is None:
        solara.Text("Opening…", style=EXPLAIN)
    elif seat is None:
        JoinForm(code)
    elif seat.held:
        Waiting(seat)
    else:
        PlayerView(seat)
