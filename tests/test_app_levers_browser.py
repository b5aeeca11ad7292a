"""The dashboard's newer levers in headless Chromium, with the network cut off: the export tax,
project loans and stakes, offtake guarantees; each starts in the month the panel shows, and one
that cannot have an effect is refused with the reason. Screenshots of the policy panel at
1440x900 and 1280x720 go to tests/artifacts/screenshots."""

from __future__ import annotations

import pytest
from app_page import WAIT, choose, click, open_app, sized_page, status, type_into, wait_status
from browser import SHOTS, dashboard_server, shot


@pytest.fixture(scope="module")
def url():
    with dashboard_server() as address:
        yield address


@pytest.fixture
def dashboard(browser, url):
    """A fresh session on the dashboard; fails the test on page errors or outside requests."""
    watched = sized_page(browser, 1440, 900)
    open_app(watched, url)
    yield watched
    watched.page.context.close()
    assert watched.external == [], f"requests left the machine: {watched.external}"
    assert watched.errors == [], f"page errors: {watched.errors}"


def accepted(page, text: str) -> None:
    try:
        page.locator(".run-message").filter(has_text=text).wait_for(timeout=WAIT)
    except Exception:
        shot(page, "levers-failed")
        shown = page.locator(".run-message").all_inner_texts()
        raise AssertionError(f"{text!r} not shown; the message: {shown}") from None
    assert page.locator(".run-error").count() == 0


def refused(page, text: str) -> None:
    page.locator(".run-error").filter(has_text=text).wait_for(timeout=WAIT)


def changes_listed(page) -> list[str]:
    return [row.inner_text().strip() for row in page.locator(".change-row").all()]


def test_an_export_tax_starts_in_the_chosen_month_and_is_refused_where_nothing_is_exported(dashboard):
    page = dashboard.page
    tax = page.locator(".lever-export-tax")
    assert "from 2026-01 on" in tax.inner_text(), "each lever says the month it would start"
    assert "% of the price" in tax.inner_text(), "its unit in words"
    click(page, "Apply export tax")
    accepted(page, "china: export tax in force from 2026-01")
    wait_status(page, "live changes 1")
    assert "dotted: without china: export tax (2026-01)" in status(page)
    assert any("2026-01 china: export tax" in row for row in changes_listed(page))
    choose(page, "Government", "japan")
    click(page, "Apply export tax")
    refused(page, "japan makes none of concentrate, ndpr, dytb, lace: it has nothing of its own to export")
    assert "live changes 1" in status(page), "a refused decision changes nothing"


def test_a_project_loan_and_a_stake_back_a_named_project(dashboard):
    page = dashboard.page
    choose(page, "Government", "usa")
    choose(page, "Project backed", "Nolans")
    project = page.locator(".lever-project")
    assert "a mining project in australia" in project.inner_text()
    type_into(page, "Loan interest, % a year", "nan")
    click(page, "Back the project")
    refused(page, "the loan's interest must be a number from 0 to 30")
    assert "live changes 0" in status(page)
    type_into(page, "Loan interest, % a year", "2")
    click(page, "Back the project")
    accepted(page, "usa: project loan in force from 2026-01")
    wait_status(page, "live changes 1")
    click(page, "equity")
    project.get_by_text("Stake: 50 % of the project owned").wait_for(timeout=WAIT)
    # A stake has no interest rate (its field goes in the same render, possibly a message later).
    project.get_by_label("Loan interest, % a year").wait_for(state="detached", timeout=WAIT)
    click(page, "Back the project")
    accepted(page, "usa: project equity in force from 2026-01")
    wait_status(page, "live changes 2")
    rows = changes_listed(page)
    assert len(rows) == 2 and "usa: project loan" in rows[0] and "usa: project equity" in rows[1]


def test_an_offtake_guarantee_refuses_a_price_that_is_not_a_number(dashboard):
    page = dashboard.page
    choose(page, "Government", "eu")
    choose(page, "Project whose output is bought", "Nolans")
    field = page.get_by_label("Guaranteed price, US$ per kg", exact=True)
    for typed in ("inf", "", "-5"):
        type_into(page, "Guaranteed price, US$ per kg", typed)
        click(page, "Guarantee offtake")
        # The server's answer names what it read: an earlier refusal (same words) is not taken for this one.
        refused(page, f"the guaranteed price must be a number from 0.01 to 20000 (got {typed!r})")
    assert "live changes 0" in status(page)
    type_into(page, "Guaranteed price, US$ per kg", "90")
    page.wait_for_timeout(300)  # an echo of an earlier value from the server would land here
    assert field.input_value() == "90"
    click(page, "Guarantee offtake")
    accepted(page, "eu: offtake in force from 2026-01")
    wait_status(page, "live changes 1")


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1280, 720)])
def test_the_levers_fit_the_sidebar(browser, url, width, height):
    """No lever control sticks out of the sidebar or runs over another (checked on the boxes the
    browser laid out), and screenshots of the panel are saved to look at."""
    watched = sized_page(browser, width, height)
    page = watched.page
    try:
        open_app(watched, url)
        found = page.evaluate(
            """() => {
              const panel = document.querySelector('.policy-panel').getBoundingClientRect();
              const problems = [];
              const controls = [...document.querySelectorAll('.policy-panel .v-input, .policy-panel .v-btn')]
                .filter(e => e.getClientRects().length);
              const boxes = controls.map(e => [e, e.getBoundingClientRect()]);
              for (const [e, r] of boxes) {
                if (r.left < panel.left - 1 || r.right > panel.right + 1)
                  problems.push(`sticks out: ${e.innerText.slice(0, 40)}`);
              }
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const [a, ra] = boxes[i], [b, rb] = boxes[j];
                if (a.contains(b) || b.contains(a)) continue;
                const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
                const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
                if (x > 2 && y > 2) problems.push(`overlap: ${a.innerText.slice(0, 30)} / ${b.innerText.slice(0, 30)}`);
              }
              return problems;
            }"""
        )
        assert found == [], "\n".join(found)
        # The controls scroll in a column of their own: a picture of each screenful of it.
        column = page.locator(".controls")
        box = column.bounding_box()
        scrolled, part = -1.0, 0
        while part < 12:
            now = column.evaluate(f"(e) => {{ e.scrollTop = {part} * (e.clientHeight - 40); return e.scrollTop; }}")
            if now <= scrolled:
                break
            scrolled, part = now, part + 1
            page.wait_for_timeout(200)
            path = SHOTS / f"levers-{width}x{height}-{part}.png"
            page.screenshot(path=str(path), clip={**box, "height": min(box["height"], height - box["y"])})
        assert part >= 2, "the levers take more than one screenful: the column scrolls"
        assert watched.errors == [] and watched.external == []
    finally:
        watched.page.context.close()
