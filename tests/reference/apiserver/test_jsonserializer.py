"""The apiserver's JSON encoder writes what the standard library's compact JSON decodes to the
same value, in the same key order, and falls back to it for what orjson refuses."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.jsonserializer import decode, encode, encode_response


def test_compact_json_in_key_order():
    value = {"b": 1, "a": [True, None, 2.5, "x"], "c": {"z": {}, "y": []}}
    assert encode(value) == json.dumps(value, separators=(",", ":")).encode()


def test_non_ascii_is_utf8_as_go_writes_it():
    assert encode({"name": "é✓"}) == '{"name":"é✓"}'.encode()


def test_what_orjson_refuses_is_written_by_the_standard_library():
    """An integer past 64 bits and a lone surrogate (json.loads makes both) still encode."""
    big = {"n": 2 ** 70, "s": json.loads('"\\ud800"')}
    assert json.loads(encode(big)) == big


def test_decode_reads_what_the_standard_library_reads():
    """orjson for the common case; an integer past 64 bits (orjson makes it a float), a lone
    surrogate and NaN (orjson refuses them) are read by the standard library, exactly."""
    for raw in (b'{"metadata":{"name":"p","uid":"6f1c"},"spec":{"x":[1,2.5,null,true]}}',
                b'{"n":18446744073709551616}', b'{"n":-9223372036854775809}',
                b'{"n":123456789012345678901234567890}', b'{"s":"\\ud800"}', b'{"f":NaN}',
                '{"name":"é✓"}'.encode()):
        decoded = decode(raw)
        assert repr(decoded) == repr(json.loads(raw)), raw


def test_a_long_integer_is_not_read_as_a_float():
    assert decode(b'{"n":18446744073709551616}')["n"] == 2 ** 64
    assert isinstance(decode(b'{"n":18446744073709551616}')["n"], int)


def test_html_characters_and_line_separators_are_escaped_as_go_escapes_them():
    """encoding/json writes <, > and & as \\u escapes, and U+2028 and U+2029 too; other non-ASCII
    text stays UTF-8 (what the real kube-apiserver answers for a ConfigMap holding them)."""
    assert encode({"a": "<b&c> é \u2028\u2029"}) == b'{"a":"\\u003cb\\u0026c\\u003e \xc3\xa9 \\u2028\\u2029"}'


def test_backspace_and_form_feed_are_u_escapes_as_go_before_1_22_writes_them():
    """Go 1.18's encoding/json (Kubernetes 1.24's) writes \b and \f as \u0008 and \u000c; an
    escaped backslash before a `b` stays as it is."""
    assert encode({"a": "\b\f\\b"}) == b'{"a":"\\u0008\\u000c\\\\b"}'


def test_a_response_body_ends_with_the_newline_json_encoder_writes():
    assert encode_response({"kind": "Status"}) == b'{"kind":"Status"}\n'


def test_a_pretty_response_is_indented_by_two_spaces_with_no_newline_after():
    """json.MarshalIndent(v, "", "  "): one member or element a line, `": "` after a key, an empty
    object or array kept as `{}` or `[]`, brackets and commas inside strings left alone."""
    value = {"a": [], "b": {}, "c": [1, {"d": "x,:{}[]\"y"}], "e": None}
    assert encode_response(value, pretty=True) == (
        b'{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    {\n      "d": "x,:{}[]\\"y"\n    }\n  ],\n'
        b'  "e": null\n}')
    assert json.loads(encode_response(value, pretty=True)) == value


def test_a_byte_that_is_no_utf8_is_written_as_the_replacement_character():
    """A query value keeps a byte that is no UTF-8 as a lone surrogate; encoding/json writes such
    a byte as U+FFFD. A surrogate pair and a backslash written before `udc..` stay as they are."""
    assert encode({"a": "x\udcffy", "b": "\U0001F600\udcfe", "c": "\\udc00"}) == (
        b'{"a":"x\\ufffdy","b":"\\ud83d\\ude00\\ufffd","c":"\\\\udc00"}')
