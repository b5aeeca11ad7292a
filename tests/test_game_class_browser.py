"""A class plays the game in headless Chromium (network cut off): the teacher's console and the
projector view, four phone-sized pages joining by the QR code's link, one reloading mid-round and
keeping its seat, a second join to a taken seat held for approval, a shock on every phone, a
consequence card on each, and the debrief's story. Plus what the class must not get: the teacher's
token on the projector, rooms created without the password.

Screenshots (phone 390x844, projector and console 1280x720) go to tests/artifacts/screenshots.
"""

from __future__ import annotations

import re

import pytest
from browser import game_server, offline_page, shot
from game_pages import WAIT, click, close_pages

PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1280, "height": 720}
PASSWORD = "tea-and-magnets"


def phone_join(watched, link: str, name: str, government: str | None = None) -> None:
    page = watched.page
    page.goto(link)
    page.get_by_label("Your name").wait_for(timeout=WAIT)
    page.get_by_label("Your name").fill(name)
    if government:
        page.get_by_label("Government (optional; a taken one makes you a team)").click(force=True)
        page.locator(".v-menu__content .v-list-item").filter(has_text=re.compile(f"^{government}$")).click()
    click(page, "Join")


def fits_the_phone(page) -> None:
    """The step shown fits one phone screen: no scrolling down (nor sideways)."""
    height, width = page.evaluate("() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
    assert height <= PHONE["height"] and width <= PHONE["width"], f"the page is {width}x{height} px"


def status(page) -> str:
    page.locator(".player-status").wait_for(timeout=WAIT)
    return page.locator(".player-status").inner_text()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("MARKETSIM_GAME_PASSWORD", PASSWORD)  # the server inherits it, as from --password


def test_a_class_plays_on_phones_with_a_console_and_a_projector(browser, tmp_path, password):
    pages = []

    def watched(size=SCREEN):
        page = offline_page(browser)
        page.page.set_viewport_size(size)
        pages.append(page)
        return page

    problems = None
    try:
        with game_server(tmp_path / "class.sqlite3") as (url, _):
            teacher = watched()
            console = teacher.page
            console.goto(url)
            # Room creation needs the password (the server was started with one).
            console.get_by_label("Facilitator password").wait_for(timeout=WAIT)
            assert console.locator(".create-room").count() == 0
            console.get_by_label("Facilitator password").fill("guess")
            click(console, "Unlock")
            console.locator(".game-error").filter(has_text="not the facilitator's password").wait_for(timeout=WAIT)
            console.get_by_label("Facilitator password").fill(PASSWORD)
            click(console, "Unlock")
            console.locator(".create-room").wait_for(timeout=WAIT)
            click(console, "Create room")
            console.locator(".join-code").wait_for(timeout=WAIT)
            code = console.locator(".join-code").inner_text().strip()
            console.locator(".lan-warning").wait_for(timeout=WAIT)  # 127.0.0.1: only this machine can join
            console.get_by_text("Facilitator token (to reopen").click()
            token = console.locator(".facilitator-token").inner_text().split("token ", 1)[1].strip()
            console.get_by_text("Facilitator token (to reopen").click()  # closed again before screenshots
            shot(console, "class-console-lobby-1280")

            # The projector: join code and QR code, and no secret anywhere in the page.
            projector = watched().page
            projector.goto(f"{url}projector?room={code}")
            projector.locator(".join-qr svg").wait_for(timeout=WAIT)
            link = projector.locator(".join-link").inner_text().strip()
            assert link == f"{url}join?code={code}"
            assert token not in projector.content()
            for secret in ("Inject shock", "Replace by AI", "Facilitator token", "Undo last round"):
                assert projector.get_by_text(secret).count() == 0
            shot(projector, "class-projector-lobby-1280")

            # Four phones open the QR code's link: three take empty governments, the fourth asks for a taken one.
            phones = [watched(PHONE) for _ in range(4)]
            for phone, name in zip(phones[:3], ("Ann", "Ben", "Cy"), strict=True):
                phone_join(phone, link, name)
                status(phone.page)
            shot(phones[0].page, "class-phone-briefing-390")
            fits_the_phone(phones[0].page)
            governments = [status(p.page).split(" ", 1)[0] for p in phones[:3]]
            assert sorted(governments) == ["EU", "JAPAN", "USA"]
            phone_join(phones[3], link, "Dee", "usa")
            phones[3].page.locator(".held-join").wait_for(timeout=WAIT)
            shot(phones[3].page, "class-phone-held-390")
            console.locator(".join-request").filter(has_text="Dee asks to join usa").wait_for(timeout=WAIT)
            shot(console, "class-console-request-1280")
            console.locator(".join-request").get_by_role("button", name="Admit").click()
            assert status(phones[3].page).startswith("USA · round 1")

            click(console, "Start")
            console.get_by_text("round 1 · deciding").wait_for(timeout=WAIT)
            for phone in phones:
                phone.page.get_by_text("decide now").wait_for(timeout=WAIT)

            # A phone reloads mid-round (or wakes from sleep): the browser brings it back to its seat.
            ann = phones[0].page
            before = status(ann)
            ann.reload()
            assert status(ann) == before

            # A shock reaches every phone as news.
            click(console, "Inject shock")
            console.locator(".console-shock").wait_for(timeout=WAIT)
            for phone in phones:
                phone.page.locator(".news").filter(has_text="Mine accident in CHINA").wait_for(timeout=WAIT)
            ann.get_by_role("button", name="Decide", exact=True).click()
            ann.locator(".decision-form").wait_for(timeout=WAIT)
            ann.get_by_role("button", name="Price floor", exact=True).click()
            ann.get_by_label("Price floor, US$/kg").fill("nan")
            ann.get_by_text("Type an ordinary number").wait_for(timeout=WAIT)
            ann.get_by_label("Price floor, US$/kg").fill("1e300")
            click(ann, "Add price floor")
            click(ann, "Submit decisions")
            ann.locator(".game-error").filter(has_text="A price floor of US$1e+300/kg is not possible").wait_for(
                timeout=WAIT
            )
            shot(ann, "class-phone-refused-390")
            click(ann, "Remove")
            ann.get_by_role("button", name="Stockpile", exact=True).click()
            click(ann, "Add stockpile order")
            click(ann, "Submit decisions")
            ann.locator(".game-message").filter(has_text="Submitted for round 1").wait_for(timeout=WAIT)
            shot(ann, "class-phone-decide-390")
            projector.locator(".projector-news").filter(has_text="Mine accident").wait_for(timeout=WAIT)

            # After the round, every phone gets its consequence card against the bot twin.
            click(console, "Advance 3 months")
            console.get_by_text("round 2 · deciding").wait_for(timeout=WAIT)
            for phone in phones:
                card = phone.page.locator(".consequence-card")
                card.filter(has_text="bot twin").wait_for(timeout=WAIT)
                assert phone.page.locator(".news").count() == 0  # last round's news is gone
            assert "Your stockpile" in ann.locator(".consequence-card").inner_text()
            shot(ann, "class-phone-card-390")
            fits_the_phone(ann)  # with the team line
            # Each step of a phone is one screen: the most important numbers first, the rest folded away.
            ben = phones[1].page
            ben.locator(".consequence-table").wait_for(timeout=WAIT)
            assert len(ben.locator(".consequence-table tbody tr").all()) == 4
            shot(ben, "class-phone-numbers-390")
            fits_the_phone(ben)
            ben.locator(".more-numbers summary").click()
            ben.locator(".own-prices").wait_for(timeout=WAIT)
            shot(ben, "class-phone-numbers-open-390")
            click(ben, "Show price chart")
            ben.locator(".js-plotly-plot").wait_for(timeout=WAIT)
            shot(ben, "class-phone-numbers-chart-390")
            for step in ("Briefing", "Decide"):
                click(ben, step)
                ben.locator(".briefing" if step == "Briefing" else ".decision-form").wait_for(timeout=WAIT)
                shot(ben, f"class-phone-{step.lower()}-round-2-390")
                fits_the_phone(ben)
            projector.locator(".projector-headlines table").first.wait_for(timeout=WAIT)
            assert token not in projector.content()
            shot(projector, "class-projector-game-1280")

            click(console, "Show debrief")
            console.locator(".debrief-narrative").wait_for(timeout=WAIT)
            story = console.locator(".debrief-narrative").inner_text()
            assert "The news: Mine accident in CHINA" in story and re.search(r"USA decided \d time", story)
            shot(console, "class-console-debrief-1280")
            problems = [(list(p.errors), list(p.external)) for p in pages]
    finally:
        problems = close_pages(pages, problems)
    for errors, external in problems:
        assert not [e for e in errors if "katex" not in e.lower()], errors
        assert external == []
