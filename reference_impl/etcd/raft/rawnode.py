"""RawNode: the application's handle on the Raft core, as etcd's raft/rawnode.go.

The application drives it in a loop (etcd's raftexample and server do the same):

    rn.tick() every tick; rn.step(m) for each message received; rn.propose(data) for a write
    if rn.has_ready():
        rd = rn.ready()
        persist rd.hard_state, rd.entries and rd.snapshot (in that order, durably if rd.must_sync)
        send rd.messages
        apply rd.snapshot and rd.committed_entries (apply_conf_change for a conf change entry)
        rn.advance(rd)

Messages must leave only after what the Ready asked to persist is on disk: a vote or an
append acknowledgement is a promise about the durable state.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from reference_impl.etcd.raft.errors import ErrStepLocalMsg, ErrStepPeerNotFound, RaftError
from reference_impl.etcd.raft.messages import (
    EMPTY_SNAPSHOT, NONE, PKG, ConfChange, ConfChangeType, ConfState, Entry, EntryType, HardState, Message,
    MessageType, Ready, SoftState, is_local_msg, is_response_msg)
from reference_impl.etcd.raft.progress import Progress
from reference_impl.etcd.raft.raft import Config, Raft, RaftState
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class Status:
    """What `(*RawNode).Status` reports: the node's states and, on a leader, each member's progress."""

    id: int
    hard_state: HardState
    soft_state: SoftState
    applied: int
    lead_transferee: int
    progress: dict[int, Progress]  # copies


@mirrors(f"({PKG}.Status).MarshalJSON")
def status_json(status: Status) -> str:
    """`status` as etcd's /debug/vars shows it: ids in hex, progress (a leader's only) by member."""
    hard, soft = status.hard_state, status.soft_state
    progress = ",".join(f'"{node_id:x}":{{"match":{pr.match},"next":{pr.next},"state":"{pr.state.value}"}}'
                        for node_id, pr in status.progress.items())
    return (f'{{"id":"{status.id:x}","term":{hard.term},"vote":"{hard.vote:x}","commit":{hard.commit},'
            f'"lead":"{soft.lead:x}","raftState":"{soft.raft_state}","applied":{status.applied},'
            f'"progress":{{{progress}}},"leadtransferee":"{status.lead_transferee:x}"}}')


@mirrors(f"{PKG}.MustSync")
def must_sync(st: HardState, prev: HardState, ents_num: int) -> bool:
    """Term, vote and new entries must reach disk before messages go out; commit need not."""
    return ents_num != 0 or st.vote != prev.vote or st.term != prev.term


class RawNode:
    @mirrors(f"{PKG}.NewRawNode")
    def __init__(self, config: Config) -> None:
        self.raft = Raft(config)
        self.prev_soft_st = self.raft.soft_state()
        self.prev_hard_st = self.raft.hard_state()

    @mirrors(f"(*{PKG}.RawNode).Bootstrap")
    def bootstrap(self, peers: Sequence[int], contexts: Mapping[int, bytes] = MappingProxyType({})) -> None:
        """Start a new cluster: conf change entries adding `peers`, committed at term 1, each with
        its peer's context if `contexts` has one (raft's Peer.Context: etcd puts the member there)."""
        if not peers:
            raise RaftError("must provide at least one peer to Bootstrap")
        if self.raft.raft_log.storage.last_index() != 0:
            raise RaftError("can't bootstrap a nonempty Storage")
        # Leave the hard state "unsent" so the first Ready persists it.
        self.prev_hard_st = HardState()
        self.raft.become_follower(1, NONE)
        ents = [Entry(term=1, index=i + 1, type=EntryType.EntryConfChange,
                      data=ConfChange(ConfChangeType.ConfChangeAddNode, peer, contexts.get(peer, b"")).marshal())
                for i, peer in enumerate(peers)]
        self.raft.raft_log.append(ents)
        self.raft.raft_log.committed = len(ents)
        for peer in peers:
            self.raft.apply_conf_change(ConfChange(ConfChangeType.ConfChangeAddNode, peer))

    @mirrors(f"(*{PKG}.RawNode).Tick")
    def tick(self) -> None:
        self.raft.tick()

    @mirrors(f"(*{PKG}.RawNode).Campaign")
    def campaign(self) -> None:
        self.raft.step(Message(MessageType.MsgHup))

    @mirrors(f"(*{PKG}.RawNode).Propose")
    def propose(self, data: bytes) -> None:
        """Propose `data`; raises ErrProposalDropped when it cannot be accepted now."""
        self.raft.step(Message(MessageType.MsgProp, from_=self.raft.id, entries=(Entry(data=data),)))

    @mirrors(f"(*{PKG}.RawNode).ProposeConfChange")
    def propose_conf_change(self, cc: ConfChange) -> None:
        entry = Entry(type=EntryType.EntryConfChange, data=cc.marshal())
        self.raft.step(Message(MessageType.MsgProp, from_=self.raft.id, entries=(entry,)))

    @mirrors(f"(*{PKG}.RawNode).ApplyConfChange")
    def apply_conf_change(self, cc: ConfChange) -> ConfState:
        """Apply a committed conf change to the configuration; call it when applying its entry."""
        return self.raft.apply_conf_change(cc)

    @mirrors(f"(*{PKG}.RawNode).Step")
    def step(self, m: Message) -> None:
        """A message from the network; local message types are refused."""
        if is_local_msg(m.type):
            raise ErrStepLocalMsg(m.type.name)
        if m.from_ in self.raft.prs.progress or not is_response_msg(m.type):
            self.raft.step(m)
            return
        raise ErrStepPeerNotFound(f"{m.type.name} from {m.from_:x}")

    @mirrors(f"(*{PKG}.RawNode).Ready", f"{PKG}.newReady")
    def ready(self) -> Ready:
        r = self.raft
        soft, hard = r.soft_state(), r.hard_state()
        entries = r.raft_log.unstable_entries()
        rd = Ready(
            soft_state=soft if soft != self.prev_soft_st else None,
            hard_state=hard if hard != self.prev_hard_st else HardState(),
            read_states=tuple(r.read_states),
            entries=entries,
            snapshot=r.raft_log.unstable.snapshot or EMPTY_SNAPSHOT,
            committed_entries=r.raft_log.next_ents(),
            messages=tuple(r.msgs),
            must_sync=must_sync(hard, self.prev_hard_st, len(entries)),
        )
        self._accept_ready(rd)
        return rd

    @mirrors(f"(*{PKG}.RawNode).acceptReady")
    def _accept_ready(self, rd: Ready) -> None:
        if rd.soft_state is not None:
            self.prev_soft_st = rd.soft_state
        if rd.read_states:
            self.raft.read_states = []
        self.raft.msgs = []

    @mirrors(f"(*{PKG}.RawNode).HasReady")
    def has_ready(self) -> bool:
        r = self.raft
        log = r.raft_log
        if r.msgs or log.unstable.entries or r.read_states or log.has_pending_snapshot() or log.has_next_ents():
            return True
        # Compared field by field: this runs after every message, and building the states costs.
        soft, hard = self.prev_soft_st, self.prev_hard_st
        if r.lead != soft.lead or r.state.value != soft.raft_state:
            return True
        changed = (r.term, r.vote, log.committed) != (hard.term, hard.vote, hard.commit)
        return changed and (r.term, r.vote, log.committed) != (0, NONE, 0)

    @mirrors(f"(*{PKG}.RawNode).Advance")
    def advance(self, rd: Ready) -> None:
        """Tell the core that `rd` has been persisted, sent and applied."""
        if not rd.hard_state.is_empty():
            self.prev_hard_st = rd.hard_state
        self.raft.advance(rd)

    @mirrors(f"(*{PKG}.RawNode).ReportUnreachable")
    def report_unreachable(self, node_id: int) -> None:
        self.raft.step(Message(MessageType.MsgUnreachable, from_=node_id))

    @mirrors(f"(*{PKG}.RawNode).ReportSnapshot")
    def report_snapshot(self, node_id: int, failed: bool) -> None:
        self.raft.step(Message(MessageType.MsgSnapStatus, from_=node_id, reject=failed))

    @mirrors(f"(*{PKG}.RawNode).TransferLeader")
    def transfer_leader(self, transferee: int) -> None:
        self.raft.step(Message(MessageType.MsgTransferLeader, from_=transferee))

    @mirrors(f"(*{PKG}.RawNode).ReadIndex")
    def read_index(self, rctx: bytes) -> None:
        """Ask for a read index; the answer arrives as a ReadState with `rctx` in a later Ready."""
        self.raft.step(Message(MessageType.MsgReadIndex, entries=(Entry(data=rctx),)))

    @mirrors(f"(*{PKG}.RawNode).Status", f"{PKG}.getStatus")
    def status(self) -> Status:
        r = self.raft
        progress = {node_id: copy.copy(pr) for node_id, pr in r.prs.visit()} if r.state == RaftState.StateLeader else {}
        return Status(r.id, r.hard_state(), r.soft_state(), r.raft_log.applied, r.lead_transferee, progress)
