"""The gRPC Watch stream's send loop drains the watches the core named, not every watch of the
stream: a kube-apiserver keeps one watch per cached resource on one stream, and each write
wakes one or two of them."""
from __future__ import annotations

from aetcd.rpc import rpc_pb2

from reference_impl.etcd import EtcdServer
from reference_impl.etcd.grpc_adapter import WatchRouter, _WatchStream
from reference_impl.etcd.messages import PutRequest
from reference_impl.machinery.clock import ManualClock

PREFIXES = [f"/registry/kind-{i}/".encode() for i in range(20)]


class CountingServer:
    """An EtcdServer that counts the watch drains asked of it."""

    def __init__(self, server: EtcdServer):
        self._server = server
        self.drains: list[int] = []

    def watch_drain(self, watch_id: int):
        self.drains.append(watch_id)
        return self._server.watch_drain(watch_id)

    def __getattr__(self, name: str):
        return getattr(self._server, name)


def _stream_of_twenty_watches() -> tuple[EtcdServer, CountingServer, _WatchStream]:
    server = EtcdServer(ManualClock())
    counting = CountingServer(server)
    router = WatchRouter()
    server.set_watch_listener(router)
    stream = _WatchStream(counting, router)
    stream.recv_loop(iter(rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(
        key=prefix, range_end=prefix[:-1] + b"0")) for prefix in PREFIXES))
    assert sum(r.created for r in stream._drain()) == len(PREFIXES)
    return server, counting, stream


def test_a_write_drains_only_the_watch_it_woke():
    """A put under one of twenty watched prefixes costs the send loop one drain, not twenty."""
    server, counting, stream = _stream_of_twenty_watches()
    counting.drains.clear()
    server.put(PutRequest(PREFIXES[7] + b"a", b"v"))
    sent = stream._drain()
    assert [(r.watch_id, [e.kv.key for e in r.events]) for r in sent] == [(7, [PREFIXES[7] + b"a"])]
    assert len(counting.drains) == 1


def test_writes_named_twice_are_drained_once_in_the_order_named():
    """Two puts to one watch and one to another before the send loop looks: each watch drained
    once, its revisions joined, the watches in the order the core named them."""
    server, counting, stream = _stream_of_twenty_watches()
    counting.drains.clear()
    for prefix in (PREFIXES[3], PREFIXES[12], PREFIXES[3]):
        server.put(PutRequest(prefix + b"k", b"v"))
    sent = stream._drain()
    assert [(r.watch_id, len(r.events)) for r in sent] == [(3, 2), (12, 1)]
    assert len(counting.drains) == 2
    assert stream._drain() == []
