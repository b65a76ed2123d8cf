"""The multi-version key-value store at the heart of the reference etcd (sans-IO).

Shaped like etcd's server/mvcc package: a *backend* maps every revision to the key-value written
at it (`store.b`, a bbolt bucket in etcd, a dict here), and an *index* maps every key to the
revisions that touched it (`treeIndex` of `keyIndex`es). A key's revisions are grouped into
generations: a generation starts with the put that creates the key and ends with the delete
(tombstone) that removes it, so "what did key k hold at revision r" is one search.

Revisions: an empty store is at revision 1; every write transaction that changes something gets
the next main revision, and the n-th change inside it gets sub revision n. Compaction forgets
everything that is no longer visible at or after the compacted revision.

Range ends follow the request convention everywhere: b"" means the single key, b"\\0" means every
key from `key` on, anything else is an exclusive end.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from reference_impl.etcd.errors import ErrCompacted, ErrFutureRev
from reference_impl.etcd.messages import Event, KeyValue
from reference_impl.machinery.frozen import quick_init
from reference_impl.mirrors import mirrors

MVCC = "go.etcd.io/etcd/server/v3/mvcc"


@quick_init
@dataclass(frozen=True, order=True)
class Revision:
    """A position in the store's history: the write transaction (main) and the change in it (sub)."""

    main: int
    sub: int = 0


def in_range(key: bytes, start: bytes, range_end: bytes) -> bool:
    """Whether `key` falls in the range a request names with (`start`, `range_end`)."""
    if range_end == b"":
        return key == start
    if range_end == b"\0":
        return key >= start
    return start <= key < range_end


def _is_tombstone(kv: KeyValue) -> bool:
    # A live key-value has version >= 1; a delete is stored as a key-value with only key and
    # mod_revision, which is also exactly what a watch's DELETE event carries.
    return kv.version == 0


@dataclass
class KeyIndex:
    """Every revision that touched one key, as generations (lists of revisions).

    A closed generation ends with its tombstone; the last generation is the open one, empty when
    the key is currently deleted.
    """

    key: bytes
    generations: list[list[Revision]] = field(default_factory=lambda: [[]])

    @mirrors(f"(*{MVCC}.keyIndex).put")
    def put(self, rev: Revision) -> None:
        self.generations[-1].append(rev)

    @mirrors(f"(*{MVCC}.keyIndex).tombstone")
    def tombstone(self, rev: Revision) -> None:
        self.generations[-1].append(rev)
        self.generations.append([])

    @mirrors(f"(*{MVCC}.keyIndex).get", f"(*{MVCC}.keyIndex).findGeneration")
    def get(self, at_rev: int) -> Revision | None:
        """The revision holding the key's value at `at_rev`, or None if it did not exist then."""
        last = len(self.generations) - 1
        for i in range(last, -1, -1):
            gen = self.generations[i]
            if not gen:
                continue
            if i != last and gen[-1].main <= at_rev:
                return None  # the newest generation begun by at_rev was closed by then
            if gen[0].main <= at_rev:
                for rev in reversed(gen):
                    if rev.main <= at_rev:
                        return rev
        return None

    @mirrors(f"(*{MVCC}.keyIndex).compact", f"(*{MVCC}.keyIndex).doCompact")
    def compact(self, at_rev: int, keep: set[Revision]) -> None:
        """Drop revisions not visible at or after `at_rev`; add the one still visible to `keep`."""
        first = 0
        while first < len(self.generations) - 1 and self.generations[first][-1].main <= at_rev:
            first += 1
        gen = self.generations[first]
        visible = [i for i, rev in enumerate(gen) if rev.main <= at_rev]
        if visible:
            keep.add(gen[visible[-1]])
            del gen[:visible[-1]]
        del self.generations[:first]

    @mirrors(f"(*{MVCC}.keyIndex).isEmpty")
    def is_empty(self) -> bool:
        return len(self.generations) == 1 and not self.generations[0]


class LeaseAttacher(Protocol):
    """What the store tells the lessor: which keys a lease now holds (etcd's store.le)."""

    def attach(self, lease_id: int, key: bytes) -> None: ...

    def detach(self, lease_id: int, key: bytes) -> None: ...


class _NoLeases:
    def attach(self, lease_id: int, key: bytes) -> None:
        pass

    def detach(self, lease_id: int, key: bytes) -> None:
        pass


@quick_init
@dataclass(frozen=True)
class RangeResult:
    kvs: tuple[KeyValue, ...]
    count: int
    rev: int


@dataclass
class TxnCounts:
    """etcd's mvcc counters (mvcc/metrics.go): the ranges, puts and deletes every transaction
    made, read or write, failed or not, added up when it ends; a transaction of more than one
    such operation also counts as a txn; the put size sums each put's key and value."""

    ranges: int = 0
    puts: int = 0
    deletes: int = 0
    txns: int = 0
    put_size: int = 0
    # Read transactions end in their callers' threads, at the same time as each other and as a write.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @mirrors(f"(*{MVCC}.metricsTxnWrite).End")
    def add(self, ranges: int, puts: int, deletes: int, put_size: int) -> None:
        with self._lock:
            if ranges + puts + deletes > 1:
                self.txns += 1
            self.ranges += ranges
            self.puts += puts
            self.deletes += deletes
            self.put_size += put_size

    def snapshot(self) -> "TxnCounts":
        """The counts as one transaction's end left them, not half of one."""
        with self._lock:
            return TxnCounts(self.ranges, self.puts, self.deletes, self.txns, self.put_size)


class KVStore:
    """The store: backend, index, current and compacted revision."""

    def __init__(self, lessor: LeaseAttacher | None = None) -> None:
        self.lessor: LeaseAttacher = lessor or _NoLeases()
        self._backend: dict[Revision, KeyValue] = {}
        self._backend_bytes = 0  # the keys and values in _backend, kept as it changes
        self._by_main: dict[int, list[Revision]] = {}  # insertion order is revision order
        self._index: dict[bytes, KeyIndex] = {}
        self._keys: list[bytes] = []  # the index's keys, sorted, for range scans
        self._current = 1
        # etcd starts compactMainRev at -1, so even revision 0 and 1 can be compacted once.
        self._compacted = -1
        self.counts = TxnCounts()

    @property
    def current_revision(self) -> int:
        return self._current

    @property
    def compact_revision(self) -> int:
        return self._compacted

    @mirrors(f"(*{MVCC}.readView).Range")
    def range(self, key: bytes, range_end: bytes = b"", *, rev: int = 0, limit: int = 0,
              count_only: bool = False) -> RangeResult:
        """The keys in the range as of `rev` (0: now), the first `limit` of them (0: all): a read
        transaction of its own, counted as one range."""
        with self.read() as txn:
            return txn.range(key, range_end, rev=rev, limit=limit, count_only=count_only)

    @mirrors(f"(*{MVCC}.store).Read")
    def read(self) -> TxnRead:
        """Begin a read transaction: several reads counted together (a txn's compares and reads)."""
        return TxnRead(self)

    @mirrors(f"(*{MVCC}.storeTxnRead).rangeKeys")
    def _range_keys(self, key: bytes, range_end: bytes, cur_rev: int, rev: int, limit: int,
                    count_only: bool) -> RangeResult:
        if rev > cur_rev:
            raise ErrFutureRev(revision=rev, current_revision=cur_rev)
        if rev <= 0:
            rev = cur_rev
        if rev < self._compacted:
            raise ErrCompacted(revision=rev, compact_revision=self._compacted)
        revs = [r for r in (self._index[k].get(rev) for k in self._keys_in(key, range_end)) if r]
        if count_only:
            return RangeResult((), len(revs), cur_rev)
        shown = revs if limit <= 0 else revs[:limit]
        return RangeResult(tuple(self._backend[r] for r in shown), len(revs), cur_rev)

    def _keys_in(self, key: bytes, range_end: bytes) -> Iterator[bytes]:
        if range_end == b"":
            if key in self._index:
                yield key
            return
        for i in range(bisect.bisect_left(self._keys, key), len(self._keys)):
            k = self._keys[i]
            if not in_range(k, key, range_end):
                return
            yield k

    @mirrors(f"(*{MVCC}.store).Write")
    def write(self) -> TxnWrite:
        """Begin a write transaction; everything it changes shares one main revision."""
        return TxnWrite(self)

    @mirrors(f"(*{MVCC}.store).Compact", f"(*{MVCC}.store).updateCompactRev", f"(*{MVCC}.treeIndex).Compact")
    def compact(self, rev: int) -> None:
        """Forget history not visible at or after `rev`; reads below `rev` fail from now on."""
        if rev <= self._compacted:
            raise ErrCompacted(revision=rev, compact_revision=self._compacted)
        if rev > self._current:
            raise ErrFutureRev(revision=rev, current_revision=self._current)
        self._compacted = rev
        keep: set[Revision] = set()
        for key in self._keys:
            ki = self._index[key]
            ki.compact(rev, keep)
            if ki.is_empty():
                del self._index[key]
        self._keys = [k for k in self._keys if k in self._index]
        for main in list(self._by_main):
            if main > rev:
                break
            kept = [r for r in self._by_main[main] if r in keep]
            for r in self._by_main[main]:
                if r not in keep:
                    kv = self._backend.pop(r)
                    self._backend_bytes -= len(kv.key) + len(kv.value)
            if kept:
                self._by_main[main] = kept
            else:
                del self._by_main[main]

    @mirrors(f"(*{MVCC}.watchableStore).syncWatchers", f"{MVCC}.kvsToEvents")
    def events_between(self, start: int, end: int, key: bytes, range_end: bytes) -> list[Event]:
        """The changes in revisions start..end (inclusive) to keys in the range, in order.

        The caller checks `start` against the compacted revision; below it, history is partial.
        """
        events = []
        for main in range(max(start, 1), end + 1):
            for r in self._by_main.get(main, ()):
                kv = self._backend[r]
                if in_range(kv.key, key, range_end):
                    events.append(Event("DELETE" if _is_tombstone(kv) else "PUT", kv))
        return events

    def revisions(self) -> Iterator[tuple[Revision, KeyValue]]:
        """Every stored (revision, key-value or tombstone), in revision order: the backend."""
        for revs in self._by_main.values():
            for r in revs:
                yield r, self._backend[r]

    def backend_copy(self) -> dict[Revision, KeyValue]:
        """The backend's records by revision, copied as they are now (a dict copy: cheap enough
        to take under a lock and order later without it)."""
        return dict(self._backend)

    def revisions_after(self, rev: Revision | None) -> Iterator[tuple[Revision, KeyValue]]:
        """The stored (revision, key-value or tombstone) after `rev` (None: all), in revision
        order; found from the newest back, so the cost is in how many there are."""
        if rev is None:
            yield from self.revisions()
            return
        newer = []
        for main in reversed(self._by_main):
            if main < rev.main:
                break
            newer.append(main)
        for main in reversed(newer):
            for r in self._by_main[main]:
                if r > rev:
                    yield r, self._backend[r]

    @mirrors(f"(*{MVCC}.treeIndex).Keep", f"(*{MVCC}.keyIndex).keep")
    def visible_revisions(self, rev: int) -> set[Revision]:
        """The revision each key holds its value at as of `rev` (what a compaction at `rev`
        would keep, tombstones aside)."""
        return {r for r in (ki.get(rev) for ki in self._index.values()) if r is not None}

    def records_size(self) -> tuple[int, int]:
        """(how many records, their keys' and values' bytes) the backend holds."""
        return len(self._backend), self._backend_bytes

    def keys_total(self) -> int:
        """How many keys exist now (etcd's keysGauge: a key counts from its creation to its delete)."""
        return sum(1 for ki in self._index.values() if ki.generations[-1])

    def records(self) -> Iterator[KeyValue]:
        """Every stored key-value and tombstone, in revision order (what a snapshot saves)."""
        for revs in self._by_main.values():
            for r in revs:
                yield self._backend[r]

    @mirrors(f"(*{MVCC}.store).restore")
    def restore(self, records: list[KeyValue], current: int, compacted: int) -> None:
        """Rebuild backend and index from `records()` of another store, like etcd does from bbolt."""
        sub = 0
        for i, kv in enumerate(records):
            sub = sub + 1 if i and records[i - 1].mod_revision == kv.mod_revision else 0
            self._add_record(Revision(kv.mod_revision, sub), kv)
        for key in [k for k, ki in self._index.items() if ki.is_empty()]:
            del self._index[key]
        self._keys = [k for k in self._keys if k in self._index]
        self._current, self._compacted = current, compacted
        for key in self._keys:
            kv = self._latest(key, current)
            if kv and kv.lease:
                self.lessor.attach(kv.lease, key)

    def _add_record(self, rev: Revision, kv: KeyValue) -> None:
        """Store `kv` (a key-value or a tombstone) at `rev` in the backend and the key's index."""
        self._backend[rev] = kv
        self._backend_bytes += len(kv.key) + len(kv.value)
        self._by_main.setdefault(rev.main, []).append(rev)
        ki = self._key_index(kv.key)
        if _is_tombstone(kv):
            ki.tombstone(rev)
        else:
            ki.put(rev)

    def _key_index(self, key: bytes) -> KeyIndex:
        ki = self._index.get(key)
        if ki is None:
            ki = self._index[key] = KeyIndex(key)
            bisect.insort(self._keys, key)
        return ki

    def _latest(self, key: bytes, at_rev: int) -> KeyValue | None:
        ki = self._index.get(key)
        rev = ki.get(at_rev) if ki else None
        return self._backend[rev] if rev else None


class TxnRead:
    """One read transaction at the store's current revision, counting its ranges."""

    def __init__(self, store: KVStore) -> None:
        self._store = store
        self.rev = store.current_revision
        self.ranges = 0
        self._ended = False

    def __enter__(self) -> TxnRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()

    @mirrors(f"(*{MVCC}.storeTxnRead).Range", f"(*{MVCC}.metricsTxnWrite).Range")
    def range(self, key: bytes, range_end: bytes = b"", *, rev: int = 0, limit: int = 0,
              count_only: bool = False) -> RangeResult:
        self.ranges += 1
        return self._store._range_keys(key, range_end, self.rev, rev, limit, count_only)

    @mirrors(f"(*{MVCC}.storeTxnRead).End")
    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._store.counts.add(self.ranges, 0, 0, 0)


class TxnWrite:
    """One write transaction; `end()` publishes it as one revision if it changed anything."""

    def __init__(self, store: KVStore) -> None:
        self._store = store
        self.begin_rev = store.current_revision
        self.changes: list[KeyValue] = []
        self._ended = False
        self._counts = [0, 0, 0, 0]  # ranges, puts, deletes, put size

    def __enter__(self) -> TxnWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()

    @property
    def rev(self) -> int:
        """The revision this transaction's reads see: its own writes included."""
        return self.begin_rev + 1 if self.changes else self.begin_rev

    @mirrors(f"(*{MVCC}.storeTxnWrite).Range")
    def range(self, key: bytes, range_end: bytes = b"", *, rev: int = 0, limit: int = 0,
              count_only: bool = False) -> RangeResult:
        self._counts[0] += 1
        return self._store._range_keys(key, range_end, self.rev, rev, limit, count_only)

    @mirrors(f"(*{MVCC}.storeTxnWrite).Put", f"(*{MVCC}.storeTxnWrite).put")
    def put(self, key: bytes, value: bytes, lease: int = 0) -> int:
        """Write `key`; returns the revision the write will have."""
        self._counts[1] += 1
        self._counts[3] += len(key) + len(value)
        store, rev = self._store, self.begin_rev + 1
        prev = store._latest(key, rev)
        kv = KeyValue(key, value,
                      create_revision=prev.create_revision if prev else rev,
                      mod_revision=rev,
                      version=prev.version + 1 if prev else 1,
                      lease=lease)
        self._record(kv)
        if prev and prev.lease:
            store.lessor.detach(prev.lease, key)
        if lease:
            store.lessor.attach(lease, key)
        return rev

    @mirrors(f"(*{MVCC}.storeTxnWrite).DeleteRange", f"(*{MVCC}.storeTxnWrite).deleteRange")
    def delete_range(self, key: bytes, range_end: bytes = b"") -> tuple[int, int]:
        """Delete every live key in the range; returns (how many, the revision of the delete)."""
        self._counts[2] += 1
        store = self._store
        live = [kv for kv in (store._latest(k, self.rev) for k in list(store._keys_in(key, range_end))) if kv]
        for prev in live:
            self._record(KeyValue(prev.key, mod_revision=self.begin_rev + 1))
            if prev.lease:
                store.lessor.detach(prev.lease, prev.key)
        return len(live), self.rev

    def _record(self, kv: KeyValue) -> None:
        self._store._add_record(Revision(self.begin_rev + 1, len(self.changes)), kv)
        self.changes.append(kv)

    @mirrors(f"(*{MVCC}.storeTxnWrite).End")
    def end(self) -> list[Event]:
        """Close the transaction; returns its changes as watch events."""
        if not self._ended:
            self._ended = True
            self._store.counts.add(*self._counts)
            if self.changes:
                self._store._current += 1
        return [Event("DELETE" if _is_tombstone(kv) else "PUT", kv) for kv in self.changes]
