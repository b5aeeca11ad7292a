"""The ``[behaviour]`` section (issue 15): every behavioural constant is a scenario parameter that
moves the model, is refused when non-finite or out of range, and can be named in a sweep."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from annotated_types import Ge, Gt, Le, Lt

from marketsim.model import RareEarthModel
from marketsim.scenario.behaviour import BehaviourParams
from marketsim.scenario.loading import ScenarioError, apply_overrides, load_scenario
from marketsim.sweep import load_spec
from marketsim.vocabulary import DYTB

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"

# A value other than the default for every parameter, and a run in which that parameter binds:
# (value, scenario, years, other settings). Some bind only in some worlds: the Dy-free share and
# the scarcity ceiling where export controls cut buyers off, the sales trend where producers hold
# unsold stock, the price memory only without stockholders' expectations.
CHANGES: dict[str, tuple[float, str, int, tuple[str, ...]]] = {
    "hoarding_cap_months": (3.0, "escalation", 3, ()),
    "substitution_elasticity": (1.0, "escalation", 3, ()),
    "restock_months": (1.5, "escalation", 3, ()),
    "feed_cover_months": (0.75, "escalation", 3, ()),
    "price_memory_months": (8, "baseline_2024", 3, ("dynamics.stockholders.enabled=false",)),
    "dy_free_share": (0.45, "escalation", 5, ()),  # since 7.33 Dy/Tb runs short for plants only after year 3
    "thrift_elasticity": (-0.2, "escalation", 3, ()),
    "thrift_months": (30.0, "escalation", 3, ()),
    "dytb_backstop": (1.5, "escalation", 3, ()),
    "dytb_backstop_months": (12.0, "history_2009", 3, ("behaviour.dytb_backstop_months=0",)),
    "orders_memory": (0.45, "escalation", 3, ()),
    "sales_trend_months": (60.0, "history_2020", 10, ()),
    "utilisation_band": (2.0, "recycling_push", 3, ()),
    "mine_cost_spread": (0.3, "escalation", 3, ()),
    "operating_months": (30.0, "recycling_push", 3, ()),
    "mine_operating_months": (3.0, "escalation", 3, ()),
    "margin_months": (12.0, "escalation", 3, ()),
    "clearing_rounds": (6, "escalation", 3, ()),
    "restricted_share": (0.2, "escalation", 5, ("events.1.approval_rate=0.9",)),  # 10 % refused: cut off only below 0.1
    "min_relative_cover": (0.375, "escalation", 3, ()),
    "max_relative_cover": (2.0, "escalation", 3, ()),
    "max_scarcity": (0.05, "escalation", 6, ()),
    "concentrate_min_payable": (0.5, "escalation", 3, ()),
    "ceiling_fall_per_month": (10.0, "baseline_2024", 3, ()),
    "magnet_min_markup": (0.9, "escalation", 3, ()),
    "trend_months": (6, "escalation", 3, ()),
}


def scenario(name: str, *settings: str):
    base = load_scenario(CONFIGS / f"{name}.toml")
    return apply_overrides(base, list(settings), "test") if settings else base


def digest(model_scenario, years: int) -> str:
    model = RareEarthModel(model_scenario, seed=1, years=years)
    model.run()
    result = hashlib.sha256()
    for name in sorted(model.recorder.raw):
        result.update(name.encode())
        result.update(np.ascontiguousarray(model.recorder.raw[name]).tobytes())
    return result.hexdigest()


@cache
def default_digest(name: str, years: int, settings: tuple[str, ...]) -> str:
    return digest(scenario(name, *settings), years)


def test_every_parameter_has_a_change_to_try():
    assert set(CHANGES) == set(BehaviourParams.model_fields)


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_every_parameter_moves_the_model(field):
    value, name, years, settings = CHANGES[field]
    assert value != BehaviourParams.model_fields[field].default
    changed = scenario(name, *settings, f"behaviour.{field}={value}")
    assert getattr(changed.behaviour, field) == value
    assert digest(changed, years) != default_digest(name, years, settings)


def test_writing_the_defaults_out_changes_nothing():
    defaults = BehaviourParams().model_dump()
    written = scenario("escalation", *(f"behaviour.{key}={value}" for key, value in defaults.items()))
    assert digest(written, 2) == default_digest("escalation", 2, ())


def thrift_after_a_year(months: float) -> float:
    """Dy/Tb per tonne of magnet after a year of Dy/Tb at twice its reference price, as a share of
    the starting intensity."""
    model = RareEarthModel(scenario("baseline_2024", f"behaviour.thrift_months={months}"), seed=1, years=1)
    plants, reference = model.world.magnet_plants, model.world.reference
    start = plants.thrifted.copy()
    for _ in range(12):
        plants.thrift(np.full(len(start), 2.0 * reference[DYTB]), reference[DYTB])
    return float((plants.thrifted / start).mean())


def test_a_shorter_thrift_time_makes_thrift_respond_faster():
    fast, default, slow = thrift_after_a_year(12.0), thrift_after_a_year(60.0), thrift_after_a_year(240.0)
    assert fast < default < slow < 1.0
    # The long-run target at twice the reference price is 2 ** thrift_elasticity (0.76 by default).
    assert fast > 2.0**-0.4


def test_the_hoarding_cap_limits_speculative_stock():
    def target_over_need(cap: float) -> np.ndarray:
        model = RareEarthModel(scenario("baseline_2024", f"behaviour.hoarding_cap_months={cap}"), seed=1, years=1)
        buyers = model.world.manufacturers
        soaring = np.full(buyers.shape, 10.0)
        return buyers.target_stock(soaring) / np.maximum(buyers.total(buyers.need), 1e-12)

    months = RareEarthModel(scenario("baseline_2024"), seed=1, years=1).world.manufacturers.inventory_months
    low, high = target_over_need(1.0), target_over_need(12.0)
    assert np.all(low <= months.max() + 1.0 + 1e-9)
    assert np.all(low <= high) and np.any(low < high)


BAD_VALUES = [
    ("thrift_months", "nan", "finite"),
    ("thrift_months", "inf", "finite"),
    ("hoarding_cap_months", "-inf", "finite"),
    ("thrift_months", "0.5", "greater than or equal to 1"),
    ("hoarding_cap_months", "-1", "greater than or equal to 0"),
    ("dy_free_share", "1.5", "less than or equal to 1"),
    ("thrift_elasticity", "0.3", "less than or equal to 0"),
    ("clearing_rounds", "0", "greater than or equal to 1"),
    ("clearing_rounds", "2.5", "integer"),
    ("min_relative_cover", "1.0", "less than 1"),
    ("max_relative_cover", "1.0", "greater than 1"),
    ("orders_memory", "0", "greater than 0"),
    ("restricted_share", "1e308", "less than 1"),
]


@pytest.mark.parametrize(("field", "value", "reason"), BAD_VALUES)
def test_bad_values_are_refused_in_one_sentence(field, value, reason):
    with pytest.raises(ScenarioError) as error:
        scenario("baseline_2024", f"behaviour.{field}={value}")
    message = str(error.value)
    assert message.count("\n") == 0
    assert f"behaviour.{field}" in message and reason in message


def upper_bound(field: str) -> float:
    for rule in BehaviourParams.model_fields[field].metadata:
        if isinstance(rule, Le | Lt):
            return rule.le if isinstance(rule, Le) else rule.lt
    raise AssertionError(f"{field} has no upper bound")


def lower_bound(field: str) -> float:
    for rule in BehaviourParams.model_fields[field].metadata:
        if isinstance(rule, Ge | Gt):
            return rule.ge if isinstance(rule, Ge) else rule.gt
    raise AssertionError(f"{field} has no lower bound")


@pytest.mark.parametrize("field", sorted(BehaviourParams.model_fields))
def test_every_parameter_is_bounded_and_documented(field):
    info = BehaviourParams.model_fields[field]
    assert info.description and ("ASSUMPTION" in info.description or "REF" in info.description)
    low, high = lower_bound(field), upper_bound(field)
    assert math.isfinite(low) and math.isfinite(high) and low <= info.default <= high
    for outside in (high + abs(high) + 1, low - abs(low) - 1, float("nan")):
        with pytest.raises(ValueError, match=field):
            BehaviourParams(**{field: outside})


def sweep_file(tmp_path: Path, parameter: str, choice: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(
        f"""[sweep]
name = "behaviour"
scenario = "{(CONFIGS / "baseline_2024.toml").as_posix()}"
years = 1
samples = 4

[parameters."{parameter}"]
{choice}

[[outcomes]]
name = "ndpr_price"
metric = "price"
good = "ndpr"
region = "china"
reduce = "mean"
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_a_sweep_can_name_every_parameter(tmp_path, field):
    low, high = lower_bound(field), upper_bound(field)
    default = BehaviourParams.model_fields[field].default
    if isinstance(default, int):  # whole numbers are swept as a list of values
        choice = f"values = [{default}, {default + 1}]"
    else:
        choice = f"range = [{(low + default) / 2 if low < default else default}, {(high + default) / 2}]"
    spec, _ = load_spec(sweep_file(tmp_path, f"behaviour.{field}", choice))
    assert f"behaviour.{field}" in spec.parameters


@pytest.mark.parametrize("bounds", ["[24.0, 1000.0]", "[0.0, 96.0]"])
def test_a_sweep_range_outside_the_valid_values_is_refused(tmp_path, bounds):
    with pytest.raises(ScenarioError, match=r"parameters\.behaviour\.thrift_months: the range"):
        load_spec(sweep_file(tmp_path, "behaviour.thrift_months", f"range = {bounds}"))


def marketsim(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    command = [sys.executable, "-m", "marketsim.cli", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_sets_a_parameter_and_refuses_a_bad_one(tmp_path):
    config = str(CONFIGS / "baseline_2024.toml")
    good = marketsim(
        "run", config, "--years", "1", "--quiet", "--out", str(tmp_path / "ok"), "--set", "behaviour.thrift_months=30"
    )
    assert good.returncode == 0, good.stderr
    bad = marketsim(
        "run", config, "--years", "1", "--quiet", "--out", str(tmp_path / "bad"), "--set", "behaviour.thrift_months=nan"
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "behaviour.thrift_months" in bad.stderr and "finite" in bad.stderr
    assert not (tmp_path / "bad").exists()
