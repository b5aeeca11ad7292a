"""Alliances with reasons: what membership brings a government and what it costs, from its
observation, in US$ million a year.

An alliance is a club (Buchanan 1965): its goods (allied supply in a shortage, a joint stockpile,
price floors, shared technology, exemption from members' tariffs) are shared by members only, and
each member pays for them (floor top-ups, contributions to the joint stockpile, cheap Chinese
supply forgone, the dominant supplier's retaliation). A government stays only while membership
is worth more to it than staying out, so an alliance lasts only as long as it is
self-enforcing (Barrett 1994): members leave when the costs rise above the gains, and refuse an
applicant that would draw more than it brings. See docs/model.md, "Alliances with reasons".
"""

from __future__ import annotations

from dataclasses import dataclass

from marketsim.governance.observation import Observation

DOMINANT = "china"
"""The region whose export controls the blocs answer (the dominant supplier)."""
CONTROLLED = ("ndpr", "dytb", "magnet")
"""Goods whose licences and bans count as a squeeze on a region's supply."""


@dataclass(frozen=True)
class Ledger:
    """What membership of ``alliance`` brings and costs one government, US$ million a year."""

    alliance: str
    gains: dict[str, float]
    costs: dict[str, float]

    @property
    def net(self) -> float:
        """Gains minus costs."""
        return sum(self.gains.values()) - sum(self.costs.values())

    def words(self) -> str:
        """The ledger in plain words, largest items first."""

        def items(parts: dict[str, float]) -> str:
            big = sorted(((v, k) for k, v in parts.items() if v >= 0.5), reverse=True)[:2]
            return ", ".join(f"{k} {v:,.0f}" for v, k in big) or "nothing much"

        gains, costs = sum(self.gains.values()), sum(self.costs.values())
        return (
            f"{self.alliance} brings about US${gains:,.0f} m a year ({items(self.gains)}) "
            f"against costs of US${costs:,.0f} m ({items(self.costs)})"
        )


def approval_on(view: Observation, region: str) -> float:
    """Share of requested supply the dominant supplier's licences and bans aimed at ``region``
    (named as a destination) let through: 1 when none aims at it."""
    return _approvals(view.world_policies).get(region, 1.0)


_SEEN: dict[str, tuple] = {}
"""The last tuple of policies :func:`_approvals` read, with its answer (every observation of a
round shares one tuple, so each round works it out once)."""


def _approvals(policies) -> dict[str, float]:
    """:func:`approval_on` for every destination a licence or ban of the dominant supplier names."""
    seen = _SEEN.get("last")
    if seen is not None and seen[0] is policies:
        return seen[1]
    approvals: dict[str, float] = {}
    for policy in policies:
        if getattr(policy, "region", None) != DOMINANT or not set(getattr(policy, "goods", ())) & set(CONTROLLED):
            continue
        for region in dict.fromkeys(getattr(policy, "destinations", ())):
            if policy.type == "export_licence":
                approvals[region] = min(approvals.get(region, 1.0), policy.approval_rate)
            elif policy.type == "export_ban":
                approvals[region] = 0.0
    if isinstance(policies, tuple):  # immutable: safe to remember by identity
        _SEEN["last"] = (policies, approvals)
    return approvals


def general_approval(view: Observation) -> float:
    """Share of requested supply the dominant supplier's licences on every destination let through."""
    approval = 1.0
    for policy in view.world_policies:
        if policy.type == "export_licence" and policy.region == DOMINANT and not policy.destinations:
            if set(policy.goods) & set(CONTROLLED):
                approval = min(approval, policy.approval_rate)
    return approval


def threat(figures: dict[str, float]) -> float:
    """How badly a region went short last round, 0-1, from its public figures."""
    return min(1.0, 10.0 * figures["unmet"] + max(0.0, figures["premium"]))


def risk_now(view: Observation, floor: float) -> float:
    """This round's threat to the government's supply, 0-1: its shortage or price premium, or the
    share of supply the dominant supplier's licences withhold, scaled by its dependency."""
    squeeze = max(1.0 - general_approval(view), 1.0 - approval_on(view, view.region))
    level = max(floor, threat(view.others.get(view.region, _quiet())), squeeze)
    return min(1.0, view.dependency["separation"] * level)


def ledger(view: Observation, alliance: str, risk: float, coalition) -> Ledger:
    """What membership of ``alliance`` brings and costs the government of ``view``.

    Args:
        view: Its observation.
        alliance: The alliance (it may or may not be a member).
        risk: Its estimate of the risk to its supply, 0-1.
        coalition: Its :class:`~marketsim.scenario.strategies.CoalitionTerms`.
    """
    me, others = view.region, view.others
    partners = [m for m in view.alliances.get(alliance, ()) if m != me and m in others]
    mine = others.get(me, _quiet())
    exposure, terms = mine["exposure"], view.alliance_terms.get(alliance, {})
    joint, floor = terms.get("joint_stockpile", 0.0), terms.get("floor_ndpr", 0.0)
    rivals = sum(f["separation"] for r, f in others.items() if r not in (DOMINANT, me))
    cover = sum(others[m]["separation"] for m in partners) / rivals if rivals > 0 else 0.0
    gap = max(0.0, floor - view.world_price["ndpr"])
    gains = {
        "allied supply in a shortage": exposure * risk * cover,
        "shared stockpiles": risk * joint * min(exposure, sum(others[m]["stockpile_value"] for m in partners)),
        "price floors": gap * mine["ndpr_output"] * 12.0 / 1000.0,
        "technology sharing": terms.get("research_sharing", 0.0)
        * coalition.technology_value
        * sum(others[m]["separation"] + others[m]["magnets"] for m in partners)
        / 1000.0,
        "tariff exemption": _tariffs_spared(view, partners),
    }
    calls = sum(threat(others[m]) for m in partners) / len(partners) if partners else 0.0
    bloc = [m for m in (*partners, me) if m != DOMINANT]
    squeeze = 1.0 - min(approval_on(view, m) for m in bloc) if partners else 0.0
    costs = {
        "floor top-ups": gap * sum(others[m]["ndpr_output"] for m in partners) * 12.0 / 1000.0 / (len(partners) + 1),
        "contributions": joint * mine["stockpile_value"] * calls,
        "forgone cheap Chinese supply": coalition.forgone_weight * exposure * _bloc_premium(view, partners),
        "China's retaliation": coalition.retaliation_weight * exposure * view.dependency["separation"] * squeeze,
    }
    return Ledger(alliance, gains, costs)


def _tariffs_spared(view: Observation, partners: list[str]) -> float:
    """Tariffs members levy that a member is spared: rate x its exports spread over the world."""
    spared = 0.0
    for policy in view.world_policies:
        if policy.type == "tariff" and policy.importer in partners and policy.exempt_allies:
            if not policy.origins or view.region in policy.origins:
                spared += policy.rate * view.export_value * 12.0 / max(len(view.others), 1)
    return spared


def _bloc_premium(view: Observation, partners: list[str]) -> float:
    """How much dearer members' NdPr is than outsiders' (a share): the cheap supply they forgo."""
    others = view.others
    inside = [others[m]["ndpr_price"] for m in partners if others[m]["exposure"] > 0]
    outside = [
        f["ndpr_price"]
        for r, f in others.items()
        if r not in partners and r not in (view.region, DOMINANT) and f["exposure"] > 0
    ]
    if not inside or not outside:
        return 0.0
    return max(0.0, (sum(inside) / len(inside)) / max(sum(outside) / len(outside), 1e-9) - 1.0)


def admits(view: Observation, applicant: str, alliance: str, coalition) -> tuple[bool, str]:
    """Whether a member (``view``) admits ``applicant`` to ``alliance``, and why: it refuses one
    whose expected call on the joint stockpile, plus the retaliation it would draw while in a
    dispute with the dominant supplier, exceeds what it brings (stockpile and processing)."""
    figures = view.others.get(applicant)
    if figures is None:
        return True, f"{view.region} admits {applicant}"
    joint = view.alliance_terms.get(alliance, {}).get("joint_stockpile", 0.0)
    processing = (figures["separation"] + figures["mining"]) / 1000.0 * coalition.technology_value
    brings = joint * figures["stockpile_value"] + processing
    burden = joint * figures["exposure"] * max(threat(figures), figures["dependency"] * coalition.risk_floor)
    if DOMINANT in _disputes_of(view, applicant):
        burden += figures["exposure"] * 0.1
    if burden > coalition.admit_burden * brings and burden > 0.5:
        return False, (
            f"{view.region} refuses {applicant} in {alliance}: it would draw about US${burden:,.0f} m a year "
            f"on the members and brings about US${brings:,.0f} m"
        )
    return True, f"{view.region} admits {applicant} to {alliance}: it brings about US${brings:,.0f} m a year"


def _disputes_of(view: Observation, region: str) -> set[str]:
    return {
        p.target if p.region == region else p.region
        for p in view.world_policies
        if p.type == "dispute" and region in (p.region, p.target)
    }


def _quiet() -> dict[str, float]:
    keys = ("mining", "separation", "magnets", "dependency", "unmet", "premium", "stockpile_value", "exposure")
    return {**dict.fromkeys(keys, 0.0), "ndpr_output": 0.0, "ndpr_price": 0.0}


def admission(model, views: dict, event) -> str | None:
    """Members' verdict on an application to join: the reasons of a refusal, or None when admitted.

    Every member whose controller judges applicants (has ``admits(view, applicant, alliance)``)
    gives its verdict; a majority of refusals refuses. Members that do not judge (scripted
    governments, players) leave it to the others; with no verdict the applicant is admitted.
    """
    verdicts = []
    for member in sorted(model.book.members.get(event.alliance, ())):
        judge = getattr(model.governments[member].controller, "admits", None)
        if callable(judge) and member in views:
            verdicts.append(judge(views[member], event.region, event.alliance))
    refusals = [reason for admitted, reason in verdicts if not admitted]
    if verdicts and len(refusals) * 2 > len(verdicts):
        return "; ".join(refusals[:2])
    return None
