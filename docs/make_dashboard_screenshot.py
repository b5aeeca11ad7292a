"""Regenerate docs/img/dashboard.png: the dashboard in headless Chromium with China's 5 kt export quota
on ore and oxides from 2026, drawn against its no-change twin.

With ``--walkthrough``, follow docs/workshop.md step by step at 1280x720 and 1440x900 and save a
screenshot of every step in tests/artifacts/screenshots/ (workshop-<width>-<step>.png).

Run: .venv/bin/python docs/make_dashboard_screenshot.py [--walkthrough] (needs Debian's chromium).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from app_page import apply_quota, click, open_app, sized_page, wait_status  # noqa: E402
from browser import SHOTS, dashboard_server, launch  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

REST_ARRIVED = "() => !(document.querySelector('.run-status')?.innerText || '').includes('the rest follows')"
"""After a change the years after it show at once; this holds once the rest of the run has arrived."""


def walkthrough(browser, url: str, width: int, height: int) -> list[str]:
    """Follow docs/workshop.md; returns the screenshots taken and how long each step took."""
    watched = sized_page(browser, width, height)
    page = watched.page
    started = time.perf_counter()
    open_app(watched, url)
    taken = []

    def snap(step: str) -> None:
        path = SHOTS / f"workshop-{width}-{step}.png"
        page.screenshot(path=str(path))
        taken.append(f"{path.name} at {time.perf_counter() - started:.1f} s")

    SHOTS.mkdir(parents=True, exist_ok=True)
    snap("0-no-policy")
    apply_quota(page, "china", "5")
    wait_status(page, "live changes 1")
    page.wait_for_function(REST_ARRIVED, timeout=60_000)
    page.wait_for_timeout(1500)
    snap("1-china-restricts")
    page.locator(".chart-prices").scroll_into_view_if_needed()
    snap("2-two-tiers-and-dependency")
    page.locator(".changes").scroll_into_view_if_needed()
    page.locator(".change-row .v-input--switch").first.click()
    wait_status(page, "live changes 0")
    snap("3-switched-off")
    page.locator(".change-row .v-input--switch").first.click()
    wait_status(page, "live changes 1")
    click(page, "Replay last change")
    page.wait_for_timeout(1500)
    snap("4-replay")
    click(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.get_by_label("Presenter mode").check(force=True)
    page.wait_for_function("() => document.querySelectorAll('.chart-card').length === 2", timeout=60_000)
    page.wait_for_timeout(2000)
    snap("5-presenter")
    assert not watched.errors and not watched.external, (watched.errors, watched.external)
    page.context.close()
    return taken


def picture(browser, url: str) -> Path:
    """The README's picture: the quota against its twin, the whole run shown."""
    watched = sized_page(browser, 1440, 900)
    page = watched.page
    open_app(watched, url)
    apply_quota(page, "china", "5")
    wait_status(page, "live changes 1")
    page.wait_for_function(REST_ARRIVED, timeout=60_000)
    page.wait_for_timeout(2000)
    out = ROOT / "docs" / "img" / "dashboard.png"
    page.screenshot(path=str(out))
    page.context.close()
    return out


def main() -> None:
    """Drive the dashboard and save the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walkthrough", action="store_true", help="follow docs/workshop.md at two sizes")
    args = parser.parse_args()
    with dashboard_server() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        if args.walkthrough:
            for width, height in ((1280, 720), (1440, 900)):
                print("\n".join(walkthrough(browser, url, width, height)))
        else:
            print(f"wrote {picture(browser, url)}")
        browser.close()


if __name__ == "__main__":
    main()
