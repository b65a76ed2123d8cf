"""The two wires an exec or attach session speaks to its client, behind one small interface, so
that `ExecSession` and `AttachSession` run a command the same way whichever the client chose.

WebSocket (kubectl 1.30 and later): every binary message carries one channel, its first byte the
stream (stdin 0, stdout 1, stderr 2, error 3, resize 4) and the rest its data; v5 adds the close
signal `255 <stream>`, with which the client half-closes stdin. Every channel ends with the
connection's close frame.

SPDY/3.1 (kubectl before 1.30): the client opens one stream per channel, each named by its
`streamType` header (error, stdin, stdout, stderr, resize), and the kubelet waits for all it asked
for before it runs anything. A stream ends on its own with a FIN: the client's FIN on stdin is the
half-close, the kubelet's on stdout and stderr an EOF for the client's copies; the resize stream
carries one TerminalSize JSON document after another.

A session calls `open` once its command runs, `send` and `close` for its outputs, `finish` with
the error channel's message; `serve` reads the client in a thread of its own, calling the
session's `write_stdin`, `close_stdin` and `resize` until the client closes or goes away.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import BinaryIO, Protocol

from reference_impl.machinery import spdy, websocket
from reference_impl.mirrors import mirrors

from .errors import KubeletError

STDIN, STDOUT, STDERR, ERROR, RESIZE = range(5)
CLOSE_SIGNAL = 255  # WebSocket v5: `255 <stream>` closes that stream

V5, V4, V3, V2, V1 = ("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
                      "channel.k8s.io")
MAX_RESIZE_DOCUMENT = 1024  # bytes a resize document may span before the stream counts as no JSON
STREAM_TYPES = {"stdin": STDIN, "stdout": STDOUT, "stderr": STDERR, "error": ERROR, "resize": RESIZE}


class Input(Protocol):
    """What a session does with what the client sends."""

    def write_stdin(self, data: bytes) -> None: ...

    def close_stdin(self) -> None: ...

    def resize(self, size: bytes) -> None: ...


class UpgradedConnection:
    """One upgraded connection: `rfile` its buffered reader (it may already hold the client's first
    frames), `sock` for writes, which several threads make; `gone` is set once one fails (or by a
    session whose client has left)."""

    def __init__(self, rfile: BinaryIO, sock, protocol: str) -> None:
        self.rfile, self.sock, self.protocol = rfile, sock, protocol
        self.gone = threading.Event()
        self._write_lock = threading.Lock()

    def _write(self, frame: bytes) -> None:
        with self._write_lock:
            try:
                self.sock.sendall(frame)
            except OSError:
                self.gone.set()


class WebSocketChannels(UpgradedConnection):
    """The channels of one upgraded WebSocket connection."""

    def open(self, first_output: int) -> None:
        """An empty message on the first output channel tells the client the command runs."""
        self.send(first_output, b"")

    def send(self, channel: int, data: bytes) -> None:
        self._write(websocket.encode_frame(websocket.OP_BINARY, bytes([channel]) + data))

    def close(self, channel: int) -> None:
        """A WebSocket channel ends only with the connection."""

    def finish(self, message: bytes) -> None:
        self.send(ERROR, message)
        self._write(websocket.encode_frame(websocket.OP_CLOSE, websocket.close_payload()))

    def serve(self, session: Input) -> None:
        reader = websocket.FrameReader()
        try:
            while data := self.rfile.read1(64 * 1024):
                for message in reader.feed(data):
                    if message.opcode == websocket.OP_CLOSE:
                        return
                    if message.opcode == websocket.OP_PING:
                        self._write(websocket.encode_frame(websocket.OP_PONG, message.payload))
                    elif message.opcode in (websocket.OP_BINARY, websocket.OP_TEXT) and message.payload:
                        self._on_message(session, message.payload[0], message.payload[1:])
        except (OSError, ValueError, websocket.WebSocketError):
            pass

    def _on_message(self, session: Input, channel: int, data: bytes) -> None:
        if channel == STDIN:
            session.write_stdin(data)
        elif channel == RESIZE:
            session.resize(data)
        elif channel == CLOSE_SIGNAL and self.protocol == V5 and data[:1] == bytes([STDIN]):
            session.close_stdin()


class StreamsNotCreated(KubeletError):
    """The client did not open the streams it asked for in time, or left first."""


class SpdyChannels(UpgradedConnection):
    """The streams of one upgraded SPDY/3.1 connection, keyed by the channel each stands for.

    `accept` reads the client's SYN_STREAMs in the caller's thread until every stream the options
    ask for has come; frames read past the last one wait for `serve`.
    """

    def __init__(self, rfile: BinaryIO, sock, protocol: str) -> None:
        super().__init__(rfile, sock, protocol)
        self._reader, self._writer = spdy.FrameReader(), spdy.FrameWriter()
        self._streams: dict[int, int] = {}  # channel -> stream id
        self._received = 0  # streams of a known type, a repeated type counted again as upstream does
        self._ended: set[int] = set()  # the channels whose stream the kubelet has FINed
        self._pending: list[spdy.Frame] = []
        self._resize_buffer: bytes | None = b""  # None once the stream is no JSON
        self._last_stream_id = 0

    @mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.createHTTPStreamStreams")
    def accept(self, expected: int, timeout: float) -> None:
        """Wait for `expected` streams of a known type; raises StreamsNotCreated after `timeout` s."""
        deadline = time.monotonic() + timeout
        try:
            while self._received < expected:
                self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
                data = self.rfile.read1(64 * 1024)
                if not data:
                    raise StreamsNotCreated("the client closed the connection")
                for frame in self._reader.feed(data):
                    if isinstance(frame, spdy.SynStream):
                        self._on_new_stream(frame)
                    else:
                        self._pending.append(frame)
        except (socket.timeout, TimeoutError):
            raise StreamsNotCreated("timed out waiting for client to create streams") from None
        except (OSError, spdy.SpdyError) as err:
            raise StreamsNotCreated(str(err)) from None
        finally:
            try:
                self.sock.settimeout(None)
            except OSError:
                pass

    def _on_new_stream(self, frame: spdy.SynStream) -> None:
        """Every stream is answered; one of an unknown type is otherwise ignored, as upstream's is."""
        self._last_stream_id = frame.stream_id
        self._write(self._writer.syn_reply(frame.stream_id, {}))
        channel = STREAM_TYPES.get(frame.headers.get("streamtype", ""))
        if channel is not None:
            self._streams[channel] = frame.stream_id
            self._received += 1

    def open(self, first_output: int) -> None:
        """The streams are there already: nothing to announce."""

    def send(self, channel: int, data: bytes) -> None:
        if channel in self._streams:
            self._write(self._writer.data(self._streams[channel], data))

    def close(self, channel: int) -> None:
        """A FIN: the client's copy of this stream sees its end."""
        if channel in self._streams and channel not in self._ended:
            self._ended.add(channel)
            self._write(self._writer.data(self._streams[channel], b"", fin=True))

    @mirrors("(*github.com/moby/spdystream.Connection).Close")
    def finish(self, message: bytes) -> None:
        """The error stream's message and FIN, a FIN on what output is still open, then GOAWAY."""
        if message:
            self.send(ERROR, message)
        for channel in (ERROR, STDOUT, STDERR):
            self.close(channel)
        self._write(self._writer.go_away(self._last_stream_id))

    def serve(self, session: Input) -> None:
        try:
            for frame in self._pending:
                self._on_frame(session, frame)
            self._pending = []
            while data := self.rfile.read1(64 * 1024):
                for frame in self._reader.feed(data):
                    if self._on_frame(session, frame):
                        return
        except (OSError, spdy.SpdyError):
            pass

    def _on_frame(self, session: Input, frame: spdy.Frame) -> bool:
        """Pass on what a frame means to the session; True once the client says it is going away."""
        if isinstance(frame, spdy.SynStream):
            self._on_new_stream(frame)
        elif isinstance(frame, spdy.Data) and frame.stream_id == self._streams.get(STDIN):
            if frame.data:
                session.write_stdin(frame.data)
            if frame.fin:
                session.close_stdin()
        elif isinstance(frame, spdy.Data) and frame.stream_id == self._streams.get(RESIZE):
            for size in self._terminal_sizes(frame.data):
                session.resize(size)
        elif isinstance(frame, spdy.RstStream) and frame.stream_id == self._streams.get(STDIN):
            session.close_stdin()
        elif isinstance(frame, spdy.Ping):
            self._write(self._writer.ping(frame.ping_id))
        return isinstance(frame, spdy.GoAway)

    @mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.handleResizeEvents")
    def _terminal_sizes(self, data: bytes) -> list[bytes]:
        """The whole JSON documents the resize stream holds so far; a partial one waits for more.
        A stream that is no JSON is read no further, as handleResizeEvents returns on a decode
        error (and so nothing it sends after piles up here)."""
        if self._resize_buffer is None:
            return []
        self._resize_buffer += data
        text, sizes, decoder = self._resize_buffer.decode("utf-8", "replace"), [], json.JSONDecoder()
        position = 0
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position == len(text):
                break
            try:
                _, end = decoder.raw_decode(text, position)
            except ValueError:
                # A TerminalSize is a small object: one that does not start as one, or is still
                # not whole after MAX_RESIZE_DOCUMENT bytes, is no JSON that will ever end.
                if text[position] != "{" or len(text) - position > MAX_RESIZE_DOCUMENT:
                    self._resize_buffer = None
                    return sizes
                break  # the document goes on in a later frame
            sizes.append(text[position:end].encode())
            position = end
        self._resize_buffer = text[position:].encode()
        return sizes
