"""A service account token's claims as kube-apiserver 1.24's jwtTokenAuthenticator reads them:
decoded into go-jose's claim types (a claim of the wrong JSON type is refused in the decoder's
words), a token naming no audience taken as meant for the API, a critical header refused, and the
service account and bound objects looked up as the validator's client-go getter asks for them;
and the legacy issuer's tokens, which a Secret holds, as legacyValidator checks them.

Each expected answer is the real 1.24 server's, for a token signed with its own key (forged
tokens with the same claims, compared through TokenReview)."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.auth import AuthenticationFailed
from reference_impl.apiserver.core.tokenrequest import (ISSUER, LEGACY_ISSUER, LegacyServiceAccountTokenAuthenticator,
                                                        ServiceAccountTokenAuthenticator, public_key_id, sign)

KEY = ec.generate_private_key(ec.SECP256R1())
NOW = 1_700_000_000
OBJECTS = {("serviceaccounts", "team", "robot"): {"metadata": {"name": "robot", "uid": "sa-uid"}},
           ("pods", "team", "web"): {"metadata": {"name": "web", "uid": "pod-uid"}}}


def lookup(plural: str, namespace: str, name: str) -> dict:
    try:
        return OBJECTS[plural, namespace, name]
    except KeyError:
        raise errors.StatusError(404, "NotFound", f'{plural} "{name}" not found') from None


AUTHENTICATOR = ServiceAccountTokenAuthenticator(KEY.public_key(), lookup, lambda: NOW)


def claims(**changes) -> dict:
    """A valid token's claims with `changes` (a value of ... removes the claim)."""
    base = {"aud": [ISSUER], "exp": NOW + 3600, "iat": NOW, "iss": ISSUER,
            "kubernetes.io": {"namespace": "team", "serviceaccount": {"name": "robot", "uid": "sa-uid"}},
            "nbf": NOW, "sub": "system:serviceaccount:team:robot"}
    base.update(changes)
    return {name: value for name, value in base.items() if value is not ...}


def refusal(token_claims: dict) -> str:
    with pytest.raises(AuthenticationFailed) as refused:
        AUTHENTICATOR.authenticate_token(sign(token_claims, KEY))
    return str(refused.value)


def private(**fields) -> dict:
    return {"namespace": "team", "serviceaccount": {"name": "robot", "uid": "sa-uid"}, **fields}


NUMERIC_DATE = "square/go-jose/jwt: expected number value to unmarshal NumericDate"
AUDIENCE = "square/go-jose/jwt: expected string or array value to unmarshal to Audience"


@pytest.mark.parametrize("changes, message", [
    ({"exp": "soon"}, NUMERIC_DATE), ({"nbf": True}, NUMERIC_DATE), ({"iat": {}}, NUMERIC_DATE),
    ({"exp": 10 ** 400}, NUMERIC_DATE),  # beyond float64: strconv.ParseFloat's range error
    ({"aud": None}, AUDIENCE), ({"aud": 5}, AUDIENCE), ({"aud": [ISSUER, 5]}, AUDIENCE),
    ({"sub": 5}, "json: cannot unmarshal number into Go value of type string"),
    ({"jti": ["x"]}, "json: cannot unmarshal array into Go value of type string"),
    ({"kubernetes.io": "x"}, "json: cannot unmarshal string into Go value of type serviceaccount.kubernetes"),
    ({"kubernetes.io": private(serviceaccount="robot")},
     "json: cannot unmarshal string into Go value of type serviceaccount.ref"),
    ({"kubernetes.io": private(pod="web")}, "json: cannot unmarshal string into Go value of type serviceaccount.ref"),
    ({"kubernetes.io": private(namespace=5)}, "json: cannot unmarshal number into Go value of type string"),
    ({"kubernetes.io": private(warnafter="x")}, NUMERIC_DATE),
    # A NumericDate's own error ends the decoding; a type error is kept while it goes on.
    ({"sub": 5, "exp": "x"}, NUMERIC_DATE),
    # The public claims are decoded (and refused) before the private ones.
    ({"kubernetes.io": "x", "sub": 5}, "json: cannot unmarshal number into Go value of type string"),
])
def test_a_claim_of_the_wrong_type_is_refused_in_the_decoders_words(changes, message):
    assert refusal(claims(**changes)) == message


@pytest.mark.parametrize("audience", [..., []])
def test_a_token_naming_no_audience_is_meant_for_the_api(audience):
    user = AUTHENTICATOR.authenticate_token(sign(claims(aud=audience), KEY))
    assert user.name == "system:serviceaccount:team:robot"


@pytest.mark.parametrize("changes, message", [
    ({"kubernetes.io": ...}, "resource name may not be empty"),
    ({"kubernetes.io": {"namespace": "", "serviceaccount": {"name": "robot"}}},
     "an empty namespace may not be set when a resource name is provided"),
    # An empty (not a null) pod reference names a pod the getter cannot read.
    ({"kubernetes.io": private(pod={})}, "service account token has been invalidated"),
])
def test_the_service_account_is_read_as_client_gos_getter_asks_for_it(changes, message):
    assert refusal(claims(**changes)) == message


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_with_a_critical_header_fails_verification():
    """go-jose supports no `crit` extension: its Verify answers ErrCryptoFailure."""
    header = {"alg": "ES256", "kid": public_key_id(KEY.public_key()), "crit": ["exp"]}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    r, s = decode_dss_signature(KEY.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    with pytest.raises(AuthenticationFailed, match="square/go-jose: error in cryptographic primitive"):
        AUTHENTICATOR.authenticate_token(token)


LEGACY = "kubernetes.io/serviceaccount/"
LEGACY_AUTHENTICATOR = LegacyServiceAccountTokenAuthenticator(KEY.public_key(), lookup, lambda: NOW)


def legacy_claims(changes: dict | None = None) -> dict:
    """A legacy token's claims (it has no audience and no expiry) with `changes` (... removes one)."""
    base = {"iss": LEGACY_ISSUER, f"{LEGACY}namespace": "team", f"{LEGACY}secret.name": "robot-token",
            f"{LEGACY}service-account.name": "robot", f"{LEGACY}service-account.uid": "sa-uid",
            "sub": "system:serviceaccount:team:robot", **(changes or {})}
    return {name: value for name, value in base.items() if value is not ...}


def held_in_secret(token: str, name: str = "robot-token") -> None:
    OBJECTS["secrets", "team", name] = {"metadata": {"name": name},
                                        "data": {"token": base64.b64encode(token.encode()).decode()}}


def test_a_legacy_token_held_by_its_secret_is_its_service_account():
    token = sign(legacy_claims(), KEY)
    held_in_secret(token)
    user = LEGACY_AUTHENTICATOR.authenticate_token(token)
    assert (user.name, user.uid, user.groups) == ("system:serviceaccount:team:robot", "sa-uid",
                                                 ("system:serviceaccounts", "system:serviceaccounts:team"))
    assert AUTHENTICATOR.authenticate_token(token) is None  # not the bound tokens' issuer


@pytest.mark.parametrize("changes, message", [
    ({"sub": ...}, "sub claim is missing"),
    ({f"{LEGACY}namespace": ...}, "namespace claim is missing"),
    ({f"{LEGACY}secret.name": ""}, "secretName claim is missing"),
    ({f"{LEGACY}service-account.uid": ...}, "serviceAccountUID claim is missing"),
    ({"sub": "system:serviceaccount:team:other"}, "sub claim is invalid"),
    ({f"{LEGACY}secret.name": "gone"}, "Token has been invalidated"),
    ({f"{LEGACY}secret.name": "other-token"}, "Token does not match server's copy"),
    ({f"{LEGACY}service-account.uid": "old-uid"}, "ServiceAccount UID (sa-uid) does not match claim (old-uid)"),
    ({f"{LEGACY}namespace": 5}, "json: cannot unmarshal number into Go value of type string"),
])
def test_a_legacy_token_is_refused_as_legacy_validator_words_it(changes, message):
    """Each as the real 1.24 server's TokenReview reports a token with those claims."""
    held_in_secret("another token", "other-token")
    token = sign(legacy_claims(changes), KEY)
    held_in_secret(token)
    with pytest.raises(AuthenticationFailed) as refused:
        LEGACY_AUTHENTICATOR.authenticate_token(token)
    assert str(refused.value) == message


def test_a_secret_whose_token_is_no_base64_does_not_match_the_token():
    """Only a write straight to etcd stores such a Secret; it raised binascii.Error out of
    authentication, a 500, where it holds no token at all."""
    token = sign(legacy_claims(), KEY)
    OBJECTS["secrets", "team", "robot-token"] = {"metadata": {"name": "robot-token"},
                                                 "data": {"token": "not base64!"}}
    with pytest.raises(AuthenticationFailed, match="Token does not match server's copy"):
        LEGACY_AUTHENTICATOR.authenticate_token(token)


@pytest.mark.parametrize("change", [lambda t: t + "=", lambda t: t + "!", lambda t: t.replace(".", "=.", 1),
                                    lambda t: t[:-1] + "+"])
def test_a_token_whose_parts_are_not_raw_url_base64_is_no_token(change):
    """go-jose decodes each part with base64.RawURLEncoding: padding or a character outside the URL
    alphabet makes the token unparseable (no user, no reason), where Python's decoder passed over
    it and the real 1.24 server's 401 was our 200."""
    assert AUTHENTICATOR.authenticate_token(change(sign(claims(), KEY))) is None
