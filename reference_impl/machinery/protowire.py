"""Protobuf varints and fields, as every hand-written protobuf reader and writer here needs them:
etcd's messages, its gRPC adapter and backend, raft's ConfChange, the apiserver's protobuf
serializer.

Reading follows the loop gogoproto generates (and etcd and Kubernetes run): more than ten bytes is
an overflow, a message that ends inside a varint is cut short, and the value keeps its low 64 bits
as Go's uint64 does. Each caller words a `VarintError` or `FieldError` in its own format.
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors

PROTOWIRE = "google.golang.org/protobuf/encoding/protowire"
VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5  # the wire types a field here may have (no groups)
_UINT64 = (1 << 64) - 1
_ONE_BYTE = tuple(bytes((value,)) for value in range(128))


class VarintError(ValueError):
    """A varint that cannot be read: `overflow` when it runs past ten bytes, else the data ends
    inside it."""

    def __init__(self, overflow: bool) -> None:
        super().__init__("varint overflows 64 bits" if overflow else "truncated varint")
        self.overflow = overflow


class FieldError(ValueError):
    """A field that cannot be read: one of `wire_type` 3, 4, 6 or 7 (groups, or none at all), or,
    when `wire_type` is None, one whose value runs past the end of the message."""

    def __init__(self, number: int, wire_type: int | None = None) -> None:
        super().__init__(f"field {number} has wire type {wire_type}" if wire_type is not None
                         else f"field {number} is truncated")
        self.number, self.wire_type = number, wire_type


@mirrors(f"{PROTOWIRE}.AppendVarint")
def encode_varint(value: int) -> bytes:
    """A negative int64 is written as its two's complement: ten bytes."""
    if 0 <= value < 128:  # every field key and most lengths and values
        return _ONE_BYTE[value]
    value &= _UINT64
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def int64(value: int) -> int:
    """A varint read as Go's int64(v) reads it: the two's complement of its 64 bits."""
    return value - (1 << 64) if value >= 1 << 63 else value


@mirrors(f"{PROTOWIRE}.SizeVarint")
def size_varint(value: int) -> int:
    """Bytes of `encode_varint(value)`; a negative int64 takes ten."""
    if value < 0:
        return 10
    return (value.bit_length() + 6) // 7 or 1


@mirrors(f"{PROTOWIRE}.ConsumeVarint")
def consume_varint(data: bytes, at: int, end: int | None = None) -> tuple[int, int]:
    """The varint at `at` in `data[:end]` and the position after it; VarintError if it overflows
    or is cut short."""
    end = len(data) if end is None else end
    if at < end and data[at] < 0x80:
        return data[at], at + 1
    value = shift = 0
    while True:
        if shift >= 64:
            raise VarintError(overflow=True)
        if at >= end:
            raise VarintError(overflow=False)
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value & _UINT64, at
        shift += 7


@mirrors(f"{PROTOWIRE}.ConsumeField")
def consume_field(data: bytes, at: int) -> tuple[int, int, int | bytes, int]:
    """The field at `at`: its number, its wire type, its value (a varint's number, else its bytes:
    a length-delimited field's contents) and the position after it. VarintError or FieldError
    when it cannot be read."""
    key, at = consume_varint(data, at)
    number, wire_type = key >> 3, key & 7
    if wire_type == VARINT:
        value, at = consume_varint(data, at)
        return number, wire_type, value, at
    if wire_type == BYTES:
        size, at = consume_varint(data, at)
    elif wire_type in (FIXED64, FIXED32):
        size = 8 if wire_type == FIXED64 else 4
    else:
        raise FieldError(number, wire_type)
    if at + size > len(data):
        raise FieldError(number)
    return number, wire_type, data[at:at + size], at + size
