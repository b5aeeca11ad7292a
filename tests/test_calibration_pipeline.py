"""Calibration as a feature: target files, summary statistics, and a reproducible ABC-SMC run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import CONFIGS
from typer.testing import CliRunner

from marketsim.calibration import abc as calibration
from marketsim.calibration.cli import app
from marketsim.calibration.statistics import month_label, statistics
from marketsim.calibration.targets import (
    MISSING_PENALTY,
    Target,
    TargetsError,
    distance,
    load_targets,
    normalised_error,
    pattern_results,
)
from marketsim.scenario.loading import apply_overrides, load_scenario

SHIPPED_TARGETS = CONFIGS / "targets" / "history_2010.toml"

TINY = f"""
[run]
scenario = "{(CONFIGS / "history_2009.toml").as_posix()}"
years = 1
seeds_per_particle = 1

[parameters]
"market.price_speed" = {{ prior = "uniform", low = 0.05, high = 0.5 }}
"sectors.magnets.hoarding" = {{ prior = "log-uniform", low = 0.1, high = 10.0 }}

[[targets]]
id = "level"
pattern = "K1"
description = "NdPr outside China, 2009 mean"
statistic = "mean"
series = {{ metric = "price", goods = ["ndpr"], regions = ["usa", "eu"] }}
window = ["2009-01", "2009-12"]
target = [15.0, 20.0]
scale = "log"
tolerance = 0.3
source = "REFERENCE §10 K1"

[[targets]]
id = "rise"
pattern = "K2"
description = "NdPr peak in late 2009 over its early-2009 mean"
statistic = "peak_ratio"
series = {{ metric = "price", goods = ["ndpr"], regions = ["usa", "eu"] }}
window = ["2009-07", "2009-12"]
base_window = ["2009-01", "2009-06"]
target = [1.5, 2.0]
scale = "log"
tolerance = 0.7
source = "a made-up pattern for a quick test"
"""


def _write(folder, text, name="targets.toml"):
    path = folder / name
    path.write_text(text)
    return path


def _report_only(tmp_path, paths, *options):
    """A fresh folder holding only a finished run's saved history (abc.db), and ``--report-only`` run on it
    with the tiny target file and ``options``: the folder and the CLI's result."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "abc.db").write_bytes((paths["accepted.parquet"].parent / "abc.db").read_bytes())
    targets = _write(tmp_path, TINY)
    return folder, _cli([targets, "--out", folder, "--seed", 11, "--generations", 2, "--report-only", *options])


# ------------------------------------------------------------------ the target file


def test_shipped_target_file_covers_k1_to_k9_with_sources():
    spec = load_targets(SHIPPED_TARGETS)
    assert {target.pattern for target in spec.targets} == {f"K{n}" for n in range(1, 10)}
    assert all("REFERENCE §10" in target.source for target in spec.targets)
    assert spec.run.scenario.endswith("history_2009.toml")


def test_shipped_parameters_are_eight_or_more_settable_scenario_paths():
    spec = load_targets(SHIPPED_TARGETS)
    scenario = load_scenario(CONFIGS / "history_2009.toml")
    assert len(spec.parameters) >= 8
    for path, prior in spec.parameters.items():
        for value in (prior.low, prior.high):
            apply_overrides(scenario, [f"{path}={value!r}"], "test")  # raises if the path or value is wrong


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda text: text + "\n[[targets\n", "not valid TOML"),
        (lambda text: text.replace("tolerance = 0.3", "tolerance = 0.3\ncolour = 1"), "unknown key"),
        (lambda text: text.replace("low = 0.05, high = 0.5", "low = 0.5, high = 0.05"), "must be below high"),
        (lambda text: text.replace("low = 0.05, high = 0.5", "low = 0.05, high = inf"), "finite"),
        (lambda text: text.replace("low = 0.1, high = 10.0", "low = 0.0, high = 10.0"), "log-uniform prior needs low"),
        (lambda text: text.replace('id = "rise"', 'id = "level"'), "target ids must be unique"),
        (lambda text: text.replace('base_window = ["2009-01", "2009-06"]', ""), "needs base_window"),
        (lambda text: text.replace('window = ["2009-01", "2009-12"]', 'window = ["2009-12", "2009-01"]'), "after"),
        (lambda text: text.replace('"2009-07"', '"2009-13"'), "string should match pattern"),
        (lambda text: text.replace("years = 1", ""), "run.years: is missing"),
    ],
)
def test_bad_target_files_are_one_sentence(tmp_path, spoil, expected):
    path = _write(tmp_path, spoil(TINY))
    with pytest.raises(TargetsError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert expected.lower() in message.lower()
    assert "\n" not in message and str(path) in message and "Traceback" not in message


def test_missing_target_file_is_one_sentence(tmp_path):
    with pytest.raises(TargetsError, match="no such target file"):
        load_targets(tmp_path / "nope.toml")


# ------------------------------------------------------------------ statistics on a synthetic run


def _tidy(columns: dict[tuple[str, str, str], np.ndarray], first_month: int = 2009 * 12) -> pd.DataFrame:
    rows = []
    for (metric, good, region), values in columns.items():
        for tick, value in enumerate(values):
            rows.append((tick, month_label(first_month + tick), metric, good, region, float(value), "x"))
    table = pd.DataFrame(rows, columns=["tick", "date", "metric", "good", "region", "value", "unit"])
    for column in ("date", "metric", "good", "region", "unit"):
        table[column] = table[column].astype("category")
    return table


def _synthetic_run():
    months = 48  # 2009-01 .. 2012-12
    outside = np.full(months, 20.0)
    outside[19] = 340.0  # a single peak in 2010-08 (month 19), 17x the 2009 level
    outside[35] = 200.0  # 2011-12
    china = outside / 1.25
    exports = np.full(months, 1000.0)  # t/month
    return _tidy(
        {
            ("price", "ndpr", "usa"): outside * 0.9,
            ("price", "ndpr", "eu"): outside * 1.1,
            ("price", "ndpr", "china"): china,
            ("exports", "ndpr", "china"): exports,
            ("exports", "ndpr", "world"): exports * 1.5,
            ("imports", "ndpr", "world"): exports * 1.8,
        }
    )


def _target(**fields):
    base = {
        "id": "t",
        "pattern": "K",
        "description": "d",
        "statistic": "mean",
        "series": {"metric": "price", "goods": ["ndpr"], "regions": ["usa", "eu"]},
        "window": ("2010-01", "2012-12"),
        "target": (1.0, 1.0),
        "scale": "log",
        "tolerance": 0.7,
        "source": "test",
    }
    return Target.model_validate(base | fields)


def test_statistics_of_a_known_peak():
    targets = [
        _target(id="level", statistic="mean", window=("2009-01", "2009-12")),
        _target(id="ratio", statistic="peak_ratio", base_window=("2009-01", "2009-12")),
        _target(id="delay", statistic="peak_delay", reference="2010-07", scale="linear"),
        _target(
            id="fall", statistic="share_of_peak", window=("2011-12", "2011-12"), peak_window=("2010-01", "2011-12")
        ),
        _target(
            id="tiers",
            statistic="ratio",
            series={"metric": "price", "goods": ["ndpr"], "regions": ["china"]},
            versus={"metric": "price", "goods": ["ndpr"], "regions": ["usa", "eu"]},
        ),
        _target(
            id="gap",
            statistic="gap",
            window=("2009-01", "2009-12"),
            versus={"metric": "price", "goods": ["ndpr"], "regions": ["china"]},
            scale="linear",
        ),
        _target(
            id="quota",
            statistic="total_share",
            window=("2012-01", "2012-12"),
            series={"metric": "exports", "goods": ["ndpr"], "regions": ["china"], "combine": "sum"},
            denominator=24000.0,
        ),
        _target(
            id="mirror",
            statistic="ratio",
            series=[
                {"metric": "exports", "goods": ["ndpr"], "regions": ["china"]},
                {"metric": "imports", "goods": ["ndpr"], "regions": ["world"]},
                {"metric": "exports", "goods": ["ndpr"], "regions": ["world"], "sign": -1},
            ],
            versus={"metric": "exports", "goods": ["ndpr"], "regions": ["china"]},
        ),
        _target(id="absent", statistic="mean", series={"metric": "smuggling", "goods": ["ndpr"], "regions": ["china"]}),
    ]
    stats = statistics(_synthetic_run(), targets)
    assert stats["level"] == pytest.approx(20.0)
    assert stats["ratio"] == pytest.approx(17.0)
    assert stats["delay"] == 1.0  # peak in Aug 2010, one month after Jul 2010
    assert stats["fall"] == pytest.approx(200.0 / 340.0)
    assert stats["tiers"] == pytest.approx(1 / 1.25, rel=1e-2)  # means over the window, peaks included
    assert stats["gap"] == pytest.approx(20.0 - 16.0)
    assert stats["quota"] == pytest.approx(12 * 1000.0 / 24000.0)
    assert stats["mirror"] == pytest.approx((1000.0 + 1800.0 - 1500.0) / 1000.0)
    assert math.isnan(stats["absent"])


def test_errors_distance_and_patterns():
    inside = _target(target=(15.0, 20.0), tolerance=0.7)
    timing = _target(id="late", pattern="K3", target=(12.0, 13.0), scale="linear", tolerance=6.0)
    assert normalised_error(inside, 17.0) == 0.0
    assert normalised_error(inside, 40.0) == pytest.approx(math.log(2.0) / 0.7)
    assert normalised_error(timing, 22.0) == pytest.approx(1.5)
    assert normalised_error(inside, math.nan) == MISSING_PENALTY
    assert normalised_error(inside, -1.0) == MISSING_PENALTY
    stats = {"t": 17.0, "late": 22.0}
    assert distance([inside, timing], stats) == pytest.approx(math.sqrt(1.5**2 / 2))
    assert pattern_results([inside, timing], stats) == {"K": True, "K3": False}


# ------------------------------------------------------------------ a tiny ABC-SMC run


def _calibrate(tmp_path, name, **options):
    targets = _write(tmp_path, TINY)
    settings = {"population": 6, "generations": 2, "root_seed": 11} | options
    paths = calibration.run_calibration(targets, tmp_path / name, **settings)
    return pd.read_parquet(paths["accepted.parquet"]), paths


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    return _calibrate(tmp_path_factory.mktemp("abc"), "local")


def test_tiny_calibration_writes_its_results(local_run):
    accepted, paths = local_run
    assert sorted(accepted["generation"].unique()) == [0, 1]
    assert np.allclose(accepted.groupby("generation")["weight"].sum(), 1.0)
    assert accepted["market.price_speed"].between(0.05, 0.5).all()
    assert accepted["sectors.magnets.hoarding"].between(0.1, 10.0).all()
    assert (paths["accepted.parquet"].parent / "abc.db").is_file()
    posterior = pd.read_csv(paths["posterior.csv"])
    assert list(posterior["parameter"]) == ["market.price_speed", "sectors.magnets.hoarding"]
    assert (posterior["q05"] <= posterior["q50"]).all() and (posterior["q50"] <= posterior["q95"]).all()
    report = paths["report.md"].read_text()
    assert "--set market.price_speed=" in report and "| level | K1 |" in report


def test_same_root_seed_same_accepted_sets(tmp_path, local_run):
    again, _ = _calibrate(tmp_path, "again")
    pd.testing.assert_frame_equal(again, local_run[0])
    other, _ = _calibrate(tmp_path, "other", root_seed=12)
    assert not np.allclose(other["market.price_speed"], local_run[0]["market.price_speed"])


@pytest.mark.filterwarnings("ignore:Port .* is already in use")  # another cluster's HTTP port on this machine
def test_dask_cluster_gives_the_same_accepted_sets(tmp_path, local_run, dask_scheduler):
    on_dask, paths = _calibrate(tmp_path, "dask", scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(on_dask, local_run[0])
    assert "Dask scheduler" in paths["manifest.json"].read_text()


# ------------------------------------------------------------------ the command


def _cli(args):
    return CliRunner().invoke(app, [*map(str, args)])


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda text: text.replace('"market.price_speed"', '"market.price_spede"'), "cannot be set"),
        (lambda text: text.replace("high = 0.5", "high = inf"), "finite"),
        (lambda text: text.replace("low = 0.05", "low = 0.9"), "must be below high"),
        (lambda text: text.replace("low = 0.05, high = 0.5", "low = 0.05, high = 5.0"), "cannot be set"),
        (lambda text: text + "[[", "not valid TOML"),
        (lambda text: text.replace('regions = ["usa", "eu"]', 'regions = ["atlantis"]', 1), "no region 'atlantis'"),
        (lambda text: text.replace("history_2009.toml", "history_1066.toml"), "not found"),
        (lambda text: text.replace('"2009-07", "2009-12"', '"2009-07", "2010-06"'), "2010-06 lies outside the run"),
    ],
)
def test_command_refuses_bad_input_in_one_sentence(tmp_path, spoil, expected):
    targets = _write(tmp_path, spoil(TINY))
    result = _cli([targets, "--out", tmp_path / "out", "--population", 4, "--generations", 1])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "abc.db").exists()


def test_command_refuses_missing_file_and_out_folder_that_is_a_file(tmp_path):
    result = _cli([tmp_path / "none.toml", "--out", tmp_path / "out"])
    assert result.exit_code == 2 and "no such target file" in result.output
    blocker = tmp_path / "taken"
    blocker.write_text("")
    result = _cli([_write(tmp_path, TINY), "--out", blocker, "--population", 4, "--generations", 1])
    assert result.exit_code == 2 and "is a file" in result.output


def test_command_refuses_an_unreachable_scheduler_and_keeps_earlier_results(tmp_path, monkeypatch):
    monkeypatch.setattr(calibration, "CONNECT_TIMEOUT_S", 1)
    targets = _write(tmp_path, TINY)
    earlier = tmp_path / "out" / "accepted.parquet"
    earlier.parent.mkdir()
    earlier.write_text("an earlier calibration")
    result = _cli([targets, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9", "--population", 4])
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert earlier.read_text() == "an earlier calibration"


def test_manifest_and_report_show_cost_and_weight_spread(local_run):
    _, paths = local_run
    manifest = pd.read_json(paths["manifest.json"], typ="series")
    sizes = manifest["effective_sample_sizes"]
    assert len(sizes) == manifest["generations"]
    assert sizes[0] == pytest.approx(6.0)  # generation 0 draws from the prior: equal weights
    assert all(0 < size <= 6.0 + 1e-9 for size in sizes)
    assert manifest["cpu_seconds"] > 0
    posterior = pd.read_csv(paths["posterior.csv"])
    assert posterior["width_90_of_prior"].between(0.0, 1.0).all()
    report = paths["report.md"].read_text()
    assert "effective sample size" in report and "closest particle" in report


def test_report_only_rewrites_the_results_from_the_saved_history(tmp_path, local_run):
    accepted, paths = local_run
    folder, result = _report_only(tmp_path, paths)
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "accepted.parquet"), accepted)
    assert (folder / "report.md").read_text().count("--set market.price_speed=") == 2


def test_report_only_refuses_a_folder_without_a_history_in_one_sentence(tmp_path):
    result = _cli([_write(tmp_path, TINY), "--out", tmp_path / "empty", "--report-only"])
    assert result.exit_code == 2 and "no abc.db here" in result.output and "Traceback" not in result.output


def test_report_only_refuses_a_file_that_is_no_history(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "abc.db").write_text("not a database")
    result = _cli([_write(tmp_path, TINY), "--out", tmp_path / "junk", "--report-only"])
    assert result.exit_code == 2 and "not a readable pyabc history" in result.output
