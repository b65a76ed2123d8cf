"""Connection-level input, the same raw bytes to a real server and to the reference one: request
smuggling shapes, pipelining, line endings and odd bytes, request targets, Host, Connection,
Expect, slow and half-closed clients, many idle connections, and TLS handshakes (SNI, ALPN,
protocol versions, plain HTTP and HTTP/2 on the TLS port).

Each case is a list of writes (bytes), pauses (seconds) and a half-close; what came back is read
until the server closes or stays quiet, and summed up as the responses' status lines, their
Connection/Transfer-Encoding headers and bodies (a Status or gateway error by its code, reason and
message; other JSON by its kind or keys), whether the server closed the connection and, for the
starvation cases, whether another client was served meanwhile. Volatile parts (dates, uids,
revisions) are never compared.

Servers: the real kube-apiserver 1.24 (on real etcd 3.4) against the reference one (on the
reference etcd), real etcd 3.4's client port against the reference etcd's, and the real kubelet
(kubemark's, beside the kube-apiserver binary) against the reference one, each with a reference
etcd and apiserver; all started here, as benchmarks/apiserver_differential.py and
upstream_compat.py start them.

    python benchmarks/connection_differential.py /work/k8s-bin/kube-apiserver [--etcd /usr/bin/etcd]
        [--only apiserver|etcd] [--family smuggling ...] [--show 40]

Prints the differing cases and a per-family count, writes benchmarks/results/connection_differential.json.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import socket
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reference_impl import cluster as local_cluster  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SHUT = "SHUT_WR"
QUIET = 0.7  # seconds of silence after which a connection left open counts as waiting


@dataclass(frozen=True)
class Target:
    """One server's port: `tls` a client context (None: plain TCP), what paths to use."""

    name: str
    host: str
    port: int
    tls: ssl.SSLContext | None
    get: str  # a GET answered 200 with a small body
    post: str  # a POST path and its body, answered without side effects
    post_body: bytes


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    steps: tuple = ()  # bytes to send, floats to pause, SHUT to half-close
    quiet: float = QUIET
    raw_tls_port: bool = False  # plain TCP to the TLS port
    tls: dict = field(default_factory=dict)  # sni, alpn, version
    special: str = ""  # a case run by its own function


def request(target: Target, method: str = "GET", path: str = "", version: str = "HTTP/1.1",
            headers: tuple = (), body: bytes = b"", host: str | None = "h", eol: bytes = b"\r\n") -> bytes:
    lines = [f"{method} {path or target.get} {version}".encode()]
    if host is not None:
        lines.append(b"Host: " + host.encode())
    lines += [f"{name}: {value}".encode("latin-1") if isinstance(name, str) else name for name, value in headers] \
        if headers and isinstance(headers[0], tuple) else list(headers)
    return eol.join(lines) + eol + eol + body


def post(target: Target, headers: tuple = (), body: bytes | None = None, version: str = "HTTP/1.1") -> bytes:
    body = target.post_body if body is None else body
    return request(target, "POST", target.post, version, (("Content-Type", "application/json"), *headers), body)


def chunked(payload: bytes, pieces: int = 2) -> bytes:
    size = max(1, len(payload) // pieces)
    parts = [payload[i:i + size] for i in range(0, len(payload), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def cases(target: Target) -> list[Case]:
    get = request(target)
    te = ("Transfer-Encoding", "chunked")
    body = target.post_body
    n = len(body)
    out = []

    def add(family: str, name: str, *steps, **options) -> None:
        out.append(Case(family, name, tuple(steps), **options))

    # --- smuggling: the body's framing ---------------------------------------------------------
    add("smuggling", "CL and TE chunked", post(target, (("Content-Length", str(n + 100)), te), chunked(body)) + get)
    add("smuggling", "TE chunked and CL", post(target, (te, ("Content-Length", "3")), chunked(body)) + get)
    add("smuggling", "two equal CL", post(target, (("Content-Length", str(n)), ("Content-Length", str(n))), body) + get)
    add("smuggling", "two different CL", post(target, (("Content-Length", str(n)), ("Content-Length", str(n + 1))), body) + get)
    add("smuggling", "CL list 'n, n'", post(target, (("Content-Length", f"{n}, {n}"),), body) + get)
    add("smuggling", "CL with spaces", post(target, (("Content-Length", f" {n} "),), body) + get)
    add("smuggling", "CL leading zeros", post(target, (("Content-Length", f"000{n}"),), body) + get)
    add("smuggling", "CL shorter than body", post(target, (("Content-Length", str(n - 1)),), body) + get)
    add("smuggling", "CL 2**63", post(target, (("Content-Length", str(2 ** 63)),), body))
    add("smuggling", "CL 2**63-1", post(target, (("Content-Length", str(2 ** 63 - 1)),), body))
    add("smuggling", "TE chunked, gzip", post(target, (("Transfer-Encoding", "chunked, gzip"),), chunked(body)))
    add("smuggling", "TE chunked,chunked", post(target, (("Transfer-Encoding", "chunked, chunked"),), chunked(body)))
    add("smuggling", "TE Chunked (case)", post(target, (("Transfer-Encoding", "Chunked"),), chunked(body)) + get)
    add("smuggling", "TE ' chunked'", post(target, (("Transfer-Encoding", " chunked "),), chunked(body)) + get)
    add("smuggling", "TE two fields", post(target, (te, te), chunked(body)))
    add("smuggling", "TE empty", post(target, (("Transfer-Encoding", ""), ("Content-Length", str(n))), body) + get)
    add("smuggling", "TE on HTTP/1.0 with CL", post(target, (te, ("Content-Length", str(n))), body, "HTTP/1.0"))
    add("smuggling", "TE xchunked", post(target, (("Transfer-Encoding", "xchunked"),), chunked(body)))
    add("smuggling", "TE chunked, no CL, GET", request(target, headers=(te,), body=b"0\r\n\r\n") + get)
    add("smuggling", "chunk extension", post(target, (te,), b"%x;ext=1;b=\"q\"\r\n%s\r\n0;x\r\n\r\n" % (n, body)) + get)
    add("smuggling", "chunk size leading zeros", post(target, (te,), b"000%x\r\n%s\r\n000\r\n\r\n" % (n, body)) + get)
    add("smuggling", "chunk size upper hex", post(target, (te,), b"%X\r\n%s\r\n0\r\n\r\n" % (n, body)) + get)
    add("smuggling", "chunk size 17 digits", post(target, (te,), b"0000000000000000%x\r\n%s\r\n0\r\n\r\n" % (n, body)))
    add("smuggling", "chunk size overflow", post(target, (te,), b"ffffffffffffffffff\r\n%s\r\n0\r\n\r\n" % body))
    add("smuggling", "chunk size 16 f", post(target, (te,), b"ffffffffffffffff\r\n%s\r\n0\r\n\r\n" % body))
    add("smuggling", "chunk size negative", post(target, (te,), b"-1\r\n%s\r\n0\r\n\r\n" % body))
    add("smuggling", "chunk size 0x", post(target, (te,), b"0x%x\r\n%s\r\n0\r\n\r\n" % (n, body)))
    add("smuggling", "chunk size trailing space", post(target, (te,), b"%x \r\n%s\r\n0\r\n\r\n" % (n, body)) + get)
    add("smuggling", "chunk bare LF", post(target, (te,), b"%x\n%s\n0\n\n" % (n, body)) + get)
    add("smuggling", "chunk no CRLF after data", post(target, (te,), b"%x\r\n%sXX0\r\n\r\n" % (n, body)))
    add("smuggling", "chunk longer than said", post(target, (te,), b"2\r\n%s\r\n0\r\n\r\n" % body))
    add("smuggling", "trailer", post(target, (te,), chunked(body)[:-2] + b"X-Trailer: 1\r\n\r\n") + get)
    add("smuggling", "trailer declared", post(target, (te, ("Trailer", "X-T")), chunked(body)[:-2] + b"X-T: 1\r\n\r\n") + get)
    add("smuggling", "trailer malformed", post(target, (te,), chunked(body)[:-2] + b"no colon\r\n\r\n") + get)
    add("smuggling", "trailer Content-Length", post(target, (te,), chunked(body)[:-2] + b"Content-Length: 5\r\n\r\n") + get)
    add("smuggling", "trailer never ends", post(target, (te,), chunked(body)[:-2] + b"X: 1\r\n"))
    add("smuggling", "GET with CL body", request(target, headers=(("Content-Length", "5"),), body=b"abcde") + get)
    add("smuggling", "GET with body smuggled", request(target, headers=(("Content-Length", str(len(get))),), body=get))

    # --- pipelining ------------------------------------------------------------------------------
    add("pipeline", "two GETs", get + get)
    add("pipeline", "100 GETs", get * 100, quiet=3.0)
    add("pipeline", "bad line in the middle", get + b"BAD\r\n\r\n" + get)
    add("pipeline", "bad header in the middle", get + request(target, headers=((b"No colon", ""),)) + get)
    add("pipeline", "POST then GET", post(target, (("Content-Length", str(n)),)) + get)
    add("pipeline", "GET close then GET", request(target, headers=(("Connection", "close"),)) + get)
    add("pipeline", "GET, 0.5s, GET", get, 0.5, get)
    add("pipeline", "leading CRLF", b"\r\n\r\n" + get)
    add("pipeline", "leading LF x3", b"\n\n\n" + get)

    # --- line endings and odd bytes --------------------------------------------------------------
    add("bytes", "bare LF", request(target, eol=b"\n") + get)
    add("bytes", "bare LF request line only", get.replace(b"\r\n", b"\n", 1) + get)
    add("bytes", "bare CR", get.replace(b"\r\n", b"\r", 1))
    add("bytes", "obs-fold", request(target, headers=((b"X-A: 1", ""), (b" continued", ""))) + get)
    add("bytes", "obs-fold tab", request(target, headers=((b"X-A: 1", ""), (b"\tcontinued", ""))) + get)
    add("bytes", "obs-fold first", request(target, host=None, headers=((b" Host: h", ""),)))
    add("bytes", "NUL in path", request(target, path=target.get + "\0x"))
    add("bytes", "NUL in header value", request(target, headers=(("X-A", "a\0b"),)))
    add("bytes", "NUL in header name", request(target, headers=((b"X-\0A: b", ""),)))
    add("bytes", "space before colon", request(target, headers=((b"X-A : b", ""),)))
    add("bytes", "DEL in header value", request(target, headers=(("X-A", "a\x7fb"),)))
    add("bytes", "high bytes in value", request(target, headers=(("X-A", "\xff\xfe"),)) + get)
    add("bytes", "tab in request line", get.replace(b" ", b"\t", 1))
    add("bytes", "two spaces", get.replace(b" ", b"  ", 1))
    add("bytes", "lowercase version", get.replace(b"HTTP/1.1", b"http/1.1", 1))
    add("bytes", "HTTP/1.10", get.replace(b"HTTP/1.1", b"HTTP/1.10", 1))
    add("bytes", "HTTP/01.1", get.replace(b"HTTP/1.1", b"HTTP/01.1", 1))
    add("bytes", "HTTP/0.9 line", f"GET {target.get}\r\n\r\n".encode())
    add("bytes", "empty line then EOF", b"\r\n", SHUT)
    add("bytes", "UTF-8 path", request(target, path=target.get + "/é"))
    add("bytes", "fragment in target", request(target, path=target.get + "#frag"))

    # --- request targets -------------------------------------------------------------------------
    for form in (f"http://x{target.get}", f"https://127.0.0.1:1{target.get}", f"HTTP://X{target.get}",
                 f"http://x:99999{target.get}", f"http://[::1]{target.get}", f"//x{target.get}", "127.0.0.1:443",
                 f"http:{target.get}", "*", f"ftp://x{target.get}", f"http://u:p@x{target.get}",
                 f"http://%zz{target.get}"):
        add("target", f"GET {form}", request(target, path=form) + get)
    add("target", "CONNECT authority", request(target, "CONNECT", "127.0.0.1:443"))
    add("target", "CONNECT authority no Host", request(target, "CONNECT", "127.0.0.1:443", host=None))
    add("target", "CONNECT path", request(target, "CONNECT", target.get))
    add("target", "OPTIONS *", request(target, "OPTIONS", "*") + get)
    add("target", "OPTIONS * HTTP/1.0", request(target, "OPTIONS", "*", "HTTP/1.0"))

    # --- Host ------------------------------------------------------------------------------------
    add("host", "missing 1.1", request(target, host=None))
    add("host", "missing 1.0", request(target, version="HTTP/1.0", host=None))
    add("host", "duplicate", request(target, headers=(("Host", "h"),)))
    add("host", "duplicate 1.0", request(target, version="HTTP/1.0", headers=(("Host", "h"),)))
    for host in ("", "a b", "[::1]", "[::1]:80", "x:99999", "a_b", "é", "x" * 300, "a/b", "a@b", "h:", ":80",
                 "a\tb", "[zz]"):
        add("host", f"Host {host[:20]!r}", request(target, host=host) + get)
    add("host", "absolute-form overrides Host", request(target, path=f"http://other{target.get}", host="a b"))

    # --- Connection ------------------------------------------------------------------------------
    for version in ("HTTP/1.1", "HTTP/1.0"):
        for value in (None, "close", "keep-alive", "Keep-Alive", "close, keep-alive", "keep-alive, close", "upgrade",
                      "CLOSE", "x,close"):
            headers = (("Connection", value),) if value is not None else ()
            add("connection", f"{version} Connection {value}", request(target, version=version, headers=headers) + get)
    add("connection", "two Connection fields", request(target, headers=(("Connection", "keep-alive"),
                                                                       ("Connection", "close"))) + get)
    add("connection", "Proxy-Connection close", request(target, headers=(("Proxy-Connection", "close"),)) + get)

    # --- Expect ----------------------------------------------------------------------------------
    add("expect", "100-continue, body never comes", post(target, (("Content-Length", str(n)), ("Expect", "100-continue"))),
        quiet=2.5)
    add("expect", "100-continue, body after 1s", post(target, (("Content-Length", str(n)), ("Expect", "100-continue"))),
        1.0, body)
    add("expect", "100-continue on GET with body", request(target, headers=(("Content-Length", "5"), ("Expect", "100-continue"))),
        quiet=2.5)
    add("expect", "100-continue GET no body", request(target, headers=(("Expect", "100-continue"),)) + get)
    add("expect", "100-continue HTTP/1.0", post(target, (("Content-Length", str(n)), ("Expect", "100-continue")),
                                                version="HTTP/1.0"), 1.0, body)
    add("expect", "100-continue chunked", post(target, (te, ("Expect", "100-continue"))), 1.0, chunked(body))
    add("expect", "two Expect fields", request(target, headers=(("Expect", "100-continue"), ("Expect", "bogus"))) + get)
    add("expect", "empty Expect", request(target, headers=(("Expect", ""),)) + get)

    # --- slow and half-closed clients ------------------------------------------------------------
    add("slow", "head in three pieces", get[:5], 0.4, get[5:20], 0.4, get[20:])
    add("slow", "head one byte a second, 4s", *[part for byte in get[:4] for part in (bytes([byte]), 1.0)])
    add("slow", "body stops halfway", post(target, (("Content-Length", str(n)),), body[:n // 2]), quiet=3.0)
    add("slow", "chunked body stops halfway", post(target, (te,), chunked(body)[:10]), quiet=3.0)
    add("slow", "half-close after GET", get, SHUT)
    add("slow", "half-close after two GETs", get + get, SHUT)
    add("slow", "half-close after POST", post(target, (("Content-Length", str(n)),)), SHUT)
    add("slow", "half-close mid-head", get[:10], SHUT)
    add("slow", "half-close mid-body", post(target, (("Content-Length", str(n)),), body[:3]), SHUT)
    add("slow", "nothing sent", quiet=2.0)
    add("slow", "half-close at once", SHUT)
    add("starve", "slow head does not block others", special="slow_head")
    add("starve", "1000 idle connections", special="idle_1000")
    add("starve", "100 unfinished handshakes", special="half_handshakes")
    return out


def tls_cases(target: Target) -> list[Case]:
    get = request(target)
    out = []
    for sni in (None, "", "127.0.0.1", "a..b", "x" * 250, "localhost", "kubernetes", "UPPER.example"):
        out.append(Case("tls", f"SNI {sni!r:.30}", (get,), tls={"sni": sni}))
    for alpn in (["h2"], ["http/1.1"], ["foo"], ["h2", "http/1.1"], ["http/1.1", "h2"], ["foo", "http/1.1"],
                 ["http/1.0"], ["h2c"]):
        out.append(Case("tls", f"ALPN {alpn}", (get,), tls={"alpn": alpn}))
    out.append(Case("tls", "ALPN h2, h2 preface", (H2_PREFACE + H2_SETTINGS,), tls={"alpn": ["h2"]}))
    for version in ("TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"):
        out.append(Case("tls", f"only {version}", (get,), tls={"version": version}))
    for first in (b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b"PATCH / HTTP/1.1\r\nHost: h\r\n\r\n",
                  b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", H2_PREFACE + H2_SETTINGS, b"\x16\x03\x01\x00\x05hello",
                  b"\x00" * 16, b"GET /"):
        out.append(Case("tls", f"plain {first[:12]!r} on TLS port", (first,), raw_tls_port=True))
    out.append(Case("tls", "half a ClientHello then close", special="half_hello"))
    out.append(Case("tls", "close right after connect", special="connect_close"))
    return out


def plain_cases(target: Target) -> list[Case]:
    """A plain port (etcd's cmux): HTTP/2 prior knowledge and odd first bytes with HTTP/1 paths."""
    out = [Case("h2c", "h2 preface then HTTP/1 GET", (H2_PREFACE + request(target),)),
           Case("h2c", "h2 preface + SETTINGS", (H2_PREFACE + H2_SETTINGS,)),
           Case("h2c", "h2 preface in two writes", (H2_PREFACE[:10], 0.3, H2_PREFACE[10:] + H2_SETTINGS)),
           Case("h2c", "partial preface then HTTP/1", (b"PRI * HTTP/2.0\r\n\r\n" + request(target),)),
           Case("h2c", "Upgrade h2c", (request(target, headers=(("Connection", "Upgrade, HTTP2-Settings"),
                                                               ("Upgrade", "h2c"), ("HTTP2-Settings", "AAMAAABkAARAAAAA"))),)),
           Case("h2c", "PRI method HTTP/1.1", (request(target, "PRI", "*"),)),
           Case("h2c", "TLS ClientHello on plain port", (TLS_HELLO,)),
           Case("h2c", "garbage line", (b"hello world\r\n\r\n",)),
           Case("h2c", "long first line", (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: h\r\n\r\n",))]
    return out


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
TLS_HELLO = bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\x00\x00\x02\x13\x01\x01\x00"


# --- running a case --------------------------------------------------------------------------------

def connect(target: Target, case: Case, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection((target.host, target.port), timeout=timeout)
    if target.tls is None or case.raw_tls_port:
        return sock
    context, options, sni = target.tls, case.tls, target.host
    if options:  # no client certificate: system:anonymous, who may read /healthz
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sni = options.get("sni", target.host)
        if "alpn" in options:
            context.set_alpn_protocols(options["alpn"])
        if "version" in options:
            version = getattr(ssl.TLSVersion, options["version"])
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = context.maximum_version = version
    try:
        return context.wrap_socket(sock, server_hostname=sni or None)
    except (ssl.SSLError, OSError) as err:
        sock.close()
        raise HandshakeFailed(f"{type(err).__name__}: {getattr(err, 'reason', None) or err}") from None


class HandshakeFailed(Exception):
    pass


def run(target: Target, case: Case) -> dict:
    if case.special:
        return SPECIALS[case.special](target)
    started = time.monotonic()
    try:
        sock = connect(target, case)
    except HandshakeFailed as err:
        return {"handshake": _tls_error(str(err))}
    except OSError as err:
        return {"connect": type(err).__name__}
    outcome = {}
    if isinstance(sock, ssl.SSLSocket):
        outcome["alpn"] = sock.selected_alpn_protocol()
        outcome["version"] = sock.version()
    data, closed = b"", False
    try:
        for step in case.steps:
            if isinstance(step, bytes):
                sock.sendall(step)
            elif step == SHUT:
                socket.socket.shutdown(sock, socket.SHUT_WR)  # a TCP FIN, no TLS close_notify
            else:
                got, closed = _read(sock, step, until_quiet=False)
                data += got
                if closed:
                    break
        if not closed:
            got, closed = _read(sock, case.quiet)
            data += got
    except OSError as err:
        outcome["error"] = type(err).__name__
        closed = True
    finally:
        sock.close()
    outcome["responses"] = summarize(data)
    outcome["closed"] = closed
    outcome["seconds"] = round(time.monotonic() - started, 1)
    return outcome


def _tls_error(text: str) -> str:
    for word in ("UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE", "NO_APPLICATION_PROTOCOL", "HANDSHAKE_FAILURE",
                 "PROTOCOL_VERSION", "WRONG_VERSION", "EOF", "reset", "UNRECOGNIZED_NAME", "INTERNAL_ERROR",
                 "DECODE_ERROR", "ILLEGAL_PARAMETER", "timed out"):
        if word.lower() in text.lower():
            return word
    return text[:80]


def _read(sock: socket.socket, quiet: float, until_quiet: bool = True) -> tuple[bytes, bool]:
    """What arrives until the peer closes or `quiet` seconds pass with nothing (or, with
    until_quiet False, `quiet` seconds pass in all)."""
    data = b""
    deadline = time.monotonic() + quiet
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            return data, False
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return data + b"<reset>", True
        if not chunk:
            return data, True
        data += chunk
        if until_quiet:
            deadline = time.monotonic() + quiet


VOLATILE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def summarize(data: bytes) -> list[str]:
    """The responses in `data`, each as `status | Connection | TE | body`."""
    out = []
    while data:
        if data == b"<reset>":
            out.append("<reset>")
            break
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"HTTP/"):
            out.append("raw " + repr(data[:120]))
            break
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields.setdefault(name.strip().lower(), value.strip())
        status = lines[0]
        code = int(status.split(" ")[1]) if len(status.split(" ")) > 1 and status.split(" ")[1].isdigit() else 0
        if 100 <= code < 200 or code in (204, 304):
            body, data = b"", rest
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body, data = _dechunk(rest)
        elif "content-length" in fields:
            length = int(fields["content-length"])
            body, data = rest[:length], rest[length:]
        else:
            body, data = rest, b""
        if body.endswith(b"<reset>"):
            body, data = body[:-7], b"<reset>"
        out.append(" | ".join((status, f"conn={fields.get('connection', '')}", f"te={fields.get('transfer-encoding', '')}",
                               _body(body))))
    return out


def _dechunk(data: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        line, sep, data = data.partition(b"\r\n")
        if not sep:
            return body + line, b""
        size = int(line.split(b";")[0] or b"0", 16)
        if size == 0:
            _, _, data = data.partition(b"\r\n")
            return body, data
        body, data = body + data[:size], data[size + 2:]


def _body(body: bytes) -> str:
    try:
        value = json.loads(body)
    except ValueError:
        return VOLATILE.sub("<uid>", body[:160].decode("latin-1"))
    if isinstance(value, dict):
        if value.get("kind") == "Status" or "code" in value and "message" in value:
            return f"{value.get('code')} {value.get('reason', '')} {value.get('message', '')}"[:300]
        if "kind" in value:
            return f"kind={value['kind']}"
        return "keys=" + ",".join(sorted(value))
    return type(value).__name__


# --- the starvation and handshake cases -------------------------------------------------------------

def served(target: Target, timeout: float = 5.0) -> str:
    """Whether a fresh client gets its GET answered within `timeout`: its status line, or why not."""
    started = time.monotonic()
    try:
        sock = connect(target, Case("x", "x"), timeout=timeout)
        sock.sendall(request(target))
        data, _ = _read_response(sock, timeout)
        sock.close()
    except (OSError, HandshakeFailed) as err:
        return f"failed: {type(err).__name__}"
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return f"{line or 'no answer'} in {'<1' if time.monotonic() - started < 1 else '>=1'}s"


def _read_response(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    deadline, data = time.monotonic() + timeout, b""
    while b"\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data, False


def slow_head(target: Target) -> dict:
    with connect(target, Case("x", "x")) as sock:
        sock.sendall(request(target)[:8])
        other = served(target)
        sock.sendall(request(target)[8:])
        data, closed = _read(sock, QUIET)
    return {"other": other, "slow": summarize(data), "closed": closed}


def idle_1000(target: Target) -> dict:
    socks, failed = [], 0
    try:
        for _ in range(1000):
            try:
                socks.append(socket.create_connection((target.host, target.port), timeout=5))
            except OSError:
                failed += 1
        time.sleep(1.0)
        other = served(target, timeout=10.0)
    finally:
        for sock in socks:
            sock.close()
    time.sleep(1.0)
    return {"connect_failed": failed, "other": other, "after": served(target)}


def half_handshakes(target: Target) -> dict:
    socks = []
    try:
        for _ in range(100):
            sock = socket.create_connection((target.host, target.port), timeout=5)
            socks.append(sock)
            sock.sendall(TLS_HELLO[:20] if target.tls else b"GET / HTTP/1.1\r\n")
        other = served(target)
    finally:
        for sock in socks:
            sock.close()
    return {"other": other}


def half_hello(target: Target) -> dict:
    sock = socket.create_connection((target.host, target.port), timeout=5)
    sock.sendall(TLS_HELLO[:30])
    sock.close()
    return {"other": served(target)}


def connect_close(target: Target) -> dict:
    for _ in range(20):
        socket.create_connection((target.host, target.port), timeout=5).close()
    return {"other": served(target)}


SPECIALS = {"slow_head": slow_head, "idle_1000": idle_1000, "half_handshakes": half_handshakes,
            "half_hello": half_hello, "connect_close": connect_close}


# --- servers ---------------------------------------------------------------------------------------

CONFIG_MAP = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conn"},
                         "data": {"a": "b"}}, separators=(",", ":")).encode()
POST_CONFIG_MAP = "/api/v1/namespaces/default/configmaps?dryRun=All"
ETCD_RANGE = b'{"key":"Y29ubg=="}'


def apiserver_target(name: str, server) -> Target:
    return Target(name, server.host, server.port, server.contexts["admin"], "/healthz", POST_CONFIG_MAP, CONFIG_MAP)


def etcd_target(name: str, url: str) -> Target:
    host, port = url.removeprefix("http://").split(":")
    return Target(name, host, int(port), None, "/version", "/v3/kv/range", ETCD_RANGE)


def compare(pairs: list[tuple[Target, Target, list[Case]]], families: set[str]) -> list[dict]:
    rows = []
    for real, ours, todo in pairs:
        for case in todo:
            if families and case.family not in families:
                continue
            answers = {}

            def probe(target: Target) -> None:
                try:
                    answers[target.name] = run(target, case)
                except Exception as err:  # noqa: BLE001 - a probe's own failure is a result too
                    answers[target.name] = {"probe_error": repr(err)}
            # Both at once, as their answers do not depend on each other (the starvation cases,
            # which load a server, one after the other).
            threads = [threading.Thread(target=probe, args=(target,)) for target in (real, ours)]
            for thread in threads:
                thread.start()
                if case.family == "starve":
                    thread.join()
            for thread in threads:
                thread.join()
            a, b = (_comparable(answers[t.name], case.family) for t in (real, ours))
            deliberate = a != b and _deliberate(a) == _deliberate(b)
            rows.append({"server": real.name.split("-")[0], "family": case.family, "case": case.name,
                         "real": answers[real.name], "ours": answers[ours.name], "differs": a != b and not deliberate,
                         "deliberate": deliberate})
            mark = "DIFF " if rows[-1]["differs"] else "5xx>4xx " if deliberate else "same "
            print(mark + f"{rows[-1]['server']:9} {case.family:10} {case.name}", flush=True)
    return rows


# net/http's 501 for a transfer coding it lacks and the apiserver's 500 for a chunked body it could
# not read: the reference answers 400 with the same words, on purpose (issue 13: a client's
# mistake is never a 5xx).
DELIBERATE = ((re.compile(r"HTTP/1\.1 501 Not Implemented"), "HTTP/1.1 400 Bad Request"),
              (re.compile(r"HTTP/1\.1 500 Internal Server Error(.*)\| 500  "), r"HTTP/1.1 400 Bad Request\1| 400 BadRequest "))


def _deliberate(outcome: dict) -> dict:
    responses = []
    for response in outcome.get("responses", []):
        for pattern, replacement in DELIBERATE:
            response = pattern.sub(replacement, response)
        responses.append(response)
    return {**outcome, "responses": responses}


def _comparable(outcome: dict, family: str) -> dict:
    """What is compared: not the time taken, and the TLS session's facts only in the TLS family
    (the real kubelet under kubemark serves plain HTTP)."""
    dropped = {"seconds"} if family == "tls" else {"seconds", "alpn", "version"}
    kept = {key: value for key, value in outcome.items() if key not in dropped}
    if "other" in kept:
        kept["other"] = re.sub(r" in .*", "", kept["other"])
    return kept


def start_servers(binary: Path, etcd: Path, directory: Path, only: str) -> tuple[list, list]:
    """The pairs to compare, each started on loopback: real etcd and the real kube-apiserver as
    apiserver_differential's start_real starts them, the reference ones as start_ours does, and
    a reference etcd serving gRPC and HTTP/1 on one client port, as real etcd does."""
    sys.path.insert(0, str(Path(__file__).parent))
    import apiserver_differential as diff  # noqa: E402 - beside this script

    processes, pairs = [], []
    try:
        if only in ("", "apiserver"):
            started, real, _ = diff.start_real(binary, etcd, directory / "real")
            processes += started
            started, ours = diff.start_ours(directory / "ours")
            processes += started
            a, b = apiserver_target("apiserver-real", real), apiserver_target("apiserver-ours", ours)
            pairs.append((a, b, cases(a) + tls_cases(a)))
        if only in ("", "etcd"):
            argv, readiness, real_url = local_cluster.etcd_argv(etcd, directory / "real-etcd")
            processes.append(local_cluster.start_process(directory / "real-etcd", "etcd", argv, readiness)[0])
            process, ready = local_cluster.start(directory / "ours-etcd", "etcd", "etcd", [
                "--data-dir", str(directory / "ours-etcd" / "data"), "--listen-client-urls", "http://127.0.0.1:0",
                *local_cluster.ETCD_PEERS_ANY_PORT])
            processes.append(process)
            a, b = etcd_target("etcd-real", real_url), etcd_target("etcd-ours", local_cluster.URL.search(ready).group(1))
            pairs.append((a, b, cases(a) + plain_cases(a)))
        if only in ("", "kubelet"):
            real = kubelet_target(directory / "real-kubelet", "kubelet-real", processes,
                                  {"kubelet": binary.parent / "kubemark"})
            ours = kubelet_target(directory / "ours-kubelet", "kubelet-ours", processes, {})
            pairs.append((real, ours, cases(real)))
    except BaseException:
        local_cluster.stop(processes)
        raise
    return processes, pairs


def kubelet_target(directory: Path, name: str, processes: list, upstream: dict) -> Target:
    """A reference etcd and apiserver with one kubelet, the real one (kubemark's) when `upstream`
    names it; its port as node-1 reports it. Kubemark's hollow kubelet serves plain HTTP with no
    authentication; the reference one HTTPS, asked with the cluster administrator's certificate:
    the HTTP each reads is compared, not TLS."""
    import yaml

    plane = local_cluster.up(directory, kubelets=1, only=("etcd", "apiserver", "kubelet"), upstream=upstream)
    processes += plane.processes
    config = yaml.safe_load(Path(plane.kubeconfig).read_text())
    admin = ssl.create_default_context(cafile=str(directory / "pki" / "ca.crt"))
    admin.load_cert_chain(directory / "pki" / "admin.crt", directory / "pki" / "admin.key")
    server = config["clusters"][0]["cluster"]["server"]
    host, port = server.removeprefix("https://").rsplit(":", 1)
    deadline = time.monotonic() + 60
    while True:
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            with admin.wrap_socket(raw, server_hostname=host) as sock:
                sock.sendall(b"GET /api/v1/nodes/node-1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
        found = re.search(rb'"kubeletEndpoint":\{"Port":([0-9]+)\}', data)
        if found or time.monotonic() > deadline:
            break
        time.sleep(1)
    if not found:
        raise RuntimeError(f"{name}: node-1 reports no kubelet port")
    tls = None
    if not upstream:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        tls.load_cert_chain(directory / "pki" / "admin.crt", directory / "pki" / "admin.key")
    return Target(name, "127.0.0.1", int(found.group(1)), tls, "/healthz", "/healthz", b"{}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    parser.add_argument("--only", default="", choices=("", "apiserver", "etcd", "kubelet"))
    parser.add_argument("--family", action="append", default=[])
    parser.add_argument("--show", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="conn-diff-") as scratch:
        processes, pairs = start_servers(args.binary, args.etcd, Path(scratch), args.only)
        try:
            rows = compare(pairs, set(args.family))
        finally:
            local_cluster.stop(processes)
    differing = [row for row in rows if row["differs"]]
    print(f"\n{len(differing)} of {len(rows)} cases answered differently\n")
    for row in differing[:args.show]:
        print(f"{row['server']} {row['family']}: {row['case']}\n  real: {row['real']}\n  ours: {row['ours']}")
    counts = collections.Counter((row["server"], row["family"], row["differs"], row["deliberate"]) for row in rows)
    print(f"\n{'server':10} {'family':11} {'cases':>5} {'equal':>5} {'400 for 5xx':>11}")
    for server, family in sorted({(s, f) for s, f, _, _ in counts}):
        total = sum(n for (s, f, _, _), n in counts.items() if (s, f) == (server, family))
        print(f"{server:10} {family:11} {total:5} {counts[(server, family, False, False)]:5} "
              f"{counts[(server, family, False, True)]:11}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "connection_differential.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
