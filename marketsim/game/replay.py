"""Building a room's model and playing its rounds: the same code runs a live game, rebuilds it
from its log, and plays its bot twin.

The model of a room is a function of the scenario, the seed, the seats and the model-changing
entries of the log: ``shock`` (an event submitted before the round's ticks) and ``advance``
(which seats were played by people that round, their decisions, and how many ticks ran).
"""

from __future__ import annotations

import hashlib
from typing import Any

from marketsim.governance.rounds import as_event, queue_decisions
from marketsim.governance.strategies import build_strategy
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import apply_overrides, parse_scenario_text
from marketsim.scenario.schema import Scenario

FALLBACKS = ("ai", "no_change")


class SeatController:
    """The controller of a seat played by people, plugged in with ``model.assign_controller``.

    In a round people play (``played``) it decides nothing: their decisions were validated when
    they sent them and wait in the government's queue. Otherwise it falls back to the scenario's
    strategy (``"ai"``; no change if the scenario gives the government none) or to no change
    (``"no_change"``).
    """

    def __init__(self, strategy_spec, fallback: str) -> None:
        """Create the controller.

        Args:
            strategy_spec: The scenario's strategy spec for the government.
            fallback: ``"ai"`` or ``"no_change"``.
        """
        self.ai = None
        if fallback == "ai" and strategy_spec.kind != "scripted":
            self.ai = build_strategy(strategy_spec)
        self.played = False

    def decide(self, observation) -> list:
        """No decisions in a round people play; otherwise the fallback's."""
        if self.played or self.ai is None:
            return []
        return self.ai.decide(observation)

    def reason_for(self, event) -> str:
        """Why the fallback strategy decided ``event`` ("" when it does not say)."""
        explain = getattr(self.ai, "reason_for", None)
        return explain(event) if callable(explain) else ""


def room_scenario(scenario_text: str, source: str, ticks_per_round: int) -> Scenario:
    """The scenario a room plays: governments decide every ``ticks_per_round`` months."""
    scenario = parse_scenario_text(scenario_text, source)
    if scenario.scenario.round_months == ticks_per_round:
        return scenario
    return apply_overrides(scenario, [f"scenario.round_months={int(ticks_per_round)}"], source)


def new_model(scenario: Scenario, seed: int, seats: list[str], fallback: str) -> tuple[RareEarthModel, dict]:
    """A room's model at tick 0, with a :class:`SeatController` on every seat played by people.

    Returns:
        ``(model, controllers)`` with controllers by region.
    """
    model = RareEarthModel(scenario, seed=seed)
    controllers = {}
    for region in seats:
        controllers[region] = SeatController(scenario.regions[region].strategy, fallback)
        model.assign_controller(region, controllers[region])
    return model, controllers


def play_entry(model: RareEarthModel, controllers: dict, kind: str, payload: dict[str, Any]) -> None:
    """Apply one model-changing log entry: inject a shock, or play a round.

    Both were validated when the room logged them; here they are only read back. A round's
    decisions of seats played by people (after the joins of accepted alliance offers, which are
    played whoever plays the seat) are queued on their governments
    (:func:`marketsim.governance.rounds.queue_decisions`) and applied by the model at the start of
    the round's first month, the same way in every round.
    """
    if kind == "shock":
        model.submit(as_event(payload["event"], model.date))
        return
    if kind != "advance":
        raise ValueError(f"not a model entry: {kind!r}")
    human, offers = payload["human"], payload.get("offers", {})
    for name in payload.get("new_alliances", []):
        # A new alliance proposed by players: PolicyBook creates alliances on demand (its join
        # does a setdefault); here it is created empty so its members join through the seam.
        model.book.members.setdefault(name, set())
    for region, controller in controllers.items():
        controller.played = region in human
        decided = [*offers.get(region, []), *human.get(region, [])]
        queue_decisions(model, region, [as_event(d, model.date) for d in decided])
    try:
        for _ in range(int(payload["ticks"])):
            model.step()
    finally:
        for controller in controllers.values():
            controller.played = False


def replay_model(
    scenario: Scenario, seed: int, seats: list[str], fallback: str, entries: list[tuple[str, dict]]
) -> tuple[RareEarthModel, dict]:
    """A room's model rebuilt from scratch from its model-changing entries, in order."""
    model, controllers = new_model(scenario, seed, seats, fallback)
    for kind, payload in entries:
        play_entry(model, controllers, kind, payload)
    return model, controllers


def twin_entries(entries: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The same entries with every seat left to its fallback (and no offers between players): the
    bot twin of a game."""
    return [
        (kind, {**payload, "human": {}, "offers": {}, "new_alliances": []} if kind == "advance" else payload)
        for kind, payload in entries
    ]


def state_digest(model: RareEarthModel) -> str:
    """SHA-256 of everything the model recorded so far (every raw array, to the bit) and its tick."""
    digest = hashlib.sha256(f"tick={model.tick};".encode())
    for name in sorted(model.recorder.raw):
        digest.update(name.encode())
        digest.update(model.recorder.raw[name][: model.tick].tobytes())
    return digest.hexdigest()
