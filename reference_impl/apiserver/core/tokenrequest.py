"""TokenRequest (`POST .../serviceaccounts/NAME/token`, `kubectl create token`) and the
authenticator that accepts the tokens it issues.

A token is a JWT as kube-apiserver's serviceaccount.JWTTokenGenerator writes it: issuer, subject
`system:serviceaccount:NS:NAME`, audiences, iat/nbf/exp, and a `kubernetes.io` claim naming the
namespace, the service account (name and uid) and, when the request binds it, the Pod or Secret
(name and uid). The token is only valid while those objects exist with those uids, which the
authenticator checks on every request (serviceaccount.Validator), allowing a minute of clock skew:
on exp and nbf, and on a deletionTimestamp, so a pod keeps its token through its grace period. It is signed ES256 with the key
given (kube-apiserver's --service-account-signing-key-file; the reference signs with its serving
key, as kube-apiserver verifies with --tls-private-key-file when no other key is named).
"""
from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from dataclasses import replace

from reference_impl.apiserver.core import decoding, errors, fieldvalidation, scheme
from reference_impl.apiserver.core.auth import API_AUDIENCES, AuthenticationFailed, UserInfo, intersect
from reference_impl.apiserver.core.impersonation import split_username
from reference_impl.machinery import gojson
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339, rfc3339_parse_error
from reference_impl.mirrors import mirrors

ISSUER = API_AUDIENCES[0]  # --service-account-issuer, whose default the API audiences take
LEGACY_ISSUER = "kubernetes/serviceaccount"  # serviceaccount.LegacyIssuer, of the tokens Secrets hold
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32
# serviceaccount.WarnOnlyBoundTokenExpirationSeconds: the odd lifetime ServiceAccount admission
# projects marks the tokens whose lifetime may be extended to ExpirationExtensionSeconds.
WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7
EXPIRATION_EXTENSION_SECONDS = 365 * 24 * 60 * 60
BOUND_KINDS = {"Pod": "pods", "Secret": "secrets"}
SA_PREFIX = "system:serviceaccount:"
LEEWAY_SECONDS = 60  # jwt.DefaultLeeway: the clock skew allowed on exp, nbf and deletions


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_RAW_URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


@mirrors("(*encoding/base64.Encoding).DecodeString")
def _unb64(text: str) -> bytes:
    """A JWS part as base64.RawURLEncoding decodes it: newlines skipped, and padding or any other
    character outside the URL alphabet refused (ValueError), where Python's decoder would pass
    over them and let a changed token through."""
    text = text.replace("\r", "").replace("\n", "")
    if not _RAW_URL_ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError(f"illegal base64 data in {text!r}")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@mirrors("k8s.io/kubernetes/pkg/serviceaccount.keyIDFromPublicKey")
def public_key_id(public_key) -> str:
    """The SHA-256 of the DER public key, base64url: a token's `kid` and its JWK's."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return _b64(hashlib.sha256(der).digest())


@mirrors("(*k8s.io/kubernetes/pkg/serviceaccount.jwtTokenGenerator).GenerateToken")
def sign(claims: dict, key: ec.EllipticCurvePrivateKey) -> str:
    header = {"alg": "ES256", "kid": public_key_id(key.public_key())}
    signing_input = f"{_b64(json.dumps(header, separators=(',', ':')).encode())}." \
                    f"{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


# go-jose's stripWhitespace: Go's \s, which has no vertical tab.
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
# go-jose's ErrCryptoFailure: what any signature that does not verify with the key is reported as.
CRYPTO_FAILURE = "square/go-jose: error in cryptographic primitive"


@mirrors("(*k8s.io/kubernetes/pkg/serviceaccount.jwtTokenAuthenticator).hasCorrectIssuer")
def has_issuer(token: str, issuer: str) -> bool:
    """Whether the token's payload, read without checking the signature, names `issuer`: only then
    is the token this authenticator's to judge."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(claims, dict) and claims.get("iss") == issuer


@mirrors("gopkg.in/square/go-jose.v2/jwt.ParseSigned",
         "(gopkg.in/square/go-jose.v2.JSONWebSignature).Verify")
def verify(token: str, public_key: ec.EllipticCurvePublicKey, private_claims: dict[str, str]) -> dict | None:
    """The claims of a token this key signed; None for what is no JWS at all; AuthenticationFailed
    when the signature does not verify (a forged or another issuer's token, or another algorithm).
    go-jose parses the token with all its whitespace taken out, so a tab or a space inside it (a
    TokenReview's token may hold one) changes nothing."""
    parts = _WHITESPACE.sub("", token).split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict):
        return None
    try:
        # go-jose supports no critical header extension: any is a failed verification.
        if header.get("alg") != "ES256" or len(signature) != 64 or header.get("crit"):
            raise InvalidSignature
        public_key.verify(encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                               int.from_bytes(signature[32:], "big")),
                          f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AuthenticationFailed(CRYPTO_FAILURE) from None
    try:
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict):
        return None
    check_claim_types(claims, private_claims)
    return claims


# The claims' Go types as (*jwt.JSONWebToken).Claims decodes the payload, first into jwt.Claims,
# then into the validator's privateClaims; a NumericDate and an Audience decode themselves.
_PUBLIC_CLAIMS = {"iss": "string", "sub": "string", "aud": "Audience", "exp": "NumericDate", "nbf": "NumericDate",
                  "iat": "NumericDate", "jti": "string"}
_PRIVATE_CLAIMS = {"kubernetes.io": "serviceaccount.kubernetes"}
_LEGACY_PRIVATE_CLAIMS = {f"kubernetes.io/serviceaccount/{name}": "string"
                          for name in ("service-account.name", "service-account.uid", "secret.name", "namespace")}
_GO_STRUCTS = {"serviceaccount.kubernetes": {"namespace": "string", "serviceaccount": "serviceaccount.ref",
                                             "pod": "serviceaccount.ref", "secret": "serviceaccount.ref",
                                             "warnafter": "NumericDate"},
               "serviceaccount.ref": {"name": "string", "uid": "string"}}
ERR_UNMARSHAL_NUMERIC_DATE = "square/go-jose/jwt: expected number value to unmarshal NumericDate"
ERR_UNMARSHAL_AUDIENCE = "square/go-jose/jwt: expected string or array value to unmarshal to Audience"


class _UnmarshalerError(Exception):
    """A custom UnmarshalJSON's error, which ends the decoding at once."""


@mirrors("(*gopkg.in/square/go-jose.v2/jwt.JSONWebToken).Claims")
def check_claim_types(claims: dict, private_claims: dict[str, str]) -> None:
    """AuthenticationFailed with the decoder's words when a claim does not fit its Go type: a
    NumericDate's or an Audience's own error at once, else the first type error (go-jose's copy of
    encoding/json keeps decoding past one, and says only "Go value of type T")."""
    for fields in (_PUBLIC_CLAIMS, private_claims):
        try:
            problem = _first_type_error(claims, fields)
        except _UnmarshalerError as err:
            raise AuthenticationFailed(str(err)) from None
        if problem:
            raise AuthenticationFailed(problem)


def _first_type_error(obj: dict, fields: dict[str, str]) -> str | None:
    problems = [_type_error(obj[name], fields[name]) for name in obj if name in fields]
    return next((problem for problem in problems if problem), None)


def _type_error(value: object, go_type: str) -> str | None:
    if go_type == "NumericDate":
        if value is not None and not _parses_as_float64(value):  # a nil *NumericDate for null
            raise _UnmarshalerError(ERR_UNMARSHAL_NUMERIC_DATE)
        return None
    if go_type == "Audience":  # a value, not a pointer: it decodes null itself, and refuses it
        if not (isinstance(value, str) or isinstance(value, list) and all(isinstance(a, str) for a in value)):
            raise _UnmarshalerError(ERR_UNMARSHAL_AUDIENCE)
        return None
    if value is None:
        return None
    if go_type == "string":
        return None if isinstance(value, str) else _unmarshal_type_error(value, go_type)
    if not isinstance(value, dict):
        return _unmarshal_type_error(value, go_type)
    return _first_type_error(value, _GO_STRUCTS[go_type])


def _parses_as_float64(value: object) -> bool:
    """strconv.ParseFloat of the JSON text: a number within float64's range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return abs(float(value)) != float("inf")
    except OverflowError:
        return False


def _unmarshal_type_error(value: object, go_type: str) -> str:
    json_type = {dict: "object", list: "array", bool: "bool", str: "string"}.get(type(value), "number")
    return f"json: cannot unmarshal {json_type} into Go value of type {go_type}"


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/serviceaccount/storage.TokenREST).Create",
         "k8s.io/kubernetes/pkg/apis/authentication/validation.ValidateTokenRequest")
def create_token(registry, key: ec.EllipticCurvePrivateKey, namespace: str, name: str, body: object,
                 now: float) -> dict:
    """The TokenRequest answered: its spec with defaults and a status holding the signed token.
    `body` is what `decode_token_request` made of the request."""
    spec = body.get("spec") or {}
    audiences = [audience or "" for audience in spec.get("audiences") or API_AUDIENCES]
    expiration = spec["expirationSeconds"]
    bound = spec.get("boundObjectRef")
    problems = []
    if expiration < MIN_EXPIRATION_SECONDS:
        problems.append(f"spec.expirationSeconds: Invalid value: {expiration}: may not specify a duration less "
                        "than 10 minutes")
    if expiration > MAX_EXPIRATION_SECONDS:
        problems.append(f"spec.expirationSeconds: Invalid value: {expiration}: may not specify a duration larger "
                        "than 2^32 seconds")
    if problems:
        raise errors.invalid("TokenRequest", "", problems, "authentication.k8s.io")
    account = registry.get("serviceaccounts", namespace, name)
    private = {"namespace": namespace,
               "serviceaccount": {"name": name, "uid": account["metadata"].get("uid", "")}}
    if bound is not None:
        gvk = scheme.from_api_version_and_kind(bound.get("apiVersion") or "", bound.get("kind") or "")
        if gvk.group or gvk.kind not in BOUND_KINDS:
            raise errors.bad_request(f"cannot bind token to object of type {gvk.group}/{gvk.version}, "
                                     f"Kind={gvk.kind}")
        if not bound.get("name"):  # the Pod or Secret store's Get of no name
            raise errors.bad_request("Name parameter required.")
        target = registry.get(BOUND_KINDS[bound["kind"]], namespace, bound["name"])
        if bound["kind"] == "Pod" and (target.get("spec") or {}).get("serviceAccountName") != name:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{name}" to pod running with different '
                                     "serviceaccount name.")
        uid = target["metadata"].get("uid", "")
        if bound.get("uid") and bound["uid"] != uid:
            # Upstream names the conflict with the reference's kind where a resource would go.
            raise errors.conflict(bound["kind"], str(bound.get("name")),
                                  why=f"the UID in the bound object reference ({bound['uid']}) does not match "
                                      f"the UID in record. The object might have been deleted and then recreated")
        private[bound["kind"].lower()] = {"name": target["metadata"]["name"], "uid": uid}
    issued = int(now)
    lifetime = expiration
    if "pod" in private and expiration == WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS:
        # --service-account-extend-token-expiration (on by default): the token a pod's projected
        # volume asked for lives a year, so clients that never re-read it keep working, warned about.
        private["warnafter"] = issued + expiration
        lifetime = EXPIRATION_EXTENSION_SECONDS
    claims = {"aud": audiences, "exp": issued + lifetime, "iat": issued, "iss": ISSUER,
              "kubernetes.io": private, "nbf": issued, "sub": f"{SA_PREFIX}{namespace}:{name}"}
    out_spec = {"audiences": audiences, "expirationSeconds": expiration, "boundObjectRef": bound}
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            # A deep copy of the request: its zero creationTimestamp is written as null.
            "metadata": {"creationTimestamp": None, **(body.get("metadata") or {})},
            "spec": out_spec,
            "status": {"token": sign(claims, key), "expirationTimestamp": rfc3339(issued + expiration)}}


# The Go types of v1.TokenRequestSpec's and v1.BoundObjectReference's fields, as encoding/json names them.
_SPEC_GO_TYPES = {"audiences": "[]string", "expirationSeconds": "int64", "boundObjectRef": "v1.BoundObjectReference"}
_BOUND_REF_GO_TYPES = {"kind": "string", "apiVersion": "string", "name": "string", "uid": "types.UID"}
# The structs of a TokenRequest body and their fields (an ObjectMeta's are the schema's, _metadata_problem).
# The server writes the status, but a client's is decoded all the same, so its type errors are 400s.
_STRUCT_FIELDS = {"v1.TokenRequest": {"metadata": "v1.ObjectMeta", "spec": "v1.TokenRequestSpec",
                                      "status": "v1.TokenRequestStatus"},
                  "v1.TokenRequestSpec": _SPEC_GO_TYPES, "v1.BoundObjectReference": _BOUND_REF_GO_TYPES,
                  "v1.TokenRequestStatus": {"token": "string", "expirationTimestamp": "metav1.Time"}}


@mirrors("k8s.io/kubernetes/pkg/apis/authentication/v1.SetDefaults_TokenRequestSpec")
def decode_token_request(decoded: dict, body: dict) -> dict:
    """The body (`decoded`, a key written twice keeping its writes; `body`, what decoding.merged
    made of it) as the codec takes it for an authentication.k8s.io/v1 TokenRequest: 400 for a
    value of the wrong type, one written before the last too, else the body as the Go struct holds
    it, with expirationSeconds defaulted (an hour), as the field manager then sees it."""
    problem = type_problem(decoded)
    if problem:
        raise errors.bad_request(f'TokenRequest in version "v1" cannot be handled as a TokenRequest: {problem}')
    spec = {name: value for name, value in (body.get("spec") or {}).items() if name in _SPEC_GO_TYPES}
    if spec.get("expirationSeconds") is None:
        spec["expirationSeconds"] = DEFAULT_EXPIRATION_SECONDS
    if isinstance(spec.get("boundObjectRef"), dict):
        spec["boundObjectRef"] = _bound_object_reference(spec["boundObjectRef"])
    return {name: value for name, value in {**body, "spec": spec}.items() if name in _TOKEN_REQUEST_FIELDS}


# TypeMeta, ObjectMeta, spec and status: what a v1.TokenRequest holds; the decoder drops the rest.
_TOKEN_REQUEST_FIELDS = ("kind", "apiVersion", "metadata", "spec", "status")


def _bound_object_reference(ref: dict) -> dict:
    """A v1.BoundObjectReference as decoded: fields it does not know dropped, and its fields all
    omitempty strings, so an empty one is as good as absent."""
    return {name: value for name, value in ref.items() if name in _BOUND_REF_GO_TYPES and value}


@mirrors("encoding/json.Unmarshal")
def type_problem(body: dict) -> str | None:
    """encoding/json's error for the first value a v1.TokenRequest cannot hold, met as the decoder
    meets it: depth first, in the body's order; None when it holds them all. A null is the zero
    value, never an error. Every value of a key written twice is decoded, so each is checked
    (`body` as decoded, see decoding.writes_in_order). A metav1.Time's own error ends the decoding,
    so it wins over a type error met before it."""
    problems = list(_problems(body, "v1.TokenRequest", "", ()))
    fatal = next((problem for problem, ends in problems if ends), None)
    return fatal or next((problem for problem, _ in problems), None)


def _problems(value: object, go_type: str, struct: str, fields: tuple[str, ...]):
    """Each error decoding `value` into `go_type`, in order, as (message, whether it ends the
    decoding); `struct` and `fields` are encoding/json's error context, the innermost struct's
    name and the JSON names from the top."""
    if value is None:
        return
    where = f"{struct}.{'.'.join(fields)}"
    if go_type == "v1.ObjectMeta":
        problem = _metadata_problem(value)
        if problem:
            yield problem
    elif go_type == "metav1.Time":
        yield from _time_problems(value, where)
    elif go_type in _STRUCT_FIELDS:
        if not isinstance(value, dict):
            yield gojson.value_type_error(value, go_type, where), False
            return
        members, inner = _STRUCT_FIELDS[go_type], go_type.partition(".")[2]
        for name, item in decoding.writes_in_order(value):
            if name in members:
                yield from _problems(item, members[name], inner, (*fields, name))
    elif go_type.startswith("[]"):
        if not isinstance(value, list):
            yield gojson.value_type_error(value, go_type, where), False
            return
        for item in value:
            yield from _problems(item, go_type[2:], struct, fields)
    elif not _holds(go_type, value):
        yield gojson.value_type_error(value, go_type, where), False


@mirrors("(*k8s.io/apimachinery/pkg/apis/meta/v1.Time).UnmarshalJSON")
def _time_problems(value: object, where: str):
    """A metav1.Time decodes a string, then parses it as RFC 3339; as an Unmarshaler's, either
    error ends the decoding."""
    problem = rfc3339_parse_error(value) if isinstance(value, str) else \
        gojson.value_type_error(value, "string", where)
    if problem:
        yield problem, True


def _metadata_problem(metadata: object) -> tuple[str, bool] | None:
    """The error decoding `metadata` into a TokenRequest's ObjectMeta, as the schema walk words it
    for any kind's, and whether it ends the decoding (a Time's does)."""
    try:
        fieldvalidation.decode_into_kind("authentication.k8s.io", "v1", "TokenRequest",
                                         {"metadata": copy.deepcopy(metadata)})
    except fieldvalidation.UndecodableError as err:
        return err.problem, err.ends_decoding
    return None


def _holds(go_type: str, value: object) -> bool:
    if go_type == "int64":
        return isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < 1 << 63
    return isinstance(value, str) and go_type in ("string", "types.UID")


class ServiceAccountTokenAuthenticator:
    """Bearer tokens TokenRequest issued: signature, time, audience, and the objects still there."""

    issuer = ISSUER
    private_claims = _PRIVATE_CLAIMS

    def __init__(self, public_key: ec.EllipticCurvePublicKey, lookup: Callable[[str, str, str], dict],
                 now: Callable[[], float], audiences=API_AUDIENCES) -> None:
        self.public_key = public_key
        self.lookup = lookup  # (plural, namespace, name) -> object, StatusError 404 when gone
        self.now = now
        self.audiences = tuple(audiences)

    @mirrors("(*k8s.io/kubernetes/pkg/serviceaccount.jwtTokenAuthenticator).AuthenticateToken")
    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None = None) -> UserInfo | None:
        """The token's user if it is meant for one of `audiences` (the API's when none are asked
        for); when some were, the user carries those the token shares with them."""
        if not has_issuer(token, self.issuer):
            return None
        claims = verify(token, self.public_key, self.private_claims)
        if claims is None:
            return None
        targets = self.audiences if audiences is None else audiences
        token_audiences = claims.get("aud")
        # A token naming no audience is taken as meant for the API's own (the implicit audiences).
        token_audiences = [token_audiences] if isinstance(token_audiences, str) else token_audiences or \
            list(self.audiences)
        shared = intersect(token_audiences, targets)
        if not shared:
            raise AuthenticationFailed(f"token audiences {_go_strings(token_audiences)} is invalid for the target "
                                       f"audiences {_go_strings(targets)}")
        user = self.validate(claims, token)
        return user if audiences is None else replace(user, audiences=shared)

    @mirrors("(*k8s.io/client-go/rest.Request).requestPreflightCheck")
    def _get(self, plural: str, namespace: str, name: str) -> dict:
        """The object, read as the validator's client-go getter asks for it: a request with no name
        or no namespace fails before it is sent, in the client's words (a 400 standing for them)."""
        if not name:
            raise errors.bad_request("resource name may not be empty")
        if not namespace:
            raise errors.bad_request("an empty namespace may not be set when a resource name is provided")
        return self.lookup(plural, namespace, name)

    @mirrors("(*k8s.io/kubernetes/pkg/serviceaccount.validator).Validate")
    def validate(self, claims: dict, token: str) -> UserInfo:
        """The token's user while its time holds and its objects exist with their uids; an object
        counts as deleted once its deletionTimestamp is more than the leeway past."""
        now = self.now()
        if now > claims.get("exp", 0) + LEEWAY_SECONDS:
            raise AuthenticationFailed("service account token has expired")
        if now + LEEWAY_SECONDS < claims.get("nbf", 0):
            raise AuthenticationFailed("service account token is not valid yet")
        deleted_before = now - LEEWAY_SECONDS
        private = claims.get("kubernetes.io") or {}
        namespace = private.get("namespace", "")
        account = private.get("serviceaccount") or {}
        try:
            current = self._get("serviceaccounts", namespace, account.get("name", ""))
        except errors.StatusError as err:
            raise AuthenticationFailed(err.message) from None
        if _deleted_before(current, deleted_before):
            raise AuthenticationFailed(f"service account {namespace}/{account.get('name', '')} has been deleted")
        if current["metadata"].get("uid") != account.get("uid"):
            raise AuthenticationFailed(f"service account UID ({current['metadata'].get('uid')}) does not match "
                                       f"claim ({account.get('uid')})")
        for kind in ("Secret", "Pod"):
            ref = private.get(kind.lower())
            if ref is None:  # a nil *ref; an empty one names an object that is not there
                continue
            try:
                bound = self._get(BOUND_KINDS[kind], namespace, ref.get("name", ""))
            except errors.StatusError:
                raise AuthenticationFailed("service account token has been invalidated") from None
            if _deleted_before(bound, deleted_before):
                raise AuthenticationFailed("service account token has been invalidated")
            if bound["metadata"].get("uid") != ref.get("uid"):
                raise AuthenticationFailed(f"{kind.lower()} UID ({bound['metadata'].get('uid')}) does not match "
                                           f"service account {kind.lower()} ref claim ({ref.get('uid')})")
        pod = private.get("pod")
        extra = {"authentication.kubernetes.io/pod-name": (pod["name"],),
                 "authentication.kubernetes.io/pod-uid": (pod["uid"],)} if pod else {}
        return UserInfo(f"{SA_PREFIX}{namespace}:{account.get('name', '')}", account.get("uid", ""),
                        ("system:serviceaccounts", f"system:serviceaccounts:{namespace}"), extra)


class LegacyServiceAccountTokenAuthenticator(ServiceAccountTokenAuthenticator):
    """The tokens of the kubernetes/serviceaccount issuer, which a service-account-token Secret
    holds: valid while that Secret holds the very token and the service account is there with the
    uid claimed; they name no audience and never expire."""

    issuer = LEGACY_ISSUER
    private_claims = _LEGACY_PRIVATE_CLAIMS

    @mirrors("(*k8s.io/kubernetes/pkg/serviceaccount.legacyValidator).Validate")
    def validate(self, claims: dict, token: str) -> UserInfo:
        private = {name.removeprefix("kubernetes.io/serviceaccount/"): claims.get(name) or ""
                   for name in self.private_claims}
        namespace, account, uid = private["namespace"], private["service-account.name"], private["service-account.uid"]
        for value, missing in ((claims.get("sub"), "sub claim is missing"), (namespace, "namespace claim is missing"),
                               (private["secret.name"], "secretName claim is missing"),
                               (account, "serviceAccountName claim is missing"),
                               (uid, "serviceAccountUID claim is missing")):
            if not value:
                raise AuthenticationFailed(missing)
        if split_username(claims["sub"]) != (namespace, account):
            raise AuthenticationFailed("sub claim is invalid")
        try:
            secret = self._get("secrets", namespace, private["secret.name"])
        except errors.StatusError:
            raise AuthenticationFailed("Token has been invalidated") from None
        if secret["metadata"].get("deletionTimestamp"):
            raise AuthenticationFailed("Token has been invalidated")
        if _unb64_std((secret.get("data") or {}).get("token", "")) != token.encode():
            raise AuthenticationFailed("Token does not match server's copy")
        try:
            current = self._get("serviceaccounts", namespace, account)
        except errors.StatusError as err:
            raise AuthenticationFailed(err.message) from None
        if current["metadata"].get("deletionTimestamp"):
            raise AuthenticationFailed(f"ServiceAccount {namespace}/{account} has been deleted")
        if current["metadata"].get("uid") != uid:
            raise AuthenticationFailed(f"ServiceAccount UID ({current['metadata'].get('uid')}) does not match claim "
                                       f"({uid})")
        return UserInfo(f"{SA_PREFIX}{namespace}:{account}", uid,
                        ("system:serviceaccounts", f"system:serviceaccounts:{namespace}"))


def _unb64_std(text: str) -> bytes:
    """A Secret's data value: standard base64, as its []byte is encoded; a value that is none (only
    a write past the apiserver, straight to etcd, stores one) matches no token."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _deleted_before(obj: dict, moment: float) -> bool:
    timestamp = obj["metadata"].get("deletionTimestamp")
    return bool(timestamp) and parse_rfc3339(timestamp) < moment


def _go_strings(values) -> str:
    """A []string as Go's %q prints it: ["a" "b"]."""
    return "[" + " ".join(json.dumps(value) for value in values) + "]"
