"""The apiserver's JSON encoder writes what the standard library's compact JSON decodes to the
same value, in the same key order, and falls back to it for what orjson refuses."""
from __future__ import annotations

import json
import sys

import pytest

from reference_impl.apiserver.core import jsonserializer
from reference_impl.apiserver.core.jsonserializer import (as_json_round_trip, decode, encode, encode_response,
                                                        encode_yaml)
from reference_impl.machinery.gojson import number_literal
from reference_impl.machinery.jsonbytes import GoFloat


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
    a byte as U+FFFD. The valid text beside it is UTF-8, and a backslash written before `udc..`
    stays as it is."""
    assert encode({"a": "x\udcffy", "b": "\U0001F600\udcfe", "c": "\\udc00"}) == (
        '{"a":"x\\ufffdy","b":"\U0001F600\\ufffd","c":"\\\\udc00"}'.encode())


def test_yaml_quotes_what_go_yaml_would_read_back_as_another_type():
    """go-yaml v2 reads y and n as booleans and 1e3 as a float (PyYAML reads strings): the real
    server quotes them, as for a ConfigMap key y and a quantity 1e3."""
    assert encode_yaml({"y": "1e3", "n": "12e6", "b": "1.5E1", "c": "1Gi", "d": "yes"}) == (
        b'b: "1.5E1"\nc: 1Gi\nd: "yes"\n"n": "12e6"\n"y": "1e3"\n')


def test_yaml_keys_are_in_go_yamls_order():
    """go-yaml v2 sorts a run of digits as one number (c2 before c10, as managedFields' container
    keys come back from the real server), and other characters before letters."""
    keys = ["c10", "c2", "c1", "B", "a", "_x", "1", "c01"]
    assert encode_yaml(dict.fromkeys(keys, 0)).decode().split(": 0\n")[:-1] == [
        "_x", '"1"', "B", "a", "c1", "c01", "c2", "c10"]


# Written plain and quoted by kube-apiserver 1.24 as ConfigMap values, in its YAML.
GO_YAML_PLAIN = ["1Gi", "=", "10.96.0.1", "2026-13-01", "2026-02-30", "1e", "e3", "1.5.2", "<<", "+", "x,y"]
GO_YAML_QUOTED = ["1e3", "y", "n", "Y", "yes", "On", "off", "1.5E1", "12e6", "+1", "0o17", "1:20", ".5", "1.", "0x1F",
                  "~", "2026-1-2", "-1e-3", "", "null", "NULL", "1_000", "0b101", "-0b1", "+.inf", ".NaN", "0777",
                  "089", "2026-1-2 3:4:5", "2026-01-02t03:04:05Z", "99999999999999999999", "-.5", "true"]


@pytest.mark.parametrize("text", GO_YAML_PLAIN, ids=repr)
def test_yaml_writes_plain_what_go_yaml_reads_back_as_a_string(text):
    assert encode_yaml({"v": text}) == f"v: {text}\n".encode()


@pytest.mark.parametrize("text", GO_YAML_QUOTED, ids=repr)
def test_yaml_double_quotes_what_go_yaml_reads_back_as_another_type(text):
    assert encode_yaml({"v": text}) == f'v: "{text}"\n'.encode()


@pytest.mark.parametrize("number", [number_literal("1.50", 1.5), GoFloat(1e21)], ids=["NumberLiteral", "GoFloat"])
def test_a_value_orjson_refuses_keeps_non_ascii_as_utf8(number):
    """A float subclass (a number decoded as written, a GoFloat) sends the value to the standard
    library, which still writes what Go writes: UTF-8, and Go's escapes of <, >, & and U+2028
    (kube-apiserver 1.24 answered a CRD with "minimum":1.50 and this annotation so)."""
    written = encode({"minimum": number, "n": "h\u00e9 <&> \u2028 \U0001f600"})
    assert written.endswith('"n":"h\u00e9 \\u003c\\u0026\\u003e \\u2028 \U0001f600"}'.encode())


POD = {"metadata": {"name": "p", "labels": {"app": "é"}}, "spec": {"containers": [
    {"name": f"c{i}", "image": "pause", "ports": [{"containerPort": 80 + i}]} for i in range(20)]}}


def test_a_json_round_trip_replaces_each_byte_that_is_no_utf8_and_copies_only_what_changes():
    """A surrogateescape'd byte becomes U+FFFD, as encoding to JSON and decoding writes it; the
    maps and lists around it are new, the rest are the same objects."""
    bad = b"x\xff".decode("utf-8", "surrogateescape")
    value = {"a": {"b": [bad, 2 ** 70]}, "c": {"d": 1}}
    assert as_json_round_trip(value) == {"a": {"b": ["x\ufffd", 2 ** 70]}, "c": {"d": 1}}
    assert as_json_round_trip(value)["c"] is value["c"]
    assert as_json_round_trip(POD) is POD


def test_a_json_round_trip_of_an_object_with_nothing_to_replace_makes_no_call_per_member():
    """The kubelet's status patches round-trip the whole pod: one with no byte to replace (the
    usual case) is checked in one call, not a Python call for each member."""
    calls = []

    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == jsonserializer.__file__:
            calls.append(frame.f_code.co_name)
    sys.setprofile(count)
    try:
        as_json_round_trip(POD)
    finally:
        sys.setprofile(None)
    assert calls == ["as_json_round_trip"]
