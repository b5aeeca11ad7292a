"""ABC-SMC calibration with pyabc: priors from a target file, one seeded run per particle, a distance to the targets.

:func:`run_calibration` reads a target file (see :mod:`marketsim.calibration.targets`), checks it
against the model with one pilot run, then runs pyabc's ABC-SMC with a sampler seeded from one
root seed (:mod:`marketsim.calibration.sampler`): in this process, a local process pool or on a
Dask cluster, with the same accepted particles. It writes pyabc's SQLite history and the results
(:mod:`marketsim.calibration.outputs`) into the output folder.
"""

from __future__ import annotations

import ast
import resource
import time
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyabc

from marketsim.calibration.outputs import FILES, Settings, weighted_quantile, write_all
from marketsim.calibration.parameters import fitted_range, midpoints, parameter_values, pyabc_name
from marketsim.calibration.sampler import (
    CHECK_STREAM,
    MAIN_STREAM,
    SeededMapSampler,
    dask_mapper,
    local_mapper,
    stream_seed,
)
from marketsim.calibration.simulate import run_statistics, run_table
from marketsim.calibration.statistics import TidyTable, metrics_read, missing_cells
from marketsim.calibration.targets import TargetsError, distance, load_targets, scenario_path
from marketsim.scenario.loading import ScenarioError, apply_overrides, load_scenario

if TYPE_CHECKING:
    from collections.abc import Iterator

    from marketsim.calibration.sampler import Mapper
    from marketsim.calibration.targets import ParameterSpec, Target, TargetFile
    from marketsim.scenario.schema import Scenario

DB_NAME = "abc.db"
SEED_LIMIT = 2**31 - 1
"""Model seeds are drawn below this."""
CONNECT_TIMEOUT_S = 10
TRANSITIONS = ("mvn", "local")
"""pyabc's perturbation kernels by name: ``mvn`` one multivariate normal over the population (pyabc's default),
``local`` a normal per particle with the covariance of its nearest neighbours (pyabc.LocalTransition)."""


class CalibrationError(ValueError):
    """A calibration that cannot start, with one sentence saying why."""


def prior(parameters: Mapping[str, ParameterSpec]) -> pyabc.Distribution:
    """The prior for pyabc: uniform on each range, or uniform on the log10 of a log-uniform range."""
    variables = {}
    for path, spec in parameters.items():
        low, high = fitted_range(spec)
        variables[pyabc_name(path, spec)] = pyabc.RV("uniform", low, high - low)
    return pyabc.Distribution(**variables)


def transition(name: str) -> pyabc.transition.Transition:
    """The perturbation kernel of pyabc named ``name`` (see :data:`TRANSITIONS`).

    Raises:
        CalibrationError: If the name is not one of :data:`TRANSITIONS`.
    """
    if name == "mvn":
        return pyabc.MultivariateNormalTransition()
    if name == "local":
        return pyabc.LocalTransition()
    raise CalibrationError(f"--transition {name!r} is unknown; use one of: {', '.join(TRANSITIONS)}.")


def fitted_subset(spec: TargetFile, only: Sequence[str] | None, source: Path) -> TargetFile:
    """The target file with only the parameters named in ``only`` fitted (None or empty: all of them).

    The others are not set, so every particle runs them at the scenario's own values.

    Raises:
        CalibrationError: If a name is not a parameter of the target file.
    """
    if not only:
        return spec
    unknown = [path for path in only if path not in spec.parameters]
    if unknown:
        listed = ", ".join(spec.parameters)
        raise CalibrationError(f"{source}: --only {unknown[0]!r} is not one of its parameters ({listed}).")
    return spec.model_copy(update={"parameters": {path: spec.parameters[path] for path in dict.fromkeys(only)}})


@dataclass(frozen=True)
class ParticleModel:
    """pyabc's model: set the particle's parameters, run on seeds drawn from the task's seeded generator."""

    scenario: Scenario
    parameters: dict[str, ParameterSpec]
    targets: tuple[Target, ...]
    years: int
    seeds: int

    def __call__(self, theta: Mapping[str, float]) -> dict[str, float]:
        """The targets' statistics for one particle, averaged over its seeds."""
        first = int(np.random.randint(0, SEED_LIMIT - self.seeds))  # noqa: NPY002 (the task's seeded global generator)
        values = parameter_values(theta, self.parameters)
        seeds = [first + k for k in range(self.seeds)]
        return run_statistics(self.scenario, values, seeds, self.years, list(self.targets))


@dataclass(frozen=True)
class TargetDistance:
    """pyabc's distance: the weighted RMS of the targets' normalised errors (the observed data is unused)."""

    targets: tuple[Target, ...]

    def __call__(self, simulated: Mapping[str, float], observed: Mapping[str, float]) -> float:
        """Distance of a particle's statistics to the targets."""
        return distance(list(self.targets), dict(simulated))


@dataclass(frozen=True)
class Problem:
    """A checked calibration problem: the target file, its scenario and a pilot run's timing."""

    targets_path: Path
    spec: TargetFile
    scenario: Scenario
    scenario_file: Path
    pilot_seconds: float


def _check_parameters(scenario: Scenario, parameters: Mapping[str, ParameterSpec], source: Path) -> None:
    for path, value in midpoints(parameters).items():
        for edge in (value, parameters[path].low, parameters[path].high):
            try:
                apply_overrides(scenario, [f"{path}={edge!r}"], str(source))
            except ScenarioError as error:
                reason = str(error).splitlines()[-1]
                raise CalibrationError(f"{source}: parameter {path!r} cannot be set ({reason}).") from None


def months_outside(dates: Any, targets: list[Target]) -> list[str]:
    """One sentence per target month (window, base or peak window, reference) outside a run's months."""
    months = sorted({str(date)[:7] for date in dates})
    first, last = months[0], months[-1]
    problems = []
    for target in targets:
        named = [target.window, target.base_window, target.peak_window, (target.reference, target.reference)]
        for month in sorted({month for pair in named if pair is not None for month in pair if month is not None}):
            if not first <= month <= last:
                problems.append(f"target {target.id}: month {month} lies outside the run ({first} to {last})")
    return problems


def prepare(targets_path: str | Path, only: Sequence[str] | None = None) -> Problem:
    """Load a target file and its scenario, keep the parameters in ``only`` (None: all), check them, make a pilot run.

    Raises:
        TargetsError: If the target file is missing or invalid.
        CalibrationError: If the scenario, a parameter or a target's series does not fit the model.
    """
    targets_path = Path(targets_path)
    spec = fitted_subset(load_targets(targets_path), only, targets_path)
    if not spec.parameters:
        raise CalibrationError(f"{targets_path}: [parameters] is empty; name at least one parameter to fit.")
    scenario_file = scenario_path(targets_path, spec.run)
    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as error:
        raise CalibrationError(f"{scenario_file}: invalid scenario ({str(error).splitlines()[0]}).") from None
    _check_parameters(scenario, spec.parameters, targets_path)
    started = time.perf_counter()
    table = run_table(scenario, midpoints(spec.parameters), seed=0, years=spec.run.years)
    problems = missing_cells(TidyTable(table, metrics_read(spec.targets)), spec.targets)
    problems += months_outside(table["date"], spec.targets)
    if problems:
        raise CalibrationError(f"{targets_path}: {problems[0]} (run of {scenario_file.name}).")
    return Problem(targets_path, spec, scenario, scenario_file, time.perf_counter() - started)


def _check_folder(out_dir: Path) -> Path:
    if out_dir.exists() and not out_dir.is_dir():
        raise CalibrationError(f"{out_dir}: is a file, expected an output folder.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CalibrationError(f"{out_dir}: cannot create the output folder ({error.strerror}).") from None
    return out_dir


def _clear_folder(out_dir: Path) -> None:
    """Remove a previous calibration's files, so that pyabc starts a fresh history."""
    for name in (DB_NAME, *FILES):
        (out_dir / name).unlink(missing_ok=True)


@contextmanager
def _mapper(scheduler: str | None, workers: int) -> Iterator[tuple[Mapper, str]]:
    if scheduler is None:
        with local_mapper(workers) as mapper:
            yield mapper, f"local, {workers} process{'es' if workers > 1 else ''}"
        return
    from dask.distributed import Client  # noqa: PLC0415 (dask is needed only for a cluster)

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except Exception as error:  # any failure to connect is reported the same way
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CalibrationError(f"cannot reach the Dask scheduler at {scheduler} ({reason}).") from None
    try:
        yield dask_mapper(client), f"Dask scheduler {scheduler}"
    finally:
        client.close()


def _start_history(smc: pyabc.ABCSMC, database: Path, problem: Problem, transition_name: str) -> None:
    """A fresh pyabc history; its options record the transition and the fitted parameters (for --report-only)."""
    observed = {target.id: target.target[0] for target in problem.spec.targets}
    meta = {"transition": transition_name, "fitted": list(problem.spec.parameters)}
    smc.new(f"sqlite:///{database.resolve()}", observed, meta_info=meta)


def cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_calibration(
    targets_path: str | Path,
    out_dir: str | Path,
    *,
    population: int,
    generations: int,
    root_seed: int,
    scheduler: str | None = None,
    workers: int = 1,
    transition_name: str = "mvn",
    only: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Calibrate a scenario's parameters to a target file with ABC-SMC; return the files written, by name.

    Args:
        targets_path: The target file (e.g. ``configs/targets/history_2010.toml``).
        out_dir: Folder for pyabc's history (``abc.db``) and the results.
        population: Particles accepted per generation.
        generations: Largest number of generations (fewer if ``run.min_epsilon`` is reached).
        root_seed: Seed from which every task and model run draws its own.
        scheduler: Address of a ``dask.distributed`` scheduler; None runs locally.
        workers: Local worker processes when no scheduler is given (1: in this process).
        transition_name: pyabc's perturbation kernel, one of :data:`TRANSITIONS`.
        only: The target file's parameters to fit (None: all); the others keep the scenario's values.

    Raises:
        TargetsError: If the target file is missing or invalid.
        CalibrationError: If anything else stops the calibration from starting.
    """
    if population < 2 or generations < 1 or workers < 1 or root_seed < 0:
        raise CalibrationError("population must be at least 2, generations and workers at least 1, the seed >= 0.")
    kernel = transition(transition_name)
    problem = prepare(targets_path, only)
    out_dir = _check_folder(Path(out_dir))
    run, targets = problem.spec.run, tuple(problem.spec.targets)
    model = ParticleModel(problem.scenario, dict(problem.spec.parameters), targets, run.years, run.seeds_per_particle)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with _mapper(scheduler, workers) as (mapper, where):
        _clear_folder(out_dir)
        np.random.seed(stream_seed(root_seed, MAIN_STREAM, 0))  # noqa: NPY002 (pyabc draws from the global generator)
        smc = pyabc.ABCSMC(
            model,
            prior(problem.spec.parameters),
            TargetDistance(targets),
            population_size=population,
            eps=pyabc.QuantileEpsilon(alpha=run.epsilon_quantile),
            transitions=kernel,
            sampler=SeededMapSampler(root_seed, mapper),
        )
        _start_history(smc, out_dir / DB_NAME, problem, transition_name)
        history = smc.run(minimum_epsilon=run.min_epsilon, max_nr_populations=generations)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    settings = Settings(
        problem.targets_path, problem.scenario_file, root_seed, population, generations, where,
        seconds, problem.pilot_seconds, cpu, transition_name, _fixed(problem),
    )  # fmt: skip
    check = check_posterior(problem, history, root_seed)
    return write_all(out_dir, history, problem.spec, settings, check)


def _fixed(problem: Problem) -> tuple[str, ...]:
    """The target file's parameters this calibration did not fit (they keep the scenario's values)."""
    return tuple(path for path in load_targets(problem.targets_path).parameters if path not in problem.spec.parameters)


def saved_settings(history: Any) -> dict[str, Any]:
    """The transition and fitted parameters a saved history was started with (before they were recorded: mvn, all)."""
    try:
        recorded = ast.literal_eval(history.get_abc().json_parameters)
    except (ValueError, SyntaxError):
        recorded = None
    recorded = recorded if isinstance(recorded, dict) else {}
    return {"transition": recorded.get("transition", "mvn"), "fitted": recorded.get("fitted")}


def report_saved_calibration(
    targets_path: str | Path,
    out_dir: str | Path,
    *,
    root_seed: int,
    generations: int,
    transition_name: str | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write the results of a calibration from the ``abc.db`` in its folder, without sampling again.

    For a calibration stopped before its last generation (the history keeps every finished one), or
    to rewrite an older report. The wall time is pyabc's sum over generations; CPU time is unknown.

    Args:
        targets_path: The target file the calibration ran on.
        out_dir: The calibration's folder, holding ``abc.db``.
        root_seed: The calibration's root seed (it seeds the runs that check the posterior).
        generations: The largest number of generations the calibration was started with.
        transition_name: The transition it ran with (None: as recorded in the history; a different one is refused).
        only: The parameters it fitted (None: as recorded in the history; the history must fit exactly these).

    Raises:
        TargetsError: If the target file is missing or invalid.
        CalibrationError: If the folder holds no finished generation, or the history does not fit the target file.
    """
    if transition_name is not None:
        transition(transition_name)  # an unknown name is refused as such, before the history is read
    database = Path(out_dir) / DB_NAME
    if not database.is_file():
        raise CalibrationError(f"{out_dir}: no {DB_NAME} here; run the calibration first.")
    try:
        history = pyabc.History(f"sqlite:///{database.resolve()}", create=False)
        last, recorded = history.max_t, saved_settings(history)
    except Exception:  # any unreadable database is reported the same way
        raise CalibrationError(f"{database}: not a readable pyabc history.") from None
    if last is None or last < 0:
        raise CalibrationError(f"{database}: the calibration has not finished a generation yet.")
    if transition_name is not None and transition_name != recorded["transition"]:
        raise CalibrationError(f"{database}: it ran with --transition {recorded['transition']}, not {transition_name}.")
    problem = prepare(targets_path, only or recorded["fitted"])
    fitted = set(history.get_distribution(m=0, t=history.max_t)[0].columns)
    expected = {pyabc_name(path, spec) for path, spec in problem.spec.parameters.items()}
    if fitted != expected:
        raise CalibrationError(f"{database}: its parameters are not those of {problem.targets_path.name}.")
    populations = history.get_all_populations()
    settings = Settings(
        problem.targets_path, problem.scenario_file, root_seed, int(populations["particles"].iloc[-1]),
        generations, "a saved history (abc.db)", float(populations["wall_time"].sum()),
        problem.pilot_seconds, None, recorded["transition"], _fixed(problem),
    )  # fmt: skip
    return write_all(Path(out_dir), history, problem.spec, settings, check_posterior(problem, history, root_seed))


def check_posterior(problem: Problem, history: Any, root_seed: int, seeds: int = 3) -> dict[str, Any]:
    """Run the posterior's weighted-median parameters on a few seeds and compute every target's statistic."""
    spec = problem.spec
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    theta = {name: weighted_quantile(frame[name].to_numpy(), weights, 0.5) for name in frame.columns}
    values = parameter_values(theta, spec.parameters)
    seed_list = [stream_seed(root_seed, CHECK_STREAM, k) for k in range(seeds)]
    statistics = run_statistics(problem.scenario, values, seed_list, spec.run.years, spec.targets)
    return {"values": values, "seeds": seed_list, "statistics": statistics}


__all__ = ["CalibrationError", "TargetsError", "report_saved_calibration", "run_calibration"]
