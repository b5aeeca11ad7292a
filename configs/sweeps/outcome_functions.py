"""Example outcome functions for sweep specs: each takes a run's tidy table (docs/metrics.md).

Name one in a spec as ``function = "outcome_functions:magnet_self_sufficiency"``: this file is
beside the sweep files, and a sweep finds modules in its spec's folder.
"""

from __future__ import annotations

import pandas as pd


def _mean(table: pd.DataFrame, metric: str, good: str, region: str, last_months: int = 12) -> float:
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    return float(rows.sort_values("tick")["value"].tail(last_months).mean())


def magnet_self_sufficiency(table: pd.DataFrame) -> dict[str, float]:
    """Magnets made over magnets used in Japan and the USA over the run's last year (1 = self-sufficient)."""
    return {
        region: _mean(table, "production", "magnet", region) / max(_mean(table, "consumption", "magnet", region), 1e-9)
        for region in ("japan", "usa")
    }


def ndpr_price_gap(table: pd.DataFrame) -> float:
    """NdPr price outside China over the price in China, over the run's last year."""
    return _mean(table, "price", "ndpr", "usa") / _mean(table, "price", "ndpr", "china")
