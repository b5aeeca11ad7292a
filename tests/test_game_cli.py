"""``marketsim game``: bad arguments exit 2 before any server starts (the server itself is tested
in test_game_browser.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def marketsim(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "marketsim.cli", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--port", "http"], ["--bogus"]])
def test_bad_options_exit_2(tmp_path, args):
    proc = marketsim("game", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "games.sqlite3").exists()


def test_database_in_a_missing_folder_exits_2(tmp_path):
    proc = marketsim("game", "--db", tmp_path / "nowhere" / "g.db", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "error:" in proc.stderr and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_names_the_options(tmp_path):
    proc = marketsim("game", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    for option in ("--host", "--port", "--db"):
        assert option in proc.stdout


def test_lan_serves_the_network_and_prints_the_join_link_with_a_qr_code(monkeypatch, capsys):
    from marketsim import cli, webserver  # noqa: PLC0415

    monkeypatch.setattr(webserver, "lan_address", lambda: "192.168.1.20")
    settings: dict[str, str] = {}
    assert cli._game_reach("127.0.0.1", 8766, True, settings) == "0.0.0.0"
    assert settings["MARKETSIM_GAME_URL"] == "http://192.168.1.20:8766/"  # what the pages project
    out = capsys.readouterr().out
    assert "http://192.168.1.20:8766/join" in out and "plain http" in out
    assert sum("█" in line or "▀" in line or "▄" in line for line in out.splitlines()) >= 10  # the QR code


@pytest.mark.parametrize("lan", [True, False])
def test_a_game_only_this_machine_can_join_says_so(monkeypatch, capsys, lan):
    from marketsim import cli, webserver  # noqa: PLC0415

    monkeypatch.setattr(webserver, "lan_address", lambda: None)
    settings: dict[str, str] = {}
    cli._game_reach("127.0.0.1", 8766, lan, settings)
    assert "only this machine can join" in capsys.readouterr().out.lower()
    assert "MARKETSIM_GAME_URL" not in settings
