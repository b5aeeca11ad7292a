"""The facilitator's console: the room's controls, roster, shocks, requests and world charts.

Declarative views over :mod:`marketsim.game`; every button calls the engine with this session's
facilitator token and shows the engine's message when it refuses.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara
import solara.lab

from marketsim.game import GameError, Room
from marketsim.game import shocks as menu
from viz import charts
from viz.dashboard.components import EXPLAIN, Chart, Drawing
from viz.game.debrief import DebriefView
from viz.game.files import GameFileDownload
from viz.game.state import (
    REFRESH_SECONDS,
    Seat,
    attempt,
    game_server,
    join_link,
    only_this_machine,
    use_refresh,
)

STATUS_COLOURS = {"submitted": "#1e8449", "thinking": "#b9770e", "disconnected": "#c0392b", "ai": "#7f8c8d"}


@solara.component
def Feedback(message: tuple[str, bool] | None):
    """The last result of an action: (text, ok)."""
    if message is None:
        return
    text, ok = message
    if ok:
        solara.Success(text, dense=True, classes=["game-message"])
    else:
        solara.Error(text, dense=True, classes=["game-message", "game-error"])


@solara.component
def JoinBanner(code: str):
    """The join code and link for the teacher, small (the class reads them on the projector view),
    with the projector view's link and a warning when phones cannot reach this address."""
    link = join_link(code)
    with solara.Row(classes=["join-banner"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text("Join code", style={"font-size": "16px"})
        solara.Text(code, classes=["join-code"], style={"font-size": "22px", "letter-spacing": "0.05em"})
        solara.Text(link, classes=["join-link"], style={"font-size": "14px", "text-align": "left"})
        solara.Button(
            "Open the projector view",
            href=f"/projector?room={code}",
            target="_blank",
            outlined=True,
            small=True,
            classes=["projector-link"],
        )
    if only_this_machine(link):
        solara.Warning(
            "Only this computer can join: phones cannot open a 127.0.0.1 address. Stop the game and start it "
            "with: marketsim game --lan",
            dense=True,
            classes=["lan-warning"],
        )


@solara.component
def Requests(room: Room, seat: Seat, waiting: list[dict], act: Callable):
    """Joins waiting for approval (``waiting``: :meth:`Room.requests`): a second join to a taken
    government, or a name already playing (the same student on a new device: admitting moves their
    seat; or an impostor: refuse)."""
    if not waiting:
        return
    with solara.Card("Waiting to join", style={"margin": "4px 0"}, classes=["join-requests"]):
        for request in waiting:
            if request["same_as"]:
                what = f"{request['name']} asks to rejoin {request['region']} on another device (or is an impostor)"
            else:
                what = f"{request['name']} asks to join {request['region']}, played by {', '.join(request['team'])}"
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["join-request"]):
                solara.Text(what)
                solara.Button(
                    "Admit",
                    small=True,
                    color="primary",
                    on_click=act(lambda r=request["id"]: room.approve(seat.token, r), f"{request['name']} admitted."),
                )
                solara.Button(
                    "Refuse",
                    small=True,
                    outlined=True,
                    on_click=act(lambda r=request["id"]: room.approve(seat.token, r, admit=False), "Refused."),
                )


def member_text(players: list[dict]) -> str:
    """A team's members with their own status, e.g. ``Ann (submitted), Ben (thinking)``."""
    return ", ".join(f"{p['name']} ({p['status']})" for p in players) or "(empty seat)"


@solara.component
def Roster(room: Room, seat: Seat, rows: list[dict], act: Callable):
    """Each seat: government, status, its players (a team) with theirs, a button to hand the
    seat (every member) to the AI and, for a team, one to take out a single member (the seat
    plays on with the others)."""
    with solara.Column(classes=["roster"], gap="2px"):
        for row in rows:
            colour = STATUS_COLOURS[row["status"]]
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["roster-row"]):
                solara.Text(row["region"], style={"font-weight": "600", "min-width": "90px"})
                solara.Text(
                    row["status"],
                    classes=["roster-status"],
                    style={"color": colour, "font-weight": "600", "min-width": "100px"},
                )
                solara.Text(member_text(row["players"]), classes=["roster-players"], style={"min-width": "120px"})
                if row["player"]:
                    solara.Button(
                        "Replace by AI",
                        small=True,
                        outlined=True,
                        on_click=act(lambda r=row["region"]: room.replace_with_ai(seat.token, r)),
                    )
                if len(row["players"]) > 1:
                    for member in row["players"]:
                        solara.Button(
                            f"Take out {member['name']}",
                            small=True,
                            text=True,
                            classes=["take-out"],
                            on_click=act(
                                lambda p=member["id"]: room.replace_with_ai(seat.token, p),
                                f"{member['name']} taken out; the team plays on.",
                            ),
                        )


@solara.component
def ShockMenu(room: Room, seat: Seat, act: Callable):
    """Inject a shock from the menu before this round's months run."""
    setup = room.setup()
    regions, sectors = list(setup.regions), list(setup.sectors)
    kind, set_kind = solara.use_state("mine_disruption")
    region, set_region = solara.use_state("china" if "china" in regions else regions[0])
    target, set_target = solara.use_state("usa" if "usa" in regions else regions[-1])
    sector, set_sector = solara.use_state(sectors[0])
    size, set_size = solara.use_state(0.5)
    months, set_months = solara.use_state(6)

    def shock():
        now = room.status()["date"]
        if kind == "dispute":
            return menu.dispute(now, region, target, months)
        if kind == "mine_disruption":
            return menu.mine_disruption(now, region, size, months)
        if kind == "demand_surge":
            return menu.demand_surge(now, sector, 1 + size, months)
        return menu.export_ban(now, region, (target,), months=months)

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}, classes=["shock-menu"]):
        solara.Select("Shock", values=list(menu.SHOCK_MENU), value=kind, on_value=set_kind)
        if kind == "demand_surge":
            solara.Select("Sector", values=sectors, value=sector, on_value=set_sector)
        else:
            solara.Select("Region", values=regions, value=region, on_value=set_region)
        if kind in ("dispute", "export_ban"):
            solara.Select("Against", values=regions, value=target, on_value=set_target)
        if kind in ("mine_disruption", "demand_surge"):
            with solara.Column(style={"min-width": "240px"}, gap="0px"):
                solara.Text(
                    f"Size: share of output lost, or of demand added: {size:.1f}",
                    style={"font-size": "13px", "color": "#555"},
                )
                solara.SliderFloat("", value=size, on_value=set_size, min=0.1, max=1.0, step=0.1, thumb_label=False)
        solara.InputInt("Months", value=months, on_value=set_months, continuous_update=True)
        solara.Button(
            "Inject shock",
            on_click=act(lambda: room.inject_shock(seat.token, shock()), "Shock injected."),
            color="warning",
        )


def shock_text(round_: int, event: dict) -> str:
    """An injected shock in a few words, e.g. ``round 1: mine disruption in china (50%), 2024-01 to 2024-07``."""
    kind = str(event.get("type", "?")).replace("_", " ")
    where = event.get("region") or event.get("sector") or ""
    detail = {
        "mine_disruption": lambda e: f" ({100 * float(e['share']):.0f}% of output)",
        "demand_surge": lambda e: f" (demand x{float(e['factor']):.1f})",
        "dispute": lambda e: f" against {e['target']}",
        "export_ban": lambda e: " to " + (", ".join(e.get("destinations") or []) or "all"),
    }
    try:
        extra = detail[event.get("type")](event) if event.get("type") in detail else ""
    except (KeyError, TypeError, ValueError):
        extra = ""
    return (
        f"round {round_ + 1}: {kind}"
        + (f" in {where}" if where else "")
        + extra
        + f", {event.get('start', '?')} to {event.get('end', '?')}"
    )


def offer_text(offer: dict) -> str:
    """An alliance offer in a few words, e.g. ``china → usa: pact (new alliance, round 1, pending)``."""
    new = "new alliance, " if offer["new"] else ""
    return f"{offer['from']} → {offer['to']}: {offer['alliance']} ({new}round {offer['round'] + 1}, {offer['status']})"


@solara.component
def Console(seat: Seat):
    """The facilitator's console of a room: run the rounds, watch the players, debrief."""
    room = solara.use_memo(lambda: game_server().room(seat.room_id), [seat.room_id])
    auto = solara.use_reactive(False)

    def time_out():
        """Advance the round when its time has run out, if the facilitator asked for it."""
        if auto.value:
            now = room.status()
            if now["phase"] == "deciding" and now["time_left"] == 0 and not now["paused"]:
                try:
                    room.advance(seat.token)
                except GameError:
                    pass

    tick = use_refresh(on_tick=time_out, room=room)
    version, set_version = solara.use_state(0)
    message, set_message = solara.use_state(None)
    status = room.status()

    def act(call: Callable, done: str = "Done."):
        def handler():
            attempt(call, done, set_message)
            set_version(version + 1)

        return handler

    left = status["time_left"]
    clock = "no limit" if left is None else f"{int(left) // 60}:{int(left) % 60:02d} left"
    phase = "paused" if status["paused"] else status["phase"]
    JoinBanner(room.join_code)
    solara.Text(
        f"Room {room.join_code} · round {status['round'] + 1} · {phase} · {status['date']} · "
        f"month {status['tick']} of {status['months']} · {clock}",
        classes=["console-status"],
        style={"font-weight": "600", "font-size": "18px"},
    )
    Feedback(message)
    RoundControls(room, seat.token, status, act, auto)
    Requests(room, seat, room.requests(), act)
    with solara.Card("Players", style={"margin": "4px 0"}):
        Roster(room, seat, status["roster"], act)
    with solara.Card("Shocks and messages", style={"margin": "4px 0"}):
        ShockMenu(room, seat, act)
        Messages(room, seat.token, status["messages"], room.injected_shocks(), act)
    AllianceOffers(room.all_offers())
    # Drawn again when the world changes (a round, an undo, a shock), not at every submission.
    WorldCharts(room, (status["tick"], room.public_version))
    with solara.Card("Debrief", style={"margin": "4px 0"}, classes=["debrief"]):
        DebriefToggle(room, status["tick"] * 1000 + room.log_size())
    GameFileDownload(room, seat)
    with solara.Details("Facilitator token (to reopen this console later)"):
        solara.Text(
            f"Room code {room.join_code} · token {html.escape(seat.token)}",
            classes=["facilitator-token"],
            style={"font-family": "monospace", "word-break": "break-all"},
        )
    solara.Text(
        f"Updated every {REFRESH_SECONDS:.0f} s.",
        style={"color": "#aaa", "font-size": "11px"},
        classes=[f"refresh-{tick % 2}"],
    )


@solara.component
def RoundControls(room: Room, token: str, status: dict, act: Callable, auto: solara.Reactive[bool]):
    """Start, advance, pause or resume, extend and undo the round."""
    with solara.Row(style={"flex-wrap": "wrap"}, classes=["console-controls"]):
        if status["phase"] == "lobby":
            solara.Button("Start", color="primary", on_click=act(lambda: room.start(token), "Round 1 is open."))
        solara.Button(
            f"Advance {status['round_ticks']} months",
            color="primary",
            disabled=status["phase"] != "deciding",
            on_click=act(lambda: room.advance(token), "Round played."),
        )
        if status["paused"]:
            solara.Button("Resume", on_click=act(lambda: room.resume(token), "Resumed."))
        else:
            solara.Button(
                "Pause", disabled=status["phase"] != "deciding", on_click=act(lambda: room.pause(token), "Paused.")
            )
        solara.Button("Extend 60 s", on_click=act(lambda: room.extend(token, 60), "60 s more."), outlined=True)
        solara.Button(
            "Undo last round",
            on_click=act(lambda: room.undo(token), "Last round undone."),
            outlined=True,
            color="error",
        )
        solara.Checkbox(label="Advance when time runs out", value=auto)


@solara.component
def Messages(room: Room, token: str, sent: list[dict], shocks: list, act: Callable):
    """Broadcast a message to every player; the last ones sent and the shocks injected."""
    text, set_text = solara.use_state("")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.InputText("Message to every player", value=text, on_value=set_text, continuous_update=True)
        solara.Button("Broadcast", on_click=act(lambda: room.broadcast(token, text), "Message sent."))
    for note in sent[-3:]:
        solara.Text(f"Sent: {note.get('text', '')}", style=EXPLAIN)
    for round_, event in shocks:
        solara.Text(
            f"Shock: {shock_text(round_, event)}", style={**EXPLAIN, "display": "block"}, classes=["console-shock"]
        )


@solara.component
def AllianceOffers(offers: list[dict]):
    """Every alliance offer between governments and what became of it."""
    with solara.Card("Alliance offers", style={"margin": "4px 0"}, classes=["console-offers"]):
        if not offers:
            solara.Text("No alliance offers yet.", style=EXPLAIN)
        for offer in offers:
            solara.Text(
                offer_text(offer),
                style={**EXPLAIN, "display": "block"},
                classes=["console-offer", f"offer-{offer['status']}"],
            )


@solara.component
def DebriefToggle(room: Room, version: int):
    """The debrief, shown on request."""
    shown, set_shown = solara.use_state(False)
    if shown:
        solara.Button("Hide debrief", on_click=lambda: set_shown(False), outlined=True)
        DebriefView(room, version=version)
    else:
        solara.Button("Show debrief", on_click=lambda: set_shown(True), color="primary")


@solara.component
def WorldCharts(room: Room, key: tuple):
    """World prices and dependency so far (drawn again when ``key`` changes)."""

    def draw():
        world = room.world_so_far()
        view, span = world.view, world.span
        dependency = charts.dependency_figure(view, None)
        dependency["layout"].setdefault("legend", {})["y"] = -0.32  # below the axis title
        return charts.price_figure(view, None, "ndpr", span), dependency

    prices, dependency = solara.use_memo(draw, [room.id, key])
    with solara.Row(style={"flex-wrap": "wrap"}):
        with solara.Card(
            "NdPr oxide price, US$/kg",
            classes=["chart-card", "chart-world-prices"],
            style={"margin": "4px", "flex": "1 1 420px"},
        ):
            Chart(Drawing((room.id, *key), prices), "world_prices")
        with solara.Card(
            "Dependency on China, latest month",
            classes=["chart-card", "chart-world-dependency"],
            style={"margin": "4px", "flex": "1 1 420px"},
        ):
            Chart(Drawing((room.id, *key), dependency), "world_dependency")
