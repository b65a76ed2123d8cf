"""Where the first JSON value of a body ends, found as the bytes come in, and how deep it nests: what
Go's json.Decoder needs to know to stop reading (its scanner's nesting, strings and escapes), kept
across pieces so a body sent slowly is not parsed again from its start after every piece. Plus
decoding a value nested deeper than Python's recursion limit but within Go's 10,000 levels.
"""
from __future__ import annotations

import json
import re
import sys
import threading

from reference_impl.mirrors import mirrors

MAX_NESTING_DEPTH = 10000  # encoding/json's maxNestingDepth
_STRUCTURAL = re.compile(rb'[\[\]{}"]')
_STRING_END = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb'[ \t\r\n\[\]{},:"]')
_SPACE = b" \t\r\n"
_RECURSION_LOCK = threading.Lock()


class ValueScanner:
    """Fed a body's bytes so far (each call a longer prefix of the same body), says whether its
    first JSON value is whole. Syntax is not checked, except nesting past Go's limit, where Go's
    decoder stops reading too (`too_deep` then holds the opening byte it refuses)."""

    def __init__(self) -> None:
        self._seen = 0  # bytes of the body scanned
        self._depth = 0
        self._kind = ""  # "" nothing yet, "container", "string" or "scalar" at the top
        self._in_string = self._escaped = self._scalar_ended = False
        self.complete = False
        self.too_deep: str | None = None

    @mirrors("(*encoding/json.Decoder).readValue")
    def __call__(self, body: bytes) -> bool:
        at, self._seen = self._seen, len(body)
        while not self.complete and at < len(body):
            at = self._step(body, at)
        return self.complete

    def _step(self, body: bytes, at: int) -> int:
        if self._escaped:
            self._escaped = False
            return at + 1
        if self._in_string:
            found = _STRING_END.search(body, at)
            if found is None:
                return len(body)
            if found.group() == b"\\":
                self._escaped = True
            else:
                self._in_string = False
                self._scalar_ended = self._kind == "string"
            return found.end()
        if self._scalar_ended:  # Go's decoder needs one byte past a top-level string or number
            self.complete = True
            return at
        if not self._kind:
            while at < len(body) and body[at] in _SPACE:
                at += 1
            if at == len(body):
                return at
            first = body[at:at + 1]
            self._kind = ("container" if first in b"[{" else "string" if first == b'"' else "scalar")
            if self._kind == "string":
                self._in_string = True
                return at + 1
        if self._kind == "scalar":
            found = _SCALAR_END.search(body, at)
            self.complete = found is not None
            return len(body) if found is None else found.start()
        found = _STRUCTURAL.search(body, at)
        if found is None:
            return len(body)
        byte = found.group()
        if byte == b'"':
            self._in_string = True
        elif byte in b"[{":
            self._depth += 1
            if self._depth > MAX_NESTING_DEPTH:
                self.too_deep, self.complete = byte.decode(), True
        else:
            self._depth -= 1
            self.complete = self._depth <= 0
        return found.end()


def first_value_too_deep(body: bytes) -> str | None:
    """The opening byte past Go's nesting limit in `body`'s first value, if it nests that deep."""
    scanner = ValueScanner()
    scanner(body)
    return scanner.too_deep


def raw_decode(decoder: json.JSONDecoder, text: str, at: int):
    """`decoder.raw_decode(text, at)`, with room for a value nested as deep as Go allows where
    Python's recursion limit refuses it first (its C decoder counts levels against that limit)."""
    try:
        return decoder.raw_decode(text, at)
    except RecursionError:
        pass
    with _RECURSION_LOCK:
        before = sys.getrecursionlimit()
        sys.setrecursionlimit(before + 2 * MAX_NESTING_DEPTH + 100)
        try:
            return decoder.raw_decode(text, at)
        finally:
            sys.setrecursionlimit(before)
