"""A TLS apiserver stand-in and a RestClient that trusts it, for the connection tests of the
client and the controller-manager. A plain module, imported by both: a second conftest.py would
take the name `conftest` from tests/conftest.py, which tests import by that name."""
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
from reference_impl.machinery.certutil import issue_serving_cert, new_ca


class CountingServer(ThreadingHTTPServer):
    """An HTTP/1.1 server over TLS on a loopback port whose `handler` answers, counting the
    connections it accepted and those that ended (`connection_ended` set at each)."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.accepted = 0
        self.closed = 0
        self.connection_ended = threading.Event()
        self._counts = threading.Lock()

    def get_request(self):
        request = super().get_request()
        with self._counts:
            self.accepted += 1
        return request

    def shutdown_request(self, request) -> None:
        with self._counts:
            self.closed += 1
        super().shutdown_request(request)
        self.connection_ended.set()


class JsonAnswers(BaseHTTPRequestHandler):
    """Answers on a kept-alive HTTP/1.1 connection, written as JSON; no access log."""

    protocol_version = "HTTP/1.1"

    def request_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def send_json(self, code: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        """Quiet: a thousand requests would fill the test's output."""


@pytest.fixture
def tls_apiserver(tmp_path: Path):
    """`start(server_class)`: serve `server_class(tls)`, an HTTP server over TLS on a loopback
    port, from a thread; the server and a RestClient whose kubeconfig trusts it (a token user).
    Both are closed when the test ends."""
    started = []

    def start(server_class):
        ca = new_ca()
        serving = issue_serving_cert(ca, ("localhost",), ("127.0.0.1",))
        (tmp_path / "tls.crt").write_bytes(serving.cert_pem)
        (tmp_path / "tls.key").write_bytes(serving.key_pem)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
        server = server_class(tls)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{server.server_port}",
                                                   "certificate-authority-data": base64.b64encode(ca.cert_pem).decode()}}],
            "users": [{"name": "u", "user": {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "current-context": "x"}))
        client = RestClient(kubeconfig)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        client.close_idle_connections()
        server.shutdown()
        server.server_close()
