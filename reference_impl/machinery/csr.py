"""A CertificateSigningRequest's spec.request as the apiserver's validation and the certificate
controllers (approver, signer) read it: base64 in JSON, then the first PEM block as Go's
encoding/pem finds it, which must be a PKCS#10 CERTIFICATE REQUEST; and the checks
(pkg/apis/certificates' helpers) that say whether a request is a kubelet's client or serving
certificate request, which the approver and the signer both make."""
from __future__ import annotations

import base64
import binascii
import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

# A PEM block as encoding/pem.Decode finds it: the type line, the body, the matching END line.
PEM_BLOCK = re.compile(r"^-----BEGIN ([^\n]*)-----[ \t\r]*\n(.*?)^-----END \1-----", re.M | re.S)


def request_bytes(csr: dict) -> bytes:
    """spec.request as the bytes it encodes (base64 in JSON)."""
    value = (csr.get("spec") or {}).get("request") or ""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode("utf-8", "surrogateescape")


@mirrors("k8s.io/kubernetes/pkg/apis/certificates.ParseCSR")
def parse_csr(pem: bytes) -> x509.CertificateSigningRequest:
    """The first PEM block of `pem` as a PKCS#10 request; ValueError with Go's text when it is none."""
    block = PEM_BLOCK.search(pem.decode("latin-1"))
    try:
        der = base64.b64decode("".join(block.group(2).split()), validate=True) if block else b""
    except binascii.Error:
        der = b""  # pem.Decode passes over a block whose body is no base64
    if not der or block.group(1) != "CERTIFICATE REQUEST":
        raise ValueError("PEM block type must be CERTIFICATE REQUEST")
    try:
        return x509.load_der_x509_csr(der)
    except ValueError:  # Go's asn1 errors name the tag that did not match; cryptography's do not
        raise ValueError("x509: malformed certificate request") from None


class CSRParseError(ValueError):
    """A CSR object whose spec.request does not parse: the error the certificate controllers'
    syncs return for it (and retry), naming the CSR."""


def parse_spec_request(csr: dict) -> x509.CertificateSigningRequest:
    """The request of a CSR object, as the certificate controllers parse it; CSRParseError naming
    the CSR when it is none (the apiserver refuses such a request, so only a stale object has it)."""
    try:
        return parse_csr(request_bytes(csr))
    except ValueError as err:
        name = (csr.get("metadata") or {}).get("name", "")
        raise CSRParseError(f"unable to parse csr {quote(name)}: {err}") from None


def common_name(request: x509.CertificateSigningRequest) -> str:
    """The subject's CN as Go's pkix.Name reads it: the last CN attribute."""
    values = [attribute.value for attribute in request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return values[-1] if values else ""


def _organizations(request: x509.CertificateSigningRequest) -> list[str]:
    return [attribute.value for attribute in request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]


def alternative_names(request: x509.CertificateSigningRequest) -> dict[str, list]:
    """The request's DNS, email, IP and URI alternative names, as Go's x509.CertificateRequest
    fields hold them (other kinds of name are in none of them)."""
    try:
        names = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {"DNS": [], "Email": [], "IP": [], "URI": []}
    return {label: names.get_values_for_type(kind) for label, kind in (
        ("DNS", x509.DNSName), ("Email", x509.RFC822Name), ("IP", x509.IPAddress),
        ("URI", x509.UniformResourceIdentifier))}


def _usages_problem(required: frozenset[str], usages: set[str]) -> str | None:
    # sets.String.List() is sorted; fmt's %v prints a slice as [a b c].
    return None if set(usages) == required else f"usages did not match [{' '.join(sorted(required))}]"


KUBELET_CLIENT_USAGES = frozenset({"digital signature", "key encipherment", "client auth"})
KUBELET_SERVING_USAGES = frozenset({"digital signature", "key encipherment", "server auth"})
ORGANIZATION_NOT_SYSTEM_NODES = "subject organization is not system:nodes"
COMMON_NAME_NOT_SYSTEM_NODE = "subject common name does not begin with system:node:"


@mirrors("k8s.io/kubernetes/pkg/apis/certificates.ValidateKubeletClientCSR")
def kubelet_client_problem(request: x509.CertificateSigningRequest, usages: set[str]) -> str | None:
    """Why a kubelet's client certificate request is not one (upstream's error text), in
    upstream's order of checks; None when it is: O exactly system:nodes, no DNS, email, IP or URI
    names, CN system:node:..., and exactly the three client usages."""
    if _organizations(request) != ["system:nodes"]:
        return ORGANIZATION_NOT_SYSTEM_NODES
    names = alternative_names(request)
    for label in ("DNS", "Email", "IP", "URI"):
        if names[label]:
            return f"{label} subjectAltNames are not allowed"
    if not common_name(request).startswith("system:node:"):
        return COMMON_NAME_NOT_SYSTEM_NODE
    return _usages_problem(KUBELET_CLIENT_USAGES, usages)


@mirrors("k8s.io/kubernetes/pkg/apis/certificates.ValidateKubeletServingCSR")
def kubelet_serving_problem(request: x509.CertificateSigningRequest, usages: set[str]) -> str | None:
    """Why a kubelet's serving certificate request is not one, in upstream's order of checks;
    None when it is: O exactly system:nodes, at least one DNS or IP name, no email or URI names,
    exactly the three server usages, CN system:node:...."""
    if _organizations(request) != ["system:nodes"]:
        return ORGANIZATION_NOT_SYSTEM_NODES
    names = alternative_names(request)
    if not names["DNS"] and not names["IP"]:
        return "DNS or IP subjectAltName is required"
    for label in ("Email", "URI"):
        if names[label]:
            return f"{label} subjectAltNames are not allowed"
    problem = _usages_problem(KUBELET_SERVING_USAGES, usages)
    if problem is not None:
        return problem
    if not common_name(request).startswith("system:node:"):
        return COMMON_NAME_NOT_SYSTEM_NODE
    return None
