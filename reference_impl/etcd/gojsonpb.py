"""The checks golang/protobuf's jsonpb (v1, behind etcd 3.4's grpc-gateway) makes of a JSON
request before it becomes a protobuf message, failing with the words Go's encoding/json and
encoding/base64 use: `json: cannot unmarshal string into Go value of type bool`, `illegal
base64 data at input byte 0`, `unknown value "NOPE" for enum etcdserverpb.RangeRequest_SortOrder`.

`check_message` walks decoded JSON against a message descriptor and raises JSONPBError at the
first value jsonpb would refuse; what passes it returns as protobuf's json_format parses it
alike (a []byte given as an array of numbers, as encoding/json takes it, becomes base64). Field
names may be the proto name or its lowerCamelCase JSON name; unknown fields are ignored, as the
gateway allows. Numbers are read with `loads`, which keeps each as written, as Go quotes it.
"""
from __future__ import annotations

import base64
import json
import re

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from reference_impl.machinery.gojson import base64_error, quote_char, refuse_constant, syntax_error

GO_INTEGERS = {FieldDescriptor.TYPE_INT64: "int64", FieldDescriptor.TYPE_UINT64: "uint64",
               FieldDescriptor.TYPE_INT32: "int32", FieldDescriptor.TYPE_UINT32: "uint32"}
# The least and the greatest value of each Go integer type.
GO_RANGES = {"int64": (-1 << 63, (1 << 63) - 1), "uint64": (0, (1 << 64) - 1),
             "int32": (-1 << 31, (1 << 31) - 1), "uint32": (0, (1 << 32) - 1), "uint8": (0, 255)}
GO_MESSAGE = "map[string]json.RawMessage"  # what jsonpb reads an object into first
GO_REPEATED = "[]json.RawMessage"
INVALID_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is no UTF-8, as surrogateescape keeps it


class JSONPBError(Exception):
    """A JSON value jsonpb would not unmarshal; str is Go's message."""


class Int(int):
    """A JSON integer, with its text as written."""

    text: str


class Float(float):
    """A JSON number with a fraction or an exponent, with its text as written."""

    text: str


def _number(kind: type):
    def parse(text: str):
        number = kind(text)
        number.text = text
        return number
    return parse


DECODER = json.JSONDecoder(parse_int=_number(Int), parse_float=_number(Float),
                           parse_constant=refuse_constant)


def loads(text: str):
    """One JSON text read by DECODER; a JSONPBError with encoding/json's words if it is none."""
    problem = syntax_error(text.encode("utf-8", "surrogateescape"))
    if problem:
        raise JSONPBError(problem)
    return DECODER.decode(text)


def go_kind(value) -> str:
    """encoding/json's name for a JSON value's kind, as its UnmarshalTypeError writes it."""
    if isinstance(value, bool):
        return "bool"
    return {list: "array", dict: "object", str: "string"}.get(type(value), "number")


def cannot_unmarshal(value, go_type: str, *, too_big: bool = False) -> JSONPBError:
    """encoding/json's UnmarshalTypeError: a value of the wrong kind, or (`too_big`) a number of
    the right kind that the Go type cannot hold, which it then quotes."""
    kind = go_kind(value)
    if too_big:
        kind = f"number {getattr(value, 'text', None) or json.dumps(value)}"
    return JSONPBError(f"json: cannot unmarshal {kind} into Go value of type {go_type}")


def check_message(descriptor: Descriptor, value):
    """`value` as json_format parses it into the message, or JSONPBError."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise cannot_unmarshal(value, GO_MESSAGE)
    checked = {}
    for name, item in value.items():
        field = descriptor.fields_by_name.get(name) or descriptor.fields_by_camelcase_name.get(name)
        if field is None or item is None:
            continue
        if field.is_repeated:
            if not isinstance(item, list):
                raise cannot_unmarshal(item, GO_REPEATED)
            checked[name] = [check_value(field, element) for element in item]
        else:
            checked[name] = check_value(field, item)
    return checked


def check_value(field: FieldDescriptor, value):
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        return check_message(field.message_type, value)
    if kind == FieldDescriptor.TYPE_ENUM:
        check_enum(field, value)
    elif kind in GO_INTEGERS:
        return check_integer(GO_INTEGERS[kind], value)
    elif kind == FieldDescriptor.TYPE_BYTES:
        return check_bytes(value)
    elif kind == FieldDescriptor.TYPE_BOOL and not isinstance(value, bool):
        raise cannot_unmarshal(value, "bool")
    elif kind == FieldDescriptor.TYPE_STRING:
        if not isinstance(value, str):
            raise cannot_unmarshal(value, "string")
        return INVALID_UTF8.sub("\ufffd", value)  # encoding/json's replacement, byte by byte
    return value


def check_enum(field: FieldDescriptor, value) -> None:
    """A name of the enum, or a number; Go names a nested enum Outer_Enum."""
    enum = field.enum_type
    package, _, nested = enum.full_name.partition(".")
    go_type = f"{package}.{nested.replace('.', '_')}"
    if isinstance(value, str):
        if value not in enum.values_by_name:
            raise JSONPBError(f"unknown value {json.dumps(value)} for enum {go_type}")
    elif isinstance(value, bool) or not isinstance(value, int):
        raise cannot_unmarshal(value, go_type, too_big=isinstance(value, float))
    elif not fits(value, "int32"):
        raise cannot_unmarshal(value, go_type, too_big=True)


def check_integer(go_type: str, value) -> int:
    """A JSON number, or a string holding one (how int64s travel): jsonpb unmarshals the
    string's contents as JSON, so `"abc"` fails as the bare text abc would and `" 1"` is 1."""
    if isinstance(value, str):
        value = loads(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise cannot_unmarshal(value, go_type)
    if isinstance(value, float) or not fits(value, go_type):
        raise cannot_unmarshal(value, go_type, too_big=True)
    return int(value)


def fits(value: int, go_type: str) -> bool:
    least, greatest = GO_RANGES[go_type]
    return least <= value <= greatest


def check_bytes(value) -> str:
    """Standard base64 with padding, as encoding/base64's StdEncoding decodes it; or, as
    encoding/json decodes any slice, an array of numbers that each fit a byte."""
    if isinstance(value, list):
        return base64.b64encode(bytes(_byte(element) for element in value)).decode()
    if not isinstance(value, str):
        raise cannot_unmarshal(value, "[]uint8")
    problem = base64_error(value)
    if problem:
        raise JSONPBError(problem)
    return value


def _byte(value) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise cannot_unmarshal(value, "uint8")
    if isinstance(value, float) or not fits(value, "uint8"):
        raise cannot_unmarshal(value, "uint8", too_big=True)
    return value


def go_syntax_error(err: json.JSONDecodeError, data: bytes, start: int) -> str:
    """encoding/json's Decoder's words for the value begun at byte `start` of `data`, which
    DECODER refused with `err` (err.doc is `data` decoded with surrogateescape): io's
    unexpected EOF when the input ends first, else the scanner's error, met inside that value
    as Unmarshal of all that follows meets it."""
    position = len(err.doc[:err.pos].encode("utf-8", "surrogateescape"))
    if position >= len(data.rstrip()):
        return "unexpected EOF"
    return syntax_error(data[start:]) or \
        f"invalid character {quote_char(data[position])} looking for beginning of value"
