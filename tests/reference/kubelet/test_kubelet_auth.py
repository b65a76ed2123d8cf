"""The kubelet API's auth filter, with no sockets: request attributes by path and method, 401 and
403 in upstream's words, SubjectAccessReviews and TokenReviews and how long their answers count."""
from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization

from reference_impl.machinery.certutil import issue_client_cert, new_ca
from reference_impl.apiserver.core.auth import (BearerTokenAuthenticator, RequestAuthenticator, UserInfo,
                                                X509Authenticator)
from reference_impl.kubelet.auth import (ALLOW_CACHE_TTL, DENY_CACHE_TTL, TOKEN_CACHE_TTL, KubeletAuth, Refusal,
                                         request_attributes)
from reference_impl.machinery.delegatedauth import ReviewError, TokenReviewAuthenticator, WebhookAuthorizer

ADMIN = UserInfo("kube-apiserver-kubelet-client", groups=("system:masters",))


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Apiserver:
    """Answers reviews: `allowed` users may use the node, `tokens` map to users; counts the asks."""

    allowed: set = field(default_factory=set)
    tokens: dict = field(default_factory=dict)
    asked: list = field(default_factory=list)
    down: bool = False

    def review(self, body: dict) -> dict:
        self.asked.append(body)
        if self.down:
            raise ReviewError("connection refused")
        if body["kind"] == "TokenReview":
            name = self.tokens.get(body["spec"]["token"])
            status = {"authenticated": True, "user": {"username": name, "groups": ["team"]}} if name else {}
            return {**body, "status": status}
        return {**body, "status": {"allowed": body["spec"]["user"] in self.allowed}}


@dataclass
class Request:
    headers: dict = field(default_factory=dict)
    peer_certificate_der: bytes | None = None


def attributes(method: str, path: str):
    a = request_attributes(ADMIN, method, path, "node-1")
    return a.verb, a.resource, a.subresource, a.name


def test_the_verb_is_the_api_verb_of_the_http_method():
    """POST is create, GET get, PUT update, PATCH patch, DELETE delete; any other method no verb."""
    assert [attributes(m, "/exec/ns/p/c")[0] for m in ("POST", "GET", "PUT", "PATCH", "DELETE", "HEAD")] == \
        ["create", "get", "update", "patch", "delete", ""]


def test_streams_and_container_logs_are_nodes_proxy():
    """Every path but /stats, /metrics and /logs asks about nodes/proxy of the kubelet's own node."""
    for path in ("/exec/ns/p/c", "/attach/ns/p/c", "/portForward/ns/p", "/containerLogs/ns/p/c", "/spec/",
                 "/statsz", "/logsx"):
        assert attributes("GET", path) == ("get", "nodes", "proxy", "node-1"), path


def test_stats_metrics_and_logs_paths_have_their_own_subresources():
    """isSubpath: the path itself or anything below it, with or without the trailing slash."""
    assert [attributes("GET", p)[2] for p in ("/stats", "/stats/summary", "/metrics", "/metrics/cadvisor",
                                               "/logs/", "/logs/syslog")] == \
        ["stats", "stats", "metrics", "metrics", "log", "log"]


def auth(server: Apiserver, clock: Clock, anonymous: bool = False, ca=None) -> KubeletAuth:
    chain = [X509Authenticator([ca.certificate])] if ca is not None else []
    chain.append(BearerTokenAuthenticator(TokenReviewAuthenticator(server.review, clock, TOKEN_CACHE_TTL)))
    return KubeletAuth(RequestAuthenticator(chain, anonymous),
                       WebhookAuthorizer(server.review, clock, ALLOW_CACHE_TTL, DENY_CACHE_TTL), "node-1")


def bearer(token: str) -> Request:
    return Request({"Authorization": f"Bearer {token}"})


def test_no_credentials_is_401_unauthorized_without_asking_the_apiserver():
    server = Apiserver()
    assert auth(server, Clock()).check(Request(), "GET", "/exec/ns/p/c") == Refusal(401, "Unauthorized")
    assert server.asked == []


def test_an_unknown_token_is_401_even_with_anonymous_access():
    """A credential presented and refused is never served as anonymous (union.NewFailOnError)."""
    server = Apiserver(tokens={}, allowed={"system:anonymous"})
    assert auth(server, Clock(), anonymous=True).check(bearer("nope"), "GET", "/pods").code == 401


def test_a_user_the_apiserver_does_not_allow_is_403_naming_the_attributes():
    server = Apiserver(tokens={"t": "viewer"})
    refusal = auth(server, Clock()).check(bearer("t"), "POST", "/exec/ns/p/c")
    assert refusal == Refusal(403, "Forbidden (user=viewer, verb=create, resource=nodes, subresource=proxy)")


def test_the_subject_access_review_asks_about_the_nodes_subresource_as_the_user():
    server = Apiserver(tokens={"t": "ops"}, allowed={"ops"})
    assert auth(server, Clock()).check(bearer("t"), "GET", "/containerLogs/ns/p/c") is None
    review = server.asked[-1]
    assert (review["apiVersion"], review["kind"]) == ("authorization.k8s.io/v1", "SubjectAccessReview")
    assert review["spec"] == {"resourceAttributes": {"verb": "get", "version": "v1", "resource": "nodes",
                                                     "subresource": "proxy", "name": "node-1"},
                              "user": "ops", "groups": ["team", "system:authenticated"]}


def test_the_token_review_asks_with_no_audiences():
    server = Apiserver(tokens={"t": "ops"}, allowed={"ops"})
    auth(server, Clock()).check(bearer("t"), "GET", "/pods")
    assert server.asked[0] == {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                               "spec": {"token": "t"}}


def test_a_client_certificate_the_client_ca_signed_is_its_cn_and_os():
    ca, server = new_ca(), Apiserver(allowed={"kube-apiserver-kubelet-client"})
    pair = issue_client_cert(ca, "kube-apiserver-kubelet-client", ("system:masters",))
    der = pair.certificate.public_bytes(serialization.Encoding.DER)
    assert auth(server, Clock(), ca=ca).check(Request(peer_certificate_der=der), "POST", "/exec/ns/p/c") is None
    assert server.asked[0]["spec"]["groups"] == ["system:masters", "system:authenticated"]


def test_a_certificate_of_another_ca_is_401():
    server = Apiserver(allowed={"mallory"})
    der = issue_client_cert(new_ca(), "mallory").certificate.public_bytes(serialization.Encoding.DER)
    assert auth(server, Clock(), ca=new_ca()).check(Request(peer_certificate_der=der), "GET", "/pods").code == 401


def test_an_allowed_answer_counts_for_five_minutes():
    server, clock = Apiserver(tokens={"t": "ops"}, allowed={"ops"}), Clock()
    kubelet = auth(server, clock)
    kubelet.check(bearer("t"), "GET", "/pods")
    server.allowed.clear()
    clock.now += ALLOW_CACHE_TTL - 1
    assert kubelet.check(bearer("t"), "GET", "/pods") is None
    clock.now += 1
    assert kubelet.check(bearer("t"), "GET", "/pods").code == 403


def test_a_denied_answer_counts_for_thirty_seconds():
    server, clock = Apiserver(tokens={"t": "ops"}), Clock()
    kubelet = auth(server, clock)
    kubelet.check(bearer("t"), "GET", "/pods")
    server.allowed.add("ops")
    clock.now += DENY_CACHE_TTL - 1
    assert kubelet.check(bearer("t"), "GET", "/pods").code == 403
    clock.now += 1
    assert kubelet.check(bearer("t"), "GET", "/pods") is None


def test_each_attribute_set_is_asked_about_on_its_own():
    """The cache key is the whole review spec: another verb or path's subresource asks again."""
    server = Apiserver(tokens={"t": "ops"}, allowed={"ops"})
    kubelet = auth(server, Clock())
    for method, path in (("GET", "/pods"), ("GET", "/exec/a"), ("POST", "/exec/a"), ("GET", "/stats/summary")):
        kubelet.check(bearer("t"), method, path)
    reviews = [r["spec"]["resourceAttributes"] for r in server.asked if r["kind"] == "SubjectAccessReview"]
    assert [(r["verb"], r["subresource"]) for r in reviews] == [("get", "proxy"), ("create", "proxy"),
                                                                ("get", "stats")]


def test_a_token_verdict_counts_for_two_minutes_refusals_too():
    server, clock = Apiserver(tokens={}), Clock()
    kubelet = auth(server, clock)
    assert kubelet.check(bearer("new"), "GET", "/pods").code == 401
    server.tokens["new"] = "ops"
    clock.now += TOKEN_CACHE_TTL - 1
    assert kubelet.check(bearer("new"), "GET", "/pods").code == 401
    clock.now += 1
    assert kubelet.check(bearer("new"), "GET", "/pods").code == 403


def test_an_apiserver_that_cannot_be_asked_is_500_and_nothing_is_remembered():
    """An authorizer error: 500 "Authorization error (...)"; the next request asks again."""
    server, certificate_ca = Apiserver(allowed={"kube-apiserver-kubelet-client"}, down=True), new_ca()
    der = issue_client_cert(certificate_ca, ADMIN.name).certificate.public_bytes(serialization.Encoding.DER)
    kubelet = auth(server, Clock(), ca=certificate_ca)
    request = Request(peer_certificate_der=der)
    assert kubelet.check(request, "GET", "/pods") == Refusal(
        500, "Authorization error (user=kube-apiserver-kubelet-client, verb=get, resource=nodes, subresource=proxy)")
    server.down = False
    assert kubelet.check(request, "GET", "/pods") is None


def test_a_token_the_apiserver_cannot_check_is_401():
    server = Apiserver(down=True)
    assert auth(server, Clock()).check(bearer("t"), "GET", "/pods") == Refusal(401, "Unauthorized")


def test_the_answer_cache_stays_whole_under_request_threads():
    """Each request's thread reads and fills one cache: without a lock, a full cache's eviction
    deleted a key another thread had just popped (KeyError), and the request got no answer."""
    import sys
    import threading

    from reference_impl.machinery.delegatedauth import ExpiringCache

    cache, errors = ExpiringCache(lambda: 0.0, size=4), []

    def hammer(seed: int) -> None:
        try:
            for i in range(20_000):
                key = str((seed * 7 + i) % 9)
                cache.get(key)
                cache.add(key, i, 60)
        except Exception as err:  # what a request's thread died of
            errors.append(err)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
