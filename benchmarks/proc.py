"""What the benchmarks read of a process from /proc."""
from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far (0 once it is gone)."""
    return sum(user_system_seconds(pid))


def user_system_seconds(pid: int) -> tuple[float, float]:
    """utime and stime of one process so far, apart ((0, 0) once it is gone): the CPU spent in
    the process's own code (the interpreter, grpcio's core, OpenSSL) and in the kernel for it
    (system calls, futex wake-ups between its threads, fsync)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def context_switches(pid: int) -> int:
    """Voluntary and involuntary context switches of all of `pid`'s threads so far (0 once it is
    gone); a thread that has ended no longer counts: `SwitchTally` keeps them."""
    return sum(thread_switches(pid).values())


def thread_switches(pid: int) -> dict[int, int]:
    """Each live thread of `pid` → its voluntary and involuntary context switches so far."""
    counts = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return counts
    for task in tasks:
        try:
            counts[int(task.name)] = sum(
                int(line.split()[1]) for line in (task / "status").read_text().splitlines()
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        except OSError:
            continue  # the thread ended meanwhile
    return counts


class SwitchTally:
    """A process's context switches read again and again: a thread that ends between two
    readings (an HTTP server's thread of a client that hung up) keeps its last count, which one
    reading at the end would lose."""

    def __init__(self, pid: int):
        self.pid, self.seen = pid, {}

    def read(self) -> int:
        self.seen.update(thread_switches(self.pid))
        return sum(self.seen.values())


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
