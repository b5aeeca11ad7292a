"""What a sweep's workers run: a batch of runs, and a watch on the sweep that started them.

Local pool workers and Dask workers receive these functions by reference, so this module imports
only what a run needs, and that lazily: a worker loads the model and Mesa (``marketsim.sweep.run``),
not the planning, storing and analysing modules of the sweep, nor pandas.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

PARENT_CHECK_SECONDS = 0.5
"""How often a local worker checks that the sweep that started it is still alive."""
WORKER_MODULE = "marketsim.sweep.run"
"""What a worker needs (the model and Mesa): the local pool imports it once, before it starts its
workers, and every worker starts with it loaded."""


def run_task(
    scenario_json: str, parameters: dict[str, Any], seed: int, outcomes: list[dict], years: int | None, timeseries: bool
) -> dict[str, Any]:
    """One run; any error is returned as text, never raised."""
    from marketsim.sweep.run import simulate  # noqa: PLC0415 (only workers need the model)

    try:
        return {"ok": True, **simulate(scenario_json, parameters, seed, outcomes, years, timeseries)}
    except MemoryError:
        return {"ok": False, "error": "MemoryError: the run did not fit in memory"}
    except Exception as error:  # a failing run is recorded and the sweep goes on
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def run_batch(
    scenario_json: str,
    jobs: list[tuple[dict[str, Any], int]],
    outcomes: list[dict],
    years: int | None,
    timeseries: bool,
) -> tuple[list[dict[str, Any]], float]:
    """Worker entry point: a few runs, each as :func:`run_task`, and the CPU seconds they took
    (the worker thread's own, without its first imports), which size the next batches: CPU
    time, not wall time, so that a machine loaded by other work does not shrink the batches
    (and multiply the tasks) just when its processors are scarcest."""
    import marketsim.sweep.run  # noqa: F401, PLC0415 (loaded before the clock starts)

    start = time.thread_time()
    results = [run_task(scenario_json, parameters, seed, outcomes, years, timeseries) for parameters, seed in jobs]
    return results, time.thread_time() - start


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def watch_parent(pid: int) -> None:
    """Worker initializer: exit as soon as the sweep process ``pid`` is gone (killed, even with
    SIGKILL), so no worker outlives its sweep."""

    def watch() -> None:
        while _alive(pid):
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-sweep", daemon=True).start()
