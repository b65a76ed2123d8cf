"""What grpc-go refuses before etcd's handler sees a request, in grpc-go's words where grpcio
would use its own.

The receive limit: grpc-go refuses a request message past --max-request-bytes plus
grpcOverheadBytes with RESOURCE_EXHAUSTED "grpc: received message larger than max (N vs. LIMIT)",
where grpcio would say "SERVER: Received message larger than max ...". grpcio's own check cannot
be reworded, so it is set above the limit (FRAMEWORK_CAP) and this interceptor does the check:
each request's bytes are measured before they are parsed.

Bytes gogo's Unmarshal refuses (gogowire.py): grpc-go answers INTERNAL "grpc: error unmarshalling
request: ..." (a stream's request: "grpc: failed to unmarshal the received message ..."), where
grpcio says "Exception deserializing request!"; `checked_reader` makes a method's deserializer
return an `UndecodableRequest` for them.

Either refusal is a marker the wrapped method never receives: the call is answered with grpc-go's
status. A unary request is refused at once; a stream's requests end there (as if the client
half-closed), its context then reads as inactive, and once its handler has returned the stream
ends with the same status, as grpc-go ends a stream whose Recv failed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
from google.protobuf.message import DecodeError

from reference_impl.etcd.gogostrings import read_lenient
from reference_impl.etcd.gogowire import unmarshal_error

# Past this grpcio refuses by itself, in its own words. Up to it a message is read whole before
# it is measured here, so the cap bounds what one call can make the server hold: 8 times the
# default limit, room for the usual too-large value (a file put as a value) at a bounded cost.
FRAMEWORK_CAP = 16 * 1024 * 1024


def framework_cap(limit: int) -> int:
    """grpcio's own receive limit for a server whose limit (grpc-go's) is `limit`: at least
    FRAMEWORK_CAP, and twice a larger --max-request-bytes, so that every request etcd accepts
    reaches the handler and one somewhat too large is still refused in grpc-go's words."""
    return max(FRAMEWORK_CAP, 2 * limit)


@dataclass(frozen=True)
class OversizedRequest:
    size: int
    limit: int

    def status(self, streaming: bool = False) -> tuple[grpc.StatusCode, str]:
        return (grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"grpc: received message larger than max ({self.size} vs. {self.limit})")


@dataclass(frozen=True)
class UndecodableRequest:
    problem: str  # gogo's Unmarshal error

    def status(self, streaming: bool = False) -> tuple[grpc.StatusCode, str]:
        """processUnaryRPC's words for a unary call's request, recv's for a stream's."""
        said = "grpc: failed to unmarshal the received message" if streaming else \
            "grpc: error unmarshalling request:"
        return grpc.StatusCode.INTERNAL, f"{said} {self.problem}"


REFUSED = (OversizedRequest, UndecodableRequest)


def checked_reader(request_type: type, read: Callable[[bytes], object] | None = None
                   ) -> Callable[[bytes], object]:
    """A deserializer of `request_type` (by `read`, else its FromString) that gives an
    UndecodableRequest for bytes etcd 3.4 cannot unmarshal. The bytes are walked as gogo reads
    them only when protobuf's decoder refused them or kept fields it did not know (a known
    field of another wire type is one): the walk costs a txn a fifth of its call."""
    read = read or request_type.FromString
    descriptor = request_type.DESCRIPTOR

    def checked(data: bytes) -> object:
        try:
            request = read(data)
        except (DecodeError, ValueError) as err:  # ValueError: read_txn_request's own reading
            problem = unmarshal_error(descriptor, data)
            if problem is not None:
                return UndecodableRequest(problem)
            if isinstance(err, DecodeError):  # refused by protobuf alone: a string not UTF-8
                return read_lenient(request_type, data)
            raise
        if _dropped_unknown_fields(request):
            problem = unmarshal_error(descriptor, data)
            if problem is not None:
                return UndecodableRequest(problem)
        return request
    return checked


def _dropped_unknown_fields(request) -> bool:
    """Drop the fields protobuf kept unknown, as gogo's Unmarshal does: whether there were any."""
    size = request.ByteSize()
    request.DiscardUnknownFields()
    return request.ByteSize() != size


class PerMethodInterceptor(grpc.ServerInterceptor):
    """An interceptor that wraps each served method's handler once, the first time it is called
    (grpcio asks for the handler on every call; the services are fixed when the server starts).
    A method `served` says no server has is passed through unkept, its refusal as it is: grpc-go
    refuses it before any interceptor runs, and a client may name any number of them."""

    def __init__(self, served: Callable[[str], bool]) -> None:
        self._served = served
        self._handlers: dict[str, grpc.RpcMethodHandler] = {}

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if method not in self._handlers:
            handler = continuation(handler_call_details)
            if handler is None or not self._served(method):
                return handler
            self._handlers[method] = self.wrap(handler, method)
        return self._handlers[method]

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        raise NotImplementedError


class ReceiveLimit(PerMethodInterceptor):
    """Refuse request messages over `limit` bytes in grpc-go's words, for every service."""

    def __init__(self, limit: int, served: Callable[[str], bool]) -> None:
        super().__init__(served)
        self.limit = limit

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        if handler.request_streaming and not handler.response_streaming:
            return handler  # no service here has a client-streaming call with one response
        kind = ("stream_" if handler.request_streaming else "unary_") + \
            ("stream" if handler.response_streaming else "unary")
        if handler.request_streaming:
            refusing = _refusing_stream(handler.stream_stream)
        else:
            refusing = _refusing_unary(getattr(handler, kind), handler.response_streaming)
        return handler._replace(request_deserializer=self._sized(handler.request_deserializer),
                                **{kind: refusing})

    def _sized(self, read: Callable[[bytes], object] | None) -> Callable[[bytes], object]:
        def sized(data: bytes) -> object:
            if len(data) > self.limit:
                return OversizedRequest(len(data), self.limit)
            return read(data) if read is not None else data
        return sized


def _refusing_unary(behaviour, response_streaming: bool):
    def refusing(request, context):
        if isinstance(request, REFUSED):
            context.abort(*request.status(streaming=response_streaming))
        return behaviour(request, context)
    return refusing


def _refusing_stream(behaviour):
    def refusing(requests, context):
        stream = _StreamContext(context)
        yield from behaviour(_until_oversized(requests, stream), stream)
        if stream.refused:
            context.abort(*stream.refused[0].status(streaming=True))
    return refusing


def _until_oversized(requests: Iterator, stream: "_StreamContext") -> Iterator:
    for request in requests:
        if isinstance(request, REFUSED):
            stream.refuse(request)
            return
        yield request


class _StreamContext:
    """The RPC's context as its handler sees it: once a request is refused, inactive, and its
    callbacks run (as they run when an RPC ends), so that a handler that keeps sending after the
    client half-closes (Watch) stops at once."""

    def __init__(self, context) -> None:
        self._context = context
        self._callbacks: list[Callable[[], None]] = []
        self.refused: list[OversizedRequest | UndecodableRequest] = []

    def refuse(self, request: OversizedRequest | UndecodableRequest) -> None:
        self.refused.append(request)
        for callback in self._callbacks:
            callback()

    def is_active(self) -> bool:
        return not self.refused and self._context.is_active()

    def add_callback(self, callback: Callable[[], None]) -> bool:
        self._callbacks.append(callback)
        return self._context.add_callback(callback)

    def __getattr__(self, name: str):
        return getattr(self._context, name)
