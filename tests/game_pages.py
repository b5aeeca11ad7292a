"""Reading and driving the classroom game's pages in browser tests."""

from __future__ import annotations

from pathlib import Path

from browser import offline_page

from marketsim.game import GameServer

WAIT = 90_000


def click(page, label: str) -> None:
    """Click the button with exactly this label."""
    page.get_by_role("button", name=label, exact=True).click()


def console_text(page) -> str:
    """The facilitator console's status line."""
    return page.locator(".console-status").inner_text()


def roster(page) -> list[str]:
    """The console's roster rows, whitespace collapsed."""
    return [" ".join(t.split()) for t in page.locator(".roster-row").all_inner_texts()]


def join(watched, link: str, name: str) -> str:
    """Open the join link, check it filled in the code, join as ``name`` and open the "Decide" step;
    returns the government given."""
    page = watched.page
    page.goto(link)
    page.get_by_label("Your name").wait_for(timeout=WAIT)
    assert page.get_by_label("Join code").input_value() == link.rsplit("=", 1)[1]
    page.get_by_label("Your name").fill(name)
    click(page, "Join")
    page.locator(".player-status").wait_for(timeout=WAIT)
    click(page, "Decide")  # the decision form (the page shows one step at a time)
    return page.locator(".player-status").inner_text().split(" ", 1)[0].lower()


def create_room(page, url: str) -> tuple[str, str]:
    """On the facilitator page at ``url``, create a room with the default settings; returns its
    join code and join link (the room is still in the lobby)."""
    page.goto(url)
    page.locator(".create-room").wait_for(timeout=WAIT)
    click(page, "Create room")
    page.locator(".join-code").wait_for(timeout=WAIT)
    return page.locator(".join-code").inner_text().strip(), page.locator(".join-link").inner_text().strip()


def started_room(db: Path, text: str, regions: tuple[str, ...] = ("usa", "japan")):
    """Create a room from scenario ``text`` in the game database ``db`` and start it (no server
    running); returns the created room (its id, join code and facilitator token)."""
    game = GameServer(db)
    created = game.create_room(text, "small.toml", 5, list(regions))
    game.room(created.room_id).start(created.facilitator_token)
    game.close()
    return created


def console_page(browser, url: str, created, pages: list):
    """A new watched page (appended to ``pages``) on the resumed console of room ``created``."""
    boss = offline_page(browser)
    pages.append(boss)
    resume_console(boss.page, url, created.join_code, created.facilitator_token)
    return boss.page


def resume_console(page, url: str, code: str, token: str) -> None:
    """Open the facilitator page at ``url`` and resume the console of room ``code`` with its
    facilitator ``token`` (waits for the console's status line)."""
    page.goto(url)
    page.locator(".resume-console").wait_for(timeout=WAIT)
    page.get_by_label("Room code").fill(code)
    page.get_by_label("Facilitator token").fill(token)
    click(page, "Resume console")
    page.locator(".console-status").wait_for(timeout=WAIT)


def close_pages(pages: list, problems: list | None = None) -> list[tuple[list, list]]:
    """Close every watched page's context; returns ``problems`` or, if None, each page's
    (errors, requests beyond this machine) read now."""
    if problems is None:
        problems = [(p.errors, p.external) for p in pages]
    for p in pages:
        if not p.page.is_closed():
            p.page.context.close()
    return problems


def assert_no_page_problems(problems: list[tuple[list, list]]) -> None:
    """No page had an error or sent a request beyond this machine (``problems`` as from :func:`close_pages`)."""
    for errors, external in problems:
        assert external == [], f"requests left the machine: {external}"
        assert errors == [], f"page errors: {errors}"
