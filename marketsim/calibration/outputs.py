"""What a calibration writes: accepted parameter sets, posterior ranges, a manifest and a Markdown report."""

from __future__ import annotations

import hashlib
import json
import math
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from marketsim.calibration.parameters import LOG_PREFIX, fitted_range, pyabc_name
from marketsim.calibration.targets import normalised_error, pattern_results

if TYPE_CHECKING:
    from marketsim.calibration.targets import TargetFile

FILES = ("accepted.parquet", "posterior.csv", "posterior.json", "manifest.json", "report.md")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Settings:
    """How a calibration was run, for the manifest and the report."""

    targets_path: Path
    scenario_file: Path
    root_seed: int
    population: int
    generations: int
    where: str
    seconds: float
    pilot_seconds: float
    cpu_seconds: float | None = None
    """CPU seconds of this process and its local workers (None: not measured, e.g. a report from a saved history)."""
    transition: str = "mvn"
    """pyabc's perturbation kernel (marketsim.calibration.abc.TRANSITIONS)."""
    fixed: tuple[str, ...] = ()
    """The target file's parameters not fitted (--only): they keep the scenario's values."""


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float) -> float:
    """The quantile of weighted values (the value where the cumulative weight first reaches it)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(np.asarray(weights, dtype=float)[order])
    position = int(np.searchsorted(cumulative, quantile * cumulative[-1]))
    return float(np.asarray(values, dtype=float)[order][min(position, len(order) - 1)])


def effective_sample_sizes(accepted: pd.DataFrame) -> list[float]:
    """Kish's effective sample size of each generation's weights (the population when all weigh the same)."""
    sizes = []
    for _, weights in accepted.groupby("generation")["weight"]:
        shares = weights.to_numpy() / weights.sum()
        sizes.append(float(1.0 / np.sum(shares**2)))
    return sizes


def _natural(name: str, values: pd.Series, names: dict[str, str]) -> tuple[str, pd.Series]:
    path = names[name]
    return path, (10.0**values if name.startswith(LOG_PREFIX) else values)


def accepted_table(history: Any, spec: TargetFile) -> pd.DataFrame:
    """Every generation's accepted particles: generation, weight, distance, parameters by path, statistics."""
    names = {pyabc_name(path, item): path for path, item in spec.parameters.items()}
    rows = []
    for generation in range(history.max_t + 1):
        for particle in history.get_population(t=generation).particles:
            row = {"generation": generation, "weight": particle.weight, "distance": particle.distance}
            row |= dict(_natural(name, particle.parameter[name], names) for name in names)
            row |= {f"stat:{key}": float(value) for key, value in particle.sum_stat.items()}
            rows.append(row)
    table = pd.DataFrame(rows)
    order = ["generation", *spec.parameters]
    return table.sort_values(order, kind="stable").reset_index(drop=True)


def posterior_table(accepted: pd.DataFrame, spec: TargetFile) -> pd.DataFrame:
    """Weighted quantiles and mean of each parameter in the last generation, beside its prior."""
    last = accepted[accepted["generation"] == accepted["generation"].max()]
    weights = last["weight"].to_numpy()
    rows = []
    for path, item in spec.parameters.items():
        values = last[path].to_numpy()
        row: dict[str, Any] = {"parameter": path, "prior": item.prior, "prior_low": item.low, "prior_high": item.high}
        row |= {f"q{round(q * 100):02d}": weighted_quantile(values, weights, q) for q in QUANTILES}
        row["mean"] = float(np.average(values, weights=weights))
        low, high = fitted_range(item)
        fitted = np.log10(values) if item.prior == "log-uniform" else values
        spread = weighted_quantile(fitted, weights, 0.95) - weighted_quantile(fitted, weights, 0.05)
        row["width_90_of_prior"] = float(spread / (high - low))
        rows.append(row)
    return pd.DataFrame(rows)


def _shown(path: Path) -> str:
    """A path relative to the working folder when it lies inside it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(history: Any, settings: Settings, accepted: pd.DataFrame) -> dict[str, Any]:
    """Settings, inputs' hashes, versions and the epsilon schedule of a calibration."""
    import pyabc  # noqa: PLC0415

    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    return {
        "targets": _shown(settings.targets_path),
        "targets_sha256": _sha256(settings.targets_path),
        "scenario": _shown(settings.scenario_file),
        "scenario_sha256": _sha256(settings.scenario_file),
        "root_seed": settings.root_seed,
        "population": settings.population,
        "max_generations": settings.generations,
        "transition": settings.transition,
        "fixed_at_scenario_values": list(settings.fixed),
        "generations": int(history.max_t + 1),
        "epsilons": [float(value) for value in populations["epsilon"]],
        "simulations": [int(value) for value in populations["samples"]],
        "effective_sample_sizes": [round(value, 1) for value in effective_sample_sizes(accepted)],
        "total_simulations": int(history.total_nr_simulations),
        "ran_on": settings.where,
        "seconds": round(settings.seconds, 1),
        "cpu_seconds": None if settings.cpu_seconds is None else round(settings.cpu_seconds, 1),
        "pilot_run_seconds": round(settings.pilot_seconds, 3),
        "versions": {"python": platform.python_version(), "pyabc": pyabc.__version__, "numpy": np.__version__},
    }


def _fmt(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


TRANSITION_TEXT = {
    "mvn": "pyabc's multivariate normal kernel over the whole population",
    "local": "pyabc.LocalTransition, a normal kernel per particle with its nearest neighbours' covariance",
}


def _fixed_text(facts: dict[str, Any]) -> str:
    fixed = facts.get("fixed_at_scenario_values") or []
    if not fixed:
        return "Every parameter of the target file is fitted."
    return "Not fitted, at the scenario's own values (--only): " + ", ".join(f"`{path}`" for path in fixed) + "."


def _run_lines(spec: TargetFile, facts: dict[str, Any]) -> list[str]:
    cpu = facts.get("cpu_seconds")
    cpu_text = "" if cpu is None else f" ({cpu} CPU s in this process and its local workers)"
    return [
        f"# Calibration: {Path(facts['targets']).name}",
        "",
        f"Scenario `{facts['scenario']}`, {spec.run.years} years, {spec.run.seeds_per_particle} seed(s) per particle; "
        f"root seed {facts['root_seed']}; population {facts['population']}; {facts['generations']} generation(s) "
        f"of at most {facts['max_generations']}; {facts['total_simulations']} simulations on {facts['ran_on']} "
        f"in {facts['seconds']} s{cpu_text}. Target file SHA-256 `{facts['targets_sha256'][:12]}`.",
        "",
        f"Transition: `{facts['transition']}` ({TRANSITION_TEXT.get(facts['transition'], '?')}). {_fixed_text(facts)}",
        "",
        "| generation | epsilon | simulations | acceptance | effective sample size |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {t} | {eps:.3f} | {n} | {facts['population'] / n:.0%} | {ess:.0f} |"
            for t, (eps, n, ess) in enumerate(
                zip(facts["epsilons"], facts["simulations"], facts["effective_sample_sizes"], strict=True)
            )
        ),
        "",
        "An effective sample size far below the population means a few particles carry most of the weight:",
        "the quantiles below then rest on those few.",
        "",
    ]


def _posterior_lines(posterior: pd.DataFrame) -> list[str]:
    return [
        "## Posterior (last generation, weighted)",
        "",
        "90 % width: the 5-95 % range over the prior's (on the log scale for a log-uniform prior); about 0.9 means the",
        "patterns leave the parameter where the prior put it (not identified), well below means they pin it.",
        "",
        "| parameter | prior | 5 % | 25 % | median | 75 % | 95 % | 90 % width |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| `{row.parameter}` | {row.prior} {_fmt(row.prior_low)}-{_fmt(row.prior_high)} | {_fmt(row.q05)} | "
            f"{_fmt(row.q25)} | {_fmt(row.q50)} | {_fmt(row.q75)} | {_fmt(row.q95)} | {row.width_90_of_prior:.2f} |"
            for row in posterior.itertuples()
        ),
        "",
    ]


def _target_lines(spec: TargetFile, check: dict[str, Any]) -> list[str]:
    lines = [
        f"## Targets at the posterior median (mean of {len(check['seeds'])} seeds)",
        "",
        "| target | pattern | target range | model | error / tolerance | pass |",
        "|---|---|---|---:|---:|---|",
    ]
    statistics = check["statistics"]
    for target in spec.targets:
        value = statistics[target.id]
        error = normalised_error(target, value)
        low, high = target.target
        lines.append(
            f"| {target.id} | {target.pattern} | {_fmt(low)}-{_fmt(high)} ({target.scale}) | {_fmt(value)} | "
            f"{error:.2f} | {'yes' if error <= 1 else 'no'} |"
        )
    passed = pattern_results(spec.targets, statistics)
    lines += ["", "Patterns passed: " + ", ".join(f"{k} {'yes' if ok else 'no'}" for k, ok in passed.items()) + "."]
    return lines


def _best_particle(accepted: pd.DataFrame, spec: TargetFile) -> dict[str, float]:
    """The parameters of the last generation's particle closest to the targets."""
    last = accepted[accepted["generation"] == accepted["generation"].max()]
    best = last.loc[last["distance"].idxmin()]
    return {path: float(best[path]) for path in spec.parameters} | {"distance": float(best["distance"])}


def report_text(
    spec: TargetFile, facts: dict[str, Any], posterior: pd.DataFrame, check: dict[str, Any], best: dict[str, float]
) -> str:
    """The Markdown report of a calibration."""
    best_values = {path: value for path, value in best.items() if path != "distance"}
    lines = [*_run_lines(spec, facts), *_posterior_lines(posterior), *_target_lines(spec, check)]
    lines += [
        "",
        "To use the median values (name this calibration in a comment beside them):",
        "",
        "```",
        *(f"--set {path}={value:.4g}" for path, value in check["values"].items()),
        "```",
        "",
        f"The last generation's closest particle (distance {best['distance']:.3f} on its own seed):",
        "",
        "```",
        *(f"--set {path}={value:.4g}" for path, value in best_values.items()),
        "```",
        "",
    ]
    return "\n".join(lines)


def write_all(out_dir: Path, history: Any, spec: TargetFile, settings: Settings, check: dict) -> dict[str, Path]:
    """Write the accepted sets, posterior, manifest and report; return the paths by file name."""
    paths = {name: out_dir / name for name in FILES}
    accepted = accepted_table(history, spec)
    accepted.to_parquet(paths["accepted.parquet"], index=False)
    posterior = posterior_table(accepted, spec)
    posterior.to_csv(paths["posterior.csv"], index=False)
    paths["posterior.json"].write_text(json.dumps(posterior.to_dict(orient="records"), indent=2) + "\n")
    facts = manifest(history, settings, accepted)
    facts["posterior_check"] = {"seeds": check["seeds"], "values": check["values"]}
    paths["manifest.json"].write_text(json.dumps(facts, indent=2) + "\n")
    paths["report.md"].write_text(report_text(spec, facts, posterior, check, _best_particle(accepted, spec)))
    return paths
