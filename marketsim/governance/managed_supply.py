"""China's managed supply: the mining quota as a rule of its government, and a state reserve
that buys low and sells high (REF §8, §11: MIIT quotas 105 kt in 2017 to 270 kt in 2024; the
state reserve bought about 10 kt in Aug 2014).

Each January the government sets next year's quota: it keeps its share of the world's expected
mining demand (the share it held at the start), cut by ``band_response`` when last year's home
NdPr price was below the low end of its price band and raised when above the high end (for that
year only: the defence does not compound). Mines
may also produce undocumented output, a fixed share of what they mine. Every month the reserve
buys NdPr and Dy/Tb at home while the price is below the band and releases them above it.
"""

from __future__ import annotations

import numpy as np

from marketsim.governance.heavy_quota import HeavyQuota, band_defence
from marketsim.scenario.dynamics import ManagedSupplyParams


class ManagedSupply:
    """The quota rule and the state reserve of one government."""

    def __init__(
        self, params: ManagedSupplyParams, region: int, reference_ndpr: float, heavy: HeavyQuota | None = None
    ) -> None:
        """Create the rule.

        Args:
            params: Managed-supply parameters.
            region: Row of the managing region (-1: none, the rule is off).
            reference_ndpr: Reference NdPr price, US$/kg (the band is set in multiples of it).
            heavy: The separate ionic-clay quota (None: none; 7.35).
        """
        self.params = params
        self.region = region
        self.active = region >= 0 and params.start_quota > 0
        self.quota = params.start_quota
        """This year's quota, t REO/yr (documented output); the light (rock) quota once the ionic
        clays have their own (:attr:`heavy`)."""
        self.heavy = heavy if heavy is not None and self.active else None
        self.split = False
        """Whether the ionic clays have their own quota now."""
        self.band = np.array(params.price_band) * reference_ndpr
        self.share: float | None = None
        self.prices: list[float] = []
        self.update_split(0)

    def update_split(self, tick: int) -> None:
        """Carve the ionic-clay quota out of the region's quota in the month its category begins
        (the light share is then measured again on the light quota alone)."""
        if self.heavy is None or self.split or not self.heavy.active(tick):
            return
        self.split = True
        self.quota = max(self.quota - self.heavy.quota, 0.0)
        self.share = None

    @property
    def output_cap(self) -> float:
        """Most the region's mines produce in a year, t REO: the quotas plus undocumented output."""
        heavy = self.heavy.quota if self.split else 0.0
        return (self.quota + heavy) / (1.0 - self.params.undocumented_share)

    def group_caps(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(mines,) group of each mine (0: the region's light mines, 1: its ionic clays, -1: others)
        and (2,) this month's cap on each group's output, t REO; None while there is one quota."""
        if not self.split:
            return None
        caps = np.array([self.quota, self.heavy.quota]) / (1.0 - self.params.undocumented_share)
        return self.heavy.groups(), caps / 12.0

    def undocumented(self, mined: np.ndarray) -> np.ndarray:
        """(regions,) t REO of this month's mine output beyond the quota: the undocumented share of
        the managing region's output (0 elsewhere, and everywhere while the rule is off)."""
        out = np.zeros_like(mined, dtype=float)
        if self.active:
            out[self.region] = mined[self.region] * self.params.undocumented_share
        return out

    def monthly_cap(self, size: int) -> np.ndarray:
        """(regions,) this month's cap on mine output (inf outside the managing region)."""
        cap = np.full(size, np.inf)
        if self.active:
            cap[self.region] = self.output_cap / 12.0
        return cap

    def due(self, tick: int) -> bool:
        """Whether the government reviews its quotas at the end of month ``tick``."""
        months = self.params.review_months
        return tick % months == months - 1

    def review(
        self,
        tick: int,
        expected_demand: float,
        home_ndpr: float,
        others_supply: float | None = None,
        stock_gap: float = 0.0,
    ) -> None:
        """Remember this month's home NdPr price; each January (every 12 months) set the quota
        for the coming year.

        The quota keeps at least the region's starting share of expected world mining demand and
        fills what the rest of the world's mines are expected not to supply (the managing region
        is the swing supplier), times the band defence :meth:`defence`.

        Args:
            tick: Month of the run.
            expected_demand: World mining demand expected over the coming year, t REO/yr.
            home_ndpr: This month's home NdPr price, US$/kg.
            others_supply: Mine output expected from the rest of the world, t REO/yr (None: the
                region keeps its share only).
            stock_gap: The market's unsold oxide stock short of its normal level, in t REO of
                concentrate that would make it up (negative: a surplus); the quota closes it over
                ``stock_months`` (Sterman 2000 ch. 17: anchoring and adjustment on stocks).
        """
        if not self.active:
            return
        self.prices.append(home_ndpr)
        if self.share is None:
            self.share = self.quota / max(expected_demand, 1e-9)
        if not self.due(tick):
            return
        needed = self.share * expected_demand
        if others_supply is not None and self.params.fill_gap:
            needed = max(needed, expected_demand - others_supply)
        if self.params.stock_months > 0:
            needed = max(needed + 12.0 * stock_gap / self.params.stock_months, 0.0)
        self.quota = needed * self.defence(float(np.mean(self.prices[-12:])))

    def defence(self, average: float) -> float:
        """Multiplier of the quota for a year whose home NdPr price averaged ``average``: graded
        with the log distance outside the band, reaching ``1 +- band_response`` at a factor of 2
        beyond its edge (a bang-bang response overshoots and cycles)."""
        return band_defence(average, self.band, self.params.band_response)

    def reserve_orders(self, home_price: np.ndarray, output: np.ndarray, held: np.ndarray) -> np.ndarray:
        """(2,) t this month of NdPr and Dy/Tb the reserve buys (positive) or releases (negative).

        Args:
            home_price: (2,) home NdPr and Dy/Tb prices over their band's reference multiples
                (1 = the reference).
            output: (2,) the region's monthly NdPr and Dy/Tb output, t.
            held: (2,) the reserve's stock, t.
        """
        if not self.active:
            return np.zeros(2)
        low, high = self.params.price_band
        rate = self.params.reserve_rate * output
        buy = np.where(home_price < low, rate, 0.0)
        sell = np.where(home_price > high, np.minimum(rate, held), 0.0)
        return buy - sell
