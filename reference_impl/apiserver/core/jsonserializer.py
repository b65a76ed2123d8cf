"""Objects to JSON bytes for storage, responses and watch events, and stored bytes back: the
apiserver's hottest encoder and decoder, through `machinery.jsonbytes` (orjson, with the standard
library for what orjson would refuse or change). A response may also be YAML, as the same
serializer writes it in its yaml mode."""
from __future__ import annotations

import datetime
import functools
import json
import re
from typing import Any

import orjson
import yaml

from reference_impl.machinery import gojson, jsonbytes
from reference_impl.mirrors import mirrors


# A JSON text as the tokens json.Indent tells apart: a string, a bracket, a comma or colon, the rest.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[][{}:,]|[^][{}:,"]+')


# A lone low surrogate the standard library escaped: a byte that was no UTF-8, kept by a
# surrogateescape decoding; one after a high surrogate is the second half of a pair, one after a
# backslash is text.
_LONE_SURROGATE = re.compile(rb"(?<!\\ud[89ab][0-9a-f]{2})(?<!\\)\\ud[c-f][0-9a-f]{2}")


# One that surrogateescape made of a byte that is no UTF-8 (0x80 to 0xFF: U+DC80 to U+DCFF).
_BYTE_ESCAPE = re.compile(rb"(?<!\\ud[89ab][0-9a-f]{2})(?<!\\)\\udc[89a-f][0-9a-f]")


@mirrors("encoding/json.Marshal")
def encode(value: Any) -> bytes:
    """`value` as compact JSON, escaped as Go escapes it; a byte that is no UTF-8 is written as
    U+FFFD, as Go writes it."""
    data = jsonbytes.dumps(value)
    if b"\\ud" in data:
        data = _LONE_SURROGATE.sub(rb"\\ufffd", data)
    return gojson.marshal_escapes(data)


def encode_stored(value: Any) -> bytes:
    """`value` as the bytes kept in etcd: `encode`'s, but a byte that is no UTF-8 (a protobuf
    string's, kept by surrogateescape) is written as that byte, as upstream's protobuf storage
    keeps it, so that `decode` gives it back and a length counts it once (not a U+FFFD read back
    as three bytes, nor a six-byte escape in etcd)."""
    data = gojson.marshal_escapes(jsonbytes.dumps(value))
    if b"\\ud" in data:
        data = _BYTE_ESCAPE.sub(lambda match: bytes((int(match.group()[-2:], 16),)), data)
        data = _LONE_SURROGATE.sub(rb"\\ufffd", data)  # any other, which no decoding kept
    return data


def as_json_round_trip(value: Any) -> Any:
    """`value` as encoding it to JSON and back gives it: each byte that is no UTF-8 (kept by
    surrogateescape) a U+FFFD; the same objects where there is none, so that the usual case costs
    no copy. Upstream's JSON and merge patchers patch the JSON of the current object."""
    try:
        # orjson refuses any surrogate, so a value it writes has none to replace: one call in C
        # instead of a Python call for each member of the object.
        orjson.dumps(value)
    except TypeError:  # a surrogate, or what only the standard library writes: walk it
        return _surrogates_replaced(value)
    return value


def _surrogates_replaced(value: Any) -> Any:
    """`as_json_round_trip`'s walk: the same objects where nothing changes."""
    if isinstance(value, str):
        return value if value.isascii() else _SURROGATE_ESCAPE.sub("\ufffd", value)
    if isinstance(value, dict):
        items = [(_surrogates_replaced(key), _surrogates_replaced(item)) for key, item in value.items()]
        if all(key is old_key and item is old_item
               for (key, item), (old_key, old_item) in zip(items, value.items())):
            return value
        return dict(items)
    if isinstance(value, list):
        items = [_surrogates_replaced(item) for item in value]
        return value if all(item is old for item, old in zip(items, value)) else items
    return value


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Encode")
def encode_response(value: Any, pretty: bool = False) -> bytes:
    """`value` as a response body: compact JSON ended by the newline json.Encoder writes after
    it, or, from the pretty serializer, indented by two spaces with no newline after
    (json.MarshalIndent)."""
    return indent(encode(value)) if pretty else encode(value) + b"\n"


@mirrors("encoding/json.Indent")
def indent(compact: bytes) -> bytes:
    """Compact JSON laid out one member or element a line, two spaces a level; an empty object
    or array stays `{}` or `[]`."""
    out, depth, opened = [], 0, False
    for token in _TOKENS.findall(compact):
        if opened and token not in (b"}", b"]"):
            out.append(b"\n" + b"  " * depth)
        opened = False
        if token in (b"{", b"["):
            depth += 1
            opened = True
            out.append(token)
        elif token in (b"}", b"]"):
            depth -= 1
            if out[-1] not in (b"{", b"["):
                out.append(b"\n" + b"  " * depth)
            out.append(token)
        elif token == b",":
            out.append(b",\n" + b"  " * depth)
        elif token == b":":
            out.append(b": ")
        else:
            out.append(token)
    return b"".join(out)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def decode(raw: bytes) -> Any:
    """Stored JSON bytes as Python values, exactly as `json.loads` reads them; a byte that is no
    UTF-8 (`encode_stored` keeps a protobuf string's) is read back by surrogateescape."""
    try:
        return jsonbytes.loads(raw)
    except UnicodeDecodeError:
        return json.loads(raw.decode("utf-8", "surrogateescape"))


class _GoYAMLDumper(yaml.SafeDumper):
    """go-yaml v2's style where PyYAML's differs: a string go-yaml would read back as another type
    ("1", "true", "", "y", "1e3") is double-quoted, one with line breaks is a literal block. Any
    other string is left to the emitter, which (as libyaml's, which both derive from) writes it
    plain, else single-quoted (`': '` in a message), else double-quoted; told by go-yaml's rules,
    not PyYAML's, that it reads back as a string (`=`, `2026-13-01`). A map's keys are in
    go-yaml's order, which reads a run of digits as one number."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and _go_yaml_plain_is_string(value):
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)


# What go-yaml v2's resolve reads as no string: the words of its map (booleans as YAML 1.1 spells
# them, y and n among them, nulls, infinities; not its merge key <<, which starts with no letter
# it looks up), and, after a sign, a digit or a dot, a timestamp, an integer in any base
# strconv.ParseInt reads or a float (which needs no dot). Its encoder also quotes a base 60 float.
_GO_YAML_WORDS = frozenset("""y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off
                             OFF ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf
                             -.INF""".split())
_GO_YAML_NUMBER_HINTS = frozenset("+-0123456789.")
_GO_YAML_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)\Z")
_GO_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_GO_YAML_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z")
_GO_YAML_TIMESTAMP = re.compile(r"(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt]|[ ])(\d\d?):(\d\d?):(\d\d?)(?:\.\d+)?"
                                r"(?:Z|[-+]\d\d:\d\d)?)?\Z")


@mirrors("gopkg.in/yaml.v2.resolve", "gopkg.in/yaml.v2.isBase60Float")
def _go_yaml_plain_is_string(text: str) -> bool:
    """Whether go-yaml v2 writes `text` plain: it would read it back as the same string."""
    if not text or text in _GO_YAML_WORDS or _GO_YAML_BASE60_FLOAT.match(text):
        return False
    if text[0] not in _GO_YAML_NUMBER_HINTS:
        return True
    plain = text.replace("_", "")
    return not (_go_yaml_timestamp(text) or _GO_YAML_INT.match(plain) or _GO_YAML_FLOAT.match(plain))


@mirrors("gopkg.in/yaml.v2.parseTimestamp")
def _go_yaml_timestamp(text: str) -> bool:
    """A date, with a time or not, in the forms go-yaml's allowedTimestampFormats parse."""
    match = _GO_YAML_TIMESTAMP.match(text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return hour < 24 and minute < 60 and second < 60


_SURROGATE_ESCAPE = re.compile("[\udc80-\udcff]")


@mirrors("(*gopkg.in/yaml.v2.encoder).stringv")
def _represent_str(dumper: _GoYAMLDumper, text: str) -> yaml.ScalarNode:
    # A byte that is no UTF-8 (a protobuf string's, kept by surrogateescape) reaches YAML through
    # JSON upstream, which wrote it as U+FFFD.
    text = _SURROGATE_ESCAPE.sub("\ufffd", text)
    if "\n" in text:
        style = "|"
    elif not _go_yaml_plain_is_string(text):
        style = '"'
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


@mirrors("(gopkg.in/yaml.v2.keyList).Less")
def _key_less(a: str, b: str) -> bool:
    """go-yaml v2's order of two string keys: letters by code point and after any other
    character, a run of digits by its number (c2 before c10)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        x_letter, y_letter = x.isalpha(), y.isalpha()
        if x_letter and y_letter:
            return x < y
        if x_letter or y_letter:
            return y_letter
        x_number = y_number = 0
        if x == "0" or y == "0":
            # a zero inside a number (the 0 of 10 after a common 1) is no leading zero
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    x_number = y_number = 1
                    break
                j -= 1
        x_end, x_number = _digits(a, i, x_number)
        y_end, y_number = _digits(b, i, y_number)
        if x_number != y_number:
            return x_number < y_number
        if x_end != y_end:
            return x_end < y_end
        return x < y
    return len(a) < len(b)


def _digits(text: str, start: int, number: int) -> tuple[int, int]:
    """Where the run of digits at `start` ends, and `number` followed by them."""
    end = start
    while end < len(text) and text[end].isdecimal():
        number = number * 10 + ord(text[end]) - ord("0")
        end += 1
    return end, number


_go_yaml_key = functools.cmp_to_key(lambda a, b: -1 if _key_less(a, b) else (1 if _key_less(b, a) else 0))


def _represent_map(dumper: _GoYAMLDumper, mapping: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", sorted(mapping.items(), key=lambda item: _go_yaml_key(item[0])))


_GoYAMLDumper.add_representer(str, _represent_str)
_GoYAMLDumper.add_representer(dict, _represent_map)


@mirrors("sigs.k8s.io/yaml.JSONToYAML")
def encode_yaml(value: Any) -> bytes:
    """`value` as the YAML the apiserver sends for `Accept: application/yaml`: the JSON encoding
    turned into block-style YAML with every map's keys sorted as go-yaml sorts them."""
    return yaml.dump(value, Dumper=_GoYAMLDumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True).encode()
