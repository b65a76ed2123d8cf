"""How much of a request the apiserver reads, and what it says when a request framing is wrong.

kube-apiserver answers a body over 3 MiB with 413 RequestEntityTooLarge before it reads it
(handlers.limitedReadBody; Go's net/http refuses a bad Content-Length or chunk size with 400), and
still closes the connection politely: the client gets the Status, not a reset. `read_body` takes the
request headers and a binary file to read from, so tests can feed it bytes.
"""
from __future__ import annotations

import binascii
import re
import socket
from typing import BinaryIO, Mapping

from reference_impl.apiserver import errors
from reference_impl.mirrors import mirrors

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
# A chunk-size line longer than this is not a size (net/http/internal's maxLineLength is 4096).
MAX_CHUNK_LINE = 4096
# How much of an over-long body is read and thrown away so that the 413 reaches the client
# instead of a TCP reset; a bigger body is cut off after it.
MAX_DRAIN_BYTES = 64 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9a-fA-F]+")


# Query integers are Go int64s; a larger one is a client's mistake, not a value to pass on to etcd.
MAX_INT64 = 2**63 - 1
# A watch's timeoutSeconds past this (about 30 years) waits as long; the platform's timers overflow.
MAX_WATCH_TIMEOUT_SECONDS = 10**9
# core.MaxSecretSize: what the data of one ConfigMap or Secret may hold.
MAX_SECRET_SIZE = 1024 * 1024
# apimachinery's TotalAnnotationSizeLimitB: the keys and values of one object's annotations.
TOTAL_ANNOTATION_SIZE = 256 * 1024


def header_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of a header that may repeat: http.server's headers keep each one (get_all);
    a plain dict, as tests pass, holds one."""
    if hasattr(headers, "get_all"):
        return list(headers.get_all(name) or [])
    value = headers.get(name)
    return [value] if value is not None else []


def too_large() -> errors.StatusError:
    return errors.request_entity_too_large(f"limit is {MAX_REQUEST_BODY_BYTES}")


def content_length(headers: Mapping[str, str]) -> int | None:
    """The declared body length, None for a chunked body; 400 for a value that is not one
    non-negative decimal number, for differing repeated values, or for both framings at once."""
    chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
    values = [value.strip() for value in header_values(headers, "Content-Length")]
    if chunked:
        if values:
            raise errors.bad_request("http: both Transfer-Encoding and Content-Length are set")
        return None
    if not values:
        return 0
    if len(set(values)) > 1 or not _DIGITS.fullmatch(values[0]) or len(values[0]) > 19:
        raise errors.bad_request(f"bad Content-Length {values[0]!r}")
    return int(values[0])


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
    chunks, size = [], 0
    while True:
        length = _chunk_size(rfile.readline(MAX_CHUNK_LINE + 1))
        if length == 0:
            for _ in range(100):  # trailer fields, then the blank line
                line = rfile.readline(MAX_CHUNK_LINE + 1)
                if not line.strip():
                    return b"".join(chunks)
            raise errors.bad_request("malformed chunked encoding: too many trailer lines")
        size += length
        if size > MAX_REQUEST_BODY_BYTES:
            raise too_large()
        chunk = rfile.read(length)
        if len(chunk) != length or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise errors.bad_request("malformed chunked encoding: chunk data does not match its size")
        chunks.append(chunk)


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


def too_large_for_storage(err: Exception) -> errors.StatusError:
    """etcd's "request is too large" is the client's object being too big: 413, not a 500."""
    return errors.request_entity_too_large(f"the object is too large to store: {err}")


def _decoded_size(value: object) -> int:
    if not isinstance(value, str):
        return 0
    try:
        return len(binascii.a2b_base64(value))
    except binascii.Error:
        return len(value)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateConfigMap",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecret",
         "k8s.io/apimachinery/pkg/api/validation.ValidateAnnotationsSize")
def size_problems(kind: str, obj: dict) -> list[str]:
    """Annotations over 256 KiB on any object, a ConfigMap's keys and values (data and binaryData) or a Secret's decoded data over 1 MiB
    is 422 Invalid, as the validation of both kinds says."""
    problems = []
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if sum(len(key) + len(str(value)) for key, value in annotations.items()) > TOTAL_ANNOTATION_SIZE:
        problems.append(f"metadata.annotations: Too long: must have at most {TOTAL_ANNOTATION_SIZE} bytes")
    if kind == "ConfigMap":
        total = sum(len(key) + len(value.encode()) for key, value in (obj.get("data") or {}).items()
                    if isinstance(value, str))
        total += sum(len(key) + _decoded_size(value) for key, value in (obj.get("binaryData") or {}).items())
        where = "[]"
    elif kind == "Secret":
        total = sum(_decoded_size(value) for value in (obj.get("data") or {}).values())
        total += sum(len(value.encode()) for value in (obj.get("stringData") or {}).values() if isinstance(value, str))
        where = "data"
    else:
        return problems
    if total > MAX_SECRET_SIZE:
        problems.append(f"{where}: Too long: must have at most {MAX_SECRET_SIZE} bytes")
    return problems


@mirrors("k8s.io/apiserver/pkg/api/validation/path.IsValidPathSegmentName",
         "k8s.io/apiserver/pkg/registry/generic/registry.NamespaceKeyFunc")
def check_path_segment(name: str, namespace: str | None = None) -> None:
    """A name (or namespace) that would make another etcd key than its own — `.`, `..`, or one
    holding `/` or `%` — is 400 before storage is asked."""
    for value in (namespace, name):
        if not value:
            continue
        if value in (".", ".."):
            problem = f"may not be '{value}'"
        elif "/" in value or "%" in value:
            problem = f"may not contain '{'/' if '/' in value else '%'}'"
        else:
            continue
        raise errors.bad_request(f'Name parameter invalid: "{value}": {problem}')
