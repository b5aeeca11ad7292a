"""Every metric of the catalogue, derived from the recorder's raw per-tick quantities.

The metrics come in groups, each computed in one go over all ticks from the raw arrays (the
prices, the tonnages, stock cover, the stages' shares, the regions' series, the market's
dynamics, the balance errors). :func:`derive` computes them all; :class:`Derived` computes a
group the first time one of its metrics is read, for a sweep that reads only a few (the
numbers are the same either way, bit for bit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial

import numpy as np

from marketsim.reports.market_metrics import market_metrics, with_world
from marketsim.vocabulary import GOODS, POLICY_STAGES, STAGES

PROJECT_PHASES = ("exploration", "permitting", "construction", "ramp_up", "operating", "abandoned", "stalled")
"""Rows of the recorded project counts (:meth:`marketsim.levers.projects.ProjectPipeline.counts`)."""
TRACE_TONNES = 1e-6
"""Use below a gram a month counts as none for stock cover: months of cover over a trace of use
would be astronomically large or overflow to infinity, and mean nothing."""
CONCENTRATE, MAGNET = GOODS.index("concentrate"), GOODS.index("magnet")


def hhi(output: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index (0-10,000) of output shares along the last axis; 0 where
    nothing is produced."""
    output = np.asarray(output, dtype=float)
    total = output.sum(axis=-1, keepdims=True)
    shares = np.divide(output, total, out=np.zeros_like(output), where=total > 0) * 100.0
    return (shares**2).sum(axis=-1)


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over regions; the plain mean where the weights are all zero."""
    total = weights.sum(axis=-1)
    mean = np.divide((values * weights).sum(axis=-1), total, out=np.zeros_like(total), where=total > 0)
    return np.where(total > 0, mean, values.mean(axis=-1))


def _with_totals(series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each (ticks, regions) series with a world column, their total, computed for all at once."""
    stacked = np.stack(list(series.values()), axis=1)
    totals = np.concatenate([stacked, stacked.sum(axis=-1, keepdims=True)], axis=-1)
    return {name: totals[:, k] for k, name in enumerate(series)}


def _with_world_totals(series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each (ticks, goods, regions) series with a world column (its total) and an 'all' row of
    NaN (see :func:`with_world`), computed for all at once."""
    stacked = np.stack(list(series.values()), axis=1)
    ticks, count, goods, regions = stacked.shape
    out = np.full((ticks, count, goods + 1, regions + 1), np.nan)
    out[:, :, :goods, :regions] = stacked
    out[:, :, :goods, regions] = stacked.sum(axis=-1)
    return {name: out[:, k] for k, name in enumerate(series)}


def ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole`` where ``whole`` is positive, NaN elsewhere (the metric does not apply)."""
    return np.divide(part, whole, out=np.full_like(whole, np.nan, dtype=float), where=whole > 0)


def stock_cover(stock: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Months of use the stock covers; NaN (does not apply) where use is nil or a trace."""
    return np.divide(stock, use, out=np.full_like(use, np.nan, dtype=float), where=use > TRACE_TONNES)


def _share_of_world(values: np.ndarray) -> np.ndarray:
    """(ticks, regions + 1) each region's share of the world total (0 where the world has none;
    the world's own cell is 1 where it has some)."""
    total = values.sum(axis=-1, keepdims=True)
    shares = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
    return np.concatenate([shares, (total > 0).astype(float)], axis=-1)


def _dependency(consumed: np.ndarray, china: np.ndarray, goods: list[int], reo: np.ndarray) -> np.ndarray:
    """China's share in what each region consumed, per good and REO-weighted over ``goods``."""
    ticks, all_goods, regions = consumed.shape
    out = np.full((ticks, all_goods + 1, regions + 1), np.nan)
    part, whole = china[:, goods], consumed[:, goods]
    out[:, goods, :regions] = ratio(part, whole)
    out[:, goods, regions] = ratio(part.sum(axis=-1), whole.sum(axis=-1))
    weight = reo[goods][None, :, None]
    reo_part, reo_whole = (part * weight).sum(axis=1), (whole * weight).sum(axis=1)
    out[:, -1, :regions] = ratio(reo_part, reo_whole)
    out[:, -1, regions] = ratio(reo_part.sum(axis=-1), reo_whole.sum(axis=-1))
    return out


class Derived(Mapping[str, np.ndarray]):
    """The metrics of one run, each group derived the first time one of its metrics is read."""

    def __init__(self, raw: dict[str, np.ndarray], china: int, reo_per_unit: np.ndarray) -> None:
        """Derive from ``raw`` (the recorder's arrays, time first, cut to the ticks run).

        Args:
            raw: Raw per-tick quantities (see :data:`marketsim.reports.metrics.RAW_FIELDS`).
            china: Index of China among the regions (-1 if absent).
            reo_per_unit: (goods,) t REO in a tonne of each good.
        """
        self.raw, self.china, self.reo_per_unit = raw, china, reo_per_unit
        self.computed: dict[str, np.ndarray] = {}
        self._flows: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.computed:
            self.computed.update(GROUP_OF[name](self))
        return self.computed[name]

    def __iter__(self) -> Iterator[str]:
        return iter(GROUP_OF)

    def __len__(self) -> int:
        return len(GROUP_OF)

    def flow(self, kind: str) -> np.ndarray:
        """(ticks, goods, regions) tonnes each region ``received``, ``sold`` or traded within
        itself (``domestic``), from the recorded routes."""
        if kind not in self._flows:
            flows = self.raw["flows"]
            # received: einsum adds the origins in order, as flows.sum(axis=2) does (bit for bit),
            # in a third of its time (it loops over the 17 x 17 routes of a month without numpy's
            # short inner loops); sold sums the contiguous last axis, which numpy does pairwise.
            sums = {"received": lambda: np.einsum("tgij->tgj", flows), "sold": lambda: flows.sum(axis=3)}
            self._flows[kind] = sums[kind]() if kind in sums else np.einsum("tgii->tgi", flows)
        return self._flows[kind]

    def flows_finite(self) -> bool:
        """Whether what each region received (computed here if not yet: most outcomes read it)
        is all finite: it adds every recorded flow once, so it is finite only if they all are
        (False too when finite flows overflow it)."""
        return bool(np.isfinite(self.flow("received")).all())


def _prices(d: Derived) -> dict[str, np.ndarray]:
    raw = d.raw
    return {"price": with_world(raw["price"], _weighted(raw["price"], d.flow("received")))}


def _seller_prices(d: Derived) -> dict[str, np.ndarray]:
    raw = d.raw
    return {"seller_price": with_world(raw["seller_price"], _weighted(raw["seller_price"], d.flow("sold")))}


def _tonnages(d: Derived) -> dict[str, np.ndarray]:
    raw, received, sold, domestic = d.raw, d.flow("received"), d.flow("sold"), d.flow("domestic")
    return _with_world_totals(
        {
            "production": raw["production"],
            "consumption": raw["consumption"],
            "unmet_demand": raw["unmet"],
            "stockpile": raw["stockpile"],
            "exports": sold - domestic,
            "imports": received - domestic + raw["smuggled_in"],
        }
    )


def _inventory_cover(d: Derived) -> dict[str, np.ndarray]:
    use, stock = d.raw["use"], d.raw["stock"]
    return {"inventory_cover": with_world(stock_cover(stock, use), stock_cover(stock.sum(-1), use.sum(-1)))}


def _dependencies(d: Derived, stage: str) -> dict[str, np.ndarray]:
    """China's share in what each region consumed from one stage (see :func:`_dependency`)."""
    goods = [MAGNET] if stage == "magnets" else [g for g in range(len(GOODS)) if g != CONCENTRATE]
    consumed_china = d.raw["consumed_china"][..., STAGES.index(stage)]
    return {f"dependency_{stage}": _dependency(d.raw["consumption"], consumed_china, goods, d.reo_per_unit)}


def _concentration(d: Derived, stage: str) -> dict[str, np.ndarray]:
    """China's share of one stage's world output, and the stage's Herfindahl-Hirschman index."""
    raw, china = d.raw, d.china
    output = (
        raw["separated"] if stage == "separation" else raw["production"][:, {"mining": CONCENTRATE}.get(stage, MAGNET)]
    )
    from_china = output[:, china] if china >= 0 else np.zeros(len(output))
    return {f"china_share_{stage}": ratio(from_china, output.sum(axis=-1)), f"hhi_{stage}": hhi(output)}


def _shares(d: Derived) -> dict[str, np.ndarray]:
    raw = d.raw
    reo_use = (raw["consumption"] * d.reo_per_unit[None, :, None]).sum(axis=1)
    return {
        "alliance_links": raw["allies"].sum(axis=-1) / 2.0,
        "burden_share": _share_of_world(raw["burden"]),
        "reo_consumption_share": _share_of_world(reo_use),
    }


def _unit_costs(d: Derived) -> dict[str, np.ndarray]:
    stages = len(POLICY_STAGES)
    cost = d.raw["unit_cost"][:, :stages]
    world_cost = np.concatenate([cost, _weighted(cost, d.raw["capacity"][:, :stages])[..., None]], axis=-1)
    return {f"unit_cost_{stage}": world_cost[:, k] for k, stage in enumerate(POLICY_STAGES)}


def _regions(d: Derived) -> dict[str, np.ndarray]:
    raw = d.raw
    series = {f"capacity_{stage}": raw["capacity"][:, k] for k, stage in enumerate(POLICY_STAGES)}
    for name in ("recycled", "end_of_life", "scrap_generated", "scrap_recycled", "allies"):
        series[name] = raw[name]
    series["environmental_burden"] = raw["burden"]
    series["public_spending"] = raw["public_spending"]
    series |= {f"projects_{phase}": raw["projects"][:, k] for k, phase in enumerate(PROJECT_PHASES)}
    return _with_totals(series)


def _market(d: Derived) -> dict[str, np.ndarray]:
    return market_metrics(d.raw, d.flow("received"), d.flow("sold"), d["price"])


def _balances(d: Derived) -> dict[str, np.ndarray]:
    return {"material_balance_error": d.raw["balance_error"], "magnet_balance_error": d.raw["magnet_balance_error"]}


_GROUPS: list[tuple[Callable[[Derived], dict[str, np.ndarray]], list[str]]] = [
    (_prices, ["price"]),
    (_seller_prices, ["seller_price"]),
    (_tonnages, ["production", "consumption", "unmet_demand", "stockpile", "exports", "imports"]),
    (_inventory_cover, ["inventory_cover"]),
    *[
        (partial(_dependencies if kind == "dependency" else _concentration, stage=stage), [f"{kind}_{stage}"])
        for stage in STAGES
        for kind in ("dependency", "china_share", "hhi")
    ],
    (_shares, ["alliance_links", "burden_share", "reo_consumption_share"]),
    (_unit_costs, [f"unit_cost_{stage}" for stage in POLICY_STAGES]),
    (
        _regions,
        [f"capacity_{stage}" for stage in POLICY_STAGES]
        + ["recycled", "end_of_life", "scrap_generated", "scrap_recycled", "allies"]
        + ["environmental_burden", "public_spending"]
        + [f"projects_{phase}" for phase in PROJECT_PHASES],
    ),
    (
        _market,
        ["contract_price", "spot_price", "licence_premium", "smuggled", "undocumented_mining", "fundamentalist_share"],
    ),
    (_balances, ["material_balance_error", "magnet_balance_error"]),
]
GROUP_OF: dict[str, Callable[[Derived], dict[str, np.ndarray]]] = {
    name: group for group, names in _GROUPS for name in names
}
"""The group that derives each metric, in the order :func:`derive` returns them (a group may
derive a few metrics at once; reading any of them derives all of its group)."""


def derive(raw: dict[str, np.ndarray], china: int, reo_per_unit: np.ndarray) -> dict[str, np.ndarray]:
    """Compute every metric of the catalogue from raw per-tick quantities, for all ticks."""
    derived = Derived(raw, china, reo_per_unit)
    return {name: derived[name] for name in GROUP_OF}
