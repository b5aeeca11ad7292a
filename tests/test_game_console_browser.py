"""The facilitator console's other buttons end to end in headless Chromium, network cut off: a
facilitator and two players in their own browser contexts on a real ``marketsim game`` server.

Pause and Resume (the player sees the pause; a submission while paused is refused), Extend 60 s,
Inject shock, Broadcast, Replace by AI and Undo last round, each checked on the pages.

Any page error, console error or request beyond 127.0.0.1 fails the test. Screenshots go to
tests/artifacts/screenshots.
"""

from __future__ import annotations

import re

from browser import ROOT, game_server, offline_page, shot
from game_pages import WAIT, click, close_pages, console_text, create_room, join, roster


def seconds_left(page) -> int:
    """The console clock, in seconds."""
    found = re.search(r"(\d+):(\d\d) left", console_text(page))
    assert found, f"no clock on the console: {console_text(page)!r}"
    return int(found[1]) * 60 + int(found[2])


def status_shows(page, css: str, text: str) -> None:
    """Wait until the element ``css`` contains ``text`` (times out, failing, if it never does)."""
    page.locator(css).filter(has_text=text).first.wait_for(timeout=WAIT)


def test_console_buttons_in_three_browsers(browser, tmp_path):
    db = tmp_path / "games.sqlite3"
    pages = []
    problems = None

    def watched():
        page = offline_page(browser)
        pages.append(page)
        return page

    try:
        with game_server(db) as (url, _):
            page = watched().page
            _, link = create_room(page, url)
            click(page, "Start")
            status_shows(page, ".console-status", "round 1 · deciding")
            players = [watched(), watched()]
            assert [join(p, link, n) for p, n in zip(players, ("Ann", "Ben"), strict=True)] == ["usa", "eu"]
            ann, ben = (p.page for p in players)

            # Pause: the console and the player show it; a submission while paused is refused.
            click(page, "Pause")
            status_shows(page, ".console-status", "round 1 · paused")
            status_shows(ann, ".player-status", "paused by the teacher")
            click(ann, "Add tariff")
            click(ann, "Submit decisions")
            status_shows(ann, ".game-error", "the game is paused")
            assert ann.locator(".queued").count() == 0, "a refused submission must not be queued"
            shot(ann, "game-player-paused")
            # Resume: deciding again, and the same submission goes through.
            click(page, "Resume")
            status_shows(page, ".console-status", "round 1 · deciding")
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=WAIT)
            ann.locator(".player-status").filter(has_text="decide now").wait_for(timeout=WAIT)
            assert "paused" not in ann.locator(".player-status").inner_text()
            click(ann, "Submit decisions")
            status_shows(ann, ".game-message", "Submitted for round 1: 1 decision")
            status_shows(ann, ".queued", "Queued now (sent by Ann): tariff")

            # Extend 60 s: the clock has about a minute more (a few seconds may tick by meanwhile).
            before = seconds_left(page)
            click(page, "Extend 60 s")
            status_shows(page, ".game-message", "60 s more.")
            page.wait_for_function(
                f"() => {{ const m = document.querySelector('.console-status').innerText.match(/(\\d+):(\\d\\d) left/);"
                f" return m && 60 * +m[1] + +m[2] >= {before + 50}; }}",
                timeout=WAIT,
            )
            assert before + 50 <= seconds_left(page) <= before + 60

            # Broadcast: every player sees the message.
            page.get_by_label("Message to every player").fill("Read the tariff rules, page 3")
            click(page, "Broadcast")
            status_shows(page, ".game-message", "Message sent.")
            for player in (ann, ben):
                status_shows(player, ".broadcast", "Facilitator: Read the tariff rules, page 3")

            # Inject shock: a mine disruption in China (the menu's default), listed on the console.
            assert page.locator(".console-shock").count() == 0
            click(page, "Inject shock")
            status_shows(page, ".game-message", "Shock injected.")
            status_shows(page, ".console-shock", "round 1: mine disruption in china (50% of output)")
            shot(page, "game-console-shock")

            # Play the round; then hand Ben's seat (eu) to the AI: the roster and Ben are told.
            click(page, "Advance 3 months")
            status_shows(page, ".console-status", "round 2 · deciding")
            for player in (ann, ben):
                status_shows(player, ".player-status", "round 2")
            assert roster(page)[1].startswith("eu ") and "Ben" in roster(page)[1]
            page.locator(".roster-row").filter(has_text="Ben").get_by_role(
                "button", name="Replace by AI", exact=True
            ).click()
            status_shows(page, ".game-message", "Done.")
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.roster-row'))"
                ".some(r => r.innerText.includes('eu') && r.innerText.includes('(empty seat)'))",
                timeout=WAIT,
            )
            eu = next(r for r in roster(page) if r.startswith("eu "))
            assert eu.startswith("eu ai (empty seat)") and "Ben" not in eu
            status_shows(ben, ".game-error", "the facilitator may have handed your seat to the AI")
            ben.get_by_role("button", name="Join again", exact=True).wait_for(timeout=WAIT)
            shot(ben, "game-player-replaced")

            # Undo last round: back to round 1, month 0, its shock gone; the players see round 1.
            click(page, "Undo last round")
            status_shows(page, ".game-message", "Last round undone.")
            status_shows(page, ".console-status", "round 1 · deciding")
            assert "month 0 of" in console_text(page)
            page.wait_for_function("() => document.querySelectorAll('.console-shock').length === 0", timeout=WAIT)
            status_shows(ann, ".player-status", "USA · round 1")
            eu = next(r for r in roster(page) if r.startswith("eu "))
            assert eu.startswith("eu ai (empty seat)"), "who sits where is kept by an undo"
            shot(page, "game-console-undone")

            problems = [(p.errors, p.external) for p in pages]
            log = ROOT / "tests" / "artifacts" / f"game-server-{url.rsplit(':', 1)[1].strip('/')}.log"
            for p in pages:
                p.page.context.close()  # before the server stops, so no page sees it vanish
    finally:
        problems = close_pages(pages, problems)
    served = log.read_text(encoding="utf-8")
    assert "Traceback" not in served and "Exception" not in served, f"the server failed a render:\n{served}"
    for errors, external in problems:
        assert external == [], f"requests left the machine: {external}"
        assert errors == [], f"page errors: {errors}"
