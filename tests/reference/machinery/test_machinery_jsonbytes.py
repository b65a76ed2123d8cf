"""jsonbytes: orjson where it writes what Go and the standard library write, the fallback where it
refuses a value; a GoFloat in encoding/json's text."""
from __future__ import annotations

import json

import pytest

from reference_impl.machinery.jsonbytes import GoFloat, dumps, go_float_text, loads


@pytest.mark.parametrize("value,text", [
    (1e21, "1e+21"), (1.2345678901234569e23, "1.2345678901234569e+23"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"),
    (1e-6, "0.000001"), (2.5e-6, "0.0000025"), (-9.9e-6, "-0.0000099"), (1e-100, "1e-100"), (123.25, "123.25"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (-0.0, "-0"), (0.0, "0"), (1.0, "1"),
    (1e20, "100000000000000000000")])
def test_a_float64_is_written_as_encoding_json_writes_it(value, text):
    """floatEncoder: the shortest digits, in exponent form below 1e-6 and from 1e21 (two exponent
    digits at least, e-07 cleaned to e-7), positional between."""
    assert go_float_text(value) == text


def test_a_value_holding_a_gofloat_is_written_by_the_fallback_in_gos_text():
    """orjson refuses a float subclass: the fallback writes the GoFloat in Go's text and every other
    value as the standard library writes it (an integer past 64 bits, a plain float, NaN), but text
    as UTF-8, as orjson and Go write it."""
    value = {"go": [GoFloat(1e25), GoFloat(2.5e-6)], "big": 10**30, "plain": 1e-7, "nan": float("nan"), "s": "é<"}
    assert dumps(value) == ('{"go":[1e+25,0.0000025],"big":1000000000000000000000000000000,"plain":1e-07,'
                            '"nan":NaN,"s":"\u00e9<"}').encode()
    ordinary = {"big": 10**30, "plain": [1e-7, 1.5], "inf": float("-inf")}
    assert dumps(ordinary) == json.JSONEncoder(separators=(",", ":")).encode(ordinary).encode()


def test_a_number_literal_does_not_send_its_whole_value_to_the_fallback(monkeypatch):
    """A number a request wrote otherwise than Python would (`2.50`, `1e3`: a NumberLiteral) made
    orjson refuse the whole value, and a list holding it took the pure-Python fallback at some
    fifty times orjson's cost; orjson now writes it as the float it is, where its text is
    float.__repr__'s (no exponent). Those with an exponent still go to the fallback, whose bytes
    (`1e-05`) the output keeps."""
    from reference_impl.machinery import gojson, jsonbytes

    literals = [gojson.number_literal(token, float(token)) for token in ("2.50", "1e3", "1.0e0", "0.000100")]
    assert all(isinstance(value, gojson.NumberLiteral) for value in literals)
    value = {"items": [{"n": literal} for literal in literals], "s": "é"}
    expected = jsonbytes._dumps_json(value).encode()

    def no_fallback(_value):
        raise AssertionError("the fallback was taken")
    monkeypatch.setattr(jsonbytes, "_dumps_json", no_fallback)
    assert dumps(value) == expected == '{"items":[{"n":2.5},{"n":1000.0},{"n":1.0},{"n":0.0001}],"s":"é"}'.encode()
    monkeypatch.undo()
    far = {"n": gojson.number_literal("1.0e-5", 1e-05), "g": gojson.number_literal("1e16", 1e16)}
    assert dumps(far) == b'{"n":1e-05,"g":1e+16}'


def test_a_number_past_the_interpreters_digit_limit_is_a_json_decode_error():
    """The standard library refuses an integer of more than 4300 digits with a plain ValueError;
    read from an answer it is a malformed body, a JSONDecodeError the clients retry, not a crash."""
    with pytest.raises(json.JSONDecodeError, match="4300 digits"):
        loads(b'{"n":' + b"1" * 5000 + b"}")
