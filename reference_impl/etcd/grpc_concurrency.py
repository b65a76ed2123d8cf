"""etcd's v3lock (Lock, Unlock) and v3election (Campaign, Proclaim, Leader, Observe, Resign) gRPC
services, on the reference core.

In etcd these servers are clients of their own member: each call opens a clientv3 concurrency
Session on the request's lease (granting a 60 s lease when it names none) and runs the package's
Mutex or Election over v3client, an in-process client of the KV, Lease and Watch servers. A lock or
a candidacy is a key under `NAME/` written with the session's lease; the oldest such key (lowest
create revision) holds it, and a waiter watches the next older key until it is deleted. `_Client`
is that in-process client here: the caller's token rides along, so auth applies as to a KV call.

Every failure reaches the caller as code Unknown with etcd's text: clientv3 turns a gRPC status
into an rpctypes.EtcdError, which carries no status of its own, and the concurrency errors are
plain Go errors; grpc-go sends both as Unknown. (etcdctl's `lock` and `elect` run the same
package client-side over KV, Lease and Watch, and never call these services.)
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterator

import grpc

from reference_impl.etcd import concurrencypb as pb
from reference_impl.etcd import messages as m
from reference_impl.etcd.errors import (
    ErrCompacted, ErrElectionNoLeader, ErrElectionNotLeader, ErrMissingLeaderKey, EtcdError)
from reference_impl.etcd.grpc_adapter import (
    Streams, WatchRouter, header_pb, intercepted, kv_pb, token_of)
from reference_impl.etcd.grpc_limits import checked_reader
from reference_impl.mirrors import mirrors

CONCURRENCY = "go.etcd.io/etcd/client/v3/concurrency"
V3LOCK = "go.etcd.io/etcd/server/v3/etcdserver/api/v3lock"
V3ELECTION = "go.etcd.io/etcd/server/v3/etcdserver/api/v3election"

DEFAULT_SESSION_TTL = 60  # concurrency.defaultSessionTTL, seconds
WAIT_POLL = 1.0  # a waiter re-checks that its RPC is still alive at least this often


class Cancelled(Exception):
    """The RPC ended (the caller went away or its deadline passed) while its call waited."""


def prefix_end(prefix: bytes) -> bytes:
    """The range end covering every key that starts with `prefix` (clientv3.GetPrefixRangeEnd)."""
    end = bytearray(prefix)
    while end:
        if end[-1] < 0xFF:
            end[-1] += 1
            return bytes(end)
        end.pop()
    return b"\x00"  # every key


def _first_create(prefix: bytes, *, last: bool = False, max_create_revision: int = 0) -> m.RangeRequest:
    """clientv3.WithFirstCreate (or WithLastCreate): the key under `prefix` created first (last)."""
    return m.RangeRequest(prefix, prefix_end(prefix), limit=1,
                          sort_order="DESCEND" if last else "ASCEND", sort_target="CREATE",
                          max_create_revision=max_create_revision)


def _created(key: bytes, revision: int) -> m.Compare:
    return m.Compare("EQUAL", "CREATE", key, value=revision)


class _Client:
    """v3client for one RPC: the core's KV, Lease and Watch calls as the KV servers make them,
    under the caller's token, and waits that end with the RPC."""

    def __init__(self, server, router, token: str | None, is_active: Callable[[], bool]):
        self._server = server
        self._router = router
        self._token = token
        self._is_active = is_active

    def grant(self, ttl: int) -> int:
        req = m.LeaseGrantRequest(ttl=ttl)
        self._server.check_quota(req)
        self._server.authorize(self._token)
        return self._server.lease_grant(req).id

    def range(self, req: m.RangeRequest) -> m.RangeResponse:
        self._server.check_request(req)
        self._server.authorize(self._token, req)
        return self._server.range(req)

    def txn(self, req: m.TxnRequest) -> m.TxnResponse:
        self._server.check_quota(req)
        self._server.check_request(req)
        self._server.authorize(self._token, req)
        return self._server.txn(req, checked=True)

    def delete(self, key: bytes) -> m.DeleteRangeResponse:
        req = m.DeleteRangeRequest(key)
        self._server.check_request(req)
        self._server.authorize(self._token, req)
        return self._server.delete_range(req, checked=True)

    @contextmanager
    def watch(self, key: bytes, range_end: bytes, start_revision: int) -> Iterator[Callable[[], list]]:
        """A watch of [key, range_end) from `start_revision`; yields `next_responses()`, which
        waits for the watch's next responses and raises Cancelled once the RPC has ended."""
        req = m.WatchCreateRequest(key, range_end, start_revision)
        self._server.authorize(self._token, m.RangeRequest(key, range_end))
        watch_id = self._server.watch_create(req)
        ready = threading.Event()  # set by the watch router when the core queues a response
        self._router.add(watch_id, ready.set)

        def next_responses() -> list[m.WatchResponse]:
            while True:
                ready.clear()
                responses = self._server.watch_drain(watch_id)
                if responses:
                    return responses
                if not self._is_active():
                    raise Cancelled()
                ready.wait(WAIT_POLL)

        try:
            yield next_responses
        finally:
            self._router.remove(watch_id)
            self._server.watch_cancel(watch_id)
            self._server.watch_drain(watch_id)  # the core forgets a watch once drained

    @mirrors(f"{CONCURRENCY}.waitDelete")
    def wait_delete(self, key: bytes, revision: int) -> None:
        with self.watch(key, b"", revision) as next_responses:
            while True:
                for resp in next_responses():
                    if resp.compact_revision:
                        raise ErrCompacted()
                    if any(event.type == "DELETE" for event in resp.events):
                        return

    @mirrors(f"{CONCURRENCY}.waitDeletes")
    def wait_deletes(self, prefix: bytes, max_create_revision: int) -> m.ResponseHeader:
        """Until every key under `prefix` created at or before `max_create_revision` is gone,
        waiting on the newest of them each time; the header of the read that found none."""
        while True:
            resp = self.range(_first_create(prefix, last=True,
                                            max_create_revision=max_create_revision))
            if not resp.kvs:
                return resp.header
            self.wait_delete(resp.kvs[0].key, resp.header.revision)


@mirrors(f"{CONCURRENCY}.NewSession", f"(*{V3ELECTION}.electionServer).session")
def session_lease(client: _Client, lease: int) -> int:
    """The lease a call's session runs on: the request's, or a new one of 60 s. The server
    orphans the session at once, so nothing keeps a lease alive for the caller."""
    return lease if lease else client.grant(DEFAULT_SESSION_TTL)


def _key(prefix: bytes, lease: int) -> bytes:
    return prefix + b"%x" % lease  # fmt.Sprintf("%s%x", prefix, lease)


@mirrors(f"(*{CONCURRENCY}.Mutex).Lock")
def lock(client: _Client, name: bytes, lease: int) -> tuple[m.ResponseHeader, bytes]:
    """Take the lock `name` for `lease`: the header and the key that holds it."""
    prefix = name + b"/"
    my_key = _key(prefix, lease)
    owner = m.RequestOp(_first_create(prefix))
    resp = client.txn(m.TxnRequest(
        compare=(_created(my_key, 0),),
        success=(m.RequestOp(m.PutRequest(my_key, b"", lease=lease)), owner),
        failure=(m.RequestOp(m.RangeRequest(my_key)), owner)))
    my_rev = resp.header.revision if resp.succeeded else resp.responses[0].response.kvs[0].create_revision
    holder = resp.responses[1].response.kvs
    if not holder or holder[0].create_revision == my_rev:
        return resp.header, my_key
    try:
        return client.wait_deletes(prefix, my_rev - 1), my_key
    except (EtcdError, Cancelled):
        client.delete(my_key)  # Mutex.Unlock: give up the place in line
        raise


@mirrors(f"(*{CONCURRENCY}.Election).Campaign")
def campaign(client: _Client, name: bytes, lease: int, value: bytes) -> tuple[m.ResponseHeader, pb.LeaderKey]:
    """Stand for election `name` with `value` until elected; the campaign's header and the
    leader key to proclaim or resign with."""
    prefix = name + b"/"
    key = _key(prefix, lease)
    resp = client.txn(m.TxnRequest(
        compare=(_created(key, 0),),
        success=(m.RequestOp(m.PutRequest(key, value, lease=lease)),),
        failure=(m.RequestOp(m.RangeRequest(key)),)))
    leader = pb.LeaderKey(name=name, key=key, rev=resp.header.revision, lease=lease)
    if not resp.succeeded:
        kv = resp.responses[0].response.kvs[0]
        leader.rev = kv.create_revision
        if kv.value != value:
            try:
                proclaim(client, leader, value)
            except EtcdError:
                resign(client, leader)
                raise
    try:
        client.wait_deletes(prefix, leader.rev - 1)
    except Cancelled:
        resign(client, leader)
        raise
    return resp.header, leader


@mirrors(f"(*{CONCURRENCY}.Election).Proclaim")
def proclaim(client: _Client, leader: pb.LeaderKey, value: bytes) -> m.ResponseHeader:
    resp = client.txn(m.TxnRequest(
        compare=(_created(leader.key, leader.rev),),
        success=(m.RequestOp(m.PutRequest(leader.key, value, ignore_lease=True)),)))
    if not resp.succeeded:
        raise ErrElectionNotLeader(key=leader.key)
    return resp.header


@mirrors(f"(*{CONCURRENCY}.Election).Resign")
def resign(client: _Client, leader: pb.LeaderKey) -> m.ResponseHeader:
    """Delete the leader key if it is still this candidacy's; the header either way."""
    return client.txn(m.TxnRequest(
        compare=(_created(leader.key, leader.rev),),
        success=(m.RequestOp(m.DeleteRangeRequest(leader.key)),))).header


@mirrors(f"(*{CONCURRENCY}.Election).Leader")
def leader(client: _Client, name: bytes) -> tuple[m.ResponseHeader, m.KeyValue]:
    resp = client.range(_first_create(name + b"/"))
    if not resp.kvs:
        raise ErrElectionNoLeader(name=name)
    return resp.header, resp.kvs[0]


@mirrors(f"(*{CONCURRENCY}.Election).observe")
def observe(client: _Client, name: bytes) -> Iterator[tuple[m.ResponseHeader, m.KeyValue]]:
    """Each leader of `name` and each value it proclaims, in order. With no leader it waits for
    the first key put under the prefix, dated at that put's revision, as etcd does. It ends,
    as etcd's does, when a read fails or a watch is canceled (compacted)."""
    prefix = name + b"/"
    while True:
        try:
            resp = client.range(_first_create(prefix))
        except EtcdError:
            return
        if resp.kvs:
            header, kv = resp.header, resp.kvs[0]
        else:
            first = _first_put(client, prefix, resp.header.revision)
            if first is None:
                return
            header, kv = first
        yield header, kv
        with client.watch(kv.key, b"", header.revision + 1) as next_responses:
            deleted = False
            while not deleted:
                for resp in next_responses():
                    if resp.canceled:
                        return
                    for event in resp.events:
                        if event.type == "DELETE":
                            deleted = True
                            break
                        yield resp.header, event.kv


def _first_put(client: _Client, prefix: bytes,
               revision: int) -> tuple[m.ResponseHeader, m.KeyValue] | None:
    """The first key put under `prefix` from `revision` on, with a header at its revision
    (the watch response may cover several); None if the watch is canceled."""
    with client.watch(prefix, prefix_end(prefix), revision) as next_responses:
        while True:
            for resp in next_responses():
                if resp.canceled:
                    return None
                for event in resp.events:
                    if event.type == "PUT":
                        return replace(resp.header, revision=event.kv.mod_revision), event.kv


# --- the gRPC services ---------------------------------------------------------------------------

class _Services:
    """The handlers of both services for one core `server`. `router` is the Watch service's
    (it wakes whoever owns a core watch); calls that wait join `streams`, so that shutdown
    cancels them rather than waiting out its grace period."""

    def __init__(self, server, router: WatchRouter, streams: Streams):
        self._server = server
        self._router = router
        self._streams = streams

    def _client(self, context) -> _Client:
        return _Client(self._server, self._router, token_of(context), context.is_active)

    def _answer(self, context, call: Callable):
        """`call()`, its failures sent as etcd sends them (see the module's docstring)."""
        self._streams.add(context)
        try:
            return call()
        except EtcdError as err:
            context.abort(grpc.StatusCode.UNKNOWN, err.message)
        except Cancelled:
            context.abort(grpc.StatusCode.CANCELLED, "context canceled")
        finally:
            self._streams.discard(context)

    @mirrors(f"(*{V3LOCK}.lockServer).Lock")
    def lock(self, request, context):
        def call():
            client = self._client(context)
            header, key = lock(client, request.name, session_lease(client, request.lease))
            return pb.LockResponse(header=header_pb(header), key=key)
        return self._answer(context, call)

    @mirrors(f"(*{V3LOCK}.lockServer).Unlock")
    def unlock(self, request, context):
        def call():
            return pb.UnlockResponse(header=header_pb(self._client(context).delete(request.key).header))
        return self._answer(context, call)

    @mirrors(f"(*{V3ELECTION}.electionServer).Campaign")
    def campaign(self, request, context):
        def call():
            client = self._client(context)
            header, leader_key = campaign(client, request.name, session_lease(client, request.lease),
                                          request.value)
            return pb.CampaignResponse(header=header_pb(header), leader=leader_key)
        return self._answer(context, call)

    @mirrors(f"(*{V3ELECTION}.electionServer).Proclaim")
    def proclaim(self, request, context):
        def call():
            if not request.HasField("leader"):
                raise ErrMissingLeaderKey()
            header = proclaim(self._client(context), request.leader, request.value)
            return pb.ProclaimResponse(header=header_pb(header))
        return self._answer(context, call)

    @mirrors(f"(*{V3ELECTION}.electionServer).Resign")
    def resign(self, request, context):
        def call():
            if not request.HasField("leader"):
                raise ErrMissingLeaderKey()
            return pb.ResignResponse(header=header_pb(resign(self._client(context), request.leader)))
        return self._answer(context, call)

    @mirrors(f"(*{V3ELECTION}.electionServer).Leader")
    def leader(self, request, context):
        def call():
            header, kv = leader(self._client(context), request.name)
            return pb.LeaderResponse(header=header_pb(header), kv=kv_pb(kv))
        return self._answer(context, call)

    @mirrors(f"(*{V3ELECTION}.electionServer).Observe")
    def observe(self, request, context):
        self._streams.add(context)
        try:
            for header, kv in observe(self._client(context), request.name):
                yield pb.LeaderResponse(header=header_pb(header), kv=kv_pb(kv))
        except Cancelled:
            # the stream's context is done: it ends with the context's error, which only a
            # leader loss (etcd's interceptor cancelled it) leaves anyone to hear
            reason = getattr(context, "cancel_reason", None)
            if reason is not None:
                context.abort(grpc.StatusCode[reason.grpc_code], reason.message)
        finally:
            self._streams.discard(context)


@mirrors("(*go.etcd.io/etcd/server/v3/embed.serveCtx).serve", f"{V3LOCK}.NewLockServer",
         f"{V3ELECTION}.NewElectionServer")
def add_concurrency_servicers(grpc_server: grpc.Server, server, router: WatchRouter,
                              streams: Streams) -> None:
    """Register v3lockpb.Lock and v3electionpb.Election for the core `server`, beside the
    services add_etcd_servicers registered with the same `router` and `streams`."""
    s = _Services(server, router, streams)

    def _unary(method: Callable, request: type, response: type):
        # etcd's interceptors (learner, hasleader) guard these services too
        return grpc.unary_unary_rpc_method_handler(
            intercepted(server, method, stream=False), request_deserializer=checked_reader(request),
            response_serializer=response.SerializeToString)
    handlers = {
        pb.LOCK_SERVICE: {
            "Lock": _unary(s.lock, pb.LockRequest, pb.LockResponse),
            "Unlock": _unary(s.unlock, pb.UnlockRequest, pb.UnlockResponse),
        },
        pb.ELECTION_SERVICE: {
            "Campaign": _unary(s.campaign, pb.CampaignRequest, pb.CampaignResponse),
            "Proclaim": _unary(s.proclaim, pb.ProclaimRequest, pb.ProclaimResponse),
            "Leader": _unary(s.leader, pb.LeaderRequest, pb.LeaderResponse),
            "Observe": grpc.unary_stream_rpc_method_handler(
                intercepted(server, s.observe, stream=True),
                request_deserializer=checked_reader(pb.LeaderRequest),
                response_serializer=pb.LeaderResponse.SerializeToString),
            "Resign": _unary(s.resign, pb.ResignRequest, pb.ResignResponse),
        },
    }
    for service, methods in handlers.items():
        grpc_server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, methods),))
