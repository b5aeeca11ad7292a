"""Rounds played while the players' pages are being drawn, in headless Chromium on a real
``marketsim game`` server (network cut off): two governments, each on two pages, one page flipping
between its briefing and its numbers, the other opening its decision form and changing its lever,
as fast as a nervous class clicks, while the teacher plays round after round. After each round
(the clicking stopped) every page must settle on that round: its status line, the step pressed
and the step shown, the numbers of that round (the engine's consequence card) or the decision
form of that round. A page drawn from the room read just before a round, whose values were
written after the round's, would keep the older round.

Any page error, console error or request beyond 127.0.0.1 fails the test.
"""

from __future__ import annotations

import time

from _game import small_text
from browser import game_server, offline_page
from game_pages import WAIT, assert_no_page_problems, click, close_pages, console_page, console_text, started_room

from marketsim.game import GameServer

ROUNDS = 10
STEPS = {"reading": ("Briefing", "My numbers"), "deciding": ("My numbers", "Decide")}
"""The step each kind of page is on before a round, and the step it opens as the round is played."""
DELAYS_S = (0.0, 0.02, 0.04, 0.07, 0.1)
"""The time between the pages' clicks and the teacher's, round after round."""
SETTLE_S = 20.0
"""How long a page may take to show a round once the clicking has stopped (a loaded machine)."""

PRESSED = (
    'Array.from(document.querySelectorAll(".player-steps .v-btn:not(.v-btn--outlined)"))'
    ".map(b => b.textContent.trim()).join()"
)
"""The steps drawn pressed (filled, where the others are outlined), as a JavaScript expression."""
PRESS = """(step) => Array.from(document.querySelectorAll(".player-steps .v-btn"))
                          .find(b => b.textContent.trim() === step).click()"""

SHOWN = """() => {
  // What the student sees: an element hidden (a step not shown) counts as absent.
  const seen = (selector) => Array.from(document.querySelectorAll(selector)).find(e => e.checkVisibility()) || null;
  const text = (selector) => { const e = seen(selector); return e ? e.innerText.trim() : null; };
  const table = seen(".own-numbers .consequence-table");
  return {
    status: text(".player-status"),
    pressed: (PRESSED).split(",").filter(s => s),
    briefing: seen(".briefing-text") !== null,
    numbers: seen(".own-numbers") !== null,
    why: text(".own-numbers .card-why"),
    cells: table ? Array.from(table.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText.trim())) : null,
    form: text(".decision-form .v-card__title"),
  };
}""".replace("PRESSED", PRESSED)


def pressed(page) -> list[str]:
    """The steps drawn pressed."""
    return [step for step in page.evaluate(f"() => {PRESSED}").split(",") if step]


def expected(db, room_id: str, region: str, round_: int, date: str) -> dict:
    """What a page of ``region`` must show in round ``round_`` (1-based) at ``date``: the engine's
    card of the round played last, read from the game file by another server."""
    other = GameServer(db)
    try:
        card = other.room(room_id).consequences()[region]
    finally:
        other.close()
    return {
        "status": f"{region.upper()} · round {round_} · {date} ·",
        "why": card["why"],
        "cells": [list(line) for line in card["key"]],
        "form": f"Your decisions for round {round_}",
    }


def mismatch(shown: dict, want: dict) -> str | None:
    """Why a page's contents are not those of the round wanted (None: they are)."""
    if not (shown["status"] or "").startswith(want["status"]):
        return f"status {shown['status']!r}, not {want['status']!r}"
    step = shown["pressed"][0] if len(shown["pressed"]) == 1 else f"steps pressed: {shown['pressed']}"
    shows = {
        "Decide": shown["form"] == want["form"] and not shown["numbers"] and not shown["briefing"],
        "Briefing": shown["briefing"] and not shown["numbers"],
        "My numbers": shown["numbers"] and (shown["why"], shown["cells"]) == (want["why"], want["cells"]),
    }
    if not shows.get(step, False):
        return f"{step} pressed, the page shows {shown}"
    return None


def settle(pages: dict, want: dict) -> None:
    """Wait until every page shows the round wanted (its government's values); fail naming what
    each page still shows after :data:`SETTLE_S`."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        wrong = {name: mismatch(page.evaluate(SHOWN), want[name[0]]) for name, page in pages.items()}
        wrong = {name: why for name, why in wrong.items() if why is not None}
        if not wrong:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"pages left on older values: {wrong}")
        time.sleep(0.2)


def test_pages_drawn_while_rounds_are_played_all_show_the_last_round(browser, tmp_path):
    db = tmp_path / "games.sqlite3"
    created = started_room(db, small_text(years=3, round_months=1))
    watched = []
    problems = None
    try:
        with game_server(db) as (url, _):
            console = console_page(browser, url, created, watched)

            pages = {}  # (region, mode) -> page
            for name, region in (("Ann", "usa"), ("Ben", "japan")):
                first = offline_page(browser, 390, 844)
                watched.append(first)
                first.page.goto(f"{url}join?code={created.join_code}")
                first.page.get_by_label("Your name").fill(name)
                click(first.page, "Join")
                first.page.locator(".player-status").wait_for(timeout=WAIT)
                second = first.page.context.new_page()  # the same browser: its seat remembered
                second.on("pageerror", lambda error, w=first: w.errors.append(f"page error: {error}"))
                second.goto(f"{url}join?code={created.join_code}")
                second.locator(".player-status").wait_for(timeout=WAIT)
                pages[(region, "reading")], pages[(region, "deciding")] = first.page, second

            for played in range(1, ROUNDS + 1):
                for (_, mode), page in pages.items():
                    before = STEPS[mode][0]
                    if pressed(page) != [before]:
                        click(page, before)
                        page.wait_for_function(f"() => {PRESSED} === {before!r}", timeout=WAIT)
                for (_, mode), page in pages.items():
                    page.evaluate(PRESS, STEPS[mode][1])
                time.sleep(DELAYS_S[played % len(DELAYS_S)])
                click(console, "Advance 1 months")
                console.locator(".console-status").filter(has_text=f"round {played + 1} ").wait_for(timeout=WAIT)
                date = console_text(console).split(" · ")[3]
                want = {region: expected(db, created.room_id, region, played + 1, date) for region in ("usa", "japan")}
                settle(pages, want)
            problems = close_pages(watched)  # before the server stops, so no page sees it vanish
    finally:
        problems = close_pages(watched, problems)
    assert_no_page_problems(problems)
