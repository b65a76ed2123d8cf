"""The CSR signing controller: an approved request of a kubernetes.io signer is issued a
certificate by the cluster CA, one whose usages its signer refuses is Failed, and anything else
(not approved, already issued, another signer) is left alone."""
from __future__ import annotations

import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reference_impl.machinery import certutil
from reference_impl.controller_manager import csrsigning

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def ca():
    pair = certutil.new_ca()
    return csrsigning.SigningCA(x509.load_pem_x509_certificate(pair.cert_pem),
                                serialization.load_pem_private_key(pair.key_pem, password=None))


def request_pem(common_name="alice", organization="dev") -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def csr(usages=("client auth",), signer=csrsigning.KUBE_APISERVER_CLIENT, approved=True, **spec) -> dict:
    conditions = [{"type": "Approved", "status": "True", "reason": "KubectlApprove"}] if approved else []
    return {"metadata": {"name": "alice", "resourceVersion": "7"},
            "spec": {"request": request_pem(), "signerName": signer, "usages": list(usages), **spec},
            "status": {"conditions": conditions}}


def issued(update) -> x509.Certificate:
    return x509.load_pem_x509_certificate(base64.b64decode(update.obj["status"]["certificate"]))


def test_an_approved_client_request_is_issued_by_the_ca_for_a_year(ca):
    [update] = csrsigning.sync(csr(usages=("digital signature", "client auth")), ca, NOW)
    assert (update.resource, update.subresource, update.obj["metadata"]["resourceVersion"]) == (
        "certificatesigningrequests", "status", "7")
    cert = issued(update)
    cert.verify_directly_issued_by(ca.certificate)
    assert cert.subject.rfc4514_string() == "CN=alice,O=dev"
    assert cert.not_valid_before_utc == NOW - datetime.timedelta(minutes=5)
    assert cert.not_valid_after_utc == min(NOW + datetime.timedelta(days=365), ca.certificate.not_valid_after_utc)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]


def test_expiration_seconds_is_honoured_down_to_ten_minutes(ca):
    [update] = csrsigning.sync(csr(expirationSeconds=60), ca, NOW)
    assert issued(update).not_valid_after_utc == NOW + datetime.timedelta(minutes=10)


@pytest.mark.parametrize("usages, message", [
    (("client auth", "server auth"), "invalid usage for client certificate: server auth"),
    (("digital signature",), "missing required usage for client certificate: client auth"),
])
def test_usages_the_signer_refuses_fail_the_request(ca, usages, message):
    [update] = csrsigning.sync(csr(usages=usages), ca, NOW)
    failed = update.obj["status"]["conditions"][-1]
    assert (failed["type"], failed["reason"], failed["message"]) == ("Failed", "SignerValidationFailure", message)
    assert "certificate" not in update.obj["status"]


def test_requests_not_approved_already_issued_or_of_another_signer_are_left_alone(ca):
    done = csr()
    done["status"]["certificate"] = "LS0t"
    assert csrsigning.sync(csr(approved=False), ca, NOW) == []
    assert csrsigning.sync(done, ca, NOW) == []
    assert csrsigning.sync(csr(signer="example.com/mine"), ca, NOW) == []
    assert csrsigning.sync(csr(signer="kubernetes.io/kubelet-serving"), ca, NOW) == []  # not served here
