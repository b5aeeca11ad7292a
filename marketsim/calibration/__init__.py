"""Calibration: fit scenario parameters to declared patterns (ABC-SMC), and validate the model against them.

``run_calibration`` needs pyabc (the ``calibrate`` extra); it is imported on first use so that the
target files and statistics work without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["run_calibration"]


def __getattr__(name: str) -> Any:
    if name == "run_calibration":
        from marketsim.calibration.abc import run_calibration  # noqa: PLC0415 (pyabc only when used)

        return run_calibration
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
