"""The pod requests a controller sends together (a slow start's batches of creates, a sync's
deletes) go over kept-alive connections that outlive the batch, as upstream's go over the one
transport of the controller's client, not over a new connection per request of every batch."""
from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from reference_impl.client.rest import RestClient
from reference_impl.controller_manager.podcontrol import DeletePods, SlowStartCreates
from reference_impl.controller_manager.run import POD_CONTROL_CONNECTIONS, ControllerManager
from reference_impl.machinery.actions import Create, Delete
from reference_impl.machinery.certutil import issue_serving_cert, new_ca

BATCH = 500  # a ReplicaSet's burstReplicas, a Job's MaxPodCreateDeletePerSync


class PodAnswers(BaseHTTPRequestHandler):
    """A pod create answered with the pod named, any other request with a Success Status; the
    connection kept alive."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        pod = self._body()
        pod["metadata"]["name"] = pod["metadata"]["generateName"] + "x"
        self._answer(201, pod)

    def do_DELETE(self) -> None:
        self._body()  # the DeleteOptions, read so that the connection's next request starts clean
        self._answer(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def _answer(self, code: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        """Quiet: a thousand requests would fill the test's output."""


class CountingApiserver(ThreadingHTTPServer):
    """PodAnswers over TLS on a loopback port, counting the connections it accepted."""

    daemon_threads = True
    request_queue_size = BATCH  # the listen backlog: a batch's connections all at once are not refused

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), PodAnswers)
        self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.accepted = 0  # counted by the one thread that accepts

    def get_request(self):
        request = super().get_request()
        self.accepted += 1
        return request


@pytest.fixture
def apiserver_and_client(tmp_path: Path):
    ca = new_ca()
    serving = issue_serving_cert(ca, ("localhost",), ("127.0.0.1",))
    (tmp_path / "tls.crt").write_bytes(serving.cert_pem)
    (tmp_path / "tls.key").write_bytes(serving.key_pem)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    server = CountingApiserver(tls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{server.server_port}",
                                               "certificate-authority-data": base64.b64encode(ca.cert_pem).decode()}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "current-context": "x"}))
    yield server, RestClient(kubeconfig)
    server.shutdown()
    server.server_close()


def test_the_deletes_of_two_syncs_share_a_bounded_set_of_connections(apiserver_and_client):
    """Two syncs of 500 pod deletes each open at most POD_CONTROL_CONNECTIONS connections, and
    the second sync opens none: they stay open for it."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    assert manager.perform(DeletePods(tuple(Delete("pods", "default", f"p{i}") for i in range(BATCH))))
    after_first = server.accepted
    assert manager.perform(DeletePods(tuple(Delete("pods", "default", f"q{i}") for i in range(BATCH))))
    assert after_first <= POD_CONTROL_CONNECTIONS
    assert server.accepted == after_first


def test_the_batches_of_a_slow_start_share_a_bounded_set_of_connections(apiserver_and_client):
    """A slow start of 500 creates (batches of 1, 2, 4, ... 128, 245) opens at most
    POD_CONTROL_CONNECTIONS connections in all, not one per create of each batch."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-", "namespace": "default"}}
    assert manager.perform(SlowStartCreates(tuple(Create("pods", "default", pod) for _ in range(BATCH))))
    assert 0 < server.accepted <= POD_CONTROL_CONNECTIONS
