"""The handful of etcd 3.4's Prometheus metrics the reference can keep true, and their text
exposition as `/metrics` serves it (Prometheus text format 0.0.4, as client_golang writes it).

Each value is read from the member's real state when scraped (`ServerMetrics`), except the WAL's
fsync latencies, which the WAL records in a `Histogram` as it syncs, and the /health checks'
outcomes, which the check counts in the member's `HealthChecks`. Names, help texts, types and
buckets are etcd's own (etcdserver/metrics.go, mvcc/metrics.go, wal/metrics.go), so dashboards
and alerts written for etcd read them unchanged.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from reference_impl.etcd.mvcc import TxnCounts
from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.prometheus import Family, Summary

# wal/metrics.go: prometheus.ExponentialBuckets(0.001, 2, 14), from 1 ms to 8 s.
WAL_FSYNC_BUCKETS = tuple(0.001 * 2**i for i in range(14))


class Histogram:
    """Cumulative bucket counts, sum and count of observed values (thread-safe).

    An observation counts once, in the lowest bucket it fits (past the last: in none), and a
    snapshot adds the counts up, as client_golang's histogram does: the WAL observes every fsync,
    and adding to each bucket above was a loop over all fourteen on every write."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self._lock = threading.Lock()
        self._counts = [0] * (len(buckets) + 1)  # the last: above every bucket
        self._sum = 0.0
        self._count = 0

    def observe(self, value: float) -> None:
        i = bisect_left(self.buckets, value)
        with self._lock:
            self._counts[i] += 1
            self._sum += value
            self._count += 1

    def snapshot(self) -> HistogramSnapshot:
        with self._lock:
            counts, total, count = self._counts[:-1], self._sum, self._count
        return HistogramSnapshot(self.buckets, tuple(accumulate(counts)), total, count)


class HealthChecks:
    """etcdhttp's healthSuccess and healthFailed counters (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.success = 0
        self.failures = 0

    def count(self, healthy: bool) -> None:
        with self._lock:
            if healthy:
                self.success += 1
            else:
                self.failures += 1


@dataclass(frozen=True)
class HistogramSnapshot:
    buckets: tuple[float, ...]
    cumulative_counts: tuple[int, ...]
    sum: float
    count: int


@dataclass(frozen=True)
class ServerMetrics:
    """One member's metrics at one moment."""

    has_leader: bool
    is_leader: bool
    leader_changes_seen: int
    proposals_committed: int  # the commit index
    proposals_applied: int  # the applied index
    db_total_size: int
    keys_total: int  # keys that currently exist
    wal_fsync: HistogramSnapshot
    server_version: str
    health_success: int = 0  # /health checks that found the member healthy
    health_failures: int = 0
    member_id: int = 0
    is_learner: bool = False
    quota_backend_bytes: int | None = None  # None: not shown; negative: no quota
    cluster_version: str | None = None  # None until the members decided it
    current_revision: int = 1
    compact_revision: int = -1  # -1: never compacted
    auth_revision: int = 1
    fd_limit: int = 0
    fd_used: int = 0
    db_size_in_use: int = 0  # the pages the data fills, free pages aside
    proposals_pending: int = 0  # this member's proposals not yet applied
    proposals_failed: int = 0  # this member's proposals that timed out or died with a leader
    leases_expired: int = 0  # leases this member revoked as their leader once they expired
    watchers: int = 0  # watches open on this member
    leases_granted: int = 0  # the lessor's counters (lease/metrics.go)
    leases_revoked: int = 0
    leases_renewed: int = 0  # on the leader only, which takes the keep-alives
    lease_ttls: HistogramSnapshot | None = None
    mvcc: TxnCounts = field(default_factory=TxnCounts)  # the store's range, put, delete, txn counters


def expose(m: ServerMetrics, runtime: Sequence[Family | Summary]) -> str:
    """The metrics in Prometheus' text format, families sorted by name as client_golang's
    gatherer sorts them: etcd's, the gRPC server's (`grpc_metrics`) and the process's and
    runtime's (`prometheus.runtime_families`) passed in `runtime`.
    (`etcdctl check datascale` reads process_resident_memory_bytes before and after its writes.)"""
    debugging_mvcc = _mvcc_counters("etcd_debugging_mvcc", m.mvcc)
    families = [
        _family("etcd_cluster_version",
                "Which version is running. 1 for 'cluster_version' label with current cluster version",
                "gauge", [(f'{{cluster_version="{_major_minor(m.cluster_version)}"}}', 1)]
                if m.cluster_version else []),
        _family("etcd_debugging_auth_revision", "The current revision of auth store.", "gauge",
                [("", m.auth_revision)]),
        _family("etcd_debugging_lease_granted_total", "The total number of granted leases.", "counter",
                [("", m.leases_granted)]),
        _family("etcd_debugging_lease_renewed_total", "The number of renewed leases seen by the leader.",
                "counter", [("", m.leases_renewed)]),
        _family("etcd_debugging_lease_revoked_total", "The total number of revoked leases.", "counter",
                [("", m.leases_revoked)]),
        _histogram("etcd_debugging_lease_ttl_total", "Bucketed histogram of lease TTLs.", m.lease_ttls)
        if m.lease_ttls else "",
        _family("etcd_debugging_server_lease_expired_total", "The total number of expired leases.",
                "counter", [("", m.leases_expired)]),
        _family("etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.",
                "gauge", [("", m.compact_revision)]),
        _family("etcd_debugging_mvcc_current_revision", "The current revision of store.", "gauge",
                [("", m.current_revision)]),
        _family("etcd_debugging_mvcc_db_total_size_in_bytes",
                "Total size of the underlying database physically allocated in bytes.", "gauge",
                [("", m.db_total_size)]),
        *debugging_mvcc[:1],
        _family("etcd_debugging_mvcc_keys_total", "Total number of keys.", "gauge",
                [("", m.keys_total)]),
        *debugging_mvcc[1:3],
        _family("etcd_debugging_mvcc_total_put_size_in_bytes",
                "The total size of put kv pairs seen by this member.", "gauge", [("", m.mvcc.put_size)]),
        *debugging_mvcc[3:],
        _family("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", "gauge",
                [("", m.watchers)]),
        _histogram("etcd_disk_wal_fsync_duration_seconds",
                   "The latency distributions of fsync called by WAL.", m.wal_fsync),
        _family("etcd_mvcc_db_total_size_in_bytes",
                "Total size of the underlying database physically allocated in bytes.", "gauge",
                [("", m.db_total_size)]),
        _family("etcd_mvcc_db_total_size_in_use_in_bytes",
                "Total size of the underlying database logically in use in bytes.", "gauge",
                [("", m.db_size_in_use)]),
        *_mvcc_counters("etcd_mvcc", m.mvcc),
        _family("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
                "gauge", [("", int(m.has_leader))]),
        _family("etcd_server_health_failures", "The total number of failed health checks", "counter",
                [("", m.health_failures)]),
        _family("etcd_server_health_success", "The total number of successful health checks", "counter",
                [("", m.health_success)]),
        _family("etcd_server_id",
                "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
                "gauge", [(f'{{server_id="{m.member_id:x}"}}', 1)]),
        _family("etcd_server_is_leader",
                "Whether or not this member is a leader. 1 if is, 0 otherwise.", "gauge",
                [("", int(m.is_leader))]),
        _family("etcd_server_is_learner",
                "Whether or not this member is a learner. 1 if is, 0 otherwise.", "gauge",
                [("", int(m.is_learner))]),
        _family("etcd_server_leader_changes_seen_total", "The number of leader changes seen.",
                "counter", [("", m.leader_changes_seen)]),
        _family("etcd_server_proposals_applied_total",
                "The total number of consensus proposals applied.", "gauge",
                [("", m.proposals_applied)]),
        _family("etcd_server_proposals_committed_total",
                "The total number of consensus proposals committed.", "gauge",
                [("", m.proposals_committed)]),
        _family("etcd_server_proposals_failed_total", "The total number of failed proposals seen.",
                "counter", [("", m.proposals_failed)]),
        _family("etcd_server_proposals_pending", "The current number of pending proposals to commit.",
                "gauge", [("", m.proposals_pending)]),
        _family("etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.",
                "gauge", [("", m.quota_backend_bytes)] if m.quota_backend_bytes is not None else []),
        _family("etcd_server_version",
                "Which version is running. 1 for 'server_version' label with current version.",
                "gauge", [(f'{{server_version="{m.server_version}"}}', 1)]),
    ]
    os_families = [  # pkg/runtime's, that etcdserver's monitorFileDescriptor publishes
        (_family("os_fd_limit", "The file descriptor limit.", "gauge", [("", m.fd_limit)]), "os_fd_limit"),
        (_family("os_fd_used", "The number of used file descriptors.", "gauge", [("", m.fd_used)]), "os_fd_used"),
    ]
    named = sorted([*((text, text.split(" ", 3)[2]) for text in families if text),
                    *((family.text(), family.name) for family in runtime), *os_families],
                   key=lambda pair: pair[1])
    return "".join(text for text, _ in named if text)


def _mvcc_counters(prefix: str, counts: TxnCounts) -> list[str]:
    """mvcc/metrics.go's delete, put, range and txn counters (each under etcd_mvcc_ and, until
    3.5, etcd_debugging_mvcc_ too), in name order."""
    return [_family(f"{prefix}_{name}_total", f"Total number of {name}s seen by this member.", "counter",
                    [("", value)])
            for name, value in (("delete", counts.deletes), ("put", counts.puts),
                                ("range", counts.ranges), ("txn", counts.txns))]


def _major_minor(version: str) -> str:
    """etcd's version.Cluster: "3.4.0" is labelled "3.4"."""
    return ".".join(version.split(".")[:2])


def _family(name: str, help_text: str, kind: str, samples: list[tuple[str, float]]) -> str:
    """The family's text; nothing for a family without samples (a vector with no series)."""
    if not samples:
        return ""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {format_float(value)}" for labels, value in samples]
    return "\n".join(lines) + "\n"


def _histogram(name: str, help_text: str, h: HistogramSnapshot) -> str:
    samples = [(f'_bucket{{le="{format_float(bound)}"}}', count)
               for bound, count in zip(h.buckets, h.cumulative_counts)]
    samples += [('_bucket{le="+Inf"}', h.count), ("_sum", h.sum), ("_count", h.count)]
    return _family(name, help_text, "histogram", samples)
