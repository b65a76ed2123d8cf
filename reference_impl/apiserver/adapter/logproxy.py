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
from reference_impl.machinery.netdial import TLSHandshakeError, client_handshake, dial_error, http_client_tls_error, tls_error
from reference_impl.mirrors import mirrors

LOG_ERROR_REASONS = {400: "BadRequest", 404: "NotFound", 403: "Forbidden"}


def _transport_error(url: str, problem: object) -> StatusError:
    """A round trip that failed as http.Client words it (`Get "URL": dial tcp ADDR: connect:
    connection refused`): a transport error, not an API one, which ErrorToAPIStatus makes a 500
    with no reason."""
    return StatusError(500, "", f'Get "{url}": {problem}')


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
    url = f"{'http' if tls is None else 'https'}://{location.host}:{location.port}{location.path}"
    try:
        if tls is None:
            conn.connect()
        else:
            conn.sock = client_handshake(socket.create_connection((location.host, location.port), timeout),
                                         tls, location.host)
    except TLSHandshakeError as err:
        conn.close()
        raise _transport_error(url, http_client_tls_error(err)) from err
    except OSError as err:
        conn.close()
        raise _transport_error(url, f"dial tcp {location.host}:{location.port}: {dial_error(err)}") from err
    # TLS 1.3 settles the client's certificate after the handshake: its refusal comes with the reply.
    try:
        conn.request("GET", location.path)
        upstream = conn.getresponse()
    except OSError as err:
        conn.close()
        raise _transport_error(url, tls_error(err) if isinstance(err, ssl.SSLError) else err) from err
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
