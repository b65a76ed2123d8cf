"""Status subresources validate the status itself, as 1.24's status strategies do: a CSR's
conditions and certificate (ValidateCertificateSigningRequestStatusUpdate / ...ApprovalUpdate).
Each test runs the registry against a real reference etcd and checks the 422 Status upstream
writes, or what the strategy's PrepareForUpdate keeps."""
from __future__ import annotations

import base64
import itertools
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

from reference_impl.apiserver.adapter.certs import new_ca  # noqa: E402
from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from reference_impl.apiserver.storage.etcdclient import EtcdClient  # noqa: E402
from reference_impl.machinery.clock import ManualClock  # noqa: E402

_names = itertools.count()
CSRS = "certificatesigningrequests"
APPROVED = {"type": "Approved", "status": "True", "reason": "AutoApproved"}
DENIED = {"type": "Denied", "status": "True", "reason": "NotMine"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with processes.reference_server(tmp_path_factory.mktemp("etcd") / "ref") as server:
        client = EtcdClient(server.client_url)
        registry = Registry(client, ManualClock(1_700_000_000), rng=random.Random(6))
        yield registry
        registry.close()
        client.close()


def invalid(call, *args, **kwargs) -> StatusError:
    with pytest.raises(StatusError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == 422 and raised.value.reason == "Invalid"
    return raised.value


def causes(error: StatusError) -> list[tuple[str, str, str]]:
    return [(c["reason"], c["field"], c["message"]) for c in error.details["causes"]]


def pem(block_type: str, data: bytes) -> str:
    body = base64.encodebytes(data).decode()
    return f"-----BEGIN {block_type}-----\n{body}-----END {block_type}-----\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def new_csr(registry, conditions: list | None = None) -> dict:
    """A stored CSR, approved or denied through /approval when `conditions` are given."""
    name = f"csr{next(_names)}"
    csr = registry.create(CSRS, None, {
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
        "spec": {"request": "LS0t", "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"]}})
    if conditions:
        csr = registry.update(CSRS, None, name, {**csr, "status": {"conditions": conditions}}, subresource="approval")
    return csr


def test_a_status_update_keeps_the_stored_approved_condition(registry):
    """csrStatusStrategy.PrepareForUpdate puts the stored Approved/Denied conditions back in place
    of the ones sent, as long as the update keeps their number."""
    csr = new_csr(registry, [APPROVED])
    sent = {**csr, "status": {"conditions": [{**APPROVED, "reason": "Changed"}]}}
    updated = registry.update(CSRS, None, csr["metadata"]["name"], sent, subresource="status")
    assert updated["status"]["conditions"][0]["reason"] == "AutoApproved"


def test_a_status_update_may_not_add_an_approved_condition(registry):
    """Only /approval approves: a status update adding Approved is Forbidden."""
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED]}}, subresource="status")
    assert error.message == (f'CertificateSigningRequest.certificates.k8s.io "{csr["metadata"]["name"]}" is invalid: '
                             'status.conditions: Forbidden: updates may not add a condition of type "Approved"')


def test_a_status_update_may_not_remove_a_denied_condition(registry):
    csr = new_csr(registry, [DENIED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"], {**csr, "status": {}}, subresource="status")
    assert causes(error) == [("FieldValueForbidden", "status.conditions",
                              'Forbidden: updates may not remove a condition of type "Denied"')]


def test_an_approval_may_not_both_approve_and_deny(registry):
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED, DENIED]}}, subresource="approval")
    assert causes(error) == [("FieldValueInvalid", "status.conditions[1].type",
                              'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive')]


def test_an_approval_may_not_repeat_a_condition_type(registry):
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED, APPROVED]}}, subresource="approval")
    assert causes(error) == [("FieldValueDuplicate", "status.conditions[1].type", 'Duplicate value: "Approved"')]


def test_an_approval_condition_is_true_and_typed(registry):
    """Approved, Denied and Failed may only be True; any condition needs a type and a status."""
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [{**APPROVED, "status": "False"}, {"status": "True"},
                                                      {"type": "Custom"}]}}, subresource="approval")
    assert causes(error) == [
        ("FieldValueNotSupported", "status.conditions[0].status",
         'Unsupported value: "False": supported values: "True"'),
        ("FieldValueRequired", "status.conditions[1].type", "Required value"),
        ("FieldValueRequired", "status.conditions[2].status", "Required value")]


def test_an_approval_may_not_remove_an_approved_condition(registry):
    csr = new_csr(registry, [APPROVED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": []}}, subresource="approval")
    assert causes(error) == [("FieldValueForbidden", "status.conditions",
                              'Forbidden: updates may not remove a condition of type "Approved"')]


def test_an_approval_keeps_the_stored_certificate(registry):
    """csrApprovalStrategy changes only the conditions: a certificate sent with them is dropped,
    while the metadata sent is kept."""
    csr = new_csr(registry)
    csr["metadata"]["labels"] = {"approved-by": "me"}
    sent = {**csr, "status": {"conditions": [APPROVED], "certificate": b64(pem("CERTIFICATE", b"x"))}}
    approved = registry.update(CSRS, None, csr["metadata"]["name"], sent, subresource="approval")
    assert "certificate" not in approved["status"] and approved["metadata"]["labels"] == {"approved-by": "me"}


def test_a_certificate_is_set_once(registry):
    """The signer sets status.certificate through /status; changing it afterwards is Forbidden."""
    csr = new_csr(registry, [APPROVED])
    name = csr["metadata"]["name"]
    first, second = (b64(new_ca(f"signer-{n}").cert_pem.decode()) for n in (1, 2))
    issued = registry.update(CSRS, None, name, {**csr, "status": {**csr["status"], "certificate": first}},
                             subresource="status")
    assert issued["status"]["certificate"] == first
    changed = {**issued, "status": {**issued["status"], "certificate": second}}
    error = invalid(registry.update, CSRS, None, name, changed, subresource="status")
    assert causes(error) == [("FieldValueForbidden", "status.certificate",
                              "Forbidden: updates may not modify existing certificate content")]


@pytest.mark.parametrize("certificate,problem", [
    (pem("RSA PRIVATE KEY", b"key"), 'only CERTIFICATE PEM blocks are allowed, found "RSA PRIVATE KEY"'),
    ("not pem at all", "must contain at least one CERTIFICATE PEM block"),
    (pem("CERTIFICATE", b"key").replace("\n", "\nProc-Type: 4,ENCRYPTED\n\n", 1), "no PEM block headers are permitted"),
    (pem("CERTIFICATE", b"not DER"), "x509: malformed certificate"),
    (pem("CERTIFICATE", b""), "found CERTIFICATE PEM block containing 0 certificates"),
], ids=["other-block", "no-block", "headers", "not-der", "empty"])
def test_a_certificate_is_pem_certificate_blocks(registry, certificate, problem):
    """validateCertificate: only CERTIFICATE blocks, without headers, each holding certificates."""
    csr = new_csr(registry, [APPROVED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {**csr["status"], "certificate": b64(certificate)}}, subresource="status")
    assert causes(error) == [("FieldValueInvalid", "status.certificate",
                              f'Invalid value: "<certificate data>": {problem}')]


def test_an_update_of_the_csr_keeps_its_spec_and_status(registry):
    """csrStrategy.PrepareForUpdate: a CSR is immutable after creation but through its subresources."""
    csr = new_csr(registry)
    sent = {**csr, "spec": {**csr["spec"], "usages": ["server auth"]}, "status": {"conditions": [APPROVED]}}
    updated = registry.update(CSRS, None, csr["metadata"]["name"], sent)
    assert updated["spec"]["usages"] == ["client auth"] and updated["status"] == csr["status"]
