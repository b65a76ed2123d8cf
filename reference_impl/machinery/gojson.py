"""What Go's encoding/json says about input it refuses, for the places upstream shows that text to a
client (a continue token, a JSON patch): the syntax error at the first bad byte, and the names it
gives JSON types in an UnmarshalTypeError; and strings quoted as Go's %q quotes them."""
from __future__ import annotations

import json
from typing import Any

from reference_impl.mirrors import mirrors

# Python's json messages, and the state Go's scanner names when it meets the same byte.
_CONTEXTS = {"Expecting value": "looking for beginning of value",
             "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
             "Expecting ':' delimiter": "after object key",
             "Extra data": "after top-level value",
             "Invalid control character at": "in string literal",
             "Invalid \\escape": "in string escape code",
             "Invalid \\uXXXX escape": "in \\u hexadecimal character escape"}
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def type_name(value: Any) -> str:
    """The JSON type an UnmarshalTypeError names: object, array, string, number or bool."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}[type(value)]


@mirrors("encoding/json.quoteChar")
def quote_char(byte: int) -> str:
    """A byte as a SyntaxError shows it: strconv.Quote of it as a rune, in single quotes."""
    char = chr(byte)
    if char in "'\"":
        return "'\\''" if char == "'" else "'\"'"
    if char in _ESCAPES:
        return f"'{_ESCAPES[char]}'"
    if byte < 0x20 or byte == 0x7F:
        return f"'\\x{byte:02x}'"
    if 0x80 <= byte <= 0x9F or byte in (0xA0, 0xAD):  # not unicode.IsPrint
        return f"'\\u{byte:04x}'"
    return f"'{char}'"


@mirrors("strconv.Quote")
def quote(text: str) -> str:
    """A string as Go's %q and %#v print it: double-quoted, `"` and `\\` escaped, characters that
    are not printable as \\a-style, \\x, \\u or \\U escapes."""
    quoted = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            quoted.append("\\" + char)
        elif char in _ESCAPES:
            quoted.append(_ESCAPES[char])
        elif char.isprintable():
            quoted.append(char)
        elif code < 0x80:
            quoted.append(f"\\x{code:02x}")
        elif code < 0x10000:
            quoted.append(f"\\u{code:04x}")
        else:
            quoted.append(f"\\U{code:08x}")
    return '"' + "".join(quoted) + '"'


def _in_array(text: str, pos: int) -> bool:
    """Whether the innermost bracket open at `pos` is an array's."""
    stack, in_string, escaped = [], False, False
    for char in text[:pos]:
        if in_string:
            in_string = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "["


@mirrors("encoding/json.checkValid")
def syntax_error(data: bytes) -> str | None:
    """Why `data` is not JSON, as encoding/json's SyntaxError says it ("invalid character 'x'
    looking for beginning of value", "unexpected end of JSON input"); None when it is, or when
    it nests past what Python's decoder takes (the caller measures depth itself)."""
    # Latin-1 keeps one character per byte, so an error's position is the byte Go reports.
    text = data.decode("latin-1")
    try:
        json.loads(text)
    except RecursionError:
        return None
    except json.JSONDecodeError as error:
        if error.pos >= len(text) or error.msg.startswith("Unterminated string"):
            return "unexpected end of JSON input"
        if error.msg == "Expecting ',' delimiter":
            context = "after array element" if _in_array(text, error.pos) else "after object key:value pair"
        else:
            context = _CONTEXTS.get(error.msg, "looking for beginning of value")
        return f"invalid character {quote_char(data[error.pos])} {context}"
    return None


def loads(data: bytes) -> Any:
    """`data` decoded as encoding/json does (invalid UTF-8 in strings becomes U+FFFD); a ValueError
    with `syntax_error`'s words when it is not JSON. Only for small inputs (a continue token):
    nesting past Python's recursion limit is refused, where Go reads up to 10,000 levels."""
    problem = syntax_error(data)
    if problem:
        raise ValueError(problem)
    try:
        return json.loads(data.decode("utf-8", errors="replace"))
    except RecursionError:
        raise ValueError("exceeded max depth") from None


_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


@mirrors("(*encoding/base64.Encoding).decodeQuantum")
def base64_error(text: str) -> str | None:
    """How base64.StdEncoding refuses the string encoding/json decodes a []byte from, at the byte
    where Go's decoder gives up (its quanta of four skip CR and LF); None when it decodes."""
    src = text.encode("utf-8", "surrogatepass")
    si = 0
    while si < len(src):
        j = 0  # characters of this quantum read
        while j < 4:
            if si == len(src):
                if j == 0:
                    return None
                return f"illegal base64 data at input byte {si - j}"  # padding is required
            byte = src[si]
            si += 1
            if byte in _BASE64_ALPHABET:
                j += 1
            elif byte in b"\r\n":
                continue
            elif byte != ord("=") or j < 2:
                return f"illegal base64 data at input byte {si - 1}"
            else:
                if j == 2:  # "==" is expected, the first one read
                    si = _past_newlines(src, si)
                    if si == len(src):
                        return f"illegal base64 data at input byte {len(src)}"
                    if src[si] != ord("="):
                        return f"illegal base64 data at input byte {si - 1}"
                    si += 1
                si = _past_newlines(src, si)
                return f"illegal base64 data at input byte {si}" if si < len(src) else None
    return None


def _past_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in b"\r\n":
        si += 1
    return si
