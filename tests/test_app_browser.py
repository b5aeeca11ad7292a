"""End-to-end tests of the dashboard in headless Chromium, with the network cut off.

A real ``marketsim app`` server runs on 127.0.0.1; every page may reach only that address, and
any page error, console error or attempt to reach another host fails the test. Screenshots go to
tests/artifacts/screenshots.
"""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from app_page import (
    OVERLAPS,
    SMALLEST_TEXT,
    WAIT,
    apply_quota,
    choose,
    click,
    open_app,
    sized_page,
    status,
    twin_traces,
    type_into,
    wait_status,
)
from browser import chart_data, dashboard_server, month, shot


@pytest.fixture(scope="module")
def url():
    with dashboard_server() as address:
        yield address


def session(browser, url, width: int = 1500, height: int = 1000):
    watched = sized_page(browser, width, height)
    open_app(watched, url)
    return watched


@pytest.fixture
def dashboard(browser, url):
    """A fresh session on the dashboard; fails the test on page errors or outside requests."""
    watched = session(browser, url)
    yield watched
    watched.page.context.close()
    assert watched.external == [], f"requests left the machine: {watched.external}"
    assert watched.errors == [], f"page errors: {watched.errors}"


def headline(page) -> str:
    return page.locator(".headline-strip").inner_text()


def test_the_whole_run_shows_at_once_offline(dashboard):
    page = dashboard.page
    months = int(status(page).split(" of ", 1)[1].split(" ", 1)[0])
    assert month(page) == months
    for name in ("prices", "importers", "shares", "shortages", "stockpiles"):
        page.wait_for_function(
            "([n, m]) => document.querySelector(`.chart-${n} .js-plotly-plot`)?.data?.[0]?.x?.length === m",
            arg=[name, months],
            timeout=WAIT,
        )
    prices = chart_data(page, "prices")
    assert {t["name"] for t in prices} == {"China", "Outside China"}
    text = headline(page)
    assert (
        "NdPr oxide prices" in text
        and "Outside China" in text
        and "US$" in text
        and "on China" in text
        and "Need unmet" in text
    )
    assert "vs twin" not in text
    shot(page, "dashboard-whole-run")


def test_the_what_if_loop(dashboard):
    """Change, see the twin and the headline update, switch the change off and on, replay."""
    page = dashboard.page
    apply_quota(page, "china", "5")
    page.locator(".run-message").filter(has_text="export quota in force from 2026-01").wait_for(timeout=WAIT)
    wait_status(page, "live changes 1")
    assert "dotted: without china: export quota (2026-01)" in status(page)
    # The first years after the change show at once, the rest of the run follows.
    wait_status(page, "the rest follows", present=False)
    page.wait_for_function(
        "(m) => document.querySelector('.chart-prices .js-plotly-plot')?.data?.[0]?.x?.length === m",
        arg=month(page),
        timeout=WAIT,
    )
    page.wait_for_function(
        "() => document.querySelector('.chart-prices .js-plotly-plot').data.some(t => t.name.endsWith('(twin)'))",
        timeout=WAIT,
    )
    traces = {t["name"]: t["y"] for t in chart_data(page, "prices")}
    now, twin = traces["Outside China"], traces["Outside China (twin)"]
    assert len(now) == len(twin) == month(page)
    assert now[:24] == twin[:24], "before the change the run and its twin are the same"
    assert now[24:] != twin[24:], "from the change on they differ"
    assert "vs twin" in headline(page)
    assert twin_traces(page, "importers"), "the twin is drawn on every time chart"
    tags = page.evaluate("() => document.querySelector('.chart-prices .js-plotly-plot').layout.annotations.length")
    assert tags >= 1, "the change is tagged on the time axis"
    shot(page, "dashboard-what-if-quota")
    # Switch the change off: no twin, the run as without it.
    page.locator(".change-row .v-input--switch").first.click()
    wait_status(page, "live changes 0")
    page.wait_for_function(
        "() => !document.querySelector('.chart-prices .js-plotly-plot').data.some(t => t.name.endsWith('(twin)'))",
        timeout=WAIT,
    )
    assert "vs twin" not in headline(page)
    off = {t["name"]: t["y"] for t in chart_data(page, "prices")}["Outside China"]
    assert off == twin, "switched off, the run is its former twin"
    page.locator(".change-row .v-input--switch").first.click()
    wait_status(page, "live changes 1")
    # Replay: back at the change, then the months unfold again.
    click(page, "Replay last change")
    page.locator(".run-message").filter(has_text="Back at 2026-01").wait_for(timeout=WAIT)
    page.wait_for_function(
        """() => { const m = (document.querySelector('.run-status')?.innerText || '').match(/Month (\\d+)/);
                   return m && Number(m[1]) > 30; }""",
        timeout=WAIT,
    )
    click(page, "Pause")


def overlapping_text(page) -> list[str]:
    wait_status(page, "the rest follows", present=False)  # the whole run drawn, not its first years
    # every chart drawn (those off screen are drawn after those in view, one a frame)
    page.wait_for_function("() => !window.marketsimQueue || window.marketsimQueue.pending.size === 0", timeout=WAIT)
    page.wait_for_timeout(2000)  # plotly finishes moving the flow diagram's nodes
    return page.evaluate(OVERLAPS)


def test_no_chart_text_overlaps_at_1280x720(browser, url):
    watched = session(browser, url, 1280, 720)
    page = watched.page
    try:
        overlaps = overlapping_text(page)
        assert overlaps == [], "\n".join(overlaps)
        apply_quota(page, "china", "5")
        wait_status(page, "live changes 1")
        type_into(page, "Quota on ore and oxides, kt REO a year", "2")
        click(page, "Set quota")
        wait_status(page, "live changes 2")
        overlaps = overlapping_text(page)
        assert overlaps == [], "\n".join(overlaps)
        shot(page, "dashboard-1280x720-two-changes")
        page.get_by_label("Presenter mode").check(force=True)
        page.locator(".chart-importers").wait_for(timeout=WAIT)
        overlaps = overlapping_text(page)
        assert overlaps == [], "\n".join(overlaps)
        assert page.evaluate(SMALLEST_TEXT, ".headline-strip, .run-status") >= 20
        assert page.evaluate(SMALLEST_TEXT, ".chart-card .main-svg") >= 16
        page.screenshot(path=str(shot(page, "presenter-1280x720")))
        assert watched.errors == [] and watched.external == []
    finally:
        watched.page.context.close()


def test_bad_numbers_and_files_leave_the_run_alone(dashboard, tmp_path):
    page = dashboard.page
    for typed in ("nan", "inf", "", "1e999"):
        type_into(page, "Quota on ore and oxides, kt REO a year", typed)
        click(page, "Set quota")
        page.locator(".run-error").filter(has_text="the quota must be a number").wait_for(timeout=WAIT)
    assert "live changes 0" in status(page)
    choose(page, "Government", "myanmar")
    choose(page, "Stage", "magnets")
    click(page, "Apply subsidy")
    page.locator(".run-error").filter(has_text="myanmar has no magnet plants to subsidise").wait_for(timeout=WAIT)
    bad = tmp_path / "infinite.toml"
    bad.write_text(open("configs/baseline_2024.toml").read().replace("capacity = ", "capacity = inf #", 1))
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_role("button", name="Upload scenario").click()
    chooser.value.set_files(str(bad))
    error = page.locator(".run-error").filter(has_text="infinite.toml was not loaded")
    error.wait_for(timeout=WAIT)
    assert "must be finite" in error.inner_text()
    page.get_by_label("Seed").fill("twelve")
    click(page, "Restart with this seed")
    page.locator(".run-error").filter(has_text="seed must be a whole number").wait_for(timeout=WAIT)
    assert "baseline_2024" in status(page) and "live changes 0" in status(page)
    shot(page, "dashboard-bad-input")


def test_exports_csv_parquet_and_png(dashboard):
    page = dashboard.page
    for label, member in (("CSV (.zip)", "timeseries.csv"), ("Parquet (.zip)", "timeseries.parquet")):
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name=label).click()
        data = open(download.value.path(), "rb").read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            assert {member, "manifest.json", "events.csv", "alliances.csv"} <= names
            manifest = json.loads(archive.read("manifest.json"))
            series = archive.read(member)
        assert manifest["ticks_run"] == month(page) and manifest["seed"] == 2024
        table = pd.read_csv(io.BytesIO(series)) if member.endswith("csv") else pd.read_parquet(io.BytesIO(series))
        assert table["tick"].nunique() == month(page)
    chart = page.locator(".chart-prices .js-plotly-plot")
    chart.hover()
    with page.expect_download(timeout=WAIT) as download:
        chart.locator("[data-title='Download plot as a PNG']").click()
    assert download.value.suggested_filename == "marketsim_prices.png"
    assert open(download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_two_sessions_are_independent(browser, url):
    first, second = session(browser, url), session(browser, url)
    try:
        apply_quota(first.page, "china", "5")
        wait_status(first.page, "live changes 1")
        second.page.reload()
        open_app(second, url)
        assert "live changes 0" in status(second.page)
        assert first.errors == [] and second.errors == []
    finally:
        first.page.context.close()
        second.page.context.close()


def test_play_from_start_and_pause(dashboard):
    page = dashboard.page
    click(page, "Play from start")
    page.wait_for_function(
        """() => { const m = (document.querySelector('.run-status')?.innerText || '').match(/Month (\\d+)/);
                   return m && Number(m[1]) >= 12 && Number(m[1]) < 300; }""",
        timeout=WAIT,
    )
    click(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=WAIT)
    stopped = month(page)
    page.wait_for_timeout(700)
    assert month(page) == stopped


MESSAGES = """
window.marketsimMessages = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string') window.marketsimMessages.push(event.data);
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, Native);
"""
"""Keeps the text of every websocket message the page receives."""


def chart_updates(page) -> list[tuple[dict, int]]:
    """The chart states received since the log was last emptied (the traits of a chart widget
    that changed), each with the size of its message in bytes."""
    found = []
    for text in page.evaluate("() => window.marketsimMessages"):
        try:
            state = json.loads(text)["content"]["data"]["state"]
        except (ValueError, KeyError, TypeError):
            continue
        if "traces" in state or "twin" in state:
            found.append((state, len(text.encode())))
    return found


def test_a_change_sends_the_twins_lines_once_and_a_frame_sends_no_lines(browser, url):
    """The twin's lines go to the browser once per change: not again when the rest of the run
    arrives after its first years (only this run's lines are sent then; charts below the window
    get the whole run only), and no time chart's lines go while playing."""
    watched = sized_page(browser, 1500, 1000)
    page = watched.page
    page.add_init_script(MESSAGES)
    try:
        open_app(watched, url)
        page.evaluate("() => { window.marketsimMessages = []; }")
        apply_quota(page, "china", "5")
        wait_status(page, "live changes 1")
        wait_status(page, "the rest follows", present=False)
        page.wait_for_function(  # every time chart drew the whole run with the change: its lines came
            """(m) => ['prices', 'importers', 'shares', 'shortages', 'stockpiles'].every(name => {
                 const plot = document.querySelector(`.chart-${name} .js-plotly-plot`);
                 return plot?.data?.[0]?.x?.length === m && (plot.layout.annotations || []).length === 1;
               })""",
            arg=month(page),
            timeout=WAIT,
        )
        updates = chart_updates(page)
        twins = [state["twin"] for state, _ in updates if state.get("twin")]
        assert len(twins) == 5, "each of the five time charts got the twin's lines, once"
        assert all(line["meta"] == "twin" for lines in twins for line in lines)
        whole = [state for state, _ in updates if state.get("twin") and not state.get("partial")]  # sent if changed
        assert whole, "a chart below the window got the whole run at once, not its first years first"
        rest = [(state, size) for state, size in updates if "twin" not in state]
        assert len(rest) + len(whole) >= 5, (
            "when the rest arrived, the charts that had the first years got this run's lines again without the twin's"
        )
        assert all(line.get("meta") != "twin" for state, _ in rest for line in state["traces"])
        sizes = [size for _, size in updates]
        print(f"chart bytes per change: {sum(sizes)}, of which the rest of the run {sum(s for _, s in rest)}")
        page.evaluate("() => { window.marketsimMessages = []; }")
        click(page, "Play from start")
        page.wait_for_function(
            """() => { const m = (document.querySelector('.run-status')?.innerText || '').match(/Month (\\d+)/);
                       return m && Number(m[1]) >= 6 && Number(m[1]) < 300; }""",
            timeout=WAIT,
        )
        click(page, "Pause")
        lines = [
            state
            for state, _ in chart_updates(page)
            if "twin" in state or any(line.get("meta") == "run" for line in state.get("traces", []))
        ]
        assert lines == [], "a frame of play sends no line of a time chart (the yearly charts are drawn anew)"
        assert watched.errors == [] and watched.external == []
    finally:
        page.context.close()


def test_charts_in_view_show_the_first_years_and_those_below_wait_for_the_whole_run(dashboard):
    page = dashboard.page
    months = month(page)
    apply_quota(page, "china", "5")
    # The first years, while the rest of the run is simulated: checked in one go in the page.
    seen = page.wait_for_function(
        """(months) => {
          const plot = (name) => document.querySelector(`.chart-${name} .js-plotly-plot`);
          const tags = (name) => (plot(name).layout.annotations || []).length;
          const prices = plot('prices');
          if (!prices.data.length || tags('prices') !== 1) return false;
          const shown = prices.data[0].x.length;
          if (shown >= months) return 'the whole run came before its first years could be seen';
          const below = plot('stockpiles').getBoundingClientRect().top > window.innerHeight;
          return {shown, below, stockpilesTagged: tags('stockpiles')};
        }""",
        arg=months,
        timeout=WAIT,
        polling="raf",
    ).json_value()
    assert isinstance(seen, dict), seen
    assert seen["below"], "the stockpiles chart is below the window"
    assert seen["stockpilesTagged"] == 0, "the chart below the window did not draw the first years"
    wait_status(page, "the rest follows", present=False)
    page.wait_for_function(
        """(months) => { const p = document.querySelector('.chart-stockpiles .js-plotly-plot');
                         return p.data[0].x.length === months && p.layout.annotations.length === 1; }""",
        arg=months,
        timeout=WAIT,
    )
