"""How etcd 3.4's gogoproto-generated Unmarshal methods read a request's bytes, for the error
grpc-go sends back when they cannot: `grpc: error unmarshalling request: proto: wrong wireType
= 0 for field Key`, `unexpected EOF`, `proto: integer overflow`.

protobuf's Python decoder is laxer in one way and says less in the other: a known field sent
with another wire type is kept as an unknown field (gogo refuses it), and any failure is
grpcio's bare "Exception deserializing request!". `unmarshal_error` walks the bytes against
the message's descriptor as the generated code does, nested messages included, without
recursion (a txn may nest a thousand levels), and names the first thing it refuses.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from reference_impl.machinery.protowire import VarintError, consume_varint
from reference_impl.mirrors import mirrors

ETCDSERVERPB = "go.etcd.io/etcd/api/v3/etcdserverpb"
VARINT, FIXED64, BYTES, START_GROUP, END_GROUP, FIXED32 = range(6)
ERR_UNEXPECTED_EOF = "unexpected EOF"  # io.ErrUnexpectedEOF
ERR_INT_OVERFLOW = "proto: integer overflow"  # ErrIntOverflowRpc
ERR_INVALID_LENGTH = "proto: negative length found during unmarshaling"  # ErrInvalidLengthRpc

_WIRE_TYPES = {FieldDescriptor.TYPE_DOUBLE: FIXED64, FieldDescriptor.TYPE_FIXED64: FIXED64,
               FieldDescriptor.TYPE_SFIXED64: FIXED64, FieldDescriptor.TYPE_FLOAT: FIXED32,
               FieldDescriptor.TYPE_FIXED32: FIXED32, FieldDescriptor.TYPE_SFIXED32: FIXED32,
               FieldDescriptor.TYPE_STRING: BYTES, FieldDescriptor.TYPE_BYTES: BYTES,
               FieldDescriptor.TYPE_MESSAGE: BYTES}


class UnmarshalError(Exception):
    """What the generated Unmarshal returned; str is its text."""


def go_field_name(name: str) -> str:
    """The Go name protoc-gen-gogo gives a field: CamelCase, `range_end` → RangeEnd."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _varint(data: bytes, at: int, end: int) -> tuple[int, int]:
    """The varint at `at` and where it ends, refused in the generated loops' words."""
    try:
        return consume_varint(data, at, end)
    except VarintError as err:
        raise UnmarshalError(ERR_INT_OVERFLOW if err.overflow else ERR_UNEXPECTED_EOF) from None


def _length(data: bytes, at: int, end: int) -> tuple[int, int]:
    """A length-delimited field's contents: where they start and end."""
    length, at = _varint(data, at, end)
    if length >= 1 << 63 or at + length >= 1 << 63:  # negative as Go's int
        raise UnmarshalError(ERR_INVALID_LENGTH)
    if at + length > end:
        raise UnmarshalError(ERR_UNEXPECTED_EOF)
    return at, at + length


@mirrors(f"{ETCDSERVERPB}.skipRpc")
def _skip(data: bytes, at: int, end: int, wire_type: int) -> int:
    """Past an unknown field's value, its tag read; a group up to its end tag (counted where
    skipRpc recurses)."""
    depth = 0
    while True:
        if wire_type == VARINT:
            at = _varint(data, at, end)[1]
        elif wire_type in (FIXED64, FIXED32):
            at += 8 if wire_type == FIXED64 else 4
        elif wire_type == BYTES:
            at = _length(data, at, end)[1]
        elif wire_type == START_GROUP:
            depth += 1
        elif wire_type == END_GROUP:
            depth -= 1
        else:
            raise UnmarshalError(f"proto: illegal wireType {wire_type}")
        if depth <= 0:
            if at > end:
                raise UnmarshalError(ERR_UNEXPECTED_EOF)
            return at
        tag, at = _varint(data, at, end)
        wire_type = tag & 7


@mirrors(f"(*{ETCDSERVERPB}.RangeRequest).Unmarshal", f"(*{ETCDSERVERPB}.TxnRequest).Unmarshal")
def unmarshal_error(descriptor: Descriptor, data: bytes) -> str | None:
    """Why etcd 3.4 cannot unmarshal `data` as the message `descriptor` describes, or None.
    A nested message is read where it comes, before the fields after it, as Go's calls do."""
    # The messages being read, innermost last: each one's fields, name, next byte and end.
    frames = [[_fields(descriptor), descriptor.name, 0, len(data)]]
    try:
        while frames:
            frame = frames[-1]
            fields, name, at, end = frame
            if at >= end:
                frames.pop()
                continue
            frame[2], nested = _field(fields, name, data, at, end)
            if nested is not None:
                frames.append([_fields(nested[0]), nested[0].name, nested[1], nested[2]])
    except UnmarshalError as err:
        return str(err)
    return None


@dataclass(frozen=True)
class _Field:
    wire_types: tuple[int, ...]  # its own; a repeated number's also comes packed
    go_name: str
    message: Descriptor | None  # a message field's type


@functools.cache
def _fields(descriptor: Descriptor) -> dict[int, _Field]:
    """A message's fields by number, read from the descriptor once."""
    fields = {}
    for field in descriptor.fields:
        own = _WIRE_TYPES.get(field.type, VARINT)
        packable = own != BYTES and field.is_repeated
        message = field.message_type if field.type == FieldDescriptor.TYPE_MESSAGE else None
        fields[field.number] = _Field((own, BYTES) if packable else (own,), go_field_name(field.name),
                                      message)
    return fields


def _field(fields: dict[int, _Field], name: str, data: bytes, at: int,
           end: int) -> tuple[int, tuple | None]:
    """Read the field at `at`: where the next one starts, and a message field's (descriptor,
    start, end). A one-byte tag, the usual case, is read without a call."""
    tag = data[at]
    if tag < 0x80:
        at += 1
    else:
        tag, at = _varint(data, at, end)
    number, wire_type = _int32(tag >> 3), tag & 7
    if wire_type == END_GROUP:
        raise UnmarshalError(f"proto: {name}: wiretype end group for non-group")
    if number <= 0:
        raise UnmarshalError(f"proto: {name}: illegal tag {number} (wire type {tag})")
    field = fields.get(number)
    if field is None:
        return _skip(data, at, end, wire_type), None
    if wire_type not in field.wire_types:
        raise UnmarshalError(f"proto: wrong wireType = {wire_type} for field {field.go_name}")
    if wire_type == VARINT:
        return _varint(data, at, end)[1], None
    if wire_type == BYTES:
        start, at = _length(data, at, end)
        return at, (None if field.message is None else (field.message, start, at))
    at += 8 if wire_type == FIXED64 else 4
    if at > end:
        raise UnmarshalError(ERR_UNEXPECTED_EOF)
    return at, None


def _int32(number: int) -> int:
    """Go's int32(number): its low 32 bits, signed."""
    number &= 0xFFFF_FFFF
    return number - (1 << 32) if number >= 1 << 31 else number
