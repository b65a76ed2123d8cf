"""HTTP/1 on the client port, as etcd 3.4 answers it beside gRPC: GET /version, /health,
/metrics and /debug/vars (expvar.py), the grpc-gateway JSON API under /v3/ and /v3beta/
(gateway.py), every response with etcd's CORS headers and an OPTIONS request answered by them
alone.

cmux.py hands each HTTP/1 connection to `ClientHTTP.serve_connection`.
"""
from __future__ import annotations

import itertools
import json
import select
import socket
import threading
import time

import grpc

from reference_impl.etcd import gateway
from reference_impl.etcd.etcdhttp import ETCDHTTP, JSON, PATH_VERSION, MetricsHandler
from reference_impl.machinery.httpbody import json_value_complete
from reference_impl.etcd.expvar import debug_vars
from reference_impl.etcd.raft.rawnode import status_json
from reference_impl.machinery.gojson import marshal_escapes
from reference_impl.mirrors import mirrors

PATH_LOG_LEVEL = "/config/local/log"
PATH_VARS = "/debug/vars"
# The names and numbers capnslog.ParseLevel takes.
LOG_LEVELS = {"CRITICAL", "C", "ERROR", "0", "E", "WARNING", "1", "W", "NOTICE", "2", "N",
              "INFO", "3", "I", "DEBUG", "4", "D", "TRACE", "5", "T"}
CORS_HEADERS = {"Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE",
                "Access-Control-Allow-Headers": "accept, content-type, authorization"}
GRPC_CONTENT_TYPE = "application/grpc"  # the gRPC metadata the gateway passes on as headers


class LogLevelError(ValueError):
    """A /config/local/log body etcd 3.4 refuses; str is its message."""


def parse_log_level(body: bytes) -> str:
    """The capnslog level a PUT /config/local/log body names, as etcd 3.4's logHandleFunc (gone
    from the 3.5 tree the analyzer indexes) reads it: the first JSON value, decoded into
    struct{Level string} (keys matched case-insensitively, the last one kept), then upper-cased."""
    try:
        value, _ = json.JSONDecoder().raw_decode(body.decode("utf-8", "replace").lstrip(" \t\r\n"))
    except json.JSONDecodeError:
        raise LogLevelError("Invalid json body") from None
    if not isinstance(value, (dict, type(None))):
        raise LogLevelError("Invalid json body")
    level = ""
    for key, item in (value or {}).items():
        if key.lower() == "level" and item is not None:
            if not isinstance(item, str):
                raise LogLevelError("Invalid json body")
            level = item
    if level.upper() not in LOG_LEVELS:
        raise LogLevelError(f"Invalid log level {level}")
    return level.upper()


def go_json_message(message: str) -> bytes:
    """httptypes.HTTPError as json.Marshal writes it: HTML characters escaped."""
    return marshal_escapes(json.dumps({"message": message}, separators=(",", ":"), ensure_ascii=False).encode())


class ClientHTTP:
    """What the client port's HTTP handlers serve: the member, and a gRPC channel to its own
    gRPC server for the gateway."""

    def __init__(self, member, grpc_address: str) -> None:
        self.member = member
        self.channel = grpc.insecure_channel(grpc_address)

    def serve_connection(self, connection: socket.socket, peer: tuple) -> None:
        ClientHandler(connection, peer, self)

    def close(self) -> None:
        self.channel.close()


class ClientHandler(MetricsHandler):
    """etcd's client mux behind its CORS handler."""

    server: ClientHTTP
    common_headers = CORS_HEADERS
    answers_preflight = True

    def reads_body(self, path: str) -> str:
        """The gateway's unary calls and the log level read a body as json.Decoder does, to the
        end of its first value; a streaming call reads it to its end."""
        method = gateway.route(path) if self.command == "POST" else None
        if method is not None:
            return "all" if method.client_streaming else "json"
        return "json" if path == PATH_LOG_LEVEL and self.command == "PUT" else ""

    def serve(self, path: str, query: str) -> None:
        if path == PATH_VERSION:
            self.version()
        elif path == PATH_LOG_LEVEL:
            self.log_level()
        elif path == PATH_VARS:
            self.debug_vars()
        elif gateway.is_gateway_path(path):
            self.gateway(path)
        elif path == "/v3":
            # Go's ServeMux sends a subtree's root there; /v3beta/ is no subtree of etcd's mux.
            self.redirect("/v3/")
        else:
            super().serve(path, query)

    @mirrors(f"{ETCDHTTP}.serveVars")
    def debug_vars(self) -> None:
        if self.command != "GET":
            self.error(405, "Method Not Allowed", {"Allow": "GET"})
            return
        member = self.server.member
        raft_status = member.read(lambda: status_json(member.node.rawnode.status()))
        self.reply(200, debug_vars(raft_status), {"Content-Type": "application/json; charset=utf-8"})

    def log_level(self) -> None:
        """etcd 3.4 sets capnslog's global level and answers 204; the reference has no capnslog
        logger, so the level is checked and answered alone."""
        if self.command != "PUT":
            self.error(405, "Method Not Allowed", {"Allow": "PUT"})
            return
        try:
            parse_log_level(self.body)
        except LogLevelError as err:
            self.reply(400, go_json_message(str(err)), {"Content-Type": JSON})
            return
        self.reply(204, b"", {})

    @mirrors("(*go.etcd.io/etcd/server/v3/embed.serveCtx).registerGateway")
    def gateway(self, path: str) -> None:
        method = gateway.route(path)
        if method is None:
            self.error(404, "Not Found")
            return
        if self.command != "POST":
            self.error(405, "Method Not Allowed")
            return
        self._next_request_seen = False
        try:
            timeout = gateway.timeout_of(self.headers)
            deadline = None if timeout is None else time.monotonic() + timeout
            metadata = gateway.metadata_of(self.headers)
            # grpc-gateway's read of the body failed before its first value was whole
            if self.body_error and (method.client_streaming or not json_value_complete(self.body)):
                raise gateway.GatewayError(3, self.body_error)
            requests = gateway.decode_requests(method, self.body)
            if method.client_streaming:
                self.stream(method, requests, metadata, deadline)
                return
            answer = gateway.call(self.server.channel, method, requests, metadata, deadline,
                                  self._hung_up)
            if method.server_streaming:
                self.send_stream(answer)
                return
        except gateway.GatewayError as err:
            self.gateway_error(err)
            return
        self.reply(200, gateway.encode_response(answer),
                   {"Content-Type": JSON, "Grpc-Metadata-Content-Type": GRPC_CONTENT_TYPE})

    def gateway_error(self, err: gateway.GatewayError) -> None:
        """grpc-gateway's error body; after a call, the gRPC trailer it forwards makes Go chunk it."""
        if not err.from_server:
            self.reply(err.http_status, err.body(), {"Content-Type": JSON})
            return
        trailer = "Grpc-Trailer-Content-Type"
        self.send_chunked(err.http_status, {"Content-Type": JSON, "Trailer": trailer},
                          [err.body()], f"{trailer}: {GRPC_CONTENT_TYPE}\r\n")

    def stream(self, method: gateway.Method, requests: list, metadata, deadline: float | None) -> None:
        """A bidirectional stream: the body's requests are sent and the call half-closed, as
        grpc-gateway does at the body's end; the server decides whether the stream goes on (a
        watch does, a lease keep-alive ends). The HTTP client going away cancels the call."""
        gone = threading.Event()
        responses = gateway.call(self.server.channel, method, iter(requests), metadata, deadline)
        threading.Thread(target=self._await_hang_up, args=(responses, gone), daemon=True).start()
        try:
            self.send_stream(responses)
        finally:
            gone.set()
            responses.cancel()

    def _hung_up(self) -> bool:
        """Whether the client closed (or reset) the connection, looked at without reading: once
        it has sent more (its next request), that is no longer known, as for Go's net/http."""
        if self._next_request_seen:
            return False
        try:
            if not select.select([self.connection], [], [], 0)[0]:
                return False
            if self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                self._next_request_seen = True
                return False
        except BlockingIOError:
            return False
        except (OSError, ValueError):
            pass  # reset, or closed
        return True

    def _await_hang_up(self, responses, gone: threading.Event) -> None:
        try:
            while self.connection.recv(4096):
                pass
        except OSError:
            pass
        gone.set()
        responses.cancel()

    def send_stream(self, responses) -> None:
        """Each response as one chunk, written as it comes; a failure as a last error line. As
        grpc-gateway waits for the call's headers, nothing is written before the first response
        (an Observe with no leader yet answers nothing), and a call that fails before it is
        answered as a unary call's error."""
        lines = self._stream_lines(responses)
        try:
            first = next(lines, None)
        except gateway.GatewayError as err:
            self.gateway_error(err)
            return
        self.send_chunked(200, {"Content-Type": JSON, "Grpc-Metadata-Content-Type": GRPC_CONTENT_TYPE},
                          itertools.chain([first] if first else [], lines))

    @staticmethod
    def _stream_lines(responses):
        """The stream's lines; GatewayError if it fails before its first response."""
        started = False
        try:
            for response in responses:
                started = True
                yield gateway.stream_line(response)
        except grpc.RpcError as err:
            if err.code() == grpc.StatusCode.CANCELLED:
                return
            if not started:
                raise gateway.gateway_error(err) from None
            yield gateway.stream_error_line(gateway.gateway_error(err))

    def send_chunked(self, code: int, headers: dict[str, str], chunks, trailer: str = "") -> None:
        """The chunks as they come; to an HTTP/1.0 client, as they are, until the connection
        closes."""
        self.send_head(code, headers, chunked=self.chunks)
        self.wfile.flush()
        try:
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if self.chunks else chunk)
                self.wfile.flush()
            if self.chunks:
                self.wfile.write(f"0\r\n{trailer}\r\n".encode())
        except OSError:
            self.close_connection = True  # the client went away mid-stream
