"""The listening side of the kubelet's API when many hollow nodes share one accepting thread:
bursts of connections queue as Go's listeners queue them, and running out of descriptors makes
the loop wait and retry as net/http's Serve does instead of spinning."""
from __future__ import annotations

import errno
import http.client
import logging
import socket
import ssl
import time

import pytest

from reference_impl.kubelet.logserver import AcceptLoop, LogServer, accept_retry_delay
from reference_impl.machinery.certutil import issue_serving_cert, new_ca
from reference_impl.machinery.goserver import serving_context


def node_server(tmp_path) -> LogServer:
    """A node's API over plain HTTP that knows no pods."""
    return LogServer(tmp_path, lambda namespace, name: None, lambda key, name: False, tls=None, auth=None)


def test_a_burst_of_connections_is_queued_not_dropped(tmp_path):
    """Go listens with the kernel's backlog: fifty clients connecting before any is accepted all
    get their connection at once (a backlog of 5 drops the rest's SYNs for a second each)."""
    server = node_server(tmp_path)
    clients = []
    try:
        for _ in range(50):
            clients.append(socket.create_connection(("127.0.0.1", server.port), timeout=0.5))
    finally:
        for client in clients:
            client.close()
        server.stop()
    assert len(clients) == 50


def test_the_retry_delay_doubles_from_5ms_up_to_a_second():
    """net/http's Serve: 5ms after the first failed accept, then twice the last, at most 1s."""
    delays = [accept_retry_delay(0.0)]
    while len(delays) < 10:
        delays.append(accept_retry_delay(delays[-1]))
    assert delays == [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0, 1.0]


def test_out_of_descriptors_the_loop_backs_off_and_serves_once_accept_works(tmp_path, monkeypatch, caplog):
    """A listener whose accept fails with EMFILE stays readable: the loop waits 5ms, 10ms, ...
    between tries (a handful in 0.6s, not thousands), says so in net/http's words, and serves
    the waiting connection once accept works again."""
    server = node_server(tmp_path)
    tries = []
    accept = server._httpd.get_request

    def out_of_descriptors():
        tries.append(time.monotonic())
        raise OSError(errno.EMFILE, "Too many open files")
    monkeypatch.setattr(server._httpd, "get_request", out_of_descriptors)
    loop = AcceptLoop([server])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        with caplog.at_level(logging.WARNING, logger="reference_impl.kubelet.logserver"):
            connection.connect()
            loop.start()
            time.sleep(0.6)
            assert 3 <= len(tries) <= 10, f"{len(tries)} accepts in 0.6s"
            monkeypatch.setattr(server._httpd, "get_request", accept)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, b"ok")
        assert (f"http: Accept error: accept tcp 127.0.0.1:{server.port}: accept4: too many open files; "
                "retrying in 5ms") in caplog.messages
    finally:
        connection.close()
        loop.stop()


def test_a_connection_reset_before_its_accept_is_skipped_and_another_error_ends_the_loop(tmp_path, caplog):
    """Go's accept tries again at once after ECONNABORTED (no back-off, no log); an error that is
    not temporary ends Serve, so the loop fails and says why."""
    server = node_server(tmp_path)
    errors = [ConnectionAbortedError(errno.ECONNABORTED, "aborted"), OSError(errno.EINVAL, "Invalid argument")]
    accept = server._httpd.get_request

    def failing():
        if errors:
            raise errors.pop(0)
        return accept()
    server._httpd.get_request = failing
    loop = AcceptLoop([server])
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        with caplog.at_level(logging.WARNING, logger="reference_impl.kubelet.logserver"):
            connection.connect()
            loop.start()
            assert loop.failed.wait(5)
        assert isinstance(loop.error, OSError) and loop.error.errno == errno.EINVAL
        assert not caplog.messages
    finally:
        connection.close()
        loop.stop()


@pytest.mark.parametrize("stalled", [b"", b"\x16\x03\x01\x00"], ids=["nothing", "half-a-record-header"])
def test_a_client_that_never_finishes_its_handshake_holds_no_other_node(tmp_path, stalled):
    """The handshake runs in the connection's own thread: clients stalled in theirs on one node's
    port keep neither that node nor another from answering at once."""
    pair = issue_serving_cert(new_ca(), ("node",), ("127.0.0.1",))
    (tmp_path / "kubelet.crt").write_bytes(pair.cert_pem)
    (tmp_path / "kubelet.key").write_bytes(pair.key_pem)
    tls = serving_context(tmp_path / "kubelet.crt", tmp_path / "kubelet.key", None)
    servers = [LogServer(tmp_path, lambda namespace, name: None, lambda key, name: False, tls=tls, auth=None)
               for _ in range(2)]
    loop = AcceptLoop(servers)
    loop.start()
    stalled_clients = [socket.create_connection(("127.0.0.1", servers[0].port)) for _ in range(20)]
    try:
        for client in stalled_clients:
            client.sendall(stalled)
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        for server in servers:
            started = time.monotonic()
            connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=5, context=context)
            connection.request("GET", "/healthz")
            assert connection.getresponse().status == 200
            connection.close()
            assert time.monotonic() - started < 2
    finally:
        for client in stalled_clients:
            client.close()
        loop.stop()
