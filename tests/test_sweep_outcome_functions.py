"""Outcomes as Python functions of a run's tidy table, and the ``outside_china`` aggregate."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from _toml_text import dumps

from marketsim.model import RareEarthModel
from marketsim.scenario.loading import ScenarioError
from marketsim.sweep import load_spec, read_results, run_sweep, simulate
from marketsim.sweep.analyze import analyze
from marketsim.sweep.functions import add_search_folder
from marketsim.sweep.outcomes import aggregation

MODULE = """
import pandas as pd

def ndpr_japan_last(table: pd.DataFrame) -> float:
    rows = table[(table["metric"] == "price") & (table["good"] == "ndpr") & (table["region"] == "japan")]
    return float(rows.sort_values("tick")["value"].iloc[-1])

def both(table):
    return {"rows": float(len(table)), "ticks": float(table["tick"].nunique())}

def words(table):
    return "many"

NOT_CALLABLE = 3
"""


@pytest.fixture
def folder(tmp_path, small_data, monkeypatch):
    (tmp_path / "small.toml").write_text(dumps(small_data), encoding="utf-8")
    (tmp_path / "my_outcomes_mod.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    sys.modules.pop("my_outcomes_mod", None)


def spec(outcomes: list[dict], **sweep) -> dict:
    return {
        "sweep": {"name": "f", "scenario": "small.toml", "years": 1, "design": "lhs", "samples": 2, **sweep},
        "parameters": {"sectors.ev.elasticity_short": {"range": [-0.3, -0.1]}},
        "outcomes": outcomes,
    }


def test_a_function_outcome_gets_the_runs_tidy_table(folder, small_world):
    add_search_folder(folder)
    outcomes = [
        {"name": "last", "function": "my_outcomes_mod:ndpr_japan_last"},
        {"name": "count", "function": "my_outcomes_mod:both", "keys": ["rows", "ticks"]},
        {"name": "peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "final"},
    ]
    result = simulate(small_world, {}, seed=3, outcomes=outcomes, years=1)
    model = RareEarthModel(small_world, seed=3, years=1)
    model.run()
    table = model.results()
    assert result["outcomes"]["last"] == pytest.approx(result["outcomes"]["peak"])
    assert result["outcomes"]["count.rows"] == len(table)
    assert result["outcomes"]["count.ticks"] == 12
    assert not any(result["censored"].values())


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("no_such_module_xyz:f", "cannot import module 'no_such_module_xyz'"),
        ("my_outcomes_mod:missing", "has no 'missing'"),
        ("my_outcomes_mod:NOT_CALLABLE", "is a int, not a function"),
    ],
)
def test_a_bad_function_is_refused_at_load_in_one_sentence(folder, function, expected):
    path = folder / "spec.toml"
    path.write_text(dumps(spec([{"name": "x", "function": function}])), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"outcomes\.0\.function") as error:
        load_spec(path)
    assert expected in str(error.value)
    assert "Traceback" not in str(error.value)


def test_a_function_outcome_takes_no_metric_fields():
    from pydantic import ValidationError  # noqa: PLC0415

    from marketsim.sweep.spec import Outcome  # noqa: PLC0415

    with pytest.raises(ValidationError, match="takes only name, function and keys, not reduce"):
        Outcome.model_validate({"name": "x", "function": "m:f", "reduce": "max"})
    with pytest.raises(ValidationError, match="either metric"):
        Outcome.model_validate({"name": "x", "function": "m:f", "metric": "price"})


def test_a_function_returning_the_wrong_thing_fails_the_run_with_a_message(folder, small_world):
    add_search_folder(folder)
    with pytest.raises(ValueError, match="returned a str, not a number"):
        simulate(small_world, {}, seed=1, outcomes=[{"name": "w", "function": "my_outcomes_mod:words"}], years=1)
    with pytest.raises(ValueError, match=r"list exactly the keys it returns"):
        simulate(
            small_world,
            {},
            seed=1,
            outcomes=[{"name": "b", "function": "my_outcomes_mod:both", "keys": ["rows"]}],
            years=1,
        )


def test_a_sweep_writes_function_outcomes_from_a_module_beside_the_spec(folder):
    outcomes = [{"name": "count", "function": "my_outcomes_mod:both", "keys": ["rows", "ticks"]}]
    path = folder / "spec.toml"
    path.write_text(dumps(spec(outcomes)), encoding="utf-8")
    loaded, base = load_spec(path)
    counts = run_sweep(loaded, base, folder / "out", workers=1)
    assert counts["failed"] == 0
    results = read_results(folder / "out")
    assert sorted(results["outcome"].unique()) == ["count.rows", "count.ticks"]
    assert (results.loc[results["outcome"] == "count.ticks", "value"] == 12).all()
    analyze(folder / "out")
    summary = pd.read_csv(folder / "out" / "analysis" / "summary.csv")
    assert sorted(summary["outcome"]) == ["count.rows", "count.ticks"]


# ----------------------------------------------------------------- outside China


def outside(small_world, metric: str, good: str = "all") -> tuple[np.ndarray, pd.DataFrame]:
    outcomes = [{"name": "o", "metric": metric, "good": good, "region": "outside_china", "reduce": "final"}]
    result = simulate(small_world, {}, seed=2, outcomes=outcomes, years=1, timeseries=True)
    model = RareEarthModel(small_world, seed=2, years=1)
    model.run()
    return np.array(result["series"]["o"]), model.results()


def cell(table: pd.DataFrame, metric: str, good: str, region: str) -> np.ndarray:
    rows = table[(table["metric"] == metric) & (table["good"] == good) & (table["region"] == region)]
    return rows.sort_values("tick")["value"].to_numpy()


def test_outside_china_sums_quantities_over_every_other_region(small_world):
    values, table = outside(small_world, "consumption", "ndpr")
    expected = cell(table, "consumption", "ndpr", "world") - cell(table, "consumption", "ndpr", "china")
    assert values == pytest.approx(expected)
    assert aggregation("consumption") == "sum"


def test_outside_china_prices_are_weighted_by_each_regions_use_of_the_good(small_world):
    values, table = outside(small_world, "price", "magnet")
    use = np.array([cell(table, "consumption", "magnet", r) for r in ("usa", "japan")])
    price = np.array([cell(table, "price", "magnet", r) for r in ("usa", "japan")])
    assert values == pytest.approx((use * price).sum(axis=0) / use.sum(axis=0))
    assert aggregation("price") == "weighted"


def test_outside_china_is_refused_for_a_world_figure(folder):
    outcomes = [{"name": "s", "metric": "china_share_mining", "region": "outside_china"}]
    path = folder / "spec.toml"
    path.write_text(dumps(spec(outcomes)), encoding="utf-8")
    with pytest.raises(ScenarioError, match="world figure"):
        load_spec(path)
