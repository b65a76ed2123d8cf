"""The apiserver as the kubelets' client: logs and exec proxied over TLS with its kubelet client
certificate, the kubelets' serving certificates checked by --kubelet-certificate-authority."""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from reference_impl.apiserver.adapter.certs import CertBundle, ensure_certs
from reference_impl.kubelet.certificate import store_node_serving_cert
from reference_impl.machinery.certutil import issue_serving_cert, new_ca
from reference_impl.apiserver.adapter.run import Options, kubelet_client_tls
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.apiserver.core.auth import RequestAuthenticator, X509Authenticator
from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.auth import KubeletAuth
from reference_impl.machinery.delegatedauth import WebhookAuthorizer
from reference_impl.kubelet.crilog import records
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.runtime import ExecTarget, log_path
from reference_impl.machinery.goserver import serving_context
from tests.reference.apiserver.test_handlers import call, etcd, registry  # noqa: F401
from tests.reference.apiserver.test_pod_exec import node, scheduled
from tests.reference.kubelet import execclient
from tests.reference.kubelet.execclient import STDOUT


def allow_only(user: str):
    return lambda review: {**review, "status": {"allowed": review["spec"]["user"] == user}}


def options(bundle: CertBundle, authority: Path | None) -> Options:
    return Options("http://127.0.0.1:2379", bundle.ca.cert_path.parent, kubelet_certificate_authority=authority)


def start_kubelet(bundle: CertBundle, tmp_path: Path, pods: dict, serving_ca=None) -> LogServer:
    """A kubelet of `pods` serving a certificate of `serving_ca` (default the cluster CA) that
    lets only the apiserver's kubelet client in."""
    if serving_ca is None:
        pair = store_node_serving_cert(bundle.ca.cert_path.parent, "node-1", "127.0.0.1")
        cert, key = pair.cert_path, pair.key_path
    else:
        pair = issue_serving_cert(serving_ca, ("node-1",), ("127.0.0.1",))
        cert, key = tmp_path / "other.crt", tmp_path / "other.key"
        cert.write_bytes(pair.cert_pem)
        key.write_bytes(pair.key_pem)
    auth = KubeletAuth(RequestAuthenticator([X509Authenticator([bundle.ca.certificate])]),
                       WebhookAuthorizer(allow_only("kube-apiserver-kubelet-client"), lambda: 0.0, 300.0, 30.0), "node-1")
    target = ExecTarget({"PATH": "/usr/bin:/bin"}, str(tmp_path))
    server = LogServer(tmp_path / "pods", lambda ns, name: pods.get((ns, name)), lambda key, name: False,
                       exec_target=lambda key, name: target, tls=serving_context(cert, key, bundle.ca.cert_path),
                       auth=auth)
    server.start()
    return server


@pytest.fixture
def bundle(tmp_path):
    return ensure_certs(tmp_path / "pki")


def place_pod(apiserver: APIServer, kubelet: LogServer, pods: dict, tmp_path: Path) -> str:
    """A running pod `web` on a node whose kubelet is `kubelet`, with a line in its log."""
    namespace = node_name = f"kubelet-tls-{kubelet.port}"  # the etcd outlives the test: names of its own
    call(apiserver.chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    call(apiserver.chain, "POST", "/api/v1/nodes", node(node_name, kubelet.port))
    pod = {**scheduled(node_name), "metadata": {"name": "web", "namespace": namespace}}
    created = call(apiserver.chain, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)[1]
    created["status"] = {"containerStatuses": [{"name": "web", "state": {"running": {}}, "restartCount": 0}]}
    pods[(namespace, "web")] = created
    log = log_path(tmp_path / "pods", PodKey(namespace, "web", created["metadata"]["uid"]), "web", 0)
    log.parent.mkdir(parents=True)
    log.write_bytes(records(b"served over tls\n", time.time_ns()))
    return namespace


def get_log(apiserver: APIServer, namespace: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", apiserver.port, timeout=20)
    try:
        conn.request("GET", f"/api/v1/namespaces/{namespace}/pods/web/log")
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@pytest.fixture
def plane(registry, bundle, tmp_path):  # noqa: F811 - registry is the imported fixture
    """The apiserver (plain HTTP to its clients) reaching a TLS kubelet as kubeadm's setup does."""
    pods: dict = {}
    kubelet = start_kubelet(bundle, tmp_path, pods)
    apiserver = APIServer(registry, kubelet_tls=kubelet_client_tls(options(bundle, bundle.ca.cert_path), bundle))
    apiserver.start()
    yield apiserver, place_pod(apiserver, kubelet, pods, tmp_path)
    apiserver.stop()
    kubelet.stop()


def test_logs_are_read_with_the_kubelet_client_certificate(plane):
    apiserver, namespace = plane
    assert get_log(apiserver, namespace) == (200, b"served over tls\n")


def test_an_exec_is_proxied_over_tls(plane):
    apiserver, namespace = plane
    path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec", ["sh", "-c", "echo hi"],
                                stdout=True)
    result = execclient.run("127.0.0.1", apiserver.port, path)
    assert (result.code, result.channels[STDOUT]) == (101, b"hi\n")


def test_a_kubelet_certificate_of_another_ca_is_not_trusted(registry, bundle, tmp_path):  # noqa: F811
    """With --kubelet-certificate-authority the handshake fails: logs and exec are 500s saying
    so in Go's words."""
    pods: dict = {}
    kubelet = start_kubelet(bundle, tmp_path, pods, serving_ca=new_ca())
    apiserver = APIServer(registry, kubelet_tls=kubelet_client_tls(options(bundle, bundle.ca.cert_path), bundle))
    apiserver.start()
    try:
        namespace = place_pod(apiserver, kubelet, pods, tmp_path)
        code, body = get_log(apiserver, namespace)
        status = json.loads(body)
        # The real 1.24 apiserver's answer (a plain error: no reason), up to Go's "(possibly
        # because of ...)" detail.
        assert (code, status.get("reason"), status["message"]) == (
            500, None, f'Get "https://127.0.0.1:{kubelet.port}/containerLogs/{namespace}/web/web": '
                       'x509: certificate signed by unknown authority')
        path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec", ["true"], stdout=True)
        result = execclient.run("127.0.0.1", apiserver.port, path)
        assert (result.code, json.loads(result.body)["message"]) == (
            500, "error dialing backend: x509: certificate signed by unknown authority")
    finally:
        apiserver.stop()
        kubelet.stop()


def test_without_a_kubelet_authority_any_serving_certificate_is_taken(bundle):
    """kube-apiserver's kubelet transport is Insecure when it has no CA: a kubelet's self-signed
    certificate is accepted; the client certificate is still shown."""
    context = kubelet_client_tls(options(bundle, None), bundle)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)
    checked = kubelet_client_tls(options(bundle, bundle.ca.cert_path), bundle)
    assert (checked.verify_mode, checked.check_hostname) == (ssl.CERT_REQUIRED, True)


def test_a_stopped_kubelet_is_a_500_in_go_transports_words(registry, bundle, tmp_path):  # noqa: F811
    """A node whose kubelet no longer listens: the log's round trip fails to dial, which the real
    apiserver's http.Client words `Get "URL": dial tcp ADDR: connect: connection refused` (no
    Python errno), and an exec's dial `error dialing backend: dial tcp ...`."""
    pods: dict = {}
    kubelet = start_kubelet(bundle, tmp_path, pods)
    apiserver = APIServer(registry, kubelet_tls=kubelet_client_tls(options(bundle, bundle.ca.cert_path), bundle))
    apiserver.start()
    try:
        namespace = place_pod(apiserver, kubelet, pods, tmp_path)
        kubelet.stop()
        code, body = get_log(apiserver, namespace)
        address = f"127.0.0.1:{kubelet.port}"
        assert (code, json.loads(body)["message"]) == (
            500, f'Get "https://{address}/containerLogs/{namespace}/web/web": dial tcp {address}: '
                 'connect: connection refused')
        path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec", ["true"], stdout=True)
        result = execclient.run("127.0.0.1", apiserver.port, path)
        assert (result.code, json.loads(result.body)["message"]) == (
            500, f"error dialing backend: dial tcp {address}: connect: connection refused")
    finally:
        apiserver.stop()
        kubelet.stop()


# What kubemark's hollow kubelet (plain HTTP: no TLS on its port) wrote back to a TLS client hello,
# read from the real 1.24 kubemark binary: net/http's answer to a request it cannot parse.
HOLLOW_KUBELET_ANSWER = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         b"Connection: close\r\n\r\n400 Bad Request")


class PlainHTTPKubelet:
    """A kubelet port that speaks HTTP only: whatever arrives, it answers HOLLOW_KUBELET_ANSWER."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(HOLLOW_KUBELET_ANSWER)

    def stop(self) -> None:
        self.listener.close()


def test_a_kubelet_answering_in_plain_http_is_named_so_for_logs(registry, bundle, tmp_path):  # noqa: F811
    """kubectl logs of a pod on a kubemark hollow node, whose kubelet serves plain HTTP: the real
    1.24 apiserver's http.Client sees the record header "HTTP/" and says `http: server gave HTTP
    response to HTTPS client` (a 500, no reason); an exec dials with no http.Client, so it keeps
    crypto/tls's `tls: first record does not look like a TLS handshake` (both seen side by side)."""
    kubelet = PlainHTTPKubelet()
    apiserver = APIServer(registry, kubelet_tls=kubelet_client_tls(options(bundle, bundle.ca.cert_path), bundle))
    apiserver.start()
    try:
        namespace = place_pod(apiserver, kubelet, {}, tmp_path)
        code, body = get_log(apiserver, namespace)
        status = json.loads(body)
        assert (code, status.get("reason"), status["message"]) == (
            500, None, f'Get "https://127.0.0.1:{kubelet.port}/containerLogs/{namespace}/web/web": '
                       'http: server gave HTTP response to HTTPS client')
        path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec", ["ls"], stdout=True)
        result = execclient.run("127.0.0.1", apiserver.port, path)
        assert (result.code, json.loads(result.body)["message"]) == (
            500, "error dialing backend: tls: first record does not look like a TLS handshake")
    finally:
        apiserver.stop()
        kubelet.stop()
