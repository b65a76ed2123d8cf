"""The CertificateSigningRequest kind (certificates.k8s.io/v1): its resource facts, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import COMMON_FIELDS, Resource
from reference_impl.apiserver.core.schemas import (CERTIFICATES, integer, kind, list_kind, obj, opaque, ref,
                                                   string, strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, human_duration, name_cell, part
from reference_impl.mirrors import mirrors

RESOURCES = (
    Resource("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
             "certificatesigningrequest", False, ("csr",), subresources=("status", "approval"),
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.signerName")),
)


DEFINITIONS = {
    CERTIFICATES + "CertificateSigningRequest": kind(
        "certificates.k8s.io", "v1", "CertificateSigningRequest", "A request for a signed certificate.",
        ("spec",),
        spec=ref(CERTIFICATES + "CertificateSigningRequestSpec", "The request."),
        status=opaque("Conditions (Approved, Denied, Failed) and the issued certificate.")),
    CERTIFICATES + "CertificateSigningRequestSpec": obj(
        "What is asked to be signed, and by whom.", ("request", "signerName"),
        expirationSeconds=integer("The validity asked for."),
        extra=opaque("Extra attributes of the requesting user."),
        groups=strings("Groups of the requesting user."),
        request=string("The PEM-encoded PKCS#10 request.", "byte"),
        signerName=string("The signer asked to sign."),
        uid=string("UID of the requesting user."),
        usages=strings("Key usages asked for."),
        username=string("The requesting user.")),
    CERTIFICATES + "CertificateSigningRequestList": list_kind("certificates.k8s.io", "v1",
                                                              CERTIFICATES + "CertificateSigningRequest"),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.extractCSRStatus")
def _csr_condition(status: dict) -> str:
    types = {c.get("type") for c in status.get("conditions") or [] if isinstance(c, dict)}
    cell = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    return cell + (",Failed" if "Failed" in types else "") + (",Issued" if status.get("certificate") else "")


def _certificate_signing_request(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    seconds = spec.get("expirationSeconds")
    return [name_cell(obj), age_cell(obj, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            human_duration(seconds) if seconds is not None else "<none>", _csr_condition(part(obj, "status"))]


PRINTERS = {
    "CertificateSigningRequest": ([NAME, AGE, ("SignerName", "string", 0, "The signer asked to sign."),
                                   ("Requestor", "string", 0, "Who asked."),
                                   ("RequestedDuration", "string", 0, "Validity asked for."),
                                   ("Condition", "string", 0, "Approval and issue state.")],
                                  _certificate_signing_request),
}


MESSAGES = """
certificates.CertificateSigningRequest: 1 metadata meta.ObjectMeta;
    2 spec certificates.CertificateSigningRequestSpec; 3 status certificates.CertificateSigningRequestStatus
certificates.CertificateSigningRequestCondition: 1 type string; 2 reason? string; 3 message? string;
    4 lastUpdateTime meta.Time; 5 lastTransitionTime meta.Time; 6 status string
certificates.CertificateSigningRequestList: 1 metadata meta.ListMeta;
    2 items []certificates.CertificateSigningRequest
certificates.CertificateSigningRequestSpec: 1 request bytes; 2 username? string; 3 uid? string; 4 groups []string;
    5 usages []string; 6 extra {}certificates.ExtraValue; 7 signerName string; 8 expirationSeconds int32
certificates.CertificateSigningRequestStatus: 1 conditions []certificates.CertificateSigningRequestCondition;
    2 certificate? bytes
certificates.ExtraValue: = []string
"""
