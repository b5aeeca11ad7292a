"""Dashboard latency in headless Chromium, against a real ``marketsim app`` server on 127.0.0.1.

Prints:
- change-to-redraw: with "Run to the end after each policy change" on, from the click on a policy
  change at month 0 until the status shows the last month and every time chart holds all 360
  months (30 years re-simulated, all charts redrawn in the browser);
- play: months shown per second (and frames per second: months / months per frame) while playing,
  at each speed setting (the default is 3 months per frame).

Run: .venv/bin/python benchmarks/bench_app.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import dashboard_server, launch, month, offline_page, open_dashboard
from playwright.sync_api import sync_playwright

ALL_DRAWN = """(months) => {
  const status = document.querySelector('.run-status')?.innerText || '';
  if (!status.startsWith('Month ' + months + ' of')) return false;
  const timed = ['prices', 'shares', 'shortages', 'stockpiles'];
  return timed.every(name => {
    const plot = document.querySelector(`.chart-${name} .js-plotly-plot`);
    return plot && plot.data && plot.data.length && plot.data[0].x.length === months;
  });
}"""


def click(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def change_to_redraw(page, months: int) -> float:
    """Seconds from a policy change at month 0 to every chart showing the whole run."""
    click(page, "Reset")
    page.wait_for_function("() => (document.querySelector('.run-status')?.innerText || '').startsWith('Month 0 of')")
    started = time.perf_counter()
    click(page, "Apply tariff")
    page.wait_for_function(ALL_DRAWN, arg=months, timeout=60_000, polling="raf")
    return time.perf_counter() - started


def play_rate(page, speed: int, seconds: float = 4.0) -> float:
    """Months shown per second while playing at a speed (each frame advances ``speed`` months)."""
    click(page, "Reset")
    page.wait_for_function("() => (document.querySelector('.run-status')?.innerText || '').startsWith('Month 0 of')")
    slider = page.locator(".v-slider").first
    slider.click()  # focus; then set the value with the keyboard
    page.keyboard.press("Home")
    for _ in range(speed - 1):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    click(page, "Play")
    page.wait_for_function(
        "() => !(document.querySelector('.run-status')?.innerText || '').startsWith('Month 0 of')", timeout=30_000
    )
    first, started = month(page), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    last, elapsed = month(page), time.perf_counter() - started
    click(page, "Pause")
    return (last - first) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with dashboard_server() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        watched = offline_page(browser)
        page = watched.page
        open_dashboard(watched, url)
        months = int(page.locator(".run-status").inner_text().split(" of ", 1)[1].split(" ", 1)[0])
        page.get_by_label("Run to the end after each policy change").check(force=True)
        change_to_redraw(page, months)  # warm-up
        latencies = [change_to_redraw(page, months) for _ in range(args.repeats)]
        print(
            f"change -> {months // 12} years re-simulated -> all charts redrawn in Chromium "
            f"({args.repeats} runs): best {min(latencies):.3f} s, median {statistics.median(latencies):.3f} s, "
            f"worst {max(latencies):.3f} s"
        )
        page.get_by_label("Run to the end after each policy change").uncheck(force=True)
        for speed in (1, 3, 6):
            shown = play_rate(page, speed)
            print(f"play at {speed} month(s) per frame: {shown:.1f} months/s shown, {shown / speed:.1f} frames/s")
        if watched.errors or watched.external:
            print(f"page errors: {watched.errors}; outside requests: {watched.external}")
        browser.close()


if __name__ == "__main__":
    main()
