"""Learning curves: processing costs fall with experience (cumulative output and research).

Experience $E_{k,r}$ of stage $k$ (separation, magnets, recycling) in region $r$ starts at
``experience_years`` of the region's starting capacity (at least a pilot line) and grows each
month with the region's own output, the share of its research-sharing allies' output that the
alliance passes on, and research spending. Outside the alliances of a region that bans the
export of processing technology, that growth is slowed by the ban's factor. The unit cost of
every facility at the stage is its starting cost times
``max((E / E_0) ** -b, floor)``, with ``b = -log2(1 - learning rate)``.
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.levers import LearningParams
from marketsim.vocabulary import LEARNING_STAGES


def exponent(rate: float | np.ndarray) -> np.ndarray:
    """Learning exponent ``b`` of a learning rate (unit-cost fall per doubling)."""
    return -np.log2(1.0 - np.minimum(np.asarray(rate, dtype=float), 0.99))


class Learning:
    """Experience and the unit-cost multiplier of each learning stage in each region."""

    def __init__(self, params: LearningParams, start_capacity: np.ndarray, experience_years: np.ndarray) -> None:
        """Create the experience stocks.

        Args:
            params: The scenario's ``learning`` section.
            start_capacity: (stages, regions) capacity at the start, t/yr, in
                :data:`~marketsim.vocabulary.LEARNING_STAGES` order.
            experience_years: (regions,) years of starting capacity each region has made.
        """
        self.params = params
        self.start = np.maximum(start_capacity * experience_years[None, :], params.pilot_tonnes)
        self.experience = self.start.copy()
        self.exponent = exponent([params.rates[k] for k in LEARNING_STAGES])[:, None]
        self.multiplier = np.ones_like(self.start)

    def accumulate(
        self, output: np.ndarray, research: np.ndarray, sharing: np.ndarray, tech_factor: np.ndarray
    ) -> np.ndarray:
        """Add one month of experience and return the new unit-cost multipliers.

        Args:
            output: (stages, regions) this month's output of each stage, t.
            research: (stages, regions) research spending in force, US$ million a year.
            sharing: (regions, regions) share of a partner's experience each region gains.
            tech_factor: (regions,) pace of learning allowed by technology bans (1: none).

        Returns:
            (stages, regions) unit cost as a share of its starting level.
        """
        gained = output + output @ sharing.T + research * (self.params.tonnes_per_million / 12.0)
        self.experience += gained * tech_factor[None, :]
        self.multiplier = np.maximum((self.experience / self.start) ** -self.exponent, self.params.floor)
        return self.multiplier
