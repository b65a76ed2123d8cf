"""One client port for gRPC and HTTP/1, as etcd's cmux shares it: a connection that opens with
the HTTP/2 preface is gRPC, one whose first line is an HTTP/1 request line is HTTP/1 (/version,
/health, /metrics and the grpc-gateway JSON API, clienthttp.py), any other is closed unanswered.

Python's gRPC server cannot be handed a connection, so it listens on an abstract Unix socket of
its own and `ClientListener` relays each gRPC connection's bytes to it unchanged, one thread a
direction, by Linux's splice(2): the bytes never enter Python. A call still costs two more
threads woken, which `benchmarks/rpc_cost.py` shows: with 8 clients on one channel, about 40%
more server CPU a call than on the gRPC server's own port. An HTTP/1 connection is answered in
its own thread by `clienthttp.ClientHandler`.

So, as etcd 3.4.27 and 3.5.9 allow, --listen-client-http-urls gives HTTP listeners of their own
(made with `http_only`: every connection served as HTTP/1, no sniffing) and leaves the client
URLs to the gRPC server, bound by itself with no relay; `kubeatlas cluster up` runs etcd so.
"""
from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
from typing import Callable

from reference_impl.mirrors import mirrors

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"  # what every HTTP/2 (so gRPC) client sends first
RELAY_BUFFER = 64 * 1024
GRPC_SOCKET_PREFIX = "kubeatlas-etcd-grpc-"  # the gRPC server's abstract socket: PREFIX<pid>-<server>
HTTP1_READ = 4096  # cmux's maxHTTPRead: a first line longer than this is no HTTP/1 either
SNIFF_TIMEOUT = 10.0  # seconds a new connection gets to send enough bytes to be told apart
PEEK_INTERVAL = 0.01  # seconds between peeks while a first line or preface comes in pieces


def is_http1(line: bytes | None) -> bool:
    """Whether a connection's first line is METHOD SP TARGET SP HTTP/1.x, as net/http's
    parseRequestLine and ParseHTTPVersion read it: what cmux's HTTP1 matcher (a dependency of
    etcd's, outside its repository) hands to etcd's HTTP server (HTTP/0.9, HTTP/2 in text or
    garbage gets no answer)."""
    if line is None:
        return False
    method, space, rest = line.partition(b" ")
    _, space2, proto = rest.partition(b" ")
    return bool(space and space2) and re.fullmatch(rb"HTTP/1\.[0-9]", proto) is not None


def is_http2(first: bytes) -> bool:
    """Whether a connection's first bytes are (so far) the HTTP/2 client preface."""
    return first == HTTP2_PREFACE[:len(first)]


class ClientListener:
    """One --listen-client-urls listener: bound when made, serving once started, closed by stop.
    gRPC connections go to `grpc_address`; HTTP/1 ones to `serve_http(connection, peer)`.
    An `http_only` listener (a --listen-client-http-urls one) takes every connection as HTTP/1."""

    def __init__(self, host: str, port: int, http_only: bool = False) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
            self._socket.listen(128)
        except OSError:
            self._socket.close()
            raise
        self._http_only = http_only
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._socket.getsockname()[1]

    @mirrors("(*go.etcd.io/etcd/server/v3/embed.serveCtx).serve")
    def start(self, grpc_address: str, serve_http: Callable[[socket.socket, tuple], None]) -> None:
        """Serve; `grpc_address` is gRPC's `unix-abstract:NAME`."""
        self._grpc_address = "\0" + grpc_address.removeprefix("unix-abstract:")
        self._serve_http = serve_http
        self._thread = threading.Thread(target=self._accept, name="etcd-client-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listener and every connection it accepted."""
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self._socket.close()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self._socket.accept()
            except OSError:
                return  # closed by stop
            self._track(connection)
            threading.Thread(target=self._dispatch, args=(connection, peer),
                             name="etcd-client-conn", daemon=True).start()

    def _track(self, connection: socket.socket, keep: bool = True) -> None:
        with self._lock:
            (self._connections.add if keep else self._connections.discard)(connection)

    def _dispatch(self, connection: socket.socket, peer: tuple) -> None:
        matched = True
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._http_only:
                self._serve_http(connection, peer)
            elif self._sniff_http2(connection):
                self._relay_grpc(connection)
            elif is_http1(self._peek_line(connection)):
                self._serve_http(connection, peer)
            else:
                matched = False
        except OSError:
            pass  # the client went away
        finally:
            self._track(connection, keep=False)
            if matched:
                _shut(connection)
            else:  # cmux closes it unanswered: a reset if bytes it did not read are left
                _consume_sniffed(connection)
            connection.close()

    @staticmethod
    def _sniff_http2(connection: socket.socket) -> bool:
        """Peek (leaving the bytes for whoever serves the connection) until the first bytes
        are the whole HTTP/2 preface or cannot be."""
        deadline, seen = time.monotonic() + SNIFF_TIMEOUT, b""
        while len(seen) < len(HTTP2_PREFACE) and is_http2(seen):
            seen = _peek_more(connection, seen, len(HTTP2_PREFACE), deadline)
            if seen is None:
                return False  # closed (or stalled) before saying which
        return is_http2(seen)

    @staticmethod
    def _peek_line(connection: socket.socket) -> bytes | None:
        """The first line (peeked, left for the server), or None if none comes whole within
        HTTP1_READ bytes."""
        deadline, seen = time.monotonic() + SNIFF_TIMEOUT, b""
        while b"\n" not in seen and len(seen) < HTTP1_READ:
            seen = _peek_more(connection, seen, HTTP1_READ, deadline)
            if seen is None:
                return None  # closed (or stalled) first
        line, newline, _ = seen.partition(b"\n")
        return line.removesuffix(b"\r") if newline else None

    def _relay_grpc(self, client: socket.socket) -> None:
        backend = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._track(backend)
        try:
            backend.connect(self._grpc_address)
            back = threading.Thread(target=_copy, args=(backend, client), name="etcd-grpc-relay",
                                    daemon=True)
            back.start()
            _copy(client, backend)
            back.join()
        finally:
            self._track(backend, keep=False)
            backend.close()


def _peek_more(connection: socket.socket, seen: bytes, size: int, deadline: float) -> bytes | None:
    """Up to `size` first bytes (peeked, left for the server), once more than `seen` have come;
    None if the client closes or stalls until `deadline`. A peek answers at once with what is
    already buffered, so a request line sent in two segments is waited for, not taken as cut."""
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            more = connection.recv(size, socket.MSG_PEEK)
        except TimeoutError:
            return None
        finally:
            connection.settimeout(None)
        if not more:
            return None  # closed with nothing sent
        if len(more) > len(seen):
            return more
        if _peer_closed(connection, PEEK_INTERVAL):
            return None  # half-closed after a piece of a line: cmux's read ends there too
    return None


def _consume_sniffed(connection: socket.socket) -> None:
    """Read what cmux's matchers had read of a connection none took: the HTTP/2 one the
    preface's length, the HTTP/1 one on to the end of the first line if that is longer (all that
    had come, up to its 4 KiB). Closing with more unread resets the connection, as Go's close
    does then."""
    try:
        seen = connection.recv(HTTP1_READ, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        newline = seen.find(b"\n")
        connection.recv(len(HTTP2_PREFACE) if -1 < newline < len(HTTP2_PREFACE) else len(seen))
    except OSError:
        pass  # nothing came, or the client is gone


def _peer_closed(connection: socket.socket, wait: float) -> bool:
    """Whether the client ended what it sends, waiting up to `wait` seconds for news: a peek
    cannot tell that from a stall while unread bytes are still queued, poll's RDHUP can. POLLIN
    is not asked for: with the peeked bytes queued it holds at once, and the wait would spin."""
    poller = select.poll()
    poller.register(connection, select.POLLRDHUP)
    return any(events & (select.POLLRDHUP | select.POLLHUP) for _, events in poller.poll(wait * 1000))


def _copy(source: socket.socket, target: socket.socket) -> None:
    """Bytes from `source` to `target` until `source` ends; then end what is sent to `target`,
    which answers what it still owes and closes, ending the other direction. The bytes go
    through a pipe by splice(2), so they never enter Python."""
    read_end, write_end = os.pipe()
    try:
        while True:
            count = os.splice(source.fileno(), write_end, RELAY_BUFFER)
            if not count:
                break
            while count:
                count -= os.splice(read_end, target.fileno(), count)
    except OSError:
        pass
    finally:
        os.close(read_end)
        os.close(write_end)
    try:
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # closed already


def _shut(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already
