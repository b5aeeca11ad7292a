"""State behind the classroom game's pages: the one game server of this process, what each
browser session holds (only its own token), and the briefing and refresh loop of the pages.

The rooms are shared by every session on purpose (they are the game); a session never holds
another person's token. Nothing here runs or reads the model: pages read a room through its views
(:class:`~marketsim.game.views.RoomViews`) and change it through its methods.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

import solara

from marketsim.game import AuthError, GameError, GameServer, Room
from marketsim.governance.rounds import DecisionError
from marketsim.webserver import client_address
from viz.game.memory import device_id

DB_ENV = "MARKETSIM_GAME_DB"
PASSWORD_ENV = "MARKETSIM_GAME_PASSWORD"
"""The facilitator's password (``marketsim game --password``); unset: this machine only."""
URL_ENV = "MARKETSIM_GAME_URL"
"""The address players open, e.g. ``http://192.168.1.20:8766/`` (``marketsim game --lan``)."""
LOOPBACK = ("127.0.0.1", "::1", "localhost")
WRONG_CODES_ENV = "MARKETSIM_WRONG_CODES"
"""Wrong codes allowed per device address a minute (``marketsim game --wrong-codes``)."""
REFRESH_SECONDS = 2.0
"""How often a page's timer thread wakes with no change in its room (a heartbeat, and a redraw
for a clock drawn on the server: the facilitator's console)."""

DRAW_TURN_WAIT_S = 0.5
"""Longest a page waits for its turn to draw a change of its room (see :class:`DrawingTurn`)."""

_server: GameServer | None = None
_server_lock = threading.Lock()
_turns: dict[str, threading.Lock] = {}
_turns_lock = threading.Lock()


def game_server() -> GameServer:
    """The process's game server, on ``$MARKETSIM_GAME_DB`` (``games.sqlite3`` here by default),
    with ``$MARKETSIM_WRONG_CODES`` wrong codes a minute per device address (default 60)."""
    global _server  # noqa: PLW0603 (one server per process: the rooms are shared on purpose)
    with _server_lock:
        if _server is None:
            _server = GameServer(
                Path(os.environ.get(DB_ENV, "games.sqlite3")),
                address_failures_per_minute=int(os.environ.get(WRONG_CODES_ENV, "60")),
            )
        return _server


def use_game_server(server: GameServer) -> None:
    """Serve the pages from another server (tests)."""
    global _server  # noqa: PLW0603
    with _server_lock:
        _server = server


@dataclass(frozen=True)
class Seat:
    """What one browser session holds: a room and its own token (facilitator or player)."""

    room_id: str
    join_code: str
    token: str
    region: str | None = None
    """The government played (players only)."""
    held: bool = False
    """A join still waiting for the facilitator's approval (players only)."""


facilitator_seat: solara.Reactive[Seat | None] = solara.reactive(None)
"""This session's facilitator token (a reactive at module level is per browser session)."""
player_seat: solara.Reactive[Seat | None] = solara.reactive(None)
"""This session's player token."""


def client() -> tuple[str, str | None]:
    """Who is asking, for the wrong-code limits: this browser session, and its network address
    (None when the app runs outside ``marketsim game``'s server, e.g. in tests)."""
    try:
        session = solara.get_session_id()
    except Exception:  # outside a browser session (in-process tests)
        session = "local"
    return session, client_address(solara.lab.headers.value)


def find_room(code: str, *, open_only: bool = False) -> Room:
    """A room by its join code (finished rooms included unless ``open_only``), for this browser:
    every lookup counts against the wrong-code limits (of this session, this device and its
    address) like a join does.

    Raises:
        NotFound: If no room has this code.
        RateLimited: If this browser got codes wrong too often.
    """
    return game_server().find(code, *client(), open_only=open_only, device=device_id())


def refused() -> None:
    """Count a wrong key or password against this browser."""
    game_server().refused(*client(), device_id())


def is_this_machine() -> bool:
    """Whether the page was opened on the machine running the server (or outside its web server)."""
    address = client()[1]
    return address is None or address in LOOPBACK or address.startswith("127.")


def password_needed() -> bool:
    """Whether creating rooms and opening game files needs the facilitator's password here (one
    was set at start), rather than being open to this machine only."""
    return bool(os.environ.get(PASSWORD_ENV))


def may_administer(password: str | None) -> bool:
    """Whether this browser may create rooms and open game files: with the password set at start,
    or, when none was set, only on this machine."""
    expected = os.environ.get(PASSWORD_ENV)
    if not expected:
        return is_this_machine()
    return password is not None and hmac.compare_digest(password.encode(), expected.encode())


def public_url() -> str:
    """The address players open (``http://HOST:PORT/``): the LAN address ``marketsim game --lan``
    found, else the one this page was opened at."""
    base = os.environ.get(URL_ENV)
    if base:
        return base.rstrip("/") + "/"
    headers = solara.lab.headers.value or {}
    return f"http://{(headers.get('host') or ['127.0.0.1:8766'])[0]}/"


def join_link(code: str) -> str:
    """The link players open (or scan) to join a room."""
    return f"{public_url()}join?code={code}"


def only_this_machine(link: str) -> bool:
    """Whether a link names this machine only (127.x, localhost): phones cannot open it."""
    host = link.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host in LOOPBACK or host.startswith("127.") or host == "localhost"


def open_room(code: str) -> tuple[Room | None, str | None]:
    """The open room a full-length code names, or why not: ``(room, None)``, ``(None, message)``
    for a wrong or rate-limited code, ``(None, None)`` for a code still being typed."""
    if len(code.strip()) < 6:
        return None, None
    try:
        return find_room(code, open_only=True), None
    except GameError as error:
        return None, problem(error)


def room_by_key(code: str, token: str, *, facilitator: bool) -> tuple[Room, dict]:
    """A room by its code and someone's token in it, with their view (the facilitator's or the
    player's). A wrong token counts against this browser like a wrong code, so a right code
    does not buy free guesses of tokens.

    Raises:
        GameError: A wrong code or token (``NotFound``, ``AuthError``), or ``RateLimited``.
    """
    room = find_room(code)
    try:
        view = room.facilitator_view(token.strip()) if facilitator else room.player_view(token.strip())
    except AuthError:
        refused()
        raise
    return room, view


def problem(error: Exception) -> str:
    """An engine error as a message for the person who caused it (a refused decision in the
    human words of the validation route)."""
    if isinstance(error, DecisionError):
        return f"Refused. {error.human}"
    return str(error) or type(error).__name__


def use_refresh(
    seconds: float = REFRESH_SECONDS,
    on_tick=None,
    room: Room | None = None,
    clock: bool = True,
    watch: Callable[[], Hashable] | None = None,
    take_turns: bool = False,
    live: Callable[[], bool] | None = None,
) -> int:
    """A counter that goes up when the page should redraw: as soon as ``room`` changes (a new
    round shows at once) and, with ``clock``, every ``seconds`` too (a timer thread: e.g. a clock
    drawn on the server, or a page without a room that polls).

    ``on_tick`` runs in the timer thread at every wake, change or not (e.g. a heartbeat); it must
    not raise. Without ``clock`` a quiet room costs no redraw at all, which is what lets one
    server keep 30 player pages quick. ``watch``, if given, narrows a change: the page redraws
    only when its value differs from the last one (e.g. a player's own team queue). With
    ``take_turns`` (the class's player pages) the page draws a change of its room in its turn
    (:class:`DrawingTurn`). ``live``, if given, is called (in the timer thread) at a change
    instead of a redraw, and returns whether it updated the page itself (False: redraw it).
    """
    count = solara.use_reactive(0)

    def loop(cancel: threading.Event):
        seen = room.version if room is not None else 0
        last = watch() if watch is not None else None
        while not cancel.is_set():
            if room is None:
                cancel.wait(seconds)
                changed = True
            else:
                before = seen
                seen = room.wait_for_change(seen, seconds)
                changed = seen != before
                if changed and watch is not None:
                    now = watch()
                    changed, last = now != last, now
            if cancel.is_set():
                break
            if on_tick is not None:
                on_tick()
            if changed and take_turns and room is not None:
                with DrawingTurn(room.id):
                    if live is None or not live():
                        count.set(count.value + 1)
            elif changed or clock:
                count.set(count.value + 1)

    solara.use_thread(loop, dependencies=[room.id if room is not None else None], intrusive_cancel=False)
    return count.value


class DrawingTurn:
    """One page of a room at a time draws a change of the room (``with DrawingTurn(room_id):``).

    A new round wakes all the class's pages at once. Drawn together, 30 pages and their 30
    websockets' threads fight for the interpreter and each page waits on the others' turns at
    every message it sends; drawn one after another, each page sends its update at once and the
    last page is done sooner. A page never waits more than :data:`DRAW_TURN_WAIT_S` (a phone slow
    to take its update does not hold up the class).
    """

    def __init__(self, room_id: str) -> None:
        with _turns_lock:
            self.lock = _turns.setdefault(room_id, threading.Lock())
        self.held = False

    def __enter__(self) -> DrawingTurn:
        self.held = self.lock.acquire(timeout=DRAW_TURN_WAIT_S)
        return self

    def __exit__(self, *exc) -> None:
        if self.held:
            self.lock.release()


def attempt(call, done: str, report) -> bool:
    """Run an engine call from a button; report its refusal, or ``done``, as ``(text, ok)``.

    Returns:
        Whether the call went through.
    """
    try:
        call()
    except (GameError, DecisionError) as error:
        report((problem(error), False))
        return False
    report((done, True))
    return True
