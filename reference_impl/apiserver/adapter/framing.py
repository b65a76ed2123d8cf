"""Request framing: how much of a request the apiserver reads, and what it says when the framing is wrong.

kube-apiserver answers a body over 3 MiB with 413 RequestEntityTooLarge before it reads it
(handlers.limitedReadBody), and still closes the connection politely: the client gets the Status,
not a reset. A bad Content-Length or Transfer-Encoding is refused with the head, before any handler
(goserver.GoRequestHandler). A chunked body that goes wrong on the way is the handler's read error:
the real 1.24 answers it with a 500 Status carrying net/http's chunkedReader's words; ours is a 400
BadRequest with the same words (a client's mistake is no server error). `read_body` takes the
length the head declared and a binary file to read from, so tests can feed it bytes.
"""
from __future__ import annotations

import socket
from typing import BinaryIO, Iterator

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.limits import MAX_REQUEST_BODY_BYTES, too_large
from reference_impl.machinery import httpbody
from reference_impl.mirrors import mirrors

# How much of an over-long body is read and thrown away so that the 413 reaches the client
# instead of a TCP reset; a bigger body is cut off after it.
MAX_DRAIN_BYTES = 64 * 1024 * 1024
# How much of a body its handler left unread net/http reads after the handler to keep the
# connection (maxPostHandlerReadBytes); a longer body ends the connection instead.
MAX_POST_HANDLER_READ_BYTES = 256 * 1024


def _chunk_size(line: bytes) -> int:
    try:
        return httpbody.chunk_size(line)
    except httpbody.BodyError as err:
        raise errors.bad_request(str(err)) from None


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.limitedReadBody")
def read_body(length: int | None, rfile: BinaryIO) -> bytes:
    """The request body of the declared `length` (None: chunked); 413 as soon as the declared or
    received size passes the limit, 400 for a body that does not match its framing."""
    if length is None:
        return b"".join(_chunks(rfile, MAX_REQUEST_BODY_BYTES))
    if length > MAX_REQUEST_BODY_BYTES:
        raise too_large()
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise errors.bad_request("unexpected EOF")
    return body


def stream_body(length: int | None, rfile: BinaryIO) -> Iterator[bytes]:
    """The body piece by piece as it arrives, of any size: what a proxy subresource passes on
    (ConnectResource reads no body, so no limit applies); a framing error ends it early."""
    if length is None:
        try:
            yield from _chunks(rfile, None)
        except StatusError:
            return
        return
    while length > 0 and (piece := rfile.read(min(length, 64 * 1024))):
        length -= len(piece)
        yield piece


@mirrors("(*net/http/internal.chunkedReader).Read")
def _chunks(rfile: BinaryIO, limit: int | None) -> Iterator[bytes]:
    """The chunks of a chunked body, each followed by exactly CRLF, then the trailer; 413 once
    their declared sizes pass `limit`."""
    size = 0
    while length := _chunk_size(rfile.readline(httpbody.MAX_CHUNK_LINE + 1)):
        size += length
        if limit is not None and size > limit:
            raise too_large()
        chunk = rfile.read(length)
        if len(chunk) != length:
            raise errors.bad_request("unexpected EOF")
        if rfile.read(2) != b"\r\n":
            raise errors.bad_request("malformed chunked encoding")
        yield chunk
    _read_trailer(rfile)


def _read_trailer(rfile: BinaryIO) -> None:
    try:
        httpbody.read_trailer(rfile)
    except httpbody.BodyError as err:
        raise errors.bad_request(str(err)) from None


@mirrors("(*net/http.chunkWriter).writeHeader")
def discard_unread(length: int | None, rfile: BinaryIO) -> bool:
    """Read and throw away a body no handler read (declared `length`, None: chunked) before the
    answer goes out, as net/http does so that the connection can carry the next request: True when
    the whole body was read, False when it is 256 KiB or more (not read further) or its framing
    broke, and the connection must end after the answer."""
    if length is not None and length >= MAX_POST_HANDLER_READ_BYTES:
        return False
    read = 0
    try:
        for piece in stream_body(length, rfile) if length is not None else _chunks(rfile, None):
            read += len(piece)
            if read > MAX_POST_HANDLER_READ_BYTES:
                return False
    except (StatusError, OSError, ValueError):
        return False
    return length is None or read == length


def drain(connection: socket.socket, rfile: BinaryIO, timeout: float = 2.0) -> None:
    """Read and discard what the client still sends (bounded in bytes and time) after the
    response, so that closing the socket does not reset the connection before it read the
    Status; Go's server does the same for an unread body."""
    try:
        connection.settimeout(timeout)
        left = MAX_DRAIN_BYTES
        while left > 0 and (data := rfile.read1(min(left, 256 * 1024))):
            left -= len(data)
    except (OSError, ValueError):
        pass
