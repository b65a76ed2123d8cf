"""Authentication and authorization delegated to the apiserver, as the kubelet, the scheduler and
the controller-manager ask it: a bearer token's user from a TokenReview, a request's permission
from a SubjectAccessReview, each answer remembered for a while.

This is a core: a review is a callable the adapter backs with the REST client (`Review`), time is
a clock passed in, and an authorizer returns "allow", "deny" or "no-opinion" with its reason.
Beside the webhook there are the authorizers k8s.io/apiserver puts before it for a component's
secure port (`--authorization-always-allow-paths`, the privileged group system:masters), and
their union.
"""
from __future__ import annotations

import json
import threading
from typing import Callable, Sequence

from reference_impl.apiserver.core.auth import AuthenticationFailed, UserInfo
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.mirrors import mirrors

RESPONSE_CACHE_SIZE = 8192  # the webhook authorizer's LRUExpireCache
# What a component's secure port serves to anyone (DelegatingAuthorizationOptions' defaults).
ALWAYS_ALLOW_PATHS = ("/healthz", "/readyz", "/livez")
ALWAYS_ALLOW_GROUPS = ("system:masters",)

Review = Callable[[dict], dict]  # POSTs a review to the apiserver and returns its answer


class ReviewError(Exception):
    """A TokenReview or SubjectAccessReview the apiserver did not answer."""


class PathPatternError(ValueError):
    """An --authorization-always-allow-paths entry with a `*` before its end."""


def access_review_spec(attributes: AttributesRecord) -> dict:
    """The SubjectAccessReview spec for `attributes`, fields as Go's JSON writes them (empty ones
    left out: they are all omitempty)."""
    user = attributes.user
    if attributes.is_resource_request:
        resource = {"namespace": attributes.namespace, "verb": attributes.verb, "group": attributes.api_group,
                    "version": attributes.api_version, "resource": attributes.resource,
                    "subresource": attributes.subresource, "name": attributes.name}
        asked = {"resourceAttributes": {key: value for key, value in resource.items() if value}}
    else:
        asked = {"nonResourceAttributes": {"path": attributes.path, "verb": attributes.verb}}
    spec = {**asked, "user": user.name, "groups": list(user.groups),
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

    def __init__(self, review: Review, clock: Callable[[], float], allow_ttl: float, deny_ttl: float) -> None:
        self.review, self.allow_ttl, self.deny_ttl = review, allow_ttl, deny_ttl
        self.cache = ExpiringCache(clock)

    def authorize(self, attributes: AttributesRecord) -> str:
        return self.decide(attributes)[0]

    @mirrors("(*k8s.io/apiserver/plugin/pkg/authorizer/webhook.WebhookAuthorizer).Authorize")
    def decide(self, attributes: AttributesRecord) -> tuple[str, str]:
        """The apiserver's decision and its reason, from the cache while it is fresh; ReviewError
        when the apiserver cannot be asked (nothing is remembered then)."""
        spec = access_review_spec(attributes)
        key = json.dumps(spec, sort_keys=True)
        status = self.cache.get(key)
        if status is None:
            answer = self.review({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                                  "spec": spec})
            status = answer.get("status") or {}
            self.cache.add(key, status, self.allow_ttl if status.get("allowed") else self.deny_ttl)
        reason = status.get("reason") or ""
        if status.get("allowed"):
            return "allow", reason
        return ("deny" if status.get("denied") else "no-opinion"), reason


class AlwaysAllowAuthorizer:
    """--authorization-mode=AlwaysAllow: every authenticated request is served."""

    @mirrors("(k8s.io/apiserver/pkg/authorization/authorizerfactory.alwaysAllowAuthorizer).Authorize")
    def authorize(self, attributes: AttributesRecord) -> str:
        return "allow"

    def decide(self, attributes: AttributesRecord) -> tuple[str, str]:
        return "allow", ""


class PathAuthorizer:
    """--authorization-always-allow-paths: a non-resource request for one of the paths (or, for
    an entry ending in `*`, under its prefix) is allowed whoever asks."""

    @mirrors("k8s.io/apiserver/pkg/authorization/path.NewAuthorizer")
    def __init__(self, always_allow_paths: Sequence[str]) -> None:
        self.paths, self.prefixes = set(), []
        for entry in always_allow_paths:
            path = entry.removeprefix("/")
            if "*" in path[:-1]:
                raise PathPatternError(f'only trailing * allowed in "{path}"')
            if path.endswith("*"):
                self.prefixes.append(path[:-1])
            else:
                self.paths.add(path)

    def decide(self, attributes: AttributesRecord) -> tuple[str, str]:
        if attributes.is_resource_request:
            return "no-opinion", ""
        path = attributes.path.removeprefix("/")
        if path in self.paths or any(path.startswith(prefix) for prefix in self.prefixes):
            return "allow", ""
        return "no-opinion", ""


class PrivilegedGroups:
    """Members of these groups may do anything (system:masters)."""

    def __init__(self, groups: Sequence[str]) -> None:
        self.groups = frozenset(groups)

    @mirrors("(*k8s.io/apiserver/pkg/authorization/authorizerfactory.privilegedGroupAuthorizer).Authorize")
    def decide(self, attributes: AttributesRecord) -> tuple[str, str]:
        return ("allow" if self.groups & set(attributes.user.groups) else "no-opinion"), ""


class UnionAuthorizer:
    """The first authorizer with an opinion decides; the reasons of those without one are kept,
    and when none decides, the failure of one that could not (ReviewError) is the answer."""

    def __init__(self, authorizers: Sequence[object]) -> None:
        self.authorizers = tuple(authorizers)

    @mirrors("(k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler).Authorize")
    def decide(self, attributes: AttributesRecord) -> tuple[str, str]:
        reasons, failures = [], []
        for authorizer in self.authorizers:
            try:
                decision, reason = authorizer.decide(attributes)
            except ReviewError as err:
                failures.append(err)
                continue
            if reason:
                reasons.append(reason)
            if decision != "no-opinion":
                return decision, reason
        if failures:
            raise failures[0]
        return "no-opinion", "\n".join(reasons)


class TokenReviewAuthenticator:
    """A bearer token's user as the apiserver's TokenReview says; both verdicts are remembered
    for `ttl`, errors not at all."""

    def __init__(self, review: Review, clock: Callable[[], float], ttl: float) -> None:
        self.review, self.ttl = review, ttl
        self.cache = ExpiringCache(clock)

    @mirrors("(*k8s.io/apiserver/plugin/pkg/authenticator/token/webhook.WebhookTokenAuthenticator).AuthenticateToken")
    def authenticate_token(self, token: str, audiences: tuple[str, ...] | None = None) -> UserInfo | None:
        """The token's user, None when the apiserver does not know it. The review names no
        audiences (a component's APIAudiences are empty), whatever the caller's."""
        status = self.cache.get(token)
        if status is None:
            answer = self.review({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                  "spec": {"token": token}})
            status = answer.get("status") or {}
            if status.get("authenticated") or not status.get("error"):  # cacheErrs is false
                self.cache.add(token, status, self.ttl)
        if not status.get("authenticated"):
            if status.get("error"):
                raise AuthenticationFailed(status["error"])
            return None
        user = status.get("user") or {}
        return UserInfo(user.get("username", ""), user.get("uid", ""), tuple(user.get("groups") or ()),
                        {key: tuple(values) for key, values in (user.get("extra") or {}).items()})
