"""run_scenario and write_results: the tidy time series and the manifest on disk."""

from __future__ import annotations

import json
import math
import re
from importlib.metadata import version

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import CONFIGS, SMALL_WORLD

import marketsim
from marketsim.model import RareEarthModel
from marketsim.reports.files import write_csv
from marketsim.reports.metrics import ALL, CATALOGUE, WORLD
from marketsim.reports.runner import RunResult, run_scenario, tidy_results, write_results
from marketsim.reports.summary import HEADLINES, summarise, summary_rows
from marketsim.reports.tidy import as_numpy, numbers, strings
from marketsim.scenario.loading import apply_overrides, load_scenario, scenario_hash, validate_scenario
from marketsim.scenario.schema import Scenario
from marketsim.vocabulary import GOODS

COLUMNS = ["tick", "date", "metric", "good", "region", "value"]
START = "2023-11"  # crosses a year boundary after two ticks
YEARS = 2
SEED = 11
OVERRIDES = ["mines.0.capacity=90000", "market.price_speed=0.3"]


def months_after(start: str, months: int) -> str:
    year, month = map(int, start.split("-"))
    total = year * 12 + month - 1 + months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    data = json.loads(json.dumps(SMALL_WORLD))
    data["scenario"]["start"] = START
    data["events"] = [{"type": "export_tax", "region": "china", "rate": 0.2, "start": "2024-06"}]
    return apply_overrides(validate_scenario(data, "small"), OVERRIDES, "small")


@pytest.fixture(scope="module")
def result(scenario):
    return run_scenario(scenario, seed=SEED, years=YEARS, source="small.toml", overrides=OVERRIDES)


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "nested" / "out"
    paths = write_results(result, out, ("parquet", "csv"))
    return out, paths


@pytest.fixture(scope="module")
def table(written) -> pd.DataFrame:
    return pd.read_parquet(written[0] / "timeseries.parquet")


@pytest.fixture(scope="module")
def manifest(written) -> dict:
    return json.loads((written[0] / "manifest.json").read_text())


def test_files_written(written):
    out, paths = written
    assert {p.name for p in paths} == {
        "timeseries.parquet",
        "timeseries.csv",
        "events.csv",
        "alliances.csv",
        "manifest.json",
    }
    assert all(p.parent == out and p.is_file() and p.stat().st_size > 0 for p in paths)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_only_requested_formats_written(result, tmp_path):
    paths = write_results(result, tmp_path, ("csv",))
    on_disk = sorted(p.name for p in tmp_path.iterdir())
    assert on_disk == ["alliances.csv", "events.csv", "manifest.json", "timeseries.csv"]
    assert sorted(p.name for p in paths) == ["alliances.csv", "events.csv", "manifest.json", "timeseries.csv"]


def test_parquet_columns(table):
    assert set(COLUMNS) <= set(table.columns)
    assert len(table) > 0
    assert pd.api.types.is_integer_dtype(table["tick"])
    assert pd.api.types.is_float_dtype(table["value"])


def test_parquet_matches_the_result_table(table, result):
    expected = result.table.reset_index(drop=True)
    assert len(table) == len(expected)
    pd.testing.assert_series_equal(table["value"], expected["value"], check_exact=True)
    for column in ("tick", "date", "metric", "good", "region"):
        assert table[column].astype(str).tolist() == expected[column].astype(str).tolist(), column


def test_csv_matches_parquet(written, table):
    csv = pd.read_csv(written[0] / "timeseries.csv")
    assert list(csv.columns) == list(table.columns)
    assert len(csv) == len(table)
    assert (csv["metric"].astype(str) == table["metric"].astype(str)).all()
    pd.testing.assert_series_equal(csv["value"], table["value"], rtol=1e-12)


def test_ticks_cover_the_run(table):
    assert sorted(table["tick"].unique()) == list(range(YEARS * 12))


def test_world_region_exists_for_every_good_metric(table):
    regions = set(table["region"].astype(str))
    assert "world" in regions
    assert {"china", "usa", "japan"} <= regions
    world = table[table["region"].astype(str) == "world"]
    for metric in CATALOGUE:
        assert metric.name in set(world["metric"].astype(str)), metric.name


def test_every_catalogue_metric_appears(table):
    assert {m.name for m in CATALOGUE} <= set(table["metric"].astype(str))


def test_good_region_metrics_cover_every_good(table):
    for name in ("production", "price", "exports", "imports"):
        goods = set(table.loc[table["metric"].astype(str) == name, "good"].astype(str))
        assert set(GOODS) <= goods, name


def test_one_row_per_cell(table):
    keys = table[["tick", "metric", "good", "region"]].astype(str)
    assert not keys.duplicated().any()


def test_dates_follow_the_start(table):
    dates = table["date"].astype(str)
    assert dates.str.fullmatch(r"\d{4}-\d{2}").all()
    expected = table["tick"].map(lambda t: months_after(START, int(t)))
    assert (dates == expected).all()
    assert months_after(START, 0) == START
    assert sorted(dates.unique())[0] == START


def test_manifest_holds_the_config_as_run(manifest, scenario):
    config = validate_scenario(manifest["config"], "manifest")
    assert config == scenario
    assert config.mines[0].capacity == 90000
    assert config.market.price_speed == 0.3
    assert manifest["overrides"] == OVERRIDES
    assert manifest["source"] == "small.toml"


def test_manifest_hash_is_that_of_the_config(manifest, scenario):
    assert manifest["scenario_hash"] == scenario_hash(scenario)
    assert manifest["scenario_hash"] == scenario_hash(validate_scenario(manifest["config"]))


def test_manifest_seed_version_and_calendar(manifest):
    assert manifest["seed"] == SEED
    assert manifest["marketsim_version"] == marketsim.__version__ == version("marketsim")
    assert manifest["start"] == START
    assert manifest["months"] == YEARS * 12
    assert set(manifest["files"]) == {"timeseries.parquet", "timeseries.csv", "events.csv", "alliances.csv"}


def test_manifest_seed_defaults_to_the_scenarios(scenario):
    result = run_scenario(scenario, years=1)
    assert result.manifest["seed"] == scenario.scenario.seed
    assert result.manifest["months"] == 12


def test_manifest_reproduces_the_run(manifest, table):
    config = validate_scenario(manifest["config"])
    again = run_scenario(config, seed=manifest["seed"], years=manifest["months"] // 12).table
    pd.testing.assert_series_equal(again["value"].reset_index(drop=True), table["value"], check_exact=True)


def test_months_are_consistent_with_dates(manifest, table):
    last = table["date"].astype(str).max()
    assert last == months_after(manifest["start"], manifest["months"] - 1)
    assert re.fullmatch(r"\d{4}-\d{2}", last)


def test_events_and_alliance_changes_are_written_for_a_run_with_strategies(tmp_path):
    result = run_scenario(load_scenario(CONFIGS / "ai_world.toml"), years=1)
    names = {p.name for p in write_results(result, tmp_path)}
    assert {"events.csv", "alliances.csv", "manifest.json"} <= names
    events = pd.read_csv(tmp_path / "events.csv")
    decided = events[events["source"].str.startswith("decision by")]
    assert len(decided) == sum(d.accepted for d in result.model.decisions)
    assert set(decided["type"]) <= {
        "stockpile",
        "subsidy",
        "tariff",
        "export_licence",
        "export_ban",
        "alliance_join",
        "alliance_leave",
        "alliance_found",
        "alliance_terms",
        "dispute",
        "technology_ban",
        "price_floor",
        "recycling_mandate",
        "export_quota",
        "offtake",
        "project_equity",
        "project_loan",
        "mining_quota",
    }
    assert decided["message"].notna().all()  # every strategy's decision says why
    alliances = pd.read_csv(tmp_path / "alliances.csv")
    assert set(alliances.loc[alliances["tick"] == 0, "region"]) == set(result.model.config.alliances["msp"].members)


# ----------------------------------------------------------------- the table against the metric arrays
def reference_rows(result) -> list[tuple]:
    """The tidy table's rows built cell by cell, in plain Python, from the recorder's metric arrays."""
    model = result.model
    derived = model.recorder.metrics(model.tick)
    goods, regions = [*GOODS, ALL], [*model.regions, WORLD]
    rows = []
    for metric in CATALOGUE:
        values = derived[metric.name]
        for tick in range(model.tick):
            if metric.layout == "good_region":
                cells = [(g, r, values[tick, k, j]) for k, g in enumerate(goods) for j, r in enumerate(regions)]
            elif metric.layout == "region":
                cells = [(ALL, r, values[tick, j]) for j, r in enumerate(regions)]
            else:
                cells = [(ALL, WORLD, values[tick])]
            date = model.date_of(tick)
            rows += [(tick, date, metric.name, g, r, float(v), metric.unit) for g, r, v in cells if not math.isnan(v)]
    return rows


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    columns = [frame[c].astype(object).tolist() for c in ("tick", "date", "metric", "good", "region", "value", "unit")]
    return [(int(t), d, m, g, r, float(v), u) for t, d, m, g, r, v, u in zip(*columns, strict=True)]


def test_parquet_holds_every_metric_cell_in_order(result, table):
    assert rows_of(table) == reference_rows(result)


def test_csv_holds_every_metric_cell_in_order(result, written):
    csv = pd.read_csv(written[0] / "timeseries.csv", dtype={"date": str})
    assert list(csv.columns) == ["tick", "date", "metric", "good", "region", "value", "unit"]
    assert rows_of(csv) == reference_rows(result)


def test_table_types_are_those_of_a_categorical_frame(result, table):
    """tick int64, value float64, the text columns categorical with the labels present, sorted."""
    for frame in (table, result.table):
        assert list(frame.columns) == ["tick", "date", "metric", "good", "region", "value", "unit"]
        assert frame["tick"].dtype == np.int64 and frame["value"].dtype == np.float64
        for column in ("date", "metric", "good", "region", "unit"):
            assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
            categories = list(frame[column].cat.categories)
            assert categories == sorted(set(frame[column].astype(str))), column
    pd.testing.assert_frame_equal(result.table, result.model.results(), check_exact=True)
    pd.testing.assert_frame_equal(table, result.table, check_exact=True)


def test_a_result_without_arrow_writes_the_same_files(result, table, tmp_path):
    """A result built from the pandas table alone (as the live dashboard builds it) writes the same table."""
    plain = RunResult(table=result.model.results(), manifest=result.manifest, model=result.model)
    write_results(plain, tmp_path, ("parquet", "csv"))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "timeseries.parquet"), table, check_exact=True)
    csv = pd.read_csv(tmp_path / "timeseries.csv")
    pd.testing.assert_series_equal(csv["value"], table["value"], check_exact=True)


def test_csv_quotes_text_holding_commas_quotes_or_line_breaks(tmp_path):
    labels = pa.array(["plain", 'say "hi"', "a, b", "two\nlines"]).dictionary_encode()
    arrow = pa.table({"tick": [0, 1, 2, 3], "label": labels, "value": [1e-05, 1e20, 0.1, -2.5]})
    write_csv(arrow, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["label"].tolist() == ["plain", 'say "hi"', "a, b", "two\nlines"]
    assert back["value"].tolist() == [1e-05, 1e20, 0.1, -2.5]
    plain = pa.table({"tick": [0], "label": pa.array(["x"]).dictionary_encode()})
    write_csv(plain, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text() == "tick,label\n0,x\n"


def test_a_run_not_started_writes_an_empty_table_with_the_columns(scenario, tmp_path):
    model = RareEarthModel(scenario, years=1)
    result = RunResult(table=model.results(), manifest={}, model=model, arrow=tidy_results(model))
    assert result.table.empty and list(result.table.columns) == [*COLUMNS, "unit"]
    write_results(result, tmp_path, ("parquet", "csv"))
    assert pd.read_parquet(tmp_path / "timeseries.parquet").columns.tolist() == [*COLUMNS, "unit"]
    assert (tmp_path / "timeseries.csv").read_text().strip() == "tick,date,metric,good,region,value,unit"


def test_summary_averages_the_first_and_last_year_of_the_world_series(result, written):
    metrics = result.model.recorder.metrics(result.model.tick)
    ndpr, magnet = GOODS.index("ndpr"), GOODS.index("magnet")
    expected = {
        "NdPr oxide price": metrics["price"][:, ndpr, -1],
        "China share of mining": metrics["china_share_mining"] * 100.0,
        "Magnet output": metrics["production"][:, magnet, -1] * 0.012,
    }
    from_csv = pd.read_csv(written[0] / "timeseries.csv")
    for table in (result.table, from_csv):
        rows = summarise(table).set_index("headline")
        assert len(rows) == len(HEADLINES)
        for headline, series in expected.items():
            assert rows.loc[headline, "first_year"] == pytest.approx(np.nanmean(series[:12]), rel=1e-12)
            assert rows.loc[headline, "last_year"] == pytest.approx(np.nanmean(series[-12:]), rel=1e-12)


def test_summary_rows_read_from_arrow_match_the_pandas_summary(result):
    rows = summary_rows(result.tidy())
    frame = summarise(result.table)
    assert [row.headline for row in rows] == frame["headline"].tolist() == [label for label, *_ in HEADLINES]
    for row, first, last in zip(rows, frame["first_year"], frame["last_year"], strict=True):
        assert (row.first_year, row.last_year) == pytest.approx((first, last), rel=0, abs=0, nan_ok=True)


def test_arrow_arrays_made_from_numpy_buffers_read_back_the_same():
    values = np.array([0.5, np.nan, -3.0, 1e300])
    assert np.array_equal(as_numpy(numbers(values)), values, equal_nan=True)
    assert np.isnan(numbers(values).to_pylist()[1])  # NaN stays a value, not a null
    codes = np.arange(10, dtype=np.int16)[::2]
    assert as_numpy(numbers(codes)).tolist() == [0, 2, 4, 6, 8]
    assert as_numpy(numbers(codes).slice(2, 2)).tolist() == [4, 6]
    assert as_numpy(pa.array([1.0, None])).tolist()[0] == 1.0 and np.isnan(as_numpy(pa.array([1.0, None]))[1])
    labels = ["world", "", "Côte d'Ivoire", "a, b"]
    assert strings(labels).to_pylist() == labels and strings([]).to_pylist() == []


def test_a_result_made_from_arrow_makes_its_pandas_table_when_read(result):
    lazy = RunResult(manifest=result.manifest, model=result.model, arrow=result.tidy())
    pd.testing.assert_frame_equal(lazy.table, result.model.results(), check_exact=True)
    with pytest.raises(ValueError, match="tidy table"):
        RunResult(manifest={}, model=result.model)
