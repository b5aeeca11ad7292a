"""HTML tables shared by the dashboard and the game's debrief."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from marketsim.reports.scorecard import COLUMNS, HIGHER_IS_BETTER

TITLES = {
    "cost_of_supply": ("Cost of supply", "US$ million a year"),
    "need_met": ("Need met", "%"),
    "china_dependency": ("Dependency on China", "%"),
    "value_added": ("Value added at home", "US$ million a year"),
    "burden": ("Environmental burden", "index a year, 0 = none"),
    "public_spending": ("Public money", "US$ million a year"),
}
"""Column heading and unit of each scorecard column."""


def text_table(rows: list[tuple[str, ...]], head: tuple[str, ...], css_class: str) -> str:
    """Rows of plain text as an HTML table (every cell escaped) with a heading row."""
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    top = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table class='{css_class}'><thead><tr>{top}</tr></thead><tbody>{cells}</tbody></table>"


def difference(column: str, value: float, other: float) -> str:
    """A change in words a room understands: percentage points for shares, percent for money and
    burden (US$ million when the other is 0); empty when there is no change to speak of."""
    if not math.isfinite(other) or abs(value - other) < 0.05:
        return ""
    if TITLES[column][1] == "%":
        return f"{value - other:+.1f} pts"
    if abs(other) < 1e-9:
        return f"{value - other:+,.0f} {TITLES[column][1].removesuffix(' a year')}"
    percent = 100.0 * (value / other - 1.0)
    return f"{percent:+.0f} %" if abs(percent) >= 0.5 else ""


def scorecard_table(scores: pd.DataFrame, against: pd.DataFrame | None = None, only: list[str] | None = None) -> str:
    """A scorecard as an HTML table; with ``against``, each cell also shows its change, green
    where it is better; cells that do not apply (NaN) show a dash.

    Args:
        scores: One row per government, the columns of :data:`marketsim.reports.scorecard.COLUMNS`.
        against: Scores to compare with (a pinned run, the bot twin), or None.
        only: Governments to show (all when None).
    """
    head = "".join(
        f"<th title='{html.escape(COLUMNS[c])}'>{TITLES[c][0]}<br><small>{TITLES[c][1]}</small></th>" for c in COLUMNS
    )
    columns = list(COLUMNS)
    values = scores[columns].to_numpy(dtype=float)
    others = (
        against.reindex(index=scores.index, columns=columns).to_numpy(dtype=float)
        if against is not None
        else np.full_like(values, np.nan)
    )
    rows = []
    for k, region in enumerate(scores.index):  # numpy rows: pandas cell by cell cost a frame's time
        if only is not None and region not in only:
            continue
        cells = []
        for j, column in enumerate(columns):
            value, other = float(values[k, j]), float(others[k, j])
            if not np.isfinite(value):
                cells.append("<td title='does not apply'>–</td>")
                continue
            text = f"{value:,.0f}"
            change = difference(column, value, other)
            if change:
                better = (value > other) == HIGHER_IS_BETTER[column]
                text += f" <small style='color:{'#1e8449' if better else '#c0392b'}'>({change})</small>"
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><th>{html.escape(str(region))}</th>{''.join(cells)}</tr>")
    return (
        f"<table class='scorecard'><thead><tr><th>Government</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
