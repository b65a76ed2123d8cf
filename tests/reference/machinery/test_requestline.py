"""The request line and Host header as Go's net/http reads them, and what it answers, in plain
text, for those it refuses (compared with the real kube-apiserver 1.24)."""
from __future__ import annotations

import pytest

from reference_impl.machinery import requestline
from reference_impl.machinery.httpheaders import Headers
from reference_impl.machinery.requestline import RequestLine, RequestLineError
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.apiserver.core.handlers import Response
from tests.reference.apiserver import test_handlers
from tests.reference.machinery import test_httpheaders
from tests.reference.machinery.test_httpheaders import exchange

# The fixtures, shared (bound here, not imported, so that the tests' parameters shadow no import).
chain, etcd, registry, server = test_handlers.chain, test_handlers.etcd, test_handlers.registry, test_httpheaders.server


def test_a_request_line_is_cut_at_its_first_two_spaces():
    assert requestline.parse("PROPFIND /api/v1/pods?a=b%20c HTTP/1.0") == RequestLine(
        "PROPFIND", "/api/v1/pods?a=b%20c", 1, 0)


@pytest.mark.parametrize("line", [
    "GET /api/v1/namespaces/a/pods/a b HTTP/1.1",  # a space in the target: the protocol is "b HTTP/1.1"
    "GET /a\x01b HTTP/1.1", "GET /a\tb HTTP/1.1", "GET / HTTP/1.1.1", "GET / HTTP/10.0", "GET /", "GET",
    "G(T / HTTP/1.1", " / HTTP/1.1", "GET api/v1/pods HTTP/1.1", "GET  HTTP/1.1", "GET /%zz HTTP/1.1",
    "GET /a%2 HTTP/1.1",
    "GET http://%zz/health HTTP/1.1",  # url.Parse unescapes the host too
])
def test_a_line_net_http_cannot_read_is_a_bare_400(line):
    """parseRequestLine, validMethod, ParseHTTPVersion and ParseRequestURI refuse it with errors
    conn.serve does not repeat: the answer is `400 Bad Request` and nothing more."""
    with pytest.raises(RequestLineError) as err:
        requestline.parse(line)
    assert (err.value.code, err.value.reason) == (400, "")


@pytest.mark.parametrize("target", ["*", "http://h/api?x", "/a?%zz", "/api/v1/pods#frag"])
def test_a_target_parse_request_uri_takes(target):
    """`*`, an absolute URL, a query with any escapes and a `#` (a request URI has no fragment)."""
    assert requestline.parse(f"GET {target} HTTP/1.1").target == target


@pytest.mark.parametrize("line,headers,code,reason", [
    ("GET / HTTP/2.0", [("Host", "h")], 505, "unsupported protocol version"),
    ("GET / HTTP/1.1", [], 400, "missing required Host header"),
    ("GET / HTTP/1.1", [("Host", "a"), ("Host", "b")], 400, ""),
    ("GET / HTTP/1.1", [("Host", "x lead: x")], 400, "malformed Host header"),
    ("GET / HTTP/1.0", [("Host", "a b")], 400, "malformed Host header"),
    ("GET / HTTP/1.0", [("Host", "h\u00e9")], 400, "malformed Host header"),
    ("GET / HTTP/1.1", [("Host", "h"), ("Impersonate-Extra-a/b", "x")], 400, "invalid header name"),
    ("GET / HTTP/1.1", [("Host", "h"), ("Foo ", "bar")], 400, "invalid header name"),
    ("GET / HTTP/1.1", [("Host", "h"), ("X\u00e9", "y")], 400, "invalid header name"),
    ("GET / HTTP/1.1", [("Host", "h"), ("X-A", "a\x01b")], 400, "invalid header value"),
    ("GET / HTTP/1.1", [("Host", "h"), ("X-A", "a\x7fb")], 400, "invalid header value"),
    ("GET / HTTP/1.1", [("Host", "h"), ("Content-Type", "application/json\x01")], 400, "invalid header value"),
])
def test_once_headers_are_read_only_http1_with_a_host_is_served(line, headers, code, reason):
    """An HTTP/1.1 request names one well-formed Host (the real 1.24 refuses two without a
    reason), and no header value holds a control character other than a tab."""
    with pytest.raises(RequestLineError) as err:
        requestline.check_served(requestline.parse(line), Headers(headers))
    assert (err.value.code, err.value.reason) == (code, reason)


def test_http10_needs_no_host_and_a_value_may_hold_a_tab_and_latin1():
    requestline.check_served(requestline.parse("GET / HTTP/1.0"), Headers([]))
    requestline.check_served(requestline.parse("GET / HTTP/1.1"), Headers([("Host", "[::1]:443"), ("X", "a\tb\x80")]))


@pytest.mark.parametrize("expect,continues", [
    ("100-continue", True), ("100-Continue", True), ("bogus, 100-continue", True), ("x100-continue", False),
    ("", False), ("bogus", False)])
def test_expect_100_continue_is_a_token_in_any_case(expect, continues):
    assert requestline.expects_continue(Headers([("Expect", expect)])) is continues


def test_any_other_expectation_is_a_bare_417_before_the_body_and_the_connection_closes(server):
    """net/http's sendExpectationFailed, in the request's protocol version, with no body."""
    for version in (b"HTTP/1.1", b"HTTP/1.0"):
        answer = exchange(server, b"POST /a " + version + b"\r\nHost: x\r\nExpect: bogus\r\n"
                                  b"Content-Length: 2\r\n\r\n{}")
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(version + b" 417 Expectation Failed\r\nConnection: close\r\n"), answer
        assert b"Content-Length: 0" in head and body == b""


def test_100_continue_is_sent_only_for_a_body(server):
    """A GET with Expect: 100-continue and no body gets its answer and no interim 100."""
    answer = exchange(server, b"GET /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer[:100]
    answer = exchange(server, b"POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
                              b"Connection: close\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"), answer[:100]


def test_a_value_may_hold_tabs_and_bytes_past_ascii():
    """httpguts.ValidHeaderFieldValue refuses control bytes only; the real server took `X-A: \\xe9`."""
    requestline.check_served(requestline.parse("GET / HTTP/1.1"), Headers([("Host", "[::1]:443"), ("X-A", "a\tb \u00e9")]))


@pytest.mark.parametrize("raw,answer", [
    (b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", b"400 Bad Request"),
    (b"GET / HTTP/1.1\r\n\r\n", b"400 Bad Request: missing required Host header"),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", b"505 HTTP Version Not Supported: unsupported protocol version"),
    (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", b"400 Bad Request"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nImpersonate-Extra-a/b: v\r\n\r\n", b"400 Bad Request: invalid header name"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", b"400 Bad Request: invalid header value"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n lead: x\r\n\r\n", b"400 Bad Request: malformed Host header"),
    (b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", b"400 Bad Request"),
])
def test_the_server_refuses_in_net_https_plain_words_and_closes(server, raw, answer):
    """conn.serve writes the status line, a plain-text Content-Type, Connection: close and the
    status again as the body: never an HTML page."""
    assert exchange(server, raw) == (b"HTTP/1.1 " + answer + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                     b"Connection: close\r\n\r\n" + answer)


class _PathChain:
    """Answers every request with the path and query the handlers were given."""

    class rest:  # noqa: N801 - stands in for RESTHandlers, whose watches the server ends on stop
        @staticmethod
        def stop_watches() -> None:
            pass

    def handle(self, request):
        return Response(200, f"{request.path} {sorted(request.query)}".encode(), "text/plain")


@pytest.mark.parametrize("target,seen", [
    # A request URI has no fragment: `pods/x#y` names the object "x#y" (urlsplit would cut it off).
    (b"/api/v1/namespaces/a/pods/x#y?limit=1", b"/api/v1/namespaces/a/pods/x#y ['limit']"),
    # Nor an authority: `//api` is a path (urlsplit would take `api` for a host).
    (b"//api/v1/pods?limit=1", b"//api/v1/pods ['limit']"),
    (b"http://h/api/v1/pods?limit=1", b"/api/v1/pods ['limit']"),
])
def test_the_handlers_see_the_path_parse_request_uri_sees(target, seen):
    api = APIServer(None)
    api._httpd.chain = _PathChain()
    api.start()
    try:
        answer = exchange(api, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        api.stop()
    assert answer.endswith(b"\r\n\r\n" + seen)


@pytest.mark.parametrize("query,shown", [
    (b"labelSelector=%ff", b'Invalid value: \\"\\\\xff\\": name part'),
    (b"labelSelector=a+in+(%ff)", b'values[0][a]: Invalid value: \\"\\\\xff\\"'),
    (b"labelSelector=a%3D%C3%A9", b'values[0][a]: Invalid value: \\"\xc3\xa9\\"'),
])
def test_a_query_byte_that_is_no_utf8_is_quoted_as_go_quotes_it(chain, query, shown):
    """url.ParseQuery keeps the bytes %ff stands for and the selector's message quotes it with
    %q, `"\\xff"`, as kube-apiserver 1.24 answers (the replacement character was shown)."""
    api = APIServer(None)
    api._httpd.chain = chain
    api.start()
    try:
        answer = exchange(api, b"GET /api/v1/namespaces/" + chain.namespace.encode() + b"/pods?" + query
                          + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    finally:
        api.stop()
    assert answer.startswith(b"HTTP/1.1 400 ") and shown in answer, answer


def test_the_apiserver_reads_connection_as_tokens_too(server):
    """HTTP/1.0 with `Upgrade, Keep-Alive` is kept alive (the token, in any case); Go 1.19's
    server answered both requests as well."""
    answers = exchange(server, b"GET /a HTTP/1.0\r\nConnection: Upgrade, Keep-Alive\r\n\r\n"
                               b"GET /a HTTP/1.0\r\n\r\n")
    assert answers.count(b" 200 OK\r\n") == 2


@pytest.mark.parametrize("minor, fields, closes", [
    (0, [("Connection", "close, keep-alive")], False),
    (0, [("Connection", "keep-alive, close")], False),
    (0, [("Connection", "close"), ("Connection", "keep-alive")], True),
    (0, [("Connection", "close")], True),
    (0, [], True),
    (1, [("Connection", "keep-alive, close")], True),
    (1, [("Connection", "keep-alive"), ("Connection", "close")], True),
    (1, [("Connection", "x,close")], True),
    (1, [], False),
])
def test_an_http10_client_asking_for_keep_alive_keeps_it_beside_a_close(minor, fields, closes):
    """Over HTTP/1.0 the first Connection header's keep-alive token wins: Go's writeHeader keeps
    the connection once it sent a length, whatever close token shouldClose saw (the real
    kube-apiserver and etcd answered both requests of `Connection: close, keep-alive`)."""
    from reference_impl.machinery.goserver import should_close

    assert should_close(RequestLine("GET", "/", 1, minor), Headers(fields)) is closes


def test_a_connect_may_name_an_authority_which_has_no_path():
    """readRequest takes `CONNECT host:port` as the URL http://host:port (no Host header needed):
    its path is empty, which ServeMux does not clean or redirect but answers 404; any other
    method's target must still be a path or absolute URL."""
    from reference_impl.machinery.goserver import serve_mux_answer

    line = requestline.parse("CONNECT localhost:443 HTTP/1.1")
    assert requestline.split_target(line.target, line.method) == ("", "")
    requestline.check_served(line, Headers([]))
    assert serve_mux_answer("CONNECT", "").code == 404
    with pytest.raises(RequestLineError):
        requestline.parse("GET 127.0.0.1:443 HTTP/1.1")


def test_the_apiserver_answers_a_connect_to_an_authority_404(chain):
    """The real kube-apiserver 1.24 answered `CONNECT 127.0.0.1:443` with its mux's 404 on a kept
    connection (the reference refused the request line with a bare 400 and closed)."""
    api = APIServer(None)
    api._httpd.chain = chain
    api.start()
    try:
        answer = exchange(api, b"CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        api.stop()
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n") and b"\r\n\r\n404 page not found\n" in answer
    assert answer.count(b"HTTP/1.1 ") == 2, answer


@pytest.mark.parametrize("raw", [b"GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1", b"GET /a HTTP/1.1\r\nHost: x\r\n",
                                 b"GET /a HTTP/1.1", b"GET /a"])
def test_a_head_cut_by_the_clients_half_close_is_a_bare_400(server, raw):
    """A client that ends its side before the blank line after the head: net/http's readRequest
    gets io.ErrUnexpectedEOF and answers its bare 400 (the real kube-apiserver did; the reference
    took the end for the end of the header block and served the request)."""
    answer = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n") and answer.endswith(b"\r\n\r\n400 Bad Request")
