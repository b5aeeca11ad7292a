"""A design point's values set quickly on the validated base give the scenario ``--set`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketsim.scenario.loading import ScenarioError, apply_overrides
from marketsim.sweep import load_spec
from marketsim.sweep.overrides import apply_values, override_items

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quota_base():
    return load_spec(ROOT / "configs" / "sweeps" / "quota_stockpile.toml")[1]


@pytest.mark.parametrize(
    "values",
    [
        {"sectors.ev.elasticity_short": -0.2, "market.price_sensitivity": 1.0},
        {"mines.0.capacity": 5000.0, "mines.1.capacity": 7000},
        {"events.0.tonnes_per_year": 5000.0, "events.1.tonnes": -2000.0},
        {"scenario.years": 3},
        {"separation_recovery": 0.9},
        {"sectors.ev.split.china": 0.6, "sectors.ev.split.japan": 0.12},
        {"events.0.goods": ["ndpr"]},
        {"mines.0.name": "Renamed"},
    ],
)
def test_quick_route_equals_the_full_validation(quota_base, values):
    quick = apply_values(quota_base, values)
    full = apply_overrides(quota_base, override_items(values), "sweep point")
    assert quick.model_dump_json() == full.model_dump_json()
    assert quick.model_dump_json() != quota_base.model_dump_json()


@pytest.mark.parametrize(
    "values",
    [
        {"market.price_speed": 3.0},
        {"events.0.tonnes_per_year": float("inf")},
        {"mines.0.capacity": -5.0},
        {"mines.0.capacity": 1e308},
        {"market.nope": 1.0},
        {"mines.99.capacity": 1.0},
        {"mines.0.region": "atlantis"},
        {"events.0.start": "2099-01"},
        {"scenario.years": 0},
        {"sectors.ev.split.china": 0.9},
    ],
)
def test_bad_values_are_refused_with_the_same_message(quota_base, values):
    with pytest.raises(ScenarioError) as full:
        apply_overrides(quota_base, override_items(values), "sweep point")
    with pytest.raises(ScenarioError) as quick:
        apply_values(quota_base, values)
    assert str(quick.value) == str(full.value)
