"""The validation report: its fast subset runs end to end, and its stability figures are right."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import CONFIGS, ROOT

from marketsim.calibration.stability import stability_checks
from marketsim.calibration.statistics import TidyTable, month_label
from marketsim.calibration.targets import load_targets

TARGETS = CONFIGS / "targets" / "history_2010.toml"
HISTORIES = sorted(CONFIGS.glob("history_*.toml"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _baseline_like(ndpr: np.ndarray, dytb: np.ndarray, share: float) -> TidyTable:
    rows = []
    for tick in range(len(ndpr)):
        date = month_label(2024 * 12 + tick)
        rows += [
            (date, "price", "ndpr", "world", ndpr[tick]),
            (date, "price", "dytb", "world", dytb[tick]),
            (date, "china_share_separation", "all", "world", share),
        ]
    return TidyTable(pd.DataFrame(rows, columns=["date", "metric", "good", "region", "value"]))


MONTHS = 12 * 30


def test_a_calm_baseline_passes_every_stability_check():
    calm = [_baseline_like(np.full(MONTHS, 56.0 + seed), np.full(MONTHS, 260.0), 0.85) for seed in range(3)]
    checks = stability_checks(calm)
    assert [check.passed for check in checks] == [True] * 6, checks


def test_a_cycling_baseline_fails_the_price_checks():
    months = np.arange(MONTHS)
    cycle = np.exp(1.5 * np.sin(2 * np.pi * months / 90.0))  # swings of e^1.5 = 4.5x each way every 7.5 years
    runs = [_baseline_like(56.0 * cycle ** (1 + 0.3 * seed), 260.0 * cycle, 0.97) for seed in range(3)]
    by_name = {check.name.split(",")[0].split(" (")[0]: check for check in stability_checks(runs)}
    assert not by_name["World NdPr"].passed
    assert not by_name["Log standard deviation of annual world NdPr prices"].passed
    assert not by_name["Log standard deviation of annual world Dy/Tb prices"].passed
    assert not by_name["China's share of separation"].passed  # 97 % is above the 75-95 % band
    end_cv = next(check for check in stability_checks(runs) if check.name.startswith("Coefficient"))
    assert "2053" in end_cv.name


@pytest.fixture(scope="module")
def fast_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validation")
    out = folder / "validation.md"
    command = [sys.executable, str(ROOT / "docs" / "make_validation.py"), "--fast", "--out", str(out)]
    subprocess.run(command, check=True, cwd=folder, capture_output=True, text=True, timeout=300)
    return out


def test_fast_report_shows_every_pattern_against_the_model(fast_report):
    text = fast_report.read_text()
    for target in load_targets(TARGETS).targets:
        assert f"| {target.id} |" in text
    for pattern in range(1, 10):
        assert f"| K{pattern} | pass" in text or f"| K{pattern} | FAIL" in text


def test_fast_report_shows_stability_and_a_figure_per_historical_scenario(fast_report):
    text = fast_report.read_text()
    section = text.split("## Stability", 1)[1].split("\n## ", 1)[0]
    assert section.count("| pass |") + section.count("| FAIL |") == 6
    assert HISTORIES, "configs/history_*.toml"
    for path in [*HISTORIES, CONFIGS / "baseline_2024.toml"]:
        figure = fast_report.parent / "img" / "validation" / f"{path.stem}.png"
        assert f"(img/validation/{path.stem}.png)" in text
        assert figure.read_bytes().startswith(PNG_SIGNATURE)


def test_committed_report_is_in_step_with_the_targets_and_scenarios():
    text = (ROOT / "docs" / "validation.md").read_text()
    for target in load_targets(TARGETS).targets:
        assert f"| {target.id} |" in text, f"docs/validation.md lacks {target.id}: run docs/make_validation.py"
    for path in HISTORIES:
        assert (ROOT / "docs" / "img" / "validation" / f"{path.stem}.png").is_file(), f"no figure for {path.name}"
