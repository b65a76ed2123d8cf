"""jsonbytes: orjson where it writes what Go and the standard library write, the fallback where it
refuses a value; a GoFloat in encoding/json's text."""
from __future__ import annotations

import json

import pytest

from reference_impl.machinery.jsonbytes import GoFloat, dumps, go_float_text


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
