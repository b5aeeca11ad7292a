"""Regenerate docs/img/dashboard.png: the dashboard in headless Chromium, five years into the
baseline with a 5 kt Chinese export quota on ore and oxides from 2026 set live, against the pinned
run without it.

Run: .venv/bin/python docs/make_dashboard_screenshot.py (needs Debian's chromium).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import dashboard_server, launch, month, offline_page, open_dashboard  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def advance(page, months: int) -> None:
    """Click Step until the status shows ``months``."""
    while (now := month(page)) < months:
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(
            "(n) => !document.querySelector('.run-status').innerText.startsWith('Month ' + n + ' ')", arg=now
        )


def main() -> None:
    """Drive the dashboard and save the screenshot."""
    with dashboard_server() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        watched = offline_page(browser)
        page = watched.page
        page.set_viewport_size({"width": 1600, "height": 1250})
        open_dashboard(watched, url)
        page.get_by_role("button", name="Run to end", exact=True).click()
        page.wait_for_function("() => document.querySelector('.run-status').innerText.startsWith('Month 360 ')")
        page.get_by_role("button", name="Pin as reference", exact=True).click()
        page.get_by_text("pinned:").wait_for()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function("() => document.querySelector('.run-status').innerText.startsWith('Month 0 ')")
        advance(page, 24)
        page.locator(".policy-panel .v-select").first.locator(".v-select__slot").click()
        page.locator(".v-menu__content.menuable__content__active .v-list-item").filter(has_text="china").first.click()
        page.get_by_label("Export quota on ore and oxides, kt REO/yr").fill("5")
        page.get_by_role("button", name="Set quota", exact=True).click()
        page.locator(".run-message").filter(has_text="in force").wait_for()
        advance(page, 60)
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
        page.wait_for_timeout(1500)
        out = ROOT / "docs" / "img" / "dashboard.png"
        page.screenshot(path=str(out))
        print(f"wrote {out}; page errors: {watched.errors or 'none'}; outside requests: {watched.external or 'none'}")
        browser.close()


if __name__ == "__main__":
    main()
