"""The game server's stack sampler for ``benchmarks/bench_game.py --profile``.

Loaded by the server as ``sitecustomize`` (see :func:`profiler`): when ``MARKETSIM_SAMPLE_DIR`` is
set, a thread samples every thread's stack and its CPU time (from /proc) while the control folder
holds a file ``on``, and writes ``profile.txt`` there when a file ``dump`` appears.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import threading
import time
from pathlib import Path

_DIR = os.environ.get("MARKETSIM_SAMPLE_DIR")


def _name(code):
    path = code.co_filename
    for mark in ("site-packages/", "/lib/python3.12/", "/marketsim/", "/viz/"):
        if mark in path:
            path = (mark[1:] if mark in ("/marketsim/", "/viz/") else "") + path.rsplit(mark, 1)[1]
            break
    return f"{path}:{code.co_name}"


def _runtime(tid):
    try:
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return None


def _report(inclusive, own, seconds, cpu):
    total = sum(own.values())
    lines = [f"sampled {seconds:.1f} s; server CPU {cpu:.2f} s; attributed to stacks {total / 1e9:.2f} s"]
    lines.append("== inclusive CPU (share of attributed) ==")
    lines += [f"{n / max(total, 1):6.1%} {n / 1e9:7.2f}s {k}" for k, n in inclusive.most_common(150)]
    lines.append("== self ==")
    lines += [f"{n / max(total, 1):6.1%} {n / 1e9:7.2f}s {k}" for k, n in own.most_common(80)]
    with open(os.path.join(_DIR, "profile.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


def _sample():
    inclusive, own, last = collections.Counter(), collections.Counter(), {}
    me, started, cpu0 = threading.get_ident(), None, 0.0
    while True:
        on = os.path.exists(os.path.join(_DIR, "on"))
        if on and started is None:
            inclusive.clear(), own.clear(), last.clear()
            started, cpu0 = time.perf_counter(), sum(os.times()[:2])
        if os.path.exists(os.path.join(_DIR, "dump")):
            seconds = time.perf_counter() - started if started else 0.0
            _report(inclusive, own, seconds, sum(os.times()[:2]) - cpu0)
            os.remove(os.path.join(_DIR, "dump"))
            started = None
        if not on:
            started = None
            time.sleep(0.1)
            continue
        native = {t.ident: t.native_id for t in threading.enumerate()}
        for ident, top in sys._current_frames().items():
            now = _runtime(native.get(ident)) if ident != me and ident in native else None
            if now is None:
                continue
            used, last[ident] = now - last.get(ident, now), now
            if used <= 0:
                continue
            own[_name(top.f_code)] += used
            seen, frame = set(), top
            while frame is not None:
                key = _name(frame.f_code)
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += used
                frame = frame.f_back
        time.sleep(0.005)


if _DIR:
    threading.Thread(target=_sample, daemon=True, name="sampler").start()


def profiler(folder: Path) -> Path:
    """Have the servers started from now on load this module (as ``sitecustomize``); returns its control folder."""
    site, control = folder / "site", folder / "samples"
    site.mkdir()
    control.mkdir()
    shutil.copyfile(Path(__file__), site / "sitecustomize.py")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    os.environ["MARKETSIM_SAMPLE_DIR"] = str(control)
    return control


def profile_report(control: Path, lines: int = 60) -> str:
    """Stop the server's sampler and return the top of its report."""
    (control / "on").unlink(missing_ok=True)
    (control / "dump").touch()
    report = control / "profile.txt"
    deadline = time.monotonic() + 30
    while (control / "dump").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not report.exists():
        return "the server's sampler wrote no report"
    text = report.read_text().splitlines()
    own = text.index("== self ==") if "== self ==" in text else len(text)
    return "\n".join([*text[: min(own, lines)], *text[own : own + 30]])
