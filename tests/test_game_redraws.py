"""What a change costs the class's pages (rendered in process, no browser): another seat's
submission redraws no other seat's page, a new round (the first one too, which turns the pages
from their briefing to their numbers) draws no page and sends it a few updates, and the pages of
a room draw one at a time."""

from __future__ import annotations

import threading
import time

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from _game import open_room
from game_widgets import blocks, cards, click, texts

from marketsim.game import GameServer
from viz.game import player
from viz.game import state as game_state
from viz.game.live import STEPS
from viz.game.numbers import step_html
from viz.game.player import PlayerView, redraws
from viz.game.state import DrawingTurn, Seat


@pytest.fixture
def pages(tmp_path):
    """A started room of the small world with a player on the USA and one on Japan, each with
    their page open: ``(room, facilitator token, tokens by region, render contexts by region)``."""
    server = GameServer(tmp_path / "game.db")
    game_state.use_game_server(server)
    room, boss, tokens = open_room(server)
    room.twin_ahead_after = None  # no background work: only the pages draw
    contexts = {
        region: solara.render(PlayerView(Seat(room.id, room.join_code, token, region)), handle_error=False)[1]
        for region, token in tokens.items()
    }
    yield room, boss, tokens, contexts
    for context in contexts.values():
        context.close()
    server.close()


def wait_until(condition) -> None:
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition()


def status(context) -> str:
    return texts(context, "player-status")[0]


def test_a_submission_redraws_its_own_seats_page_only(pages):
    """Both pages on their decision forms (which show the team's queue)."""
    room, _, tokens, contexts = pages
    wait_until(lambda: all("· decide now ·" in status(c) for c in contexts.values()))
    for context in contexts.values():
        click(context, "Decide")
    before = dict(redraws)
    room.submit(tokens["japan"], [{"type": "tariff", "importer": "japan", "rate": 0.2, "origins": ["china"]}])
    wait_until(lambda: redraws["japan"] > before["japan"])  # its own page shows the queue
    room.submit(tokens["japan"], [])  # and again: still not the USA's business
    wait_until(lambda: redraws["japan"] > before["japan"] + 1)
    assert redraws["usa"] == before["usa"]


def test_a_teammate_joining_shows_on_the_page_at_once(pages):
    """Not at the next round (which would then draw the page, not write it)."""
    room, boss, _, contexts = pages
    wait_until(lambda: all("round 1 " in status(c) for c in contexts.values()))
    _, token = room.join("Zoe", "usa")
    assert room.request_status(token) == "waiting"  # a taken seat: the facilitator admits
    room.approve(boss, room.requests()[-1]["id"])
    wait_until(lambda: any("Zoe" in t for t in texts(contexts["usa"], "player-team")))
    assert not texts(contexts["japan"], "player-team")
    before = dict(redraws)
    room.advance(boss)
    wait_until(lambda: all("round 2 " in status(c) for c in contexts.values()))
    assert {r: redraws[r] - before[r] for r in contexts} == {"usa": 0, "japan": 0}


def test_a_submission_does_not_redraw_its_seats_page_reading_its_briefing(pages):
    """The briefing does not show the team's queue: a teammate's submission draws nothing there."""
    room, _, tokens, contexts = pages
    wait_until(lambda: all("· decide now ·" in status(c) for c in contexts.values()))
    click(contexts["usa"], "Decide")
    before = dict(redraws)
    room.submit(tokens["usa"], [])
    wait_until(lambda: redraws["usa"] > before["usa"])  # the USA's decision form shows its queue
    room.submit(tokens["japan"], [{"type": "tariff", "importer": "japan", "rate": 0.2, "origins": ["china"]}])
    time.sleep(0.5)  # Japan's page would have been drawn by now
    assert redraws["japan"] == before["japan"] and pressed(contexts["japan"]) == ["Briefing"]


def pressed(context) -> list[str]:
    """The step buttons drawn pressed."""
    return [b.children[0] for b in context.find(v.Btn).widgets if b.children in ([s] for s in STEPS) and b.depressed]


def test_the_first_round_turns_every_page_to_its_numbers_without_drawing_it(pages):
    """The class reads its briefings; the first round opens every page on its numbers: the step
    buttons, the block and the status line are written, no page is drawn."""
    room, boss, _, contexts = pages
    wait_until(lambda: all("round 1 " in status(c) for c in contexts.values()))
    assert pressed(contexts["usa"]) == ["Briefing"] and blocks(contexts["usa"], "briefing-text")
    before = dict(redraws)
    room.advance(boss)
    wait_until(lambda: all("round 2 " in status(c) for c in contexts.values()))
    assert {r: redraws[r] - before[r] for r in contexts} == {"usa": 0, "japan": 0}
    for region, context in contexts.items():
        assert texts(context, "player-status")[0].startswith(f"{region.upper()} · round 2")
        assert pressed(context) == ["My numbers"]
        assert not blocks(context, "briefing-text")
        assert blocks(context, "own-numbers") == [
            "<div class='step-title'>What your decisions did</div>"
            + step_html(room, region, room.holdings(region), briefing=False)
        ]
    assert "consequence-table" in numbers(contexts["usa"])  # the card of round 1 against the bot twin


def widgets_changed(room, boss, contexts, monkeypatch, shown: str, expected: int) -> list[str]:
    """The kinds of the widgets whose values the browser holds that the next round changes, once
    every page shows round ``shown`` and ``expected`` widgets changed."""
    changed: dict[int, str] = {}
    original = ipywidgets.Widget.notify_change

    def notify_change(widget, change):
        if change["name"] in widget.keys:  # a value the browser holds: it has to be sent
            changed[id(widget)] = type(widget).__name__
        return original(widget, change)

    with monkeypatch.context() as patched:
        patched.setattr(ipywidgets.Widget, "notify_change", notify_change)
        room.advance(boss)
        wait_until(lambda: all(f"round {shown} " in status(c) for c in contexts.values()))
        wait_until(lambda: len(changed) >= expected)
        time.sleep(0.2)  # the pages finish writing
    return sorted(changed.values())


def test_a_new_round_updates_a_few_widgets_of_a_page(pages, monkeypatch):
    """The first round: the status line (with its clock and the months played), the step's block
    (from the briefing to the numbers) and two step buttons (one released, one pressed); later
    rounds the status line and the numbers only. One message each (the synced values of a widget
    changed together go to the browser as one message)."""
    room, boss, _, contexts = pages
    wait_until(lambda: all("round 1 " in status(c) for c in contexts.values()))
    time.sleep(0.2)  # the pages finish drawing
    first = widgets_changed(room, boss, contexts, monkeypatch, "2", 4 * len(contexts))
    assert first == sorted(["Btn", "Btn", "Countdown", "HTML"] * len(contexts))
    second = widgets_changed(room, boss, contexts, monkeypatch, "3", 2 * len(contexts))
    assert second == sorted(["Countdown", "HTML"] * len(contexts))


def numbers(context) -> str:
    return blocks(context, "own-numbers")[0]


def test_a_new_round_on_a_page_showing_its_numbers_draws_no_component(pages):
    """Only the status line and the numbers change: they are written into their widgets."""
    room, boss, _, contexts = pages
    room.advance(boss)  # the first round turns the pages from the briefing to their numbers: drawn
    wait_until(lambda: all("round 2 " in status(c) for c in contexts.values()))
    before, shown = dict(redraws), numbers(contexts["usa"])
    room.advance(boss)
    wait_until(lambda: all("round 3 " in status(c) for c in contexts.values()))
    assert {r: redraws[r] - before[r] for r in contexts} == {"usa": 0, "japan": 0}
    assert numbers(contexts["usa"]) != shown  # the new round's numbers
    assert numbers(contexts["usa"]) == step_html(room, "usa", room.holdings("usa"), briefing=False).join(
        ["<div class='step-title'>What your decisions did</div>", ""]
    )


def test_a_new_round_turns_a_page_deciding_to_its_numbers_without_drawing_it(pages):
    """The decision form is hidden (kept drawn), the numbers shown; opening "Decide" again draws
    the form of the new round."""
    room, boss, _, contexts = pages
    room.advance(boss)
    wait_until(lambda: "round 2 " in status(contexts["usa"]))
    click(contexts["usa"], "Decide")
    assert not blocks(contexts["usa"], "own-numbers") and cards(contexts["usa"], "decision-form")
    before = dict(redraws)
    room.advance(boss)
    wait_until(lambda: "round 3 " in status(contexts["usa"]) and blocks(contexts["usa"], "own-numbers"))
    assert redraws["usa"] == before["usa"]
    assert pressed(contexts["usa"]) == ["My numbers"] and not cards(contexts["usa"], "decision-form")
    assert numbers(contexts["usa"]) == step_html(room, "usa", room.holdings("usa"), briefing=False).join(
        ["<div class='step-title'>What your decisions did</div>", ""]
    )
    click(contexts["usa"], "Decide")
    (form,) = cards(contexts["usa"], "decision-form")
    assert form.children[0].children == ["Your decisions for round 3"]
    assert not blocks(contexts["usa"], "own-numbers")


def test_a_page_drawn_after_numbers_were_written_shows_the_room_as_it_is(pages):
    """Written values are never left behind by a later draw: a round written straight into the
    widgets, undone (written back), then a click that draws the page."""
    room, boss, _, contexts = pages
    room.advance(boss)
    wait_until(lambda: "round 2 " in status(contexts["usa"]))
    second = numbers(contexts["usa"])
    room.advance(boss)
    wait_until(lambda: "round 3 " in status(contexts["usa"]))
    room.undo(boss)
    wait_until(lambda: "round 2 " in status(contexts["usa"]))
    click(contexts["usa"], "Briefing")
    assert "Your briefing" in blocks(contexts["usa"], "briefing-text")[0]
    click(contexts["usa"], "My numbers")
    assert numbers(contexts["usa"]) == second and "round 2 " in status(contexts["usa"])


def test_pages_of_a_room_draw_one_at_a_time(monkeypatch):
    monkeypatch.setattr(game_state, "DRAW_TURN_WAIT_S", 30.0)
    entered = threading.Event()

    def other_page():
        with DrawingTurn("room a"):
            entered.set()

    with DrawingTurn("room a") as mine, DrawingTurn("room b") as elsewhere:
        assert mine.held and elsewhere.held  # another room's pages do not wait
        waiting = threading.Thread(target=other_page)
        waiting.start()
        assert not entered.wait(0.3)
    waiting.join()
    assert entered.is_set()


def test_a_page_waits_its_turn_only_so_long(monkeypatch):
    """A page slow to take its update does not hold up the class."""
    monkeypatch.setattr(game_state, "DRAW_TURN_WAIT_S", 0.05)
    with DrawingTurn("room c"):
        with DrawingTurn("room c") as late:
            assert not late.held
    with DrawingTurn("room c") as next_round:
        assert next_round.held


def test_a_step_chosen_after_a_round_written_into_the_page_opens(pages):
    room, boss, _, contexts = pages
    room.advance(boss)
    wait_until(lambda: "round 2 " in status(contexts["usa"]))
    before = dict(redraws)
    room.advance(boss)  # written, not drawn
    wait_until(lambda: "round 3 " in status(contexts["usa"]))
    assert redraws["usa"] == before["usa"]
    click(contexts["usa"], "Decide")
    assert not blocks(contexts["usa"], "own-numbers")  # the decision form instead
    click(contexts["usa"], "Briefing")
    assert "Your briefing" in blocks(contexts["usa"], "briefing-text")[0]


def test_a_round_played_while_the_page_is_drawn_is_not_left_behind(pages, monkeypatch):
    """A student opens "Decide" as the teacher plays the round: the page read the room before the
    round, the round is written into the page while its decision form is being drawn, and the
    draw ends after. The page must end on the new round (on its numbers, as a new round opens),
    not on the older values the draw read."""
    room, boss, _, contexts = pages
    wait_until(lambda: "round 1 " in status(contexts["usa"]))
    drawing = player.DecisionForm

    @solara.component
    def played_while_drawn(*args, **kwargs):
        if room.state.round == 0:
            threading.Thread(target=room.advance, args=(boss,)).start()
            wait_until(lambda: "round 2 " in status(contexts["usa"]))  # the watcher wrote the round
        return drawing(*args, **kwargs)

    monkeypatch.setattr(player, "DecisionForm", played_while_drawn)
    click(contexts["usa"], "Decide")
    wait_until(lambda: pressed(contexts["usa"]) == ["My numbers"] and blocks(contexts["usa"], "own-numbers"))
    assert "round 2 " in status(contexts["usa"])
    assert not cards(contexts["usa"], "decision-form")  # drawn, hidden
