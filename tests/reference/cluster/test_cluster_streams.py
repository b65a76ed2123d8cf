"""`kubectl port-forward`, `cp`, `attach` and `run -i --rm` on `kubeatlas cluster up` with one
kubelet, with the newest kubectl installed (1.31 and later try SPDY tunnelled in a WebSocket first
and fall back to a SPDY upgrade, as they do against a real 1.24 cluster): HTTP through a forwarded
port, the kubelet's dial error for a port nobody listens on, files copied both ways through `tar`,
a container's stdin and output through an attach, and its exit code as kubectl's."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import urllib.request

import pytest

from clusterkit import kubectl, newest_kubectl, run_kubectl, shared_one_kubelet_cluster, wait_for
from reference_impl.cluster import free_port

NAMESPACE = "e2e-streams"
KUBECTL = newest_kubectl()


WEB_PORT = free_port()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    web = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
           "spec": {"containers": [{
               "name": "main", "image": "python",
               "command": ["sh", "-c", f'exec python3 -m http.server {WEB_PORT} --bind "$POD_IP"'],
               "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
               "readinessProbe": {"tcpSocket": {"port": WEB_PORT}, "periodSeconds": 1}}]}}
    kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(web))
    kubectl(kubeconfig, "wait", "pod/web", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    return kubeconfig


class PortForward:
    """`kubectl port-forward pod/web :REMOTE` in the background; `local` is the port it picked."""

    def __init__(self, kubeconfig, remote: int):
        self.process = subprocess.Popen([KUBECTL, "--kubeconfig", str(kubeconfig), "port-forward", "-n", NAMESPACE,
                                         "pod/web", f":{remote}", "--address", "127.0.0.1"],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.match(r"Forwarding from 127\.0\.0\.1:(\d+) -> \d+", line)
        assert match, f"kubectl port-forward said {line!r}: {self.stop()}"
        self.local = int(match.group(1))

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        _, stderr = self.process.communicate(timeout=10)
        return stderr


def test_http_reaches_the_pod_through_a_forwarded_port_twice(cluster):
    forward = PortForward(cluster, WEB_PORT)
    try:
        for _ in range(2):  # each connection is its own pair of streams on the one upgrade
            with urllib.request.urlopen(f"http://127.0.0.1:{forward.local}/", timeout=10) as response:
                assert response.status == 200 and b"Directory listing" in response.read()
    finally:
        stderr = forward.stop()
    assert "error" not in stderr.lower(), stderr


def test_a_port_nobody_listens_on_ends_the_forward_with_the_kubelets_dial_error(cluster):
    pod_ip = kubectl(cluster, "get", "pod", "web", "-n", NAMESPACE, "-o", "jsonpath={.status.podIP}")
    uid = kubectl(cluster, "get", "pod", "web", "-n", NAMESPACE, "-o", "jsonpath={.metadata.uid}")
    closed = free_port()
    forward = PortForward(cluster, closed)
    try:
        with socket.create_connection(("127.0.0.1", forward.local), timeout=10) as conn:
            conn.settimeout(10)
            assert conn.recv(1) == b""
        forward.process.wait(timeout=20)
    finally:
        stderr = forward.stop()
    assert (f"an error occurred forwarding {forward.local} -> {closed}: error forwarding port {closed} to pod "
            f"{uid}, uid : dial tcp {pod_ip}:{closed}: connect: connection refused") in stderr
    assert stderr.endswith("error: lost connection to pod\n") and forward.process.returncode == 1


def test_kubectl_cp_copies_a_folder_into_the_pod_and_a_file_back(cluster, tmp_path):
    """kubectl runs `tar` in the container through exec; the container sees the node's file system."""
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "a.txt").write_text("hello\n")
    inside = tmp_path / "in-pod"
    kubectl(cluster, "cp", "-n", NAMESPACE, str(source), f"web:{inside}")
    assert (inside / "sub" / "a.txt").read_text() == "hello\n"
    back = tmp_path / "back.txt"
    result = run_kubectl(cluster, "cp", "-n", NAMESPACE, f"web:{inside}/sub/a.txt", str(back), binary=KUBECTL)
    assert result.returncode == 0 and back.read_text() == "hello\n"


def test_run_i_rm_feeds_stdin_to_the_container_and_exits_with_its_code(cluster):
    """kubectl run -i sets stdin and stdinOnce, attaches, and on the pod's end exits with the
    container's code (kubectl's `pod .. terminated (Error)`); --rm deletes the pod."""
    result = run_kubectl(cluster, "run", "-i", "--rm", "--restart=Never", "-n", NAMESPACE, "once", "--image=busybox",
                         "--command", "--", "sh", "-c", 'read line; echo "got $line"; exit 3',
                         stdin="hello\n", binary=KUBECTL)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("got hello\n")
    assert f"pod {NAMESPACE}/once terminated (Error)" in result.stderr
    wait_for(lambda: "NotFound" in run_kubectl(cluster, "get", "pod", "once", "-n", NAMESPACE).stderr, 20,
             "the pod to be deleted")


def test_attach_i_reaches_a_running_containers_stdin_and_output(cluster):
    echoer = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "echoer"},
              "spec": {"containers": [{"name": "main", "image": "busybox", "stdin": True, "stdinOnce": True,
                                       "command": ["sh", "-c", 'while read l; do echo "echo: $l"; done; echo eof']}]}}
    kubectl(cluster, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(echoer))
    kubectl(cluster, "wait", "pod/echoer", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    result = run_kubectl(cluster, "attach", "-i", "-q", "-n", NAMESPACE, "echoer", stdin="one\ntwo\n", binary=KUBECTL)
    assert (result.returncode, result.stdout) == (0, "echo: one\necho: two\neof\n"), result.stderr
