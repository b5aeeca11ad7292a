"""Metrics recorded every tick, and their tidy long table.

Each metric has a shape: per (good, region), per region, per good or a single world value.
Regions include ``world`` for global figures; goods include ``all`` where a metric is not about
one good. Names and meanings are listed in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketsim.events import GOODS, STAGES

WORLD = "world"
ALL = "all"


@dataclass(frozen=True)
class Metric:
    """Name, unit and layout of one recorded metric."""

    name: str
    unit: str
    layout: str
    """``good_region``, ``region`` or ``world``."""
    description: str


def _stage_metrics(prefix: str, unit: str, layout: str, text: str) -> list[Metric]:
    return [Metric(f"{prefix}_{stage}", unit, layout, text.format(stage=stage)) for stage in STAGES]


CATALOGUE: list[Metric] = [
    Metric("price", "US$/kg", "good_region", "Price buyers in the region face (delivered cost plus scarcity premium); world: purchase-weighted mean."),
    Metric("seller_price", "US$/kg", "good_region", "Price posted by the region's sellers before export taxes, tariffs and freight; world: sales-weighted mean."),
    Metric("production", "t/month", "good_region", "Output: concentrate mined (t REO), oxides separated or recycled, magnets made."),
    Metric("consumption", "t/month", "good_region", "Use by end-use sectors (magnets, and oxides used directly)."),
    Metric("unmet_demand", "t/month", "good_region", "End-use need that could not be met from stock this month."),
    Metric("inventory_cover", "months", "good_region", "Producers' and users' stock over the month's use."),
    Metric("stockpile", "t", "good_region", "State strategic stockpile held."),
    Metric("exports", "t/month", "good_region", "Shipments to other regions."),
    Metric("imports", "t/month", "good_region", "Shipments from other regions."),
    *_stage_metrics("dependency", "share", "good_region",
                    "Share of the region's end use whose {stage} stage happened in China; good 'all' weights goods by REO content."),
    *_stage_metrics("china_share", "share", "world", "China's share of world output at the {stage} stage."),
    *_stage_metrics("hhi", "index 0-10000", "world", "Herfindahl-Hirschman index of output by region at the {stage} stage."),
    *_stage_metrics("capacity", "t/yr", "region", "Installed capacity at the {stage} stage (mines and refiners t REO, magnet plants t magnet)."),
    Metric("capacity_recycling", "t/yr", "region", "Installed recycling capacity, t REO of recovered oxide."),
    Metric("recycled", "t/month", "region", "Oxide recovered from end-of-life magnets, t REO."),
    Metric("end_of_life", "t/month", "region", "REO in magnets reaching end of life."),
    Metric("material_balance_error", "t", "world", "Mined + recycled - used - lost - change in stocks (REO); zero up to rounding."),
    Metric("magnet_balance_error", "t", "world", "Magnets made - used - change in magnet stocks; zero up to rounding."),
]
BY_NAME = {metric.name: metric for metric in CATALOGUE}


def hhi(output: np.ndarray) -> float:
    """Herfindahl-Hirschman index (0-10,000) of output shares; 0 when nothing is produced."""
    total = output.sum()
    if total <= 0:
        return 0.0
    return float(((output / total * 100.0) ** 2).sum())


def share(part: float, whole: float) -> float:
    """``part / whole``, or 0 when ``whole`` is 0."""
    return float(part / whole) if whole > 0 else 0.0


class Recorder:
    """Preallocated arrays for every metric over every tick."""

    def __init__(self, ticks: int, regions: list[str]) -> None:
        """Allocate room for ``ticks`` ticks over ``regions`` (plus ``world``)."""
        self.regions = [*regions, WORLD]
        self.ticks = ticks
        shapes = {
            "good_region": (len(GOODS) + 1, len(self.regions)),
            "region": (len(self.regions),),
            "world": (),
        }
        self.data = {m.name: np.full((ticks, *shapes[m.layout]), np.nan) for m in CATALOGUE}

    def record(self, tick: int, name: str, values) -> None:
        """Store one metric's values for one tick (missing cells stay NaN and are dropped)."""
        self.data[name][tick] = values

    def to_frame(self, dates: list[str], ticks: int | None = None) -> pd.DataFrame:
        """The recorded ticks as a tidy long table: tick, date, metric, good, region, value, unit."""
        ticks = self.ticks if ticks is None else ticks
        goods = [*GOODS, ALL]
        frames = []
        for metric in CATALOGUE:
            values = self.data[metric.name][:ticks]
            if metric.layout == "good_region":
                g, r = np.meshgrid(np.arange(len(goods)), np.arange(len(self.regions)), indexing="ij")
                good_labels = np.array(goods)[g.ravel()]
                region_labels = np.array(self.regions)[r.ravel()]
                flat = values.reshape(ticks, -1)
            elif metric.layout == "region":
                good_labels = np.full(len(self.regions), ALL)
                region_labels = np.array(self.regions)
                flat = values
            else:
                good_labels, region_labels = np.array([ALL]), np.array([WORLD])
                flat = values.reshape(ticks, 1)
            cells = flat.shape[1]
            frame = pd.DataFrame({
                "tick": np.repeat(np.arange(ticks), cells),
                "metric": metric.name,
                "good": np.tile(good_labels, ticks),
                "region": np.tile(region_labels, ticks),
                "value": flat.ravel(),
                "unit": metric.unit,
            })
            frames.append(frame[np.isfinite(frame["value"].to_numpy())])
        table = pd.concat(frames, ignore_index=True)
        table.insert(1, "date", np.array(dates)[table["tick"].to_numpy()])
        for column in ("metric", "good", "region", "unit", "date"):
            table[column] = table[column].astype("category")
        return table


@dataclass
class TickReport:
    """Raw quantities of one tick, from which the recorder derives every metric."""

    price: np.ndarray
    seller_price: np.ndarray
    production: np.ndarray
    separated: np.ndarray
    consumption: np.ndarray
    use: np.ndarray
    unmet: np.ndarray
    stock: np.ndarray
    stockpile: np.ndarray
    flows: np.ndarray
    consumed_content: np.ndarray
    """(goods, regions, tracers) tracer tonnes in what end users consumed."""
    reo_per_unit: np.ndarray
    capacity: dict[str, np.ndarray]
    recycled: np.ndarray
    end_of_life: np.ndarray
    balance_error: float
    magnet_balance_error: float
    china: int


def _with_world(values: np.ndarray, world: np.ndarray) -> np.ndarray:
    """Append a world column to (goods, regions) values and an 'all' row of NaN."""
    goods, regions = values.shape
    out = np.full((goods + 1, regions + 1), np.nan)
    out[:goods, :regions] = values
    out[:goods, regions] = world
    return out


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=1)
    mean = np.divide((values * weights).sum(axis=1), total, out=np.zeros(len(values)), where=total > 0)
    return np.where(total > 0, mean, values.mean(axis=1))


def _regional_total(values: np.ndarray) -> np.ndarray:
    return np.append(values, values.sum())


def _dependency(report: TickReport, stage: int, goods: list[int]) -> np.ndarray:
    consumed = report.consumption[goods]
    china = report.consumed_content[goods, :, stage]
    regions = consumed.shape[1]
    out = np.full((len(GOODS) + 1, regions + 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[goods, :regions] = np.where(consumed > 0, china / consumed, np.nan)
        out[goods, regions] = np.where(consumed.sum(1) > 0, china.sum(1) / consumed.sum(1), np.nan)
        weight = report.reo_per_unit[goods][:, None]
        reo, reo_china = (consumed * weight).sum(0), (china * weight).sum(0)
        out[-1, :regions] = np.where(reo > 0, reo_china / reo, np.nan)
        out[-1, regions] = reo_china.sum() / reo.sum() if reo.sum() > 0 else np.nan
    return out


def record_tick(recorder: Recorder, tick: int, report: TickReport) -> None:
    """Derive and store every metric of one tick."""
    from marketsim.world import CONCENTRATE, MAGNET  # noqa: PLC0415 (avoid an import cycle)

    r = recorder.record
    flows = report.flows
    received, sold = flows.sum(axis=1), flows.sum(axis=2)
    domestic = np.einsum("gii->gi", flows)
    r(tick, "price", _with_world(report.price, _weighted(report.price, received)))
    r(tick, "seller_price", _with_world(report.seller_price, _weighted(report.seller_price, sold)))
    for name, values in (("production", report.production), ("consumption", report.consumption),
                         ("unmet_demand", report.unmet), ("stockpile", report.stockpile),
                         ("exports", sold - domestic), ("imports", received - domestic)):
        r(tick, name, _with_world(values, values.sum(axis=1)))
    use = np.maximum(report.use, 1e-12)
    cover = np.where(report.use > 0, report.stock / use, np.nan)
    world_use = report.use.sum(axis=1)
    world_cover = np.divide(report.stock.sum(1), world_use, out=np.full(len(world_use), np.nan),
                            where=world_use > 0)
    r(tick, "inventory_cover", _with_world(cover, world_cover))
    oxides_and_magnets = [g for g in range(len(GOODS)) if g != CONCENTRATE]
    stage_output = {
        "mining": report.production[CONCENTRATE],
        "separation": report.separated,
        "magnets": report.production[MAGNET],
    }
    for s, stage in enumerate(STAGES):
        goods = [MAGNET] if stage == "magnets" else oxides_and_magnets
        r(tick, f"dependency_{stage}", _dependency(report, s, goods))
        output = stage_output[stage]
        china = output[report.china] if report.china >= 0 else 0.0
        r(tick, f"china_share_{stage}", share(china, output.sum()))
        r(tick, f"hhi_{stage}", hhi(output))
    for stage, capacity in report.capacity.items():
        r(tick, f"capacity_{stage}", _regional_total(capacity))
    r(tick, "recycled", _regional_total(report.recycled))
    r(tick, "end_of_life", _regional_total(report.end_of_life))
    r(tick, "material_balance_error", report.balance_error)
    r(tick, "magnet_balance_error", report.magnet_balance_error)
