"""A whole game as one file: written, read back, refused when it is not a game file or does not
replay, and opened as a new room on another server; then the same on the pages, in process."""

from __future__ import annotations

import json
import time

import pytest
import solara
from game_widgets import alerts, texts
from solara.components.file_download import FileDownloadWidget

from marketsim.game import GameError, GameServer
from marketsim.game.files import MAX_GAME_FILE_BYTES, game_file_name, open_game_file, read_game_file, write_game_file
from marketsim.game.replay import state_digest
from marketsim.scenario.loading import complete_text
from viz.dashboard.session import scenario_library
from viz.game import state as game_state
from viz.game.files import GameFileChooser
from viz.game.home import FacilitatorHome


def played(server: GameServer):
    """A room with a player's tariff and one round played; returns its Created."""
    text = complete_text(scenario_library()["ai_world"])
    created = server.create_room(text, "ai_world.toml", seed=5, seats=["usa", "japan"], ticks_per_round=3)
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    ann = server.join(created.join_code, "Ann", "k")
    room.submit(ann.token, [{"type": "tariff", "importer": "usa", "rate": 0.3, "origins": ["china"]}])
    room.advance(created.facilitator_token)
    return created


@pytest.fixture
def game(tmp_path):
    """A server with one played room, its game file's bytes, and a second, empty server."""
    first, second = GameServer(tmp_path / "first.db"), GameServer(tmp_path / "second.db")
    created = played(first)
    content = write_game_file(first.export_room(created.room_id, created.facilitator_token))
    yield first, created, content, second
    first.close()
    second.close()


def test_file_name_and_pretty_utf8_json(game):
    _, created, content, _ = game
    assert game_file_name(created.join_code) == f"marketsim-game-{created.join_code}.json"
    text = content.decode("utf-8")
    assert text.startswith('{\n  "format": "marketsim-game/1"') and text.endswith("}\n")
    assert json.loads(text)["tick"] == 3


def test_a_good_file_opens_on_another_server_with_the_same_result(game):
    first, created, content, second = game
    data = read_game_file(content)
    assert data["format"] == "marketsim-game/1" and data["seed"] == 5
    opened = open_game_file(second, content)
    assert opened.room_id != created.room_id and opened.facilitator_token != created.facilitator_token
    room, original = second.room(opened.room_id), first.room(created.room_id)
    assert state_digest(room.state.model) == state_digest(original.state.model) == data["digest"]
    assert room.status()["round"] == original.status()["round"] == 1
    room.facilitator_view(opened.facilitator_token)  # the new token runs it
    again = write_game_file(second.export_room(opened.room_id, opened.facilitator_token))
    assert json.loads(again)["digest"] == data["digest"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", 'a marketsim-game/1 file is a JSON object with a "format"'),
        (b'{"format": "marketsim-game/9"}', "format is 'marketsim-game/9'"),
        (b'{"format": "marketsim-game/1", "tick": NaN}', "contains NaN"),
        (b'{"format": "marketsim-game/1"}', "'source' must be text"),
    ],
)
def test_what_is_not_a_game_file_is_refused_with_a_reason(content, says):
    with pytest.raises(GameError, match=r"^this ") as refused:
        read_game_file(content)
    assert says in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_file_too_large_is_refused_before_it_is_read(game):
    _, _, content, second = game
    with pytest.raises(GameError, match=r"too large for a game file \(0.0 MB; at most 0 MB\)"):
        read_game_file(content, max_bytes=1000)
    with pytest.raises(GameError, match="too large"):
        read_game_file(b" " * (20 * 2**20 + 1))
    assert second.rooms() == []


def edited(content: bytes, change) -> bytes:
    data = json.loads(content)
    change(data)
    return json.dumps(data).encode("utf-8")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.update(digest="0" * 64), "not opened: the export does not replay to its recorded result"),
        (lambda d: d.update(seed=6), "not opened: the export does not replay to its recorded result"),
        (lambda d: d["actions"][-1]["payload"]["human"]["usa"][0].update(rate=0.9), "does not replay"),
        (
            lambda d: d.update(
                scenario_text=d["scenario_text"].replace("reference_price = 56.0", "reference_price = 57.0")
            ),
            "scenario does not match its hash",
        ),
        (lambda d: d.update(scenario_text="[scenario]\nyears = -3\n"), "scenario is not valid: ai_world.toml: "),
        (lambda d: d.update(scenario_text="[[[["), "scenario is not valid: ai_world.toml: not valid TOML"),
        (lambda d: d["settings"].update(ticks_per_round=99), "months per round must be 1 to 24"),
        (
            lambda d: d["settings"].update(seats=["mars"]),
            "not opened: seats must be distinct regions of the scenario (unknown: mars)",
        ),
        (lambda d: d["settings"].update(time_limit_s=-5), "not opened: time limit must be 0 (none) to 24 h"),
        (lambda d: d["actions"][-1].update(payload={}), "not opened: a round runs None months from month None"),
        (lambda d: d["actions"][1].update(kind="bogus"), "unknown action kind 'bogus'"),
        (lambda d: d.update(actions=[1, 2]), "every action must be an object"),
    ],
)
def test_a_changed_or_damaged_file_is_refused_and_adds_no_room(game, change, says):
    _, _, content, second = game
    with pytest.raises(GameError) as refused:
        open_game_file(second, edited(content, change))
    message = str(refused.value)
    assert says in message and "\n" not in message, message
    assert second.rooms() == []


# ----------------------------------------------------------------- the pages, in process
@pytest.fixture
def page_server(tmp_path):
    server = GameServer(tmp_path / "pages.db")
    game_state.use_game_server(server)
    game_state.facilitator_seat.set(None)  # outside a server the session state is global: reset it
    yield server
    server.close()


def chooser(context) -> GameFileChooser:
    (found,) = [w for w in context.find(GameFileChooser).widgets if w.description == "Choose game file"]
    return found


def choose(context, name: str, content: bytes) -> None:
    """Pick a file with the home page's "Choose game file" button: the browser sends it as one
    message with the file's bytes."""
    chooser(context)._handle_custom_msg({"event": "file", "name": name, "size": len(content)}, [memoryview(content)])


def downloaded(context, filename: str) -> bytes:
    """Press a FileDownload and wait for its bytes."""
    (widget,) = [w for w in context.find(FileDownloadWidget).widgets if w.filename == filename]
    widget.request_download = True
    deadline = time.monotonic() + 60
    while widget.bytes is None:
        assert time.monotonic() < deadline, "the download never came"
        time.sleep(0.05)
    return widget.bytes


def test_download_from_one_console_and_open_on_the_home_page(page_server, tmp_path):
    created = played(page_server)
    context = solara.render(FacilitatorHome(), handle_error=False)[1]
    try:
        game_state.facilitator_seat.set(game_state.Seat(created.room_id, created.join_code, created.facilitator_token))
        content = downloaded(context, f"marketsim-game-{created.join_code}.json")
        assert json.loads(content)["digest"] == state_digest(page_server.room(created.room_id).state.model)
    finally:
        context.close()
    other = GameServer(tmp_path / "other.db")  # another machine's server
    game_state.use_game_server(other)
    game_state.facilitator_seat.set(None)
    context = solara.render(FacilitatorHome(), handle_error=False)[1]
    try:
        choose(context, "broken.json", content[:-40])
        (error,) = alerts(context, "open-file-error")
        assert error.startswith("broken.json: this is not a game file: not valid JSON")
        assert other.rooms() == [] and texts(context, "console-status") == []
        # A file too large never leaves the browser: the page hears its name and size only.
        assert chooser(context).max_bytes == MAX_GAME_FILE_BYTES
        chooser(context)._handle_custom_msg({"event": "too large", "name": "huge.json", "size": 40 * 2**20}, [])
        (error,) = alerts(context, "open-file-error")
        assert error == (
            "huge.json: this file is too large for a game file (40.0 MB; at most 20 MB): it was not uploaded"
        )
        assert other.rooms() == []
        choose(context, "game.json", content)
        (room,) = other.rooms()
        seat = game_state.facilitator_seat.value
        assert seat.room_id == room["room"] and seat.join_code != created.join_code
        (notice,) = alerts(context, "opened-file")
        assert notice.startswith(f"Opened game.json as a new room, code {seat.join_code}.")
        # The new token is not printed large where a projector may show it: only in the closed panel.
        assert texts(context, "opened-token") == []
        assert texts(context, "facilitator-token") == [f"Room code {seat.join_code} · token {seat.token}"]
        assert (
            "round 2 · deciding" in texts(context, "console-status")[0]
            and "month 3 of" in texts(context, "console-status")[0]
        )
    finally:
        context.close()
        other.close()


def crafted(server, **change):
    """A real game file of one round, changed by ``change(data)``."""
    import json  # noqa: PLC0415

    from _game import small_text  # noqa: PLC0415

    created = server.create_room(small_text(), "small.toml", 5, ["usa"], ticks_per_round=12)
    room = server.room(created.room_id)
    room.start(created.facilitator_token)
    room.advance(created.facilitator_token)
    data = server.export_room(created.room_id, created.facilitator_token)
    advance = next(a for a in data["actions"] if a["kind"] == "advance")
    for _ in range(change.get("repeats", 0)):
        data["actions"] += [dict(advance, payload={**advance["payload"], "ticks": 1200}), {**advance, "kind": "undo"}]
    return json.dumps(data).encode()


def test_a_crafted_file_that_would_run_for_minutes_is_refused_at_once(server):
    import time  # noqa: PLC0415

    content = crafted(server, repeats=20)  # advance 1,200 months then undo, 20 times (a 29 KB attack)
    rooms = len(server.rooms())
    started = time.monotonic()
    with pytest.raises(GameError, match="a round runs 1200 months"):
        open_game_file(server, content)
    assert time.monotonic() - started < 2.0
    assert len(server.rooms()) == rooms


def test_a_crafted_file_of_many_undos_is_bounded_by_the_games_months():
    from marketsim.game.files import check_replay_cost  # noqa: PLC0415

    one = {"kind": "advance", "payload": {"ticks": 12, "from_tick": 0, "human": {}}}
    data = {"settings": {"ticks_per_round": 12}, "tick": 12, "actions": [one]}
    assert check_replay_cost(data, 36) == 12
    many = [one, {"kind": "undo", "payload": {"round": 0}}] * 200 + [one]
    with pytest.raises(GameError, match="games' worth of months"):
        check_replay_cost({**data, "actions": many}, 36)
