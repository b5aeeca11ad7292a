"""Government decision rules: each reads an :class:`Observation` and returns policy events.

A strategy is any object with ``decide(observation) -> list`` of events (or plain dicts in
scenario-file form). The rule-based strategies here are configured per government in the
scenario (``[regions.X.strategy]``, see :mod:`marketsim.scenario.schema` for their parameters); a human
player plugs in through the same seam as an external controller (:mod:`marketsim.governance.rounds`).
"""

from __future__ import annotations

from marketsim.governance.china import DominantSupplier
from marketsim.governance.holders import ResourceHolder
from marketsim.governance.importers import RESTRICTED, Importer
from marketsim.governance.observation import Observation
from marketsim.governance.protocols import Controller
from marketsim.scenario.strategies import ScriptedStrategy

__all__ = ["RESTRICTED", "DominantSupplier", "Importer", "ResourceHolder", "Scripted", "build_strategy"]


class Scripted:
    """Decides nothing: the scenario's events are the government's whole policy."""

    def __init__(self, spec: ScriptedStrategy | None = None) -> None:
        """Create the (empty) strategy."""

    def decide(self, observation: Observation) -> list:
        """No decisions."""
        return []


STRATEGIES = {
    "scripted": Scripted,
    "dominant_supplier": DominantSupplier,
    "importer": Importer,
    "resource_holder": ResourceHolder,
}


def build_strategy(spec) -> Controller:
    """The strategy object a scenario's ``[regions.X.strategy]`` describes."""
    return STRATEGIES[spec.kind](spec)
