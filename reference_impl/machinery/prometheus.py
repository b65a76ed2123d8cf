"""What every `/metrics` here shares with client_golang's text exposition (format 0.0.4): label
values escaped, and the process's start time as Prometheus' process collector reads it. Sample
values are written as Go formats a float64 (`machinery.gofmt.format_float`).

`Registry` and `Family` are the counters, gauges and histograms of the scheduler, the
controller-manager and kube-proxy, counted where the work is done.
"""
from __future__ import annotations

import bisect
import os
import threading

from reference_impl.machinery.gofmt import format_float
from reference_impl.mirrors import mirrors


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


@mirrors("github.com/prometheus/procfs.ProcStat.StartTime")
def process_start_time(pid: int | str = "self") -> float:
    """When the process started, in seconds since the epoch: the boot time from /proc/stat plus
    the start tick from /proc/PID/stat (its 22nd field)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()  # after the command name, which may hold spaces
    with open("/proc/stat") as stat:
        boot_time = next(int(line.split()[1]) for line in stat if line.startswith("btime "))
    return boot_time + int(fields[19]) / os.sysconf("SC_CLK_TCK")


@mirrors("github.com/prometheus/procfs.ProcStat.ResidentMemory")
def process_resident_memory(pid: int | str = "self") -> int:
    """The process's resident set in bytes: its page count from /proc/PID/stat (24th field)
    times the page size."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


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


class Registry:
    """A component's registry (component-base's legacyregistry): its families, and the process's
    start time, in the text exposition format 0.0.4 with families sorted by name."""

    def __init__(self) -> None:
        self.families: dict[str, Family] = {}
        self.start_time = process_start_time()

    def register(self, family: Family) -> Family:
        self.families[family.name] = family
        return family

    @mirrors("(*k8s.io/component-base/metrics.kubeRegistry).Reset")
    def reset(self) -> None:
        for family in self.families.values():
            family.reset()

    @mirrors("k8s.io/component-base/metrics/legacyregistry.Handler")
    def text(self) -> bytes:
        start = Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                       "gauge")
        start.set(value=self.start_time)
        families = sorted([*self.families.values(), start], key=lambda family: family.name)
        return "".join(family.text() for family in families).encode()
