"""Recyclers: recover NdPr and DyTb oxide from magnets that reach the end of their life and from
magnet makers' manufacturing scrap."""

from __future__ import annotations

import numpy as np

from marketsim.agents.fleet import PIPELINE_MONTHS, FacilityAgent, Fleet


class EndOfLife:
    """Remembers magnet consumption by (sector, region) and releases it after each lifetime.

    Before the start, consumption is back-cast from the start level with each sector's first
    growth rate, so end-of-life flows exist from the first month.
    """

    def __init__(
        self, lifetime_months: np.ndarray, start_level: np.ndarray, start_growth: np.ndarray, regions_count: int
    ) -> None:
        """Create the memory.

        Args:
            lifetime_months: (sectors,) product life of each sector.
            start_level: (sectors, regions) magnet consumption in the first month, t.
            start_growth: (sectors,) annual growth rate before the start.
            regions_count: Number of regions.
        """
        self.lifetime = np.asarray(lifetime_months, dtype=np.int64)
        self.horizon = int(self.lifetime.max(initial=1)) + 1
        self.regions_count = regions_count
        months_back = np.arange(1, self.horizon + 1)
        decay = (1.0 + start_growth[None, :]) ** (-months_back[:, None] / 12.0)
        past = decay[:, :, None] * start_level[None, :, :]
        self.memory = np.zeros((self.horizon, *start_level.shape))
        self.memory[(-months_back) % self.horizon] = past
        self._sectors = np.arange(len(self.lifetime))

    def record(self, tick: int, consumed: np.ndarray) -> None:
        """Store this month's (sectors, regions) magnet consumption."""
        self.memory[tick % self.horizon] = consumed

    def arriving(self, tick: int) -> np.ndarray:
        """(regions,) t of magnet reaching end of life this month."""
        slots = (tick - self.lifetime) % self.horizon
        return np.add.reduce(self.memory[slots, self._sectors], axis=0)


class RecyclerFleet(Fleet):
    """One recycling industry per region; capacity is t of recovered oxide per year.

    It takes two feeds: magnets reaching end of life (a share ``collection_rate`` collected) and
    the manufacturing scrap of its region's magnet plants (a share ``scrap_collection``
    collected). Both are recovered at ``recovery_rate``; when capacity is short, both feeds are
    cut in the same proportion.
    """

    stage = "recycling"

    def __init__(
        self,
        *,
        collection_rate: np.ndarray,
        recovery_rate: float,
        scrap_collection: np.ndarray | float = 0.0,
        **fleet_args,
    ) -> None:
        """Create the fleet.

        Args:
            collection_rate: (recyclers,) share of end-of-life magnets collected.
            recovery_rate: Share of the collected REO recovered as oxide.
            scrap_collection: (recyclers,) share of the region's manufacturing scrap collected.
            **fleet_args: Passed on to :class:`Fleet`.
        """
        super().__init__(**fleet_args)
        self.collection_rate = np.asarray(collection_rate, dtype=float).copy()
        self.scrap_collection = np.broadcast_to(np.asarray(scrap_collection, dtype=float), len(self)).copy()
        self.recovery_rate = recovery_rate
        self.available = np.zeros(len(self))
        """Recoverable REO in the end-of-life magnets collected this month, t."""
        self.scrap_available = np.zeros(len(self))
        """Recoverable REO in the manufacturing scrap collected this month, t."""
        self.scrap_output = np.zeros(len(self))
        """Oxide recovered from scrap this month, t REO (``output`` counts both feeds)."""

    def recycle(
        self,
        end_of_life_reo: np.ndarray,
        oxide_value: np.ndarray,
        cost_share: np.ndarray,
        scrap_reo: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Recover oxide from this month's end-of-life magnets and manufacturing scrap.

        Args:
            end_of_life_reo: (regions,) t REO in magnets reaching end of life.
            oxide_value: (regions,) value of 1 kg of the recovered oxide mix, US$/kg.
            cost_share: (regions,) share of unit cost paid after subsidies.
            scrap_reo: (regions,) t REO of manufacturing scrap arising this month (none if None).

        Returns:
            ``(end_of_life, scrap)``: (regions,) t REO of oxide recovered from each feed; never
            more than its collected feed, and together never more than a month's capacity.
        """
        regions = len(end_of_life_reo)
        self.available = end_of_life_reo[self.region] * self.collection_rate * self.recovery_rate
        if scrap_reo is None:
            self.scrap_available = np.zeros(len(self))
        else:
            self.scrap_available = scrap_reo[self.region] * self.scrap_collection * self.recovery_rate
        feed = self.available + self.scrap_available
        share = np.divide(self.available, feed, out=np.ones_like(feed), where=feed > 0)
        ratio = oxide_value[self.region] / (self.unit_cost * cost_share[self.region])
        running = self.remember_margin(ratio)
        monthly = self.capacity / 12.0
        end_of_life = np.minimum(self.available, monthly * share) * running
        self.scrap_output = np.minimum(self.scrap_available, monthly * (1.0 - share)) * running
        self.output = end_of_life + self.scrap_output
        return self.by_region(end_of_life, regions), self.by_region(self.scrap_output, regions)

    def expand(self, tick: int) -> None:
        """On each recycler's review month, order the capacity its collected feed calls for,
        if recycling pays; it arrives after the lead time."""
        reviewing = self.decision_month == tick % 12
        if not np.logical_or.reduce(reviewing, None):  # nobody's review month (or no recyclers)
            return
        rows = np.flatnonzero(reviewing)  # only the reviewing facilities' gaps are read
        feed = self.available[rows] + self.scrap_available[rows]
        # Each facility's pipeline summed month after month (the running sum's last month is that sum).
        supply_line = np.cumsum(self.pipeline[rows], axis=1)[:, -1]
        gap = feed * 12.0 * 1.1 - self.capacity[rows] - supply_line
        go = (gap > 0) & (self.margin[rows] > 1.0)
        self.pipeline[rows[go], (tick + max(self.lead_months, 1)) % PIPELINE_MONTHS] += gap[go]


class Recycler(FacilityAgent):
    """A region's recycling industry (a view of one row of the :class:`RecyclerFleet`)."""

    @property
    def collection_rate(self) -> float:
        """Share of end-of-life magnets collected."""
        return float(self.fleet.collection_rate[self.row])

    @property
    def scrap_collection(self) -> float:
        """Share of the region's manufacturing scrap collected."""
        return float(self.fleet.scrap_collection[self.row])
