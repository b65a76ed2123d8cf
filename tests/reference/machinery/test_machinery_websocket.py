"""RFC 6455 framing (reference_impl/machinery/websocket.py), one rule per test."""
from __future__ import annotations

import pytest

from reference_impl.machinery import websocket
from reference_impl.machinery.websocket import FrameReader, Message, WebSocketError, encode_frame


def test_accept_key_is_rfc_6455s_example():
    """Sec-WebSocket-Accept is base64(SHA-1(key + GUID)): RFC 6455 section 1.3's own example."""
    assert websocket.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536, 70000])
@pytest.mark.parametrize("mask", [False, True])
def test_a_frame_reads_back_whole_at_every_length_encoding(size, mask):
    """7-bit, 16-bit and 64-bit lengths, masked (client) or not (server), read back unchanged."""
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert FrameReader().feed(encode_frame(websocket.OP_BINARY, payload, mask=mask)) == \
        [Message(websocket.OP_BINARY, payload)]


def test_a_server_frame_is_not_masked_and_a_client_frame_is():
    """RFC 6455 section 5.1: the mask bit is the client's, never the server's."""
    assert encode_frame(websocket.OP_BINARY, b"abc")[1] == 3
    masked = encode_frame(websocket.OP_BINARY, b"abc", mask=True)
    assert masked[1] == 0x83 and len(masked) == 2 + 4 + 3


def test_bytes_arriving_one_at_a_time_make_the_same_messages():
    """A frame split across reads is held until it is whole."""
    data = encode_frame(websocket.OP_BINARY, b"\x01hello", mask=True) + encode_frame(websocket.OP_PING, b"p")
    reader, messages = FrameReader(), []
    for byte in data:
        messages += reader.feed(bytes([byte]))
    assert messages == [Message(websocket.OP_BINARY, b"\x01hello"), Message(websocket.OP_PING, b"p")]


def test_a_fragmented_message_is_reassembled_around_a_ping():
    """Continuation frames join the first fragment's message; a control frame may come between."""
    first = bytes([websocket.OP_BINARY, 2]) + b"ab"  # FIN clear
    ping = encode_frame(websocket.OP_PING, b"")
    last = bytes([0x80 | websocket.OP_CONTINUATION, 2]) + b"cd"
    assert FrameReader().feed(first + ping + last) == [Message(websocket.OP_PING, b""),
                                                       Message(websocket.OP_BINARY, b"abcd")]


def test_a_continuation_with_nothing_to_continue_is_refused():
    with pytest.raises(WebSocketError, match="continuation"):
        FrameReader().feed(bytes([0x80 | websocket.OP_CONTINUATION, 0]))


def test_reserved_bits_and_opcodes_are_refused():
    with pytest.raises(WebSocketError, match="reserved bits"):
        FrameReader().feed(bytes([0xC0 | websocket.OP_BINARY, 0]))
    with pytest.raises(WebSocketError, match="reserved opcode"):
        FrameReader().feed(bytes([0x83, 0]))


def test_a_message_past_the_limit_is_refused_from_its_header():
    """The length is checked before the payload is waited for."""
    with pytest.raises(WebSocketError, match="larger than 10"):
        FrameReader(max_message=10).feed(encode_frame(websocket.OP_BINARY, b"x" * 11)[:4])


def test_close_payload_is_the_code_then_the_reason():
    assert websocket.close_payload(1000, "bye") == b"\x03\xe8bye"
