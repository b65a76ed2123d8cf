"""Real PKCS#10 certificate requests for the CertificateSigningRequest tests, made with
`cryptography` as `openssl req` or client-go's cert.MakeCSR would make them."""
from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

KEY = ec.generate_private_key(ec.SECP256R1())


def request_pem(common_name: str = "someone", organizations: tuple[str, ...] = ()) -> bytes:
    """A PEM CERTIFICATE REQUEST for CN=common_name, one O per organization, signed by KEY."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         *(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations)])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(KEY, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM)


def request(common_name: str = "someone", organizations: tuple[str, ...] = ()) -> str:
    """spec.request as JSON carries it: the PEM, base64-encoded."""
    return base64.b64encode(request_pem(common_name, organizations)).decode()
