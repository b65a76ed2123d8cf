"""The REST client's kept-alive connections, as Go's transport keeps them: shared by the client's
threads, at most IDLE_CONNS_PER_HOST kept idle, an idle one the server dropped never used, and a
request sent again on a new connection only when sending it twice changes nothing."""
from __future__ import annotations

import http.client
import socket
import ssl
import struct
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tls_apiserver import CountingServer, JsonAnswers, tls_apiserver  # noqa: F401 - the fixture

from reference_impl.client import http1
from reference_impl.client.rest import IDLE_CONNS_PER_HOST, RestClient


class Apiserver(CountingServer):
    """Answers each request with `answer(handler)`, once its body is read."""

    request_queue_size = 64

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(tls, Answering)
        self.answer = answer_ok


class Answering(JsonAnswers):
    served = 0  # requests served on this connection

    def handle_one_request(self) -> None:
        self.served += 1
        super().handle_one_request()

    def do_GET(self) -> None:
        self.request_body()
        self.server.answer(self)

    do_POST = do_DELETE = do_GET


def answer_ok(handler: Answering) -> None:
    handler.send_json(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})


@pytest.fixture
def apiserver_and_client(tls_apiserver):
    return tls_apiserver(Apiserver)


def closing_the_second_request_unanswered(handler: Answering, seen: list[str]) -> None:
    """The first request of a connection answered; the second taken in, then the connection
    closed without an answer (as an apiserver that stored a create and then went away)."""
    seen.append(handler.command)
    if handler.served == 2:
        handler.close_connection = True
        return
    answer_ok(handler)


def test_a_create_the_server_took_in_on_a_reused_connection_is_not_sent_again(apiserver_and_client):
    """Go's transport sends a request again after its kept-alive connection failed only when it is
    replayable (GET, HEAD, OPTIONS, TRACE): a POST the server may have stored fails instead of
    creating the object twice."""
    server, client = apiserver_and_client
    seen: list[str] = []
    server.answer = lambda handler: closing_the_second_request_unanswered(handler, seen)
    client.request("POST", "/api/v1/namespaces/default/pods", {"kind": "Pod"})
    with pytest.raises(http.client.RemoteDisconnected):
        client.request("POST", "/api/v1/namespaces/default/pods", {"kind": "Pod"})
    assert seen == ["POST", "POST"]


def test_a_get_the_server_dropped_on_a_reused_connection_is_sent_again(apiserver_and_client):
    """A GET is replayable: on a new connection, unseen by the caller."""
    server, client = apiserver_and_client
    seen: list[str] = []
    server.answer = lambda handler: closing_the_second_request_unanswered(handler, seen)
    client.request("GET", "/api/v1/pods")
    assert client.request("GET", "/api/v1/pods")["status"] == "Success"
    assert seen == ["GET", "GET", "GET"] and server.accepted == 2


class ResettingIdle(Answering):
    """Closes a connection idle for 0.3 s with a reset (SO_LINGER 0), as an apiserver's idle
    timeout behind a proxy that resets them."""

    timeout = 0.3

    def finish(self) -> None:
        super().finish()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_an_idle_connection_the_server_reset_is_not_used(apiserver_and_client):
    """An apiserver that reset an idle kept-alive connection: the next request, a DELETE that may
    not be sent twice, goes over a new connection, as urllib3 checks that an idle connection was
    not dropped before using it."""
    server, client = apiserver_and_client
    server.RequestHandlerClass = ResettingIdle
    client.request("DELETE", "/api/v1/namespaces/default/pods/a")
    assert server.connection_ended.wait(10)
    assert client.request("DELETE", "/api/v1/namespaces/default/pods/b")["status"] == "Success"
    assert server.accepted == 2


def test_a_create_that_failed_before_a_byte_was_written_is_sent_again(apiserver_and_client, monkeypatch):
    """A kept-alive connection reset after take()'s check (the race no check closes): the POST
    fails before any of it is written, so it cannot have been stored, and goes again on a new
    connection, as Go's transport sends any request again on a nothingWrittenError."""
    server, client = apiserver_and_client
    server.RequestHandlerClass = ResettingIdle
    client.request("GET", "/api/v1/pods")
    assert server.connection_ended.wait(10)
    monkeypatch.setattr(http1.Connection, "dropped", lambda conn: False)  # the reset lands after the check
    assert client.request("POST", "/api/v1/namespaces/default/pods", {"kind": "Pod"})["status"] == "Success"
    assert server.accepted == 2


def in_flight_together(server: Apiserver, together: int) -> threading.Barrier:
    """Hold each request until `together` are being answered at once."""
    barrier = threading.Barrier(together, timeout=30)

    def answer(handler: Answering) -> None:
        barrier.wait()
        answer_ok(handler)

    server.answer = answer
    return barrier


def requests_at_once(client: RestClient, count: int) -> None:
    with ThreadPoolExecutor(count) as threads:
        list(threads.map(lambda i: client.request("DELETE", f"/api/v1/namespaces/default/pods/p{i}"),
                         range(count)))


def test_connections_past_the_idle_limit_are_closed_and_the_others_reused(apiserver_and_client):
    """As many connections as requests in flight at once (Go's transport has no cap on them), of
    which IDLE_CONNS_PER_HOST stay open once answered (MaxIdleConnsPerHost): as many requests at
    once again open only the connections that were closed."""
    server, client = apiserver_and_client
    together = IDLE_CONNS_PER_HOST + 10
    in_flight_together(server, together)
    requests_at_once(client, together)
    assert server.accepted == together
    in_flight_together(server, together)
    requests_at_once(client, together)
    assert server.accepted == together + 10
