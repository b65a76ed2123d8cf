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
from urllib.parse import quote as escape_path, unquote

from reference_impl.machinery.gojson import quote
from reference_impl.machinery.gopath import clean_request_path
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
class MuxAnswer:
    """What Go's ServeMux answers itself, before any filter: a redirect to `location`, or `code`
    with `text`."""

    code: int
    text: str = ""
    location: str = ""


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
    if target_path == "*":  # net/http's globalOptionsHandler answers OPTIONS *; the mux any other
        return MuxAnswer(200) if method == "OPTIONS" else MuxAnswer(400)
    path = unquote(target_path)
    if clean_request_path(path) != path:
        location = escape_path(clean_request_path(path), safe="/$&+,:;=@") + (f"?{raw_query}" if raw_query else "")
        return MuxAnswer(301, location=location)
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


@mirrors("k8s.io/apiserver/pkg/server/healthz.handleRootHealth")
def health_report(query: dict) -> str:
    """What `/healthz` answers when every check passes (the reference kubelet's sync loop is
    never stuck): "ok", or with `verbose` each check's line, the excluded ones marked, and a
    warning naming an `exclude` that matches no check."""
    excluded = list(dict.fromkeys(query.get("exclude", ())))
    if "verbose" not in query:
        return "ok"
    lines = [f"[+]{name} excluded: ok" if name in excluded else f"[+]{name} ok" for name in HEALTH_CHECKS]
    unmatched = sorted(set(excluded) - set(HEALTH_CHECKS))
    if unmatched:
        quoted = ",".join(quote(name) for name in unmatched)
        lines.append(f"warn: some health checks cannot be excluded: no matches for {quoted}")
    return "\n".join(lines) + "\nhealthz check passed\n"
