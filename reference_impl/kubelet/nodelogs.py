"""The kubelet's `/logs/` endpoint: the node's log directory served as Kubelet.ServeLogs serves
`/var/log/`, through http.StripPrefix("/logs/", http.FileServer(http.Dir("/var/log/"))).

What the kubelet adds is the prefix: a path that does not start with `/logs/` (both as decoded
and as sent) is StripPrefix's 404; the rest is net/http's file server (`machinery.gofileserver`),
ranges and conditional requests included.
"""
from __future__ import annotations

from pathlib import Path

from reference_impl.machinery.gofileserver import FileAnswer, FileRequest, file_server
from reference_impl.mirrors import mirrors

PREFIX = "/logs/"


@mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).ServeLogs", "net/http.StripPrefix")
def serve_logs(root: Path, request: FileRequest, raw_path: str) -> FileAnswer:
    """What the kubelet answers for `request`, its full path (`/logs/...`) decoded, `raw_path`
    the same as sent."""
    if not (request.path.startswith(PREFIX) and raw_path.startswith(PREFIX)):
        return FileAnswer(404, b"404 page not found\n", "text/plain; charset=utf-8",
                          (("X-Content-Type-Options", "nosniff"),))
    stripped = FileRequest(request.path[len(PREFIX):], request.raw_query, request.headers)
    return file_server(stripped, str(root))
