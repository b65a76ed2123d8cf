"""The kubelet's attach endpoint: a client joins a running container's own process, sees what it
writes from then on, feeds its stdin when the spec has `stdin: true`, and with `stdinOnce` closes
that stdin when it lets go; detaching never stops the container."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from reference_impl.kubelet.actions import PodKey, StartContainer
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.runtime import ProcessRuntime
from reference_impl.machinery import websocket

from tests.reference.kubelet import execclient, spdyclient
from tests.reference.kubelet.execclient import CLOSE, ERROR, STDIN, STDOUT

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"containers": [{"name": "c"}]}}
KEY = PodKey("ns", "p", "u1")


@pytest.fixture
def runtime(tmp_path):
    runtime = ProcessRuntime(tmp_path / "pods")
    yield runtime
    for process in runtime.processes.values():
        process.kill()
    runtime.wait(10)


@pytest.fixture
def server(tmp_path, runtime):
    log_server = LogServer(tmp_path / "pods", lambda ns, name: POD if (ns, name) == ("ns", "p") else None,
                           lambda key, name: True, attach_target=runtime.attach_target, tls=None, auth=None)
    log_server.start()
    yield log_server
    log_server.stop()


def start(runtime, script: str, **spec) -> None:
    runtime.start(StartContainer(KEY, {"name": "c", "command": ["sh", "-c", script], **spec}, 0))


def attach(server, messages=(), **streams):
    return execclient.run(server.host, server.port, execclient.kubelet_path("/attach/ns/p/c", [], **streams),
                          list(messages))


def test_stdin_reaches_the_containers_process_and_its_output_comes_back(server, runtime):
    """kubectl run -i: stdin and stdinOnce; the client's close signal ends the container's input,
    the container exits, and the attach ends with Success."""
    start(runtime, 'while read line; do echo "got $line"; done; echo bye', stdin=True, stdinOnce=True)
    result = attach(server, [bytes([STDIN]) + b"one\n", bytes([STDIN]) + b"two\n", bytes([CLOSE, STDIN])],
                    stdin=True, stdout=True)
    assert result.code == 101
    assert result.channels[STDOUT] == b"got one\ngot two\nbye\n"
    assert result.status == {"metadata": {}, "status": "Success"}


def test_over_spdy_the_clients_fin_ends_a_stdin_once_containers_input(server, runtime):
    """kubectl 1.27 to 1.29 attach over SPDY: the same session, its stdin closed by a FIN."""
    start(runtime, 'while read line; do echo "got $line"; done; echo bye', stdin=True, stdinOnce=True)
    result = spdyclient.run(server.host, server.port, execclient.kubelet_path("/attach/ns/p/c", [], stdin=True,
                                                                                stdout=True),
                            [ERROR, STDIN, STDOUT], [(STDIN, b"one\n")], close_stdin=True)
    assert (result.code, result.channels[STDOUT]) == (101, b"got one\nbye\n")
    assert result.status == {"metadata": {}, "status": "Success"}


def test_output_written_before_the_attach_is_not_replayed(server, runtime, tmp_path):
    """An attach is not `kubectl logs`: it starts at what the container writes next."""
    go = tmp_path / "go"
    start(runtime, f"echo early; while [ ! -e {go} ]; do sleep 0.05; done; echo late")
    time.sleep(0.5)

    def release():
        time.sleep(0.5)
        go.touch()

    threading.Thread(target=release, daemon=True).start()
    result = attach(server, stdout=True)
    assert result.channels[STDOUT] == b"late\n"


def attached_once(server, line: bytes) -> bytes:
    """Attach with stdin, send `line`, read until its echo has come, then leave without a word."""
    path = execclient.kubelet_path("/attach/ns/p/c", [], stdin=True, stdout=True)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(execclient.upgrade_request(path, "kubelet", "v5.channel.k8s.io"))
        head, rest = execclient._read_head(sock)
        assert head.startswith(b"HTTP/1.1 101")
        sock.sendall(websocket.encode_frame(websocket.OP_BINARY, bytes([STDIN]) + line, mask=True))
        reader, seen = websocket.FrameReader(), b""
        seen += b"".join(m.payload[1:] for m in reader.feed(rest) if m.opcode == websocket.OP_BINARY)
        while b"\n" not in seen:
            seen += b"".join(m.payload[1:] for m in reader.feed(sock.recv(65536)) if m.opcode == websocket.OP_BINARY)
    return seen


def test_without_stdin_once_the_container_keeps_its_stdin_after_a_detach(server, runtime):
    start(runtime, 'while read line; do echo "got $line"; done; echo stdin closed', stdin=True)
    assert attached_once(server, b"first\n") == b"got first\n"
    time.sleep(0.3)
    assert runtime.processes[(KEY, "c")].poll() is None
    assert attached_once(server, b"again\n") == b"got again\n"


def test_a_container_that_is_not_running_cannot_be_attached_to(server, runtime):
    start(runtime, "true")
    runtime.wait(10)
    result = attach(server, stdout=True)
    assert (result.code, result.body) == (500, b'container not found ("c")')
