"""The facilitator's home page: unlock with the password, create a room or open a game file,
resume a console; once a room is open, its console.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import solara
import solara.lab

from marketsim.game import GameError
from marketsim.scenario.loading import ScenarioError, complete_text, load_scenario
from viz.dashboard.components import EXPLAIN
from viz.dashboard.session import scenario_library
from viz.game.facilitator import Console, Feedback
from viz.game.files import OpenedNotice, OpenGameFile
from viz.game.memory import Memory, memory, remember
from viz.game.state import (
    Seat,
    facilitator_seat,
    game_server,
    may_administer,
    password_needed,
    problem,
    refused,
    room_by_key,
)

DEFAULT_SEATS = ("usa", "eu", "japan")


@solara.component
def CreateRoom(on_created: Callable[[Seat], None]):
    """Create a room from a library scenario."""
    library = list(scenario_library())
    name, set_name = solara.use_state("ai_world" if "ai_world" in library else library[0])
    seed, set_seed = solara.use_state("1")
    ticks, set_ticks = solara.use_state(3)
    limit, set_limit = solara.use_state(300)
    fallback, set_fallback = solara.use_state("ai")
    regions = solara.use_memo(lambda: list(load_scenario(scenario_library()[name]).regions), [name])
    chosen, set_chosen = solara.use_state([r for r in DEFAULT_SEATS if r in regions])
    message, set_message = solara.use_state(None)

    def create():
        try:
            text = complete_text(scenario_library()[name])
            seats = [r for r in regions if r in chosen]
            created = game_server().create_room(
                text,
                f"{name}.toml",
                seed=int(str(seed).strip().replace("_", "")),
                seats=seats,
                ticks_per_round=int(ticks),
                time_limit_s=float(limit),
                fallback=fallback,
            )
        except ValueError as error:  # GameError, ScenarioError and a malformed seed
            set_message(
                (
                    problem(error)
                    if isinstance(error, (GameError, ScenarioError))
                    else f"seed must be a whole number (got {seed!r})",
                    False,
                )
            )
            return
        on_created(Seat(created.room_id, created.join_code, created.facilitator_token))

    def toggle(region, on):
        set_chosen([r for r in regions if (r in chosen and r != region) or (r == region and on)])

    with solara.Card("Create a room", classes=["create-room"], style={"max-width": "900px"}):
        solara.Select("Scenario", values=library, value=name, on_value=set_name)
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.InputText("Seed", value=seed, on_value=set_seed, continuous_update=True)
            solara.InputInt("Months per round", value=ticks, on_value=set_ticks, continuous_update=True)
            solara.InputInt("Seconds to decide (0: no limit)", value=limit, on_value=set_limit, continuous_update=True)
            solara.Select("Empty seat", values=["ai", "no_change"], value=fallback, on_value=set_fallback)
        solara.Text("Governments played by people (the others follow the scenario's AI):", style=EXPLAIN)
        with solara.Row(style={"flex-wrap": "wrap"}, classes=["seat-choice"]):
            for region in regions:
                solara.Checkbox(
                    label=region, value=region in chosen, on_value=lambda on, region=region: toggle(region, on)
                )
        solara.Button("Create room", on_click=create, color="primary")
        Feedback(message)


@solara.component
def ResumeConsole(on_resumed: Callable[[Seat], None]):
    """Reopen a room's console with its code and the facilitator token."""
    code, set_code = solara.use_state("")
    token, set_token = solara.use_state("")
    message, set_message = solara.use_state(None)

    def resume():
        try:
            room, _ = room_by_key(code, token, facilitator=True)
        except GameError as error:
            set_message((problem(error), False))
            return
        on_resumed(Seat(room.id, room.join_code, token.strip()))

    with solara.Card("Resume a console", classes=["resume-console"], style={"max-width": "900px"}):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.InputText("Room code", value=code, on_value=set_code, continuous_update=True)
            solara.InputText(
                "Facilitator token", value=token, on_value=set_token, password=True, continuous_update=True
            )
        solara.Button("Resume console", on_click=resume, outlined=True)
        Feedback(message)


def open_console(seat: Seat | None) -> None:
    """This session's console, remembered by the browser so a reload comes back to it."""
    remember(console=None if seat is None else {"room": seat.room_id, "code": seat.join_code, "token": seat.token})
    facilitator_seat.set(seat)


def remembered_console() -> Seat | None:
    """The console this browser remembered, if its token still opens it."""
    stored = (memory.value or {}).get("console")
    if not isinstance(stored, dict):
        return None
    try:
        room = game_server().room(str(stored.get("room")))
        room.facilitator_view(str(stored.get("token")))
    except GameError:
        return None
    return Seat(room.id, room.join_code, str(stored["token"]))


@solara.component
def Unlock(on_unlocked: Callable[[], None]):
    """The facilitator's password, asked before rooms can be created or game files opened."""
    typed, set_typed = solara.use_state("")
    message, set_message = solara.use_state(None)

    def check():
        if may_administer(typed):
            on_unlocked()
            return
        refused()
        set_message(("That is not the facilitator's password.", False))

    with solara.Card("Facilitator", classes=["unlock"], style={"max-width": "900px"}):
        if not password_needed():
            solara.Warning(
                "Rooms can be created only on the computer running the game (no password was set). To run it "
                "from another device, start the game with: marketsim game --password",
                classes=["local-only"],
            )
            return
        solara.InputText("Facilitator password", value=typed, on_value=set_typed, password=True)
        solara.Button("Unlock", on_click=check, color="primary")
        Feedback(message)


@solara.component
def FacilitatorHome():
    """Create a room, or resume a console; once a room is made, its console (remembered by the
    browser across reloads). Creating rooms and opening game files need the facilitator's
    password (``marketsim game --password``), or, without one, this machine."""
    Memory()
    unlocked, set_unlocked = solara.use_state(False)
    restored = solara.use_memo(remembered_console, [json.dumps((memory.value or {}).get("console"))])
    seat = facilitator_seat.value or restored
    if seat is not None and seat.room_id not in {r["room"] for r in game_server().rooms()}:
        solara.Error("This room is not on this server any more.", classes=["game-error"])
        seat = None
    if seat is not None:
        with solara.Row():
            solara.Button("New room", on_click=lambda: open_console(None), outlined=True, small=True)
        OpenedNotice(seat)
        Console(seat)
        return
    solara.Text(
        "Classroom game: students play governments in their own browsers; you run the rounds.",
        style={"font-size": "18px", "margin": "8px 0"},
    )
    if unlocked or may_administer(None):
        CreateRoom(open_console)
        OpenGameFile(open_console)
    else:
        Unlock(lambda: set_unlocked(True))
    ResumeConsole(open_console)
