"""The classroom game end to end in headless Chromium, network cut off: a facilitator and three
players (one on a phone-sized screen) in their own browser contexts, a real ``marketsim game``
server on 127.0.0.1, killed mid-round and restarted on the same database.

Any page error, console error or request beyond 127.0.0.1 fails the test. Screenshots go to
tests/artifacts/screenshots.
"""

from __future__ import annotations

import re

import pytest
from browser import game_server, offline_page, shot
from game_pages import WAIT, click, close_pages, console_text, create_room, join, resume_console, roster

from marketsim.game import AuthError, GameServer

PHONE = {"width": 390, "height": 844}


def seated(page) -> list[str]:
    """Who plays each seat, without their statuses: the roster's names, e.g. ``Ann``."""
    return [re.sub(r" \([a-z]+\)", "", t) for t in page.locator(".roster-players").all_inner_texts()]


def key_of(page) -> str:
    """The player's key, as the browser keeps it (its local storage) to come back after a reload."""
    return page.evaluate("() => JSON.parse(window.localStorage.getItem('marketsim-game')).seat.token")


def submitted(page) -> None:
    page.locator(".game-message").filter(has_text="Submitted for round").wait_for(timeout=WAIT)


def test_a_game_in_four_browsers(browser, tmp_path):
    db = tmp_path / "games.sqlite3"
    pages = []
    problems = None  # errors seen, read before the last server stops

    def watched(**options):
        page = offline_page(browser, **options)
        pages.append(page)
        return page

    try:
        with game_server(db) as (url, _):
            boss = watched()
            page = boss.page
            code, link = create_room(page, url)
            assert len(code) == 6 and link == f"{url}join?code={code}"
            projector = watched().page  # the class's screen: the join code big, read from the back of the room
            projector.goto(f"{url}projector?room={code}")
            projector.locator(".join-code").wait_for(timeout=WAIT)
            size = projector.evaluate(
                "() => parseFloat(getComputedStyle(document.querySelector('.join-code')).fontSize)"
            )
            assert size >= 100, "the join code must be readable from the back of the room"
            projector.context.close()  # before the server goes later, so it does not see it vanish
            page.get_by_text("Facilitator token (to reopen").click()
            token = page.locator(".facilitator-token").inner_text().split("token ", 1)[1].strip()
            click(page, "Start")
            page.get_by_text("round 1 · deciding").wait_for(timeout=WAIT)
            shot(page, "game-console-lobby")

            players = [watched(), watched(), watched()]
            players[2].page.set_viewport_size(PHONE)
            regions = [join(p, link, name) for p, name in zip(players, ("Ann", "Ben", "Cy"), strict=True)]
            assert regions == ["usa", "eu", "japan"]
            ann, ben, cy = (p.page for p in players)
            click(ann, "Briefing")
            assert "You are the government of USA" in ann.locator(".briefing").inner_text()
            click(ann, "Decide")

            # Ann: a tariff on imports from China.
            click(ann, "Add tariff")
            click(ann, "Submit decisions")
            submitted(ann)
            # Ben: a price floor of zero is refused with the seam's message; then a subsidy.
            click(ben, "Price floor")
            ben.get_by_label("Price floor, US$/kg").fill("0")
            click(ben, "Add price floor")
            click(ben, "Submit decisions")
            refused = ben.locator(".game-error")
            refused.wait_for(timeout=WAIT)
            assert refused.inner_text().startswith("Refused. Decision 1: A price floor must be above zero.")
            shot(ben, "game-player-refused")
            click(ben, "Remove")
            click(ben, "Subsidy")
            click(ben, "Add subsidy")
            click(ben, "Submit decisions")
            submitted(ben)
            # Cy, on a phone: a stockpile order.
            click(cy, "Stockpile")
            click(cy, "Add stockpile order")
            click(cy, "Submit decisions")
            submitted(cy)
            width = cy.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 2, f"the phone page scrolls sideways ({width} px wide)"
            shot(cy, "game-player-phone")
            keys = {"usa": key_of(ann), "eu": key_of(ben)}

            # The facilitator sees three submissions, advances; everyone sees round 2 and results.
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.roster-status'))"
                ".filter(e => e.innerText === 'submitted').length === 3",
                timeout=WAIT,
            )
            click(page, "Advance 3 months")
            page.get_by_text("round 2 · deciding").wait_for(timeout=WAIT)
            for player in (ann, ben, cy):
                player.locator(".player-status").filter(has_text="round 2").wait_for(timeout=WAIT)
                player.locator(".consequence-table").wait_for(timeout=WAIT)
            ann.locator(".more-numbers summary").click()  # the rest of the numbers, folded on a phone
            assert "your price" in ann.locator(".own-prices").inner_text()
            shot(ann, "game-player-round-2")

            # A decision forged with another player's token is refused by the engine.
            other = GameServer(db)
            try:
                (room_id,) = [r["room"] for r in other.rooms() if r["join_code"] == code]
                room = other.room(room_id)
                with pytest.raises(AuthError):
                    room.submit(keys["usa"], [{"type": "tariff", "importer": "eu", "rate": 0.5}], region="eu")
                with pytest.raises(AuthError):
                    room.submit("forged-token", [])
            finally:
                other.close()

            # Debrief: charts with the bot twin, the scorecards, and the HTML download.
            click(page, "Show debrief")
            page.wait_for_function(
                "() => (document.querySelector('.chart-debrief-price .js-plotly-plot')?.data || [])"
                ".some(t => t.name.includes('(bot twin)'))",
                timeout=WAIT,
            )
            labels = page.evaluate(
                "() => (document.querySelector('.chart-debrief-price .js-plotly-plot').layout.annotations || [])"
                ".map(a => `${a.text} ${a.hovertext || ''}`)"
            )
            # The three decisions of one month share one tag, its label in the hover text (labels no longer stack).
            assert any("+2" in str(text) for text in labels), f"one label for a month's decisions: {labels}"
            assert "usa" in page.locator(".debrief-scores").inner_text()
            assert "tariff" in page.locator(".debrief-decisions").inner_text()
            shot(page, "game-console-debrief")
            with page.expect_download(timeout=WAIT) as download:
                click(page, "Download debrief (HTML)")
            report = open(download.value.path(), encoding="utf-8").read()
            assert "<table class='decisions'>" in report and "Plotly.newPlot" in report and "<script src=" not in report
            viewer = watched()
            viewer.page.set_content(report)
            viewer.page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=WAIT
            )
            shot(viewer.page, "game-debrief-report")
            click(page, "Hide debrief")

            # Mid-round: Ann changes her mind in round 2, then the server dies.
            click(ann, "Decide")  # a new round opens on "My numbers"
            ann.locator(".decision-form").wait_for(timeout=WAIT)
            click(ann, "Add tariff")
            click(ann, "Submit decisions")
            submitted(ann)
            before = seated(page)
            round_before = console_text(page).split(" · ")[1]
            for open_page in (*players, boss, viewer):
                open_page.page.context.close()  # before the server goes, so no page sees it vanish
        # Restarted on the same database: the console, resumed with code and token, is where it was.
        with game_server(db) as (url, _):
            again = watched()
            page = again.page
            resume_console(page, url, code.lower(), token)
            assert console_text(page).split(" · ")[1] == round_before == "round 2"
            assert seated(page) == before == ["Ann", "Ben", "Cy"]
            after = roster(page)
            assert after[0].startswith("usa submitted Ann (submitted)")
            shot(page, "game-console-after-restart")
            problems = [(p.errors, p.external) for p in pages]
            page.context.close()  # before the server stops, so the page does not see it vanish
    finally:
        problems = close_pages(pages, problems)
    for errors, external in problems:
        assert external == [], f"requests left the machine: {external}"
        assert errors == [], f"page errors: {errors}"
