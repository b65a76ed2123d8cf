"""The gRPC receive limit as etcd's clients see it: grpc-go refuses a request message past
--max-request-bytes plus grpcOverheadBytes with RESOURCE_EXHAUSTED "grpc: received message larger
than max (N vs. LIMIT)", where grpcio would say "SERVER: Received message larger than max ...".

grpcio's own check cannot be reworded, so it is set above the limit (FRAMEWORK_CAP) and this
interceptor does the check: each request's bytes are measured before they are parsed, and an
oversized one becomes an `OversizedRequest` marker, which the wrapped method never receives: the
call is answered with grpc-go's status. A unary request is refused at once; a stream's requests end there (as if the client
half-closed), its context then reads as inactive, and once its handler has returned the stream
ends with the same status, as grpc-go ends a stream whose Recv failed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc

# Past this grpcio refuses by itself, in its own words. Up to it a message is read whole before
# it is measured here, so the cap bounds what one call can make the server hold: 8 times the
# limit, room for the usual too-large value (a file put as a value) at a bounded cost.
FRAMEWORK_CAP = 16 * 1024 * 1024


@dataclass(frozen=True)
class OversizedRequest:
    size: int
    limit: int

    def status(self) -> tuple[grpc.StatusCode, str]:
        return (grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"grpc: received message larger than max ({self.size} vs. {self.limit})")


class ReceiveLimit(grpc.ServerInterceptor):
    """Refuse request messages over `limit` bytes in grpc-go's words, for every service."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # grpcio asks for the handler on every call: each method's is wrapped once (the services
        # are fixed when the server starts, and this is its only interceptor).
        self._handlers: dict[str, grpc.RpcMethodHandler] = {}

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if method not in self._handlers:
            handler = continuation(handler_call_details)
            if handler is None:
                return None  # not kept: a client may name any number of methods that do not exist
            self._handlers[method] = self._limited(handler)
        return self._handlers[method]

    def _limited(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if handler.request_streaming and not handler.response_streaming:
            return handler  # no service here has a client-streaming call with one response
        kind = ("stream_" if handler.request_streaming else "unary_") + \
            ("stream" if handler.response_streaming else "unary")
        refusing = _refusing_stream if handler.request_streaming else _refusing_unary
        return handler._replace(request_deserializer=self._sized(handler.request_deserializer),
                                **{kind: refusing(getattr(handler, kind))})

    def _sized(self, read: Callable[[bytes], object] | None) -> Callable[[bytes], object]:
        def sized(data: bytes) -> object:
            if len(data) > self.limit:
                return OversizedRequest(len(data), self.limit)
            return read(data) if read is not None else data
        return sized


def _refusing_unary(behaviour):
    def refusing(request, context):
        if isinstance(request, OversizedRequest):
            context.abort(*request.status())
        return behaviour(request, context)
    return refusing


def _refusing_stream(behaviour):
    def refusing(requests, context):
        stream = _StreamContext(context)
        yield from behaviour(_until_oversized(requests, stream), stream)
        if stream.refused:
            context.abort(*stream.refused[0].status())
    return refusing


def _until_oversized(requests: Iterator, stream: "_StreamContext") -> Iterator:
    for request in requests:
        if isinstance(request, OversizedRequest):
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
        self.refused: list[OversizedRequest] = []

    def refuse(self, request: OversizedRequest) -> None:
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
