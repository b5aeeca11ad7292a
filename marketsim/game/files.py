"""A whole game as one file: :meth:`GameServer.export_room` written as pretty UTF-8 JSON, and such
a file read back and checked before :meth:`GameServer.import_room` replays it.

Everything here refuses with a :class:`GameError` whose message is one line fit to show the
facilitator who uploaded the file; nothing in a file is executed.
"""

from __future__ import annotations

import json
from typing import Any

from marketsim.game.errors import GameError
from marketsim.game.room import MAX_DECISIONS
from marketsim.game.server import EXPORT_FORMAT, Created, GameServer
from marketsim.scenario.loading import ScenarioError, parse_scenario_text

MAX_GAME_FILE_BYTES = 20 * 1024 * 1024
"""The largest game file accepted (a 30-round class with hundreds of players is well under 5 MB)."""
MAX_REPLAY_FACTOR = 4
"""A replay may run at most this many times the scenario's months (undos rebuild from the start)."""


def game_file_name(join_code: str) -> str:
    """The name a room's game file is downloaded as, e.g. ``marketsim-game-ABC234.json``."""
    return f"marketsim-game-{join_code}.json"


def write_game_file(export: dict[str, Any]) -> bytes:
    """An export (:meth:`GameServer.export_room`) as pretty JSON, UTF-8."""
    return (json.dumps(export, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _no_constants(name: str) -> Any:
    raise GameError(f"this is not a game file: it contains {name}, which JSON does not allow")


def read_game_file(content: bytes, max_bytes: int = MAX_GAME_FILE_BYTES) -> dict[str, Any]:
    """Read a game file and check its shape (not yet that it replays: :func:`open_game_file` does).

    Raises:
        GameError: If the file is too large, not UTF-8 JSON, not a ``marketsim-game/1`` export, or
            has a field missing or of the wrong type.
    """
    if len(content) > max_bytes:
        raise GameError(
            f"this file is too large for a game file ({len(content) / 2**20:.1f} MB; "
            f"at most {max_bytes / 2**20:.0f} MB)"
        )
    try:
        text = bytes(content).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GameError("this is not a game file: it is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise GameError(f"this is not a game file: not valid JSON ({error.msg}, line {error.lineno})") from None
    except RecursionError:
        raise GameError("this is not a game file: its JSON is nested too deeply") from None
    if not isinstance(data, dict) or "format" not in data:
        raise GameError(f'this is not a game file: a {EXPORT_FORMAT} file is a JSON object with a "format"')
    if data["format"] != EXPORT_FORMAT:
        raise GameError(
            f"this game file's format is {str(data['format'])[:40]!r}; this version reads {EXPORT_FORMAT!r} only"
        )
    _check_fields(data)
    return data


def _check_fields(data: dict[str, Any]) -> None:
    def need(key: str, kinds: type | tuple[type, ...], what: str) -> Any:
        value = data.get(key)
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise GameError(f"this game file is damaged: {key!r} must be {what}")
        return value

    need("source", str, "text")
    need("scenario_text", str, "the scenario's TOML text")
    need("scenario_sha256", str, "text")
    need("digest", str, "text")
    need("tick", int, "a whole number")
    need("created", (int, float), "a number")
    need("seed", int, "a whole number")
    need("settings", dict, "an object")  # its values: server.check_setup, when the file is opened
    actions = need("actions", list, "a list of actions")
    if not all(isinstance(a, dict) and isinstance(a.get("payload"), dict) for a in actions):
        raise GameError("this game file is damaged: every action must be an object with a payload")


def check_replay_cost(data: dict[str, Any], months: int) -> int:
    """Refuse, before replaying anything, a log that would run the model longer than a game can:
    every round within the file's own months per round and the scenario's ``months``, no more
    decisions than a submission allows, the months it ends at equal to the ``tick`` it declares,
    and the whole replay (undo rebuilds included) at most :data:`MAX_REPLAY_FACTOR` games long.

    Returns:
        The months of model the replay will run.

    Raises:
        GameError: Naming the first thing over its bound.
    """
    per_round = data["settings"].get("ticks_per_round")
    if not (type(per_round) is int and 1 <= per_round <= 24):
        raise GameError("this game file is damaged: months per round must be 1 to 24")
    rounds: list[int] = []
    cost = 0
    for action in data["actions"]:
        kind, payload = action.get("kind"), action["payload"]
        if kind == "advance":
            tick = sum(rounds)
            ticks = payload.get("ticks")
            if tick >= months or ticks != min(per_round, months - tick) or payload.get("from_tick") != tick:
                raise GameError(
                    f"a round runs {str(ticks)[:12]} months from month "
                    f"{str(payload.get('from_tick'))[:12]}; the game has {months} months, {per_round} a round"
                )
            human = payload.get("human")
            if not isinstance(human, dict) or any(
                not isinstance(q, list) or len(q) > MAX_DECISIONS for q in human.values()
            ):
                raise GameError(f"a round has more than {MAX_DECISIONS} decisions a seat")
            rounds.append(ticks)
            cost += ticks
        elif kind == "undo":
            back = payload.get("round")
            if not (type(back) is int and 0 <= back < len(rounds)):
                raise GameError("it undoes a round that was not played")
            rounds = rounds[:back]
            cost += sum(rounds)  # an undo rebuilds the model from the start
        elif kind in ("submit", "refused") and len(payload.get("decisions") or []) > MAX_DECISIONS:
            raise GameError(f"a submission has more than {MAX_DECISIONS} decisions")
        if cost > MAX_REPLAY_FACTOR * months:
            raise GameError(
                f"replaying it would run more than {MAX_REPLAY_FACTOR} games' "
                f"worth of months ({MAX_REPLAY_FACTOR * months})"
            )
    if sum(rounds) != data["tick"]:
        raise GameError(f"this game file is damaged: its log ends at month {sum(rounds)}, not {data['tick']}")
    return cost


def open_game_file(server: GameServer, content: bytes, max_bytes: int = MAX_GAME_FILE_BYTES) -> Created:
    """Read a game file and replay it into ``server`` as a new room (new id, join code and
    facilitator token), refused unless it reproduces the result the file records.

    Raises:
        GameError: Whatever is wrong with the file, in one line; nothing is added to the server then.
    """
    data = read_game_file(content, max_bytes)
    try:
        scenario = parse_scenario_text(data["scenario_text"], data["source"])
        check_replay_cost(data, scenario.scenario.years * 12)
        return server.import_room(data)
    except GameError as error:
        raise GameError(f"this game file was not opened: {error}") from None
    except ScenarioError as error:
        lines = str(error).splitlines() or ["invalid"]
        more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
        raise GameError(f"this game file's scenario is not valid: {lines[0]}{more}") from None
    except Exception as error:  # a damaged log may fail anywhere in the replay (the file is untrusted)
        detail = f"{type(error).__name__}: {error}"[:120]
        raise GameError(f"this game file is damaged: its log does not replay ({detail})") from None
