"""The kubelet API's TLS: upgraded connections handed to the streaming sessions as plain sockets.

The serving certificate and the handshake are every component's (`machinery.goserver`): as
upstream's kubelet (cmd/kubelet/app.InitializeTLS) it serves --tls-cert-file, or without one a
self-signed certificate kept as kubelet.crt and kubelet.key in its certificate directory.

An exec, attach or port-forward session reads the client in one thread and writes to it from
others, which an SSL socket does not allow (one SSL object, one thread at a time); `plain_streams`
gives such a session one end of a socket pair and moves the bytes between the other end and the
TLS connection in a single thread.
"""
from __future__ import annotations

import logging
import socket
import ssl
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from reference_impl.machinery import goserver
from reference_impl.machinery.netdial import splice
from reference_impl.mirrors import mirrors

DRAIN_SECONDS = 5.0  # how long a finished session's last bytes get to reach the client
_log = logging.getLogger(__name__)


@mirrors("k8s.io/kubernetes/cmd/kubelet/app.InitializeTLS")
def self_signed_pair(cert_dir: Path, host: str, address: str) -> tuple[Path, Path]:
    """kubelet.crt and kubelet.key in `cert_dir`, made when either is missing."""
    return goserver.self_signed_pair(cert_dir, "kubelet", host, address)


def _buffered(connection: ssl.SSLSocket, rfile: BinaryIO) -> bytes:
    """What the client sent past its request head that `rfile` has read already, without
    waiting for more."""
    connection.settimeout(0.0)
    try:
        return rfile.read1(65536) or b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return b""
    finally:
        connection.settimeout(None)


@contextmanager
def plain_streams(connection, rfile: BinaryIO) -> Iterator[tuple[BinaryIO, socket.socket]]:
    """The (reader, socket) a streaming session uses: the connection itself when it is plain,
    else a socket pair spliced to the TLS connection until the session is done and its last
    bytes are sent, or the client leaves."""
    if not isinstance(connection, ssl.SSLSocket):
        try:
            yield rfile, connection
        finally:
            _stop_reading(connection)
        return
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(_buffered(connection, rfile))
    except OSError:
        ours.close()
        theirs.close()
        raise
    pump = threading.Thread(target=_splice, args=(connection, theirs), name="kubelet-tls", daemon=True)
    pump.start()
    reader = ours.makefile("rb")
    try:
        yield reader, ours
    finally:
        try:
            ours.shutdown(socket.SHUT_WR)  # the pump sends what is left, then sees the end
        except OSError:
            pass
        pump.join(DRAIN_SECONDS)
        if pump.is_alive():
            _end_pump(connection, ours, pump)
        _stop_reading(ours)
        reader.close()
        ours.close()


def _end_pump(connection: ssl.SSLSocket, ours: socket.socket, pump: threading.Thread) -> None:
    """Stop a pump still in I/O and wait for it: in the TLS connection's (a client that reads
    nothing keeps it in a write), or in the pair's (a client that goes on sending fills it once
    the session stops reading). The connection is closed once the session returns, and OpenSSL
    keeps the descriptor's number, not the socket: a pump left running would go on reading and
    writing that number, by then maybe the next connection's. Shut down at the socket, under TLS,
    and at our end of the pair, its next read or write on either fails at once."""
    for end in (connection, ours):
        try:
            socket.socket.shutdown(end, socket.SHUT_RDWR)
        except OSError:
            pass
    pump.join(DRAIN_SECONDS)
    if pump.is_alive():
        _log.warning("a TLS pump did not stop within %ss of its shutdown", DRAIN_SECONDS)


def _stop_reading(sock: socket.socket) -> None:
    """End the session's reads of `sock`: a thread still waiting for the client (which need not
    answer a close) holds the reader's lock, and closing the reader would wait for it for ever,
    keeping the connection open after the session is done (upstream closes it at once)."""
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _splice(connection: ssl.SSLSocket, theirs: socket.socket) -> None:
    """Both directions until either side ends; the pair's end closes with it, so that the
    session's reads end and its writes fail once the client has gone."""
    try:
        splice(connection, theirs)
    finally:
        theirs.close()

