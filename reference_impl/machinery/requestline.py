"""The request line and Host header as Go's net/http reads them, before any handler runs.

http.server splits the line on any whitespace and refuses what it cannot read with an HTML page.
Go's server cuts the line at its first two spaces, wants a token for the method, HTTP/X.Y for the
protocol and a request URI for the target, and refuses anything else in plain text, closing the
connection: `400 Bad Request`, with a reason after a colon only for the refusals net/http words
itself (`missing required Host header`, `invalid header name`, `unsupported protocol version`, ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Mapping
from urllib.parse import urlsplit

from reference_impl.machinery.httpheaders import header_values
from reference_impl.mirrors import mirrors

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"HTTP/([0-9])\.([0-9])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTINUE = re.compile(r"(?i)(?:^|[ ,\t])100-continue(?:$|[ ,\t])")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# httpguts.ValidHostHeader's validHostByte and ValidHeaderFieldValue's isCTL && !isLWS.
_HOST = re.compile(r"[0-9A-Za-z!$%&'()*+,\-.:;=\[\]_~]*")
_VALUE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class RequestLineError(Exception):
    """A request net/http refuses before routing it: `code`, the reason it names, if any, and
    the body's `text` where it is not the status line again."""

    def __init__(self, code: int, reason: str = "", text: str = "") -> None:
        super().__init__(reason or HTTPStatus(code).phrase)
        self.code = code
        self.reason = reason
        self.text = text

    @mirrors("(*net/http.conn).serve")
    def response(self) -> bytes:
        """The whole answer, as conn.serve writes it straight to the connection."""
        status = f"{self.code} {HTTPStatus(self.code).phrase}" + (f": {self.reason}" if self.reason else "")
        return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                f"{self.text or status}").encode("latin-1", "replace")


@dataclass(frozen=True)
class RequestLine:
    method: str
    target: str
    major: int
    minor: int

    @property
    def version(self) -> str:
        return f"HTTP/{self.major}.{self.minor}"


@mirrors("net/http.readRequest", "net/http.parseRequestLine", "net/http.ParseHTTPVersion")
def parse(line: str) -> RequestLine:
    """`GET /path HTTP/1.1`, cut at its first two spaces (a space in the target leaves a protocol
    that is no HTTP/X.Y)."""
    method, first, rest = line.partition(" ")
    target, second, proto = rest.partition(" ")
    version = _VERSION.fullmatch(proto)
    if not (first and second and version and _TOKEN.fullmatch(method)):
        raise RequestLineError(400)
    check_request_uri(_as_url(method, target))
    return RequestLine(method, target, int(version.group(1)), int(version.group(2)))


@mirrors("net/url.ParseRequestURI")
def check_request_uri(target: str) -> None:
    """A target ParseRequestURI takes: no control characters, `*`, an absolute URL whose host has
    no malformed %-escape, or an absolute path whose %-escapes are all two hex digits (the query
    is not unescaped here)."""
    if not target or _CONTROL.search(target):
        raise RequestLineError(400)
    if target == "*":
        return
    if _SCHEME.match(target):
        # url.Parse unescapes an absolute URL's host too: `http://%zz/` is "invalid URL escape"
        rest = target[_SCHEME.match(target).end():]
        authority = rest[2:].split("/", 1)[0].split("?", 1)[0] if rest.startswith("//") else ""
        if _MALFORMED_ESCAPE.search(authority):
            raise RequestLineError(400)
        return
    path = target.split("?", 1)[0]
    if not path.startswith("/") or _MALFORMED_ESCAPE.search(path):
        raise RequestLineError(400)


def _as_url(method: str, target: str) -> str:
    """A CONNECT's authority-form target (`host:port`) as readRequest parses it: an absolute URL
    with that host and an empty path, which no handler's path matches."""
    return f"http://{target}" if method == "CONNECT" and not target.startswith("/") else target


@mirrors("net/url.ParseRequestURI", "net/http.readRequest")
def split_target(target: str, method: str = "") -> tuple[str, str]:
    """The path (still escaped) and the raw query of a target `check_request_uri` took. A path is
    never an authority, `//api` included, and keeps any `#`; an absolute URL's path is after its
    host, and a CONNECT's authority has none."""
    target = _as_url(method, target)
    if _SCHEME.match(target):
        url = urlsplit(target, allow_fragments=False)
        return url.path, url.query
    path, _, query = target.partition("?")
    return path, query


@mirrors("(*net/http.conn).readRequest", "net/http.readRequest", "net/http.http1ServerSupportsRequest",
         "golang.org/x/net/http/httpguts.ValidHostHeader")
def check_served(line: RequestLine, headers: Mapping[str, str]) -> None:
    """Once the headers are read: one Host header at most (a plain 400 for more), only HTTP/1.x,
    an HTTP/1.1 request names its Host, the Host has only the bytes a host and port may have,
    every name is a token and no value holds a control byte other than a tab."""
    hosts = header_values(headers, "Host")
    if len(hosts) > 1:
        raise RequestLineError(400)
    if line.major != 1:
        raise RequestLineError(505, "unsupported protocol version")
    host = headers.get("Host")
    if line.minor >= 1 and host is None and line.method != "CONNECT":
        raise RequestLineError(400, "missing required Host header")
    if host is not None and not _HOST.fullmatch(host):
        raise RequestLineError(400, "malformed Host header")
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            raise RequestLineError(400, "invalid header name")
        if _VALUE_CONTROL.search(value):
            raise RequestLineError(400, "invalid header value")


@mirrors("net/http.hasToken", "(*net/http.Request).expectsContinue")
def expects_continue(headers: Mapping[str, str]) -> bool:
    """Whether the first Expect header holds the token 100-continue, in any case."""
    return bool(_CONTINUE.search(headers.get("Expect", "")))
