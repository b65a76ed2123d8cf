"""Go's net/http file server, as http.FileServer and http.ServeFile serve a directory: one copy
for the kubelet's `/logs/` (FileServer under StripPrefix) and the apiserver's `/logs` route
(ServeFile behind go-restful), each of which keeps only what its handler adds around it.

`serve_file` is serveFile: an `.../index.html` or a directory without its trailing slash is
redirected (and, for FileServer, a file with one), a directory is an HTML list of its entries, a
file is sent with Last-Modified, conditional requests and byte ranges, its type from its extension
(Go's table, then the host's shared-mime-info globs or mime.types) or sniffed from its first 512
bytes. A request and an answer are plain data; the components write the answer.

Sniffing knows what DetectContentType says of text (UTF-8 or a UTF-16 byte order mark) and
falls back to application/octet-stream; its magic numbers (HTML, PDF, images, archives, ...)
are not modelled, so such a file without a known extension is sent as octet-stream here.
"""
from __future__ import annotations

import calendar
import email.utils
import functools
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

from reference_impl.machinery import gopath
from reference_impl.machinery.strconv import parse_int
from reference_impl.mirrors import mirrors

SNIFF_LEN = 512
TEXT = "text/plain; charset=utf-8"
# mime.builtinTypesLower: these win over the host's tables.
BUILTIN_TYPES = {
    ".avif": "image/avif", ".css": "text/css; charset=utf-8", ".gif": "image/gif",
    ".htm": "text/html; charset=utf-8", ".html": "text/html; charset=utf-8", ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg", ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".mjs": "text/javascript; charset=utf-8", ".pdf": "application/pdf", ".png": "image/png",
    ".svg": "image/svg+xml", ".wasm": "application/wasm", ".webp": "image/webp", ".xml": "text/xml; charset=utf-8"}
MIME_GLOBS = ("/usr/local/share/mime/globs2", "/usr/share/mime/globs2")
MIME_TYPE_FILES = ("/etc/mime.types", "/etc/apache2/mime.types", "/etc/apache/mime.types", "/etc/httpd/conf/mime.types")
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
_BINARY_BYTES = frozenset(range(0x00, 0x09)) | {0x0B} | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))


@dataclass(frozen=True)
class FileRequest:
    """What the file server reads of a request: r.URL.Path (decoded), the raw query a redirect
    keeps, and the conditional and Range headers."""

    path: str
    raw_query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""


@dataclass(frozen=True)
class FileAnswer:
    """The status, body, Content-Type ("" for none) and other headers the file server writes."""

    code: int
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@mirrors("(*net/http.fileHandler).ServeHTTP", "(net/http.Dir).Open")
def file_server(request: FileRequest, root: str) -> FileAnswer:
    """http.FileServer(http.Dir(root)): the cleaned URL path below `root`, with the redirects
    that make a directory's URL end in a slash and a file's not."""
    url_path = request.path if request.path.startswith("/") else "/" + request.path
    request = FileRequest(url_path, request.raw_query, request.headers)
    return serve_file(request, gopath.clean(root + "/" + gopath.clean(url_path)), redirect=True)


@mirrors("net/http.ServeFile")
def serve_named_file(request: FileRequest, name: str) -> FileAnswer:
    """http.ServeFile: the file or directory `name`, refused for a URL path with a `..` element;
    a file's URL may end in a slash."""
    if _contains_dot_dot(request.path):
        return _error(400, "invalid URL path")
    return serve_file(request, name, redirect=False)


@mirrors("net/http.serveFile")
def serve_file(request: FileRequest, name: str, redirect: bool) -> FileAnswer:
    """The file or directory `name` for the request's (decoded) path, whose own shape decides the
    redirects."""
    url_path = request.path
    if url_path.endswith("/index.html"):
        return _local_redirect(request, "./")
    try:
        info = os.stat(name)
        if redirect and not stat.S_ISDIR(info.st_mode) and url_path.endswith("/"):
            return _local_redirect(request, "../" + gopath.base(url_path))
        if stat.S_ISDIR(info.st_mode):
            if not url_path.endswith("/"):
                return _local_redirect(request, gopath.base(url_path) + "/")
            index = name.rstrip("/") + "/index.html"
            if not os.path.exists(index):
                return _directory(request, name, info)
            name, info = index, os.stat(index)
        with open(name, "rb") as content:
            return _content(request, name, info, content.read())
    except OSError as err:
        return _open_error(err)
    except ValueError:  # a NUL byte: the name cannot be opened
        return _error(500, "500 Internal Server Error")


@mirrors("mime.TypeByExtension", "net/http.DetectContentType")
def content_type(name: str, data: bytes) -> str:
    """serveContent's type: the one of the name's extension, else sniffed from the first bytes."""
    return type_by_extension(os.path.splitext(name)[1]) or detect_content_type(data[:SNIFF_LEN])


@mirrors("net/http.containsDotDot")
def _contains_dot_dot(url_path: str) -> bool:
    """Whether an element between slashes (or backslashes) is `..`."""
    return ".." in re.split(r"[/\\]", url_path)


@mirrors("net/http.toHTTPError", "net/http.mapOpenError")
def _open_error(err: OSError) -> FileAnswer:
    """A missing file (or a path through a file) is 404, a refused one 403, anything else 500."""
    if isinstance(err, (FileNotFoundError, NotADirectoryError)):
        return _error(404, "404 page not found")
    if isinstance(err, PermissionError):
        return _error(403, "403 Forbidden")
    return _error(500, "500 Internal Server Error")


@mirrors("net/http.Error")
def _error(code: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> FileAnswer:
    return FileAnswer(code, f"{message}\n".encode(), TEXT, headers=headers + (("X-Content-Type-Options", "nosniff"),))


@mirrors("net/http.localRedirect")
def _local_redirect(request: FileRequest, location: str) -> FileAnswer:
    """A 301 to a path relative to the request's, its query kept; no body and no type."""
    query = request.raw_query
    return FileAnswer(301, b"", "", headers=(("Location", location + (f"?{query}" if query else "")),))


@mirrors("net/http.dirList")
def _directory(request: FileRequest, name: str, info: os.stat_result) -> FileAnswer:
    """The entries sorted by name (bytes), a directory's with a slash, each an escaped link."""
    if _if_modified_since(request, info.st_mtime) is False:
        return _not_modified(())
    with os.scandir(name) as scan:
        entries = sorted(((os.fsencode(e.name), e.name + ("/" if e.is_dir(follow_symlinks=False) else ""))
                          for e in scan))
    lines = [f'<a href="{_url_path(entry)}">{entry.translate(_HTML_ESCAPES)}</a>\n' for _, entry in entries]
    body = ("<pre>\n" + "".join(lines) + "</pre>\n").encode("utf-8", "surrogateescape")
    return FileAnswer(200, body, "text/html; charset=utf-8", headers=_last_modified(info.st_mtime))


@mirrors("(*net/url.URL).String")
def _url_path(path: str) -> str:
    """url.URL{Path: path}.String(): escaped as a path, with `./` before a first segment holding a colon."""
    escaped = quote(path, safe="/$&+,:;=@-_.~", encoding="utf-8", errors="surrogateescape")
    first = path.split("/", 1)[0]
    return ("./" if ":" in first else "") + escaped


@mirrors("net/http.serveContent", "net/http.checkPreconditions")
def _content(request: FileRequest, name: str, info: os.stat_result, data: bytes) -> FileAnswer:
    return serve_content(request, name, info.st_mtime, data)


@mirrors("net/http.ServeContent", "net/http.serveContent", "net/http.checkPreconditions")
def serve_content(request: FileRequest, name: str, mtime: float, data: bytes, etag: str = "",
                  method: str = "GET") -> FileAnswer:
    """http.ServeContent: `data` with Last-Modified (unless `mtime` is 0), conditional requests
    answered from `mtime` and the `etag` the handler set (a quoted tag, or "" for none) and byte
    ranges; its type from `name`'s extension or sniffed. An If-None-Match that matches is a 304
    for GET and HEAD, a 412 for other methods, which also ignore If-Modified-Since and If-Range."""
    modified = _last_modified(mtime)
    condition = _if_match(request.header("If-Match"), etag)
    if condition is None:
        condition = _if_unmodified_since(request, mtime)
    if condition is False:
        return FileAnswer(412, b"", "", headers=modified)
    reading = method in ("GET", "HEAD")
    none_match = _if_none_match(request.header("If-None-Match"), etag)
    if none_match is False:
        return _not_modified(modified, etag) if reading else FileAnswer(412, b"", "", headers=modified)
    if none_match is None and reading and _if_modified_since(request, mtime) is False:
        return _not_modified(modified, etag)
    range_header = request.header("Range")
    if range_header and reading and not _if_range(request.header("If-Range"), mtime, etag):
        range_header = ""
    media_type = content_type(name, data)
    try:
        ranges = parse_range(range_header, len(data))
    except RangeError as err:
        extra = (("Content-Range", f"bytes */{len(data)}"),) if err.no_overlap else ()
        return _error(416, str(err), modified + extra)
    if sum(length for _, length in ranges) > len(data):
        ranges = []  # more than the file: upstream ignores the ranges
    accept = (("Accept-Ranges", "bytes"),)
    if len(ranges) == 1:
        start, length = ranges[0]
        content_range = (("Content-Range", _content_range(start, length, len(data))),)
        return FileAnswer(206, data[start:start + length], media_type, headers=modified + accept + content_range)
    if ranges:
        boundary = secrets.token_hex(30)  # multipart.Writer's random boundary
        body = _byteranges(data, ranges, media_type, boundary)
        return FileAnswer(206, body, f"multipart/byteranges; boundary={boundary}", headers=modified + accept)
    return FileAnswer(200, data, media_type, headers=modified + accept)


@mirrors("net/http.writeNotModified")
def _not_modified(headers: tuple[tuple[str, str], ...], etag: str = "") -> FileAnswer:
    """A 304 keeps Last-Modified only when the answer has no ETag."""
    return FileAnswer(304, b"", "", headers=() if etag else headers)


@mirrors("net/http.setLastModified")
def _last_modified(mtime: float) -> tuple[tuple[str, str], ...]:
    if int(mtime) == 0:  # isZeroTime: the Unix epoch
        return ()
    return (("Last-Modified", email.utils.formatdate(int(mtime), usegmt=True)),)


@mirrors("net/http.ParseTime")
def _parse_http_time(text: str) -> float | None:
    """TimeFormat, RFC 850 or ANSI C's asctime, in GMT; None for anything else."""
    for layout in ("%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"):
        try:
            return float(calendar.timegm(time.strptime(text, layout)))
        except ValueError:
            continue
    return None


@mirrors("net/http.checkIfModifiedSince")
def _if_modified_since(request: FileRequest, mtime: float) -> bool | None:
    """False when the file is not newer than the date asked (to the second), None without one."""
    since = _parse_http_time(request.header("If-Modified-Since"))
    if since is None or int(mtime) == 0:
        return None
    return int(mtime) > since


@mirrors("net/http.checkIfUnmodifiedSince")
def _if_unmodified_since(request: FileRequest, mtime: float) -> bool | None:
    since = _parse_http_time(request.header("If-Unmodified-Since"))
    if since is None or int(mtime) == 0:
        return None
    return int(mtime) <= since


@mirrors("net/http.checkIfMatch")
def _if_match(header: str, etag: str = "") -> bool | None:
    """True for a `*` or a tag strongly equal to `etag`, before any malformed tag; None without one."""
    return None if not header else _matches(header, lambda tag: _strong_match(tag, etag))


@mirrors("net/http.checkIfNoneMatch")
def _if_none_match(header: str, etag: str = "") -> bool | None:
    """False (not modified) for a `*` or a tag weakly equal to `etag`; None without a header."""
    return None if not header else not _matches(header, lambda tag: _weak_match(tag, etag))


@mirrors("net/http.etagStrongMatch")
def _strong_match(a: str, b: str) -> bool:
    return a == b and a != "" and a[0] == '"'


@mirrors("net/http.etagWeakMatch")
def _weak_match(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


def _matches(header: str, match) -> bool:
    """Whether a comma-separated list of tags holds `*` or a tag `match` takes, before a malformed one."""
    rest = header
    while rest := rest.strip(" \t"):
        if rest[0] == ",":
            rest = rest[1:]
            continue
        if rest[0] == "*":
            return True
        tag, rest = _scan_etag(rest)
        if not tag:
            return False
        if match(tag):
            return True
    return False


@mirrors("net/http.scanETag")
def _scan_etag(text: str) -> tuple[str, str]:
    """The leading `"tag"` or `W/"tag"` and what follows it, or ("", "") when there is none."""
    text = text.strip(" \t")
    start = 2 if text.startswith("W/") else 0
    if len(text) - start < 2 or text[start] != '"':
        return "", ""
    for i in range(start + 1, len(text)):
        c = ord(text[i])
        if c == 0x22:
            return text[:i + 1], text[i + 1:]
        if not (c == 0x21 or 0x23 <= c <= 0x7E or c >= 0x80):
            return "", ""
    return "", ""


@mirrors("net/http.checkIfRange")
def _if_range(header: str, mtime: float, etag: str = "") -> bool:
    """Whether the Range is honoured: always without If-Range, else only for a tag strongly
    equal to `etag` or for the content's own date."""
    if not header:
        return True
    tag = _scan_etag(header)[0]
    if tag:
        return _strong_match(tag, etag)
    date = _parse_http_time(header)
    return date is not None and int(date) == int(mtime)


class RangeError(Exception):
    """A Range header serveContent answers with 416: malformed, or overlapping nothing."""

    def __init__(self, no_overlap: bool = False):
        super().__init__("invalid range: failed to overlap" if no_overlap else "invalid range")
        self.no_overlap = no_overlap


@mirrors("net/http.parseRange")
def parse_range(header: str, size: int) -> list[tuple[int, int]]:
    """The (start, length) of each `bytes=` range within `size`; [] without a header."""
    if not header:
        return []
    if not header.startswith("bytes="):
        raise RangeError()
    ranges, no_overlap = [], False
    for spec in header[len("bytes="):].split(","):
        spec = spec.strip(" \t")
        if not spec:
            continue
        first, dash, last = spec.partition("-")
        first, last = first.strip(" \t"), last.strip(" \t")
        if not dash:
            raise RangeError()
        if not first:  # a suffix: the last `last` bytes
            suffix = _parse_int64(last)
            if last.startswith("-") or suffix is None or suffix < 0:
                raise RangeError()
            start = size - min(suffix, size)
            ranges.append((start, size - start))
            continue
        start = _parse_int64(first)
        if start is None or start < 0:
            raise RangeError()
        if start >= size:
            no_overlap = True
            continue
        end = size - 1 if not last else _parse_int64(last)
        if end is None or start > end:
            raise RangeError()
        ranges.append((start, min(end, size - 1) - start + 1))
    if no_overlap and not ranges:
        raise RangeError(no_overlap=True)
    return ranges


@mirrors("strconv.ParseInt")
def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64); None where it errs."""
    try:
        return parse_int(text, 64, 10)
    except ValueError:
        return None


def _content_range(start: int, length: int, size: int) -> str:
    return f"bytes {start}-{start + length - 1}/{size}"


@mirrors("(*mime/multipart.Writer).CreatePart", "(net/http.httpRange).mimeHeader")
def _byteranges(data: bytes, ranges: list[tuple[int, int]], content_type: str, boundary: str) -> bytes:
    """Each range a part with its Content-Range and Content-Type (headers sorted by name)."""
    parts = []
    for index, (start, length) in enumerate(ranges):
        opening = f"--{boundary}\r\n" if index == 0 else f"\r\n--{boundary}\r\n"
        head = (f"{opening}Content-Range: {_content_range(start, length, len(data))}\r\n"
                f"Content-Type: {content_type}\r\n\r\n")
        parts.append(head.encode("latin-1") + data[start:start + length])
    return b"".join(parts) + f"\r\n--{boundary}--\r\n".encode("latin-1")


@mirrors("mime.TypeByExtension")
def type_by_extension(extension: str) -> str:
    """The type of `.ext`: as written first, else by its lower case; "" when no table has it."""
    exact, lower = _mime_types()
    return exact.get(extension) or lower.get(extension.lower(), "")


@functools.cache
def _mime_types() -> tuple[dict[str, str], dict[str, str]]:
    """Go's table, then the first shared-mime-info globs2 found (or, with none, the mime.types
    files), read once as mime's initMime reads them."""
    exact, lower = dict(BUILTIN_TYPES), dict(BUILTIN_TYPES)
    for path in MIME_GLOBS:
        if os.path.exists(path):
            load_globs(Path(path).read_text("utf-8", "replace"), exact, lower)
            return exact, lower
    for path in MIME_TYPE_FILES:
        if os.path.exists(path):
            load_mime_types(Path(path).read_text("utf-8", "replace"), exact, lower)
    return exact, lower


@mirrors("mime.loadMimeGlobsFile")
def load_globs(text: str, exact: dict[str, str], lower: dict[str, str]) -> None:
    """`weight:type:*.ext` lines, heaviest first: an extension keeps the first type it is given;
    a glob that is no bare extension is skipped."""
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 3 or not fields[0] or len(fields[2]) < 3 or fields[0][0] == "#" \
                or not fields[2].startswith("*."):
            continue
        extension = fields[2][1:]
        if any(c in extension for c in "?*[") or extension in exact:
            continue
        _set_extension_type(extension, fields[1], exact, lower)


@mirrors("mime.loadMimeFile")
def load_mime_types(text: str, exact: dict[str, str], lower: dict[str, str]) -> None:
    """`type ext ext ...` lines; a later file or line gives an extension its type again."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) <= 1 or fields[0].startswith("#"):
            continue
        for extension in fields[1:]:
            if extension.startswith("#"):
                break
            _set_extension_type("." + extension, fields[0], exact, lower)


@mirrors("mime.setExtensionType")
def _set_extension_type(extension: str, media_type: str, exact: dict[str, str], lower: dict[str, str]) -> None:
    if media_type.startswith("text/") and "charset=" not in media_type:
        media_type += "; charset=utf-8"
    exact[extension] = media_type
    lower[extension.lower()] = media_type


@mirrors("net/http.DetectContentType")
def detect_content_type(data: bytes) -> str:
    """UTF-16 and UTF-8 byte order marks, then text (no byte a text may not hold after any
    leading whitespace) as UTF-8 plain text; anything else application/octet-stream."""
    boms = ((b"\xfe\xff", "text/plain; charset=utf-16be"), (b"\xff\xfe", "text/plain; charset=utf-16le"),
            (b"\xef\xbb\xbf", TEXT))
    for bom, media_type in boms:
        if data.startswith(bom):
            return media_type
    if any(b in _BINARY_BYTES for b in data.lstrip(b"\t\n\x0c\r ")):
        return "application/octet-stream"
    return TEXT
