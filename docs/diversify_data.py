"""The runs docs/make_diversify_plots.py draws and counts: both scenarios, their yearly series, shared names.

Imported by docs/make_diversify_plots.py and docs/diversify_figures.py (docs/ is on the path when a script
under it runs).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from marketsim.reports.runner import run_scenario
from marketsim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img" / "diversify"
IMPORTERS = ("usa", "eu", "japan")
HOME = ("usa", "eu", "japan", "korea", "australia", "canada", "greenland")
STAGES = ("mining", "separation", "magnets")
YEARS = (2024, 2035, 2053)
LAST_DECADE = (2044, 2053)
LABEL = {
    "usa": "USA",
    "eu": "EU",
    "japan": "Japan",
    "korea": "Korea",
    "australia": "Australia",
    "canada": "Canada",
    "greenland": "Greenland",
    "china": "China",
    "india": "India",
}
STYLE = {"baseline": {"color": "tab:blue", "ls": "--"}, "diversify": {"color": "tab:orange", "ls": "-"}}
SCENARIOS = {"baseline": "baseline_2024", "diversify": "diversify"}
REO_PER_MAGNET = 0.2731  # t REO a tonne of magnet carries (docs/model.md 7.5), for recycled share of needs


def run(name: str, seed: int | None = None) -> pd.DataFrame:
    """Run a shipped scenario and return its table with a calendar-year column."""
    table = run_scenario(load_scenario(ROOT / "configs" / f"{name}.toml"), seed=seed).table
    table["year"] = table["date"].astype(str).str[:4].astype(int)
    return table


def yearly(table: pd.DataFrame, metric: str, good: str = "all", regions=("world",)) -> pd.DataFrame:
    """Yearly mean of a metric, one column per region."""
    rows = table[(table["metric"] == metric) & (table["good"] == good) & table["region"].isin(regions)]
    return rows.pivot_table(index="year", columns="region", values="value", observed=True, aggfunc="mean")


def last_decade(frame):
    """Mean over the last decade of the run."""
    return frame.loc[LAST_DECADE[0] : LAST_DECADE[1]].mean()
