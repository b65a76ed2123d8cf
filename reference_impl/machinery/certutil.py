"""Certificates for the components' TLS, as client-go's util/cert makes them (imported as
`certutil` upstream): a self-signed CA, serving certificates for names and addresses, client
certificates (CN = user, O = groups), and pairs kept as PEM files. Keys are ECDSA P-256: quick to
make, and every client the tests use (kubectl, the Python kubernetes client, `ssl`) accepts them.
"""
from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reference_impl.mirrors import mirrors

CA_NAME = "kubeatlas-ca"
VALIDITY = datetime.timedelta(days=365)
CA_VALIDITY = datetime.timedelta(days=3650)
BACKDATE = datetime.timedelta(minutes=5)  # tolerate small clock differences between client and server


class CertError(Exception):
    """A certificate or key file that cannot be read, written or used."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class KeyPair:
    """A certificate with its private key, both as PEM bytes, and where they are stored (if anywhere)."""

    cert_pem: bytes
    key_pem: bytes
    cert_path: Path | None = None
    key_path: Path | None = None

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        return serialization.load_pem_private_key(self.key_pem, password=None)  # type: ignore[return-value]


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name: str, organizations: tuple[str, ...] = ()) -> x509.Name:
    """O=... then CN (left out when empty, as in a certificate that names no user)."""
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    if common_name:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@mirrors("k8s.io/client-go/util/cert.NewSelfSignedCACert")
def new_ca(common_name: str = CA_NAME) -> KeyPair:
    """A self-signed CA certificate allowed to sign certificates (and only that)."""
    key, now = _new_key(), _now()
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def issue(ca: KeyPair, subject: x509.Name, usage: x509.ObjectIdentifier,
           san: list[x509.GeneralName] | None = None) -> KeyPair:
    """A certificate for `subject` with the one extended key usage, signed by `ca`."""
    ca_cert, ca_key = ca.certificate, ca.private_key
    key, now = _new_key(), _now()
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - BACKDATE).not_valid_after(now + VALIDITY)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False,
                                            content_commitment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
                              critical=False))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


@mirrors("k8s.io/client-go/util/cert.GenerateSelfSignedCertKey")
def issue_serving_cert(ca: KeyPair, dns_names: tuple[str, ...], ips: tuple[str, ...],
                       common_name: str = "", organizations: tuple[str, ...] = ()) -> KeyPair:
    """A server certificate for the names and addresses clients dial; its subject `common_name`
    (in `organizations`), else `<first name>@<unix time>` as GenerateSelfSignedCertKey names it."""
    if not common_name:
        common_name = f"{(dns_names + ips)[0]}@{int(_now().timestamp())}"
    san: list[x509.GeneralName] = [x509.DNSName(d) for d in dns_names]
    san += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    return issue(ca, _name(common_name, organizations), ExtendedKeyUsageOID.SERVER_AUTH, san)


def issue_client_cert(ca: KeyPair, user: str, groups: tuple[str, ...] = ()) -> KeyPair:
    """A client certificate the x509 authenticator reads as user `user` (CN) in `groups` (O)."""
    return issue(ca, _name(user, groups), ExtendedKeyUsageOID.CLIENT_AUTH)


def load_pair(cert_path: Path, key_path: Path) -> KeyPair | None:
    """The pair stored at these paths, None when either file is missing; CertError when unusable."""
    if not (cert_path.exists() and key_path.exists()):
        return None
    try:
        pair = KeyPair(cert_path.read_bytes(), key_path.read_bytes(), cert_path, key_path)
    except OSError as err:
        raise CertError(cert_path, err.strerror or str(err)) from None
    try:
        pair.certificate
    except ValueError:
        raise CertError(cert_path, "is not a PEM certificate") from None
    try:
        pair.private_key
    except (ValueError, TypeError):
        raise CertError(key_path, "is not an unencrypted PEM private key") from None
    return pair


def store_pair(pair: KeyPair, cert_path: Path, key_path: Path) -> KeyPair:
    """The pair written to these paths (the key readable by its owner only), and where it is."""
    try:
        cert_path.write_bytes(pair.cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(pair.key_pem)
    except OSError as err:
        raise CertError(err.filename or cert_path, err.strerror or str(err)) from None
    return KeyPair(pair.cert_pem, pair.key_pem, cert_path, key_path)
