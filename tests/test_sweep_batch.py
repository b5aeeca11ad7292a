"""``mesa.batch_run`` runs marketsim through :class:`BatchModel`."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from marketsim.scenario.loading import ScenarioError
from marketsim.sweep.batch import HEADLINES, BatchModel

BASELINE = str(Path(__file__).resolve().parents[1] / "configs" / "baseline_2024.toml")


@pytest.mark.filterwarnings("ignore:The `iterations` keyword:DeprecationWarning")
def test_mesa_batch_run_gives_one_row_per_month_with_the_headline_series():
    rows = mesa.batch_run(
        BatchModel,
        parameters={"scenario": BASELINE, "years": 2, "market.price_speed": [0.1, 0.4]},
        iterations=2,
        max_steps=24,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    assert len(table) == 2 * 2 * 24
    assert set(HEADLINES) <= set(table.columns)
    assert table.groupby("RunId")["date"].agg(["first", "last"]).eq(["2024-01", "2025-12"]).all().all()
    assert np.isfinite(table["ndpr_price"]).all() and (table["ndpr_price"] > 0).all()
    # the swept value reaches the model: the two speeds give different paths
    by_speed = table.groupby("market.price_speed")["ndpr_price"].mean()
    assert by_speed.iloc[0] != by_speed.iloc[1]


def test_same_seed_same_series_and_keywords_with_double_underscores():
    one = BatchModel(BASELINE, seed=5, years=1, market__price_speed=0.3)
    two = BatchModel(BASELINE, seed=5, years=1, **{"market.price_speed": 0.3})
    for model in (one, two):
        while model.running:
            model.step()
    assert one.config.market.price_speed == 0.3
    first, second = (m.datacollector.get_model_vars_dataframe() for m in (one, two))
    assert len(first) == 12
    pd.testing.assert_frame_equal(first, second)


def test_bad_parameter_is_refused():
    with pytest.raises(ScenarioError, match="price_speed"):
        BatchModel(BASELINE, seed=1, years=1, **{"market.price_speed": 7.0})


def test_the_docs_batch_run_example_runs(monkeypatch):
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "sweeps.md").read_text()
    example = text.split("### Mesa's batch_run", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(root)
    namespace: dict = {}
    exec(
        compile(example.replace("number_processes=1,", "number_processes=1, display_progress=False,"), "docs", "exec"),
        namespace,
    )
    table = pd.DataFrame(namespace["rows"])
    assert len(table) == 2 * 2 * 24
    assert set(table["market.price_speed"]) == {0.1, 0.3}
