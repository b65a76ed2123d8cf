"""What Go's encoding/json says about input it refuses, for the places upstream shows that text to a
client (a continue token, a JSON patch, an annotation holding JSON): the syntax error at the first bad
byte, the names it gives JSON types in an UnmarshalTypeError, the first error of decoding into a typed
struct; strings quoted as Go's %q quotes them; and the escapes its Marshal writes."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reference_impl.machinery.jsonbytes import dumps, go_sorted_json
from reference_impl.machinery.timefmt import rfc3339_parse_error
from reference_impl.mirrors import mirrors

# Python's json messages, and the state Go's scanner names when it meets the same byte.
_CONTEXTS = {"Expecting value": "looking for beginning of value",
             "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
             "Expecting ':' delimiter": "after object key",
             "Extra data": "after top-level value",
             "Invalid control character at": "in string literal",
             "Invalid \\escape": "in string escape code",
             "Invalid \\uXXXX escape": "in \\u hexadecimal character escape"}
# The literals the scanner reads letter by letter, by their first letter.
_LITERALS = {"t": "true", "f": "false", "n": "null"}
# What Go 1.18's json.Marshal (Kubernetes 1.24's) writes differently from Python's json and orjson:
# the HTML characters and the JavaScript line separators escaped, \b and \f as \u escapes (short
# forms came in Go 1.22). Escape pairs are matched whole, so an escaped backslash is never read as
# the start of another.
_MARSHAL_ESCAPES = {b"<": b"\\u003c", b">": b"\\u003e", b"&": b"\\u0026", "\u2028".encode(): b"\\u2028",
                    "\u2029".encode(): b"\\u2029", b"\\b": b"\\u0008", b"\\f": b"\\u000c"}
_ESCAPE_OR_UNSAFE = re.compile(rb"\\.|[<>&]|\xe2\x80[\xa8\xa9]")
_ESCAPED_B_OR_F = re.compile(rb"\\[bf]")  # a pattern that starts with a literal is searched for by that byte
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def type_name(value: Any) -> str:
    """The JSON type an UnmarshalTypeError names: object, array, string, number or bool."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):  # a dict subclass too (an object with a key written twice)
        return "object"
    return {list: "array", str: "string"}[type(value)]


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
    are not printable as \\a-style, \\x, \\u or \\U escapes, and a byte that is no UTF-8 (kept as
    Python's surrogateescape decoding keeps it) as \\x."""
    quoted = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            quoted.append(f"\\x{code - 0xDC00:02x}")
        elif char in '"\\':
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
        json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        return None
    except NonJSONConstant:
        return _constant_error(text)
    except json.JSONDecodeError as error:
        if error.msg == "Expecting value" and text[error.pos:error.pos + 1] in _LITERALS:
            return _literal_error(text, error.pos)
        number_error = _number_error(text, error.pos)
        if number_error:
            return number_error
        if error.msg == "Invalid \\uXXXX escape":
            return _unicode_escape_error(text, error.pos)
        if error.msg.startswith("Unterminated string") and _ends_in_escape(text):
            return "invalid character ' ' in string escape code"  # eof steps a space into the escape
        if error.pos >= len(text) or error.msg.startswith("Unterminated string"):
            return "unexpected end of JSON input"
        if error.msg == "Expecting ',' delimiter":
            context = "after array element" if _in_array(text, error.pos) else "after object key:value pair"
        else:
            context = _CONTEXTS.get(error.msg, "looking for beginning of value")
        # Python points at the backslash of a bad escape, Go's scanner at the byte after it.
        at = error.pos + 1 if error.msg == "Invalid \\escape" else error.pos
        return f"invalid character {quote_char(data[at])} {context}"
    return None


def max_depth_error(data: bytes, limit: int = 10_000) -> str:
    """encoding/json's SyntaxError for text nesting past its scanner's `limit`: at the bracket
    opening the first level too deep (brackets inside strings do not count)."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if in_string:
            in_string = escaped or byte != 0x22
            escaped = not escaped and byte == 0x5C
        elif byte == 0x22:
            in_string = True
        elif byte in b"[{":
            depth += 1
            if depth > limit:
                return f"invalid character {quote_char(byte)} exceeded max depth"
        elif byte in b"]}":
            depth -= 1
    return "exceeded max depth"


class NonJSONConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, encoding/json does not."""


def refuse_constant(name: str):
    raise NonJSONConstant(name)


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(?P<sign>-?)(?P<constant>NaN|Infinity)')


def _constant_error(text: str) -> str:
    """The scanner's error at the first NaN or Infinity outside a string: a letter where a
    value begins, or after a minus sign where a digit must follow."""
    found = next(m for m in _CONSTANT.finditer(text) if m.group("constant"))
    letter = quote_char(ord(found.group("constant")[0]))
    if found.group("sign"):
        return f"invalid character {letter} in numeric literal"
    return f"invalid character {letter} looking for beginning of value"


@mirrors("encoding/json.stateNeg", "encoding/json.stateDot", "encoding/json.stateE")
def _number_error(text: str, pos: int) -> str | None:
    """The scanner's error inside a number that Python's decoder reports elsewhere: a minus
    sign with no digit after it (Python stops at the sign), a point or an exponent mark with no
    digit after it (Python ends the number before it)."""
    if pos >= len(text):
        return None
    if text[pos] == "-":
        return _number_digit_expected(text, pos + 1, "in numeric literal")
    number = re.search(r"-?[0-9][0-9.eE+-]*\Z", text[:pos])  # \Z: `$` would match before a last newline
    if number is None or text[pos] not in ".eE" or "e" in number.group().lower():
        return None
    if text[pos] == ".":
        if "." in number.group():
            return None
        return _number_digit_expected(text, pos + 1, "after decimal point in numeric literal")
    sign = text[pos + 1:pos + 2] in ("+", "-")
    return _number_digit_expected(text, pos + 1 + sign, "in exponent of numeric literal")


def _unicode_escape_error(text: str, pos: int) -> str:
    """The scanner's error in a `\\u` escape Python refuses at `pos` (its `u`): the first of the
    four characters after it that is no hex digit, or the space eof steps in when the text ends first."""
    for char in text[pos + 1:pos + 5]:
        if char not in "0123456789abcdefABCDEF":
            return f"invalid character {quote_char(ord(char))} in \\u hexadecimal character escape"
    return "invalid character ' ' in \\u hexadecimal character escape"


def _ends_in_escape(text: str) -> bool:
    """Whether the text ends inside a string just after a backslash that begins an escape."""
    trailing = len(text) - len(text.rstrip("\\"))
    return trailing % 2 == 1


def _number_digit_expected(text: str, pos: int, context: str) -> str | None:
    if pos >= len(text):
        return f"invalid character ' ' {context}"  # the space eof steps into the unfinished number
    if text[pos].isdigit():
        return None
    return f"invalid character {quote_char(ord(text[pos]))} {context}"


@mirrors("encoding/json.stateT", "(*encoding/json.scanner).eof")
def _literal_error(text: str, start: int) -> str:
    """The scanner's error in a literal begun at `start` that is not what its first letter
    starts: the first byte that differs, or at the end of the input the space eof steps the
    scanner with."""
    literal = _LITERALS[text[start]]
    for offset, expected in enumerate(literal[1:], 1):
        found = text[start + offset] if start + offset < len(text) else " "
        if found != expected:
            return (f"invalid character {quote_char(ord(found))} in literal {literal} "
                    f"(expecting {quote_char(ord(expected))})")
    raise AssertionError(f"{literal} at {start} is whole")


def loads(data: bytes) -> Any:
    """`data` decoded as encoding/json does (invalid UTF-8 in strings becomes U+FFFD); a ValueError
    with `syntax_error`'s words when it is not JSON. Only for small inputs (a continue token):
    nesting past Python's recursion limit is refused, where Go reads up to 10,000 levels."""
    problem = syntax_error(data)
    if problem:
        raise ValueError(problem)
    try:
        return _without_lone_surrogates(json.loads(data.decode("utf-8", errors="replace")))
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


@dataclass(frozen=True)
class GoType:
    """A Go type as encoding/json decodes into it. `name` is how reflect prints it (`core.Toleration`,
    `int64` for an *int64); `kind` is "string", "int64", "bool", "struct" (its `fields`, each a
    JSON name and type), "slice" or "map" (of `element`, a map's keys strings), "time" (a
    metav1.Time, its own Unmarshaler) or "any" (raw JSON, a FieldsV1)."""

    name: str
    kind: str
    fields: tuple[tuple[str, "GoType"], ...] = ()
    element: "GoType | None" = None


class _Object(tuple):
    """A JSON object as its (key, value) pairs in order: Go sets a field once per key, duplicates too."""


class _Number(str):
    """A JSON number as written, which an UnmarshalTypeError quotes."""


class _Fatal(ValueError):
    """An Unmarshaler's error: it ends the decoding, and wins over a type error saved before."""


@mirrors("encoding/json.Unmarshal")
def unmarshal(text: str, go_type: GoType) -> Any:
    """`text` decoded into `go_type`: structs as dicts of the fields set (by field name, matched
    case-insensitively, unknown keys ignored), slices as lists; null leaves a value unset. A
    ValueError with encoding/json's first error: a syntax error before anything is decoded, else
    the first value of the wrong JSON type ("json: cannot unmarshal string into Go struct field
    Toleration.TolerationSeconds of type int64"), decoding the rest as Go does."""
    problem = syntax_error(text.encode("utf-8", "surrogatepass"))
    if problem:
        raise ValueError(problem)
    data = _without_lone_surrogates(json.loads(text, object_pairs_hook=_Object, parse_int=_Number,
                                               parse_float=_Number))
    errors: list[str] = []
    value = _decode(data, go_type, None, (), errors)
    if errors:
        raise ValueError(errors[0])
    return value


_INT64 = re.compile(r"-?(0|[1-9][0-9]*)\Z")


def _decode(data: Any, go_type: GoType, struct: str | None, fields: tuple[str, ...], errors: list[str]) -> Any:
    """decodeState.value: `struct` and `fields` are its errorContext, the innermost struct's name and
    the JSON names from the top (a slice adds none)."""
    if data is None:
        return None
    if go_type.kind == "time":
        return _decode_time(data, struct, fields)
    value, shown = data, _json_type(data)
    if isinstance(data, _Object) and go_type.kind == "struct":
        value = {}
        for key, item in data:
            name = _field(go_type, key)
            if name is not None:
                field_type = dict(go_type.fields)[name]
                decoded = _decode(item, field_type, go_type.name.rpartition(".")[2], (*fields, name), errors)
                if decoded is not None:
                    value[name] = decoded
        return value
    if go_type.kind == "any":
        return _plain(data)
    if isinstance(data, _Object) and go_type.kind == "map":
        # A map's values keep the context of the field holding the map.
        return {key: _decode(item, go_type.element, struct, fields, errors) for key, item in data}
    if isinstance(data, list) and go_type.kind == "slice":
        return [_decode(item, go_type.element, struct, fields, errors) for item in data]
    if isinstance(data, _Number) and go_type.kind == "int64":
        if _INT64.match(data) and -(1 << 63) <= int(data) < 1 << 63:
            return int(data)
        shown = f"number {data}"
    elif shown == go_type.kind:
        return value
    errors.append(type_error(shown, go_type.name, _where(struct, fields)))
    return None


def _without_lone_surrogates(data: Any) -> Any:
    """`data` with each unpaired surrogate escape ("\\ud800") in its strings and keys read as
    U+FFFD, as encoding/json's unquote reads it; Python keeps it, and no UTF-8 encoder takes it."""
    if isinstance(data, _Number):
        return data
    if isinstance(data, str):
        return data.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(data, _Object):
        return _Object((_without_lone_surrogates(key), _without_lone_surrogates(item)) for key, item in data)
    if isinstance(data, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in data.items()}
    if isinstance(data, list):
        return [_without_lone_surrogates(item) for item in data]
    return data


def _plain(data: Any) -> Any:
    """What json.loads would have made of `data`."""
    if isinstance(data, _Object):
        return {key: _plain(item) for key, item in data}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    if isinstance(data, _Number):
        return json.loads(data)
    return data


def _decode_time(data: Any, struct: str | None, fields: tuple[str, ...]) -> str:
    """metav1.Time.UnmarshalJSON: a string (decoded on its own, so its type error names no field
    until Unmarshal adds the context) that time.Parse reads as RFC 3339."""
    if not isinstance(data, str) or isinstance(data, _Number):
        raise _Fatal(type_error(_json_type(data), "string", _where(struct, fields)))
    problem = rfc3339_parse_error(data)
    if problem:
        raise _Fatal(problem)
    return data


def _field(go_type: GoType, key: str) -> str | None:
    """The field a key sets: its own name, else the first whose name folds to the key's (for an
    ASCII name Go folds ASCII letters, and also takes U+212A for k and U+017F for s)."""
    names = [name for name, _ in go_type.fields]
    if key in names:
        return key
    folded = key.translate(_FOLDS).lower() if key.translate(_FOLDS).isascii() else None
    return next((name for name in names if name.lower() == folded), None)


_FOLDS = str.maketrans({"\u212a": "k", "\u017f": "s"})


def _json_type(data: Any) -> str:
    if isinstance(data, _Number):
        return "number"
    if isinstance(data, _Object):
        return "object"
    return type_name(data)


def _where(struct: str | None, fields: tuple[str, ...]) -> str:
    return f"{struct or ''}.{'.'.join(fields)}" if struct or fields else ""


@mirrors("(*encoding/json.UnmarshalTypeError).Error")
def type_error(shown: str, go_type: str, where: str = "") -> str:
    """`shown` (a JSON type, or "number 1.5") met where `go_type` is decoded; `where` is the innermost
    struct and the JSON names of the fields from the top (`Toleration.tolerationSeconds`), empty for
    a value outside any struct."""
    if not where:
        return f"json: cannot unmarshal {shown} into Go value of type {go_type}"
    return f"json: cannot unmarshal {shown} into Go struct field {where} of type {go_type}"


class NumberLiteral(float):
    """A float decoded from JSON text that Python does not spell back as it was written (`1.0e0`,
    `2.50`, `0.000001`): encoding/json quotes the text itself when it refuses the number."""
    text: str = ""


def number_literal(token: str, value: float) -> float:
    """`value` read from `token`, as a NumberLiteral when its repr is not the token."""
    if repr(value) == token:
        return value
    literal = NumberLiteral(value)
    literal.text = token
    return literal


def value_type_error(value: Any, go_type: str, where: str = "") -> str:
    """`type_error` for a decoded `value`: a number is shown with its digits as the request wrote
    them when the type it met is numeric (one it cannot hold, as literalStore reports it), else by
    its JSON type alone."""
    shown = type_name(value)
    if shown == "number" and go_type.startswith(("int", "float")):
        shown = f"number {getattr(value, 'text', '') or value}"
    return type_error(shown, go_type, where)


@mirrors("encoding/json.Marshal")
def marshal_escapes(data: bytes) -> bytes:
    """Compact JSON as Python's json or orjson wrote it, escaped as Go's json.Marshal escapes strings.
    The scans for what may need it cost far less than the substitution they mostly spare. A
    two-byte mark is looked for only once its first byte is there, \\b and \\f by one regular
    expression: `in` finds one byte with memchr but searches for two bytes several times slower
    (a stored pod of 2 KB, with the \\" of its managedFields keys: 6.6 µs before, 1.6 now)."""
    if (b"<" in data or b">" in data or b"&" in data or (b"\xe2" in data and b"\xe2\x80" in data)
            or (b"\\" in data and _ESCAPED_B_OR_F.search(data))):
        return _ESCAPE_OR_UNSAFE.sub(lambda match: _MARSHAL_ESCAPES.get(match.group(), match.group()), data)
    return data


@mirrors("encoding/json.Marshal")
def marshal(value: Any, sort_keys: bool = False) -> bytes:
    """What json.Marshal writes for decoded JSON: compact, UTF-8 kept, HTML characters escaped;
    with `sort_keys`, every object's keys sorted as Go sorts a map's (a struct's fields keep
    the order they are given in)."""
    if not sort_keys:
        return marshal_escapes(dumps(value))
    return marshal_escapes(go_sorted_json(value).encode("utf-8", "surrogatepass"))
