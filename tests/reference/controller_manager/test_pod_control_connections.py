"""The pod requests a controller sends together (a slow start's batches of creates, a sync's
deletes) go over the kept-alive connections of the controller's client, as upstream's go over
its one transport: a batch reuses the connections the batches before it left idle, and of a large
batch's connections at most IDLE_CONNS_PER_HOST stay open."""
from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reference_impl.client.rest import IDLE_CONNS_PER_HOST
from reference_impl.controller_manager.podcontrol import DeletePods
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.machinery.actions import Delete

BATCH = 500  # a ReplicaSet's burstReplicas, a Job's MaxPodCreateDeletePerSync


class PodAnswers(BaseHTTPRequestHandler):
    """A pod delete answered with a Success Status once its server's `together` deletes are in
    flight; the connection kept alive."""

    protocol_version = "HTTP/1.1"

    def do_DELETE(self) -> None:
        self._body()  # the DeleteOptions, read so that the connection's next request starts clean
        self.server.together.wait()
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
        self.together = threading.Barrier(1)

    def hold_deletes(self, together: int) -> None:
        """Answer no delete until `together` are in flight (sent fewer at a time, none would be)."""
        self.together = threading.Barrier(together, timeout=60)

    def get_request(self):
        request = super().get_request()
        self.accepted += 1
        return request


@pytest.fixture
def apiserver_and_client(tls_apiserver):
    return tls_apiserver(CountingApiserver)


def deletes(prefix: str, count: int) -> DeletePods:
    return DeletePods(tuple(Delete("pods", "default", f"{prefix}{i}") for i in range(count)))


def test_a_second_sync_reuses_the_connections_of_the_first(apiserver_and_client):
    """Two syncs of IDLE_CONNS_PER_HOST deletes, each all in flight at once: the first opens a
    connection per delete, the second none, as they stayed open for it."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    server.hold_deletes(IDLE_CONNS_PER_HOST)
    assert manager.perform(deletes("p", IDLE_CONNS_PER_HOST))
    assert server.accepted == IDLE_CONNS_PER_HOST
    server.hold_deletes(IDLE_CONNS_PER_HOST)
    assert manager.perform(deletes("q", IDLE_CONNS_PER_HOST))
    assert server.accepted == IDLE_CONNS_PER_HOST


def test_a_sync_of_500_deletes_leaves_no_more_connections_open_than_kept_idle(apiserver_and_client):
    """A sync of 500 deletes, a hundred at a time in flight at least, opens a hundred connections
    or more; of them IDLE_CONNS_PER_HOST stay open: the next sync, IDLE_CONNS_PER_HOST + 1 deletes
    all in flight at once, opens exactly one."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    server.hold_deletes(100)
    assert manager.perform(deletes("p", BATCH))
    assert server.accepted >= 100
    opened = server.accepted
    server.hold_deletes(IDLE_CONNS_PER_HOST + 1)
    assert manager.perform(deletes("q", IDLE_CONNS_PER_HOST + 1))
    assert server.accepted == opened + 1

