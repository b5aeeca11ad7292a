"""Figures of the supply chain's structure: the flow of material from mine to end use (a Sankey
diagram, the twin's beside it) and the alliance network. Pure functions: view in, figure out.
"""

from __future__ import annotations

import math

from marketsim.reports.views import RunView
from viz.charts import ALLIANCE_COLOURS, CHINA_RED, FONT, GREY, OTHERS_BLUE, PINNED, figure, placeholder

FLOW_COLUMNS = ("Mined in", "Separated in", "Made into magnets in", "Magnets used in")
TOP = 0.97
"""Top of the upper flow diagram: room under the column titles for the label of a thin top node."""


def _sankey(flows, domain: dict) -> dict:
    """One flow diagram; its nodes are labelled with the region alone (the column says the stage)."""
    colours = [
        CHINA_RED if owner == "china" else (GREY if owner == "others" else OTHERS_BLUE) for owner in flows.regions
    ]
    link_colours = [
        "rgba(192,57,43,0.35)" if flows.regions[a] == "china" else "rgba(36,113,163,0.3)" for a, _, _ in flows.links
    ]
    return {
        "type": "sankey",
        "arrangement": "snap",
        "valueformat": ",.0f",
        "valuesuffix": " t REO/yr",
        "domain": domain,
        "node": {
            "label": flows.regions,
            "customdata": flows.labels,
            "hovertemplate": "%{customdata}: %{value}<extra></extra>",
            "color": colours,
            "pad": 20,
            "thickness": 14,
        },
        "link": {
            "source": [a for a, _, _ in flows.links],
            "target": [b for _, b, _ in flows.links],
            "value": [v for _, _, v in flows.links],
            "color": link_colours,
        },
    }


def _note(text: str, x: float, y: float, **extra) -> dict:
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "showarrow": False, **extra}


def flow_figure(view: RunView, reference: RunView | None = None) -> dict:
    """The supply chain as a flow diagram, t REO a year over the last 12 months; with a twin, the
    twin's below this run's."""
    if not view.flows.links:
        return placeholder("The flows appear after the first month.", 660)
    twin = reference is not None and bool(reference.flows.links)
    # One height with or without a twin: plotly.js clips a sankey whose figure grows on redraw.
    layout = {"height": 660, "margin": {"l": 30, "r": 10, "t": 30, "b": 10}, "font": {"size": 13}}
    anchors = ("left", "center", "center", "right")
    notes = [
        _note(f"<b>{title}</b>", k / 3, 1.0, xanchor=anchor, yanchor="bottom")
        for k, (title, anchor) in enumerate(zip(FLOW_COLUMNS, anchors, strict=True))
    ]
    if not twin:
        layout["annotations"] = notes
        return figure([_sankey(view.flows, {"x": [0, 1], "y": [0, TOP]})], layout)
    traces = [
        _sankey(view.flows, {"x": [0, 1], "y": [0.53, TOP]}),
        _sankey(reference.flows, {"x": [0, 1], "y": [0, 0.47]}),
    ]
    notes += [
        _note("<b>this run</b>", -0.02, 0.765, textangle=-90, xanchor="right"),
        _note("<b>twin</b>", -0.02, 0.235, textangle=-90, xanchor="right"),
    ]
    layout["annotations"] = notes
    return figure(traces, layout)


def _outward(angle: float) -> str:
    """Where a label goes so that it points away from the centre of the circle."""
    x, y = math.cos(angle), math.sin(angle)
    vertical = "top" if y > 0.5 else ("bottom" if y < -0.5 else "middle")
    horizontal = "right" if x > 0.3 else ("left" if x < -0.3 else "center")
    return f"{vertical} {horizontal}"


def alliance_figure(view: RunView, reference: RunView | None, regions: list[str]) -> dict:
    """Governments on a circle; a coloured edge per shared alliance, red dashes for disputes."""
    angle = {r: 2 * math.pi * k / max(len(regions), 1) for k, r in enumerate(regions)}
    pos = {r: (math.cos(a), math.sin(a)) for r, a in angle.items()}
    traces = []

    def edges(pairs, name, colour, dash, width):
        xs, ys = [], []
        for a, b in pairs:
            if a in pos and b in pos:
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            traces.append(
                dict(
                    type="scatter",
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=name,
                    hoverinfo="skip",
                    line={"color": colour, "dash": dash, "width": width},
                )
            )

    def pairs_of(members):
        return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]

    if reference is not None and reference.ticks:
        for name, members in reference.alliances.items():
            edges(pairs_of(members), name + PINNED, "#bbbbbb", "dot", 1)
    for k, (name, members) in enumerate(view.alliances.items()):
        edges(pairs_of(members), name, ALLIANCE_COLOURS[k % len(ALLIANCE_COLOURS)], "solid", 2.5)
    edges(view.disputes, "dispute", CHINA_RED, "dash", 2)
    allied = {r for members in view.alliances.values() for r in members}
    traces.append(
        dict(
            type="scatter",
            x=[pos[r][0] for r in regions],
            y=[pos[r][1] for r in regions],
            mode="markers+text",
            text=regions,
            textposition=[_outward(angle[r]) for r in regions],
            name="government",
            textfont={"size": 13},
            marker={
                "size": 12,
                "color": [CHINA_RED if r == "china" else (OTHERS_BLUE if r in allied else GREY) for r in regions],
            },
        )
    )
    hidden = {"visible": False, "range": [-1.4, 1.4], "fixedrange": True}
    pairs = {tuple(sorted(p)) for members in view.alliances.values() for p in pairs_of(sorted(members))}
    count = {
        "text": f"allied pairs: {len(pairs)}",
        "x": 1,
        "y": 1,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "showarrow": False,
    }
    return figure(
        traces,
        {
            "height": 400,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {**hidden, "range": [-1.6, 1.6]},
            "yaxis": {**hidden, "range": [-1.25, 1.3]},
            "font": {"size": FONT[False]},
            "legend": {"orientation": "v", "x": 0, "y": 1, "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"},
            "annotations": [count],
        },
    )
