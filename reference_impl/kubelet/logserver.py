"""The kubelet's `/containerLogs/<namespace>/<pod>/<container>` endpoint, which the apiserver's
`pods/log` subresource proxies to (`kubectl logs`). The same server answers `/exec/...`
(`execserver`), `/attach/...`, `/portForward/...` (`portforward`), `/healthz`, and the node's
`/pods`, `/runningpods/`, `/stats/summary`, `/metrics...`, `/configz`, `/run/...` (`host`,
`stats`) and `/logs/` (`nodelogs`), as the kubelet's one server does, routed as upstream's
ServeMux and go-restful route (`routes`).

The core is plain functions: `parse_log_options` reads the query as kubelet's
`server.getContainerLogs` does, `log_file_index` picks the log file from the pod's API status
the way `Kubelet.validateContainerLogStatus` picks a container ID, and `read_log` reads its CRI
records (`crilog`) with tailLines, sinceSeconds/sinceTime, timestamps and limitBytes. `LogServer`
is the thin HTTP adapter; with `follow` it streams what the process appends until the container
stops, the client leaves or the kubelet stops.

The server speaks HTTPS and runs every request past the auth filter first (`auth.KubeletAuth`),
as the kubelet's port 10250 does; plain HTTP with no filter is what a test of the handlers asks
for, by passing no TLS context and no auth.
"""
from __future__ import annotations

import errno
import http.server
import json
import logging
import os
import select
import selectors
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reference_impl.machinery import requestline
from reference_impl.machinery import httpstream, websocket
from reference_impl.machinery.gofileserver import FileRequest
from reference_impl.machinery.gojson import marshal, marshal_escapes
from reference_impl.machinery.params import query_bool
from reference_impl.machinery.strconv import parse_int
from reference_impl.machinery.timefmt import format_duration
from reference_impl.mirrors import mirrors

from .actions import PodKey
from .auth import KubeletAuth
from .errors import KubeletError
from . import routes
from .attachserver import AttachSession
from .channels import SpdyChannels, StreamsNotCreated, WebSocketChannels
from .crilog import LogRecord, parse_timestamp, read_records
from .execserver import (STREAM_CREATION_TIMEOUT_SECONDS, ExecRequestError, ExecSession, expected_streams,
                         negotiate_protocol, negotiate_stream_protocol, parse_exec_options)
from .portforward import PortForwardRequestError, PortForwardSession, check_websocket_ports, negotiate
from .runtime import AttachTarget, ExecTarget, log_path
from .host import KubeletHost, RunError, pod_list
from .nodelogs import serve_logs
from reference_impl.machinery.goserver import (HANDSHAKE_TIMEOUT_SECONDS, GoConnectionHandler, log_dropped_connection,
                                              mux_reply, not_found)
from .serving import plain_streams

FOLLOW_POLL_SECONDS = 0.2
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
NODE_API_ROOTS = ("pods", "runningpods", "stats", "run", "logs")  # served from the kubelet's host
# The handlers of a kubelet with enableProfilingHandler and enableDebugFlagsHandler false.
DISABLED_HANDLERS = {"/debug/pprof/": "profiling endpoint is disabled.\n",
                     "/debug/flags/v": "flags endpoint is disabled.\n"}
# ListenAndServeKubeletServer's http.Server: IdleTimeout (matching http.DefaultTransport's
# keep-alive) and ReadTimeout.
IDLE_TIMEOUT_SECONDS = 90.0
READ_TIMEOUT_SECONDS = 4 * 60 * 60.0
# net/http's Serve waits after a failed accept (out of descriptors), doubling from the first
# delay up to the last.
ACCEPT_RETRY_FIRST_SECONDS = 0.005
ACCEPT_RETRY_MAX_SECONDS = 1.0
_log = logging.getLogger(__name__)


class ContainerLogError(KubeletError):
    """A log request the kubelet refuses; `code` is the HTTP status it answers with."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class LogOptions:
    """v1.PodLogOptions as the kubelet's query carries them; since_time in nanoseconds."""

    follow: bool = False
    previous: bool = False
    tail_lines: int | None = None
    limit_bytes: int | None = None
    timestamps: bool = False
    since_seconds: int | None = None
    since_time: int | None = None

    @mirrors("k8s.io/kubernetes/pkg/kubelet/kuberuntime/logs.NewLogOptions")
    def since(self, now_ns: int) -> int:
        """The first moment whose records are shown: the later of sinceSeconds before now and sinceTime."""
        since = 0 if self.since_seconds is None else now_ns - self.since_seconds * 1_000_000_000
        return max(since, self.since_time or 0)


def undecodable() -> ContainerLogError:
    return ContainerLogError(400, '{"message": "Unable to decode query."}')


def invalid() -> ContainerLogError:
    return ContainerLogError(422, '{"message": "Invalid request."}')


@mirrors("strconv.ParseInt")
def parse_int64(text: str) -> int:
    """strconv.ParseInt(text, 10, 64), as a query's integer is converted: ValueError for what Go
    refuses and Python's int() takes (spaces, `_`, digits that are not ASCII, a value past int64)."""
    return parse_int(text, 64, 10)


def _optional(query: dict, name: str, parse: Callable[[str], int]) -> int | None:
    """A query parameter read by `parse` (int, a timestamp); None when absent or empty."""
    value = (query.get(name) or [""])[0]
    if value == "":
        return None
    try:
        return parse(value)
    except ValueError:
        raise undecodable() from None


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).getContainerLogs",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodLogOptions")
def parse_log_options(query: dict) -> LogOptions:
    """The options in a parsed query string (name -> list of values): 400 with upstream's
    "Unable to decode query." for a value that is no number or time, 422 "Invalid request." for a
    negative tailLines, a limitBytes or sinceSeconds below 1, or both sinceSeconds and sinceTime.
    The old `tail` parameter stands for tailLines, `all` for none."""
    if (query.get("tail") or [""])[0]:
        query = {**query, "tailLines": [] if query["tail"][0] == "all" else query["tail"]}
    options = LogOptions(follow=query_bool(query.get("follow")), previous=query_bool(query.get("previous")),
                         tail_lines=_optional(query, "tailLines", parse_int64),
                         limit_bytes=_optional(query, "limitBytes", parse_int64),
                         timestamps=query_bool(query.get("timestamps")),
                         since_seconds=_optional(query, "sinceSeconds", parse_int64),
                         since_time=_optional(query, "sinceTime", parse_timestamp))
    if ((options.tail_lines is not None and options.tail_lines < 0)
            or (options.limit_bytes is not None and options.limit_bytes < 1)
            or (options.since_seconds is not None and (options.since_time is not None or options.since_seconds < 1))):
        raise invalid()
    return options


@mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).validateContainerLogStatus")
def log_file_index(pod: dict, container_name: str, previous: bool) -> int:
    """Which `<restartCount>.log` holds the asked-for logs, from the pod's container status.

    The runtime names a container's log by the restart count it started with, and the count goes
    up only when the container is restarted: a running or terminated container writes to
    `restartCount`, the one before it to `restartCount - 1`; one waiting to be restarted has not
    been counted yet, so its last run is still `restartCount`.
    """
    pod_name = pod["metadata"]["name"]
    statuses = pod.get("status") or {}
    status = next((s for field in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")
                   for s in statuses.get(field) or [] if s.get("name") == container_name), None)
    if status is None:
        raise ContainerLogError(400, f'container "{container_name}" in pod "{pod_name}" is not available')
    quoted = f'container "{container_name}" in pod "{pod_name}"'
    state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated")
    restarts = status.get("restartCount", 0)
    if previous:
        if not last or not last.get("containerID"):
            raise ContainerLogError(400, f'previous terminated {quoted} not found')
        return restarts if "waiting" in state else restarts - 1
    if "running" in state:
        return restarts
    if "terminated" in state:
        if state["terminated"].get("containerID"):
            return restarts
        if last and last.get("containerID"):
            return restarts - 1
        raise ContainerLogError(400, f"{quoted} is terminated")
    if last:
        if not last.get("containerID"):
            raise ContainerLogError(400, f"{quoted} is terminated")
        return restarts
    if "waiting" in state:
        return _waiting(quoted, state["waiting"].get("reason", ""))
    raise ContainerLogError(400, f"{quoted} is waiting to start - no logs yet")


def _waiting(quoted: str, reason: str) -> int:
    detail = {"ErrImagePull": "image can't be pulled",
              "ImagePullBackOff": "trying and failing to pull image"}.get(reason, reason)
    raise ContainerLogError(400, f"{quoted} is waiting to start: {detail}")


def tail(records: list[LogRecord], lines: int | None) -> list[LogRecord]:
    """The last `lines` records (all for None), each a line of the file, partial ones too."""
    if lines is None:
        return records
    return records[-lines:] if lines else []


def render(records: list[LogRecord], options: LogOptions, now_ns: int) -> bytes:
    """What the kubelet writes of the records: those from `since` on, each with its time first
    when asked for (`logWriter.write`); limitBytes is applied by the caller."""
    since = options.since(now_ns)
    return b"".join(r.render(options.timestamps) for r in records if r.timestamp_ns >= since)


@mirrors("k8s.io/kubernetes/pkg/kubelet/kuberuntime/logs.ReadLogs")
def read_log(path: Path, options: LogOptions, now_ns: int) -> tuple[bytes, int]:
    """The log as `kubectl logs` shows it: tailLines of the records, then since and timestamps,
    then limitBytes (which counts a timestamp too); and the offset in the file the read reached.
    Empty when the file was never written."""
    records, offset = read_records(path)
    data = render(tail(records, options.tail_lines), options, now_ns)
    return (data[:options.limit_bytes] if options.limit_bytes is not None else data), offset


# --- the HTTP adapter ---------------------------------------------------------------------------

PodLookup = Callable[[str, str], "dict | None"]
RunningCheck = Callable[[PodKey, str], bool]
ExecTargetLookup = Callable[[PodKey, str], "ExecTarget | None"]
AttachTargetLookup = Callable[[PodKey, str], "AttachTarget | None"]
PodAddressLookup = Callable[[PodKey], "str | None"]


class _Handler(GoConnectionHandler):
    server: "_Server"

    def _refused(self) -> bool:
        """Run the auth filter (in the go-restful container, before its router); True when it
        answered instead of the handler."""
        if self.server.auth is None:
            return False
        path = urllib.parse.unquote(requestline.split_target(self.path)[0])  # Go's URL.Path: decoded
        refusal = self.server.auth.check(self, self.command, path)
        if refusal is not None:
            self.close_connection = True  # a refused request's body is never read
            self._text(refusal.code, refusal.text)
        return refusal is not None

    def serve(self) -> None:
        path, raw_query = requestline.split_target(self.path, self.command)
        if self.server.host is not None:
            self.server.host.requests.count(self.command, urllib.parse.unquote(path), self.server.auth is None)
        decision = routes.route(self.command, path, raw_query)
        if self.server.host is None and (isinstance(decision, routes.Handler) or (
                isinstance(decision, routes.Match) and decision.route.root in NODE_API_ROOTS)):
            decision = routes.MuxAnswer(404, "404 page not found\n")
        if isinstance(decision, routes.MuxAnswer):
            self._mux_answer(decision)
        elif not self._refused():
            if isinstance(decision, routes.RouteError):
                self._text(decision.code, decision.text)
                return
            query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)
            if isinstance(decision, routes.Health):
                self._text(200, routes.health_report(query) if not decision.check else "ok",
                           headers=(("X-Content-Type-Options", "nosniff"),))
                return
            if isinstance(decision, routes.Handler):
                self._handler(decision.pattern)
                return
            pod = decision.param("podNamespace"), decision.param("podID")
            if decision.route.root in NODE_API_ROOTS:
                self._node_api(decision, query, raw_query)
            elif decision.route.root == "containerLogs":
                self._container_logs(*pod, decision.param("containerName"), query)
            elif decision.route.root == "portForward":
                self._port_forward(*pod, decision.param("uid"), query)
            else:  # the uid of an exec's or attach's path is not looked at: the pod's full name finds it
                self._remote_command(decision.route.root, *pod, decision.param("containerName"), query)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).InstallDefaultHandlers",
             "(*k8s.io/kubernetes/pkg/kubelet/server.Server).InstallProfilingHandler",
             "(*k8s.io/kubernetes/pkg/kubelet/server.Server).InstallDebugFlagsHandler")
    def _handler(self, pattern: str) -> None:
        """The metrics, /configz, and the disabled profiling and debug-flags handlers."""
        host = self.server.host
        if pattern in DISABLED_HANDLERS:
            self._text(405, DISABLED_HANDLERS[pattern], headers=(("X-Content-Type-Options", "nosniff"),))
        elif pattern == "/configz":
            self._text(200, marshal({"kubeletconfig": host.config}), "application/json",
                       (("X-Content-Type-Options", "nosniff"),))
        else:
            metrics = {"/metrics": host.metrics, "/metrics/resource": host.resource_metrics,
                       "/metrics/probes": host.probe_metrics, "/metrics/cadvisor": host.cadvisor_metrics}[pattern]
            self._text(200, metrics(), PROMETHEUS_TEXT)

    def _node_api(self, match: routes.Match, query: dict, raw_query: str) -> None:
        """/pods, /runningpods/, /stats/summary, /run and /logs/, from the kubelet's host."""
        host, root = self.server.host, match.route.root
        if root == "pods":
            self._text(200, pod_list(host.pods()), "application/json")
        elif root == "runningpods":
            self._text(200, pod_list(host.running_pods()), "application/json")
        elif root == "stats":  # go-restful's WriteAsJson: indented by one space, no newline
            stats = host.summary(only_cpu_and_memory=query.get("only_cpu_and_memory") == ["true"])
            self._text(200, marshal_escapes(json.dumps(stats, indent=1, ensure_ascii=False).encode()),
                       "application/json")
        elif root == "logs":
            raw_path = requestline.split_target(self.path, self.command)[0]
            request = FileRequest(urllib.parse.unquote(raw_path), raw_query, self.headers)
            answer = serve_logs(self.server.node_log_dir, request, raw_path)
            self._text(answer.code, answer.body, answer.content_type, answer.headers)
        else:
            self._run(match, query)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).getRun")
    def _run(self, match: routes.Match, query: dict) -> None:
        """Run `cmd` (split at each space) in the container; its output as the answer."""
        namespace, name = match.param("podNamespace"), match.param("podID")
        pod = self.server.find_pod(namespace, name)
        if pod is None:
            self._text(404, "pod does not exist")
            return
        key = PodKey(namespace, name, pod["metadata"].get("uid", ""))
        try:
            output = self.server.host.run_in_container(key, match.param("containerName"),
                                                       (query.get("cmd") or [""])[0].split(" "))
        except RunError as error:
            self._text(500, str(error))
            return
        self._text(200, output, "application/json" if output else "")

    def _mux_answer(self, answer: routes.MuxAnswer) -> None:
        """ServeMux's 404 (http.NotFound, nosniff and all), its 400 for `*` (200 for OPTIONS *),
        or its redirect: http.Redirect's body and type for GET and HEAD, only the Location for
        any other method."""
        if answer.code == 404:
            self.reply(not_found())
        elif answer.location:
            self.reply(mux_reply(self.command, answer))
        else:
            if answer.code == 400:
                self.close_connection = True
            self._text(answer.code, answer.text)

    def _container_logs(self, namespace: str, name: str, container: str, query: dict) -> None:
        try:
            options = parse_log_options(query)
            pod = self.server.find_pod(namespace, name)
            if pod is None:
                raise ContainerLogError(404, f'pod "{name}" does not exist')
            if container not in {c["name"] for field in ("containers", "initContainers", "ephemeralContainers")
                                 for c in pod["spec"].get(field) or []}:
                raise ContainerLogError(404, f'container "{container}" not found in pod "{name}"')
            index = log_file_index(pod, container, options.previous)
        except ContainerLogError as error:
            self._text(error.code, error.message)
            return
        meta = pod["metadata"]
        key = PodKey(namespace, name, meta.get("uid", ""))
        path = log_path(self.server.log_root, key, container, index)
        data, offset = read_log(path, options, time.time_ns())
        following = options.follow and not options.previous
        self._write_log(path, data, offset, options,
                        (lambda: self.server.is_running(key, container)) if following else None)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).getExec",
             "(*k8s.io/kubernetes/pkg/kubelet/server.Server).getAttach",
             "k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.createStreams")
    def _remote_command(self, kind: str, namespace: str, name: str, container: str, query: dict) -> None:
        """Check the request in upstream's order (options 400, pod 404, container 500, then the
        protocol), upgrade to WebSocket or SPDY/3.1 and run the exec or attach session on this
        connection until it ends."""
        is_websocket = self._is_websocket()
        try:
            options = parse_exec_options(query)
            pod = self.server.find_pod(namespace, name)
            if pod is None:
                raise ExecRequestError(404, "pod does not exist")
            key = PodKey(namespace, name, pod["metadata"].get("uid", ""))
            target = (self.server.exec_target if kind == "exec" else self.server.attach_target)(key, container)
            if target is None:
                raise ExecRequestError(500, f'container not found ("{container}")')
            protocol = self._websocket_protocol() if is_websocket else negotiate_stream_protocol(self.headers)
        except ExecRequestError as error:
            self._text(error.code, *error.body(), headers=error.headers)
            return
        if is_websocket:
            self._upgrade_to_websocket(protocol)
        else:
            self._upgrade_to_spdy(protocol)
        session = ExecSession if kind == "exec" else AttachSession
        with plain_streams(self.connection, self.rfile) as (reader, sock):
            if is_websocket:
                channels = WebSocketChannels(reader, sock, protocol)
            else:
                channels = SpdyChannels(reader, sock, protocol)
                try:
                    channels.accept(expected_streams(protocol, options), STREAM_CREATION_TIMEOUT_SECONDS)
                except StreamsNotCreated:  # upstream logs it; the client sees the connection end
                    return
            session(channels, options, target).run()

    def _is_websocket(self) -> bool:
        """wsstream.IsWebSocketRequest: an upgrade to websocket; anything else is an httpstream request."""
        return ("upgrade" in self.headers.get("Connection", "").lower()
                and self.headers.get("Upgrade", "").lower() == "websocket")

    def _upgrade_to_websocket(self, protocol: str) -> None:
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_key(self.headers["Sec-WebSocket-Key"]))
        if protocol:
            self.send_header("Sec-WebSocket-Protocol", protocol)
        self._end_upgrade()

    def _upgrade_to_spdy(self, protocol: str) -> None:
        self.send_response(101)
        self.send_header("Connection", "Upgrade")
        self.send_header("Upgrade", httpstream.SPDY_31)
        self.send_header(httpstream.PROTOCOL_VERSION_HEADER, protocol)
        self._end_upgrade()

    def _end_upgrade(self) -> None:
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/server.Server).getPortForward",
             "k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.ServePortForward")
    def _port_forward(self, namespace: str, name: str, uid: str, query: dict) -> None:
        """Check the request (ports 400, pod 404, a uid that is not the pod's 404, no sandbox 500,
        protocol 403 or 400), then upgrade to SPDY/3.1 and serve the streams on this connection
        until the client leaves."""
        try:
            check_websocket_ports(query, self.headers.get("Upgrade", "").lower() == "websocket")
            pod = self.server.find_pod(namespace, name)
            if pod is None:
                raise PortForwardRequestError(404, "pod does not exist")
            if uid and pod["metadata"].get("uid", "") != uid:
                raise PortForwardRequestError(404, "pod not found")
            key = PodKey(namespace, name, pod["metadata"].get("uid", ""))
            pod_ip = self.server.pod_address(key)
            if not pod_ip:
                raise PortForwardRequestError(500, f"failed to find sandboxID for pod {name}_{namespace}({key.uid})")
            protocol = negotiate(self.headers)
        except PortForwardRequestError as error:
            self._text(error.code, error.body(), headers=error.headers)
            return
        self._upgrade_to_spdy(protocol)
        with plain_streams(self.connection, self.rfile) as (reader, sock):
            PortForwardSession(reader, sock, protocol, pod_ip, key.uid).run()

    def _websocket_protocol(self) -> str:
        """The negotiated subprotocol of a WebSocket upgrade; 400 for no subprotocol this server speaks."""
        if not self.headers.get("Sec-WebSocket-Key"):
            raise ExecRequestError(400, "unable to upgrade: missing Sec-WebSocket-Key", as_status=True)
        protocol = negotiate_protocol(self.headers.get("Sec-WebSocket-Protocol", ""))
        if protocol is None:
            raise ExecRequestError(400, "unable to upgrade: no subprotocol in common with the client", as_status=True)
        return protocol

    def _text(self, code: int, body: str | bytes, content_type: str = "text/plain; charset=utf-8",
              headers: tuple[tuple[str, str], ...] = ()) -> None:
        body = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        if code != 304:  # writeNotModified drops the length
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _write_log(self, path: Path, first: bytes, offset: int, options: LogOptions,
                   running: Callable[[], bool] | None) -> None:
        """What the file holds now, and when following (`running` given) what the process
        appends until it stops. Chunked with no Content-Type, as getContainerLogs sets
        Transfer-Encoding itself, which keeps net/http from sniffing a type; to an HTTP/1.0
        client net/http drops the header and ends the body with the connection."""
        chunked = self.request_version != "HTTP/1.0"
        self.send_response(200)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = self.close_connection or running is not None or not chunked
        sent = 0
        try:
            for chunk in self._chunks(path, first, offset, options, running):
                if options.limit_bytes is not None:
                    chunk = chunk[:options.limit_bytes - sent]
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                    self.wfile.flush()
                    sent += len(chunk)
                if options.limit_bytes is not None and sent >= options.limit_bytes:
                    break
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the apiserver went away
            pass

    def _chunks(self, path: Path, first: bytes, offset: int, options: LogOptions,
                running: Callable[[], bool] | None):
        yield first
        while running is not None and not self.server.stopping.is_set() and not self._client_gone():
            alive = running()
            records, offset = read_records(path, offset)
            data = render(records, options, time.time_ns())
            if data:
                yield data
            if not alive:
                return
            self.server.stopping.wait(FOLLOW_POLL_SECONDS)

    def _client_gone(self) -> bool:
        """Whether the client closed its side. TLS cannot peek: a follow's client sends nothing
        more, so a byte read there is no loss, and a record not yet whole is no end."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            if not isinstance(self.connection, ssl.SSLSocket):
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            self.connection.settimeout(0.0)
            try:
                return self.connection.recv(1) == b""
            except ssl.SSLWantReadError:
                return False
            finally:
                self.connection.settimeout(None)
        except OSError:
            return True


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Go listens with the kernel's own limit (net.maxListenerBacklog reads somaxconn, which caps
    # this too); socketserver's 5 drops the SYNs of a burst, whose clients then wait a second.
    request_queue_size = socket.SOMAXCONN
    log_root: Path
    find_pod: PodLookup
    is_running: RunningCheck
    exec_target: ExecTargetLookup
    attach_target: AttachTargetLookup
    pod_address: PodAddressLookup
    stopping: threading.Event
    auth: KubeletAuth | None
    host: KubeletHost
    node_log_dir: Path
    idle_timeout: float
    read_timeout: float
    handshake_timeout = HANDSHAKE_TIMEOUT_SECONDS

    def handle_error(self, request, client_address) -> None:
        """A client dropping its connection is not the kubelet's error."""
        log_dropped_connection(client_address)


class LogServer:
    """Serves container logs, execs, attaches and port forwards on `host:port` (0 = a free port)
    in a daemon thread, over HTTPS with `tls` and past `auth`'s filter, each of which must be
    named (None: plain HTTP, every request served); `exec_target` gives a running container's
    environment (None: no exec), `attach_target` its output and input (None: no attach),
    `pod_address` the address of a pod's sandbox (None: no port forward); `kubelet_host` the
    kubelet's pods, stats and metrics (`/pods`, `/stats/summary`, `/metrics`, `/run`, ...; None:
    those paths are not served) and `node_log_dir` what `/logs/` serves. A connection waits
    `idle_timeout` for its next request and `read_timeout` for a request's head."""

    def __init__(self, log_root: Path, find_pod: PodLookup, is_running: RunningCheck,
                 host: str = "127.0.0.1", port: int = 0, exec_target: ExecTargetLookup = lambda key, name: None,
                 attach_target: AttachTargetLookup = lambda key, name: None,
                 pod_address: PodAddressLookup = lambda key: None, *, tls: ssl.SSLContext | None,
                 auth: KubeletAuth | None, kubelet_host: KubeletHost | None = None,
                 node_log_dir: Path = Path("/var/log"), idle_timeout: float = IDLE_TIMEOUT_SECONDS,
                 read_timeout: float = READ_TIMEOUT_SECONDS):
        self._httpd = _Server((host, port), _Handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self._httpd.auth = auth
        self._httpd.log_root, self._httpd.find_pod, self._httpd.is_running = Path(log_root), find_pod, is_running
        self._httpd.exec_target, self._httpd.attach_target = exec_target, attach_target
        self._httpd.pod_address = pod_address
        self._httpd.host, self._httpd.node_log_dir = kubelet_host, Path(node_log_dir)
        self._httpd.idle_timeout, self._httpd.read_timeout = idle_timeout, read_timeout
        self._httpd.stopping = threading.Event()
        self._httpd.timeout = 0  # handle_request (`accept`) waits for no connection
        self.host, self.port = host, self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="kubelet-logs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def fileno(self) -> int:
        return self._httpd.fileno()

    def accept(self) -> None:
        """Take the waiting connection and serve it in its own thread, as a started server does;
        for an `AcceptLoop`, once the socket is readable. Raises accept's OSError (too many open
        files), which the loop backs off from."""
        request, client_address = self._httpd.get_request()
        try:
            self._httpd.process_request(request, client_address)
        except Exception:  # the connection's thread could not start
            self._httpd.handle_error(request, client_address)
            self._httpd.shutdown_request(request)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


# The accept errors net/http's Serve waits out (syscall.Errno.Temporary: EINTR, EMFILE, ENFILE and
# the timeouts); any other ends the server.
TEMPORARY_ACCEPT_ERRORS = frozenset({errno.EINTR, errno.EMFILE, errno.ENFILE, errno.EAGAIN, errno.ETIMEDOUT})


@mirrors("(*net/http.Server).Serve")
def accept_retry_delay(previous: float) -> float:
    """How long to wait after a failed accept: the first delay, then twice the one before, at
    most the last; without it a listener out of descriptors stays readable and the loop spins."""
    return min(max(2 * previous, ACCEPT_RETRY_FIRST_SECONDS), ACCEPT_RETRY_MAX_SECONDS)


class AcceptLoop:
    """One thread that accepts the connections of many LogServers, each then served in its own
    thread: a process of hollow nodes serves every node's API on a port of its own, as each of
    kubemark's hollow kubelets does, without a thread polling each listening socket. Out of
    descriptors, it waits and retries as Go's Serve does; the limit is process-wide, so every
    listener waits. Should the loop itself fail, it keeps the error in `error` and sets `failed`
    (the process's stop event), as the kubelet exits once its server stops serving."""

    def __init__(self, servers: list[LogServer], failed: threading.Event | None = None) -> None:
        self.servers = servers
        self.failed = failed or threading.Event()
        self.error: Exception | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kubelet-accept", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._accept()
        except Exception as error:  # no connection to any node can be taken any more
            self.error = error
            self.failed.set()

    def _accept(self) -> None:
        with selectors.DefaultSelector() as selector:
            for server in self.servers:
                selector.register(server, selectors.EVENT_READ)
            delay = 0.0
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.2):
                    try:
                        key.fileobj.accept()
                        delay = 0.0
                    except ConnectionAbortedError:  # reset before it was taken: Go's accept tries again
                        continue
                    except OSError as error:
                        if error.errno not in TEMPORARY_ACCEPT_ERRORS:
                            raise
                        delay = accept_retry_delay(delay)
                        _log.warning("http: Accept error: accept tcp %s: accept4: %s; retrying in %s",
                                     key.fileobj.address, os.strerror(error.errno or 0).lower(),
                                     format_duration(delay))
                        self._stopping.wait(delay)
                        break

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for server in self.servers:
            server.stop()
