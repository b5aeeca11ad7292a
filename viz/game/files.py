"""A whole game as one file on the facilitator's pages: download it from the console, open it on
the home page of any server (this one or another machine's) as a new room.

Declarative only: the file is written, read and checked by :mod:`marketsim.game.files`, and the
replay is :meth:`marketsim.game.GameServer.import_room`.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets
import solara

from marketsim.game import GameError, Room
from marketsim.game.files import MAX_GAME_FILE_BYTES, game_file_name, open_game_file, write_game_file
from viz.dashboard.components import EXPLAIN
from viz.game.state import Seat, game_server, problem

opened_file: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
"""This session's last game file opened: (room id, file name), to tell the facilitator the new
code and token on the console."""


@solara.component
def GameFileDownload(room: Room, seat: Seat):
    """The room's game file (setup, seed and every action), in any phase."""
    with solara.Card("Game file", style={"margin": "4px 0"}, classes=["game-file"]):
        solara.Text(
            "The whole game in one file (scenario, seed, every action): keep it, or open it on the "
            "facilitator page of any marketsim game server to replay it to the same results.",
            style={**EXPLAIN, "display": "block"},
        )
        solara.FileDownload(
            lambda: write_game_file(game_server().export_room(room.id, seat.token)),
            filename=game_file_name(room.join_code),
            label="Download game file",
            mime_type="application/json",
        )


@solara.component
def OpenGameFile(on_opened: Callable[[Seat], None]):
    """Open a downloaded game file as a new room here, and go to its console."""
    message, set_message = solara.use_state(None)

    def opened(name: str, size: int, read: Callable[[], bytes]):
        try:
            if size > MAX_GAME_FILE_BYTES:
                raise GameError(f"this file is too large for a game file (at most {MAX_GAME_FILE_BYTES // 2**20} MB)")
            created = open_game_file(game_server(), read())
        except GameError as error:
            set_message(f"{name}: {problem(error)}")
            return
        set_message(None)
        opened_file.set((created.room_id, name))
        on_opened(Seat(created.room_id, created.join_code, created.facilitator_token))

    def dropped(file):
        opened(file["name"], file["size"], file["file_obj"].read)  # size known first: a big file is not read

    def chosen(files):
        if files:
            upload = files[0]
            opened(upload["name"], upload["size"], lambda: bytes(upload["content"]))

    with solara.Card("Open a game file", classes=["open-game-file"], style={"max-width": "900px"}):
        solara.Text(
            "A game file downloaded from a console (marketsim-game-CODE.json) replays here as a new room "
            "with a new code and a new facilitator token; players join it again with the new code.",
            style={**EXPLAIN, "display": "block"},
        )
        solara.FileDrop(label="Drop a game file here", on_file=dropped, lazy=True)
        ipywidgets.FileUpload.element(
            accept=".json", multiple=False, description="Choose game file", layout={"width": "auto"}, on_value=chosen
        )
        if message:
            solara.Error(message, dense=True, classes=["game-message", "game-error", "open-file-error"])


@solara.component
def OpenedNotice(seat: Seat):
    """Right after a game file is opened: where it went, and the new facilitator token."""
    opened = opened_file.value
    if opened is None or opened[0] != seat.room_id:
        return
    solara.Success(
        f"Opened {opened[1]} as a new room, code {seat.join_code}. Its new facilitator token (the file's old "
        "token does not work here) is under “Facilitator token” at the bottom of this console: keep it private.",
        dense=True,
        classes=["game-message", "opened-file"],
    )
