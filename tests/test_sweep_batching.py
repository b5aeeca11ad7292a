"""Sweep batches sized by measurement: small first, about a second of runs each, shrinking at the end."""

from __future__ import annotations

from marketsim.sweep.execute import MAX_BATCH, TASK_SECONDS, BatchSizer


def test_first_tasks_hold_one_run_until_a_run_has_been_timed():
    sizer = BatchSizer(slots=2)
    assert [sizer.size(10_000) for _ in range(4)] == [1, 1, 1, 1]


def test_batches_hold_about_a_task_length_of_runs_once_measured():
    sizer = BatchSizer(slots=2)
    sizer.measured(1, TASK_SECONDS / 10)
    assert sizer.size(10_000) == 10
    sizer.measured(10, TASK_SECONDS * 2)  # slower runs than first measured: smaller batches
    assert sizer.size(10_000) < 10


def test_fast_runs_are_batched_up_to_the_most_a_task_holds():
    sizer = BatchSizer(slots=2)
    sizer.measured(4, 1e-5)
    assert sizer.size(10_000) == MAX_BATCH


def test_batches_shrink_to_single_runs_as_the_sweep_ends():
    sizer = BatchSizer(slots=2)
    sizer.measured(1, TASK_SECONDS / 50)
    sizes, remaining = [], 400
    while remaining:
        size = sizer.size(remaining)
        assert 1 <= size <= -(-remaining // 4)  # at most half a slot's share of what is left
        sizes.append(size)
        remaining -= size
    assert sizes[0] == 50 and sizes[-1] == 1
    assert sizes == sorted(sizes, reverse=True)


def test_a_chosen_batch_size_is_kept():
    sizer = BatchSizer(slots=2, chosen=7)
    sizer.measured(7, 100.0)
    assert sizer.size(3) == 7
