"""The kubelet's stats: `/stats/summary` (statsapi.Summary) and `/metrics/resource`, from what this
kubelet knows of its node and pods and what /proc says of the processes it runs.

Upstream's summary comes from cAdvisor's cgroup readings. The reference kubelet runs a container
as a process group, so a container's usage is its group's processes' as /proc has them: CPU time
(the group leader's reaped children included), resident memory as the working set (with no cgroup
there is no page cache to count, so `usageBytes` is left out), page faults and the process count.
A rate (`usageNanoCores`) needs two readings, so, as cAdvisor's first housekeeping, the first
summary after a container starts has none. Hollow pods run nothing: their stats name the pod and
its containers and carry no usage, as a fake runtime's would.

The core (`summary`, `resource_metrics`, `CpuRates`) is plain data in and out; `read_group_usage`
and `read_node_usage` read /proc for the adapter.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.prometheus import escape_label_value
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

from .actions import PodKey

NANOSECONDS = 1_000_000_000


@dataclass(frozen=True)
class Usage:
    """What was measured of a container's processes, or of the node, at `time` (seconds since the
    epoch). None where nothing says it."""

    time: float
    cpu_ns: int
    working_set_bytes: int
    rss_bytes: int | None = None
    usage_bytes: int | None = None
    available_bytes: int | None = None
    page_faults: int | None = None
    major_page_faults: int | None = None
    processes: int | None = None
    user_ns: int | None = None  # cpu_ns's part in user mode (cAdvisor's Cpu.Usage.User)


@dataclass(frozen=True)
class FsUsage:
    """A filesystem's size and use at `time`; `used_bytes` what the thing measured takes of it."""

    time: float
    available_bytes: int
    capacity_bytes: int
    used_bytes: int
    inodes_free: int
    inodes: int
    inodes_used: int


@dataclass(frozen=True)
class ContainerStats:
    name: str
    start_time: float
    usage: Usage | None
    logs: FsUsage | None = None


@dataclass(frozen=True)
class PodStats:
    key: PodKey
    start_time: float
    containers: tuple[ContainerStats, ...]


@dataclass(frozen=True)
class NodeStats:
    """What the node knows of itself: `usage` None for a hollow node, whose host is not its own;
    `rlimit` (time, pid_max, tasks) as pidlimit.Stats reads it."""

    name: str
    start_time: float
    usage: Usage | None = None
    fs: FsUsage | None = None
    rlimit: tuple[float, int, int] | None = None
    system_containers: tuple[ContainerStats, ...] = ()


# cAdvisor's housekeeping reads a container about every 10 s and derives usageNanoCores between
# two readings; here a reading is taken per request, and a rate over less than this would be mostly
# the 10 ms tick of the CPU clock, so a request sooner than this after the last gets its rate.
MIN_RATE_WINDOW_SECONDS = 1.0


class CpuRates:
    """usageNanoCores of each container (or pod, or the node) between two readings at least
    MIN_RATE_WINDOW_SECONDS apart; none before a second reading."""

    def __init__(self) -> None:
        self._last: dict[object, tuple[float, int, int | None]] = {}
        self._lock = threading.Lock()  # each request's thread reads and records

    def rate(self, key: object, usage: Usage) -> int | None:
        with self._lock:
            previous = self._last.get(key)
            if previous is not None and usage.time - previous[0] < MIN_RATE_WINDOW_SECONDS:
                return previous[2]
            rate = None
            if previous is not None and usage.cpu_ns >= previous[1]:
                rate = int((usage.cpu_ns - previous[1]) / (usage.time - previous[0]))
            self._last[key] = (usage.time, usage.cpu_ns, rate)
            return rate

    def forget(self, keep: set) -> None:
        with self._lock:
            self._last = {key: value for key, value in self._last.items() if key in keep}


def _cpu(usage: Usage, rate: int | None) -> dict:
    cpu = {"time": rfc3339(usage.time), "usageNanoCores": rate, "usageCoreNanoSeconds": usage.cpu_ns}
    return {name: value for name, value in cpu.items() if value is not None}


def _memory(usage: Usage) -> dict:
    memory = {"time": rfc3339(usage.time), "availableBytes": usage.available_bytes, "usageBytes": usage.usage_bytes,
              "workingSetBytes": usage.working_set_bytes, "rssBytes": usage.rss_bytes,
              "pageFaults": usage.page_faults, "majorPageFaults": usage.major_page_faults}
    return {name: value for name, value in memory.items() if value is not None}


def _with_usage(stats: dict, usage: Usage | None, rate: int | None) -> dict:
    return stats if usage is None else {**stats, "cpu": _cpu(usage, rate), "memory": _memory(usage)}


def _fs(fs: FsUsage) -> dict:
    return {"time": rfc3339(fs.time), "availableBytes": fs.available_bytes, "capacityBytes": fs.capacity_bytes,
            "usedBytes": fs.used_bytes, "inodesFree": fs.inodes_free, "inodes": fs.inodes,
            "inodesUsed": fs.inodes_used}


def _container(container: ContainerStats, rates: CpuRates, key: object) -> dict:
    stats = _with_usage({"name": container.name, "startTime": rfc3339(container.start_time)}, container.usage,
                        rates.rate(key, container.usage) if container.usage else None)
    return {**stats, "logs": _fs(container.logs)} if container.logs else stats


def _node(node: NodeStats, rates: CpuRates) -> dict:
    stats: dict = {"nodeName": node.name}
    if node.system_containers:
        stats["systemContainers"] = [_container(c, rates, ("system", c.name)) for c in node.system_containers]
    stats["startTime"] = rfc3339(node.start_time)
    stats = _with_usage(stats, node.usage, rates.rate("node", node.usage) if node.usage else None)
    if node.fs:
        stats["fs"] = _fs(node.fs)
    if node.rlimit:
        stats["rlimit"] = {"time": rfc3339(node.rlimit[0]), "maxpid": node.rlimit[1], "curproc": node.rlimit[2]}
    return stats


def pod_usage(containers: tuple[ContainerStats, ...]) -> Usage | None:
    """The pod's usage: its containers' summed, at the latest of their readings."""
    measured = [c.usage for c in containers if c.usage is not None]
    if not measured:
        return None
    return Usage(max(u.time for u in measured), sum(u.cpu_ns for u in measured),
                 sum(u.working_set_bytes for u in measured), sum(u.rss_bytes or 0 for u in measured),
                 page_faults=sum(u.page_faults or 0 for u in measured),
                 major_page_faults=sum(u.major_page_faults or 0 for u in measured),
                 processes=sum(u.processes or 0 for u in measured))


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/server/stats.summaryProviderImpl).Get")
def summary(node: NodeStats, pods: list[PodStats], rates: CpuRates) -> dict:
    """statsapi.Summary as Go's JSON writes it: fields in the struct's order, empty optional ones
    left out, `pods` null when the node runs none."""
    items = []
    for pod in pods:
        containers = [_container(c, rates, (pod.key.uid, c.name)) for c in pod.containers]
        usage = pod_usage(pod.containers)
        item = {"podRef": {"name": pod.key.name, "namespace": pod.key.namespace, "uid": pod.key.uid},
                "startTime": rfc3339(pod.start_time), "containers": containers or None}
        item = _with_usage(item, usage, rates.rate(pod.key.uid, usage) if usage else None)
        logs = [c.logs for c in pod.containers if c.logs]
        if logs:  # the pod's ephemeral storage: here, its containers' logs
            item["ephemeral-storage"] = _fs(replace(logs[0], used_bytes=sum(fs.used_bytes for fs in logs),
                                                    inodes_used=sum(fs.inodes_used for fs in logs)))
        if usage is not None:
            item["process_stats"] = {"process_count": usage.processes}
        items.append(item)
    stats = {"node": _node(node, rates), "pods": items or None}
    rates.forget({"node", *(("system", c.name) for c in node.system_containers), *(pod.key.uid for pod in pods),
                  *((pod.key.uid, c.name) for pod in pods for c in pod.containers)})
    return stats


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/server/stats.summaryProviderImpl).GetCPUAndMemoryStats")
def cpu_and_memory(summary_: dict) -> dict:
    """The summary `only_cpu_and_memory=true` asks for: names, start times, CPU and memory; the
    system containers' too."""
    def trimmed(stats: dict, *names: str) -> dict:
        return {name: stats[name] for name in names if name in stats}

    def containers(listed: list[dict] | None) -> list[dict] | None:
        return [trimmed(c, "name", "startTime", "cpu", "memory") for c in listed] if listed else listed

    node = trimmed(summary_["node"], "nodeName", "systemContainers", "startTime", "cpu", "memory")
    if "systemContainers" in node:
        node["systemContainers"] = containers(node["systemContainers"])
    pods = [{**trimmed(pod, "podRef", "startTime", "containers", "cpu", "memory"),
             "containers": containers(pod["containers"])} for pod in summary_["pods"] or []]
    return {"node": node, "pods": pods or None}


# /metrics/resource: (name, help, labels) in the order the collector describes them.
RESOURCE_METRICS = (
    ("container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter"),
    ("container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge"),
    ("container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge"),
    ("node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter"),
    ("node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge"),
    ("pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter"),
    ("pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge"),
    ("scrape_error", "1 if there was an error while getting container metrics, 0 otherwise", "gauge"),
)


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{escape_label_value(value)}"' for name, value in labels.items()) + "}"


def _sample(name: str, labels: str, value: float, time: float) -> tuple[str, str]:
    """A sample stamped with its reading's time in milliseconds (NewLazyMetricWithTimestamp)."""
    return labels, f"{name}{labels} {format_float(value)} {int(time * 1000)}"


def _usage_samples(prefix: str, labels: str, usage: Usage | None) -> dict[str, tuple[str, str]]:
    if usage is None:
        return {}
    return {f"{prefix}_cpu_usage_seconds_total": _sample(f"{prefix}_cpu_usage_seconds_total", labels,
                                                         usage.cpu_ns / NANOSECONDS, usage.time),
            f"{prefix}_memory_working_set_bytes": _sample(f"{prefix}_memory_working_set_bytes", labels,
                                                          usage.working_set_bytes, usage.time)}


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/metrics/collectors.resourceMetricsCollector).CollectWithStability")
def resource_metrics(node: NodeStats, pods: list[PodStats]) -> str:
    """The text exposition of the node's, pods' and containers' CPU and memory, each stamped with
    its reading's time, and each container's start (families sorted by name, samples by labels,
    as client_golang gathers them); what has no reading has no sample."""
    samples: dict[str, list[tuple[str, str]]] = {name: [] for name, _, _ in RESOURCE_METRICS}

    def add(found: dict[str, tuple[str, str]]) -> None:
        for name, sample in found.items():
            samples[name].append(sample)

    add(_usage_samples("node", "", node.usage))
    for pod in pods:
        for container in pod.containers:
            labels = _labels(container=container.name, namespace=pod.key.namespace, pod=pod.key.name)
            add({"container_start_time_seconds": _sample("container_start_time_seconds", labels,
                                                          container.start_time, container.start_time)})
            add(_usage_samples("container", labels, container.usage))
        add(_usage_samples("pod", _labels(namespace=pod.key.namespace, pod=pod.key.name),
                           pod_usage(pod.containers)))
    samples["scrape_error"].append(("", "scrape_error 0"))
    lines = []
    for name, help_, kind in RESOURCE_METRICS:
        if samples[name]:
            lines += [f"# HELP {name} [ALPHA] {help_}", f"# TYPE {name} {kind}",
                      *(text for _, text in sorted(samples[name]))]
    return "\n".join(lines) + "\n"


# --- /proc, for the adapter -------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()  # past the command, which may hold spaces


def _usage(members: list[list[str]], reaped: list[str] | None, now: float) -> Usage | None:
    """The summed usage of processes by their /proc/PID/stat fields: utime and stime (and the
    cutime and cstime of `reaped`, for the children it waited for), resident pages, page faults."""
    if not members:
        return None
    user = sum(int(fields[11]) for fields in members) + (int(reaped[13]) if reaped is not None else 0)
    system = sum(int(fields[12]) for fields in members) + (int(reaped[14]) if reaped is not None else 0)
    rss = sum(int(fields[21]) for fields in members) * os.sysconf("SC_PAGE_SIZE")
    tick = NANOSECONDS // os.sysconf("SC_CLK_TCK")
    return Usage(now, (user + system) * tick, rss, rss,
                 page_faults=sum(int(fields[7]) for fields in members),
                 major_page_faults=sum(int(fields[9]) for fields in members), processes=len(members),
                 user_ns=user * tick)


@mirrors("github.com/google/cadvisor/container/libcontainer.setCPUStats")
def read_group_usage(pgid: int, now: float) -> Usage | None:
    """The usage of process group `pgid` (a container's processes): CPU time of every live member
    and of the children its leader reaped, resident memory, page faults; None once the group is
    gone."""
    members, leader = [], None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:  # it ended while being read
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # a zombie has ended: it uses nothing
            members.append(fields)
            if int(entry) == pgid:
                leader = fields
    return _usage(members, leader, now)


def read_process_usage(pid: int, now: float) -> Usage | None:
    """One process's own usage (not the children it reaped: for the kubelet, those are its
    containers')."""
    try:
        return _usage([_stat_fields(pid)], None, now)
    except OSError:
        return None


def _meminfo() -> dict[str, int]:
    with open("/proc/meminfo") as meminfo:
        return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in meminfo}


@mirrors("(*github.com/google/cadvisor/manager.containerData).updateStats")
def read_node_usage(now: float) -> Usage:
    """The host's usage, as cAdvisor's root container has it: busy CPU time from /proc/stat, memory
    used (all but free) and its working set (less the inactive file cache), the available memory,
    and page faults from /proc/vmstat."""
    with open("/proc/stat") as stat:
        jiffies = [int(value) for value in stat.readline().split()[1:]]
    busy = sum(jiffies[:8]) - jiffies[3] - jiffies[4]  # all but idle and iowait; guest time is in user's
    memory = _meminfo()
    used = memory["MemTotal"] - memory["MemFree"]
    with open("/proc/vmstat") as vmstat:
        counters = dict(line.split() for line in vmstat)
    return Usage(now, busy * NANOSECONDS // os.sysconf("SC_CLK_TCK"), used - memory.get("Inactive(file)", 0),
                 usage_bytes=used, available_bytes=memory["MemAvailable"], page_faults=int(counters["pgfault"]),
                 major_page_faults=int(counters["pgmajfault"]))


@mirrors("(*github.com/google/cadvisor/fs.RealFsInfo).GetDirFsDevice")
def read_fs(path: Path, now: float, used_bytes: int | None = None, inodes_used: int | None = None) -> FsUsage:
    """The filesystem `path` is on; its own use unless what `path` holds is measured (a log folder)."""
    fs = os.statvfs(path)
    return FsUsage(now, fs.f_bavail * fs.f_frsize, fs.f_blocks * fs.f_frsize,
                   (fs.f_blocks - fs.f_bfree) * fs.f_frsize if used_bytes is None else used_bytes,
                   fs.f_favail, fs.f_files, fs.f_files - fs.f_ffree if inodes_used is None else inodes_used)


def read_dir_usage(path: Path, now: float) -> FsUsage | None:
    """A folder's own use (its files' sizes, on disk, and their count) on its filesystem, as
    cAdvisor's du-like walk measures a container's logs; None when it is not there."""
    used = inodes = 0
    try:
        for root, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                inodes += 1
                try:
                    used += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass
        return read_fs(path, now, used, inodes)
    except OSError:
        return None


@mirrors("k8s.io/kubernetes/pkg/kubelet/stats/pidlimit.Stats")
def read_rlimit(now: float) -> tuple[float, int, int]:
    """kernel.pid_max and the number of tasks (threads, as sysinfo's procs counts), from /proc."""
    with open("/proc/sys/kernel/pid_max") as pid_max, open("/proc/loadavg") as loadavg:
        return now, int(pid_max.read()), int(loadavg.read().split()[3].split("/")[1])
