"""What the dashboard shows of a run, read off the model: plain arrays and tables, no plotting.

:class:`RunReader` reads a run once (its metrics derived from the recorder's raw arrays with a
handful of vectorised operations); each frame the dashboard draws is then a view of its first
months, a few slices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketsim.model import RareEarthModel
from marketsim.policy.events import DemandSurge, Dispute, MineDisruption
from marketsim.reports.metrics import derive
from marketsim.reports.scorecard import scorecard
from marketsim.vocabulary import GOODS, STAGES, month_index

CHINA_TIER, OUTSIDE_TIER = "China", "Outside China"
SHOCKS = (Dispute, MineDisruption, DemandSurge)
FLOW_MONTHS = 12
"""The supply-chain flow view sums the last year of trade."""
FLOW_REGIONS = 5
"""Largest regions shown by name in each column of the flow view; the rest are "others"."""


@dataclass(frozen=True)
class Marker:
    """An event to mark on time axes."""

    date: str
    label: str
    kind: str
    """``scenario`` (scheduled), ``change`` (made live), ``decision`` (a government's strategy) or
    ``shock``."""
    number: int | None = None
    """A live change's number (its serial), shown on the chart and in the list of changes."""


@dataclass(frozen=True)
class Flows:
    """The supply chain as a flow diagram: nodes per (stage, region) and links between them."""

    labels: list[str]
    regions: list[str]
    links: list[tuple[int, int, float]]
    """(source node, target node, t REO a year)."""


@dataclass(frozen=True)
class RunView:
    """Everything the dashboard draws, for the ticks run so far."""

    dates: list[str]
    prices: dict[str, dict[str, np.ndarray]]
    """good -> tier (China, Outside China) -> US$/kg."""
    china_share: dict[str, np.ndarray]
    """stage -> China's share of world output, 0-1."""
    dependency: dict[str, dict[str, np.ndarray]]
    """region -> stage -> China's share in the region's end use, 0-1."""
    unmet: dict[str, np.ndarray]
    """good -> world end-use need unmet, t a month."""
    stockpile: dict[str, np.ndarray]
    """good -> world state stockpiles, t."""
    flows: Flows
    alliances: dict[str, list[str]]
    disputes: list[tuple[str, str]]
    markers: list[Marker]
    scores: pd.DataFrame
    unmet_share: np.ndarray
    """World share of end users' need (t REO) unmet, 0-1, per month."""
    public_money: np.ndarray
    """Public money all governments spend, US$ million a month."""

    @property
    def ticks(self) -> int:
        """Number of ticks in the view."""
        return len(self.dates)


class RunReader:
    """A model read once: its metrics derived for every month run, so that a view of its first
    months (:meth:`view`) is a few slices. The dashboard keeps one per run it shows."""

    def __init__(self, model: RareEarthModel, changes: list | None = None) -> None:
        """Read a model at any tick.

        Args:
            model: The model; it must not run on while this reader is used.
            changes: Live changes (objects with an ``event``), marked apart from other events.
        """
        ticks = model.tick
        self.model, self.ticks = model, ticks
        self.raw = {name: values[:ticks] for name, values in model.recorder.raw.items()}
        self.metrics = derive(self.raw, model.china, model.recorder.reo_per_unit) if ticks else {}
        self.dates = [model.date_of(t) for t in range(ticks)]
        self.prices = _price_tiers(self.raw, model.china) if ticks else {g: {} for g in GOODS}
        self.markers = _markers(model, changes or [])
        self.unmet_share = _unmet_share(self.raw, model.recorder.reo_per_unit) if ticks else np.zeros(0)

    def view(self, ticks: int | None = None) -> RunView:
        """What the dashboard shows of the first ``ticks`` months (all read when None)."""
        ticks = self.ticks if ticks is None else max(0, min(int(ticks), self.ticks))
        model, metrics, cut = self.model, self.metrics, slice(0, ticks)
        raw = {name: values[cut] for name, values in self.raw.items()}
        regions = model.regions
        empty = np.zeros(0)
        last = model.start_month + ticks
        return RunView(
            dates=self.dates[cut],
            prices={g: {tier: values[cut] for tier, values in tiers.items()} for g, tiers in self.prices.items()},
            china_share={s: metrics[f"china_share_{s}"][cut] if self.ticks else empty for s in STAGES},
            dependency={
                r: {s: metrics[f"dependency_{s}"][cut, -1, k] if self.ticks else empty for s in STAGES}
                for k, r in enumerate(regions)
            },
            unmet={g: metrics["unmet_demand"][cut, k, -1] if self.ticks else empty for k, g in enumerate(GOODS)},
            stockpile={g: metrics["stockpile"][cut, k, -1] if self.ticks else empty for k, g in enumerate(GOODS)},
            flows=_flows(raw, regions, model.recorder.reo_per_unit) if ticks else Flows([], [], []),
            alliances={name: sorted(members) for name, members in model.book.members.items()},
            disputes=list(model.frictions.disputes),
            markers=[m for m in self.markers if month_index(m.date) < last],
            scores=scorecard(raw, {k: v[cut] for k, v in metrics.items()}, regions, model.recorder.reo_per_unit),
            unmet_share=self.unmet_share[cut],
            public_money=metrics["public_spending"][cut, -1] if self.ticks else empty,
        )


def view_of(model: RareEarthModel, changes: list | None = None) -> RunView:
    """Read what the dashboard shows off a model, for the ticks it has run.

    Args:
        model: The model, at any tick.
        changes: Live changes (objects with an ``event``), marked apart from other events.
    """
    return RunReader(model, changes).view()


def _unmet_share(raw: dict[str, np.ndarray], reo_per_unit: np.ndarray) -> np.ndarray:
    """World share of end users' need (t REO) unmet, each month, 0-1."""
    reo = np.asarray(reo_per_unit)[None, :, None]
    unmet = (raw["unmet"] * reo).sum(axis=(1, 2))
    need = unmet + (raw["consumption"] * reo).sum(axis=(1, 2))
    return np.divide(unmet, need, out=np.zeros_like(need), where=need > 0)


def _price_tiers(raw: dict[str, np.ndarray], china: int) -> dict[str, dict[str, np.ndarray]]:
    """Price inside China and the purchase-weighted price everywhere else, per good."""
    price, received = raw["price"], raw["flows"].sum(axis=2)
    outside = np.ones(price.shape[-1], dtype=bool)
    if china >= 0:
        outside[china] = False
    weights = received[..., outside]
    total = weights.sum(axis=-1)
    mean = np.divide(
        (price[..., outside] * weights).sum(axis=-1), total, out=price[..., outside].mean(axis=-1), where=total > 0
    )
    tiers = {}
    for k, good in enumerate(GOODS):
        tiers[good] = {OUTSIDE_TIER: mean[:, k]}
        if china >= 0:
            tiers[good] = {CHINA_TIER: price[:, k, china], **tiers[good]}
    return tiers


def _flows(raw: dict[str, np.ndarray], regions: list[str], reo_per_unit: np.ndarray) -> Flows:
    """Mining -> separation -> magnet making -> magnet use over the last year, t REO a year."""
    stages = ("mined in", "separated in", "made into magnets in", "magnets used in")
    if "flows" not in raw or len(raw["flows"]) == 0:
        return Flows(labels=[], regions=[], links=[])
    recent = raw["flows"][-FLOW_MONTHS:]
    per_year = 12.0 / len(recent)
    concentrate, magnet = GOODS.index("concentrate"), GOODS.index("magnet")
    oxides = [GOODS.index("ndpr"), GOODS.index("dytb")]
    trades = [
        recent[:, concentrate].sum(axis=0),
        recent[:, oxides].sum(axis=(0, 1)),
        recent[:, magnet].sum(axis=0) * reo_per_unit[magnet],
    ]
    trades = [t * per_year for t in trades]
    # Columns keep their largest regions by name; the rest are pooled as "others".
    columns = [
        trades[0].sum(axis=1),
        trades[0].sum(axis=0) + trades[1].sum(axis=1),
        trades[1].sum(axis=0) + trades[2].sum(axis=1),
        trades[2].sum(axis=0),
    ]
    labels, owners, node_of = [], [], []
    for stage, volume in zip(stages, columns, strict=True):
        top = [int(i) for i in np.argsort(-volume, kind="stable")[:FLOW_REGIONS] if volume[i] > 0]
        mapping = {}
        for i in top:
            mapping[i] = len(labels)
            labels.append(f"{stage} {regions[i]}")
            owners.append(regions[i])
        rest = len(labels)
        if any(volume[i] > 0 for i in range(len(regions)) if i not in mapping):
            labels.append(f"{stage} others")
            owners.append("others")
        node_of.append([mapping.get(i, rest) for i in range(len(regions))])
    links: dict[tuple[int, int], float] = {}
    for step, trade in enumerate(trades):
        origins, destinations = np.nonzero(trade > 0)
        for o, d in zip(origins, destinations, strict=True):
            key = (node_of[step][o], node_of[step + 1][d])
            links[key] = links.get(key, 0.0) + float(trade[o, d])
    return Flows(labels=labels, regions=owners, links=[(a, b, v) for (a, b), v in links.items() if v > 0])


def _markers(model: RareEarthModel, changes: list) -> list[Marker]:
    """Events that started by now: scheduled, made live, decided by strategies or drawn as shocks."""
    now = model.start_month + model.tick
    # Live changes are found by value: a run resumed from a snapshot holds copies of their events.
    decided = {id(d.event) for d in model.decisions if d.accepted}
    scheduled = {id(e) for e in model.config.events}
    markers = []
    for event in model.events:
        start = month_index(event.start)
        if not model.start_month <= start < now:
            continue
        number = next((c.serial for c in changes if event is c.event or event == c.event), None)
        if number is not None:
            kind = "change"
        elif id(event) in scheduled:
            kind = "scenario"
        elif id(event) in decided:
            kind = "decision"
        else:
            kind = "shock" if isinstance(event, SHOCKS) else "decision"
        who = getattr(event, "region", None) or getattr(event, "importer", None) or getattr(event, "sector", "")
        markers.append(Marker(event.start, f"{who}: {event.type.replace('_', ' ')}", kind, number))
    return markers
