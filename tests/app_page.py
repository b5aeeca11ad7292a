"""Driving the dashboard in Chromium: clicks, waits and reading what the page shows (shared by the
browser tests, the benchmark and the script that makes the README's picture)."""

from __future__ import annotations

WAIT = 90_000

OVERLAPS = """() => {
  const found = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const card = plot.closest('.chart-card');
    const chart = card ? [...card.classList].find(c => c.startsWith('chart-') && c !== 'chart-card') : '?';
    const boxes = [];
    for (const text of plot.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      const style = getComputedStyle(text);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const r = text.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      boxes.push({text: text.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) found.push(`${chart}: "${a.text}" overlaps "${b.text}"`);
      }
    }
  }
  return found;
}"""
"""Pairs of chart texts (tick labels, axis titles, legends, annotations, flow labels) whose boxes
intersect, as read from the page's DOM."""

SMALLEST_TEXT = """(selector) => {
  let smallest = Infinity;
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim() || !node.parentElement.getClientRects().length) continue;  // hidden
      const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
      smallest = Math.min(smallest, size);
    }
  }
  return smallest;
}"""
"""The smallest font size (px) of any text inside elements matching a selector."""


def click(page, label: str) -> None:
    """Click a button by its exact label."""
    page.get_by_role("button", name=label, exact=True).click()


def status(page) -> str:
    """The dashboard's status line."""
    return page.locator(".run-status").inner_text()


def wait_status(page, text: str, present: bool = True) -> None:
    """Wait until the status line holds (or no longer holds) ``text``."""
    page.wait_for_function(
        """([text, present]) => (document.querySelector('.run-status')?.innerText || '').includes(text) === present""",
        arg=[text, present],
        timeout=WAIT,
    )


def choose(page, label: str, option: str) -> None:
    """Pick an option of the Vuetify select labelled ``label``."""
    field = page.locator(".v-select").filter(has=page.locator("label", has_text=label)).first
    field.locator(".v-select__slot").click()
    page.locator(".v-menu__content.menuable__content__active .v-list-item").filter(has_text=option).first.click()


def type_into(page, label: str, text: str) -> None:
    """Type into the text field labelled ``label``."""
    page.get_by_label(label, exact=True).fill(text)


def twin_traces(page, chart: str) -> list[str]:
    """Names of a chart's traces drawn for the twin."""
    return page.evaluate(
        """(name) => Array.from(document.querySelector(`.chart-${name} .js-plotly-plot`).data || [])
                 .map(t => t.name).filter(n => n.endsWith('(twin)'))""",
        chart,
    )


def sized_page(browser, width: int, height: int):
    """A page of a given viewport size, cut off from every host but 127.0.0.1 (as
    :func:`browser.offline_page`), its errors and outside requests recorded."""
    from browser import offline_page  # noqa: PLC0415 (tests/browser.py)

    return offline_page(browser, width, height)


def open_app(watched, url: str) -> None:
    """Load the dashboard and wait until the status line, the headline and the charts are drawn."""
    page = watched.page
    page.goto(url)
    page.locator(".run-status").wait_for(timeout=WAIT)
    page.locator(".headline-strip").wait_for(timeout=WAIT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart-prices .js-plotly-plot')].some(p => p.data && p.data.length)",
        timeout=WAIT,
    )
    page.wait_for_timeout(500)  # the last charts settle


def apply_quota(page, government: str, kilotonnes: str) -> None:
    """Have a government cap its ore and oxide exports, from the month the panel shows."""
    choose(page, "Government", government)
    type_into(page, "Quota on ore and oxides, kt REO a year", kilotonnes)
    click(page, "Set quota")
