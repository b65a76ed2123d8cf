"""Client certificates at the wire: the server requests one but TLS does not judge it; a
certificate the client CA did not sign, or an expired one, gets a 401 Unauthorized Status from
the x509 authenticator (Go's tls.RequestClientCert), not a failed handshake."""
from __future__ import annotations

import datetime
import http.client
import json
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reference_impl.apiserver.adapter import certs
from reference_impl.apiserver.core.auth import new_authenticator
from reference_impl.apiserver.adapter.run import tls_context
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.machinery import certutil
from reference_impl.machinery.tlsclientauth import request_client_certificates
from tests.reference.apiserver.test_auth import intermediate_ca
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import NOW

etcd, registry = test_handlers.etcd, test_handlers.registry  # the fixtures, shared


@pytest.fixture
def tls_server(registry, tmp_path):
    bundle = certs.ensure_certs(tmp_path)
    server = APIServer(registry, new_authenticator(bundle.ca.cert_path), ssl_context=tls_context(
        bundle, bundle.ca.cert_path), now=lambda: NOW)
    server.start()
    yield server, bundle, tmp_path
    server.stop()


def self_signed(tmp_path, name: str, days: int) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def get(server, bundle, cert: tuple[str, str] | None) -> tuple[int, dict]:
    context = ssl.create_default_context(cafile=str(bundle.ca.cert_path))
    if cert:
        context.load_cert_chain(*cert)
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    try:
        connection.request("GET", "/api/v1/namespaces")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_context_requests_without_verifying():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.verify_mode = ssl.CERT_OPTIONAL
    assert request_client_certificates(context)


@pytest.mark.parametrize("days", [3650, 1])  # unknown CA; unknown CA and expired
def test_a_self_signed_or_expired_certificate_is_401(tls_server, days):
    server, bundle, tmp_path = tls_server
    code, status = get(server, bundle, self_signed(tmp_path, "mallory", days))
    assert (code, status["reason"]) == (401, "Unauthorized")


def test_an_expired_certificate_of_the_client_ca_is_401(tls_server):
    server, bundle, tmp_path = tls_server
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")]))
            .issuer_name(bundle.ca.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=1)).sign(bundle.ca.private_key, hashes.SHA256()))
    (tmp_path / "old.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "old.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    code, status = get(server, bundle, (str(tmp_path / "old.crt"), str(tmp_path / "old.key")))
    assert (code, status["reason"]) == (401, "Unauthorized")


def test_the_admin_certificate_still_authenticates(tls_server):
    server, bundle, _ = tls_server
    code, body = get(server, bundle, (str(bundle.admin.cert_path), str(bundle.admin.key_path)))
    assert code == 200 and body["kind"] == "NamespaceList"


def test_a_certificate_of_an_intermediate_ca_authenticates_when_the_client_sends_the_chain(tls_server):
    """The server reads the whole chain the client sent (Go's PeerCertificates) for the x509
    authenticator, so an intermediate of the client CA may issue client certificates."""
    server, bundle, tmp_path = tls_server
    intermediate = intermediate_ca(bundle.ca)
    leaf = certutil.issue_client_cert(intermediate, "chained-admin", ("system:masters",))
    (tmp_path / "chain.crt").write_bytes(leaf.cert_pem + intermediate.cert_pem)
    (tmp_path / "leaf.crt").write_bytes(leaf.cert_pem)
    (tmp_path / "leaf.key").write_bytes(leaf.key_pem)
    code, body = get(server, bundle, (str(tmp_path / "chain.crt"), str(tmp_path / "leaf.key")))
    assert (code, body["kind"]) == (200, "NamespaceList")
    code, status = get(server, bundle, (str(tmp_path / "leaf.crt"), str(tmp_path / "leaf.key")))
    assert (code, status["reason"]) == (401, "Unauthorized")


@pytest.mark.parametrize("first", [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"])
def test_plain_http_on_the_tls_port_is_answered_in_net_https_words(tls_server, first):
    """The real kube-apiserver 1.24 answers an HTTP request sent without TLS with net/http's
    HTTP/1.0 400 and closes (the reference failed the handshake and closed unanswered)."""
    server = tls_server[0]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(first)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer == b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"


@pytest.mark.parametrize("offered", [["http/1.1"], ["h2", "http/1.1"], ["foo", "http/1.1"]])
def test_a_client_offering_http11_by_alpn_is_told_it(tls_server, offered):
    """ALPN: the real server picks http/1.1 for a client that offers it and no h2 (the
    reference picked nothing); this one speaks no HTTP/2, so http/1.1 is its answer to h2 too."""
    server, bundle, _ = tls_server
    context = ssl.create_default_context(cafile=str(bundle.ca.cert_path))
    context.set_alpn_protocols(offered)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            assert sock.selected_alpn_protocol() == "http/1.1"


def test_a_client_half_closing_without_close_notify_still_gets_its_answer(tls_server):
    """A TLS client that shuts down its side (a TCP FIN, no close_notify) after part of a head
    gets net/http's 400, as from the real kube-apiserver; OpenSSL 3 had failed the connection at
    that end of input and written nothing."""
    server = tls_server[0]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socket.socket.shutdown(sock, socket.SHUT_WR)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
