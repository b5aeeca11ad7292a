"""The ``marketsim`` command."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from marketsim.loading import ScenarioError, load_scenario
from marketsim.runner import run_scenario, write_results
from marketsim.summary import summarise

app = typer.Typer(
    help="marketsim: an agent-based model of the rare-earth supply chain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


class OutputFormat(StrEnum):
    """File formats for the time series."""

    parquet = "parquet"
    csv = "csv"
    both = "both"


FORMAT = OutputFormat.parquet


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Scenario file (TOML), e.g. configs/baseline_2024.toml.")],
    years: Annotated[int | None, typer.Option(min=1, max=100, help="Years to simulate [scenario's].")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed [scenario's].")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder [runs/<scenario>_seed<seed>].")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: dotted.path=value (repeatable).")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Time-series file format.")] = FORMAT,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run a scenario, write its time series and manifest, and print a summary."""
    try:
        scenario = load_scenario(config, set_ or [])
    except ScenarioError as error:
        _fail(f"invalid scenario\n{error}")
    months = (years or scenario.scenario.years) * 12
    columns = (TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total} months"), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True, disable=quiet) as bar:
        task = bar.add_task(scenario.scenario.name, total=months)
        result = run_scenario(scenario, seed=seed, years=years, source=str(config), overrides=set_ or [],
                              progress=lambda done: bar.update(task, completed=done))
    folder = out or Path("runs") / f"{scenario.scenario.name}_seed{result.manifest['seed']}"
    formats = ("parquet", "csv") if output_format is OutputFormat.both else (output_format.value,)
    try:
        written = write_results(result, folder, formats)
    except OSError as error:
        _fail(f"cannot write results to {folder}: {error}")
    table = Table(title=f"{scenario.scenario.name}: seed {result.manifest['seed']}, "
                        f"{scenario.scenario.start} + {months // 12} years")
    for column in ("", "unit", "first year", "last year"):
        table.add_column(column, justify="left" if column in ("", "unit") else "right")
    for row in summarise(result.table).itertuples():
        table.add_row(row.headline, row.unit, f"{row.first_year:,.1f}", f"{row.last_year:,.1f}")
    console.print(table)
    for path in written:
        console.print(f"wrote {path}", highlight=False)


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a value: dotted.path=value.")] = None,
) -> None:
    """Check a scenario file and report every problem found."""
    try:
        scenario = load_scenario(config, set_ or [])
    except ScenarioError as error:
        _fail(f"invalid scenario\n{error}")
    console.print(f"{config}: valid scenario '{scenario.scenario.name}' with {len(scenario.regions)} regions, "
                  f"{len(scenario.mines)} mines, {len(scenario.events)} events", highlight=False)


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
