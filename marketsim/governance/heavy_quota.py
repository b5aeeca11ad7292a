"""China's separate mining quota for ionic clays, the medium-heavy rare earths (REF §7: MIIT split
the 2011 quota into 80.4 kt light and 13.4 kt medium-heavy; docs/model.md 7.35).

The government sets it as it sets the light quota on NdPr (7.23, 7.33), but on Dy/Tb: at each review
it fills the Dy/Tb the world is expected to need that the other mines are not expected to supply
(China is the swing supplier of heavy rare earths), keeping at least the share of that need it held
at the start, and closes the gap between the market's unsold Dy/Tb oxide and its normal level over
``stock_months`` (Sterman 2000 ch. 17: anchoring and adjustment on a stock):

    Q_h = [max(s_h D, D - S) + 12 / tau_S * G]^+ / (rho * chi_h) * d(P_DyTb)

with D the expected Dy/Tb need, S the others' Dy/Tb output, G the unsold Dy/Tb short of its normal
level (all t of Dy/Tb oxide), rho the separation recovery, chi_h the ionic mines' Dy/Tb share and d
the defence of a Dy/Tb price band (as the light quota's of NdPr). The quota caps the ionic mines'
output, and they invest toward it.
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.dynamics import HeavyQuotaParams


def band_defence(average: float, band: np.ndarray, response: float) -> float:
    """Multiplier of a quota for a period whose home price averaged ``average``: graded with the log
    distance outside ``band`` (low, high; US$/kg), reaching ``1 +- response`` at a factor of 2 beyond
    its edge (a bang-bang response overshoots and cycles)."""
    low, high = band
    # Python's min and max on the two scalars: np.clip's result, without its wrappers.
    above = min(max(np.log(average / high) / np.log(2.0), 0.0), 1.0)
    below = min(max(np.log(low / max(average, 1e-9)) / np.log(2.0), 0.0), 1.0)
    return float(1.0 + response * (above - below))


class HeavyQuota:
    """The ionic-clay quota of the managing government, and which mines it covers."""

    def __init__(
        self, params: HeavyQuotaParams, home: np.ndarray, ionic: np.ndarray, since: int, reference_dytb: float
    ) -> None:
        """Create the rule.

        Args:
            params: The quota's parameters (``start_quota`` 0: no separate category).
            home: (mines,) True for the managing region's mines.
            ionic: (mines,) True for the managing region's mines under the category.
            since: Month of the run from which the category exists (0: from the start).
            reference_dytb: Reference Dy/Tb price, US$/kg (the band is set in multiples of it).
        """
        self.params = params
        self.home = np.asarray(home, dtype=bool)
        self.ionic = np.asarray(ionic, dtype=bool) & self.home
        self.since = since
        self.quota = params.start_quota
        """This year's ionic-clay quota, t REO/yr (documented output)."""
        self.share: float | None = None
        self.band = np.array(params.price_band) * reference_dytb
        self.prices: list[float] = []
        self._groups: np.ndarray | None = None

    def groups(self) -> np.ndarray:
        """(mines,) 1 for the ionic clays, 0 for the region's other (light) mines, -1 elsewhere."""
        if self._groups is None:  # the mines' categories never change
            self._groups = np.where(self.ionic, 1, np.where(self.home, 0, -1))
            self._groups.flags.writeable = False
        return self._groups

    def active(self, tick: int) -> bool:
        """Whether the separate category is in force in month ``tick``."""
        return self.params.start_quota > 0 and tick >= self.since and bool(self.ionic.any())

    def review(
        self, need: float, others: float, stock_gap: float, content: float, response: float, fill_gap: bool = True
    ) -> None:
        """Set the quota for the coming period, times the band defence on the past 12 months' home
        Dy/Tb price (:func:`band_defence`).

        Args:
            need: World Dy/Tb oxide need expected over the coming year, t/yr.
            others: Dy/Tb oxide the mines outside the category are expected to supply, t/yr.
            stock_gap: Unsold Dy/Tb oxide short of its normal level, t (negative: a surplus).
            content: t of Dy/Tb oxide separated from a t REO of the category's concentrate.
            response: The government's band response (``managed_supply.band_response``).
            fill_gap: Whether the government fills what others do not supply (False: it keeps its
                share of need only, as China's restrictive quotas of 2009-2012).
        """
        if self.share is None:
            self.share = self.quota * content / max(need, 1e-9)
        needed = max(self.share * need, need - others) if fill_gap else self.share * need
        if self.params.stock_months > 0:
            needed += 12.0 * stock_gap / self.params.stock_months
        defence = band_defence(float(np.mean(self.prices[-12:])), self.band, response) if self.prices else 1.0
        self.quota = max(needed, 0.0) / max(content, 1e-9) * defence
