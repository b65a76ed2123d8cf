"""A request's body as Go's net/http hands it to a handler, below any component: read only as far
as the handler reads it, by its Content-Length or chunk by chunk (net/http/internal's
chunkedReader: hex sizes, each chunk's data ending in CRLF, a trailer within 4 KiB), and what
the handler left unread read and dropped before the answer's head, up to 256 KiB, or else the
connection ends (chunkWriter.writeHeader). etcd's client port and every GoConnectionHandler read
their bodies with it.
"""
from __future__ import annotations

import io
import re

from reference_impl.machinery import httpheaders
from reference_impl.machinery.jsonscan import ValueScanner
from reference_impl.mirrors import mirrors

MAX_CHUNK_LINE = 4096  # net/http/internal's maxLineLength, for a chunk-size line and a trailer
MAX_POST_HANDLER_READ = 256 << 10  # net/http's maxPostHandlerReadBytes: what it reads of an unread body
GLOBAL_OPTIONS_READ = 4 << 10  # what net/http's globalOptionsHandler reads of an OPTIONS * body
BODY_PIECE = 64 << 10


class BodyError(ValueError):
    """A body net/http's body reader cannot read to its end (a chunk it cannot read, a body cut
    short): the handler reading it gets the error, after the bytes read with it, `partial`."""

    def __init__(self, message: str, partial: bytes = b"", at_end: bool = False) -> None:
        super().__init__(message)
        self.partial, self.at_end = partial, at_end  # at_end: the client sent all it will


@mirrors("net/http/internal.readChunkLine", "net/http/internal.parseHexUint")
def chunk_size(line: bytes) -> int:
    """A chunk's size as Go 1.19's parseHexUint reads it: hex digits only (no sign, `0x`, `_` or
    spaces), none at all being 0, the last chunk; its extensions after `;` ignored; its line ends
    within net/http's 4 KiB."""
    if not line.endswith(b"\n"):
        raise BodyError("header line too long" if len(line) > MAX_CHUNK_LINE else "unexpected EOF")
    if len(line) >= MAX_CHUNK_LINE:
        raise BodyError("header line too long")
    size = line.rstrip(b" \t\r\n").split(b";")[0]
    if not re.fullmatch(rb"[0-9a-fA-F]*", size):
        raise BodyError("invalid byte in chunk length")
    if len(size) > 16:
        raise BodyError("http chunk length too large")
    return int(size or b"0", 16)


@mirrors("(*net/http.body).readTrailer")
def read_trailer(rfile) -> None:
    """The trailer fields after the last chunk, up to the blank line, read from `rfile`; they
    must end within 4 KiB."""
    block = b""
    while not block.endswith(b"\r\n\r\n") and block != b"\r\n":
        line = rfile.readline(MAX_CHUNK_LINE - len(block) + 1)
        if not line:
            raise BodyError("http: unexpected EOF reading trailer")
        block += line
        if len(block) > MAX_CHUNK_LINE:
            raise BodyError("http: suspiciously long trailer after chunked body")
    try:
        httpheaders.read_headers(io.BytesIO(block))
    except httpheaders.HeaderError as err:
        raise BodyError(err.detail) from None


class RequestBody:
    """A request's body as net/http hands it to a handler: read piece by piece, only as far as
    the handler reads it, by its Content-Length or chunk by chunk (chunked: `length` None).
    `on_first_read` runs before the first byte is read (where net/http sends 100 Continue)."""

    def __init__(self, rfile, length: int | None, on_first_read=None) -> None:
        self._rfile, self._left, self._chunked = rfile, length or 0, length is None
        self._chunk_left, self._on_first_read = 0, on_first_read
        self.done, self.error = length == 0, None

    def piece(self) -> bytes:
        """The next bytes that came (b"" at the end); BodyError, again on every later read, once
        the framing fails."""
        if self.error is not None:
            raise self.error
        if self.done:
            return b""
        if self._on_first_read is not None:
            self._on_first_read()
            self._on_first_read = None
        try:
            return self._next_piece()
        except BodyError as err:
            self.error = err
            raise

    @mirrors("(*net/http/internal.chunkedReader).Read", "(*net/http.body).readLocked")
    def _next_piece(self) -> bytes:
        if not self._chunked:
            data = self._rfile.read1(min(self._left, BODY_PIECE))
            if not data:  # net/http's body counts this as its end seen: nothing is left to misread
                raise BodyError("unexpected EOF", at_end=True)
            self._left -= len(data)
            self.done = self._left == 0
            return data
        if self._chunk_left == 0:
            self._chunk_left = chunk_size(self._rfile.readline(MAX_CHUNK_LINE + 1))
            if self._chunk_left == 0:
                self._read_trailer()
                self.done = True
                return b""
        data = self._rfile.read1(min(self._chunk_left, BODY_PIECE))
        if not data:
            raise BodyError("unexpected EOF")
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            end = self._rfile.read(2)  # each chunk's data ends with CRLF, nothing else
            if end != b"\r\n":
                raise BodyError("unexpected EOF" if len(end) < 2 else "malformed chunked encoding", data)
        return data

    def _read_trailer(self) -> None:
        read_trailer(self._rfile)

    def read(self, enough=None) -> bytes:
        """The body up to its end, or only until `enough(bytes so far)` says so (json.Decoder
        reads no further than a value); BodyError carries what came before the failure."""
        body = b""
        try:
            while piece := self.piece():
                body += piece
                if enough is not None and enough(body):
                    break
        except BodyError as err:
            raise BodyError(str(err), body + err.partial, err.at_end) from None
        return body

    @mirrors("(*net/http.chunkWriter).writeHeader")
    def discard(self, limit: int, *, limit_included: bool = False) -> bool:
        """What the handler left unread read and dropped, up to `limit` bytes, as net/http does
        before it writes the answer's head; False when the rest cannot be (too long, unreadable, cut
        short): the connection must then close. A declared length of exactly `limit` left is too
        long for that read, but not with `limit_included` (a MaxBytesReader's limit, as
        globalOptionsHandler reads an OPTIONS * body)."""
        if self.error is not None:
            return self.error.at_end
        if not self._chunked and (self._left > limit if limit_included else self._left >= limit):
            return self.done
        seen = 0
        try:
            while piece := self.piece():
                seen += len(piece)
                if seen > limit:
                    return False
        except BodyError as err:
            return err.at_end
        return True


def json_value_complete(body: bytes) -> bool:
    """Whether `body` starts with a whole JSON value (after any white space): where Go's
    json.Decoder stops reading. To follow a body as it comes, call one ValueScanner with each
    longer prefix instead: it does not scan the bytes it has seen again."""
    return ValueScanner()(body)
