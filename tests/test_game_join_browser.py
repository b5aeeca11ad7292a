"""Joining in headless Chromium on a real ``marketsim game`` server, network cut off: wrong join
codes are limited per device address across browser sessions (a fresh session buys no more
guesses), and a seated player's decision clock counts down in the page by itself.

Any page error, console error or request beyond 127.0.0.1 fails a test.
"""

from __future__ import annotations

import re
import time

import pytest
from _game import small_text
from browser import game_server, offline_page, shot
from game_pages import WAIT, click

from marketsim.game import GameServer

WRONG_CODES = 3


@pytest.fixture
def served(tmp_path):
    """A server of its own (its own limits) allowing 3 wrong codes a minute per address, with one
    started room (5 min to decide)."""
    db = tmp_path / "games.sqlite3"
    game = GameServer(db)
    created = game.create_room(small_text(), "small.toml", 5, ["usa", "japan"], time_limit_s=300)
    game.room(created.room_id).start(created.facilitator_token)
    game.close()
    with game_server(db, options=("--wrong-codes", str(WRONG_CODES))) as (url, _):
        yield url, created.join_code


@pytest.fixture
def pages(browser):
    opened = []

    def new_page():
        opened.append(offline_page(browser))
        return opened[-1].page

    yield new_page
    problems = [(p.errors, p.external) for p in opened]
    for p in opened:
        p.page.context.close()
    for errors, external in problems:
        assert external == [], f"requests left the machine: {external}"
        assert errors == [], f"page errors: {errors}"


def join_message(page, url: str, code: str) -> str:
    """Open the join link for ``code`` in a new session, try to join; the message shown."""
    page.goto(f"{url}join?code={code}")
    page.get_by_label("Your name").wait_for(timeout=WAIT)
    page.get_by_label("Your name").fill("Guesser")
    click(page, "Join")
    message = page.locator(".game-message")
    message.wait_for(timeout=WAIT)
    return message.inner_text()


def test_a_busy_address_is_slowed_but_the_right_code_still_gets_in(served, pages):
    url, code = served
    for wrong in ("ZZZZZZ", "YYYYYY", "XXXXXX")[:WRONG_CODES]:  # each in a fresh browser session
        assert "no open room has this join code" in join_message(pages(), url, wrong)
    # Past the address's limit a wrong code is slowed down (one try a second), not answered at once...
    started = time.monotonic()
    assert "no open room has this join code" in join_message(pages(), url, "WWWWWW")
    assert time.monotonic() - started >= 1.0
    # ...and a classmate behind the same school address with the right code still gets in.
    page = pages()
    page.goto(f"{url}join?code={code}")
    page.get_by_label("Your name").fill("Ann")
    click(page, "Join")
    page.locator(".player-status").wait_for(timeout=WAIT)
    shot(page, "game-join-same-address")


def test_the_decision_clock_counts_down_in_the_page(served, pages):
    url, code = served
    page = pages()
    page.goto(f"{url}join?code={code}")
    page.get_by_label("Your name").fill("Ann")
    click(page, "Join")
    clock = page.locator(".player-clock")
    clock.filter(has_text="left").wait_for(timeout=WAIT)

    def seconds() -> int:
        found = re.search(r"(\d+):(\d\d) left", clock.inner_text())
        assert found, f"no clock: {clock.inner_text()!r}"
        return 60 * int(found[1]) + int(found[2])

    first = seconds()
    assert 0 < first <= 300
    time.sleep(2.5)  # no round change meanwhile: only the page itself can move the clock
    assert first - 4 <= seconds() <= first - 2
    shot(page, "game-player-clock")
