"""A request's Content-Type as the real apiserver reads it: Go's mime.ParseMediaType, which the
serializer negotiation runs and which refuses a header Python's loose splitting would take
(`application/json;;`, `application/json; charset=`), and go-restful's route match, which compares
types as written, case and all."""
from __future__ import annotations

import re

from reference_impl.mirrors import mirrors

# RFC 2045 token characters: printable ASCII but space and tspecials.
_TOKEN = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"
_TOKEN_AT = re.compile(_TOKEN)
_PARAMETER = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*(?:({_TOKEN})|\"((?:[^\"\\\r\n]|\\.)*)\")")
_TRAILING_SEMICOLON = re.compile(r"\s*;\s*")


class MediaTypeError(ValueError):
    """A Content-Type mime.ParseMediaType refuses; the message is Go's."""


@mirrors("mime.ParseMediaType")
def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """The media type, lower case and trimmed, and its parameters by lower-case name. One trailing
    semicolon is allowed; an empty, doubled or unterminated parameter, or one named twice, is not."""
    base, _, _ = value.partition(";")
    media_type = base.lower().strip()
    problem = disposition_problem(media_type)
    if problem:
        raise MediaTypeError(problem)
    params: dict[str, str] = {}
    rest = value[len(base):]
    while rest.strip():
        match = _PARAMETER.match(rest)
        if not match:
            if _TRAILING_SEMICOLON.fullmatch(rest):
                break
            raise MediaTypeError("mime: invalid media parameter")
        name = match.group(1).lower()
        if name in params:
            raise MediaTypeError("mime: duplicate parameter name")
        params[name] = match.group(2) if match.group(2) is not None else re.sub(r"\\(.)", r"\1", match.group(3))
        rest = rest[match.end():]
    return media_type, params


@mirrors("mime.checkMediaTypeDisposition")
def disposition_problem(media_type: str) -> str:
    """Why `media_type` is not a token, optionally followed by a slash and a token; "" when it is."""
    kind = _TOKEN_AT.match(media_type)
    if not kind:
        return "mime: no media type"
    rest = media_type[kind.end():]
    if not rest:
        return ""
    if not rest.startswith("/"):
        return "mime: expected slash after first token"
    subtype = _TOKEN_AT.match(rest, 1)
    if not subtype:
        return "mime: expected token after slash"
    return "" if subtype.end() == len(rest) else "mime: unexpected content after media subtype"


@mirrors("(github.com/emicklei/go-restful.Route).matchesContentType")
def route_consumes(content_type: str, consumes: tuple[str, ...]) -> bool:
    """Whether any comma-separated type of the header, cut at ';' and trimmed of spaces only, is
    one of `consumes` exactly (no header counts as application/octet-stream)."""
    for media_type in (content_type or "application/octet-stream").split(","):
        if media_type.split(";")[0].strip(" ") in consumes:
            return True
    return False
