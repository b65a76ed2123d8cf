"""Protobuf varints (machinery.protowire), the one codec every hand-written protobuf reader and
writer here uses; the bytes are those Go's protowire and gogoproto write and read."""
from __future__ import annotations

import pytest

from reference_impl.machinery.protowire import (BYTES, FIXED32, FIXED64, VARINT, FieldError, VarintError, consume_field,
                                                consume_varint, encode_varint, int64, size_varint)


@pytest.mark.parametrize("value,encoded", [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
    ((1 << 64) - 1, b"\xff" * 9 + b"\x01"),
])
def test_a_varint_is_seven_bits_a_byte_low_bits_first(value, encoded):
    assert encode_varint(value) == encoded and size_varint(value) == len(encoded)
    assert consume_varint(b"\x99" + encoded + b"\x99", 1) == (value, 1 + len(encoded))


def test_a_negative_int64_is_its_twos_complement_in_ten_bytes():
    """As Go's int64 fields: -1 is 2**64 - 1 on the wire, read back as that uint64."""
    assert encode_varint(-1) == b"\xff" * 9 + b"\x01" and size_varint(-1) == 10
    assert consume_varint(encode_varint(-2), 0) == ((1 << 64) - 2, 10)


def test_a_varint_cut_short_is_truncated():
    with pytest.raises(VarintError, match="truncated varint") as err:
        consume_varint(b"\x80\x80", 0)
    assert not err.value.overflow


def test_end_bounds_the_read_as_a_length_delimited_field_does():
    with pytest.raises(VarintError, match="truncated varint"):
        consume_varint(b"\x80\x01", 0, end=1)


def test_more_than_ten_bytes_overflows():
    """gogo's generated loop: a continuation bit on the tenth byte is `proto: integer overflow`."""
    with pytest.raises(VarintError) as err:
        consume_varint(b"\xff" * 10 + b"\x01", 0)
    assert err.value.overflow


def test_the_value_keeps_its_low_64_bits_as_a_go_uint64():
    assert consume_varint(b"\xff" * 9 + b"\x7f", 0) == ((1 << 64) - 1, 10)


@pytest.mark.parametrize("data,field", [
    (b"\x08\x96\x01", (1, VARINT, 150)),
    (b"\x11" + bytes(range(8)), (2, FIXED64, bytes(range(8)))),
    (b"\x1a\x03abc", (3, BYTES, b"abc")),
    (b"\x25" + bytes(range(4)), (4, FIXED32, bytes(range(4)))),
])
def test_a_field_is_its_number_wire_type_and_value(data, field):
    assert consume_field(data + b"\x08\x01", 0) == (*field, len(data))


def test_a_field_whose_value_runs_past_the_message_is_truncated():
    with pytest.raises(FieldError, match="field 3 is truncated") as err:
        consume_field(b"\x1a\x05abc", 0)
    assert err.value.wire_type is None


@pytest.mark.parametrize("wire_type", [3, 4, 6, 7])
def test_a_group_or_an_unknown_wire_type_is_refused(wire_type):
    with pytest.raises(FieldError, match=f"field 1 has wire type {wire_type}"):
        consume_field(bytes((1 << 3 | wire_type,)) + b"\x00", 0)


@pytest.mark.parametrize("value,signed", [(0, 0), ((1 << 63) - 1, (1 << 63) - 1), (1 << 63, -(1 << 63)),
                                          ((1 << 64) - 1, -1)])
def test_an_int64_field_is_its_varints_two_complement(value, signed):
    assert int64(value) == signed
