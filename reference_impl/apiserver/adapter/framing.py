"""Request framing: how much of a request the apiserver reads, and what it says when the framing is wrong.

kube-apiserver answers a body over 3 MiB with 413 RequestEntityTooLarge before it reads it
(handlers.limitedReadBody; Go's net/http refuses a bad Content-Length or chunk size with 400), and
still closes the connection politely: the client gets the Status, not a reset. `read_body` takes the
request headers and a binary file to read from, so tests can feed it bytes.
"""
from __future__ import annotations

import re
import socket
from typing import BinaryIO, Iterator, Mapping

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.limits import MAX_REQUEST_BODY_BYTES, too_large
from reference_impl.machinery import httpheaders
from reference_impl.mirrors import mirrors

# A chunk-size line longer than this is not a size (net/http/internal's maxLineLength is 4096).
MAX_CHUNK_LINE = 4096
# How much of an over-long body is read and thrown away so that the 413 reaches the client
# instead of a TCP reset; a bigger body is cut off after it.
MAX_DRAIN_BYTES = 64 * 1024 * 1024
_HEX = re.compile(rb"[0-9a-fA-F]+")


def content_length(headers: Mapping[str, str]) -> int | None:
    """The declared body length (httpheaders.content_length), its refusal a 400 Status."""
    try:
        return httpheaders.content_length(headers)
    except httpheaders.HeaderError as err:
        raise errors.bad_request(err.detail) from None


def _chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip()
    if len(line) > MAX_CHUNK_LINE or not line.endswith(b"\n") or not _HEX.fullmatch(size) or len(size) > 16:
        raise errors.bad_request("malformed chunked encoding: invalid chunk size line")
    return int(size, 16)


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.limitedReadBody")
def read_body(headers: Mapping[str, str], rfile: BinaryIO) -> bytes:
    """The request body from Content-Length or chunked transfer coding; 413 as soon as the
    declared or received size passes the limit, 400 for a framing that cannot be read."""
    length = content_length(headers)
    if length is None:
        return _read_chunked(rfile)
    if length > MAX_REQUEST_BODY_BYTES:
        raise too_large()
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise errors.bad_request(f"unexpected EOF: read {len(body)} of {length} body bytes")
    return body


def _read_chunked(rfile: BinaryIO) -> bytes:
    return b"".join(_chunks(rfile, MAX_REQUEST_BODY_BYTES))


def stream_body(headers: Mapping[str, str], rfile: BinaryIO) -> Iterator[bytes]:
    """The body piece by piece as it arrives, of any size: what a proxy subresource passes on
    (ConnectResource reads no body, so no limit applies); a framing error ends it early."""
    length = content_length(headers)
    if length is None:
        try:
            yield from _chunks(rfile, None)
        except StatusError:
            return
        return
    while length > 0 and (piece := rfile.read(min(length, 64 * 1024))):
        length -= len(piece)
        yield piece


def _chunks(rfile: BinaryIO, limit: int | None) -> Iterator[bytes]:
    """The chunks of a chunked body; 413 once their declared sizes pass `limit`."""
    size = 0
    while True:
        length = _chunk_size(rfile.readline(MAX_CHUNK_LINE + 1))
        if length == 0:
            for _ in range(100):  # trailer fields, then the blank line
                line = rfile.readline(MAX_CHUNK_LINE + 1)
                if not line.strip():
                    return
            raise errors.bad_request("malformed chunked encoding: too many trailer lines")
        size += length
        if limit is not None and size > limit:
            raise too_large()
        chunk = rfile.read(length)
        if len(chunk) != length or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise errors.bad_request("malformed chunked encoding: chunk data does not match its size")
        yield chunk


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
