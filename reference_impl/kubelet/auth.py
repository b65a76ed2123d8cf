"""Who may use the kubelet's API, decided as the kubelet's auth filter decides it.

Upstream's kubelet authenticates every request to its port (a client certificate the client CA
signed, or a bearer token the apiserver vouches for in a TokenReview), then asks the apiserver
in a SubjectAccessReview whether that user may act on its own Node: `nodes/proxy` for exec,
attach, port-forward and container logs, `nodes/stats`, `nodes/metrics` and `nodes/log` for their
paths (pkg/kubelet/server/auth.go). No credentials is a 401 "Unauthorized"; a user the apiserver
does not allow is a 403 naming the attributes it asked about. The apiserver's answers are
remembered, allowed ones for 5 minutes and denied ones for 30 seconds, tokens' for 2 minutes
(the kubelet's authorization.webhook and authentication.webhook cache defaults).

This module is the core: the reviews and their caches are every component's
(`machinery.delegatedauth`), time is a clock passed in, and `KubeletAuth.check` returns the
refusal to write, if any. The x509 and bearer-token authenticators are the apiserver's own
(`apiserver.core.auth`), as upstream's kubelet builds its chain from k8s.io/apiserver.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.apiserver.core.auth import RequestAuthenticator, UserInfo
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.machinery.delegatedauth import ReviewError
from reference_impl.mirrors import mirrors

ALLOW_CACHE_TTL = 300.0  # authorization.webhook.cacheAuthorizedTTL
DENY_CACHE_TTL = 30.0  # authorization.webhook.cacheUnauthorizedTTL
TOKEN_CACHE_TTL = 120.0  # authentication.webhook.cacheTTL

# The HTTP methods the attributes getter names a verb for; any other asks about verb "".
API_VERBS = {"POST": "create", "GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
# Paths below these ask about their own subresource of nodes; every other path is nodes/proxy.
SUBRESOURCE_PATHS = (("/stats/", "stats"), ("/metrics", "metrics"), ("/logs/", "log"))


@dataclass(frozen=True)
class Refusal:
    """What the auth filter answers instead of serving the request."""

    code: int
    text: str


def is_subpath(subpath: str, path: str) -> bool:
    path = path.rstrip("/")
    return subpath == path or (subpath.startswith(path) and subpath[len(path)] == "/")


@mirrors("(k8s.io/kubernetes/pkg/kubelet/server.nodeAuthorizerAttributesGetter).GetRequestAttributes")
def request_attributes(user: UserInfo, method: str, path: str, node_name: str) -> AttributesRecord:
    """A resource request for the kubelet's own Node in the core group, v1: the verb from the
    HTTP method, subresource `proxy` unless the path is under /stats, /metrics or /logs."""
    subresource = next((name for prefix, name in SUBRESOURCE_PATHS if is_subpath(path, prefix)), "proxy")
    return AttributesRecord(user, API_VERBS.get(method, ""), resource="nodes", subresource=subresource,
                            name=node_name, api_version="v1", path=path)


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
