"""Checking and applying KV requests against the store: etcd's v3rpc checks and applierV3backend.

Two halves, as in etcd:

* `check_*` are the stateless checks v3rpc's kvServer runs before a request reaches the server
  (empty key, ignore_value with a value, too many txn operations, one key written twice in a txn).
* `Applier` applies a request to the store: Range (filters, sort, limit), Put, DeleteRange, Txn
  (compares, nested txns, all in one revision) and the lease and compaction requests. A write
  opens one `TxnWrite`; when it ends with changes, `notify(revision, events)` hands the events on
  to the watches. Headers here carry only the revision; the server fills in the rest.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reference_impl.etcd.errors import (
    ErrCompacted, ErrDuplicateKey, ErrEmptyKey, ErrFutureRev, ErrKeyNotFound, ErrLeaseNotFound,
    ErrLeaseProvided, ErrTooManyOps, ErrUnknownSortTarget, ErrValueProvided, EtcdError)
from reference_impl.etcd.lease import Lessor
from reference_impl.etcd.messages import (
    Compare, DeleteRangeRequest, DeleteRangeResponse, Event, KeyValue, PutRequest, PutResponse,
    RangeRequest, RangeResponse, RequestOp, ResponseHeader, ResponseOp, TxnRequest, TxnResponse)
from reference_impl.etcd.mvcc import KVStore, TxnRead, TxnWrite
from reference_impl.machinery.frozen import quick_init
from reference_impl.machinery.gosort import go_sort
from reference_impl.mirrors import mirrors

V3RPC = "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"
SERVER = "go.etcd.io/etcd/server/v3/etcdserver"

_SORT_KEYS: dict[str, Callable[[KeyValue], object]] = {
    "KEY": lambda kv: kv.key,
    "VERSION": lambda kv: kv.version,
    "CREATE": lambda kv: kv.create_revision,
    "MOD": lambda kv: kv.mod_revision,
    "VALUE": lambda kv: kv.value,
}


def _sort_kvs(kvs: list[KeyValue], key: Callable[[KeyValue], object], descending: bool) -> None:
    """sort.Sort(sorter), or sort.Sort(sort.Reverse(sorter)), as etcd sorts a range: key-values
    with equal sort keys come in the order Go's unstable sort leaves them. Without equal sort
    keys every sort gives the one order, and Python's own gives it much faster."""
    sort_keys = [key(kv) for kv in kvs]
    if len(set(sort_keys)) == len(sort_keys):
        kvs.sort(key=key, reverse=descending)
    elif descending:
        go_sort(kvs, lambda a, b: key(b) < key(a))
    else:
        go_sort(kvs, lambda a, b: key(a) < key(b))


@mirrors(f"{V3RPC}.checkRangeRequest", f"{V3RPC}.checkDeleteRequest")
def check_key(key: bytes) -> None:
    if not key:
        raise ErrEmptyKey()


def _sort_order(r: RangeRequest) -> str:
    """The order a range is sorted in: a target other than KEY with order NONE sorts ascending."""
    return "ASCEND" if r.sort_target != "KEY" and r.sort_order == "NONE" else r.sort_order


def check_sort(r: RangeRequest) -> None:
    """Refuse a sorted range by a target etcd does not define (etcd itself panics on it)."""
    if _sort_order(r) in ("ASCEND", "DESCEND") and r.sort_target not in _SORT_KEYS:
        raise ErrUnknownSortTarget(sort_target=r.sort_target)


@mirrors(f"{V3RPC}.checkPutRequest")
def check_put_request(r: PutRequest) -> None:
    check_key(r.key)
    if r.ignore_value and r.value:
        raise ErrValueProvided(key=r.key)
    if r.ignore_lease and r.lease:
        raise ErrLeaseProvided(key=r.key, lease=r.lease)


@mirrors(f"{V3RPC}.checkTxnRequest", f"{V3RPC}.checkRequestOp")
def check_txn_request(r: TxnRequest, max_txn_ops: int) -> None:
    ops = max(len(r.compare), len(r.success), len(r.failure))
    if ops > max_txn_ops:
        raise ErrTooManyOps(ops=ops, max_txn_ops=max_txn_ops)
    for c in r.compare:
        check_key(c.key)
    for op in (*r.success, *r.failure):
        req = op.request
        if isinstance(req, PutRequest):
            check_put_request(req)
        elif isinstance(req, TxnRequest):
            check_txn_request(req, max_txn_ops - ops)
        elif req is None:  # a RequestOp with none of its oneof set
            raise ErrKeyNotFound()
        else:
            check_key(req.key)


@mirrors(f"{V3RPC}.checkIntervals")
def check_intervals(ops: Sequence[RequestOp]) -> tuple[set[bytes], list[tuple[bytes, bytes]]]:
    """Refuse a txn branch that writes a key twice; returns the keys it puts and ranges it deletes.

    A put may not meet another put or a delete of the same key, including inside nested txns,
    except that the two branches of one nested txn may put the same key (only one of them runs).
    """
    dels = [_interval(op.request) for op in ops if isinstance(op.request, DeleteRangeRequest)]
    puts: set[bytes] = set()
    for op in ops:
        if not isinstance(op.request, TxnRequest):
            continue
        puts_then, dels_then = check_intervals(op.request.success)
        puts_else, dels_else = check_intervals(op.request.failure)
        for key in puts_then:
            if key in puts or _deleted(dels, key):
                raise ErrDuplicateKey(key=key)
            puts.add(key)
        for key in puts_else:
            if (key in puts and key not in puts_then) or _deleted(dels, key):
                raise ErrDuplicateKey(key=key)
            puts.add(key)
        dels += dels_then + dels_else
    for op in ops:
        if isinstance(op.request, PutRequest):
            key = op.request.key
            if key in puts or _deleted(dels, key):
                raise ErrDuplicateKey(key=key)
            puts.add(key)
    return puts, dels


def _interval(r: DeleteRangeRequest) -> tuple[bytes, bytes]:
    # etcd builds these intervals from the raw range_end, so a from-key delete (range_end b"\0")
    # is the empty interval [key, "\0") and clashes with no put: kept that way to accept what
    # etcd accepts.
    return (r.key, r.range_end) if r.range_end else (r.key, r.key + b"\0")


def _deleted(dels: list[tuple[bytes, bytes]], key: bytes) -> bool:
    return any(start <= key < end for start, end in dels)


@mirrors(f"{SERVER}.isTxnReadonly")
def is_txn_readonly(r: TxnRequest) -> bool:
    return all(isinstance(op.request, RangeRequest) for op in (*r.success, *r.failure))


@quick_init
@dataclass(frozen=True)
class TxnPath:
    """Which branch each txn took: this txn's outcome, then its nested txns' in op order."""

    succeeded: bool
    nested: tuple[TxnPath, ...]


ReadView = KVStore | TxnRead | TxnWrite


class Applier:
    """Applies requests to one store and lessor."""

    def __init__(self, store: KVStore, lessor: Lessor, notify: Callable[[int, list[Event]], None]) -> None:
        self.store = store
        self.lessor = lessor
        self._notify = notify

    def end(self, txn: TxnWrite) -> None:
        """Close a write transaction and pass its events to the watches."""
        events = txn.end()
        if events:
            self._notify(txn.begin_rev + 1, events)

    @mirrors(f"(*{SERVER}.applierV3backend).Range", f"{SERVER}.pruneKVs")
    def range(self, view: ReadView | None, r: RangeRequest) -> RangeResponse:
        check_sort(r)
        view = view or self.store
        filtered = r.min_mod_revision or r.max_mod_revision or r.min_create_revision or r.max_create_revision
        limit = 0 if r.sort_order != "NONE" or filtered else r.limit
        rr = view.range(r.key, r.range_end, rev=r.revision, limit=limit + 1 if limit > 0 else limit,
                        count_only=r.count_only)
        kvs = [kv for kv in rr.kvs
               if not (r.max_mod_revision and kv.mod_revision > r.max_mod_revision)
               and not (r.min_mod_revision and kv.mod_revision < r.min_mod_revision)
               and not (r.max_create_revision and kv.create_revision > r.max_create_revision)
               and not (r.min_create_revision and kv.create_revision < r.min_create_revision)]
        order = _sort_order(r)
        if order in ("ASCEND", "DESCEND"):  # an order etcd does not know leaves the key order
            _sort_kvs(kvs, _SORT_KEYS[r.sort_target], descending=order == "DESCEND")
        more = 0 < r.limit < len(kvs)
        if more:
            kvs = kvs[:r.limit]
        if r.keys_only:
            kvs = [replace(kv, value=b"") for kv in kvs]
        return RangeResponse(ResponseHeader(revision=rr.rev), tuple(kvs), more, rr.count)

    @mirrors(f"(*{SERVER}.applierV3backend).Put")
    def put(self, txn: TxnWrite | None, p: PutRequest) -> PutResponse:
        if txn is None:
            if p.lease and self.lessor.lookup(p.lease) is None:
                raise ErrLeaseNotFound(lease_id=p.lease)
            txn = self.store.write()
            try:
                return self.put(txn, p)
            finally:
                self.end(txn)
        value, lease, prev = p.value, p.lease, None
        if p.ignore_value or p.ignore_lease or p.prev_kv:
            found = txn.range(p.key).kvs
            prev = found[0] if found else None
        if (p.ignore_value or p.ignore_lease) and prev is None:
            raise ErrKeyNotFound(key=p.key)
        if p.ignore_value:
            value = prev.value
        if p.ignore_lease:
            lease = prev.lease
        rev = txn.put(p.key, value, lease)
        return PutResponse(ResponseHeader(revision=rev), prev if p.prev_kv else None)

    @mirrors(f"(*{SERVER}.applierV3backend).DeleteRange")
    def delete_range(self, txn: TxnWrite | None, dr: DeleteRangeRequest) -> DeleteRangeResponse:
        if txn is None:
            txn = self.store.write()
            try:
                return self.delete_range(txn, dr)
            finally:
                self.end(txn)
        prev_kvs = txn.range(dr.key, dr.range_end).kvs if dr.prev_kv else ()
        deleted, rev = txn.delete_range(dr.key, dr.range_end)
        return DeleteRangeResponse(ResponseHeader(revision=rev), deleted, prev_kvs)

    @mirrors(f"(*{SERVER}.applierV3backend).Txn")
    def txn(self, rt: TxnRequest) -> TxnResponse:
        """Run a txn: compares first, against the state before any of its writes; all or nothing."""
        read = self.store.read()  # the compares and checks are one read transaction
        try:
            path = compare_to_path(read, rt)
            writes = not is_txn_readonly(rt)
            if writes:
                _check_requests(rt, path, lambda req: self._check_put(read, req))
            _check_requests(rt, path, self._check_range)
            if not writes:
                resp = self._apply_txn(read, rt, path)
                return replace(resp, header=ResponseHeader(revision=self.store.current_revision))
        finally:
            read.end()
        txn = self.store.write()
        try:
            resp = self._apply_txn(txn, rt, path)
            rev = txn.rev
        finally:
            self.end(txn)
        return replace(resp, header=ResponseHeader(revision=rev))

    @mirrors(f"(*{SERVER}.applierV3backend).applyTxn", f"{SERVER}.newTxnResp")
    def _apply_txn(self, txn: TxnRead | TxnWrite, rt: TxnRequest, path: TxnPath) -> TxnResponse:
        nested = iter(path.nested)
        responses = []
        for op in rt.success if path.succeeded else rt.failure:
            req = op.request
            if isinstance(req, RangeRequest):
                responses.append(ResponseOp(self.range(txn, req)))
            elif isinstance(req, PutRequest):
                responses.append(ResponseOp(self.put(txn, req)))
            elif isinstance(req, DeleteRangeRequest):
                responses.append(ResponseOp(self.delete_range(txn, req)))
            else:
                responses.append(ResponseOp(self._apply_txn(txn, req, next(nested))))
        # A nested txn's response keeps an empty header, as in etcd; the caller sets the outer one.
        return TxnResponse(ResponseHeader(), path.succeeded, tuple(responses))

    @mirrors(f"(*{SERVER}.applierV3backend).checkRequestPut")
    def _check_put(self, view: TxnRead, req: object) -> None:
        if not isinstance(req, PutRequest):
            return
        if (req.ignore_value or req.ignore_lease) and not view.range(req.key).kvs:
            raise ErrKeyNotFound(key=req.key)
        if req.lease and self.lessor.lookup(req.lease) is None:
            raise ErrLeaseNotFound(lease_id=req.lease)

    @mirrors(f"(*{SERVER}.applierV3backend).checkRequestRange")
    def _check_range(self, req: object) -> None:
        if not isinstance(req, RangeRequest):
            return
        check_sort(req)  # before the txn writes anything
        if req.revision == 0:
            return
        if req.revision > self.store.current_revision:
            raise ErrFutureRev(revision=req.revision, current_revision=self.store.current_revision)
        if req.revision < self.store.compact_revision:
            raise ErrCompacted(revision=req.revision, compact_revision=self.store.compact_revision)


@mirrors(f"{SERVER}.checkRequests")
def _check_requests(rt: TxnRequest, path: TxnPath, check: Callable[[object], None]) -> None:
    nested = iter(path.nested)
    for op in rt.success if path.succeeded else rt.failure:
        if isinstance(op.request, TxnRequest):
            _check_requests(op.request, next(nested), check)
        else:
            check(op.request)


@mirrors(f"{SERVER}.compareToPath")
def compare_to_path(view: ReadView, rt: TxnRequest) -> TxnPath:
    succeeded = all(apply_compare(view, c) for c in rt.compare)
    ops = rt.success if succeeded else rt.failure
    return TxnPath(succeeded, tuple(compare_to_path(view, op.request) for op in ops
                                    if isinstance(op.request, TxnRequest)))


@mirrors(f"{SERVER}.applyCompare")
def apply_compare(view: ReadView, c: Compare) -> bool:
    """A compare over a range holds if it holds for every key in it; a missing key compares as
    zero values (version 0, revisions 0, lease 0), except that a value compare on it fails."""
    try:
        kvs = view.range(c.key, c.range_end).kvs
    except EtcdError:
        return False
    if not kvs:
        return c.target != "VALUE" and compare_kv(c, KeyValue(c.key))
    return all(compare_kv(c, kv) for kv in kvs)


# The KeyValue field each integer compare target reads.
_COMPARED_FIELDS = {"VERSION": "version", "CREATE": "create_revision", "MOD": "mod_revision",
                    "LEASE": "lease"}


@mirrors(f"{SERVER}.compareKV")
def compare_kv(c: Compare, kv: KeyValue) -> bool:
    if c.target == "VALUE":
        ours: object = kv.value
        theirs: object = c.value if isinstance(c.value, bytes) else b""
    elif c.target in _COMPARED_FIELDS:
        ours = getattr(kv, _COMPARED_FIELDS[c.target])
        theirs = c.value if isinstance(c.value, int) else 0
    else:
        ours = theirs = 0  # a target etcd does not know compares equal: result stays 0
    result = (ours > theirs) - (ours < theirs)  # type: ignore[operator]
    return {"EQUAL": result == 0, "NOT_EQUAL": result != 0, "GREATER": result > 0,
            "LESS": result < 0}.get(c.result, True)
