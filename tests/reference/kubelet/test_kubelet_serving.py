"""The kubelet's API over HTTPS behind its auth filter: who gets 401, 403 or served, the
streaming sessions working through TLS, and the process's flags building the filter."""
from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from reference_impl.machinery.certutil import KeyPair, issue_client_cert, issue_serving_cert, new_ca
from reference_impl.apiserver.core.auth import RequestAuthenticator, X509Authenticator
from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.auth import KubeletAuth, Refusal
from reference_impl.machinery.delegatedauth import WebhookAuthorizer
from reference_impl.kubelet.crilog import records
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.run import build_auth, kubelet_configuration, parse_args, serving_pair
from reference_impl.machinery.pflag import FlagError
from reference_impl.kubelet.runtime import ExecTarget, log_path
from reference_impl.kubelet.serving import self_signed_pair
from reference_impl.machinery.goserver import serving_context

from tests.reference.kubelet import execclient
from tests.reference.kubelet.execclient import STDOUT

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"containers": [{"name": "c"}]},
       "status": {"containerStatuses": [{"name": "c", "state": {"running": {}}, "restartCount": 0}]}}
KEY = PodKey("ns", "p", "u1")
ALLOWED = "kube-apiserver-kubelet-client"


@dataclass
class Bearer:
    """A request as the authenticators read it: headers and no client certificate."""

    headers: dict
    peer_certificate_der: bytes | None = None


def write(pair: KeyPair, directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    cert.write_bytes(pair.cert_pem)
    key.write_bytes(pair.key_pem)
    return cert, key


def allow_only(user: str):
    """A SubjectAccessReview endpoint that allows `user` and no one else."""
    return lambda review: {**review, "status": {"allowed": review["spec"]["user"] == user}}


@pytest.fixture(scope="module")
def ca():
    return new_ca()


@pytest.fixture
def kubelet(tmp_path, ca):
    (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
    cert, key = write(issue_serving_cert(ca, ("node-1",), ("127.0.0.1",)), tmp_path, "kubelet")
    log = log_path(tmp_path, KEY, "c", 0)
    log.parent.mkdir(parents=True)
    log.write_bytes(records(b"hello from c\n", time.time_ns()))
    auth = KubeletAuth(RequestAuthenticator([X509Authenticator([ca.certificate])]),
                       WebhookAuthorizer(allow_only(ALLOWED), lambda: 0.0, 300.0, 30.0), "node-1")
    target = ExecTarget({"PATH": "/usr/bin:/bin"}, str(tmp_path))
    server = LogServer(tmp_path, lambda ns, name: POD if (ns, name) == ("ns", "p") else None,
                       lambda key, name: False, exec_target=lambda key, name: target,
                       tls=serving_context(cert, key, tmp_path / "ca.crt"), auth=auth)
    server.start()
    yield server
    server.stop()


def client(ca: KeyPair, tmp_path: Path, pair: KeyPair | None = None) -> ssl.SSLContext:
    """A client that verifies the kubelet against the cluster CA, presenting `pair` if given."""
    context = ssl.create_default_context(cadata=ca.cert_pem.decode())
    if pair is not None:
        context.load_cert_chain(*write(pair, tmp_path, "client"))
    return context


def get(server, context: ssl.SSLContext, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{server.port}{path}", context=context) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_no_client_certificate_is_401_unauthorized(kubelet, ca, tmp_path):
    assert get(kubelet, client(ca, tmp_path), "/containerLogs/ns/p/c") == (401, b"Unauthorized")


def test_a_certificate_of_another_ca_passes_the_handshake_and_is_401(kubelet, ca, tmp_path):
    """tls.RequestClientCert: the handshake takes any certificate; the authenticator refuses it."""
    stranger = issue_client_cert(new_ca(), ALLOWED)
    assert get(kubelet, client(ca, tmp_path, stranger), "/containerLogs/ns/p/c") == (401, b"Unauthorized")


def test_a_user_without_nodes_proxy_is_403_in_upstreams_words(kubelet, ca, tmp_path):
    viewer = issue_client_cert(ca, "viewer", ("system:authenticated",))
    assert get(kubelet, client(ca, tmp_path, viewer), "/containerLogs/ns/p/c") == (
        403, b"Forbidden (user=viewer, verb=get, resource=nodes, subresource=proxy)")


def test_the_filter_runs_before_go_restfuls_router_but_after_the_mux(kubelet, ca, tmp_path):
    """A path under a registered prefix is refused as any other until the user is allowed, then
    go-restful's 404 or 405; a path under no prefix is the ServeMux's 404, before the filter."""
    stranger, allowed = client(ca, tmp_path), client(ca, tmp_path, issue_client_cert(ca, ALLOWED))
    assert get(kubelet, stranger, "/containerLogs/ns/p/c/extra") == (401, b"Unauthorized")
    assert get(kubelet, allowed, "/containerLogs/ns/p/c/extra") == (404, b"404: Page Not Found")
    assert get(kubelet, stranger, "/nowhere") == (404, b"404 page not found\n")


def test_another_method_is_asked_about_with_its_verb_then_405(kubelet, ca, tmp_path):
    viewer = client(ca, tmp_path, issue_client_cert(ca, "viewer"))
    request = urllib.request.Request(f"https://127.0.0.1:{kubelet.port}/containerLogs/ns/p/c", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=viewer)
    assert (refused.value.code, refused.value.read()) == (
        403, b"Forbidden (user=viewer, verb=update, resource=nodes, subresource=proxy)")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=client(ca, tmp_path, issue_client_cert(ca, ALLOWED)))
    assert (refused.value.code, refused.value.read()) == (405, b"405: Method Not Allowed")


def test_an_allowed_user_reads_the_logs(kubelet, ca, tmp_path):
    context = client(ca, tmp_path, issue_client_cert(ca, ALLOWED, ("system:masters",)))
    assert get(kubelet, context, "/containerLogs/ns/p/c") == (200, b"hello from c\n")
    assert get(kubelet, context, "/containerLogs/ns/p/c?follow=true") == (200, b"hello from c\n")


def test_an_exec_streams_through_tls(kubelet, ca, tmp_path):
    """The session reads and writes from several threads; over TLS it does so through one pump."""
    context = client(ca, tmp_path, issue_client_cert(ca, ALLOWED))
    path = execclient.kubelet_path("/exec/ns/p/c", ["sh", "-c", "echo out; exit 3"], stdout=True)
    result = execclient.run("127.0.0.1", kubelet.port, path, tls=context)
    assert (result.code, result.channels[STDOUT]) == (101, b"out\n")
    assert result.status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]


def test_an_exec_over_tls_closes_when_it_ends_though_the_client_never_answers_the_close(kubelet, ca, tmp_path):

    context = client(ca, tmp_path, issue_client_cert(ca, ALLOWED))
    with socket.create_connection(("127.0.0.1", kubelet.port)) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(execclient.WEBSOCKET_EXEC)
        assert execclient.read_to_end(tls, 15).startswith(b"HTTP/1.1 101 ")


def test_an_exec_without_credentials_never_upgrades(kubelet, ca, tmp_path):
    path = execclient.kubelet_path("/exec/ns/p/c", ["true"], stdout=True)
    result = execclient.run("127.0.0.1", kubelet.port, path, tls=client(ca, tmp_path))
    assert (result.code, result.body) == (401, b"Unauthorized")


def test_plain_http_to_the_tls_port_is_answered_as_net_http_answers_it(kubelet):
    """Not a dropped connection: net/http's 400 on the connection under TLS, then it closes."""

    with socket.create_connection(("127.0.0.1", kubelet.port)) as raw:
        raw.settimeout(5)
        raw.sendall(b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    assert answer == b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"


def test_a_connection_dropped_before_its_handshake_says_why_at_debug(kubelet, ca, tmp_path, monkeypatch, caplog):
    """The client sees only an EOF in its handshake (as a CI run once did); the kubelet's debug
    log says why: here, a connection thread that could not start."""

    def cannot_start(thread):
        raise RuntimeError("can't start new thread")

    caplog.set_level(logging.DEBUG, logger="reference_impl.machinery.goserver")
    monkeypatch.setattr(threading.Thread, "start", cannot_start)
    with pytest.raises(urllib.error.URLError) as dropped:
        get(kubelet, client(ca, tmp_path, issue_client_cert(ca, ALLOWED)), "/containerLogs/ns/p/c")
    assert "UNEXPECTED_EOF_WHILE_READING" in str(dropped.value.reason)
    (record,) = [r for r in caplog.records if r.name == "reference_impl.machinery.goserver"]
    assert record.getMessage().startswith("http: connection from 127.0.0.1:")
    assert record.exc_info[0] is RuntimeError


def test_a_refused_post_closes_the_connection_its_unread_body_is_on(kubelet, ca, tmp_path):
    """The filter answers before the body is read: on a kept-alive connection the body's bytes
    were then read as the next request."""

    with socket.create_connection(("127.0.0.1", kubelet.port)) as raw, \
            client(ca, tmp_path).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.settimeout(5)  # a connection kept open fails the test instead of hanging it
        body = b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\n\r\n"
        tls.sendall(b"POST /exec/ns/p/c HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(body), body))
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.") and b" 401 " in answer.split(b"\r\n", 1)[0]
    assert answer.count(b"HTTP/1.") == 1


def test_a_connection_that_fails_before_the_pump_starts_leaves_no_socket_open(monkeypatch):
    """The socket pair was made before the client's buffered bytes were sent through it; a reset
    then left both ends open."""

    from reference_impl.kubelet import serving

    made, real_socketpair = [], socket.socketpair

    def socketpair():
        made.extend(real_socketpair())
        return made[0], made[1]

    def reset(connection, rfile):
        raise ConnectionResetError("reset by peer")

    monkeypatch.setattr(serving.socket, "socketpair", socketpair)
    monkeypatch.setattr(serving, "_buffered", reset)
    fake_tls = serving.ssl.SSLSocket.__new__(serving.ssl.SSLSocket)
    with pytest.raises(ConnectionResetError):
        with serving.plain_streams(fake_tls, None):
            pass
    assert len(made) == 2 and all(end.fileno() == -1 for end in made)


def tls_connection(ca: KeyPair, tmp_path: Path) -> tuple[ssl.SSLSocket, socket.socket]:
    """(the server's end, the client's) of a TLS connection over loopback with small buffers."""
    server_context = serving_context(*write(issue_serving_cert(ca, ("node-1",), ("127.0.0.1",)), tmp_path, "k"), None)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(listener.getsockname())
        accepted, _ = listener.accept()
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    handshake = threading.Thread(target=lambda: client_side.append(
        ssl.create_default_context(cadata=ca.cert_pem.decode()).wrap_socket(client, server_hostname="node-1")))
    client_side: list[ssl.SSLSocket] = []
    handshake.start()
    server_side = server_context.wrap_socket(accepted, server_side=True)
    handshake.join()
    return server_side, client_side[0]


def test_a_session_whose_client_reads_nothing_leaves_no_pump_on_its_connection(ca, tmp_path, monkeypatch):
    """Past DRAIN_SECONDS the pump, stuck writing to a client that reads nothing, is stopped and
    waited for before the connection closes: left running, its TLS reads and writes would go to
    whatever file got the descriptor's number next."""
    from reference_impl.kubelet import serving

    monkeypatch.setattr(serving, "DRAIN_SECONDS", 0.2)
    connection, client = tls_connection(ca, tmp_path)
    with client, connection:
        with serving.plain_streams(connection, connection.makefile("rb")) as (_, ours):
            ours.settimeout(0.5)
            with pytest.raises(TimeoutError):  # the pump blocks in the TLS write, then the pair fills up
                while True:
                    ours.sendall(bytes(65536))
        assert not [thread for thread in threading.enumerate() if thread.name == "kubelet-tls"]


def test_a_session_whose_client_floods_input_it_no_longer_reads_still_ends(ca, tmp_path, monkeypatch):
    """A client that goes on sending (stdin, port-forward bytes) after the session stopped reading
    keeps the pump in a write into the socket pair: ending the pump must wake that write too, or
    the connection's thread waits for ever."""
    from reference_impl.kubelet import serving

    monkeypatch.setattr(serving, "DRAIN_SECONDS", 0.2)
    connection, client = tls_connection(ca, tmp_path)

    def flood():
        try:
            while True:
                client.sendall(bytes(65536))
        except OSError:
            pass

    with client, connection:
        flooding = threading.Thread(target=flood, daemon=True)
        flooding.start()
        session = threading.Thread(target=_open_and_leave, args=(serving, connection), daemon=True)
        session.start()
        session.join(10)
        assert not session.is_alive()
        assert not [thread for thread in threading.enumerate() if thread.name == "kubelet-tls"]


def _open_and_leave(serving, connection) -> None:
    """A session that reads nothing of what its client sends, then ends."""
    with serving.plain_streams(connection, connection.makefile("rb")):
        time.sleep(0.3)


def test_the_self_signed_certificate_is_made_once_and_kept(tmp_path):
    cert, key = self_signed_pair(tmp_path / "pki", "node-1", "127.0.0.1")
    first = cert.read_bytes()
    assert self_signed_pair(tmp_path / "pki", "node-1", "127.0.0.1") == (cert, key)
    assert cert.read_bytes() == first and first.count(b"BEGIN CERTIFICATE") == 2  # the leaf, then its CA
    assert key.stat().st_mode & 0o777 == 0o600


def test_the_self_signed_certificate_is_named_host_at_time_as_generate_self_signed_cert_key_names_it(tmp_path):
    """cert.GenerateSelfSignedCertKey: the CA `<host>-ca@<unix time>`, the leaf `<host>@<unix time>`."""
    cert, _ = self_signed_pair(tmp_path / "pki", "node-1", "127.0.0.1")
    leaf, ca = x509.load_pem_x509_certificates(cert.read_bytes())
    names = [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in (leaf, ca)]
    assert re.fullmatch(r"node-1@\d+", names[0]) and re.fullmatch(r"node-1-ca@\d+", names[1])


def test_each_hollow_node_serves_a_certificate_of_its_own(tmp_path):
    """As each of kubemark's hollow kubelets makes its own: a self-signed pair per node, in a
    folder of the node's under the cert dir, naming that node (not the --node-name prefix)."""
    args = parse_args(["--kubeconfig", "k", "--node-name", "hollow", "--root-dir", str(tmp_path),
                       "--hollow-nodes", "3"], {})
    for node in ("hollow-0", "hollow-2"):
        cert, _ = serving_pair(args, node, "127.0.0.1")
        assert cert == tmp_path / "pki" / node / "kubelet.crt"
        leaf = x509.load_pem_x509_certificates(cert.read_bytes())[0]
        assert re.fullmatch(rf"{node}@\d+", leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
        assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName) == [node]


class RecordingClient:
    """The REST client's `request`, answering reviews: every token is `ops`, who is denied."""

    def __init__(self, fail: bool = False) -> None:
        self.posted, self.fail = [], fail

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        self.posted.append((method, path))
        if self.fail:
            raise OSError("connection refused")
        status = {"authenticated": True, "user": {"username": "ops"}} if body["kind"] == "TokenReview" else {}
        return {**body, "status": status}


def flags(tmp_path, *more: str):
    return parse_args(["--kubeconfig", "k", "--node-name", "node-1", "--root-dir", str(tmp_path), *more], {})


def test_the_process_defaults_are_kubeadms(tmp_path):
    """Tokens reviewed by the apiserver's TokenReview API, requests by its SubjectAccessReview API,
    no anonymous access."""
    client = RecordingClient()
    auth = build_auth(flags(tmp_path), client, "node-1")
    assert auth.check(Bearer({"Authorization": "Bearer t"}), "GET", "/pods") == Refusal(
        403, "Forbidden (user=ops, verb=get, resource=nodes, subresource=proxy)")
    assert client.posted == [("POST", "/apis/authentication.k8s.io/v1/tokenreviews"),
                             ("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")]
    assert auth.check(Bearer({}), "GET", "/pods") == Refusal(401, "Unauthorized")


def test_always_allow_serves_any_authenticated_user_and_anonymous_only_when_asked(tmp_path):
    auth = build_auth(flags(tmp_path, "--authorization-mode", "AlwaysAllow", "--anonymous-auth"),
                      RecordingClient(), "node-1")
    assert auth.check(Bearer({}), "GET", "/pods") is None


def test_an_apiserver_that_cannot_be_reached_is_a_refusal_not_a_crash(tmp_path):
    auth = build_auth(flags(tmp_path), RecordingClient(fail=True), "node-1")
    assert auth.check(Bearer({"Authorization": "Bearer t"}), "GET", "/pods") == Refusal(401, "Unauthorized")


def test_a_serving_certificate_without_its_key_is_a_usage_error(tmp_path):
    with pytest.raises(FlagError, match="^--tls-cert-file and --tls-private-key-file go together$"):
        flags(tmp_path, "--tls-cert-file", "kubelet.crt")


def test_configz_shows_the_configuration_the_kubelet_runs_with(tmp_path):
    """v1beta1 KubeletConfiguration names in the struct's order, durations as Go prints them, the
    port it listens on and the serving pair it uses; debugging handlers on, profiling off."""
    args = flags(tmp_path, "--client-ca-file", "ca.crt", "--pod-cidr", "10.0.0.0/24")
    config = kubelet_configuration(args, Path("k.crt"), Path("k.key"), 0.5, 10250)
    assert list(config)[:6] == ["enableServer", "syncFrequency", "address", "port", "tlsCertFile",
                                "tlsPrivateKeyFile"]
    assert config["authentication"] == {"x509": {"clientCAFile": "ca.crt"}, "anonymous": {"enabled": False},
                                        "webhook": {"enabled": True, "cacheTTL": "2m0s"}}
    assert list(config["authentication"]) == ["x509", "webhook", "anonymous"]
    assert config["authorization"] == {"mode": "Webhook",
                                       "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"}}
    assert (config["syncFrequency"], config["port"], config["maxPods"], config["podCIDR"]) == (
        "500ms", 10250, 110, "10.0.0.0/24")
    assert (config["enableDebuggingHandlers"], config["enableProfilingHandler"]) == (True, False)
    without_ca = kubelet_configuration(flags(tmp_path), Path("k.crt"), Path("k.key"), 0.5, 1)
    assert without_ca["authentication"]["x509"] == {}  # the struct is written; its empty clientCAFile is not
