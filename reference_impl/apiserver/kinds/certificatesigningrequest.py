"""The CertificateSigningRequest kind (certificates.k8s.io/v1): its resource facts, its status and
approval strategies with their validation, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource
from reference_impl.apiserver.core.schemas import (CERTIFICATES, META, arr, integer, kind, list_kind, obj, ref,
                                                   string, strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, human_duration, name_cell, part
from reference_impl.machinery.csr import PEM_BLOCK, parse_csr, request_bytes
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import DNS_SUBDOMAIN
from reference_impl.mirrors import mirrors

APPROVED, DENIED, FAILED = "Approved", "Denied", "Failed"
KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown"  # v1beta1's default, refused by v1
KNOWN_USAGES = ("any", "cert sign", "client auth", "code signing", "content commitment", "crl sign",
                "data encipherment", "decipher only", "digital signature", "email protection", "encipher only",
                "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment",
                "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing",
                "timestamping")  # allValidUsages, sorted as its List() gives them
MIN_EXPIRATION_SECONDS = 600
# A signer name is <fqdn>/<path>, the path long enough for <namespace>.<name>.
MAX_DOMAIN_LENGTH = 253
MAX_SIGNER_NAME_LENGTH = MAX_DOMAIN_LENGTH + (253 + 63 + 1) + 1
# Condition types that may only be True when present (trueConditionTypes).
TRUE_ONLY_TYPES = (APPROVED, DENIED, FAILED)


def _conditions(csr: dict) -> list[dict]:
    conditions = (csr.get("status") or {}).get("conditions")
    return [c if isinstance(c, dict) else {} for c in conditions] if isinstance(conditions, list) else []


def _of_type(csr: dict, condition_type: str) -> list[dict]:
    """findConditions: every condition of `condition_type`, in order."""
    return [c for c in _conditions(csr) if c.get("type") == condition_type]


def _certificate(csr: dict) -> bytes:
    """status.certificate as the bytes it encodes (base64 in JSON)."""
    value = (csr.get("status") or {}).get("certificate") or ""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        # the schema leaves status opaque, so no decoder refused it earlier
        return value.encode("utf-8", "surrogateescape")


def _go_bytes(data: bytes | None) -> str:
    """A []byte as Go's %#v prints it, which is how field.Invalid shows spec.request."""
    if data is None:
        return "[]byte(nil)"
    return "[]byte{" + ", ".join(f"{b:#x}" for b in data) + "}"


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.validateCSR")
def request_problem(pem: bytes) -> str | None:
    """Why spec.request is not a PKCS#10 request signed by its own key; None when it is."""
    try:
        request = parse_csr(pem)
    except ValueError as err:
        return str(err)
    if request.is_signature_valid:
        return None
    key = request.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "crypto/rsa: verification error"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "x509: Ed25519 verification failure"
    return "x509: ECDSA verification failure"


def _segment_problems(path: str, segment: str, labels: list[str], rule: str) -> list[str]:
    """IsDNS1123Label or IsDNS1123Subdomain of each label until one fails, shown with `segment`."""
    pattern, message, limit = {"label": (v.LABEL, v.LABEL_MSG, 63),
                               "subdomain": (DNS_SUBDOMAIN, v.SUBDOMAIN_MSG, 253)}[rule]
    for label in labels:
        errors = ([f"must be no more than {limit} characters"] if len(label) > limit else []) + \
                 ([] if pattern.match(label) else [message])
        if errors:  # the first bad label is enough: the next ones' errors would read the same
            return [v.invalid(path, segment, f"validating label {quote(label)}: {error}") for error in errors]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.ValidateCertificateSigningRequestSignerName")
def signer_name_problems(signer_name: str, path: str = "spec.signerName") -> list[str]:
    """A signer name is `<domain>/<path>`: a domain of at least two DNS labels, a path of DNS
    subdomains separated by dots."""
    if not signer_name:
        return [v.required(path, "signerName must be provided")]
    segments = signer_name.split("/")
    if len(segments) != 2:
        return [v.invalid(path, signer_name,
                          "must be a fully qualified domain and path of the form 'example.com/signer-name'")]
    domain, signer_path = segments
    problems = []
    if len(domain) > MAX_DOMAIN_LENGTH:
        problems.append(f"{path}: Too long: must have at most {MAX_DOMAIN_LENGTH} bytes")
    labels = domain.split(".")
    problems += _segment_problems(path, domain, labels, "label")
    if len(labels) < 2:
        problems.append(v.invalid(path, domain, "should be a domain with at least two segments separated by dots"))
    problems += _segment_problems(path, signer_path, signer_path.split("."), "subdomain")
    if len(signer_name) > MAX_SIGNER_NAME_LENGTH:
        problems.append(f"{path}: Too long: must have at most {MAX_SIGNER_NAME_LENGTH} bytes")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.ValidateCertificateSigningRequestCreate",
         "k8s.io/kubernetes/pkg/apis/certificates/validation.validateCertificateSigningRequest")
def spec_problems(csr: dict) -> list[str]:
    """The spec's rules: a request signed by its key, usages known, given and not repeated, a
    well-formed signer name, an expiration of at least ten minutes. (An update keeps the stored
    spec, so on updates these find only what was stored before they were checked; the status
    rules are update_problems'.)"""
    spec = csr.get("spec") or {}
    problems = []
    problem = request_problem(request_bytes(csr))
    if problem:
        shown = _go_bytes(request_bytes(csr) if spec.get("request") is not None else None)
        problems.append(f"spec.request: Invalid value: {shown}: {problem}")
    usages = spec.get("usages") or []
    if not usages:
        problems.append(v.required("spec.usages", "usages must be provided"))
    problems += [v.unsupported(f"spec.usages[{i}]", usage, KNOWN_USAGES)
                 for i, usage in enumerate(usages) if usage not in KNOWN_USAGES]
    problems += [v.duplicate(f"spec.usages[{i}]", usage) for i, usage in enumerate(usages) if usage in usages[:i]]
    signer_name = spec.get("signerName") or ""
    if signer_name == LEGACY_UNKNOWN_SIGNER:
        problems.append(v.invalid("spec.signerName", signer_name,
                                  "the legacy signerName is not allowed via this API version"))
    else:
        problems += signer_name_problems(signer_name)
    seconds = spec.get("expirationSeconds")
    if seconds is not None and seconds < MIN_EXPIRATION_SECONDS:
        problems.append(v.invalid("spec.expirationSeconds", seconds,
                                  "may not specify a duration less than 600 seconds (10 minutes)"))
    return problems


@mirrors("(k8s.io/kubernetes/pkg/registry/certificates/certificates.csrStrategy).PrepareForCreate")
def prepare_for_create(csr: dict, user: object) -> None:
    """The requester is the user who creates the CSR, whatever the body says. (The status is
    emptied with every kind's, by the registry's INITIAL_STATUS.)"""
    spec = csr.setdefault("spec", {})
    for key in ("username", "uid", "groups", "extra"):
        spec.pop(key, None)
    if user is not None:
        requester = {"username": user.name, "uid": user.uid, "groups": list(user.groups),
                     "extra": {key: list(values) for key, values in user.extra.items()}}
        spec.update({key: value for key, value in requester.items() if value})  # all omitempty


@mirrors("(k8s.io/kubernetes/pkg/registry/certificates/certificates.csrStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """A CSR's spec is immutable after creation (its status is kept by status_reset_on_update)."""
    new["spec"] = old.get("spec")


@mirrors("(k8s.io/kubernetes/pkg/registry/certificates/certificates.csrStatusStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/registry/certificates/certificates.preserveConditionInstances")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """Put the stored Approved and Denied conditions back in place of the ones sent, when the update
    keeps their number (adding or removing them is then a validation error)."""
    for condition_type in (APPROVED, DENIED):
        old_conditions = _of_type(old, condition_type)
        indices = [i for i, c in enumerate(_conditions(new)) if c.get("type") == condition_type]
        if len(indices) == len(old_conditions):
            for index, condition in zip(indices, old_conditions):
                new["status"]["conditions"][index] = condition


@mirrors("(k8s.io/kubernetes/pkg/registry/certificates/certificates.csrApprovalStrategy).PrepareForUpdate")
def prepare_for_approval_update(new: dict, old: dict) -> None:
    """An approval changes only the conditions: the stored spec and the rest of the stored status
    (the certificate) stay."""
    conditions = (new.get("status") or {}).get("conditions")
    new["spec"] = old.get("spec")
    new["status"] = {key: value for key, value in (old.get("status") or {}).items() if key != "conditions"}
    if conditions is not None:
        new["status"]["conditions"] = conditions


@mirrors("k8s.io/kubernetes/pkg/registry/certificates/certificates.populateConditionTimestamps")
def populate_condition_timestamps(new: dict, old: dict, now: str) -> None:
    """A condition sent without lastUpdateTime gets `now`; one without lastTransitionTime gets the
    stored transition time of a condition of the same type and status, else `now`. (Both status
    and approval strategies do this, so an approval answers with the times it was given.)"""
    for condition in _conditions(new):
        if not condition.get("lastUpdateTime"):
            condition["lastUpdateTime"] = now
        if not condition.get("lastTransitionTime"):
            condition["lastTransitionTime"] = next(
                (c["lastTransitionTime"] for c in _conditions(old)
                 if (c.get("type"), c.get("status")) == (condition.get("type"), condition.get("status"))
                 and c.get("lastTransitionTime")), now)


@dataclass(frozen=True)
class ValidationOptions:
    """certificateValidationOptions: what an update path may change, and the bad data an update
    tolerates when the stored object already holds it. (The spec's options are not here: the
    spec cannot change after creation.)"""
    allow_setting_approval_conditions: bool = False
    allow_setting_certificate: bool = False
    allow_both_approved_and_denied: bool = False
    allow_duplicate_condition_types: bool = False
    allow_empty_condition_type: bool = False
    allow_arbitrary_certificate: bool = False


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.getValidationOptions")
def validation_options(new: dict, old: dict) -> ValidationOptions:
    old_types = [c.get("type") for c in _conditions(old)]
    return ValidationOptions(
        allow_both_approved_and_denied=APPROVED in old_types and DENIED in old_types,
        allow_duplicate_condition_types=len(set(old_types)) < len(old_types),
        allow_empty_condition_type=any(not t for t in old_types),
        allow_arbitrary_certificate=(_certificate(new) == _certificate(old)
                                     or certificate_problem(_certificate(old)) is not None))


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.validateCertificate")
def certificate_problem(pem: bytes) -> str | None:
    """Why status.certificate is not one or more PEM CERTIFICATE blocks, without headers, each
    holding DER certificates; None when it is, or is empty."""
    if not pem:
        return None
    blocks = PEM_BLOCK.findall(pem.decode("latin-1"))
    if not blocks:
        return "must contain at least one CERTIFICATE PEM block"
    for block_type, body in blocks:
        if block_type != "CERTIFICATE":
            return f"only CERTIFICATE PEM blocks are allowed, found {quote(block_type)}"
        lines = body.splitlines()
        if lines and ":" in lines[0]:
            return "no PEM block headers are permitted"
        der = base64.b64decode("".join(body.split()))
        if not der:
            return "found CERTIFICATE PEM block containing 0 certificates"
        try:
            x509.load_der_x509_certificate(der)
        except ValueError:  # Go's parser fails its first check on bytes that are no certificate
            return "x509: malformed certificate"
    return None


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.validateConditions")
def condition_problems(csr: dict, opts: ValidationOptions, path: str = "status.conditions") -> list[str]:
    """Every condition typed, with a known status (True only, for Approved, Denied and Failed);
    not both Approved and Denied; no type twice."""
    problems, seen, has_approved, has_denied = [], set(), False, False
    for index, condition in enumerate(_conditions(csr)):
        here, condition_type, status = f"{path}[{index}]", condition.get("type") or "", condition.get("status") or ""
        if not opts.allow_empty_condition_type and not condition_type:
            problems.append(v.required(f"{here}.type"))
        allowed = ("True",) if condition_type in TRUE_ONLY_TYPES else ("False", "True", "Unknown")
        if not status:
            problems.append(v.required(f"{here}.status"))
        elif status not in allowed:
            problems.append(v.unsupported(f"{here}.status", status, allowed))
        if not opts.allow_both_approved_and_denied:
            has_approved = has_approved or condition_type == APPROVED
            has_denied = has_denied or condition_type == DENIED
            if condition_type in (APPROVED, DENIED) and has_approved and has_denied:
                problems.append(v.invalid(f"{here}.type", condition_type,
                                          "Approved and Denied conditions are mutually exclusive"))
        if not opts.allow_duplicate_condition_types:
            if condition_type in seen:
                problems.append(v.duplicate(f"{here}.type", condition_type))
            seen.add(condition_type)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.validateCertificateSigningRequestUpdate")
def update_problems(new: dict, old: dict, opts: ValidationOptions) -> list[str]:
    """The status rules of validateCertificateSigningRequest, then what an update may not do:
    remove an Approved, Denied or Failed condition; add one of the first two but through
    /approval; set the certificate but through /status, or change it once set."""
    problems = condition_problems(new, opts)
    if not opts.allow_arbitrary_certificate:
        problem = certificate_problem(_certificate(new))
        if problem:
            problems.append(v.invalid("status.certificate", "<certificate data>", problem))
    for condition_type in (APPROVED, DENIED, FAILED):
        if len(_of_type(new, condition_type)) < len(_of_type(old, condition_type)):
            problems.append(f'status.conditions: Forbidden: updates may not remove a condition of type '
                            f'{quote(condition_type)}')
    if not opts.allow_setting_approval_conditions:
        # Upstream also forbids modifying them, which no request can reach: every strategy but
        # /approval's puts the stored Approved and Denied conditions back before validation.
        for condition_type in (APPROVED, DENIED):
            if len(_of_type(new, condition_type)) > len(_of_type(old, condition_type)):
                problems.append(f'status.conditions: Forbidden: updates may not add a condition of type '
                                f'{quote(condition_type)}')
    if _certificate(new) != _certificate(old):
        if not opts.allow_setting_certificate:
            problems.append("status.certificate: Forbidden: updates may not set certificate content")
        elif _certificate(old):
            problems.append("status.certificate: Forbidden: updates may not modify existing certificate content")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.ValidateCertificateSigningRequestUpdate")
def validate_update(old: dict, new: dict) -> list[str]:
    return update_problems(new, old, validation_options(new, old))


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.ValidateCertificateSigningRequestStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    return update_problems(new, old, replace(validation_options(new, old), allow_setting_certificate=True))


@mirrors("k8s.io/kubernetes/pkg/apis/certificates/validation.ValidateCertificateSigningRequestApprovalUpdate")
def validate_approval_update(old: dict, new: dict) -> list[str]:
    return update_problems(new, old, replace(validation_options(new, old), allow_setting_approval_conditions=True))


# GetResetFields of the three strategies: nobody owns a CSR's spec (fixed at creation), and its
# conditions and certificate only through /approval and /status respectively. A create or an update
# of the main resource that sets no metadata field is therefore recorded in no managedFields entry.
RESET_FIELDS = {"": (("spec",), ("status",)),
                "status": (("spec",), ("status", "conditions")),
                "approval": (("spec",), ("status", "certificate"))}

RESOURCES = (
    Resource("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
             "certificatesigningrequest", False, ("csr",), subresources=("status", "approval"),
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.signerName"),
             field_label_conversion=FieldLabelConversion(("metadata.name", "spec.signerName")),
             validator=spec_problems, update_validator=validate_update, prepare_for_create=prepare_for_create,
             prepare_for_update=prepare_for_update,
             prepare_for_status_update=prepare_for_status_update, validate_status_update=validate_status_update,
             prepare_for_approval_update=prepare_for_approval_update,
             validate_approval_update=validate_approval_update, stamp_conditions=populate_condition_timestamps,
             reset_fields=RESET_FIELDS,
             zero_value={"spec": {"request": None, "signerName": ""}, "status": {}}),
)


def _bytes(description: str) -> dict:
    """A `[]byte` field: base64 text on the wire, an atomic list to openapi-gen."""
    return {**string(description, "byte"), "x-kubernetes-list-type": "atomic"}


DEFINITIONS = {
    CERTIFICATES + "CertificateSigningRequest": kind(
        "certificates.k8s.io", "v1", "CertificateSigningRequest", "A request for a signed certificate.",
        ("spec",),
        spec=ref(CERTIFICATES + "CertificateSigningRequestSpec", "The request."),
        status=ref(CERTIFICATES + "CertificateSigningRequestStatus",
                   "Conditions (Approved, Denied, Failed) and the issued certificate.")),
    CERTIFICATES + "CertificateSigningRequestStatus": obj(
        "What became of the request.",
        certificate=_bytes("The issued certificate chain, PEM-encoded."),
        conditions=arr(ref(CERTIFICATES + "CertificateSigningRequestCondition"),
                       "Approved, Denied and Failed, each at most once.", map_keys=("type",))),
    CERTIFICATES + "CertificateSigningRequestCondition": obj(
        "One condition of a request.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed."),
        lastUpdateTime=ref(META + "Time", "When the condition was last updated."),
        message=string("Human-readable details."),
        reason=string("Why, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("Approved, Denied or Failed.")),
    CERTIFICATES + "CertificateSigningRequestSpec": obj(
        "What is asked to be signed, and by whom.", ("request", "signerName"),
        expirationSeconds=integer("The validity asked for."),
        extra={"type": "object", "additionalProperties": strings(""),
               "description": "Extra attributes of the requesting user."},
        groups=arr(string(""), "Groups of the requesting user.", list_type="atomic"),
        request=_bytes("The PEM-encoded PKCS#10 request."),
        signerName=string("The signer asked to sign."),
        uid=string("UID of the requesting user."),
        usages=arr(string(""), "Key usages asked for.", list_type="atomic"),
        username=string("The requesting user.")),
    CERTIFICATES + "CertificateSigningRequestList": list_kind("certificates.k8s.io", "v1",
                                                              CERTIFICATES + "CertificateSigningRequest"),
}


GO_TYPES = {
    CERTIFICATES + "CertificateSigningRequestCondition": {"status": "v1.ConditionStatus",
                                                          "type": "v1.RequestConditionType"},
    CERTIFICATES + "CertificateSigningRequestSpec": {"extra": "map[string]v1.ExtraValue", "usages": "[]v1.KeyUsage"},
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
certificates.CertificateSigningRequest: 1 metadata! meta.ObjectMeta;
    2 spec! certificates.CertificateSigningRequestSpec; 3 status! certificates.CertificateSigningRequestStatus
certificates.CertificateSigningRequestCondition: 1 type! string; 6 status! string; 2 reason? string; 3 message? string;
    4 lastUpdateTime! meta.Time; 5 lastTransitionTime! meta.Time
certificates.CertificateSigningRequestList: 1 metadata! meta.ListMeta;
    2 items* []certificates.CertificateSigningRequest
certificates.CertificateSigningRequestSpec: 1 request* bytes; 7 signerName! string; 8 expirationSeconds int32;
    5 usages? []string; 2 username? string; 3 uid? string; 4 groups? []string; 6 extra? {}certificates.ExtraValue
certificates.CertificateSigningRequestStatus: 1 conditions? []certificates.CertificateSigningRequestCondition;
    2 certificate? bytes
certificates.ExtraValue: = []string
"""
