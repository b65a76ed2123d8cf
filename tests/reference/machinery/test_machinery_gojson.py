"""encoding/json's words for input it refuses, as upstream shows them to clients."""
from __future__ import annotations

import pytest

from reference_impl.machinery.gojson import base64_error, loads, marshal_escapes, quote, quote_char


@pytest.mark.parametrize(("data", "message"), [
    (b"", "unexpected end of JSON input"),
    (b'{"a": "b', "unexpected end of JSON input"),
    (b"\x81\xaa", "invalid character '\\u0081' looking for beginning of value"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b'{"a":[1]} x', "invalid character 'x' after top-level value"),
    # A literal is read letter by letter; at the end of the input eof steps the scanner with a space.
    (b"not-json", "invalid character 'o' in literal null (expecting 'u')"),
    (b'{"a":fals}', "invalid character '}' in literal false (expecting 'e')"),
    (b"tru", "invalid character ' ' in literal true (expecting 'e')"),
    (b"[t", "invalid character ' ' in literal true (expecting 'r')"),
    # Inside a number: Python's decoder stops at the sign, or ends the number before . or e.
    (b'{"a":-}', "invalid character '}' in numeric literal"),
    (b"[1.]", "invalid character ']' after decimal point in numeric literal"),
    (b"[1e+]", "invalid character ']' in exponent of numeric literal"),
    (b"[1e5e]", "invalid character 'e' after array element"),
    # A number ended by a newline is complete: a point after it follows the value (the real 1.24 server).
    (b"0\n...\n", "invalid character '.' after top-level value"),
    (b"-1\n.5", "invalid character '.' after top-level value"),
    # At the end of the input eof steps a space into the unfinished number, escape or \u escape
    # (each seen on the real 1.24 server by request_random_differential).
    (b'{"a":1.', "invalid character ' ' after decimal point in numeric literal"),
    (b"[1e", "invalid character ' ' in exponent of numeric literal"),
    (b"-", "invalid character ' ' in numeric literal"),
    (b'"\\', "invalid character ' ' in string escape code"),
    # A bad escape is reported at the byte after the backslash (seen on the real 1.24 apiserver).
    (b'{"a":"\\x"}', "invalid character 'x' in string escape code"),
    (b'{"a":"ab\\q', "invalid character 'q' in string escape code"),
    (b'["\\ "]', "invalid character ' ' in string escape code"),
    (b'{"a":"\\\n"}', "invalid character '\\n' in string escape code"),
    (b'"\\\xc3\xa9"', "invalid character '\xc3' in string escape code"),
    (b'"\\u12', "invalid character ' ' in \\u hexadecimal character escape"),
    (b'"\\u12G4"', "invalid character 'G' in \\u hexadecimal character escape"),
    (b'"ab\\\\', "unexpected end of JSON input"),
    # Python's json reads NaN and Infinity; Go's scanner stops at their first letter.
    (b'{"NaN":NaN}', "invalid character 'N' looking for beginning of value"),
    (b"[-Infinity]", "invalid character 'I' in numeric literal"),
])
def test_syntax_errors_name_the_byte_and_the_scanner_state(data, message):
    """The first byte the scanner refuses, quoted as quoteChar does, and what it was looking for."""
    with pytest.raises(ValueError) as raised:
        loads(data)
    assert str(raised.value) == message


def test_quote_char_escapes_what_strconv_quote_escapes():
    assert [quote_char(b) for b in (0x27, 0x22, 0x0A, 0x01, 0x7F, 0xA0, 0xE9)] == [
        "'\\''", "'\"'", "'\\n'", "'\\x01'", "'\\x7f'", "'\\u00a0'", "'é'"]


@pytest.mark.parametrize(("text", "quoted"), [
    ('say "hi"\\', '"say \\"hi\\"\\\\"'),
    ("tab\tnul\x00del\x7f", '"tab\\tnul\\x00del\\x7f"'),
    ("\u00fc\u00a0\U0001f600\U000e0001", '"\u00fc\\u00a0\U0001f600\\U000e0001"'),
])
def test_quote_writes_a_string_as_strconv_quote_does(text, quoted):
    """Printable characters stay as they are, non-ASCII ones too; quotes and backslashes are
    escaped, and the rest take the shortest of \\x, \\u and \\U."""
    assert quote(text) == quoted


def test_invalid_utf8_in_a_string_is_the_replacement_character():
    assert loads(b'{"a":"\xff"}') == {"a": "\ufffd"}


@pytest.mark.parametrize(("text", "byte"), [
    ("a=b", 1),  # padding after one character of a quantum
    ("ab=c", 2),  # a single "=" where "==" must be
    ("dg=", 3),  # "==" cut short: the error is at the end
    ("dg", 0), ("aGk", 0),  # a quantum without its padding: at the quantum's start
    ("a!b", 1), ("é", 0),
    ("aGk=x", 4), ("dg==x", 4),  # anything after the padding
    ("YQ==YQ==", 4), ("Y===", 1), ("abc\n=x", 5),
    ("a\nG\rk=", None), ("dg==\n", None), ("", None), ("dGVzdA==", None), ("YQ=\n=", None),
])
def test_base64_errors_are_where_go_s_decoder_stops(text, byte):
    """Each case as Go 1.19's json.Unmarshal into a []byte answers it (run here with `go run`)."""
    assert base64_error(text) == (None if byte is None else f"illegal base64 data at input byte {byte}")


@pytest.mark.parametrize("written,marshaled", [
    (b'{"a":"x\\by"}', b'{"a":"x\\u0008y"}'),  # Python's \b and \f, Go's \u0008 and \u000c
    (b'{"a":"x\\fy"}', b'{"a":"x\\u000cy"}'),
    (b'{"a":"\\\\b \\\\f \\"\\n"}', b'{"a":"\\\\b \\\\f \\"\\n"}'),  # an escaped backslash, then a letter
    (b'{"a":"<&>"}', b'{"a":"\\u003c\\u0026\\u003e"}'),
    ('{"a":"\u2028\u2029"}'.encode(), b'{"a":"\\u2028\\u2029"}'),
    ('{"a":"\u2026 \u20ac \u00e9"}'.encode(), '{"a":"\u2026 \u20ac \u00e9"}'.encode()),  # \xe2 \x80, \xe2 alone
])
def test_marshal_escapes_what_json_marshal_escapes_and_nothing_else(written, marshaled):
    """HTML characters, U+2028 and U+2029 and the \\b and \\f escapes are written as Go writes
    them; text that only starts like one (an escaped backslash before a b, another character
    whose UTF-8 starts with \\xe2 or \\xe2\\x80) is left as it is."""
    assert marshal_escapes(written) == marshaled
