"""What Kubernetes 1.24 enforces around CertificateSigningRequests, through the handler chain with
users authenticated by client certificates (CN = user, O = groups), RBAC and the admission chain:
the CertificateApproval, CertificateSigning and CertificateSubjectRestriction plugins, the
strategy's PrepareForCreate (the requester is the authenticated user) and
ValidateCertificateSigningRequestCreate. One rule per test."""
from __future__ import annotations

import base64
import functools
import itertools
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from reference_impl.machinery import certutil
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.auth import RequestAuthenticator, X509Authenticator
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from tests.reference.apiserver import csrs
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401

CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
ADMIN = ("admin", ("system:masters",))
SIGNER = "example.com/signer"
CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
_users = itertools.count()
APPROVED = {"type": "Approved", "status": "True", "reason": "ok"}
DENIED = {"type": "Denied", "status": "True", "reason": "no"}


@pytest.fixture(scope="module")
def ca():
    return certutil.new_ca()


@pytest.fixture
def chain(registry, ca, request):
    bootstrappolicy.ensure_rbac_policy(registry)
    authorizer = new_authorizer(RegistrySource(registry))
    chain = HandlerChain(registry, RequestAuthenticator([X509Authenticator([ca.certificate])]), authorizer,
                         new_admission_chain(registry, authorizer=authorizer), now=lambda: NOW)
    chain.ca = ca
    chain.prefix = "".join(c if c.isalnum() else "-" for c in request.node.name.lower()).strip("-")
    chain.alice = (f"alice{next(_users)}", ("devs",))  # the grants of earlier tests stay in etcd
    return chain


@functools.lru_cache(maxsize=None)
def client_certificate(ca: certutil.KeyPair, user: str, groups: tuple[str, ...]) -> bytes:
    return certutil.issue_client_cert(ca, user, groups).certificate.public_bytes(serialization.Encoding.DER)


def send(chain, who: tuple[str, tuple[str, ...]], method: str, path: str, body=None) -> tuple[int, dict]:
    response = chain.handle(Request(method, path, {}, {"Content-Type": "application/json"},
                                    json.dumps(body).encode() if body is not None else b"",
                                    peer_certificate_der=client_certificate(chain.ca, *who)))
    return response.code, json.loads(response.body)


def grant(chain, rules: list[dict]) -> None:
    """Give the test's alice `rules` cluster-wide (written by admin), on top of reading and writing CSRs."""
    name = chain.prefix
    rules = [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"],
              "verbs": ["create", "get"]}, *rules]
    assert send(chain, ADMIN, "POST", f"{RBAC}/clusterroles", {"metadata": {"name": name}, "rules": rules})[0] == 201
    assert send(chain, ADMIN, "POST", f"{RBAC}/clusterrolebindings", {
        "metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                "name": name},
        "subjects": [{"kind": "User", "name": chain.alice[0]}]})[0] == 201


def approval_rules(*signer_names: str, verb: str = "approve") -> list[dict]:
    subresource = "approval" if verb == "approve" else "status"
    return [{"apiGroups": ["certificates.k8s.io"], "resources": [f"certificatesigningrequests/{subresource}"],
             "verbs": ["update"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": [verb],
             "resourceNames": list(signer_names)}]


def new_csr(chain, who=ADMIN, signer: str = SIGNER, suffix: str = "", **spec) -> tuple[int, dict]:
    body = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": chain.prefix + suffix},
            "spec": {"request": csrs.request(), "signerName": signer, "usages": ["client auth"], **spec}}
    return send(chain, who, "POST", CSRS, body)


def created(chain, **spec) -> dict:
    code, csr = new_csr(chain, **spec)
    assert code == 201, csr
    return csr


# --- CertificateApproval ------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [APPROVED, DENIED], ids=["approve", "deny"])
def test_approving_or_denying_needs_approve_on_the_signer(chain, condition):
    """Adding Approved or Denied through /approval needs `approve` on signers/<signerName> in
    certificates.k8s.io, not only update on certificatesigningrequests/approval."""
    csr = created(chain)
    grant(chain, approval_rules("example.com/other"))
    code, status = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/approval",
                        {**csr, "status": {"conditions": [condition]}})
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"] == (f'certificatesigningrequests.certificates.k8s.io "{chain.prefix}" is forbidden: '
                                 f'user not permitted to approve requests with signerName "{SIGNER}"')
    assert status["details"] == {"name": chain.prefix, "group": "certificates.k8s.io",
                                 "kind": "certificatesigningrequests"}


def test_an_invalid_approval_is_422_before_the_approve_check(chain):
    """The approval strategy validates before the validating admission plugins run: Approved and
    Denied together are a 422 even for a user without `approve` on the signer."""
    csr = created(chain)
    grant(chain, approval_rules("example.com/other"))
    code, status = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/approval",
                        {**csr, "status": {"conditions": [APPROVED, DENIED]}})
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert status["message"] == (f'CertificateSigningRequest.certificates.k8s.io "{chain.prefix}" is invalid: '
                                 'status.conditions[1].type: Invalid value: "Denied": Approved and Denied '
                                 'conditions are mutually exclusive')


@pytest.mark.parametrize("resource_name", [SIGNER, "example.com/*"])
def test_approve_on_the_signer_or_its_domain_wildcard_allows_approving(chain, resource_name):
    """IsAuthorizedForSignerName asks for the signerName, then for `<domain>/*`."""
    csr = created(chain)
    grant(chain, approval_rules(resource_name))
    code, approved = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/approval",
                          {**csr, "status": {"conditions": [APPROVED]}})
    assert code == 200, approved
    assert [c["type"] for c in approved["status"]["conditions"]] == ["Approved"]


def test_an_approval_stamps_the_conditions_it_is_sent_without_times(chain):
    """The approval strategy's populateConditionTimestamps: a condition without lastUpdateTime or
    lastTransitionTime gets the server's now (the real kube-apiserver 1.24 answers with both set)."""
    csr = created(chain)
    code, approved = send(chain, ADMIN, "PUT", f"{CSRS}/{chain.prefix}/approval",
                          {**csr, "status": {"conditions": [APPROVED]}})
    assert code == 200, approved
    assert approved["status"]["conditions"] == [{**APPROVED, "lastUpdateTime": "2023-11-14T22:13:20Z",
                                                 "lastTransitionTime": "2023-11-14T22:13:20Z"}]


def test_a_condition_sent_again_keeps_its_stored_transition_time(chain):
    """A condition of a type and status already stored keeps that condition's lastTransitionTime;
    its lastUpdateTime is now."""
    csr = created(chain)
    earlier = {**APPROVED, "lastUpdateTime": "2020-01-01T00:00:00Z", "lastTransitionTime": "2020-01-01T00:00:00Z"}
    code, approved = send(chain, ADMIN, "PUT", f"{CSRS}/{chain.prefix}/approval",
                          {**csr, "status": {"conditions": [earlier]}})
    assert code == 200, approved
    code, again = send(chain, ADMIN, "PUT", f"{CSRS}/{chain.prefix}/approval",
                       {**approved, "status": {"conditions": [APPROVED]}})
    assert code == 200, again
    assert again["status"]["conditions"] == [{**APPROVED, "lastUpdateTime": "2023-11-14T22:13:20Z",
                                              "lastTransitionTime": "2020-01-01T00:00:00Z"}]


# --- CertificateSigning -------------------------------------------------------------------------

def issued_certificate() -> str:
    issued = certutil.issue_client_cert(certutil.new_ca(), "someone").certificate
    return base64.b64encode(issued.public_bytes(serialization.Encoding.PEM)).decode()


def approved(chain) -> dict:
    """A new CSR, approved by admin."""
    code, csr = send(chain, ADMIN, "PUT", f"{CSRS}/{chain.prefix}/approval",
                     {**created(chain), "status": {"conditions": [APPROVED]}})
    assert code == 200, csr
    return csr


def test_issuing_a_certificate_needs_sign_on_the_signer(chain):
    """Changing status.certificate through /status needs `sign` on signers/<signerName>."""
    csr = approved(chain)
    grant(chain, approval_rules("example.com/other", verb="sign"))
    code, status = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/status",
                        {**csr, "status": {**csr["status"], "certificate": issued_certificate()}})
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"] == (f'certificatesigningrequests.certificates.k8s.io "{chain.prefix}" is forbidden: '
                                 f'user not permitted to sign requests with signerName "{SIGNER}"')


@pytest.mark.parametrize("resource_name", [SIGNER, "example.com/*"])
def test_sign_on_the_signer_or_its_domain_wildcard_allows_issuing(chain, resource_name):
    csr = approved(chain)
    grant(chain, approval_rules(resource_name, verb="sign"))
    code, issued = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/status",
                        {**csr, "status": {**csr["status"], "certificate": issued_certificate()}})
    assert code == 200, issued
    assert issued["status"]["certificate"]


def test_a_status_update_that_changes_neither_certificate_nor_conditions_needs_no_sign(chain):
    """CertificateSigning looks only at status.certificate and status.conditions."""
    csr = created(chain)
    grant(chain, approval_rules("example.com/other", verb="sign"))
    code, updated = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/status",
                         {**csr, "metadata": {**csr["metadata"], "labels": {"seen": "yes"}}})
    assert code == 200, updated


def test_a_resent_approval_with_another_reason_needs_no_sign(chain):
    """csrStatusStrategy.PrepareForUpdate puts the stored Approved condition back before
    CertificateSigning compares the conditions: changing only its reason through /status changes
    nothing, so it needs no `sign` and the stored reason stays."""
    csr = approved(chain)
    grant(chain, approval_rules("example.com/other", verb="sign"))
    resent = {**APPROVED, "reason": "changed"}
    code, updated = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/status",
                         {**csr, "status": {**csr["status"], "conditions": [resent]}})
    assert code == 200, updated
    assert [c["reason"] for c in updated["status"]["conditions"]] == ["ok"]


def test_adding_a_failed_condition_needs_sign(chain):
    """Any change of the conditions through /status is the signer's: a Failed condition too."""
    csr = created(chain)
    grant(chain, approval_rules("example.com/other", verb="sign"))
    code, status = send(chain, chain.alice, "PUT", f"{CSRS}/{chain.prefix}/status",
                        {**csr, "status": {"conditions": [{"type": "Failed", "status": "True"}]}})
    assert (code, status["reason"]) == (403, "Forbidden")


# --- CertificateSubjectRestriction --------------------------------------------------------------

def test_a_kube_apiserver_client_csr_for_system_masters_is_refused_at_create(chain):
    """No one may ask the kube-apiserver-client signer for a system:masters certificate."""
    code, status = new_csr(chain, signer=CLIENT_SIGNER, request=csrs.request("eve", ("devs", "system:masters")))
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"] == (f'certificatesigningrequests.certificates.k8s.io "{chain.prefix}" is forbidden: '
                                 f'use of kubernetes.io/kube-apiserver-client signer with system:masters group '
                                 f'is not allowed')


def test_other_signers_and_groups_pass_the_subject_restriction(chain):
    assert new_csr(chain, signer=SIGNER, suffix="-a", request=csrs.request("eve", ("system:masters",)))[0] == 201
    assert new_csr(chain, signer=CLIENT_SIGNER, suffix="-b", request=csrs.request("eve", ("devs",)))[0] == 201


# --- PrepareForCreate ---------------------------------------------------------------------------

def test_the_requester_is_the_authenticated_user_and_status_starts_empty(chain):
    """csrStrategy.PrepareForCreate: username, uid, groups and extra come from the request's
    user, whatever the body says; users cannot create pre-approved requests."""
    grant(chain, [])
    code, csr = new_csr(chain, chain.alice, username="mallory", uid="42", groups=["system:masters"],
                        extra={"scopes": ["all"]})
    assert code == 201, csr
    spec = csr["spec"]
    assert (spec["username"], spec["groups"]) == (chain.alice[0], ["devs", "system:authenticated"])
    assert "uid" not in spec and "extra" not in spec
    assert csr["status"] == {}


def test_a_csr_created_by_server_side_apply_names_its_requester(chain):
    """An apply that creates the CSR runs BeforeCreate with the request's user, as a POST does."""
    grant(chain, [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"],
                   "verbs": ["patch"]}])
    body = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": chain.prefix},
            "spec": {"request": csrs.request(), "signerName": SIGNER, "usages": ["client auth"]}}
    response = chain.handle(Request("PATCH", f"{CSRS}/{chain.prefix}", {"fieldManager": ["me"]},
                                    {"Content-Type": "application/apply-patch+yaml"}, json.dumps(body).encode(),
                                    peer_certificate_der=client_certificate(chain.ca, *chain.alice)))
    csr = json.loads(response.body)
    assert response.code == 201, csr
    assert (csr["spec"]["username"], csr["spec"]["groups"]) == (chain.alice[0], ["devs", "system:authenticated"])


def test_a_status_sent_at_create_is_dropped(chain):
    code, csr = send(chain, ADMIN, "POST", CSRS, {
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": chain.prefix},
        "spec": {"request": csrs.request(), "signerName": SIGNER, "usages": ["client auth"]},
        "status": {"conditions": [APPROVED, DENIED], "certificate": issued_certificate()}})
    assert code == 201, csr
    assert csr["status"] == {} and csr["spec"]["username"] == "admin"


# --- ValidateCertificateSigningRequestCreate ----------------------------------------------------

def go_bytes(data: bytes) -> str:
    return "[]byte{" + ", ".join(f"{b:#x}" for b in data) + "}"


def bad_signature() -> bytes:
    der = bytearray(x509.load_pem_x509_csr(csrs.request_pem()).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0xFF  # the last byte of the ECDSA signature's s
    return x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)


NOT_A_REQUEST = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
BAD_SIGNATURE = bad_signature()


@pytest.mark.parametrize("spec,causes", [
    ({"request": base64.b64encode(NOT_A_REQUEST).decode()},
     [f"spec.request: Invalid value: {go_bytes(NOT_A_REQUEST)}: PEM block type must be CERTIFICATE REQUEST"]),
    ({"request": base64.b64encode(BAD_SIGNATURE).decode()},
     [f"spec.request: Invalid value: {go_bytes(BAD_SIGNATURE)}: x509: ECDSA verification failure"]),
    ({"signerName": ""}, ["spec.signerName: Required value: signerName must be provided"]),
    ({"signerName": "example"}, ['spec.signerName: Invalid value: "example": must be a fully qualified domain and '
                                 "path of the form 'example.com/signer-name'"]),
    ({"signerName": "example/signer"}, ['spec.signerName: Invalid value: "example": should be a domain with at '
                                        'least two segments separated by dots']),
    ({"signerName": "Example.com/signer"},
     ['spec.signerName: Invalid value: "Example.com": validating label "Example": a lowercase RFC 1123 label must '
      "consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
      "character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
    ({"signerName": "example.com/a_b"},
     ['spec.signerName: Invalid value: "a_b": validating label "a_b": a lowercase RFC 1123 subdomain must consist '
      "of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
      "(e.g. 'example.com', regex used for validation is "
      r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
    ({"signerName": "kubernetes.io/legacy-unknown"},
     ['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via '
      'this API version']),
    ({"usages": []}, ["spec.usages: Required value: usages must be provided"]),
    ({"usages": ["client auth", "flying", "client auth"]},
     ['spec.usages[1]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth", '
      '"code signing", "content commitment", "crl sign", "data encipherment", "decipher only", '
      '"digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", '
      '"ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", '
      '"s/mime", "server auth", "signing", "timestamping"',
      'spec.usages[2]: Duplicate value: "client auth"']),
    ({"expirationSeconds": 599},
     ["spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)"]),
], ids=["not-a-csr", "bad-signature", "no-signer", "no-path", "one-label-domain", "upper-case-domain",
        "bad-path", "legacy-signer", "no-usages", "unknown-and-duplicate-usages", "short-expiration"])
def test_the_spec_is_validated_at_create(chain, spec, causes):
    """spec.request is a PEM CERTIFICATE REQUEST whose signature verifies; signerName is a
    domain/path; usages are known, given and not repeated; expirationSeconds is at least 600."""
    code, status = new_csr(chain, **spec)
    assert (code, status["reason"]) == (422, "Invalid")
    assert [f'{c["field"]}: {c["message"]}' for c in status["details"]["causes"]] == causes


def test_an_update_ignores_the_spec_it_sends(chain):
    """csrStrategy.PrepareForUpdate keeps the stored spec before validation: a PUT whose spec would
    be invalid is a 200 that leaves the spec as it was."""
    csr = created(chain)
    code, updated = send(chain, ADMIN, "PUT", f"{CSRS}/{chain.prefix}",
                         {**csr, "spec": {**csr["spec"], "usages": ["flying"]}})
    assert code == 200, updated
    assert updated["spec"]["usages"] == ["client auth"]


def test_a_valid_spec_with_an_expiration_is_created(chain):
    csr = created(chain, expirationSeconds=600, usages=["digital signature", "key encipherment", "client auth"])
    assert csr["spec"]["expirationSeconds"] == 600
