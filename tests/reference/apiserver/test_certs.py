"""Certificates: what ensure_certs makes, that it reuses what it finds, and that real TLS accepts them."""
from __future__ import annotations

import ipaddress
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reference_impl.apiserver.adapter import certs


def test_ensure_certs_makes_ca_serving_and_admin(tmp_path):
    """The CA signs a serving certificate for the loopback names and an admin client in system:masters."""
    bundle = certs.ensure_certs(tmp_path / "pki")
    assert sorted(p.name for p in (tmp_path / "pki").iterdir()) == [
        "admin.crt", "admin.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key",
        "apiserver.crt", "apiserver.key", "ca.crt", "ca.key"]
    ca = bundle.ca.certificate
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    serving = bundle.serving.certificate
    san = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost"} <= set(san.get_values_for_type(x509.DNSName))
    assert set(san.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address("127.0.0.1"),
                                                            ipaddress.ip_address("::1")}
    admin = bundle.admin.certificate
    assert [a.value for a in admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["system:masters"]
    assert ExtendedKeyUsageOID.CLIENT_AUTH in admin.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    for cert in (serving, admin, bundle.kubelet_client.certificate):
        assert cert.issuer == ca.subject
        cert.verify_directly_issued_by(ca)
    assert (tmp_path / "pki" / "ca.key").stat().st_mode & 0o077 == 0


def test_the_kubelet_client_is_kubeadms_apiserver_kubelet_client(tmp_path):
    """CN kube-apiserver-kubelet-client, O system:masters (1.24 kubeadm's certlist), client auth only."""
    client = certs.ensure_certs(tmp_path).kubelet_client.certificate
    assert client.subject.rfc4514_string() == "CN=kube-apiserver-kubelet-client,O=system:masters"
    assert list(client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_ensure_certs_reuses_existing_files(tmp_path):
    """A second start keeps the CA and certificates it finds, so old kubeconfigs stay valid."""
    first = certs.ensure_certs(tmp_path)
    second = certs.ensure_certs(tmp_path)
    assert (second.ca.cert_pem, second.serving.cert_pem, second.admin.cert_pem, second.kubelet_client.cert_pem) == \
        (first.ca.cert_pem, first.serving.cert_pem, first.admin.cert_pem, first.kubelet_client.cert_pem)


def test_missing_leaf_is_remade_with_the_same_ca(tmp_path):
    first = certs.ensure_certs(tmp_path)
    (tmp_path / "admin.crt").unlink()
    second = certs.ensure_certs(tmp_path)
    assert second.ca.cert_pem == first.ca.cert_pem and second.admin.cert_pem != first.admin.cert_pem
    second.admin.certificate.verify_directly_issued_by(first.ca.certificate)


def test_unreadable_certificate_is_a_one_line_error(tmp_path):
    certs.ensure_certs(tmp_path)
    (tmp_path / "ca.crt").write_text("garbage")
    with pytest.raises(certs.CertError, match=r"ca\.crt: is not a PEM certificate"):
        certs.ensure_certs(tmp_path)


def test_tls_handshake_with_client_certificate(tmp_path):
    """The serving certificate verifies for 127.0.0.1 and localhost against the CA, and the server
    sees the admin's client certificate (CN, O) after verifying it against the same CA."""
    bundle = certs.ensure_certs(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(bundle.serving.cert_path, bundle.serving.key_path)
    server_ctx.verify_mode = ssl.CERT_OPTIONAL
    server_ctx.load_verify_locations(cafile=str(bundle.ca.cert_path))
    client_ctx = ssl.create_default_context(cafile=str(bundle.ca.cert_path))
    client_ctx.load_cert_chain(bundle.admin.cert_path, bundle.admin.key_path)
    seen = {}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve():
            for _ in range(2):  # one handshake per name the client checks
                conn, _ = listener.accept()
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    seen["subject"] = tls.getpeercert()["subject"]
                    tls.sendall(b"ok")

        thread = threading.Thread(target=serve)
        thread.start()
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection(("127.0.0.1", port)) as raw, \
                    client_ctx.wrap_socket(raw, server_hostname=host) as tls:
                assert tls.recv(2) == b"ok"
        thread.join()
    assert seen["subject"] == ((("organizationName", "system:masters"),), (("commonName", "kubernetes-admin"),))
