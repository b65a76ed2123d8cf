"""What the benchmarks read of a process from /proc."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

PROC = "/proc"  # where thread_usage reads (a test points it at files of its own)


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


class Usage(NamedTuple):
    """One reading of a process's /proc/<pid>/stat: its parent, its start time in clock ticks
    (with the pid, which process it is: the kernel reuses ids), its own user + system CPU
    seconds (all its threads', ended ones too) and those of the children it has reaped (waited
    for), with theirs."""
    parent: int
    start: int
    own: float
    reaped: float


def usage(pid: int) -> Usage | None:
    """`pid`'s Usage now; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return Usage(int(fields[1]), int(fields[19]), (int(fields[11]) + int(fields[12])) / tick,
                 (int(fields[13]) + int(fields[14])) / tick)


def context_switches(pid: int) -> int:
    """Voluntary and involuntary context switches of all of `pid`'s threads so far (0 once it is
    gone); a thread that has ended no longer counts: `SwitchTally` keeps them."""
    return sum(thread_switches(pid).values())


Thread = tuple[int, int]  # a thread's id and its start time in clock ticks: the kernel reuses ids


def thread_switches(pid: int) -> dict[Thread, int]:
    """Each live thread of `pid` → its voluntary and involuntary context switches so far."""
    return {thread: switches for thread, (_, switches, _) in thread_usage(pid, names=False).items()}


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


def _read(path: str) -> bytes:
    """A small /proc file's bytes in one read (Path.read_text's buffered text file cost three
    times as much a thread, read twice a second for every thread of a benchmark's processes)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 16384)
    finally:
        os.close(fd)


def thread_usage(pid: int, names: bool = True) -> dict[Thread, tuple[str, int, float]]:
    """Each live thread of `pid` → its kernel name (comm: "python3" for a Python thread, which
    Python 3.11 does not name; grpcio's own threads are "event_engine"; "" when `names` is
    False, which reads one file a thread fewer), its context switches and its user + system CPU
    seconds so far."""
    usage = {}
    tick = os.sysconf("SC_CLK_TCK")
    base = f"{PROC}/{pid}/task"
    try:
        tids = os.listdir(base)
    except OSError:
        return usage
    for tid in tids:
        try:
            comm = _read(f"{base}/{tid}/comm").decode().strip() if names else ""
            status = _read(f"{base}/{tid}/status")
            stat = _read(f"{base}/{tid}/stat").rsplit(b") ", 1)[1].split()
        except (OSError, IndexError):
            continue  # the thread ended meanwhile
        switches = sum(int(line.split()[1]) for line in status.splitlines()
                       if line.startswith((b"voluntary_ctxt_switches", b"nonvoluntary_ctxt_switches")))
        usage[(int(tid), int(stat[19]))] = (comm, switches, (int(stat[11]) + int(stat[12])) / tick)
    return usage


def python_thread_names(pid: int) -> dict[int, str]:
    """Thread id → Python thread name of `pid`, as `py-spy dump` reports them ({} without py-spy
    on PATH or when it may not attach). The kernel knows none of these names."""
    binary = shutil.which("py-spy")
    if binary is None:
        return {}
    try:
        out = subprocess.run([binary, "dump", "--pid", str(pid)], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    names = {}
    for match in re.finditer(r'^Thread (\d+) \(\w+\): "(.*)"$', out, re.MULTILINE):
        names[int(match.group(1))] = match.group(2)
    return names


def thread_group(name: str) -> str:
    """The kind of thread a name says: numbering dropped, so that a pool's or a server's threads
    add up ("etcd-grpc_65" → "etcd-grpc_*", "Thread-59 (process_request_thread)" →
    "process_request_thread")."""
    match = re.fullmatch(r"Thread-\d+ \((.+)\)", name)
    if match:
        return match.group(1)
    return re.sub(r"\d+$", "*", name)


class ThreadTally:
    """Per thread of one process, its switches and CPU read again and again (as `SwitchTally`,
    so that threads that end between readings keep their last counts), each counted from the
    first reading that saw it; `names` maps thread ids to Python thread names when known."""

    def __init__(self, pid: int):
        self.pid = pid
        self.first: dict[Thread, tuple[int, float]] = {}
        self.last: dict[Thread, tuple[str, int, float]] = {}
        self.names: dict[int, str] = {}
        self.primed = False

    def read(self) -> None:
        for thread, (comm, switches, cpu) in thread_usage(self.pid).items():
            # A thread first seen after the first reading started after it: all of it counts.
            self.first.setdefault(thread, (switches, cpu) if not self.primed else (0, 0.0))
            self.last[thread] = (comm, switches, cpu)
        self.primed = True

    def learn_names(self) -> None:
        self.names.update(python_thread_names(self.pid))

    def by_group(self) -> dict[str, tuple[int, int, float]]:
        """Thread group → (threads, switches, CPU seconds) since the first reading, most
        switches first."""
        groups: dict[str, list] = {}
        for thread, (comm, switches, cpu) in self.last.items():
            first_switches, first_cpu = self.first[thread]
            group = groups.setdefault(thread_group(self.names.get(thread[0], comm)), [0, 0, 0.0])
            group[0] += 1
            group[1] += switches - first_switches
            group[2] += cpu - first_cpu
        return {name: tuple(values) for name, values in
                sorted(groups.items(), key=lambda item: -item[1][1])}
