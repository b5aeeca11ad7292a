"""Government decision rules: each reads an :class:`Observation` and returns policy events.

A strategy is any object with ``decide(observation) -> list`` of events (or plain dicts in
scenario-file form). The rule-based strategies here are configured per government in the
scenario (``[regions.X.strategy]``, see :mod:`marketsim.scenario.schema` for their parameters); a human
player plugs in through the same seam as an external controller (:mod:`marketsim.governance.rounds`).
"""

from __future__ import annotations

from marketsim.governance.observation import Observation
from marketsim.governance.protocols import Controller
from marketsim.policy.events import (
    AllianceJoin,
    AllianceLeave,
    ExportBan,
    ExportLicence,
    PriceFloor,
    RecyclingMandate,
    StockpileOrder,
    Subsidy,
    Tariff,
)
from marketsim.scenario.strategies import (
    DominantSupplierStrategy,
    ImporterStrategy,
    ResourceHolderStrategy,
    ScriptedStrategy,
)

RESTRICTED = ("ndpr", "dytb")
"""Oxides a dominant supplier licenses to keep magnet making at home."""


class Scripted:
    """Decides nothing: the scenario's events are the government's whole policy."""

    def __init__(self, spec: ScriptedStrategy | None = None) -> None:
        """Create the (empty) strategy."""

    def decide(self, observation: Observation) -> list:
        """No decisions."""
        return []


class DominantSupplier:
    """Protects value added at home with oxide licences, answers disputes with targeted
    embargoes, and lifts general restrictions when they cost too much export revenue or provoke
    rival supply, waiting ``memory_rounds`` rounds before restricting again (see
    :class:`~marketsim.scenario.strategies.DominantSupplierStrategy`)."""

    def __init__(self, spec: DominantSupplierStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.restricting = False
        self.pause = 0
        self.embargoed: set[str] = set()

    def decide(self, observation: Observation) -> list:
        """Embargo new dispute targets; restrict or relax general oxide exports."""
        spec, now = self.spec, observation.date
        decisions: list = []
        for target in observation.disputes:
            if target in self.embargoed:
                continue
            self.embargoed.add(target)
            end = _months_later(now, spec.dispute_months)
            if spec.dispute_response == "ban":
                decisions.append(ExportBan(start=now, end=end, region=observation.region, destinations=(target,)))
            else:
                decisions.append(
                    ExportLicence(
                        start=now,
                        end=end,
                        region=observation.region,
                        approval_rate=spec.approval_rate,
                        destinations=(target,),
                        goods=(*RESTRICTED, "magnet"),
                    )
                )
        self.embargoed &= set(observation.disputes)
        history = observation.export_value_history[-spec.memory_rounds :]
        lost = bool(history) and observation.export_value < (1.0 - spec.max_revenue_loss) * max(history)
        rivals = 1.0 - observation.china_share["separation"] > spec.rival_share_trigger
        self.pause = max(0, self.pause - 1)
        if self.restricting and (lost or rivals):
            self.restricting = False
            self.pause = spec.memory_rounds  # let revenue recover before restricting again
            decisions.append(ExportLicence(start=now, region=observation.region, approval_rate=1.0, goods=RESTRICTED))
        elif (
            not self.restricting
            and not self.pause
            and not (lost or rivals)
            and observation.china_share["magnets"] < spec.value_added_target
        ):
            self.restricting = True
            decisions.append(
                ExportLicence(start=now, region=observation.region, approval_rate=spec.approval_rate, goods=RESTRICTED)
            )
        return decisions


class Importer:
    """Stockpiles, subsidises home separation and magnet making, guarantees a price floor,
    mandates recycling, sets tariffs and joins an alliance when dependent on China; releases
    stockpiles in shortages; leaves the alliance when no longer dependent (see
    :class:`~marketsim.scenario.strategies.ImporterStrategy`)."""

    def __init__(self, spec: ImporterStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.subsidised = False
        self.tariffed = False
        self.supported = False
        self.waiting = 0

    def decide(self, observation: Observation) -> list:
        """This round's decisions: stockpiles first, then home support, tariffs and alliance."""
        dependent = observation.dependency["separation"] > self.spec.dependency_threshold
        self.waiting = max(0, self.waiting - 1)
        return [
            *self._stockpile(observation, dependent),
            *self._support_home(observation, dependent),
            *self._alliance(observation, dependent),
        ]

    def _stockpile(self, observation: Observation, dependent: bool) -> list:
        """Release the stockpile in a shortage; otherwise, when dependent, top it up to its target
        within the budget (an order is delivered over six months, so wait two rounds before
        looking again)."""
        spec, now, region = self.spec, observation.date, observation.region
        if observation.unmet_share > spec.shortage_threshold:
            return [
                StockpileOrder(start=now, region=region, good=good, tonnes=-observation.stockpile[good], months=6)
                for good in RESTRICTED
                if observation.stockpile[good] > 0
            ]
        if not (dependent and spec.stockpile_months > 0 and not self.waiting):
            return []
        orders = []
        budget = spec.budget if observation.budget_left is None else min(spec.budget, observation.budget_left)
        for good in RESTRICTED:
            target = spec.stockpile_months * _oxide_use(observation, good)
            tonnes = target - observation.stockpile[good]
            cost = tonnes * observation.price[good] / 1000.0
            if tonnes > 0.05 * target and 0 < cost <= budget:
                budget -= cost
                self.waiting = 2
                orders.append(StockpileOrder(start=now, region=region, good=good, tonnes=tonnes, months=6))
        return orders

    def _support_home(self, observation: Observation, dependent: bool) -> list:
        """Once dependent: subsidies for home separation and magnets, a price floor, a recycling
        mandate and a tariff on Chinese magnets, each once."""
        spec, now, region = self.spec, observation.date, observation.region
        decisions: list = []
        if dependent and spec.subsidy_rate > 0 and not self.subsidised:
            self.subsidised = True
            decisions += [
                Subsidy(start=now, region=region, stage=stage, rate=spec.subsidy_rate)
                for stage in ("separation", "magnets")
            ]
        if dependent and not self.supported:
            self.supported = True
            if spec.price_floor > 0:
                decisions.append(PriceFloor(start=now, region=region, good="ndpr", price=spec.price_floor))
            if spec.recycling_target > 0:
                decisions.append(RecyclingMandate(start=now, region=region, collection_rate=spec.recycling_target))
        if dependent and spec.tariff_rate > 0 and not self.tariffed:
            self.tariffed = True
            decisions.append(
                Tariff(start=now, importer=region, origins=("china",), goods=("magnet",), rate=spec.tariff_rate)
            )
        return decisions

    def _alliance(self, observation: Observation, dependent: bool) -> list:
        """Join the alliance when dependent; leave it when no longer dependent and paying a
        premium of over 20 % on NdPr for membership."""
        spec, now, region = self.spec, observation.date, observation.region
        if spec.alliance is None:
            return []
        member = region in observation.alliances.get(spec.alliance, ())
        premium = observation.price["ndpr"] / max(observation.world_price["ndpr"], 1e-9) - 1.0
        if dependent and not member:
            return [AllianceJoin(start=now, region=region, alliance=spec.alliance)]
        if member and not dependent and premium > 0.2:
            return [AllianceLeave(start=now, region=region, alliance=spec.alliance)]
        return []


class ResourceHolder:
    """Keeps processing at home when it can, and joins an alliance that brings investment
    (see :class:`~marketsim.scenario.strategies.ResourceHolderStrategy`)."""

    def __init__(self, spec: ResourceHolderStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.banned = False

    def decide(self, observation: Observation) -> list:
        """This round's decisions."""
        spec, now, region = self.spec, observation.date, observation.region
        decisions: list = []
        if spec.process_at_home and not self.banned and observation.capacity["separation"] > 0:
            self.banned = True
            decisions.append(ExportBan(start=now, region=region, goods=("concentrate",)))
        if spec.alliance is not None and region not in observation.alliances.get(spec.alliance, ()):
            decisions.append(AllianceJoin(start=now, region=region, alliance=spec.alliance))
        return decisions


STRATEGIES = {
    "scripted": Scripted,
    "dominant_supplier": DominantSupplier,
    "importer": Importer,
    "resource_holder": ResourceHolder,
}


def build_strategy(spec) -> Controller:
    """The strategy object a scenario's ``[regions.X.strategy]`` describes."""
    return STRATEGIES[spec.kind](spec)


def _oxide_use(observation: Observation, good: str) -> float:
    """Monthly use of an oxide, counting what the region's magnet consumption contains."""
    return observation.use[good] + observation.oxide_per_magnet[good] * observation.use["magnet"]


def _months_later(month: str, months: int) -> str:
    from marketsim.vocabulary import month_index, month_label  # noqa: PLC0415

    return month_label(month_index(month) + months)
