"""What the kubelet's server asks of the kubelet (upstream's server.HostInterface): the pods it was
given, the pods its runtime runs, their stats, its metrics, its configuration, and a command run in
a container.

`KubeletHost` answers for one node's `Kubelet` core and the process runtime (None for hollow
nodes, whose pods run nothing). The encoders beside it write what upstream's handlers write:
a v1 PodList as the legacy codec encodes it, Prometheus text as client_golang does.
"""
from __future__ import annotations

import datetime
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field

from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.gojson import marshal
from reference_impl.machinery.prometheus import START_TIME_HELP, escape_label_value, go_families, process_families
from reference_impl.machinery.runtimestats import boot_time, read_stat
from reference_impl.mirrors import mirrors

from . import cadvisor
from .actions import PodKey
from .runtime import log_path
from .stats import ContainerStats, CpuRates, NodeStats, PodStats, cpu_and_memory, pod_usage, \
    read_dir_usage, read_fs, read_group_usage, read_node_usage, read_process_usage, read_rlimit, resource_metrics, \
    summary

# The annotations the kubelet's pod config puts on the pods it was given (kubetypes).
CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source"
CONFIG_FIRST_SEEN_ANNOTATION = "kubernetes.io/config.seen"


class RunError(Exception):
    """A command run in a container that could not start or did not exit 0, in the runtime's words."""


def go_json(value) -> bytes:
    """`value` as runtime.Encode's JSON serializer writes it: compact, HTML characters escaped, a
    newline at the end."""
    return marshal(value) + b"\n"


@mirrors("k8s.io/kubernetes/pkg/kubelet/server.encodePods")
def pod_list(pods: list[dict]) -> bytes:
    """A v1 PodList of `pods` (items null when there are none, as Go's nil slice)."""
    return go_json({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods or None})


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/types.Timestamp).GetString")
def first_seen(seconds: float) -> str:
    """time.Now().Format(RFC3339Nano) on a host in UTC: nanoseconds with trailing zeros cut."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/config.podStorage).merge")
def as_given(pod: dict, seen: float) -> dict:
    """The pod as the kubelet's pod manager holds it: the API's, with the source and first-seen
    annotations the pod config adds."""
    meta = pod["metadata"]
    annotations = {**(meta.get("annotations") or {}), CONFIG_SOURCE_ANNOTATION: "api",
                   CONFIG_FIRST_SEEN_ANNOTATION: first_seen(seen)}
    return {**{k: v for k, v in pod.items() if k not in ("kind", "apiVersion")},
            "metadata": {**meta, "annotations": annotations}}


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/container.Pod).ToAPIPod")
def running_pod(key: PodKey, containers: list[dict]) -> dict:
    """What the runtime knows of a running pod, as a v1 Pod: its name, namespace and uid, and
    each running container's name and image."""
    return {"metadata": {"name": key.name, "namespace": key.namespace, "uid": key.uid, "creationTimestamp": None},
            "spec": {"containers": [{"name": c["name"], "image": c.get("image", ""), "resources": {}}
                                    for c in containers] or None},
            "status": {}}


def exposition(families: list[tuple[str, str, str, list[tuple[str, float]]]]) -> str:
    """Prometheus text of (name, help, type, [(labels, value)]) families, sorted as client_golang
    gathers them; a family with no samples is not written."""
    lines = []
    for name, help_, kind, samples in sorted(families):
        if samples:
            lines += [f"# HELP {name} {help_}", f"# TYPE {name} {kind}",
                      *(f"{name}{labels} {format_float(value)}" for labels, value in sorted(samples))]
    return "\n".join(lines) + "\n"


def labels(**values: str) -> str:
    """Label pairs sorted by name, as client_golang writes them."""
    return "{" + ",".join(f'{name}="{escape_label_value(values[name])}"' for name in sorted(values)) + "}"


# The buckets addMetricsBucketMatcher registers on a server with debugging handlers and the
# profiling handler's "debug"; any other root path counts as "other".
METRICS_BUCKETS = {"healthz", "pods", "stats", "metrics", "metrics/cadvisor", "metrics/probes", "metrics/resource",
                   "run", "exec", "attach", "portForward", "containerLogs", "configz", "runningpods", "logs", "debug"}
METRICS_METHODS = {"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"}
# longRunningRequestPathMap: "portforward" is spelled so upstream, which the "portForward" bucket
# never matches.
LONG_RUNNING_BUCKETS = {"exec", "attach", "portforward", "debug"}


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).getMetricBucket",
         "k8s.io/kubernetes/pkg/kubelet/server.getURLRootPath")
def metric_bucket(path: str) -> str:
    parts = path.removeprefix("/").split("/", 2)
    root = f"{parts[0]}/{parts[1]}" if parts[0] == "metrics" and len(parts) > 1 else parts[0]
    return root if root in METRICS_BUCKETS else "other"


class HttpRequests:
    """kubelet_http_requests_total: requests by method, path bucket, server type and whether
    they are long-running, counted as each arrives."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str, str], int] = {}
        self._lock = threading.Lock()  # each connection's thread counts

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).ServeHTTP")
    def count(self, method: str, path: str, read_only: bool) -> None:
        bucket = metric_bucket(path)
        key = (method if method in METRICS_METHODS else "other", bucket, "readonly" if read_only else "readwrite",
               "true" if bucket in LONG_RUNNING_BUCKETS else "false")
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def samples(self) -> list[tuple[str, int]]:
        with self._lock:
            counts = dict(self.counts)
        return [(labels(method=method, path=path, server_type=server_type, long_running=long_running), count)
                for (method, path, server_type, long_running), count in counts.items()]


@dataclass
class KubeletHost:
    """The server's view of one node's kubelet core and its runtime (None: hollow)."""

    kubelet: object  # kubelet.Kubelet
    runtime: object | None = None  # runtime.ProcessRuntime
    config: dict = field(default_factory=dict)  # the KubeletConfiguration fields /configz shows
    rates: CpuRates = field(default_factory=CpuRates)
    requests: HttpRequests = field(default_factory=HttpRequests)

    def _records(self):
        return [record for record in list(self.kubelet.pods.values()) if not record.removed]

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).GetPods")
    def pods(self) -> list[dict]:
        return [as_given(record.pod, record.start_time) for record in self._records()]

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).GetRunningPods")
    def running_pods(self) -> list[dict]:
        """Pods with a container running, each with only those containers."""
        pods = []
        for record in list(self.kubelet.pods.values()):
            running = [c.spec for c in list(record.containers.values()) if c.state == "running"]
            if running:
                pods.append(running_pod(record.key, running))
        return pods

    def _container_stats(self, key: PodKey, container, now: float) -> ContainerStats:
        """A running container's stats: its process group's usage and its log folder's size."""
        proc = None if self.runtime is None else self.runtime.processes.get((key, container.name))
        if proc is None or proc.poll() is not None:
            return ContainerStats(container.name, container.started_at, None)
        logs = read_dir_usage(log_path(self.runtime.log_root, key, container.name, 0).parent, now)
        return ContainerStats(container.name, container.started_at, read_group_usage(proc.pid, now), logs)

    def _pod_stats(self, now: float) -> list[PodStats]:
        """Each pod given a sandbox, with its running containers."""
        return [PodStats(record.key, record.start_time,
                         tuple(self._container_stats(record.key, c, now) for c in list(record.containers.values())
                               if c.state == "running" and c.started_at is not None))
                for record in self._records() if record.pod_ip or self.kubelet.hollow]

    def _node_stats(self, pods: list[PodStats], now: float) -> NodeStats:
        """The host's readings; a hollow node has only its name and start. The kubelet's system
        container is this process, which has run since it was created; the pods' is theirs summed."""
        if self.runtime is None:
            return NodeStats(self.kubelet.node_name, boot_time())
        started = read_stat().start_time
        system = (ContainerStats("kubelet", started, read_process_usage(os.getpid(), now)),
                  ContainerStats("pods", started, pod_usage(tuple(c for pod in pods for c in pod.containers))))
        # The log root is made when a container first logs; until then, the filesystem it will be on.
        root = next(folder for folder in (self.runtime.log_root, *self.runtime.log_root.parents) if folder.exists())
        return NodeStats(self.kubelet.node_name, boot_time(), read_node_usage(now), read_fs(root, now),
                         read_rlimit(now), system)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server/stats.handler).handleSummary")
    def summary(self, only_cpu_and_memory: bool = False) -> dict:
        now = time.time()
        pods = self._pod_stats(now)
        stats = summary(self._node_stats(pods, now), pods, self.rates)
        return cpu_and_memory(stats) if only_cpu_and_memory else stats

    def resource_metrics(self) -> str:
        now = time.time()
        pods = self._pod_stats(now)
        return resource_metrics(self._node_stats(pods, now), pods)

    @mirrors("k8s.io/kubernetes/pkg/kubelet/metrics.Register")
    def metrics(self) -> str:
        """The kubelet's own metrics that the reference kubelet keeps: the requests its server got,
        its node's name, the pods and containers running; the Go collector's families before them
        and the process collector's after, as they sort."""
        running = self.running_pods()
        containers = sum(len(pod["spec"]["containers"] or ()) for pod in running)
        kubelet = exposition([
            ("kubelet_http_requests_total", "[ALPHA] Number of the http requests received since the server started",
             "counter", self.requests.samples()),
            ("kubelet_node_name", "[ALPHA] The node's name. The count is always 1.", "gauge",
             [(labels(node=self.kubelet.node_name), 1)]),
            ("kubelet_running_pods", "[ALPHA] Number of pods that have a running pod sandbox", "gauge",
             [("", len(running))]),
            ("kubelet_running_containers", "[ALPHA] Number of containers currently running", "gauge",
             [(labels(container_state="running"), containers)]),
        ])
        return "".join([*(family.text() for family in go_families()), kubelet,
                        *(family.text() for family in process_families(f"[ALPHA] {START_TIME_HELP}"))])

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/prober.worker).doProbe")
    def probe_metrics(self) -> str:
        """prober_probe_total by container and result, from the core's probe counts."""
        samples = [(labels(container=name, namespace=key.namespace, pod=key.name, pod_uid=key.uid,
                           probe_type=probe_type.capitalize(), result=result), count)
                   for (key, name, probe_type, result), count in sorted(self.kubelet.probe_counts.items())]
        return exposition([
            ("prober_probe_total", "[ALPHA] Cumulative number of a liveness, readiness or startup probe for a "
                                   "container by result.", "counter", samples),
            ("process_start_time_seconds", f"[ALPHA] {START_TIME_HELP}", "gauge", [("", read_stat().start_time)]),
        ])

    def _container_infos(self, now: float) -> list[cadvisor.ContainerInfo]:
        """Each running container with a reading, as cAdvisor knows its cgroup."""
        infos = []
        for record in self._records():
            qos_class = (record.pod.get("status") or {}).get("qosClass", "")
            for c in list(record.containers.values()):
                stats = self._container_stats(record.key, c, now) if c.state == "running" else None
                if stats is None or stats.usage is None:
                    continue
                infos.append(cadvisor.ContainerInfo(
                    cadvisor.container_cgroup(qos_class, record.key.uid, c.container_id), c.container_id,
                    c.spec.get("image", ""), c.name, record.key.name, record.key.namespace, c.started_at,
                    stats.usage))
        return infos

    @mirrors("github.com/google/cadvisor/metrics.NewPrometheusMachineCollector",
             "github.com/google/cadvisor/metrics.NewPrometheusCollector")
    def cadvisor_metrics(self) -> str:
        """cAdvisor's machine metrics of this host, and its series of each container running."""
        with open("/proc/meminfo") as meminfo:
            total = next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemTotal:"))
        now = time.time()
        families = cadvisor.container_families(self._container_infos(now), now)
        families["machine_cpu_cores"] = ("Number of logical CPU cores.", "gauge",
                                         [("", f"machine_cpu_cores {format_float(os.cpu_count() or 0)}")])
        families["machine_memory_bytes"] = ("Amount of memory installed on the machine.", "gauge",
                                            [("", f"machine_memory_bytes {format_float(total)}")])
        return cadvisor.exposition(families)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).RunInContainer")
    def run_in_container(self, key: PodKey, container: str, command: list[str]) -> bytes:
        """The command's output (stdout, then stderr) run to its end in the running container's
        environment; RunError in the runtime's words when it cannot start or exits non-zero."""
        target = None if self.runtime is None else self.runtime.exec_target(key, container)
        if target is None:
            raise RunError(f'container not found ("{container}")')
        try:
            done = subprocess.run(command, env=target.env, cwd=target.working_dir, capture_output=True,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as error:
            raise RunError(f"failed to exec in container: {error.strerror}: {command[0]}") from None
        if done.returncode != 0:
            raise RunError(f"command '{' '.join(command)}' exited with {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')}")
        return done.stdout + done.stderr
