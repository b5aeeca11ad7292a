"""A whole game as one file on the facilitator's pages: download it from the console, open it on
the home page of any server (this one or another machine's) as a new room.

Declarative only: the file is written, read and checked by :mod:`marketsim.game.files`, and the
replay is :meth:`marketsim.game.GameServer.import_room`.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import solara
import traitlets

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
                raise GameError(
                    f"this file is too large for a game file ({size / 2**20:.1f} MB; at most "
                    f"{MAX_GAME_FILE_BYTES // 2**20} MB): it was not uploaded"
                )
            created = open_game_file(game_server(), read())
        except GameError as error:
            set_message(f"{name}: {problem(error)}")
            return
        set_message(None)
        opened_file.set((created.room_id, name))
        on_opened(Seat(created.room_id, created.join_code, created.facilitator_token))

    def dropped(file):
        opened(file["name"], file["size"], file["file_obj"].read)  # size known first: a big file is not read

    with solara.Card("Open a game file", classes=["open-game-file"], style={"max-width": "900px"}):
        solara.Text(
            "A game file downloaded from a console (marketsim-game-CODE.json) replays here as a new room "
            "with a new code and a new facilitator token; players join it again with the new code.",
            style={**EXPLAIN, "display": "block"},
        )
        solara.FileDrop(label="Drop a game file here", on_file=dropped, lazy=True)
        ChooseGameFile(opened)
        if message:
            solara.Error(message, dense=True, classes=["game-message", "game-error", "open-file-error"])


CHOOSER = """
export default {
  render({ model, el }) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = model.get("accept");
    input.style.display = "none";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "v-btn v-btn--outlined theme--light v-size--default primary--text choose-game-file";
    button.textContent = model.get("description");
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", async () => {
      const file = input.files[0];
      input.value = "";
      if (!file) return;
      // Too large: only its name and size go to the server, which says so (the file itself would
      // not fit in one websocket message: the connection would drop with no message).
      if (file.size > model.get("max_bytes")) {
        model.send({ event: "too large", name: file.name, size: file.size });
        return;
      }
      model.send({ event: "file", name: file.name, size: file.size }, undefined, [await file.arrayBuffer()]);
    });
    el.append(button, input);
  },
};
"""


class GameFileChooser(anywidget.AnyWidget):
    """A "Choose game file" button that checks the file's size in the browser: a file over
    ``max_bytes`` is not sent (the server hears its name and size only), a smaller one is sent as
    one message with the file as a binary buffer."""

    _esm = CHOOSER
    description = traitlets.Unicode("Choose game file").tag(sync=True)
    accept = traitlets.Unicode(".json").tag(sync=True)
    max_bytes = traitlets.Int(MAX_GAME_FILE_BYTES).tag(sync=True)


@solara.component
def ChooseGameFile(on_file: Callable[[str, int, Callable[[], bytes]], None]):
    """The "Choose game file" button; ``on_file(name, size, read)`` for each file chosen (a file
    too large gets its size and no content: ``on_file`` must check the size before reading)."""
    element = GameFileChooser.element()
    latest = solara.use_ref(on_file)
    latest.current = on_file

    def listen():
        widget = solara.get_widget(element)

        def received(_, content, buffers):
            name, size = str(content.get("name") or "the file"), int(content.get("size") or 0)
            if content.get("event") == "file" and buffers:
                data = bytes(buffers[0])
                latest.current(name, len(data), lambda: data)
            elif content.get("event") == "too large":
                latest.current(name, max(size, MAX_GAME_FILE_BYTES + 1), bytes)

        widget.on_msg(received)
        return lambda: widget.on_msg(received, remove=True)

    solara.use_effect(listen, [])
    return element


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
