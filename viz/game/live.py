"""What a new round changes on a player's page, written straight into its widgets.

A new round wakes the class's 30 pages at once. Drawing each page again (its components, then
every widget's values compared) cost the server about 6-8 ms a page; but on most pages a new round
changes only a few things: the status line (round, date, months played, clock), the step's block of
HTML (the numbers against the bot twin, or the briefing) and, on the first round or on a page
deciding, which step button is pressed and which step's pane shows (a new round turns the class
to its numbers; the decision form, once built, stays drawn, hidden). :class:`LivePage` keeps
those widgets of a page (the status line, the step's block, the three step buttons, the two
panes) and :func:`page_state` says what the page shows: its *shape* (what its components draw:
phase, chart, team, news and, while deciding, the queue, offers, alliances...) and its *values*
(those widgets' contents). When a change of the room leaves the shape as drawn, the page's watcher
thread writes the values into the widgets (a message for each widget whose values changed, no
component drawn); otherwise the page is drawn again as usual, and writes its values after drawing.
The components never pass these values themselves (:func:`LiveStatus` and
:func:`viz.game.numbers.ReadingStep` draw their widgets with constant arguments), except which step
button is pressed and which pane shows (:func:`StepButtons`, :func:`Pane`), and the page writes
those again right after every draw.

Two threads write a page: its render (the page drawn, at a click or a change of shape) and its
watcher (a change of the room). A render reads the room, then draws for a while; a round played
meanwhile is written by the watcher into the widgets of the page drawn before, then the render's
older values would land on top, and the watcher, having seen the round, would not come again. So
every state carries the room's version read before it, and the step and chart it was read for:
after each draw the page reads the room again if it changed since the draw read it (writing the
new values, or drawing again if its shape changed), and the watcher writes only into the shape
last drawn, for the step and chart last drawn, never a state older than the one shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara
from reacton.ipyvue import use_event

from marketsim.game import GameError, Room
from viz.game.countdown import Countdown
from viz.game.fields import PRESSED, RELEASED
from viz.game.numbers import step_html
from viz.game.state import Seat

STEPS = ("Briefing", "My numbers", "Decide")
BLOCK_CLASSES = {"Briefing": "briefing briefing-text", "My numbers": "consequence-card own-numbers"}
"""The CSS classes of the step's block of HTML (the price chart's button hides on the briefing)."""


@dataclass(frozen=True)
class PageState:
    """What a player's page shows now: the player's view, the step shown, the government's
    holdings and alliances and this round's news (what the components draw, ``shape``), and the
    contents of the status line, the step buttons and the step's HTML (``values``, by widget)."""

    version: int
    """The room's version read before anything else (a change during the read counts as after it)."""
    asked: tuple
    """The step chosen (``(step, round)``) and whether the price chart is open: what was read for."""
    view: dict[str, Any]
    step: str
    held: dict[str, int]
    groups: dict[str, list[str]]
    news: tuple[tuple[str, str], ...]
    shape: tuple
    values: dict[str, dict[str, Any]]


def status_text(seat: Seat, view: dict[str, Any]) -> str:
    """The status line: government, round, date, phase and months played."""
    phase = {"lobby": "waiting for the teacher to start", "deciding": "decide now", "finished": "game over"}
    shown = "paused by the teacher" if view["paused"] else phase[view["phase"]]
    return (
        f"{seat.region.upper()} · round {view['round'] + 1} · {view['date']} · {shown} · "
        f"{view['tick']} of {view['months']} months played"
    )


def page_state(room: Room, seat: Seat, chosen: tuple[str | None, int], chart: bool, stamp: int) -> PageState:
    """What the page of ``seat`` shows now, with the step ``chosen`` in a round (``(step,
    round)``: a new round opens on "My numbers", the first on the briefing) and the price chart
    open or not (``chart``). ``stamp`` restarts the clock in the browser when it changes.

    Raises:
        GameError: If the seat's token is no longer valid (the seat went to the AI).
    """
    version = room.version
    view = room.player_view(seat.token)
    default = "My numbers" if view["round"] > 0 else "Briefing"
    step = chosen[0] if chosen[1] == view["round"] and chosen[0] in STEPS else default
    held = room.shared(("holdings", seat.region), lambda: room.holdings(seat.region))
    groups, news = room.alliances(), tuple(room.news())
    clock = view["time_left"] is not None
    deciding = step == "Decide"
    shape = (
        view["phase"],
        view["paused"],
        chart,
        chart and step == "My numbers",  # the price chart is drawn
        clock,
        tuple(view["team"]),
        news,
        (view["round"], view["tick"]) if chart else None,  # the open chart shows the round
        # Last, what only the decision form and the alliance offers show, with the round (a new
        # round or a holding changed redraws a page deciding, not one reading its numbers). None
        # when they are hidden: briefing and numbers are the same widgets with other values, and
        # a page deciding keeps them drawn, so a new round turns a page to its numbers, from its
        # briefing or its decisions, with no page drawn (see :meth:`LivePage.update`).
        (repr(view["queued"]), view["queued_by"], repr(view["offers"]), repr(groups), repr(held), view["round"])
        if deciding
        else None,
    )
    # The status line last: when a page shows the new round there, the rest has arrived.
    values: dict[str, dict[str, Any]] = {f"button {name}": PRESSED if name == step else RELEASED for name in STEPS}
    values["pane reading"], values["pane decide"] = pane_style(not deciding), pane_style(deciding)
    if step != "Decide":
        briefing = step == "Briefing"
        title = "Your briefing" if briefing else "What your decisions did"
        html = step_html(room, seat.region, held, briefing)
        values["step"] = {
            "attributes": {"class": BLOCK_CLASSES[step]},
            "unsafe_innerHTML": f"<div class='step-title'>{title}</div>{html}",
        }
    values["status"] = {
        "text": status_text(seat, view),
        "seconds_left": view["time_left"],
        "running": view["phase"] == "deciding" and not view["paused"],
        "stamp": stamp if clock else 0,
    }
    return PageState(version, (chosen, chart), view, step, held, groups, news, shape, values)


PANE = "display: flex; flex-direction: column; row-gap: 12px;"
"""A step's pane shown: its blocks in a column."""


def pane_style(shown: bool) -> dict[str, str]:
    """The style of a step's pane (the reading steps' or the decision form's), shown or hidden."""
    return {"style_": PANE if shown else "display: none"}


def fits(state: PageState, drawn: PageState) -> bool:
    """Whether the page drawn for ``drawn`` shows ``state`` once its values are written: the same
    shape, or a page drawn deciding that now reads (its decision form is hidden, as drawn)."""
    return state.shape[:-1] == drawn.shape[:-1] and state.shape[-1] in (None, drawn.shape[-1])


class LivePage:
    """A page's live widgets (the status line, the step buttons, the step's HTML) and the state
    last drawn or written."""

    def __init__(self) -> None:
        """Nothing drawn yet."""
        self.widgets: dict[str, Any] = {}
        self.state: PageState | None = None
        """The state last drawn or written: its shape and its step and chart are those drawn."""
        self.stamp = 0
        self._lock = threading.Lock()

    @property
    def round(self) -> int:
        """The round shown (drawn, or written since)."""
        state = self.state
        return 0 if state is None else state.view["round"]

    def attach(self, name: str, widget: Any) -> None:
        """The widget drawing ``name`` (``status``, ``step`` or ``button <step>``), after a draw
        (None: not drawn)."""
        with self._lock:
            if widget is None:
                self.widgets.pop(name, None)
                return
            self.widgets[name] = widget
            if self.state is not None and name in self.state.values:
                _set(widget, self.state.values[name])

    def drawn(self, state: PageState) -> None:
        """After a draw: write the values it read into its widgets; its shape, step and chart are
        now those the page shows (even when the watcher wrote a newer round meanwhile: the page
        then reads the room again, see :meth:`catch_up`)."""
        with self._lock:
            self._write(state)

    def update(self, now: Callable[[tuple, int], PageState]) -> bool:
        """At a change of the room (in the page's watcher thread, or after a draw that read the
        room before the change): write the new values if the page's shape is the one drawn;
        returns whether that was enough (False: draw the page again).

        Args:
            now: The page's state now, given the step and chart drawn and a new clock stamp.
        """
        shown = self.state
        if shown is None:
            return False
        self.stamp += 1
        try:
            state = now(shown.asked, self.stamp)
        except GameError:
            return False  # the seat is gone: the page draws why
        with self._lock:
            drawn = self.state
            if not fits(state, drawn):
                return False
            if state.asked == drawn.asked and state.version >= drawn.version:
                self._write(state)
            # else: a draw for another step, or a newer state, came meanwhile; that draw reads
            # the room again if it changed since it read it.
        return True

    def catch_up(self, room_version: int, now: Callable[[tuple, int], PageState]) -> bool:
        """After a draw: if the room changed since the draw read it (a round played while the
        page was drawn), write its state now; returns False when the page must be drawn again."""
        drawn = self.state
        if drawn is None or drawn.version == room_version:
            return True
        return self.update(now)

    def _write(self, state: PageState) -> None:
        """Write a state's values into the widgets drawn (each widget's changed values go to the
        browser as one message) and remember it as shown (with the lock held)."""
        self.state = state
        for name, values in state.values.items():
            if name in self.widgets:
                _set(self.widgets[name], values)


def _set(widget: Any, values: dict[str, Any]) -> None:
    with widget.hold_sync():
        for trait, value in values.items():
            setattr(widget, trait, value)


@solara.component
def LiveStatus(attach: Callable[[str, Any], None]):
    """The government, round, date, phase and months played, with the decision clock counting
    down in the browser (see :mod:`viz.game.countdown`): one widget, whose values only the page's
    :class:`LivePage` writes (``attach`` hands it over), so a new round updates it with one message
    and draws no component."""
    element = Countdown.element(text_class="player-status", clock_class="player-clock", _dom_classes=["status-line"])

    def attached():
        attach("status", solara.get_widget(element))
        return lambda: attach("status", None)

    solara.use_effect(attached, [])
    return element


@solara.component
def StepButton(name: str, pressed: bool, pick: Callable[[str], None], attach: Callable[[str, Any], None]):
    """One step's button, drawn ``pressed`` or not; the page's :class:`LivePage` writes whether
    it is pressed after every draw and at a new round (the button is handed over as
    ``button <step>``), so a press written since the last draw is never left behind."""
    button = solara.v.Btn(children=[name], small=True, **(PRESSED if pressed else RELEASED))
    use_event(button, "click", lambda *_: pick(name))

    def attached():
        attach(f"button {name}", solara.get_widget(button))
        return lambda: attach(f"button {name}", None)

    solara.use_effect(attached, [])
    return button


@solara.component
def StepButtons(step: str, pick: Callable[[str], None], attach: Callable[[str, Any], None]):
    """The phone's steps (briefing, my numbers, decide) as a row of small buttons, ``step``
    pressed when drawn: the new round that turns the class from its briefing to its numbers
    presses another button with a message, drawing nothing.

    The buttons are drawn with their look (a value written into a button just made can be lost
    in the browser, which may not have made the button yet); the page writes it again after every
    draw, and alone at a new round."""
    with solara.Row(style={"gap": "4px", "flex-wrap": "wrap"}, classes=["player-steps"]):
        for name in STEPS:
            StepButton(name, name == step, pick, attach).key(name)


@solara.component
def Pane(name: str, shown: bool, attach: Callable[[str, Any], None], children: list | None = None):
    """A step's pane (``reading``: briefing and numbers, or ``decide``), drawn ``shown`` or
    hidden; the page's :class:`LivePage` writes which after every draw and at a new round (the
    pane is handed over as ``pane <name>``), so a new round hides a decision form without drawing."""
    style = pane_style(shown)["style_"]
    element = solara.v.Html(tag="div", class_="player-step", style_=style, children=children or [])

    def attached():
        attach(f"pane {name}", solara.get_widget(element))
        return lambda: attach(f"pane {name}", None)

    solara.use_effect(attached, [])
    return element
