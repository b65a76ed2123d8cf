"""Pending ReadIndex requests of a leader, as etcd's raft/read_only.go (ReadOnlySafe).

A read asks for the commit index at the time it arrived; it may be answered once a quorum has
acknowledged a heartbeat carrying the request's context, which proves no newer leader had
committed anything behind our back. Requests are answered in arrival order: a quorum ack for a
later one also confirms every earlier one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from reference_impl.etcd.raft.messages import PKG, Message
from reference_impl.mirrors import mirrors


class ReadOnlyOption(Enum):
    ReadOnlySafe = 0
    ReadOnlyLeaseBased = 1


@dataclass
class ReadIndexStatus:
    req: Message
    index: int
    acks: set[int] = field(default_factory=set)


class ReadOnly:
    @mirrors(f"{PKG}.newReadOnly")
    def __init__(self, option: ReadOnlyOption) -> None:
        self.option = option
        self.pending_read_index: dict[bytes, ReadIndexStatus] = {}
        self.read_index_queue: list[bytes] = []

    @mirrors(f"(*{PKG}.readOnly).addRequest")
    def add_request(self, index: int, m: Message) -> None:
        ctx = m.entries[0].data
        if ctx in self.pending_read_index:
            return
        self.pending_read_index[ctx] = ReadIndexStatus(m, index)
        self.read_index_queue.append(ctx)

    @mirrors(f"(*{PKG}.readOnly).recvAck")
    def recv_ack(self, node_id: int, context: bytes) -> dict[int, bool]:
        """Record that `node_id` acknowledged the heartbeat for `context`; all acks so far."""
        rs = self.pending_read_index.get(context)
        if rs is None:
            return {}
        rs.acks.add(node_id)
        return dict.fromkeys(rs.acks, True)

    @mirrors(f"(*{PKG}.readOnly).advance")
    def advance(self, m: Message) -> list[ReadIndexStatus]:
        """Dequeue every request up to and including the one `m` acknowledged."""
        if m.context not in self.pending_read_index:
            return []
        n = self.read_index_queue.index(m.context) + 1
        done, self.read_index_queue = self.read_index_queue[:n], self.read_index_queue[n:]
        return [self.pending_read_index.pop(ctx) for ctx in done]

    @mirrors(f"(*{PKG}.readOnly).lastPendingRequestCtx")
    def last_pending_request_ctx(self) -> bytes:
        return self.read_index_queue[-1] if self.read_index_queue else b""
