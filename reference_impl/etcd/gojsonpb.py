"""The checks golang/protobuf's jsonpb (v1, behind etcd 3.4's grpc-gateway) makes of a JSON
request before it becomes a protobuf message, failing with the words Go's encoding/json and
encoding/base64 use: `json: cannot unmarshal string into Go value of type bool`, `illegal
base64 data at input byte 0`, `unknown value "NOPE" for enum etcdserverpb.RangeRequest_SortOrder`.

`check_message` walks decoded JSON against a message descriptor and raises JSONPBError at the
first value jsonpb would refuse; what passes, protobuf's json_format parses alike. Field names
may be the proto name or its lowerCamelCase JSON name; unknown fields are ignored, as the
gateway allows.
"""
from __future__ import annotations

import binascii
import json
import re

from google.protobuf.descriptor import Descriptor, FieldDescriptor

GO_INTEGERS = {FieldDescriptor.TYPE_INT64: "int64", FieldDescriptor.TYPE_UINT64: "uint64",
               FieldDescriptor.TYPE_INT32: "int32", FieldDescriptor.TYPE_UINT32: "uint32"}
GO_MESSAGE = "map[string]json.RawMessage"  # what jsonpb reads an object into first
GO_REPEATED = "[]json.RawMessage"
BASE64 = re.compile(r"[A-Za-z0-9+/]")


class JSONPBError(Exception):
    """A JSON value jsonpb would not unmarshal; str is Go's message."""


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
        kind = f"number {json.dumps(value)}"
    return JSONPBError(f"json: cannot unmarshal {kind} into Go value of type {go_type}")


def check_message(descriptor: Descriptor, value) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise cannot_unmarshal(value, GO_MESSAGE)
    for name, item in value.items():
        field = descriptor.fields_by_name.get(name) or descriptor.fields_by_camelcase_name.get(name)
        if field is None or item is None:
            continue
        if field.is_repeated:
            if not isinstance(item, list):
                raise cannot_unmarshal(item, GO_REPEATED)
            for element in item:
                check_value(field, element)
        else:
            check_value(field, item)


def check_value(field: FieldDescriptor, value) -> None:
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        check_message(field.message_type, value)
    elif kind == FieldDescriptor.TYPE_ENUM:
        check_enum(field, value)
    elif kind in GO_INTEGERS:
        check_integer(GO_INTEGERS[kind], value)
    elif kind == FieldDescriptor.TYPE_BYTES:
        if not isinstance(value, str):
            raise cannot_unmarshal(value, "[]uint8")
        check_base64(value)
    elif kind == FieldDescriptor.TYPE_BOOL and not isinstance(value, bool):
        raise cannot_unmarshal(value, "bool")
    elif kind == FieldDescriptor.TYPE_STRING and not isinstance(value, str):
        raise cannot_unmarshal(value, "string")


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


def check_integer(go_type: str, value) -> None:
    """A JSON number, or a string holding one (how int64s travel): jsonpb unmarshals the
    string's contents as JSON, so `"abc"` fails as the bare text abc would."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            if not value.strip():
                raise JSONPBError("unexpected end of JSON input") from None
            raise JSONPBError(f"invalid character {err.doc[err.pos]!r} looking for beginning of value") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise cannot_unmarshal(value, go_type)
    if isinstance(value, float) or (go_type.startswith("u") and value < 0):
        raise cannot_unmarshal(value, go_type, too_big=True)


def check_base64(text: str) -> None:
    """Standard base64 with padding, as encoding/base64's StdEncoding decodes it; the error
    names the first byte it could not use (an unfinished group: where that group starts)."""
    for index, char in enumerate(text):
        if char == "=":
            break
        if char not in "\r\n" and not BASE64.fullmatch(char):
            raise JSONPBError(f"illegal base64 data at input byte {index}")
    try:
        binascii.a2b_base64(text.encode(), strict_mode=True)
    except binascii.Error:
        raise JSONPBError(f"illegal base64 data at input byte {len(text) - len(text) % 4}") from None
