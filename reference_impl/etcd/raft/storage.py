"""MemoryStorage: the stable log a Raft node reads back, as etcd's raft/storage.go keeps it.

The application writes to it what a `Ready` asks to persist (entries, hard state, snapshot) and
compacts it after taking a snapshot; the core only reads. `ents[0]` is a dummy entry holding the
index and term of the last snapshot, so `term(first_index - 1)` still answers.
"""
from __future__ import annotations

from collections.abc import Sequence

from reference_impl.etcd.raft.errors import ErrCompacted, ErrSnapOutOfDate, ErrUnavailable
from reference_impl.etcd.raft.messages import (
    EMPTY_HARD_STATE, PKG, ConfState, Entry, HardState, Snapshot, SnapshotMetadata)
from reference_impl.mirrors import mirrors

NO_LIMIT = 2**64 - 1


@mirrors(f"{PKG}.limitSize")
def limit_size(ents: Sequence[Entry], max_size: int) -> tuple[Entry, ...]:
    """The longest prefix within `max_size` bytes, but never fewer than one entry."""
    if not ents:
        return ()
    size = ents[0].size()
    for n in range(1, len(ents)):
        size += ents[n].size()
        if size > max_size:
            return tuple(ents[:n])
    return tuple(ents)


class MemoryStorage:
    @mirrors(f"{PKG}.NewMemoryStorage")
    def __init__(self) -> None:
        self.hard_state: HardState = EMPTY_HARD_STATE
        self.snap = Snapshot()
        self.ents: list[Entry] = [Entry()]

    @mirrors(f"(*{PKG}.MemoryStorage).InitialState")
    def initial_state(self) -> tuple[HardState, ConfState]:
        return self.hard_state, self.snap.metadata.conf_state

    @mirrors(f"(*{PKG}.MemoryStorage).SetHardState")
    def set_hard_state(self, st: HardState) -> None:
        self.hard_state = st

    @mirrors(f"(*{PKG}.MemoryStorage).Entries")
    def entries(self, lo: int, hi: int, max_size: int = NO_LIMIT) -> tuple[Entry, ...]:
        offset = self.ents[0].index
        if lo <= offset:
            raise ErrCompacted(f"index {lo} <= first stored {offset}")
        if hi > self.last_index() + 1:
            raise ErrUnavailable(f"entries [{lo}, {hi}) out of bound lastindex {self.last_index()}")
        return limit_size(self.ents[lo - offset:hi - offset], max_size)

    @mirrors(f"(*{PKG}.MemoryStorage).Term")
    def term(self, i: int) -> int:
        offset = self.ents[0].index
        if i < offset:
            raise ErrCompacted(f"index {i} < first stored {offset}")
        if i - offset >= len(self.ents):
            raise ErrUnavailable(f"index {i} > last {self.last_index()}")
        return self.ents[i - offset].term

    @mirrors(f"(*{PKG}.MemoryStorage).LastIndex")
    def last_index(self) -> int:
        return self.ents[0].index + len(self.ents) - 1

    @mirrors(f"(*{PKG}.MemoryStorage).FirstIndex")
    def first_index(self) -> int:
        return self.ents[0].index + 1

    @mirrors(f"(*{PKG}.MemoryStorage).Snapshot")
    def snapshot(self) -> Snapshot:
        return self.snap

    @mirrors(f"(*{PKG}.MemoryStorage).ApplySnapshot")
    def apply_snapshot(self, snap: Snapshot) -> None:
        """Replace the log with `snap` (a follower installing the leader's snapshot)."""
        if self.snap.metadata.index >= snap.metadata.index:
            raise ErrSnapOutOfDate(f"snapshot {snap.metadata.index} <= stored {self.snap.metadata.index}")
        self.snap = snap
        self.ents = [Entry(term=snap.metadata.term, index=snap.metadata.index)]

    @mirrors(f"(*{PKG}.MemoryStorage).CreateSnapshot")
    def create_snapshot(self, i: int, cs: ConfState | None, data: bytes) -> Snapshot:
        """Record a snapshot of the state machine at applied index `i`; the log is kept until `compact`."""
        if i <= self.snap.metadata.index:
            raise ErrSnapOutOfDate(f"snapshot {i} <= stored {self.snap.metadata.index}")
        if i > self.last_index():
            raise ErrUnavailable(f"snapshot {i} is out of bound lastindex({self.last_index()})")
        conf_state = cs if cs is not None else self.snap.metadata.conf_state
        self.snap = Snapshot(data, SnapshotMetadata(conf_state, i, self.ents[i - self.ents[0].index].term))
        return self.snap

    @mirrors(f"(*{PKG}.MemoryStorage).Compact")
    def compact(self, compact_index: int) -> None:
        """Drop entries before `compact_index`; it becomes the dummy entry."""
        offset = self.ents[0].index
        if compact_index <= offset:
            raise ErrCompacted(f"compact {compact_index} <= first stored {offset}")
        if compact_index > self.last_index():
            raise ErrUnavailable(f"compact {compact_index} is out of bound lastindex({self.last_index()})")
        i = compact_index - offset
        self.ents = [Entry(term=self.ents[i].term, index=self.ents[i].index), *self.ents[i + 1:]]

    @mirrors(f"(*{PKG}.MemoryStorage).Append")
    def append(self, entries: Sequence[Entry]) -> None:
        """Append, overwriting any conflicting suffix; entries already compacted are skipped."""
        if not entries:
            return
        first = self.first_index()
        last = entries[0].index + len(entries) - 1
        if last < first:
            return
        if first > entries[0].index:
            entries = entries[first - entries[0].index:]
        offset = entries[0].index - self.ents[0].index
        if offset > len(self.ents):
            raise ErrUnavailable(f"missing log entry [last: {self.last_index()}, append at: {entries[0].index}]")
        # In place, as Go's append(ms.ents[:offset], entries...): a copy of the whole log on
        # every append would cost in proportion to the log, not to what is appended.
        if offset < len(self.ents):
            del self.ents[offset:]
        self.ents.extend(entries)
