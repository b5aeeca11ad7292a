"""Dashboard latency in headless Chromium, against a real ``marketsim app`` server on 127.0.0.1.

Prints:
- change-to-first-shown: from the click on a policy change starting in a given month until the
  status counts it and every time chart in the window (1500x1000) shows the change tagged and
  this run's lines past its month (the run re-simulated from a snapshot for the first years
  after the change, its twin drawn); the rest of the run follows in the background, and charts
  off screen wait for it (the page draws the charts in view first);
- change-to-redraw: until every time chart shows the whole run with the change (the rest
  arrived), best, median and worst of ``--repeats`` changes per month (each a US tariff at
  another rate, so every change moves the lines and the browser gets new data);
- times are counted from the click the page got (a listener on the document); the first-shown
  is also given from Playwright's click call, which first finds the button among the page's
  and waits until it is visible and stable (tens of ms, more on a loaded machine);
- the split of the first-shown: in the server until its reply starts (read off the page's
  websocket: the reply is what arrives after the longest silence), then transfer and drawing in
  the browser until the charts in the window show the change, and the size of the reply;
- the CPU seconds a change costs the server (process group) and Chromium until the whole run is
  drawn, read from /proc: on a loaded machine wall-clock times grow with the load, these do not;
- where the server's time goes, measured in this process for the same change (wall and CPU
  seconds): the model re-run, deriving the metrics the page shows (reading the runs, views,
  headline), building the figures, and turning them into JSON for the browser; then a click on
  the page rendered in this process without a browser, split into exclusive parts (the model's
  months, snapshots restored and taken, deriving, figures, JSON, Solara's render of the page:
  ``app_parts.py``);
- play: months shown per second and frames per second while playing (the run is already
  simulated; a frame shows ``speed`` more months).

Run: .venv/bin/python benchmarks/bench_app.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_page import choose, click, open_app, sized_page
from app_parts import click_parts, server_parts
from browser import cli_server, launch, month
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from processes import cpu_seconds, group_rss_mb

from marketsim.vocabulary import month_index, month_label

WEBSOCKET_LOG = """
window.marketsimLog = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  socket.addEventListener('message', (event) => {
    const size = typeof event.data === 'string' ? event.data.length : (event.data.byteLength || event.data.size || 0);
    window.marketsimLog.push([performance.now(), size]);
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, Native);
document.addEventListener('click', () => { window.marketsimClicked = performance.now(); }, true);
"""
"""Logs the time and size of every websocket message the page receives, and the time of the last
click the page got (Playwright's click first finds the button and waits until it is stable and
in view: tens of ms before the page sees the click)."""
CHARTS_DRAWN = """([months, changes, inView]) => {
  const status = document.querySelector('.run-status')?.innerText || '';
  const counted = status.match(/live changes (\\d+)/);
  if (!counted || Number(counted[1]) !== changes) return false;
  const seen = (name) => {
    const box = document.querySelector(`.chart-${name} .js-plotly-plot`)?.getBoundingClientRect();
    return box && box.bottom > 0 && box.top < window.innerHeight;
  };
  const timed = ['prices', 'importers', 'shares', 'shortages', 'stockpiles'].filter(name => !inView || seen(name));
  const done = timed.every(name => {
    const plot = document.querySelector(`.chart-${name} .js-plotly-plot`);
    return plot && plot.data && plot.data.length && plot.data[0].x.length COMPARED months
      && (plot.layout.annotations || []).length === changes;
  });
  if (done) window.marketsimDrawn = performance.now();
  return done;
}"""
FIRST_SHOWN = CHARTS_DRAWN.replace("COMPARED", ">")
"""True once the timed charts (given ``inView``: those whose plot is in the window, as the page
sees them) show the given number of changes and go past the given month; the page's time then is
kept in ``window.marketsimDrawn`` (the check runs in the page every frame: that time is when the
page shows it, not when this process hears of it, tens of ms later on a loaded machine)."""
ALL_DRAWN = CHARTS_DRAWN.replace("COMPARED", "===")
"""True once the timed charts show the given number of changes and exactly the given months."""


def set_start(page, tick: int, first: str) -> None:
    """Move the 'Starts in' slider to a month of the run with the keyboard (``first``: the run's
    first month, ``YYYY-MM``), and wait until the page shows it (the keys are rendered one by
    one: a click before they are done waits for them)."""
    page.locator(".start-month .v-slider__thumb-container").first.focus()  # not a click: that sets a value
    page.keyboard.press("Home")
    for _ in range(tick):
        page.keyboard.press("ArrowRight")
    when = month_label(month_index(first) + tick)
    page.locator(".start-month").filter(has_text=f"Starts in {when}").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.locator(".start-month").filter(has_text=f"Starts in {when}").wait_for(timeout=1000)


def set_rate(page, percent: int) -> None:
    """Set the tariff slider to ``percent`` (a click on it, then the keyboard), so the next change
    is another tariff."""
    page.locator(".tariff-rate .v-slider").first.click()
    page.keyboard.press("Home")
    for _ in range(percent):
        page.keyboard.press("ArrowRight")
    page.locator(".tariff-rate").filter(has_text=f"Tariff on imports: {percent} %").wait_for(timeout=30_000)


APP = ["app", "--scenario", "configs/baseline_2024.toml"]
"""The dashboard server's command line."""


def change_to_redraw(page, months: int, tick: int, changes: int, server: int) -> tuple[float, ...]:
    """A click on a policy change until the time charts in the window show its first years (charts
    off screen wait for the whole run): seconds in all, in the server (until its reply starts), in
    transfer and drawing, and bytes of the reply; seconds from the click until every chart shows
    the whole run with it; seconds until the charts in the window show its first years (the same
    as the first); bytes received from the click until the whole run is drawn; CPU seconds of the
    server and of Chromium over that time; seconds until the first years are shown counted from
    Playwright's click call (its search for the button and its waits included); seconds until this
    process hears the first years are shown (as earlier versions of this benchmark counted). The
    others are counted from the click the page got, until the page's check finds them drawn."""
    page.evaluate("() => { window.marketsimLog = []; }")
    before = cpu_seconds(server)
    called = page.evaluate("() => performance.now()")
    click(page, "Apply tariff")
    page.wait_for_function(FIRST_SHOWN, arg=[tick, changes, True], timeout=120_000, polling="raf")
    shown = in_view = page.evaluate("() => window.marketsimDrawn")
    heard = page.evaluate("() => performance.now()")
    clicked = page.evaluate("() => window.marketsimClicked")
    # polled every 100 ms, not every frame: a check forces a layout of the page, and seconds of
    # them counted in Chromium's CPU (the rest of the run takes seconds to arrive)
    page.wait_for_function(ALL_DRAWN, arg=[months, changes, False], timeout=120_000, polling=100)
    drawn = page.evaluate("() => window.marketsimDrawn")
    after = cpu_seconds(server)
    every = [(t, n) for t, n in page.evaluate("() => window.marketsimLog") if clicked <= t <= drawn]
    log = [(t, n) for t, n in every if t <= shown]
    times = [clicked] + [t for t, _ in log]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    reply = times[gaps.index(max(gaps)) + 1] if gaps else shown
    size = sum(n for t, n in log if t >= reply)
    return (
        (shown - clicked) / 1000,
        (reply - clicked) / 1000,
        (shown - reply) / 1000,
        size,
        (drawn - clicked) / 1000,
        (in_view - clicked) / 1000,
        sum(n for _, n in every),
        after[0] - before[0],
        after[1] - before[1],
        (shown - called) / 1000,
        (heard - clicked) / 1000,
    )


def browser_latencies(page, months: int, first: str, tick: int, repeats: int, server: int) -> list[tuple[float, ...]]:
    """Latencies of ``repeats`` tariff changes (each at another rate) starting in month ``tick``
    (after a warm-up) of a run of ``months`` from month ``first``."""
    click(page, "Reset")
    page.wait_for_function(ALL_DRAWN, arg=[months, 0, False], timeout=120_000)
    choose(page, "Government", "usa")
    set_start(page, tick, first)
    set_rate(page, 25)
    change_to_redraw(page, months, tick, 1, server)  # warm-up
    measured = []
    for k in range(repeats):
        set_rate(page, 26 + k)
        measured.append(change_to_redraw(page, months, tick, k + 2, server))
    return measured


def play_rate(page, speed: int, seconds: float = 4.0) -> float:
    """Months shown per second while playing at a speed (each frame shows ``speed`` more months)."""
    page.locator(".timeline .v-slider").first.click()
    page.keyboard.press("Home")
    for _ in range(speed - 1):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    click(page, "Reset")  # stopped, every month shown
    page.wait_for_function(r"() => /^Month (\d+) of \1 /.test(document.querySelector('.run-status')?.innerText || '')")
    page.wait_for_timeout(500)
    click(page, "Play from start")
    page.wait_for_function(
        r"() => { const m = (document.querySelector('.run-status')?.innerText || '').match(/Month (\d+)/);"
        " return m && Number(m[1]) > 0 && Number(m[1]) < 100; }",
        timeout=30_000,
    )
    first, started = month(page), time.perf_counter()
    last, shown_at = first, started
    while time.perf_counter() - started < seconds and "pause" in page.locator(".timeline").inner_text().lower():
        page.wait_for_timeout(100)  # poll: a fast play reaches the horizon and stops before the window ends
        now = month(page)
        if now != last:
            last, shown_at = now, time.perf_counter()
    pause = page.get_by_role("button", name="Pause", exact=True)
    if pause.count() and pause.is_enabled():
        try:
            pause.click(timeout=5_000)
        except PlaywrightTimeout:  # the run reached its end meanwhile: the button turned to Play
            pass
    return (last - first) / max(shown_at - started, 1e-9)


def memory(tabs: int = 10) -> None:
    """Server memory with ``tabs`` sessions opened (each makes a change), then closed."""
    os.environ.setdefault("MARKETSIM_SESSION_TIMEOUT", "5s")
    with cli_server(APP) as (url, server), sync_playwright() as pw:
        browser = launch(pw)
        first = sized_page(browser, 1280, 720)
        open_app(first, url)
        first.page.close(run_before_unload=True)
        time.sleep(8)
        gc_rss = group_rss_mb(server.pid)
        print(f"server after one session opened and closed: {gc_rss:.0f} MB")
        pages = []
        for _ in range(tabs):
            watched = sized_page(browser, 1280, 720)
            open_app(watched, url)
            click(watched.page, "Apply tariff")
            watched.page.wait_for_function(ALL_DRAWN, arg=[360, 1, False], timeout=120_000)
            pages.append(watched)
        opened = group_rss_mb(server.pid)
        for watched in pages:
            watched.page.close(run_before_unload=True)
            watched.page.context.close()
        time.sleep(15)
        closed = group_rss_mb(server.pid)
        print(
            f"server with {tabs} sessions open, each with one change: {opened:.0f} MB "
            f"(+{(opened - gc_rss) / tabs:.1f} MB a session); 15 s after closing them: {closed:.0f} MB "
            f"(+{closed - gc_rss:.0f} MB kept)"
        )
        browser.close()


def print_click_parts(tick: int, repeats: int) -> None:
    """Print where the time of a click goes in the server (see ``app_parts.click_parts``)."""
    print(f"in process, a click on 'Apply tariff' in the page rendered without a browser, change in month {tick}:")
    for name, (median, best, cpu) in click_parts(tick, repeats).items():
        print(f"  {name}: median {median:.4f} s (best {best:.4f} s, CPU {cpu:.4f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--months", type=int, nargs="*", default=[24, 180], help="months a change starts in")
    parser.add_argument("--memory", action="store_true", help="only measure server memory with 10 tabs")
    args = parser.parse_args()
    if args.memory:
        memory()
        return
    with cli_server(APP) as (url, server), sync_playwright() as playwright:
        browser = launch(playwright)
        watched = sized_page(browser, 1500, 1000)
        page = watched.page
        page.add_init_script(WEBSOCKET_LOG)
        open_app(watched, url)
        status = page.locator(".run-status").inner_text()
        months = int(status.split(" of ", 1)[1].split(" ", 1)[0])
        first = month_label(month_index(status.split("shown to: ", 1)[1][:7]) - months + 1)
        for tick in args.months:
            measured = browser_latencies(page, months, first, tick, args.repeats, server.pid)
            for name, latencies in (
                ("first years shown: the time charts in the window", [m[5] for m in measured]),
                ("whole run: all charts", [m[4] for m in measured]),
            ):
                print(
                    f"change in month {tick} -> {(months - tick) / 12:.0f} years re-simulated -> {name} "
                    f"redrawn in Chromium ({args.repeats} runs): best {min(latencies):.3f} s, "
                    f"median {statistics.median(latencies):.3f} s, worst {max(latencies):.3f} s"
                )
            print(
                "  first years shown as this process hears of it (a round trip to the page later; earlier versions "
                f"of this benchmark counted so): median {statistics.median(m[10] for m in measured):.3f} s"
            )
            print(
                "  first years shown counted from Playwright's click call (its search for the button and its waits "
                f"for a stable, visible button included): median {statistics.median(m[9] for m in measured):.3f} s"
            )
            print(
                "  split of the first years shown (medians): server until its reply "
                f"{statistics.median(m[1] for m in measured):.3f} s, "
                f"transfer and drawing in the browser {statistics.median(m[2] for m in measured):.3f} s, "
                f"reply {statistics.median(m[3] for m in measured) / 1e3:.0f} kB; "
                f"received in all until the whole run is drawn {statistics.median(m[6] for m in measured) / 1e3:.0f} kB"
            )
            print(
                "  CPU seconds a change cost until the whole run is drawn (medians, whatever the load): server "
                f"{statistics.median(m[7] for m in measured):.3f} (the rest of the run included), Chromium "
                f"{statistics.median(m[8] for m in measured):.3f} (the page's polling from this benchmark included)"
            )
        for speed in (1, 3, 6):
            shown = play_rate(page, speed)
            print(f"play at {speed} month(s) per frame: {shown:.1f} months/s shown, {shown / speed:.1f} frames/s")
        if watched.errors or watched.external:
            print(f"page errors: {watched.errors}; outside requests: {watched.external}")
        browser.close()
    for tick in args.months:
        parts = server_parts(tick, args.repeats)
        print(
            f"in process, change in month {tick} (median wall / CPU s): "
            + ", ".join(f"{name} {wall:.3f} / {cpu:.3f}" for name, (wall, cpu) in parts.items())
        )
        print_click_parts(tick, args.repeats)


if __name__ == "__main__":
    main()
