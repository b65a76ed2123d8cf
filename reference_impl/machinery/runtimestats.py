"""What this process can tell about itself, as a Go binary's runtime and procfs tell it: its
/proc/PID/stat and limits, its open descriptors, and the cyclic collector's runs recorded as Go's
runtime records its pauses, and the C allocator's heap as glibc's mallinfo2 counts it. The
process and Go families of every `/metrics`
(`machinery.prometheus`) and etcd's /debug/vars memstats are read from here.
"""
from __future__ import annotations

import ctypes
import functools
import gc
import os
import time
from dataclasses import dataclass

from reference_impl.mirrors import mirrors

PAUSE_RING = 256  # the length of runtime.MemStats' PauseNs and PauseEnd rings
GC_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
# procfs reads "unlimited" as the largest uint64, which Prometheus writes as 1.8446744073709552e+19.
UNLIMITED = float(2**64 - 1)


class GCPauses:
    """The collector's runs as Go's runtime records its own: a count, and each run's length and
    end (Unix ns) in rings of PAUSE_RING slots, the latest at (NumGC+255) % 256. A collection
    holds the GIL throughout, so it stops every thread as Go's stop-the-world pause does."""

    def __init__(self) -> None:
        self.started_ns = time.monotonic_ns()
        self.num_gc = 0
        self.pause_ns = [0] * PAUSE_RING
        self.pause_end = [0] * PAUSE_RING
        self.pause_total_ns = 0
        self._run_started = 0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._run_started = time.perf_counter_ns()
            return
        pause = time.perf_counter_ns() - self._run_started
        slot = self.num_gc % PAUSE_RING
        self.pause_ns[slot], self.pause_end[slot] = pause, time.time_ns()
        self.pause_total_ns += pause
        self.num_gc += 1

    @property
    def last_gc(self) -> int:
        return self.pause_end[(self.num_gc - 1) % PAUSE_RING] if self.num_gc else 0

    def stats(self) -> dict[str, object]:
        """runtime.MemStats' collector fields."""
        available_ns = (time.monotonic_ns() - self.started_ns) * (os.cpu_count() or 1)
        return {"NumGC": self.num_gc, "PauseNs": list(self.pause_ns), "PauseEnd": list(self.pause_end),
                "PauseTotalNs": self.pause_total_ns, "LastGC": self.last_gc,
                "GCCPUFraction": self.pause_total_ns / available_ns if available_ns else 0.0}

    @mirrors("runtime/debug.ReadGCStats")
    def pause_quantiles(self) -> tuple[float, ...]:
        """The minimum, quartiles and maximum of the pauses the ring holds, in seconds, picked
        from the sorted pauses as ReadGCStats picks its PauseQuantiles."""
        pauses = sorted(self.pause_ns[:min(self.num_gc, PAUSE_RING)])
        if not pauses:
            return tuple(0.0 for _ in GC_QUANTILES)
        quartiles = len(GC_QUANTILES) - 1
        return tuple(pauses[len(pauses) * i // quartiles] / 1e9 for i in range(quartiles)) + (pauses[-1] / 1e9,)


_gc_pauses: GCPauses | None = None


def track_gc_pauses() -> None:
    """Hook the collector (once per process) so that its runs are reported from now on; every
    component's `main` does."""
    global _gc_pauses
    if _gc_pauses is None:
        _gc_pauses = GCPauses()
        gc.callbacks.append(_gc_pauses)


def gc_pauses() -> GCPauses | None:
    """The collector's runs since `track_gc_pauses`, None before it."""
    return _gc_pauses


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/PID/stat the collectors read."""

    cpu_seconds: float  # utime + stime
    num_threads: int
    start_time: float  # seconds since the epoch
    virtual_memory: int  # bytes
    resident_memory: int  # bytes


@dataclass(frozen=True)
class HeapUsage:
    """The C allocator's heap (glibc's mallinfo2): every block malloc holds, which is all of
    Python's objects larger than 512 bytes and the interpreter's own tables (pymalloc's arenas of
    small objects are mapped apart and show in the resident size only)."""

    in_use: int  # bytes in allocated blocks (uordblks + hblkhd)
    idle: int  # bytes free in the heap, waiting to be used (fordblks)
    obtained: int  # bytes the heap got from the system (arena + hblkhd)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                 "fordblks", "keepcost")]


@functools.cache
def _mallinfo2():
    try:
        function = ctypes.CDLL(None).mallinfo2  # glibc 2.33 and later
    except (AttributeError, OSError):
        return None
    function.restype, function.argtypes = _MallInfo2, []
    return function


def heap_usage() -> HeapUsage | None:
    """The C heap now, or None where the C library cannot tell (no glibc 2.33)."""
    mallinfo2 = _mallinfo2()
    if mallinfo2 is None:
        return None
    info = mallinfo2()
    return HeapUsage(in_use=info.uordblks + info.hblkhd, idle=info.fordblks, obtained=info.arena + info.hblkhd)


@functools.cache
def boot_time() -> float:
    """When the host started, in seconds since the epoch (/proc/stat's btime)."""
    with open("/proc/stat") as stat:
        return float(next(int(line.split()[1]) for line in stat if line.startswith("btime ")))


@mirrors("github.com/prometheus/procfs.Proc.Stat")
def read_stat(pid: int | str = "self") -> ProcStat:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()  # after the command name, which may hold spaces
    ticks = os.sysconf("SC_CLK_TCK")
    # fields[i] is the (i+3)th field of proc(5): utime 14, stime 15, num_threads 20, starttime 22,
    # vsize 23, rss 24.
    return ProcStat(cpu_seconds=(int(fields[11]) + int(fields[12])) / ticks, num_threads=int(fields[17]),
                    start_time=boot_time() + int(fields[19]) / ticks, virtual_memory=int(fields[20]),
                    resident_memory=int(fields[21]) * os.sysconf("SC_PAGE_SIZE"))


@mirrors("github.com/prometheus/procfs.Proc.Limits")
def read_soft_limits(pid: int | str = "self") -> dict[str, float]:
    """Each limit's soft value by its name in /proc/PID/limits ("Max open files"), UNLIMITED for
    "unlimited"."""
    limits = {}
    with open(f"/proc/{pid}/limits") as table:
        next(table)  # the column titles
        for line in table:
            # The name runs to column 26, the soft limit to 47 (the kernel's fixed layout).
            soft = line[26:47].strip()
            limits[line[:26].strip()] = UNLIMITED if soft == "unlimited" else float(soft)
    return limits


@mirrors("github.com/prometheus/procfs.Proc.FileDescriptorsLen")
def open_fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))
