"""The headline numbers of a run against its no-change twin: what a room reads off one strip.

For one good: the price outside China and inside it; each large importer's dependency on China;
the share of the world's need left unmet; the public money spent so far. Prices, dependency and
unmet need are means over the last :data:`WINDOW` months shown (a month alone is noisy); each
number comes with its change against the twin over the same months.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from marketsim.reports.views import CHINA_TIER, OUTSIDE_TIER, RunView

WINDOW = 12
"""Months averaged for the headline."""
IMPORTERS = 4
"""Importers shown: those paying most for their supply."""


@dataclass(frozen=True)
class Number:
    """A headline number and its change against the twin (None without a twin).

    Attributes:
        value: The number (US$/kg, a share 0-1 or US$ million, see the field it is in).
        change: Against the twin: relative (0.1 = +10 %) for prices, absolute for shares (0.05 =
            +5 percentage points) and money (US$ million).
    """

    value: float
    change: float | None = None


@dataclass(frozen=True)
class Headline:
    """The headline of a run at a month."""

    date: str
    """The last month in the window."""
    outside: Number
    """Price of the good outside China, US$/kg."""
    china: Number | None
    """Price of the good inside China, US$/kg (None in a world without China)."""
    dependency: dict[str, Number]
    """Importer -> share of its end use separated in China, 0-1."""
    unmet: Number
    """World share of need unmet, 0-1."""
    public_money: Number
    """Public money all governments spent from the start to the date, US$ million."""


def _mean(values: np.ndarray) -> float:
    recent = np.asarray(values, dtype=float)[-WINDOW:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(recent)) if recent.size else float("nan")


def _relative(value: float, twin: float) -> float | None:
    if not (np.isfinite(value) and np.isfinite(twin)) or abs(twin) < 1e-12:
        return None
    return value / twin - 1.0


def _absolute(value: float, twin: float) -> float | None:
    return value - twin if np.isfinite(value) and np.isfinite(twin) else None


def importers(view: RunView, count: int = IMPORTERS) -> list[str]:
    """The regions outside China with end users that pay most for their supply."""
    if view.scores.empty:
        return []
    cost = view.scores["cost_of_supply"].drop("china", errors="ignore")
    used = view.scores["china_dependency"].reindex(cost.index).notna()
    return list(cost[used].sort_values(ascending=False).index[:count])


def headline(view: RunView, twin: RunView | None, good: str, regions: list[str] | None = None) -> Headline | None:
    """The headline of ``view`` for ``good``, against ``twin`` over the same months.

    Args:
        view: The run, for the months shown.
        twin: The twin, for the same months (None: no changes).
        good: A good (``ndpr``, ``dytb``, ...).
        regions: Importers to show (by default :func:`importers`).

    Returns:
        None before the first month.
    """
    if not view.ticks:
        return None
    twin = twin if twin is not None and twin.ticks == view.ticks else None

    def number(read, compare) -> Number:
        value = read(view)
        return Number(value, compare(value, read(twin)) if twin is not None else None)

    tiers = view.prices.get(good, {})
    china = None
    if CHINA_TIER in tiers:
        china = number(lambda v: _mean(v.prices[good][CHINA_TIER]), _relative)
    dependency = {
        region: number(lambda v, r=region: _mean(v.dependency[r]["separation"]), _absolute)
        for region in (importers(view) if regions is None else regions)
        if region in view.dependency
    }
    return Headline(
        date=view.dates[-1],
        outside=number(lambda v: _mean(v.prices[good][OUTSIDE_TIER]), _relative),
        china=china,
        dependency=dependency,
        unmet=number(lambda v: _mean(v.unmet_share), _absolute),
        public_money=number(lambda v: float(np.nansum(v.public_money)), _absolute),
    )
