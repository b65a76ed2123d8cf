"""What the benchmarks read of a process from /proc."""
from __future__ import annotations

import os
import time
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The ids of `pid`'s child processes now running."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return found


def machine_check_ms(rounds: int = 5) -> float:
    """Milliseconds this machine takes for a fixed pure-Python workload (dict and string work, as
    the reference components do), best of `rounds`: on a shared machine whose speed drifts by a
    third over minutes, it tells apart a slower run from slower code."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        table: dict[str, int] = {}
        for i in range(200_000):
            key = f"pod-{i % 5_000}"
            table[key] = table.get(key, 0) + len(key)
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 1)
