"""A game file end to end in headless Chromium, network cut off: a round is played on one
``marketsim game`` server, its game file downloaded from the console, and opened on the home page
of a second server with its own database, where it replays to the same round, digest and debrief.
Damaged files (dropped on the drop zone, or chosen with the button) are refused with a message.

Any page error, console error or request beyond 127.0.0.1 fails the test. Screenshots go to
tests/artifacts/screenshots.
"""

from __future__ import annotations

import json

from browser import ROOT, game_server, offline_page, shot
from game_pages import WAIT, click, close_pages, console_text, create_room, join

from marketsim.game import GameServer
from marketsim.game.replay import state_digest


def choose_file(page, path) -> None:
    """Open a file with the home page's "Choose game file" button."""
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_role("button", name="Choose game file").click()
    chooser.value.set_files(str(path))


def drop_file(page, path) -> None:
    """Drop a file on the home page's drop zone, as if dragged from the desktop (Chromium's own
    drag events: a scripted DataTransfer has no file entries)."""
    zone = page.locator(".open-game-file .solara-file-drop")
    box = zone.bounding_box()
    where = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    data = {"items": [], "files": [str(path)], "dragOperationsMask": 1}
    cdp = page.context.new_cdp_session(page)
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, **where, "data": data})
    cdp.detach()


def debrief_scores(page) -> str:
    click(page, "Show debrief")
    page.locator(".debrief-scores").wait_for(timeout=WAIT)
    return page.locator(".debrief-scores").inner_text()


def server_log(url: str) -> str:
    return (ROOT / "tests" / "artifacts" / f"game-server-{url.rsplit(':', 1)[1].strip('/')}.log").read_text()


def test_a_game_file_moves_to_another_server(browser, tmp_path):
    pages, problems, logs = [], None, []

    def watched():
        page = offline_page(browser)
        pages.append(page)
        return page

    try:
        # Server one: a round with a player's tariff, then the game file from the console.
        with game_server(tmp_path / "first.sqlite3") as (url, _):
            page = watched().page
            code, link = create_room(page, url)
            click(page, "Start")
            page.get_by_text("round 1 · deciding").wait_for(timeout=WAIT)
            ann = watched().page
            assert join(pages[-1], link, "Ann") == "usa"
            click(ann, "Add tariff")
            click(ann, "Submit decisions")
            ann.locator(".game-message").filter(has_text="Submitted for round 1").wait_for(timeout=WAIT)
            click(page, "Advance 3 months")
            page.get_by_text("round 2 · deciding").wait_for(timeout=WAIT)
            before = console_text(page)
            scores = debrief_scores(page)
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=WAIT)
            shot(page, "game-file-download")
            with page.expect_download(timeout=WAIT) as download:
                click(page, "Download game file")
            assert download.value.suggested_filename == f"marketsim-game-{code}.json"
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            for p in pages:
                p.page.context.close()  # before the server stops, so no page sees it vanish
            logs.append(server_log(url))
        text = saved.read_text(encoding="utf-8")
        data = json.loads(text)
        assert text.startswith('{\n  "format": "marketsim-game/1"') and data["tick"] == 3
        original = GameServer(tmp_path / "first.sqlite3")
        try:
            (room,) = original.rooms()
            assert state_digest(original.room(room["room"]).state.model) == data["digest"]
        finally:
            original.close()
        cut = tmp_path / "cut.json"
        cut.write_text(text[: len(text) // 2], encoding="utf-8")
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps({**data, "seed": data["seed"] + 1}), encoding="utf-8")

        # Server two, its own database: damaged files are refused; the game file reopens the game.
        second = tmp_path / "second.sqlite3"
        with game_server(second) as (url, _):
            page = watched().page
            page.goto(url)
            page.locator(".open-game-file").wait_for(timeout=WAIT)
            drop_file(page, cut)
            error = page.locator(".open-file-error")
            error.filter(has_text="cut.json: this is not a game file: not valid JSON").wait_for(timeout=WAIT)
            choose_file(page, broken)
            error.filter(
                has_text="broken.json: this game file was not opened: the export does not replay to its recorded result"
            ).wait_for(timeout=WAIT)
            assert page.locator(".console-status").count() == 0
            shot(page, "game-file-refused")
            drop_file(page, saved)  # (the button's way in is tested in process: tests/test_game_files.py)
            page.locator(".console-status").wait_for(timeout=WAIT)
            after = console_text(page)
            new_code = page.locator(".join-code").inner_text().strip()
            assert new_code != code and after.replace(new_code, code).split(" · ")[:5] == before.split(" · ")[:5]
            assert " · round 2 · deciding · " in after and "month 3 of" in after
            notice = page.locator(".opened-file").inner_text()
            assert notice.startswith(f"Opened {saved.name} as a new room, code {new_code}.")
            page.get_by_text("Facilitator token (to reopen").click()  # the new token: in the closed panel only
            token = page.locator(".facilitator-token").inner_text().split("token ", 1)[1].strip()
            page.wait_for_function(
                "() => document.querySelectorAll('.chart-card .js-plotly-plot').length >= 2", timeout=WAIT
            )
            shot(page, "game-file-opened")
            assert debrief_scores(page) == scores, "the reopened game's debrief differs"
            # The new token reopens the console from another browser.
            other = watched().page
            other.goto(url)
            other.locator(".resume-console").wait_for(timeout=WAIT)
            other.get_by_label("Room code").fill(new_code)
            other.get_by_label("Facilitator token").fill(token)
            click(other, "Resume console")
            other.locator(".console-status").filter(has_text="round 2 · deciding").wait_for(timeout=WAIT)
            reopened = GameServer(second)
            try:
                (room,) = reopened.rooms()
                assert room["join_code"] == new_code
                assert state_digest(reopened.room(room["room"]).state.model) == data["digest"]
            finally:
                reopened.close()
            problems = [(p.errors, p.external) for p in pages]
            for p in pages:
                if not p.page.is_closed():
                    p.page.context.close()
            logs.append(server_log(url))
    finally:
        problems = close_pages(pages, problems)
    for served in logs:
        assert "Traceback" not in served and "Exception" not in served, f"the server failed a render:\n{served}"
    for errors, external in problems:
        assert external == [], f"requests left the machine: {external}"
        assert errors == [], f"page errors: {errors}"


def test_a_file_too_large_chosen_with_the_button_is_refused_before_it_is_sent(browser, tmp_path):
    """A 33 MB file does not fit in one websocket message: the page checks its size and sends only
    its name and size, and the connection stays up (the next file chosen gets its own answer)."""
    huge = tmp_path / "huge.json"
    huge.write_bytes(b"{" + b" " * (33 * 2**20) + b"}")
    cut = tmp_path / "cut.json"
    cut.write_text('{"format": "marketsim-game/1", ', encoding="utf-8")
    watched = offline_page(browser)
    try:
        with game_server(tmp_path / "games.sqlite3") as (url, _):
            page = watched.page
            page.add_init_script(
                "window.__sockets = 0; const W = window.WebSocket; window.WebSocket = "
                "function (...a) { window.__sockets += 1; return new W(...a); }; "
                "Object.assign(window.WebSocket, W); window.WebSocket.prototype = W.prototype;"
            )
            page.goto(url)
            page.locator(".open-game-file").wait_for(timeout=WAIT)
            choose_file(page, huge)
            error = page.locator(".open-file-error")
            error.filter(
                has_text="huge.json: this file is too large for a game file (33.0 MB; at most 20 MB): it was not"
            ).wait_for(timeout=WAIT)
            choose_file(page, cut)
            error.filter(has_text="cut.json: this is not a game file: not valid JSON").wait_for(timeout=WAIT)
            assert page.evaluate("() => window.__sockets") == 1, "the page lost its connection"
            shot(page, "game-file-too-large")
            problems = (watched.errors, watched.external)
            page.context.close()
            served = server_log(url)
    finally:
        close_pages([watched])
    assert "Traceback" not in served and "Exception" not in served, f"the server failed:\n{served}"
    assert problems == ([], []), f"page errors or requests beyond this machine: {problems}"
