"""The request line and header block of an HTTP/1.x request, read without the email package.

http.server hands the header block to email.parser, a general MIME parser that costs more per
request than the rest of the HTTP adapter; this reads it as Go's net/textproto does, with
net/http's one bound: the request line and header block together within 1 MiB and 4 KiB (any
line and any number of fields inside it), past which is 431; a line with no colon is 400 (Go
answers "malformed MIME header"). As Go 1.19's textproto (the real 1.24's), a field with
an empty name is skipped and any other name is kept as sent: net/http refuses a name that is no
token afterwards (`requestline.check_served`). Obsolete line folding (a line starting with a space
or tab) continues the previous value, as textproto joins it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

MAX_HEADER_BYTES = 1 << 20  # net/http's DefaultMaxHeaderBytes, and the apiserver's MaxHeaderBytes
# What a request's line and header block may take together: (*net/http.Server).initialReadLimitSize.
HEAD_LIMIT = MAX_HEADER_BYTES + 4096
_DIGITS = re.compile(r"[0-9]+")


class HeaderError(Exception):
    """A header block that cannot be read: `code` (400 or 431) and the reason to answer with."""

    def __init__(self, code: int, reason: str, detail: str):
        super().__init__(f"{code} {reason}: {detail}")
        self.code, self.reason, self.detail = code, reason, detail


class Headers(Mapping):
    """Header fields by case-insensitive name, every value of a repeated one kept in order:
    `get` answers the first, `get_all` all of them (None when absent), as email.message does."""

    def __init__(self, fields: list[tuple[str, str]]):
        self._fields = fields
        self._values: dict[str, list[str]] = {}
        for name, value in fields:
            self._values.setdefault(name.lower(), []).append(value)

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()][0]

    def get(self, name: str, default=None):
        values = self._values.get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str, default=None) -> list[str] | None:
        values = self._values.get(name.lower())
        return list(values) if values else default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def keys(self) -> list[str]:  # the names as sent, a repeated one each time (email.message's keys)
        return [name for name, _ in self._fields]

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)

    def __delitem__(self, name: str) -> None:
        """http.Header.Del: every value of `name` gone (as `del` on an email.message)."""
        key = name.lower()
        self._fields = [(field_name, value) for field_name, value in self._fields if field_name.lower() != key]
        self._values.pop(key, None)

    def set(self, name: str, value: str) -> None:
        """http.Header.Set: the one value of `name` from now on, where its first one was."""
        key, kept, placed = name.lower(), [], False
        for field_name, field_value in self._fields:
            if field_name.lower() != key:
                kept.append((field_name, field_value))
            elif not placed:
                kept.append((field_name, value))
                placed = True
        self._fields = kept if placed else kept + [(name, value)]
        self._values[key] = [value]


def read_headers(rfile: BinaryIO, limit: int = HEAD_LIMIT, eof_ends: bool = True) -> Headers:
    """The fields up to the blank line that ends the header block, as Go's
    (*net/textproto.Reader).ReadMIMEHeader reads them (the standard library, not in the analysed
    trees); HeaderError when it is malformed or longer than `limit` bytes (431, as net/http's
    conn.readRequest refuses a head past its read limit). An end of input before the blank line
    ends the block, as http.client reads it; with `eof_ends` False it is a 400, as net/http's
    readRequest turns it into io.ErrUnexpectedEOF (a client that half-closed mid-head)."""
    fields: list[tuple[str, str]] = []
    while True:
        line = rfile.readline(limit + 1)
        limit -= len(line)
        if limit < 0:
            raise HeaderError(431, "Request Header Fields Too Large", "http: request too large")
        if not line and not eof_ends:
            raise HeaderError(400, "Bad Request", "unexpected EOF")
        if line in (b"\r\n", b"\n", b""):
            return Headers(fields)
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text.startswith((" ", "\t")):  # a line of only "\r" is left empty: malformed below
            if not fields:
                raise HeaderError(400, "Bad Request", f"malformed MIME header initial line: {text}")
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {text.strip()}".strip())
            continue
        name, colon, value = text.partition(":")
        if not colon:
            raise HeaderError(400, "Bad Request", f"malformed MIME header: missing colon: {quote(text)}")
        if name:
            fields.append((name, value.strip(" \t")))


def header_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of a header that may repeat: http.server's headers keep each one (get_all);
    a plain dict, as tests pass, holds one."""
    if hasattr(headers, "get_all"):
        return list(headers.get_all(name) or [])
    value = headers.get(name)
    return [value] if value is not None else []


class UnsupportedTransferEncoding(HeaderError):
    """A Transfer-Encoding other than one `chunked`. net/http answers 501, its one 5xx for a
    request; here it is 400 with the same text, as a client's mistake is never a 5xx."""

    def __init__(self, detail: str):
        super().__init__(400, "Bad Request", detail)


@mirrors("net/http.readTransfer", "(*net/http.transferReader).parseTransferEncoding", "net/http.fixLength",
         "net/http.fixTrailer")
def content_length(headers: Mapping[str, str], minor: int = 1) -> int | None:
    """The declared body length of an HTTP/1.`minor` request, None for a chunked body.
    Transfer-Encoding is ignored in HTTP/1.0; otherwise it must be one field saying `chunked`
    (UnsupportedTransferEncoding), and then Content-Length is dropped whatever it says. Repeated
    Content-Length fields must agree and the value be a decimal below 2**63 (an empty one is no
    length), and a chunked body's Trailer may not name the framing fields (HeaderError 400)."""
    encodings = header_values(headers, "Transfer-Encoding") if minor >= 1 else []
    if len(encodings) > 1:
        raise UnsupportedTransferEncoding(f"too many transfer encodings: {encodings}")
    if encodings and encodings[0].lower() != "chunked":
        raise UnsupportedTransferEncoding(f"unsupported transfer encoding: {encodings[0]!r}")
    if encodings:
        _check_trailer(headers)
        return None
    lengths = [value.strip(" \t") for value in header_values(headers, "Content-Length")]
    if len(set(lengths)) > 1:
        raise HeaderError(400, "Bad Request", f"http: message cannot contain multiple Content-Length headers; "
                                              f"got {lengths}")
    if not lengths or not lengths[0]:
        return 0
    if not _DIGITS.fullmatch(lengths[0]) or int(lengths[0]) >= 1 << 63:
        raise HeaderError(400, "Bad Request", f"bad Content-Length {lengths[0]!r}")
    return int(lengths[0])


def _check_trailer(headers: Mapping[str, str]) -> None:
    for value in header_values(headers, "Trailer"):
        for key in value.split(","):
            if key.strip(" \t").lower() in ("transfer-encoding", "trailer", "content-length"):
                raise HeaderError(400, "Bad Request", f"bad trailer key {key.strip()!r}")
