"""Magnet makers switch to lower-Dy grades over months, not at once (docs/model.md 7.37)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from marketsim.calibration.statistics import TidyTable, statistics
from marketsim.calibration.targets import load_targets
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import apply_overrides, load_scenario
from marketsim.vocabulary import DYTB

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "configs" / "targets" / "history_2010.toml"


def scenario(name: str, *settings: str):
    return apply_overrides(load_scenario(ROOT / "configs" / f"{name}.toml"), list(settings), "test")


def intensity_path(months: float, multiple: float = 10.0, steps: int = 24) -> np.ndarray:
    """Each month's Dy/Tb per tonne of magnet, as a share of the base recipe, while Dy/Tb costs
    ``multiple`` times its reference price."""
    model = RareEarthModel(scenario("baseline_2024", f"behaviour.dytb_backstop_months={months}"), seed=1, years=1)
    plants, reference = model.world.magnet_plants, model.world.reference[DYTB]
    price = np.full(len(plants.thrifted), multiple * reference)
    path = []
    for _ in range(steps):
        plants.thrift(price, reference)
        path.append(float((plants.dytb_per_tonne / plants.base_dytb_per_tonne).mean()))
    return np.array(path)


def test_without_a_lag_the_backstop_cuts_dy_at_once():
    path = intensity_path(0.0)
    backstop = 3.0 / 10.0  # the default backstop over the price multiple
    assert path[0] < 1.05 * backstop


def test_a_lag_spreads_the_cut_and_reaches_the_same_level():
    fast, slow = intensity_path(2.0), intensity_path(12.0)
    at_once = intensity_path(0.0)
    assert fast[0] > at_once[0] + 0.2 and slow[0] > fast[0]
    assert np.all(np.diff(slow) < 0.0)  # a steady fall toward the cut, not a jump
    assert abs(fast[-1] - at_once[-1]) < 0.02  # the same end point once the lag has passed


def test_the_cut_is_undone_when_dy_is_cheap_again():
    model = RareEarthModel(scenario("baseline_2024", "behaviour.dytb_backstop_months=6"), seed=1, years=1)
    plants, reference = model.world.magnet_plants, model.world.reference[DYTB]
    for multiple in [10.0] * 12 + [1.0] * 36:
        plants.thrift(np.full(len(plants.thrifted), multiple * reference), reference)
    assert np.allclose(plants.backstop_share, 1.0, atol=0.01)


def dytb_after_the_peak(hand_set: list[str], months: float) -> tuple[float, float]:
    """history_2009, seed 1: Dy/Tb outside China in Dec 2011 as a share of its peak, and in Dec 2012 (US$/kg)."""
    spec = load_targets(TARGETS)
    run = scenario("history_2009", *hand_set, f"behaviour.dytb_backstop_months={months}")
    model = RareEarthModel(run, seed=1, years=4)
    model.run()
    wanted = [t for t in spec.targets if t.id in ("K4-dytb-fall", "K5-dytb-level")]
    values = statistics(TidyTable(model.results(), {"price"}), wanted)
    return values["K4-dytb-fall"], values["K5-dytb-level"]


def test_a_gradual_grade_switch_keeps_dy_dear_after_the_2011_peak(history_2009_hand_set):
    # REF §10 K4-K5: Dy at about 0.6 of its peak in Dec 2011 and 600-630 US$/kg in Dec 2012. Cut at
    # once, Japan's magnet makers drop Dy/Tb with the July 2010 quota cut and the price falls away.
    at_once = dytb_after_the_peak(history_2009_hand_set, 0.0)
    gradual = dytb_after_the_peak(history_2009_hand_set, 2.0)
    assert gradual[0] > at_once[0] + 0.15
    assert gradual[1] > 1.3 * at_once[1]
