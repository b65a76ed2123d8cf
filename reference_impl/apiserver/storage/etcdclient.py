"""A small synchronous etcd v3 client: the calls the apiserver's storage makes, nothing more.

It speaks etcd's gRPC API with the stubs aetcd ships (`aetcd.rpc`), so it works the same against
the reference etcd and real etcd 3.4. Results come back as frozen dataclasses with str keys and
bytes values; etcd failures the storage must tell apart (a compacted or future revision, an
unreachable server) are `EtcdClientError` subclasses carrying the revisions involved.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from collections.abc import Callable
from typing import Iterator
from urllib.parse import urlsplit

import grpc
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from reference_impl.mirrors import mirrors

DEFAULT_TIMEOUT = 10.0


# gRPC's default reconnect backoff grows to 120 s, so after a long etcd outage the channel would
# try again only tens of seconds after etcd is back; etcd's clientv3 caps its retries at a few
# seconds. A one-second cap reconnects within about a second.
RECONNECT_OPTIONS = [("grpc.initial_reconnect_backoff_ms", 200), ("grpc.min_reconnect_backoff_ms", 200),
                     ("grpc.max_reconnect_backoff_ms", 1000)]


class EtcdClientError(Exception):
    """The root of the client's errors."""


class Unavailable(EtcdClientError):
    """etcd did not answer (not running, or the call timed out)."""


class Compacted(EtcdClientError):
    """A read or watch asked for a revision etcd has compacted away."""

    def __init__(self, requested: int, compact_revision: int):
        super().__init__(f"required revision {requested} has been compacted "
                         f"(compacted at {compact_revision})")
        self.requested = requested
        self.compact_revision = compact_revision


class DeadlineExceeded(Unavailable):
    """No member answered before the request's deadline (clientv3: context deadline exceeded);
    a write may or may not have been applied."""


class FutureRevision(EtcdClientError):
    """A read asked for a revision etcd has not reached yet."""


class RequestTooLarge(EtcdClientError):
    """etcd refused a write over its request size limit (--max-request-bytes, or gRPC's)."""


@dataclass(frozen=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int
    version: int


@dataclass(frozen=True)
class RangeResult:
    kvs: tuple[KeyValue, ...]
    count: int
    more: bool
    revision: int  # the store's revision when the range was served


@dataclass(frozen=True)
class TxnResult:
    succeeded: bool
    revision: int
    # The kv the failure branch read back (the key's current state), None if absent or not read.
    current: KeyValue | None


@dataclass(frozen=True)
class WatchEvent:
    type: str  # "PUT" or "DELETE"
    kv: KeyValue
    prev_kv: KeyValue | None


@dataclass(frozen=True)
class WatchBatch:
    """One watch response: events (possibly none, for a progress notification) at `revision`."""
    revision: int
    events: tuple[WatchEvent, ...]


def key_bytes(key: str) -> bytes:
    """A key as etcd stores it. A name from a request path may hold a byte that is no UTF-8 (kept
    by a surrogateescape decoding), which Go puts into the key as it is."""
    return key.encode("utf-8", "surrogateescape")


def _kv(kv) -> KeyValue:
    return KeyValue(kv.key.decode("utf-8", "surrogateescape"), bytes(kv.value), kv.create_revision, kv.mod_revision,
                    kv.version)


def prefix_end(prefix: str) -> bytes:
    """The range end covering every key that starts with `prefix` (clientv3.GetPrefixRangeEnd)."""
    end = bytearray(key_bytes(prefix))
    for i in reversed(range(len(end))):
        if end[i] < 0xFF:
            end[i] += 1
            return bytes(end[: i + 1])
    return b"\0"


def _translate(error: grpc.RpcError, revision: int = 0) -> EtcdClientError:
    detail = error.details() or ""
    if "compacted" in detail:
        return Compacted(revision, 0)
    if "future revision" in detail:
        return FutureRevision(detail)
    if "request is too large" in detail or error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return RequestTooLarge(f"etcd: {detail}")
    return Unavailable(f"etcd: {error.code().name}: {detail}")


# Backoff between attempts on another member (clientv3's retry interceptor waits 25 ms, with
# jitter, between its attempts; here it doubles up to a cap, as members take ~1 s to elect).
RETRY_BACKOFF = 0.05
RETRY_BACKOFF_MAX = 0.5


def endpoint_addresses(endpoints: str) -> list[str]:
    """`host:port` of each comma-separated endpoint (`http://host:port` or `host:port`)."""
    addresses = [urlsplit(e).netloc if "://" in e else e
                 for e in (e.strip() for e in endpoints.split(",")) if e]
    if not addresses:
        raise ValueError(f"no etcd endpoint in {endpoints!r}")
    return addresses


class _Member:
    """One endpoint's channel and stubs."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.channel = grpc.insecure_channel(address, options=RECONNECT_OPTIONS)
        self.kv = rpc_pb2_grpc.KVStub(self.channel)
        self.watch = rpc_pb2_grpc.WatchStub(self.channel)
        self.lease = rpc_pb2_grpc.LeaseStub(self.channel)


class EtcdClient:
    """A connection to etcd: one endpoint (`http://host:port` or `host:port`) or several, comma
    separated, members of one cluster. Requests go to one member (pinned, as clientv3's balancer
    pins one) until it fails; then they move to the next.

    A request that finds its member unavailable (down, or answering "leader changed", "no
    leader", "request timed out") is tried again on the next member, with backoff, until its
    deadline (`timeout` seconds) passes; then it raises `DeadlineExceeded`. A write is retried
    too: every write here is a transaction guarded by a mod revision, so a retry of one that did
    commit the first time cannot apply twice, it fails its compare (a create then reports the
    key exists, as Kubernetes' does).
    """

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._members = [_Member(address) for address in endpoint_addresses(endpoint)]
        self._pinned = 0
        self._lock = threading.Lock()
        self._watch_stream = WatchStream(self._member_watch_stub)

    def close(self) -> None:
        self._watch_stream.close()
        for member in self._members:
            member.channel.close()

    def _member(self) -> tuple[int, _Member]:
        with self._lock:
            return self._pinned, self._members[self._pinned]

    def _unpin(self, index: int) -> None:
        """The member at `index` failed: the next request goes to the next one (unless another
        thread has moved on already)."""
        with self._lock:
            if self._pinned == index:
                self._pinned = (index + 1) % len(self._members)

    @mirrors("(*go.etcd.io/etcd/client/v3.Client).unaryClientInterceptor",
             "go.etcd.io/etcd/client/v3.isSafeRetryImmutableRPC")
    def _call(self, method: str, request, revision: int = 0, service: str = "kv"):
        """`method` of the KV (or another) service on the pinned member, retried on the next member
        while it is unavailable, until the deadline."""
        deadline = time.monotonic() + self.timeout
        backoff = RETRY_BACKOFF
        while True:
            index, member = self._member()
            left = deadline - time.monotonic()
            try:
                return getattr(getattr(member, service), method)(request, timeout=max(left, 0.001))
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                    raise DeadlineExceeded(f"etcd {method}: no answer in {self.timeout:g} s") from None
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise _translate(error, revision) from None
                self._unpin(index)
                if time.monotonic() + backoff >= deadline:
                    raise DeadlineExceeded(f"etcd {method}: no member available in {self.timeout:g} s "
                                           f"(last: {error.details()})") from None
                time.sleep(backoff)
                backoff = min(backoff * 2, RETRY_BACKOFF_MAX)

    def range(self, key: str, *, prefix: bool = False, start: str | None = None, limit: int = 0,
              revision: int = 0, count_only: bool = False) -> RangeResult:
        """Keys equal to `key`, or with prefix `key` (from `start` on, in key order)."""
        request = rpc_pb2.RangeRequest(key=key_bytes(start or key), limit=limit, revision=revision,
                                       count_only=count_only)
        if prefix:
            request.range_end = prefix_end(key)
        response = self._call("Range", request, revision)
        return RangeResult(tuple(_kv(kv) for kv in response.kvs), response.count, response.more,
                           response.header.revision)

    def _txn(self, compare: rpc_pb2.Compare, success: rpc_pb2.RequestOp,
             failure: rpc_pb2.RequestOp | None = None) -> TxnResult:
        """If `compare` holds do `success`, else `failure` (a read of the key back), in one etcd
        transaction."""
        response = self._call("Txn", rpc_pb2.TxnRequest(compare=[compare], success=[success],
                                                        failure=[failure] if failure else []))
        current = None
        if failure and not response.succeeded and response.responses[0].response_range.kvs:
            current = _kv(response.responses[0].response_range.kvs[0])
        return TxnResult(response.succeeded, response.header.revision, current)

    @staticmethod
    def _read_back(key: str) -> rpc_pb2.RequestOp:
        return rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key_bytes(key)))

    @staticmethod
    def _put(key: str, value: bytes, lease: int) -> rpc_pb2.RequestOp:
        return rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key_bytes(key), value=value, lease=lease))

    @staticmethod
    def _mod_revision_is(key: str, mod_revision: int) -> rpc_pb2.Compare:
        return rpc_pb2.Compare(key=key_bytes(key), target=rpc_pb2.Compare.MOD, result=rpc_pb2.Compare.EQUAL,
                               mod_revision=mod_revision)

    def create(self, key: str, value: bytes, lease: int = 0) -> TxnResult:
        """Put `value` (attached to `lease`, if not 0) if the key is absent. Nothing is read back
        when it is there (no `current`): Kubernetes' Create sends no Else, its caller only needs
        to know the key exists."""
        return self._txn(self._mod_revision_is(key, 0), self._put(key, value, lease))

    def put_if_mod_revision(self, key: str, value: bytes, mod_revision: int, lease: int = 0) -> TxnResult:
        """Put `value` (attached to `lease`, if not 0) if the key's mod revision is `mod_revision`
        (0: the key must be absent); else read the key back into `current`."""
        return self._txn(self._mod_revision_is(key, mod_revision), self._put(key, value, lease),
                         self._read_back(key))

    def delete_if_mod_revision(self, key: str, mod_revision: int) -> TxnResult:
        """Delete the key if its mod revision is still `mod_revision`; else read it back."""
        delete = rpc_pb2.RequestOp(request_delete_range=rpc_pb2.DeleteRangeRequest(key=key_bytes(key)))
        return self._txn(self._mod_revision_is(key, mod_revision), delete, self._read_back(key))

    def lease_grant(self, ttl: int) -> int:
        """A new lease of `ttl` seconds. A retry after a lost answer may grant a second lease,
        which expires unused."""
        return self._call("LeaseGrant", rpc_pb2.LeaseGrantRequest(TTL=ttl), service="lease").ID

    def compact(self, revision: int) -> None:
        """Compact history before `revision` (waits until it is applied)."""
        self._call("Compact", rpc_pb2.CompactionRequest(revision=revision, physical=True), revision)

    def watch(self, key: str, *, prefix: bool = True, start_revision: int = 0,
              prev_kv: bool = True) -> "EtcdWatch":
        """Watch `key` (or its prefix) from `start_revision` (0: from now), with prev kvs unless the
        watcher keeps them itself (the watch cache)."""
        create = rpc_pb2.WatchCreateRequest(key=key_bytes(key), start_revision=start_revision,
                                            prev_kv=prev_kv)
        if prefix:
            create.range_end = prefix_end(key)
        return EtcdWatch(self._watch_stream, create)

    def _member_watch_stub(self) -> tuple[rpc_pb2_grpc.WatchStub, Callable[[], None]]:
        index, member = self._member()
        return member.watch, lambda: self._unpin(index)


# clientv3's openWatchClient backs off between attempts to reopen a watch stream etcd is away for:
# from 100 ms, a quarter more each time, up to 3 s.
WATCH_RETRY_MIN = 0.1
WATCH_RETRY_MAX = 3.0
PROGRESS_WATCH_ID = -1  # clientv3.InvalidWatchID: a response for every watch of the stream
_END = object()


def _request_stream(requests: queue.Queue) -> Iterator[rpc_pb2.WatchRequest]:
    while True:
        request = requests.get()
        if request is None:
            return
        yield request


@mirrors("go.etcd.io/etcd/client/v3.watchGrpcStream")
class WatchStream:
    """Every watch of one client on one gRPC Watch stream, as clientv3 carries all the watches of
    a context on one watchGrpcStream (and so all of kube-apiserver's): etcd numbers the watches of
    a stream in the order their create requests come, and one reader thread hands each response
    to its watch, a progress notification for the whole stream (watch id -1) to every watch.
    A watch cache per resource then costs one stream, one thread feeding its requests and one
    reader, where a stream each cost two threads each, grpcio waking every stream's reader ten
    times a second even when nothing happens.

    A create's answer, created or refused (watch id -1), names no request: as clientv3 does, one
    create is in flight at a time, the next sent when etcd has answered it, so an answer is
    always for the first watch waiting.

    A stream that breaks because etcd is unavailable (restarted, or a member gone) is opened again,
    on the next member, with every watch created again from the revision after the last event it
    was handed, as clientv3 resumes its substreams. Any other failure ends every watch with it."""

    def __init__(self, member_stub: Callable[[], tuple[rpc_pb2_grpc.WatchStub, Callable[[], None]]]):
        self._member_stub = member_stub
        self._lock = threading.Lock()
        self._by_id: dict[int, EtcdWatch] = {}
        # Watches waiting for etcd's id, in the order they are created; while a stream is open the
        # first one's create has been sent (clientv3's resuming queue).
        self._creating: deque[EtcdWatch] = deque()
        self._requests: queue.Queue | None = None  # the open stream's requests
        self._call = None
        self._on_unavailable: Callable[[], None] = lambda: None
        self._serving = False  # a reader thread serves the stream, or opens it again
        self._closed = threading.Event()

    def add(self, watch: "EtcdWatch") -> None:
        with self._lock:
            if self._closed.is_set():
                watch._deliver(_END)
                return
            self._creating.append(watch)
            if self._serving:
                if len(self._creating) == 1:
                    self._send_create()
                return
            try:
                self._open()
            except ValueError:  # grpcio's "Cannot invoke RPC: Channel closed!"
                self._creating.pop()
                watch._deliver(_END)
                return
            self._serving = True
            threading.Thread(target=self._run, daemon=True, name="etcd watch stream").start()

    def _open(self) -> None:
        """A new stream (the lock held), creating the first watch in `_creating`."""
        stub, self._on_unavailable = self._member_stub()
        requests: queue.Queue = queue.Queue()
        self._call = stub.Watch(_request_stream(requests))
        self._requests = requests
        self._send_create()

    @mirrors("(*go.etcd.io/etcd/client/v3.watchGrpcStream).nextResume")
    def _send_create(self) -> None:
        """Send the create of the first watch waiting for its id, if any (the lock held, and a
        stream open)."""
        if self._creating and self._requests is not None:
            self._requests.put(rpc_pb2.WatchRequest(create_request=self._creating[0]._create_request()))

    @mirrors("(*go.etcd.io/etcd/client/v3.watchGrpcStream).closeSubstream")
    def cancel(self, watch: "EtcdWatch") -> None:
        with self._lock:
            if watch.watch_id is not None and self._by_id.get(watch.watch_id) is watch:
                del self._by_id[watch.watch_id]
                if self._requests is not None:
                    self._requests.put(rpc_pb2.WatchRequest(
                        cancel_request=rpc_pb2.WatchCancelRequest(watch_id=watch.watch_id)))
            elif watch in self._creating and watch is not self._creating[0]:
                self._creating.remove(watch)  # its create not sent yet
            # The first, its create in flight, is cancelled when its id comes (_dispatch).

    def request_progress(self) -> None:
        with self._lock:
            if self._requests is not None:
                self._requests.put(rpc_pb2.WatchRequest(progress_request=rpc_pb2.WatchProgressRequest()))

    def close(self) -> None:
        """End the stream and every watch on it, quietly."""
        self._closed.set()
        with self._lock:
            watches = self._forget_all()
            call = self._call
        for watch in watches:
            watch._deliver(_END)
        if call is not None:
            call.cancel()

    def _forget_all(self) -> list["EtcdWatch"]:
        """Every watch of the stream (the lock held), the stream's requests ended."""
        watches = list(self._by_id.values()) + list(self._creating)
        self._by_id.clear()
        self._creating.clear()
        if self._requests is not None:
            self._requests.put(None)
            self._requests = None
        return watches

    @mirrors("(*go.etcd.io/etcd/client/v3.watchGrpcStream).run",
             "(*go.etcd.io/etcd/client/v3.watchGrpcStream).openWatchClient")
    def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                for response in self._call:
                    backoff = 0.0
                    self._dispatch(response)
                error = None  # the server ended the stream: open it again, as after a break
            except grpc.RpcError as err:
                error = err
            with self._lock:
                if self._closed.is_set():
                    return
                # A stream this side did not cancel that ends CANCELLED was cut by a stopping
                # server (grpcio's word for what grpc-go's clients see as Unavailable).
                if error is not None and error.code() not in (grpc.StatusCode.UNAVAILABLE,
                                                              grpc.StatusCode.CANCELLED):
                    failed = self._forget_all()
                    self._serving = False
                else:
                    failed = None
                    self._requests.put(None)
                    self._requests = None
            if failed is not None:
                for watch in failed:
                    watch._deliver(_translate(error, watch._start_revision))
                return
            self._on_unavailable()  # the stream made again goes to the next member
            backoff = min(WATCH_RETRY_MAX, backoff + backoff / 4 if backoff else WATCH_RETRY_MIN)
            if self._closed.wait(backoff):
                return
            with self._lock:
                if self._closed.is_set():
                    return
                # Created one at a time, the watches with an id came before those still waiting,
                # each in the order it was added: they are created again in that order.
                live = [watch for watch in list(self._by_id.values()) + list(self._creating) if not watch._cancelled]
                for watch in live:
                    watch.watch_id = None  # an id of the broken stream, maybe another's on the new one
                self._by_id.clear()
                self._creating = deque(live)
                try:
                    self._open()
                except ValueError:  # the client was closed
                    watches = self._forget_all()
                    self._serving = False
                else:
                    watches = None
            if watches is not None:
                for watch in watches:
                    watch._deliver(_END)
                return

    @mirrors("(*go.etcd.io/etcd/client/v3.watchGrpcStream).dispatchEvent")
    def _dispatch(self, response: rpc_pb2.WatchResponse) -> None:
        if response.created:
            with self._lock:
                watch = self._creating.popleft() if self._creating else None
                self._send_create()
                if watch is not None and not response.canceled:
                    watch.watch_id = response.watch_id
                    if watch._cancelled:
                        if self._requests is not None:
                            self._requests.put(rpc_pb2.WatchRequest(
                                cancel_request=rpc_pb2.WatchCancelRequest(watch_id=response.watch_id)))
                        return
                    self._by_id[response.watch_id] = watch
            if watch is None:
                return
            if response.canceled:
                watch._deliver(_cancelled(watch, response))
            else:
                watch._created(response.header.revision)
            return
        if response.canceled:
            with self._lock:
                watch = self._by_id.pop(response.watch_id, None)
            if watch is not None:
                watch._deliver(_cancelled(watch, response))
            return
        with self._lock:
            if response.watch_id == PROGRESS_WATCH_ID and not response.events:
                watches = list(self._by_id.values())
            else:
                watches = [self._by_id[response.watch_id]] if response.watch_id in self._by_id else []
        if not watches:
            return
        events = tuple(WatchEvent("DELETE" if event.type == event.DELETE else "PUT",
                                  _kv(event.kv),
                                  _kv(event.prev_kv) if event.HasField("prev_kv") else None)
                       for event in response.events)
        batch = WatchBatch(response.header.revision, events)
        for watch in watches:
            watch._deliver(batch)


def _cancelled(watch: "EtcdWatch", response: rpc_pb2.WatchResponse) -> EtcdClientError:
    """What ends a watch etcd cancelled: its start revision compacted, or the reason etcd gives."""
    if response.compact_revision:
        return Compacted(watch._start_revision, response.compact_revision)
    return Unavailable(f"etcd cancelled the watch: {response.cancel_reason}")


class EtcdWatch:
    """One etcd watch, on its client's `WatchStream`. Iterating yields `WatchBatch`es until
    `cancel()`; raises `Compacted` if etcd cancels the watch because its start revision was
    compacted. It lives through etcd restarts (the stream resumes it): the watcher sees a pause,
    not an end, so a watch cache and the client watches it serves live through them.

    `request_progress()` asks etcd for a progress notification: an empty batch whose revision
    every event up to has already been delivered (what bookmarks are made from).
    """

    def __init__(self, stream: WatchStream, create: rpc_pb2.WatchCreateRequest):
        self._stream = stream
        self._create = create
        self._start_revision = create.start_revision
        self._next_revision = create.start_revision
        self._inbox: queue.Queue = queue.Queue()
        self._cancelled = False
        self.watch_id: int | None = None  # etcd's, on the stream it is on now
        self.created_revision = 0
        stream.add(self)

    def _create_request(self) -> rpc_pb2.WatchRequest:
        create = rpc_pb2.WatchCreateRequest()
        create.CopyFrom(self._create)
        create.start_revision = self._next_revision
        return create

    def _created(self, revision: int) -> None:
        self.created_revision = self.created_revision or revision
        if not self._next_revision:  # a watch from "now" resumes at the store's revision then
            self._next_revision = revision

    def _deliver(self, item) -> None:
        """Hand the reader a batch, an error to raise, or _END (the stream's reader thread)."""
        if isinstance(item, WatchBatch) and item.events:
            self._next_revision = item.events[-1].kv.mod_revision + 1
        self._inbox.put(item)

    def request_progress(self) -> None:
        self._stream.request_progress()

    def cancel(self) -> None:
        """End the watch; safe from any thread, and more than once."""
        self._cancelled = True
        self._stream.cancel(self)
        self._inbox.put(_END)

    def __iter__(self) -> Iterator[WatchBatch]:
        while True:
            item = self._inbox.get()
            if item is _END or self._cancelled:
                return
            if isinstance(item, Exception):
                raise item
            yield item
