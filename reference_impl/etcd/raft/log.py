"""raftLog: the stable log (storage) plus the not-yet-persisted tail (unstable), as etcd's
raft/log.go and raft/log_unstable.go.

Index arithmetic follows Go: `unstable.offset` is the index of `unstable.entries[0]`; a snapshot
the leader sent waits in `unstable.snapshot` until the application has persisted it. `committed`
and `applied` only move forward; going back is a bug in the caller and raises.
"""
from __future__ import annotations

from collections.abc import Sequence

from reference_impl.etcd.raft.errors import ErrCompacted, ErrUnavailable, RaftError
from reference_impl.etcd.raft.messages import PKG, Entry, Snapshot
from reference_impl.etcd.raft.storage import NO_LIMIT, MemoryStorage, limit_size
from reference_impl.mirrors import mirrors


class Unstable:
    """Entries and a snapshot that the application has not yet written to storage."""

    def __init__(self, offset: int) -> None:
        self.snapshot: Snapshot | None = None
        self.entries: list[Entry] = []
        self.offset = offset

    @mirrors(f"(*{PKG}.unstable).maybeFirstIndex")
    def maybe_first_index(self) -> int | None:
        return self.snapshot.metadata.index + 1 if self.snapshot is not None else None

    @mirrors(f"(*{PKG}.unstable).maybeLastIndex")
    def maybe_last_index(self) -> int | None:
        if self.entries:
            return self.offset + len(self.entries) - 1
        return self.snapshot.metadata.index if self.snapshot is not None else None

    @mirrors(f"(*{PKG}.unstable).maybeTerm")
    def maybe_term(self, i: int) -> int | None:
        if i < self.offset:
            if self.snapshot is not None and self.snapshot.metadata.index == i:
                return self.snapshot.metadata.term
            return None
        last = self.maybe_last_index()
        if last is None or i > last:
            return None
        return self.entries[i - self.offset].term

    @mirrors(f"(*{PKG}.unstable).stableTo")
    def stable_to(self, i: int, t: int) -> None:
        # Only drop the prefix if it is still the one that was persisted: a newer leader may
        # have replaced those entries meanwhile, and they must then stay unstable.
        gt = self.maybe_term(i)
        if gt == t and i >= self.offset:
            self.entries = self.entries[i + 1 - self.offset:]
            self.offset = i + 1

    @mirrors(f"(*{PKG}.unstable).stableSnapTo")
    def stable_snap_to(self, i: int) -> None:
        if self.snapshot is not None and self.snapshot.metadata.index == i:
            self.snapshot = None

    @mirrors(f"(*{PKG}.unstable).restore")
    def restore(self, s: Snapshot) -> None:
        self.offset = s.metadata.index + 1
        self.entries = []
        self.snapshot = s

    @mirrors(f"(*{PKG}.unstable).truncateAndAppend")
    def truncate_and_append(self, ents: Sequence[Entry]) -> None:
        after = ents[0].index
        if after == self.offset + len(self.entries):
            self.entries.extend(ents)
        elif after <= self.offset:
            # Replaces everything unstable, and possibly part of what storage holds: the caller
            # persists from `offset`, and storage's Append truncates its conflicting tail.
            self.offset = after
            self.entries = list(ents)
        else:
            self.entries = [*self.slice(self.offset, after), *ents]

    @mirrors(f"(*{PKG}.unstable).slice")
    def slice(self, lo: int, hi: int) -> list[Entry]:
        upper = self.offset + len(self.entries)
        if lo > hi or lo < self.offset or hi > upper:
            raise RaftError(f"unstable.slice[{lo},{hi}) out of bound [{self.offset},{upper}]")
        return self.entries[lo - self.offset:hi - self.offset]


class RaftLog:
    @mirrors(f"{PKG}.newLogWithSize")
    def __init__(self, storage: MemoryStorage, max_next_ents_size: int = NO_LIMIT) -> None:
        self.storage = storage
        self.max_next_ents_size = max_next_ents_size
        first, last = storage.first_index(), storage.last_index()
        self.unstable = Unstable(last + 1)
        # Everything up to the snapshot is committed and applied by definition.
        self.committed = first - 1
        self.applied = first - 1

    @mirrors(f"(*{PKG}.raftLog).maybeAppend")
    def maybe_append(self, index: int, log_term: int, committed: int,
                     ents: Sequence[Entry]) -> int | None:
        """Append `ents` after (index, log_term) if our log has that entry; the new last index, or None."""
        if not self.match_term(index, log_term):
            return None
        last_new = index + len(ents)
        ci = self.find_conflict(ents)
        if ci != 0:
            if ci <= self.committed:
                raise RaftError(f"entry {ci} conflicts with committed entry [committed({self.committed})]")
            self.append(ents[ci - (index + 1):])
        self.commit_to(min(committed, last_new))
        return last_new

    @mirrors(f"(*{PKG}.raftLog).append")
    def append(self, ents: Sequence[Entry]) -> int:
        if not ents:
            return self.last_index()
        if ents[0].index - 1 < self.committed:
            raise RaftError(f"after({ents[0].index - 1}) is out of range [committed({self.committed})]")
        self.unstable.truncate_and_append(ents)
        return self.last_index()

    @mirrors(f"(*{PKG}.raftLog).findConflict")
    def find_conflict(self, ents: Sequence[Entry]) -> int:
        """The index of the first entry whose term differs from ours (or that we lack), else 0."""
        for e in ents:
            if not self.match_term(e.index, e.term):
                return e.index
        return 0

    @mirrors(f"(*{PKG}.raftLog).findConflictByTerm")
    def find_conflict_by_term(self, index: int, term: int) -> int:
        """The largest index <= `index` whose term is <= `term`: where a probe should go next."""
        if index > self.last_index():
            return index
        while True:
            try:
                log_term = self.term(index)
            except (ErrCompacted, ErrUnavailable):
                return index
            if log_term <= term:
                return index
            index -= 1

    @mirrors(f"(*{PKG}.raftLog).unstableEntries")
    def unstable_entries(self) -> tuple[Entry, ...]:
        return tuple(self.unstable.entries)

    @mirrors(f"(*{PKG}.raftLog).nextEnts")
    def next_ents(self) -> tuple[Entry, ...]:
        """Committed entries not yet applied."""
        off = max(self.applied + 1, self.first_index())
        if self.committed + 1 > off:
            return self.slice(off, self.committed + 1, self.max_next_ents_size)
        return ()

    @mirrors(f"(*{PKG}.raftLog).hasNextEnts")
    def has_next_ents(self) -> bool:
        return self.committed + 1 > max(self.applied + 1, self.first_index())

    @mirrors(f"(*{PKG}.raftLog).hasPendingSnapshot")
    def has_pending_snapshot(self) -> bool:
        return self.unstable.snapshot is not None and not self.unstable.snapshot.is_empty()

    @mirrors(f"(*{PKG}.raftLog).snapshot")
    def snapshot(self) -> Snapshot:
        if self.unstable.snapshot is not None:
            return self.unstable.snapshot
        return self.storage.snapshot()

    @mirrors(f"(*{PKG}.raftLog).firstIndex")
    def first_index(self) -> int:
        i = self.unstable.maybe_first_index()
        return i if i is not None else self.storage.first_index()

    @mirrors(f"(*{PKG}.raftLog).lastIndex")
    def last_index(self) -> int:
        i = self.unstable.maybe_last_index()
        return i if i is not None else self.storage.last_index()

    @mirrors(f"(*{PKG}.raftLog).commitTo")
    def commit_to(self, to_commit: int) -> None:
        if self.committed < to_commit:
            if self.last_index() < to_commit:
                raise RaftError(f"tocommit({to_commit}) is out of range [lastIndex({self.last_index()})]")
            self.committed = to_commit

    @mirrors(f"(*{PKG}.raftLog).appliedTo")
    def applied_to(self, i: int) -> None:
        if i == 0:
            return
        if self.committed < i or i < self.applied:
            raise RaftError(f"applied({i}) is out of range [prevApplied({self.applied}), committed({self.committed})]")
        self.applied = i

    @mirrors(f"(*{PKG}.raftLog).stableTo")
    def stable_to(self, i: int, t: int) -> None:
        self.unstable.stable_to(i, t)

    @mirrors(f"(*{PKG}.raftLog).stableSnapTo")
    def stable_snap_to(self, i: int) -> None:
        self.unstable.stable_snap_to(i)

    @mirrors(f"(*{PKG}.raftLog).lastTerm")
    def last_term(self) -> int:
        return self.term(self.last_index())

    @mirrors(f"(*{PKG}.raftLog).term")
    def term(self, i: int) -> int:
        """The term of entry `i`; 0 outside [first-1, last]; ErrCompacted/ErrUnavailable from storage."""
        if i < self.first_index() - 1 or i > self.last_index():
            return 0
        t = self.unstable.maybe_term(i)
        if t is not None:
            return t
        return self.storage.term(i)

    @mirrors(f"(*{PKG}.raftLog).zeroTermOnErrCompacted")
    def term_or_zero(self, i: int) -> int:
        try:
            return self.term(i)
        except ErrCompacted:
            return 0

    @mirrors(f"(*{PKG}.raftLog).entries")
    def entries(self, i: int, max_size: int = NO_LIMIT) -> tuple[Entry, ...]:
        if i > self.last_index():
            return ()
        return self.slice(i, self.last_index() + 1, max_size)

    @mirrors(f"(*{PKG}.raftLog).allEntries")
    def all_entries(self) -> tuple[Entry, ...]:
        return self.entries(self.first_index())

    @mirrors(f"(*{PKG}.raftLog).isUpToDate")
    def is_up_to_date(self, lasti: int, term: int) -> bool:
        """§5.4.1: a candidate's log is at least as up to date as ours (later term, or same and longer)."""
        last_term = self.last_term()
        return term > last_term or (term == last_term and lasti >= self.last_index())

    @mirrors(f"(*{PKG}.raftLog).matchTerm")
    def match_term(self, i: int, term: int) -> bool:
        try:
            return self.term(i) == term
        except (ErrCompacted, ErrUnavailable):
            return False

    @mirrors(f"(*{PKG}.raftLog).maybeCommit")
    def maybe_commit(self, max_index: int, term: int) -> bool:
        # §5.4.2: only an entry of the leader's current term is committed by counting replicas.
        if max_index > self.committed and self.term_or_zero(max_index) == term:
            self.commit_to(max_index)
            return True
        return False

    @mirrors(f"(*{PKG}.raftLog).restore")
    def restore(self, s: Snapshot) -> None:
        self.committed = s.metadata.index
        self.unstable.restore(s)

    @mirrors(f"(*{PKG}.raftLog).slice")
    def slice(self, lo: int, hi: int, max_size: int = NO_LIMIT) -> tuple[Entry, ...]:
        """Entries [lo, hi) up to `max_size` bytes; ErrCompacted if lo is below the first index."""
        self._check_out_of_bounds(lo, hi)
        if lo == hi:
            return ()
        ents: list[Entry] = []
        if lo < self.unstable.offset:
            stored = self.storage.entries(lo, min(hi, self.unstable.offset), max_size)
            if len(stored) < min(hi, self.unstable.offset) - lo:
                return stored
            ents = list(stored)
        if hi > self.unstable.offset:
            ents.extend(self.unstable.slice(max(lo, self.unstable.offset), hi))
        return limit_size(ents, max_size)

    @mirrors(f"(*{PKG}.raftLog).mustCheckOutOfBounds")
    def _check_out_of_bounds(self, lo: int, hi: int) -> None:
        if lo > hi:
            raise RaftError(f"invalid slice {lo} > {hi}")
        fi = self.first_index()
        if lo < fi:
            raise ErrCompacted(f"index {lo} < first index {fi}")
        if hi > self.last_index() + 1:
            raise RaftError(f"slice[{lo},{hi}) out of bound [{fi},{self.last_index()}]")
