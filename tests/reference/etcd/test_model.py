"""The store against a plain model: random put/delete/txn/compact/restart, reads at any revision.

The model keeps, per key, the full list of (revision, key-value or None) and derives what etcd
must answer; Hypothesis drives the real server (durable, restarted now and then so snapshots and
log replay are exercised too) and the model with the same steps and compares every read.
"""
from __future__ import annotations

import shutil
import tempfile

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import ClusterMember
from reference_impl.etcd.errors import ErrCompacted, ErrFutureRev
from reference_impl.etcd.messages import (
    Compare, CompactionRequest, DeleteRangeRequest, KeyValue, PutRequest, RangeRequest, RequestOp,
    TxnRequest)
from reference_impl.etcd.mvcc import in_range

KEYS = [b"a", b"b", b"c", b"d"]
keys = st.sampled_from(KEYS)
values = st.sampled_from([b"", b"x", b"y"])
range_ends = st.sampled_from([b"", b"c", b"\0"])


class Model:
    """What etcd should hold: every key's history, the revision, the compacted revision."""

    def __init__(self) -> None:
        self.rev = 1
        self.compacted = -1
        self.history: dict[bytes, list[tuple[int, KeyValue | None]]] = {k: [] for k in KEYS}

    def at(self, key: bytes, rev: int) -> KeyValue | None:
        found = None
        for r, kv in self.history[key]:
            if r <= rev:
                found = kv
        return found

    def live(self, key: bytes, range_end: bytes, rev: int) -> list[KeyValue]:
        return [kv for k in KEYS if in_range(k, key, range_end) and (kv := self.at(k, rev))]

    def write(self, puts: dict[bytes, bytes], deletes: list[bytes]) -> None:
        """One write transaction: deletes first, then puts, as the txns below order them."""
        next_rev = self.rev + 1
        changed = False
        for key in deletes:
            if self.at(key, self.rev):
                self.history[key].append((next_rev, None))
                changed = True
        for key, value in puts.items():
            prev = self.at(key, next_rev)
            kv = KeyValue(key, value, prev.create_revision if prev else next_rev, next_rev,
                          prev.version + 1 if prev else 1)
            self.history[key].append((next_rev, kv))
            changed = True
        if changed:
            self.rev = next_rev


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="etcd-model-")
        self.server = self._open()
        self.model = Model()

    def _open(self) -> ClusterMember:
        # Durability itself is test_storage's and test_crash's subject; here fsync only costs time.
        return ClusterMember.alone(self.dir, ManualClock(), fsync=lambda fd: None, snapshot_count=7)

    def teardown(self) -> None:
        self.server.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(key=keys, value=values)
    def put(self, key, value):
        resp = self.server.put(PutRequest(key, value))
        self.model.write({key: value}, [])
        assert resp.header.revision == self.model.rev

    @rule(key=keys, range_end=range_ends)
    def delete(self, key, range_end):
        resp = self.server.delete_range(DeleteRangeRequest(key, range_end))
        doomed = [kv.key for kv in self.model.live(key, range_end, self.model.rev)]
        self.model.write({}, doomed)
        assert resp.deleted == len(doomed)

    @rule(key=keys, expected=st.none() | values, put_keys=st.sets(keys, max_size=3), value=values,
          delete_key=keys)
    def txn(self, key, expected, put_keys, value, delete_key):
        """If key holds `expected` (None: key absent) put put_keys, else delete delete_key."""
        if expected is None:
            compare = Compare("EQUAL", "VERSION", key, value=0)
            holds = self.model.at(key, self.model.rev) is None
        else:
            compare = Compare("EQUAL", "VALUE", key, value=expected)
            current = self.model.at(key, self.model.rev)
            holds = current is not None and current.value == expected
        resp = self.server.txn(TxnRequest(
            compare=(compare,),
            success=tuple(RequestOp(PutRequest(k, value)) for k in sorted(put_keys)),
            failure=(RequestOp(DeleteRangeRequest(delete_key)),)))
        assert resp.succeeded == holds
        if holds:
            self.model.write({k: value for k in sorted(put_keys)}, [])
        else:
            self.model.write({}, [delete_key])
        assert resp.header.revision == self.model.rev

    @rule(data=st.data())
    def compact(self, data):
        rev = data.draw(st.integers(0, self.model.rev + 1))
        try:
            self.server.compact(CompactionRequest(rev))
        except ErrCompacted:
            assert rev <= self.model.compacted
        except ErrFutureRev:
            assert rev > self.model.rev
        else:
            assert self.model.compacted < rev <= self.model.rev
            self.model.compacted = rev

    @rule(key=keys, range_end=range_ends, data=st.data())
    def range_at(self, key, range_end, data):
        rev = data.draw(st.integers(-1, self.model.rev + 1))
        effective = self.model.rev if rev <= 0 else rev
        try:
            got = self.server.range(RangeRequest(key, range_end, revision=rev))
        except ErrFutureRev:
            assert rev > self.model.rev
        except ErrCompacted:
            assert effective < self.model.compacted
        else:
            assert effective >= self.model.compacted and rev <= self.model.rev
            expected = self.model.live(key, range_end, effective)
            assert list(got.kvs) == expected
            assert got.count == len(expected)

    @rule()
    def snapshot(self):
        self.server.snapshot()

    @rule()
    def restart(self):
        self.server.close()
        self.server = self._open()

    @invariant()
    def same_revision(self):
        assert self.server.header().revision == self.model.rev


StoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestStoreAgainstModel = StoreMachine.TestCase
