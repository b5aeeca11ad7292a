"""Governments: one per region, deciding each round through a controller (a strategy or a player)."""

from __future__ import annotations

import mesa

from marketsim.governance.protocols import Controller


class Government(mesa.Agent):
    """The government of a region.

    Its ``controller`` decides each round: the rule-based strategy of the scenario, or an
    external controller (a human player's client, a script) handed over with
    :meth:`RareEarthModel.assign_controller`. A scripted government has none and only applies
    the scenario's events. Decisions validated before the round (a player's, see
    :func:`marketsim.governance.rounds.queue_decisions`) wait in ``queued``.
    """

    def __init__(
        self, model: mesa.Model, region: str, controller: Controller | None = None, budget: float | None = None
    ) -> None:
        """Register the government of ``region`` with the model.

        Args:
            model: The model.
            region: Region id.
            controller: What decides for it each round (None: no decisions of its own).
            budget: US$ million a year it may commit to stockpiles (None: no limit).
        """
        super().__init__(model)
        self.region = region
        self.controller = controller
        self.budget = budget
        self.budget_left = budget
        self.export_history: list[float] = []
        self.queued: list = []

    def new_year(self) -> None:
        """Refill the yearly budget."""
        self.budget_left = self.budget

    def budget_at(self, tick: int) -> float | None:
        """The budget a decision applied at ``tick`` meets: refilled first if ``tick`` opens a year."""
        return self.budget if tick % 12 == 0 else self.budget_left

    @property
    def policies(self) -> list:
        """Policies in force that this government enacted."""
        return [
            p for p in self.model.policies_in_force if getattr(p, "region", getattr(p, "importer", None)) == self.region
        ]
