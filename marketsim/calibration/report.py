"""The validation report (docs/validation.md): calibration patterns, the baseline's stability, historical paths.

Written by ``docs/make_validation.py``. Every figure comes from runs of the shipped scenarios as
they are, on fixed seeds, so the report is the same each time it is made on the same model.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from marketsim.calibration.figures import baseline_figure, history_figure
from marketsim.calibration.simulate import run_table
from marketsim.calibration.stability import StabilityCheck, annual_prices, stability_checks
from marketsim.calibration.statistics import TidyTable, metrics_read, statistics
from marketsim.calibration.targets import load_targets, normalised_error, scenario_path
from marketsim.scenario.loading import load_scenario

if TYPE_CHECKING:
    from marketsim.calibration.targets import Target

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ReportOptions:
    """What the report runs: seeds and run lengths (None: the scenario's own length)."""

    seeds: int = 5
    history_years: int | None = None
    baseline_years: int = 30
    targets: Path = ROOT / "configs" / "targets" / "history_2010.toml"
    baseline: Path = ROOT / "configs" / "baseline_2024.toml"
    points: Path = ROOT / "configs" / "targets" / "price_points.toml"
    histories: tuple[Path, ...] = ()

    @classmethod
    def fast(cls) -> ReportOptions:
        """Two seeds, short runs: the subset the test suite runs."""
        return cls(seeds=2, history_years=4, baseline_years=12)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _median(values: list[float]) -> float:
    finite = [value for value in values if math.isfinite(value)]
    return float(np.median(finite)) if finite else math.nan


def _target_row(target: Target, values: list[float]) -> str:
    median = _median(values)
    passing = sum(normalised_error(target, value) <= 1 for value in values)
    error = normalised_error(target, median)
    low, high = target.target
    wanted = _fmt(low) if low == high else f"{_fmt(low)}-{_fmt(high)}"
    spread = f"{_fmt(min(values))}-{_fmt(max(values))}" if len(values) > 1 else ""
    unit = "months" if target.scale == "linear" and target.statistic == "peak_delay" else ""
    tolerance = f"{'log ' if target.scale == 'log' else ''}{target.tolerance:g}{' ' + unit if unit else ''}"
    return (
        f"| {target.id} | {target.description} | {wanted} | {tolerance} | {_fmt(median)} | {spread} | "
        f"{error:.2f} | {'pass' if error <= 1 else 'FAIL'} ({passing}/{len(values)}) |"
    )


def pattern_section(options: ReportOptions, seeds: list[int]) -> list[str]:
    """The table of calibration patterns (K1-K9) against the model, on several seeds."""
    spec = load_targets(options.targets)
    scenario = load_scenario(scenario_path(options.targets, spec.run))
    years = options.history_years or spec.run.years
    metrics = metrics_read(spec.targets)
    per_seed = [statistics(TidyTable(run_table(scenario, {}, seed, years), metrics), spec.targets) for seed in seeds]
    lines = [
        "## Calibration patterns K1-K9 (REFERENCE §10)",
        "",
        f"`{scenario.scenario.name}` as shipped, {years} years, seeds {', '.join(map(str, seeds))}; targets, "
        f"tolerances and sources in `{_shown(options.targets)}`. Model: median over seeds, then the "
        "range; error: distance from the target range over the tolerance (pass at 1 or less) for the median, "
        "and in brackets the seeds that pass.",
        "",
        "| target | statistic | target | tolerance | model | seeds' range | error | result |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    lines += [_target_row(target, [stats[target.id] for stats in per_seed]) for target in spec.targets]
    lines += ["", "| pattern | result (targets passed at the median) |", "|---|---|"]
    for pattern in dict.fromkeys(target.pattern for target in spec.targets):
        members = [target for target in spec.targets if target.pattern == pattern]
        passed = sum(normalised_error(t, _median([stats[t.id] for stats in per_seed])) <= 1 for t in members)
        verdict = "pass" if passed == len(members) else "FAIL"
        lines.append(f"| {pattern} | {verdict} ({passed}/{len(members)}) |")
    return [*lines, ""]


def _check_row(check: StabilityCheck) -> str:
    return f"| {check.name} | {check.target} | {check.value} | {'pass' if check.passed else 'FAIL'} |"


def stability_section(options: ReportOptions, seeds: list[int], img_dir: Path, docs_dir: Path) -> list[str]:
    """The baseline's stability figures across seeds, and a figure of its prices."""
    scenario = load_scenario(options.baseline)
    metrics = {"price", "china_share_separation"}
    tables = [TidyTable(run_table(scenario, {}, seed, options.baseline_years), metrics) for seed in seeds]
    checks = stability_checks(tables)
    annual = {good: {seed: annual_prices(table, good)[1] for seed, table in zip(seeds, tables, strict=True)}
              for good in ("ndpr", "dytb")}  # fmt: skip
    first_year = annual_prices(tables[0], "ndpr")[0][0]
    figure = baseline_figure(annual, first_year, img_dir / "baseline_2024.png")
    return [
        "## Stability of the no-policy baseline (issue 13's targets)",
        "",
        f"`{scenario.scenario.name}`, {options.baseline_years} years, seeds {', '.join(map(str, seeds))}. "
        "Prices are annual means of the world price (purchase-weighted); shares are annual means.",
        "",
        "| check | target | model | result |",
        "|---|---|---|---|",
        *(_check_row(check) for check in checks),
        "",
        f"![baseline prices across seeds]({figure.relative_to(docs_dir).as_posix()})",
        "",
    ]


def history_section(options: ReportOptions, seeds: list[int], img_dir: Path, docs_dir: Path) -> list[str]:
    """One figure per historical scenario: its prices beside REFERENCE §5 and §10."""
    points = tomllib.loads(options.points.read_text(encoding="utf-8"))["points"]
    histories = options.histories or tuple(sorted((ROOT / "configs").glob("history_*.toml")))
    lines = [
        "## Historical scenarios beside the data",
        "",
        "Prices outside China (mean of the USA and the EU, standing for FOB China) and China's domestic price; "
        f"median and range over seeds {', '.join(map(str, seeds))}; black: REFERENCE §5 (annual averages, drawn "
        "at mid-year) and §10 (the 2010-2012 episode). Only the patterns of §10 may be calibrated; every later "
        "year and every other historical scenario is judged untuned.",
        "",
    ]
    for path in histories:
        scenario = load_scenario(path)
        tables = [TidyTable(run_table(scenario, {}, seed, options.history_years), {"price"}) for seed in seeds]
        figure = history_figure(scenario.scenario.name, tables, points, img_dir / f"{path.stem}.png")
        lines += [f"### {scenario.scenario.name}", "", f"![{path.stem}]({figure.relative_to(docs_dir).as_posix()})", ""]
    return lines


def validation_markdown(options: ReportOptions, img_dir: Path, docs_dir: Path) -> str:
    """Run everything the report shows, write its figures into ``img_dir``, and return its Markdown."""
    img_dir.mkdir(parents=True, exist_ok=True)
    seeds = list(range(1, options.seeds + 1))
    lines = [
        "# Validation",
        "",
        "Generated by `python docs/make_validation.py` (do not edit by hand). It shows the model as it is: "
        "the calibration patterns of REFERENCE §10, the stability targets of issue 13 and the historical "
        "scenarios beside their data. Where the model fails a target, the table says so.",
        "",
        *pattern_section(options, seeds),
        *stability_section(options, seeds, img_dir, docs_dir),
        *history_section(options, seeds, img_dir, docs_dir),
        "## Closing note",
        "",
        "No parameter in these runs was fitted to prices outside REFERENCE §10: the later years of "
        "`history_2009` and every other historical scenario are shown untuned.",
        "",
    ]
    return "\n".join(lines)


def write_validation(out: Path, img_dir: Path, options: ReportOptions) -> Path:
    """Write the validation report and its figures.

    Args:
        out: The Markdown file (docs/validation.md).
        img_dir: Folder for the figures (docs/img/validation).
        options: Seeds and run lengths.

    Returns:
        The Markdown file written.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(validation_markdown(options, img_dir, out.parent))
    return out
