"""What every `/metrics` here shares with client_golang's text exposition (format 0.0.4): label
values escaped, and the process and Go collectors' families that every Kubernetes component and
etcd export. Sample values are written as Go formats a float64 (`machinery.gofmt.format_float`).

`Registry` and `Family` are the counters, gauges and histograms of the scheduler, the
controller-manager and kube-proxy, counted where the work is done.

The collectors run when someone scrapes, from what `machinery.runtimestats` reads. The process
families are the quantities a Go process reports. The Go collector's are kept where a Python
process has the same thing to count: go_threads its OS threads; go_goroutines its Python threads
alive, the analogue of goroutines here (one per watch, connection or worker, as a Go server spawns
them); go_gc_duration_seconds, go_memstats_last_gc_time_seconds and go_memstats_gc_cpu_fraction
the cyclic collector's runs, once `track_gc_pauses` hooked it; go_memstats_heap_objects the blocks
the allocator holds; go_memstats_sys_bytes the resident size; the heap's alloc, inuse, idle and sys
bytes the C allocator's heap (`heap_usage`, where glibc tells it). Left out rather than written as
zeros: go_info (there is no Go version to report) and the counts since start
(alloc_bytes_total, mallocs, frees), which would mean tracing every allocation.
"""
from __future__ import annotations

import bisect
import sys
import threading
from dataclasses import dataclass

from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.runtimestats import (
    GC_QUANTILES, gc_pauses, heap_usage, open_fds, read_soft_limits, read_stat)
from reference_impl.mirrors import mirrors


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
START_TIME_HELP = "Start time of the process since unix epoch in seconds."


@mirrors("github.com/prometheus/client_golang/prometheus.ExponentialBuckets")
def exponential_buckets(start: float, factor: float, count: int) -> tuple[float, ...]:
    return tuple(start * factor ** i for i in range(count))


class Family:
    """One metric family: a counter, gauge or histogram with `label_names`; each set of label
    values is a series. A family with labels and no series yet is not written, one without
    labels always is (as client_golang's vectors and plain metrics are)."""

    def __init__(self, name: str, help_text: str, kind: str, label_names: tuple[str, ...] = (),
                 buckets: tuple[float, ...] = ()) -> None:
        self.name, self.help, self.kind, self.label_names, self.buckets = name, help_text, kind, label_names, buckets
        self._series: dict[tuple[str, ...], list[float]] = {}
        self._lock = threading.Lock()

    def _values(self, labels: tuple[str, ...]) -> list[float]:
        values = self._series.get(labels)
        if values is None:
            # A histogram's series: a count per bucket (not cumulative), then sum and count.
            values = self._series[labels] = [0.0] * (len(self.buckets) + 2 if self.kind == "histogram" else 1)
        return values

    def inc(self, *labels: str, by: float = 1.0) -> None:
        with self._lock:
            self._values(labels)[0] += by

    def set(self, *labels: str, value: float) -> None:
        with self._lock:
            self._values(labels)[0] = value

    def observe(self, *labels: str, value: float) -> None:
        with self._lock:
            series = self._values(labels)
            bucket = bisect.bisect_left(self.buckets, value)
            if bucket < len(self.buckets):
                series[bucket] += 1
            series[-2] += value
            series[-1] += 1

    def value(self, *labels: str) -> float:
        """A counter's or gauge's value, a histogram's count; 0 for a series never touched."""
        with self._lock:
            series = self._series.get(labels)
            return 0.0 if series is None else series[-1]

    def reset(self) -> None:
        with self._lock:
            self._series.clear()

    def text(self) -> str:
        with self._lock:
            series = {labels: list(values) for labels, values in self._series.items()}
        if not series and self.label_names:
            return ""
        if not self.label_names:
            series.setdefault((), [0.0] * (len(self.buckets) + 2 if self.kind == "histogram" else 1))
        order = sorted(range(len(self.label_names)), key=lambda i: self.label_names[i])
        lines = [f"# HELP {self.name} {self.help}\n# TYPE {self.name} {self.kind}\n"]
        for labels, values in sorted(series.items(), key=lambda item: [item[0][i] for i in order]):
            pairs = [f'{self.label_names[i]}="{escape_label_value(labels[i])}"' for i in order]
            if self.kind != "histogram":
                lines.append(_sample(self.name, pairs, values[0]))
                continue
            cumulative = 0.0
            for bound, observed in zip(self.buckets, values):
                cumulative += observed
                lines.append(_sample(f"{self.name}_bucket", [*pairs, f'le="{format_float(bound)}"'], cumulative))
            lines.append(_sample(f"{self.name}_bucket", [*pairs, 'le="+Inf"'], values[-1]))
            lines.append(_sample(f"{self.name}_sum", pairs, values[-2]))
            lines.append(_sample(f"{self.name}_count", pairs, values[-1]))
        return "".join(lines)


def _sample(name: str, pairs: list[str], value: float) -> str:
    return f"{name}{{{','.join(pairs)}}} {format_float(value)}\n" if pairs else f"{name} {format_float(value)}\n"


@dataclass(frozen=True)
class Summary:
    """A summary without labels whose quantiles were computed elsewhere (Go's GC pauses)."""

    name: str
    help: str
    quantiles: tuple[tuple[float, float], ...]  # (quantile, value)
    sum: float
    count: int

    @mirrors("github.com/prometheus/client_golang/prometheus.MustNewConstSummary")
    def text(self) -> str:
        lines = [f"# HELP {self.name} {self.help}\n# TYPE {self.name} summary\n"]
        lines += [_sample(self.name, [f'quantile="{format_float(q)}"'], value) for q, value in self.quantiles]
        lines += [_sample(f"{self.name}_sum", [], self.sum), _sample(f"{self.name}_count", [], self.count)]
        return "".join(lines)


def _gauge(name: str, help_text: str, value: float, kind: str = "gauge") -> Family:
    family = Family(name, help_text, kind)
    family.set(value=value)
    return family


@mirrors("(*github.com/prometheus/client_golang/prometheus.processCollector).processCollect")
def process_families(start_time_help: str = START_TIME_HELP) -> list[Family]:
    """The process collector's families; the kubelet's start time carries component-base's
    stability prefix in its help (`start_time_help`)."""
    stat, limits = read_stat(), read_soft_limits()
    return [
        _gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", stat.cpu_seconds,
               "counter"),
        _gauge("process_max_fds", "Maximum number of open file descriptors.", limits["Max open files"]),
        _gauge("process_open_fds", "Number of open file descriptors.", open_fds()),
        _gauge("process_resident_memory_bytes", "Resident memory size in bytes.", stat.resident_memory),
        _gauge("process_start_time_seconds", start_time_help, stat.start_time),
        _gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", stat.virtual_memory),
        _gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
               limits["Max address space"]),
    ]


@mirrors("(*github.com/prometheus/client_golang/prometheus.baseGoCollector).Collect",
         "github.com/prometheus/client_golang/prometheus.memStatsMetrics")
def go_families(gc_cpu_fraction: bool = True) -> list[Family | Summary]:
    """The Go collector's families this process can measure; `gc_cpu_fraction` as Kubernetes 1.24's
    client_golang writes it (etcd 3.4's does not)."""
    stat = read_stat()
    families: list[Family | Summary] = [
        _gauge("go_goroutines", "Number of goroutines that currently exist.", threading.active_count()),
        _gauge("go_memstats_heap_objects", "Number of allocated objects.", sys.getallocatedblocks()),
        _gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", stat.resident_memory),
        _gauge("go_threads", "Number of OS threads created.", stat.num_threads),
    ]
    heap = heap_usage()
    if heap is not None:
        families += [
            _gauge("go_memstats_alloc_bytes", "Number of bytes allocated and still in use.", heap.in_use),
            _gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.",
                   heap.in_use),
            _gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", heap.idle),
            _gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", heap.in_use),
            _gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system.", heap.obtained),
        ]
    pauses = gc_pauses()
    if pauses is not None:
        families += [
            Summary("go_gc_duration_seconds", "A summary of the pause duration of garbage collection cycles.",
                    tuple(zip(GC_QUANTILES, pauses.pause_quantiles())), pauses.pause_total_ns / 1e9,
                    pauses.num_gc),
            _gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.",
                   pauses.last_gc / 1e9),
        ]
        if gc_cpu_fraction:
            families.append(_gauge("go_memstats_gc_cpu_fraction", "The fraction of this program's available CPU "
                                   "time used by the GC since the program started.", pauses.stats()["GCCPUFraction"]))
    return sorted(families, key=lambda family: family.name)


def runtime_families(gc_cpu_fraction: bool = True) -> list[Family | Summary]:
    """The Go collector's families, then the process collector's, each sorted by name (go_ sorts
    before process_, as client_golang's gatherer orders them)."""
    return [*go_families(gc_cpu_fraction), *process_families()]


class Registry:
    """A component's registry (component-base's legacyregistry): its families, and the process
    and Go collectors' that legacyregistry registers for every component, in the text exposition
    format 0.0.4 with families sorted by name."""

    def __init__(self) -> None:
        self.families: dict[str, Family] = {}

    def register(self, family: Family) -> Family:
        self.families[family.name] = family
        return family

    @mirrors("(*k8s.io/component-base/metrics.kubeRegistry).Reset")
    def reset(self) -> None:
        for family in self.families.values():
            family.reset()

    @mirrors("k8s.io/component-base/metrics/legacyregistry.Handler")
    def text(self) -> bytes:
        families = sorted([*self.families.values(), *runtime_families()], key=lambda family: family.name)
        return "".join(family.text() for family in families).encode()
