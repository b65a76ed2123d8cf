"""The apiserver's answers as net/http writes them around the handler: the status line in the
request's HTTP version, Connection as chunkWriter.writeHeader sets it, a watch over HTTP/1.0 and
`OPTIONS *` (each compared with the real 1.24 over a raw connection)."""
from __future__ import annotations

import re

import pytest

from reference_impl.apiserver.adapter.server import APIServer
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401
from tests.reference.apiserver.test_limits import raw_exchange

NAMESPACE = "/api/v1/namespaces/default"


@pytest.fixture
def server(registry):  # noqa: F811
    server = APIServer(registry, now=lambda: NOW)
    server.start()
    yield server
    server.stop()


def heads(answer: bytes) -> list[str]:
    """The status line and fields of every answer on the connection, Date left out."""
    return [re.sub(r"\r\nDate: [^\r]*", "", head.decode().split("\r\n\r\n")[0])
            for head in re.findall(rb"HTTP/1\.[01] .*?\r\n\r\n", answer, re.S)]


def test_an_http10_request_gets_an_http10_answer_and_the_connection_ends(server):
    answer = raw_exchange(server, b"GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n")
    assert len(heads(answer)) == 1
    assert heads(answer)[0].startswith("HTTP/1.0 200 OK\r\n") and "Connection" not in heads(answer)[0]


def test_an_http10_keep_alive_is_answered_keep_alive_and_kept(server):
    """The real 1.24 answered `Connection: keep-alive` and served the next request."""
    request = f"GET {NAMESPACE}/configmaps/nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    answer = raw_exchange(server, (request + "GET /healthz HTTP/1.0\r\n\r\n").encode())
    assert [head.splitlines()[0] for head in heads(answer)] == ["HTTP/1.0 404 Not Found", "HTTP/1.0 200 OK"]
    assert heads(answer)[0].endswith("\r\nConnection: keep-alive") and "Connection" not in heads(answer)[1]


def test_a_connection_that_ends_says_close_to_an_http11_client(server):
    answer = raw_exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert heads(answer)[0].startswith("HTTP/1.1 200 OK\r\n") and heads(answer)[0].endswith("\r\nConnection: close")


def test_a_watch_over_http10_is_not_chunked(server):
    """HTTP/1.0 has no chunks: the events go as they are and the connection ends the answer."""
    answer = raw_exchange(server, f"GET {NAMESPACE}/configmaps?watch=1&timeoutSeconds=1 HTTP/1.0\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK\r\n") and b"Transfer-Encoding" not in head and body == b""


def test_options_star_is_the_servers_own_200(server):
    """net/http's globalOptionsHandler, before any filter: Content-Length 0 and nothing else; a
    small body is read and the connection carries the next request."""
    answer = raw_exchange(server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                                  b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert heads(answer)[0] == "HTTP/1.1 200 OK\r\nContent-Length: 0"
    assert heads(answer)[1].startswith("HTTP/1.1 200 OK")


def test_options_star_reads_a_small_chunked_body_and_keeps_the_connection(server):
    answer = raw_exchange(server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                                  b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert [head.splitlines()[0] for head in heads(answer)] == ["HTTP/1.1 200 OK"] * 2
    assert heads(answer)[0] == "HTTP/1.1 200 OK\r\nContent-Length: 0"
