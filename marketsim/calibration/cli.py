"""The ``calibrate`` command: ABC-SMC on a target file, locally or on a Dask cluster.

Mounted into ``marketsim`` as ``marketsim calibrate``; also runs alone as
``python -m marketsim.calibration.cli TARGETS --out DIR``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
errors = Console(stderr=True)
console = Console()


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def calibrate(
    targets: Annotated[Path, typer.Argument(help="Target file (TOML), e.g. configs/targets/history_2010.toml.")],
    out: Annotated[Path, typer.Option(help="Output folder: pyabc's abc.db, accepted sets, posterior, report.")] = Path(
        "runs/calibration"
    ),
    population: Annotated[int, typer.Option(min=2, max=100_000, help="Particles accepted per generation.")] = 100,
    generations: Annotated[int, typer.Option(min=1, max=1000, help="Most generations (fewer at min_epsilon).")] = 8,
    seed: Annotated[int, typer.Option(min=0, help="Root seed: same seed, same accepted sets.")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=1024, help="Local processes when no scheduler is given.")] = 1,
    quiet: Annotated[bool, typer.Option(help="No progress lines from pyabc.")] = False,
    report_only: Annotated[bool, typer.Option(help="Write the results from --out's abc.db; no sampling.")] = False,
    transition: Annotated[
        str | None, typer.Option(help="Perturbation kernel: mvn (pyabc's default) or local (k nearest neighbours).")
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="Fit only this parameter of the target file (repeatable); others stay.")
    ] = None,
) -> None:
    """Fit the target file's parameters to its patterns with ABC-SMC and write the posterior and a report."""
    try:
        from marketsim.calibration.abc import (  # noqa: PLC0415 (pyabc is heavy)
            CalibrationError,
            report_saved_calibration,
            run_calibration,
        )
    except ImportError as error:
        _fail(f"calibration needs pyabc ({error.name} is missing): pip install 'marketsim[calibrate]'.")
    from marketsim.calibration.targets import TargetsError  # noqa: PLC0415

    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        if report_only:  # a calibration stopped early: its finished generations are in abc.db
            settings = {"root_seed": seed, "generations": generations, "transition_name": transition, "only": only}
            paths = report_saved_calibration(targets, out, **settings)
        else:
            settings = {"population": population, "generations": generations, "root_seed": seed, "only": only}
            settings |= {"scheduler": scheduler, "workers": workers, "transition_name": transition or "mvn"}
            paths = run_calibration(targets, out, **settings)
    except (TargetsError, CalibrationError) as error:
        _fail(str(error))
    console.print(f"calibration written to {escape(str(out))}: " + ", ".join(paths), highlight=False)


def main() -> None:
    """Run the command alone."""
    app()


if __name__ == "__main__":
    main()
