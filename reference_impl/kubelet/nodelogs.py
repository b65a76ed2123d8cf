"""The kubelet's `/logs/` endpoint: the node's log directory served as Go's http.FileServer serves
`/var/log/` under http.StripPrefix("/logs/") (Kubelet.ServeLogs).

`serve_log_path` decides what the file server answers for a path below the directory: a listing of
a directory (`<pre>` of links, sorted by name, directories with a slash), a file's bytes, a
redirect that adds or drops a trailing slash, or 404 / 403. Range and conditional requests are not
taken: every file is served whole. A file's type is sniffed as DetectContentType would for the
text and binary cases a log directory holds.
"""
from __future__ import annotations

import html
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


@mirrors("net/http.dirList")
def listing(directory: Path) -> bytes:
    names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in os.scandir(directory))
    links = "".join(f'<a href="{quote(name, safe="/")}">{html.escape(name)}</a>\n' for name in names)
    return f"<pre>\n{links}</pre>\n".encode()


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
    return FileAnswer(200, data, sniff(data), (("Accept-Ranges", "bytes"), _last_modified(info.st_mtime)))
