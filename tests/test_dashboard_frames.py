"""What the dashboard sends the browser: a change sends the whole run and its twin once, with
the months once per chart and numbers rounded for display; a frame of play sends only the month
to cut this run's lines at."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import solara
from test_app_render import Wrapped, button, click, slider, status

from viz.dashboard import app, session
from viz.plotly_chart import SHARED_X, PlotlyChart, jsonable, share_dates


@pytest.fixture
def rendered(monkeypatch):
    """A rendered page and the dashboard behind it."""
    made = []
    start = session.Dashboard.start.__func__

    def keep(cls, *args, **kwargs):
        made.append(start(cls, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(app.Dashboard, "start", classmethod(keep))
    _, context = solara.render(Wrapped(), handle_error=False)
    yield context, made[0]
    context.close()


def charts(context) -> dict[int, PlotlyChart]:
    """The page's chart widgets, numbered in the order found."""
    return dict(enumerate(context.find(PlotlyChart).widgets))


def run_lengths(context) -> list[int]:
    """Months in this run's lines (not the twin's) of every time chart."""
    return [len(t["y"]) for w in charts(context).values() if w.dates for t in w.traces if t.get("meta") == "run"]


def rest_arrives(context, dash, months: int) -> None:
    """Wait until the page's background thread has simulated the rest of the run and this run's
    lines hold every month (a minute at most: then the rest never came)."""
    for _ in range(600):
        if not dash.pending and set(run_lengths(context)) == {months}:
            return
        time.sleep(0.1)
    raise AssertionError("the rest of the run never arrived")


def test_a_change_shows_its_first_years_at_once_and_the_rest_as_it_arrives(rendered):
    context, dash = rendered
    months = dash.run.months
    slider(context, "Starts in").v_model = 24
    with dash.lock:  # the rest waits while the page is read
        click(context, "Apply tariff")
        assert dash.run.latest.tick == 24
        assert set(run_lengths(context)) == {24 + dash.ahead(24)}, "the first years after the change"
        assert "the rest follows" in status(context)
    rest_arrives(context, dash, months)
    assert "the rest follows" not in status(context)


def test_a_frame_of_play_moves_only_the_month_the_lines_are_cut_at(rendered):
    context, dash = rendered
    slider(context, "Starts in").v_model = 24
    click(context, "Apply tariff")
    rest_arrives(context, dash, dash.run.months)
    before = {k: (w.traces, w.figure_layout, w.dates) for k, w in charts(context).items()}
    assert all(w.until == "" for w in charts(context).values()), "every month shown: nothing cut"
    dash.rewind()
    step = button(context, "Step")
    for _ in range(14):
        step.click()
    cut = [w for w in charts(context).values() if w.until]
    assert len(cut) == 5, "the five time charts are cut"
    assert {w.until for w in cut} == {dash.run.date_of(13)}
    for k, widget in charts(context).items():
        if widget.until:
            traces, layout, dates = before[k]
            assert widget.traces is traces and widget.figure_layout is layout and widget.dates is dates, (
                "a frame resends no line of a time chart"
            )
            lines = [t for t in widget.traces if t.get("meta") == "run"]
            assert lines and all(t["x"] == SHARED_X for t in lines)
            assert len(widget.dates) == dash.run.months, "the whole run is in the browser, cut there"


def test_numbers_for_the_browser_are_rounded_to_significant_digits():
    values = np.array([123.456789, 0.000123456, math.nan, -98.7654321])
    assert jsonable(values, 5) == [123.46, 0.00012346, None, -98.765]
    assert jsonable(np.array([0.0123456, 0.5, 0.0]), 3) == [0.0123, 0.5, 0.0]
    assert jsonable(np.array([1.23456e9, 987654.0]), 2) == [1.2e9, 990000.0]
    twin = np.array([57.6612345, 1234.56789])
    assert jsonable(twin[:1], 4) == jsonable(twin, 4)[:1], "a value rounds alike whatever else is in its line"
    assert jsonable(values) == [123.456789, 0.000123456, None, -98.7654321], "no digits: every digit"


def test_the_months_go_once_for_every_line_that_has_them():
    months = ["2024-01", "2024-02", "2024-03"]
    traces = [{"x": months, "y": [1, 2, 3]}, {"x": months[:2], "y": [1, 2]}, {"x": list(months), "y": [3, 2, 1]}]
    dates, shared = share_dates(traces)
    assert dates == months
    assert [t["x"] for t in shared] == [SHARED_X, f"{SHARED_X}:2", SHARED_X], "a run so far: the first months"
    other = [{"x": months, "y": [1, 2, 3]}, {"x": ["2030-01", "2030-02"], "y": [1, 2]}]
    assert share_dates(other)[1][1]["x"] == ["2030-01", "2030-02"], "other months are sent as they are"
    assert traces[0]["x"] == months, "the figure itself is left alone"
    bars = [{"x": [10.0, 20.0], "y": ["usa", "eu"]}]
    assert share_dates(bars) == ([], bars), "numbers on x are not months"


def test_a_chart_out_of_view_gets_the_whole_run_not_its_first_years(rendered):
    """A chart the browser says is out of its window keeps what it drew while the rest of a run
    is simulated, then gets the whole run; the charts in view get the first years at once."""
    context, dash = rendered
    months = dash.run.months
    widgets = charts(context)
    hidden, shown = widgets[len(widgets) - 1], widgets[0]
    hidden.seen = False  # as the browser says when the page scrolls
    before = hidden.traces
    slider(context, "Starts in").v_model = 24
    with dash.lock:  # the rest waits while the page is read
        click(context, "Apply tariff")
        assert dash.pending
        assert hidden.traces is before, "out of view: not sent the first years"
        assert shown.traces is not None and shown.partial, "in view: the first years at once"
    rest_arrives(context, dash, months)
    assert hidden.traces is not before and not hidden.partial, "out of view: the whole run once it arrived"


def headline_text(context) -> str:
    """The headline strip's HTML."""
    return "".join(
        w.unsafe_innerHTML for w in context.find(solara.widgets.HTML).widgets if "headline-strip" in w.unsafe_innerHTML
    )


def test_a_change_before_the_headlines_year_shows_its_first_year_then_the_headline_year(rendered):
    """The page shows a change's first year at once; the headline strip shows the months simulated
    (saying which), and its own year once the rest of the run gets there."""
    context, dash = rendered
    year_end = dash.run.date_of(dash.headline_until - 1)
    slider(context, "Starts in").v_model = 24
    with dash.lock:  # the rest waits while the page is read
        click(context, "Apply tariff")
        assert set(run_lengths(context)) == {24 + dash.ahead(24)} and 24 + dash.ahead(24) < dash.headline_until
        first = headline_text(context)
        assert f"12 months to {dash.run.date_of(24 + dash.ahead(24) - 1)}" in first
        assert "vs twin" in first
    rest_arrives(context, dash, dash.run.months)
    assert f"12 months to {year_end}" in headline_text(context), "the headline's own year, once simulated"


def test_the_headline_follows_the_months_shown(rendered):
    context, dash = rendered
    dash.rewind()
    step = button(context, "Step")
    for _ in range(14):
        step.click()
    assert "12 months to " + dash.run.date_of(13) in headline_text(context)
