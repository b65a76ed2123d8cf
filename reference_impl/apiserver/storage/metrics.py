"""The storage's metrics, as k8s.io/apiserver/pkg/storage/etcd3/metrics keeps them: the latency of
each etcd request the etcd3 store makes, by operation and Go type, and the count of each resource's
objects last seen in etcd. Observing a request is a bisect and a few additions under one lock; the
apiserver's /metrics writes them out (core/metrics.py).
"""
from __future__ import annotations

import bisect
import threading

from reference_impl.mirrors import mirrors

ETCD_REQUEST_DURATION_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 15.0, 30.0, 60.0)


class StorageMetrics:
    """etcd_request_duration_seconds and apiserver_storage_objects for one storage; safe to call
    from every request thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latencies: dict[tuple[str, str], list[float]] = {}  # bucket counts, then sum and count
        self._object_counts: dict[str, int] = {}

    @mirrors("k8s.io/apiserver/pkg/storage/etcd3/metrics.RecordEtcdRequestLatency")
    def record_etcd_request_latency(self, operation: str, type_name: str, elapsed: float) -> None:
        bucket = bisect.bisect_left(ETCD_REQUEST_DURATION_BUCKETS, elapsed)
        with self._lock:
            series = self._latencies.get((operation, type_name))
            if series is None:
                series = self._latencies[(operation, type_name)] = [0] * (len(ETCD_REQUEST_DURATION_BUCKETS) + 2)
            if bucket < len(ETCD_REQUEST_DURATION_BUCKETS):
                series[bucket] += 1
            series[-2] += elapsed
            series[-1] += 1

    @mirrors("k8s.io/apiserver/pkg/storage/etcd3/metrics.UpdateObjectCount")
    def update_object_count(self, resource: str, count: int) -> None:
        with self._lock:
            self._object_counts[resource] = count

    def reset(self) -> None:
        """Empty both families, as the registry's Reset empties every vector."""
        with self._lock:
            self._latencies.clear()
            self._object_counts.clear()

    def object_counts(self) -> list[tuple[str, int]]:
        with self._lock:
            return sorted(self._object_counts.items())

    def latencies(self) -> list[tuple[tuple[str, str], list[float]]]:
        """(operation, type) and its bucket counts (not cumulative), sum and count, sorted."""
        with self._lock:
            return sorted((key, list(series)) for key, series in self._latencies.items())
