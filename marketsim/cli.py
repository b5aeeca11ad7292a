"""The ``marketsim`` command."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from marketsim.scenario.loading import ScenarioError, complete_text, load_scenario

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
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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
    # Imported here so that validate, --help and the other commands do not load the model (Mesa).
    from marketsim.reports.metrics import NonFiniteOutput  # noqa: PLC0415
    from marketsim.reports.runner import run_scenario, write_results  # noqa: PLC0415
    from marketsim.reports.summary import summary_rows  # noqa: PLC0415

    try:
        scenario = load_scenario(config, set_ or [])
    except ScenarioError as error:
        _fail(f"invalid scenario\n{error}")
    months = (years or scenario.scenario.years) * 12
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} months"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors, transient=True, disable=quiet) as bar:
        task = bar.add_task(scenario.scenario.name, total=months)
        try:
            result = run_scenario(
                scenario,
                seed=seed,
                years=years,
                source=str(config),
                overrides=set_ or [],
                progress=lambda done: bar.update(task, completed=done),
            )
        except NonFiniteOutput as error:
            _fail(f"{config}: {error}")
    folder = out or Path("runs") / f"{scenario.scenario.name}_seed{result.manifest['seed']}"
    formats = ("parquet", "csv") if output_format is OutputFormat.both else (output_format.value,)
    try:
        written = write_results(result, folder, formats)
    except OSError as error:
        _fail(f"cannot write results to {folder}: {error}")
    table = Table(
        title=f"{scenario.scenario.name}: seed {result.manifest['seed']}, "
        f"{scenario.scenario.start} + {months // 12} years"
    )
    for column in ("", "unit", "first year", "last year"):
        table.add_column(column, justify="left" if column in ("", "unit") else "right")
    for row in summary_rows(result.tidy()):
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
    console.print(
        f"{config}: valid scenario '{scenario.scenario.name}' with {len(scenario.regions)} regions, "
        f"{len(scenario.mines)} mines, {len(scenario.events)} events",
        highlight=False,
    )


@app.command()
def resolve(config: Annotated[Path, typer.Argument(help="Scenario file (TOML).")]) -> None:
    """Print a scenario as one complete file (a file that extends another, merged with its base)."""
    try:
        load_scenario(config)
        text = complete_text(config)
    except ScenarioError as error:
        _fail(f"invalid scenario\n{error}")
    typer.echo(text, nl=False)


@app.command()
def sweep(
    spec_file: Annotated[Path, typer.Argument(help="Sweep spec (TOML), e.g. configs/sweeps/quota_stockpile.toml.")],
    out: Annotated[Path | None, typer.Option(help="Output folder [sweeps/<name>].")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes [all cores].")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Run on a dask.distributed cluster: tcp://HOST:PORT.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted sweep in --out.")] = False,
    allow_code_change: Annotated[
        bool, typer.Option(help="With --resume: continue even though the code changed since the sweep started.")
    ] = False,
    timeseries: Annotated[bool, typer.Option(help="Also save each outcome's monthly series.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run a parameter sweep and stream its results to Parquet."""
    from marketsim.sweep import load_spec, run_sweep, spec_sources  # noqa: PLC0415

    try:
        spec, base = load_spec(spec_file)
        sources = spec_sources(spec_file)
    except ScenarioError as error:
        _fail(f"invalid sweep\n{error}")
    folder = out or Path("sweeps") / spec.sweep.name
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors, transient=True, disable=quiet) as bar:
        task = bar.add_task(spec.sweep.name, total=None)
        try:
            counts = run_sweep(
                spec,
                base,
                folder,
                scheduler=scheduler,
                workers=workers,
                resume=resume,
                timeseries=timeseries,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                sources=sources,
                allow_code_change=allow_code_change,
            )
        except ScenarioError as error:
            _fail(str(error))
        except OSError as error:
            _fail(f"cannot write the sweep to {folder}: {error.strerror or error}")
    console.print(
        f"{spec.sweep.name}: {counts['ran']} runs done ({counts['failed']} failed), "
        f"{counts['skipped']} already done, {counts['runs']} in all; results in {folder}",
        highlight=False,
    )
    if counts["ran"] and counts["failed"] == counts["ran"]:
        errors.print(
            f"[bold red]error:[/] every run failed; see the error column of {escape(str(folder / 'results'))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="A sweep's output folder.")],
) -> None:
    """Sensitivity indices (Sobol, Morris), summaries, seed variance and fan charts of a sweep."""
    from marketsim.sweep.analyze import analyze as analyse_sweep  # noqa: PLC0415

    if not (folder / "manifest.json").is_file():
        _fail(f"{folder}: not a sweep folder (no manifest.json)")
    try:
        written, notes = analyse_sweep(folder)
    except (ScenarioError, FileNotFoundError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write the analysis of {folder}: {error.strerror or error}")
    for note in notes:
        errors.print(f"[bold yellow]note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    for path in written:
        console.print(f"wrote {path}", highlight=False)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OFFLINE = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # Assets come from the solara-assets package; anything missing there must not be fetched from
    # a CDN, so point the fallback at a closed local port.
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    # Solara warns on every session that samesite=none cookies need https; on a local http
    # server it falls back to lax, which is right, so the warning is noise for a teacher.
    "PYTHONWARNINGS": "ignore::UserWarning:solara.server.starlette",
}
"""Environment that keeps the dashboard server from making any request beyond this machine."""


@app.command("app")
def dashboard(
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario the dashboard opens on [configs/baseline_2024.toml].")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 serves the whole network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Start the dashboard (a Solara web app) and print its address. Works offline."""
    import viz.dashboard.app  # noqa: PLC0415
    from viz.dashboard.session import CONFIG_DIR  # noqa: PLC0415

    scenario = scenario or CONFIG_DIR / "baseline_2024.toml"
    try:
        load_scenario(scenario)
    except ScenarioError as error:
        _fail(f"invalid scenario\n{error}")
    _serve(
        Path(viz.dashboard.app.__file__),
        host,
        port,
        {"MARKETSIM_SCENARIO": str(scenario.resolve())},
        "marketsim dashboard on {url} (Ctrl+C stops it)",
        "dashboard",
    )


@app.command("game")
def game(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 serves the whole network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8766,
    db: Annotated[Path, typer.Option(help="SQLite file holding the rooms (created if missing).")] = Path(
        "games.sqlite3"
    ),
    wrong_codes: Annotated[
        int,
        typer.Option(
            min=1,
            help="Wrong join codes (or keys) per device address per minute, over all its browser sessions, "
            "before that address is slowed to one try a second; each session and device gets at most 10.",
        ),
    ] = 60,
    lan: Annotated[
        bool,
        typer.Option(help="Serve the local network: phones join at this machine's LAN address (plain http)."),
    ] = False,
    password: Annotated[
        bool,
        typer.Option(
            "--password",
            help="Ask for a facilitator's password: creating rooms and opening game files need it "
            "(also $MARKETSIM_GAME_PASSWORD). Without one, only this machine can.",
        ),
    ] = False,
) -> None:
    """Start the classroom game (a Solara web app): facilitator at /, players at /join, the class's
    screen at /projector. Works offline."""
    if db.exists() and not db.is_file():
        _fail(f"{db} is not a file")
    if not db.resolve().parent.is_dir():
        _fail(f"folder {db.resolve().parent} does not exist")
    settings = {"MARKETSIM_GAME_DB": str(db.resolve()), "MARKETSIM_WRONG_CODES": str(wrong_codes)}
    secret = _facilitator_password(password)
    if secret:
        settings["MARKETSIM_GAME_PASSWORD"] = secret
    host = _game_reach(host, port, lan, settings)
    if host not in LOOPBACK and not secret:
        console.print("[yellow]No facilitator password: rooms can be created only on this machine (--password).[/]")
    app_file = Path(__file__).resolve().parents[1] / "viz" / "game" / "app.py"
    _serve(
        app_file,
        host,
        port,
        settings,
        f"marketsim game on {{url}} (players join at /join, the class's screen is /projector; Ctrl+C stops it); "
        f"rooms kept in {db}",
        "game",
    )


def _facilitator_password(ask: bool) -> str:
    """The facilitator's password: $MARKETSIM_GAME_PASSWORD, or asked for with ``--password``."""
    import os  # noqa: PLC0415

    secret = os.environ.get("MARKETSIM_GAME_PASSWORD", "")
    if ask and not secret:
        secret = typer.prompt("Facilitator's password", hide_input=True, confirmation_prompt=True)
    return secret


def _game_reach(host: str, port: int, lan: bool, settings: dict[str, str]) -> str:
    """The address to listen on; with ``--lan``, print the players' join link and its QR code
    and tell the pages the address to project. Warns when only this machine can join."""
    from marketsim.webserver import lan_address  # noqa: PLC0415

    if lan:
        host = "0.0.0.0" if host in LOOPBACK else host
        address = lan_address()
        if address is None:
            console.print("[yellow]No local network found: only this machine can join.[/]")
        else:
            settings["MARKETSIM_GAME_URL"] = f"http://{address}:{port}/"
            _print_join(f"http://{address}:{port}/join")
    elif host in LOOPBACK:
        console.print("[yellow]Only this machine can join. For phones on the same network: marketsim game --lan[/]")
    return host


def _print_join(link: str) -> None:
    """Print the players' join address and its QR code (for the teacher's terminal)."""
    import segno  # noqa: PLC0415

    console.print(f"Players join at [bold]{link}[/] (plain http on this network)", highlight=False)
    segno.make(link, error="m").terminal(compact=True)


def _serve(app_file: Path, host: str, port: int, settings: dict[str, str], banner: str, what: str) -> None:
    """Run a Solara app offline on ``host:port``, after printing its address. The Solara server
    replaces this process, so signals reach it directly and nothing is left behind."""
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    shown = f"[{host}]" if ":" in host else host
    console.print(banner.format(url=f"[bold]http://{shown}:{port}/[/]"), highlight=False)
    if host not in LOOPBACK:
        console.print(f"[yellow]Listening on {host}: anyone who can reach this machine can open the {what}.[/]")
    command = [
        sys.executable,
        "-m",
        "marketsim.webserver",
        str(app_file),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    sys.stdout.flush()
    os.execve(sys.executable, command, {**os.environ, **OFFLINE, **settings})


@app.command(
    "calibrate",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def calibrate(ctx: typer.Context) -> None:
    """Fit a target file's parameters with ABC-SMC (marketsim calibrate --help lists the options)."""
    # The calibration command is loaded only when asked for; it parses its own arguments and help.
    from marketsim.calibration.cli import app as calibration  # noqa: PLC0415

    calibration(args=ctx.args, prog_name="marketsim calibrate")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
