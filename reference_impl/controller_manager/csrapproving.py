"""The CSR approving controller (pkg/controller/certificates/approver): a kubelet's client
certificate request (signer kubernetes.io/kube-apiserver-client-kubelet, subject O=system:nodes,
CN=system:node:<name>, no SANs, the three client usages) is approved when its requester may create
certificatesigningrequests/selfnodeclient (asking for its own name) or .../nodeclient (any node's),
as a SubjectAccessReview of the requester (the CSR's username, uid, groups and extra) says. This
is how TLS bootstrapping hands a new node its credentials: whoever holds the bootstrap token's
nodeclient grant gets a node's client certificate, so the check is a privilege check.

The core is `sync`: a CSR and a way to ask the SubjectAccessReview in, at most one approval update
out. The adapter asks the review of the apiserver (POST subjectaccessreviews).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from cryptography import x509

from reference_impl.controller_manager.queued import QuietRetry
from reference_impl.machinery.actions import Update
from reference_impl.machinery.csr import common_name, kubelet_client_problem, parse_spec_request
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"


class Recognizer(NamedTuple):
    subresource: str  # of certificatesigningrequests, the permission the requester needs
    self_only: bool  # the request names its requester
    message: str


# In upstream's order: a request for one's own name is tried as selfnodeclient first.
RECOGNIZERS = (Recognizer("selfnodeclient", True, "Auto approving self kubelet client certificate after SubjectAccessReview."),
               Recognizer("nodeclient", False, "Auto approving kubelet client certificate after SubjectAccessReview."))


@mirrors("k8s.io/kubernetes/pkg/apis/certificates.IsKubeletClientCSR")
def is_kubelet_client_request(request: x509.CertificateSigningRequest, usages: set[str]) -> bool:
    """O is exactly system:nodes, no DNS, email, IP or URI names, CN system:node:..., and the
    usages are exactly digital signature, key encipherment and client auth."""
    return kubelet_client_problem(request, usages) is None


@mirrors("k8s.io/kubernetes/pkg/controller/certificates/approver.isNodeClientCert",
         "k8s.io/kubernetes/pkg/controller/certificates/approver.isSelfNodeClientCert")
def recognized(csr: dict, request: x509.CertificateSigningRequest) -> list[Recognizer]:
    """The recognizers the request matches, in the order they are tried."""
    spec = csr.get("spec") or {}
    if spec.get("signerName") != KUBELET_CLIENT_SIGNER or not is_kubelet_client_request(request, set(spec.get("usages") or [])):
        return []
    own = spec.get("username", "") == common_name(request)
    return [recognizer for recognizer in RECOGNIZERS if own or not recognizer.self_only]


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/approver.sarApprover).authorize")
def review_spec(csr: dict, subresource: str) -> dict:
    """The SubjectAccessReview spec asking whether the requester may create the subresource."""
    spec = csr.get("spec") or {}
    review = {"resourceAttributes": {"group": "certificates.k8s.io", "resource": "certificatesigningrequests",
                                     "verb": "create", "subresource": subresource}}
    for field in ("username", "uid", "groups", "extra"):
        if spec.get(field):
            review["user" if field == "username" else field] = spec[field]
    return review


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/approver.sarApprover).handle",
         "k8s.io/kubernetes/pkg/controller/certificates/approver.appendApprovalCondition")
def sync(csr: dict, allowed: Callable[[dict], bool]) -> list[Update]:
    """The approval of a pending kubelet client request whose requester the review allows
    (`allowed` takes a SubjectAccessReview spec); nothing for a request already issued, approved
    or denied, or one of another kind. A request that cannot be parsed raises ValueError, and one
    no review allows QuietRetry: both are synced again with backoff, as upstream's errors are,
    so that a grant made after the request still approves it within a second or so."""
    status = csr.get("status") or {}
    if status.get("certificate"):
        return []
    if any(c.get("type") in ("Approved", "Denied") for c in status.get("conditions") or []):
        return []
    request = parse_spec_request(csr)
    tried = recognized(csr, request)
    for recognizer in tried:
        if allowed(review_spec(csr, recognizer.subresource)):
            approved = {**csr, "status": {**status, "conditions": [*(status.get("conditions") or []), {
                "type": "Approved", "status": "True", "reason": "AutoApproved", "message": recognizer.message}]}}
            return [Update("certificatesigningrequests", None, approved, subresource="approval")]
    if tried:
        name = (csr.get("metadata") or {}).get("name", "")
        raise QuietRetry(f"recognized csr {quote(name)} as [{' '.join(r.subresource for r in tried)}] "
                         "but subject access review was not approved")
    return []
