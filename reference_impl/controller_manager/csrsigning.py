"""The CSR signing controller (pkg/controller/certificates/signer): an approved
CertificateSigningRequest for one of the kubernetes.io signers gets a certificate from the
cluster's CA (`--cluster-signing-cert-file`, `--cluster-signing-key-file`), written to its
status, which `kubectl get csr` then shows as `Approved,Issued`.

A request whose usages its signer does not allow gets a Failed condition instead. The kubelet
signers (`kube-apiserver-client-kubelet`, `kubelet-serving`) are not served: their requests, which
upstream checks against the node's name and addresses, stay unsigned (csrapproving may approve
a kubelet client request; no certificate follows). The core is
`sync`: a CSR and the CA in, at most one status update out; the certificate is made here with the
`cryptography` package, as upstream's LocalSigner makes it with crypto/x509.
"""
from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from reference_impl.machinery.actions import Update
from reference_impl.machinery.csr import parse_spec_request
from reference_impl.mirrors import mirrors

KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"

CLIENT_USAGES = frozenset({"digital signature", "key encipherment", "client auth"})
DEFAULT_DURATION = datetime.timedelta(hours=8760)  # --cluster-signing-duration's default
BACKDATE = datetime.timedelta(minutes=5)  # covers clocks a little behind the controller's
MIN_EXPIRATION_SECONDS = 600

_EXTENDED = {"client auth": ExtendedKeyUsageOID.CLIENT_AUTH, "server auth": ExtendedKeyUsageOID.SERVER_AUTH,
             "code signing": ExtendedKeyUsageOID.CODE_SIGNING, "email protection": ExtendedKeyUsageOID.EMAIL_PROTECTION}


class SigningCAError(Exception):
    """--cluster-signing-cert-file or --cluster-signing-key-file cannot be read as a CA."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"error reading CA cert file {path}: {problem}")


@dataclass(frozen=True)
class SigningCA:
    certificate: x509.Certificate
    private_key: object

    @classmethod
    def load(cls, cert_file: Path, key_file: Path) -> "SigningCA":
        try:
            certificate = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
        except (OSError, ValueError) as err:
            raise SigningCAError(cert_file, getattr(err, "strerror", None) or str(err)) from None
        try:
            key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as err:
            raise SigningCAError(key_file, getattr(err, "strerror", None) or str(err)) from None
        return cls(certificate, key)


@mirrors("k8s.io/kubernetes/pkg/controller/certificates/signer.isKubeAPIServerClient",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.validAPIServerClientUsages",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.isLegacyUnknown")
def usage_problem(signer_name: str, usages: list[str]) -> str | None:
    """Why the signer refuses these usages; None when it takes them (legacy-unknown takes any)."""
    if signer_name != KUBE_APISERVER_CLIENT:
        return None
    for usage in usages:
        if usage not in CLIENT_USAGES:
            return f"invalid usage for client certificate: {usage}"
    if "client auth" not in usages:
        return "missing required usage for client certificate: client auth"
    return None


def _condition(csr: dict, condition_type: str) -> bool:
    return any(c.get("type") == condition_type and c.get("status", "True") == "True"
               for c in (csr.get("status") or {}).get("conditions") or [])


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/signer.signer).handle")
def sync(csr: dict, ca: SigningCA, now: datetime.datetime) -> list[Update]:
    """The status update that issues (or fails) an approved, unsigned request of a known signer."""
    spec, status = csr.get("spec") or {}, csr.get("status") or {}
    if not _condition(csr, "Approved") or _condition(csr, "Failed") or status.get("certificate"):
        return []
    signer = spec.get("signerName", "")
    if signer not in (KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN):
        return []
    request = parse_spec_request(csr)
    updated = {**csr, "status": dict(status)}
    problem = usage_problem(signer, spec.get("usages") or [])
    if problem is not None:
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        updated["status"]["conditions"] = [*(status.get("conditions") or []), {
            "type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": problem,
            "lastUpdateTime": stamp, "lastTransitionTime": stamp}]
    else:
        pem = sign(request, spec.get("usages") or [], spec.get("expirationSeconds"), ca, now)
        updated["status"]["certificate"] = base64.b64encode(pem).decode()
    return [Update("certificatesigningrequests", None, updated, subresource="status")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/authority.CertificateAuthority).Sign")
def sign(request: x509.CertificateSigningRequest, usages: list[str], expiration_seconds: int | None,
         ca: SigningCA, now: datetime.datetime) -> bytes:
    """The request's subject, key and names under the CA, backdated five minutes, valid for the
    requested seconds (at least ten minutes) or a year, and never past the CA itself."""
    duration = DEFAULT_DURATION
    if expiration_seconds is not None:
        duration = datetime.timedelta(seconds=max(int(expiration_seconds), MIN_EXPIRATION_SECONDS))
    not_after = min(now + duration, ca.certificate.not_valid_after_utc)
    builder = (x509.CertificateBuilder()
               .subject_name(request.subject).issuer_name(ca.certificate.subject)
               .public_key(request.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - BACKDATE).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_key_usage(usages), critical=True))
    extended = [_EXTENDED[u] for u in usages if u in _EXTENDED]
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
    try:
        names = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _key_usage(usages: list[str]) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature="digital signature" in usages,
                         key_encipherment="key encipherment" in usages, content_commitment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)
