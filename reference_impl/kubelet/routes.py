"""Which handler of the kubelet's server answers a request, decided as upstream's two routers decide.

The kubelet hands every request to Go's ServeMux first. A path that is not clean (`//`, `/./`,
`/../`, once %-escapes are decoded) is redirected to its clean form, and a path under no registered
prefix is the mux's own 404; neither reaches the auth filter. A path under a registered prefix goes
to the go-restful container, which runs the auth filter and then looks for a route: none for the
path is "404: Page Not Found", one for the path but not for the method "405: Method Not Allowed".
Some paths (`/metrics`, `/configz`, `/debug/pprof/`) are plain handlers on the mux, behind the
same filter, that answer any method.

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
    """A go-restful route: `/<root>/<segment>/...`, each segment a literal, a `{param}` or a
    `{param:*}` that takes the rest of the path; served for `methods`."""

    root: str
    segments: tuple[str, ...]
    methods: tuple[str, ...] = ("GET", "POST")

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(segment.strip("{}").split(":")[0] for segment in self.segments if segment.startswith("{"))

    def match(self, tokens: list[str]) -> tuple[str, ...] | None:
        """The parameters' values when the path's tokens (root first) are this route's."""
        values = []
        for index, segment in enumerate(self.segments, start=1):
            if segment.endswith(":*}"):
                return (*values, "/".join(tokens[index:]))
            if index >= len(tokens) or not (segment.startswith("{") or segment == tokens[index]):
                return None
            if segment.startswith("{"):
                values.append(tokens[index])
        return tuple(values) if len(tokens) == 1 + len(self.segments) else None


# The routes of the kubelet's web services (pkg/kubelet/server/server.go InstallDefaultHandlers,
# InstallDebuggingHandlers, InstallSystemLogHandler, stats.CreateHandlers).
POD = ("{podNamespace}", "{podID}")
ROUTES = (
    Route("pods", (), ("GET",)),
    Route("stats", ("summary",)),
    Route("run", (*POD, "{containerName}"), ("POST",)),
    Route("run", (*POD, "{uid}", "{containerName}"), ("POST",)),
    Route("exec", (*POD, "{containerName}")),
    Route("exec", (*POD, "{uid}", "{containerName}")),
    Route("attach", (*POD, "{containerName}")),
    Route("attach", (*POD, "{uid}", "{containerName}")),
    Route("portForward", POD),
    Route("portForward", (*POD, "{uid}")),
    Route("containerLogs", (*POD, "{containerName}"), ("GET",)),
    Route("runningpods", (), ("GET",)),
    Route("logs", (), ("GET",)),
    Route("logs", ("{logpath:*}",), ("GET",)),
)
ROOTS = {route.root for route in ROUTES}
# Services whose root path ends in a slash (`/stats/`): the mux has only that subtree, and
# redirects the root without its slash to it.
SUBTREE_ROOTS = {"stats", "runningpods", "logs"}
# The checks healthz.InstallHandler registers for the kubelet (InstallDefaultHandlers): `/healthz`
# runs them all, `/healthz/<name>` one; any method, past the auth filter.
HEALTH_CHECKS = ("ping", "log", "syncloop")
# Plain handlers registered on the mux behind the auth filter (the filtering container's Handle):
# any method. The profiling and debug-flags ones are the disabled handlers: there is no Go
# runtime here to profile nor a klog verbosity to set.
HANDLERS = ("/metrics", "/metrics/cadvisor", "/metrics/resource", "/metrics/probes", "/configz", "/debug/flags/v")
SUBTREE_HANDLERS = ("/debug/pprof/",)


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
class Handler:
    """A handler the mux has for `pattern`, which serves every method."""

    pattern: str


@dataclass(frozen=True)
class Health:
    """The healthz handler: every check for `check` "", else the one named."""

    check: str


@mirrors("(net/http.serverHandler).ServeHTTP", "(*net/http.ServeMux).Handler", "(*github.com/emicklei/go-restful.Container).dispatch",
         "(github.com/emicklei/go-restful.CurlyRouter).SelectRoute")
def route(method: str, target_path: str, raw_query: str = "") -> MuxAnswer | RouteError | Match | Health | Handler:
    """Route a request by its method and its path as sent (%-escaped); a %2F in it is a separator,
    as Go reads URL.Path decoded."""
    answer = serve_mux_answer(method, target_path, raw_query)
    if answer is not None:
        return answer
    path = unquote(target_path)
    if path == "/healthz" or path.removeprefix("/healthz/") in HEALTH_CHECKS:
        return Health(path.removeprefix("/healthz").lstrip("/"))
    if path in HANDLERS:
        return Handler(path)
    if f"{path}/" in SUBTREE_HANDLERS or (path.strip("/") in SUBTREE_ROOTS and not path.endswith("/")):
        return MuxAnswer(301, location=f"{path}/" + (f"?{raw_query}" if raw_query else ""))
    subtree = next((pattern for pattern in SUBTREE_HANDLERS if path.startswith(pattern)), None)
    if subtree is not None:
        return Handler(subtree)
    tokens = path.strip("/").split("/")
    if tokens[0] not in ROOTS:
        return MuxAnswer(404, "404 page not found\n")
    for candidate in ROUTES:
        params = candidate.match(tokens) if candidate.root == tokens[0] else None
        if params is not None:
            if method not in candidate.methods:
                return RouteError(405, "405: Method Not Allowed")
            return Match(candidate, params)
    return RouteError(404, "404: Page Not Found")


def health_report(query: dict) -> str:
    """What `/healthz` answers when every check passes (the reference kubelet's sync loop is
    never stuck), verbose or not."""
    return root_health("healthz", tuple(HealthCheck(name) for name in HEALTH_CHECKS), query).body.decode()
