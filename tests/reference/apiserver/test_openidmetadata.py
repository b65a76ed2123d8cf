"""Service account issuer discovery: /.well-known/openid-configuration and /openid/v1/jwks, answered
as the real kube-apiserver 1.24 answers them (compared request by request: the documents' member
order, go-restful's 404/405/406 around the two routes, the Cache-Control header).

The chain is called in-process, with no registry and no authorizer."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import tokenrequest
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.openidmetadata import jwk_from_public_key, new_openid_metadata

ISSUER = "https://kubernetes.default.svc.cluster.local"
KEY = ec.generate_private_key(ec.SECP256R1())


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def chain():
    served = HandlerChain(registry=None)
    served.openid_metadata = new_openid_metadata(ISSUER, "127.0.0.1:6443", [KEY.public_key()])
    return served


def call(chain, path: str, method: str = "GET", accept: str | None = None):
    return chain.handle(Request(method, path, {}, {} if accept is None else {"Accept": accept}))


def test_the_discovery_document_names_the_issuer_and_the_key_set_on_the_external_address(chain):
    response = call(chain, "/.well-known/openid-configuration", accept="application/json")
    assert (response.code, response.content_type, response.cache_control) == \
        (200, "application/json", "public, max-age=3600")
    assert response.body == (b'{"issuer":"https://kubernetes.default.svc.cluster.local",'
                             b'"jwks_uri":"https://127.0.0.1:6443/openid/v1/jwks",'
                             b'"response_types_supported":["id_token"],"subject_types_supported":["public"],'
                             b'"id_token_signing_alg_values_supported":["ES256"]}')


def test_the_key_set_verifies_a_service_account_token(chain):
    """The JWK whose kid a token names verifies its signature: what a relying party does."""
    response = call(chain, "/openid/v1/jwks", accept="*/*")
    assert (response.code, response.content_type) == (200, "application/jwk-set+json")
    (jwk,) = json.loads(response.body)["keys"]
    assert list(jwk) == ["use", "kty", "kid", "crv", "alg", "x", "y"]  # go-jose's rawJSONWebKey order
    token = tokenrequest.sign({"iss": ISSUER, "sub": "system:serviceaccount:default:default"}, KEY)
    header, payload, signature = token.split(".")
    assert json.loads(unb64(header))["kid"] == jwk["kid"]
    x, y = (int.from_bytes(unb64(jwk[name]), "big") for name in ("x", "y"))
    public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    raw = unb64(signature)
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))


def test_an_rsa_key_is_an_rs256_jwk():
    """kube-apiserver's usual key (kubeadm's sa.key) is RSA: n and e big-endian without leading zeros."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = jwk_from_public_key(key)
    assert list(jwk) == ["use", "kty", "kid", "alg", "n", "e"]
    assert (jwk["kty"], jwk["alg"], jwk["e"]) == ("RSA", "RS256", "AQAB")
    assert int.from_bytes(unb64(jwk["n"]), "big") == key.public_numbers().n
    assert b'"id_token_signing_alg_values_supported":["ES256","RS256"]' in \
        new_openid_metadata(ISSUER, "h:1", [key, KEY.public_key()]).config_json


@pytest.mark.parametrize("path, accept, code", [
    ("/openid/v1/jwks", "application/json", 406),  # the route produces only application/jwk-set+json
    ("/openid/v1/jwks", "application/json, application/jwk-set+json", 200),
    ("/openid/v1/jwks", None, 200),
    ("/openid/v1/jwks/", "application/jwk-set+json", 200),
    ("/.well-known/openid-configuration/", "application/json", 200),
    ("/.well-known/openid-configuration", "application/jwk-set+json", 406),
    ("/.well-known/openid-configuration", "text/html", 406),
])
def test_the_routes_answer_the_accept_headers_they_produce(chain, path, accept, code):
    response = call(chain, path, accept=accept)
    assert response.code == code
    if code == 406:
        assert json.loads(response.body)["message"] == "406: Not Acceptable"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD"])
def test_only_get_is_routed(chain, method):
    response = call(chain, "/openid/v1/jwks", method=method, accept="*/*")
    assert response.code == 405
    assert json.loads(response.body)["message"] == "the server does not allow this method on the requested resource"


def test_a_path_below_a_route_is_its_web_services_404_and_one_above_is_gos(chain):
    below = call(chain, "/openid/v1/jwks/x", method="POST")
    assert (below.code, json.loads(below.body)["message"]) == (404, "the server could not find the requested resource")
    above = call(chain, "/openid/v1")
    assert (above.code, above.body) == (404, b"404 page not found\n")


def test_the_index_lists_both_paths(chain):
    paths = json.loads(call(chain, "/").body)["paths"]
    assert paths[0] == "/.well-known/openid-configuration" and "/openid/v1/jwks" in paths
    without = HandlerChain(registry=None).handle(Request("GET", "/", {}, {}))
    assert "/openid/v1/jwks" not in json.loads(without.body)["paths"]
