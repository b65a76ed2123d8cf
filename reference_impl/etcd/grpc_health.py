"""The gRPC health service (grpc.health.v1.Health) on the client port, as etcd's v3rpc registers
it: the service "" (etcd as a whole) is SERVING while the server runs; any other name is unknown.
Load balancers and `grpc_health_probe` ask it instead of calling an etcd RPC.

The service's messages (grpc/health/v1/health.proto) have one field each, so they are read and
written here by hand rather than through the grpcio-health-checking package: HealthCheckRequest
{string service = 1}, HealthCheckResponse {ServingStatus status = 1}.
"""
from __future__ import annotations

import threading
from typing import Callable

import grpc
from google.protobuf.message import DecodeError

from reference_impl.machinery.protowire import BYTES, FieldError, consume_field
from reference_impl.mirrors import mirrors

SERVICE = "grpc.health.v1.Health"
# HealthCheckResponse.ServingStatus
UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN = 0, 1, 2, 3


def read_health_check_request(data: bytes) -> str:
    """The `service` of a marshalled HealthCheckRequest; other fields are skipped, as protobuf does."""
    service, pos = "", 0
    try:
        while pos < len(data):
            number, wire_type, value, pos = consume_field(data, pos)
            if number == 1 and wire_type == BYTES:
                service = value.decode()
    except FieldError as err:
        raise DecodeError("truncated message" if err.wire_type is None
                          else f"unsupported wire type {err.wire_type}") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise DecodeError(str(err)) from None
    return service


def write_health_check_response(status: int) -> bytes:
    """A marshalled HealthCheckResponse (every ServingStatus fits one varint byte)."""
    return bytes((0x08, status)) if status else b""


class HealthServicer:
    """grpc-go's health.Server with etcd's one entry: "" SERVING."""

    def __init__(self, streams) -> None:
        self._statuses = {"": SERVING}
        self._streams = streams  # open Watch calls, cancelled when the server stops

    def Check(self, service: str, context) -> bytes:
        if service not in self._statuses:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return write_health_check_response(self._statuses[service])

    def Watch(self, service: str, context):
        """The service's status now; then, as its status never changes here, nothing until the
        call's context is done, when it ends CANCELLED "Stream has ended." as grpc-go's does
        (heard by the caller when etcd's interceptor cancelled the stream on a leader loss)."""
        ended = threading.Event()
        if not context.add_callback(ended.set):
            return  # the call has ended already
        self._streams.add(context)
        try:
            yield write_health_check_response(self._statuses.get(service, SERVICE_UNKNOWN))
            ended.wait()
            context.abort(grpc.StatusCode.CANCELLED, "Stream has ended.")
        finally:
            self._streams.discard(context)


@mirrors("go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.Server")
def add_health_servicer(grpc_server: grpc.Server, streams,
                        intercepted: Callable[..., Callable] = lambda behaviour, stream: behaviour) -> None:
    """Register the health service; `intercepted(behaviour, stream=...)` puts each method behind
    the interceptors etcd's gRPC server applies to all its services."""
    servicer = HealthServicer(streams)
    handlers = {
        "Check": grpc.unary_unary_rpc_method_handler(
            intercepted(servicer.Check, stream=False), request_deserializer=read_health_check_request,
            response_serializer=bytes),
        "Watch": grpc.unary_stream_rpc_method_handler(
            intercepted(servicer.Watch, stream=True), request_deserializer=read_health_check_request,
            response_serializer=bytes),
    }
    grpc_server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
