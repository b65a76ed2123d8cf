"""The adapter's header block reader: what it accepts as Go's textproto does, and the 400/431
net/http answers for a malformed or oversized head, also through a live server (compared with the
real 1.24, which took a 70 KiB path, a 70 KiB field and 150 fields, and answered a 1.1 MiB head
with a bare 431)."""
from __future__ import annotations

import io
import socket

import pytest

from reference_impl.machinery.httpheaders import HEAD_LIMIT, HeaderError, read_headers
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.apiserver.core.handlers import Response


def read(block: bytes):
    return read_headers(io.BytesIO(block))


def test_names_are_case_insensitive_and_values_trimmed():
    headers = read(b"Content-Type:  application/json \r\nX-Empty:\r\n\r\nbody")
    assert headers.get("content-type") == headers["CONTENT-TYPE"] == "application/json"
    assert headers.get("x-empty") == "" and "X-EMPTY" in headers and headers.get("Missing") is None


def test_a_repeated_field_keeps_every_value_in_order():
    """get answers the first value, get_all all of them, keys every name as sent (email.message's rules)."""
    headers = read(b"Impersonate-Group: a\r\nimpersonate-group: b\r\nAccept: */*\r\n\r\n")
    assert headers.get("Impersonate-Group") == "a"
    assert headers.get_all("IMPERSONATE-GROUP") == ["a", "b"] and headers.get_all("Nope") is None
    assert headers.keys() == ["Impersonate-Group", "impersonate-group", "Accept"] and len(headers) == 3


def test_set_replaces_every_value_where_the_first_was():
    """http.Header.Set: one value from now on (the WebSocket authenticator leaves the handler only
    the subprotocols that carry no token)."""
    headers = read(b"P: a\r\nX: 1\r\np: b\r\n\r\n")
    headers.set("p", "c")
    assert headers.items() == [("P", "c"), ("X", "1")] and headers.get_all("P") == ["c"]
    headers.set("New", "d")
    assert headers.items()[-1] == ("New", "d") and headers["new"] == "d"


def test_del_drops_every_value():
    """http.Header.Del (the impersonation filter takes its headers out of the request so)."""
    headers = read(b"P: a\r\nX: 1\r\np: b\r\n\r\n")
    del headers["p"]
    assert headers.items() == [("X", "1")] and "P" not in headers and headers.get_all("p") is None


def test_the_block_ends_at_a_bare_newline_or_the_end_of_input():
    assert read(b"A: 1\nB: 2\n\nrest").get("B") == "2"
    assert read(b"A: 1\r\n").get("A") == "1"


def test_a_folded_line_continues_the_previous_value():
    assert read(b"X-Long: one\r\n  two\r\n\tthree\r\n\r\n").get("X-Long") == "one two three"


@pytest.mark.parametrize("block", [b"no colon here\r\n\r\n", b"  folded first\r\n\r\n", b"A: 1\r\n\r\r\n\r\n"])
def test_a_line_that_is_no_field_is_400(block):
    with pytest.raises(HeaderError) as err:
        read(block)
    assert err.value.code == 400 and "malformed MIME header" in err.value.detail


def test_a_field_with_an_empty_name_is_skipped_and_any_other_name_kept_as_sent():
    """Go 1.19's textproto (the real 1.24's) skips `: x` and leaves a name that is no token for
    net/http to refuse; the real server answered `: x` with 200."""
    headers = read(b": empty name\r\nBad Name : x\r\nA/b: y\r\n\r\n")
    assert headers.items() == [("Bad Name ", "x"), ("A/b", "y")]


def test_any_line_and_any_number_of_fields_within_the_head_limit_are_read():
    """net/http bounds the head as a whole, not a line or the number of fields."""
    assert len(read(b"X: " + b"a" * 70000 + b"\r\n\r\n").get("X")) == 70000
    assert len(read(b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n")) == 150


def test_a_head_past_the_limit_is_431():
    block = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 10000) for i in range(110)) + b"\r\n"
    with pytest.raises(HeaderError) as err:
        read(block)
    assert (err.value.code, err.value.reason) == (431, "Request Header Fields Too Large")
    with pytest.raises(HeaderError):
        read_headers(io.BytesIO(b"X: 12345\r\n\r\n"), limit=10)


class _EchoChain:
    """Answers every request with the headers it saw, so the server's parsing shows."""

    class rest:  # noqa: N801 - stands in for RESTHandlers, whose watches the server ends on stop
        @staticmethod
        def stop_watches() -> None:
            pass

    def handle(self, request):
        seen = ",".join(f"{name}={request.headers.get(name)}" for name in request.headers.keys())
        return Response(200, seen.encode(), "text/plain")


@pytest.fixture
def server():
    server = APIServer(None)
    server._httpd.chain = _EchoChain()
    server.start()
    yield server
    server.stop()


def exchange(server, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_the_server_names_no_server_software(server):
    """net/http sends no Server header (the real 1.24's answers have none); http.server would."""
    answer = exchange(server, b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\nDate: ") and b"\r\nServer:" not in answer


def test_the_server_reads_headers_and_keeps_the_connection_for_the_next_request(server):
    answer = exchange(server, b"GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n"
                              b"Connection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 OK") == 2 and b"Host=x,X-A=1" in answer


@pytest.mark.parametrize("raw, status", [
    (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * HEAD_LIMIT + b"\r\n\r\n", b"431"),
    (b"GET /" + b"a" * HEAD_LIMIT + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"431"),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", b"505"),
    (b"GET / HTTP/1.1.1\r\nHost: x\r\n\r\n", b"400"),
], ids=["no colon", "long field", "long line", "HTTP/2.0", "bad version"])
def test_the_server_answers_a_malformed_request_and_closes(server, raw, status):
    answer = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.") and answer.split(b" ", 2)[1] == status, answer[:200]
    assert b"Connection: close" in answer


def test_a_long_request_line_and_long_fields_are_served(server):
    """A 70 KiB path and a 70 KiB field, each past http.server's 64 KiB line, as the real 1.24 serves them."""
    answer = exchange(server, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\nX-A: " + b"b" * 70000
                              + b"\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"X-A=" + b"b" * 70000 + b",Connection=close")


def test_a_head_past_the_limit_is_a_bare_431(server):
    answer = exchange(server, b"GET /" + b"a" * HEAD_LIMIT + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer == (b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      b"Connection: close\r\n\r\n431 Request Header Fields Too Large")
