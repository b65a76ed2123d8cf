"""The client's HTTP/1.1 connection reads each framing an HTTP server may answer with, and says
when the server will close; a request goes out as one write of head and body."""
from __future__ import annotations

import http.client
import re
import socket
import threading

import pytest

from reference_impl.client.http1 import Connection, IdleConnections

HEAD = b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n"


def answered_with(*responses: bytes, close_after: bool = False):
    """A Connection over a socket pair whose far end answers each request with the next response;
    also the list of requests it received."""
    client, server = socket.socketpair()
    received: list[bytes] = []

    def serve() -> None:
        with server:
            for response in responses:
                received.append(server.recv(65536))
                server.sendall(response)
            if close_after:
                server.shutdown(socket.SHUT_WR)
            server.recv(1)  # until the client closes

    threading.Thread(target=serve, daemon=True).start()
    return Connection(client), received


def one_round_trip(response: bytes, close_after: bool = False):
    """(status, body, will close) of one request answered with `response`."""
    conn, _ = answered_with(response, close_after=close_after)
    try:
        return conn.round_trip(HEAD, b"{}")
    finally:
        conn.close()


def test_content_length_body_and_kept_alive():
    """A Content-Length body is read exactly, and the connection serves the next request."""
    conn, received = answered_with(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
    assert conn.round_trip(HEAD, b"{}") == (201, b'{"a":1}', False)
    assert conn.round_trip(HEAD, b"{}") == (200, b"{}", False)
    assert received == [HEAD + b"{}", HEAD + b"{}"]
    conn.close()


def test_chunked_body_with_extension_and_trailer():
    """Chunks are joined; chunk extensions and trailers are skipped."""
    response = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n")
    assert one_round_trip(response) == (200, b'{"a":1}', False)


def test_connection_close_and_http_1_0():
    """`Connection: close`, and an HTTP/1.0 answer without keep-alive, mean the server will close."""
    assert one_round_trip(b"HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 0\r\n\r\n") == (
        409, b"", True)
    assert one_round_trip(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}") == (200, b"{}", True)
    assert one_round_trip(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}") == (
        200, b"{}", False)


def test_unframed_body_runs_to_the_close():
    """With neither Content-Length nor chunking the body is what comes until the server closes."""
    assert one_round_trip(b"HTTP/1.1 200 OK\r\n\r\n{\"long\":true}", close_after=True) == (
        200, b'{"long":true}', True)


def test_interim_100_continue_is_skipped():
    response = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    assert one_round_trip(response) == (204, b"", False)


def test_every_interim_1xx_but_101_is_skipped():
    """Go's transport reads past an interim 103 Early Hints as past a 100 Continue; a 101 is the
    answer (the connection then speaks another protocol)."""
    early_hints = b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
    assert one_round_trip(early_hints + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}") == (200, b"{}", False)
    switching = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    assert one_round_trip(switching)[0] == 101


def test_a_connection_given_back_with_an_unasked_response_buffered_is_closed():
    """Bytes that came with an answer but after it (here a second, unasked response in the same
    write) would answer the connection's next request: the pool closes it, as Go's persistConn
    closes an idle connection that receives anything."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    conn, _ = answered_with(ok + b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n\"stale\"")
    assert conn.round_trip(HEAD, b"{}") == (200, b"{}", False)
    idle = IdleConnections(1)
    idle.give_back(conn)
    assert idle.take() is None
    assert conn.sock.fileno() == -1


def test_a_connection_given_back_with_nothing_unread_is_kept():
    conn, _ = answered_with(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    assert conn.round_trip(HEAD, b"{}") == (200, b"{}", False)
    idle = IdleConnections(1)
    idle.give_back(conn)
    assert idle.take() is conn
    conn.close()


def test_a_connection_given_back_after_close_is_closed_until_one_is_taken_again():
    """Go's CloseIdleConnections sets closeIdle: a request answered after it does not leave its
    connection idle; a request that wants a connection again (queueForIdleConn) ends that."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    idle = IdleConnections(2)
    in_flight, _ = answered_with(ok)
    idle.close()
    in_flight.round_trip(HEAD, b"{}")
    idle.give_back(in_flight)
    assert in_flight.sock.fileno() == -1
    assert idle.take() is None
    later, _ = answered_with(ok)
    later.round_trip(HEAD, b"{}")
    idle.give_back(later)
    assert idle.take() is later
    later.close()


def test_server_gone_before_answering_is_remote_disconnected():
    """The retry in RestClient.request hangs on this error: an idle connection the server dropped."""
    with pytest.raises(http.client.RemoteDisconnected):
        one_round_trip(b"", close_after=True)


def test_short_body_and_garbage_status_are_errors():
    with pytest.raises(http.client.IncompleteRead):
        one_round_trip(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", close_after=True)
    with pytest.raises(http.client.BadStatusLine):
        one_round_trip(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_watch_lines_are_split_and_joined_across_chunks():
    """A chunked stream yields one line per event: two events in a chunk are two lines, an event
    split over chunks is one, and blank keep-alive lines come through as empty lines."""
    chunks = [b'{"a":1}\n{"b":2}\n', b'{"c"', b':3}\n\n', b'{"d":4', b"}"]
    conn, _ = answered_with(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n")
    conn.send(HEAD, b"{}")
    response = conn.read_head()
    assert list(conn.iter_lines(response)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}', b"", b'{"d":4}']
    conn.close()


def test_watch_lines_of_a_stream_without_chunking():
    conn, _ = answered_with(b"HTTP/1.1 200 OK\r\n\r\n{\"a\":1}\r\n{\"b\":2}\n", close_after=True)
    conn.send(HEAD, b"{}")
    assert list(conn.iter_lines(conn.read_head())) == [b'{"a":1}', b'{"b":2}']
    conn.close()


@pytest.mark.parametrize("length", [b"abc", b"-5", b"+2"])
def test_a_content_length_that_is_not_decimal_digits_is_a_malformed_answer(length):
    """Go's parseContentLength reads the value with strconv.ParseUint: a sign or a letter is
    `bad Content-Length "…"`, an error of the transport, never a plain ValueError."""
    with pytest.raises(http.client.HTTPException, match=re.escape(f'bad Content-Length "{length.decode()}"')):
        one_round_trip(b"HTTP/1.1 200 OK\r\nContent-Length: " + length + b"\r\n\r\n{}", close_after=True)
