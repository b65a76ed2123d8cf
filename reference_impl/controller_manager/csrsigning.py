"""The CSR signing controller (pkg/controller/certificates/signer): an approved
CertificateSigningRequest for one of the kubernetes.io signers gets a certificate from the
cluster's CA (`--cluster-signing-cert-file`, `--cluster-signing-key-file`), written to its
status, which `kubectl get csr` then shows as `Approved,Issued`.

Each of upstream's four signers signs with the CA of its own flags
(`--cluster-signing-kubelet-serving-cert-file` and so on) when any signer's are given, and then
only the signers given one run; else all four sign with the one cluster CA: `kube-apiserver-client`,
`kube-apiserver-client-kubelet` (a node's client certificate: O=system:nodes,
CN=system:node:NAME, no SANs, exactly the three client usages), `kubelet-serving` (the same
subject, DNS or IP names, exactly the three server usages) and `legacy-unknown` (anything). A
request its signer's checks refuse gets a Failed condition instead. A certificate lives
`--cluster-signing-duration` (a year by default), or `spec.expirationSeconds` when that is
shorter, but never less than ten minutes. The core is `sync`: a CSR and the CA in, at most one
status update out; the certificate is made here with the `cryptography` package, as upstream's
LocalSigner makes it with crypto/x509.
"""
from __future__ import annotations

import base64
import datetime
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from reference_impl.controller_manager.queued import SyncError
from reference_impl.machinery.actions import Update
from reference_impl.machinery.csr import kubelet_client_problem, kubelet_serving_problem, parse_spec_request
from reference_impl.mirrors import mirrors

KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING = "kubernetes.io/kubelet-serving"
LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown"
SIGNERS = (KUBELET_SERVING, KUBE_APISERVER_CLIENT_KUBELET, KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN)
# Each signer's own --cluster-signing-<name>-{cert,key}-file flags.
SIGNER_FLAG_NAMES = {KUBELET_SERVING: "kubelet-serving", KUBE_APISERVER_CLIENT_KUBELET: "kubelet-client",
                     KUBE_APISERVER_CLIENT: "kube-apiserver-client", LEGACY_UNKNOWN: "legacy-unknown"}

CLIENT_USAGES = frozenset({"digital signature", "key encipherment", "client auth"})
DEFAULT_DURATION = datetime.timedelta(hours=8760)  # --cluster-signing-duration's default
BACKDATE = datetime.timedelta(minutes=5)  # covers clocks a little behind the controller's
# A certificate shorter-lived than this is not backdated at its end (5 minutes is ~1% of 8 hours).
SHORT = datetime.timedelta(hours=8)
MIN_DURATION = datetime.timedelta(minutes=10)  # twice the backdating

_KEY_USAGE_BITS = {"signing": "digital_signature", "digital signature": "digital_signature",
                   "content commitment": "content_commitment", "key encipherment": "key_encipherment",
                   "key agreement": "key_agreement", "data encipherment": "data_encipherment",
                   "cert sign": "key_cert_sign", "crl sign": "crl_sign", "encipher only": "encipher_only",
                   "decipher only": "decipher_only"}
# In the order of Go's x509.ExtKeyUsage constants, which is how upstream sorts them.
_EXTENDED = {"any": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE, "server auth": ExtendedKeyUsageOID.SERVER_AUTH,
             "client auth": ExtendedKeyUsageOID.CLIENT_AUTH, "code signing": ExtendedKeyUsageOID.CODE_SIGNING,
             "email protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
             "s/mime": ExtendedKeyUsageOID.EMAIL_PROTECTION,
             "ipsec end system": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.5"),
             "ipsec tunnel": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.6"),
             "ipsec user": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.7"),
             "timestamping": ExtendedKeyUsageOID.TIME_STAMPING, "ocsp signing": ExtendedKeyUsageOID.OCSP_SIGNING,
             "microsoft sgc": x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"),
             "netscape sgc": x509.ObjectIdentifier("2.16.840.1.113730.4.1")}


class SigningCAError(Exception):
    """--cluster-signing-cert-file or --cluster-signing-key-file cannot be read as a CA."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"error reading CA cert file {path}: {problem}")


class SignerFilesError(Exception):
    """The signing flags name no usable set of files: the cluster CA beside a signer's own, or a
    signer's certificate without its key (or the other way round)."""


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


@mirrors("k8s.io/kubernetes/pkg/controller/certificates/signer.validAPIServerClientUsages")
def client_usages_problem(usages: list[str]) -> str | None:
    """Why kube-apiserver-client refuses these usages: only the client usages, client auth among them."""
    for usage in usages:
        if usage not in CLIENT_USAGES:
            return f"invalid usage for client certificate: {usage}"
    if "client auth" not in usages:
        return "missing required usage for client certificate: client auth"
    return None


@mirrors("k8s.io/kubernetes/pkg/controller/certificates/signer.getCSRVerificationFuncForSignerName",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.isKubeletServing",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.isKubeletClient",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.isKubeAPIServerClient",
         "k8s.io/kubernetes/pkg/controller/certificates/signer.isLegacyUnknown")
def signer_problem(signer_name: str, request: x509.CertificateSigningRequest, usages: list[str]) -> str | None:
    """Why the signer refuses this request; None when it signs it (legacy-unknown signs anything)."""
    if signer_name == KUBELET_SERVING:
        return kubelet_serving_problem(request, set(usages))
    if signer_name == KUBE_APISERVER_CLIENT_KUBELET:
        return kubelet_client_problem(request, set(usages))
    if signer_name == KUBE_APISERVER_CLIENT:
        return client_usages_problem(usages)
    return None


Files = tuple  # (cert file, key file), each a path or "" when its flag is not given


# The name CSRSigningControllerOptions.Validate quotes for each signer's pair of flags (the kubelet
# client's and the apiserver client's as upstream words them, not as the flags are named).
_VALIDATION_NAMES = {KUBELET_SERVING: "cluster-signing-kubelet-serving",
                     KUBE_APISERVER_CLIENT_KUBELET: "cluster-signing-kube-apiserver-client",
                     KUBE_APISERVER_CLIENT: "cluster-signing-kube-apiserver",
                     LEGACY_UNKNOWN: "cluster-signing-legacy-unknown"}


@mirrors("(*k8s.io/kubernetes/cmd/kube-controller-manager/app/options.CSRSigningControllerOptions).Validate",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app/options.csrSigningFilesValid")
def flag_problems(cluster: Files, specific: dict[str, Files]) -> list[str]:
    """What the controller-manager's flag validation refuses of the signing files: a signer's
    certificate without its key or the other way round, and any cluster CA file beside any
    signer's own."""
    problems = []
    for signer in SIGNERS:
        cert_file, key_file = specific.get(signer, ("", ""))
        if bool(cert_file) != bool(key_file):
            problems.append(f'"{_VALIDATION_NAMES[signer]}": cannot specify {"cert without key" if cert_file else "key without cert"}')
    if any(cluster) and any(any(specific.get(signer, ("", ""))) for signer in SIGNERS):
        problems.append("cannot specify --cluster-signing-{cert,key}-file and other --cluster-signing-*-file flags at the same time")
    return problems


@mirrors("k8s.io/kubernetes/cmd/kube-controller-manager/app.startCSRSigningController",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app.anySpecificFilesSet",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app.getKubeletServingSignerFiles",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app.getKubeletClientSignerFiles",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app.getKubeAPIServerClientSignerFiles",
         "k8s.io/kubernetes/cmd/kube-controller-manager/app.getLegacyUnknownSignerFiles")
def signer_files(cluster: Files, specific: dict[str, Files]) -> dict[str, Files]:
    """The files each signer that runs signs with: `cluster` (both of --cluster-signing-cert-file
    and -key-file) for all four when no signer has a file of its own, else each signer naming one
    its own (the cluster CA given as well is an error); none when neither is given. A signer
    whose key or certificate is missing fails when its files are loaded."""
    any_specific = any(any(specific.get(signer, ("", ""))) for signer in SIGNERS)
    missing_cluster = not (cluster[0] and cluster[1])
    if missing_cluster and not any_specific:
        return {}
    if not missing_cluster and any_specific:
        raise SignerFilesError("cannot specify default and per controller certs at the same time")
    if not any_specific:
        return {signer: tuple(cluster) for signer in SIGNERS}
    return {signer: tuple(specific[signer]) for signer in SIGNERS if any(specific.get(signer, ("", "")))}


@mirrors("k8s.io/kubernetes/pkg/controller/certificates/signer.newSigner",
         "k8s.io/apiserver/pkg/server/dynamiccertificates.NewDynamicServingContentFromFiles")
def load_signers(files: dict[str, Files]) -> dict[str, SigningCA]:
    """Each signer's CA read from its files (a pair two signers share is read once)."""
    loaded: dict[Files, SigningCA] = {}
    for signer, (cert_file, key_file) in files.items():
        if not cert_file or not key_file:
            raise SignerFilesError(f"failed to start {signer} certificate controller: missing filename for serving cert")
        if (cert_file, key_file) not in loaded:
            loaded[(cert_file, key_file)] = SigningCA.load(Path(cert_file), Path(key_file))
    return {signer: loaded[tuple(pair)] for signer, pair in files.items()}


def _condition(csr: dict, condition_type: str) -> bool:
    return any(c.get("type") == condition_type and c.get("status", "True") == "True"
               for c in (csr.get("status") or {}).get("conditions") or [])


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/signer.signer).handle")
def sync(csr: dict, ca: SigningCA, now: datetime.datetime,
         cert_ttl: datetime.timedelta = DEFAULT_DURATION) -> list[Update]:
    """The status update that issues (or fails) an approved, unsigned request of a known signer;
    `cert_ttl` is --cluster-signing-duration."""
    spec, status = csr.get("spec") or {}, csr.get("status") or {}
    if not _condition(csr, "Approved") or _condition(csr, "Failed") or status.get("certificate"):
        return []
    signer = spec.get("signerName", "")
    if signer not in SIGNERS:
        return []
    request = parse_spec_request(csr)
    updated = {**csr, "status": dict(status)}
    problem = signer_problem(signer, request, spec.get("usages") or [])
    if problem is not None:
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        updated["status"]["conditions"] = [*(status.get("conditions") or []), {
            "type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": problem,
            "lastUpdateTime": stamp, "lastTransitionTime": stamp}]
    else:
        ttl = duration(cert_ttl, spec.get("expirationSeconds"))
        pem = sign(request, spec.get("usages") or [], ttl, ca, now)
        updated["status"]["certificate"] = base64.b64encode(pem).decode()
    return [Update("certificatesigningrequests", None, updated, subresource="status")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/signer.signer).duration")
def duration(cert_ttl: datetime.timedelta, expiration_seconds: int | None) -> datetime.timedelta:
    """--cluster-signing-duration, or spec.expirationSeconds when that is shorter, but no less than
    ten minutes."""
    if expiration_seconds is None:
        return cert_ttl
    requested = datetime.timedelta(seconds=int(expiration_seconds))
    return cert_ttl if requested > cert_ttl else max(requested, MIN_DURATION)


class SignerExpired(SyncError):
    """The CA's own NotAfter has passed: upstream refuses to sign (and retries)."""


@mirrors("(*k8s.io/kubernetes/pkg/controller/certificates/authority.CertificateAuthority).Sign",
         "(k8s.io/kubernetes/pkg/controller/certificates/authority.PermissiveSigningPolicy).apply")
def sign(request: x509.CertificateSigningRequest, usages: list[str], ttl: datetime.timedelta,
         ca: SigningCA, now: datetime.datetime) -> bytes:
    """The request's subject, key and names under the CA, from five minutes ago for `ttl` (less
    the five minutes unless it is under eight hours), and never past the CA itself."""
    signer_not_after = ca.certificate.not_valid_after_utc
    not_before = now - BACKDATE
    not_after = min(now + ttl if ttl < SHORT else now + ttl - BACKDATE, signer_not_after)
    if not_before >= signer_not_after:
        raise SignerExpired(f"the signer has expired: NotAfter={signer_not_after}")
    if now >= signer_not_after:
        raise SignerExpired(f"refusing to sign a certificate that expired in the past: NotAfter={signer_not_after}")
    subject = go_subject(request.subject)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(ca.certificate.subject)
               .public_key(request.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after))
    key_usage = _key_usage(usages)
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    extended = [oid for name, oid in _EXTENDED.items() if name in usages]
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(dict.fromkeys(extended))), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    try:
        ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False)
    except x509.ExtensionNotFound:
        pass
    try:
        names = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        # Go marks the names critical when the subject it writes is empty (a request's
        # emailAddress alone, which pkix.Name has no field for, leaves nothing).
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)),
                                        critical=len(subject) == 0)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca.private_key, _signature_hash(ca.private_key)).public_bytes(serialization.Encoding.PEM)


def _signature_hash(key: object) -> hashes.HashAlgorithm | None:
    """The hash crypto/x509 signs with for the CA's key: SHA-256 but for ECDSA's larger curves,
    none for Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(key.curve.name, hashes.SHA256())
    return hashes.SHA256()


# pkix.Name's fields in the order Name.ToRDNSequence writes them; CN and serialNumber keep one value.
_NAME_ORDER = (NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
               NameOID.STREET_ADDRESS, NameOID.POSTAL_CODE, NameOID.ORGANIZATION_NAME,
               NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER)
_PRINTABLE = frozenset(string.ascii_letters + string.digits + " '()+,-./:=?")


@mirrors("(crypto/x509/pkix.Name).ToRDNSequence")
def go_subject(subject: x509.Name) -> x509.Name:
    """The request's subject as crypto/x509 writes it into the certificate: read into a
    pkix.Name (attributes it has no field for are dropped, CN and serialNumber keep their last
    value) and written back in that type's order, the values of one type in one RDN, each a
    PrintableString when its characters allow and a UTF8String otherwise. Go checks no lengths
    (a CN over 64 characters, a C not of 2), so neither does this."""
    values: dict = {oid: [] for oid in _NAME_ORDER}
    for attribute in subject:
        if attribute.oid in values and isinstance(attribute.value, str):
            values[attribute.oid].append(attribute.value)
    rdns = []
    for oid in _NAME_ORDER:
        single = oid in (NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER)
        found = [v for v in values[oid][-1:] if v] if single else values[oid]
        if found:
            rdns.append(x509.RelativeDistinguishedName([x509.NameAttribute(
                oid, v, _type=_ASN1Type.PrintableString if set(v) <= _PRINTABLE else _ASN1Type.UTF8String,
                _validate=False)
                for v in found]))
    return x509.Name(rdns)


# The KeyUsage bits in crypto/x509's order (KeyUsageDigitalSignature is 1<<0, ... DecipherOnly 1<<8).
_KEY_USAGE_ORDER = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")


@mirrors("crypto/x509.marshalKeyUsage")
def _key_usage(usages: list[str]) -> x509.UnrecognizedExtension | None:
    """The KeyUsage extension of these usages as crypto/x509 encodes it, a BIT STRING of the bits
    without trailing zeros; None (no extension, as Go leaves it) for none. Written by hand because
    Go writes any combination, encipher or decipher only without key agreement among them, which
    `cryptography`'s KeyUsage refuses (upstream signs those; refusing them retried the request forever)."""
    bits = {_KEY_USAGE_BITS[u] for u in usages if u in _KEY_USAGE_BITS}
    if not bits:
        return None
    value = sum(1 << _KEY_USAGE_ORDER.index(b) for b in bits)
    # Usage bit 0 is the BIT STRING's first (most significant) bit; the last byte is padded.
    length, unused = value.bit_length(), -value.bit_length() % 8
    content = (int(format(value, "b")[::-1], 2) << unused).to_bytes((length + 7) // 8, "big")
    return x509.UnrecognizedExtension(ExtensionOID.KEY_USAGE, bytes([0x03, len(content) + 1, unused]) + content)
