"""The EMA Workbench adapter runs marketsim experiments and feeds PRIM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ema_workbench = pytest.importorskip("ema_workbench")

from ema_workbench import SequentialEvaluator  # noqa: E402

from marketsim.scenario.loading import ScenarioError  # noqa: E402
from marketsim.sweep import simulate  # noqa: E402
from marketsim.sweep.ema import ema_model, ema_name  # noqa: E402

PARAMETERS = {"market.price_speed": {"range": [0.1, 0.5]}, "sectors.ev.elasticity_short": {"range": [-0.3, -0.02]}}
OUTCOMES = [
    {"name": "ndpr_peak", "metric": "price", "good": "ndpr", "reduce": "max"},
    {"name": "ndpr_outside", "metric": "price", "good": "ndpr", "region": "outside_china", "reduce": "final"},
]


def test_a_tiny_experiment_set_runs_with_the_sequential_evaluator(small_world):
    model = ema_model(small_world, PARAMETERS, OUTCOMES, years=1, seed=3)
    assert [u.name for u in model.uncertainties] == ["market__price_speed", "sectors__ev__elasticity_short"]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=4)
    assert len(experiments) == 4
    assert set(outcomes) == {"ndpr_peak", "ndpr_outside"}
    assert np.isfinite(outcomes["ndpr_peak"]).all()
    first = experiments.iloc[0]
    values = {name: first[ema_name(name)] for name in PARAMETERS}
    direct = simulate(small_world, values, seed=3, outcomes=OUTCOMES, years=1)["outcomes"]
    assert outcomes["ndpr_peak"][0] == pytest.approx(direct["ndpr_peak"])


def test_replications_average_over_seeds_and_levers_are_levers(small_world):
    levers = {"scenario.name": {"values": ["a", "b"]}}
    model = ema_model(small_world, PARAMETERS, OUTCOMES[:1], levers=levers, years=1, replications=2, seed=10)
    assert [lever.name for lever in model.levers] == ["scenario__name"]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=1)
    first = experiments.iloc[0]
    values = {name: first[ema_name(name)] for name in PARAMETERS}
    runs = [
        simulate(small_world, values, seed=s, outcomes=OUTCOMES[:1], years=1)["outcomes"]["ndpr_peak"] for s in (10, 11)
    ]
    assert outcomes["ndpr_peak"][0] == pytest.approx(np.mean(runs))


def test_non_uniform_distributions_are_refused_in_one_sentence(small_world):
    normal = {"range": [0.1, 0.5], "distribution": "normal", "mean": 0.2, "sd": 0.1}
    with pytest.raises(ScenarioError, match="uniform range"):
        ema_model(small_world, {"market.price_speed": normal}, OUTCOMES)


def test_a_scenario_file_path_is_accepted():
    path = Path(__file__).resolve().parents[1] / "configs" / "baseline_2024.toml"
    model = ema_model(path, PARAMETERS, OUTCOMES[:1], years=1)
    assert [o.name for o in model.outcomes] == ["ndpr_peak"]
