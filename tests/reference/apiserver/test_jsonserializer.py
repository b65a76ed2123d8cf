"""The apiserver's JSON encoder writes what the standard library's compact JSON decodes to the
same value, in the same key order, and falls back to it for what orjson refuses."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.jsonserializer import encode


def test_compact_json_in_key_order():
    value = {"b": 1, "a": [True, None, 2.5, "x"], "c": {"z": {}, "y": []}}
    assert encode(value) == json.dumps(value, separators=(",", ":")).encode()


def test_non_ascii_is_utf8_as_go_writes_it():
    assert encode({"name": "é✓"}) == '{"name":"é✓"}'.encode()


def test_what_orjson_refuses_is_written_by_the_standard_library():
    """An integer past 64 bits and a lone surrogate (json.loads makes both) still encode."""
    big = {"n": 2 ** 70, "s": json.loads('"\\ud800"')}
    assert json.loads(encode(big)) == big
