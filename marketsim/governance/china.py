"""The dominant supplier's strategy (China's government): licences by destination and in
general, embargoes in disputes, a technology ban, a cap on its own mining, and answers to the
importers' blocs, in its own interest (value added at home, export revenue, market share)."""

from __future__ import annotations

from marketsim.governance import coalitions
from marketsim.governance.importers import RESTRICTED, months_later
from marketsim.governance.observation import Observation
from marketsim.governance.reasons import Reasoning
from marketsim.policy.events import ExportBan, ExportLicence, ExportQuota, MiningQuota, TechnologyBan
from marketsim.scenario.strategies import DominantSupplierStrategy

BLOC_GOODS = (*RESTRICTED, "magnet")
"""What its licences on a rival bloc cover."""
ANSWER, RELIEF, EASE = "Answering the bloc", "Relief", "Easing on the bloc"
"""How its reasons start when it answers the importers (the benchmark counts these)."""
QUOTA_GOODS = ("concentrate", "ndpr", "dytb")
"""What its export quota covers: ore and the oxides magnets need."""
NO_LIMIT = 1e12
"""Tonnes a year standing for "no quota" while its quota is lifted (as the decision form's)."""
QUOTA, QUOTA_LIFT = "Export quota", "Quota lifted"
"""How its reasons start when it sets or lifts its export quota."""
MINING, MINING_LIFT = "Mining quota", "Mining quota lifted"
"""How its reasons start when it caps its own mining or lifts the cap."""


class DominantSupplier(Reasoning):
    """Protects value added at home with oxide licences, answers disputes with targeted
    embargoes, answers a rival bloc's growth and tariffs with licences on its members (relieving
    those who leave), eases them when disputes or lost revenue make them too costly, bans
    technology exports when rivals' separation grows, lifts general restrictions when they cost
    too much export revenue or provoke rival supply, and caps its own mining when low prices cut
    its export revenue (see
    :class:`~marketsim.scenario.strategies.DominantSupplierStrategy`)."""

    def __init__(self, spec: DominantSupplierStrategy) -> None:
        """Configure the strategy."""
        self.spec = spec
        self.restricting = False
        self.pause = 0
        self.embargoed: set[str] = set()
        self.seen: dict[str, tuple[str, ...]] | None = None
        self.tariffs: set[str] = set()
        self.targeted: tuple[str, ...] = ()
        self.until = ""
        self.banned_technology = False
        self.grown: list[str] = []
        """Regions that joined a rival bloc this round."""
        self.quota = False
        self.quota_pause = 0
        self.mining_until = ""
        """End of its own mining quota in force ("" when none)."""

    def decide(self, observation: Observation) -> list:
        """Embargo new dispute targets; answer the blocs; restrict or relax general exports."""
        self.begin()
        lost, rivals = self._pressures(observation)
        free = not (self.restricting or self.quota or self.targeted or self.embargoed)
        return [
            *self._disputes(observation),
            *self._blocs(observation, lost),
            *self._technology(observation),
            *self._general(observation, lost, rivals),
            *self._quota(observation, lost),
            *self._mining(observation, lost, free),
        ]

    def _pressures(self, observation: Observation) -> tuple[bool, bool]:
        """Whether export revenue fell by ``max_revenue_loss``, and rivals make too much separation."""
        spec = self.spec
        history = observation.export_value_history[-spec.memory_rounds :]
        lost = bool(history) and observation.export_value < (1.0 - spec.max_revenue_loss) * max(history)
        rivals = 1.0 - observation.china_share["separation"] > spec.rival_share_trigger
        return lost, rivals

    def _disputes(self, observation: Observation) -> list:
        """Embargo (or license) each new counterpart of a dispute, except a bloc member complaining
        (WTO-style) of its licences."""
        spec, now, region = self.spec, observation.date, observation.region
        decisions: list = []
        for target in observation.disputes:
            if target in self.embargoed:
                continue
            self.embargoed.add(target)
            if target in self.targeted:
                continue  # a complaint against its licences on the bloc: it weighs it in _blocs
            end = months_later(now, spec.dispute_months)
            why = f"In a dispute with {target}: China answers with a targeted {spec.dispute_response}"
            if spec.dispute_response == "ban":
                event = ExportBan(start=now, end=end, region=region, destinations=(target,))
            else:
                event = ExportLicence(
                    start=now,
                    end=end,
                    region=region,
                    approval_rate=spec.approval_rate,
                    destinations=(target,),
                    goods=BLOC_GOODS,
                )
            decisions.append(self.because(event, why))
        self.embargoed &= set(observation.disputes)
        return decisions

    def _blocs(self, observation: Observation, lost: bool) -> list:
        """Licences on the members of rival blocs when a bloc grows or taxes its magnets; relief
        for those who leave; easing when disputes with members or lost revenue make it too costly."""
        spec, now = self.spec, observation.date
        blocs = {a: m for a, m in observation.alliances.items() if m and observation.region not in m}
        seen = blocs if self.seen is None else self.seen
        self.seen = dict(blocs)
        if self.targeted and now >= self.until:
            self.targeted = ()
        joined = sorted({r for a, m in blocs.items() for r in m} - {r for m in seen.values() for r in m})
        self.grown = joined
        left = sorted(r for r in self.targeted if not any(r in m for m in blocs.values()))
        taxing = sorted(self._new_tariffs(observation, blocs))
        members = tuple(sorted({r for m in blocs.values() for r in m} - {observation.region}))
        disputes = [r for r in observation.disputes if r in members]
        if self.targeted and (len(disputes) >= spec.disputes_to_ease or lost):
            cause = f"disputes with {', '.join(disputes)} raise" if not lost else "its falling export revenue raises"
            return self._retarget((), now, f"{EASE}: {cause} the cost of its licences on the bloc; it lifts them")
        if spec.bloc_approval_rate >= 1.0 or not members:
            return []
        if joined or taxing:
            move = ", ".join([*(f"{r} joining a bloc" for r in joined), *(f"{r}'s tariff" for r in taxing)])
            why = (
                f"{ANSWER}: in answer to {move}, licences let {100 * spec.bloc_approval_rate:.0f} % through to members"
            )
            return self._retarget(members, now, why)
        if left and self.targeted:
            return self._retarget(
                members,
                now,
                f"{RELIEF}: {', '.join(left)} left the bloc and {_is(left)} spared China's licences",
            )
        return []

    def _new_tariffs(self, observation: Observation, blocs: dict) -> set[str]:
        """Bloc members whose tariffs on its goods came into force since it last looked."""
        taxing = {
            p.importer
            for p in observation.world_policies
            if p.type == "tariff"
            and (not p.origins or observation.region in p.origins)
            and p.rate > 0
            and any(p.importer in m for m in blocs.values())
        }
        new, self.tariffs = taxing - self.tariffs, taxing
        return new

    def _retarget(self, members: tuple[str, ...], now: str, why: str) -> list:
        """Lift the licence on the old set of members (if any) and license the new set."""
        decisions = []
        region = coalitions.DOMINANT
        if self.targeted and self.targeted != members:
            lift = ExportLicence(
                start=now,
                end=months_later(now, 1),
                region=region,
                approval_rate=1.0,
                destinations=self.targeted,
                goods=BLOC_GOODS,
            )
            decisions.append(self.because(lift, why))
        if members:
            self.until = months_later(now, self.spec.bloc_months)
            licence = ExportLicence(
                start=now,
                end=self.until,
                region=region,
                approval_rate=self.spec.bloc_approval_rate,
                destinations=members,
                goods=BLOC_GOODS,
            )
            decisions.append(self.because(licence, why))
        self.targeted = members
        return decisions

    def _quota(self, observation: Observation, lost: bool) -> list:
        """An export quota on ore and oxides at ``export_quota_share`` of last round's exports when a
        rival bloc grows (or, with ``quota_for_value_added``, its magnet share is below its aim);
        lifted when disputes with bloc members or lost export revenue make it costly (then not set
        again for ``memory_rounds``)."""
        spec, now, region = self.spec, observation.date, observation.region
        self.quota_pause = max(0, self.quota_pause - 1)
        if spec.export_quota_share >= 1.0:
            return []
        members = {r for m in observation.alliances.values() if region not in m for r in m}
        disputes = sorted(r for r in observation.disputes if r in members)
        if self.quota and (lost or len(disputes) >= spec.disputes_to_ease):
            self.quota, self.quota_pause = False, spec.memory_rounds
            cause = "its export revenue fell" if lost else f"disputes with {', '.join(disputes)} make it costly"
            lift = ExportQuota(
                start=now, end=months_later(now, 1), region=region, tonnes_per_year=NO_LIMIT, goods=QUOTA_GOODS
            )
            return [self.because(lift, f"{QUOTA_LIFT}: {cause}; China lifts its export quota on ore and oxides")]
        share = observation.china_share["magnets"]
        exported = 12.0 * sum(observation.exports.get(g, 0.0) for g in QUOTA_GOODS)
        short = spec.quota_for_value_added and share < spec.value_added_target
        if self.quota or self.quota_pause or lost or exported <= 0 or not (self.grown or short):
            return []
        self.quota = True
        if self.grown:
            cause = f"in answer to {', '.join(self.grown)} joining a rival bloc"
        else:
            aim = 100 * spec.value_added_target
            cause = f"it makes {100 * share:.0f} % of the world's magnets, below its aim of {aim:.0f} %"
        tonnes = spec.export_quota_share * exported
        quota = ExportQuota(start=now, region=region, tonnes_per_year=tonnes, goods=QUOTA_GOODS)
        why = (
            f"{QUOTA}: {cause}, China caps its exports of ore and oxides at {tonnes:,.0f} t a year "
            f"({100 * spec.export_quota_share:.0f} % of what it exported)"
        )
        return [self.because(quota, why)]

    def _mining(self, observation: Observation, lost: bool, free: bool) -> list:
        """A cap on its own mining at ``mining_quota_share`` of last round's output, for
        ``bloc_months``, when its export revenue fell by ``max_revenue_loss`` while none of its
        export controls was in force (``free``): prices, not its controls, cut the revenue, and
        less ore lifts them. Not while rivals mine more than ``mining_rival_share`` of the world's
        ore, and lifted early when they come to (a cap would hand them the market)."""
        spec, now, region = self.spec, observation.date, observation.region
        if self.mining_until and now >= self.mining_until:
            self.mining_until = ""
        if spec.mining_quota_share >= 1.0:
            return []
        rivals = 1.0 - observation.china_share["mining"]
        if self.mining_until and rivals > spec.mining_rival_share:
            self.mining_until = ""
            lift = MiningQuota(start=now, end=months_later(now, 1), region=region, tonnes_per_year=NO_LIMIT)
            why = f"{MINING_LIFT}: rivals mine {100 * rivals:.0f} % of the world's ore; China lifts its mining cap"
            return [self.because(lift, why)]
        mined = 12.0 * observation.production.get("concentrate", 0.0)
        if self.mining_until or not (lost and free) or mined <= 0 or rivals > spec.mining_rival_share:
            return []
        self.mining_until = months_later(now, spec.bloc_months)
        tonnes = spec.mining_quota_share * mined
        quota = MiningQuota(start=now, end=self.mining_until, region=region, tonnes_per_year=tonnes)
        why = (
            f"{MINING}: its export revenue fell by over {100 * spec.max_revenue_loss:.0f} % with none of its export "
            f"controls in force, so prices are too low: China caps its own mining at {tonnes:,.0f} t REO a year "
            f"({100 * spec.mining_quota_share:.0f} % of what it mined) to lift them"
        )
        return [self.because(quota, why)]

    def _technology(self, observation: Observation) -> list:
        """Ban exports of processing technology once rivals' share of separation passes the trigger."""
        rivals = 1.0 - observation.china_share["separation"]
        if self.banned_technology or rivals < self.spec.technology_ban_share:
            return []
        self.banned_technology = True
        ban = TechnologyBan(start=observation.date, region=observation.region, factor=self.spec.technology_factor)
        why = f"Rivals make {100 * rivals:.0f} % of the world's separation: China bans exports of its technology"
        return [self.because(ban, why)]

    def _general(self, observation: Observation, lost: bool, rivals: bool) -> list:
        """Restrict oxide exports to every destination while its magnet share is below target; lift
        the restriction when it costs too much revenue or provokes rival supply."""
        spec, now, region = self.spec, observation.date, observation.region
        self.pause = max(0, self.pause - 1)
        share = observation.china_share["magnets"]
        if self.restricting and (lost or rivals):
            self.restricting = False
            self.pause = spec.memory_rounds  # let revenue recover before restricting again
            cause = "its export revenue fell" if lost else "rivals' separation is growing"
            lift = ExportLicence(start=now, region=region, approval_rate=1.0, goods=RESTRICTED)
            return [self.because(lift, f"China lifts its oxide licences: {cause}")]
        if not self.restricting and not self.pause and not (lost or rivals) and share < spec.value_added_target:
            self.restricting = True
            licence = ExportLicence(start=now, region=region, approval_rate=spec.approval_rate, goods=RESTRICTED)
            why = (
                f"China makes {100 * share:.0f} % of the world's magnets, below its aim of "
                f"{100 * spec.value_added_target:.0f} %: it licenses oxide exports to keep magnet making at home"
            )
            return [self.because(licence, why)]
        return []


def _is(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"
