"""TokenRequest (serviceaccounts/NAME/token): a signed JWT for the service account, with audiences,
expirationSeconds and boundObjectRef as upstream validates them, that the apiserver's own token
authenticator accepts while the account (and the bound object) still exist. Sans-IO through the
handler chain over the reference etcd."""
from __future__ import annotations

import base64
import json

import pytest

from reference_impl.machinery import certutil
from reference_impl.apiserver.core import decoding
from reference_impl.apiserver.core.auth import (AuthenticationFailed, BearerTokenAuthenticator, RequestAuthenticator,
                                           UserInfo, new_authenticator)
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.tokenrequest import CRYPTO_FAILURE, ServiceAccountTokenAuthenticator, create_token
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import NOW

etcd, registry = test_handlers.etcd, test_handlers.registry  # fixtures, used by name

KEY = certutil.new_ca().private_key


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


class AdminToken:
    def authenticate_token(self, token, audiences=None):
        return UserInfo("admin", groups=("system:masters",)) if token == "admin" else None


class RecordingAuthorizer:
    def __init__(self):
        self.users = []

    def authorize(self, attributes):
        self.users.append(attributes.user)
        return True, ""


@pytest.fixture
def setup(registry, request):
    clock = Clock()
    tokens = ServiceAccountTokenAuthenticator(KEY.public_key(), registry.get, clock)
    authorizer = RecordingAuthorizer()
    authenticator = RequestAuthenticator([BearerTokenAuthenticator(AdminToken(), tokens)])
    chain = HandlerChain(registry, authenticator, authorizer, now=clock)
    chain.rest.token_key = KEY
    ns = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    send(chain, "admin", "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "robot"}})
    return chain, ns, clock, authorizer, tokens


def send(chain, token, method, path, body=None):
    response = chain.handle(Request(method, path, {}, {"Authorization": f"Bearer {token}",
                                                       "Content-Type": "application/json"},
                                    json.dumps(body).encode() if body is not None else b""))
    return response.code, json.loads(response.body)


def token_path(ns, name="robot"):
    return f"/api/v1/namespaces/{ns}/serviceaccounts/{name}/token"


def test_a_token_request_returns_a_token_the_server_accepts(setup):
    chain, ns, _, authorizer, _ = setup
    code, answer = send(chain, "admin", "POST", token_path(ns), {"spec": {"expirationSeconds": 3600}})
    assert code == 201 and answer["kind"] == "TokenRequest"
    assert answer["spec"]["audiences"] == ["https://kubernetes.default.svc.cluster.local"]
    assert answer["status"]["expirationTimestamp"] == "2023-11-14T23:13:20Z"
    code, _ = send(chain, answer["status"]["token"], "GET", f"/api/v1/namespaces/{ns}/pods")
    user = authorizer.users[-1]
    assert code == 200 and user.name == f"system:serviceaccount:{ns}:robot"
    assert f"system:serviceaccounts:{ns}" in user.groups


def test_an_expired_token_is_401_after_the_leeway(setup):
    """The validator allows jwt.DefaultLeeway (60s) of clock skew past exp, then 'service account token
    has expired'."""
    chain, ns, clock, _, tokens = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {"expirationSeconds": 600}})[1]["status"]["token"]
    clock.now += 660
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200
    clock.now += 1
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 401
    with pytest.raises(AuthenticationFailed, match="^service account token has expired$"):
        tokens.authenticate_token(token)


def test_a_token_for_another_audience_is_refused(setup):
    chain, ns, _, _, tokens = setup
    answer = send(chain, "admin", "POST", token_path(ns), {"spec": {"audiences": ["vault"]}})[1]
    assert answer["spec"]["audiences"] == ["vault"]
    with pytest.raises(AuthenticationFailed) as refused:
        tokens.authenticate_token(answer["status"]["token"])
    assert str(refused.value) == ('token audiences ["vault"] is invalid for the target audiences '
                                  '["https://kubernetes.default.svc.cluster.local"]')


def test_the_answer_is_encoded_in_the_go_structs_field_order(setup):
    """ObjectMeta's name and namespace come before its creationTimestamp, as the real 1.24 server
    writes the TokenRequest it answers."""
    chain, ns, _, _, _ = setup
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                  "Content-Type": "application/json"},
                                    json.dumps({"metadata": {"name": "x", "namespace": ns}, "spec": {}}).encode()))
    assert response.code == 201
    assert response.body.startswith(b'{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":'
                                    b'{"name":"x","namespace":"' + ns.encode() + b'","creationTimestamp":null,')


@pytest.mark.parametrize("spec, fields", [
    ({}, {"f:spec": {"f:expirationSeconds": {}}}),
    ({"audiences": ["vault"], "boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "s"}},
     {"f:spec": {"f:audiences": {}, "f:boundObjectRef": {"f:apiVersion": {}, "f:kind": {}, "f:name": {}},
                 "f:expirationSeconds": {}}}),
])
def test_the_answer_carries_the_managed_fields_of_its_create(setup, spec, fields):
    """createHandler's field manager records the decoded request (expirationSeconds defaulted, the
    audiences not yet) as an Update of subresource token, as the real 1.24 server answers."""
    chain, ns, _, _, _ = setup
    send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "s"}})
    response = chain.handle(Request("POST", token_path(ns), {"fieldManager": ["mine"]},
                                    {"Authorization": "Bearer admin", "Content-Type": "application/json"},
                                    json.dumps({"spec": spec}).encode()))
    assert response.code == 201
    [entry] = json.loads(response.body)["metadata"]["managedFields"]
    assert {key: value for key, value in entry.items() if key != "time"} == {
        "manager": "mine", "operation": "Update", "apiVersion": "authentication.k8s.io/v1", "fieldsType": "FieldsV1",
        "fieldsV1": fields, "subresource": "token"}


def test_the_answer_is_the_request_with_a_status(setup):
    """TokenREST.Create answers a deep copy of the request: its metadata as sent (no name, no
    namespace, a zero creationTimestamp written as null) and its bound object reference as sent,
    the uid it was checked against not filled in."""
    chain, ns, _, _, _ = setup
    send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "s"}})
    code, answer = send(chain, "admin", "POST", token_path(ns),
                        {"metadata": {"labels": {"a": "b"}}, "spec": {"boundObjectRef": {"kind": "Secret", "name": "s"}}})
    assert code == 201
    assert {k: v for k, v in answer["metadata"].items() if k != "managedFields"} == {
        "creationTimestamp": None, "labels": {"a": "b"}}
    assert answer["spec"]["boundObjectRef"] == {"kind": "Secret", "name": "s"}


def test_a_token_bound_to_a_pod_dies_with_the_pod(setup):
    chain, ns, _, _, _ = setup
    pod = {"metadata": {"name": "p"}, "spec": {"serviceAccountName": "robot",
                                               "containers": [{"name": "c", "image": "i"}]}}
    assert send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/pods", pod)[0] == 201
    code, answer = send(chain, "admin", "POST", token_path(ns),
                        {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p"}}})
    assert code == 201
    token = answer["status"]["token"]
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200
    chain.handle(Request("DELETE", f"/api/v1/namespaces/{ns}/pods/p", {"gracePeriodSeconds": ["0"]},
                         {"Authorization": "Bearer admin"}, b""))
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 401




@pytest.mark.parametrize("kind,plural,message", [
    ("Pod", "pods", "pod UID ({new}) does not match service account pod ref claim ({old})"),
    ("Secret", "secrets", "secret UID ({new}) does not match service account secret ref claim ({old})"),
    ("ServiceAccount", "serviceaccounts", "service account UID ({new}) does not match claim ({old})"),
])
def test_a_bound_token_dies_when_its_object_is_recreated_with_another_uid(setup, kind, plural, message):
    """pkg/serviceaccount's validator compares the uids the token claims with the objects' current
    ones, and says which claim no longer holds."""
    chain, ns, _, _, tokens = setup
    objects = {"Pod": {"metadata": {"name": "p"}, "spec": {"serviceAccountName": "robot",
                                                           "containers": [{"name": "c", "image": "i"}]}},
               "Secret": {"metadata": {"name": "s"}}, "ServiceAccount": {"metadata": {"name": "robot"}}}
    name = objects[kind]["metadata"]["name"]
    collection = f"/api/v1/namespaces/{ns}/{plural}"
    if kind != "ServiceAccount":
        assert send(chain, "admin", "POST", collection, objects[kind])[0] == 201
    spec = {} if kind == "ServiceAccount" else {"boundObjectRef": {"kind": kind, "apiVersion": "v1", "name": name}}
    token = send(chain, "admin", "POST", token_path(ns), {"spec": spec})[1]["status"]["token"]
    old = send(chain, "admin", "GET", f"{collection}/{name}")[1]["metadata"]["uid"]
    chain.handle(Request("DELETE", f"{collection}/{name}", {"gracePeriodSeconds": ["0"]},
                         {"Authorization": "Bearer admin"}, b""))
    new = send(chain, "admin", "POST", collection, objects[kind])[1]["metadata"]["uid"]
    with pytest.raises(AuthenticationFailed) as refused:
        tokens.authenticate_token(token)
    assert str(refused.value) == message.format(new=new, old=old)


def test_a_pod_bound_token_lasts_through_the_pods_graceful_deletion(setup):
    """The validator counts a bound pod as deleted once its deletionTimestamp (now + grace period) is
    more than jwt.DefaultLeeway (60s) past: a terminating pod keeps its API access meanwhile."""
    chain, ns, clock, _, tokens = setup
    pod = {"metadata": {"name": "p"}, "spec": {"serviceAccountName": "robot", "nodeName": "n1",
                                               "containers": [{"name": "c", "image": "i"}]}}
    assert send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/pods", pod)[0] == 201
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {"boundObjectRef": {
        "kind": "Pod", "apiVersion": "v1", "name": "p"}}})[1]["status"]["token"]
    chain.handle(Request("DELETE", f"/api/v1/namespaces/{ns}/pods/p", {"gracePeriodSeconds": ["30"]},
                         {"Authorization": "Bearer admin"}, b""))
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200
    clock.now += 90
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200
    clock.now += 1
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 401
    with pytest.raises(AuthenticationFailed, match="^service account token has been invalidated$"):
        tokens.authenticate_token(token)

def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_pod_bound_token_of_3607_seconds_is_extended_to_a_year(setup):
    """--service-account-extend-token-expiration (on by default): a pod-bound token asked for with
    the 3607 seconds ServiceAccount admission projects expires after a year, with a warnafter claim
    at the 3607 seconds the status still reports; an unbound one is not extended."""
    chain, ns, clock, _, tokens = setup
    pod = {"metadata": {"name": "p"}, "spec": {"serviceAccountName": "robot",
                                               "containers": [{"name": "c", "image": "i"}]}}
    assert send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/pods", pod)[0] == 201
    bound = send(chain, "admin", "POST", token_path(ns), {"spec": {"expirationSeconds": 3607, "boundObjectRef": {
        "kind": "Pod", "apiVersion": "v1", "name": "p"}}})[1]
    unbound = send(chain, "admin", "POST", token_path(ns), {"spec": {"expirationSeconds": 3607}})[1]
    assert bound["spec"]["expirationSeconds"] == 3607
    assert bound["status"]["expirationTimestamp"] == unbound["status"]["expirationTimestamp"] == "2023-11-14T23:13:27Z"
    claims = claims_of(bound["status"]["token"])
    assert (claims["exp"], claims["kubernetes.io"]["warnafter"]) == (int(NOW) + 365 * 24 * 3600, int(NOW) + 3607)
    assert "warnafter" not in claims_of(unbound["status"]["token"])["kubernetes.io"]
    clock.now += 3607 + 61
    assert tokens.authenticate_token(bound["status"]["token"]).name == f"system:serviceaccount:{ns}:robot"
    with pytest.raises(AuthenticationFailed, match="^service account token has expired$"):
        tokens.authenticate_token(unbound["status"]["token"])


def test_a_token_binds_only_to_a_pod_running_as_its_service_account(setup):
    """TokenREST.Create refuses a Pod whose spec.serviceAccountName is another account (400), and a
    bound object whose uid is not the one named (409, on the reference's kind)."""
    chain, ns, _, _, _ = setup
    pod = {"metadata": {"name": "p"}, "spec": {"serviceAccountName": "default",
                                               "containers": [{"name": "c", "image": "i"}]}}
    assert send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/pods", pod)[0] == 201
    code, status = send(chain, "admin", "POST", token_path(ns),
                        {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p"}}})
    assert (code, status["message"]) == (400, 'cannot bind token for serviceaccount "robot" to pod running with '
                                              "different serviceaccount name.")
    code, status = send(chain, "admin", "POST", token_path(ns, "default"),
                        {"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": "x"}}})
    assert (code, status["message"]) == (409, 'Operation cannot be fulfilled on Pod "p": the UID in the bound '
                                              "object reference (x) does not match the UID in record. The object "
                                              "might have been deleted and then recreated")

@pytest.mark.parametrize("spec,code", [
    ({"expirationSeconds": 10}, 422),
    ({"expirationSeconds": 2 ** 33}, 422),
    ({"boundObjectRef": {"kind": "Pod", "name": "missing"}}, 404),
    ({"expirationSeconds": "soon"}, 400),
])
def test_invalid_token_requests(setup, spec, code):
    chain, ns, _, _, _ = setup
    assert send(chain, "admin", "POST", token_path(ns), {"spec": spec})[0] == code



UNDECODABLE = 'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal '


@pytest.mark.parametrize("body,message", [
    ({"spec": "x"}, UNDECODABLE + "string into Go struct field TokenRequest.spec of type v1.TokenRequestSpec"),
    ({"spec": {"expirationSeconds": "soon"}},
     UNDECODABLE + "string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
    ({"spec": {"expirationSeconds": 1.5}},
     UNDECODABLE + "number 1.5 into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
    ({"spec": {"audiences": "api"}},
     UNDECODABLE + "string into Go struct field TokenRequestSpec.spec.audiences of type []string"),
    ({"spec": {"audiences": [5]}},
     UNDECODABLE + "number into Go struct field TokenRequestSpec.spec.audiences of type string"),
    ({"spec": {"boundObjectRef": []}},
     UNDECODABLE + "array into Go struct field TokenRequestSpec.spec.boundObjectRef of type v1.BoundObjectReference"),
    ({"spec": {"boundObjectRef": {"kind": "Pod", "uid": 5}}},
     UNDECODABLE + "number into Go struct field BoundObjectReference.spec.boundObjectRef.uid of type types.UID"),
    ({"apiVersion": "v1", "kind": "Pod"},
     'Pod in version "v1" cannot be handled as a TokenRequest: converting (v1.Pod) to (authentication.TokenRequest): '
     "unknown conversion"),
    ({"apiVersion": "authentication.k8s.io/v9", "kind": "TokenRequest"},
     'TokenRequest in version "v9" cannot be handled as a TokenRequest: no kind "TokenRequest" is registered for '
     'version "authentication.k8s.io/v9" in scheme "pkg/api/legacyscheme/scheme.go:30"'),
    ({"status": 5}, UNDECODABLE + "number into Go struct field TokenRequest.status of type v1.TokenRequestStatus"),
    ({"status": {"token": 5}, "spec": {"expirationSeconds": "x"}},
     UNDECODABLE + "number into Go struct field TokenRequestStatus.status.token of type string"),
    ({"spec": {"expirationSeconds": "x"}, "status": {"expirationTimestamp": 5}},
     UNDECODABLE + "number into Go struct field TokenRequestStatus.status.expirationTimestamp of type string"),
    ({"spec": {"expirationSeconds": "x"}, "status": {"expirationTimestamp": "nope"}},
     'TokenRequest in version "v1" cannot be handled as a TokenRequest: parsing time "nope" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse "nope" as "2006"'),
    ({"metadata": {"managedFields": [{"fieldsV1": 5}]}, "spec": {"audiences": 5}},
     UNDECODABLE + "number into Go struct field TokenRequestSpec.spec.audiences of type []string"),
    ({"spec": {"audiences": 5}, "metadata": {"creationTimestamp": "bad"}},
     'TokenRequest in version "v1" cannot be handled as a TokenRequest: parsing time "bad" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"'),
    ({"spec": {"audiences": 5}, "metadata": {"managedFields": [{"time": "bad"}]}},
     'TokenRequest in version "v1" cannot be handled as a TokenRequest: parsing time "bad" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"'),
], ids=["spec", "expiration", "fractional-expiration", "audiences", "audience", "bound-ref", "bound-uid",
        "other-kind", "unknown-version", "status", "status-token-first", "status-time-type-wins",
        "status-time-parse-wins", "raw-fields-v1", "metadata-time-parse-wins", "managed-fields-time-parse-wins"])
def test_a_token_request_the_codec_refuses_is_400(setup, body, message):
    """The body decodes into an authentication.k8s.io/v1 TokenRequest first; what the codec
    refuses is transformDecodeError's 400 with the decoder's words, the client's status included
    (real 1.24: each message as here). A metav1.Time's error ends the decoding, so it wins over
    a type error before it."""
    chain, ns, _, _, _ = setup
    code, status = send(chain, "admin", "POST", token_path(ns), body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_token_request_holds_only_what_its_go_struct_holds(setup):
    """The body decodes into a v1.TokenRequest, which has no place for unknown fields and drops
    a bound object reference's empty (omitempty) strings: the answer and its managedFields name
    neither, as the real 1.24 server's do."""
    chain, ns, _, _, _ = setup
    send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "bound"}})
    body = {"spec": {"foo": 1, "boundObjectRef": {"kind": "Secret", "apiVersion": "", "name": "bound", "uid": "",
                                                   "bar": 2}}, "baz": 3}
    code, answer = send(chain, "admin", "POST", token_path(ns), body)
    assert (code, answer["spec"]["boundObjectRef"]) == (201, {"kind": "Secret", "name": "bound"})
    assert "baz" not in answer
    assert answer["metadata"]["managedFields"][0]["fieldsV1"] == {
        "f:spec": {"f:boundObjectRef": {"f:kind": {}, "f:name": {}}, "f:expirationSeconds": {}}}


def test_a_token_requests_create_options_are_validated_before_its_body(setup):
    """createHandler validates CreateOptions for a token request as for any create: a bad dryRun
    is the options' 422."""
    chain, ns, _, _, _ = setup
    response = chain.handle(Request("POST", token_path(ns), {"dryRun": ["Bogus"]},
                                    {"Authorization": "Bearer admin", "Content-Type": "application/json"}, b"{}"))
    status = json.loads(response.body)
    assert (response.code, status["reason"], status["message"]) == (
        422, "Invalid", 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Bogus"}: '
                        'supported values: "All"')


@pytest.mark.parametrize("bound,message", [
    ({"kind": "ConfigMap", "apiVersion": "v1", "name": "x"}, "cannot bind token to object of type /v1, Kind=ConfigMap"),
    ({"kind": "Pod", "apiVersion": "apps/v1", "name": "x"}, "cannot bind token to object of type apps/v1, Kind=Pod"),
    ({"kind": "Secret", "apiVersion": "v1"}, "Name parameter required."),
])
def test_a_token_binds_only_to_a_named_pod_or_secret(setup, bound, message):
    """TokenREST.Create binds to a Pod or Secret of the core group (any version), fetched by its
    name; anything else is a 400."""
    chain, ns, _, _, _ = setup
    code, status = send(chain, "admin", "POST", token_path(ns), {"spec": {"boundObjectRef": bound}})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_an_invalid_token_request_names_no_object():
    """TokenREST.Create reports ValidateTokenRequest's errors with NewInvalid(gvk.GroupKind(), "", ...)."""
    with pytest.raises(StatusError) as refused:
        create_token(None, KEY, "ns", "robot", {"spec": {"expirationSeconds": 10}}, NOW)
    assert refused.value.message == ('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
                                     "Invalid value: 10: may not specify a duration less than 10 minutes")

def test_a_token_for_a_missing_service_account_is_404(setup):
    chain, ns, _, _, _ = setup
    assert send(chain, "admin", "POST", token_path(ns, "nobody"), {"spec": {}})[0] == 404


TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"


def test_a_token_review_names_the_bearer_of_an_issued_token(setup):
    """TokenReview runs the server's own token authenticators on spec.token."""
    chain, ns, _, _, _ = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {}})[1]["status"]["token"]
    code, review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token}})
    assert (code, review["kind"], review["status"]["authenticated"]) == (201, "TokenReview", True)
    user = review["status"]["user"]
    assert user["username"] == f"system:serviceaccount:{ns}:robot" and user["uid"]
    assert user["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    assert review["status"]["audiences"] == ["https://kubernetes.default.svc.cluster.local"]


def test_a_token_review_of_a_bad_token_answers_unauthenticated(setup):
    chain, _, _, _, _ = setup
    code, review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": "a.b.c"}})
    assert code == 201 and review["status"]["user"] == {} and "authenticated" not in review["status"]
    assert review["status"]["error"] == "invalid bearer token"  # one bearer authenticator's words, as upstream


@pytest.mark.parametrize("anonymous, status", [
    (True, {"authenticated": True, "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
            "audiences": ["aud-a", "aud-b"]}),
    (False, {"user": {}}),
])
def test_a_token_review_of_what_is_no_bearer_token_answers_as_anonymous_requests_are(registry, anonymous, status):
    """TokenReview authenticates `Authorization: Bearer <token>` with the whole request chain: a
    token with a leading space leaves the bearer authenticator an empty token, which it does not
    read, so with --anonymous-auth the review names system:anonymous, good for the audiences asked
    for, as the real 1.24 server answers; without it, nobody and no error."""
    authenticator = RequestAuthenticator([BearerTokenAuthenticator(AdminToken())], anonymous=anonymous)
    chain = HandlerChain(registry, authenticator, RecordingAuthorizer(), now=Clock())
    code, review = send(chain, "admin", "POST", TOKEN_REVIEWS,
                        {"spec": {"token": " admin", "audiences": ["aud-a", "aud-b"]}})
    assert (code, review["status"]) == (201, status)


@pytest.mark.parametrize("spoil", [lambda t: "\t" + t, lambda t: t.replace(".", "\t.", 1),
                                   lambda t: t.replace(".", ".\n", 2)],
                         ids=["leading-tab", "tab-before-a-dot", "newlines-after-the-dots"])
def test_whitespace_inside_an_issued_token_is_ignored(setup, spoil):
    """go-jose strips Go's \\s whitespace before it parses a JWS, so a token with a tab or a
    newline in it (the TokenReview's `Bearer <token>` header keeps them) is still its service
    account's, as the real 1.24 server answers (hasCorrectIssuer's base64 skips only newlines
    in the payload)."""
    chain, ns, _, _, _ = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {}})[1]["status"]["token"]
    code, review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": spoil(token)}})
    assert (code, review["status"].get("authenticated")) == (201, True)
    assert review["status"]["user"]["username"] == f"system:serviceaccount:{ns}:robot"


def b64_json(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def forged(token: str, payload: dict | None = None, alg: str | None = None) -> str:
    """`token` with its payload or its header's alg replaced, the signature kept."""
    header, body, signature = token.split(".")
    return f"{b64_json({'alg': alg}) if alg else header}.{b64_json(payload) if payload else body}.{signature}"


def test_a_token_naming_the_issuer_whose_signature_fails_is_go_joses_crypto_failure(setup):
    """hasCorrectIssuer reads the payload unverified: a token naming this issuer is the service
    account authenticator's to judge, and a signature that does not verify (a changed payload,
    another algorithm) is go-jose's ErrCryptoFailure, as the real 1.24 server's TokenReview shows;
    a token naming another issuer is none of its business."""
    assert CRYPTO_FAILURE == "square/go-jose: error in cryptographic primitive"
    chain, ns, _, _, tokens = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {}})[1]["status"]["token"]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    admin = {**claims, "sub": "system:serviceaccount:kube-system:admin"}
    for bad in (forged(token, admin), forged(token, alg="RS256")):
        code, review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": bad}})
        assert (code, review["status"]) == (201, {"user": {}, "error": CRYPTO_FAILURE})
        assert send(chain, bad, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 401
    assert tokens.authenticate_token(forged(token, {**claims, "iss": "https://elsewhere"})) is None


@pytest.mark.parametrize("path,spec,message", [
    (TOKEN_REVIEWS, {}, "token is required for TokenReview in authentication"),
    ("/apis/authentication.k8s.io/v1/namespaces/x/tokenreviews", {"token": "t"}, None),
])
def test_a_token_review_needs_a_token_and_no_namespace(setup, path, spec, message):
    chain, _, _, _, _ = setup
    code, status = send(chain, "admin", "POST", path, {"spec": spec})
    assert (code, status.get("message") if message else code) == ((400, message) if message else (404, 404))


def test_a_token_review_checks_the_audiences_it_names(setup):
    """spec.audiences replaces the API audiences for the review: a token made for vault is
    authenticated for vault, and the answer names the audiences both share."""
    chain, ns, _, _, _ = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {"audiences": ["vault", "x"]}})[1]["status"]["token"]
    review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token, "audiences": ["vault", "y"]}})[1]
    assert (review["status"]["authenticated"], review["status"]["audiences"]) == (True, ["vault"])
    assert review["status"]["user"]["username"] == f"system:serviceaccount:{ns}:robot"


@pytest.mark.parametrize("asked,answered", [(["db", "vault"], ["db", "vault"]), (["vault", "vault"], ["vault", "vault"]),
                                            (["y", "x", "vault"], ["x", "vault"])])
def test_a_token_reviews_audiences_are_the_asked_ones_the_token_holds(setup, asked, answered):
    """Audiences.Intersect walks the audiences the review asks for, keeping their order and
    repeats, not the token's: the real 1.24 server answers so for a token made for vault, x, db."""
    chain, ns, _, _, _ = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {"audiences": ["vault", "x", "db"]}})[1]
    review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token["status"]["token"],
                                                                   "audiences": asked}})[1]
    assert (review["status"]["authenticated"], review["status"]["audiences"]) == (True, answered)


def test_a_token_review_for_audiences_the_token_lacks_is_unauthenticated(setup):
    """An API token reviewed for vault, as the jwt authenticator answers it."""
    chain, ns, _, _, _ = setup
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {}})[1]["status"]["token"]
    review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token, "audiences": ["vault"]}})[1]
    assert "authenticated" not in review["status"] and review["status"]["user"] == {}
    assert review["status"]["error"] == ('token audiences ["https://kubernetes.default.svc.cluster.local"] is '
                                         'invalid for the target audiences ["vault"]')


def test_a_token_review_with_audiences_that_are_not_strings_is_400(setup):
    chain, _, _, _, _ = setup
    assert send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": "t", "audiences": ["a", 5]}})[0] == 400


def test_a_token_review_answers_with_its_spec_as_the_go_type_holds_it(setup):
    """Fields TokenReviewSpec does not have are dropped, an empty audiences is not written back,
    and the create handler's field manager records the token's setter in managedFields."""
    chain, _, _, _, _ = setup
    response = chain.handle(Request("POST", TOKEN_REVIEWS, {}, {
        "Authorization": "Bearer admin", "Content-Type": "application/json", "User-Agent": "probe/1.0"},
        json.dumps({"spec": {"token": "a.b.c", "x": 1, "audiences": []}}).encode()))
    review = json.loads(response.body)
    assert (response.code, review["spec"]) == (201, {"token": "a.b.c"})
    assert review["metadata"] == {"creationTimestamp": None, "managedFields": [
        {"manager": "probe", "operation": "Update", "apiVersion": "authentication.k8s.io/v1",
         "time": "2023-11-14T22:13:20Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:token": {}}}}]}


@pytest.fixture
def cached(registry, request):
    """The setup's server with kube-apiserver's token success cache in front of its token authenticators."""
    clock = Clock()
    authenticator = new_authenticator(clock=clock)
    authenticator.add_token_authenticator(AdminToken())
    authenticator.add_token_authenticator(ServiceAccountTokenAuthenticator(KEY.public_key(), registry.get, clock))
    chain = HandlerChain(registry, authenticator, RecordingAuthorizer(), now=clock)
    chain.rest.token_key = KEY
    ns = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    send(chain, "admin", "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    send(chain, "admin", "POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "robot"}})
    token = send(chain, "admin", "POST", token_path(ns), {"spec": {}})[1]["status"]["token"]
    return chain, ns, token


def test_a_request_warms_the_cache_a_token_review_without_audiences_reads(cached):
    """WithAuthentication asks for the API audiences, as a TokenReview with no spec.audiences does:
    both share one cache entry, so the review of a token used within 10s still names its user after
    its service account is deleted (as kube-apiserver 1.24 answers)."""
    chain, ns, token = cached
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200
    assert send(chain, "admin", "DELETE", f"/api/v1/namespaces/{ns}/serviceaccounts/robot")[0] == 200
    review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token}})[1]
    assert (review["status"]["authenticated"], review["status"]["user"]["username"],
            review["status"]["audiences"]) == (True, f"system:serviceaccount:{ns}:robot",
                                               ["https://kubernetes.default.svc.cluster.local"])


def test_a_token_review_without_audiences_warms_the_cache_a_request_reads(cached):
    chain, ns, token = cached
    assert send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token}})[1]["status"]["authenticated"]
    assert send(chain, "admin", "DELETE", f"/api/v1/namespaces/{ns}/serviceaccounts/robot")[0] == 200
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 200


def test_a_token_review_for_other_audiences_does_not_warm_the_requests_entry(cached):
    chain, ns, token = cached
    review = send(chain, "admin", "POST", TOKEN_REVIEWS, {"spec": {"token": token, "audiences": [
        "vault", "https://kubernetes.default.svc.cluster.local"]}})[1]
    assert review["status"]["authenticated"]
    assert send(chain, "admin", "DELETE", f"/api/v1/namespaces/{ns}/serviceaccounts/robot")[0] == 200
    assert send(chain, token, "GET", f"/api/v1/namespaces/{ns}/pods")[0] == 401


def test_a_token_requests_accept_is_negotiated_before_its_options(setup):
    """createHandler negotiates the output media type first: a Table asked of a token request is
    the 406 of an endpoint without a table convertor, before a bad dryRun's 422 (seen on the real
    1.24 server by request_random_differential)."""
    chain, ns, _, _, _ = setup
    response = chain.handle(Request("POST", token_path(ns), {"dryRun": ["Bogus"]},
                                    {"Authorization": "Bearer admin", "Content-Type": "application/json",
                                     "Accept": "application/json;as=Table;g=meta.k8s.io;v=v1"}, b"{}"))
    status = json.loads(response.body)
    assert (response.code, status["reason"], status["message"]) == (
        406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml, "
                              "application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("body,problem", [
    (b'{"spec":{"expirationSeconds":"x","expirationSeconds":3600}}',
     "cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
    (b'{"spec":{"audiences":[1],"audiences":["a"]}}',
     "cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string"),
    (b'{"spec":{"expirationSeconds":"x"},"spec":{"expirationSeconds":3600}}',
     "cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
], ids=["scalar", "list", "spec"])
def test_a_wrong_type_written_before_the_last_value_refuses_the_token_request(setup, body, problem):
    """encoding/json decodes every value of a key written twice into the TokenRequest and keeps the
    first error: the real 1.24 server answers these bodies 400 in these words."""
    chain, ns = setup[0], setup[1]
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                 "Content-Type": "application/json"}, body))
    assert (response.code, json.loads(response.body)["message"]) == (
        400, f'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: {problem}')


def test_a_token_request_body_is_merged_once(setup, monkeypatch):
    """The writes of a key written twice are merged once per request: the codec check and the
    struct the field manager sees read the same merged body."""
    chain, ns = setup[0], setup[1]
    merges = []
    merge = decoding.merged
    monkeypatch.setattr(decoding, "merged", lambda value, *fields: merges.append(value) or merge(value, *fields))
    body = b'{"spec":{"expirationSeconds":600},"spec":{"expirationSeconds":3600}}'
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                 "Content-Type": "application/json"}, body))
    assert (response.code, json.loads(response.body)["spec"]["expirationSeconds"]) == (201, 3600)
    assert len(merges) == 1


def test_a_spec_written_again_as_null_keeps_the_first_spec(setup):
    """TokenRequestSpec is a struct held by value: encoding/json ignores a null written into it.
    The real 1.24 server issues this token for audience "x" (its managedFields name f:audiences)."""
    chain, ns = setup[0], setup[1]
    body = b'{"spec":{"audiences":["x"],"expirationSeconds":700},"spec":null}'
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                 "Content-Type": "application/json"}, body))
    answer = json.loads(response.body)
    assert (response.code, answer["spec"]["audiences"], answer["spec"]["expirationSeconds"]) == (201, ["x"], 700)


@pytest.mark.parametrize("body,problem", [
    (b'{"spec":{"audiences":[5],"expirationSeconds":"x"}}',
     "cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string"),
    (b'{"spec":{"audiences":["a"],"expirationSeconds":"x","audiences":5}}',
     "cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
    (b'{"spec":{"boundObjectRef":{"name":5},"expirationSeconds":"x"}}',
     "cannot unmarshal number into Go struct field BoundObjectReference.spec.boundObjectRef.name of type string"),
    (b'{"metadata":5,"spec":{"expirationSeconds":"x"}}',
     "cannot unmarshal number into Go struct field TokenRequest.metadata of type v1.ObjectMeta"),
    (b'{"metadata":{"name":5},"spec":{"expirationSeconds":"x"}}',
     "cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"),
    (b'{"spec":{"expirationSeconds":"x"},"metadata":5}',
     "cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
], ids=["list-item-before-later-field", "later-write-after-other-field", "bound-ref-field-before-later-field",
        "metadata-first", "metadata-field-first", "spec-first"])
def test_a_token_request_names_its_first_wrong_value_in_the_body_order(setup, body, problem):
    """encoding/json decodes the body depth first in the order it is written and reports the first
    value of a wrong type it meets: the real 1.24 server answers each of these bodies 400 naming
    that value, not the first key holding one."""
    chain, ns = setup[0], setup[1]
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                 "Content-Type": "application/json"}, body))
    assert (response.code, json.loads(response.body)["message"]) == (
        400, f'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: {problem}')


def test_a_yaml_token_request_names_its_first_wrong_value_in_sorted_key_order(setup):
    """YAMLToJSON writes the body's keys sorted before the decoder meets them: the real 1.24 server
    names `audiences` here, written after `expirationSeconds` (seen with curl)."""
    chain, ns = setup[0], setup[1]
    body = b"spec:\n  expirationSeconds: x\n  audiences: [5]\n"
    response = chain.handle(Request("POST", token_path(ns), {}, {"Authorization": "Bearer admin",
                                                                 "Content-Type": "application/yaml"}, body))
    assert (response.code, json.loads(response.body)["message"]) == (
        400, f"{UNDECODABLE}number into Go struct field TokenRequestSpec.spec.audiences of type string")
