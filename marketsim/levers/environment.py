"""Environmental standards and burdens: where the tailings, acidic wastewater and radioactive
residue of rare-earth production land, and what a stricter standard costs.

A region's standard $s_{k,r}$ (0 lax, 1 best practice) for stage $k$ cuts the burden per tonne of
output to ``burden_per_tonne[k] * (1 - abatement * s)`` and adds
``cost_per_level[k] * (s - s0)`` to unit cost, where $s_0$ is the region's standard at the start
(the configured unit costs already include the cost of today's standards).
"""

from __future__ import annotations

import numpy as np

from marketsim.scenario.levers import EnvironmentParams
from marketsim.vocabulary import POLICY_STAGES


class Environment:
    """Standards in force and the burden of each month's output, by stage and region."""

    def __init__(self, params: EnvironmentParams, start_standard: np.ndarray) -> None:
        """Create the environment.

        Args:
            params: The scenario's ``environment`` section.
            start_standard: (stages, regions) standard at the start, in
                :data:`~marketsim.vocabulary.POLICY_STAGES` order.
        """
        self.start = np.asarray(start_standard, dtype=float)
        self.standard = self.start.copy()
        self.per_tonne = np.array([params.burden_per_tonne.get(k, 0.0) for k in POLICY_STAGES])[:, None]
        self.cost_per_level = np.array([params.cost_per_level.get(k, 0.0) for k in POLICY_STAGES])[:, None]
        self.abatement = params.abatement
        self.extra_cost = np.zeros_like(self.start)

    def set_standards(self, override: np.ndarray) -> None:
        """Apply the standards policies set (NaN where none is in force: the starting one)."""
        self.standard = np.where(np.isnan(override), self.start, override)
        self.extra_cost = self.cost_per_level * (self.standard - self.start)

    def burden_per_tonne(self) -> np.ndarray:
        """(stages, regions) burden index per t of output under the standards in force."""
        return self.per_tonne * (1.0 - self.abatement * self.standard)

    def burden(self, output: np.ndarray) -> np.ndarray:
        """(stages, regions) burden of a month's output (t REO; magnets t of magnet)."""
        return self.burden_per_tonne() * output
