"""Plotly figures of a run, drawn from a :class:`marketsim.reports.views.RunView`; a comparison run (the
no-change twin) is overlaid dotted. Pure functions: view in, figure out.

Figures are plain dicts (``{"data": [...], "layout": {...}}``) rather than ``go.Figure``: building
and comparing validated figure objects cost more than a whole simulated year, and the widget that
draws them validates them once anyway.
"""

from __future__ import annotations

import math

import numpy as np

from marketsim.reports.views import CHINA_TIER, RunView
from marketsim.vocabulary import GOODS, STAGES

CHINA_RED, OTHERS_BLUE, GREY = "#c0392b", "#2471a3", "#7f8c8d"
STAGE_COLOURS = {"mining": "#8e5b2f", "separation": "#c0392b", "magnets": "#6c3483"}
GOOD_COLOURS = {"ndpr": "#2471a3", "dytb": "#d35400", "magnet": "#6c3483"}
GOOD_NAMES = {
    "concentrate": "Concentrate",
    "ndpr": "NdPr oxide",
    "dytb": "Dy/Tb oxide",
    "lace": "La/Ce oxide",
    "magnet": "NdFeB magnets",
}
MARKER_STYLE = {
    "change": ("#d35400", 2, "solid"),
    "scenario": ("#95a5a6", 1, "dot"),
    "decision": ("#bdc3c7", 1, "dot"),
    "shock": ("#8e44ad", 1, "dash"),
}
ALLIANCE_COLOURS = ["#27ae60", "#2980b9", "#e67e22", "#16a085", "#8e44ad", "#d4ac0d"]
IMPORTER_COLOURS = ["#2471a3", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]
PINNED = " (twin)"
"""Suffix of the comparison run's traces (the no-change twin)."""
HEIGHT = 300
FONT = {False: 13, True: 18}
"""Chart text size, px: on a laptop, and in presenter mode (on a projector)."""
LABEL_GAP_MONTHS = 30
"""Live-change labels closer than this in time are staggered down the chart."""


def _months_between(first: str, second: str) -> int:
    return abs((int(second[:4]) - int(first[:4])) * 12 + int(second[5:7]) - int(first[5:7]))


def _change_notes(view: RunView, size: int) -> list[dict]:
    """A numbered tag at the top of each live change's line (staggered when close), the change
    itself in its hover text and in the list of changes."""
    notes, placed = [], []
    for marker in view.markers:
        if marker.kind != "change":
            continue
        level = sum(1 for date in placed[-3:] if _months_between(date, marker.date) < LABEL_GAP_MONTHS)
        placed.append(marker.date)
        notes.append(
            {
                "x": marker.date,
                "y": 1 - 0.13 * level,
                "xref": "x",
                "yref": "paper",
                "text": f"<b>{marker.number or '•'}</b>",
                "hovertext": f"{marker.date} {marker.label}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "bgcolor": "#d35400",
                "borderpad": 2,
                "font": {"size": size, "color": "white"},
            }
        )
    return notes


def _time_layout(span: tuple[str, str], y_title: str, view: RunView, big: bool = False, **extra) -> dict:
    """A time axis fixed to the whole run, events as vertical lines, live changes numbered; the
    legend above the plot, where nothing else is written."""
    shapes = []
    for marker in view.markers:
        colour, width, dash = MARKER_STYLE[marker.kind]
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": marker.date,
                "x1": marker.date,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": width + (1 if big else 0), "dash": dash},
            }
        )
    size = FONT[big]
    return {
        "height": HEIGHT + (90 if big else 0),
        "font": {"size": size},
        "margin": {"l": 70 if big else 60, "r": 16, "t": 44 if big else 36, "b": 36},
        "xaxis": {"range": list(span), "type": "date"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": size}},
        "shapes": shapes,
        "annotations": _change_notes(view, size),
        **extra,
    }


AXIS = {"gridcolor": "#e5e5e5", "zerolinecolor": "#cccccc", "linecolor": "#cccccc"}


def figure(traces: list[dict], layout: dict) -> dict:
    """A figure as a dict, on a white background with light grid lines."""
    for name in ("xaxis", "yaxis"):
        layout[name] = {**AXIS, **layout.get(name, {})}
    return {"data": traces, "layout": {"paper_bgcolor": "white", "plot_bgcolor": "white", **layout}}


def placeholder(text: str, height: int = HEIGHT) -> dict:
    """An empty chart that says why it is empty."""
    hidden = {"visible": False}
    return figure(
        [],
        {
            "height": height,
            "xaxis": hidden,
            "yaxis": hidden,
            "annotations": [
                {
                    "text": text,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 14, "color": GREY},
                }
            ],
        },
    )


def _line(
    x: list[str], y: np.ndarray, name: str, colour: str, *, pinned: bool = False, dash: str = "solid", axis: str = "y"
) -> dict:
    return {
        "type": "scatter",
        "x": x,
        "y": np.asarray(y, dtype=float),
        "name": name + (PINNED if pinned else ""),
        "mode": "lines",
        "yaxis": axis,
        "legendgroup": name,
        "showlegend": not pinned,
        "line": {"color": colour, "width": 2 if pinned else 2.5, "dash": "dot" if pinned else dash},
        "opacity": 0.55 if pinned else 1.0,
        # this run's lines are cut at the month shown in the browser (viz.plotly_chart), the twin's are not
        "meta": "twin" if pinned else "run",
    }


def _runs(view: RunView, reference: RunView | None) -> list[tuple[RunView, bool]]:
    return [(view, False)] + ([(reference, True)] if reference is not None and reference.ticks else [])


def _twin_legend(traces: list[dict], reference: RunView | None) -> None:
    """One legend entry for every dotted line: what the twin is."""
    if reference is not None and reference.ticks:
        traces.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": "dotted: twin",
                "line": {"color": GREY, "dash": "dot", "width": 2},
                "meta": "twin",
            }
        )


def price_figure(view: RunView, reference: RunView | None, good: str, span: tuple[str, str], big: bool = False) -> dict:
    """Price of a good in China and outside it: the two tiers export controls open."""
    traces = []
    for run, pinned in _runs(view, reference):
        for tier, values in run.prices.get(good, {}).items():
            colour = CHINA_RED if tier == CHINA_TIER else OTHERS_BLUE
            traces.append(_line(run.dates, values, f"{tier}", colour, pinned=pinned))
    _twin_legend(traces, reference)
    return figure(traces, _time_layout(span, "US$ per kg", view, big))


def importers_figure(
    view: RunView, reference: RunView | None, regions: list[str], span: tuple[str, str], big: bool = False
) -> dict:
    """Each importer's dependency on China over time: the share of its end use separated in China."""
    traces = []
    for run, pinned in _runs(view, reference):
        for k, region in enumerate(regions):
            if region in run.dependency:
                colour = IMPORTER_COLOURS[k % len(IMPORTER_COLOURS)]
                traces.append(
                    _line(run.dates, 100 * run.dependency[region]["separation"], region, colour, pinned=pinned)
                )
    _twin_legend(traces, reference)
    layout = _time_layout(span, "% of end use", view, big)
    layout["yaxis"]["range"] = [0, 105]
    return figure(traces, layout)


def own_price_figure(dates: list[str], price: np.ndarray, column: int, region: str, good: str) -> dict:
    """One government's price of a good against the world's, month by month (the player page).

    Args:
        dates: The months so far.
        price: Prices, (month, good, region with the world last).
        column: The government's region index in ``price``.
        region: Its name, for the legend.
        good: The good.
    """
    k = GOODS.index(good)
    traces = [
        _line(dates, price[:, k, column], region, OTHERS_BLUE),
        _line(dates, price[:, k, -1], "world", GREY, dash="dash"),
    ]
    layout = {
        "height": 240,
        "margin": {"l": 50, "r": 10, "t": 10, "b": 30},
        "yaxis": {"title": {"text": f"{GOOD_NAMES[good]}, US$/kg"}, "rangemode": "tozero"},
        # a tick a month while the game is young (automatic ticks repeat month names then)
        "xaxis": {"type": "date", "tickformat": "%b %Y", **({"dtick": "M1"} if len(dates) <= 8 else {})},
        "legend": {"orientation": "h", "y": -0.25, "font": {"size": 10}},
    }
    return figure(traces, layout)


def share_figure(
    view: RunView, reference: RunView | None, region: str, span: tuple[str, str], big: bool = False
) -> dict:
    """China's share of world output by stage, and one region's dependency on China."""
    traces = []
    for run, pinned in _runs(view, reference):
        for stage in STAGES:
            traces.append(
                _line(
                    run.dates,
                    100 * run.china_share[stage],
                    f"China: {stage}",
                    STAGE_COLOURS[stage],
                    pinned=pinned,
                )
            )
        if region in run.dependency:
            traces.append(
                _line(
                    run.dates,
                    100 * run.dependency[region]["separation"],
                    f"{region}'s dependency",
                    "#2c3e50",
                    pinned=pinned,
                    dash="dash",
                )
            )
    _twin_legend(traces, reference)
    layout = _time_layout(span, "share, %", view, big)
    layout["yaxis"]["range"] = [0, 105]
    return figure(traces, layout)


def dependency_figure(view: RunView, reference: RunView | None) -> dict:
    """Each consuming region's dependency on China at each stage, in the latest month."""
    regions = [
        r
        for r, stages in view.dependency.items()
        if len(stages["separation"]) and np.isfinite(stages["separation"][-1])
    ]
    if not regions:
        return placeholder("Dependencies appear after the first month.")
    traces = []
    for stage in STAGES:
        values = [100 * view.dependency[r][stage][-1] for r in regions]
        traces.append(
            dict(type="bar", y=regions, x=values, name=stage, orientation="h", marker={"color": STAGE_COLOURS[stage]})
        )
    if reference is not None and reference.ticks:
        pinned = [
            100 * reference.dependency[r]["separation"][-1] if r in reference.dependency else math.nan for r in regions
        ]
        traces.append(
            dict(
                type="scatter",
                y=regions,
                x=pinned,
                mode="markers",
                name="separation" + PINNED,
                marker={"symbol": "line-ns-open", "size": 14, "color": "#000"},
            )
        )
    return figure(
        traces,
        {
            "height": HEIGHT,
            "font": {"size": FONT[False]},
            "margin": {"l": 80, "r": 16, "t": 12, "b": 44},
            "barmode": "group",
            "xaxis": {"title": {"text": "% of end use that passed through China"}, "range": [0, 100]},
            "yaxis": {"autorange": "reversed"},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        },
    )


def shortage_figure(view: RunView, reference: RunView | None, span: tuple[str, str]) -> dict:
    """End-use need that went unmet, world, t a month."""
    traces = [
        _line(run.dates, run.unmet[g], GOOD_NAMES[g], GOOD_COLOURS[g], pinned=pinned)
        for run, pinned in _runs(view, reference)
        for g in ("ndpr", "dytb", "magnet")
    ]
    _twin_legend(traces, reference)
    return figure(traces, _time_layout(span, "tonnes a month", view))


def stockpile_figure(view: RunView, reference: RunView | None, span: tuple[str, str]) -> dict:
    """State strategic stockpiles, world, t."""
    traces = [
        _line(run.dates, run.stockpile[g], GOOD_NAMES[g], GOOD_COLOURS[g], pinned=pinned)
        for run, pinned in _runs(view, reference)
        for g in ("ndpr", "dytb")
    ]
    _twin_legend(traces, reference)
    return figure(traces, _time_layout(span, "tonnes", view))
