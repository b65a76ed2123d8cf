"""The peer transport between reference members: Raft messages as length-prefixed frames over TCP.

Our own design, in the role of etcd's rafthttp: each member listens on its peer URL; for every
other member it keeps one outgoing connection, fed by a queue and a sender thread that reconnects
after a failure. A frame is a 4-byte big-endian length and a JSON message (bytes in base64).
Raft tolerates lost messages, so the transport never retries one: when a peer cannot be reached
the queued messages are dropped and the node is told (ReportUnreachable), and a snapshot that
could not be sent is reported failed (ReportSnapshot), as rafthttp does.

Nothing here knows what the messages mean; `on_message`, `on_unreachable` and `on_snapshot_status`
are the driver's.
"""
from __future__ import annotations

import base64
import json
import queue
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from reference_impl.etcd.etcdhttp import RAFTHTTP
from reference_impl.etcd.peerhttp import is_http_request
from reference_impl.etcd.raft import (
    ConfState, Entry, EntryType, Message, MessageType, Snapshot, SnapshotMetadata)
from reference_impl.machinery import jsonbytes
from reference_impl.machinery.prometheus import Family
from reference_impl.mirrors import mirrors

_LENGTH = struct.Struct(">I")
MAX_FRAME = 512 * 1024 * 1024
QUEUE_SIZE = 4096  # rafthttp's streamBufSize
CONNECT_TIMEOUT = 1.0
PROBE_INTERVAL = 0.5  # an idle sender checks its connection (or reconnects) this often
READ_TIMEOUT = 300.0  # embed's servePeers: the peer http.Server's ReadTimeout, 5 minutes


class PeerMetrics:
    """rafthttp's families (etcd_network_*) for this transport: the bytes written to and read
    from each peer (whole frames of this transport's own encoding, as etcd counts what its
    stream writer flushes), the messages that could not be sent, and the peers connected now and
    disconnected since start, labelled with member ids in hexadecimal as types.ID prints them."""

    def __init__(self, local_id: int) -> None:
        self.local = f"{local_id:x}"
        self.active_peers = Family("etcd_network_active_peers", "The current number of active peer connections.",
                                   "gauge", ("Local", "Remote"))
        self.disconnected_peers = Family("etcd_network_disconnected_peers_total",
                                         "The total number of disconnected peers.", "counter", ("Local", "Remote"))
        self.sent_bytes = Family("etcd_network_peer_sent_bytes_total", "The total number of bytes sent to peers.",
                                 "counter", ("To",))
        self.received_bytes = Family("etcd_network_peer_received_bytes_total",
                                     "The total number of bytes received from peers.", "counter", ("From",))
        self.sent_failures = Family("etcd_network_peer_sent_failures_total",
                                    "The total number of send failures from peers.", "counter", ("To",))

    @mirrors(f"(*{RAFTHTTP}.peerStatus).activate")
    def activate(self, peer_id: int) -> None:
        self.active_peers.inc(self.local, f"{peer_id:x}")

    @mirrors(f"(*{RAFTHTTP}.peerStatus).deactivate")
    def deactivate(self, peer_id: int) -> None:
        self.active_peers.inc(self.local, f"{peer_id:x}", by=-1)
        self.disconnected_peers.inc(self.local, f"{peer_id:x}")

    def families(self) -> list[Family]:
        return [self.active_peers, self.disconnected_peers, self.received_bytes, self.sent_bytes,
                self.sent_failures]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode_message(m: Message) -> bytes:
    snap = m.snapshot
    plain = {
        "t": int(m.type), "to": m.to, "from": m.from_, "term": m.term, "lt": m.log_term,
        "i": m.index, "c": m.commit, "r": m.reject, "rh": m.reject_hint, "ctx": _b64(m.context),
        "e": [[e.term, e.index, int(e.type), _b64(e.data)] for e in m.entries],
    }
    if not snap.is_empty():
        md = snap.metadata
        plain["s"] = {"d": _b64(snap.data), "i": md.index, "t": md.term,
                      "v": list(md.conf_state.voters), "l": list(md.conf_state.learners)}
    return jsonbytes.dumps(plain)


def decode_message(data: bytes) -> Message:
    return _message_from(json.loads(data))


def _message_from(p: dict) -> Message:
    """A frame's message; TypeError for a field of another type than raftpb's (a uint64 of
    1.5, "1", true or -1, a bool of 1): the read loop drops the connection then."""
    snapshot = Snapshot()
    if "s" in p:
        s = p["s"]
        snapshot = Snapshot(base64.b64decode(s["d"]),
                            SnapshotMetadata(ConfState(_uints(s["v"]), _uints(s["l"])),
                                             _uint(s["i"]), _uint(s["t"])))
    entries = tuple(Entry(_uint(t), _uint(i), EntryType(k), base64.b64decode(d)) for t, i, k, d in p["e"])
    return Message(MessageType(p["t"]), _uint(p["to"]), _uint(p["from"]), _uint(p["term"]),
                   _uint(p["lt"]), _uint(p["i"]), entries, _uint(p["c"]), snapshot, _bool(p["r"]),
                   _uint(p["rh"]), base64.b64decode(p["ctx"]))


def _uint(value) -> int:
    if type(value) is not int or value < 0:
        raise TypeError(f"not an unsigned integer: {value!r}")
    return value


def _bool(value) -> bool:
    if type(value) is not bool:
        raise TypeError(f"not a boolean: {value!r}")
    return value


def _uints(values) -> tuple[int, ...]:
    return tuple(_uint(value) for value in values)


def peer_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 2380


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < size:
        chunk = sock.recv(size - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


class _Peer(threading.Thread):
    """The outgoing half to one member: a queue and a thread that writes it to a socket."""

    def __init__(self, transport: Transport, peer_id: int, urls: tuple[str, ...]) -> None:
        super().__init__(name=f"etcd-peer-{peer_id:x}", daemon=True)
        self.transport = transport
        self.peer_id = peer_id
        self.urls = urls
        self.queue: queue.Queue[Message | None] = queue.Queue(QUEUE_SIZE)
        self.sock: socket.socket | None = None
        self.active_since: float | None = None  # time.monotonic() of the current connection

    def send(self, m: Message) -> None:
        try:
            self.queue.put_nowait(m)
        except queue.Full:
            self._failed(m)

    def _failed(self, m: Message) -> None:
        self.transport.metrics.sent_failures.inc(f"{self.peer_id:x}")
        if m.type == MessageType.MsgSnap:
            self.transport.on_snapshot_status(self.peer_id, True)
        self.transport.on_unreachable(self.peer_id)

    def _connect(self) -> socket.socket | None:
        for url in self.urls:
            try:
                sock = socket.create_connection(peer_address(url), timeout=CONNECT_TIMEOUT)
            except OSError:
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        return None

    def _open(self) -> None:
        self.sock = self._connect()
        self.active_since = time.monotonic() if self.sock is not None else None
        if self.sock is not None:
            self.transport.metrics.activate(self.peer_id)

    def _drop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.transport.metrics.deactivate(self.peer_id)
        self.sock, self.active_since = None, None

    def _closed_by_peer(self) -> bool:
        """Nothing ever comes back on this connection, so anything readable is its end."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            return bool(readable) and self.sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    @mirrors(f"(*{RAFTHTTP}.streamWriter).run", f"(*{RAFTHTTP}.peerStatus).activate")
    def run(self) -> None:
        """Stay connected (so `active_since` tells how long the peer has been reachable, which
        reconfiguration checks ask) and write whatever is queued."""
        while True:
            try:
                m = self.queue.get(timeout=PROBE_INTERVAL)
            except queue.Empty:
                if self.sock is None:
                    self._open()
                elif self._closed_by_peer():
                    self._drop()
                continue
            if m is None:
                break
            batch = [m]
            while len(batch) < 256:
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self.queue.put(None)
                    break
                batch.append(more)
            if self.sock is None:
                self._open()
            if self.sock is None:
                for m in batch:
                    self._failed(m)
                continue
            data = b"".join(_LENGTH.pack(len(body)) + body for body in map(encode_message, batch))
            try:
                self.sock.sendall(data)
            except OSError:
                self._drop()
                for m in batch:
                    self._failed(m)
                continue
            self.transport.metrics.sent_bytes.inc(f"{self.peer_id:x}", by=len(data))
            for m in batch:
                if m.type == MessageType.MsgSnap:
                    self.transport.on_snapshot_status(self.peer_id, False)
        self._drop()

    def stop(self) -> None:
        self.queue.put(None)


class Transport:
    """Listens on `listen` (host, port; None: nowhere, a lone member's case) and sends to the
    members `add_peer` names."""

    @mirrors(f"(*{RAFTHTTP}.Transport).Start")
    def __init__(self, listen: tuple[str, int] | None, on_message: Callable[[Message], None],
                 on_unreachable: Callable[[int], None],
                 on_snapshot_status: Callable[[int, bool], None],
                 on_query: Callable[[dict], dict] = lambda query: {}, local_id: int = 0,
                 on_http: Callable[[socket.socket, tuple], None] | None = None,
                 read_timeout: float = READ_TIMEOUT) -> None:
        self.on_message = on_message
        self.on_http = on_http  # serves a connection that opens with an HTTP/1 request
        self.read_timeout = read_timeout
        self.metrics = PeerMetrics(local_id)
        self.on_query = on_query
        self.on_unreachable = on_unreachable
        self.on_snapshot_status = on_snapshot_status
        self.peers: dict[int, _Peer] = {}
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._closed = False
        self.listener: socket.socket | None = None
        if listen is None:
            return
        family = socket.AF_INET6 if ":" in listen[0] else socket.AF_INET
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(listen)
        self.listener.listen(64)
        threading.Thread(target=self._accept_loop, name="etcd-peer-accept", daemon=True).start()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                conn, address = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn, address), name="etcd-peer-read",
                             daemon=True).start()

    def _serve(self, conn: socket.socket, address: tuple) -> None:
        """Read frames from a connection, or hand it to on_http if it opens with an HTTP request.
        The first byte is awaited with no timeout: a member's Raft stream connects before it has
        anything to say, and may stay silent as long as etcd's streams do (followers rarely
        write to each other). Once the first byte says HTTP, each read of the exchange may take
        read_timeout at most, so a half-sent request does not hold its thread for good."""
        try:
            first = conn.recv(1, socket.MSG_PEEK)
        except OSError:
            first = b""
        if first and (self.on_http is None or not is_http_request(first)):
            self._read_loop(conn)
            return
        try:
            if first:
                conn.settimeout(self.read_timeout)
                self.on_http(conn, address)
        except OSError:
            pass  # the client went away mid-answer, or was too slow to ask
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    @mirrors(f"(*{RAFTHTTP}.streamReader).decodeLoop")
    def _read_loop(self, conn: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(conn, _LENGTH.size)
                if header is None:
                    return
                (size,) = _LENGTH.unpack(header)
                if size > MAX_FRAME:
                    return
                body = _recv_exact(conn, size)
                if body is None:
                    return
                try:
                    plain = json.loads(body)
                    if "query" in plain:
                        # A member joining after `member add` asks who is in the cluster; a
                        # follower asks the leader to promote a learner.
                        answer = json.dumps(self.on_query(plain)).encode()
                        conn.sendall(_LENGTH.pack(len(answer)) + answer)
                        continue
                    m = _message_from(plain)
                except (ValueError, KeyError, TypeError) as err:
                    print(f"reference etcd: dropping a malformed peer frame: {err}", file=sys.stderr,
                          flush=True)
                    return
                if m.from_ in self.peers:  # a known member's stream, as etcd's handlers accept only those
                    self.metrics.received_bytes.inc(f"{m.from_:x}", by=_LENGTH.size + size)
                self.on_message(m)
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    @mirrors(f"(*{RAFTHTTP}.Transport).AddPeer")
    def add_peer(self, peer_id: int, urls: tuple[str, ...]) -> None:
        with self._lock:
            if peer_id in self.peers or self._closed:
                return
            peer = self.peers[peer_id] = _Peer(self, peer_id, urls)
        peer.start()

    @mirrors(f"(*{RAFTHTTP}.Transport).RemovePeer")
    def remove_peer(self, peer_id: int) -> None:
        with self._lock:
            peer = self.peers.pop(peer_id, None)
        if peer is not None:
            peer.stop()

    @mirrors(f"(*{RAFTHTTP}.Transport).ActiveSince")
    def active_since(self, peer_id: int) -> float | None:
        """Since when (time.monotonic()) the connection to `peer_id` has been up; None if down."""
        peer = self.peers.get(peer_id)
        return peer.active_since if peer is not None else None

    @mirrors(f"(*{RAFTHTTP}.Transport).Send")
    def send(self, messages: list[Message]) -> None:
        for m in messages:
            peer = self.peers.get(m.to)
            if peer is not None:
                peer.send(m)

    @mirrors(f"(*{RAFTHTTP}.Transport).Stop")
    def close(self) -> None:
        with self._lock:
            self._closed = True
            peers, self.peers = list(self.peers.values()), {}
            conns = list(self._conns)
        for peer in peers:
            peer.stop()
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@mirrors("go.etcd.io/etcd/server/v3/etcdserver.GetClusterFromRemotePeers")
def fetch_members(peer_urls: list[str], timeout: float = 2.0) -> dict | None:
    """{"cluster_id": …, "members": [plain members]} as one of `peer_urls` answers it, or None."""
    return ask_peer(peer_urls, {"query": "members"}, timeout)


@mirrors("go.etcd.io/etcd/server/v3/etcdserver.promoteMemberHTTP")
def promote_member_remote(peer_urls: tuple[str, ...], member_id: int, timeout: float) -> dict | None:
    """{"members": [plain members]} or {"error": error class name}, as the leader at
    `peer_urls` answers a promote of `member_id`; None if it cannot be reached."""
    return ask_peer(list(peer_urls), {"query": "promote", "id": member_id}, timeout)


@mirrors("go.etcd.io/etcd/server/v3/lease/leasehttp.RenewHTTP")
def renew_lease_remote(peer_urls: tuple[str, ...], lease_id: int, timeout: float) -> dict | None:
    """{"ttl": TTL} (0 for a lease unknown or expired) or {"error": error class name}, as the
    leader at `peer_urls` answers a keep-alive of `lease_id`; None if it cannot be reached."""
    return ask_peer(list(peer_urls), {"query": "lease_renew", "id": lease_id}, timeout)


@mirrors("go.etcd.io/etcd/server/v3/lease/leasehttp.TimeToLiveHTTP")
def lease_ttl_remote(peer_urls: tuple[str, ...], lease_id: int, keys: bool, timeout: float) -> dict | None:
    """{"ttl": …, "granted_ttl": …, "keys": [base64 …]} or {"error": error class name}, as the
    leader at `peer_urls` answers; None if it cannot be reached."""
    return ask_peer(list(peer_urls), {"query": "lease_ttl", "id": lease_id, "keys": keys}, timeout)


def ask_peer(peer_urls: list[str], question: dict, timeout: float) -> dict | None:
    """The first answer one of `peer_urls` gives to `question`, or None."""
    query = json.dumps(question).encode()
    for url in peer_urls:
        try:
            with socket.create_connection(peer_address(url), timeout=timeout) as sock:
                sock.sendall(_LENGTH.pack(len(query)) + query)
                header = _recv_exact(sock, _LENGTH.size)
                body = _recv_exact(sock, _LENGTH.unpack(header)[0]) if header else None
        except OSError:
            continue
        if body is not None:
            return json.loads(body)
    return None
