"""The kubelet's `/logs/` endpoint: the node's log directory served as Go's http.FileServer serves
`/var/log/` under http.StripPrefix("/logs/") (Kubelet.ServeLogs).

`serve_log_path` decides what the file server answers for a path below the directory: a listing of
a directory (`<pre>` of links, sorted by name, directories with a slash), a file's bytes, a
redirect that adds or drops a trailing slash, or 404 / 403. Range and conditional requests are not
taken: every file is served whole. A file's type is the one Go's mime package gives its extension
(its built-in table, then the system's shared-mime-info globs, or mime.types without them; text
types in UTF-8), else sniffed as DetectContentType would for the text and binary cases a log
directory holds.
"""
from __future__ import annotations

import functools
import mimetypes
import os
import stat
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class FileAnswer:
    code: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _error(error: OSError) -> FileAnswer:
    """toHTTPError: a missing file 404, one it may not read 403, anything else 500."""
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return FileAnswer(404, b"404 page not found\n")
    if isinstance(error, PermissionError):
        return FileAnswer(403, b"403 Forbidden\n")
    return FileAnswer(500, b"500 Internal Server Error\n")


def _last_modified(seconds: float) -> tuple[str, str]:
    return ("Last-Modified", formatdate(int(seconds), usegmt=True))


# net/http's htmlReplacer.
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


@mirrors("net/http.dirList")
def listing(directory: Path) -> bytes:
    """Each entry a link, its href the name as url.URL{Path: name} writes it."""
    names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in os.scandir(directory))
    links = "".join(f'<a href="{_href(name)}">{name.translate(HTML_ESCAPES)}</a>\n' for name in names)
    return f"<pre>\n{links}</pre>\n".encode()


def _href(name: str) -> str:
    """A path escaped as Go's URL.EscapedPath; a first segment with a colon gets "./" so it is
    not read as a scheme."""
    escaped = quote(name, safe="/$&+,:;=@")
    return f"./{escaped}" if ":" in name.split("/")[0] else escaped


# mime's builtinTypesLower (Go 1.18, which builds the 1.24 kubelet).
BUILTIN_TYPES = {".avif": "image/avif", ".css": "text/css", ".gif": "image/gif", ".htm": "text/html",
                 ".html": "text/html", ".jpeg": "image/jpeg", ".jpg": "image/jpeg", ".js": "text/javascript",
                 ".json": "application/json", ".mjs": "text/javascript", ".pdf": "application/pdf",
                 ".png": "image/png", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".webp": "image/webp",
                 ".xml": "text/xml"}
MIME_GLOBS = (Path("/usr/local/share/mime/globs2"), Path("/usr/share/mime/globs2"))


@functools.cache
@mirrors("mime.initMimeUnix")
def extension_types() -> dict[str, str]:
    """Extension -> type: the built-in ones, then the first globs2 file's `*.ext` globs (in its
    weight order, the first for an extension kept), or mime.types when there is none."""
    types = dict(BUILTIN_TYPES)
    for globs in MIME_GLOBS:
        try:
            lines = globs.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.split(":")
            if len(fields) < 3 or line.startswith("#") or not fields[2].startswith("*."):
                continue
            if not any(mark in fields[2][1:] for mark in "?*["):
                types.setdefault(fields[2][1:], fields[1])
        return types
    database = mimetypes.MimeTypes(mimetypes.knownfiles)
    return {**database.types_map[True], **types}


@mirrors("mime.TypeByExtension")
def content_type(name: str, data: bytes) -> str:
    extension = os.path.splitext(name)[1]
    known = extension_types()
    guessed = known.get(extension) or known.get(extension.lower())
    if guessed is None:
        return sniff(data)
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


@mirrors("net/http.DetectContentType")
def sniff(data: bytes) -> str:
    head = data[:512]
    if any(byte < 0x20 and byte not in b"\t\n\x0c\r\x1b" for byte in head):
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


@mirrors("net/http.serveFile")
def serve_log_path(root: Path, url_path: str, raw_query: str = "") -> FileAnswer:
    """What the file server answers for `url_path`, the request's path past `/logs` ("/" for the
    directory itself)."""
    query = f"?{raw_query}" if raw_query else ""
    if url_path.endswith("/index.html"):
        return FileAnswer(301, headers=(("Location", "./" + query),))
    target = root / url_path.strip("/")
    try:
        info = target.stat()
        if stat.S_ISDIR(info.st_mode):
            if not url_path.endswith("/"):
                return FileAnswer(301, headers=(("Location", f"{Path(url_path).name}/{query}"),))
            if (target / "index.html").is_file():
                target, info = target / "index.html", (target / "index.html").stat()
            else:
                return FileAnswer(200, listing(target), "text/html; charset=utf-8", (_last_modified(info.st_mtime),))
        elif url_path.endswith("/"):
            return FileAnswer(301, headers=(("Location", f"../{Path(url_path).name}{query}"),))
        data = target.read_bytes()
    except OSError as error:
        return _error(error)
    return FileAnswer(200, data, content_type(target.name, data),
                      (("Accept-Ranges", "bytes"), _last_modified(info.st_mtime)))
