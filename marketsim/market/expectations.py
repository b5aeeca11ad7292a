"""Stockholders' price expectations: fundamentalists and trend followers (Brock & Hommes 1997;
ter Ellen & Zwinkels 2010), and competitive storage (Deaton & Laroque 1996; REF §11).

Every (good, region) market has two forecasting rules for the log price change over a horizon of
``H`` months: fundamentalists expect the price to close the share ``H / reversion_months`` of its
log gap to the fundamental price (the marginal chain's full cost for oxides, a slow average of the
price elsewhere); trend followers extrapolate the last three months' log change over the horizon.
Each rule's fitness is an exponentially weighted sum of the profits it would have earned (the
realised monthly log return times the position its last forecast implied), and the share of
fundamentalists is the logit of the fitness difference times the intensity of choice. Stockholders
(buyers' speculative stock) hold extra months of cover when the expected gain exceeds the carrying
cost over the horizon and hold less when the expected loss exceeds it: calm inside that band, a
bubble when trend followers take over after a shock, and a dump when expectations turn.
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.dynamics import StockholderParams

FLOAT_MAX = np.finfo(float).max
"""Where an infinite fundamental price is capped (what ``np.nan_to_num`` would do, without its cost)."""

DEFAULT = BehaviourParams()
"""The ``[behaviour]`` defaults (``trend_months``: trend followers extrapolate the log change of the
last this many months)."""


class Expectations:
    """Heterogeneous expectations of every (good, region) price."""

    def __init__(self, params: StockholderParams, prices: np.ndarray, trend_months: int = DEFAULT.trend_months) -> None:
        """Start calm: fundamentalists and trend followers in equal shares, prices at fundamentals.

        Args:
            params: Stockholder parameters.
            prices: (goods, regions) starting regional prices, US$/kg.
            trend_months: Months over which trend followers measure the trend (``behaviour.trend_months``).
        """
        self.params = params
        self.trend_months = trend_months
        self.log_history = [np.log(np.maximum(prices, 1e-9))] * (trend_months + 1)
        self.slow = self.log_history[0].copy()
        self.fitness = np.zeros((2, *prices.shape))
        self.forecasts = np.zeros((2, *prices.shape))
        self.fundamentalists = np.full(prices.shape, 0.5)
        self.expected = np.zeros(prices.shape)
        """(goods, regions) expected log price change over the horizon, both rules weighted."""
        self.since_news = np.full((prices.shape[0], 1), 10**6)
        """(goods, 1) months since export controls on each good were last imposed or changed."""
        self.supply_risk = np.zeros((prices.shape[0], 1))
        """(goods, 1) supply risk: 1 for ``precaution_months`` after export controls on the good are
        imposed or changed, then 0; it lifts the competitive-storage bound (quota-driven speculation,
        model.md 7.33, 7.36)."""
        self.since_tightened = np.full((prices.shape[0], 1), 10**6)
        """(goods, 1) months since export controls on each good were last tightened."""
        self.precaution = np.zeros((prices.shape[0], 1))
        """(goods, 1) 1 for ``precaution_months`` after export controls on the good are tightened, then 0:
        importers exposed to them keep ``precaution_cover`` more of their normal cover (model.md 7.36)."""
        self.storage_gain = np.zeros(prices.shape)
        """(goods, regions) expected change holders stock up on: gains bounded with weight
        ``storage_anchor`` by the fundamentalists' forecast (competitive storage), losses as expected."""

    def update(
        self,
        prices: np.ndarray,
        fundamental: np.ndarray,
        news: bool | np.ndarray = False,
        tightened: bool | np.ndarray = False,
    ) -> np.ndarray:
        """Score last month's forecasts on this month's price, switch rules and forecast again.

        Args:
            prices: (goods, regions) this month's regional prices, US$/kg.
            fundamental: (goods, regions) fundamental prices, US$/kg (NaN: a slow average of the
                price itself).
            news: (goods,) whether export controls (quotas, licences, bans) on each good were imposed or
                changed this month (one bool: on every good).
            tightened: (goods,) whether export controls on each good were tightened this month.

        Returns:
            (goods, regions) expected log price change over the horizon.
        """
        p = self.params
        log_price = np.log(np.maximum(prices, 1e-9))
        realised = log_price - self.log_history[-1]
        self.log_history = [*self.log_history[1:], log_price]
        self.slow += (log_price - self.slow) / p.reversion_months
        profit = realised * np.sign(self.forecasts)
        self.fitness = p.memory * self.fitness + (1.0 - p.memory) * profit
        edge = np.minimum(np.maximum(p.intensity_of_choice * (self.fitness[0] - self.fitness[1]), -50.0), 50.0)
        self.fundamentalists = 1.0 / (1.0 + np.exp(-edge))
        capped = np.minimum(np.maximum(fundamental, 1e-9), FLOAT_MAX)
        anchor = np.where(np.isnan(fundamental), self.slow, np.log(capped))
        horizon = p.horizon_months
        self.forecasts[0] = min(horizon / p.reversion_months, 1.0) * (anchor - log_price)
        trend = (log_price - self.log_history[0]) / self.trend_months
        self.forecasts[1] = p.trend_weight * trend * horizon
        self.expected = self.fundamentalists * self.forecasts[0] + (1.0 - self.fundamentalists) * self.forecasts[1]
        bounded = np.minimum(self.expected, np.maximum(self.forecasts[0], 0.0))
        if p.speculation_news == "tightening":
            news = tightened
        # (goods, 1), or (1, 1) for one bool on every good: np.where broadcasts it over the goods.
        fresh = np.asarray(news, dtype=bool).reshape(-1, 1)
        self.since_news = np.where(fresh, 0, self.since_news + 1)
        self.supply_risk = np.where(self.since_news < p.precaution_months, 1.0, 0.0)
        tighter = np.asarray(tightened, dtype=bool).reshape(-1, 1)
        self.since_tightened = np.where(tighter, 0, self.since_tightened + 1)
        self.precaution = np.where(self.since_tightened < p.precaution_months, 1.0, 0.0)
        anchor = p.storage_anchor * (1.0 - self.supply_risk)
        gain = (1.0 - anchor) * self.expected + anchor * bounded
        self.storage_gain = np.where(self.expected > 0.0, gain, self.expected)
        return self.expected

    def speculative_months(
        self, inventory_months: np.ndarray, hoarding: np.ndarray, expected: np.ndarray
    ) -> np.ndarray:
        """(holders,) extra months of cover holders keep for the expected change of their price,
        ``kappa * eta_H * h * sign(E) * max(|E| - c H, 0)``: positive beyond the carrying
        cost over the horizon, negative beyond an expected loss as large (never below
        ``min_cover_share`` of normal cover), none in between.

        Args:
            inventory_months: (holders,) normal months of cover ``h``.
            hoarding: (holders,) each holder's propensity to speculate ``eta^H``.
            expected: (holders,) expected log change of each holder's price ``E``.
        """
        p = self.params
        carry = p.carrying_cost * p.horizon_months
        excess = np.sign(expected) * np.maximum(np.abs(expected) - carry, 0.0)
        extra = p.cover_per_return * hoarding * inventory_months * excess
        return np.maximum(extra, -(1.0 - p.min_cover_share) * inventory_months)
