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
from browser import chart_data, dashboard_server, month, offline_page, open_dashboard, shot

WAIT = 60_000


@pytest.fixture(scope="module")
def url():
    with dashboard_server() as address:
        yield address


@pytest.fixture
def dashboard(browser, url):
    """A fresh session on the dashboard; fails the test on page errors or outside requests."""
    watched = offline_page(browser)
    open_dashboard(watched, url)
    yield watched
    watched.page.context.close()
    assert watched.external == [], f"requests left the machine: {watched.external}"
    assert watched.errors == [], f"page errors: {watched.errors}"


def click(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def wait_month(page, at_least: int) -> None:
    page.wait_for_function(
        """(n) => { const t = document.querySelector('.run-status')?.innerText || '';
                    const m = t.match(/Month (\\d+)/); return m && Number(m[1]) >= n; }""",
        arg=at_least,
        timeout=WAIT,
    )


def step_to(page, target: int) -> None:
    while (now := month(page)) < target:
        click(page, "Step")
        wait_month(page, now + 1)


def test_page_renders_offline_and_steps(dashboard):
    page = dashboard.page
    assert month(page) == 0
    titles = page.locator(".chart-card .v-card__title").all_inner_texts()
    assert len(titles) >= 7
    step_to(page, 3)
    wait_month(page, 3)
    page.wait_for_function(
        "() => document.querySelector('.chart-prices .js-plotly-plot').data[0].x.length === 3", timeout=WAIT
    )
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.chart-card .js-plotly-plot'))
                                 .map(p => [p.getBoundingClientRect().width, p.getBoundingClientRect().height])""")
    assert len(sizes) >= 7 and all(w > 200 and h > 200 for w, h in sizes), f"every chart is drawn visibly: {sizes}"
    prices = chart_data(page, "prices")
    assert {t["name"] for t in prices} == {"China", "Outside China"}
    assert all(len(t["y"]) == 3 and all(v > 0 for v in t["y"]) for t in prices)
    shot(page, "dashboard-after-3-months")


def test_policy_change_pin_and_compare(dashboard):
    page = dashboard.page
    # Reference: 36 months with no change, pinned.
    step_to(page, 12)
    click(page, "Pin as reference")
    page.get_by_text("pinned:").wait_for(timeout=WAIT)
    pinned_status = page.locator(".run-status").inner_text()
    assert "pinned" in pinned_status
    click(page, "Reset")
    wait_until_month(page, 0)
    step_to(page, 4)
    # China caps its ore and oxide exports at 1 kt a year from month 4.
    choose(page, ".policy-panel .v-select", "china")
    page.get_by_label("Export quota on ore and oxides, kt REO/yr").fill("1")
    click(page, "Set quota")
    page.locator(".run-message").filter(has_text="export quota in force").wait_for(timeout=WAIT)
    assert "live changes 1" in page.locator(".run-status").inner_text()
    step_to(page, 12)
    page.wait_for_function(
        "() => document.querySelector('.chart-prices .js-plotly-plot').data.some(t => t.name.includes('(pinned)'))",
        timeout=WAIT,
    )
    traces = {t["name"]: t for t in chart_data(page, "prices")}
    now, before = traces["Outside China"]["y"], traces["Outside China (pinned)"]["y"]
    assert now[:4] == before[:4], "months before the change must match the pinned run"
    assert sum(now[8:12]) > sum(before[8:12]) * 1.05, "a quota on China's exports must raise the price outside China"
    layout_shapes = page.evaluate("() => document.querySelector('.chart-prices .js-plotly-plot').layout.shapes.length")
    assert layout_shapes >= 1, "the live change is marked on the time axis"
    shot(page, "dashboard-quota-vs-pinned")
    # Replay goes back to the change.
    click(page, "Replay last change")
    page.locator(".run-message").filter(has_text="Back at").wait_for(timeout=WAIT)
    assert month(page) == 4


def choose(page, select: str, option: str) -> None:
    """Pick an option of a Vuetify select."""
    page.locator(select).first.locator(".v-select__slot").click()
    page.locator(".v-menu__content.menuable__content__active .v-list-item").filter(has_text=option).first.click()


def wait_until_month(page, value: int) -> None:
    page.wait_for_function(
        """(n) => (document.querySelector('.run-status')?.innerText || '').startsWith('Month ' + n + ' of')""",
        arg=value,
        timeout=WAIT,
    )


def test_exports_csv_parquet_and_png(dashboard):
    page = dashboard.page
    step_to(page, 2)
    for label, member in (("CSV (.zip)", "timeseries.csv"), ("Parquet (.zip)", "timeseries.parquet")):
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name=label).click()
        data = open(download.value.path(), "rb").read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            assert {member, "manifest.json", "events.csv", "alliances.csv"} <= names
            manifest = json.loads(archive.read("manifest.json"))
            series = archive.read(member)
        assert manifest["ticks_run"] == 2 and manifest["seed"] == 2024
        table = pd.read_csv(io.BytesIO(series)) if member.endswith("csv") else pd.read_parquet(io.BytesIO(series))
        assert sorted(table["tick"].unique()) == [0, 1]
    chart = page.locator(".chart-prices .js-plotly-plot")
    chart.hover()
    with page.expect_download(timeout=WAIT) as download:
        chart.locator("[data-title='Download plot as a PNG']").click()
    assert download.value.suggested_filename == "marketsim_prices.png"
    assert open(download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_bad_upload_and_bad_seed_leave_the_run_alone(dashboard, tmp_path):
    page = dashboard.page
    step_to(page, 2)
    bad = tmp_path / "broken.toml"
    bad.write_text('[scenario]\nname = "broken"\nyears = -3\n')
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_role("button", name="Upload scenario").click()
    chooser.value.set_files(str(bad))
    error = page.locator(".run-error")
    error.wait_for(timeout=WAIT)
    assert "broken.toml" in error.inner_text() and "unchanged" in error.inner_text()
    assert month(page) == 2 and "baseline_2024" in page.locator(".run-status").inner_text()
    page.get_by_label("Seed").fill("twelve")
    click(page, "Restart with this seed")
    page.locator(".run-error").filter(has_text="seed must be a whole number").wait_for(timeout=WAIT)
    assert month(page) == 2
    shot(page, "dashboard-bad-input")


def test_two_sessions_are_independent(browser, url):
    first, second = offline_page(browser), offline_page(browser)
    try:
        open_dashboard(first, url)
        open_dashboard(second, url)
        step_to(first.page, 3)
        second.page.reload()
        open_dashboard(second, url)
        assert month(second.page) == 0
        step_to(second.page, 1)
        assert month(first.page) == 3
        assert first.errors == [] and second.errors == []
        assert first.external == [] and second.external == []
    finally:
        first.page.context.close()
        second.page.context.close()


def test_play_and_pause(dashboard):
    page = dashboard.page
    click(page, "Play")
    wait_month(page, 6)
    click(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=WAIT)
    stopped = month(page)
    page.wait_for_timeout(700)
    assert month(page) == stopped
    assert stopped >= 6
