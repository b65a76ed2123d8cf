"""etcd 3.4's /debug/vars on the client port: Go's expvar variables as one JSON object.

etcd's process publishes four: `cmdline` and `memstats` (by the expvar package itself),
`file_descriptor_limit` and `raft.status` (by etcdserver). serveVars writes them in key order, one
`"key": value` a line. A Python process has no Go heap, so `memstats` keeps runtime.MemStats'
fields, in its order, with what a Python process can tell: the resident size for Sys, the blocks
its allocator holds for HeapObjects, the C allocator's heap for Alloc, HeapAlloc, HeapSys,
HeapIdle and HeapInuse (`runtimestats.heap_usage`), whether the collector is on, and, once the process's `main`
has hooked the collector (`machinery.runtimestats`), its runs and how long each stopped the
process (NumGC, the PauseNs and PauseEnd rings, PauseTotalNs, LastGC, GCCPUFraction), which is
what expvar's readers (expvarmon, netdata's and Datadog's go_expvar) chart. The rest stays zero:
counting bytes allocated would mean tracing every allocation.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import sys

from reference_impl.machinery.gojson import marshal
from reference_impl.machinery.runtimestats import PAUSE_RING, gc_pauses, heap_usage, read_stat
from reference_impl.mirrors import mirrors

# runtime.MemStats' fields in declaration order (Go 1.12 to 1.19, which etcd 3.4 builds with).
MEMSTATS_FIELDS = (
    "Alloc", "TotalAlloc", "Sys", "Lookups", "Mallocs", "Frees", "HeapAlloc", "HeapSys", "HeapIdle",
    "HeapInuse", "HeapReleased", "HeapObjects", "StackInuse", "StackSys", "MSpanInuse", "MSpanSys",
    "MCacheInuse", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys", "NextGC", "LastGC",
    "PauseTotalNs", "PauseNs", "PauseEnd", "NumGC", "NumForcedGC", "GCCPUFraction", "EnableGC",
    "DebugGC", "BySize")

def memstats() -> dict[str, object]:
    stats: dict[str, object] = dict.fromkeys(MEMSTATS_FIELDS, 0)
    stats.update(Sys=read_stat().resident_memory, HeapObjects=sys.getallocatedblocks(),
                 PauseNs=[0] * PAUSE_RING, PauseEnd=[0] * PAUSE_RING, GCCPUFraction=0.0,
                 EnableGC=gc.isenabled(), DebugGC=False, BySize=[])
    heap = heap_usage()
    if heap is not None:
        stats.update(Alloc=heap.in_use, HeapAlloc=heap.in_use, HeapSys=heap.obtained, HeapIdle=heap.idle,
                     HeapInuse=heap.in_use)
    pauses = gc_pauses()
    if pauses is not None:
        stats.update(pauses.stats())
    return stats


@mirrors("go.etcd.io/etcd/pkg/v3/runtime.FDLimit")
def fd_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@mirrors("go.etcd.io/etcd/pkg/v3/runtime.FDUsage")
def fd_used() -> int:
    """The process's open file descriptors: the entries of /proc/self/fd (0 without /proc)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


@mirrors("go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp.serveVars")
def debug_vars(raft_status: str) -> bytes:
    """The body of GET /debug/vars, given the member's raft status as JSON (rawnode.status_json)."""
    variables = {"cmdline": marshal(sys.orig_argv).decode(), "file_descriptor_limit": str(fd_limit()),
                 "memstats": marshal(memstats()).decode(), "raft.status": raft_status}
    lines = (f"{json.dumps(key)}: {value}" for key, value in sorted(variables.items()))
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()
