"""`marketsim calibrate`'s --transition (pyabc's kernel) and --only (a subset of the target file's parameters)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_calibration_pipeline import TINY, _cli, _report_only, _write

from marketsim.calibration import abc as calibration
from marketsim.calibration.simulate import run_statistics

SETTINGS = {"population": 6, "generations": 2, "root_seed": 11}


def _calibrate(folder, name, **options):
    paths = calibration.run_calibration(_write(folder, TINY), folder / name, **(SETTINGS | options))
    return pd.read_parquet(paths["accepted.parquet"]), paths


def _manifest(paths):
    return json.loads(paths["manifest.json"].read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("options")
    return {
        "mvn": _calibrate(folder, "mvn"),
        "local": _calibrate(folder, "local", transition_name="local"),
        "only": _calibrate(folder, "only", transition_name="local", only=["market.price_speed"]),
    }


def test_each_transition_runs_and_is_recorded(runs):
    for name in ("mvn", "local"):
        accepted, paths = runs[name]
        assert sorted(accepted["generation"].unique()) == [0, 1]
        assert np.allclose(accepted.groupby("generation")["weight"].sum(), 1.0)
        assert _manifest(paths)["transition"] == name
        assert f"Transition: `{name}`" in paths["report.md"].read_text()
    mvn, local = runs["mvn"][0], runs["local"][0]
    first = mvn["generation"] == 0  # drawn from the prior: the kernel plays no part yet
    pd.testing.assert_frame_equal(mvn[first], local[local["generation"] == 0])
    assert not np.allclose(mvn[~first]["market.price_speed"], local[local["generation"] == 1]["market.price_speed"])


def test_local_transition_same_seed_same_population(tmp_path, runs):
    again, _ = _calibrate(tmp_path, "again", transition_name="local")
    pd.testing.assert_frame_equal(again, runs["local"][0])


@pytest.mark.filterwarnings("ignore:Port .* is already in use")  # another cluster's HTTP port on this machine
def test_local_transition_on_a_dask_cluster_gives_the_same_population(tmp_path, runs, dask_scheduler):
    on_dask, _ = _calibrate(tmp_path, "dask", transition_name="local", scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(on_dask, runs["local"][0])


def test_only_fits_the_subset_and_records_the_rest(runs):
    accepted, paths = runs["only"]
    assert "market.price_speed" in accepted and "sectors.magnets.hoarding" not in accepted
    assert list(pd.read_csv(paths["posterior.csv"])["parameter"]) == ["market.price_speed"]
    facts = _manifest(paths)
    assert facts["fixed_at_scenario_values"] == ["sectors.magnets.hoarding"]
    assert set(facts["posterior_check"]["values"]) == {"market.price_speed"}
    assert "`sectors.magnets.hoarding`" in paths["report.md"].read_text()
    assert _manifest(runs["local"][1])["fixed_at_scenario_values"] == []


def test_a_particle_of_a_subset_runs_the_others_at_the_scenarios_values(tmp_path):
    problem = calibration.prepare(_write(tmp_path, TINY), ["market.price_speed"])
    spec, scenario = problem.spec, problem.scenario
    model = calibration.ParticleModel(scenario, dict(spec.parameters), tuple(spec.targets), 1, 1)
    np.random.seed(5)  # noqa: NPY002 (the particle draws its model seed from the global generator, as in a task)
    particle = model({"market__price_speed": 0.3})
    np.random.seed(5)  # noqa: NPY002
    seed = int(np.random.randint(0, calibration.SEED_LIMIT - 1))  # noqa: NPY002
    hoarding = scenario.sectors["magnets"].hoarding
    kept = run_statistics(scenario, {"market.price_speed": 0.3}, [seed], 1, spec.targets)
    assert particle == kept
    explicit = {"market.price_speed": 0.3, "sectors.magnets.hoarding": hoarding}
    assert run_statistics(scenario, explicit, [seed], 1, spec.targets) == particle
    midpoint = {"market.price_speed": 0.3, "sectors.magnets.hoarding": 1.0}  # the prior's middle, 0.1-10
    assert hoarding != 1.0 and run_statistics(scenario, midpoint, [seed], 1, spec.targets) != particle


def test_report_only_reads_the_transition_and_subset_from_the_history(tmp_path, runs):
    accepted, paths = runs["only"]
    folder, result = _report_only(tmp_path, paths)
    assert result.exit_code == 0, result.output
    facts = json.loads((folder / "manifest.json").read_text())
    assert facts["transition"] == "local" and facts["fixed_at_scenario_values"] == ["sectors.magnets.hoarding"]
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "accepted.parquet"), accepted)
    targets = tmp_path / "targets.toml"  # written by _report_only
    result = _cli([targets, "--out", folder, "--generations", 2, "--report-only", "--transition", "mvn"])
    assert result.exit_code == 2 and "it ran with --transition local, not mvn" in result.output


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--transition", "gaussian"], "--transition 'gaussian' is unknown; use one of: mvn, local."),
        (["--only", "market.price_sped"], "--only 'market.price_sped' is not one of its parameters"),
        (["--only", "market.price_speed", "--only", "market.scarcity_decay"], "'market.scarcity_decay' is not one"),
    ],
)
def test_bad_transition_or_subset_is_refused_in_one_sentence(tmp_path, options, expected):
    result = _cli([_write(tmp_path, TINY), "--out", tmp_path / "out", "--population", 4, *options])
    assert result.exit_code == 2, result.output
    assert expected in result.output.replace("\n", "") and "Traceback" not in result.output
    assert not (tmp_path / "out" / "abc.db").exists()
