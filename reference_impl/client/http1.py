"""Kept-alive HTTP/1.1 connections for the client's request/response calls: one connection
(`Connection`) and the pool of those no request is using (`IdleConnections`).

A request goes out as one encoded write; of the response only the status line and the framing
headers (Content-Length, Transfer-Encoding, Connection) are looked at. http.client builds a request
header by header and parses every response's headers twice (line by line, then through
email.parser), which was most of the Python time of a scheduler's bind or a kubelet's status patch;
and it reads a chunked watch stream with several Python calls per line, where here a chunk is
one readline and one read.
"""
from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from dataclasses import dataclass

MAX_LINE = 65536
MAX_HEADERS = 100


@dataclass(frozen=True)
class ResponseHead:
    """What of a response's status line and headers says how to read its body."""
    status: int
    length: int | None  # Content-Length
    chunked: bool
    close: bool  # the server closes the connection after this response


def _content_length(value: bytes) -> int | None:
    """A Content-Length as Go's parseContentLength reads it: decimal digits only (no sign, as
    strconv.ParseUint), an empty value none at all; anything else a malformed answer."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():  # bytes.isdigit: ASCII digits only
        raise http.client.HTTPException(f'bad Content-Length "{value.decode("latin-1")}"')
    return int(value)


def connect(host: str, port: int, context: ssl.SSLContext, timeout: float | None) -> "Connection":
    """A TLS connection to host:port."""
    raw = socket.create_connection((host, port), timeout)
    try:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as http.client does
        return Connection(context.wrap_socket(raw, server_hostname=host))
    except BaseException:
        raw.close()
        raise


class Connection:
    """HTTP/1.1 over a connected socket; `round_trip` sends one request and reads its whole answer."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.rfile = sock.makefile("rb")
        self.written = 0  # bytes of the last request that went out

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()

    def dropped(self) -> bool:
        """Whether this idle connection is of no more use: readable at once means the server
        closed it or sent something unasked, as urllib3's is_connection_dropped."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))

    def has_unread_bytes(self) -> bool:
        """Whether bytes no request asked for are waiting: in the read buffer, in TLS's decrypted
        records, or on the socket. Reading them, a connection would answer its next request with
        them, so Go's persistConn closes an idle connection that receives anything."""
        timeout = self.sock.gettimeout()
        self.sock.settimeout(0)
        try:
            return bool(self.rfile.peek(1))  # the buffer's bytes, else one read that does not wait
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except OSError:
            return True  # reset or cut off: of no more use either
        finally:
            self.sock.settimeout(timeout)

    def round_trip(self, head: bytes, body: bytes | None) -> tuple[int, bytes, bool]:
        """Send `head` (request line and headers, ending in a blank line) and `body`; the status,
        the response body and whether the server will close the connection."""
        self.send(head, body)
        response = self.read_head()
        return response.status, self.read_body(response), response.close

    def send(self, head: bytes, body: bytes | None = None) -> None:
        """Write the request, counting in `written` what went out: a request that failed before
        a byte did may be sent again whatever it asks (Go's nothingWrittenError)."""
        data = memoryview(head + body if body else head)
        self.written = 0
        while self.written < len(data):
            self.written += self.sock.send(data[self.written:])

    def read_head(self) -> ResponseHead:
        """The status line and the framing headers of the next response."""
        status, version = self._read_status()
        length, chunked, close = None, False, version == b"HTTP/1.0"
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise http.client.LineTooLong("header line")
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = _content_length(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                value = value.strip().lower()
                close = value == b"close" or (close and value != b"keep-alive")
        else:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if not chunked and length is None and not (status in (204, 304) or 100 <= status < 200):
            close = True  # no framing: the body runs to the end of the connection
        return ResponseHead(status, length, chunked, close)

    def read_body(self, response: ResponseHead) -> bytes:
        if response.chunked:
            return b"".join(self._chunks())
        if response.length is not None:
            data = self.rfile.read(response.length)
            if len(data) < response.length:
                raise http.client.IncompleteRead(data, response.length - len(data))
            return data
        return self.rfile.read() if response.close else b""

    def iter_lines(self, response: ResponseHead):
        """The body's lines as they arrive (a watch: one JSON event a line), without their line
        ends; a line split over chunks is joined, a last line without an end is still yielded."""
        if not response.chunked:
            if response.length is not None:
                yield from self.read_body(response).splitlines()
            else:
                for line in self.rfile:
                    yield line.rstrip(b"\r\n")
            return
        partial = b""
        for chunk in self._chunks():
            lines = (partial + chunk).split(b"\n")
            partial = lines.pop()
            for line in lines:
                yield line.rstrip(b"\r")
        if partial:
            yield partial

    def _read_status(self) -> tuple[int, bytes]:
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                raise http.client.RemoteDisconnected("Remote end closed connection without response")
            version, _, rest = line.partition(b" ")
            code = rest[:3]
            if not version.startswith(b"HTTP/") or not code.isdigit():
                raise http.client.BadStatusLine(repr(line))
            status = int(code)
            # An interim 1xx (100 Continue, 103 Early Hints) is followed by the real answer, as
            # Go's transport reads past every 1xx but 101 Switching Protocols.
            if not 100 <= status < 200 or status == 101:
                return status, version
            while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                pass

    def _chunks(self):
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                raise http.client.IncompleteRead(line) from None
            if size == 0:
                break
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise http.client.IncompleteRead(chunk, size - len(chunk))
            yield chunk
            self.rfile.readline(MAX_LINE + 1)  # the CRLF after the chunk
        while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):  # trailers
            pass


class IdleConnections:
    """The kept-alive connections to one server that no request is using. A request takes the
    most recently used one (or opens a new one when there is none) and gives it back when it is
    answered; past `max_idle` a connection given back is closed, as Go's
    Transport.MaxIdleConnsPerHost."""

    def __init__(self, max_idle: int):
        self.max_idle = max_idle
        self._idle: list[Connection] = []
        self._closing = False  # since `close`, until a request wants a connection again
        self._lock = threading.Lock()

    def take(self) -> Connection | None:
        """An idle connection the server has not dropped, or None."""
        while True:
            with self._lock:
                self._closing = False  # as Go's queueForIdleConn: we might want one
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if not conn.dropped():
                return conn
            conn.close()

    def give_back(self, conn: Connection) -> None:
        if conn.has_unread_bytes():
            conn.close()
            return
        with self._lock:
            if not self._closing and len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close every idle connection, and those given back before a request takes one again
        (Go's Transport.CloseIdleConnections and its closeIdle)."""
        with self._lock:
            self._closing = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
