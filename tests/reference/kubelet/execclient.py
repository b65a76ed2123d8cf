"""A remotecommand WebSocket client for the exec tests: what kubectl 1.30+ sends, in a few lines."""
from __future__ import annotations

import json
import socket
import ssl
import urllib.parse
from dataclasses import dataclass, field

from reference_impl.machinery import websocket
from reference_impl.machinery.params import KUBELET_STREAM_PARAMS

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


@dataclass
class ExecResult:
    """What came back: the HTTP status of the upgrade, the body of a refusal, each channel's bytes
    (and over SPDY the channels the server ended with a FIN)."""

    code: int
    protocol: str = ""
    body: bytes = b""
    channels: dict[int, bytes] = field(default_factory=dict)
    pongs: list[bytes] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)

    @property
    def status(self) -> dict:
        return json.loads(self.channels[ERROR])


def upgrade_request(path: str, host: str, protocols: str = "v5.channel.k8s.io,v4.channel.k8s.io",
                    headers: dict | None = None, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: Upgrade", "Upgrade: websocket",
             "Sec-WebSocket-Version: 13", f"Sec-WebSocket-Key: {websocket.new_key()}"]
    if protocols:
        lines.append(f"Sec-WebSocket-Protocol: {protocols}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def exec_path(prefix: str, command: list[str], **streams: bool) -> str:
    """A client's exec query for the apiserver: the streams by PodExecOptions' names."""
    query = [("command", c) for c in command] + [(k, "1") for k, v in streams.items() if v]
    return f"{prefix}?{urllib.parse.urlencode(query)}"


def kubelet_path(prefix: str, command: list[str], **streams: bool) -> str:
    """The query the apiserver sends a kubelet: the streams by their kubelet names (output, ...)."""
    query = [("command", c) for c in command] + [(KUBELET_STREAM_PARAMS[k], "1") for k, v in streams.items() if v]
    return f"{prefix}?{urllib.parse.urlencode(query)}"


def run(host: str, port: int, path: str, messages: list[bytes] = (), protocols: str = "v5.channel.k8s.io",
        tls: ssl.SSLContext | None = None, headers: dict | None = None, method: str = "GET",
        timeout: float = 20, pings: list[bytes] = ()) -> ExecResult:
    """Upgrade, send `pings` and `messages` (channel byte first), read every channel until the
    server closes."""
    sock = socket.create_connection((host, port), timeout=timeout)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname=host)
    with sock:
        sock.sendall(upgrade_request(path, f"{host}:{port}", protocols, headers, method))
        head, rest = _read_head(sock)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        code = int(status_line.split()[1])
        found = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines if ":" in h)}
        if code != 101:
            return ExecResult(code, body=_read_body(sock, rest, int(found.get("content-length", "0"))))
        for ping in pings:
            sock.sendall(websocket.encode_frame(websocket.OP_PING, ping, mask=True))
        for message in messages:
            sock.sendall(websocket.encode_frame(websocket.OP_BINARY, message, mask=True))
        result = ExecResult(code, found.get("sec-websocket-protocol", ""))
        reader, data = websocket.FrameReader(), rest
        while True:
            for message in reader.feed(data):
                if message.opcode == websocket.OP_CLOSE:
                    return result
                if message.opcode == websocket.OP_PONG:
                    result.pongs.append(message.payload)
                elif message.opcode == websocket.OP_BINARY:
                    channel = message.payload[0]
                    result.channels[channel] = result.channels.get(channel, b"") + message.payload[1:]
            data = sock.recv(65536)
            if not data:
                return result


def _read_head(sock) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed before the response head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _read_body(sock, data: bytes, length: int) -> bytes:
    while len(data) < length and (chunk := sock.recv(65536)):
        data += chunk
    return data


# A WebSocket exec of `true` with stdout, sent raw, by a client that never answers the close.
WEBSOCKET_EXEC = (b"GET /exec/ns/p/c?command=true&output=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                  b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n"
                  b"Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n")


def read_to_end(connection, limit: float) -> bytes:
    """What the server sends until it closes; a connection still open after `limit` fails."""
    connection.settimeout(limit)
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    return answer
