"""A live run: seeds typed by a person, stepping, policy changes through the governance seam,
replaying the last change, restarting and exporting the run so far."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from marketsim.governance import decisions
from marketsim.governance.rounds import decide
from marketsim.live import MAX_SEED, LiveRun, parse_number, parse_seed
from marketsim.model import RareEarthModel
from marketsim.scenario.loading import validate_scenario
from marketsim.vocabulary import GOODS

QUOTA_GOODS = [GOODS.index(good) for good in decisions.RAW_MATERIALS]
NDPR = GOODS.index("ndpr")


# ------------------------------------------------------------------ helpers
def raw_copy(run: LiveRun) -> dict[str, np.ndarray]:
    """The recorder's raw arrays, copied (the run goes on changing them)."""
    return {name: values.copy() for name, values in run.model.recorder.raw.items()}


def assert_bit_identical(first: dict[str, np.ndarray], second: dict[str, np.ndarray], ticks: slice = slice(None)):
    assert first.keys() == second.keys()
    for name in first:
        a, b = first[name][ticks], second[name][ticks]
        assert a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), f"{name} differs"


def differs(first: dict[str, np.ndarray], second: dict[str, np.ndarray], name: str, ticks: slice) -> bool:
    return not np.array_equal(first[name][ticks], second[name][ticks], equal_nan=True)


def exports_of_quota_goods(run: LiveRun, region: str) -> np.ndarray:
    """A region's monthly shipments abroad of the goods export quotas cover, t, per tick run."""
    flows = run.model.recorder.raw["flows"]  # (tick, good, origin, destination)
    origin = run.model.region_index[region]
    abroad = [k for k in range(len(run.model.regions)) if k != origin]
    return flows[:, QUOTA_GOODS][:, :, origin][:, :, abroad].sum(axis=(1, 2))


def outside_price(raw: dict[str, np.ndarray], good: int, china: int, ticks: slice) -> float:
    """Mean price of a good over every region but China."""
    prices = np.delete(raw["price"][ticks, good], china, axis=-1)
    return float(prices.mean())


def quota_in_force(run: LiveRun) -> list:
    return [e for e in run.model.policies_in_force if e.type == "export_quota"]


def fresh(scenario, changes: dict[int, list[tuple[str, Callable[[str], dict]]]]) -> RareEarthModel:
    """A model run from its first month to the end, each decision made (through the governance
    seam) at the start of its month: what a run resumed from a snapshot must reproduce."""
    model = RareEarthModel(scenario)
    while model.tick < model.months:
        for region, make in changes.get(model.tick, []):
            (result,) = decide(model, region, [make(model.date)])
            assert result.accepted, result.message
        model.step()
    return model


def play(scenario, changes: dict[int, list[tuple[str, Callable[[str], dict]]]], ticks: int | None = None) -> LiveRun:
    """A live run with changes made at given months (``tick -> [(region, make(now) -> decision)]``),
    in order of month, showing its first ``ticks`` months (all when None)."""
    run = LiveRun(scenario)
    for tick in sorted(changes):
        for region, make in changes[tick]:
            result = run.change_policy(region, make(run.date_of(tick)), tick)
            assert result.accepted, result.message
    run.show_from(run.months if ticks is None else ticks)
    return run


def raw_of(model: RareEarthModel) -> dict[str, np.ndarray]:
    return {name: values.copy() for name, values in model.recorder.raw.items()}


def strict_china_quota(now: str) -> dict:
    return decisions.export_quota("china", now, 1200.0)


def usa_tariff_on_china(now: str) -> dict:
    return decisions.tariff("usa", now, 0.5, ("china",))


# ------------------------------------------------------------------ parse_seed
@pytest.mark.parametrize(("text", "seed"), [("42", 42), (" 1_000 ", 1000), ("0", 0), (str(MAX_SEED), MAX_SEED), (7, 7)])
def test_parse_seed_reads_whole_numbers(text, seed):
    assert parse_seed(text) == seed


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", "   ", "12abc", "1e3"])
def test_parse_seed_refuses_what_is_not_a_whole_number(text):
    with pytest.raises(ValueError, match="whole number") as error:
        parse_seed(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize("text", [str(MAX_SEED + 1), "9" * 40])
def test_parse_seed_refuses_numbers_too_large(text):
    with pytest.raises(ValueError, match="at most") as error:
        parse_seed(text)
    assert str(MAX_SEED) in str(error.value)


@pytest.mark.parametrize("text", ["²", "1²"])
def test_parse_seed_refuses_digit_like_characters_with_a_readable_message(text):
    # str.isdigit() accepts superscripts that int() cannot read: the message must still say what is wrong.
    with pytest.raises(ValueError, match="whole number"):
        parse_seed(text)


# ------------------------------------------------------------------ parse_number
@pytest.mark.parametrize(
    ("text", "value"), [("30", 30.0), (" 1_000 ", 1000.0), ("2.5", 2.5), ("-4", -4.0), ("1e3", 1e3)]
)
def test_parse_number_reads_numbers_in_range(text, value):
    assert parse_number(text, "the quota", -10, 1e4) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "", "  ", "abc", "1e400", "99999", "-11", "NaN", "Infinity"])
def test_parse_number_refuses_what_is_not_a_finite_number_in_range(text):
    with pytest.raises(ValueError, match="the quota must be a number from -10 to 10000") as error:
        parse_number(text, "the quota", -10, 1e4)
    assert repr(text) in str(error.value)


# ------------------------------------------------------------------ what is shown
def test_a_new_run_is_simulated_to_the_end_and_shown_whole(small_world):
    run = LiveRun(small_world)
    assert run.model.tick == run.months == 36
    assert (run.tick, run.finished) == (36, True)
    assert not np.isnan(run.model.recorder.raw["price"]).any()
    assert run.twin is None


def test_step_shows_more_months_and_stops_at_the_end(small_world):
    run = LiveRun(small_world)
    run.show_from(0)
    assert (run.tick, run.finished) == (0, False)
    assert run.step() == 1
    assert run.step(4) == 4
    assert run.tick == 5
    assert run.step(100) == 31
    assert run.finished and run.step() == 0
    run.show_from(-3)
    assert run.tick == 0
    assert run.run_to_end() == 36


def test_seed_defaults_to_the_scenarios(small_world):
    assert LiveRun(small_world).seed == small_world.scenario.seed
    assert LiveRun(small_world, seed=99).model.seed_used == 99


# ------------------------------------------------------------------ policy changes
def test_accepted_change_starts_in_the_month_chosen(small_world):
    run = LiveRun(small_world)
    result = run.change_policy("usa", usa_tariff_on_china("2030-01"), 5)
    assert result.accepted, result.message
    (change,) = run.interventions
    assert (change.tick, change.date, change.region, change.serial) == (5, run.date_of(5), "usa", 1)
    assert change.event.start == run.date_of(5)
    assert any(event == change.event for event in run.model.events)
    assert change.label == "usa: tariff"
    assert run.model.tick == run.months, "re-run to the end at once"


@pytest.mark.parametrize(
    ("region", "make", "tick", "problem"),
    [
        ("usa", strict_china_quota, 4, "china's to make"),
        ("mars", lambda now: decisions.tariff("mars", now, 0.5), 4, "unknown government"),
        ("usa", lambda now: decisions.tariff("usa", now, 0.5, ("mars",)), 4, "unknown region"),
        ("usa", lambda now: decisions.tariff("usa", now, -0.5), 4, "tariff"),
        ("usa", usa_tariff_on_china, 36, "must start between 2024-01 and 2026-12"),
        ("usa", usa_tariff_on_china, -1, "must start between"),
        ("japan", lambda now: decisions.subsidy("japan", now, "mining", 0.3), 4, "japan has no mines to subsidise"),
        ("usa", lambda now: decisions.stockpile("usa", now, "ndpr", -500.0), 4, "no ndpr stockpile to release"),
        ("usa", lambda now: decisions.stockpile("usa", now, "ndpr", math.nan), 4, "must be a number"),
        ("japan", lambda now: decisions.export_quota("japan", now, 10.0), 4, "nothing of its own to export"),
        ("china", lambda now: decisions.export_ban("china", now, ("china",)), 4, "exports to itself"),
    ],
)
def test_refused_change_has_a_message_and_changes_nothing(small_world, region, make, tick, problem):
    run = LiveRun(small_world)
    before, model = raw_copy(run), run.model
    result = run.change_policy(region, make("2024-05"), tick)
    assert not result.accepted
    assert problem in result.message
    assert run.changes == [] and run.model is model
    assert_bit_identical(before, raw_copy(run))


def test_change_acts_from_its_month_on(small_world):
    without = raw_copy(play(small_world, {}))
    quota = play(small_world, {12: [("china", strict_china_quota)]})
    with_quota = raw_copy(quota)
    assert_bit_identical(without, with_quota, slice(0, 12))
    assert differs(without, with_quota, "flows", slice(12, None))
    exported = exports_of_quota_goods(quota, "china")
    assert (exported[12:] <= 1200.0 / 12 * (1 + 1e-9)).all()
    assert exported[:12].min() > 2 * 1200.0 / 12  # the quota binds: China exported far more before it
    china = quota.model.china
    after = slice(13, 25)
    assert outside_price(with_quota, NDPR, china, after) > outside_price(without, NDPR, china, after)


# ------------------------------------------------------------------ determinism of runs resumed from snapshots
@pytest.mark.parametrize("tick", [0, 11, 12, 13, 30])
def test_a_change_resumed_from_a_snapshot_is_bit_identical_to_a_fresh_run(small_world, tick):
    run = play(small_world, {tick: [("china", strict_china_quota)]})
    assert_bit_identical(raw_of(fresh(small_world, {tick: [("china", strict_china_quota)]})), raw_copy(run))


def test_later_and_earlier_changes_and_switching_off_match_fresh_runs(small_world):
    tariff, quota = ("usa", usa_tariff_on_china), ("china", strict_china_quota)
    subsidy = ("usa", lambda now: decisions.subsidy("usa", now, "separation", 0.3))
    run = play(small_world, {20: [quota]})
    assert run.change_policy(*tariff[:1], tariff[1](run.date_of(5)), 5).accepted  # earlier than the first
    assert run.change_policy(*subsidy[:1], subsidy[1](run.date_of(20)), 20).accepted  # same month as the quota
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota, subsidy]})), raw_copy(run))
    # The twin leaves out the latest change only.
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota]})), raw_of(run.twin))
    assert run.switch(1, False)  # the quota, made first
    assert [c.serial for c in run.interventions] == [2, 3]
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [subsidy]})), raw_copy(run))
    assert run.switch(1, True)
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota, subsidy]})), raw_copy(run))
    assert run.remove(3) and not run.remove(3)
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota]})), raw_copy(run))
    assert_bit_identical(raw_of(fresh(small_world, {})), raw_of(run.baseline))


def test_the_twin_is_the_run_without_the_latest_change(small_world):
    run = play(small_world, {6: [("usa", usa_tariff_on_china)]})
    assert_bit_identical(raw_of(run.twin), raw_of(run.baseline))
    assert run.switch(1, False)
    assert run.twin is None


def test_replay_shows_the_run_up_to_the_latest_change(small_world):
    run = play(small_world, {5: [("usa", usa_tariff_on_china)], 12: [("china", strict_china_quota)]})
    before = raw_copy(run)
    assert run.replay_last_change()
    assert run.tick == 12
    assert run.run_to_end() == run.months - 12
    assert_bit_identical(before, raw_copy(run))


def test_replay_without_a_change_does_nothing(small_world):
    run = LiveRun(small_world)
    run.show_from(6)
    assert run.replay_last_change() is False
    assert run.tick == 6


# ------------------------------------------------------------------ restart
def test_restart_starts_over_without_the_changes(small_world):
    plain = raw_copy(play(small_world, {}))
    run = play(small_world, {2: [("usa", usa_tariff_on_china)]})
    assert differs(plain, raw_copy(run), "price", slice(2, None))
    run.restart()
    assert (run.tick, run.changes, run.seed) == (run.months, [], small_world.scenario.seed)
    assert not any(e.type == "tariff" for e in run.model.events)
    assert_bit_identical(plain, raw_copy(run))


def test_restart_with_another_seed_changes_the_results(small_world):
    first = raw_copy(LiveRun(small_world))
    run = LiveRun(small_world)
    run.restart(seed=small_world.scenario.seed + 1)
    assert run.seed == run.model.seed_used == small_world.scenario.seed + 1
    assert differs(first, raw_copy(run), "production", slice(0, 12))


def test_restart_with_another_scenario(small_world, small_data):
    small_data["scenario"].update(name="shorter", years=1, seed=11)
    other = validate_scenario(small_data, "other")
    run = LiveRun(small_world, source="small.toml")
    run.restart(other, source="other.toml")
    assert (run.tick, run.months, run.seed, run.source) == (12, 12, 11, "other.toml")
    assert run.scenario is other


# ------------------------------------------------------------------ lifting a lever
def test_lifting_a_quota_lets_exports_recover(small_world):
    run = play(
        small_world,
        {6: [("china", strict_china_quota)], 12: [("china", lambda now: decisions.export_quota("china", now, None))]},
    )
    exported = exports_of_quota_goods(run, "china")
    assert exported[18:].min() > 2 * exported[6:12].max()


# ------------------------------------------------------------------ export
def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def exported_run(small_world) -> LiveRun:
    return play(small_world, {2: [("usa", usa_tariff_on_china)], 20: [("china", strict_china_quota)]}, ticks=5)


@pytest.mark.parametrize(("file_format", "reader"), [("csv", pd.read_csv), ("parquet", pd.read_parquet)])
def test_export_zip_holds_the_run_so_far(small_world, file_format, reader):
    run = exported_run(small_world)
    assert run.switch(2, False)
    files = read_zip(run.export_zip(file_format))
    table_name = f"timeseries.{file_format}"
    assert set(files) == {table_name, "events.csv", "alliances.csv", "manifest.json"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["ticks_run"] == run.months  # the whole run, whatever is shown
    assert manifest["seed"] == run.seed
    change, switched_off = manifest["live_changes"]
    assert (change["tick"], change["date"], change["region"], change["enabled"]) == (2, run.date_of(2), "usa", True)
    assert change["event"]["type"] == "tariff"
    assert change["event"]["origins"] == ["china"]
    assert (switched_off["tick"], switched_off["enabled"]) == (20, False)
    table = reader(io.BytesIO(files[table_name]))
    assert sorted(table["tick"].unique()) == list(range(run.months))
    assert set(table["date"].astype(str)) == {run.date_of(t) for t in range(run.months)}
    events = pd.read_csv(io.BytesIO(files["events.csv"]))
    assert (events["source"] == "decision by usa").sum() == 1


def test_export_zip_refuses_an_unknown_format(small_world):
    run = LiveRun(small_world)
    with pytest.raises(ValueError, match="csv or parquet"):
        run.export_zip("xlsx")
