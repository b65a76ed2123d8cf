"""A Deployment behind a Service on `kubeatlas cluster up`, driven end to end with kubectl.

Each step is a test and relies on the ones before it (pytest runs them in file order): one
cluster of three kubelets is started for the module and stopped in its finalizer, together with
any container process a killed kubelet left behind.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analyzer.cli import main
from clusterkit import wait_for
from reference_impl.cluster import Cluster, free_port

NAMESPACE = "e2e-web"
# Replies "<pod name> <VERSION> <pid>"; binds the address it is given, $(POD_IP) in the manifest,
# and says so on stdout, which `kubectl logs` reads back. On SIGTERM it serves 2 s more before it
# exits, as a server behind a Service should: the endpoint change reaches kube-proxy
# asynchronously, so a pod that dies the instant it is told to stop drops the requests routed
# to it meanwhile (upstream's advice is a preStop sleep or this drain).
SERVER = """
import http.server, os, signal, sys, threading
print(f"serving {os.environ['POD_NAME']} {os.environ['VERSION']} on {sys.argv[1]}:{sys.argv[2]}", flush=True)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{os.environ['POD_NAME']} {os.environ['VERSION']} {os.getpid()}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Timer(2, server.shutdown).start())
server.serve_forever()
"""


APP_PORT, SERVICE_PORT = free_port(), free_port()


# Upstream's DefaultTolerationSeconds gives every pod 300 s on a not-ready or unreachable node;
# the pods here tolerate 2 s, as a workload that wants fast failover sets, so the test is short.
FAST_EVICTION = [{"key": f"node.kubernetes.io/{taint}", "operator": "Exists",
                  "effect": "NoExecute", "tolerationSeconds": 2}
                 for taint in ("not-ready", "unreachable")]


def manifest() -> dict:
    container = {
        "name": "web", "image": "python",
        "command": [sys.executable, "-c", SERVER, "$(POD_IP)", str(APP_PORT)],
        "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "VERSION", "value": "v1"}],
        "ports": [{"containerPort": APP_PORT}],
        "resources": {"requests": {"cpu": "1"}},
        "readinessProbe": {"httpGet": {"path": "/", "port": APP_PORT}, "periodSeconds": 1},
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NAMESPACE},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [container], "terminationGracePeriodSeconds": 2,
                                       "tolerations": FAST_EVICTION}}},
    }
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": NAMESPACE},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": SERVICE_PORT, "targetPort": APP_PORT}]},
    }
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    return {"apiVersion": "v1", "kind": "List", "items": [namespace, deployment, service]}


class Harness:
    def __init__(self, directory: Path):
        self.directory = directory
        self.kubeconfig = directory / "admin.kubeconfig"
        self.orphans: set[int] = set()  # container processes of a killed kubelet

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        result = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *args], input=stdin,
                                capture_output=True, text=True, timeout=60)
        if check:
            assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def get(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", "-o", "json", *args))

    def pods(self, live_only: bool = True) -> list[dict]:
        items = self.get("pods", "-n", NAMESPACE)["items"]
        return [p for p in items if not (live_only and p["metadata"].get("deletionTimestamp"))]

    def ready_pods(self) -> list[dict]:
        return [p for p in self.pods() if any(c["type"] == "Ready" and c["status"] == "True"
                                              for c in p.get("status", {}).get("conditions", []))]

    def process(self, name: str) -> int:
        return next(p.pid for p in Cluster.load(self.directory).processes if p.name == name)


def http_get(host: str, port: int, timeout: float = 1.0) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
    except OSError:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    return body.decode() if head.startswith(b"HTTP/1.0 200") else None


def pid_of(pod: dict) -> int:
    return int(pod["status"]["containerStatuses"][0]["containerID"].removeprefix("process://"))


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def service_backends(attempts: int = 30) -> tuple[set[str], int]:
    """Pod names that answered on the Service port over `attempts` new connections, and the failures."""
    names, failures = set(), 0
    for _ in range(attempts):
        body = http_get("127.0.0.1", SERVICE_PORT)
        if body is None:
            failures += 1
        else:
            names.add(body.split()[0])
    return names, failures


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("e2e") / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--kubelets", "3",
                 "--node-monitor-grace-period", "6"]) == 0
    harness = Harness(directory)
    try:
        yield harness
    finally:
        for pid in harness.orphans:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        main(["cluster", "down", "--dir", str(directory)])


def test_replicas_spread_over_nodes_each_serving_on_its_own_pod_ip(cluster):
    wait_for(lambda: len([n for n in cluster.get("nodes")["items"]
                          if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])]
                         ) == 3, 30, "three Ready nodes")
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(manifest()))
    pods = wait_for(lambda: len(ready := cluster.ready_pods()) == 3 and ready, 40, "three ready replicas")
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["node-1", "node-2", "node-3"]
    for pod in pods:
        ip, node = pod["status"]["podIP"], pod["spec"]["nodeName"]
        assert ip.startswith(f"127.0.{node.removeprefix('node-')}.")
        assert pod["status"]["podIPs"] == [{"ip": ip}]
        body = http_get(ip, APP_PORT)
        assert body is not None and body.split()[:2] == [pod["metadata"]["name"], "v1"]
        assert int(body.split()[2]) == pid_of(pod)
    assert len({p["status"]["podIP"] for p in pods}) == 3


def test_the_service_port_reaches_every_backend_through_kube_proxy(cluster):
    names = {p["metadata"]["name"] for p in cluster.ready_pods()}
    answered = wait_for(lambda: (seen := service_backends()[0]) == names and seen, 20,
                        "the Service to answer from every backend")
    assert answered == names


def test_scaling_to_one_stops_two_processes(cluster):
    before = {p["metadata"]["name"]: p for p in cluster.ready_pods()}
    cluster.kubectl("scale", "-n", NAMESPACE, "deployment/web", "--replicas=1")
    wait_for(lambda: len(cluster.pods(live_only=False)) == 1, 30, "two pods to be deleted")
    kept = cluster.pods()[0]["metadata"]["name"]
    for name, pod in before.items():
        if name == kept:
            continue
        wait_for(lambda: not alive(pid_of(pod)), 10, f"{name}'s process to exit")
        assert http_get(pod["status"]["podIP"], APP_PORT) is None
    assert http_get(before[kept]["status"]["podIP"], APP_PORT) is not None
    assert wait_for(lambda: (seen := service_backends(5)[0]) == {kept} and seen, 10, "one backend") == {kept}


def test_a_rolling_update_keeps_a_ready_backend_throughout(cluster):
    answers: list[str | None] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            answers.append(http_get("127.0.0.1", SERVICE_PORT))
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        old = {p["metadata"]["name"] for p in cluster.pods()}
        cluster.kubectl("set", "env", "-n", NAMESPACE, "deployment/web", "VERSION=v2")
        wait_for(lambda: (pods := cluster.pods(live_only=False)) and len(pods) == 1
                 and pods[0]["metadata"]["name"] not in old and cluster.ready_pods(), 40, "the new pod alone")
        wait_for(lambda: answers and answers[-1] and answers[-1].split()[1] == "v2", 10, "v2 on the Service")
    finally:
        stop.set()
        poller.join()
    assert None not in answers, f"{answers.count(None)} of {len(answers)} requests failed during the rollout"
    versions = [a.split()[1] for a in answers]
    assert versions[0] == "v1" and versions[-1] == "v2"


def test_kubectl_logs_reads_the_container_output_through_its_kubelet(cluster):
    pod = cluster.ready_pods()[0]
    name, ip = pod["metadata"]["name"], pod["status"]["podIP"]
    line = f"serving {name} v2 on {ip}:{APP_PORT}"
    assert cluster.kubectl("logs", "-n", NAMESPACE, name).splitlines() == [line]
    assert cluster.kubectl("logs", "-n", NAMESPACE, name, "-c", "web", "--tail", "1").splitlines() == [line]
    follow = subprocess.Popen(["kubectl", "--kubeconfig", str(cluster.kubeconfig), "logs", "-f", "-n", NAMESPACE,
                               name], stdout=subprocess.PIPE, text=True)
    try:
        assert follow.stdout.readline().rstrip("\n") == line
    finally:
        follow.kill()
        follow.wait()
    result = subprocess.run(["kubectl", "--kubeconfig", str(cluster.kubeconfig), "logs", "-n", NAMESPACE, name,
                             "--previous"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "previous terminated container" in result.stderr
    result = subprocess.run(["kubectl", "--kubeconfig", str(cluster.kubeconfig), "logs", "-n", NAMESPACE, "nope"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and 'pods "nope" not found' in result.stderr


def test_a_killed_kubelets_node_goes_not_ready_and_its_pods_move(cluster):
    cluster.kubectl("scale", "-n", NAMESPACE, "deployment/web", "--replicas=3")
    pods = wait_for(lambda: len(ready := cluster.ready_pods()) == 3 and ready, 40, "three ready replicas")
    victim = pods[0]["spec"]["nodeName"]
    doomed = {p["metadata"]["name"] for p in pods if p["spec"]["nodeName"] == victim}
    cluster.orphans |= {pid_of(p) for p in pods if p["spec"]["nodeName"] == victim}
    os.kill(cluster.process(f"kubelet-{victim.removeprefix('node-')}"), signal.SIGKILL)

    def node_ready() -> str:
        node = cluster.get("node", victim)
        return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")

    wait_for(lambda: node_ready() != "True", 30, f"{victim} to be marked NotReady")
    replaced = wait_for(lambda: len(ready := cluster.ready_pods()) == 3
                        and not {p["metadata"]["name"] for p in ready} & doomed and ready, 40,
                        "the pods of the dead node to be replaced")
    assert victim not in {p["spec"]["nodeName"] for p in replaced}


def test_deleting_the_namespace_removes_everything(cluster):
    # The dead node's pods stay Terminating, as they do in Kubernetes, until someone force-deletes
    # them: no kubelet is left to confirm their containers stopped.
    for pod in cluster.pods(live_only=False):
        if pod["metadata"].get("deletionTimestamp"):
            cluster.kubectl("delete", "pod", "-n", NAMESPACE, pod["metadata"]["name"], "--force",
                            "--grace-period=0", "--wait=false")
    pids = [pid_of(p) for p in cluster.ready_pods()]
    cluster.kubectl("delete", "namespace", NAMESPACE, "--wait=false")
    wait_for(lambda: NAMESPACE not in cluster.kubectl("get", "namespaces", "-o", "name"), 40,
             "the namespace to be removed")
    for pid in pids:
        if pid not in cluster.orphans:
            wait_for(lambda: not alive(pid), 10, f"process {pid} to exit")
    assert http_get("127.0.0.1", SERVICE_PORT) is None
