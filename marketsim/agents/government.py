"""Governments: one per region, holding the policies it has in force."""

from __future__ import annotations

import mesa


class Government(mesa.Agent):
    """The government of a region.

    In the core model governments are scripted: the scenario's events are their decisions.
    Strategic behaviour plugs in here later by emitting events of its own.
    """

    def __init__(self, model: mesa.Model, region: str) -> None:
        """Register the government of ``region`` with the model."""
        super().__init__(model)
        self.region = region

    @property
    def policies(self) -> list:
        """Policies in force that this government enacted."""
        return [
            p for p in self.model.policies_in_force
            if getattr(p, "region", getattr(p, "importer", None)) == self.region
        ]
