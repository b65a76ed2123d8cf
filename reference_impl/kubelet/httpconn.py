"""The kubelet server's connections, read as Go's net/http server reads them, below any routing.

http.server answers what it cannot read with HTML pages, a method it has no `do_` for with 501,
sends 100 Continue before any handler runs, names itself in a Server header and waits for ever
for a client that sends nothing. `GoConnectionHandler` reads a connection as net/http's
conn.serve does: the TLS handshake (plain HTTP on the TLS port answered in net/http's words),
IdleTimeout for a kept-alive connection's next request and a ReadTimeout deadline for each
request's head, the request line and headers with the apiserver adapter's net/http readers, and
every method handed to `serve`, which a subclass writes.
"""
from __future__ import annotations

import http.server
import io
import socket
import ssl
import time

from reference_impl.apiserver.adapter import framing, httpheaders, requestline
from reference_impl.apiserver.core.errors import StatusError

from .serving import handshake


class GoConnectionHandler(http.server.BaseHTTPRequestHandler):
    """One connection; the server carries `idle_timeout` and `read_timeout` (seconds)."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # The handshake runs here, in the connection's thread, not in the accepting one; the
        # certificate it took is what the x509 authenticator reads (`peer_certificate_der`).
        self.peer_certificate_der, self.requests_read, self.speaks_tls = None, 0, True
        if isinstance(self.request, ssl.SSLSocket):
            self.speaks_tls = handshake(self.request)
            if self.speaks_tls:
                self.peer_certificate_der = self.request.getpeercert(binary_form=True)
        super().setup()
        self.rfile.close()  # replaced by one whose reads keep a deadline
        self.reader = _DeadlineReader(self.connection, "rb")
        self.rfile = io.BufferedReader(self.reader)

    def handle(self) -> None:
        if self.speaks_tls:
            super().handle()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the kubelet's stderr is for its own messages."""

    def send_response(self, code: int, message: str | None = None) -> None:
        """Status line and Date, as Go's server writes them: it names no Server (http.server's
        names Python and its version)."""
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def handle_one_request(self) -> None:
        """One request of the connection, read as Go's conn.serve reads it: a kept-alive
        connection gets IdleTimeout for the next request's first byte, and a request ReadTimeout
        for its whole head; past either the connection closes without an answer. Every method
        goes to `serve` (no 501 page)."""
        try:
            if self.requests_read:
                self.reader.deadline = time.monotonic() + self.server.idle_timeout
                if not self.rfile.peek(1):
                    self.close_connection = True
                    return
            self.reader.deadline = time.monotonic() + self.server.read_timeout
            self.raw_requestline = self.rfile.readline(httpheaders.MAX_LINE + 1)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > httpheaders.MAX_LINE:
                self._refuse(requestline.RequestLineError(431))
                return
            if not self.parse_request():
                return
        except TimeoutError:
            self.close_connection = True
            return
        finally:
            self.reader.deadline = None
            self.connection.settimeout(None)
        self.requests_read += 1
        self.serve()
        self.wfile.flush()

    def parse_request(self) -> bool:
        """The request line and headers as net/http reads them; what it refuses is answered in
        its plain words (400, 431, 505), the connection closed."""
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        try:
            line = requestline.parse(self.requestline)
            self.command, self.path, self.request_version = line.method, line.target, line.version
            self.headers = httpheaders.read_headers(self.rfile)
            requestline.check_served(line, self.headers)
            length = framing.content_length(self.headers)
        except httpheaders.HeaderError as err:
            self._refuse(requestline.RequestLineError(err.code))
            return False
        except requestline.RequestLineError as err:
            self._refuse(err)
            return False
        except StatusError:  # a Content-Length net/http cannot read
            self._refuse(requestline.RequestLineError(400))
            return False
        connection = self.headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (line.minor == 0 and connection != "keep-alive")
        # No kubelet handler reads a body: what is left of one would be read as the next request.
        if length != 0:
            self.close_connection = True
        return True

    def handle_expect_100(self) -> bool:
        """Go sends 100 Continue only when a handler starts reading the body; none here does."""
        return True

    def _refuse(self, err: requestline.RequestLineError) -> None:
        self.close_connection = True
        self.wfile.write(err.response())

    def serve(self) -> None:
        """Answer the request read into command, path and headers."""
        raise NotImplementedError


class _DeadlineReader(socket.SocketIO):
    """The connection's reads, each bounded by what is left until `deadline` (time.monotonic
    seconds; None: no bound), as Go's SetReadDeadline bounds them: a client that sends a byte
    now and then cannot stretch the time its request's head may take."""

    deadline: float | None = None

    def readinto(self, buffer) -> int | None:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("read deadline passed")
            self._sock.settimeout(left)
        return super().readinto(buffer)
