"""etcd's HTTP endpoints for probes and monitoring, on the --listen-metrics-urls listeners:
`GET /health` and `/metrics`, answered as etcd 3.4's etcdhttp package and Go's ServeMux answer
them (bodies, codes, headers), every other path a 404.

`check_health` is the decision, over any object with a member's `alarms()`, `leader`,
`quorum_read(timeout)` and `health_checks`; `MetricsListener` is the thin HTTP adapter around it and metrics.py.
"""
from __future__ import annotations

import gzip
import json
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote


from reference_impl.etcd.errors import EtcdError
from reference_impl.etcd.grpc_metrics import GRPC_METRICS
from reference_impl.etcd.metrics import expose
from reference_impl.etcd.version import VERSION
from reference_impl.machinery import httpheaders, requestline
from reference_impl.machinery.httpbody import GLOBAL_OPTIONS_READ, MAX_POST_HANDLER_READ, BodyError, RequestBody
from reference_impl.machinery.jsonscan import ValueScanner
from reference_impl.machinery.gopath import clean_request_path
from reference_impl.machinery.goserver import should_close
from reference_impl.machinery.prometheus import runtime_families
from reference_impl.mirrors import mirrors

ETCDHTTP = "go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp"
RAFTHTTP = "go.etcd.io/etcd/server/v3/etcdserver/api/rafthttp"
PATH_HEALTH = "/health"
PATH_METRICS = "/metrics"
PATH_VERSION = "/version"  # served on the client and peer ports
JSON = "application/json"
QUORUM_READ_TIMEOUT = 1.0  # checkHealth gives its QGET one second
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # promhttp's text format
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
SERVE_POLL = 0.2  # seconds between the serving loop's looks at whether it should stop
BUFFER_BEFORE_CHUNKING = 2048  # net/http's bufferBeforeChunkingSize


@mirrors(f"{ETCDHTTP}.getExcludedAlarms")
def excluded_alarms(query: str) -> set[str]:
    """The alarm names (NOSPACE, CORRUPT) given as `exclude` parameters of /health."""
    return set(parse_qs(query).get("exclude", ()))


@mirrors(f"{ETCDHTTP}.checkHealth")
def check_health(server, excluded: set[str] = frozenset()) -> bool:
    """Healthy: no alarm raised but excluded ones, a leader known, and a quorum read answered
    within a second. The verdict is counted in `server.health_checks`, except an alarm's: etcd
    3.4 returns before counting it."""
    if any(alarm.alarm not in excluded for alarm in server.alarms()):
        return False
    healthy = server.leader != 0
    if healthy:
        try:
            server.quorum_read(QUORUM_READ_TIMEOUT)
        except EtcdError:
            healthy = False
    server.health_checks.count(healthy)
    return healthy


class MetricsHandler(BaseHTTPRequestHandler):
    """etcd's metrics mux: /health and /metrics registered, Go's ServeMux 404 for the rest and its
    redirect for a path that is not clean."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    common_headers: dict[str, str] = {}  # set on every response (the client port's CORS)
    answers_preflight = False  # the client port's CORS handler answers OPTIONS before the mux

    def parse_request(self) -> bool:
        """The request line and header block as net/http's conn.readRequest reads them before any
        handler (machinery's requestline and httpheaders): what it cannot read, a second Host, a header
        name that is no token, a malformed escape in the path, is refused in its plain words and
        the connection closed (http.server took them and the mux answered 200 or 404); a
        Transfer-Encoding other than chunked is its 501 'Unsupported transfer encoding'."""
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.command, self.request_version = "", "HTTP/1.1"  # what log_request reads if refused
        try:
            line = requestline.parse(self.requestline)
            self.command, self.path, self.request_version = line.method, line.target, line.version
            self.headers = httpheaders.read_headers(self.rfile, httpheaders.HEAD_LIMIT - len(self.raw_requestline),
                                                    eof_ends=False)
            self.content_length = httpheaders.content_length(self.headers, line.minor)
            requestline.check_served(line, self.headers)
        except httpheaders.UnsupportedTransferEncoding:
            self._refuse(b"HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         b"Connection: close\r\n\r\nUnsupported transfer encoding")
            return False
        except httpheaders.HeaderError as err:
            self._refuse(requestline.RequestLineError(err.code).response())
            return False
        except requestline.RequestLineError as err:
            self._refuse(err.response())
            return False
        self.close_connection = should_close(line, self.headers)
        # net/http answers 100 Continue when a handler first reads a body it expects, not before.
        self.awaits_continue = (requestline.expects_continue(self.headers) and line.minor >= 1
                                and self.content_length != 0)
        return True

    def _send_continue(self) -> None:
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()
        self.awaits_continue = False

    def _refuse(self, response: bytes) -> None:
        self.close_connection = True
        self.wfile.write(response)

    def route(self) -> None:
        # Go answers in the request's version; a kept-alive connection may change it.
        self.protocol_version = "HTTP/1.0" if self.request_version == "HTTP/1.0" else "HTTP/1.1"
        self.request_body = RequestBody(self.rfile, self.content_length,
                                        self._send_continue if self.awaits_continue else None)
        # The target as sent (http.server turns a leading `//` into `/` in self.path), its
        # escapes decoded as Go's URL.Path has them; an absolute URL's path alone, and a
        # CONNECT's authority none.
        target = self.requestline.split()[1]
        if target == "*":
            self.asterisk()
            return
        raw_path, query = requestline.split_target(target, self.command)
        path = unquote(raw_path)
        self.body, self.body_error = b"", ""
        reads = self.reads_body(path)
        if reads:
            try:
                self.body = self.request_body.read(ValueScanner() if reads == "json" else None)
            except BodyError as err:  # the rest of the connection is unreadable, or gone
                self.body, self.body_error = err.partial, str(err)
                self.close_connection = self.close_connection or not err.at_end
        if self.answers_preflight and self.command == "OPTIONS":
            self.reply(200, b"", {})  # a CORS preflight, whatever the path: the headers say it all
        elif clean_request_path(path) != path and self.command != "CONNECT":
            self.redirect(clean_request_path(path) + (f"?{query}" if query else ""))
        else:
            self.serve(path, query)

    def __getattr__(self, name: str):
        """Any method is routed, as Go's mux routes it (http.server answers 501 to a method it
        has no do_ for)."""
        if name.startswith("do_"):
            return self.route
        raise AttributeError(name)

    def reads_body(self, path: str) -> str:
        """How far the handler at `path` reads the body: "" not at all (what is left is read and
        dropped before the answer, or ends the connection), "json" to the end of its first JSON
        value, "all" to its end. Health and metrics read none."""
        return ""

    def bad_request(self, reason: str = "") -> None:
        """net/http's own 400 for a request it could not read, before any handler; the
        connection is closed."""
        status = "400 Bad Request" + (f": {reason}" if reason else "")
        self.wfile.write(f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         f"Connection: close\r\n\r\n{status}".encode())
        self.close_connection = True

    def asterisk(self) -> None:
        """Go's server answers OPTIONS * itself, reading at most 4 KiB of a body; ServeMux
        refuses any other method on `*`. A longer body is MaxBytesReader's requestTooLarge: the
        connection ends, its `Connection: close` set among the handler's own (sorted) headers."""
        if self.command == "OPTIONS":
            read = self.request_body.discard(GLOBAL_OPTIONS_READ, limit_included=True)
            too_large = not read and self.request_body.error is None
            self.close_connection = self.close_connection or not read
            self.send_response_only(200)
            if too_large:
                self.send_header("Connection", "close")
            self.send_header("Content-Length", "0")
            self.send_header("Date", self.date_time_string())
            if not too_large and (connection := self._connection_field()):
                self.send_header("Connection", connection)
            self.end_headers()
        else:
            self.reply(400, b"", {"Connection": "close"})

    def serve(self, path: str, query: str) -> None:
        if path == PATH_HEALTH:
            self.health(excluded_alarms(query))
        elif path == PATH_METRICS:
            self.metrics()
        else:
            self.error(404, "404 page not found")

    @mirrors(f"{ETCDHTTP}.NewHealthHandler")
    def health(self, excluded: set[str]) -> None:
        if self.command != "GET":
            self.error(405, "Method Not Allowed", {"Allow": "GET"})
            return
        healthy = check_health(self.server.member, excluded)
        body = json.dumps({"health": str(healthy).lower()}, separators=(",", ":"))
        if not healthy:
            self.error(503, body)
            return
        # Go sniffs the type of a body written without one: JSON text reads as plain text.
        self.reply(200, body.encode(), {}, sniffed="text/plain; charset=utf-8")

    @mirrors(f"{ETCDHTTP}.HandleMetricsHealth")
    def metrics(self) -> None:
        member = self.server.member
        body = expose(member.metrics(), [*runtime_families(gc_cpu_fraction=False), *GRPC_METRICS.families(),
                                         *member.transport.metrics.families()]).encode()
        headers = {"Content-Type": METRICS_CONTENT_TYPE}
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        self.reply(200, body, headers)

    @mirrors(f"{ETCDHTTP}.versionHandler")
    def version(self) -> None:
        """GET /version, registered by the client and peer muxes (not this one)."""
        if self.command != "GET":
            self.error(405, "Method Not Allowed", {"Allow": "GET"})
            return
        cluster = self.server.member.server.cluster_version or "not_decided"
        body = json.dumps({"etcdserver": VERSION, "etcdcluster": cluster}, separators=(",", ":"))
        self.reply(200, body.encode(), {"Content-Type": JSON})

    def redirect(self, location: str) -> None:
        """Go's net/http Redirect with 301 to `location`: a GET gets a link to it as HTML, a HEAD
        only the type, others neither."""
        if self.command not in ("GET", "HEAD"):
            self.reply(301, b"", {"Location": location})
            return
        body = b""
        if self.command == "GET":
            body = f'<a href="{location.translate(HTML_ESCAPES)}">Moved Permanently</a>.\n\n'.encode()
        self.reply(301, body, {"Location": location, "Content-Type": "text/html; charset=utf-8"})

    def error(self, code: int, text: str, headers: dict[str, str] | None = None) -> None:
        """As Go's http.Error writes it: the text and a newline, plain text, not to be sniffed."""
        self.reply(code, (text + "\n").encode(), {**(headers or {}),
                                                  "Content-Type": "text/plain; charset=utf-8",
                                                  "X-Content-Type-Options": "nosniff"})

    def reply(self, code: int, body: bytes, headers: dict[str, str], sniffed: str | None = None) -> None:
        """`body` framed as Go's net/http frames what a handler wrote: with a Content-Length when it
        fit the buffer before the handler returned (for a HEAD, only if anything was written), else
        chunked. A HEAD is answered as its GET would be, without the body. `sniffed` is the type
        Go finds for a body written without one."""
        length, chunked = None, False
        if code == 204:
            pass  # net/http sends no length with a No Content
        elif len(body) <= BUFFER_BEFORE_CHUNKING:
            if body or self.command != "HEAD":
                length = len(body)
        elif self.command != "HEAD":
            chunked = self.chunks  # else the body runs to the end of the connection
        self.send_head(code, headers, length, sniffed, chunked)
        if self.command == "HEAD":
            return
        if chunked:
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        self.wfile.write(body)

    def send_head(self, code: int, headers: dict[str, str], length: int | None = None,
                  sniffed: str | None = None, chunked: bool = False) -> None:
        """The status line and headers in Go's order: the handler's sorted (as Header.Write writes
        them), then the ones net/http adds — Date, Content-Length, a sniffed Content-Type,
        Connection: close (when the client asked for it) and Transfer-Encoding."""
        self._finish_body()
        self.send_response_only(code)
        if length is None and not chunked and code != 204 and self.command != "HEAD":
            self.close_connection = True  # the body ends only where the connection does
        added = {"Date": self.date_time_string(), "Content-Length": length, "Content-Type": sniffed,
                 "Connection": None if "Connection" in headers else self._connection_field(),
                 "Transfer-Encoding": "chunked" if chunked else None}
        for name, value in [*sorted({**self.common_headers, **headers}.items()), *added.items()]:
            if value is not None:
                self.send_header(name, str(value))
        self.end_headers()

    @property
    def chunks(self) -> bool:
        """Whether a body of unknown length is sent in chunks: not to an HTTP/1.0 client."""
        return self.protocol_version == "HTTP/1.1"

    def _finish_body(self) -> None:
        """Before the head goes out: a body expected with 100-continue but never asked for ends
        the connection (the client may be sending it now); one the handler left unread is read
        and dropped if it is short enough, else it ends the connection too."""
        body = getattr(self, "request_body", None)
        if body is None or body.done or self.close_connection:
            return
        if self.awaits_continue or not body.discard(MAX_POST_HANDLER_READ):
            self.close_connection = True

    def _connection_field(self) -> str | None:
        """The Connection net/http adds once it knows whether the connection outlives the
        answer: `close` to an HTTP/1.1 client (whatever token it sent, or a body left unreadable),
        `keep-alive` to an HTTP/1.0 client whose connection is kept."""
        if self.request_version == "HTTP/1.0":
            return None if self.close_connection else "keep-alive"
        return "close" if self.close_connection else None

    def log_message(self, format: str, *args: object) -> None:
        pass  # etcd logs no line per request


class _HTTPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # a restarted member gets its port back at once
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, MetricsHandler)
        self.member = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so that no handler thread outlives the listener."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client closed it meanwhile


class MetricsListener:
    """One --listen-metrics-urls listener: bound when made (so a taken port is an error before
    anything is served), serving `member` once started, closed by stop."""

    def __init__(self, host: str, port: int) -> None:
        self._httpd = _HTTPServer((host, port))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @mirrors("(*go.etcd.io/etcd/server/v3/embed.Etcd).serveMetrics")
    def start(self, member, url: str) -> None:
        self._httpd.member = member
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(SERVE_POLL,),
                                        name="etcd-metrics", daemon=True)
        self._thread.start()
        print(f"reference etcd: serving metrics and health on {url}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()  # waits for the serving loop to end
            self._thread.join()
        self._httpd.server_close()
        self._httpd.close_connections()
