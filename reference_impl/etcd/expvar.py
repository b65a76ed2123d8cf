"""etcd 3.4's /debug/vars on the client port: Go's expvar variables as one JSON object.

etcd's process publishes four: `cmdline` and `memstats` (by the expvar package itself),
`file_descriptor_limit` and `raft.status` (by etcdserver). serveVars writes them in key order, one
`"key": value` a line. A Python process has no Go heap, so `memstats` keeps runtime.MemStats'
fields, in its order, with what a Python process can tell: the resident size for Sys, the blocks
its allocator holds for HeapObjects, whether the collector is on, and, once `track_gc_pauses`
has hooked the collector, its runs and how long each stopped the process (NumGC, the PauseNs
and PauseEnd rings, PauseTotalNs, LastGC, GCCPUFraction), which is what expvar's readers
(expvarmon, netdata's and Datadog's go_expvar) chart. The rest stays zero: counting bytes
allocated would mean tracing every allocation.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time

from reference_impl.machinery.gojson import marshal
from reference_impl.machinery.prometheus import process_resident_memory
from reference_impl.mirrors import mirrors

# runtime.MemStats' fields in declaration order (Go 1.12 to 1.19, which etcd 3.4 builds with).
MEMSTATS_FIELDS = (
    "Alloc", "TotalAlloc", "Sys", "Lookups", "Mallocs", "Frees", "HeapAlloc", "HeapSys", "HeapIdle",
    "HeapInuse", "HeapReleased", "HeapObjects", "StackInuse", "StackSys", "MSpanInuse", "MSpanSys",
    "MCacheInuse", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys", "NextGC", "LastGC",
    "PauseTotalNs", "PauseNs", "PauseEnd", "NumGC", "NumForcedGC", "GCCPUFraction", "EnableGC",
    "DebugGC", "BySize")
PAUSE_RING = 256  # the length of MemStats.PauseNs and PauseEnd


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

    def stats(self) -> dict[str, object]:
        available_ns = (time.monotonic_ns() - self.started_ns) * (os.cpu_count() or 1)
        return {"NumGC": self.num_gc, "PauseNs": list(self.pause_ns), "PauseEnd": list(self.pause_end),
                "PauseTotalNs": self.pause_total_ns,
                "LastGC": self.pause_end[(self.num_gc - 1) % PAUSE_RING] if self.num_gc else 0,
                "GCCPUFraction": self.pause_total_ns / available_ns if available_ns else 0.0}


_gc_pauses: GCPauses | None = None


def track_gc_pauses() -> None:
    """Hook the collector (once per process) so that memstats reports its runs from now on."""
    global _gc_pauses
    if _gc_pauses is None:
        _gc_pauses = GCPauses()
        gc.callbacks.append(_gc_pauses)


def memstats() -> dict[str, object]:
    stats: dict[str, object] = dict.fromkeys(MEMSTATS_FIELDS, 0)
    stats.update(Sys=process_resident_memory(), HeapObjects=sys.getallocatedblocks(),
                 PauseNs=[0] * PAUSE_RING, PauseEnd=[0] * PAUSE_RING, GCCPUFraction=0.0,
                 EnableGC=gc.isenabled(), DebugGC=False, BySize=[])
    if _gc_pauses is not None:
        stats.update(_gc_pauses.stats())
    return stats


@mirrors("go.etcd.io/etcd/pkg/v3/runtime.FDLimit")
def fd_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@mirrors("go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp.serveVars")
def debug_vars(raft_status: str) -> bytes:
    """The body of GET /debug/vars, given the member's raft status as JSON (rawnode.status_json)."""
    variables = {"cmdline": marshal(sys.orig_argv).decode(), "file_descriptor_limit": str(fd_limit()),
                 "memstats": marshal(memstats()).decode(), "raft.status": raft_status}
    lines = (f"{json.dumps(key)}: {value}" for key, value in sorted(variables.items()))
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()
