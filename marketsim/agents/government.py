"""Governments: one per region, deciding each round through a strategy or a controller."""

from __future__ import annotations

import mesa

from marketsim.governance.strategies import Controller, build_strategy


class Government(mesa.Agent):
    """The government of a region.

    Its ``controller`` decides each round: the rule-based strategy of the scenario, or an
    external controller (a human player's client, a script) handed over with
    :meth:`RareEarthModel.assign_controller`. A scripted government has none and only applies
    the scenario's events.
    """

    def __init__(self, model: mesa.Model, region: str, strategy=None, budget: float | None = None) -> None:
        """Register the government of ``region`` with the model.

        Args:
            model: The model.
            region: Region id.
            strategy: The scenario's strategy spec for it (None or scripted: no decisions).
            budget: US$ million a year it may commit to stockpiles (None: no limit).
        """
        super().__init__(model)
        self.region = region
        self.controller: Controller | None = None
        if strategy is not None and strategy.kind != "scripted":
            self.controller = build_strategy(strategy)
        self.budget = budget
        self.budget_left = budget
        self.export_history: list[float] = []

    def new_year(self) -> None:
        """Refill the yearly budget."""
        self.budget_left = self.budget

    @property
    def policies(self) -> list:
        """Policies in force that this government enacted."""
        return [
            p for p in self.model.policies_in_force if getattr(p, "region", getattr(p, "importer", None)) == self.region
        ]
