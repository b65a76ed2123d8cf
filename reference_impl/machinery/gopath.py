"""Go's path.Clean, and net/http's cleanPath built on it: the one form of a slash-separated path
that Go's servers compare and redirect to."""
from __future__ import annotations

from reference_impl.mirrors import mirrors


@mirrors("path.Clean")
def clean(path: str) -> str:
    """One slash between parts, no `.`, `..` resolved (never above a leading `/`), "." for
    nothing. Unlike POSIX normpath, a leading `//` is one slash."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append(part)
            continue
        parts.append(part)
    cleaned = ("/" if rooted else "") + "/".join(parts)
    return cleaned or "."


@mirrors("net/http.cleanPath")
def clean_request_path(path: str) -> str:
    """A request's path as net/http's ServeMux cleans it: rooted at `/`, path.Clean'd, keeping a
    trailing slash: `//health` and `/a/../health` are `/health`."""
    rooted = path if path.startswith("/") else "/" + path
    cleaned = clean(rooted)
    return cleaned + "/" if rooted.endswith("/") and cleaned != "/" else cleaned


@mirrors("path.Base")
def base(path: str) -> str:
    """The last element, trailing slashes dropped: "." for nothing, "/" for only slashes."""
    if not path:
        return "."
    trimmed = path.rstrip("/")
    return trimmed.rsplit("/", 1)[-1] if trimmed else "/"
