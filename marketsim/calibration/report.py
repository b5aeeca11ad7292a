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

from marketsim.calibration.definitions import describe, outside_china_price, regions_text
from marketsim.calibration.figures import baseline_figure, history_figure, price_spec
from marketsim.calibration.simulate import run_table
from marketsim.calibration.stability import StabilityCheck, annual_prices, stability_checks
from marketsim.calibration.statistics import TidyTable, metrics_read, statistics
from marketsim.calibration.targets import load_targets, normalised_error, scenario_path
from marketsim.scenario.loading import load_scenario

if TYPE_CHECKING:
    from marketsim.calibration.targets import SeriesSpec, Target

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


def _wanted(target: Target) -> str:
    low, high = target.target
    return _fmt(low) if low == high else f"{_fmt(low)}-{_fmt(high)}"


def _tolerance(target: Target) -> str:
    unit = " months" if target.scale == "linear" and target.statistic == "peak_delay" else ""
    return f"{'log ' if target.scale == 'log' else ''}{target.tolerance:g}{unit}"


def _definition_row(target: Target) -> str:
    cells = [target.id, target.description, describe(target), _wanted(target), _tolerance(target), target.source]
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


def _result_row(target: Target, values: list[float]) -> str:
    median = _median(values)
    passing = sum(normalised_error(target, value) <= 1 for value in values)
    error = normalised_error(target, median)
    seeds = " | ".join(_fmt(value) for value in values)
    return (
        f"| {target.id} | {_wanted(target)} | {seeds} | {_fmt(median)} | {error:.2f} | "
        f"{'pass' if error <= 1 else 'FAIL'} ({passing}/{len(values)}) |"
    )


def _pattern_rows(targets: list[Target], per_seed: list[dict[str, float]]) -> list[str]:
    lines = ["| pattern | result (targets passed at the median) | seeds passing every target |", "|---|---|---|"]
    for pattern in dict.fromkeys(target.pattern for target in targets):
        members = [target for target in targets if target.pattern == pattern]
        passed = sum(normalised_error(t, _median([stats[t.id] for stats in per_seed])) <= 1 for t in members)
        whole = sum(all(normalised_error(t, stats[t.id]) <= 1 for t in members) for stats in per_seed)
        verdict = "pass" if passed == len(members) else "FAIL"
        lines.append(f"| {pattern} | {verdict} ({passed}/{len(members)}) | {whole}/{len(per_seed)} |")
    return lines


def _patterns_intro(targets: Path, outside: SeriesSpec | None) -> list[str]:
    lines = [
        "## Calibration patterns K1-K9 (REFERENCE §10)",
        "",
        f"Every pattern has one definition, in `{_shown(targets)}`; calibration (`marketsim calibrate`), "
        "this report and `benchmarks/bench_dynamics.py` all compute it with `marketsim.calibration.statistics`. "
        "Windows are months, both ends included.",
        "",
    ]
    if outside is not None:
        lines += [
            '"Outside China" (REFERENCE §10: FOB China, what buyers outside China paid) is the '
            f"{regions_text(outside)} of their prices: the model has no single FOB price, each importing "
            "region pays its own price (delivered cost plus the scarcity premium of buyers cut off by export "
            "controls), weighted here by the regions' shares of world use (REFERENCE §7). `imports` include "
            "material smuggled past China's controls, as importers' customs record it; `exports` are China's "
            "official exports (docs/metrics.md).",
            "",
        ]
    return lines


def pattern_section(options: ReportOptions, seeds: list[int]) -> list[str]:
    """The calibration patterns (K1-K9): each target's one definition, then the model on every seed."""
    spec = load_targets(options.targets)
    scenario = load_scenario(scenario_path(options.targets, spec.run))
    years = options.history_years or spec.run.years
    metrics = metrics_read(spec.targets)
    per_seed = [statistics(TidyTable(run_table(scenario, {}, seed, years), metrics), spec.targets) for seed in seeds]
    lines = _patterns_intro(options.targets, outside_china_price(spec.targets))
    lines += [
        "| target | what it measures | definition | target | tolerance | source |",
        "|---|---|---|---:|---|---|",
        *(_definition_row(target) for target in spec.targets),
        "",
        f"`{scenario.scenario.name}` as shipped, {years} years. Model: the statistic on each seed, their median; "
        "error: distance of the median from the target range over the tolerance (pass at 1 or less); in brackets "
        "the seeds that pass.",
        "",
        f"| target | target | {' | '.join(f'seed {seed}' for seed in seeds)} | median | error | result |",
        f"|---|---:|{'---:|' * len(seeds)}---:|---:|---|",
        *(_result_row(target, [stats[target.id] for stats in per_seed]) for target in spec.targets),
        "",
        *_pattern_rows(spec.targets, per_seed),
    ]
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
    outside = outside_china_price(load_targets(options.targets).targets) or price_spec("ndpr", ["usa", "eu"])
    lines = [
        "## Historical scenarios beside the data",
        "",
        f"Prices outside China ({regions_text(outside)}, as in the patterns above, standing for "
        "FOB China) and China's domestic price; "
        f"median and range over seeds {', '.join(map(str, seeds))}; black: REFERENCE §5 (annual averages, drawn "
        "at mid-year) and §10 (the 2010-2012 episode). Only the patterns of §10 may be calibrated; every later "
        "year and every other historical scenario is judged untuned.",
        "",
    ]
    for path in histories:
        scenario = load_scenario(path)
        tables = [TidyTable(run_table(scenario, {}, seed, options.history_years), {"price"}) for seed in seeds]
        figure = history_figure(scenario.scenario.name, tables, points, img_dir / f"{path.stem}.png", outside)
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
