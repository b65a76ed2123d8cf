"""SPDY/3.1 framing as Kubernetes' streaming connections speak it (moby/spdystream), sans-IO.

`kubectl port-forward` (and a SPDY `kubectl exec`) upgrade an HTTP request to `SPDY/3.1` and then
open streams on that one connection: SYN_STREAM with a header block, DATA with a FIN flag to
half-close, RST_STREAM to abort. Header blocks are zlib-compressed with SPDY's dictionary, one
compression context per direction for the whole connection, so a `FrameReader` and a
`FrameWriter` each live as long as their connection. spdystream ignores SETTINGS and
WINDOW_UPDATE (it does no flow control), and so does this module: they are read and dropped.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from reference_impl.mirrors import mirrors

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
CANCEL = 5  # RST_STREAM status spdystream's Stream.Reset sends

_HEADER_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language "
    "accept-ranges age allow authorization cache-control connection content-base content-encoding "
    "content-language content-length content-location content-md5 content-range content-type date etag "
    "expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since "
    "last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer "
    "retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate "
    "method get status 200_OK version HTTP/1.1 url public set-cookie keep-alive origin")
_HEADER_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")


def _dictionary() -> bytes:
    """SPDY/3's zlib dictionary: length-prefixed header words ("200_OK" stands for "200 OK"), then
    a run of common text."""
    words = [w.replace("_", " ") for w in _HEADER_WORDS.split(" ")]
    return b"".join(struct.pack(">I", len(w)) + w.encode() for w in words) + _HEADER_TAIL.encode()


HEADER_DICTIONARY = _dictionary()


class SpdyError(Exception):
    """A byte stream that is not SPDY/3."""


@dataclass(frozen=True)
class SynStream:
    stream_id: int
    headers: dict[str, str]  # lower-case names, as the header block carries them
    fin: bool = False


@dataclass(frozen=True)
class SynReply:
    stream_id: int
    headers: dict[str, str]
    fin: bool = False


@dataclass(frozen=True)
class Data:
    stream_id: int
    data: bytes
    fin: bool = False


@dataclass(frozen=True)
class RstStream:
    stream_id: int
    status: int


@dataclass(frozen=True)
class Ping:
    ping_id: int


@dataclass(frozen=True)
class GoAway:
    last_good_stream_id: int


Frame = SynStream | SynReply | Data | RstStream | Ping | GoAway


class FrameReader:
    """Bytes in, frames out; keeps partial frames and the connection's header decompressor."""

    def __init__(self) -> None:
        self._buffer = b""
        self._inflate = zlib.decompressobj(zdict=HEADER_DICTIONARY)

    @mirrors("(*github.com/moby/spdystream/spdy.Framer).ReadFrame")
    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= 8:
            length = int.from_bytes(self._buffer[5:8], "big")
            if len(self._buffer) < 8 + length:
                break
            head, payload = self._buffer[:8], self._buffer[8:8 + length]
            self._buffer = self._buffer[8 + length:]
            frame = self._control(head, payload) if head[0] & 0x80 else self._data(head, payload)
            if frame is not None:
                frames.append(frame)
        return frames

    @staticmethod
    def _data(head: bytes, payload: bytes) -> Data:
        stream_id = int.from_bytes(head[:4], "big") & 0x7FFFFFFF
        return Data(stream_id, payload, bool(head[4] & FLAG_FIN))

    def _control(self, head: bytes, payload: bytes) -> Frame | None:
        version, kind = struct.unpack(">HH", head[:4])
        if version & 0x7FFF != VERSION:
            raise SpdyError(f"unsupported SPDY version {version & 0x7FFF}")
        flags = head[4]
        if kind == SYN_STREAM:
            stream_id = int.from_bytes(payload[:4], "big") & 0x7FFFFFFF
            return SynStream(stream_id, self._headers(payload[10:]), bool(flags & FLAG_FIN))
        if kind == SYN_REPLY:
            return SynReply(int.from_bytes(payload[:4], "big") & 0x7FFFFFFF, self._headers(payload[4:]),
                            bool(flags & FLAG_FIN))
        if kind == HEADERS:
            self._headers(payload[4:])  # the decompressor's context must see every block
            return None
        if kind == RST_STREAM:
            stream_id, status = struct.unpack(">II", payload[:8])
            return RstStream(stream_id & 0x7FFFFFFF, status)
        if kind == PING:
            return Ping(struct.unpack(">I", payload[:4])[0])
        if kind == GOAWAY:
            return GoAway(struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF)
        return None  # SETTINGS, WINDOW_UPDATE, and what SPDY/3 leaves to extensions

    def _headers(self, block: bytes) -> dict[str, str]:
        try:
            raw = self._inflate.decompress(block)
        except zlib.error as err:
            raise SpdyError(f"header block: {err}") from None
        return parse_header_block(raw)


def parse_header_block(raw: bytes) -> dict[str, str]:
    """A decompressed block: a count, then length-prefixed names and values (several values of one
    name joined by NUL, kept joined here)."""
    try:
        (count,), offset, headers = struct.unpack_from(">I", raw), 4, {}
        for _ in range(count):
            name, offset = _string(raw, offset)
            value, offset = _string(raw, offset)
            headers[name.lower()] = value
    except struct.error:
        raise SpdyError("truncated header block") from None
    return headers


def _string(raw: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from(">I", raw, offset)
    end = offset + 4 + length
    if end > len(raw):
        raise struct.error("short string")
    return raw[offset + 4:end].decode("latin-1"), end


class FrameWriter:
    """Frames out as bytes; keeps the connection's header compressor (callers serialise writes)."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(level=9, zdict=HEADER_DICTIONARY)

    @mirrors("(*github.com/moby/spdystream/spdy.Framer).writeSynStreamFrame")
    def syn_stream(self, stream_id: int, headers: dict[str, str], fin: bool = False) -> bytes:
        """A new stream (what a client opens); no associated stream, priority 0."""
        fields = struct.pack(">IIBB", stream_id, 0, 0, 0)
        return _control(SYN_STREAM, FLAG_FIN if fin else 0, fields + self._header_block(headers))

    @mirrors("(*github.com/moby/spdystream/spdy.Framer).writeSynReplyFrame")
    def syn_reply(self, stream_id: int, headers: dict[str, str], fin: bool = False) -> bytes:
        return _control(SYN_REPLY, FLAG_FIN if fin else 0, struct.pack(">I", stream_id) + self._header_block(headers))

    @mirrors("github.com/moby/spdystream/spdy.writeHeaderValueBlock")
    def _header_block(self, headers: dict[str, str]) -> bytes:
        block = struct.pack(">I", len(headers)) + b"".join(
            struct.pack(">I", len(k)) + k.lower().encode() + struct.pack(">I", len(v)) + v.encode()
            for k, v in headers.items())
        return self._deflate.compress(block) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    @staticmethod
    def data(stream_id: int, data: bytes, fin: bool = False) -> bytes:
        return struct.pack(">II", stream_id, (FLAG_FIN if fin else 0) << 24 | len(data)) + data

    @staticmethod
    def rst_stream(stream_id: int, status: int = CANCEL) -> bytes:
        return _control(RST_STREAM, 0, struct.pack(">II", stream_id, status))

    @staticmethod
    def ping(ping_id: int) -> bytes:
        return _control(PING, 0, struct.pack(">I", ping_id))

    @staticmethod
    def go_away(last_good_stream_id: int) -> bytes:
        return _control(GOAWAY, 0, struct.pack(">II", last_good_stream_id, 0))


def _control(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">HHI", 0x8000 | VERSION, kind, flags << 24 | len(payload)) + payload
