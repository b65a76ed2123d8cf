"""A TLS apiserver stand-in and a RestClient that trusts it, for the connection tests of the
client and the controller-manager. A plain module, imported by both: a second conftest.py would
take the name `conftest` from tests/conftest.py, which tests import by that name."""
from __future__ import annotations

import base64
import ssl
import threading
from pathlib import Path

import pytest
import yaml

from reference_impl.client.rest import RestClient
from reference_impl.machinery.certutil import issue_serving_cert, new_ca


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
