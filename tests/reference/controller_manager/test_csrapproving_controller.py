"""The CSR approving controller (pkg/controller/certificates/approver): a kubelet's client
certificate request is approved when a SubjectAccessReview allows its requester to create
certificatesigningrequests/selfnodeclient (for its own name) or /nodeclient. One rule per test,
sans-IO: the review is a function of the spec the controller asks about."""
from __future__ import annotations

import base64
import ipaddress
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from csrs import KEY, request  # noqa: E402

import pytest  # noqa: E402

from reference_impl.controller_manager.csrapproving import sync  # noqa: E402
from reference_impl.controller_manager.queued import QuietRetry  # noqa: E402

NODE = "system:node:n1"
USAGES = ["digital signature", "key encipherment", "client auth"]


def csr(username="bootstrap", common_name=NODE, organizations=("system:nodes",), usages=USAGES,
        signer="kubernetes.io/kube-apiserver-client-kubelet", status=None, spec_request=None):
    spec = {"request": spec_request or request(common_name, organizations), "signerName": signer, "usages": list(usages),
            "username": username, "groups": ["system:bootstrappers", "system:authenticated"], "uid": "u1"}
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": "c", "resourceVersion": "5"}, "spec": spec, **({"status": status} if status else {})}


def allowing(*subresources):
    """A review that allows creating exactly these subresources, recording what it was asked."""
    asked = []

    def allowed(spec):
        asked.append(spec)
        return spec["resourceAttributes"]["subresource"] in subresources
    allowed.asked = asked
    return allowed


def test_a_bootstrap_request_is_approved_when_nodeclient_is_allowed():
    """Another user's request for a node's name needs nodeclient; the approval goes to the approval
    subresource with reason AutoApproved and upstream's message."""
    review = allowing("nodeclient")
    [update] = sync(csr(), review)
    assert (update.resource, update.subresource) == ("certificatesigningrequests", "approval")
    assert update.obj["status"]["conditions"] == [{
        "type": "Approved", "status": "True", "reason": "AutoApproved",
        "message": "Auto approving kubelet client certificate after SubjectAccessReview."}]
    assert review.asked == [{"user": "bootstrap", "uid": "u1", "groups": ["system:bootstrappers", "system:authenticated"],
                             "resourceAttributes": {"group": "certificates.k8s.io", "resource": "certificatesigningrequests",
                                                    "verb": "create", "subresource": "nodeclient"}}]


def test_a_node_renewing_its_own_certificate_is_asked_selfnodeclient_first():
    """A request whose CN is its requester's name is tried as selfnodeclient, then nodeclient."""
    review = allowing("selfnodeclient")
    [update] = sync(csr(username=NODE), review)
    assert update.obj["status"]["conditions"][0]["message"] == \
        "Auto approving self kubelet client certificate after SubjectAccessReview."
    refused = allowing()
    with pytest.raises(QuietRetry, match=r'^recognized csr "c" as \[selfnodeclient nodeclient\] but subject access '
                                         r'review was not approved$'):
        sync(csr(username=NODE), refused)
    assert [spec["resourceAttributes"]["subresource"] for spec in refused.asked] == ["selfnodeclient", "nodeclient"]


def test_selfnodeclient_does_not_approve_another_nodes_name():
    """Being allowed selfnodeclient only approves one's own name; the request is retried (a
    grant may come later), as upstream's IgnorableError is."""
    with pytest.raises(QuietRetry, match=r"as \[nodeclient\] but"):
        sync(csr(username="system:node:other"), allowing("selfnodeclient"))


def test_a_request_that_cannot_be_parsed_is_a_sync_error():
    with pytest.raises(ValueError, match='^unable to parse csr "c": PEM block type must be CERTIFICATE REQUEST$'):
        sync(csr(spec_request=base64.b64encode(b"junk").decode()), allowing("nodeclient"))


def test_requests_that_are_no_kubelet_client_requests_are_not_reviewed():
    """Another signer, an O other than exactly system:nodes, a CN outside system:node:, usages not
    exactly the three client ones: nothing is asked and nothing approved."""
    for request_csr in (csr(signer="kubernetes.io/kube-apiserver-client"), csr(organizations=("system:nodes", "x")),
                        csr(organizations=()), csr(common_name="n1"), csr(usages=["client auth"]),
                        csr(usages=[*USAGES, "server auth"])):
        review = allowing("nodeclient", "selfnodeclient")
        assert sync(request_csr, review) == []
        assert review.asked == []


def with_names(*names) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NODE),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes")])
    pem = x509.CertificateSigningRequestBuilder().subject_name(subject).add_extension(
        x509.SubjectAlternativeName(list(names)), critical=False).sign(KEY, hashes.SHA256())
    return base64.b64encode(pem.public_bytes(serialization.Encoding.PEM)).decode()


def test_a_request_with_dns_email_ip_or_uri_names_is_not_a_kubelet_client_request():
    for name in (x509.DNSName("n1"), x509.RFC822Name("a@b.c"), x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
                 x509.UniformResourceIdentifier("spiffe://n1")):
        assert sync(csr(spec_request=with_names(name)), allowing("nodeclient")) == []


def test_other_kinds_of_alternative_name_do_not_stop_an_approval():
    """ValidateKubeletClientCSR refuses DNS, email, IP and URI names only: a registered ID or a
    directory name leaves a kubelet client request one."""
    other = x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
    [update] = sync(csr(spec_request=with_names(x509.RegisteredID(NameOID.COMMON_NAME), other)), allowing("nodeclient"))
    assert update.subresource == "approval"


def test_requests_already_decided_or_issued_are_left_alone():
    """An Approved or Denied condition (whatever its status) or a certificate: nothing to do."""
    for status in ({"conditions": [{"type": "Denied", "status": "True"}]},
                   {"conditions": [{"type": "Approved", "status": "False"}]}, {"certificate": "eA=="}):
        review = allowing("nodeclient")
        assert sync(csr(status=status), review) == []
        assert review.asked == []
