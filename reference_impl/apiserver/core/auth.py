"""Authentication: who sent a request, from its client certificate or its bearer token.

The chain is upstream's (k8s.io/apiserver/pkg/authentication, assembled by
kubernetes/pkg/kubeapiserver/authenticator.Config.New): a union of the x509 client-certificate
authenticator and the token-file bearer authenticator, wrapped so that every authenticated user also
gets the group system:authenticated, and, with --anonymous-auth, a last fallback to the user
system:anonymous in group system:unauthenticated. A credential that is *presented but wrong* (an
unknown token, a certificate the CA did not sign) is a 401 even when anonymous access is on:
upstream joins the anonymous authenticator with `union.NewFailOnError`.

Everything here is sans-IO: an authenticator reads `request.headers`, `request.peer_certificate_der`
(DER bytes of the client's leaf certificate) or `request.peer_certificate` (the dict
`ssl.SSLSocket.getpeercert()` returns once TLS has verified the certificate); tests pass plain objects.
"""
from __future__ import annotations

import base64
import csv
import datetime
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Protocol, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from reference_impl.apiserver.core.errors import aggregate
from reference_impl.apiserver.core.rbac import SYSTEM_PRIVILEGED_GROUP
from reference_impl.machinery.httpheaders import header_values
from reference_impl.mirrors import mirrors

# --api-audiences, by default the service account issuer: what a token must be meant for.
API_AUDIENCES = ("https://kubernetes.default.svc.cluster.local",)
ANONYMOUS_USER = "system:anonymous"
ALL_UNAUTHENTICATED = "system:unauthenticated"
ALL_AUTHENTICATED = "system:authenticated"
APISERVER_USER = "system:apiserver"


@mirrors("(k8s.io/apiserver/pkg/authentication/authenticator.Audiences).Intersect")
def intersect(held: tuple[str, ...] | list[str], targets: tuple[str, ...]) -> tuple[str, ...]:
    """The target audiences that are among `held`, in the targets' order and as often as they are
    asked for: what a TokenReview answers as the token's audiences."""
    return tuple(target for target in targets if target in held)


class AuthConfigError(Exception):
    """A --token-auth-file or --client-ca-file the server cannot start with."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class AuthenticationFailed(Exception):
    """A credential was presented and rejected (Go's non-nil `err` from AuthenticateRequest)."""


@dataclass(frozen=True)
class UserInfo:
    """user.DefaultInfo: the identity the authorizer and admission see."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # authenticator.Response.Audiences: which of the audiences a request asked for (a
    # TokenReview's) the credential is good for; empty when none were asked for.
    audiences: tuple[str, ...] = ()


ANONYMOUS = UserInfo(ANONYMOUS_USER, groups=(ALL_UNAUTHENTICATED,))


class Request(Protocol):
    """What authenticators read from an HTTP request."""

    headers: object  # has .get(name) -> str | None, case-insensitive


class TokenFileAuthenticator:
    """Static bearer tokens from a CSV file: `token,user,uid[,"group1,group2"]` per line."""

    def __init__(self, tokens: dict[str, UserInfo]) -> None:
        self.tokens = tokens

    @classmethod
    @mirrors("k8s.io/apiserver/pkg/authentication/token/tokenfile.NewCSV")
    def from_csv(cls, path: Path | str) -> TokenFileAuthenticator:
        """Read the token file the way upstream does: records need at least 3 columns; a record with
        an empty token is skipped; of duplicate tokens the last one wins."""
        try:
            with open(path, newline="", encoding="utf-8") as file:
                records = [record for record in csv.reader(file) if record]
        except OSError as err:
            raise AuthConfigError(path, err.strerror or str(err)) from None
        except (csv.Error, UnicodeDecodeError) as err:
            raise AuthConfigError(path, f"not a CSV file: {err}") from None
        tokens: dict[str, UserInfo] = {}
        for record in records:
            if len(record) < 3:
                raise AuthConfigError(path, f"token file '{path}' must have at least 3 columns "
                                            f"(token, user name, user uid), found {len(record)}")
            if not record[0]:
                continue
            groups = tuple(record[3].split(",")) if len(record) >= 4 else ()
            tokens[record[0]] = UserInfo(record[1], record[2], groups)
        return cls(tokens)

    @mirrors("(*k8s.io/apiserver/pkg/authentication/token/tokenfile.TokenAuthenticator).AuthenticateToken",
             "k8s.io/apiserver/pkg/authentication/authenticator.WrapAudienceAgnosticToken")
    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None = None) -> UserInfo | None:
        """The token's user. A static token knows no audiences: it serves the API's, so asked for
        others (a TokenReview's) it is no one's."""
        user = self.tokens.get(token)
        if user is None or audiences is None:
            return user
        shared = intersect(API_AUDIENCES, audiences)
        return replace(user, audiences=shared) if shared else None


class TokenSuccessCache:
    """tokencache in front of kube-apiserver's token authenticators: a token that authenticated is
    taken at its word for TokenSuccessCacheTTL (10s) per token and audiences, even if its service
    account or bound object is gone meanwhile; a refusal is not remembered (TokenFailureCacheTTL 0)."""

    SUCCESS_TTL = 10.0
    CACHE_SIZE = 4096

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._users: dict[tuple, tuple[UserInfo, float]] = {}

    @mirrors("(*k8s.io/apiserver/pkg/authentication/token/cache.cachedTokenAuthenticator).AuthenticateToken")
    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None,
                           authenticate: Callable[[], UserInfo]) -> UserInfo:
        """The remembered user of (token, audiences) while fresh, else `authenticate()`'s."""
        key, now = (token, audiences), self.clock()
        hit = self._users.get(key)
        if hit is not None and now < hit[1]:
            return hit[0]
        user = authenticate()
        if len(self._users) >= self.CACHE_SIZE:
            self._users.clear()
        self._users[key] = (user, now + self.SUCCESS_TTL)
        return user


class BearerTokenAuthenticator:
    """Takes the token from `Authorization: Bearer <token>` and asks each token authenticator in
    turn (a token file, service account tokens): the first that knows the token wins."""

    def __init__(self, *tokens, success_cache: TokenSuccessCache | None = None) -> None:
        self.tokens = list(tokens)  # each has authenticate_token(token, audiences) -> UserInfo | None
        self.success_cache = success_cache

    @mirrors("(*k8s.io/apiserver/pkg/authentication/request/bearertoken.Authenticator).AuthenticateRequest")
    def authenticate(self, request: Request) -> UserInfo | None:
        """The token's user; AuthenticationFailed with the reasons of the authenticators that
        rejected it, or "invalid bearer token" when none knew it."""
        header = (request.headers.get("Authorization") or "").strip()
        parts = header.split(" ", 2)
        if len(parts) < 2 or parts[0].lower() != "bearer" or not parts[1]:
            return None
        # authenticator.AudiencesFrom(ctx): a TokenReview's, else the API audiences WithAuthentication
        # puts on every request, so both share one success-cache entry.
        return self.authenticate_token(parts[1], getattr(request, "audiences", API_AUDIENCES))

    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None) -> UserInfo:
        """The token's user from the token authenticators, through the success cache."""
        if self.success_cache is None:
            return self._union(token, audiences)
        return self.success_cache.authenticate_token(token, audiences, lambda: self._union(token, audiences))

    @mirrors("(*k8s.io/apiserver/pkg/authentication/token/union.unionAuthTokenHandler).AuthenticateToken")
    def _union(self, token: str, audiences: tuple[str, ...] | None) -> UserInfo:
        reasons = []
        for tokens in self.tokens:
            try:
                user = tokens.authenticate_token(token, audiences)
            except AuthenticationFailed as err:
                reasons.append(str(err))
                continue
            if user is not None:
                return user
        raise AuthenticationFailed(aggregate(reasons) or "invalid bearer token")


BEARER_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io."
PROTOCOL_HEADER = "Sec-WebSocket-Protocol"


@mirrors("k8s.io/apimachinery/pkg/util/httpstream/wsstream.IsWebSocketRequest",
         "k8s.io/apimachinery/pkg/util/httpstream.IsUpgradeRequest")
def is_websocket_request(headers) -> bool:
    """Upgrade says websocket (its first value, any case) and some Connection value says upgrade."""
    upgrade = next(iter(header_values(headers, "Upgrade")), "")
    return upgrade.lower() == "websocket" and any("upgrade" in value.lower()
                                                  for value in header_values(headers, "Connection"))


def _bearer_protocol(headers) -> tuple[str, list[str]]:
    """The token a bearer subprotocol carries ("" for none) and the other subprotocols offered;
    AuthenticationFailed for two bearer subprotocols or one that is no base64url of UTF-8."""
    token, seen, others = "", False, []
    for value in header_values(headers, PROTOCOL_HEADER):
        for protocol in (part.strip() for part in value.split(",")):
            if not protocol.startswith(BEARER_PROTOCOL_PREFIX):
                others.append(protocol)
                continue
            if seen:
                raise AuthenticationFailed("multiple base64.bearer.authorization tokens specified")
            seen = True
            try:
                decoded = _raw_url_b64decode(protocol[len(BEARER_PROTOCOL_PREFIX):])
            except ValueError:
                raise AuthenticationFailed("invalid base64.bearer.authorization token encoding") from None
            try:
                token = decoded.decode()
            except UnicodeDecodeError:
                raise AuthenticationFailed("invalid base64.bearer.authorization token") from None
    return token, others


def _raw_url_b64decode(text: str) -> bytes:
    """base64.RawURLEncoding.DecodeString: no padding, nothing outside the URL alphabet but the
    newlines it skips (ValueError otherwise)."""
    text = text.replace("\r", "").replace("\n", "")
    if len(text) % 4 == 1 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in text):
        raise ValueError(text)
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ProtocolAuthenticator:
    """The bearer token a WebSocket client (a browser cannot set Authorization) offers as the
    subprotocol `base64url.bearer.authorization.k8s.io.<base64url token>` beside a real one,
    judged by the bearer authenticator's token authenticators and cache, which upstream shares."""

    def __init__(self, bearer: BearerTokenAuthenticator) -> None:
        self.bearer = bearer

    @mirrors("(*k8s.io/apiserver/pkg/authentication/request/websocket.ProtocolAuthenticator).AuthenticateRequest")
    def authenticate(self, request: Request) -> UserInfo | None:
        """The token's user, its subprotocol then taken out of the request (so no backend sees
        it); None when it offers none; AuthenticationFailed for a bad one or a lone one."""
        if not is_websocket_request(request.headers):
            return None
        token, others = _bearer_protocol(request.headers)
        if token and not others:  # the client must be left a subprotocol to be answered with
            raise AuthenticationFailed("missing additional subprotocol")
        if not token:
            return None
        user = self.bearer.authenticate_token(token, getattr(request, "audiences", API_AUDIENCES))
        _replace_header(request.headers, PROTOCOL_HEADER, ",".join(others))
        return user


@mirrors("(k8s.io/kubernetes/pkg/kubeapiserver/authenticator.Config).New",
         "(k8s.io/apiserver/pkg/authentication/authenticatorfactory.DelegatingAuthenticatorConfig).New")
def token_authenticators(bearer: BearerTokenAuthenticator) -> list[object]:
    """The bearer authenticator and the WebSocket protocol one over its tokens, side by side as
    kube-apiserver's and the delegating (kubelet, scheduler, controller-manager) chains have them."""
    return [bearer, ProtocolAuthenticator(bearer)]


def _replace_header(headers, name: str, value: str) -> None:
    """http.Header.Set on the adapter's Headers, or on a plain dict as tests pass."""
    if hasattr(headers, "set"):
        headers.set(name, value)
    else:
        headers[name] = value


class X509Authenticator:
    """Client certificates signed by the client CA: CN is the user name, each O a group.

    A verified certificate is remembered with its validity window: the chain to a fixed CA set
    only changes verdict with the clock, and building the verifier costs more than most requests.
    """

    CACHE_SIZE = 1024

    def __init__(self, ca_certs: Sequence[x509.Certificate],
                 now: Callable[[], datetime.datetime] | None = None) -> None:
        self.ca_certs = tuple(ca_certs)
        self.now = now  # None: the wall clock, read by the verifier
        # Go's Verify asks nothing of a leaf's extensions but its extended key usage (the WebPKI
        # defaults would also demand a subjectAltName, an AuthorityKeyIdentifier, a KeyUsage
        # fit for signing and no CA flag); an unknown critical extension is refused all the same.
        leaf_policy = verification.ExtensionPolicy.permit_all().may_be_present(
            x509.ExtendedKeyUsage, verification.Criticality.AGNOSTIC, _client_key_usage)
        # Nor of a CA's but that it says it is one (BasicConstraints CA:TRUE), that key usages it
        # lists include keyCertSign (CheckSignatureFrom) and, as checkChainForKeyUsage walks the
        # whole chain, that an EKU it lists allows client auth.
        ca_policy = verification.ExtensionPolicy.permit_all().require_present(
            x509.BasicConstraints, verification.Criticality.AGNOSTIC, None).may_be_present(
            x509.KeyUsage, verification.Criticality.AGNOSTIC, _signs_certificates).may_be_present(
            x509.ExtendedKeyUsage, verification.Criticality.AGNOSTIC, _client_key_usage)
        self._ca_policy, self._leaf_policy = ca_policy, leaf_policy
        self._policy = verification.PolicyBuilder().store(verification.Store(list(ca_certs))) \
            .extension_policies(ca_policy=ca_policy, ee_policy=leaf_policy)
        # X.509 v1 CAs (no extensions, as `openssl x509 -req` makes them without -extfile): Go trusts
        # one as a root, which the WebPKI verifier refuses to (it wants v3 throughout).
        self._v1_anchors = tuple(c for c in ca_certs if c.version == x509.Version.v1)
        # Per leaf: the intermediates its verified chain went through, its user, and its window.
        self._verified: dict[bytes, tuple[frozenset[bytes], UserInfo | None, datetime.datetime, datetime.datetime]] = {}

    @classmethod
    @mirrors("k8s.io/apiserver/pkg/authentication/request/x509.NewStaticVerifierFromFile")
    def from_file(cls, path: Path | str) -> X509Authenticator:
        """The CA bundle in --client-ca-file (one or more PEM certificates)."""
        try:
            certs = x509.load_pem_x509_certificates(Path(path).read_bytes())
        except OSError as err:
            raise AuthConfigError(path, err.strerror or str(err)) from None
        except ValueError:
            raise AuthConfigError(path, "holds no PEM certificate") from None
        return cls(certs)

    @mirrors("(*k8s.io/apiserver/pkg/authentication/request/x509.Authenticator).AuthenticateRequest")
    def authenticate(self, request: object) -> UserInfo | None:
        """The verified certificate's CN (the last, if several) as user and Os as groups (upstream's
        CommonNameUserConversion); None without a certificate or with an empty CN."""
        der = getattr(request, "peer_certificate_der", None)
        if der:
            return self._from_der(der, tuple(getattr(request, "peer_intermediates_der", ()) or ()))
        verified = getattr(request, "peer_certificate", None)
        if verified:
            return _user_from_subject(verified.get("subject", ()))
        return None

    def _from_der(self, der: bytes, intermediates_der: tuple[bytes, ...] = ()) -> UserInfo | None:
        """The user of the leaf `der`, verified with the intermediates the client sent after it
        (as upstream adds PeerCertificates[1:] to the verify options' Intermediates)."""
        now = self.now() if self.now else datetime.datetime.now(datetime.timezone.utc)
        # A chain that verified once verifies again while all its certificates are valid, whatever
        # else the client sends alongside it; so the cache is keyed by the leaf, not by the junk.
        hit = self._verified.get(der)
        if hit is not None and hit[0] <= frozenset(intermediates_der) and hit[2] <= now <= hit[3]:
            return hit[1]
        try:
            leaf = x509.load_der_x509_certificate(der)
            intermediates = [x509.load_der_x509_certificate(i) for i in intermediates_der]
        except ValueError:
            raise AuthenticationFailed("the client certificate is not DER") from None
        try:
            if leaf.version == x509.Version.v1:
                _verify_v1_leaf(self.ca_certs, leaf, now)
                chain = [leaf]
            else:
                candidates = usable_intermediates(leaf, intermediates, self.ca_certs)
                try:
                    chain = self._policy.time(now).build_client_verifier().verify(leaf, candidates).chain
                except verification.VerificationError:
                    chain = self._under_v1_anchor(leaf, candidates, now)
                    if chain is None:
                        raise
        except verification.VerificationError as err:
            raise AuthenticationFailed(f"verifying certificate {_identify(leaf)} failed: {err}") from None
        names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        user = None
        # pkix.Name.FillFromRDNSequence assigns CommonName once per CN: the last one stays.
        if names and names[-1].value:
            groups = tuple(str(a.value) for a in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
            user = UserInfo(str(names[-1].value), groups=groups)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        sent = frozenset(intermediates_der)
        used = frozenset(d for d in (c.public_bytes(serialization.Encoding.DER) for c in chain[1:]) if d in sent)
        # The verdict holds while every certificate of the chain is valid.
        self._verified[der] = (used, user, max(c.not_valid_before_utc for c in chain),
                               min(c.not_valid_after_utc for c in chain))
        return user

    @mirrors("(*crypto/x509.Certificate).CheckSignatureFrom")
    def _under_v1_anchor(self, leaf: x509.Certificate, candidates: list[x509.Certificate],
                         now: datetime.datetime) -> list[x509.Certificate] | None:
        """The chain of `leaf` to a v1 client CA, which Go accepts as a root (a v1 parent may sign
        without BasicConstraints): the leaf issued by it directly, or through intermediates of
        which the topmost is: that one then anchors the usual verification, its own CA checks
        made. None when there is none; a VerificationError when the leaf's usage refuses it."""
        for anchor in self._v1_anchors:
            if not anchor.not_valid_before_utc <= now <= anchor.not_valid_after_utc:
                continue
            if _directly_issued(leaf, anchor, now):
                try:
                    _check_critical_extensions(leaf)
                    _client_key_usage(None, leaf, _extension(leaf, x509.ExtendedKeyUsage))
                except ValueError as err:
                    raise verification.VerificationError(str(err)) from None
                return [leaf, anchor]
            for top in candidates:
                if not _directly_issued(top, anchor, now):
                    continue
                builder = verification.PolicyBuilder().store(verification.Store([top])).time(now) \
                    .extension_policies(ca_policy=self._ca_policy, ee_policy=self._leaf_policy)
                try:
                    rest = [c for c in candidates if c is not top]
                    return [*builder.build_client_verifier().verify(leaf, rest).chain, anchor]
                except verification.VerificationError:
                    continue
        return None


def _directly_issued(cert: x509.Certificate, issuer: x509.Certificate, now: datetime.datetime) -> bool:
    if cert.issuer != issuer.subject or not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _extension(cert: x509.Certificate, extension_type: type) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(extension_type).value
    except x509.ExtensionNotFound:
        return None


# Go bounds a verification at 100 signature checks (maxChainSignatureChecks); a chain the
# verifier accepts is at most 8 certificates long, so a few more intermediates than that is room
# enough for an honest client and keeps the path builder's work small for any other.
MAX_INTERMEDIATES = 10


@mirrors("crypto/x509.alreadyInChain")
def usable_intermediates(leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
                         anchors: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The intermediates worth handing to the path builder: one per subject and public key (a
    chain never holds two such, as Go's alreadyInChain rules; copies are what makes a path
    builder's work grow exponentially), none that is the leaf or a trust anchor over again, and
    at most MAX_INTERMEDIATES. Of copies, one issued under a trust anchor's name is kept first."""
    anchor_names = {_name_identity(a.subject) for a in anchors}
    seen = {_identity(c) for c in (leaf, *anchors)}
    ranked = sorted(intermediates, key=lambda c: _name_identity(c.issuer) not in anchor_names)
    kept: list[x509.Certificate] = []
    for cert in ranked:
        identity = _identity(cert)
        if identity in seen:
            continue
        seen.add(identity)
        kept.append(cert)
        if len(kept) == MAX_INTERMEDIATES:
            break
    return kept


def _name_identity(name: x509.Name) -> tuple:
    """A name compared loosely (string types and case ignored), so that spellings a path builder
    might take for one name count as one."""
    return tuple(tuple(sorted((a.oid.dotted_string, " ".join(str(a.value).casefold().split())) for a in rdn))
                 for rdn in name.rdns)


def _identity(cert: x509.Certificate) -> tuple:
    key = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return _name_identity(cert.subject), key


@mirrors("(*crypto/x509.Certificate).CheckSignatureFrom")
def _signs_certificates(_policy, _cert, usage: x509.KeyUsage | None) -> None:
    """A CA that lists key usages must list keyCertSign to sign a certificate."""
    if usage is not None and not usage.key_cert_sign:
        raise ValueError("x509: invalid signature: parent certificate cannot sign this kind of certificate")


@mirrors("crypto/x509.checkChainForKeyUsage")
def _client_key_usage(_policy, _cert, usage: x509.ExtendedKeyUsage | None) -> None:
    """A leaf without extended key usage may do anything; one with it must list client auth or
    any usage."""
    if usage is None:
        return
    if ExtendedKeyUsageOID.CLIENT_AUTH in usage or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usage:
        return
    raise ValueError("x509: certificate specifies an incompatible key usage")


# The extensions Go 1.19's certificate parser reads (processExtensions); Verify refuses a
# certificate that marks any other critical.
_GO_HANDLED_EXTENSIONS = frozenset({
    ExtensionOID.KEY_USAGE, ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.NAME_CONSTRAINTS, ExtensionOID.CRL_DISTRIBUTION_POINTS, ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.EXTENDED_KEY_USAGE, ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.AUTHORITY_INFORMATION_ACCESS})
# The general names Go keeps from a subjectAltName or a name constraint; a critical one that holds
# none of them (or, for constraints, any other) is unhandled all the same.
_GO_NAME_TYPES = (x509.DNSName, x509.RFC822Name, x509.IPAddress, x509.UniformResourceIdentifier)


@mirrors("(*crypto/x509.Certificate).isValid")
def _check_critical_extensions(cert: x509.Certificate) -> None:
    for extension in cert.extensions:
        if not extension.critical:
            continue
        value = extension.value
        handled = extension.oid in _GO_HANDLED_EXTENSIONS
        if isinstance(value, x509.SubjectAlternativeName):
            handled = any(isinstance(name, _GO_NAME_TYPES) for name in value)
        elif isinstance(value, x509.NameConstraints):
            handled = all(isinstance(name, _GO_NAME_TYPES)
                          for name in (*(value.permitted_subtrees or ()), *(value.excluded_subtrees or ())))
        if not handled:
            raise ValueError("x509: unhandled critical extension")


@mirrors("(*crypto/x509.Certificate).CheckSignatureFrom")
def _may_sign(parent: x509.Certificate) -> bool:
    """RFC 5280 as Go reads it: a v3 parent signs only with BasicConstraints CA:TRUE (a v1 one has
    no extensions and may), and only with keyCertSign if it lists key usages."""
    constraints = _extension(parent, x509.BasicConstraints)
    if (parent.version != x509.Version.v1 and constraints is None) or (constraints is not None and not constraints.ca):
        return False
    usage = _extension(parent, x509.KeyUsage)
    return usage is None or usage.key_cert_sign


@mirrors("(*crypto/x509.Certificate).Verify")
def _verify_v1_leaf(ca_certs, leaf: x509.Certificate, now: datetime.datetime) -> None:
    """What Go's Verify checks for an X.509 v1 leaf (no extensions at all, as `openssl x509 -req`
    makes without -extfile), which the WebPKI verifier refuses outright: a client CA that may sign
    certificates signed it directly, and the time is within both their validities."""
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise verification.VerificationError("the certificate has expired or is not yet valid")
    hint = refusal = None
    for ca in ca_certs:
        if ca.subject != leaf.issuer:
            continue
        if not _may_sign(ca):
            hint = hint or (ca, "x509: invalid signature: parent certificate cannot sign this kind of certificate")
            continue
        try:
            leaf.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            hint = hint or (ca, "x509: signature verification failure")
            continue
        # Go's isValid on the root, then checkChainForKeyUsage over the chain.
        try:
            if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
                raise ValueError("x509: certificate has expired or is not yet valid")
            _check_critical_extensions(ca)
            _client_key_usage(None, ca, _extension(ca, x509.ExtendedKeyUsage))
        except ValueError as err:
            refusal = refusal or str(err)
            continue
        return
    if refusal:
        raise verification.VerificationError(refusal)
    message = "x509: certificate signed by unknown authority"
    if hint:
        message += f' (possibly because of "{hint[1]}" while trying to verify candidate authority certificate "{_go_name(hint[0])}")'
    raise verification.VerificationError(message)


def _go_name(cert: x509.Certificate) -> str:
    """How UnknownAuthorityError names a certificate: its CN, else its first O, else its serial."""
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    organizations = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if common_names and common_names[-1].value:
        return str(common_names[-1].value)
    if organizations:
        return str(organizations[0].value)
    return f"serial:{cert.serial_number}"


def _user_from_subject(subject: Sequence[Sequence[tuple[str, str]]]) -> UserInfo | None:
    """CN and O from getpeercert()'s subject: a tuple of RDNs, each a tuple of (key, value) pairs."""
    pairs = [pair for rdn in subject for pair in rdn]
    names = [value for key, value in pairs if key == "commonName"]
    if not names or not names[-1]:
        return None
    return UserInfo(names[-1], groups=tuple(value for key, value in pairs if key == "organizationName"))


def _identify(cert: x509.Certificate) -> str:
    """certificateIdentifier's gist: the subject and serial, so logs say which cert failed."""
    return f'SN={cert.serial_number}, subject="{cert.subject.rfc4514_string()}"'


@mirrors("(*k8s.io/apiserver/pkg/authentication/group.AuthenticatedGroupAdder).AuthenticateRequest")
def with_authenticated_group(user: UserInfo) -> UserInfo:
    """Add system:authenticated unless the user is anonymous or already in either all-users group."""
    if user.name == ANONYMOUS_USER or {ALL_AUTHENTICATED, ALL_UNAUTHENTICATED} & set(user.groups):
        return user
    return replace(user, groups=user.groups + (ALL_AUTHENTICATED,))


class RequestAuthenticator:
    """The whole chain: what the HTTP layer's WithAuthentication filter calls."""

    def __init__(self, authenticators: Sequence[object], anonymous: bool = False,
                 loopback_token: str | None = None) -> None:
        self.loopback = loopback_authenticator(loopback_token) if loopback_token else None
        self.authenticators = tuple(authenticators)
        if self.loopback is not None:
            self.authenticators = (self.loopback, *self.authenticators)
        self.anonymous = anonymous

    def add_token_authenticator(self, tokens: object) -> None:
        """Put `tokens` behind the chain's one bearer-token authenticator (made when there is none),
        as upstream unites every token authenticator under one."""
        bearer = next((a for a in self.authenticators
                       if isinstance(a, BearerTokenAuthenticator) and a is not self.loopback), None)
        if bearer is None:
            bearer = BearerTokenAuthenticator()
            self.authenticators += tuple(token_authenticators(bearer))
        bearer.tokens.append(tokens)

    @mirrors("(*k8s.io/apiserver/pkg/authentication/request/union.unionAuthRequestHandler).AuthenticateRequest")
    def authenticate_strict(self, request: object) -> UserInfo | None:
        """The first authenticator that knows the request wins; if none does and some rejected a
        credential, AuthenticationFailed with all their reasons; None when nothing was presented."""
        failures = []
        for authenticator in self.authenticators:
            try:
                user = authenticator.authenticate(request)
            except AuthenticationFailed as err:
                failures.append(str(err))
                continue
            if user is not None:
                # The loopback authenticator stands outside the group adder upstream.
                return user if authenticator is self.loopback else with_authenticated_group(user)
        if failures:
            raise AuthenticationFailed(aggregate(failures))
        return None

    @mirrors("k8s.io/apiserver/pkg/authentication/request/union.NewFailOnError",
             "k8s.io/apiserver/pkg/authentication/request/anonymous.NewAuthenticator")
    def authenticate_or_anonymous(self, request: object) -> UserInfo | None:
        """The chain's user; when it knows no credential and anonymous requests are on, the
        anonymous user, good for the audiences the request asks for (a TokenReview's). A rejected
        credential stays AuthenticationFailed: no anonymous user stands in for it."""
        user = self.authenticate_strict(request)
        if user is None and self.anonymous:
            audiences = getattr(request, "audiences", None)
            return ANONYMOUS if audiences is None else replace(ANONYMOUS, audiences=tuple(audiences))
        return user

    @mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication")
    def authenticate(self, request: object) -> UserInfo | None:
        """The user, or None for a 401: no credentials with anonymous off, or a rejected credential."""
        try:
            return self.authenticate_or_anonymous(request)
        except AuthenticationFailed:
            return None


@mirrors("k8s.io/apiserver/pkg/server.AuthorizeClientBearerToken")
def loopback_authenticator(token: str) -> BearerTokenAuthenticator:
    """The bearer authenticator for the server's own loopback client, asked before the rest of the
    chain: its token is system:apiserver in system:masters, and any other token it refuses, so its
    'invalid bearer token' leads every refusal a TokenReview reports."""
    return BearerTokenAuthenticator(TokenFileAuthenticator(
        {token: UserInfo(APISERVER_USER, str(uuid.uuid4()), (SYSTEM_PRIVILEGED_GROUP,))}))


def new_authenticator(client_ca_file: Path | str | None = None, token_auth_file: Path | str | None = None,
                      anonymous: bool = False, loopback_token: str | None = None,
                      clock: Callable[[], float] | None = None) -> RequestAuthenticator:
    """The chain for the server's flags, in upstream's order: the loopback token, x509, then bearer
    tokens, whose successes are remembered by `clock` (not at all without one)."""
    authenticators: list[object] = []
    if client_ca_file:
        authenticators.append(X509Authenticator.from_file(client_ca_file))
    tokens = [TokenFileAuthenticator.from_csv(token_auth_file)] if token_auth_file else []
    if tokens or clock is not None:
        bearer = BearerTokenAuthenticator(*tokens, success_cache=TokenSuccessCache(clock) if clock is not None else None)
        authenticators += token_authenticators(bearer)
    return RequestAuthenticator(authenticators, anonymous, loopback_token)
