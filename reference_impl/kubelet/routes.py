"""Which handler of the kubelet's server answers a request, decided as upstream's two routers decide.

The kubelet hands every request to Go's ServeMux first. A path that is not clean (`//`, `/./`,
`/../`, once %-escapes are decoded) is redirected to its clean form, and a path under no registered
prefix is the mux's own 404; neither reaches the auth filter. A path under a registered prefix goes
to the go-restful container, which runs the auth filter and then looks for a route: none for the
path is "404: Page Not Found", one for the path but not for the method "405: Method Not Allowed".

`route` is that decision, plain data in and out; the adapter (logserver) writes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from reference_impl.machinery.componentserver import HealthCheck, health_report as root_health
from reference_impl.machinery.goserver import MuxAnswer, serve_mux_answer
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class Route:
    """A go-restful route: `/<root>/{param}/...`, served for `methods`."""

    root: str
    params: tuple[str, ...]
    methods: tuple[str, ...] = ("GET", "POST")


# The routes of the kubelet's web services this server has (pkg/kubelet/server/server.go
# InstallDebuggingHandlers); each service's root is registered with the mux as `/root` and `/root/`.
POD = ("podNamespace", "podID")
ROUTES = (
    Route("exec", (*POD, "containerName")),
    Route("exec", (*POD, "uid", "containerName")),
    Route("attach", (*POD, "containerName")),
    Route("attach", (*POD, "uid", "containerName")),
    Route("portForward", POD),
    Route("portForward", (*POD, "uid")),
    Route("containerLogs", (*POD, "containerName"), ("GET",)),
)
ROOTS = {route.root for route in ROUTES}
# The checks healthz.InstallHandler registers for the kubelet (InstallDefaultHandlers): `/healthz`
# runs them all, `/healthz/<name>` one; any method, past the auth filter.
HEALTH_CHECKS = ("ping", "log", "syncloop")


@dataclass(frozen=True)
class RouteError:
    """go-restful's answer, after the auth filter, for a request no route takes."""

    code: int
    text: str


@dataclass(frozen=True)
class Match:
    """The route that serves the request, with its path parameters in order."""

    route: Route
    params: tuple[str, ...]

    def param(self, name: str) -> str:
        """The path parameter `name`; "" when the route has none of that name."""
        return dict(zip(self.route.params, self.params)).get(name, "")


@dataclass(frozen=True)
class Health:
    """The healthz handler: every check for `check` "", else the one named."""

    check: str


@mirrors("(net/http.serverHandler).ServeHTTP", "(*net/http.ServeMux).Handler", "(*github.com/emicklei/go-restful.Container).dispatch",
         "(github.com/emicklei/go-restful.CurlyRouter).SelectRoute")
def route(method: str, target_path: str, raw_query: str = "") -> MuxAnswer | RouteError | Match | Health:
    """Route a request by its method and its path as sent (%-escaped); a %2F in it is a separator,
    as Go reads URL.Path decoded."""
    answer = serve_mux_answer(method, target_path, raw_query)
    if answer is not None:
        return answer
    path = unquote(target_path)
    if path == "/healthz" or path.removeprefix("/healthz/") in HEALTH_CHECKS:
        return Health(path.removeprefix("/healthz").lstrip("/"))
    tokens = path.strip("/").split("/")
    if tokens[0] not in ROOTS:
        return MuxAnswer(404, "404 page not found\n")
    for candidate in ROUTES:
        if candidate.root == tokens[0] and len(tokens) == 1 + len(candidate.params):
            if method not in candidate.methods:
                return RouteError(405, "405: Method Not Allowed")
            return Match(candidate, tuple(tokens[1:]))
    return RouteError(404, "404: Page Not Found")


def health_report(query: dict) -> str:
    """What `/healthz` answers when every check passes (the reference kubelet's sync loop is
    never stuck), verbose or not."""
    return root_health("healthz", tuple(HealthCheck(name) for name in HEALTH_CHECKS), query).body.decode()
