"""The importer's strategy: stockpiles, support for home industry, tariffs, WTO-style disputes and
alliances chosen by what membership brings and costs (:mod:`marketsim.governance.coalitions`)."""

from __future__ import annotations

from marketsim.governance import coalitions, founding
from marketsim.governance.observation import Observation
from marketsim.governance.project_deals import Sale
from marketsim.governance.reasons import Reasoning
from marketsim.policy.events import (
    Dispute,
    Offtake,
    PriceFloor,
    ProjectEquity,
    ProjectLoan,
    RecyclingMandate,
    StockpileOrder,
    Subsidy,
    Tariff,
)
from marketsim.scenario.strategies import ImporterStrategy
from marketsim.vocabulary import month_index, month_label

RESTRICTED = ("ndpr", "dytb")
"""Oxides importers stockpile (and a dominant supplier licenses)."""


def months_later(month: str, months: int) -> str:
    """The month ``months`` after ``month``."""
    return month_label(month_index(month) + months)


def oxide_use(observation: Observation, good: str) -> float:
    """Monthly use of an oxide, counting what the region's magnet consumption contains."""
    return observation.use[good] + observation.oxide_per_magnet[good] * observation.use["magnet"]


class Importer(Reasoning):
    """Stockpiles, subsidises home separation and magnet making, guarantees a price floor,
    mandates recycling and sets tariffs when dependent on China; releases stockpiles in
    shortages; files a WTO-style dispute against licences aimed at it; joins, stays in, leaves or
    founds alliances by what membership brings and costs, and as a member judges applicants and
    the alliance's terms; takes offtakes, equity and loans in projects resource holders offer its
    alliance (see :class:`~marketsim.scenario.strategies.ImporterStrategy`)."""

    def __init__(self, spec: ImporterStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.subsidised = False
        self.tariffed = False
        self.supported = False
        self.waiting = 0
        self.risk: float | None = None
        self.strain: dict[str, int] = {}
        self.threatened_outside = 0
        self.founded: dict[str, int] = {}
        self.disputed = -spec.dispute_cooldown
        self.applied: dict[str, int] = {}
        self.left: dict[str, int] = {}
        self.rounds = 0
        """Rounds decided so far (cooldowns count these)."""
        self.sizes: dict[str, int] = {}

    def decide(self, observation: Observation) -> list:
        """This round's decisions: stockpiles first, then home support, disputes and alliances."""
        self.begin()
        self.rounds += 1
        dependent = observation.dependency["separation"] > self.spec.dependency_threshold
        self.waiting = max(0, self.waiting - 1)
        coalition = self.spec.coalition
        now_risk = coalitions.risk_now(observation, coalition.risk_floor)
        memory = coalition.risk_memory
        self.risk = now_risk if self.risk is None else memory * now_risk + (1.0 - memory) * self.risk
        return [
            *self._stockpile(observation, dependent),
            *self._support_home(observation, dependent),
            *self._dispute(observation),
            *self._alliances(observation),
            *self._terms(observation),
        ]

    def admits(self, observation: Observation, applicant: str, alliance: str) -> tuple[bool, str]:
        """As a member: admit or refuse an applicant (see :func:`coalitions.admits`)."""
        return coalitions.admits(observation, applicant, alliance, self.spec.coalition)

    def _stockpile(self, observation: Observation, dependent: bool) -> list:
        """Release the stockpile in a shortage; otherwise, when dependent, top it up to its target
        within the budget (an order is delivered over six months, so wait two rounds before
        looking again)."""
        spec, now, region = self.spec, observation.date, observation.region
        if observation.unmet_share > spec.shortage_threshold:
            why = f"{100 * observation.unmet_share:.0f} % of its need went unmet last round: it releases its stockpile"
            return [
                self.because(
                    StockpileOrder(start=now, region=region, good=good, tonnes=-observation.stockpile[good], months=6),
                    why,
                )
                for good in RESTRICTED
                if observation.stockpile[good] > 0
            ]
        if not (dependent and spec.stockpile_months > 0 and not self.waiting):
            return []
        orders = []
        budget = spec.budget if observation.budget_left is None else min(spec.budget, observation.budget_left)
        for good in RESTRICTED:
            target = spec.stockpile_months * oxide_use(observation, good)
            tonnes = target - observation.stockpile[good]
            cost = tonnes * observation.price[good] / 1000.0
            if tonnes > 0.05 * target and 0 < cost <= budget:
                budget -= cost
                self.waiting = 2
                why = (
                    f"China supplies {100 * observation.dependency['separation']:.0f} % of its separated supply: "
                    f"it tops its {good} stockpile up to {spec.stockpile_months:g} months of use"
                )
                orders.append(
                    self.because(StockpileOrder(start=now, region=region, good=good, tonnes=tonnes, months=6), why)
                )
        return orders

    def _support_home(self, observation: Observation, dependent: bool) -> list:
        """Once dependent: subsidies for home separation and magnets (where it has plants), a price
        floor, a recycling mandate and a tariff on Chinese magnets, each once."""
        if not dependent:
            return []
        spec, now, region = self.spec, observation.date, observation.region
        why = f"China supplies {100 * observation.dependency['separation']:.0f} % of its separated supply"
        decisions: list = []
        if spec.subsidy_rate > 0 and not self.subsidised:
            self.subsidised = True
            decisions += [
                self.because(
                    Subsidy(start=now, region=region, stage=stage, rate=spec.subsidy_rate),
                    f"{why}: it subsidises its own {stage} plants to diversify",
                )
                for stage in ("separation", "magnets")
                if observation.capacity[stage] > 0
            ]
        if not self.supported:
            self.supported = True
            if spec.price_floor > 0 and observation.capacity["separation"] > 0:
                floor = PriceFloor(start=now, region=region, good="ndpr", price=spec.price_floor)
                decisions.append(self.because(floor, f"{why}: it guarantees its NdPr producers a price"))
            if spec.recycling_target > 0 and observation.capacity["recycling"] > 0:
                mandate = RecyclingMandate(start=now, region=region, collection_rate=spec.recycling_target)
                decisions.append(self.because(mandate, f"{why}: it mandates magnet recycling"))
        if spec.tariff_rate > 0 and not self.tariffed:
            self.tariffed = True
            tariff = Tariff(start=now, importer=region, origins=("china",), goods=("magnet",), rate=spec.tariff_rate)
            decisions.append(self.because(tariff, f"{why}: it puts a tariff on Chinese magnets"))
        return decisions

    def _dispute(self, observation: Observation) -> list:
        """File a WTO-style dispute against the dominant supplier's licences aimed at it."""
        approval = coalitions.approval_on(observation, observation.region)
        rounds = self.rounds
        if not self.spec.file_disputes or approval >= 1.0 or rounds - self.disputed < self.spec.dispute_cooldown:
            return []
        if coalitions.DOMINANT not in observation.others or coalitions.DOMINANT in observation.disputes:
            return []
        self.disputed = rounds
        now = observation.date
        dispute = Dispute(start=now, end=months_later(now, 12), region=observation.region, target=coalitions.DOMINANT)
        why = (
            f"China's licences let through only {100 * approval:.0f} % of what it asks for: it files a "
            "WTO-style dispute to raise the cost of those controls"
        )
        return [self.because(dispute, why)]

    def _alliances(self, observation: Observation) -> list:
        """Leave an alliance that costs more than it brings (for ``patience`` rounds), join the one
        worth most, or found one when threatened outside every alliance."""
        return founding.choose_alliances(self, observation)

    def _terms(self, observation: Observation) -> list:
        """As the largest buyer of an alliance, change its terms (see :mod:`founding`)."""
        return founding.revise_terms(self, observation)

    def buy(
        self, observation: Observation, sale: Sale, stalled: frozenset[str], capital: dict[str, float], budget
    ) -> list:
        """Take a resource holder's offer (see :mod:`marketsim.governance.project_deals`): an
        offtake of each project at the NdPr price its bloc's buyers pay; equity in a project that
        stalls, or a loan to one that pays its way, if the stake or loan fits ``project_budget``
        of ``budget`` (US$ million left; None: no limit)."""
        spec, now, region = self.spec, observation.date, observation.region
        if not spec.take_offtakes:
            return []
        decisions: list = []
        for project in sale.projects:
            offtake = Offtake(start=now, region=region, project=project, price=round(sale.price, 1), share=sale.share)
            why = (
                f"{sale.holder} sells {100 * sale.share:.0f} % of the output of {project} to {sale.alliance}, whose "
                f"buyers pay {sale.price:,.0f} US$/kg for NdPr against {sale.china_price:,.0f} in China: "
                f"{region} takes the offtake at that price"
            )
            decisions.append(self.because(offtake, why))
            finance = self._finance(now, region, project, sale.holder, project in stalled, capital[project], budget)
            if finance is not None:
                budget = None if budget is None else budget - finance[1]
                decisions.append(finance[0])
        return decisions

    def _finance(self, now: str, region: str, project: str, holder: str, stalls: bool, capital: float, budget):
        """Equity in a project that stalls, or a loan to one that pays its way, with its cost
        (US$ million), if it fits ``project_budget`` of ``budget``; None otherwise."""
        spec = self.spec
        share = spec.equity_share if stalls else spec.loan_share
        cost = share * capital
        if cost <= 0 or (budget is not None and cost > spec.project_budget * budget):
            return None
        if stalls:
            stake = ProjectEquity(start=now, region=region, project=project, share=share)
            why = (
                f"{project} in {holder} does not pay its way at today's prices: {region} buys "
                f"{100 * share:.0f} % of it (US${cost:,.0f} m) to get it built"
            )
            return self.because(stake, why), cost
        loan = ProjectLoan(start=now, region=region, project=project, share=share, rate=spec.loan_rate)
        why = (
            f"{project} in {holder} pays its way at today's prices: {region} lends {100 * share:.0f} % of its capital "
            f"(US${cost:,.0f} m at {100 * spec.loan_rate:.0f} %) so it keeps paying if prices fall"
        )
        return self.because(loan, why), cost
