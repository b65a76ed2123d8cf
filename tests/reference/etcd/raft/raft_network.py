"""Helpers for the rule tests: Raft nodes on an instant, in-order network, as etcd's raft_test.go
builds them (newTestRaft, newNetwork, send, cut, isolate, ignore).

Messages are delivered at once and in order until none is left, so a test reads as the exchange
it checks. Entries stay in the log's unstable tail (nothing is persisted), which is all the core
needs to run.
"""
from __future__ import annotations

from collections.abc import Iterable

from reference_impl.etcd.raft import (
    Config, ConfState, Entry, MemoryStorage, Message, MessageType, Snapshot, SnapshotMetadata)
from reference_impl.etcd.raft.errors import ErrProposalDropped
from reference_impl.etcd.raft.raft import Raft

M = MessageType


def storage_with(voters: Iterable[int], learners: Iterable[int] = (), entries: Iterable[Entry] = ()) -> MemoryStorage:
    """A storage whose (empty, index 0) snapshot holds the configuration, like newTestMemoryStorage."""
    storage = MemoryStorage()
    storage.snap = Snapshot(metadata=SnapshotMetadata(ConfState(tuple(voters), tuple(learners))))
    storage.append(list(entries))
    return storage


def new_raft(node_id: int, voters: Iterable[int] = (1, 2, 3), *, learners: Iterable[int] = (),
             entries: Iterable[Entry] = (), election: int = 10, heartbeat: int = 1,
             storage: MemoryStorage | None = None, **config: object) -> Raft:
    storage = storage if storage is not None else storage_with(voters, learners, entries)
    return Raft(Config(node_id, storage, election_tick=election, heartbeat_tick=heartbeat, **config))


def read_messages(r: Raft) -> list[Message]:
    msgs, r.msgs = r.msgs, []
    return msgs


def entries_of_terms(*terms: int) -> list[Entry]:
    """A log with one entry per term given: index 1 has terms[0], and so on."""
    return [Entry(term=t, index=i) for i, t in enumerate(terms, start=1)]


class Network:
    def __init__(self, *peers: Raft) -> None:
        self.peers = {p.id: p for p in peers}
        self.dropped: set[tuple[int, int]] = set()
        self.ignored: set[MessageType] = set()

    @classmethod
    def of(cls, n: int, **config: object) -> Network:
        ids = tuple(range(1, n + 1))
        return cls(*(new_raft(i, ids, **config) for i in ids))

    def send(self, *msgs: Message) -> None:
        # As in Go, the messages handed in are delivered as they are; only replies are filtered.
        queue = list(msgs)
        while queue:
            m = queue.pop(0)
            peer = self.peers.get(m.to)
            if peer is None:
                continue
            try:
                peer.step(m)
            except ErrProposalDropped:
                pass
            queue.extend(self.filter(read_messages(peer)))

    def filter(self, msgs: list[Message]) -> list[Message]:
        return [m for m in msgs if (m.from_, m.to) not in self.dropped and m.type not in self.ignored]

    def campaign(self, node_id: int) -> None:
        self.send(Message(M.MsgHup, from_=node_id, to=node_id))

    def propose(self, node_id: int, data: bytes = b"somedata") -> None:
        self.send(Message(M.MsgProp, from_=node_id, to=node_id, entries=(Entry(data=data),)))

    def cut(self, a: int, b: int) -> None:
        self.dropped |= {(a, b), (b, a)}

    def isolate(self, node_id: int) -> None:
        for other in self.peers:
            if other != node_id:
                self.cut(node_id, other)

    def recover(self) -> None:
        self.dropped.clear()
        self.ignored.clear()
