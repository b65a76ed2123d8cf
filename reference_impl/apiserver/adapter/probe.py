"""The HTTP probe `componentstatuses` makes (pkg/probe/http): one GET with TLS verification off,
its outcome as a `componentstatus.ProbeOutcome`, a failed request worded as Go's HTTP client
words it (`Get "URL": dial tcp ADDR: connect: connection refused`)."""
from __future__ import annotations

import http.client
import re
import socket
import ssl
from urllib.parse import urlsplit

from reference_impl.apiserver.core.componentstatus import FAILURE, SUCCESS, WARNING, ProbeOutcome
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

PROBE_TIMEOUT = 20.0  # componentstatus.probeTimeOut
MAX_BODY = 10 * 1024  # httpprober's maxRespBodyLength


@mirrors("k8s.io/kubernetes/pkg/probe/http.DoHTTPProbe")
def http_probe(url: str, timeout: float = PROBE_TIMEOUT) -> ProbeOutcome:
    """2xx is a success with the body as output, 3xx a warning, anything else a failure; a request
    that fails is a failure whose output is the client's error."""
    parts = urlsplit(url)
    try:
        code, body = _get(parts.scheme, parts.hostname, parts.port, parts.path, timeout)
    except (OSError, http.client.HTTPException) as err:
        return ProbeOutcome(FAILURE, f'Get "{url}": {_go_error(parts, err)}')
    if 200 <= code < 300:
        return ProbeOutcome(SUCCESS, body)
    if 300 <= code < 400:
        return ProbeOutcome(WARNING, f"Probe terminated redirects, Response body: {body}")
    return ProbeOutcome(FAILURE, f"HTTP probe failed with statuscode: {code}")


def _get(scheme: str, host: str, port: int, path: str, timeout: float) -> tuple[int, str]:
    if scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # InsecureSkipVerify
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=timeout,
                                                                             context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "kube-probe/1.24", "Accept": "*/*"})
        response = connection.getresponse()
        return response.status, response.read(MAX_BODY).decode("utf-8", "replace")
    finally:
        connection.close()


def _go_error(parts, err: Exception) -> str:
    """net/http's error text for the common failures: a refused or timed-out dial, a connection the
    server closed, a response that is no HTTP/1.x."""
    address = f"{parts.hostname}:{parts.port}"
    if isinstance(err, ConnectionRefusedError):
        return f"dial tcp {address}: connect: connection refused"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    if isinstance(err, (http.client.RemoteDisconnected, ConnectionResetError)):
        return "EOF"
    if isinstance(err, http.client.BadStatusLine):
        return f"net/http: HTTP/1.x transport connection broken: malformed HTTP response {_quote_bytes(err.line)}"
    return (getattr(err, "strerror", None) or str(err)).lower()


def _quote_bytes(line: str) -> str:
    """The status line as %q prints Go's bytes: what is not UTF-8 as \\xNN (http.client read it as Latin-1)."""
    text = line.rstrip("\r\n").encode("latin-1").decode("utf-8", "surrogateescape")
    return re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", quote(text))
