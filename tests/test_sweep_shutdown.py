"""Killing a sweep's main process (even with SIGKILL) leaves no worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil
from test_sweep_cli import COMMAND, spec_data, write_spec


def test_sigkill_of_the_sweep_leaves_no_worker(tmp_path, small_data):
    from _toml_text import dumps  # noqa: PLC0415

    (tmp_path / "small.toml").write_text(dumps(small_data), encoding="utf-8")
    path = write_spec(tmp_path, spec_data(samples=60, years=3))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}
    sweep = subprocess.Popen(
        [*COMMAND, "sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            family = psutil.Process(sweep.pid).children(recursive=True)
            if len([p for p in family if "resource_tracker" not in " ".join(p.cmdline())]) >= 3:
                break  # forkserver and two workers
            time.sleep(0.2)
        assert len(family) >= 3, [p.cmdline() for p in family]
        time.sleep(1.0)
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(timeout=30)
        _, alive = psutil.wait_procs(family, timeout=15)
        assert not alive, [f"{p.pid}: {' '.join(p.cmdline())}" for p in alive]
    finally:
        if sweep.poll() is None:
            sweep.kill()
        for process in family:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
