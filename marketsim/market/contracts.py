"""Long-term contracts: a share of every market's volume trades at a lagged price, the rest at spot
(REF §11: most rare-earth volume trades on long-term contracts at lagged or negotiated prices; in
2025 about 96 % of Dy volume traded near US$224/kg while spot asks passed US$1,000).

The contract price follows the spot (regional) price with a first-order lag; buyers' use and
thrift respond to what they pay on average, ``share * contract + (1 - share) * spot``.
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.dynamics import ContractParams


class ContractBook:
    """Contract prices of every (good, region) market."""

    def __init__(self, params: ContractParams, spot: np.ndarray) -> None:
        """Start with contracts at the starting spot prices.

        Args:
            params: Contract parameters.
            spot: (goods, regions) starting regional prices, US$/kg.
        """
        self.params = params
        self.price = np.asarray(spot, dtype=float).copy()
        """(goods, regions) contract price, US$/kg."""

    def update(self, spot: np.ndarray) -> None:
        """Move contract prices one month toward the spot price (renegotiation over ``lag_months``)."""
        self.price += (spot - self.price) / self.params.lag_months

    def paid(self, spot: np.ndarray) -> np.ndarray:
        """(goods, regions) average price buyers pay: the contract share at the contract price, the
        rest at spot."""
        share = self.params.share
        return share * self.price + (1.0 - share) * spot
