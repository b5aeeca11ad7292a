"""A real dashboard server and a headless Chromium cut off from the network, for browser tests and
the dashboard benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def cli_server(args: list[str], timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``marketsim ARGS --port P`` on a free loopback port until it answers; yield its URL and
    process; stop it and the Solara server it starts (its own process group) afterwards."""
    port = free_port()
    log = ROOT / "tests" / "artifacts"
    log.mkdir(parents=True, exist_ok=True)
    with (log / f"{args[0]}-server-{port}.log").open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "marketsim.cli", *args, "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"marketsim {args[0]} exited with {server.returncode}; see {output.name}")
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"marketsim {args[0]} did not answer on {url} within {timeout:.0f} s")
                time.sleep(0.3)
            yield url, server
        finally:
            stop_group(server)


@contextlib.contextmanager
def dashboard_server(scenario: str = "configs/baseline_2024.toml", timeout: float = 90.0) -> Iterator[str]:
    """Start ``marketsim app`` on a free loopback port; yield its URL; stop it afterwards."""
    with cli_server(["app", "--scenario", scenario], timeout) as (url, _):
        yield url


def launch(playwright):
    """Debian's Chromium, headless, with no background traffic."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@dataclass
class Watched:
    """A page whose errors and attempted requests beyond this machine are recorded."""

    page: object
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def offline_page(browser, width: int = 1500, height: int = 1000, **context_options) -> Watched:
    """A new page in its own browser context (its own session) that may reach only 127.0.0.1."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **context_options)
    page = context.new_page()
    watched = Watched(page)

    def route(request_route):
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            watched.external.append(url)
            request_route.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and watched.errors.append(f"console: {message.text}"))
    return watched


def open_dashboard(watched: Watched, url: str, timeout: float = 90_000) -> None:
    """Load the dashboard and wait until its status line and charts are there."""
    page = watched.page
    page.goto(url)
    page.locator(".run-status").wait_for(timeout=timeout)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 7", timeout=timeout)


def month(page) -> int:
    """The month the dashboard's status line shows."""
    text = page.locator(".run-status").inner_text()
    return int(text.split("Month ", 1)[1].split(" ", 1)[0])


def chart_data(page, name: str) -> list[dict]:
    """The traces drawn in a chart (``prices``, ``shares``, ...): name, x and y."""
    return page.evaluate(
        """(name) => Array.from(document.querySelector(`.chart-${name} .js-plotly-plot`).data || [])
                 .map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}))""",
        name,
    )


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextlib.contextmanager
def game_server(
    db: Path, timeout: float = 90.0, options: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start ``marketsim game`` (with ``options``) on a free loopback port with the rooms in ``db``;
    yield its URL and process; stop it (and the Solara server it started) afterwards."""
    with cli_server(["game", "--db", str(db), *options], timeout) as served:
        yield served


def stop_group(server: subprocess.Popen) -> None:
    """Terminate a process started with ``start_new_session=True`` and its children."""
    import signal  # noqa: PLC0415

    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # the Solara child, if it outlived its parent
        os.killpg(server.pid, signal.SIGTERM)
