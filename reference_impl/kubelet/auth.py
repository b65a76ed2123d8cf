"""Who may use the kubelet's API, decided as the kubelet's auth filter decides it.

Upstream's kubelet authenticates every request to its port (a client certificate the client CA
signed, or a bearer token the apiserver vouches for in a TokenReview), then asks the apiserver
in a SubjectAccessReview whether that user may act on its own Node: `nodes/proxy` for exec,
attach, port-forward and container logs, `nodes/stats`, `nodes/metrics` and `nodes/log` for their
paths (pkg/kubelet/server/auth.go). No credentials is a 401 "Unauthorized"; a user the apiserver
does not allow is a 403 naming the attributes it asked about. The apiserver's answers are
remembered, allowed ones for 5 minutes and denied ones for 30 seconds, tokens' for 2 minutes
(the kubelet's authorization.webhook and authentication.webhook cache defaults).

This module is the core: the reviews are callables the adapter (run.py) backs with the REST
client, time is a clock passed in, and `KubeletAuth.check` returns the refusal to write, if any.
The x509 and bearer-token authenticators are the apiserver's own (`apiserver.core.auth`), as
upstream's kubelet builds its chain from k8s.io/apiserver.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Callable

from reference_impl.apiserver.core.auth import AuthenticationFailed, RequestAuthenticator, UserInfo
from reference_impl.mirrors import mirrors

from .errors import KubeletError

ALLOW_CACHE_TTL = 300.0  # authorization.webhook.cacheAuthorizedTTL
DENY_CACHE_TTL = 30.0  # authorization.webhook.cacheUnauthorizedTTL
TOKEN_CACHE_TTL = 120.0  # authentication.webhook.cacheTTL
RESPONSE_CACHE_SIZE = 8192  # the webhook authorizer's LRUExpireCache

# The HTTP methods the attributes getter names a verb for; any other asks about verb "".
API_VERBS = {"POST": "create", "GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
# Paths below these ask about their own subresource of nodes; every other path is nodes/proxy.
SUBRESOURCE_PATHS = (("/stats/", "stats"), ("/metrics", "metrics"), ("/logs/", "log"))

Review = Callable[[dict], dict]  # POSTs a review to the apiserver and returns its answer


class ReviewError(KubeletError):
    """A TokenReview or SubjectAccessReview the apiserver did not answer."""


@dataclass(frozen=True)
class Attributes:
    """authorizer.AttributesRecord of a request to the kubelet: always a resource request for the
    kubelet's own Node, in the core group, v1."""

    user: UserInfo
    verb: str
    subresource: str
    name: str
    path: str
    resource: str = "nodes"
    api_version: str = "v1"


@dataclass(frozen=True)
class Refusal:
    """What the auth filter answers instead of serving the request."""

    code: int
    text: str


def is_subpath(subpath: str, path: str) -> bool:
    path = path.rstrip("/")
    return subpath == path or (subpath.startswith(path) and subpath[len(path)] == "/")


@mirrors("(k8s.io/kubernetes/pkg/kubelet/server.nodeAuthorizerAttributesGetter).GetRequestAttributes")
def request_attributes(user: UserInfo, method: str, path: str, node_name: str) -> Attributes:
    """The verb from the HTTP method, subresource `proxy` unless the path is under /stats,
    /metrics or /logs, and the node's own name."""
    subresource = next((name for prefix, name in SUBRESOURCE_PATHS if is_subpath(path, prefix)), "proxy")
    return Attributes(user, API_VERBS.get(method, ""), subresource, node_name, path)


def access_review_spec(attributes: Attributes) -> dict:
    """The SubjectAccessReview spec for `attributes`, fields as Go's JSON writes them (empty ones
    left out: they are all omitempty)."""
    user = attributes.user
    resource = {"verb": attributes.verb, "version": attributes.api_version, "resource": attributes.resource,
                "subresource": attributes.subresource, "name": attributes.name}
    spec = {"resourceAttributes": {key: value for key, value in resource.items() if value},
            "user": user.name, "groups": list(user.groups),
            "extra": {key: list(values) for key, values in user.extra.items()}, "uid": user.uid}
    return {key: value for key, value in spec.items() if value}


class ExpiringCache:
    """LRUExpireCache: answers kept until their own deadline; the least recently used goes first
    when full."""

    def __init__(self, clock: Callable[[], float], size: int = RESPONSE_CACHE_SIZE) -> None:
        self.clock, self.size = clock, size
        self._entries: dict[str, tuple[object, float]] = {}
        self._lock = threading.Lock()  # each request's thread reads and fills it

    def get(self, key: str):
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None or self.clock() >= entry[1]:
                return None
            self._entries[key] = entry  # most recently used last
            return entry[0]

    def add(self, key: str, value: object, ttl: float) -> None:
        with self._lock:
            self._entries.pop(key, None)
            if len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (value, self.clock() + ttl)


class WebhookAuthorizer:
    """Asks the apiserver in a SubjectAccessReview; answers `allow`, `deny` or `no-opinion`."""

    def __init__(self, review: Review, clock: Callable[[], float], allow_ttl: float = ALLOW_CACHE_TTL,
                 deny_ttl: float = DENY_CACHE_TTL) -> None:
        self.review, self.allow_ttl, self.deny_ttl = review, allow_ttl, deny_ttl
        self.cache = ExpiringCache(clock)

    @mirrors("(*k8s.io/apiserver/plugin/pkg/authorizer/webhook.WebhookAuthorizer).Authorize")
    def authorize(self, attributes: Attributes) -> str:
        """The apiserver's decision, from the cache while it is fresh; ReviewError when the
        apiserver cannot be asked (nothing is remembered then)."""
        spec = access_review_spec(attributes)
        key = json.dumps(spec, sort_keys=True)
        status = self.cache.get(key)
        if status is None:
            answer = self.review({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                                  "spec": spec})
            status = answer.get("status") or {}
            self.cache.add(key, status, self.allow_ttl if status.get("allowed") else self.deny_ttl)
        if status.get("denied"):
            return "deny"
        return "allow" if status.get("allowed") else "no-opinion"


class AlwaysAllowAuthorizer:
    """--authorization-mode=AlwaysAllow: every authenticated request is served."""

    @mirrors("(k8s.io/apiserver/pkg/authorization/authorizerfactory.alwaysAllowAuthorizer).Authorize")
    def authorize(self, attributes: Attributes) -> str:
        return "allow"


class TokenReviewAuthenticator:
    """A bearer token's user as the apiserver's TokenReview says; both verdicts are remembered
    for `ttl` (the kubelet caches failures as long as successes), errors not at all."""

    def __init__(self, review: Review, clock: Callable[[], float], ttl: float = TOKEN_CACHE_TTL) -> None:
        self.review, self.ttl = review, ttl
        self.cache = ExpiringCache(clock)

    @mirrors("(*k8s.io/apiserver/plugin/pkg/authenticator/token/webhook.WebhookTokenAuthenticator).AuthenticateToken")
    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None = None) -> UserInfo | None:
        """The token's user, None when the apiserver does not know it. The kubelet asks with no
        audiences (its APIAudiences are empty), whatever the caller's."""
        status = self.cache.get(token)
        if status is None:
            answer = self.review({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                  "spec": {"token": token}})
            status = answer.get("status") or {}
            self.cache.add(token, status, self.ttl)
        if not status.get("authenticated"):
            if status.get("error"):
                raise AuthenticationFailed(status["error"])
            return None
        user = status.get("user") or {}
        return UserInfo(user.get("username", ""), user.get("uid", ""), tuple(user.get("groups") or ()),
                        {key: tuple(values) for key, values in (user.get("extra") or {}).items()})


class KubeletAuth:
    """The kubelet's auth filter for one node: an authenticator chain, and an authorizer asked
    with that node's request attributes."""

    def __init__(self, authenticator: RequestAuthenticator, authorizer, node_name: str) -> None:
        self.authenticator, self.authorizer, self.node_name = authenticator, authorizer, node_name

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).InstallAuthFilter")
    def check(self, request, method: str, path: str) -> Refusal | None:
        """None to serve the request; else the status and text upstream writes. `request` carries
        `headers` and `peer_certificate_der`, as the apiserver's authenticators read them."""
        try:
            user = self.authenticator.authenticate(request)
        except ReviewError:  # the apiserver could not vouch for a token: upstream's err, a 401 too
            user = None
        if user is None:
            return Refusal(401, "Unauthorized")
        attributes = request_attributes(user, method, path, self.node_name)
        said = (f"user={user.name}, verb={attributes.verb}, resource={attributes.resource}, "
                f"subresource={attributes.subresource}")
        try:
            decision = self.authorizer.authorize(attributes)
        except ReviewError:
            return Refusal(500, f"Authorization error ({said})")
        if decision != "allow":
            return Refusal(403, f"Forbidden ({said})")
        return None
