"""What etcd 3.4's gRPC server counts of its calls for /metrics: the bytes its codec reads and
writes (etcd_network_client_grpc_received_bytes_total, _sent_bytes_total), the calls per client
API version (etcd_server_client_requests_total), and go-grpc-prometheus's per-method families
(grpc_server_started_total, _handled_total by status code, _msg_received_total, _msg_sent_total),
the ones etcd's Grafana dashboard and mixin read.

`GrpcMonitor` is a grpcio interceptor placed inside `grpc_limits.ReceiveLimit`, so that, as with
grpc-go, a request refused for its size before any handler runs is neither read by the codec nor
counted as a call. The counters are one per process, as Go's default Prometheus registry is.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import grpc

from reference_impl.etcd.grpc_limits import PerMethodInterceptor
from reference_impl.machinery.prometheus import Family
from reference_impl.mirrors import mirrors

V3RPC = "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"

# grpc-go's codes.Code names, as go-grpc-prometheus labels them
CODE_NAMES = {
    grpc.StatusCode.OK: "OK", grpc.StatusCode.CANCELLED: "Canceled", grpc.StatusCode.UNKNOWN: "Unknown",
    grpc.StatusCode.INVALID_ARGUMENT: "InvalidArgument",
    grpc.StatusCode.DEADLINE_EXCEEDED: "DeadlineExceeded", grpc.StatusCode.NOT_FOUND: "NotFound",
    grpc.StatusCode.ALREADY_EXISTS: "AlreadyExists", grpc.StatusCode.PERMISSION_DENIED: "PermissionDenied",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "ResourceExhausted",
    grpc.StatusCode.FAILED_PRECONDITION: "FailedPrecondition", grpc.StatusCode.ABORTED: "Aborted",
    grpc.StatusCode.OUT_OF_RANGE: "OutOfRange", grpc.StatusCode.UNIMPLEMENTED: "Unimplemented",
    grpc.StatusCode.INTERNAL: "Internal", grpc.StatusCode.UNAVAILABLE: "Unavailable",
    grpc.StatusCode.DATA_LOSS: "DataLoss", grpc.StatusCode.UNAUTHENTICATED: "Unauthenticated",
}

_METHOD = ("grpc_method", "grpc_service", "grpc_type")


class GrpcMetrics:
    """The families, with the calls of `methods` (service, method, type) at zero from the start,
    as grpc_prometheus.Register(server) sets out every method the server has at that moment."""

    def __init__(self, methods: tuple[tuple[str, str, str], ...] = ()) -> None:
        self.received_bytes = Family("etcd_network_client_grpc_received_bytes_total",
                                     "The total number of bytes received from grpc clients.", "counter")
        self.sent_bytes = Family("etcd_network_client_grpc_sent_bytes_total",
                                 "The total number of bytes sent to grpc clients.", "counter")
        self.client_requests = Family("etcd_server_client_requests_total",
                                      "The total number of client requests per client version.", "counter",
                                      ("type", "client_api_version"))
        self.started = Family("grpc_server_started_total", "Total number of RPCs started on the server.",
                              "counter", _METHOD)
        self.handled = Family("grpc_server_handled_total",
                              "Total number of RPCs completed on the server, regardless of success or failure.",
                              "counter", (*_METHOD, "grpc_code"))
        self.msg_received = Family("grpc_server_msg_received_total",
                                   "Total number of RPC stream messages received on the server.", "counter",
                                   _METHOD)
        self.msg_sent = Family("grpc_server_msg_sent_total",
                               "Total number of gRPC stream messages sent by the server.", "counter", _METHOD)
        for labels in methods:
            self.preregister(*labels)

    @mirrors(f"{V3RPC}.Server")
    def preregister(self, service: str, method: str, kind: str) -> None:
        labels = (method, service, kind)
        for family in (self.started, self.msg_received, self.msg_sent):
            family.inc(*labels, by=0)
        for code in CODE_NAMES.values():
            self.handled.inc(*labels, code, by=0)

    def families(self) -> list[Family]:
        return [self.received_bytes, self.sent_bytes, self.client_requests, self.started, self.handled,
                self.msg_received, self.msg_sent]


def call_type(request_streaming: bool, response_streaming: bool) -> str:
    """go-grpc-prometheus's grpc_type label."""
    if request_streaming:
        return "bidi_stream" if response_streaming else "client_stream"
    return "server_stream" if response_streaming else "unary"


def client_api_version(context) -> str:
    """The first client-api-version metadata value, "unknown" without one (etcd's interceptors)."""
    values = [value for key, value in context.invocation_metadata() or () if key == "client-api-version"]
    return values[0] if values else "unknown"


def _code(context, default: grpc.StatusCode) -> str:
    code = context.code() if hasattr(context, "code") else None
    return CODE_NAMES.get(code if isinstance(code, grpc.StatusCode) else default, "Unknown")


class GrpcMonitor(PerMethodInterceptor):
    """Counts every call of a served method into `metrics`. A method no server has is not
    counted: a client naming ever new ones would otherwise add series to /metrics."""

    def __init__(self, metrics: GrpcMetrics, served: Callable[[str], bool]) -> None:
        super().__init__(served)
        self.metrics = metrics

    def wrap(self, handler: grpc.RpcMethodHandler, path: str) -> grpc.RpcMethodHandler:
        if handler.request_streaming and not handler.response_streaming:
            return handler  # no service here has a client-streaming call with one response
        service, _, name = path.lstrip("/").rpartition("/")
        kind = call_type(handler.request_streaming, handler.response_streaming)
        labels = (name, service, kind)
        attribute = ("stream_" if handler.request_streaming else "unary_") + \
            ("stream" if handler.response_streaming else "unary")
        behaviour = getattr(handler, attribute)
        wrap = self._stream if handler.request_streaming or handler.response_streaming else self._unary
        return handler._replace(request_deserializer=self._reading(handler.request_deserializer),
                                response_serializer=self._writing(handler.response_serializer),
                                **{attribute: wrap(behaviour, labels, handler.request_streaming,
                                                   handler.response_streaming)})

    @mirrors(f"(*{V3RPC}.codec).Unmarshal")
    def _reading(self, read: Callable[[bytes], object] | None) -> Callable[[bytes], object]:
        def reading(data: bytes) -> object:
            self.metrics.received_bytes.inc(by=len(data))
            return read(data) if read is not None else data
        return reading

    @mirrors(f"(*{V3RPC}.codec).Marshal")
    def _writing(self, write: Callable[[object], bytes] | None) -> Callable[[object], bytes]:
        def writing(message: object) -> bytes:
            data = write(message) if write is not None else message
            self.metrics.sent_bytes.inc(by=len(data))
            return data
        return writing

    @mirrors(f"{V3RPC}.newUnaryInterceptor")
    def _unary(self, behaviour, labels: tuple[str, str, str], *_: bool):
        m = self.metrics

        def unary(request, context):
            m.client_requests.inc("unary", client_api_version(context))
            m.started.inc(*labels)
            m.msg_received.inc(*labels)
            try:
                response = behaviour(request, context)
            except BaseException:
                m.handled.inc(*labels, _code(context, grpc.StatusCode.UNKNOWN))
                raise
            m.handled.inc(*labels, _code(context, grpc.StatusCode.OK))
            m.msg_sent.inc(*labels)
            return response
        return unary

    @mirrors(f"{V3RPC}.newStreamInterceptor")
    def _stream(self, behaviour, labels: tuple[str, str, str], request_streaming: bool, *_: bool):
        m = self.metrics

        def received(requests: Iterator) -> Iterator:
            for request in requests:
                m.msg_received.inc(*labels)
                yield request

        def stream(request, context):
            m.client_requests.inc("stream", client_api_version(context))
            m.started.inc(*labels)
            if request_streaming:
                request = received(request)
            else:
                m.msg_received.inc(*labels)
            default = grpc.StatusCode.UNKNOWN
            try:
                for response in behaviour(request, context):
                    m.msg_sent.inc(*labels)
                    yield response
                # a handler that stops once its client cancelled returns as Go's returns ctx.Err()
                default = grpc.StatusCode.OK if context.is_active() else grpc.StatusCode.CANCELLED
            except GeneratorExit:
                default = grpc.StatusCode.CANCELLED
                raise
            finally:
                m.handled.inc(*labels, _code(context, default))
        return stream


# The process's gRPC counters, as Go's default registry holds etcd's: every server here counts
# into it, and each server's methods are set out in it when they are registered.
GRPC_METRICS = GrpcMetrics()
