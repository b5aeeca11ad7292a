"""The dashboard's figures drawn from run views (every figure plotly accepts, twins and pins,
live-change marks), the JSON the chart widget sends, and the scorecard's wording."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from test_views import advanced, china_quota, view

from marketsim.reports.views import RunView
from marketsim.vocabulary import GOODS
from viz import charts, structure_charts
from viz.plotly_chart import jsonable

CONCENTRATE, MAGNET = GOODS.index("concentrate"), GOODS.index("magnet")
OXIDES = [GOODS.index("ndpr"), GOODS.index("dytb")]
FLOW_STAGES = ("mined in", "separated in", "made into magnets in", "magnets used in")
SCHEDULED_TARIFF = {"type": "tariff", "importer": "japan", "start": "2024-04", "rate": 0.1}


# ------------------------------------------------------------------ helpers
@pytest.fixture(scope="module")
def views(baseline) -> dict:
    """Views of the baseline at the start and mid-run, and a reference from another run."""
    start = advanced(baseline, 0)
    mid = advanced(baseline, 30, {12: [china_quota(20000.0)]})
    reference = advanced(baseline, 18)
    model = start.model
    return {
        "start": view(start),
        "mid": view(mid),
        "reference": view(reference),
        "span": (model.date_of(0), model.date_of(model.months - 1)),
        "regions": model.regions,
    }


def figures(v: RunView, reference: RunView | None, span, regions) -> dict[str, dict]:
    built = {f"price {good}": charts.price_figure(v, reference, good, span) for good in GOODS}
    return built | {
        "share": charts.share_figure(v, reference, "usa", span),
        "dependency": charts.dependency_figure(v, reference),
        "flows": structure_charts.flow_figure(v, reference),
        "alliances": structure_charts.alliance_figure(v, reference, regions),
        "shortages": charts.shortage_figure(v, reference, span),
        "stockpiles": charts.stockpile_figure(v, reference, span),
        "placeholder": charts.placeholder("nothing yet"),
    }


def trace_names(figure: dict) -> list[str]:
    return [trace.get("name", "") for trace in figure["data"]]


@pytest.mark.parametrize(("state", "pinned"), [("start", False), ("mid", False), ("mid", True), ("start", True)])
def test_every_chart_builds_a_figure_plotly_accepts(views, state, pinned):
    reference = views["reference"] if pinned else None
    for name, figure in figures(views[state], reference, views["span"], views["regions"]).items():
        try:
            go.Figure(figure)
        except (ValueError, TypeError) as error:
            pytest.fail(f"{name} ({state}, pinned={pinned}): {error}")
        json.dumps(jsonable(figure), allow_nan=False)


def test_charts_at_the_start_draw_no_data_lines(views):
    drawn = figures(views["start"], None, views["span"], views["regions"])
    for name in ("dependency", "flows", "placeholder"):
        assert drawn[name]["data"] == [], name
    for name in ("share", "shortages", "stockpiles", "price ndpr"):
        assert all(len(trace["x"]) == 0 for trace in drawn[name]["data"]), name


def test_reference_traces_are_labelled_pinned(views):
    plain = figures(views["mid"], None, views["span"], views["regions"])
    overlaid = figures(views["mid"], views["reference"], views["span"], views["regions"])
    for name, figure in plain.items():
        assert not any(charts.PINNED in n for n in trace_names(figure)), name
    for name in ("price ndpr", "share", "shortages", "stockpiles"):
        own = trace_names(plain[name])
        assert trace_names(overlaid[name]) == own + [n + charts.PINNED for n in own] + ["dotted: twin"], name
        pinned = [t for t in overlaid[name]["data"] if t["name"].endswith(charts.PINNED)]
        assert all(len(t["x"]) == views["reference"].ticks for t in pinned), name
    assert "separation" + charts.PINNED in trace_names(overlaid["dependency"])
    assert "msp" + charts.PINNED in trace_names(overlaid["alliances"])


def test_a_twin_puts_its_flows_below_this_runs(views):
    alone = structure_charts.flow_figure(views["mid"])
    beside = structure_charts.flow_figure(views["mid"], views["reference"])
    assert len(alone["data"]) == 1 and len(beside["data"]) == 2
    ours, pinned = beside["data"]
    assert ours["link"]["value"] == alone["data"][0]["link"]["value"]
    assert pinned["link"]["value"] == structure_charts.flow_figure(views["reference"])["data"][0]["link"]["value"]
    assert ours["domain"]["y"][0] >= pinned["domain"]["y"][1], "one above the other, not on top of each other"


def test_an_empty_reference_adds_nothing(views):
    plain = figures(views["mid"], None, views["span"], views["regions"])
    overlaid = figures(views["mid"], views["start"], views["span"], views["regions"])
    assert {k: trace_names(f) for k, f in plain.items()} == {k: trace_names(f) for k, f in overlaid.items()}


def test_live_changes_are_drawn_as_labelled_lines(views):
    layout = charts.price_figure(views["mid"], None, "ndpr", views["span"])["layout"]
    changes = [m for m in views["mid"].markers if m.kind == "change"]
    assert [m.date for m in changes] == ["2025-01"]
    assert [s["x0"] for s in layout["shapes"]] == [m.date for m in views["mid"].markers]
    # A numbered tag (as in the list of changes); the change itself in its hover text.
    assert [(a["x"], a["text"], a["hovertext"]) for a in layout["annotations"]] == [
        ("2025-01", "<b>1</b>", "2025-01 china: export quota")
    ]


# ------------------------------------------------------------------ JSON for the browser
def test_jsonable_turns_non_finite_numbers_into_nulls_and_arrays_into_lists():
    value = {
        "y": np.array([1.5, np.nan, np.inf, -np.inf]),
        "n": np.arange(3),
        "f": math.nan,
        "g": np.float64(np.inf),
        "i": np.int64(4),
        "nested": [(np.array([[np.nan, 2.0]]), "text")],
        "ok": 2.5,
        "flag": True,
    }
    out = jsonable(value)
    assert out == {
        "y": [1.5, None, None, None],
        "n": [0, 1, 2],
        "f": None,
        "g": None,
        "i": 4,
        "nested": [[[[None, 2.0]], "text"]],
        "ok": 2.5,
        "flag": True,
    }
    assert type(out["i"]) is int
    assert type(out["n"][0]) is int
    json.dumps(out, allow_nan=False)


def test_jsonable_leaves_the_input_untouched():
    values = np.array([np.nan, 1.0])
    jsonable({"y": values})
    assert np.isnan(values[0]) and values[1] == 1.0


# ------------------------------------------------------------------ the scorecard's changes, in words
@pytest.mark.parametrize(
    ("column", "value", "other", "text"),
    [
        ("cost_of_supply", 2_036_272.0, 1_018_136.0, "+100 %"),
        ("cost_of_supply", 900.0, 1000.0, "-10 %"),
        ("need_met", 97.5, 99.0, "-1.5 pts"),
        ("china_dependency", 80.0, 80.0, ""),
        ("public_spending", 250.0, 0.0, "+250 US$ million"),
        ("burden", 10.0, float("nan"), ""),
    ],
)
def test_scorecard_changes_are_percent_points_or_percent(column, value, other, text):
    from viz.tables import difference  # noqa: PLC0415

    assert difference(column, value, other) == text
