"""`/metrics/cadvisor`: what the kubelet's cAdvisor collectors export, for the containers this
kubelet runs, from the same /proc readings as its summary (`stats`).

Upstream cAdvisor reads each container's cgroup; its series carry the labels the kubelet's
containerPrometheusLabelsFunc gives them: `id` (the cgroup's name), `name` (the runtime's ID for
the container), `image`, and the Kubernetes `container`, `pod` and `namespace`. The reference runs
a container as a process group with no cgroup, so `id` is the path the cgroupfs driver would give
it (/kubepods[/<qos>]/pod<uid>/<id>), and only what /proc measures is exported: CPU time (user
and system), RSS as the working set, page faults and the process count. Each sample is stamped
with its reading's time, as cAdvisor stamps them. Hollow containers have no processes, so they
have no series.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.prometheus import escape_label_value
from reference_impl.mirrors import mirrors

from .stats import NANOSECONDS, Usage

# The QoS classes' parent cgroups under /kubepods (a Guaranteed pod's is /kubepods itself).
QOS_CGROUPS = {"Guaranteed": "", "Burstable": "/burstable", "BestEffort": "/besteffort"}


@dataclass(frozen=True)
class ContainerInfo:
    """The part of cAdvisor's info.ContainerInfo the reference knows of a running container."""

    id: str  # the cgroup's name, cAdvisor's container name
    name: str  # Aliases[0]: the runtime's ID for the container
    image: str
    container: str
    pod: str
    namespace: str
    start_time: float
    usage: Usage


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/cm.podContainerManagerImpl).GetPodContainerName")
def container_cgroup(qos_class: str, pod_uid: str, container_id: str) -> str:
    """/kubepods[/burstable|/besteffort]/pod<uid>/<id>, as the cgroupfs driver names it."""
    return f"/kubepods{QOS_CGROUPS.get(qos_class, '/besteffort')}/pod{pod_uid}/{container_id.partition('://')[2]}"


def _failures(usage: Usage) -> list[tuple[tuple[str, ...], float]]:
    """memory_failures_total by (failure_type, scope): a leaf cgroup's hierarchy is itself."""
    faults = (("pgfault", usage.page_faults), ("pgmajfault", usage.major_page_faults))
    return [((kind, scope), count) for scope in ("container", "hierarchy") for kind, count in faults
            if count is not None]


# (name, help, type, extra label names, values of a reading): cAdvisor's containerMetrics that
# /proc can answer, with their help and extra labels as cAdvisor writes them.
CONTAINER_METRICS: tuple[tuple[str, str, str, tuple[str, ...], Callable[[Usage], list]], ...] = (
    ("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds.", "counter", (),
     lambda u: [((), (u.cpu_ns - u.user_ns) / NANOSECONDS)] if u.user_ns is not None else []),
    ("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", "counter", ("cpu",),
     lambda u: [(("total",), u.cpu_ns / NANOSECONDS)] if u.cpu_ns > 0 else []),
    ("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds.", "counter", (),
     lambda u: [((), u.user_ns / NANOSECONDS)] if u.user_ns is not None else []),
    ("container_memory_failures_total", "Cumulative count of memory allocation failures.", "counter",
     ("failure_type", "scope"), _failures),
    ("container_memory_rss", "Size of RSS in bytes.", "gauge", (),
     lambda u: [((), u.rss_bytes)] if u.rss_bytes is not None else []),
    ("container_memory_working_set_bytes", "Current working set in bytes.", "gauge", (),
     lambda u: [((), u.working_set_bytes)]),
    ("container_processes", "Number of processes running inside the container.", "gauge", (),
     lambda u: [((), u.processes)] if u.processes is not None else []),
)


def _labels(pairs: dict[str, str]) -> str:
    """Label pairs sorted by name, as client_golang writes them."""
    return "{" + ",".join(f'{name}="{escape_label_value(pairs[name])}"' for name in sorted(pairs)) + "}"


@mirrors("(*github.com/google/cadvisor/metrics.PrometheusCollector).collectContainersInfo")
def container_families(containers: list[ContainerInfo], now: float | None = None) -> dict[str, tuple[str, str, list]]:
    """{name: (help, type, [(labels, sample line)])}: each container's start time, last sighting
    and readings, then container_scrape_error 0."""
    now = time.time() if now is None else now
    families: dict[str, tuple[str, str, list]] = {
        "container_last_seen": ("Last time a container was seen by the exporter", "gauge", []),
        "container_start_time_seconds": ("Start time of the container since unix epoch in seconds.", "gauge", []),
        **{name: (help_, kind, []) for name, help_, kind, _, _ in CONTAINER_METRICS},
        "container_scrape_error": ("1 if there was an error while getting container metrics, 0 otherwise",
                                   "gauge", [("", "container_scrape_error 0")])}

    def add(name: str, pairs: dict[str, str], value: float, stamp: float | None) -> None:
        labels = _labels(pairs)
        line = f"{name}{labels} {format_float(value)}" + ("" if stamp is None else f" {int(stamp * 1000)}")
        families[name][2].append((labels, line))

    for info in containers:
        base = {"id": info.id, "name": info.name, "image": info.image, "container": info.container,
                "pod": info.pod, "namespace": info.namespace}
        add("container_start_time_seconds", base, int(info.start_time), None)
        add("container_last_seen", base, int(now), now)
        for name, _, _, extra, values in CONTAINER_METRICS:
            for extra_values, value in values(info.usage):
                add(name, {**base, **dict(zip(extra, extra_values))}, value, info.usage.time)
    return families


def exposition(families: dict[str, tuple[str, str, list]]) -> str:
    """The families sorted by name, each one's samples by their labels; none without samples."""
    lines = []
    for name in sorted(families):
        help_, kind, samples = families[name]
        if samples:
            lines += [f"# HELP {name} {help_}", f"# TYPE {name} {kind}", *(line for _, line in sorted(samples))]
    return "\n".join(lines) + "\n"
