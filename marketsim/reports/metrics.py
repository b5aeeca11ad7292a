"""Metrics recorded every tick, and their tidy long table.

Each metric has a shape: per (good, region), per region, per good or a single world value.
Regions include ``world`` for global figures; goods include ``all`` where a metric is not about
one good. Names and meanings are listed in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from marketsim.reports.derivation import PROJECT_PHASES, derive, hhi, ratio, stock_cover
from marketsim.reports.tidy import COLUMNS, tidy_table
from marketsim.vocabulary import GOODS, POLICY_STAGES, STAGES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PROJECT_PHASES", "derive", "hhi", "ratio", "stock_cover"]  # derived in marketsim.reports.derivation
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


_PRICE = "Price buyers in the region face (delivered cost plus scarcity premium); world: purchase-weighted mean."
_SELLER = "Price the region's sellers post, before export taxes, tariffs and freight; world: sales-weighted mean."
_DEPENDENCY = (
    "Share of the region's end use whose {stage} stage happened in China; good 'all' weights goods by REO content."
)
_CAPACITY = "Installed capacity at the {stage} stage (mines and refiners t REO, magnet plants t magnet)."

CATALOGUE: list[Metric] = [
    Metric("price", "US$/kg", "good_region", _PRICE),
    Metric("seller_price", "US$/kg", "good_region", _SELLER),
    Metric(
        "production",
        "t/month",
        "good_region",
        "Output: concentrate mined (t REO), oxides separated or recycled, magnets made.",
    ),
    Metric("consumption", "t/month", "good_region", "Use by end-use sectors (magnets, and oxides used directly)."),
    Metric("unmet_demand", "t/month", "good_region", "End-use need that could not be met from stock this month."),
    Metric("inventory_cover", "months", "good_region", "Producers' and users' stock over the month's use."),
    Metric("stockpile", "t", "good_region", "State strategic stockpile held."),
    Metric("exports", "t/month", "good_region", "Shipments to other regions."),
    Metric("imports", "t/month", "good_region", "Shipments from other regions, smuggled ones included."),
    *_stage_metrics("dependency", "share", "good_region", _DEPENDENCY),
    *_stage_metrics("china_share", "share", "world", "China's share of world output at the {stage} stage."),
    *_stage_metrics(
        "hhi", "index 0-10000", "world", "Herfindahl-Hirschman index of output by region at the {stage} stage."
    ),
    *_stage_metrics("capacity", "t/yr", "region", _CAPACITY),
    Metric("capacity_recycling", "t/yr", "region", "Installed recycling capacity, t REO of recovered oxide."),
    Metric("recycled", "t/month", "region", "Oxide recovered from end-of-life magnets, t REO."),
    Metric("end_of_life", "t/month", "region", "REO in magnets reaching end of life."),
    Metric(
        "scrap_generated",
        "t/month",
        "region",
        "NdPr and Dy/Tb oxide fed to magnet making that ended as manufacturing scrap (swarf, rejects), "
        "t REO; world: total.",
    ),
    Metric(
        "scrap_recycled",
        "t/month",
        "region",
        "Oxide recovered from manufacturing scrap by the region's recyclers, t REO (not in 'recycled'); world: total.",
    ),
    Metric("allies", "regions", "region", "Regions in an alliance with the region; world: allied pairs x 2."),
    Metric(
        "alliance_links",
        "pairs",
        "world",
        "Allied pairs: pairs of governments sharing at least one alliance, each month.",
    ),
    Metric(
        "environmental_burden",
        "index/month",
        "region",
        "Environmental burden of the month's mining, separation, magnet making and recycling in the "
        "region (1 = tailings, wastewater and residue of 1 t REO mined and separated at standard 0); "
        "world: total.",
    ),
    Metric("burden_share", "share", "region", "Region's share of the world's environmental burden."),
    Metric(
        "reo_consumption_share",
        "share",
        "region",
        "Region's share of world end use, REO-weighted (set against burden_share).",
    ),
    Metric(
        "public_spending",
        "US$ million/month",
        "region",
        "Public money the region's government spends on its levers: subsidies, price floors, stockpile "
        "purchases, project loans and equity paid out, offtake top-ups, research, collection schemes; "
        "world: total.",
    ),
    *[
        Metric(
            f"unit_cost_{stage}",
            "US$/kg",
            "region",
            f"Capacity-weighted unit operating cost at the {stage} stage after learning and standards, "
            "before subsidies (where a region has none: the world's mean starting cost under its learning "
            "and standards); world: capacity-weighted.",
        )
        for stage in POLICY_STAGES
    ],
    *[
        Metric(f"projects_{phase}", "projects", "region", f"Supply projects {text}; world: total.")
        for phase, text in (
            ("exploration", "in exploration"),
            ("permitting", "in permitting"),
            ("construction", "under construction"),
            ("ramp_up", "ramping up"),
            ("operating", "operating at full capacity"),
            ("abandoned", "abandoned"),
            ("stalled", "stalled this month (economics do not clear)"),
        )
    ],
    Metric(
        "material_balance_error",
        "t",
        "world",
        "Mined + recycled - used - lost (scrap not recovered included) - change in stocks (REO); zero up to rounding.",
    ),
    Metric("magnet_balance_error", "t", "world", "Magnets made - used - change in magnet stocks; zero up to rounding."),
    Metric("contract_price", "US$/kg", "good_region", "Long-term contract price (lagged spot); world: by purchases."),
    Metric("spot_price", "US$/kg", "good_region", "Spot price in the region (the same as 'price')."),
    Metric("licence_premium", "US$/kg", "good_region", "Shadow price of binding export controls (docs/metrics.md)."),
    Metric("smuggled", "t/month", "good_region", "Exports leaked past export controls (in 'imports', not 'exports')."),
    Metric("undocumented_mining", "t/month", "region", "Mine output beyond the managed region's quota (REO)."),
    Metric("fundamentalist_share", "share", "good_region", "Stockholders forecasting by fundamentals; world: mean."),
]
BY_NAME = {metric.name: metric for metric in CATALOGUE}


RAW_FIELDS = (
    "price",
    "seller_price",
    "production",
    "separated",
    "consumption",
    "use",
    "unmet",
    "stock",
    "stockpile",
    "flows",
    "consumed_china",
    "capacity",
    "recycled",
    "end_of_life",
    "scrap_generated",
    "scrap_recycled",
    "allies",
    "balance_error",
    "magnet_balance_error",
    "burden",
    "public_spending",
    "unit_cost",
    "projects",
    "contract_price",
    "licence_premium",
    "smuggled",
    "smuggled_in",
    "fundamentalists",
    "undocumented",
)
"""What the model hands the recorder each tick; every metric is derived from these."""


class Recorder:
    """Keeps each tick's raw quantities in preallocated arrays; derives metrics on demand."""

    def __init__(self, ticks: int, regions: list[str], china: int, reo_per_unit: np.ndarray) -> None:
        """Prepare to record ``ticks`` ticks.

        Args:
            ticks: Number of ticks of the run.
            regions: Region ids in array order (``world`` is added for global figures).
            china: Index of China among the regions (-1 if absent).
            reo_per_unit: (goods,) t REO in a tonne of each good.
        """
        self.ticks = ticks
        self.regions = list(regions)
        self.china = china
        self.reo_per_unit = np.asarray(reo_per_unit, dtype=float)
        self.raw: dict[str, np.ndarray] = {}

    def store(self, tick: int, **values) -> None:
        """Store one tick's raw quantities (see :data:`RAW_FIELDS`)."""
        for name, value in values.items():
            buffer = self.raw.get(name)
            if buffer is None:
                shape = np.shape(value)
                buffer = self.raw[name] = np.full((self.ticks, *shape), np.nan)
            buffer[tick] = value

    def metrics(self, ticks: int | None = None) -> dict[str, np.ndarray]:
        """Every metric of :data:`CATALOGUE` for the first ``ticks`` ticks, as arrays with time
        first: (ticks, goods + 1, regions + 1), (ticks, regions + 1) or (ticks,)."""
        ticks = self.ticks if ticks is None else ticks
        raw = {name: values[:ticks] for name, values in self.raw.items()}
        return derive(raw, self.china, self.reo_per_unit) if ticks else {}

    def to_arrow(self, dates: list[str], ticks: int | None = None) -> pa.Table:
        """The recorded ticks as a tidy long Arrow table (see :mod:`marketsim.reports.tidy`):
        tick, date, metric, good, region, value, unit.

        Raises:
            NonFiniteOutput: When the run's numbers are not finite (see :func:`check_finite`).
        """
        ticks = self.ticks if ticks is None else ticks
        derived = self.metrics(ticks)
        check_finite({name: values[:ticks] for name, values in self.raw.items()}, derived)
        return tidy_table(derived, CATALOGUE if ticks else [], [*GOODS, ALL], [*self.regions, WORLD], dates)

    def to_frame(self, dates: list[str], ticks: int | None = None) -> pd.DataFrame:
        """The recorded ticks as a tidy long pandas table: tick, date, metric, good, region, value,
        unit (the text columns categorical)."""
        import pandas as pd  # noqa: PLC0415 (only when a pandas table is asked for: runs write from Arrow)

        ticks = self.ticks if ticks is None else ticks
        if not ticks:
            return pd.DataFrame(columns=list(COLUMNS))
        return self.to_arrow(dates, ticks).to_pandas()


class NonFiniteOutput(ValueError):
    """A run whose numbers overflowed or became undefined where they must not: its table would
    silently lose rows, so it is refused."""


def check_finite(raw: dict[str, np.ndarray], derived: dict[str, np.ndarray]) -> None:
    """Refuse a run whose recorded quantities are not all finite, or whose metrics are infinite.

    A metric may be NaN where it does not apply (a price where nothing was bought), and such
    cells are left out of the table; any other non-finite number means the run went wrong.

    Raises:
        NonFiniteOutput: Naming the quantities affected.
    """
    bad = [name for name, values in raw.items() if not np.isfinite(values).all()]
    bad += [name for name, values in derived.items() if np.isinf(values).any()]
    if bad:
        raise NonFiniteOutput(
            f"the run produced non-finite numbers (infinite or undefined) in {', '.join(sorted(set(bad)))}; "
            "check the scenario for extreme values"
        )
