"""HTTP/1 on the client port, against real etcd 3.4: the same raw requests to both, answered
byte for byte alike once the Date header, cluster and member IDs and body lengths that carry
them are normalised. Plus the numbers `endpoint status` reports after the same start and writes.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from processes import etcdctl, free_port, real_etcd, reference_server, require, start_refused

# (method, path, body): answered alike by both servers, in this order.
REQUESTS: list[tuple[str, str, str | None]] = [
    ("GET", "/version", None),
    ("POST", "/version", ""),
    ("GET", "/health", None),
    ("GET", "/nope", None),
    ("OPTIONS", "/nope", None),
    ("OPTIONS", "//health/../x", None),  # the CORS handler in front of the mux: no redirect
    ("GET", "/v3", None),
    ("GET", "/v3/kv/range", None),
    ("POST", "/v3/auth/status", "{}"),
    ("POST", "/v3/kv/put", '{"key":"Zm9v","value":"YmFy"}'),
    ("POST", "/v3/kv/range", '{"key":"Zm9v"}'),
    ("POST", "/v3beta/kv/range", '{"key":"AA==","range_end":"AA==","keys_only":true}'),
    ("POST", "/v3/kv/range", '{"key":"Zm9v","revision":"100"}'),
    ("POST", "/v3/kv/range", ""),
    ("POST", "/v3/kv/range", '{"key":'),
    ("POST", "/v3/kv/range", "{x}"),
    ("POST", "/v3/kv/range", "[]"),
    # Nesting past Python's recursion limit: Go decodes up to 10,000 levels and refuses the next.
    ("POST", "/v3/kv/range", "[" * 5000),
    ("POST", "/v3/kv/range", '{"key":' + "[" * 9999 + "]" * 9999 + "}"),
    ("POST", "/v3/kv/range", "[" * 10001),
    ("POST", "/v3/kv/txn", '{"compare":[{"key":"Zm9v","result":"EQUAL","target":"VALUE",'
                           '"value":"YmFy"}],"success":[{"request_range":{"key":"Zm9v"}}]}'),
    ("POST", "/v3/lease/grant", '{"TTL":"60","ID":"7"}'),
    ("POST", "/v3/kv/lease/leases", "{}"),
    ("POST", "/v3/lock/lock", '{"name":"bXk=","lease":"7"}'),
    ("POST", "/v3/election/leader", '{"name":"ZQ=="}'),
    ("POST", "/v3/election/campaign", '{"name":"ZQ==","lease":"7","value":"dg=="}'),
    ("POST", "/v3/election/leader", '{"name":"ZQ=="}'),
    ("POST", "/v3/lease/revoke", '{"ID":"7"}'),
    ("POST", "/v3/kv/lease/revoke", '{"ID":"7"}'),
    ("POST", "/v3/auth/authenticate", '{"name":"root","password":"x"}'),
    ("POST", "/v3/maintenance/transfer-leadership", '{"targetID":"1"}'),
    ("POST", "/v3/maintenance/hash", "{}"),
    ("POST", "/v3/kv/deleterange", '{"key":"Zm9v","prev_kv":true}'),
    ("POST", "/v3/watch", '{"create_request":{"key":"Zm9v","start_revision":"1"}}'),
    # Any method token reaches the mux; the path is matched decoded, an absolute URL by its path.
    ("TRACE", "/v3/kv/range", '{"key":"Zm9v"}'),
    ("FOO", "/version", None),
    ("GET", "/%76ersion", None),
    ("GET", "http://x/version", None),
    ("POST", "/v3beta", "{}"),
    ("GET", "*", None),
    ("OPTIONS", "*", None),
    # etcd 3.4's capnslog level setter: PUT only, a JSON {"Level": ...} capnslog can parse.
    ("GET", "/config/local/log", None),
    ("PUT", "/config/local/log", '{"level":"i"}'),
    ("PUT", "/config/local/log", '{"Level":"<bogus>"}'),
    ("PUT", "/config/local/log", '{"Level":5}'),
    # expvar's variables: GET only; nothing under the path.
    ("POST", "/debug/vars", ""),
    ("PUT", "/debug/vars", "{}"),
    ("GET", "/debug/vars/", None),
    # The keep-alive stream ends when the server ends it after the body's requests; an observe
    # of an election with no leader answers nothing, not even its headers.
    ("POST", "/v3/lease/keepalive", "{}"),
    ("POST", "/v3/election/observe", '{"name":"bm9uZQ=="}'),
]
STREAMS = {"/v3/watch", "/v3/lease/keepalive", "/v3/election/observe"}
# Bytes net/http reads its own way: chunked bodies, HTTP/1.0, requests it cannot read, and
# first lines cmux does not take for HTTP/1 (closed unanswered).
RAW_REQUESTS: list[bytes] = [
    b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"e\r\n{\"key\":\"Zm9v\"}\r\n0\r\n\r\n",
    b"POST /v3/kv/range HTTP/1.0\r\n\r\n",
    # Chunk sizes strconv would take but net/http's parseHexUint does not.
    *(b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
      + size + b"\r\n{}\r\n0\r\n\r\n" for size in (b"-1", b"0x2", b"+2")),
    b"GET /version HTTP/1.0\r\n\r\n",
    b"GET /version HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}",
    b"GET /version\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    # Heads net/http refuses before any handler: a malformed escape in the path or an absolute
    # URL's host, a line with no colon, two Hosts (a bare 400), a transfer coding it does not know (501).
    b"GET /health%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /v3/kv/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET http://%zz/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n",
    b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n",
    # grpc-gateway's AnnotateContext: the first Grpc-Timeout (int64 and unit; its product wraps
    # round as Go's does) is the call's deadline; Grpc-Metadata-KEY headers are metadata KEY,
    # base64 for a -Bin key. A stream past its deadline ends with an error and no newline.
    *(b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 14\r\n"
      + header + b"\r\n\r\n{\"key\":\"Zm9v\"}"
      for header in (b"Grpc-Timeout: 1n", b"Grpc-Timeout: xx", b"Grpc-Timeout: 1h", b"Grpc-Timeout: -1S",
                     b"Grpc-Timeout: 99999999999H", b"Grpc-Timeout: 9223372036854775807n",
                     b"Grpc-Timeout: 9223372036854775808n", b"Grpc-Timeout: 1S \r\nGrpc-Timeout: 1n",
                     b"Grpc-Timeout: 0S\r\nGrpc-Timeout: 1n", b"Grpc-Metadata-Token: bad",
                     b"grpc-metadata-token: bad", b"Grpc-Metadata-Foo-Bin: !!", b"Grpc-Metadata-Foo-Bin: Zm9vY")),
    b"POST /v3/watch HTTP/1.1\r\nHost: x\r\nConnection: close\r\nGrpc-Timeout: 1S\r\n"
    b"Content-Length: 33\r\n\r\n{\"create_request\":{\"key\":\"Zm9v\"}}",
    b"POST /v3/maintenance/snapshot HTTP/1.1\r\nHost: x\r\nConnection: close\r\nGrpc-Timeout: 1n\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    # Connection-level input (benchmarks/connection_differential.py): a body read only as far as
    # json.Decoder reads it, then the rest dropped or the connection closed (Connection: close);
    # HTTP/1.0 ignores Transfer-Encoding and keeps a connection it asked keep-alive for; a
    # CONNECT's authority has no path; an absolute URL of any scheme is routed by its path;
    # 100 Continue only for a body a handler reads; cmux resets a connection it leaves bytes of.
    *(b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
      + b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      for body in (b'e\n{"key":"Zm9v"}\n0\n\n', b'2\r\n{"key":"Zm9v"}\r\n0\r\n\r\n',
                   b'e\r\n{"key":"Zm9v"}\r\n0\r\nno colon\r\n\r\n', b'e\r\n{"key":"Zm9v"}XX0\r\n\r\n',
                   b'e;x=1\r\n{"key":"Zm9v"}\r\n000\r\nX-T: 1\r\n\r\n', b'0000000000000000e\r\n{"key":"Zm9v"}\r\n',
                   b'e\r\n{"key":"Zm9v"}\r\n\r\n\r\n')),  # an empty size line: parseHexUint's 0
    b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n{\"key\":\"Zm9v\"}",
    # OPTIONS *: net/http reads up to 4 KiB of its body (a MaxBytesReader), one byte more ends
    # the connection.
    *(b"OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size
      + b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" for size in (4096, 4097)),
    b"OPTIONS * HTTP/1.0\r\nContent-Length: 4097\r\n\r\n" + b"x" * 4097,
    b"POST /v3/kv/range HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 14\r\n\r\n{\"key\":\"Zm9v\"}",
    b"GET /version HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n"
    b"Connection: keep-alive, close\r\n\r\n",
    b"CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\nGET HTTP://X/version HTTP/1.1\r\nHost: x\r\n\r\n"
    b"GET ftp:/version HTTP/1.1\r\nHost: x\r\nConnection: x,close\r\n\r\n",
    b"GET /version HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"
    b"GET /version HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{}",
    b"POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\nExpect: 100-continue\r\n"
    b"Connection: close\r\n\r\n{\"key\":\"Zm9v\"}",
    b"\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /version HTTP/1.10\r\nHost: x\r\n\r\n",
    b"hello world\r\n\r\n",
]
IDS = re.compile(r'"(cluster_id|member_id|hash)":"?\d+"?')


def exchange(address: str, method: str, path: str, body: str | None, idle: float = 0.5) -> str:
    """One request on a fresh connection; what came back until the server closed it or went
    quiet for `idle` seconds (a stream stays open)."""
    host, port = address.rsplit(":", 1)
    head = f"{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body.encode())}\r\n"
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(head.encode() + b"\r\n" + (body or "").encode())
        conn.settimeout(idle if path in STREAMS else 5)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except socket.timeout:
            pass
    return received.decode("utf-8", "replace")


def raw_exchange(address: str, request: bytes) -> str:
    """`request` as it is on a fresh connection; what came back until the server closed it."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(request)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except ConnectionResetError:
            received += b"<reset>"
    return received.decode("utf-8", "replace")


def normalise(response: str) -> str:
    # A watch past its gateway deadline: real etcd ends it with either code, as its gateway's
    # receive or its send loop sees the context end first.
    response = response.replace('{"grpc_code":2,"http_code":500,"message":"context deadline exceeded",'
                                '"http_status":"Internal Server Error"}',
                                '{"grpc_code":4,"http_code":504,"message":"context deadline exceeded",'
                                '"http_status":"Gateway Timeout"}')
    response = re.sub(r"Date: [^\r]*", "Date: <date>", response)
    response = IDS.sub(r'"\1":"<n>"', response)
    response = re.sub(r"Content-Length: \d+", "Content-Length: <n>", response)
    return re.sub(r"\r\n[0-9a-f]+\r\n", "\r\n<chunk>\r\n", response)


def transcript(address: str) -> str:
    return "\n".join(f"$ {method} {path} {body or ''}\n{normalise(exchange(address, method, path, body))}"
                     for method, path, body in REQUESTS)


def raw_transcript(address: str) -> str:
    return "\n".join(f"$ {request!r}\n{normalise(raw_exchange(address, request))}"
                     for request in RAW_REQUESTS)


def debug_vars(address: str) -> dict:
    """GET /debug/vars, its values replaced by their shapes: the variables in the order written,
    memstats' fields in order with their JSON types, raft.status with its ids and numbers masked.
    (Real etcd's body, its memstats full of numbers, is long enough to go chunked.)"""
    head, _, body = exchange(address, "GET", "/debug/vars", None).partition("\r\n\r\n")
    if "Transfer-Encoding: chunked" in head:
        chunked, body = body, ""
        while size := int(chunked.partition("\r\n")[0], 16):
            start = chunked.index("\r\n") + 2
            body, chunked = body + chunked[start:start + size], chunked[start + size + 2:]
    variables = json.loads(body)
    raft = json.dumps(variables["raft.status"])
    return {"status": head.split("\r\n")[0], "content_type": re.search(r"Content-Type: ([^\r]*)", head)[1],
            "lines": [line.split(":")[0] for line in body.splitlines()],
            "variables": list(variables), "cmdline": type(variables["cmdline"]).__name__,
            "file_descriptor_limit": type(variables["file_descriptor_limit"]).__name__,
            "memstats": [(k, type(v).__name__) for k, v in variables["memstats"].items()],
            # Ids are written with %x, so without their leading zeros: one in 16 is shorter.
            "raft.status": re.sub(r'"[0-9a-f]{1,16}"|\d+', "<n>", raft)}


def status(server) -> dict:
    result = etcdctl(server, "endpoint", "status", "-w", "json")
    return json.loads(result.stdout)[0]["Status"]


def numbers(server) -> list[tuple[str, int, int]]:
    """raftIndex and raftTerm at start and after two writes. Sizes are not compared here: real
    etcd's own vary between runs with how bbolt batches its first commits (20480/16384 bytes
    mostly, 36864/36864 once in six runs under load); test_server pins a fresh member's."""
    seen = []
    for step in ("start", "put", "del"):
        if step == "put":
            etcdctl(server, "put", "foo", "bar")
        elif step == "del":
            etcdctl(server, "del", "foo")
        s = status(server)
        seen.append((step, s["raftIndex"], s["raftTerm"]))
    return seen


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    require("etcd")
    require("etcdctl")
    root = tmp_path_factory.mktemp("clientport")
    found = {}
    for kind, start in (("etcd", real_etcd), ("reference", reference_server)):
        with start(root / kind) as server:
            found[kind] = (numbers(server), transcript(server.address), raw_transcript(server.address),
                           debug_vars(server.address))
    return found


def test_status_reports_the_raft_index_and_term_of_real_etcd(results):
    """After the same start and writes, `endpoint status` counts the same raft entries (the
    cluster version and the member's attributes among them)."""
    assert results["reference"][0] == results["etcd"][0]


def test_client_port_answers_http_as_real_etcd(results):
    """/version, /health, CORS, Go's 404/405/redirects and the JSON gateway (KV, lease, lock,
    election, maintenance, streams and errors), byte for byte."""
    expected, actual = results["etcd"][1], results["reference"][1]
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "real etcd 3.4", "reference", lineterm="", n=2))
        pytest.fail(f"client port HTTP differs:\n{diff}", pytrace=False)


def test_client_port_reads_requests_as_net_http_and_cmux_do(results):
    """A chunked body, an HTTP/1.0 request (answered in HTTP/1.0, unchunked), a request
    without Host or with a bad length, a malformed escape, a bad header line or two Hosts
    (net/http's own 400; the reference's mux had answered the last four 200 or 404), and first
    lines that are no HTTP/1 request line (cmux closes them unanswered), byte for byte."""
    expected, actual = results["etcd"][2], results["reference"][2]
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "real etcd 3.4", "reference", lineterm="", n=2))
        pytest.fail(f"client port HTTP differs:\n{diff}", pytrace=False)


def test_debug_vars_serves_the_expvar_variables_etcd_publishes(results):
    """serveVars on the client port: cmdline, file_descriptor_limit, memstats (runtime.MemStats'
    fields, in order) and raft.status (raft.Status.MarshalJSON), one a line in key order, as
    application/json."""
    assert results["reference"][3] == results["etcd"][3]


def test_grpc_still_works_through_the_shared_port(tmp_path):
    """etcdctl (gRPC) and curl-style HTTP on one port, one after the other and at once."""
    with reference_server(tmp_path / "ref") as server:
        assert etcdctl(server, "put", "k", "v").stdout == "OK\n"
        version = exchange(server.address, "GET", "/version", None)
        assert version.endswith('{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}')
        started = time.monotonic()
        assert etcdctl(server, "get", "k", "--print-value-only").stdout == "v\n"
        assert time.monotonic() - started < 5


def test_http_apart_leaves_the_client_port_to_grpc(tmp_path):
    """With --listen-client-http-urls (etcd 3.4.27, 3.5.9) HTTP has its own port and the client
    port serves gRPC alone: etcdctl there, /version on the other, and neither the other way."""
    with reference_server(tmp_path / "ref", "--listen-client-http-urls", "http://127.0.0.1:0") as server:
        http = re.search(r"HTTP on http://([\d.]+:\d+)", server.ready).group(1)
        assert http != server.address
        assert etcdctl(server, "put", "k", "v").stdout == "OK\n"
        assert exchange(http, "GET", "/version", None).endswith('"etcdcluster":"3.4.0"}')
        assert exchange(http, "POST", "/v3/kv/range", '{"key":"aw=="}').count('"dg=="') == 1
        assert "HTTP/1.1" not in exchange(server.address, "GET", "/version", None)
        on_http = etcdctl(dataclasses.replace(server, address=http), "get", "k",
                          "--dial-timeout", "1s", "--command-timeout", "2s")
        assert on_http.returncode != 0


def test_one_url_cannot_serve_grpc_alone_and_http_alone(tmp_path):
    """As etcd: the same URL in --listen-client-urls and --listen-client-http-urls is refused."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    refused = start_refused(tmp_path / "d", "--listen-client-urls", url, "--listen-client-http-urls", url)
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1] == (
        f"reference etcd: error: --listen-client-http-urls: '{url}' is in --listen-client-urls "
        "too: one URL cannot be both")


def test_client_port_metrics_carry_what_check_datascale_reads(tmp_path):
    """`etcdctl check datascale` reads process_resident_memory_bytes from the client URL's
    /metrics before and after its writes, and fails without it."""
    with reference_server(tmp_path / "ref") as server:
        metrics = exchange(server.address, "GET", "/metrics", None)
    assert re.search(r"^process_resident_memory_bytes \S+$", metrics, flags=re.M)


def test_an_empty_authorization_header_is_sent_as_an_empty_token():
    """grpc-gateway forwards the header as it is: etcd 3.4.23 answered a range with
    'Authorization: ' (auth on) 401 "etcdserver: invalid auth token"; the reference had dropped
    the header and answered as if none was sent ("user name is empty")."""
    from email.message import Message

    from reference_impl.etcd import gateway

    headers = Message()
    headers["Authorization"] = ""
    assert gateway.metadata_of(headers) == (("authorization", ""),)


@pytest.mark.parametrize("timeout, seconds", [("0" * 5000 + "1S", 1.0), ("-" + "0" * 5000 + "1S", -1.0)],
                         ids=["zeros-1S", "minus-zeros-1S"])
def test_a_grpc_timeout_with_leading_zeros_is_read_as_strconv_parses_it(timeout, seconds):
    """strconv.ParseInt reads any number of leading zeros: etcd 3.4.23 answered a range with
    'Grpc-Timeout: 000…01S' (5,000 zeros) at once, and with '-000…01S' "context deadline exceeded"."""
    from reference_impl.etcd import gateway

    assert gateway.timeout_of({"Grpc-Timeout": timeout}) == seconds


@pytest.mark.parametrize("timeout", ["9" * 5000 + "S", "0" * 22 + "9223372036854775808n"],
                         ids=["5000-nines", "zeros-2**63n"])
def test_a_grpc_timeout_past_int64_is_refused_however_long(timeout):
    """etcd 3.4.23 answered 'Grpc-Timeout: 999…9S' (5,000 nines) 400 "invalid grpc-timeout: ...";
    the reference's int() gave up past Python's 4,300-digit limit and the connection dropped."""
    from reference_impl.etcd import gateway

    with pytest.raises(gateway.GatewayError, match="^invalid grpc-timeout: "):
        gateway.timeout_of({"Grpc-Timeout": timeout})


def test_each_request_past_its_deadline_gets_its_own_error():
    """A shared exception raised again keeps every earlier request's traceback (and its frames)."""
    from reference_impl.etcd import gateway

    errors = []
    for _ in range(2):
        with pytest.raises(gateway.GatewayError, match="^context deadline exceeded$") as caught:
            gateway.call(None, None, [], (), deadline=time.monotonic() - 1)
        errors.append(caught.value)
    assert errors[0] is not errors[1]


def test_a_unary_call_is_cancelled_when_its_http_client_hangs_up(monkeypatch):
    """Go's net/http cancels a request's context when the client goes: a gateway MoveLeader
    without Grpc-Timeout to a transferee that is down ends then; the reference's call went on
    for ever, holding its gRPC slot."""
    import grpc

    from reference_impl.etcd import gateway

    class Pending:  # a call that never answers
        cancelled = False

        def result(self, timeout=None):
            raise grpc.FutureTimeoutError()

        def cancel(self):
            Pending.cancelled = True
            return True

    channel = SimpleNamespace(unary_unary=lambda *args: SimpleNamespace(future=lambda *a, **k: Pending()))
    method = gateway.route("/v3/maintenance/transfer-leadership")
    checks = []
    with pytest.raises(gateway.GatewayError, match="^context canceled$"):
        gateway.call(channel, method, [method.request_type()], (), hung_up=lambda: checks.append(1) or len(checks) == 3)
    assert Pending.cancelled and len(checks) == 3


def test_a_hang_up_is_seen_without_reading_the_clients_next_request():
    """The check peeks: a closed connection is a hang-up, but once the client has sent its next
    request nothing more is known (as Go's background read), and those bytes stay unread."""
    from reference_impl.etcd.clienthttp import ClientHandler

    def handler_on(connection):
        handler = ClientHandler.__new__(ClientHandler)
        handler.connection, handler._next_request_seen = connection, False
        return handler

    ours, client = socket.socketpair()
    handler = handler_on(ours)
    assert not handler._hung_up()
    client.close()
    assert handler._hung_up()
    ours.close()
    ours, client = socket.socketpair()
    handler = handler_on(ours)
    client.sendall(b"POST /v3/kv/range HTTP/1.1\r\n")
    client.close()
    assert not handler._hung_up()
    assert ours.recv(4).startswith(b"POST")
    ours.close()


@pytest.mark.parametrize("value", ["Zm9v ", "Zm9v\t", " Zm9v"])
def test_a_bin_header_is_trimmed_as_net_http_trims_values(value):
    """etcd 3.4.23 took 'Grpc-Metadata-X-Bin: Zm9v ' (and a tab) as "foo"; the reference read the
    space as base64 and answered 400 "illegal base64 data"."""
    from email.message import Message

    from reference_impl.etcd import gateway

    headers = Message()
    headers["Grpc-Metadata-X-Bin"] = value
    assert gateway.metadata_of(headers) == (("x-bin", b"foo"),)


@pytest.mark.parametrize("body, level", [(b'{"Level":"debug"}', "DEBUG"), (b'{"level":"3"}', "3"),
                                         (b'{"Level":"W"} trailing', "W"),
                                         (b'{"Level":"x","LEVEL":"t"}', "T")])
def test_a_log_level_is_read_as_capnslog_parses_it(body, level):
    """logHandleFunc: the first JSON value into struct{Level string}, upper-cased, one of
    ParseLevel's names or numbers (recorded: etcd 3.4.23 answered 204 to debug, d, 3 and a
    body with trailing text)."""
    from reference_impl.etcd.clienthttp import parse_log_level

    assert parse_log_level(body) == level


@pytest.mark.parametrize("body, message", [(b"", "Invalid json body"), (b'{"Level":5}', "Invalid json body"),
                                           (b"{}", "Invalid log level "),
                                           (b'{"Level":"bogus"}', "Invalid log level bogus")])
def test_a_log_level_capnslog_cannot_parse_is_refused_in_etcds_words(body, message):
    from reference_impl.etcd.clienthttp import LogLevelError, parse_log_level

    with pytest.raises(LogLevelError) as refused:
        parse_log_level(body)
    assert str(refused.value) == message


@pytest.mark.parametrize("first, rest, sniff, expected", [
    (b"GET /ver", b"sion HTTP/1.1\r\n\r\n", "_peek_line", b"GET /version HTTP/1.1"),
    (b"PRI * HTTP/2.0\r\n", b"\r\nSM\r\n\r\n", "_sniff_http2", True),
])
def test_a_first_line_sent_in_two_segments_is_waited_for(first, rest, sniff, expected):
    """A peek answers at once with what is buffered, so the bytes not come yet are no sign of a
    closed connection: cmux reads on until the line (or HTTP/2's preface) is whole."""
    from reference_impl.etcd.cmux import ClientListener

    server, client = socket.socketpair()
    with server, client:
        client.sendall(first)
        later = threading.Timer(0.3, client.sendall, args=(rest,))
        later.start()
        assert getattr(ClientListener, sniff)(server) == expected
        later.join()


@pytest.mark.parametrize("first, sniff, expected", [
    (b"GET /ver", "_peek_line", None),
    (b"PRI * HTTP/2.0\r\n", "_sniff_http2", False),
])
def test_a_first_line_cut_by_the_clients_half_close_is_given_up_at_once(first, sniff, expected):
    """A client that sends part of a first line and then shuts down its side is done: cmux's read
    sees the end at once and the connection closes, not after the sniffing timeout (the reference
    peeked at the same bytes for 10 s)."""
    from reference_impl.etcd.cmux import ClientListener

    server, client = socket.socketpair()
    with server, client:
        client.sendall(first)
        client.shutdown(socket.SHUT_WR)
        started = time.monotonic()
        assert getattr(ClientListener, sniff)(server) == expected
        assert time.monotonic() - started < 1.0


def test_a_stalled_first_line_is_waited_for_without_spinning(monkeypatch):
    """Peeked bytes stay queued, so waiting for news of them would wake at once: a client that
    sends a piece of a line and stalls must cost the server next to no CPU while cmux waits (the
    reference spun at ~75% of a core for the whole sniffing timeout)."""
    from reference_impl.etcd import cmux

    monkeypatch.setattr(cmux, "SNIFF_TIMEOUT", 0.5)
    server, client = socket.socketpair()
    outcome = {}

    def sniff():
        started = time.thread_time()
        outcome["line"] = cmux.ClientListener._peek_line(server)
        outcome["cpu"] = time.thread_time() - started

    with server, client:
        client.sendall(b"GET /partial")
        sniffer = threading.Thread(target=sniff)
        sniffer.start()
        sniffer.join()
    assert outcome["line"] is None
    assert outcome["cpu"] < 0.1


def test_a_body_without_length_to_a_kept_alive_http10_client_ends_with_the_connection(tmp_path):
    """An HTTP/1.0 client gets no chunks: a body longer than net/http's buffer goes out with no
    length, so the server closes the connection after it even when the client asked to keep it
    (the reference kept it open and the client waited for more)."""
    with reference_server(tmp_path / "ref") as server:
        answer = raw_exchange(server.address, b"GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.0 200 OK") and "Content-Length" not in head
    assert body.endswith("\n") and len(body) > 2048


def test_names_that_are_no_utf8_are_listed_as_json_marshal_writes_them(tmp_path):
    """etcd takes any bytes for a user or role name (gRPC); its gateway writes each byte that is
    no UTF-8 as \\ufffd and escapes HTML characters, as json.Marshal does. etcd 3.4.23 answered
    these bytes; the reference's gateway had failed to read its own response (500)."""
    import grpc

    def field(number: int, value: bytes) -> bytes:
        return bytes([number << 3 | 2, len(value)]) + value

    with reference_server(tmp_path / "ref") as server, grpc.insecure_channel(server.address) as channel:
        for method, request in (("UserAdd", field(1, b"u\xff\xfe") + field(2, b"pw")),
                                ("UserAdd", field(1, "a<b&\u2028é".encode()) + field(2, b"pw")),
                                ("RoleAdd", field(1, b"r\xff"))):
            channel.unary_unary(f"/etcdserverpb.Auth/{method}")(request, timeout=10)
        body = b'{"name":"x\xff","password":"p"}'  # read as Go reads it: U+FFFD for the byte
        raw_exchange(server.address, b"POST /v3/auth/user/add HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        users = exchange(server.address, "POST", "/v3/auth/user/list", "{}")
        roles = exchange(server.address, "POST", "/v3/auth/role/list", "{}")
    assert users.endswith('"users":["a\\u003cb\\u0026\\u2028é","u\\ufffd\\ufffd","x\ufffd"]}')
    assert roles.endswith('"roles":["r\\ufffd"]}')


def test_memstats_record_the_collectors_runs_as_gos_pause_ring(monkeypatch):
    """Once the collector is tracked, each run counts in NumGC, its length and end land in the
    PauseNs and PauseEnd slots Go would use ((NumGC+255) % 256 the latest, which expvar readers
    chart) and add to PauseTotalNs; HeapObjects counts the allocator's live blocks."""
    import gc

    from reference_impl.etcd import expvar
    from reference_impl.machinery import runtimestats

    pauses = runtimestats.GCPauses()  # what track_gc_pauses installs, for this test only
    monkeypatch.setattr(runtimestats, "_gc_pauses", pauses)
    gc.callbacks.append(pauses)
    try:
        before = expvar.memstats()
        ended_after = time.time_ns()
        gc.collect()
        after = expvar.memstats()
    finally:
        gc.callbacks.remove(pauses)
    latest = (after["NumGC"] + 255) % 256
    assert after["NumGC"] > before["NumGC"]
    assert after["PauseNs"][latest] > 0
    assert after["PauseTotalNs"] >= before["PauseTotalNs"] + after["PauseNs"][latest]
    assert after["LastGC"] == after["PauseEnd"][latest] >= ended_after
    assert 0 < after["GCCPUFraction"] < 1
    assert after["HeapObjects"] > 0
    assert after["Alloc"] == after["HeapAlloc"] == after["HeapInuse"] > 0  # the C heap, not zeros
    assert after["HeapSys"] >= after["HeapInuse"]
