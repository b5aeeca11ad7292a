"""Measuring the processes a benchmark starts: CPU seconds and resident memory read from /proc or
psutil, and pinning a server to its own CPU (used by bench_app.py and bench_game.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psutil

TICKS = os.sysconf("SC_CLK_TCK")
"""Clock ticks a second, the unit of CPU times in /proc/PID/stat."""


def _processes() -> dict[int, tuple[int, int, float]]:
    """Every process: its parent, its process group and the CPU seconds it has used."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def cpu_seconds(server: int) -> tuple[float, float]:
    """CPU seconds used so far by the server (its process group) and by this process's other
    children (Chromium and Playwright's driver): the work a change costs whatever else the machine
    runs, where wall-clock times grow with the load."""
    found = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in found.items():
        children.setdefault(parent, []).append(pid)
    ours, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        ours.add(pid)
        todo.extend(children.get(pid, []))
    served = sum(cpu for pid, (_, group, cpu) in found.items() if group == server)
    browsing = sum(found[pid][2] for pid in ours if pid != os.getpid() and found[pid][1] != server)
    return served, browsing


def group_rss_mb(pid: int) -> float:
    """Resident memory of a process and every process in its group (the Solara server), MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            fields = (entry / "statm").read_text().split()
        except (OSError, ProcessLookupError):
            continue
        total += int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 1e6


def rss_mb(pid: int, children: bool = True) -> float:
    """Resident memory of a process (and its children), MB."""
    process = psutil.Process(pid)
    procs = [process, *(process.children(recursive=True) if children else [])]
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def chromium_mb() -> float:
    """Resident memory of the Chromium processes started by this one, MB (shared pages counted
    once per process, so an overestimate)."""
    procs = [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()]
    return sum(p.memory_info().rss for p in procs) / 2**20


def pin_server(pid: int) -> None:
    """The server (and any child) on CPU 0 alone; this process, and the browsers it starts, on the others."""
    cpus = sorted(psutil.Process().cpu_affinity())
    if len(cpus) < 2:
        print("--pin needs 2 CPUs: not pinned")
        return
    psutil.Process().cpu_affinity(cpus[1:])
    server = psutil.Process(pid)
    for process in [server, *server.children(recursive=True)]:
        process.cpu_affinity(cpus[:1])
    print(f"pinned: server on CPU {cpus[0]}, Chromium and this process on CPU {cpus[1:]}")
