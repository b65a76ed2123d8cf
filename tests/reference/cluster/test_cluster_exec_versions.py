"""`kubectl exec` and `attach` of every kubectl installed beside `kubectl` (kubectl.1.27 ...
kubectl.1.33) on `kubeatlas cluster up` with one kubelet. kubectl before 1.30 speaks remotecommand
v4 over SPDY/3.1, 1.30 and later v5 over WebSocket; the apiserver passes either upgrade to the
kubelet, and both reach the same session: the outputs, the exit code as kubectl's, stdin with -i,
the kubelet's refusal of a container that does not run, an attach's stdin and output."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from clusterkit import kubectl, run_kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-exec-versions"
KUBECTLS = sorted(Path("/usr/lib/google-cloud-sdk/bin").glob("kubectl.1.*"),
                  key=lambda p: tuple(int(n) for n in p.name.split(".")[1:]))
SPDY_KUBECTLS = [p for p in KUBECTLS if int(p.name.split(".")[2]) < 30]
needs_kubectls = pytest.mark.skipif(not KUBECTLS, reason="no kubectl.1.* under /usr/lib/google-cloud-sdk/bin")
needs_spdy_kubectls = pytest.mark.skipif(not SPDY_KUBECTLS, reason="no kubectl.1.27 to 1.29 installed")


def pod(name: str, command: str, **container) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", command],
                                     **container}]}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(pod("box", "sleep 600")))
    kubectl(kubeconfig, "wait", "pod/box", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    return kubeconfig


def kubectl_exec(kubeconfig, binary: Path, *args: str, stdin: str | None = None):
    return run_kubectl(kubeconfig, "exec", "-n", NAMESPACE, *args, stdin=stdin, binary=str(binary))


# The kubelet's first message, empty, on the first output channel says the command runs (as
# createWebSocketStreams writes it); a WebSocket kubectl that has not set up that stream yet
# discards it and logs so: a race in the client, the output after it untouched.
DISCARDED_OPEN = re.compile(r"^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] Unknown stream id \d+, discarding message\n",
                            re.M)


def kubectls_stderr(result) -> str:
    return DISCARDED_OPEN.sub("", result.stderr)


@needs_kubectls
@pytest.mark.parametrize("binary", KUBECTLS, ids=lambda p: p.name)
def test_each_kubectl_gets_its_outputs_and_the_commands_exit_code(cluster, binary):
    result = kubectl_exec(cluster, binary, "box", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (result.returncode, result.stdout) == (3, "out\n")
    assert kubectls_stderr(result) == "err\ncommand terminated with exit code 3\n"


@needs_kubectls
@pytest.mark.parametrize("binary", KUBECTLS, ids=lambda p: p.name)
def test_kubectl_before_1_30_speaks_spdy_v4_and_later_ones_websocket_v5(cluster, binary):
    """The protocol the upgrade's response names, as kubectl -v=8 logs it."""
    result = kubectl_exec(cluster, binary, "-v=8", "box", "--", "true")
    negotiated = re.findall(r"(X-Stream-Protocol-Version|Sec-Websocket-Protocol): (\S+)\s*$", result.stderr, re.M)
    spdy = int(binary.name.split(".")[2]) < 30
    expected = ("X-Stream-Protocol-Version", "v4.channel.k8s.io") if spdy else ("Sec-Websocket-Protocol",
                                                                                 "v5.channel.k8s.io")
    assert result.returncode == 0 and negotiated[-1] == expected


@needs_spdy_kubectls
@pytest.mark.parametrize("binary", SPDY_KUBECTLS, ids=lambda p: p.name)
def test_spdy_stdin_is_piped_with_i_until_its_end(cluster, binary):
    result = kubectl_exec(cluster, binary, "-i", "box", "--", "sh", "-c", "cat; echo end", stdin="line 1\nline 2\n")
    assert (result.returncode, result.stdout, kubectls_stderr(result)) == (0, "line 1\nline 2\nend\n", "")


@needs_spdy_kubectls
@pytest.mark.parametrize("binary", SPDY_KUBECTLS, ids=lambda p: p.name)
def test_spdy_a_missing_command_is_the_kubelets_internal_error(cluster, binary):
    result = kubectl_exec(cluster, binary, "box", "--", "/no/such/command")
    assert result.returncode == 1
    assert result.stderr.startswith("error: Internal error occurred: error executing command in container: ")


def in_terminal(argv: list[str], typed: bytes, rows: int, cols: int, timeout: float = 30) -> tuple[int, bytes]:
    """Run `argv` with a pty of `rows` x `cols` as its terminal, type `typed` once it has had a
    moment to start, and return its exit code and everything it wrote."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True)
    os.close(terminal)
    time.sleep(2)
    os.write(controller, typed)
    output, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: every process holding the terminal has gone
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout), output


@needs_spdy_kubectls
@pytest.mark.parametrize("binary", SPDY_KUBECTLS, ids=lambda p: p.name)
def test_spdy_a_tty_gets_kubectls_terminal_size_and_the_exit_code(cluster, binary):
    """-t opens the resize stream: the shell sees kubectl's 40 x 100 terminal."""
    code, output = in_terminal([str(binary), "--kubeconfig", str(cluster), "exec", "-it", "-n", NAMESPACE, "box",
                                "--", "sh"], b"stty size; exit 5\n", rows=40, cols=100)
    assert code == 5 and b"40 100" in output, output


@needs_spdy_kubectls
def test_spdy_a_container_that_is_not_running_is_the_kubelets_refusal(cluster):
    """Refused before the upgrade, in plain text: kubectl prints `unable to upgrade connection`."""
    waiting = pod("waiting", "sleep 600", volumeMounts=[{"name": "cfg", "mountPath": "/etc/config"}])
    waiting["spec"]["volumes"] = [{"name": "cfg", "configMap": {"name": "missing"}}]
    kubectl(cluster, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(waiting))
    wait_for(lambda: kubectl(cluster, "get", "pod", "waiting", "-n", NAMESPACE, "-o", "jsonpath={.spec.nodeName}"),
             20, "the pod's node")
    for binary in SPDY_KUBECTLS:
        result = kubectl_exec(cluster, binary, "waiting", "--", "ls")
        assert (result.returncode, result.stderr) == (
            1, 'error: unable to upgrade connection: container not found ("main")\n'), binary.name


@needs_spdy_kubectls
@pytest.mark.parametrize("binary", SPDY_KUBECTLS, ids=lambda p: p.name)
def test_spdy_attach_i_reaches_a_stdin_once_containers_input_and_output(cluster, binary):
    """The end of kubectl's stdin closes the container's (stdinOnce); its exit ends the attach."""
    name = f"echoer-{binary.name.split('.')[2]}"
    echoer = pod(name, 'while read l; do echo "echo: $l"; done; echo eof', stdin=True, stdinOnce=True)
    kubectl(cluster, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(echoer))
    kubectl(cluster, "wait", f"pod/{name}", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    result = run_kubectl(cluster, "attach", "-i", "-q", "-n", NAMESPACE, name, stdin="one\ntwo\n", binary=str(binary))
    assert (result.returncode, result.stdout) == (0, "echo: one\necho: two\neof\n"), result.stderr
