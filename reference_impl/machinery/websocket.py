"""RFC 6455 WebSocket framing, sans-IO: the handshake's accept key, frames to bytes, bytes to frames.

The kubelet's exec server speaks it to kubectl (remotecommand's channel protocols); the tests speak
it as the client. Only what those need is here: no extensions, no fragmented sends (a fragmented
message is reassembled on reading), 64-bit lengths, masking both ways. `FrameReader` is fed bytes
and hands back whole messages; the caller owns the socket.
"""
from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass

# The GUID RFC 6455 section 1.3 appends to Sec-WebSocket-Key.
ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
CLOSE_NORMAL = 1000

# A kubelet reads one exec's stdin and resize messages: a message past this is a broken peer.
MAX_MESSAGE = 32 * 1024 * 1024


class WebSocketError(Exception):
    """The peer broke RFC 6455 (a bad header, a reserved opcode, a message too large)."""


@dataclass(frozen=True)
class Message:
    """One whole message, or a control frame (close, ping, pong)."""

    opcode: int
    payload: bytes


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for the client's Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.strip().encode() + ACCEPT_GUID).digest()).decode()


def new_key() -> str:
    """A client's Sec-WebSocket-Key: 16 random bytes, base64."""
    return base64.b64encode(os.urandom(16)).decode()


def _masked(payload: bytes, mask: bytes) -> bytes:
    repeated = (mask * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def encode_frame(opcode: int, payload: bytes, mask: bool = False) -> bytes:
    """One final frame; a client masks what it sends, a server must not (RFC 6455 section 5.1)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length | (0x80 if mask else 0))
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126 | (0x80 if mask else 0), length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127 | (0x80 if mask else 0), length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + _masked(payload, key)


def close_payload(code: int = CLOSE_NORMAL, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode()


class FrameReader:
    """Reassembles the bytes `feed` is given into messages; control frames come out as they arrive,
    between the fragments of a data message if the peer puts them there."""

    def __init__(self, max_message: int = MAX_MESSAGE):
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._fragment_opcode: int | None = None
        self._max_message = max_message

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages = []
        while (frame := self._next_frame()) is not None:
            message = self._assemble(*frame)
            if message is not None:
                messages.append(message)
        return messages

    def _next_frame(self) -> tuple[bool, int, bytes] | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        if first & 0x70:
            raise WebSocketError("reserved bits set without a negotiated extension")
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                return None
            length, offset = struct.unpack_from("!H", buffer, 2)[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            length, offset = struct.unpack_from("!Q", buffer, 2)[0], 10
        if length > self._max_message:
            raise WebSocketError(f"a frame of {length} bytes is larger than {self._max_message}")
        masked = bool(second & 0x80)
        end = offset + (4 if masked else 0) + length
        if len(buffer) < end:
            return None
        payload = bytes(buffer[end - length:end])
        if masked:
            payload = _masked(payload, bytes(buffer[offset:offset + 4]))
        del buffer[:end]
        return bool(first & 0x80), first & 0x0F, payload

    def _assemble(self, final: bool, opcode: int, payload: bytes) -> Message | None:
        if opcode in (OP_CLOSE, OP_PING, OP_PONG):
            if not final or len(payload) > 125:
                raise WebSocketError("a control frame must be final and at most 125 bytes")
            return Message(opcode, payload)
        if opcode not in (OP_CONTINUATION, OP_TEXT, OP_BINARY):
            raise WebSocketError(f"reserved opcode {opcode:#x}")
        if (opcode == OP_CONTINUATION) != (self._fragment_opcode is not None):
            raise WebSocketError("a continuation frame outside a fragmented message, or a new message inside one")
        if self._fragment_opcode is None:
            self._fragment_opcode = opcode
        self._fragments.append(payload)
        if sum(len(f) for f in self._fragments) > self._max_message:
            raise WebSocketError(f"a message larger than {self._max_message} bytes")
        if not final:
            return None
        message = Message(self._fragment_opcode, b"".join(self._fragments))
        self._fragments, self._fragment_opcode = [], None
        return message
