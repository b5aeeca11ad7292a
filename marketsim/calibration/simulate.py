"""One model run for calibration and validation: a scenario, some overrides and a seed in, a table out.

The model is used only through its public API (``apply_overrides``, ``RareEarthModel``,
``results()``), so calibration keeps working while the model's insides change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marketsim.calibration.statistics import TidyTable, combine_seeds, statistics
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import apply_overrides

if TYPE_CHECKING:
    import pandas as pd

    from marketsim.calibration.targets import Target
    from marketsim.scenario.schema import Scenario


def override_items(values: dict[str, float]) -> list[str]:
    """``--set`` items (``path=value``) for parameter values given by dotted path."""
    return [f"{path}={float(value)!r}" for path, value in values.items()]


def run_table(scenario: Scenario, values: dict[str, float], seed: int, years: int | None = None) -> pd.DataFrame:
    """Run a scenario once with some parameters set and return its tidy table.

    Args:
        scenario: A validated scenario.
        values: Parameter values by dotted ``--set`` path.
        seed: The run's random seed.
        years: Run length; the scenario's when None.

    Raises:
        ScenarioError: If a path names no setting or a value is out of its range.
    """
    configured = apply_overrides(scenario, override_items(values), "calibration particle")
    model = RareEarthModel(configured, seed=seed, years=years)
    model.run()
    return model.results()


def run_statistics(
    scenario: Scenario, values: dict[str, float], seeds: list[int], years: int, targets: list[Target]
) -> dict[str, float]:
    """The targets' statistics, averaged over runs on several seeds.

    Args:
        scenario: A validated scenario.
        values: Parameter values by dotted ``--set`` path.
        seeds: One run per seed.
        years: Run length.
        targets: The targets whose statistics to compute.
    """
    per_seed = [statistics(TidyTable(run_table(scenario, values, seed, years)), targets) for seed in seeds]
    return combine_seeds(per_seed)
