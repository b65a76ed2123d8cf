"""The etcd v3 gRPC API in front of the sans-IO reference core: etcd's v3rpc layer, thin.

Each servicer method converts the protobuf request to the core's `messages` dataclass, calls the
server object (a `member.ClusterMember`, or a bare `server.EtcdServer` in tests), and converts the
answer back; an `EtcdError` becomes `abort(StatusCode[err.grpc_code], err.message)`, etcd's own
code and text (v3rpc's togRPCError), so clientv3 and etcdctl recognise it. The core fills every
response header; request-size and txn checks live in the core too.

Stubs. The protobuf and gRPC classes come from the PyPI package `aetcd` (pinned `aetcd==1.0.0`),
which ships the generated etcd v3 stubs as `aetcd.rpc.{rpc,kv,auth}_pb2[_grpc]`. It is maintained
and its stubs import with protobuf 5 to 7 (checked with grpcio 1.85.3 / protobuf 7.36.2), so
nothing is generated at build time. The alternative, running protoc on etcd's .proto files, would
mean vendoring etcd's (and gogoproto's and googleapis') files, stripping the gogoproto options,
and keeping a build step in CI. The stubs register the file names `rpc.proto`/`kv.proto` with the
messages `etcdserverpb.*`/`mvccpb.*` in protobuf's default pool, so only one etcd stub provider can
be imported per process: no other etcd client package (etcd3, python-etcd3) may be imported next
to this module. The adapter uses only the message classes, the service descriptors and the
generated servicer base classes, nothing of aetcd's client.

Threads. The server is grpc's synchronous server on a ThreadPoolExecutor. A unary call holds a
worker for its duration; a Watch stream holds one worker for its life (the generator that sends)
plus one plain thread of its own that reads the client's requests, as etcd's serverWatchStream runs
a sendLoop and a recvLoop; a LeaseKeepAlive stream holds one worker. Streams are long-lived, so the
pool is sized for the ceiling we serve — 16 busy unary clients, 100 watch streams, some keep-alive
streams — with room to spare: 512 workers (the executor starts threads lazily, so an idle server
costs few), and `maximum_concurrent_rpcs` just below it so that past the ceiling a new call fails
fast with RESOURCE_EXHAUSTED instead of queueing forever behind streams that never end. The
synchronous server was chosen over grpc.aio because the core is blocking by design (a put waits
for its group-committed fsync): under asyncio every call would hop to an executor anyway, and the
durability layer already batches concurrent writers from many threads.
"""
from __future__ import annotations

import functools
import hashlib
import sys
import queue
import threading
import time
import weakref
from collections import deque
from concurrent import futures
from dataclasses import replace
from typing import Callable, Iterator

import grpc
from aetcd.rpc import auth_pb2, kv_pb2, rpc_pb2, rpc_pb2_grpc
from google.protobuf.message import DecodeError

from reference_impl.etcd import concurrencypb, messages as m
from reference_impl.etcd.auth import simple_token_index
from reference_impl.etcd.authpb import perm_type_name, perm_type_value
from reference_impl.etcd.errors import (
    EtcdError, ErrNoLeader, ErrNotSupportedForLearner, ErrPermissionNotGiven, ErrWatcherDuplicateID)
from reference_impl.etcd.gogostrings import new_message
from reference_impl.etcd.grpc_health import SERVICE as HEALTH_SERVICE, add_health_servicer
from reference_impl.etcd.raftnode import check_peer_urls
from reference_impl.etcd.server import MAX_REQUEST_BYTES, MAX_TXN_OPS  # etcd's defaults
from reference_impl.etcd.grpc_limits import ReceiveLimit, checked_reader, framework_cap
from reference_impl.etcd.grpc_metrics import GRPC_METRICS, GrpcMetrics, GrpcMonitor, call_type
from reference_impl.etcd.watch import MVCC, coalesce
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.protowire import BYTES, FieldError, consume_field, size_varint
from reference_impl.mirrors import mirrors

V3RPC = "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"
AUTH = "go.etcd.io/etcd/server/v3/auth"
ETCDSERVER = "go.etcd.io/etcd/server/v3/etcdserver"
ETCDSERVERPB = "go.etcd.io/etcd/api/v3/etcdserverpb"

GRPC_OVERHEAD_BYTES = 512 * 1024  # v3rpc's grpcOverheadBytes: the receive limit is the sum
MAX_WORKERS = 512
MAX_CONCURRENT_RPCS = 500
TICK_INTERVAL = 0.5  # seconds between core.tick() calls: etcd checks lease expiry every 500 ms
SNAPSHOT_SEND_BUFFER = 32 * 1024  # v3rpc's snapshotSendBufferSize
STREAM_POLL = 1.0  # a stream re-checks that its RPC is still alive at least this often

# new_grpc_server adds grpc.max_receive_message_length: the receive limit itself
# (--max-request-bytes plus GRPC_OVERHEAD_BYTES) is ReceiveLimit's, which refuses in grpc-go's
# words; grpcio's own is set above it.
SERVER_OPTIONS = [
    ("grpc.max_send_message_length", 2**31 - 1),
    # grpc-go's server takes 16 MiB of headers (defaultServerMaxHeaderListSize), grpcio 16 KiB:
    # a long token or a client's own metadata must not be RESOURCE_EXHAUSTED here alone.
    ("grpc.max_metadata_size", 16 << 20),
    ("grpc.absolute_max_metadata_size", 16 << 20),
    # etcd 3.4 installs no decompressor: a compressed request is UNIMPLEMENTED (grpcio's words).
    ("grpc.compression_enabled_algorithms_bitset", 1),
    # A busy port must fail to bind, not be silently shared with another process.
    ("grpc.so_reuseport", 0),
    # clientv3 pings every --keepalive-time (2 s in etcdctl) even on idle streams; accept that
    # as etcd does (its enforcement policy allows it) instead of answering GOAWAY too_many_pings.
    ("grpc.http2.min_ping_interval_without_data_ms", 1000),
    ("grpc.http2.max_ping_strikes", 0),
    ("grpc.keepalive_permit_without_calls", 1),
]

# --- protobuf <-> messages ----------------------------------------------------------------------



def _enum_name(enum) -> Callable[[int], str]:
    """An enum value's name, or for a value etcd 3.4 does not define its number as text: etcd
    accepts such values (protobuf keeps them) and the core treats them as etcd's switches do.
    The names come from a table made once: protobuf's Name() is a Python call per value, an
    eighth of what converting a range cost with its two enums."""
    names = {number: enum.Name(number) for number in enum.values()}

    def name(value: int) -> str:
        found = names.get(value)
        return found if found is not None else str(value)
    return name


def _enum_value(enum, name: str) -> int:
    """The number `_enum_name` gave `name`."""
    return enum.Value(name) if name in enum.keys() else int(name)


_SORT_ORDER = _enum_name(rpc_pb2.RangeRequest.SortOrder)
_SORT_TARGET = _enum_name(rpc_pb2.RangeRequest.SortTarget)
_COMPARE_RESULT = _enum_name(rpc_pb2.Compare.CompareResult)
_COMPARE_TARGET = _enum_name(rpc_pb2.Compare.CompareTarget)
_FILTER = _enum_name(rpc_pb2.WatchCreateRequest.FilterType)
_ALARM_ACTION = _enum_name(rpc_pb2.AlarmRequest.AlarmAction)
_ALARM_TYPE = _enum_name(rpc_pb2.AlarmType)
_RANGE_ENUMS = {"sort_order": _SORT_ORDER, "sort_target": _SORT_TARGET}
_EVENT_TYPE = {"PUT": kv_pb2.Event.PUT, "DELETE": kv_pb2.Event.DELETE}
# Which member of Compare's target_union holds the operand for each integer target.
_COMPARE_FIELD = {"VERSION": "version", "CREATE": "create_revision", "MOD": "mod_revision",
                  "LEASE": "lease"}


def header_pb(header: m.ResponseHeader) -> rpc_pb2.ResponseHeader:
    return rpc_pb2.ResponseHeader(cluster_id=header.cluster_id, member_id=header.member_id,
                                  revision=header.revision, raft_term=header.raft_term)


# The answers of every write and every watch event are built with their nested messages given as
# dicts: protobuf fills a nested message in place from a dict, where a message built apart is
# built twice (once, then copied in), which was most of what a Txn's answer and an event cost.

def _header(header: m.ResponseHeader) -> dict:
    return {"cluster_id": header.cluster_id, "member_id": header.member_id,
            "revision": header.revision, "raft_term": header.raft_term}


def _kv(kv: m.KeyValue) -> dict:
    return {"key": kv.key, "value": kv.value, "create_revision": kv.create_revision,
            "mod_revision": kv.mod_revision, "version": kv.version, "lease": kv.lease}


def _event(event: m.Event) -> dict:
    if event.prev_kv is None:
        return {"type": _EVENT_TYPE[event.type], "kv": _kv(event.kv)}
    return {"type": _EVENT_TYPE[event.type], "kv": _kv(event.kv), "prev_kv": _kv(event.prev_kv)}


def kv_pb(kv: m.KeyValue) -> kv_pb2.KeyValue:
    return kv_pb2.KeyValue(**_kv(kv))


def range_request(r: rpc_pb2.RangeRequest) -> m.RangeRequest:
    """The fields the client set, by their names (the message's and the dataclass's are the
    same); the rest keep their defaults. A range sets two or three of its thirteen, so reading
    only those spares about ten protobuf lookups a request."""
    fields = {}
    for field, value in r.ListFields():
        name = field.name
        fields[name] = _RANGE_ENUMS[name](value) if name in _RANGE_ENUMS else value
    key = fields.pop("key", b"")
    return m.RangeRequest(key, **fields)


def _range_response(resp: m.RangeResponse) -> dict:
    return {"header": _header(resp.header), "more": resp.more, "count": resp.count,
            "kvs": [_kv(kv) for kv in resp.kvs]}


def range_response_pb(resp: m.RangeResponse) -> rpc_pb2.RangeResponse:
    return rpc_pb2.RangeResponse(**_range_response(resp))


def put_request(r: rpc_pb2.PutRequest) -> m.PutRequest:
    return m.PutRequest(key=r.key, value=r.value, lease=r.lease, prev_kv=r.prev_kv,
                        ignore_value=r.ignore_value, ignore_lease=r.ignore_lease)


def _put_response(resp: m.PutResponse) -> dict:
    if resp.prev_kv is None:
        return {"header": _header(resp.header)}
    return {"header": _header(resp.header), "prev_kv": _kv(resp.prev_kv)}


def put_response_pb(resp: m.PutResponse) -> rpc_pb2.PutResponse:
    return rpc_pb2.PutResponse(**_put_response(resp))


def delete_range_request(r: rpc_pb2.DeleteRangeRequest) -> m.DeleteRangeRequest:
    return m.DeleteRangeRequest(key=r.key, range_end=r.range_end, prev_kv=r.prev_kv)


def _delete_range_response(resp: m.DeleteRangeResponse) -> dict:
    return {"header": _header(resp.header), "deleted": resp.deleted,
            "prev_kvs": [_kv(kv) for kv in resp.prev_kvs]}


def delete_range_response_pb(resp: m.DeleteRangeResponse) -> rpc_pb2.DeleteRangeResponse:
    return rpc_pb2.DeleteRangeResponse(**_delete_range_response(resp))


def compare(c: rpc_pb2.Compare) -> m.Compare:
    target = _COMPARE_TARGET(c.target)
    if target == "VALUE":
        value: bytes | int = c.value
    elif target in _COMPARE_FIELD:
        value = getattr(c, _COMPARE_FIELD[target])
    else:
        value = 0  # compareKV reads no operand for a target it does not know
    return m.Compare(result=_COMPARE_RESULT(c.result), target=target, key=c.key,
                     range_end=c.range_end, value=value)


def request_op(op: rpc_pb2.RequestOp) -> m.RequestOp:
    kind = op.WhichOneof("request")
    if kind == "request_range":
        return m.RequestOp(range_request(op.request_range))
    if kind == "request_put":
        return m.RequestOp(put_request(op.request_put))
    if kind == "request_delete_range":
        return m.RequestOp(delete_range_request(op.request_delete_range))
    if kind == "request_txn":
        return m.RequestOp(txn_request(op.request_txn))
    # An empty RequestOp: the core rejects it as checkRequestOp does (ErrKeyNotFound).
    return m.RequestOp(None)


def txn_request(r: rpc_pb2.TxnRequest) -> m.TxnRequest:
    return m.TxnRequest(compare=tuple(compare(c) for c in r.compare),
                        success=tuple(request_op(op) for op in r.success),
                        failure=tuple(request_op(op) for op in r.failure))


@mirrors(f"(*{ETCDSERVERPB}.TxnRequest).Unmarshal")
def read_txn_request(data: bytes) -> rpc_pb2.TxnRequest:
    """A TxnRequest from the wire, nested as deep as it comes. protobuf's Python decoder refuses
    messages nested past 100 levels (a txn 49 txns deep); etcd's Go decoder has no such limit,
    and checkTxnRequest refuses a nesting only once its levels use up the 128 operations."""
    try:
        return rpc_pb2.TxnRequest.FromString(data)
    except DecodeError:
        txn = rpc_pb2.TxnRequest()
        _merge_txn(txn, data)
        return txn


def _merge_txn(txn: rpc_pb2.TxnRequest, data: bytes, level: int = 0) -> None:
    """Merge TxnRequest `data`, found `level` txns deep, into `txn`, walking its nested txns
    level by level and leaving every other field to protobuf's decoder (none of them nests).

    Each level above spends at least one of checkTxnRequest's MAX_TXN_OPS operations, so a txn
    deeper than that is refused as too many operations whatever it holds: it is left empty
    rather than read, which would exhaust Python's recursion at a thousand levels."""
    if level > MAX_TXN_OPS:
        return
    for number, written, contents in _wire_fields(data):
        if number not in (2, 3) or contents is None:  # not success or failure
            txn.MergeFromString(written)
            continue
        op = (txn.success if number == 2 else txn.failure).add()
        for op_number, op_written, op_contents in _wire_fields(contents):
            if op_number == 4 and op_contents is not None:  # request_txn
                op.request_txn.SetInParent()
                _merge_txn(op.request_txn, op_contents, level + 1)
            else:
                op.MergeFromString(op_written)


def _wire_fields(data: bytes) -> Iterator[tuple[int, bytes, bytes | None]]:
    """Each field of a protobuf message: its number, its bytes as written (tag included) and,
    for a length-delimited field, its contents."""
    pos = 0
    while pos < len(data):
        start = pos
        try:
            number, wire_type, value, pos = consume_field(data, pos)
        except FieldError as err:
            raise DecodeError("truncated message" if err.wire_type is None
                              else f"unexpected wire type {err.wire_type}") from None
        yield number, data[start:pos], value if wire_type == BYTES else None


def txn_response_pb(resp: m.TxnResponse, out: rpc_pb2.TxnResponse | None = None) -> rpc_pb2.TxnResponse:
    """`resp` filled into `out` (a new TxnResponse, or a nested txn's place in its parent): a
    message handed to a constructor is copied through the decoder, which stops at 100 levels,
    so nested txns are filled level by level rather than given as dicts."""
    out = rpc_pb2.TxnResponse() if out is None else out
    out.header.SetInParent()
    header, into = resp.header, out.header
    into.cluster_id, into.member_id = header.cluster_id, header.member_id
    into.revision, into.raft_term = header.revision, header.raft_term
    out.succeeded = resp.succeeded
    add = out.responses.add
    for op in resp.responses:
        response = op.response
        if isinstance(response, m.PutResponse):
            add(response_put=_put_response(response))
        elif isinstance(response, m.RangeResponse):
            add(response_range=_range_response(response))
        elif isinstance(response, m.DeleteRangeResponse):
            add(response_delete_range=_delete_range_response(response))
        else:
            txn_response_pb(response, add().response_txn)
    return out


def watch_create_request(r: rpc_pb2.WatchCreateRequest) -> m.WatchCreateRequest:
    return m.WatchCreateRequest(
        key=r.key, range_end=r.range_end, start_revision=r.start_revision,
        progress_notify=r.progress_notify, filters=tuple(_FILTER(f) for f in r.filters),
        prev_kv=r.prev_kv, watch_id=r.watch_id, fragment=r.fragment)


def watch_response_pb(resp: m.WatchResponse, watch_id: int) -> rpc_pb2.WatchResponse:
    return rpc_pb2.WatchResponse(
        header=_header(resp.header), watch_id=watch_id, created=resp.created,
        canceled=resp.canceled, compact_revision=resp.compact_revision,
        cancel_reason=resp.cancel_reason, fragment=resp.fragment,
        events=[_event(e) for e in resp.events])


@mirrors(f"{V3RPC}.togRPCError")
class Streams:
    """The streaming RPCs in progress (Watch, LeaseKeepAlive). They never end on their own, so on
    shutdown the server cancels them rather than letting each use up the whole grace period."""

    def __init__(self):
        self._lock = threading.Lock()
        self._contexts: set = set()

    def add(self, context) -> None:
        with self._lock:
            self._contexts.add(context)

    def discard(self, context) -> None:
        with self._lock:
            self._contexts.discard(context)

    def cancel_all(self) -> None:
        with self._lock:
            contexts, self._contexts = self._contexts, set()
        for context in contexts:
            context.cancel()


@mirrors(f"(*{AUTH}.authStore).AuthInfoFromCtx")
def token_of(context) -> str | None:
    """The auth token clientv3 sends in the call's metadata ("token"; "authorization" from the
    gRPC gateway), as etcd's AuthInfoFromCtx reads it: the first value of the first key there."""
    metadata = context.invocation_metadata() or ()
    for key in ("token", "authorization"):
        values = [value for name, value in metadata if name == key]
        if values:
            return values[0]
    return None


TOKEN_WAIT_SLICE = 0.2  # seconds between looks at whether a call waiting on its token's index ended


class TokenWaits:
    """The calls of one server waiting for their token's index. etcd waits in a goroutine of its
    own as long as the call lives (no deadline: until the client gives up); here a waiting call
    holds a pool worker, so a few hundred tokens naming an index no log reaches would take every
    worker and every later call would get RESOURCE_EXHAUSTED. At most a fifth of the calls the
    server takes may wait; past that a token is looked up at once and, its index not applied,
    refused as etcd refuses it when its wait ends unmet (invalid auth token)."""

    _of_server: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    @classmethod
    def of(cls, server) -> threading.BoundedSemaphore:
        with cls._lock:
            slots = cls._of_server.get(server)
            if slots is None:
                slots = cls._of_server[server] = threading.BoundedSemaphore(
                    max(1, MAX_CONCURRENT_RPCS // 5))
            return slots


@mirrors(f"(*{AUTH}.tokenSimple).info", f"(*{AUTH}.tokenSimple).isValidSimpleToken")
def waited_token(context, server) -> str | None:
    """The call's token once the index it names is applied (see simple_token_index), or once the
    call has ended or passed its deadline, whichever comes first; the token is looked up after
    that, as etcd looks it up after isValidSimpleToken's wait. A core server with no raft log
    (no wait_applied, as tests build it) has applied everything. A call finding every waiting
    slot taken (TokenWaits) does not wait, nor one to a server with tokenNop (--auth-token '')."""
    token = token_of(context)
    index = None if token is None else simple_token_index(token)
    wait = getattr(server, "wait_applied", None)
    if not getattr(getattr(server, "auth", None), "token_type", "simple"):
        return token
    if index is None or wait is None or wait(index, 0):
        return token
    slots = TokenWaits.of(server)
    if not slots.acquire(blocking=False):
        return token
    try:
        while context.is_active():
            left = context.time_remaining()
            # Until the deadline has passed, not just about to: a stream's answer sent before it
            # would reach a client that etcd leaves with nothing but its deadline.
            if wait(index, TOKEN_WAIT_SLICE if left is None else max(0.01, min(left, TOKEN_WAIT_SLICE))):
                break
    finally:
        slots.release()
    return token


def go_status_text(err: EtcdError) -> str:
    """The error as grpc-go's status error prints it ("rpc error: code = PermissionDenied ...")."""
    code = grpc.StatusCode[err.grpc_code].value[1].title().replace(" ", "")
    return f"rpc error: code = {code} desc = {err.message}"


@mirrors(f"{V3RPC}.newUnaryInterceptor", f"{V3RPC}.newStreamInterceptor", f"{V3RPC}.isRPCSupportedForLearner")
def refuse_on_learner(server, request=None) -> None:
    """A learner serves only Status and serializable Range calls (`request`; None for a stream,
    none of which it serves): the rest are UNAVAILABLE "rpc not supported for learner"."""
    if not server.is_learner:
        return
    if isinstance(request, rpc_pb2.StatusRequest) or (
            isinstance(request, rpc_pb2.RangeRequest) and request.serializable):
        return
    raise ErrNotSupportedForLearner()


@mirrors(f"{V3RPC}.newUnaryInterceptor", f"{V3RPC}.newStreamInterceptor")
def require_leader(server, context) -> None:
    """ErrNoLeader for a call whose metadata asks for a leader ("hasleader": "true", clientv3's
    WithRequireLeader, which the kube-apiserver's watches carry) while this member knows none:
    refused at once instead of waiting for a request timeout."""
    if requires_leader(context) and server.leader == 0:
        raise ErrNoLeader()


def requires_leader(context) -> bool:
    """Whether the call's first "hasleader" metadata value is "true": etcd reads only that one."""
    values = [value for key, value in context.invocation_metadata() or () if key == "hasleader"]
    return bool(values) and values[0] == "true"


@mirrors(f"{V3RPC}.newUnaryInterceptor", f"{V3RPC}.newStreamInterceptor")
def intercepted(server, behaviour: Callable, *, stream: bool) -> Callable:
    """`behaviour` behind etcd's interceptors (`refuse_on_learner`, then `require_leader`), for a
    service registered beside etcd's own (health, lock, election): etcd installs them on its
    whole gRPC server, so they guard every service on it. `stream`: the call's responses are a
    stream, which a learner refuses whatever the request."""
    def intercept(request, context) -> None:
        try:
            refuse_on_learner(server, None if stream else request)
            require_leader(server, context)
        except EtcdError as err:
            context.abort(grpc.StatusCode[err.grpc_code], err.message)

    if stream:
        def streaming(request, context):
            intercept(request, context)
            if requires_leader(context):
                context = LeaderBoundContext(context, server)
            yield from behaviour(request, context)
        return streaming

    def unary(request, context):
        intercept(request, context)
        return behaviour(request, context)
    return unary


@mirrors(f"{V3RPC}.monitorLeader")
class LeaderLoss:
    """Whether a stream that requires a leader is to end: etcd checks once an election timeout
    and cancels such streams ("etcdserver: no leader") once a member has seen no leader at
    maxNoLeaderCnt (3) checks in a row, sparing streams a leader election's short absence."""

    CHECKS = 3

    def __init__(self, server) -> None:
        self._server = server
        self._since: float | None = None  # when this stream first saw no leader, this absence
        self.ended = False

    def lost(self, now: float) -> bool:
        """Whether the stream is to end, as of `now` (seconds, monotonic); once True, always."""
        if self.ended or self._server.leader != 0:
            self._since = None
            return self.ended
        if self._since is None:
            self._since = now
        # the check that first sees no leader counts as one: two more election timeouts
        self.ended = now - self._since >= (self.CHECKS - 1) * self._server.election_timeout
        return self.ended


@mirrors(f"{V3RPC}.newStreamInterceptor", f"{V3RPC}.monitorLeader")
class LeaderBoundContext:
    """A stream's context as etcd's interceptor hands it to a handler when the call requires a
    leader: once `LeaderLoss` says the leader is lost, it is cancelled (is_active() is False,
    its callbacks run) with `cancel_reason` ErrNoLeader, which the handler may answer with, as
    etcd's cancellableContext keeps the reason for Err(); a callback added after that runs at
    once, as on a Go context already done. Anything else is the call's own."""

    def __init__(self, context, server) -> None:
        self._context = context
        self._loss = LeaderLoss(server)
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()  # cancel_reason and _callbacks change together
        self._over = threading.Event()
        self.cancel_reason: EtcdError | None = None
        if context.add_callback(self._over.set):
            threading.Thread(target=self._monitor, daemon=True, name="leader-monitor").start()
        # else the call has already ended: nothing to watch over

    def _monitor(self) -> None:
        while not self._over.wait(STREAM_POLL):
            if self._loss.lost(time.monotonic()):
                with self._lock:
                    self.cancel_reason = ErrNoLeader()
                    callbacks, self._callbacks = self._callbacks, []
                for callback in callbacks:
                    callback()
                return

    def is_active(self) -> bool:
        return self.cancel_reason is None and self._context.is_active()

    def add_callback(self, callback: Callable[[], None]) -> bool:
        with self._lock:
            cancelled = self.cancel_reason is not None
            if not cancelled:
                self._callbacks.append(callback)
        if cancelled:
            callback()
            return True
        return self._context.add_callback(callback)

    def __getattr__(self, name: str):
        return getattr(self._context, name)


def _answers_etcd_errors(method: Callable) -> Callable:
    """Turn an EtcdError from the core into etcd's gRPC status (v3rpc's togRPCError), once the
    call passed etcd's interceptor (`require_leader`)."""

    @functools.wraps(method)
    def call(self, request, context):
        try:
            refuse_on_learner(self._server, request)
            require_leader(self._server, context)
            return method(self, request, context)
        except EtcdError as err:
            context.abort(grpc.StatusCode[err.grpc_code], err.message)

    return call


# --- servicers ----------------------------------------------------------------------------------

class KVServicer(rpc_pb2_grpc.KVServicer):
    def __init__(self, server):
        self._server = server

    @mirrors(f"(*{V3RPC}.kvServer).Range")
    @_answers_etcd_errors
    def Range(self, request, context):
        req = range_request(request)
        self._server.check_request(req)
        self._server.authorize(waited_token(context, self._server), req)
        return range_response_pb(self._server.range(req))

    @mirrors(f"(*{V3RPC}.kvServer).Put")
    @_answers_etcd_errors
    def Put(self, request, context):
        req = put_request(request)
        self._server.check_quota(req)  # etcd's quotaKVServer wraps the kvServer
        self._server.check_request(req)
        self._server.authorize(waited_token(context, self._server), req)
        return put_response_pb(self._server.put(req, checked=True))

    @mirrors(f"(*{V3RPC}.kvServer).DeleteRange")
    @_answers_etcd_errors
    def DeleteRange(self, request, context):
        req = delete_range_request(request)
        self._server.check_request(req)
        self._server.authorize(waited_token(context, self._server), req)
        return delete_range_response_pb(self._server.delete_range(req, checked=True))

    @mirrors(f"(*{V3RPC}.kvServer).Txn")
    @_answers_etcd_errors
    def Txn(self, request, context):
        req = txn_request(request)
        self._server.check_quota(req)
        self._server.check_request(req)
        self._server.authorize(waited_token(context, self._server), req)
        return txn_response_pb(self._server.txn(req, checked=True))

    @mirrors(f"(*{V3RPC}.kvServer).Compact")
    @_answers_etcd_errors
    def Compact(self, request, context):
        self._server.authorize(waited_token(context, self._server))
        resp = self._server.compact(m.CompactionRequest(revision=request.revision,
                                                        physical=request.physical))
        return rpc_pb2.CompactionResponse(header=header_pb(resp.header))


class LeaseServicer(rpc_pb2_grpc.LeaseServicer):
    def __init__(self, server, streams: Streams):
        self._server = server
        self._streams = streams

    @mirrors(f"(*{V3RPC}.LeaseServer).LeaseGrant")
    @_answers_etcd_errors
    def LeaseGrant(self, request, context):
        req = m.LeaseGrantRequest(ttl=request.TTL, id=request.ID)
        self._server.check_quota(req)  # etcd's quotaLeaseServer wraps the LeaseServer
        self._server.authorize(waited_token(context, self._server))
        resp = self._server.lease_grant(req)
        return rpc_pb2.LeaseGrantResponse(header=header_pb(resp.header), ID=resp.id, TTL=resp.ttl,
                                          error=resp.error)

    @mirrors(f"(*{V3RPC}.LeaseServer).LeaseRevoke")
    @_answers_etcd_errors
    def LeaseRevoke(self, request, context):
        req = m.LeaseRevokeRequest(id=request.ID)
        self._server.authorize(waited_token(context, self._server), req)
        resp = self._server.lease_revoke(req)
        return rpc_pb2.LeaseRevokeResponse(header=header_pb(resp.header))

    @mirrors(f"(*{V3RPC}.LeaseServer).LeaseTimeToLive")
    @_answers_etcd_errors
    def LeaseTimeToLive(self, request, context):
        resp = self._server.lease_time_to_live(
            m.LeaseTimeToLiveRequest(id=request.ID, keys=request.keys))
        return rpc_pb2.LeaseTimeToLiveResponse(header=header_pb(resp.header), ID=resp.id,
                                               TTL=resp.ttl, grantedTTL=resp.granted_ttl,
                                               keys=list(resp.keys))

    @mirrors(f"(*{V3RPC}.LeaseServer).LeaseLeases")
    @_answers_etcd_errors
    def LeaseLeases(self, request, context):
        resp = self._server.lease_leases()
        return rpc_pb2.LeaseLeasesResponse(header=header_pb(resp.header),
                                           leases=[rpc_pb2.LeaseStatus(ID=i) for i in resp.leases])

    @mirrors(f"(*{V3RPC}.LeaseServer).LeaseKeepAlive", f"(*{V3RPC}.LeaseServer).leaseKeepAlive")
    def LeaseKeepAlive(self, request_iterator, context):
        # An unknown or expired lease is answered with TTL 0 by the core, as etcd does; an error
        # ends the stream with its status.
        try:
            refuse_on_learner(self._server)
            require_leader(self._server, context)
        except EtcdError as err:
            context.abort(grpc.StatusCode[err.grpc_code], err.message)
        self._streams.add(context)
        if requires_leader(context):
            request_iterator = _until_leader_lost(request_iterator, context, LeaderLoss(self._server))
        try:
            for request in request_iterator:
                try:
                    resp = self._server.lease_keep_alive(m.LeaseKeepAliveRequest(id=request.ID))
                except EtcdError as err:
                    context.abort(grpc.StatusCode[err.grpc_code], err.message)
                yield rpc_pb2.LeaseKeepAliveResponse(header=header_pb(resp.header), ID=resp.id,
                                                     TTL=resp.ttl)
        finally:
            self._streams.discard(context)


@mirrors(f"{V3RPC}.monitorLeader", f"(*{V3RPC}.LeaseServer).LeaseKeepAlive")
def _until_leader_lost(requests: Iterator, context, loss: LeaderLoss) -> Iterator:
    """`requests`, read on a thread of their own so that the stream can end while it waits for
    the next: once `loss` says the leader is lost, the stream ends UNAVAILABLE "etcdserver: no
    leader", as etcd's monitorLeader cancels it and LeaseKeepAlive reports that cancellation."""
    received: queue.SimpleQueue = queue.SimpleQueue()
    end = object()

    def receive() -> None:
        try:
            for request in requests:
                received.put(request)
        except Exception:  # the client went away: the RPC is over
            pass
        finally:
            received.put(end)

    threading.Thread(target=receive, daemon=True, name="keepalive-recv").start()
    while True:
        try:
            request = received.get(timeout=STREAM_POLL)
        except queue.Empty:
            if loss.lost(time.monotonic()):
                context.abort(grpc.StatusCode.UNAVAILABLE, ErrNoLeader.message)
            if not context.is_active():
                return
            continue
        if request is end:
            return
        yield request


class MaintenanceServicer(rpc_pb2_grpc.MaintenanceServicer):
    """Status, Alarm, Defragment, Snapshot (the state as a bbolt file, see bolt.py), Hash (etcd's
    checksum of every bucket) and HashKV (of the `key` bucket, see backend.py), and MoveLeader
    (on a Raft member, to any voting member; on a single member, only to itself). Downgrade,
    which etcd 3.4 does not have, is not registered."""

    def __init__(self, server):
        self._server = server

    @mirrors(f"(*{V3RPC}.authMaintenanceServer).isAuthenticated")
    def _authorize(self, context, *, admin: bool) -> None:
        """etcd 3.4 returns the auth package's own error here, untranslated: gRPC sends it as
        code Unknown with the text "auth: ..." (not "etcdserver: ..."). Without `admin`, only
        the token is looked up, as for Alarm's raft request."""
        try:
            self._server.authorize(waited_token(context, self._server), admin=admin)
        except EtcdError as err:
            context.abort(grpc.StatusCode.UNKNOWN, err.message.replace("etcdserver: ", "auth: ", 1))

    @mirrors(f"(*{V3RPC}.maintenanceServer).Status")
    @_answers_etcd_errors
    def Status(self, request, context):
        s = self._server.status()
        return rpc_pb2.StatusResponse(
            header=header_pb(s.header), version=s.version, dbSize=s.db_size, leader=s.leader,
            raftIndex=s.raft_index, raftTerm=s.raft_term, raftAppliedIndex=s.raft_applied_index,
            errors=list(s.errors), dbSizeInUse=s.db_size_in_use, isLearner=s.is_learner)

    @mirrors(f"(*{V3RPC}.maintenanceServer).Hash")
    @_answers_etcd_errors
    def Hash(self, request, context):
        self._authorize(context, admin=True)
        resp = self._server.hash()
        return rpc_pb2.HashResponse(header=header_pb(resp.header), hash=resp.hash)

    @mirrors(f"(*{V3RPC}.maintenanceServer).HashKV")
    @_answers_etcd_errors
    def HashKV(self, request, context):
        self._authorize(context, admin=True)
        resp = self._server.hash_kv(request.revision)
        return rpc_pb2.HashKVResponse(header=header_pb(resp.header), hash=resp.hash,
                                      compact_revision=resp.compact_revision)

    @mirrors(f"(*{V3RPC}.maintenanceServer).Snapshot")
    def Snapshot(self, request, context):
        """The bbolt file in chunks, each with the bytes still to come, then its SHA-256 in a
        last message: what `etcdctl snapshot save` writes out and `snapshot restore` checks."""
        try:
            refuse_on_learner(self._server)
            require_leader(self._server, context)
            self._authorize(context, admin=True)
            db = self._server.snapshot_db()
        except EtcdError as err:
            context.abort(grpc.StatusCode[err.grpc_code], err.message)
        for start in range(0, len(db), SNAPSHOT_SEND_BUFFER):  # no header, as etcd 3.4 sends them
            chunk = db[start:start + SNAPSHOT_SEND_BUFFER]
            yield rpc_pb2.SnapshotResponse(remaining_bytes=len(db) - start - len(chunk), blob=chunk)
        yield rpc_pb2.SnapshotResponse(remaining_bytes=0, blob=hashlib.sha256(db).digest())

    @mirrors(f"(*{V3RPC}.maintenanceServer).MoveLeader")
    @_answers_etcd_errors
    def MoveLeader(self, request, context):
        self._server.move_leader(request.targetID, context.time_remaining(), context.is_active)
        return rpc_pb2.MoveLeaderResponse()  # etcd 3.4 fills no header either

    @mirrors(f"(*{V3RPC}.maintenanceServer).Alarm")
    @_answers_etcd_errors
    def Alarm(self, request, context):
        self._authorize(context, admin=False)
        resp = self._server.alarm(m.AlarmRequest(
            _ALARM_ACTION(request.action), request.memberID, _ALARM_TYPE(request.alarm)))
        # etcd's applier answers without a header, and maintenanceServer sends it as it is.
        return rpc_pb2.AlarmResponse(alarms=[
            rpc_pb2.AlarmMember(memberID=a.member_id, alarm=_enum_value(rpc_pb2.AlarmType, a.alarm))
            for a in resp.alarms])

    @mirrors(f"(*{V3RPC}.maintenanceServer).Defragment")
    @_answers_etcd_errors
    def Defragment(self, request, context):
        self._authorize(context, admin=True)
        self._server.defragment()
        return rpc_pb2.DefragmentResponse()  # etcd sends no header either



class AuthServicer(rpc_pb2_grpc.AuthServicer):
    """User, role and enable/disable management and Authenticate, as etcd 3.4's authServer: every
    call but Authenticate needs root once auth is enabled; changes go through the log."""

    def __init__(self, server):
        self._server = server

    def _change(self, context, request):
        self._server.authorize(waited_token(context, self._server), request, admin=True)
        return header_pb(self._server.auth_change(request))

    def _read(self, context, fn, request=None):
        """`fn(auth store)` for a root caller, or for the caller `request` (a user or role get)
        concerns; every other read needs root. etcd checks that when the read's entry applies, so
        after the barrier: a grant or revoke committed before the read counts."""
        token = waited_token(context, self._server)
        self._server.auth_read_barrier()
        if request is None:
            self._server.authorize(token, admin=True)
        else:
            self._server.authorize(token, request)
        return header_pb(self._server.header()), self._server.read(lambda: fn(self._server.auth))

    @mirrors(f"(*{V3RPC}.AuthServer).AuthEnable")
    @_answers_etcd_errors
    def AuthEnable(self, request, context):
        return rpc_pb2.AuthEnableResponse(header=self._change(context, m.AuthEnableRequest()))

    @mirrors(f"(*{V3RPC}.AuthServer).AuthDisable")
    @_answers_etcd_errors
    def AuthDisable(self, request, context):
        return rpc_pb2.AuthDisableResponse(header=self._change(context, m.AuthDisableRequest()))

    @mirrors(f"(*{V3RPC}.AuthServer).Authenticate")
    @_answers_etcd_errors
    def Authenticate(self, request, context):
        token = self._server.authenticate(request.name, request.password, token_of(context))
        return rpc_pb2.AuthenticateResponse(header=header_pb(self._server.header()), token=token)

    @mirrors(f"(*{V3RPC}.AuthServer).UserAdd")
    @_answers_etcd_errors
    def UserAdd(self, request, context):
        req = m.AuthUserAddRequest(request.name, request.password,
                                   no_password=request.options.no_password)
        return rpc_pb2.AuthUserAddResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).UserDelete")
    @_answers_etcd_errors
    def UserDelete(self, request, context):
        req = m.AuthUserDeleteRequest(request.name)
        return rpc_pb2.AuthUserDeleteResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).UserChangePassword")
    @_answers_etcd_errors
    def UserChangePassword(self, request, context):
        req = m.AuthUserChangePasswordRequest(request.name, request.password)
        return rpc_pb2.AuthUserChangePasswordResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).UserGrantRole")
    @_answers_etcd_errors
    def UserGrantRole(self, request, context):
        req = m.AuthUserGrantRoleRequest(request.user, request.role)
        return rpc_pb2.AuthUserGrantRoleResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).UserRevokeRole")
    @_answers_etcd_errors
    def UserRevokeRole(self, request, context):
        req = m.AuthUserRevokeRoleRequest(request.name, request.role)
        return rpc_pb2.AuthUserRevokeRoleResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).UserGet")
    @_answers_etcd_errors
    def UserGet(self, request, context):
        header, user = self._read(context, lambda auth: auth.user_get(request.name),
                                  m.AuthUserGetRequest(request.name))
        return new_message(rpc_pb2.AuthUserGetResponse, header=header, roles=list(user.roles))

    @mirrors(f"(*{V3RPC}.AuthServer).UserList")
    @_answers_etcd_errors
    def UserList(self, request, context):
        header, users = self._read(context, lambda auth: sorted(auth.users))
        return new_message(rpc_pb2.AuthUserListResponse, header=header, users=users)

    @mirrors(f"(*{V3RPC}.AuthServer).RoleAdd")
    @_answers_etcd_errors
    def RoleAdd(self, request, context):
        return rpc_pb2.AuthRoleAddResponse(header=self._change(context, m.AuthRoleAddRequest(request.name)))

    @mirrors(f"(*{V3RPC}.AuthServer).RoleDelete")
    @_answers_etcd_errors
    def RoleDelete(self, request, context):
        req = m.AuthRoleDeleteRequest(request.role)
        return rpc_pb2.AuthRoleDeleteResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).RoleGet")
    @_answers_etcd_errors
    def RoleGet(self, request, context):
        header, role = self._read(context, lambda auth: auth.role_get(request.role),
                                  m.AuthRoleGetRequest(request.role))
        return rpc_pb2.AuthRoleGetResponse(header=header, perm=[
            auth_pb2.Permission(permType=perm_type_value(p.perm_type), key=p.key,
                                range_end=p.range_end) for p in role.permissions])

    @mirrors(f"(*{V3RPC}.AuthServer).RoleList")
    @_answers_etcd_errors
    def RoleList(self, request, context):
        header, roles = self._read(context, lambda auth: sorted(auth.roles))
        return new_message(rpc_pb2.AuthRoleListResponse, header=header, roles=roles)

    @mirrors(f"(*{V3RPC}.AuthServer).RoleGrantPermission")
    @_answers_etcd_errors
    def RoleGrantPermission(self, request, context):
        if not request.HasField("perm"):
            # etcd 3.4 panics applying such a grant (and at every restart after); 3.5 refuses it
            self._server.authorize(waited_token(context, self._server), admin=True)
            raise ErrPermissionNotGiven()
        perm = m.Permission(perm_type_name(request.perm.permType), request.perm.key,
                            request.perm.range_end)
        req = m.AuthRoleGrantPermissionRequest(request.name, perm)
        return rpc_pb2.AuthRoleGrantPermissionResponse(header=self._change(context, req))

    @mirrors(f"(*{V3RPC}.AuthServer).RoleRevokePermission")
    @_answers_etcd_errors
    def RoleRevokePermission(self, request, context):
        req = m.AuthRoleRevokePermissionRequest(request.role, request.key, request.range_end)
        return rpc_pb2.AuthRoleRevokePermissionResponse(header=self._change(context, req))


class ClusterServicer(rpc_pb2_grpc.ClusterServicer):
    """MemberList, and on a Raft member (member.py) MemberAdd, MemberRemove, MemberUpdate and
    MemberPromote through conf changes; a single-member server cannot change membership."""

    def __init__(self, server):
        self._server = server

    def _header(self):
        header = self._server.header()
        # ClusterServer.header() leaves the revision out
        return rpc_pb2.ResponseHeader(cluster_id=header.cluster_id, member_id=header.member_id,
                                      raft_term=header.raft_term)

    @staticmethod
    def _members_pb(members) -> list:
        return [rpc_pb2.Member(ID=mb.id, name=mb.name, peerURLs=list(mb.peer_urls),
                               clientURLs=list(mb.client_urls), isLearner=mb.is_learner)
                for mb in members]

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).checkMembershipOperationPermission")
    def _membership(self, context, change: str):
        """The member's `change` method, once the caller is known to be root (with auth on)."""
        method = getattr(self._server, change, None)
        if method is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED,
                          "reference etcd: a single member started without --initial-cluster "
                          "cannot change membership")
        self._server.authorize(waited_token(context, self._server), admin=True)
        return method

    @mirrors(f"(*{V3RPC}.ClusterServer).MemberList", f"(*{V3RPC}.ClusterServer).header")
    @_answers_etcd_errors
    def MemberList(self, request, context):
        return rpc_pb2.MemberListResponse(header=self._header(),
                                          members=self._members_pb(self._server.members()))

    @mirrors(f"(*{V3RPC}.ClusterServer).MemberAdd")
    @_answers_etcd_errors
    def MemberAdd(self, request, context):
        check_peer_urls(tuple(request.peerURLs))  # v3rpc checks them before the permission
        add = self._membership(context, "member_add")
        member, members = add(tuple(request.peerURLs), request.isLearner)
        return rpc_pb2.MemberAddResponse(header=self._header(), member=self._members_pb([member])[0],
                                         members=self._members_pb(members))

    @mirrors(f"(*{V3RPC}.ClusterServer).MemberRemove")
    @_answers_etcd_errors
    def MemberRemove(self, request, context):
        members = self._membership(context, "member_remove")(request.ID)
        return rpc_pb2.MemberRemoveResponse(header=self._header(), members=self._members_pb(members))

    @mirrors(f"(*{V3RPC}.ClusterServer).MemberUpdate")
    @_answers_etcd_errors
    def MemberUpdate(self, request, context):
        members = self._membership(context, "member_update")(request.ID, tuple(request.peerURLs))
        return rpc_pb2.MemberUpdateResponse(header=self._header(), members=self._members_pb(members))

    @mirrors(f"(*{V3RPC}.ClusterServer).MemberPromote")
    @_answers_etcd_errors
    def MemberPromote(self, request, context):
        members = self._membership(context, "member_promote")(request.ID)
        return rpc_pb2.MemberPromoteResponse(header=self._header(), members=self._members_pb(members))


# --- watch --------------------------------------------------------------------------------------

@mirrors(f"{V3RPC}.sendFragments")
def send_fragments(response: rpc_pb2.WatchResponse, max_bytes: int) -> list[rpc_pb2.WatchResponse]:
    """`response` as etcd sends it to a watch created with fragment: unchanged if it is smaller
    than `max_bytes` or has one event, else cut into responses each below `max_bytes` (or of
    one event), all but the last marked fragment."""
    if len(response.events) < 2 or response.ByteSize() < max_bytes:
        return [response]
    empty = rpc_pb2.WatchResponse()
    empty.CopyFrom(response)
    del empty.events[:]
    empty.fragment = True
    base = empty.ByteSize()
    out: list[rpc_pb2.WatchResponse] = []
    current: list = []
    size = base
    for event in response.events:
        n = event.ByteSize()
        added = 1 + size_varint(n) + n  # field 11's tag, the length, the event
        if current and size + added >= max_bytes:
            out.append(_fragment(empty, current, True))
            current, size = [], base
        current.append(event)
        size += added
    out.append(_fragment(empty, current, False))
    return out


def _fragment(empty: rpc_pb2.WatchResponse, events: list, more: bool) -> rpc_pb2.WatchResponse:
    part = rpc_pb2.WatchResponse()
    part.CopyFrom(empty)
    part.events.extend(events)
    part.fragment = more
    return part


class WatchRouter:
    """The core's watch listener: calls the waker of the stream that owns a watch when the core
    queues a response for it. Called with the core's lock held, so a waker only signals."""

    def __init__(self):
        self._wakers: dict[int, Callable[[], None]] = {}  # core watch id -> its stream's waker

    def __call__(self, watch_id: int) -> None:
        wake = self._wakers.get(watch_id)
        if wake is not None:
            wake()

    def add(self, watch_id: int, wake: Callable[[], None]) -> None:
        self._wakers[watch_id] = wake

    def remove(self, watch_id: int) -> None:
        self._wakers.pop(watch_id, None)


class _WatchStream:
    """One Watch RPC, etcd's serverWatchStream: `recv_loop` (its own thread) turns create,
    cancel and progress requests into core calls; `send_loop` (the RPC's worker) drains the core's
    queued responses for this stream's watches and yields them, a watch's run of event responses
    that piled up while it sent joined into one (watch.coalesce). The send loop drains the
    watches the core named since it last looked (`_queued`), not every watch of the stream: a
    kube-apiserver keeps one watch per cached resource on one stream, and a write wakes one or two.

    Watch ids are per stream in etcd (each stream's auto ids start at 0, and two streams may
    choose the same id), while the core's are server-wide: the stream maps its ids to the core's.
    """

    def __init__(self, server, router: WatchRouter, token: str | None = None, context=None):
        self._server = server
        self._router = router
        self._token = token
        # The RPC's context: a create waits, as isWatchPermitted's AuthInfoFromCtx does, for the
        # index its simple token names to be applied (waited_token) while the stream lives.
        self._context = context
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._core_ids: dict[int, int] = {}  # stream watch id -> core watch id
        self._stream_ids: dict[int, int] = {}  # core watch id -> stream watch id
        self._next_id = 0
        # Stream ids of watches canceled for compaction: mvcc's watchStream keeps them (its
        # watchers map) until the client cancels them, so they stay taken.
        self._compacted: set[int] = set()
        self._fragmented: set[int] = set()  # core ids of the watches that asked for fragments
        self._fragment_bytes = server.max_request_bytes + GRPC_OVERHEAD_BYTES
        # Answers to the stream's requests, in the order they came (etcd's ctrlStream), sent ahead of
        # the events queued since.
        self._outbox: deque[rpc_pb2.WatchResponse] = deque()
        # Core ids of watches the core queued responses for since the send loop last looked, in
        # the order named (a deque: appended from the core's thread without this stream's lock,
        # which a drain holds while it takes the core's).
        self._named: deque[int] = deque()
        self._closed = False

    def wake(self) -> None:
        # Called for every queued response: set() takes the Event's lock and notifies even when
        # the flag is already up, and the send loop clears it only before draining everything.
        if not self._wakeup.is_set():
            self._wakeup.set()

    def _queued(self, core_id: int) -> None:
        """The router's waker for one watch: the core queued a response for it. Named before the
        wake, so the drain that the wake leads to finds it."""
        self._named.append(core_id)
        self.wake()

    @mirrors(f"(*{V3RPC}.serverWatchStream).recvLoop")
    def recv_loop(self, requests: Iterator[rpc_pb2.WatchRequest]) -> None:
        try:
            for request in requests:
                kind = request.WhichOneof("request_union")
                if kind == "create_request":
                    self._create(request.create_request)
                elif kind == "cancel_request":
                    self._cancel(request.cancel_request.watch_id)
                elif kind == "progress_request":
                    self._progress()
        except (grpc.RpcError, ValueError):
            pass  # the client went away; the send loop ends with the RPC
        # On the client's half-close etcd keeps sending until the RPC ends, and so does this.

    def _create(self, creq: rpc_pb2.WatchCreateRequest) -> None:
        req = watch_create_request(creq)
        token = self._token if self._context is None else waited_token(self._context, self._server)
        if self._context is not None and not self._context.is_active():
            return  # the stream ended while the token waited: nothing to answer on
        with self._lock:
            try:
                self._server.authorize(token, m.RangeRequest(req.key, req.range_end))
            except EtcdError as err:
                # isWatchPermitted: the reason is the gRPC error's text, as etcd puts it
                self._refuse(go_status_text(err))
                return
            wanted = creq.watch_id  # 0 is etcd's AutoWatchID
            if wanted != 0 and self._taken(wanted):
                self._refuse(ErrWatcherDuplicateID.message)
                return
            try:
                core_id = self._server.watch_create(replace(req, watch_id=0))
            except EtcdError as err:
                self._refuse(err.message)
                return
            if wanted == 0:
                while self._taken(self._next_id):
                    self._next_id += 1
                wanted = self._next_id
                self._next_id += 1
            self._core_ids[wanted] = core_id
            self._stream_ids[core_id] = wanted
            if creq.fragment:
                self._fragmented.add(core_id)
            self._router.add(core_id, functools.partial(self._queued, core_id))
            # Its created answer goes out in turn with the refusals (etcd's ctrlStream): a client
            # that tells its watches' answers apart by their order (clientv3) gets the right one.
            self._outbox.extend(self._drain_watch(core_id, wanted))
        self.wake()

    def _taken(self, watch_id: int) -> bool:
        return watch_id in self._core_ids or watch_id in self._compacted

    def _refuse(self, reason: str) -> None:
        """etcd's answer to a create it cannot honour: created and canceled at once, id -1."""
        self._outbox.append(rpc_pb2.WatchResponse(
            header=header_pb(self._server.header()), watch_id=-1, created=True, canceled=True,
            cancel_reason=reason))
        self.wake()

    @mirrors(f"(*{MVCC}.watchStream).Cancel")
    def _cancel(self, watch_id: int) -> None:
        with self._lock:
            core_id = self._core_ids.get(watch_id)
            if core_id is not None:
                self._server.watch_cancel(core_id)  # queues the final canceled response
            elif watch_id in self._compacted:
                self._compacted.discard(watch_id)
                self._outbox.append(rpc_pb2.WatchResponse(
                    header=header_pb(self._server.header()), watch_id=watch_id, canceled=True))
        self.wake()

    def _progress(self) -> None:
        """etcd 3.4 answers a progress request with one response for the whole stream, watch id
        -1 (clientv3 hands it to every watch), at the current revision, whatever watches exist.
        It goes out behind every event of its revision already queued for the stream's watches,
        as since etcd 3.4.25 (#15220): before, it could overtake them, and a client taking its
        revision as "all seen" would lose those events."""
        with self._lock:
            header = header_pb(self._server.header())
            self._outbox.extend(self._drain_watches())
            self._outbox.append(rpc_pb2.WatchResponse(header=header, watch_id=-1))
        self.wake()

    @mirrors(f"(*{V3RPC}.serverWatchStream).sendLoop")
    def send_loop(self, is_active: Callable[[], bool]) -> Iterator[rpc_pb2.WatchResponse]:
        while not self._closed and is_active():
            self._wakeup.wait(STREAM_POLL)
            self._wakeup.clear()  # before draining: a response queued meanwhile sets it again
            yield from self._drain()

    def _drain(self) -> list[rpc_pb2.WatchResponse]:
        with self._lock:
            out = list(self._outbox)
            self._outbox.clear()
            return out + self._drain_named()

    def _drain_named(self) -> list[rpc_pb2.WatchResponse]:
        """The responses queued for the watches the core named (holding the lock). A watch
        named after this looks is drained by the next drain, which its wake-up brings."""
        out: list[rpc_pb2.WatchResponse] = []
        seen: set[int] = set()
        named = self._named
        while named:
            core_id = named.popleft()
            stream_id = self._stream_ids.get(core_id)  # None: forgotten since it was named
            if stream_id is not None and core_id not in seen:
                seen.add(core_id)
                out.extend(self._drain_watch(core_id, stream_id))
        return out

    def _drain_watches(self) -> list[rpc_pb2.WatchResponse]:
        """The responses the core has queued for this stream's watches (holding the lock)."""
        out: list[rpc_pb2.WatchResponse] = []
        for core_id, stream_id in list(self._stream_ids.items()):
            out.extend(self._drain_watch(core_id, stream_id))
        return out

    def _drain_watch(self, core_id: int, stream_id: int) -> list[rpc_pb2.WatchResponse]:
        """The responses the core has queued for one watch (holding the lock)."""
        out: list[rpc_pb2.WatchResponse] = []
        for resp in coalesce(self._server.watch_drain(core_id)):
            response = watch_response_pb(resp, stream_id)
            if core_id in self._fragmented:
                out.extend(send_fragments(response, self._fragment_bytes))
            else:
                out.append(response)
            if resp.canceled:
                self._forget(core_id)
                if resp.compact_revision:
                    self._compacted.add(stream_id)
        return out

    def _forget(self, core_id: int) -> None:
        self._fragmented.discard(core_id)
        stream_id = self._stream_ids.pop(core_id)
        del self._core_ids[stream_id]
        self._router.remove(core_id)

    @mirrors(f"(*{V3RPC}.serverWatchStream).close")
    def close(self) -> None:
        with self._lock:
            self._closed = True
            for core_id in list(self._stream_ids):
                self._server.watch_cancel(core_id)
                self._server.watch_drain(core_id)  # the core forgets a watch once drained
                self._forget(core_id)
        self.wake()


class WatchServicer(rpc_pb2_grpc.WatchServicer):
    def __init__(self, server, streams: Streams, router: WatchRouter):
        self._server = server
        self._streams = streams
        self._router = router
        server.set_watch_listener(self._router)

    @mirrors(f"(*{V3RPC}.watchServer).Watch")
    def Watch(self, request_iterator, context):
        try:
            refuse_on_learner(self._server)
            require_leader(self._server, context)
        except EtcdError as err:
            context.abort(grpc.StatusCode[err.grpc_code], err.message)
        stream = _WatchStream(self._server, self._router, token_of(context), context)
        context.add_callback(stream.wake)  # the RPC ended: let the send loop notice at once
        self._streams.add(context)
        threading.Thread(target=stream.recv_loop, args=(request_iterator,), daemon=True,
                         name="watch-recv").start()
        loss = LeaderLoss(self._server) if requires_leader(context) else None

        def is_active() -> bool:
            return context.is_active() and (loss is None or not loss.lost(time.monotonic()))
        try:
            yield from stream.send_loop(is_active)
            if loss is not None and loss.ended:
                context.abort(grpc.StatusCode.UNAVAILABLE, ErrNoLeader.message)
        finally:
            stream.close()
            self._streams.discard(context)


# --- the server ---------------------------------------------------------------------------------

@mirrors(f"{V3RPC}.Server")
def new_grpc_server(max_request_bytes: int = MAX_REQUEST_BYTES,
                    metrics: GrpcMetrics = GRPC_METRICS) -> grpc.Server:
    """A gRPC server with etcd's message limits (requests up to --max-request-bytes plus gRPC's
    overhead) and the thread pool described above, counting its calls into `metrics` (the
    process's by default); bind ports with `add_insecure_port`, then `add_etcd_servicers`, then
    start it."""
    limit = max_request_bytes + GRPC_OVERHEAD_BYTES
    return grpc.server(futures.ThreadPoolExecutor(max_workers=MAX_WORKERS,
                                                  thread_name_prefix="etcd-grpc"),
                       maximum_concurrent_rpcs=MAX_CONCURRENT_RPCS,
                       options=[*SERVER_OPTIONS, ("grpc.max_receive_message_length", framework_cap(limit))],
                       interceptors=(ReceiveLimit(limit, served), GrpcMonitor(metrics, served)))


@mirrors(f"{V3RPC}.Server")
def add_etcd_servicers(grpc_server: grpc.Server, server, router: WatchRouter | None = None,
                       metrics: GrpcMetrics = GRPC_METRICS) -> Streams:
    """Register the KV, Watch, Lease, Maintenance, Cluster and Auth services for the core `server`,
    and the gRPC health service; returns the registry of their open streams, to cancel on shutdown.
    `router` wakes the owner of each core watch: pass the one the lock and election services
    (grpc_concurrency) share with Watch. Their methods are set out at zero in `metrics`, the
    counters the server was made with."""
    streams = Streams()
    _add_servicer(grpc_server, "KV", KVServicer(server), {"Txn": read_txn_request})
    _add_servicer(grpc_server, "Watch", WatchServicer(server, streams, router or WatchRouter()))
    _add_servicer(grpc_server, "Lease", LeaseServicer(server, streams))
    _add_servicer(grpc_server, "Maintenance", MaintenanceServicer(server))
    _add_servicer(grpc_server, "Cluster", ClusterServicer(server))
    _add_servicer(grpc_server, "Auth", AuthServicer(server))
    add_health_servicer(grpc_server, streams, functools.partial(intercepted, server))
    grpc_server.add_generic_rpc_handlers((_UnknownMethods(),))
    for method in _registered_methods():
        metrics.preregister(*method)
    return streams


# What the stubs (etcd 3.5's rpc.proto) define and etcd 3.4 does not serve: calls of these are
# answered as calls of any method the service does not have.
NOT_IN_ETCD_34 = {"Auth": frozenset({"AuthStatus"}), "Maintenance": frozenset({"Downgrade"})}
# The methods of each service this server registers, by service name.
SERVICES = {**{f"etcdserverpb.{service.name}":
               frozenset(method.name for method in service.methods)
               - NOT_IN_ETCD_34.get(service.name, frozenset())
               for service in rpc_pb2.DESCRIPTOR.services_by_name.values()},
            HEALTH_SERVICE: frozenset({"Check", "Watch"}),
            # registered beside these by grpc_concurrency, as etcd's embed package does
            concurrencypb.LOCK_SERVICE: frozenset({"Lock", "Unlock"}),
            concurrencypb.ELECTION_SERVICE: frozenset({"Campaign", "Proclaim", "Leader", "Observe",
                                                       "Resign"})}


def served(path: str) -> bool:
    """Whether a server of etcd's services has the method `path` names."""
    return unknown_method_status(path) is None


def _registered_methods() -> tuple[tuple[str, str, str], ...]:
    """(service, method, grpc_type) of each method v3rpc.Server registers before it sets out
    their metrics: etcd's six services and health, not lock and election (added after)."""
    methods = [(HEALTH_SERVICE, "Check", "unary"), (HEALTH_SERVICE, "Watch", "server_stream")]
    for service in rpc_pb2.DESCRIPTOR.services_by_name.values():
        full_name = f"etcdserverpb.{service.name}"
        methods += [(full_name, m.name, call_type(m.client_streaming, m.server_streaming))
                    for m in service.methods if m.name in SERVICES[full_name]]
    return tuple(methods)



def unknown_method_status(path: str) -> tuple[grpc.StatusCode, str] | None:
    """How grpc-go's Server.handleStream refuses a call of `path` that no registered method
    serves, as clients of etcd see it (grpcio would say "Method not found!"). None for a
    registered method named without its leading slash, which grpc-go serves and grpcio cannot
    route: grpcio's answer stands."""
    name = path[1:] if path.startswith("/") else path
    service, slash, method = name.rpartition("/")
    if not slash:
        return grpc.StatusCode.RESOURCE_EXHAUSTED, f"malformed method name: {quote(path)}"
    if service not in SERVICES:
        return grpc.StatusCode.UNIMPLEMENTED, f"unknown service {service}"
    if method in SERVICES[service]:
        return None
    return grpc.StatusCode.UNIMPLEMENTED, f"unknown method {method} for service {service}"


class _UnknownMethods(grpc.GenericRpcHandler):
    """The last handler asked: it takes the calls the services did not and refuses them at once
    (as a stream, which answers unary and streaming calls alike)."""

    def service(self, handler_call_details):
        refusal = unknown_method_status(handler_call_details.method)
        if refusal is None:
            return None
        return grpc.stream_stream_rpc_method_handler(
            lambda requests, context: context.abort(*refusal))


def _add_servicer(grpc_server: grpc.Server, name: str, servicer,
                  readers: dict[str, Callable[[bytes], object]] | None = None) -> None:
    """rpc_pb2_grpc's add_<name>Servicer_to_server for the methods etcd 3.4 has; `readers` reads
    a method's request in place of its message class (Txn: read_txn_request)."""
    service = rpc_pb2.DESCRIPTOR.services_by_name[name]
    full_name = f"etcdserverpb.{name}"
    handlers = {}
    for method_name in SERVICES[full_name]:
        method = service.methods_by_name[method_name]
        request = getattr(rpc_pb2, method.input_type.name)
        make_handler = _HANDLER_KINDS[method.client_streaming, method.server_streaming]
        handlers[method_name] = make_handler(
            getattr(servicer, method_name),
            request_deserializer=checked_reader(request, (readers or {}).get(method_name)),
            response_serializer=_serialize)
    grpc_server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(full_name, handlers),))
    grpc_server.add_registered_method_handlers(full_name, handlers)


def _serialize(response) -> bytes:
    """A response of its class or of its lenient twin (gogostrings.new_message)."""
    return response.SerializeToString()


_HANDLER_KINDS = {(False, False): grpc.unary_unary_rpc_method_handler,
                  (False, True): grpc.unary_stream_rpc_method_handler,
                  (True, False): grpc.stream_unary_rpc_method_handler,
                  (True, True): grpc.stream_stream_rpc_method_handler}


class Ticker(threading.Thread):
    """Calls the core's `tick()` every TICK_INTERVAL seconds: lease expiry and progress notifies,
    which etcd drives from its own timers, are the core's work but need a caller."""

    def __init__(self, server, interval: float = TICK_INTERVAL):
        super().__init__(name="etcd-tick", daemon=True)
        self._server = server
        self._interval = interval
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._server.tick()
            except Exception as err:  # noqa: BLE001 - keep ticking; a lost tick is retried next time
                print(f"reference etcd: tick failed: {err!r}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._stopping.set()
        self.join()
