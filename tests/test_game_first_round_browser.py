"""The first round in headless Chromium on a real ``marketsim game`` server, network cut off: two
players (one on a phone-sized screen) read their briefings; the facilitator plays the first
round; each page turns to "My numbers" by itself and shows its government's card of round 1
against the bot twin (as the engine computes it), with the right step pressed, and its steps still
work afterwards.

Any page error, console error or request beyond 127.0.0.1 fails the test.
"""

from __future__ import annotations

from _game import small_text
from browser import game_server, offline_page, shot
from game_pages import WAIT, assert_no_page_problems, click, close_pages, console_page, started_room

from marketsim.game import GameServer

PHONE = {"width": 390, "height": 844}


def pressed(page) -> list[str]:
    """The step buttons drawn pressed (filled, where the others are outlined)."""
    return [t.strip() for t in page.locator(".player-steps .v-btn:not(.v-btn--outlined)").all_text_contents()]


def cells(page, selector: str) -> list[list[str]]:
    """The rows of a table's body as lists of cell texts."""
    return page.eval_on_selector(
        selector, "t => Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def test_the_first_round_opens_every_page_on_its_numbers(browser, tmp_path):
    db = tmp_path / "games.sqlite3"
    created = started_room(db, small_text())
    pages = []
    problems = None
    try:
        with game_server(db) as (url, _):
            console = console_page(browser, url, created, pages)

            players = {}
            for name, region in (("Ann", "usa"), ("Ben", "japan")):
                watched = offline_page(browser)
                pages.append(watched)
                page = watched.page
                if region == "japan":
                    page.set_viewport_size(PHONE)
                page.goto(f"{url}join?code={created.join_code}")
                page.get_by_label("Your name").fill(name)
                click(page, "Join")
                page.locator(".player-status").filter(has_text="round 1").wait_for(timeout=WAIT)
                assert page.locator(".player-status").inner_text().startswith(region.upper())
                page.locator(".briefing-text").filter(has_text="Your briefing").wait_for(timeout=WAIT)
                assert pressed(page) == ["Briefing"]
                assert page.locator(".price-chart-toggle").is_hidden()  # no chart on the briefing
                players[region] = page

            console.get_by_role("button", name="Advance 12 months", exact=True).click()
            for page in players.values():
                page.locator(".player-status").filter(has_text="round 2").wait_for(timeout=WAIT)
                page.locator(".own-numbers .consequence-table").wait_for(timeout=WAIT)
                assert pressed(page) == ["My numbers"]
                assert page.locator(".briefing-text").count() == 0
                assert page.locator(".own-numbers .step-title").inner_text() == "What your decisions did"
                assert page.locator(".price-chart-toggle").is_visible()
            shot(players["japan"], "game-player-first-round-phone")

            # The cards of round 1, as the engine computes them from the game file's record.
            other = GameServer(db)
            try:
                cards = other.room(created.room_id).consequences()
            finally:
                other.close()
            for region, page in players.items():
                assert page.locator(".card-why").inner_text() == cards[region]["why"]
                assert cells(page, ".consequence-table") == [list(line) for line in cards[region]["key"]]

            # The steps still work on a page whose numbers were written in: the chart, then the briefing.
            ann = players["usa"]
            click(ann, "Show price chart")
            ann.locator(".own-numbers").wait_for(timeout=WAIT)
            ann.get_by_role("button", name="Hide price chart", exact=True).wait_for(timeout=WAIT)
            click(ann, "Briefing")
            ann.locator(".briefing-text").filter(has_text="Your briefing").wait_for(timeout=WAIT)
            assert pressed(ann) == ["Briefing"] and ann.locator(".price-chart-toggle").is_hidden()
            click(ann, "Decide")
            ann.locator(".decision-form").wait_for(timeout=WAIT)
            assert pressed(ann) == ["Decide"]
            problems = close_pages(pages)  # before the server stops, so no page sees it vanish
    finally:
        problems = close_pages(pages, problems)
    assert_no_page_problems(problems)
