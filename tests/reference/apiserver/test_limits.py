"""Request framing at the HTTP adapter: a body over 3 MiB is 413 (said, not a dropped connection),
a malformed Content-Length or chunk size is 400. These need the wire, so a real APIServer on a
loopback port is spoken to over a raw socket."""
from __future__ import annotations

import io
import json
import socket
import threading

import pytest

from reference_impl.apiserver.adapter import framing
from reference_impl.apiserver.core import limits
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.adapter.server import APIServer
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401

PATH = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
def server(registry):
    server = APIServer(registry, now=lambda: NOW)
    server.start()
    yield server
    server.stop()


def exchange(server, head: bytes, body: bytes = b"") -> tuple[int, dict]:
    """Send a raw request and read the status line and JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(head)
        try:
            sock.sendall(body)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer before it read everything
        reader = sock.makefile("rb")
        code = int(reader.readline().split()[1])
        length = 0
        while (line := reader.readline().strip()):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return code, json.loads(reader.read(length))


def test_a_10_mb_body_gets_a_413_status(server):
    """A body over 3 MiB is answered with RequestEntityTooLarge, and the client reads it."""
    body = b" " * (10 * 1024 * 1024)
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" \
           f"Content-Length: {len(body)}\r\n\r\n".encode()
    code, status = exchange(server, head, body)
    assert (code, status["reason"]) == (413, "RequestEntityTooLarge")
    assert status["message"] == "Request entity too large: limit is 3145728"


def raw_exchange(server, request: bytes) -> bytes:
    """Send a raw request, the write side then shut, and read everything the server answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while data := sock.recv(65536):
            answer += data
    return answer


BARE_400 = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
CREATE = f"POST {PATH}?dryRun=All HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
CONFIGMAP = b'{"metadata":{"name":"a"}}'


@pytest.mark.parametrize("lengths", [["abc"], ["-1"], ["1, 2"], ["+2"], [str(2**63)], ["2", "3"]])
def test_a_bad_content_length_is_net_https_bare_400_before_any_handler(server, lengths):
    """fixLength refuses a value that is no decimal below 2**63, and two that differ, while the
    head is read: conn.serve answers `400 Bad Request` in plain text and closes (as the real 1.24
    answered each of these)."""
    fields = "".join(f"Content-Length: {value}\r\n" for value in lengths)
    assert raw_exchange(server, f"{CREATE}{fields}\r\n{{}}".encode()) == BARE_400


def test_repeated_equal_content_lengths_and_an_empty_one_are_read(server):
    """Equal repeated values are one length, and an empty value is no length at all (a body of 0)."""
    repeated = raw_exchange(server, f"{CREATE}Content-Length: 25\r\nContent-Length: 25\r\n"
                                    f"Connection: close\r\n\r\n".encode() + CONFIGMAP)
    assert repeated.startswith(b"HTTP/1.1 201 ")
    empty = raw_exchange(server, f"{CREATE}Content-Length: \r\nConnection: close\r\n\r\n".encode())
    assert empty.startswith(b"HTTP/1.1 400 ") and b"json parse error: unexpected end of JSON input" in empty


@pytest.mark.parametrize("fields", [["chunked, chunked"], ["gzip, chunked"], ["identity"], ["chunked", "chunked"]])
def test_a_transfer_encoding_other_than_one_chunked_is_a_bare_400(server, fields):
    """parseTransferEncoding takes one field saying `chunked` and nothing else; conn.serve answers
    any other without echoing the value, and closes: with 501 in Go, with 400 and the same text
    here (a client's mistake is never a 5xx)."""
    head = CREATE + "".join(f"Transfer-Encoding: {value}\r\n" for value in fields)
    assert raw_exchange(server, f"{head}\r\n0\r\n\r\n".encode()) == (
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
        b"\r\nUnsupported transfer encoding")


def test_chunked_overrides_any_content_length(server):
    """With Transfer-Encoding: chunked the Content-Length is dropped, whatever it says."""
    answer = raw_exchange(server, f"{CREATE}Transfer-Encoding: Chunked\r\nContent-Length: 5\r\nContent-Length: 6"
                                  f"\r\nConnection: close\r\n\r\n19;ext=1\r\n".encode() + CONFIGMAP + b"\r\n0\r\nX-T: 1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 201 ")


def test_http10_ignores_transfer_encoding(server):
    """An HTTP/1.0 body is framed by Content-Length alone (Go's issue 12785)."""
    head = CREATE.replace("HTTP/1.1", "HTTP/1.0")
    answer = raw_exchange(server, f"{head}Transfer-Encoding: bogus\r\nContent-Length: 25\r\n\r\n".encode() + CONFIGMAP)
    assert answer.startswith(b"HTTP/1.0 201 ")


@pytest.mark.parametrize("key", ["Content-Length", "transfer-encoding", "X, Trailer"])
def test_a_trailer_naming_a_framing_field_is_a_bare_400(server, key):
    head = f"{CREATE}Transfer-Encoding: chunked\r\nTrailer: {key}\r\n\r\n"
    assert raw_exchange(server, head.encode() + b"0\r\n\r\n") == BARE_400


@pytest.mark.parametrize("chunks, words", [
    (b"zz\r\n{}\r\n0\r\n\r\n", "invalid byte in chunk length"),
    (b" 2\r\n{}\r\n0\r\n\r\n", "invalid byte in chunk length"),
    (b"10000000000000002\r\n{}\r\n0\r\n\r\n", "http chunk length too large"),
    (b"2\r\n{}XX0\r\n\r\n", "malformed chunked encoding"),
    (b"2\r\n{}\n0\r\n\r\n", "malformed chunked encoding"),
    (b"2\r\n{", "unexpected EOF"),
    (b"1" * 5000 + b"\r\n", "header line too long"),
    (b"0\r\nno colon\r\n\r\n", 'malformed MIME header: missing colon: "no colon"'),
    (b"0\r\n", "http: unexpected EOF reading trailer"),
])
def test_a_chunked_body_that_goes_wrong_is_400_in_net_https_words(server, chunks, words):
    """The real 1.24 answers these with a 500 Status carrying chunkedReader's error; a client's
    mistake is a 400 BadRequest here, with the same words."""
    code, status = exchange(server, f"{CREATE}Transfer-Encoding: chunked\r\n\r\n".encode(), chunks)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", words)


def test_chunked_bodies_over_the_limit_are_413():
    """The running total of chunk sizes is checked before the chunk is read."""
    size = limits.MAX_REQUEST_BODY_BYTES + 1
    rfile = io.BytesIO(b"%x\r\n" % size)
    with pytest.raises(StatusError) as raised:
        framing.read_body(None, rfile)
    assert raised.value.code == 413


def test_a_well_formed_chunked_body_is_read():
    rfile = io.BytesIO(b"2\r\n{}\r\n0\r\n\r\n")
    assert framing.read_body(None, rfile) == b"{}"


def test_a_10_mb_body_over_tls_gets_a_413_status(registry, tmp_path):
    """Over HTTPS, as kubectl sends it: the client finishes sending and reads the 413 Status."""
    import http.client
    import ssl

    from reference_impl.apiserver.adapter import certs
    from reference_impl.apiserver.adapter.run import tls_context

    bundle = certs.ensure_certs(tmp_path)
    server = APIServer(registry, ssl_context=tls_context(bundle, bundle.ca.cert_path), now=lambda: NOW)
    server.start()
    try:
        context = ssl.create_default_context(cafile=str(bundle.ca.cert_path))
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=20)
        connection.request("POST", PATH, body=b" " * (10 * 1024 * 1024), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        status = json.loads(response.read())
        assert (response.status, status["reason"]) == (413, "RequestEntityTooLarge")
        connection.close()
    finally:
        server.stop()


@pytest.mark.parametrize("method", [b"OPTIONS", b"BREW", b"PROPFIND"])
def test_an_unknown_method_is_405_not_501(server, method):
    """A method the API does not serve is 405 MethodNotAllowed as a Status, never http.server's 501;
    at a resource's path it is go-restful's, which names no kind."""
    code, status = exchange(server, method + b" /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (code, status["reason"], status["message"]) == (
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def test_a_limit_beyond_int64_is_400(server):
    code, status = exchange(server, f"GET {PATH}?limit={2**64} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert (code, status["reason"]) == (400, "BadRequest")


def test_a_huge_watch_timeout_does_not_break_the_timer(registry, monkeypatch):
    """timeoutSeconds past what the platform's timers hold (the largest int64) waits as long as they
    can, without an exception in the timer thread."""
    import threading
    import time

    from reference_impl.apiserver.core.handlers import Request
    from reference_impl.apiserver.adapter.server import HandlerChain

    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    response = HandlerChain(registry).handle(Request("GET", PATH, {"watch": ["1"], "timeoutSeconds": [str(2**63 - 1)]}))
    time.sleep(0.2)
    response.stop()
    assert response.code == 200 and failures == []


def test_random_raw_requests_are_answered_below_500(server):
    """Seeded random request lines, headers and framings over a socket: every one is answered with
    a status line below 500 (never a dropped connection or http.server's 501)."""
    import random

    rng = random.Random(13)
    paths = ["/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/configmaps/x", "/apis",
             "/apis/apps/v1/namespaces/default/deployments/x/scale", "/api/v1/nodes/..", "/%zz", "//", "/healthz/x",
             "/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=0", "/api/v1/namespaces/default/pods?limit=-1"]
    headers = ["Content-Type: application/yaml", "Content-Type: application/vnd.kubernetes.protobuf",
               "Content-Type: application/merge-patch+json", "Accept: application/json;as=Table;v=v1;g=meta.k8s.io",
               "Accept: application/vnd.kubernetes.protobuf", "Impersonate-User: nobody", "Impersonate-Group: g",
               "Impersonate-Extra-A%zz: b", "Transfer-Encoding: gzip", "Expect: 100-continue"]
    bodies = [b"", b"{}", b'{"metadata":{"name":"x"}}', b"a: &a [*a]", b"k8s\x00\x0a\x02", b"\xff\xfe", b"[" * 50]
    for _ in range(150):
        method = rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"])
        body = rng.choice(bodies)
        lines = [f"{method} {rng.choice(paths)} HTTP/1.1", "Host: x", "Connection: close",
                 *rng.sample(headers, rng.randrange(3))]
        framing = rng.random()
        if framing < 0.6:
            lines.append(f"Content-Length: {len(body)}")
        elif framing < 0.8:
            lines.append("Transfer-Encoding: chunked")
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
            status_line = sock.makefile("rb").readline()
        assert status_line.startswith(b"HTTP/1.1 "), (lines, status_line)
        assert int(status_line.split()[1]) < 500, (lines, body, status_line)


@pytest.mark.parametrize("query,message", [
    ("watch=1&timeoutSeconds=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
    ("watch=1&timeoutSeconds=" + "9" * 30, 'strconv.ParseInt: parsing "' + "9" * 30 + '": value out of range'),
    ("timeoutSeconds=1.5", 'strconv.ParseInt: parsing "1.5": invalid syntax'),
    ("limit=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
])
def test_a_query_integer_that_is_no_int64_is_400(server, query, message):
    """ListOptions' integers decode as strconv.ParseInt reads them; a watch with a timeout that is
    no integer is refused at once instead of running without one."""
    code, status = exchange(server, f"GET {PATH}?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_negative_limit_lists_everything(server):
    """limit=-1 is a valid int64; storage pages only for a limit above 0."""
    code, body = exchange(server, f"GET {PATH}?limit=-1 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert (code, body["kind"]) == (200, "ConfigMapList") and "continue" not in body["metadata"]


def test_a_negative_watch_timeout_ends_the_watch_at_once(registry):
    """Go's timer fires at once for a negative duration: the watch ends instead of staying open."""
    from reference_impl.apiserver.core.handlers import Request
    from reference_impl.apiserver.adapter.server import HandlerChain

    response = HandlerChain(registry).handle(Request("GET", PATH, {"watch": ["1"], "timeoutSeconds": ["-1"]}))
    done = threading.Event()
    threading.Thread(target=lambda: (list(response.chunks), done.set()), daemon=True).start()
    assert done.wait(10)


def test_a_watch_writes_its_warnings_in_its_head(server):
    """The adapter writes a watch's Warning headers before its first event, as a response's."""
    answer = raw_exchange(server, b"GET /apis/batch/v1beta1/cronjobs?watch=1&timeoutSeconds=1 HTTP/1.1\r\n"
                                  b"Host: x\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 200 ") and (
        b'\r\nWarning: 299 - "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; '
        b'use batch/v1 CronJob"' in head)


def test_a_warnings_quotes_and_backslashes_are_escaped_as_make_quoted_string_escapes_them():
    from reference_impl.apiserver.adapter.server import warning_fields

    assert warning_fields(['a "b" c\\d']) == ['Warning: 299 - "a \\"b\\" c\\\\d"']


def test_a_name_in_the_path_that_is_no_utf8_keeps_its_byte(server):
    """URL.Path keeps a %FF as the byte it is: the 404 quotes it as %q does (\\xff), the details
    carry it as encoding/json writes it (U+FFFD), and the etcd key holds it (no 500)."""
    code, status = exchange(server, f"GET {PATH}/a%FF HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert (code, status["message"], status["details"]["name"]) == (404, 'configmaps "a\\xff" not found', "a\ufffd")


def test_a_name_in_the_path_that_is_no_utf8_is_not_the_bodys_replacement_character(server):
    """A body's invalid UTF-8 decodes to U+FFFD, a path's does not: the names differ (as the real
    1.24 server says, both written as U+FFFD)."""
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a\ufffd"}}).encode()
    head = (f"PUT {PATH}/a%FF HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    code, status = exchange(server, head, body)
    assert (code, status["message"]) == (400, "the name of the object (a\ufffd) does not match the name on the URL "
                                              "(a\ufffd)")


def test_a_204_has_neither_content_type_nor_length(server):
    """net/http writes no Content-Length for a status that allows no body (as for the real 1.24
    server's 204 to the log of a pod not yet scheduled)."""
    pod = json.dumps({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}).encode()
    exchange(server, (f"POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(pod)}\r\n\r\n").encode(), pod)
    answer = raw_exchange(server, b"GET /api/v1/namespaces/default/pods/p/log HTTP/1.1\r\nHost: x\r\n\r\n")
    head = answer.split(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 204 ") and b"content-length" not in head and b"content-type" not in head
