"""A CertificateSigningRequest's spec.request as the apiserver's validation and the certificate
controllers (approver, signer) read it: base64 in JSON, then the first PEM block as Go's
encoding/pem finds it, which must be a PKCS#10 CERTIFICATE REQUEST."""
from __future__ import annotations

import base64
import binascii
import re

from cryptography import x509

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
        return value.encode()


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


def parse_spec_request(csr: dict) -> x509.CertificateSigningRequest:
    """The request of a CSR object, as the certificate controllers parse it; ValueError naming
    the CSR when it is none (the apiserver refuses such a request, so only a stale object has it)."""
    try:
        return parse_csr(request_bytes(csr))
    except ValueError as err:
        name = (csr.get("metadata") or {}).get("name", "")
        raise ValueError(f"unable to parse csr {quote(name)}: {err}") from None
