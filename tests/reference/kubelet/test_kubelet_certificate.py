"""A kubelet's certificates from the cluster CA name its node, as its CSRs do upstream."""
from __future__ import annotations

from types import SimpleNamespace

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from reference_impl.apiserver.core.auth import X509Authenticator
from reference_impl.kubelet.certificate import issue_node_client_cert, store_node_serving_cert
from reference_impl.machinery.certutil import new_ca, store_pair


def test_the_serving_certificate_names_the_node_not_the_apiserver(tmp_path):
    """The kubelet-serving CSR's subject is system:node:<name> in system:nodes; its names are the
    node's hostname and address."""
    store_pair(new_ca(), tmp_path / "ca.crt", tmp_path / "ca.key")
    cert = store_node_serving_cert(tmp_path, "node-1", "127.0.0.1").certificate
    subject = {attribute.oid: attribute.value for attribute in cert.subject}
    assert subject == {NameOID.COMMON_NAME: "system:node:node-1", NameOID.ORGANIZATION_NAME: "system:nodes"}
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(name.value) for name in names] == ["node-1", "127.0.0.1"]


def test_the_client_certificate_authenticates_as_the_node():
    """The apiserver's x509 authenticator reads the node's user and group, which the Node
    authorizer goes by."""
    ca = new_ca()
    der = issue_node_client_cert(ca, "hollow-node-0007").certificate.public_bytes(serialization.Encoding.DER)
    user = X509Authenticator([ca.certificate]).authenticate(SimpleNamespace(peer_certificate_der=der))
    assert (user.name, user.groups[:1]) == ("system:node:hollow-node-0007", ("system:nodes",))
