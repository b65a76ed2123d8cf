"""A userspace proxy: a round-robin load balancer (sans-IO) and a thin socket adapter.

Mirrors the shape of 1.24's `pkg/proxy/userspace`: `LoadBalancerRR.next_endpoint` picks a backend
per new connection (TCP) or per client address (UDP); `UserspaceProxier` opens one loopback
listener per service port and copies bytes between the client and the chosen endpoint.
"""
from __future__ import annotations

import select
import socket
import threading
from dataclasses import dataclass, field

from reference_impl.mirrors import mirrors

from .errors import ProxyError


class NoEndpointsError(ProxyError):
    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__(f"service {service} has no endpoints")


@dataclass
class LoadBalancerRR:
    """Round-robin over each service port's endpoints; the index survives endpoint updates that keep the list."""

    endpoints: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)

    def on_endpoints_update(self, service: str, endpoints: list[tuple[str, int]]) -> None:
        if self.endpoints.get(service) != endpoints:
            self.endpoints[service] = list(endpoints)
            self._index[service] = 0

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/userspace.LoadBalancerRR).NextEndpoint")
    def next_endpoint(self, service: str) -> tuple[str, int]:
        eps = self.endpoints.get(service)
        if not eps:
            raise NoEndpointsError(service)
        i = self._index.get(service, 0) % len(eps)
        self._index[service] = i + 1
        return eps[i]


# upstream's EndpointDialTimeouts: one dial per entry, each to the next endpoint.
ENDPOINT_DIAL_TIMEOUTS = (0.25, 0.5, 1.0, 2.0)


class UserspaceProxier:
    """Serve each service port on 127.0.0.1 (an ephemeral port) and forward to its endpoints.

    `add_service(name, protocol)` returns the bound port. Threads are daemons; `close()` stops them.
    """

    UDP_IDLE_TIMEOUT = 2.0

    def __init__(self, load_balancer: LoadBalancerRR | None = None, host: str = "127.0.0.1") -> None:
        self.load_balancer = load_balancer or LoadBalancerRR()
        self.host = host
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()

    def add_service(self, service: str, protocol: str = "TCP", port: int = 0) -> int:
        if protocol.upper() == "TCP":
            sock = socket.create_server((self.host, port))
            target = self._tcp_loop
        elif protocol.upper() == "UDP":
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((self.host, port))
            target = self._udp_loop
        else:
            raise ProxyError(f"protocol {protocol} is not supported by the userspace proxy")
        sock.settimeout(0.2)
        self._sockets.append(sock)
        threading.Thread(target=target, args=(service, sock), daemon=True).start()
        return sock.getsockname()[1]

    def close(self) -> None:
        self._stop.set()
        for sock in self._sockets:
            sock.close()

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/userspace.tcpProxySocket).ProxyLoop")
    def _tcp_loop(self, service: str, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            backend = self._connect_backend(service)
            if backend is None:
                client.close()
                continue
            threading.Thread(target=_copy_both_ways, args=(client, backend), daemon=True).start()

    @mirrors("k8s.io/kubernetes/pkg/proxy/userspace.TryConnectEndpoints")
    def _connect_backend(self, service: str) -> socket.socket | None:
        """Dial endpoints in turn, a longer timeout each time, so a backend that just went away
        (its endpoint not yet withdrawn) costs a retry, not the client's connection."""
        for timeout in ENDPOINT_DIAL_TIMEOUTS:
            try:
                backend = socket.create_connection(self.load_balancer.next_endpoint(service), timeout=timeout)
            except NoEndpointsError:
                return None
            except OSError:
                continue
            backend.settimeout(5)
            return backend
        return None

    @mirrors("(*k8s.io/kubernetes/pkg/proxy/userspace.udpProxySocket).ProxyLoop")
    def _udp_loop(self, service: str, sock: socket.socket) -> None:
        # One backend socket per client address, so replies find their way back and a client
        # keeps its endpoint for the life of its "connection", as upstream's activeClients does.
        clients: dict[tuple[str, int], socket.socket] = {}
        while not self._stop.is_set():
            try:
                data, client = sock.recvfrom(65535)
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            backend = clients.get(client)
            if backend is None:
                try:
                    endpoint = self.load_balancer.next_endpoint(service)
                except NoEndpointsError:
                    continue
                backend = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                backend.connect(endpoint)
                clients[client] = backend
                threading.Thread(target=self._udp_replies, args=(sock, backend, client, clients),
                                 daemon=True).start()
            backend.send(data)

    def _udp_replies(self, sock: socket.socket, backend: socket.socket, client, clients) -> None:
        backend.settimeout(self.UDP_IDLE_TIMEOUT)
        try:
            while not self._stop.is_set():
                sock.sendto(backend.recv(65535), client)
        except OSError:
            pass
        finally:
            clients.pop(client, None)
            backend.close()


@mirrors("k8s.io/kubernetes/pkg/proxy/userspace.ProxyTCP")
def _copy_both_ways(a: socket.socket, b: socket.socket) -> None:
    pair = {a: b, b: a}
    try:
        while True:
            readable, _, _ = select.select(list(pair), [], [], 30)
            if not readable:
                return
            for src in readable:
                data = src.recv(65536)
                if not data:
                    return
                pair[src].sendall(data)
    except OSError:
        pass
    finally:
        a.close()
        b.close()
