"""The upgrade-aware proxy behind `pods/exec`: the REST handlers decide where the connection goes
(`core.podexec.UpgradeResponse`); this adapter dials the kubelet, sends it the client's request,
and hands its answer back. A 101 turns both connections into one pipe until either side closes;
a refusal (the kubelet's 4xx or 5xx) goes to the client as the kubelet wrote it, which is how
`kubectl exec` shows `container not found ("c")`. The kubelet is dialled over TLS with the
apiserver's kubelet client certificate when the server has one (`tls`).

One thread moves the bytes both ways with select: an SSL socket must not be read in one thread
while another writes to it.
"""
from __future__ import annotations

import socket
import ssl

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.podexec import UpgradeResponse, forwarded_headers
from reference_impl.machinery.netdial import dial_error, splice, tls_error
from reference_impl.mirrors import mirrors

DIAL_TIMEOUT_SECONDS = 30
MAX_RESPONSE_HEAD = 64 * 1024


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.UpgradeAwareHandler).tryUpgrade")
def proxy_upgrade(target: UpgradeResponse, method: str, headers, client_address: str, client, buffered: bytes,
                  tls: ssl.SSLContext | None = None) -> None:
    """Carry the client's upgrade request to the kubelet (over TLS with `tls`) and the connection
    after it; raises a StatusError (nothing written yet) when the kubelet cannot be reached or
    answers nonsense. `buffered` is what the client sent after its request that the HTTP server
    already read."""
    try:
        backend = socket.create_connection((target.host, target.port), timeout=DIAL_TIMEOUT_SECONDS)
    except OSError as err:
        raise proxy_error(f"error dialing backend: dial tcp {target.host}:{target.port}: {dial_error(err)}") from None
    if tls is not None:
        try:
            backend = tls.wrap_socket(backend, server_hostname=target.host)
        except OSError as err:  # ssl.SSLError and ssl.SSLCertVerificationError among them
            backend.close()
            raise proxy_error(f"error dialing backend: {tls_error(err)}") from None
    with backend:
        lines = [f"{method} {target.path} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in forwarded_headers(headers, target.host, target.port,
                                                                         client_address)]
        backend.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + buffered)
        head, rest = _response_head(backend)
        code = _status_code(head)
        if code != 101 and code < 400:
            raise proxy_error(f"invalid upgrade response: status code {code}")
        client.sendall(head + rest)
        if code == 101:
            backend.settimeout(None)
            splice(client, backend)
        else:
            _copy_body(backend, client, _content_length(head) - len(rest))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.ErrorToAPIStatus")
def proxy_error(message: str) -> StatusError:
    """A proxy failure is a plain Go error, not an API one: a 500 with no reason (StatusReasonUnknown)."""
    return StatusError(500, "", message)


def _response_head(backend: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = backend.recv(65536)
        except OSError as err:
            raise proxy_error(f"error reading the kubelet's response: {err}") from None
        if not chunk or len(data) > MAX_RESPONSE_HEAD:
            raise proxy_error("the kubelet closed the connection before a whole response head")
        data += chunk
    end = data.index(b"\r\n\r\n") + 4
    return data[:end], data[end:]


def _status_code(head: bytes) -> int:
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        raise proxy_error(f"malformed response from the kubelet: {head[:80]!r}") from None


def _content_length(head: bytes) -> int:
    """A refusal's Content-Length; without one, what the kubelet sends before it closes (64 KiB at most)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return MAX_RESPONSE_HEAD


def _copy_body(source: socket.socket, sink, remaining: int) -> None:
    try:
        while remaining > 0 and (chunk := source.recv(min(remaining, 65536))):
            sink.sendall(chunk)
            remaining -= len(chunk)
    except OSError:
        pass
