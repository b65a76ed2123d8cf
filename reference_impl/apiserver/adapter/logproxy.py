"""The kubelet log proxy: `kubectl logs` reaches the apiserver, which reads the container's log from
the kubelet of the pod's node and streams it back (upstream's LocationStreamer behind LogREST).

The REST handlers decide where the log is (`LogLocation`, with every check `kubectl logs` can fail
on); this adapter opens the connection and hands back the chunks to stream and a way to end them.
It speaks HTTPS to the kubelet with the apiserver's kubelet client certificate, as
--kubelet-client-certificate configures it (plain HTTP only for a server given no kubelet TLS).
"""
from __future__ import annotations

import http.client
import socket
import ssl
from typing import Callable, Iterator

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.handlers import LogLocation
from reference_impl.machinery.netdial import tls_error
from reference_impl.mirrors import mirrors

LOG_ERROR_REASONS = {400: "BadRequest", 404: "NotFound", 403: "Forbidden"}


@mirrors("(*k8s.io/apiserver/pkg/registry/generic/rest.LocationStreamer).InputStream")
def open_log(location: LogLocation, tls: ssl.SSLContext | None = None
             ) -> tuple[Callable[[], Iterator[bytes]], Callable[[], None]]:
    """The kubelet's answer for `location` as (chunks, stop), over TLS with `tls`; a kubelet that
    cannot be reached or answers with an error is a StatusError carrying its code and message."""
    timeout = None if location.follow else 30
    if tls is None:
        conn = http.client.HTTPConnection(location.host, location.port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection(location.host, location.port, timeout=timeout, context=tls)
    try:
        conn.request("GET", location.path)
        upstream = conn.getresponse()
    except OSError as err:
        conn.close()
        url = f"{'http' if tls is None else 'https'}://{location.host}:{location.port}{location.path}"
        problem = tls_error(err) if isinstance(err, ssl.SSLError) else err
        # A transport error, not an API one: ErrorToAPIStatus makes it a 500 with no reason.
        raise StatusError(500, "", f"Get \"{url}\": {problem}") from err
    if upstream.status != 200:
        body = upstream.read(1024 * 1024).decode(errors="replace").strip()
        conn.close()
        raise StatusError(upstream.status, LOG_ERROR_REASONS.get(upstream.status, "InternalError"), body)

    def stop() -> None:
        if conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := upstream.read1(64 * 1024):
                yield chunk
        except (OSError, http.client.HTTPException):
            return
        finally:
            conn.close()

    return chunks, stop
