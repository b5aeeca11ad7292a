"""Resource holders' supply projects sold to the importers' bloc that pays more for NdPr.

A resource holder (:class:`~marketsim.governance.holders.ResourceHolder`) offers a share of its
projects' output (a :class:`Sale`) to the alliance whose buyers pay more for NdPr than China; at
the end of the round the alliance's members, largest buyer first, are asked whether they take it
(an importer's ``buy``): the first that does guarantees the bloc's price with an offtake and may
buy equity in a project that stalls, or lend to one that pays its way. Each decision is then
validated and applied as any other (:func:`marketsim.governance.rounds.decide`). A project already
backed by anyone is not offered again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from marketsim.governance.protocols import GovernedModel
from marketsim.policy.events import Offtake, ProjectEquity, ProjectLoan


@dataclass(frozen=True)
class Sale:
    """What a resource holder offers this round."""

    holder: str
    alliance: str
    """The importers' alliance it sells to (whose buyers pay more than China)."""
    price: float
    """What the alliance's buyers pay for NdPr, US$/kg."""
    china_price: float
    """What China pays for NdPr, US$/kg."""
    share: float
    """Share of each project's output offered."""
    projects: tuple[str, ...]
    """Its projects on offer (mines and separation plants in development)."""


def project_deals(model: GovernedModel, views: dict) -> list[tuple[str, list, Any]]:
    """This round's deals: (buyer, its decisions, its controller) for each holder's sale that a
    member of the alliance takes. Reads the model, changes nothing."""
    pipeline = model.levers.projects
    backed = {p.project for p in model.policies_in_force if isinstance(p, (Offtake, ProjectEquity, ProjectLoan))}
    stalled = frozenset(name for i, name in enumerate(pipeline.names) if not pipeline.viable[i])
    capital = dict(zip(pipeline.names, pipeline.capital.tolist(), strict=True))
    deals = []
    for holder in sorted(model.governments):
        sale = getattr(model.governments[holder].controller, "selling_to", None)
        if sale is None or not (projects := tuple(p for p in sale.projects if p not in backed)):
            continue
        sale = replace(sale, projects=projects)
        members = [m for m in model.book.members.get(sale.alliance, ()) if m != holder and m in views]
        for buyer in sorted(members, key=lambda m: (-views[m].others.get(m, {}).get("exposure", 0.0), m)):
            controller = model.governments[buyer].controller
            buy = getattr(controller, "buy", None)
            events = buy(views[buyer], sale, stalled, capital, model.governments[buyer].budget_left) if buy else []
            if events:
                deals.append((buyer, events, controller))
                break
    return deals
