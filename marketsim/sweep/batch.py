"""A ``mesa.batch_run``-compatible model: keyword constructor, one DataCollector row per month.

>>> import mesa
>>> from marketsim.sweep.batch import BatchModel
>>> rows = mesa.batch_run(
...     BatchModel,
...     parameters={"scenario": "configs/baseline_2024.toml", "years": 1, "market.price_speed": [0.2, 0.4]},
...     rng=[1, 2], max_steps=12, number_processes=1, data_collection_period=1, display_progress=False,
... )

Parameters are the scenario's values by dotted path (``"market.price_speed"``; in a plain keyword
call, ``market__price_speed``). The DataCollector's model table holds the headline series of
:data:`HEADLINES`, one row per month.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from marketsim.model import RareEarthModel
from marketsim.reports.metrics import derive
from marketsim.scenario.loading import load_scenario
from marketsim.scenario.schema import Scenario
from marketsim.sweep.outcomes import series
from marketsim.sweep.overrides import apply_values
from marketsim.sweep.spec import Outcome

DEFAULT_SCENARIO = "configs/baseline_2024.toml"
HEADLINES: dict[str, dict[str, str]] = {
    "ndpr_price": {"metric": "price", "good": "ndpr", "region": "world"},
    "ndpr_price_china": {"metric": "price", "good": "ndpr", "region": "china"},
    "ndpr_price_outside_china": {"metric": "price", "good": "ndpr", "region": "outside_china"},
    "dytb_price": {"metric": "price", "good": "dytb", "region": "world"},
    "magnet_price": {"metric": "price", "good": "magnet", "region": "world"},
    "magnet_production": {"metric": "production", "good": "magnet", "region": "world"},
    "magnet_unmet_demand": {"metric": "unmet_demand", "good": "magnet", "region": "world"},
    "china_share_mining": {"metric": "china_share_mining"},
    "china_share_separation": {"metric": "china_share_separation"},
    "china_share_magnets": {"metric": "china_share_magnets"},
}
"""The DataCollector's columns (besides ``date``): world figures unless a region is named; prices
US$/kg, tonnages t/month, shares 0-1 (see docs/metrics.md)."""
_OUTCOMES = [Outcome(name=name, **fields) for name, fields in HEADLINES.items()]


@lru_cache(maxsize=8)
def _base(path: str) -> Scenario:
    """A scenario file loaded and validated once per process."""
    return load_scenario(path)


def _headline(name: str, model: BatchModel) -> float:
    return model.latest[name]


class BatchModel(RareEarthModel):
    """:class:`~marketsim.model.RareEarthModel` built from keywords, with a DataCollector."""

    def __init__(
        self,
        scenario: str | Path | Scenario = DEFAULT_SCENARIO,
        seed: int | None = None,
        years: int | None = None,
        **parameters: Any,
    ) -> None:
        """Load the scenario, set the parameters, build the model and collect its first row.

        Args:
            scenario: A scenario file (loaded once per process) or a validated scenario.
            seed: The run's seed; a fresh random one when None (as ``mesa.batch_run``'s
                ``iterations`` expect), kept in ``seed_used``.
            years: Run length; the scenario's when None.
            **parameters: Scenario values by dotted path (``"market.price_speed"``) or with
                ``__`` for each dot (``market__price_speed``).

        Raises:
            ScenarioError: If a path names no setting or a value is invalid.
        """
        base = scenario if isinstance(scenario, Scenario) else _base(str(scenario))
        values = {name.replace("__", "."): value for name, value in parameters.items()}
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(apply_values(base, values, "BatchModel parameters"), seed=seed, years=years)
        self.latest: dict[str, Any] = dict.fromkeys(HEADLINES, float("nan"))
        reporters = {"date": partial(_headline, "date")} | {name: partial(_headline, name) for name in HEADLINES}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        """One month, then one DataCollector row of its headline figures."""
        if self.tick >= self.months:
            self.running = False
            return
        super().step()
        tick = self.tick - 1
        raw = {name: values[tick : tick + 1] for name, values in self.recorder.raw.items()}
        metrics = derive(raw, self.china, self.recorder.reo_per_unit)
        self.latest = {"date": self.date_of(tick)} | {
            outcome.name: float(series(self, metrics, outcome)[0]) for outcome in _OUTCOMES
        }
        self.datacollector.collect(self)
