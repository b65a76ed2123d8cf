"""Rules for the userspace proxy: round-robin choice (sans-IO), then real TCP/UDP on loopback."""
from __future__ import annotations

import socket
import socketserver
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from reference_impl.proxy.userspace import LoadBalancerRR, NoEndpointsError, UserspaceProxier  # noqa: E402


def test_round_robin_cycles_through_endpoints():
    """Successive picks walk the endpoint list in order and wrap around."""
    lb = LoadBalancerRR()
    lb.on_endpoints_update("ns/a:http", [("10.0.0.1", 80), ("10.0.0.2", 80)])
    assert [lb.next_endpoint("ns/a:http")[0] for _ in range(3)] == ["10.0.0.1", "10.0.0.2", "10.0.0.1"]


def test_unchanged_endpoints_keep_position():
    """Re-sending the same endpoint list does not reset the round-robin position."""
    lb = LoadBalancerRR()
    eps = [("10.0.0.1", 80), ("10.0.0.2", 80)]
    lb.on_endpoints_update("s", eps)
    lb.next_endpoint("s")
    lb.on_endpoints_update("s", list(eps))
    assert lb.next_endpoint("s") == ("10.0.0.2", 80)


def test_no_endpoints_raises():
    """A service port without endpoints cannot be picked."""
    with pytest.raises(NoEndpointsError):
        LoadBalancerRR().next_endpoint("ns/missing")


class _TagTCP(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        self.request.sendall(self.server.tag + b":" + data)


class _TagUDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(self.server.tag + b":" + data, self.client_address)


def _start(server_cls, handler, tag):
    server = server_cls(("127.0.0.1", 0), handler)
    server.tag = tag
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxier():
    p = UserspaceProxier()
    yield p
    p.close()


def test_tcp_traffic_is_balanced_round_robin(proxier):
    """Each new TCP connection to the service port reaches the next endpoint, bytes flow both ways."""
    servers = [_start(socketserver.ThreadingTCPServer, _TagTCP, tag) for tag in (b"a", b"b")]
    try:
        proxier.load_balancer.on_endpoints_update("ns/echo:tcp", [s.server_address for s in servers])
        port = proxier.add_service("ns/echo:tcp", "TCP")
        replies = []
        for i in range(4):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"hi%d" % i)
                replies.append(conn.recv(1024))
        assert replies == [b"a:hi0", b"b:hi1", b"a:hi2", b"b:hi3"]
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def test_udp_traffic_is_balanced_per_client(proxier):
    """Each new UDP client reaches the next endpoint; replies come back from the service port."""
    servers = [_start(socketserver.ThreadingUDPServer, _TagUDP, tag) for tag in (b"a", b"b")]
    try:
        proxier.load_balancer.on_endpoints_update("ns/echo:udp", [s.server_address for s in servers])
        port = proxier.add_service("ns/echo:udp", "UDP")
        replies = []
        for i in range(2):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                client.settimeout(5)
                client.sendto(b"q%d" % i, ("127.0.0.1", port))
                data, source = client.recvfrom(1024)
                assert source[1] == port
                replies.append(data)
        assert replies == [b"a:q0", b"b:q1"]
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
