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
