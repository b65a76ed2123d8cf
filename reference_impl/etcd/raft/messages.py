"""raftpb: the messages, entries and states the Raft core exchanges, as frozen dataclasses.

Names and numbering follow etcd's raft/raftpb/raft.proto (v3.5.1) so a trace reads like etcd's
own. Node ids are positive ints and 0 (`NONE`) means "nobody", as in Go. Only the single-step
`ConfChange` is modelled (no `ConfChangeV2`, no joint consensus); its bytes in an entry are the
protobuf encoding raftpb uses, so entries carry the same payload etcd's WAL would.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from reference_impl.etcd.raft.errors import ConfChangeError
from reference_impl.machinery.frozen import quick_init
from reference_impl.machinery.protowire import BYTES, VARINT, FieldError, VarintError, consume_field, encode_varint
from reference_impl.mirrors import mirrors

PKG = "go.etcd.io/etcd/raft/v3"
RAFTPB = "go.etcd.io/etcd/raft/v3/raftpb"

NONE = 0


class MessageType(IntEnum):
    MsgHup = 0
    MsgBeat = 1
    MsgProp = 2
    MsgApp = 3
    MsgAppResp = 4
    MsgVote = 5
    MsgVoteResp = 6
    MsgSnap = 7
    MsgHeartbeat = 8
    MsgHeartbeatResp = 9
    MsgUnreachable = 10
    MsgSnapStatus = 11
    MsgCheckQuorum = 12
    MsgTransferLeader = 13
    MsgTimeoutNow = 14
    MsgReadIndex = 15
    MsgReadIndexResp = 16
    MsgPreVote = 17
    MsgPreVoteResp = 18


class EntryType(IntEnum):
    EntryNormal = 0
    EntryConfChange = 1


class ConfChangeType(IntEnum):
    ConfChangeAddNode = 0
    ConfChangeRemoveNode = 1
    ConfChangeUpdateNode = 2
    ConfChangeAddLearnerNode = 3


@quick_init
@dataclass(frozen=True)
class Entry:
    term: int = 0
    index: int = 0
    type: EntryType = EntryType.EntryNormal
    data: bytes = b""

    @mirrors(f"{PKG}.PayloadSize")
    def payload_size(self) -> int:
        return len(self.data)

    def size(self) -> int:
        """Roughly what the entry weighs on the wire, for MaxSizePerMsg (Go uses proto Size)."""
        return len(self.data) + 16


@dataclass(frozen=True)
class ConfState:
    voters: tuple[int, ...] = ()
    learners: tuple[int, ...] = ()


@dataclass(frozen=True)
class SnapshotMetadata:
    conf_state: ConfState = ConfState()
    index: int = 0
    term: int = 0


@dataclass(frozen=True)
class Snapshot:
    data: bytes = b""
    metadata: SnapshotMetadata = SnapshotMetadata()

    @mirrors(f"{PKG}.IsEmptySnap")
    def is_empty(self) -> bool:
        return self.metadata.index == 0


EMPTY_SNAPSHOT = Snapshot()


@quick_init
@dataclass(frozen=True)
class HardState:
    term: int = 0
    vote: int = NONE
    commit: int = 0

    @mirrors(f"{PKG}.IsEmptyHardState")
    def is_empty(self) -> bool:
        return self == EMPTY_HARD_STATE


EMPTY_HARD_STATE = HardState()


@quick_init
@dataclass(frozen=True)
class Message:
    type: MessageType
    to: int = NONE
    from_: int = NONE
    term: int = 0
    log_term: int = 0
    index: int = 0
    entries: tuple[Entry, ...] = ()
    commit: int = 0
    snapshot: Snapshot = EMPTY_SNAPSHOT
    reject: bool = False
    reject_hint: int = 0
    context: bytes = b""


@dataclass(frozen=True)
class ConfChange:
    type: ConfChangeType
    node_id: int
    context: bytes = b""
    id: int = 0

    def marshal(self) -> bytes:
        """raftpb's protobuf encoding: ID=1, Type=2, NodeID=3 always, Context=4 when set."""
        out = bytearray()
        for number, value in ((1, self.id), (2, int(self.type)), (3, self.node_id)):
            out += encode_varint(number << 3) + encode_varint(value)
        if self.context:
            out += encode_varint(4 << 3 | 2) + encode_varint(len(self.context)) + self.context
        return bytes(out)

    @classmethod
    def unmarshal(cls, data: bytes) -> ConfChange:
        fields: dict[int, int | bytes] = {}
        pos = 0
        try:
            while pos < len(data):
                number, wire, value, pos = consume_field(data, pos)
                if wire not in (VARINT, BYTES):
                    raise FieldError(number, wire)
                fields[number] = value
        except FieldError as err:
            raise ConfChangeError(f"truncated field {err.number}" if err.wire_type is None else
                                  f"unsupported wire type {err.wire_type} for field {err.number}") from None
        except VarintError as err:
            raise ConfChangeError(str(err)) from None
        try:
            kind = ConfChangeType(fields.get(2, 0))
        except ValueError as err:
            raise ConfChangeError(f"unknown ConfChangeType {fields.get(2)}") from err
        node_id, ident, context = fields.get(3, 0), fields.get(1, 0), fields.get(4, b"")
        if not isinstance(node_id, int) or not isinstance(ident, int) or not isinstance(context, bytes):
            raise ConfChangeError("field with the wrong wire type")
        return cls(kind, node_id, context, ident)


_LOCAL = frozenset({MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgUnreachable,
                    MessageType.MsgSnapStatus, MessageType.MsgCheckQuorum})
_RESPONSE = frozenset({MessageType.MsgAppResp, MessageType.MsgVoteResp, MessageType.MsgHeartbeatResp,
                       MessageType.MsgUnreachable, MessageType.MsgPreVoteResp})


@mirrors(f"{PKG}.IsLocalMsg")
def is_local_msg(t: MessageType) -> bool:
    return t in _LOCAL


@mirrors(f"{PKG}.IsResponseMsg")
def is_response_msg(t: MessageType) -> bool:
    return t in _RESPONSE


@mirrors(f"{PKG}.voteRespMsgType")
def vote_resp_msg_type(t: MessageType) -> MessageType:
    if t == MessageType.MsgVote:
        return MessageType.MsgVoteResp
    if t == MessageType.MsgPreVote:
        return MessageType.MsgPreVoteResp
    raise ValueError(f"not a vote message: {t.name}")


@quick_init
@dataclass(frozen=True)
class SoftState:
    """Volatile state worth reporting but not persisting: who leads, and in which role we are."""

    lead: int
    raft_state: str


@dataclass(frozen=True)
class ReadState:
    """A linearizable read may be served once the applied index reaches `index`."""

    index: int
    request_ctx: bytes


@dataclass(frozen=True)
class Ready:
    """What the application must do next, in order: persist, send, apply (`node.go` Ready)."""

    soft_state: SoftState | None = None
    hard_state: HardState = EMPTY_HARD_STATE
    read_states: tuple[ReadState, ...] = ()
    entries: tuple[Entry, ...] = ()
    snapshot: Snapshot = EMPTY_SNAPSHOT
    committed_entries: tuple[Entry, ...] = ()
    messages: tuple[Message, ...] = ()
    must_sync: bool = False

    @mirrors(f"({PKG}.Ready).appliedCursor")
    def applied_cursor(self) -> int:
        if self.committed_entries:
            return self.committed_entries[-1].index
        return self.snapshot.metadata.index
