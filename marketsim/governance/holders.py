"""The resource holder's strategy: process at home when it can, and sell its ore to the bloc that
pays more, China or an importers' alliance."""

from __future__ import annotations

from marketsim.governance import coalitions
from marketsim.governance.observation import Observation
from marketsim.governance.project_deals import Sale
from marketsim.governance.reasons import Reasoning
from marketsim.policy.events import AllianceJoin, AllianceLeave, ExportBan, Subsidy
from marketsim.scenario.strategies import CoalitionTerms, ResourceHolderStrategy


class ResourceHolder(Reasoning):
    """Bans exports of its concentrate and subsidises separation once it can separate at home;
    with ore to sell, joins the importers' alliance whose members pay more for NdPr than China (by
    ``price_margin``, for ``patience`` rounds) and leaves it when China pays more; without ore,
    joins its ``alliance`` at the first round; offers offtakes of its supply projects to the
    alliance paying more than China (:attr:`selling_to`, see
    :mod:`marketsim.governance.project_deals`; and
    :class:`~marketsim.scenario.strategies.ResourceHolderStrategy`)."""

    def __init__(self, spec: ResourceHolderStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.banned = False
        self.leaning: dict[str, int] = {}
        self.subsidised = False
        self.selling_to: Sale | None = None
        """What it offers this round (None: nothing, or China pays more)."""

    def admits(self, observation: Observation, applicant: str, alliance: str) -> tuple[bool, str]:
        """As a member: admit a buyer of ore and oxides (a market for its ore); judge anyone else as
        an importer does (default coalition terms)."""
        if observation.others.get(applicant, {}).get("exposure", 0.0) > 0 and observation.capacity["mining"] > 0:
            return True, f"{observation.region} admits {applicant} to {alliance}: a buyer for its ore"
        return coalitions.admits(observation, applicant, alliance, CoalitionTerms())

    def decide(self, observation: Observation) -> list:
        """This round's decisions."""
        self.begin()
        spec, now, region = self.spec, observation.date, observation.region
        decisions: list = []
        mining = observation.capacity["mining"] > 0
        self.selling_to = self._sale(observation)
        if spec.process_at_home:
            decisions += self._process_at_home(observation)
        if mining and observation.others:
            return [*decisions, *self._choose_bloc(observation)]
        if spec.alliance is not None and spec.alliance in observation.alliances:
            if region not in observation.alliances[spec.alliance]:
                join = AllianceJoin(start=now, region=region, alliance=spec.alliance)
                decisions.append(self.because(join, f"{region} joins {spec.alliance} for investment in its resources"))
        return decisions

    def _process_at_home(self, observation: Observation) -> list:
        """Ban concentrate exports once it separates its own ore; subsidise separation at home
        where it has a plant or a separation project."""
        spec, now, region = self.spec, observation.date, observation.region
        decisions: list = []
        if not self.banned and observation.capacity["separation"] > 0 and observation.capacity["mining"] > 0:
            self.banned = True
            ban = ExportBan(start=now, region=region, goods=("concentrate",))
            decisions.append(self.because(ban, f"{region} can separate its own ore: it bans exports of concentrate"))
        plans = sorted(p for p, stage in observation.projects.items() if stage == "separation")
        if self.subsidised or spec.home_subsidy_rate <= 0 or not (observation.capacity["separation"] > 0 or plans):
            return decisions
        self.subsidised = True
        where = "its separation plants" if observation.capacity["separation"] > 0 else ", ".join(plans)
        why = (
            f"{region} wants to process its ore at home: it pays {100 * spec.home_subsidy_rate:.0f} % "
            f"of the cost of separation at {where}"
        )
        subsidy = Subsidy(start=now, region=region, stage="separation", rate=spec.home_subsidy_rate)
        return [*decisions, self.because(subsidy, why)]

    def _sale(self, observation: Observation) -> Sale | None:
        """Its mines and separation projects, offered to the alliance whose buyers pay most for
        NdPr if that is more than China pays (a sale binds less than membership: no margin)."""
        spec = self.spec
        projects = tuple(sorted(p for p, stage in observation.projects.items() if stage != "magnets"))
        china = observation.others.get(coalitions.DOMINANT, {}).get("ndpr_price", 0.0)
        offers = self._offers(observation)
        if spec.offtake_share <= 0 or not projects or not offers or not china:
            return None
        alliance = max(sorted(offers), key=lambda a: offers[a])
        if offers[alliance] <= china:
            return None
        return Sale(observation.region, alliance, offers[alliance], china, spec.offtake_share, projects)

    def _offers(self, observation: Observation) -> dict[str, float]:
        """What each importers' alliance pays for NdPr (its floor, or its buyers' average price)."""
        offers = {}
        for alliance, members in observation.alliances.items():
            buyers = [
                observation.others[m]["ndpr_price"]
                for m in members
                if m != observation.region and m in observation.others and observation.others[m]["exposure"] > 0
            ]
            if buyers and coalitions.DOMINANT not in members:
                floor = observation.alliance_terms.get(alliance, {}).get("floor_ndpr", 0.0)
                offers[alliance] = max(floor, sum(buyers) / len(buyers))
        return offers

    def _choose_bloc(self, observation: Observation) -> list:
        """Join the bloc paying more than China, leave one paying less (after ``patience`` rounds)."""
        spec, now, region = self.spec, observation.date, observation.region
        china = observation.others.get(coalitions.DOMINANT, {}).get("ndpr_price", 0.0)
        offers = self._offers(observation)
        mine = sorted(a for a in offers if region in observation.alliances[a])
        if mine:
            alliance = mine[0]
            lean = offers[alliance] * (1.0 + spec.price_margin) < china
            why = (
                f"China pays {china:,.0f} US$/kg for NdPr against {offers[alliance]:,.0f} in {alliance}: "
                f"{region} leaves {alliance} to sell its ore to China"
            )
            return self._after_patience(alliance, lean, AllianceLeave(start=now, region=region, alliance=alliance), why)
        if not offers or not china:
            return []
        alliance = max(sorted(offers), key=lambda a: offers[a])
        lean = offers[alliance] > china * (1.0 + spec.price_margin)
        why = (
            f"{alliance}'s buyers pay {offers[alliance]:,.0f} US$/kg for NdPr against {china:,.0f} in China: "
            f"{region} joins {alliance} to sell its ore there"
        )
        return self._after_patience(alliance, lean, AllianceJoin(start=now, region=region, alliance=alliance), why)

    def _after_patience(self, alliance: str, lean: bool, event, why: str) -> list:
        """``event`` once the lean has lasted ``patience`` rounds."""
        self.leaning[alliance] = self.leaning.get(alliance, 0) + 1 if lean else 0
        if self.leaning[alliance] < self.spec.patience:
            return []
        self.leaning[alliance] = 0
        return [self.because(event, why)]
