"""The kubelet's `/portForward/<namespace>/<pod>` endpoint, which the apiserver's `pods/portforward`
proxies to (`kubectl port-forward`), spoken as SPDY/3.1 streams.

After the upgrade the client opens two streams per connection it forwards, both with the headers
`port` and `requestID`: an `error` stream, which it closes for writing at once and only reads, and
a `data` stream that carries the bytes both ways. Once a request has both, the kubelet dials the
pod's port and copies; a failed dial is written as text on the error stream, which kubectl prints.
Upstream the container runtime dials `localhost:<port>` inside the pod's network namespace; here
every pod shares the node's network, so the kubelet dials the pod's own address, as a Service does.

kubectl 1.31 and later first try SPDY tunnelled in a WebSocket (`SPDY/3.1+portforward.k8s.io`),
which the 1.24 apiserver passes on as it is: a kubelet answers a WebSocket request without a `port`
query with 400, and kubectl falls back to a plain SPDY upgrade. The kubelet's own WebSocket
port-forward protocol (`portforward.k8s.io` channels, ports in the query) is not served.

The core is `negotiate`, `stream_problem` and `StreamPairs`; `PortForwardSession` is the I/O.
"""
from __future__ import annotations

import queue
import socket
import threading
from dataclasses import dataclass, field
from typing import BinaryIO

from reference_impl.kubelet.channels import UpgradedConnection
from reference_impl.machinery import httpstream, spdy
from reference_impl.machinery.netdial import dial_error
from reference_impl.mirrors import mirrors

PORT_FORWARD_PROTOCOL = "portforward.k8s.io"
STREAM_TYPE_ERROR, STREAM_TYPE_DATA = "error", "data"
DIAL_TIMEOUT_SECONDS = 10


class PortForwardRequestError(Exception):
    """A port-forward request the kubelet refuses before upgrading; `code` is its HTTP status.
    Go's http.Error (`by_http_error`) ends the body with a newline, go-restful's WriteError not."""

    def __init__(self, code: int, message: str, by_http_error: bool = False,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.code = code
        self.message = message
        self.by_http_error = by_http_error
        self.headers = headers
        super().__init__(message)

    def body(self) -> str:
        return self.message + "\n" if self.by_http_error else self.message


@mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.NewV4Options")
def check_websocket_ports(query: dict, is_websocket: bool) -> None:
    """A WebSocket request must name its ports in the query; SPDY ones name them per stream."""
    if is_websocket and not query.get("port"):
        raise PortForwardRequestError(400, 'query parameter "port" is required')


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.Handshake",
         "(k8s.io/apimachinery/pkg/util/httpstream/spdy.responseUpgrader).UpgradeResponse")
def negotiate(headers) -> str:
    """The protocol both sides speak, after the checks upstream makes in this order: 403 when the
    client's X-Stream-Protocol-Version does not list portforward.k8s.io, 400 when the request does
    not ask to upgrade to SPDY/3.1."""
    offered = httpstream.offered_protocols(headers)
    if httpstream.negotiate(offered, (PORT_FORWARD_PROTOCOL,)) is None:
        raise PortForwardRequestError(403, httpstream.no_common_protocol(offered, (PORT_FORWARD_PROTOCOL,)),
                                      by_http_error=True,
                                      headers=httpstream.accepted_protocols((PORT_FORWARD_PROTOCOL,)))
    if not httpstream.is_spdy_upgrade(headers):
        raise PortForwardRequestError(400, "unable to upgrade: missing upgrade headers in request", by_http_error=True)
    return PORT_FORWARD_PROTOCOL


@mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.httpStreamReceived")
def stream_problem(headers: dict[str, str]) -> str | None:
    """Why a new stream is refused (it is reset), or None: a port from 1 to 65535 and a known type."""
    port = headers.get("port", "")
    if not port:
        return '"port" header is required'
    if not port.isdigit() or int(port) > 65535:
        return f'unable to parse "{port}" as a port'
    if int(port) < 1:
        return f'port "{port}" must be > 0'
    stream_type = headers.get("streamtype", "")
    if not stream_type:
        return '"streamType" header is required'
    if stream_type not in (STREAM_TYPE_ERROR, STREAM_TYPE_DATA):
        return f'invalid stream type "{stream_type}"'
    return None


@dataclass
class StreamPair:
    """One forwarded connection: its error and data streams (their ids), once both have come."""

    request_id: str
    port: int = 0
    error_stream: int | None = None
    data_stream: int | None = None


@dataclass
class StreamPairs:
    """Streams grouped by request into pairs (httpStreamHandler's streamPairs)."""

    pairs: dict[str, StreamPair] = field(default_factory=dict)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.httpStreamHandler).requestID")
    def request_id(self, stream_id: int, headers: dict[str, str]) -> str:
        """The requestID header; a client too old to send one gets its streams paired by id, the
        error stream's and the data stream's two apart."""
        if headers.get("requestid"):
            return headers["requestid"]
        return str(stream_id - 2 if headers.get("streamtype") == STREAM_TYPE_DATA else stream_id)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.httpStreamPair).add")
    def add(self, stream_id: int, headers: dict[str, str]) -> tuple[StreamPair, bool]:
        """The stream's pair and whether it is now complete; a second stream of one type is an error."""
        request_id = self.request_id(stream_id, headers)
        pair = self.pairs.setdefault(request_id, StreamPair(request_id))
        kind = headers["streamtype"]
        if getattr(pair, f"{kind}_stream") is not None:
            raise ValueError(f"error processing stream for request {request_id}: {kind} stream already assigned")
        setattr(pair, f"{kind}_stream", stream_id)
        if kind == STREAM_TYPE_DATA:
            pair.port = int(headers["port"])
        complete = pair.error_stream is not None and pair.data_stream is not None
        if complete:
            del self.pairs[request_id]
        return pair, complete


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.httpStreamHandler).portForward")
def forward_error(port: int, sandbox: str, err: str) -> str:
    """The error stream's text for a forward that failed. Upstream names the pod by its sandbox ID
    and leaves the uid empty (the CRI streaming server has only the sandbox)."""
    return f"error forwarding port {port} to pod {sandbox}, uid : {err}"


# --- the I/O -----------------------------------------------------------------------------------

_FIN, _RESET = b"", None  # queued for a pair's writer: the client half-closed, or it is gone


class PortForwardSession(UpgradedConnection):
    """One upgraded connection: pairs streams and copies each pair's data to and from the pod at
    `pod_ip` (named `sandbox` in error messages).

    Frames are read in one thread; each pair has a thread that dials and reads from the pod and
    one that writes to it, fed through a queue so that a slow pod never stalls the other streams.
    """

    def __init__(self, rfile: BinaryIO, sock, protocol: str, pod_ip: str, sandbox: str) -> None:
        super().__init__(rfile, sock, protocol)
        self.pod_ip, self.sandbox = pod_ip, sandbox
        self._writer = spdy.FrameWriter()
        self._pairs = StreamPairs()
        self._inbound: dict[int, queue.SimpleQueue] = {}  # data stream id -> what goes to the pod

    def run(self) -> None:
        reader = spdy.FrameReader()
        try:
            while not self.gone.is_set() and (data := self.rfile.read1(64 * 1024)):
                for frame in reader.feed(data):
                    self._on_frame(frame)
        except (OSError, spdy.SpdyError):
            pass
        finally:
            self.gone.set()
            for inbound in list(self._inbound.values()):
                inbound.put(_RESET)

    def _on_frame(self, frame: spdy.Frame) -> None:
        if isinstance(frame, spdy.SynStream):
            self._on_new_stream(frame)
        elif isinstance(frame, (spdy.Data, spdy.RstStream)):
            inbound = self._inbound.get(frame.stream_id)  # None: not a data stream, or its forward ended
            if inbound is None:
                return
            if isinstance(frame, spdy.RstStream):
                inbound.put(_RESET)
                return
            if frame.data:
                inbound.put(frame.data)
            if frame.fin:
                inbound.put(_FIN)
        elif isinstance(frame, spdy.Ping):
            self._write(self._writer.ping(frame.ping_id))
        elif isinstance(frame, spdy.GoAway):
            self.gone.set()

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/cri/streaming/portforward.httpStreamHandler).run",
             "(*k8s.io/apimachinery/pkg/util/httpstream/spdy.connection).newSpdyStream")
    def _on_new_stream(self, frame: spdy.SynStream) -> None:
        if stream_problem(frame.headers) is not None:
            self._write(self._writer.rst_stream(frame.stream_id))
            return
        self._write(self._writer.syn_reply(frame.stream_id, {}))
        try:
            pair, complete = self._pairs.add(frame.stream_id, frame.headers)
        except ValueError as err:
            self._write(self._writer.data(frame.stream_id, str(err).encode()))
            return
        if complete:
            self._inbound[pair.data_stream] = queue.SimpleQueue()
            threading.Thread(target=self._forward, args=(pair,), name="kubelet-portforward", daemon=True).start()

    def _forward(self, pair: StreamPair) -> None:
        """Dial the pod, copy both ways until the pod's side ends, then close both streams."""
        inbound = self._inbound[pair.data_stream]
        try:
            target = socket.create_connection((self.pod_ip, pair.port), timeout=DIAL_TIMEOUT_SECONDS)
        except OSError as err:
            failure = f"dial tcp {self.pod_ip}:{pair.port}: {dial_error(err)}"
            self._write(self._writer.data(pair.error_stream, forward_error(pair.port, self.sandbox, failure).encode()))
        else:
            with target:
                target.settimeout(None)
                writer = threading.Thread(target=self._to_pod, args=(inbound, target), daemon=True)
                writer.start()
                self._from_pod(target, pair.data_stream)
                inbound.put(_RESET)
                writer.join()
        del self._inbound[pair.data_stream]
        for stream_id in (pair.data_stream, pair.error_stream):
            self._write(self._writer.data(stream_id, b"", fin=True))

    @staticmethod
    def _to_pod(inbound: queue.SimpleQueue, target: socket.socket) -> None:
        """The client's bytes to the pod; its FIN half-closes, a reset (or the end) closes both ways."""
        try:
            while (data := inbound.get()) is not _RESET:
                if data == _FIN:
                    target.shutdown(socket.SHUT_WR)
                else:
                    target.sendall(data)
            target.shutdown(socket.SHUT_RDWR)
        except OSError:  # the pod closed: what the client still sends is dropped
            pass

    def _from_pod(self, target: socket.socket, stream_id: int) -> None:
        try:
            while data := target.recv(32 * 1024):
                self._write(self._writer.data(stream_id, data))
        except OSError:
            pass
