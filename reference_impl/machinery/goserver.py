"""A component's HTTP(S) connections, read as Go's net/http server reads them, below any routing:
the kubelet's API, the scheduler's and controller-manager's secure ports and kube-proxy's
healthz and metrics ports all use it.

http.server answers what it cannot read with HTML pages, a method it has no `do_` for with 501,
sends 100 Continue before any handler runs, names itself in a Server header and waits for ever
for a client that sends nothing. `GoConnectionHandler` reads a connection as net/http's
conn.serve does: the TLS handshake (plain HTTP on the TLS port answered in net/http's words),
IdleTimeout for a kept-alive connection's next request and a ReadTimeout deadline for each
request's head, the head read by `GoRequestHandler` (the apiserver's connections read theirs
with it too), and every method handed to `serve`, which a subclass writes.

The TLS side is client-go's and net/http's too: a serving context from a certificate pair, or a
self-signed pair made as GenerateSelfSignedCertKey makes one, client certificates asked for and
judged afterwards by the x509 authenticator, and plain HTTP on the TLS port answered in net/http's
words instead of a failed handshake.
"""
from __future__ import annotations

import datetime
import html
import http.server
import io
import logging
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import quote as escape_path, unquote

from reference_impl.machinery.certutil import issue_serving_cert, new_ca
from reference_impl.machinery.tlsclientauth import request_client_certificates
from reference_impl.machinery import httpheaders, requestline
from reference_impl.machinery.httpbody import GLOBAL_OPTIONS_READ, MAX_POST_HANDLER_READ, RequestBody
from reference_impl.machinery.gopath import clean_request_path
from reference_impl.mirrors import mirrors

HANDSHAKE_TIMEOUT_SECONDS = 30.0
RESPONSE_BUFFER_BYTES = 2048  # net/http's bufferBeforeChunkingSize
RST_AVOIDANCE_DELAY_SECONDS = 0.5  # net/http's rstAvoidanceDelay
# net/http's answer, on the connection under TLS, to a client that speaks plain HTTP to it.
HTTP_ON_TLS_ANSWER = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

_log = logging.getLogger(__name__)


TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """A handler's answer: its headers go out sorted by name, as Go writes a handler's, then the
    server's own Date, Content-Length and a `sniffed_type` (the Content-Type net/http guesses for
    a handler that set none)."""

    code: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    sniffed_type: str = ""


@mirrors("net/http.Error")
def http_error(code: int, text: str) -> Reply:
    return Reply(code, (text + "\n").encode(), (("Content-Type", TEXT), ("X-Content-Type-Options", "nosniff")))


@mirrors("net/http.NotFound")
def not_found() -> Reply:
    return http_error(404, "404 page not found")


@dataclass(frozen=True)
class MuxAnswer:
    """What Go's ServeMux answers itself, before any filter: a redirect to `location`, or `code`
    with `text`."""

    code: int
    text: str = ""
    location: str = ""


@mirrors("(net/http.serverHandler).ServeHTTP", "(*net/http.ServeMux).Handler")
def serve_mux_answer(method: str, target_path: str, raw_query: str = "") -> MuxAnswer | None:
    """ServeMux's own answer to a target (its path as sent, %-escaped): `OPTIONS *` is the
    server's 200, any other `*` the mux's 400, a CONNECT's authority (no path) its 404, and a
    path that is not clean (`//`, `/./`, `/../`, once %-escapes are decoded; not a CONNECT's) a
    redirect to its clean form; None for a path to route."""
    if target_path == "*":
        return MuxAnswer(200) if method == "OPTIONS" else MuxAnswer(400)
    if method == "CONNECT":  # not canonicalized: a CONNECT's empty path (its authority-form) matches nothing
        return None if target_path else MuxAnswer(404, "404 page not found\n")
    path = unquote(target_path)
    if clean_request_path(path) != path:
        location = escape_path(clean_request_path(path), safe="/$&+,:;=@") + (f"?{raw_query}" if raw_query else "")
        return MuxAnswer(301, location=location)
    return None


@mirrors("net/http.Redirect")
def mux_reply(method: str, answer: MuxAnswer) -> Reply:
    """ServeMux's answer as written: its 400 or 200, or the redirect with http.Redirect's body
    for GET and HEAD."""
    if answer.code == 404:
        return not_found()
    if not answer.location:
        return Reply(answer.code, answer.text.encode(), sniffed_type=TEXT if answer.text else "")
    if method not in ("GET", "HEAD"):
        return Reply(301, headers=(("Location", answer.location),))
    body = f'<a href="{html.escape(answer.location)}">Moved Permanently</a>.\n\n'
    return Reply(301, body.encode(), (("Content-Type", "text/html; charset=utf-8"), ("Location", answer.location)))


class ServingError(Exception):
    """A certificate, key or CA file a server cannot serve with, or an address it cannot listen on."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


class GoRequestHandler(http.server.BaseHTTPRequestHandler):
    """A request's head read as net/http's conn.readRequest and conn.serve read it, the same
    server code for the apiserver and every component: the request line (`requestline`), the
    header block (`httpheaders`), what the server refuses answered in its plain words and the
    connection closed, Connection as shouldClose reads it, and Expect: 100-continue handed to
    `handle_expect_100` for a body over HTTP/1.1, any other expectation a bare 417. The body's
    framing is read with the head, as readTransfer reads it: `content_length` (None: chunked)."""

    protocol_version = "HTTP/1.1"

    def parse_request(self) -> bool:
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        try:
            line = requestline.parse(self.requestline)
            self.command, self.path, self.request_version = line.method, line.target, line.version
            self.headers = httpheaders.read_headers(self.rfile, httpheaders.HEAD_LIMIT - len(self.raw_requestline),
                                                    eof_ends=False)
            self.content_length = httpheaders.content_length(self.headers, line.minor)
            requestline.check_served(line, self.headers)
        except httpheaders.UnsupportedTransferEncoding:
            self._refuse(requestline.RequestLineError(400, text="Unsupported transfer encoding"))
            return False
        except httpheaders.HeaderError as err:  # ReadMIMEHeader's and readTransfer's are a bare 400 or 431
            self._refuse(requestline.RequestLineError(err.code))
            return False
        except requestline.RequestLineError as err:
            self._refuse(err)
            return False
        self.close_connection = should_close(line, self.headers)
        if requestline.expects_continue(self.headers):
            # net/http sends 100 Continue for a body it will read: over HTTP/1.1, of a length not 0.
            if line.minor >= 1 and self.content_length != 0:
                return self.handle_expect_100()
        elif self.headers.get("Expect"):
            self._expectation_failed()
            return False
        return True

    @mirrors("(*net/http.response).sendExpectationFailed")
    def _expectation_failed(self) -> None:
        """Any expectation but 100-continue: 417 with no body, before the body is read, and the
        connection closed."""
        self.close_connection = True
        self.log_request(417)
        self.wfile.write(f"{self.request_version} 417 Expectation Failed\r\nConnection: close\r\n"
                         f"Date: {self.date_time_string()}\r\nContent-Length: 0\r\n\r\n".encode("latin-1"))

    def handle_one_request(self) -> None:
        """One request, its line read within net/http's head limit (no 414 for a long one), then
        handed to its `do_` method, whatever the method."""
        try:
            if self.read_request_line() and self.parse_request():
                getattr(self, "do_" + self.command)()
                self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def read_request_line(self) -> bool:
        """The request line into raw_requestline; False at the end of the connection or, answered
        with 431, past the head limit."""
        self.raw_requestline = self.rfile.readline(httpheaders.HEAD_LIMIT + 1)
        if not self.raw_requestline:
            self.close_connection = True
            return False
        if len(self.raw_requestline) > httpheaders.HEAD_LIMIT:
            self.requestline, self.command, self.request_version = "", "", "HTTP/1.1"  # what log_request reads
            self._refuse(requestline.RequestLineError(431))
            return False
        return True

    @mirrors("(*net/http.conn).closeWriteAndWait")
    def _refuse(self, err: requestline.RequestLineError) -> None:
        """The refusal written and the connection closed; after a 431, whose client may still be
        sending its head, only once the client had time to read it (rstAvoidanceDelay): closing
        on unread bytes resets the connection and loses the answer."""
        self.close_connection = True
        self.log_request(err.code)
        self.wfile.write(err.response())
        if err.code == 431:
            self.wfile.flush()
            time.sleep(RST_AVOIDANCE_DELAY_SECONDS)


@mirrors("net/http.shouldClose", "golang.org/x/net/http/httpguts.HeaderValuesContainsToken",
         "(*net/http.Request).wantsHttp10KeepAlive", "(*net/http.chunkWriter).writeHeader")
def should_close(line: requestline.RequestLine, headers: Mapping[str, str]) -> bool:
    """Whether the connection ends after this request (when the answer's length is known): over
    HTTP/1.1, a `close` token in any Connection header; over HTTP/1.0, no `keep-alive` token in
    the first one. A `close` beside it does not matter there: writeHeader keeps an HTTP/1.0
    connection that asked for keep-alive and got a length, whatever shouldClose said."""
    if line.minor == 0:
        first = headers.get("Connection") or ""
        return "keep-alive" not in {token.strip(" \t").lower() for token in first.split(",")}
    tokens = {token.strip(" \t").lower()
              for value in httpheaders.header_values(headers, "Connection") for token in value.split(",")}
    return "close" in tokens


class GoConnectionHandler(GoRequestHandler):
    """One connection; the server carries `idle_timeout`, `read_timeout` and `handshake_timeout`
    (seconds). A body no handler read, up to `max_discarded_body` bytes, is read and dropped
    before the answer's head (httpbody), so the connection carries the next request."""

    max_discarded_body = MAX_POST_HANDLER_READ

    def setup(self) -> None:
        # The handshake runs here, in the connection's thread, not in the accepting one; the
        # certificate it took is what the x509 authenticator reads (`peer_certificate_der`).
        self.peer_certificate_der, self.requests_read, self.speaks_tls = None, 0, True
        if isinstance(self.request, ssl.SSLSocket):
            self.speaks_tls = handshake(self.request, self.server.handshake_timeout)
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
        """Quiet: the component's stderr is for its own messages."""

    def send_response_only(self, code: int, message: str | None = None) -> None:
        """The status line in HTTP/1.0 to an HTTP/1.0 request, as Go answers it, once the body
        no handler read is dealt with (which decides whether the connection stays)."""
        if code >= 200:
            self._finish_body()
        self.status_code = code
        self.protocol_version = "HTTP/1.0" if self.request_version == "HTTP/1.0" else "HTTP/1.1"
        super().send_response_only(code, message)

    @mirrors("(*net/http.chunkWriter).writeHeader")
    def end_headers(self) -> None:
        """The Connection net/http adds when the handler set none: `close` to an HTTP/1.1 client
        whose connection ends after this answer, `keep-alive` to an HTTP/1.0 one kept."""
        sent = b"".join(getattr(self, "_headers_buffer", []))
        if getattr(self, "status_code", 0) >= 200 and b"\r\nConnection:" not in b"\r\n" + sent:
            if self.close_connection and self.request_version == "HTTP/1.1":
                self.send_header("Connection", "close")
            elif not self.close_connection and self.request_version == "HTTP/1.0":
                self.send_header("Connection", "keep-alive")
        super().end_headers()

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
            if not self.read_request_line() or not self.parse_request():
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

    @mirrors("(*net/http.chunkWriter).writeHeader")
    def _finish_body(self) -> None:
        """Before the answer's head: a body awaiting a 100 Continue never sent ends the
        connection (the client may be sending it now); one no handler read is read and dropped,
        within the head's time, up to `max_discarded_body` bytes, or else the connection ends,
        as when its framing breaks on the way."""
        body = getattr(self, "request_body", None)
        if body is None or body.done or self.close_connection:
            return
        if self.awaits_continue:
            self.close_connection = True
            return
        if self.command == "OPTIONS" and self.path == "*":
            self._read_options_body()
            return
        self.reader.deadline = time.monotonic() + self.server.read_timeout
        try:
            self.close_connection = not body.discard(self.max_discarded_body)
        except (TimeoutError, OSError):
            self.close_connection = True
        finally:
            self.reader.deadline = None
            self.connection.settimeout(None)

    def parse_request(self) -> bool:
        """The head as GoRequestHandler reads it, and its body to be read as a handler reads
        it (no handler here reads one but an upgrade's streams)."""
        if not super().parse_request():
            return False
        self.request_body = RequestBody(self.rfile, self.content_length)
        self.awaits_continue = (requestline.expects_continue(self.headers) and self.request_version != "HTTP/1.0"
                                and self.content_length != 0)
        return True

    def handle_expect_100(self) -> bool:
        """Go sends 100 Continue only when a handler starts reading the body; none here does."""
        return True

    @mirrors("(net/http.globalOptionsHandler).ServeHTTP")
    def _read_options_body(self) -> bool:
        """What net/http's own OPTIONS * handler reads of a body: up to 4 KiB (a MaxBytesReader),
        within the request's time. True for a longer one: requestTooLarge then ends the
        connection, its `Connection: close` set among the handler's headers."""
        body = self.request_body
        if body.done or self.close_connection or self.awaits_continue:
            return False  # the rest as for any request (_finish_body)
        self.reader.deadline = time.monotonic() + self.server.read_timeout
        try:
            read = body.discard(GLOBAL_OPTIONS_READ, limit_included=True)
        except (TimeoutError, OSError):
            self.close_connection = True
            return False
        finally:
            self.reader.deadline = None
            self.connection.settimeout(None)
        self.close_connection = not read
        return not read and body.error is None

    def reply(self, answer: Reply) -> None:
        """Write `answer` in net/http's order; no body for HEAD. A body past the response
        buffer Go fills before it must choose goes chunked (HTTP/1.1) or ends with the connection
        (HTTP/1.0), without a Content-Length."""
        if self.command == "OPTIONS" and self.path == "*" and self._read_options_body():
            answer = replace(answer, headers=(*answer.headers, ("Connection", "close")))
        connection_set = any(name == "Connection" for name, _ in answer.headers)
        length_set = any(name == "Content-Length" for name, _ in answer.headers)
        streamed = len(answer.body) > RESPONSE_BUFFER_BYTES and self.command != "HEAD" and not length_set
        chunked = streamed and self.request_version == "HTTP/1.1"
        self.close_connection = self.close_connection or (streamed and not chunked)
        self.send_response_only(answer.code)
        for name, value in sorted(answer.headers, key=lambda header: header[0]):
            self.send_header(name, value)
        self.send_header("Date", self.date_time_string())
        if not streamed and not length_set:
            self.send_header("Content-Length", str(len(answer.body)))
        if answer.sniffed_type:
            self.send_header("Content-Type", answer.sniffed_type)
        if connection_set:
            pass
        elif self.close_connection and self.request_version == "HTTP/1.1":
            self.send_header("Connection", "close")
        elif not self.close_connection and self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(answer.body), answer.body) if chunked else answer.body)

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


class GoServer(http.server.ThreadingHTTPServer):
    """The listener: one thread per connection, a dropped connection no error of the server's, and
    with `tls` the TLS port whose handshakes run in the connections' threads."""

    daemon_threads = True
    allow_reuse_address = True
    # Go listens with the kernel's own backlog (net.maxListenerBacklog reads somaxconn); socketserver's
    # 5 drops the SYNs of a burst, whose clients then wait a second to retransmit.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], handler: type[GoConnectionHandler], tls: ssl.SSLContext | None,
                 idle_timeout: float, read_timeout: float) -> None:
        try:
            super().__init__(address, handler)
        except OSError as err:
            raise ServingError(f"{address[0]}:{address[1]}", f"failed to listen: {err.strerror or err}") from None
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        # Go bounds the handshake by the least of the server's timeouts (tlsHandshakeTimeout).
        self.idle_timeout, self.read_timeout, self.handshake_timeout = idle_timeout, read_timeout, read_timeout
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        """A client dropping its connection is not the server's error."""
        log_dropped_connection(client_address)

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, name=name,
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


@mirrors("(*net/http.Server).logf", "(*net/http.conn).serve")
def log_dropped_connection(client_address: tuple) -> None:
    """Say why a connection ended unanswered (called from a server's handle_error, in the
    exception's thread). A socket's or handshake's error is said at debug: Go logs a failed
    handshake through the server's ErrorLog, but a client that left is no news on the
    component's stderr, while a drop with no trace at all (a thread that could not start, a
    descriptor closed under the handshake) could not be told apart from one. Any other exception
    is a handler's bug, which net/http recovers from as a panic: the connection is closed and
    the error logged, as "http: panic serving ADDR: ERR" with its stack."""
    error = sys.exc_info()[1]
    if error is None or isinstance(error, OSError) or _thread_never_started(error):
        _log.debug("http: connection from %s:%s dropped", *client_address[:2], exc_info=True)
    else:
        _log.error("http: panic serving %s:%s: %s", *client_address[:2], error, exc_info=True)


def _thread_never_started(error: BaseException) -> bool:
    """Whether `error` came from starting the connection's thread, so no handler ran at all."""
    innermost = error.__traceback__
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    return innermost is not None and innermost.tb_frame.f_code is threading.Thread.start.__code__


@mirrors("k8s.io/client-go/util/cert.GenerateSelfSignedCertKey")
def self_signed_pair(cert_dir: Path, pair_name: str, host: str, address: str) -> tuple[Path, Path]:
    """<pair_name>.crt and .key in `cert_dir`, made (the certificate and the CA that signed it,
    as one chain) when either is missing; a restarted server keeps serving the same one."""
    cert_path, key_path = cert_dir / f"{pair_name}.crt", cert_dir / f"{pair_name}.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    ca = new_ca(f"{host}-ca@{int(datetime.datetime.now().timestamp())}")
    pair = issue_serving_cert(ca, dns_names=(host,), ips=(address,))
    try:
        cert_dir.mkdir(parents=True, exist_ok=True)
        cert_path.write_bytes(pair.cert_pem + ca.cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(pair.key_pem)
    except OSError as err:
        raise ServingError(err.filename or cert_path, err.strerror or str(err)) from None
    return cert_path, key_path


@mirrors("(*k8s.io/apiserver/pkg/server/options.SecureServingOptions).ApplyTo")
def serving_context(cert_file: Path, key_file: Path, client_ca_file: Path | None) -> ssl.SSLContext:
    """Serve the certificate; with a client CA, ask for client certificates without letting the
    handshake refuse one."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # A client that ends its side without close_notify still gets its answer, as from Go.
    context.options |= ssl.OP_IGNORE_UNEXPECTED_EOF
    try:
        context.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as err:
        raise ServingError(f"{cert_file}, {key_file}", str(err)) from None
    if client_ca_file is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        try:
            context.load_verify_locations(cafile=str(client_ca_file))
        except (OSError, ssl.SSLError) as err:
            raise ServingError(client_ca_file, str(err)) from None
        request_client_certificates(context)
    return context


@mirrors("net/http.tlsRecordHeaderLooksLikeHTTP")
def looks_like_http(record_header: bytes) -> bool:
    """Whether the first five bytes of what should be a TLS record start an HTTP request instead."""
    return record_header in (b"GET /", b"HEAD ", b"POST ", b"PUT /", b"OPTIO")


@mirrors("(*net/http.conn).serve")
def handshake(connection: ssl.SSLSocket, timeout: float = HANDSHAKE_TIMEOUT_SECONDS) -> bool:
    """Run the server's side of the handshake within `timeout`; False when the client spoke plain
    HTTP instead, after answering it as net/http does. The record header is peeked at on the
    socket under TLS, as Go reads it from the RecordHeaderError."""
    connection.settimeout(timeout)
    if looks_like_http(socket.socket.recv(connection, 5, socket.MSG_PEEK | socket.MSG_WAITALL)):
        socket.socket.sendall(connection, HTTP_ON_TLS_ANSWER)
        return False
    connection.do_handshake()
    connection.settimeout(None)
    return True
