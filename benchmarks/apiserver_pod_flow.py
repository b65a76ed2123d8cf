"""The apiserver's CPU per pod for the requests the end-to-end scheduler benchmark makes, with no
scheduler, kubelet or reference etcd competing for the CPU (etcd's own CPU per pod is reported too).

Per pod, as scheduler_throughput's end-to-end run sends them (same pod specs, same seed):
  benchmark  POST   /api/v1/namespaces/bench/pods                    (the pod)
  scheduler  POST   /api/v1/namespaces/bench/pods/NAME/binding       (the bind)
  scheduler  POST   /api/v1/namespaces/bench/events                  (the Scheduled event)
  kubelet    PATCH  /api/v1/namespaces/bench/pods/NAME/status        (merge patch: Running, Ready)
while three watches are open as in that run (the scheduler's and the kubelet's of all pods, the
benchmark's of its namespace), each of which must receive all three events of every pod. The
apiserver runs as its own process in front of etcd 3.4 (`--storage reference` for the reference
etcd); its CPU seconds come from /proc, also less what it spends idle (measured for a few seconds
before the first create: the real kube-apiserver's own controllers keep it busy). With
`--kube-apiserver BINARY` the real 1.24 kube-apiserver (never fetched or built here) serves the
same requests instead, on etcd 3.4, for comparison.

Beside CPU, what one pod cost in requests: the apiserver's requests and its etcd requests by
operation and type (its /metrics), and, on etcd 3.4, etcd's RPCs by method, the watch responses
and events it sent and the proposals it committed (etcd's /metrics). On a shared machine, compare
runs made one after another and take the lowest of several.

    python benchmarks/apiserver_pod_flow.py [--pods 2000] [--clients 8] [--watchers 3] [--storage etcd]
        [--kube-apiserver /work/k8s-bin/kube-apiserver]
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import ssl
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import apiserver_differential  # noqa: E402  (the real kube-apiserver's start)
import apiserver_load  # noqa: E402  (the e2e tests' control plane helpers)
import scheduler_throughput  # noqa: E402
from proc import children, cpu_seconds  # noqa: E402  (the pods of the end-to-end run)
from reference_impl import cluster as local_cluster  # noqa: E402

NS = scheduler_throughput.NS
NODE = "hollow-node-1"
DELIVERY_TIMEOUT = 60.0
IDLE_SECONDS = 3.0
ETCD = Path("/usr/bin/etcd")
# etcd 3.4's counters of what it served: RPCs by method, watch responses and events sent, proposals.
ETCD_COUNTERS = re.compile(r'^(grpc_server_handled_total|grpc_server_msg_sent_total|etcd_debugging_mvcc_events_total'
                           r'|etcd_server_proposals_committed_total)(?:\{(.*)\})? (\S+)$')
RESULTS = Path(__file__).parent / "results" / "apiserver_pod_flow.json"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def pod_requests(pod: dict, uid_of) -> list[tuple[str, str, dict, str, int]]:
    """The four (method, path, body, content type, expected status) calls of one pod; the status
    patch and event name the uid the create answered with (`uid_of()`)."""
    name = pod["metadata"]["name"]
    base = f"/api/v1/namespaces/{NS}"
    return [
        ("POST", f"{base}/pods", {"apiVersion": "v1", "kind": "Pod", **pod}, "application/json", 201),
        ("POST", f"{base}/pods/{name}/binding", {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
                                                 "target": {"kind": "Node", "name": NODE}}, "application/json", 201),
        ("POST", f"{base}/events", lambda: {
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{name}.{time.time_ns():x}", "namespace": NS},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": NS, "name": name, "uid": uid_of()},
            "type": "Normal", "reason": "Scheduled", "message": f"Successfully assigned {NS}/{name} to {NODE}",
            "source": {"component": "default-scheduler"}, "reportingComponent": "default-scheduler",
            "firstTimestamp": _now(), "lastTimestamp": _now(), "count": 1}, "application/json", 201),
        ("PATCH", f"{base}/pods/{name}/status", lambda: {"status": {
            "phase": "Running", "hostIP": "127.0.0.1", "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}],
            "startTime": _now(),
            "conditions": [{"type": kind, "status": "True", "lastProbeTime": None, "lastTransitionTime": _now()}
                           for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": "c", "state": {"running": {"startedAt": _now()}}, "lastState": {},
                                   "ready": True, "restartCount": 0, "image": "pause", "imageID": "",
                                   "started": True, "containerID": f"hollow://{uid_of()}/c"}]}},
         "application/merge-patch+json", 200),
    ]


class Watcher(threading.Thread):
    """One watch from `resource_version`, counting the event lines it receives."""

    def __init__(self, port: int, context: ssl.SSLContext, path: str):
        super().__init__(daemon=True)
        self.port, self.context, self.path = port, context, path
        self.lines = 0
        self.error = ""

    def run(self) -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context)
        conn.request("GET", self.path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            self.error = f"{response.status} {response.read()[:200]!r}"
            return
        while line := response.readline():
            if line.strip() and b'"type":"BOOKMARK"' not in line:  # a bookmark is no delivery
                self.lines += 1


def etcd_counts(etcd_url: str) -> dict[str, float]:
    """etcd's RPCs by method ('Txn'), watch responses and events sent and proposals committed, from
    its /metrics; the reference etcd exposes none of these but the proposals."""
    with urllib.request.urlopen(f"{etcd_url.split(',')[0]}/metrics", timeout=10) as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        match = ETCD_COUNTERS.match(line)
        if match is None:
            continue
        method = dict(scheduler_throughput.LABEL.findall(match.group(2) or "")).get("grpc_method", "")
        key = {"grpc_server_handled_total": f"etcd {method} RPCs",
               "grpc_server_msg_sent_total": f"etcd {method} messages sent",
               "etcd_debugging_mvcc_events_total": "etcd watch events sent",
               "etcd_server_proposals_committed_total": "etcd proposals committed"}[match.group(1)]
        if match.group(1) == "grpc_server_msg_sent_total" and method != "Watch":
            continue  # a unary RPC sends one message: its handled count says it
        counts[key] = counts.get(key, 0.0) + float(match.group(3))
    return counts


@dataclass(frozen=True)
class ControlPlane:
    port: int
    context: ssl.SSLContext
    apiserver_pid: int
    etcd_pid: int
    etcd_url: str


@contextlib.contextmanager
def control_plane(args: argparse.Namespace, directory: Path) -> Iterator[ControlPlane]:
    """The reference apiserver on the chosen etcd, or the real kube-apiserver on etcd 3.4."""
    if args.kube_apiserver is None:
        with apiserver_load.control_plane.cluster(args.storage, directory) as cluster:
            # etcd is this process's other child (the control plane starts it before the apiserver).
            etcd_pid = next(pid for pid in children(os.getpid()) if pid != cluster.process.pid)
            yield ControlPlane(cluster.port, cluster.admin_tls, cluster.process.pid, etcd_pid, cluster.etcd_url)
        return
    started, server, etcd_url = apiserver_differential.start_real(args.kube_apiserver.resolve(), ETCD, directory)
    try:
        yield ControlPlane(server.port, server.contexts["admin"], started[1].pid, started[0].pid, etcd_url)
    finally:
        local_cluster.stop(started)


def run_flows(port: int, context: ssl.SSLContext, workers: int, pods: list[dict], flow) -> list[str]:
    """flow(client, pod) for every pod on `workers` threads with a connection each; the failures."""
    def worker(share: list[dict]) -> list[str]:
        client = apiserver_load.Client(port, context)
        try:
            return [problem for pod in share if (problem := flow(client, pod))]
        finally:
            client.close()

    with ThreadPoolExecutor(workers) as pool:
        return [problem for problems in pool.map(worker, [pods[i::workers] for i in range(workers)])
                for problem in problems]


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    pods = [scheduler_throughput.workload_pod(i, rng) for i in range(args.pods)]
    with tempfile.TemporaryDirectory(prefix="apiserver-pod-flow-") as tmp, \
            control_plane(args, Path(tmp)) as plane:
        port, context = plane.port, plane.context
        setup = apiserver_load.Client(port, context)
        status, data = setup.call("POST", "/api/v1/namespaces", json.dumps({"metadata": {"name": NS}}).encode())
        assert status == 201, (status, data[:200])
        # The real kube-apiserver's ServiceAccount admission wants the namespace's default account,
        # which no controller-manager makes here (the reference apiserver has made it already: 409).
        status, data = setup.call("POST", f"/api/v1/namespaces/{NS}/serviceaccounts",
                                  json.dumps({"metadata": {"name": "default"}}).encode())
        assert status in (201, 409), (status, data[:200])
        revision = json.loads(setup.call("GET", "/api/v1/pods")[1])["metadata"]["resourceVersion"]
        paths = [f"/api/v1/pods?watch=1&resourceVersion={revision}&allowWatchBookmarks=true"] * 2 + \
                [f"/api/v1/namespaces/{NS}/pods?watch=1&resourceVersion={revision}"]
        watchers = [Watcher(port, context, path) for path in paths[:args.watchers]]
        for watcher in watchers:
            watcher.start()
        time.sleep(1.0)  # every watch registered before the first create

        def pod_flow(client: apiserver_load.Client, pod: dict) -> str | None:
            uid = {}
            for method, path, body, content_type, expected in pod_requests(pod, lambda: uid.get("uid", "")):
                try:
                    status, data = client.call(method, path, json.dumps(body() if callable(body) else body).encode(),
                                               content_type)
                except (OSError, http.client.HTTPException) as error:
                    return f"{method} {path}: {error!r}"
                if status != expected:
                    return f"{method} {path}: {status} {data[:200]!r}"
                if not uid:
                    uid["uid"] = json.loads(data)["metadata"]["uid"]
            return None

        idle_before = cpu_seconds(plane.apiserver_pid)
        time.sleep(IDLE_SECONDS)
        idle_rate = (cpu_seconds(plane.apiserver_pid) - idle_before) / IDLE_SECONDS
        counts_before = {**scheduler_throughput.request_counts(setup), **etcd_counts(plane.etcd_url)}
        before, began = cpu_seconds(plane.apiserver_pid), time.perf_counter()
        etcd_before = cpu_seconds(plane.etcd_pid)
        failures = run_flows(port, context, args.clients, pods, pod_flow)
        wall = time.perf_counter() - began
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while any(w.lines < 3 * args.pods for w in watchers) and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu = cpu_seconds(plane.apiserver_pid) - before
        busy = cpu - idle_rate * (time.perf_counter() - began)
        etcd_cpu = cpu_seconds(plane.etcd_pid) - etcd_before
        counts_after = {**scheduler_throughput.request_counts(setup), **etcd_counts(plane.etcd_url)}
        setup.close()
        return {"pods": args.pods, "clients": args.clients, "watchers": args.watchers, "storage": args.storage,
                "apiserver": "kube-apiserver 1.24" if args.kube_apiserver else "reference",
                "apiserver_cpu_seconds": round(cpu, 2), "apiserver_cpu_ms_per_pod": round(1000 * cpu / args.pods, 3),
                "apiserver_idle_cpu_ms_per_second": round(1000 * idle_rate, 1),
                "apiserver_cpu_ms_per_pod_above_idle": round(1000 * busy / args.pods, 3),
                "etcd_cpu_seconds": round(etcd_cpu, 2), "etcd_cpu_ms_per_pod": round(1000 * etcd_cpu / args.pods, 3),
                "wall_seconds": round(wall, 2), "watch_events_received": [w.lines for w in watchers],
                "watch_events_expected": 3 * args.pods,
                "watch_errors": [w.error for w in watchers if w.error], "failures": len(failures), "first_failures": failures[:3],
                "load_average": round(os.getloadavg()[0], 1),
                "requests_per_pod": scheduler_throughput.per_pod(counts_before, counts_after, args.pods)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--watchers", type=int, default=3, choices=range(4))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--storage", choices=apiserver_load.control_plane.STORAGES, default="etcd")
    parser.add_argument("--kube-apiserver", type=Path, default=None, metavar="BINARY",
                        help="serve the flow with this real kube-apiserver 1.24 (on etcd 3.4) instead of the reference")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    if args.kube_apiserver is not None and args.storage != "etcd":
        parser.error("--kube-apiserver runs on etcd 3.4 only (--storage etcd)")
    result = run(args)
    width = max(len(key) for key in result)
    print("\n".join(f"{key:<{width}}  {value}" for key, value in result.items() if key != "requests_per_pod"))
    print(scheduler_throughput.requests_table(result["requests_per_pod"]))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return 1 if result["failures"] or any(n < result["watch_events_expected"]
                                          for n in result["watch_events_received"]) else 0


if __name__ == "__main__":
    sys.exit(main())
