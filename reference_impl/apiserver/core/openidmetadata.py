"""Service account issuer discovery: the OpenID Connect discovery document at
`/.well-known/openid-configuration` and the JSON Web Key Set at `/openid/v1/jwks`, from which a
relying party outside the cluster verifies service account tokens (kube-apiserver serves both, GA
since 1.21).

Both are computed once at start from the issuer and the token verification keys, and served as
go-restful web services of one GET route each: another method is go-restful's 405, a path below
either its 404 Status, an Accept the route does not produce its 406. The bootstrap policy lets only
service accounts read them (system:service-account-issuer-discovery).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from reference_impl.apiserver.core import errors, jsonserializer
from reference_impl.apiserver.core.handlers import Request, Response, route_accepts
from reference_impl.apiserver.core.tokenrequest import public_key_id
from reference_impl.mirrors import mirrors

OPENID_CONFIG_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/openid/v1/jwks"
JWKS_MEDIA_TYPE = "application/jwk-set+json"
# Overrides the API's `no-cache, private`: the documents change only with the server's keys.
CACHE_CONTROL = "public, max-age=3600"
_EC_ALGORITHMS = {"secp256r1": ("P-256", "ES256"), "secp384r1": ("P-384", "ES384"), "secp521r1": ("P-521", "ES512")}


@dataclass(frozen=True)
class OpenIDMetadata:
    config_json: bytes
    keyset_json: bytes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(number: int, size: int = 0) -> bytes:
    """A big.Int's bytes, big-endian, left-padded to `size` (go-jose's newFixedSizeBuffer)."""
    return number.to_bytes(max(size, (number.bit_length() + 7) // 8), "big")


@mirrors("k8s.io/kubernetes/pkg/serviceaccount.jwkFromPublicKey")
def jwk_from_public_key(public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> dict:
    """The key as a public JWK, its members in the order go-jose's rawJSONWebKey marshals them."""
    head = {"use": "sig"}
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        return {**head, "kty": "RSA", "kid": public_key_id(public_key), "alg": "RS256",
                "n": _b64(_unsigned(numbers.n)), "e": _b64(_unsigned(numbers.e))}
    curve, algorithm = _EC_ALGORITHMS[public_key.curve.name]
    numbers, size = public_key.public_numbers(), (public_key.curve.key_size + 7) // 8
    return {**head, "kty": "EC", "kid": public_key_id(public_key), "crv": curve, "alg": algorithm,
            "x": _b64(_unsigned(numbers.x, size)), "y": _b64(_unsigned(numbers.y, size))}


@mirrors("k8s.io/kubernetes/pkg/serviceaccount.NewOpenIDMetadata")
def new_openid_metadata(issuer: str, external_address: str, public_keys: list) -> OpenIDMetadata:
    """The two documents for tokens of `issuer`, the key set's URI on the server's external
    address (no --service-account-jwks-uri is given)."""
    keys = [jwk_from_public_key(key) for key in public_keys]
    config = {"issuer": issuer, "jwks_uri": f"https://{external_address}{JWKS_PATH}",
              "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
              "id_token_signing_alg_values_supported": sorted({key["alg"] for key in keys})}
    return OpenIDMetadata(jsonserializer.encode(config), jsonserializer.encode({"keys": keys}))


def routes(path: str) -> bool:
    """Whether one of the two web services' root paths prefixes `path`."""
    return any(path == root or path.startswith(root + "/") for root in (OPENID_CONFIG_PATH, JWKS_PATH))


@mirrors("(*k8s.io/kubernetes/pkg/routes.OpenIDMetadataServer).Install")
def serve(metadata: OpenIDMetadata, request: Request) -> Response:
    """A request to a path `routes` accepts, as go-restful selects the route: the path (one
    trailing slash allowed), then the method, then the Accept header."""
    path = request.path.removesuffix("/")
    if path not in (OPENID_CONFIG_PATH, JWKS_PATH):
        raise errors.generic_server_response(404)
    if request.method != "GET":
        raise errors.generic_server_response(405)
    body, media_type = ((metadata.config_json, "application/json") if path == OPENID_CONFIG_PATH
                        else (metadata.keyset_json, JWKS_MEDIA_TYPE))
    if not route_accepts(request.header("Accept"), (media_type,)):
        raise errors.unacceptable_route()
    return Response(200, body, media_type, cache_control=CACHE_CONTROL)
