"""The process adapters end to end: a reference etcd + apiserver, then the reference
controller-manager, scheduler, kubelets (one process-runtime node, two hollow nodes) and
kube-proxy, each started as `python -m reference_impl.<package>.run` on free loopback ports, and
each checked doing its basic job through the API.
"""
from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import json
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import ROOT, Cluster, started  # noqa: E402
from reference_impl.client.informer import load_client  # noqa: E402
from reference_impl.cluster import free_port  # noqa: E402
from reference_impl.kubelet.run import node_credentials, parse_args as kubelet_args  # noqa: E402

READY_TIMEOUT = 30.0
WAIT_TIMEOUT = 20.0
NODE = "node-a"
HOLLOW = "hollow"

# A container command: an HTTP server on the port in argv[1] answering every GET with "echo".
ECHO_SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"echo"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


class Component:
    """One adapter process: started, its ready line read, stopped with SIGTERM."""

    def __init__(self, name: str, argv: list[str], log: Path):
        self.name, self.log = name, log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen([sys.executable, "-m", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                                            stderr=stderr, text=True,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()
        try:
            self.ready_line = lines.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            self.ready_line = ""

    def _read(self, lines: queue.Queue) -> None:
        with contextlib.suppress(ValueError, OSError):
            for line in self.process.stdout:
                lines.put(line)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def wait_for(what: str, check, components=()):
    """Poll `check()` until it returns something truthy; fail with the components' logs."""
    deadline = time.monotonic() + WAIT_TIMEOUT
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    logs = "\n".join(f"--- {c.name} ---\n{c.log_tail()}" for c in components)
    pytest.fail(f"timed out waiting for {what}\n{logs}", pytrace=False)


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    yield from started("reference", tmp_path_factory.mktemp("adapters-cluster"))


@pytest.fixture(scope="module")
def components(plane: Cluster, tmp_path_factory):
    work = tmp_path_factory.mktemp("adapters")
    kubeconfig = str(plane.kubeconfig)
    # Each node talks to the apiserver as itself, as kubeadm's kubelet.conf has it.
    as_nodes = ["--node-ca-cert-file", str(plane.cert_dir / "ca.crt"), "--node-ca-key-file", str(plane.cert_dir / "ca.key")]
    specs = {
        "controller-manager": ["reference_impl.controller_manager.run", "--kubeconfig", kubeconfig,
                               "--leader-elect"],
        "scheduler": ["reference_impl.scheduler.run", "--kubeconfig", kubeconfig, "--leader-elect"],
        "kubelet": ["reference_impl.kubelet.run", "--kubeconfig", kubeconfig, "--node-name", NODE,
                    "--root-dir", str(work / "kubelet"), *as_nodes],
        "hollow-kubelet": ["reference_impl.kubelet.run", "--kubeconfig", kubeconfig, "--node-name", HOLLOW,
                           "--root-dir", str(work / "hollow"), "--hollow-nodes", "2", "--impersonate-nodes",
                           "--client-ca-file", str(plane.cert_dir / "ca.crt")],
        "proxy": ["reference_impl.proxy.run", "--kubeconfig", kubeconfig,
                  "--status-file", str(work / "proxy-ports.json")],
    }
    running: dict[str, Component] = {}
    try:
        for name, argv in specs.items():
            running[name] = component = Component(name, argv, work / f"{name}.log")
            if not component.ready_line.startswith("ready: reference"):
                pytest.fail(f"{name} did not start (exit {component.process.poll()}, "
                            f"stdout {component.ready_line!r}):\n{component.log_tail()}", pytrace=False)
        running["proxy"].status_file = work / "proxy-ports.json"
        yield running
    finally:
        codes = {}
        for name, component in reversed(list(running.items())):
            codes[name] = component.stop()
            component.process.stdout.close()
    bad = {name: code for name, code in codes.items() if code != 0}
    assert not bad, f"components did not exit 0 on SIGTERM: {bad}"


def http_get(port: int) -> bytes:
    """A whole HTTP/1.0 GET / answer from 127.0.0.1:port."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := conn.recv(4096):
            data += chunk
        return data


def get(plane: Cluster, path: str) -> dict:
    status, body = plane.request("GET", path)
    return body if status == 200 else {}


def condition(pod: dict, kind: str) -> dict:
    return next((c for c in (pod.get("status") or {}).get("conditions") or [] if c["type"] == kind), {})


def create(plane: Cluster, path: str, obj: dict) -> dict:
    status, body = plane.request("POST", path, obj)
    assert status == 201, body
    return body


def pod(name: str, node_selector: dict, container: dict, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {}},
            "spec": {"nodeSelector": node_selector, "containers": [{"name": "main", "image": "local", **container}]}}


def wait_default_service_account(plane: Cluster, components) -> None:
    wait_for("the default ServiceAccount",
             lambda: get(plane, "/api/v1/namespaces/default/serviceaccounts/default"), components.values())


@pytest.fixture(scope="module")
def echo(plane: Cluster, components):
    """A pod on the process-runtime node running an HTTP server on a free port."""
    wait_default_service_account(plane, components)
    port = free_port()
    create(plane, "/api/v1/namespaces/default/pods", pod(
        "echo", {"kubernetes.io/hostname": NODE},
        {"command": [sys.executable, "-c", ECHO_SERVER, str(port)],
         "readinessProbe": {"httpGet": {"path": "/", "port": port}, "periodSeconds": 1}},
        labels={"app": "echo"}))
    return port


def test_controller_manager_creates_replicaset_pods(plane, components):
    """A ReplicaSet with 2 replicas gets 2 pods created from its template, owned by it."""
    wait_default_service_account(plane, components)
    rs = create(plane, "/apis/apps/v1/namespaces/default/replicasets", {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"nodeSelector": {"kubernetes.io/hostname": f"{HOLLOW}-0"},
                                       "containers": [{"name": "main", "image": "local"}]}}}})

    def owned():
        pods = get(plane, "/api/v1/namespaces/default/pods").get("items", [])
        mine = [p for p in pods if any(r["uid"] == rs["metadata"]["uid"]
                                       for r in p["metadata"].get("ownerReferences") or [])]
        return mine if len(mine) == 2 else None

    assert all(p["metadata"]["labels"] == {"app": "web"} for p in wait_for("2 pods of web", owned,
                                                                           components.values()))


def test_kubelet_registers_nodes_and_renews_leases(plane, components):
    """Each kubelet (and each hollow node) registers its Node with capacity and holds a node Lease."""
    for name in (NODE, f"{HOLLOW}-0", f"{HOLLOW}-1"):
        node = wait_for(f"Node {name}", lambda: get(plane, f"/api/v1/nodes/{name}"), components.values())
        assert node["status"]["capacity"]["pods"] == "110"
        lease = wait_for(f"Lease {name}", lambda: get(
            plane, f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}"), components.values())
        assert lease["spec"]["holderIdentity"] == name


@pytest.mark.parametrize("flags", [["--node-ca-cert-file", "ca.crt", "--node-ca-key-file", "ca.key"],
                                   ["--hollow-nodes", "2", "--impersonate-nodes"]], ids=["certificate", "hollow"])
def test_a_kubelet_node_is_itself_to_the_node_authorizer(plane, flags):
    """With its own certificate (one node) or impersonated (hollow nodes), a node's client is
    system:node:<name>, which the Node authorizer lets renew its own Lease and no other node's."""
    flags = [str(plane.cert_dir / flag) if flag.endswith((".crt", ".key")) else flag for flag in flags]
    args = kubelet_args(["--kubeconfig", str(plane.kubeconfig), "--node-name", HOLLOW, "--root-dir", "unused",
                         *flags], {})
    client = node_credentials(args, load_client(args.kubeconfig))(f"{HOLLOW}-1")

    def may_update_lease(name: str) -> bool:
        review = client.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
            "spec": {"resourceAttributes": {"namespace": "kube-node-lease", "verb": "update", "name": name,
                                            "group": "coordination.k8s.io", "resource": "leases"}}})
        return review["status"]["allowed"]
    assert may_update_lease(f"{HOLLOW}-1") and not may_update_lease(f"{HOLLOW}-0")


def test_scheduler_binds_pod_to_registered_node(plane, components):
    """An unscheduled pod is bound to the registered node that fits it; a hollow kubelet runs it."""
    wait_default_service_account(plane, components)
    create(plane, "/api/v1/namespaces/default/pods",
           pod("placed", {"kubernetes.io/hostname": f"{HOLLOW}-1"}, {}))
    path = "/api/v1/namespaces/default/pods/placed"
    wait_for("placed bound", lambda: get(plane, path).get("spec", {}).get("nodeName"), components.values())
    assert get(plane, path)["spec"]["nodeName"] == f"{HOLLOW}-1"
    wait_for("placed Running on the hollow node",
             lambda: get(plane, path).get("status", {}).get("phase") == "Running", components.values())


def test_a_pod_that_succeeded_frees_its_node_for_the_next(plane, components):
    """The scheduler's pod informer watches non-terminal pods only, as upstream's newPodInformer
    does: a pod that ran to completion leaves its cache, so a pod asking for the CPU it held fits
    on its node (it would stay Unschedulable were the finished pod still counted)."""
    wait_default_service_account(plane, components)
    cpu = get(plane, f"/api/v1/nodes/{NODE}")["status"]["allocatable"]["cpu"]
    whole_node = {"resources": {"requests": {"cpu": cpu}}}
    done = pod("runs-once", {"kubernetes.io/hostname": NODE},
               {"command": [sys.executable, "-c", "pass"], **whole_node})
    done["spec"]["restartPolicy"] = "Never"
    create(plane, "/api/v1/namespaces/default/pods", done)
    wait_for("runs-once Succeeded", lambda: get(plane, "/api/v1/namespaces/default/pods/runs-once").get(
        "status", {}).get("phase") == "Succeeded", components.values())
    create(plane, "/api/v1/namespaces/default/pods",
           pod("takes-its-place", {"kubernetes.io/hostname": NODE}, {"command": [sys.executable, "-c", "pass"],
                                                                       **whole_node}))
    bound = wait_for("takes-its-place bound", lambda: get(
        plane, "/api/v1/namespaces/default/pods/takes-its-place").get("spec", {}).get("nodeName"), components.values())
    assert bound == NODE


def test_each_hollow_node_is_reached_at_its_own_kubelet_port(plane, components):
    """As kubemark's hollow kubelets each serve their own API: each hollow node reports a port of
    its own, and the apiserver's node proxy to hollow-1 reaches hollow-1's server, which lists
    the pod bound to it while hollow-0's does not."""
    wait_default_service_account(plane, components)
    create(plane, "/api/v1/namespaces/default/pods", pod("on-hollow-1", {"kubernetes.io/hostname": f"{HOLLOW}-1"}, {}))
    wait_for("on-hollow-1 bound", lambda: get(plane, "/api/v1/namespaces/default/pods/on-hollow-1").get(
        "spec", {}).get("nodeName"), components.values())
    nodes = [get(plane, f"/api/v1/nodes/{HOLLOW}-{i}") for i in (0, 1)]
    ports = {node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] for node in nodes}
    assert len(ports) == 2
    listed = {}
    for i in (0, 1):
        status, body = plane.request("GET", f"/api/v1/nodes/{HOLLOW}-{i}/proxy/pods")
        assert status == 200, body
        listed[i] = [p["metadata"]["name"] for p in body.get("items") or []]
    assert "on-hollow-1" in listed[1] and "on-hollow-1" not in listed[0]


def test_scheduler_reports_unschedulable_pod(plane, components):
    """A pod no node fits gets PodScheduled=False (Unschedulable) and a FailedScheduling event."""
    wait_default_service_account(plane, components)
    create(plane, "/api/v1/namespaces/default/pods", pod("nowhere", {"kubeatlas.test/none": "x"}, {}))
    path = "/api/v1/namespaces/default/pods/nowhere"
    wait_for("PodScheduled=False", lambda: condition(get(plane, path), "PodScheduled").get("status") == "False",
             components.values())
    assert condition(get(plane, path), "PodScheduled")["reason"] == "Unschedulable"

    def event():
        items = get(plane, "/api/v1/namespaces/default/events").get("items", [])
        return [e for e in items if e["involvedObject"]["name"] == "nowhere" and e["reason"] == "FailedScheduling"]

    failed = wait_for("a FailedScheduling event", event, components.values())[0]
    # Written as events.k8s.io/v1 (the scheduler's recorder on a 1.24 server): the core/v1 view shows
    # its reporting controller and action, and no source.
    assert (failed["type"], failed["reportingComponent"], failed["action"], failed["source"]) == (
        "Warning", "default-scheduler", "Scheduling", {})
    stored = get(plane, f"/apis/events.k8s.io/v1/namespaces/default/events/{failed['metadata']['name']}")
    assert stored["reportingInstance"] == f"default-scheduler-{socket.gethostname()}"


def test_kubelet_runs_pod_running_and_ready(plane, components, echo):
    """The kubelet runs a bound pod's command as a process and reports it Running, Ready, IP 127.0.0.1."""
    path = "/api/v1/namespaces/default/pods/echo"

    def ready():
        p = get(plane, path)
        return p if condition(p, "Ready").get("status") == "True" else None

    running = wait_for("echo Ready", ready, components.values())
    assert running["spec"]["nodeName"] == NODE
    assert running["status"]["phase"] == "Running"
    assert running["status"]["podIP"] == "127.0.0.1"
    assert http_get(echo).endswith(b"echo")


def test_proxy_forwards_service_port_to_pod(plane, components, echo):
    """A TCP connection to a Service's port reaches a ready endpoint pod through the proxy."""
    service_port = free_port()
    create(plane, "/api/v1/namespaces/default/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "echo", "namespace": "default"},
        "spec": {"selector": {"app": "echo"}, "ports": [{"port": service_port, "targetPort": echo}]}})
    status_file = components["proxy"].status_file

    def served():
        with contextlib.suppress(OSError, ValueError):
            return json.loads(status_file.read_text()).get("default/echo/TCP")

    assert wait_for("the proxy serving default/echo", served, components.values()) == service_port

    def answer():
        with contextlib.suppress(OSError):
            return http_get(service_port)

    reply = wait_for("an answer through the service port", answer, components.values())
    assert reply.startswith(b"HTTP/1.0 200") and reply.endswith(b"echo")
