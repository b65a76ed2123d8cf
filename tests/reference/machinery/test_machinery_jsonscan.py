"""Where the first JSON value of a body ends as Go's json.Decoder reads it, found as the body
comes in piece by piece, however deep it nests."""
from __future__ import annotations

import time

import pytest

from reference_impl.machinery.httpbody import json_value_complete
from reference_impl.machinery.jsonscan import MAX_NESTING_DEPTH, ValueScanner, first_value_too_deep


@pytest.mark.parametrize("body, complete", [
    (b"[" * 5000, False),
    (b"[" * 5000 + b"]" * 5000, True),
    (b'{"a":"]}\\"}', False),
    (b'  {"a":"]}\\""}', True),
    (b'"x"', False),  # a top-level string or number ends at the byte after it
    (b'"x" ', True),
    (b"12", False),
    (b"12\n", True),
], ids=["open-5000", "closed-5000", "escaped-quote", "closed-object", "string", "string-ended",
        "number", "number-ended"])
def test_a_value_is_whole_when_its_nesting_closes_outside_strings(body, complete):
    """Brackets inside strings and escaped quotes do not count; a deep value is no error."""
    assert json_value_complete(body) is complete


def test_a_body_fed_piece_by_piece_ends_where_it_would_whole():
    """Each call gets a longer prefix of the same body; the answer is the whole body's."""
    body = b'{"key":"' + b"\\\"[" * 100 + b'","v":[[1],{"a":"}"}]} trailing'
    scanner = ValueScanner()
    ends = [n for n in range(1, len(body) + 1) if scanner(body[:n])]
    assert ends[0] == body.index(b" trailing")


def test_a_slowly_sent_body_is_not_scanned_again_from_its_start():
    """A megabyte sent in 4,000 pieces costs one pass, not one per piece (the reference parsed
    the whole body again after every piece: seconds of CPU)."""
    body = b'{"key":"' + b"a" * (1 << 20) + b'"}'
    scanner = ValueScanner()
    started = time.thread_time()
    for end in range(256, len(body), 256):
        assert not scanner(body[:end])
    assert scanner(body + b" ")
    assert time.thread_time() - started < 0.5


def test_nesting_past_gos_limit_names_the_opening_byte_refused():
    assert first_value_too_deep(b"[" * MAX_NESTING_DEPTH + b"]" * MAX_NESTING_DEPTH) is None
    assert first_value_too_deep(b"[" * MAX_NESTING_DEPTH + b"{") == "{"
    assert first_value_too_deep(b'["' + b"[" * (MAX_NESTING_DEPTH + 1) + b'"]') is None
