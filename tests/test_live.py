"""A live run: seeds typed by a person, stepping, policy changes through the governance seam,
replaying the last change, restarting and exporting the run so far."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from marketsim.governance import decisions
from marketsim.live import MAX_SEED, LiveRun, parse_seed
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
    flows = run.model.recorder.raw["flows"][: run.tick]  # (tick, good, origin, destination)
    origin = run.model.region_index[region]
    abroad = [k for k in range(len(run.model.regions)) if k != origin]
    return flows[:, QUOTA_GOODS][:, :, origin][:, :, abroad].sum(axis=(1, 2))


def outside_price(raw: dict[str, np.ndarray], good: int, china: int, ticks: slice) -> float:
    """Mean price of a good over every region but China."""
    prices = np.delete(raw["price"][ticks, good], china, axis=-1)
    return float(prices.mean())


def quota_in_force(run: LiveRun) -> list:
    return [e for e in run.model.policies_in_force if e.type == "export_quota"]


def play(scenario, changes: dict[int, list[tuple[str, Callable[[str], dict]]]], ticks: int | None = None) -> LiveRun:
    """A live run with changes made at given ticks (``tick -> [(region, make(now) -> decision)]``),
    then run on to ``ticks`` (the end when None)."""
    run = LiveRun(scenario)
    for tick in sorted(changes):
        run.step(tick - run.tick)
        for region, make in changes[tick]:
            assert run.change_policy(region, make(run.model.date)).accepted
    if ticks is None:
        run.run_to_end()
    else:
        run.step(ticks - run.tick)
    return run


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


# ------------------------------------------------------------------ time
def test_step_advances_and_stops_at_the_end(small_world):
    run = LiveRun(small_world)
    assert (run.tick, run.finished) == (0, False)
    assert run.step() == 1
    assert run.step(4) == 4
    assert run.tick == run.model.tick == 5
    assert run.model.date == run.model.date_of(5)
    left = run.months - run.tick
    assert run.step(left + 10) == left
    assert run.tick == run.months
    assert run.finished
    assert run.step() == 0
    assert run.tick == run.months


def test_run_to_end_runs_the_remaining_months(small_world):
    run = LiveRun(small_world)
    run.step(7)
    assert run.run_to_end() == run.months - 7
    assert run.finished
    assert run.run_to_end() == 0
    assert not np.isnan(run.model.recorder.raw["price"][-1]).any()


def test_seed_defaults_to_the_scenarios(small_world):
    assert LiveRun(small_world).seed == small_world.scenario.seed
    assert LiveRun(small_world, seed=99).model.seed_used == 99


# ------------------------------------------------------------------ policy changes
def test_accepted_change_is_recorded_at_the_current_tick(small_world):
    run = LiveRun(small_world)
    run.step(5)
    now = run.model.date
    result = run.change_policy("usa", usa_tariff_on_china(now))
    assert result.accepted, result.message
    (change,) = run.interventions
    assert (change.tick, change.date, change.region) == (5, now, "usa")
    assert change.event is result.event
    assert change.event.start == now == run.model.date_of(5)
    assert any(event is change.event for event in run.model.events)
    assert change.label == "usa: tariff"


@pytest.mark.parametrize(
    ("region", "make", "problem"),
    [
        ("usa", strict_china_quota, "china's to make"),
        ("mars", lambda now: decisions.tariff("mars", now, 0.5), "unknown government"),
        ("usa", lambda now: decisions.tariff("usa", now, 0.5, ("mars",)), "unknown region"),
        ("usa", lambda now: decisions.tariff("usa", "2020-01", 0.5), "before now"),
        ("usa", lambda now: decisions.tariff("usa", now, -0.5), "tariff"),
    ],
)
def test_refused_change_has_a_message_and_changes_nothing(small_world, region, make, problem):
    run, untouched = LiveRun(small_world), LiveRun(small_world)
    run.step(4)
    untouched.step(4)
    events = list(run.model.events)
    result = run.change_policy(region, make(run.model.date))
    assert not result.accepted
    assert problem in result.message
    assert run.model.events == events
    assert all(a is b for a, b in zip(run.model.events, events, strict=True))
    assert run.interventions == []
    run.step(6)
    untouched.step(6)
    assert_bit_identical(raw_copy(run), raw_copy(untouched))


def test_change_acts_from_the_current_tick_on(small_world):
    without = raw_copy(play(small_world, {}))
    quota = play(small_world, {12: [("china", strict_china_quota)]})
    with_quota = raw_copy(quota)
    assert_bit_identical(without, with_quota, slice(0, 12))
    assert differs(without, with_quota, "flows", slice(12, None))
    assert differs(without, with_quota, "price", slice(12, None))
    exported = exports_of_quota_goods(quota, "china")
    assert (exported[12:] <= 1200.0 / 12 * (1 + 1e-9)).all()
    assert exported[:12].min() > 2 * 1200.0 / 12  # the quota binds: China exported far more before it
    china = quota.model.china
    after = slice(13, 25)
    assert outside_price(with_quota, NDPR, china, after) > outside_price(without, NDPR, china, after)


# ------------------------------------------------------------------ determinism and replay
def test_same_changes_at_the_same_ticks_give_bit_identical_runs(small_world):
    changes = {
        3: [("usa", usa_tariff_on_china)],
        10: [("usa", lambda now: decisions.subsidy("usa", now, "separation", 0.3)), ("china", strict_china_quota)],
    }
    assert_bit_identical(raw_copy(play(small_world, changes)), raw_copy(play(small_world, changes)))


def test_replay_goes_back_to_the_last_change_and_reproduces_the_run(small_world):
    changes = {5: [("usa", usa_tariff_on_china)], 12: [("china", strict_china_quota)]}
    run = play(small_world, changes)
    original, kept = raw_copy(run), list(run.interventions)
    assert run.replay_last_change()
    assert run.tick == 12
    assert run.interventions == kept
    assert_bit_identical(original, raw_copy(run), slice(0, 12))
    assert np.isnan(run.model.recorder.raw["price"][12:]).all()  # nothing recorded past the change yet
    assert any(e.type == "tariff" for e in run.model.policies_in_force)  # the earlier change holds
    run.run_to_end()
    assert_bit_identical(original, raw_copy(run))


def test_replay_keeps_a_change_that_lifted_a_lever(small_world):
    lift = {4: [("china", strict_china_quota)], 9: [("china", lambda now: decisions.export_quota("china", now, None))]}
    run = play(small_world, lift)
    original = raw_copy(run)
    assert run.replay_last_change()
    assert run.tick == 9
    run.run_to_end()
    assert_bit_identical(original, raw_copy(run))


def test_replay_without_a_change_does_nothing(small_world):
    run = LiveRun(small_world)
    run.step(6)
    model, before = run.model, raw_copy(run)
    assert run.replay_last_change() is False
    assert run.model is model
    assert run.tick == 6
    assert run.interventions == []
    assert_bit_identical(before, raw_copy(run))


# ------------------------------------------------------------------ restart
def test_restart_starts_over_without_the_changes(small_world):
    plain = raw_copy(play(small_world, {}, ticks=10))
    run = play(small_world, {2: [("usa", usa_tariff_on_china)]}, ticks=10)
    assert differs(plain, raw_copy(run), "price", slice(2, 10))
    run.restart()
    assert (run.tick, run.interventions, run.seed) == (0, [], small_world.scenario.seed)
    assert not any(e.type == "tariff" for e in run.model.events)
    run.step(10)
    assert_bit_identical(plain, raw_copy(run))


def test_restart_with_another_seed_changes_the_results(small_world):
    run = LiveRun(small_world)
    run.step(12)
    first = raw_copy(run)
    run.restart(seed=small_world.scenario.seed + 1)
    assert run.seed == run.model.seed_used == small_world.scenario.seed + 1
    run.step(12)
    assert differs(first, raw_copy(run), "production", slice(0, 12))


def test_restart_with_another_scenario(small_world, small_data):
    small_data["scenario"].update(name="shorter", years=1, seed=11)
    other = validate_scenario(small_data, "other")
    run = LiveRun(small_world, source="small.toml")
    run.step(3)
    run.restart(other, source="other.toml")
    assert (run.tick, run.months, run.seed, run.source) == (0, 12, 11, "other.toml")
    assert run.scenario is other


# ------------------------------------------------------------------ lifting a lever
def test_lifting_a_quota_lets_exports_recover(small_world):
    run = play(small_world, {6: [("china", strict_china_quota)]}, ticks=12)
    assert quota_in_force(run)
    capped = exports_of_quota_goods(run, "china")[6:12]
    assert run.change_policy("china", decisions.export_quota("china", run.model.date, None)).accepted
    run.step()
    assert [q.tonnes_per_year for q in quota_in_force(run)] == [decisions.NO_LIMIT]
    run.step()
    assert quota_in_force(run) == []
    run.step(4)
    recovered = exports_of_quota_goods(run, "china")[12:]
    assert recovered.min() > 2 * capped.max()


# ------------------------------------------------------------------ export
def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def exported_run(small_world) -> LiveRun:
    return play(small_world, {2: [("usa", usa_tariff_on_china)]}, ticks=5)


@pytest.mark.parametrize(("file_format", "reader"), [("csv", pd.read_csv), ("parquet", pd.read_parquet)])
def test_export_zip_holds_the_run_so_far(small_world, file_format, reader):
    run = exported_run(small_world)
    files = read_zip(run.export_zip(file_format))
    table_name = f"timeseries.{file_format}"
    assert set(files) == {table_name, "events.csv", "alliances.csv", "manifest.json"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["ticks_run"] == 5
    assert manifest["seed"] == run.seed
    (change,) = manifest["live_changes"]
    assert (change["tick"], change["date"], change["region"]) == (2, run.model.date_of(2), "usa")
    assert change["event"]["type"] == "tariff"
    assert change["event"]["origins"] == ["china"]
    table = reader(io.BytesIO(files[table_name]))
    assert sorted(table["tick"].unique()) == list(range(5))
    assert set(table["date"].astype(str)) == {run.model.date_of(t) for t in range(5)}
    events = pd.read_csv(io.BytesIO(files["events.csv"]))
    assert (events["source"] == "decision by usa").sum() == 1


def test_export_zip_refuses_an_unknown_format(small_world):
    run = LiveRun(small_world)
    with pytest.raises(ValueError, match="csv or parquet"):
        run.export_zip("xlsx")
