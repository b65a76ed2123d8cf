"""The apiserver's `/logs` route (EnableLogsSupport, on in 1.24): the host's /var/log, read-only,
as `kubectl get --raw /logs/` reads it, to whoever may `get` the non-resource path.

Upstream installs one go-restful web service at `/logs` whose two GET routes hand the path to
Go's http.ServeFile, so what the route adds is go-restful's (405 for another method, 406 for an
Accept without */*); the rest is net/http's file server (`machinery.gofileserver`).
"""
from __future__ import annotations

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.handlers import Request, Response, route_accepts
from reference_impl.machinery import gofileserver, gopath
from reference_impl.mirrors import mirrors

LOG_DIR = "/var/log"
ROOT = "/logs"


def routes(path: str) -> bool:
    """Whether the director hands `path` to the `/logs` web service: its root path, or under it."""
    return path == ROOT or path.startswith(ROOT + "/")


@mirrors("k8s.io/kubernetes/pkg/routes.logFileHandler", "k8s.io/kubernetes/pkg/routes.logFileListHandler")
def serve(request: Request, log_dir: str = LOG_DIR) -> Response:
    """GET `/logs/<logpath>`: the file or directory path.Join(log_dir, logpath) as ServeFile
    serves it; go-restful answers any other method 405 and an Accept it cannot produce 406."""
    if request.method != "GET":
        raise errors.generic_server_response(405)
    if not route_accepts(request.header("Accept"), ()):  # the routes name no Produces: only */* matches
        raise errors.unacceptable_route()
    name = gopath.clean(log_dir + "/" + request.path[len(ROOT):].lstrip("/"))
    file_request = gofileserver.FileRequest(request.path, request.uri.partition("?")[2], request.headers)
    answer = gofileserver.serve_named_file(file_request, name)
    return Response(answer.code, answer.body, answer.content_type, headers=answer.headers)
