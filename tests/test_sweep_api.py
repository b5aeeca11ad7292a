"""The plain Python API: ``simulate`` and ``load_spec``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _toml_text import dumps

from marketsim.scenario.loading import ScenarioError
from marketsim.sweep import Outcome, load_spec, simulate
from marketsim.sweep.outcomes import reduce

OUTCOMES = [
    {"name": "japan_ndpr_peak", "metric": "price", "good": "ndpr", "region": "japan", "reduce": "max"},
    {"name": "china_ndpr_mean", "metric": "price", "good": "ndpr", "region": "china", "reduce": "mean"},
    {"name": "japan_unmet", "metric": "unmet_demand", "good": "magnet", "region": "japan", "reduce": "final"},
    {
        "name": "months_to_100",
        "metric": "price",
        "good": "ndpr",
        "region": "japan",
        "reduce": "time_to_threshold",
        "threshold": 100.0,
    },
]
TIGHT = {"mines.0.capacity": 1000.0, "sectors.ev.elasticity_short": -0.2}


def test_simulate_returns_every_outcome(small_world):
    result = simulate(small_world, TIGHT, seed=1, outcomes=OUTCOMES, years=1)
    assert set(result) == {"outcomes", "censored"}
    assert result["censored"] == {o["name"]: False for o in OUTCOMES}
    values = result["outcomes"]
    assert list(values) == [o["name"] for o in OUTCOMES]
    assert all(isinstance(v, float) for v in values.values())
    assert values["japan_ndpr_peak"] >= values["china_ndpr_mean"] > 0
    assert 0 <= values["months_to_100"] < 12


def test_simulate_same_seed_same_outcomes(small_world):
    first = simulate(small_world, TIGHT, seed=3, outcomes=OUTCOMES, years=1)
    again = simulate(small_world, TIGHT, seed=3, outcomes=[Outcome(**o) for o in OUTCOMES], years=1)
    from_json = simulate(small_world.model_dump_json(), TIGHT, seed=3, outcomes=OUTCOMES, years=1)
    assert again == first
    assert from_json == first


def test_simulate_parameters_change_outcomes(small_world):
    tight = simulate(small_world, TIGHT, seed=3, outcomes=OUTCOMES, years=1)["outcomes"]
    loose = simulate(small_world, {}, seed=3, outcomes=OUTCOMES, years=1)["outcomes"]
    assert tight["japan_ndpr_peak"] > loose["japan_ndpr_peak"]
    assert math.isnan(loose["months_to_100"])  # never reached


@pytest.mark.parametrize("years", [1, 2])
def test_simulate_timeseries_one_series_per_outcome_of_length_months(small_world, years):
    result = simulate(small_world, TIGHT, seed=2, outcomes=OUTCOMES, years=years, timeseries=True)
    assert set(result) == {"outcomes", "censored", "series"}
    assert list(result["series"]) == list(result["outcomes"])
    for outcome in OUTCOMES:
        values = result["series"][outcome["name"]]
        assert isinstance(values, list) and len(values) == 12 * years, outcome["name"]
        assert reduce(np.asarray(values, dtype=float), Outcome(**outcome)) == pytest.approx(
            result["outcomes"][outcome["name"]], nan_ok=True
        )
    plain = simulate(small_world, TIGHT, seed=2, outcomes=OUTCOMES, years=years)
    assert plain["outcomes"] == pytest.approx(result["outcomes"], nan_ok=True)


def test_simulate_uses_the_scenario_length_when_years_is_none(small_data):
    from marketsim.scenario.loading import validate_scenario  # noqa: PLC0415

    small_data["scenario"]["years"] = 1
    world = validate_scenario(small_data)
    result = simulate(world, {}, seed=1, outcomes=OUTCOMES[:1], timeseries=True)
    assert len(result["series"]["japan_ndpr_peak"]) == 12


def test_simulate_rejects_unknown_paths_and_invalid_values(small_world):
    with pytest.raises(ScenarioError, match="no_such_thing"):
        simulate(small_world, {"market.no_such_thing": 1.0}, seed=1, outcomes=OUTCOMES, years=1)
    with pytest.raises(ScenarioError, match="capacity"):
        simulate(small_world, {"mines.0.capacity": -1.0}, seed=1, outcomes=OUTCOMES, years=1)


def test_simulate_accepts_numpy_values(small_world):
    numpy = {"mines.0.capacity": np.float64(1000.0), "sectors.ev.elasticity_short": np.float32(-0.2)}
    result = simulate(small_world, numpy, seed=1, outcomes=OUTCOMES[:1], years=1)
    assert result["outcomes"]["japan_ndpr_peak"] > 0


def test_load_spec_adds_events_and_checks_paths(tmp_path, small_data):
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "small.toml").write_text(dumps(small_data), encoding="utf-8")
    spec = {
        "sweep": {"name": "events", "scenario": "world/small.toml", "years": 1},
        "events": [
            {
                "type": "export_quota",
                "start": "2024-06",
                "region": "china",
                "tonnes_per_year": 20000.0,
                "goods": ["ndpr"],
            }
        ],
        "parameters": {"events.0.tonnes_per_year": {"range": [1000.0, 30000.0]}},
        "outcomes": OUTCOMES,
    }
    path = tmp_path / "spec.toml"
    path.write_text(dumps(spec), encoding="utf-8")
    loaded, base = load_spec(path)
    assert loaded.sweep.name == "events"
    assert len(base.events) == 1
    low = simulate(base, {"events.0.tonnes_per_year": 1000.0}, seed=1, outcomes=OUTCOMES, years=1)
    high = simulate(base, {"events.0.tonnes_per_year": 30000.0}, seed=1, outcomes=OUTCOMES, years=1)
    assert low["outcomes"] != high["outcomes"]
