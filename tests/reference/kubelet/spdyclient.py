"""A remotecommand SPDY/3.1 client for the exec and attach tests: what kubectl 1.27 to 1.29 send,
in a few lines. It opens the streams one after another, each after the kubelet's reply to the one
before (client-go's CreateStream waits for it), then sends stdin and resizes, and reads until the
kubelet says GOAWAY or closes."""
from __future__ import annotations

import socket

from reference_impl.machinery import spdy

from tests.reference.kubelet.execclient import ERROR, RESIZE, STDERR, STDIN, STDOUT, ExecResult, _read_body, _read_head

STREAM_TYPES = {ERROR: "error", STDIN: "stdin", STDOUT: "stdout", STDERR: "stderr", RESIZE: "resize"}
CLIENT_PROTOCOLS = "v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io"


def upgrade_request(path: str, host: str, protocols: str = CLIENT_PROTOCOLS) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Connection: Upgrade", "Upgrade: SPDY/3.1",
             "Content-Length: 0"]
    if protocols:
        lines.append(f"X-Stream-Protocol-Version: {protocols}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def run(host: str, port: int, path: str, channels: list[int], messages: list[tuple[int, bytes]] = (),
        close_stdin: bool = False, protocols: str = CLIENT_PROTOCOLS, timeout: float = 20) -> ExecResult:
    """Upgrade, open a stream for each of `channels` (error first), send `messages` as (channel,
    data), FIN stdin with `close_stdin`, and collect each stream's bytes; `result.closed` lists the
    channels the kubelet ended with a FIN."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        result, reader, frames = upgrade(sock, path, f"{host}:{port}", protocols)
        if result.code != 101:
            return result
        ids, frames = open_streams(sock, reader, frames, channels)
        writer = spdy.FrameWriter()
        for channel, data in messages:
            sock.sendall(writer.data(ids[channel], data))
        if close_stdin:
            sock.sendall(writer.data(ids[STDIN], b"", fin=True))
        channel_of = {stream_id: channel for channel, stream_id in ids.items()}
        while True:
            for frame in frames:
                if isinstance(frame, spdy.GoAway):
                    return result
                if isinstance(frame, spdy.Data) and frame.stream_id in channel_of:
                    channel = channel_of[frame.stream_id]
                    result.channels[channel] = result.channels.get(channel, b"") + frame.data
                    if frame.fin:
                        result.closed.append(channel)
            data = sock.recv(65536)
            if not data:
                return result
            frames = reader.feed(data)


def upgrade(sock: socket.socket, path: str, host: str,
            protocols: str = CLIENT_PROTOCOLS) -> tuple[ExecResult, spdy.FrameReader, list]:
    """The upgrade's result (a refusal's body read), the connection's frame reader and the frames
    that came with the response head."""
    sock.sendall(upgrade_request(path, host, protocols))
    head, rest = _read_head(sock)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    code = int(status_line.split()[1])
    found = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines if ":" in h)}
    if code != 101:
        return ExecResult(code, body=_read_body(sock, rest, int(found.get("content-length", "0")))), None, []
    reader = spdy.FrameReader()
    return ExecResult(code, found.get("x-stream-protocol-version", "")), reader, reader.feed(rest)


def open_streams(sock: socket.socket, reader: spdy.FrameReader, frames: list,
                 channels: list[int]) -> tuple[dict[int, int], list]:
    """One stream per channel, each opened once the last is answered; their ids and the frames read."""
    writer, ids = spdy.FrameWriter(), {channel: 1 + 2 * n for n, channel in enumerate(channels)}
    for channel, stream_id in ids.items():
        sock.sendall(writer.syn_stream(stream_id, {"streamType": STREAM_TYPES[channel]}))
        while not any(isinstance(f, spdy.SynReply) and f.stream_id == stream_id for f in frames):
            frames += reader.feed(_recv(sock))
    return ids, frames


def _recv(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    if not data:
        raise ConnectionError("the kubelet closed the connection while streams were being created")
    return data
