"""Non-uniform (log-uniform, normal within bounds) and categorical parameters in every design."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from marketsim.sweep.design import design_points, unit_design
from marketsim.sweep.distributions import from_unit, to_unit
from marketsim.sweep.spec import Parameter, SweepSpec

OUTCOMES = [{"name": "ndpr", "metric": "price", "good": "ndpr"}]
LOG = {"range": [10.0, 10000.0], "distribution": "log-uniform"}
NORMAL = {"range": [0.0, 1.0], "distribution": "normal", "mean": 0.3, "sd": 0.1}


def make_spec(design: str, parameters: dict, **sweep) -> SweepSpec:
    info = {"name": "t", "scenario": "small.toml", "design": design, **sweep}
    return SweepSpec.model_validate({"sweep": info, "parameters": parameters, "outcomes": OUTCOMES})


def test_log_uniform_lhs_puts_as_many_points_in_every_decade():
    spec = make_spec("lhs", {"mines.0.capacity": LOG}, samples=30)
    values = design_points(spec)["mines.0.capacity"].to_numpy()
    assert ((values >= 10.0) & (values <= 10000.0)).all()
    counts = np.histogram(np.log10(values), bins=[1, 2, 3, 4])[0]
    assert counts.tolist() == [10, 10, 10]


def test_normal_lhs_stays_in_bounds_and_centres_on_the_mean():
    spec = make_spec("lhs", {"market.price_speed": NORMAL}, samples=200)
    values = design_points(spec)["market.price_speed"].to_numpy()
    assert ((values >= 0.0) & (values <= 1.0)).all()
    assert values.mean() == pytest.approx(0.3, abs=0.01)
    assert values.std() == pytest.approx(0.1, rel=0.1)


def test_categorical_lhs_takes_each_value_equally_often():
    spec = make_spec("lhs", {"scenario.name": {"values": ["a", "b", "c"]}, "market.price_speed": NORMAL}, samples=12)
    names = design_points(spec)["scenario.name"].tolist()
    assert sorted(names) == ["a"] * 4 + ["b"] * 4 + ["c"] * 4


def test_grid_of_log_uniform_is_evenly_spaced_in_the_logarithm():
    spec = make_spec("grid", {"mines.0.capacity": LOG}, levels=4)
    assert design_points(spec)["mines.0.capacity"].tolist() == pytest.approx([10.0, 100.0, 1000.0, 10000.0])


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_sobol_and_morris_map_the_unit_cube_through_the_inverse_cdf(design):
    spec = make_spec(design, {"mines.0.capacity": LOG, "market.price_speed": NORMAL, "x.y": {"range": [2.0, 3.0]}})
    design_frame = design_points(spec)
    values = design_frame["mines.0.capacity"].to_numpy()
    assert ((values >= 10.0) & (values <= 10000.0)).all()
    unit = unit_design(spec, design_frame)
    assert ((unit[:, :2] >= -1e-9) & (unit[:, :2] <= 1 + 1e-9)).all()
    assert np.allclose(unit[:, 2], design_frame["x.y"].to_numpy())  # a uniform parameter stays on its own scale
    if design == "morris":  # Morris steps land on the levels of the unit grid
        levels = unit[:, :2] * (spec.sweep.levels - 1)
        assert np.allclose(levels, np.round(levels), atol=1e-6)


@pytest.mark.parametrize("shape", [LOG, NORMAL, {"range": [-3.0, 5.0]}])
def test_cdf_inverts_the_inverse_cdf(shape):
    parameter = Parameter.model_validate(shape)
    unit = np.linspace(0.01, 0.99, 17)
    assert to_unit(parameter, from_unit(parameter, unit)) == pytest.approx(unit, abs=1e-9)


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_categorical_parameters_are_refused_by_sobol_and_morris_in_one_sentence(design):
    with pytest.raises(ValidationError, match=r"categorical .* use design = 'grid' or 'lhs'"):
        make_spec(design, {"scenario.name": {"values": ["a", "b"]}, "market.price_speed": NORMAL})


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"range": [0.0, 1.0], "distribution": "normal"}, "needs mean and sd"),
        ({"range": [0.0, 1.0], "distribution": "log-uniform"}, "range above zero"),
        ({"range": [0.0, 1.0], "mean": 0.5}, "only for distribution = 'normal'"),
        ({"values": [1, 2], "distribution": "uniform"}, "categorical"),
        ({"range": [0.0, 1.0], "distribution": "normal", "mean": 0.5, "sd": 0.0}, "greater than 0"),
    ],
)
def test_bad_distributions_are_refused(parameter, message):
    with pytest.raises(ValidationError, match=message):
        Parameter.model_validate(parameter)
