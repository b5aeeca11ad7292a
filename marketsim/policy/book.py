"""Turn the policies in force into the arrays the market and the producers read."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from marketsim.policy.events import (
    CollectionScheme,
    DemandSurge,
    Dispute,
    EnvironmentalStandard,
    ExportBan,
    ExportLicence,
    ExportQuota,
    ExportTax,
    MineDisruption,
    MiningQuota,
    Offtake,
    PriceFloor,
    ProjectEquity,
    ProjectLoan,
    ResearchFunding,
    Subsidy,
    Tariff,
    TechnologyBan,
)
from marketsim.vocabulary import GOODS, LEARNING_STAGES, POLICY_STAGES

_VALUE_FIELDS = {
    "start",
    "end",
    "tonnes_per_year",
    "approval_rate",
    "rate",
    "price",
    "share",
    "factor",
    "usd_million_per_year",
    "level",
    "collection_rate",
    "usd_per_kg",
}


def policy_key(event) -> tuple:
    """What a policy is about, without its values or dates: a later policy with the same key
    replaces an earlier one. A region has one mining quota at a time; export quotas on
    different sets of goods hold side by side."""
    if isinstance(event, MiningQuota):
        return (event.type, event.region)
    return tuple(
        (f.name, _unordered(getattr(event, f.name))) for f in dataclasses.fields(event) if f.name not in _VALUE_FIELDS
    )


def _unordered(value):
    """Lists of goods or regions as sets: their order does not change what a policy is about."""
    return tuple(sorted(value)) if isinstance(value, tuple) else value


def in_force(events: list, month: int, month_of, key: Callable[[Any], tuple] = policy_key) -> list:
    """The timed policies in force in ``month``: started, not ended, and not replaced.

    Args:
        events: Timed policy events.
        month: A month index.
        month_of: Function from a ``YYYY-MM`` string to a month index.
        key: :func:`policy_key`, or a function giving the same (e.g. remembering it per event).
    """
    latest: dict[tuple, object] = {}
    for event in sorted(events, key=lambda e: month_of(e.start)):
        if month_of(event.start) > month:
            break
        latest[key(event)] = event
    return [e for e in latest.values() if e.end is None or month_of(e.end) > month]


@dataclass
class Frictions:
    """Trade frictions and producer support in force, as arrays over (good, origin, destination)."""

    open: np.ndarray
    approval: np.ndarray
    tariff: np.ndarray
    export_tax: np.ndarray
    quota: np.ndarray
    """(quotas,) monthly export ceiling of each export quota in force."""
    quota_origin: np.ndarray
    """(quotas,) region index each export quota applies to."""
    quota_goods: np.ndarray
    """(quotas, goods) goods each export quota covers."""
    mining_quota: np.ndarray
    cost_share: np.ndarray
    floor: np.ndarray
    ally: np.ndarray
    mine_available: np.ndarray
    """(regions,) share of mine output not lost to disruptions."""
    tech_factor: np.ndarray
    """(regions,) multiplier on how fast separation and magnet capacity can grow (technology bans)."""
    demand_factor: np.ndarray
    """(sectors,) multiplier on each sector's demand (surges)."""
    disputes: tuple[tuple[str, str], ...]
    """(aggrieved, target) pairs of disputes in force."""
    project_support: tuple = ()
    """Project loans, equity stakes and offtakes in force (read by :mod:`marketsim.levers.projects`)."""
    research: np.ndarray | None = None
    """(learning stages, regions) public research spending, US$ million a year."""
    standard: np.ndarray | None = None
    """(policy stages, regions) environmental standard set by policy; NaN where none is."""
    collection_target: np.ndarray | None = None
    """(regions,) collection rate a collection scheme builds towards; NaN where none."""
    collection_payment: np.ndarray | None = None
    """(regions,) US$ per kg of REO collected a collection scheme pays."""
    research_sharing: np.ndarray | None = None
    """(regions, regions) share of a partner's processing experience each region gains."""
    derived: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)
    """Arrays the month derives from these frictions (open routes, delivered-cost factors), kept
    once computed: frictions are never changed in place (a change of policy compiles new ones)."""

    def stage_cost_share(self, stage: str) -> np.ndarray:
        """(regions,) share of unit cost producers of ``stage`` pay after subsidies."""
        return self.cost_share[POLICY_STAGES.index(stage)]


class PolicyBook:
    """Compiles events into :class:`Frictions` and keeps alliance membership."""

    def __init__(
        self,
        regions: list[str],
        alliances: dict[str, list[str]],
        sectors: list[str] | None = None,
        terms: dict | None = None,
    ) -> None:
        """Create the book.

        Args:
            regions: Region ids in array order.
            alliances: Alliance name to member region ids at the start.
            sectors: End-use sector names in array order (for demand surges).
            terms: Alliance name to its :class:`~marketsim.scenario.schema.AllianceSpec` (floor prices,
                coordinated export controls).
        """
        self.terms = dict(terms or {})
        self.sectors = list(sectors or [])
        self.regions = list(regions)
        self.index = {name: i for i, name in enumerate(self.regions)}
        self.members = {name: set(members) for name, members in alliances.items()}

    def join(self, alliance: str, region: str) -> None:
        """Add a region to an alliance."""
        self.members.setdefault(alliance, set()).add(region)

    def leave(self, alliance: str, region: str) -> None:
        """Remove a region from an alliance."""
        self.members.get(alliance, set()).discard(region)

    def targets(self, names: tuple[str, ...], exclude: str) -> np.ndarray:
        """(regions,) mask of the named regions (all when none is named), without ``exclude``."""
        mask = np.zeros(len(self.regions), dtype=bool)
        if names:
            mask[[self.index[n] for n in names]] = True
        else:
            mask[:] = True
        mask[self.index[exclude]] = False
        return mask

    @staticmethod
    def goods(goods: tuple[str, ...]) -> list[int]:
        """Rows of the named goods."""
        return [GOODS.index(g) for g in goods]

    def member_mask(self, region: str) -> np.ndarray:
        """Regions in an alliance with ``region`` that coordinates export controls (itself included)."""
        mask = np.zeros(len(self.regions), dtype=bool)
        for name, members in self.members.items():
            if region in members and getattr(self.terms.get(name), "coordinate_export_controls", False):
                mask[[self.index[m] for m in members]] = True
        return mask

    def coordinated(self, region: str) -> list[str]:
        """Regions whose exports a ban by ``region`` binds: itself and its coordinating allies."""
        partners = self.member_mask(region)
        return [region, *(r for r in self.regions if partners[self.index[r]] and r != region)]

    def _alliance_floors(self, floor: np.ndarray) -> None:
        """Raise members' producer floors to their alliances' offtake prices."""
        for name, members in self.members.items():
            for good, price in getattr(self.terms.get(name), "floor_prices", {}).items():
                for member in members:
                    cell = (GOODS.index(good), self.index[member])
                    floor[cell] = max(floor[cell], price)

    def graph(self):
        """The alliance network: governments as nodes, an edge per shared alliance (networkx)."""
        import networkx as nx  # noqa: PLC0415

        network = nx.Graph()
        network.add_nodes_from(self.regions)
        for name, members in self.members.items():
            ordered = sorted(members)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    if network.has_edge(a, b):
                        network[a][b]["alliances"].append(name)
                    else:
                        network.add_edge(a, b, alliances=[name])
        return network

    def sharing_matrix(self) -> np.ndarray:
        """(regions, regions) research sharing between members of the same alliances (largest
        share where two regions share several), 0 on the diagonal."""
        size = len(self.regions)
        sharing = np.zeros((size, size))
        for name, members in self.members.items():
            share = getattr(self.terms.get(name), "research_sharing", 0.0)
            if share and members:
                rows = [self.index[m] for m in members]
                block = sharing[np.ix_(rows, rows)]
                sharing[np.ix_(rows, rows)] = np.maximum(block, share)
        np.fill_diagonal(sharing, 0.0)
        return sharing

    def ally_matrix(self) -> np.ndarray:
        """(regions, regions) True where two different regions share an alliance."""
        size = len(self.regions)
        ally = np.zeros((size, size), dtype=bool)
        for members in self.members.values():
            rows = [self.index[m] for m in members]
            ally[np.ix_(rows, rows)] = True
        np.fill_diagonal(ally, False)
        return ally

    def compile(self, policies: list) -> Frictions:
        """Build the frictions for a set of policies in force: each policy's handler in
        :data:`HANDLERS` writes its part, in the order the policies came into force."""
        frictions = self.neutral_frictions()
        support = []
        for policy in policies:
            if isinstance(policy, ProjectLoan | ProjectEquity | Offtake):
                support.append(policy)
            else:
                HANDLERS[type(policy)](self, frictions, policy)
        frictions.project_support = tuple(support)
        self._alliance_floors(frictions.floor)
        return frictions

    def neutral_frictions(self) -> Frictions:
        """Frictions with no policy in force: open routes, no taxes, no quotas, no floors."""
        goods, size = len(GOODS), len(self.regions)
        return Frictions(
            open=np.ones((goods, size, size)),
            approval=np.ones((goods, size, size)),
            tariff=np.zeros((goods, size, size)),
            export_tax=np.zeros((goods, size)),
            quota=np.zeros(0),
            quota_origin=np.zeros(0, dtype=np.int64),
            quota_goods=np.zeros((0, goods), dtype=bool),
            mining_quota=np.full(size, np.inf),
            cost_share=np.ones((len(POLICY_STAGES), size)),
            floor=np.zeros((goods, size)),
            ally=self.ally_matrix(),
            mine_available=np.ones(size),
            tech_factor=np.ones(size),
            demand_factor=np.ones(len(self.sectors)),
            disputes=(),
            research=np.zeros((len(LEARNING_STAGES), size)),
            standard=np.full((len(POLICY_STAGES), size), np.nan),
            collection_target=np.full(size, np.nan),
            collection_payment=np.zeros(size),
            research_sharing=self.sharing_matrix(),
        )


# ----------------------------------------------------------------- one handler per policy type
# Each writes what one policy in force does into the frictions. A policy type with no handler
# here is a one-off act (marketsim.policy.schedule carries those out) or project support.


def _export_quota(book: PolicyBook, f: Frictions, p: ExportQuota) -> None:
    covered = np.zeros((1, len(GOODS)), dtype=bool)
    covered[0, book.goods(p.goods)] = True
    f.quota = np.append(f.quota, p.tonnes_per_year / 12.0)
    f.quota_origin = np.append(f.quota_origin, book.index[p.region])
    f.quota_goods = np.vstack([f.quota_goods, covered])


def _export_ban(book: PolicyBook, f: Frictions, p: ExportBan) -> None:
    destinations = book.targets(p.destinations, p.region)
    for origin in book.coordinated(p.region):
        for good in book.goods(p.goods):
            f.open[good, book.index[origin], destinations & ~book.member_mask(origin)] = 0.0


def _export_licence(book: PolicyBook, f: Frictions, p: ExportLicence) -> None:
    destinations = book.targets(p.destinations, p.region)
    for good in book.goods(p.goods):
        row = f.approval[good, book.index[p.region]]
        row[destinations] = np.minimum(row[destinations], p.approval_rate)


def _export_tax(book: PolicyBook, f: Frictions, p: ExportTax) -> None:
    origin = book.index[p.region]
    for good in book.goods(p.goods):
        f.export_tax[good, origin] = max(f.export_tax[good, origin], p.rate)


def _tariff(book: PolicyBook, f: Frictions, p: Tariff) -> None:
    origins = book.targets(p.origins, p.importer)
    if p.exempt_allies:
        origins &= ~f.ally[book.index[p.importer]]
    for good in book.goods(p.goods):
        column = f.tariff[good, :, book.index[p.importer]]
        column[origins] = np.maximum(column[origins], p.rate)


def _subsidy(book: PolicyBook, f: Frictions, p: Subsidy) -> None:
    f.cost_share[POLICY_STAGES.index(p.stage), book.index[p.region]] = 1.0 - p.rate


def _price_floor(book: PolicyBook, f: Frictions, p: PriceFloor) -> None:
    f.floor[GOODS.index(p.good), book.index[p.region]] = p.price


def _mining_quota(book: PolicyBook, f: Frictions, p: MiningQuota) -> None:
    f.mining_quota[book.index[p.region]] = p.tonnes_per_year / 12.0


def _mine_disruption(book: PolicyBook, f: Frictions, p: MineDisruption) -> None:
    region = book.index[p.region]
    f.mine_available[region] = min(f.mine_available[region], 1.0 - p.share)


def _technology_ban(book: PolicyBook, f: Frictions, p: TechnologyBan) -> None:
    outside = ~f.ally[book.index[p.region]]
    outside[book.index[p.region]] = False
    f.tech_factor[outside] = np.minimum(f.tech_factor[outside], p.factor)


def _demand_surge(book: PolicyBook, f: Frictions, p: DemandSurge) -> None:
    f.demand_factor[book.sectors.index(p.sector)] *= p.factor


def _dispute(book: PolicyBook, f: Frictions, p: Dispute) -> None:
    f.disputes = (*f.disputes, (p.region, p.target))


def _research_funding(book: PolicyBook, f: Frictions, p: ResearchFunding) -> None:
    f.research[LEARNING_STAGES.index(p.stage), book.index[p.region]] += p.usd_million_per_year


def _environmental_standard(book: PolicyBook, f: Frictions, p: EnvironmentalStandard) -> None:
    f.standard[POLICY_STAGES.index(p.stage), book.index[p.region]] = p.level


def _collection_scheme(book: PolicyBook, f: Frictions, p: CollectionScheme) -> None:
    region = book.index[p.region]
    f.collection_target[region] = p.collection_rate
    f.collection_payment[region] = p.usd_per_kg


HANDLERS: dict[type, Callable[[PolicyBook, Frictions, Any], None]] = {
    ExportQuota: _export_quota,
    ExportBan: _export_ban,
    ExportLicence: _export_licence,
    ExportTax: _export_tax,
    Tariff: _tariff,
    Subsidy: _subsidy,
    PriceFloor: _price_floor,
    MiningQuota: _mining_quota,
    MineDisruption: _mine_disruption,
    TechnologyBan: _technology_ban,
    DemandSurge: _demand_surge,
    Dispute: _dispute,
    ResearchFunding: _research_funding,
    EnvironmentalStandard: _environmental_standard,
    CollectionScheme: _collection_scheme,
}
"""What each timed policy type does to the frictions while it is in force."""
