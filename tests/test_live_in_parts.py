"""A live run simulated in parts (the dashboard shows the first months after a change at once and
the rest as it arrives): every part joined is the run a fresh simulation gives, bit for bit."""

from __future__ import annotations

import pytest
from conftest import CONFIGS
from test_live import assert_bit_identical, fresh, raw_copy, raw_of, strict_china_quota, usa_tariff_on_china

from marketsim.governance import decisions
from marketsim.live import LiveRun
from marketsim.scenario.loading import load_scenario


def separation_subsidy(now: str) -> dict:
    return decisions.subsidy("usa", now, "separation", 0.3)


def china_ban_on_usa(now: str) -> dict:
    return decisions.export_ban("china", now, ("usa",))


def simulate_all(run: LiveRun, months: int) -> int:
    """Simulate the rest in parts of ``months``; returns how many parts it took."""
    parts = 0
    while run.simulate(months):
        parts += 1
    return parts


def test_a_change_runs_ahead_only_the_months_asked_then_the_rest_in_parts(small_world):
    run = LiveRun(small_world, ahead=6)
    assert not run.pending  # the run with no change is simulated whole
    assert run.change_policy("china", strict_china_quota(run.date_of(10)), 10).accepted
    assert run.model.tick == 16 and run.pending and run.ready == 16
    assert run.twin.tick == run.months  # the twin is the run already made
    assert simulate_all(run, 5) >= (run.months - 16) // 5
    assert not run.pending and run.ready == run.months
    assert_bit_identical(raw_of(fresh(small_world, {10: [("china", strict_china_quota)]})), raw_copy(run))


def test_changes_made_and_switched_while_the_rest_is_pending_match_fresh_runs(small_world):
    run = LiveRun(small_world, ahead=4)
    quota, tariff, subsidy = ("china", strict_china_quota), ("usa", usa_tariff_on_china), ("usa", separation_subsidy)
    assert run.change_policy("china", strict_china_quota(run.date_of(20)), 20).accepted
    run.simulate(3)
    assert run.change_policy("usa", usa_tariff_on_china(run.date_of(5)), 5).accepted  # earlier, first one pending
    assert run.change_policy("usa", separation_subsidy(run.date_of(22)), 22).accepted  # after the first's part
    assert run.pending
    simulate_all(run, 7)
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota], 22: [subsidy]})), raw_copy(run))
    assert_bit_identical(raw_of(fresh(small_world, {5: [tariff], 20: [quota]})), raw_of(run.twin))
    assert run.switch(2, False)  # the tariff
    assert run.pending
    simulate_all(run, 9)
    assert_bit_identical(raw_of(fresh(small_world, {20: [quota], 22: [subsidy]})), raw_copy(run))


def test_export_simulates_the_rest_first(small_world):
    runs = [LiveRun(small_world, ahead=3), LiveRun(small_world)]
    for run in runs:
        assert run.change_policy("usa", usa_tariff_on_china(run.date_of(2)), 2).accepted
    assert runs[0].pending and not runs[1].pending
    in_parts, whole = (run.result() for run in runs)
    assert not runs[0].pending
    assert in_parts.manifest["ticks_run"] == whole.manifest["ticks_run"] == runs[1].months
    assert in_parts.table.equals(whole.table)


@pytest.mark.parametrize("name", ["baseline_2024", "escalation"])
def test_workshop_scenarios_resumed_and_in_parts_are_bit_identical_to_fresh_runs(name):
    """The dashboard's own settings (five years ahead, the rest in three-year parts), on a real
    scenario with changes at several months, one made while an earlier one is still pending."""
    scenario = load_scenario(CONFIGS / f"{name}.toml")
    run = LiveRun(scenario, ahead=60)
    for tick, (region, make) in [(100, ("usa", usa_tariff_on_china)), (30, ("china", china_ban_on_usa))]:
        assert run.change_policy(region, make(run.date_of(tick)), tick).accepted
    run.simulate(36)
    assert run.change_policy("usa", separation_subsidy(run.date_of(31)), 31).accepted
    simulate_all(run, 36)
    made = {30: [("china", china_ban_on_usa)], 31: [("usa", separation_subsidy)], 100: [("usa", usa_tariff_on_china)]}
    assert_bit_identical(raw_of(fresh(scenario, made)), raw_copy(run))
    del made[31]
    assert_bit_identical(raw_of(fresh(scenario, made)), raw_of(run.twin))


def test_the_run_and_its_twin_are_simulated_in_step(small_world):
    """When both are behind (the twin is itself a run still being simulated), each part goes to the
    one further behind, so the months simulated of both (what the page can show) grow steadily."""
    run = LiveRun(small_world, ahead=4)
    assert run.change_policy("china", strict_china_quota(run.date_of(10)), 10).accepted
    assert run.change_policy("usa", usa_tariff_on_china(run.date_of(10)), 10).accepted
    assert run.model.tick == run.twin.tick == run.ready == 14, "the twin (the quota alone) stopped at its part"
    readies = []
    while run.simulate(3):
        assert abs(run.model.tick - run.twin.tick) <= 3, "neither runs ahead of the other by more than a part"
        readies.append(run.ready)
    assert readies == sorted(readies) and readies[-1] == run.months
    assert readies[1] > 14, "the months of both grew within two parts"
    quota, tariff = ("china", strict_china_quota), ("usa", usa_tariff_on_china)
    assert_bit_identical(raw_of(fresh(small_world, {10: [quota, tariff]})), raw_copy(run))
    assert_bit_identical(raw_of(fresh(small_world, {10: [quota]})), raw_of(run.twin))
