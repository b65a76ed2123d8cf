"""The Raft state machine, as etcd's raft/raft.go (v3.5.1): sans-IO, driven by `tick` and `step`.

`Raft` never sends, persists or applies anything itself. It appends messages to `msgs`, leaves
new entries in the log's unstable tail and moves `committed`; `RawNode` packs that into a
`Ready` for the application. Time is a count of ticks, and the one source of randomness, the
randomized election timeout, comes from the `random.Random` in the Config, so a run is
reproducible from its seed.

Roles (§5.2, thesis §9.6): a follower whose election timer runs out becomes a pre-candidate
(with PreVote) and asks whether it could win before it bumps its term, then a candidate, then
leader. With CheckQuorum a leader that has not heard from a quorum for an election timeout steps
down, and a follower that hears from its leader ignores vote requests (the leader lease).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import Enum

from reference_impl.etcd.raft import confchange
from reference_impl.etcd.raft.errors import (
    ConfigError, ErrCompacted, ErrProposalDropped, ErrSnapshotTemporarilyUnavailable, ErrUnavailable,
    RaftError)
from reference_impl.etcd.raft.log import RaftLog
from reference_impl.etcd.raft.messages import (
    NONE, PKG, ConfChange, ConfState, Entry, EntryType, HardState, Message, MessageType, ReadState,
    Ready, Snapshot, SoftState, vote_resp_msg_type)
from reference_impl.etcd.raft.progress import Progress, ProgressTracker, StateType, VoteResult, vote_result
from reference_impl.etcd.raft.read_only import ReadOnly, ReadOnlyOption
from reference_impl.etcd.raft.storage import NO_LIMIT, MemoryStorage
from reference_impl.mirrors import mirrors

M = MessageType

CAMPAIGN_PRE_ELECTION = b"CampaignPreElection"
CAMPAIGN_ELECTION = b"CampaignElection"
# Sent in a vote request's context so that voters skip the leader-lease check (leader transfer).
CAMPAIGN_TRANSFER = b"CampaignTransfer"


class RaftState(Enum):
    """Go's raft.StateType."""

    StateFollower = "StateFollower"
    StateCandidate = "StateCandidate"
    StateLeader = "StateLeader"
    StatePreCandidate = "StatePreCandidate"


@dataclass(frozen=True, eq=False)
class Config:
    id: int
    storage: MemoryStorage
    election_tick: int = 10
    heartbeat_tick: int = 1
    applied: int = 0
    max_size_per_msg: int = NO_LIMIT
    max_committed_size_per_ready: int = NO_LIMIT
    max_uncommitted_entries_size: int = NO_LIMIT
    max_inflight_msgs: int = 256
    check_quorum: bool = False
    pre_vote: bool = False
    read_only_option: ReadOnlyOption = ReadOnlyOption.ReadOnlySafe
    disable_proposal_forwarding: bool = False
    # The source of the randomized election timeout. By default seeded with the node id, so that
    # nodes differ yet every run is the same; a simulation passes one drawn from its seed.
    rand: random.Random | None = None

    @mirrors(f"(*{PKG}.Config).validate")
    def validate(self) -> None:
        if self.id == NONE:
            raise ConfigError("cannot use none as id")
        if self.storage is None:
            raise ConfigError("storage cannot be nil")
        if self.heartbeat_tick <= 0:
            raise ConfigError("heartbeat tick must be greater than 0")
        if self.election_tick <= self.heartbeat_tick:
            raise ConfigError("election tick must be greater than heartbeat tick")
        if self.max_inflight_msgs <= 0:
            raise ConfigError("max inflight messages must be greater than 0")
        if self.read_only_option == ReadOnlyOption.ReadOnlyLeaseBased and not self.check_quorum:
            raise ConfigError("CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased")


class Raft:
    @mirrors(f"{PKG}.newRaft")
    def __init__(self, c: Config) -> None:
        c.validate()
        self.id = c.id
        self.rand = c.rand if c.rand is not None else random.Random(c.id)
        self.raft_log = RaftLog(c.storage, c.max_committed_size_per_ready)
        hs, cs = c.storage.initial_state()
        self.term = 0
        self.vote = NONE
        self.state = RaftState.StateFollower
        self.lead = NONE
        self.is_learner = False
        self.max_msg_size = c.max_size_per_msg
        self.max_uncommitted_size = c.max_uncommitted_entries_size
        self.prs = ProgressTracker(c.max_inflight_msgs)
        self.election_timeout = c.election_tick
        self.heartbeat_timeout = c.heartbeat_tick
        self.check_quorum = c.check_quorum
        self.pre_vote = c.pre_vote
        self.read_only = ReadOnly(c.read_only_option)
        self.disable_proposal_forwarding = c.disable_proposal_forwarding
        self.msgs: list[Message] = []
        self.read_states: list[ReadState] = []
        self.pending_read_index_messages: list[Message] = []
        self.lead_transferee = NONE
        self.pending_conf_index = 0
        self.uncommitted_size = 0
        self.election_elapsed = 0
        self.heartbeat_elapsed = 0
        self.randomized_election_timeout = 0
        self.switch_to_config(confchange.restore(self.prs, self.raft_log.last_index(), cs))
        if not hs.is_empty():
            self.load_state(hs)
        if c.applied > 0:
            self.raft_log.applied_to(c.applied)
        self.become_follower(self.term, NONE)

    # --- state reported to the application -------------------------------------------------

    @mirrors(f"(*{PKG}.raft).softState")
    def soft_state(self) -> SoftState:
        return SoftState(self.lead, self.state.value)

    @mirrors(f"(*{PKG}.raft).hardState")
    def hard_state(self) -> HardState:
        return HardState(self.term, self.vote, self.raft_log.committed)

    @mirrors(f"(*{PKG}.raft).loadState")
    def load_state(self, state: HardState) -> None:
        if state.commit < self.raft_log.committed or state.commit > self.raft_log.last_index():
            raise RaftError(f"{self.id:x} state.commit {state.commit} is out of range "
                            f"[{self.raft_log.committed}, {self.raft_log.last_index()}]")
        self.raft_log.committed = state.commit
        self.term = state.term
        self.vote = state.vote

    # --- sending ----------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).send")
    def send(self, m: Message) -> None:
        from_ = m.from_ if m.from_ != NONE else self.id
        term = m.term
        if m.type in (M.MsgVote, M.MsgVoteResp, M.MsgPreVote, M.MsgPreVoteResp):
            # A (pre)vote carries the term it is about, which is not always ours.
            if term == 0:
                raise RaftError(f"term should be set when sending {m.type.name}")
        else:
            if term != 0:
                raise RaftError(f"term should not be set when sending {m.type.name} (was {term})")
            # A forwarded proposal or read keeps term 0: it is a local message of the leader.
            if m.type not in (M.MsgProp, M.MsgReadIndex):
                term = self.term
        if (from_, term) != (m.from_, m.term):
            # Positional construction: dataclasses.replace is slow on this hot path.
            m = Message(m.type, m.to, from_, term, m.log_term, m.index, m.entries, m.commit,
                        m.snapshot, m.reject, m.reject_hint, m.context)
        self.msgs.append(m)

    @mirrors(f"(*{PKG}.raft).sendAppend")
    def send_append(self, to: int) -> None:
        self.maybe_send_append(to, True)

    @mirrors(f"(*{PKG}.raft).maybeSendAppend")
    def maybe_send_append(self, to: int, send_if_empty: bool) -> bool:
        """Send `to` the entries after its Next (or a snapshot if they are compacted)."""
        pr = self.prs.progress[to]
        if pr.is_paused():
            return False
        prev = pr.next - 1
        try:
            term = self.raft_log.term(prev)
            ents = self.raft_log.entries(pr.next, self.max_msg_size)
        except (ErrCompacted, ErrUnavailable):
            # The entries the follower needs are gone from our log: it needs a snapshot.
            return send_if_empty and self._send_snapshot(to)
        if not ents and not send_if_empty:
            return False
        if ents:
            if pr.state == StateType.StateReplicate:
                last = ents[-1].index
                pr.optimistic_update(last)
                pr.inflights.add(last)
            elif pr.state == StateType.StateProbe:
                pr.probe_sent = True
            else:
                raise RaftError(f"{self.id:x} is sending append in unhandled state {pr.state.value}")
        self.send(Message(M.MsgApp, to=to, index=prev, log_term=term, entries=ents,
                          commit=self.raft_log.committed))
        return True

    def _send_snapshot(self, to: int) -> bool:
        pr = self.prs.progress[to]
        if not pr.recent_active:
            return False
        try:
            snapshot = self.raft_log.snapshot()
        except ErrSnapshotTemporarilyUnavailable:
            return False
        if snapshot.is_empty():
            raise RaftError("need non-empty snapshot")
        pr.become_snapshot(snapshot.metadata.index)
        self.send(Message(M.MsgSnap, to=to, snapshot=snapshot))
        return True

    @mirrors(f"(*{PKG}.raft).sendHeartbeat")
    def send_heartbeat(self, to: int, ctx: bytes) -> None:
        # A follower may not have the entries up to our commit yet; never tell it to commit
        # past what it is known to hold.
        commit = min(self.prs.progress[to].match, self.raft_log.committed)
        self.send(Message(M.MsgHeartbeat, to=to, commit=commit, context=ctx))

    @mirrors(f"(*{PKG}.raft).bcastAppend")
    def bcast_append(self) -> None:
        for node_id, _ in self.prs.visit():
            if node_id != self.id:
                self.send_append(node_id)

    @mirrors(f"(*{PKG}.raft).bcastHeartbeat")
    def bcast_heartbeat(self) -> None:
        self.bcast_heartbeat_with_ctx(self.read_only.last_pending_request_ctx())

    @mirrors(f"(*{PKG}.raft).bcastHeartbeatWithCtx")
    def bcast_heartbeat_with_ctx(self, ctx: bytes) -> None:
        for node_id, _ in self.prs.visit():
            if node_id != self.id:
                self.send_heartbeat(node_id, ctx)

    # --- log --------------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).advance")
    def advance(self, rd: Ready) -> None:
        """The application has persisted, sent and applied what `rd` asked for."""
        self.reduce_uncommitted_size(rd.committed_entries)
        applied = rd.applied_cursor()
        if applied > 0:
            self.raft_log.applied_to(applied)
        if rd.entries:
            self.raft_log.stable_to(rd.entries[-1].index, rd.entries[-1].term)
        if not rd.snapshot.is_empty():
            self.raft_log.stable_snap_to(rd.snapshot.metadata.index)

    @mirrors(f"(*{PKG}.raft).maybeCommit")
    def maybe_commit(self) -> bool:
        return self.raft_log.maybe_commit(self.prs.committed(), self.term)

    @mirrors(f"(*{PKG}.raft).reset")
    def reset(self, term: int) -> None:
        if self.term != term:
            self.term = term
            self.vote = NONE
        self.lead = NONE
        self.election_elapsed = 0
        self.heartbeat_elapsed = 0
        self.reset_randomized_election_timeout()
        self.abort_leader_transfer()
        self.prs.reset_votes()
        last = self.raft_log.last_index()
        for node_id, pr in self.prs.visit():
            fresh = Progress(last + 1, self.prs.max_inflight, is_learner=pr.is_learner)
            if node_id == self.id:
                fresh.match = last
            self.prs.progress[node_id] = fresh
        self.pending_conf_index = 0
        self.uncommitted_size = 0
        self.read_only = ReadOnly(self.read_only.option)

    @mirrors(f"(*{PKG}.raft).appendEntry")
    def append_entry(self, es: list[Entry]) -> bool:
        li = self.raft_log.last_index()
        es = [Entry(self.term, li + 1 + i, e.type, e.data) for i, e in enumerate(es)]
        if not self.increase_uncommitted_size(es):
            return False
        li = self.raft_log.append(es)
        self.prs.progress[self.id].maybe_update(li)
        self.maybe_commit()
        return True

    # --- time -------------------------------------------------------------------------------

    def tick(self) -> None:
        if self.state == RaftState.StateLeader:
            self.tick_heartbeat()
        else:
            self.tick_election()

    @mirrors(f"(*{PKG}.raft).tickElection")
    def tick_election(self) -> None:
        self.election_elapsed += 1
        if self.promotable() and self.past_election_timeout():
            self.election_elapsed = 0
            self.step(Message(M.MsgHup, from_=self.id))

    @mirrors(f"(*{PKG}.raft).tickHeartbeat")
    def tick_heartbeat(self) -> None:
        self.heartbeat_elapsed += 1
        self.election_elapsed += 1
        if self.election_elapsed >= self.election_timeout:
            self.election_elapsed = 0
            if self.check_quorum:
                self.step(Message(M.MsgCheckQuorum, from_=self.id))
            # A transfer that has not finished within an election timeout is given up, so that
            # proposals are accepted again.
            if self.state == RaftState.StateLeader and self.lead_transferee != NONE:
                self.abort_leader_transfer()
        if self.state != RaftState.StateLeader:
            return
        if self.heartbeat_elapsed >= self.heartbeat_timeout:
            self.heartbeat_elapsed = 0
            self.step(Message(M.MsgBeat, from_=self.id))

    @mirrors(f"(*{PKG}.raft).pastElectionTimeout")
    def past_election_timeout(self) -> bool:
        return self.election_elapsed >= self.randomized_election_timeout

    @mirrors(f"(*{PKG}.raft).resetRandomizedElectionTimeout")
    def reset_randomized_election_timeout(self) -> None:
        self.randomized_election_timeout = self.election_timeout + self.rand.randrange(self.election_timeout)

    # --- roles ------------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).becomeFollower")
    def become_follower(self, term: int, lead: int) -> None:
        self.reset(term)
        self.lead = lead
        self.state = RaftState.StateFollower

    @mirrors(f"(*{PKG}.raft).becomeCandidate")
    def become_candidate(self) -> None:
        if self.state == RaftState.StateLeader:
            raise RaftError("invalid transition [leader -> candidate]")
        self.reset(self.term + 1)
        self.vote = self.id
        self.state = RaftState.StateCandidate

    @mirrors(f"(*{PKG}.raft).becomePreCandidate")
    def become_pre_candidate(self) -> None:
        if self.state == RaftState.StateLeader:
            raise RaftError("invalid transition [leader -> pre-candidate]")
        # Neither the term nor the vote changes: a pre-election that fails leaves no trace.
        self.prs.reset_votes()
        self.lead = NONE
        self.state = RaftState.StatePreCandidate

    @mirrors(f"(*{PKG}.raft).becomeLeader")
    def become_leader(self) -> None:
        if self.state == RaftState.StateFollower:
            raise RaftError("invalid transition [follower -> leader]")
        self.reset(self.term)
        self.lead = self.id
        self.state = RaftState.StateLeader
        self.prs.progress[self.id].become_replicate()
        # Conservatively treat every unapplied entry as a possible conf change: no new one is
        # accepted until the whole log so far is applied.
        self.pending_conf_index = self.raft_log.last_index()
        empty = Entry()
        if not self.append_entry([empty]):
            raise RaftError("empty entry was dropped")
        self.reduce_uncommitted_size((empty,))

    @mirrors(f"(*{PKG}.raft).hup")
    def hup(self, t: bytes) -> None:
        if self.state == RaftState.StateLeader or not self.promotable():
            return
        # A node must not campaign with committed but unapplied conf changes: it would count
        # votes in a configuration that is about to change.
        pending = self.raft_log.slice(self.raft_log.applied + 1, self.raft_log.committed + 1)
        if any(e.type == EntryType.EntryConfChange for e in pending):
            return
        self.campaign(t)

    @mirrors(f"(*{PKG}.raft).campaign")
    def campaign(self, t: bytes) -> None:
        if t == CAMPAIGN_PRE_ELECTION:
            self.become_pre_candidate()
            vote_msg, term = M.MsgPreVote, self.term + 1
        else:
            self.become_candidate()
            vote_msg, term = M.MsgVote, self.term
        if self.poll(self.id, vote_resp_msg_type(vote_msg), True) == VoteResult.VoteWon:
            # A single-voter configuration wins at once.
            if t == CAMPAIGN_PRE_ELECTION:
                self.campaign(CAMPAIGN_ELECTION)
            else:
                self.become_leader()
            return
        for node_id in self.prs.voter_nodes():
            if node_id == self.id:
                continue
            self.send(Message(vote_msg, to=node_id, term=term, index=self.raft_log.last_index(),
                              log_term=self.raft_log.last_term(),
                              context=CAMPAIGN_TRANSFER if t == CAMPAIGN_TRANSFER else b""))

    @mirrors(f"(*{PKG}.raft).poll")
    def poll(self, node_id: int, t: MessageType, v: bool) -> VoteResult:
        self.prs.record_vote(node_id, v)
        return self.prs.tally_votes()[2]

    @mirrors(f"(*{PKG}.raft).promotable")
    def promotable(self) -> bool:
        pr = self.prs.progress.get(self.id)
        return pr is not None and not pr.is_learner and not self.raft_log.has_pending_snapshot()

    # --- step -------------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).Step")
    def step(self, m: Message) -> None:
        """Handle one message; raises ErrProposalDropped when a proposal cannot be accepted."""
        if m.term == 0:
            pass  # a local message
        elif m.term > self.term:
            if m.type in (M.MsgVote, M.MsgPreVote):
                force = m.context == CAMPAIGN_TRANSFER
                in_lease = (self.check_quorum and self.lead != NONE
                            and self.election_elapsed < self.election_timeout)
                if not force and in_lease:
                    # We heard from a leader within an election timeout: a disruptive
                    # candidate (e.g. one rejoining from a partition) is ignored (thesis §4.2.3).
                    return
            if m.type == M.MsgPreVote:
                pass  # never change our term for a pre-vote
            elif m.type == M.MsgPreVoteResp and not m.reject:
                # The term of a granted pre-vote is the one we will campaign in, not one we saw.
                pass
            elif m.type in (M.MsgApp, M.MsgHeartbeat, M.MsgSnap):
                self.become_follower(m.term, m.from_)
            else:
                self.become_follower(m.term, NONE)
        elif m.term < self.term:
            if (self.check_quorum or self.pre_vote) and m.type in (M.MsgHeartbeat, M.MsgApp):
                # A leader stranded in an old term (it cannot win a pre-vote) learns our term
                # from this answer and steps down, instead of waiting forever.
                self.send(Message(M.MsgAppResp, to=m.from_))
            elif m.type == M.MsgPreVote:
                self.send(Message(M.MsgPreVoteResp, to=m.from_, term=self.term, reject=True))
            return

        if m.type == M.MsgHup:
            self.hup(CAMPAIGN_PRE_ELECTION if self.pre_vote else CAMPAIGN_ELECTION)
        elif m.type in (M.MsgVote, M.MsgPreVote):
            can_vote = (self.vote == m.from_
                        or (self.vote == NONE and self.lead == NONE)
                        or (m.type == M.MsgPreVote and m.term > self.term))
            if can_vote and self.raft_log.is_up_to_date(m.index, m.log_term):
                # A granted vote carries the candidate's term: when it is a pre-vote our own term
                # is lower, and the pre-candidate must recognise the answer as its own.
                self.send(Message(vote_resp_msg_type(m.type), to=m.from_, term=m.term))
                if m.type == M.MsgVote:
                    self.election_elapsed = 0
                    self.vote = m.from_
            else:
                self.send(Message(vote_resp_msg_type(m.type), to=m.from_, term=self.term, reject=True))
        elif self.state == RaftState.StateLeader:
            self.step_leader(m)
        elif self.state in (RaftState.StateCandidate, RaftState.StatePreCandidate):
            self.step_candidate(m)
        else:
            self.step_follower(m)

    @mirrors(f"{PKG}.stepLeader")
    def step_leader(self, m: Message) -> None:
        if m.type == M.MsgBeat:
            self.bcast_heartbeat()
            return
        if m.type == M.MsgCheckQuorum:
            if self.id in self.prs.progress:
                self.prs.progress[self.id].recent_active = True
            if not self.prs.quorum_active():
                self.become_follower(self.term, NONE)
            for node_id, pr in self.prs.visit():
                if node_id != self.id:
                    pr.recent_active = False
            return
        if m.type == M.MsgProp:
            self._propose(m)
            return
        if m.type == M.MsgReadIndex:
            if self.prs.is_singleton():
                self._respond_read_index(m, self.raft_log.committed)
            elif not self.committed_entry_in_current_term():
                # §6.4: until an entry of this term is committed, our commit index may lag
                # the true one; hold the read until then.
                self.pending_read_index_messages.append(m)
            else:
                self.send_read_index_response(m)
            return

        pr = self.prs.progress.get(m.from_)
        if pr is None:
            return
        if m.type == M.MsgAppResp:
            pr.recent_active = True
            if m.reject:
                next_probe_idx = m.reject_hint
                if m.log_term > 0:
                    next_probe_idx = self.raft_log.find_conflict_by_term(m.reject_hint, m.log_term)
                if pr.maybe_decr_to(m.index, next_probe_idx):
                    if pr.state == StateType.StateReplicate:
                        pr.become_probe()
                    self.send_append(m.from_)
            else:
                old_paused = pr.is_paused()
                if pr.maybe_update(m.index):
                    if pr.state == StateType.StateProbe:
                        pr.become_replicate()
                    elif pr.state == StateType.StateSnapshot and pr.match >= pr.pending_snapshot:
                        pr.become_probe()
                        pr.become_replicate()
                    elif pr.state == StateType.StateReplicate:
                        pr.inflights.free_le(m.index)
                    if self.maybe_commit():
                        self.release_pending_read_index_messages()
                        self.bcast_append()
                    elif old_paused:
                        self.send_append(m.from_)
                    while self.maybe_send_append(m.from_, False):
                        pass
                    if m.from_ == self.lead_transferee and pr.match == self.raft_log.last_index():
                        self.send_timeout_now(m.from_)
        elif m.type == M.MsgHeartbeatResp:
            pr.recent_active = True
            pr.probe_sent = False
            # A heartbeat answer frees one slot so that a follower whose acks were lost is not
            # stuck with a full window forever.
            if pr.state == StateType.StateReplicate and pr.inflights.full():
                pr.inflights.free_first_one()
            if pr.match < self.raft_log.last_index():
                self.send_append(m.from_)
            if self.read_only.option != ReadOnlyOption.ReadOnlySafe or not m.context:
                return
            acks = self.read_only.recv_ack(m.from_, m.context)
            if vote_result(self.prs.voters, acks) != VoteResult.VoteWon:
                return
            for rs in self.read_only.advance(m):
                self._respond_read_index(rs.req, rs.index)
        elif m.type == M.MsgSnapStatus:
            if pr.state != StateType.StateSnapshot:
                return
            if m.reject:
                pr.pending_snapshot = 0
            pr.become_probe()
            # Wait for a heartbeat answer before probing, rather than probing a follower that
            # may still be busy applying the snapshot.
            pr.probe_sent = True
        elif m.type == M.MsgUnreachable:
            if pr.state == StateType.StateReplicate:
                pr.become_probe()
        elif m.type == M.MsgTransferLeader:
            self._transfer_leader(m, pr.is_learner, pr.match)

    def _propose(self, m: Message) -> None:
        if not m.entries:
            raise RaftError(f"{self.id:x} stepped empty MsgProp")
        if self.id not in self.prs.progress:
            # Removed from the configuration: we must not append to the log any more.
            raise ErrProposalDropped("leader is not a member")
        if self.lead_transferee != NONE:
            raise ErrProposalDropped(f"leader transfer to {self.lead_transferee:x} in progress")
        entries = list(m.entries)
        for i, e in enumerate(entries):
            if e.type != EntryType.EntryConfChange:
                continue
            # One conf change at a time: a second one before the first is applied could change
            # two voters at once.
            if self.pending_conf_index > self.raft_log.applied:
                entries[i] = Entry(type=EntryType.EntryNormal)
            else:
                self.pending_conf_index = self.raft_log.last_index() + i + 1
        if not self.append_entry(entries):
            raise ErrProposalDropped("uncommitted entries exceed MaxUncommittedEntriesSize")
        self.bcast_append()

    def _transfer_leader(self, m: Message, is_learner: bool, match: int) -> None:
        if is_learner:
            return
        transferee = m.from_
        if self.lead_transferee != NONE:
            if self.lead_transferee == transferee:
                return
            self.abort_leader_transfer()
        if transferee == self.id:
            return
        # The transfer must finish within an election timeout (tick_heartbeat aborts it).
        self.election_elapsed = 0
        self.lead_transferee = transferee
        if match == self.raft_log.last_index():
            self.send_timeout_now(transferee)
        else:
            self.send_append(transferee)

    @mirrors(f"{PKG}.stepCandidate")
    def step_candidate(self, m: Message) -> None:
        my_vote_resp = M.MsgPreVoteResp if self.state == RaftState.StatePreCandidate else M.MsgVoteResp
        if m.type == M.MsgProp:
            raise ErrProposalDropped("no leader")
        if m.type == M.MsgApp:
            self.become_follower(m.term, m.from_)
            self.handle_append_entries(m)
        elif m.type == M.MsgHeartbeat:
            self.become_follower(m.term, m.from_)
            self.handle_heartbeat(m)
        elif m.type == M.MsgSnap:
            self.become_follower(m.term, m.from_)
            self.handle_snapshot(m)
        elif m.type == my_vote_resp:
            result = self.poll(m.from_, m.type, not m.reject)
            if result == VoteResult.VoteWon:
                if self.state == RaftState.StatePreCandidate:
                    self.campaign(CAMPAIGN_ELECTION)
                else:
                    self.become_leader()
                    self.bcast_append()
            elif result == VoteResult.VoteLost:
                # A rejected pre-vote or vote: go back to following at our (possibly new) term.
                self.become_follower(self.term, NONE)

    @mirrors(f"{PKG}.stepFollower")
    def step_follower(self, m: Message) -> None:
        if m.type == M.MsgProp:
            if self.lead == NONE:
                raise ErrProposalDropped("no leader")
            if self.disable_proposal_forwarding:
                raise ErrProposalDropped("proposal forwarding disabled")
            self.send(replace(m, to=self.lead))
        elif m.type == M.MsgApp:
            self.election_elapsed = 0
            self.lead = m.from_
            self.handle_append_entries(m)
        elif m.type == M.MsgHeartbeat:
            self.election_elapsed = 0
            self.lead = m.from_
            self.handle_heartbeat(m)
        elif m.type == M.MsgSnap:
            self.election_elapsed = 0
            self.lead = m.from_
            self.handle_snapshot(m)
        elif m.type == M.MsgTransferLeader:
            if self.lead != NONE:
                self.send(replace(m, to=self.lead))
        elif m.type == M.MsgTimeoutNow:
            # Campaign at once, even before our election timer runs out, skipping the pre-vote.
            self.hup(CAMPAIGN_TRANSFER)
        elif m.type == M.MsgReadIndex:
            if self.lead != NONE:
                self.send(replace(m, to=self.lead))
        elif m.type == M.MsgReadIndexResp:
            if len(m.entries) == 1:
                self.read_states.append(ReadState(m.index, m.entries[0].data))

    # --- handlers ---------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).handleAppendEntries")
    def handle_append_entries(self, m: Message) -> None:
        if m.index < self.raft_log.committed:
            self.send(Message(M.MsgAppResp, to=m.from_, index=self.raft_log.committed))
            return
        last_new = self.raft_log.maybe_append(m.index, m.log_term, m.commit, m.entries)
        if last_new is not None:
            self.send(Message(M.MsgAppResp, to=m.from_, index=last_new))
            return
        # Reject, and tell the leader where our log could match: the last index at or below
        # its probe whose term is not greater than the probe's, so it skips a whole term at once.
        hint_index = min(m.index, self.raft_log.last_index())
        hint_index = self.raft_log.find_conflict_by_term(hint_index, m.log_term)
        hint_term = self.raft_log.term(hint_index)
        self.send(Message(M.MsgAppResp, to=m.from_, index=m.index, reject=True,
                          reject_hint=hint_index, log_term=hint_term))

    @mirrors(f"(*{PKG}.raft).handleHeartbeat")
    def handle_heartbeat(self, m: Message) -> None:
        self.raft_log.commit_to(m.commit)
        self.send(Message(M.MsgHeartbeatResp, to=m.from_, context=m.context))

    @mirrors(f"(*{PKG}.raft).handleSnapshot")
    def handle_snapshot(self, m: Message) -> None:
        if self.restore(m.snapshot):
            self.send(Message(M.MsgAppResp, to=m.from_, index=self.raft_log.last_index()))
        else:
            self.send(Message(M.MsgAppResp, to=m.from_, index=self.raft_log.committed))

    @mirrors(f"(*{PKG}.raft).restore")
    def restore(self, s: Snapshot) -> bool:
        """Install a leader's snapshot; False if it is stale or matches our log already."""
        if s.metadata.index <= self.raft_log.committed:
            return False
        if self.state != RaftState.StateFollower:
            # Defensive, as in Go: only a follower installs a snapshot.
            self.become_follower(self.term + 1, NONE)
            return False
        cs = s.metadata.conf_state
        if self.id not in cs.voters and self.id not in cs.learners:
            return False
        if self.raft_log.match_term(s.metadata.index, s.metadata.term):
            # We have that entry already: fast-forward the commit index, keep the log.
            self.raft_log.commit_to(s.metadata.index)
            return False
        self.raft_log.restore(s)
        self.prs = ProgressTracker(self.prs.max_inflight)
        self.switch_to_config(confchange.restore(self.prs, self.raft_log.last_index(), cs))
        pr = self.prs.progress[self.id]
        pr.maybe_update(pr.next - 1)
        return True

    # --- membership -------------------------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).applyConfChange")
    def apply_conf_change(self, cc: ConfChange) -> ConfState:
        return self.switch_to_config(confchange.simple(self.prs, self.raft_log.last_index(), [cc]))

    @mirrors(f"(*{PKG}.raft).switchToConfig")
    def switch_to_config(self, changed: confchange.Changed) -> ConfState:
        self.prs.voters, self.prs.learners, self.prs.progress = (
            changed.voters, changed.learners, changed.progress)
        cs = self.prs.conf_state()
        pr = self.prs.progress.get(self.id)
        self.is_learner = pr is not None and pr.is_learner
        if (pr is None or self.is_learner) and self.state == RaftState.StateLeader:
            # A leader removed or demoted keeps leading until the change commits (it is still
            # needed to commit it), but proposes nothing more; CheckQuorum or a new election
            # elsewhere ends its term.
            return cs
        if self.state != RaftState.StateLeader or not cs.voters:
            return cs
        # The quorum may be smaller now, so more may be committed; and new members need appends.
        if self.maybe_commit():
            self.bcast_append()
        else:
            for node_id, _ in self.prs.visit():
                if node_id != self.id:
                    self.maybe_send_append(node_id, False)
        if self.lead_transferee != NONE and self.lead_transferee not in self.prs.voters:
            self.abort_leader_transfer()
        return cs

    # --- reads, transfer, flow control ------------------------------------------------------

    @mirrors(f"(*{PKG}.raft).sendTimeoutNow")
    def send_timeout_now(self, to: int) -> None:
        self.send(Message(M.MsgTimeoutNow, to=to))

    @mirrors(f"(*{PKG}.raft).abortLeaderTransfer")
    def abort_leader_transfer(self) -> None:
        self.lead_transferee = NONE

    @mirrors(f"(*{PKG}.raft).committedEntryInCurrentTerm")
    def committed_entry_in_current_term(self) -> bool:
        return self.raft_log.term_or_zero(self.raft_log.committed) == self.term

    @mirrors(f"(*{PKG}.raft).responseToReadIndexReq")
    def _respond_read_index(self, req: Message, read_index: int) -> None:
        if req.from_ in (NONE, self.id):
            self.read_states.append(ReadState(read_index, req.entries[0].data))
        else:
            self.send(Message(M.MsgReadIndexResp, to=req.from_, index=read_index, entries=req.entries))

    @mirrors(f"{PKG}.releasePendingReadIndexMessages")
    def release_pending_read_index_messages(self) -> None:
        if not self.committed_entry_in_current_term():
            return
        msgs, self.pending_read_index_messages = self.pending_read_index_messages, []
        for m in msgs:
            self.send_read_index_response(m)

    @mirrors(f"{PKG}.sendMsgReadIndexResponse")
    def send_read_index_response(self, m: Message) -> None:
        if self.read_only.option == ReadOnlyOption.ReadOnlySafe:
            self.read_only.add_request(self.raft_log.committed, m)
            self.read_only.recv_ack(self.id, m.entries[0].data)
            self.bcast_heartbeat_with_ctx(m.entries[0].data)
        else:
            self._respond_read_index(m, self.raft_log.committed)

    @mirrors(f"(*{PKG}.raft).increaseUncommittedSize")
    def increase_uncommitted_size(self, ents: list[Entry]) -> bool:
        s = sum(e.payload_size() for e in ents)
        # Always admit something when nothing is outstanding, so a large entry is not stuck.
        if self.uncommitted_size > 0 and s > 0 and self.uncommitted_size + s > self.max_uncommitted_size:
            return False
        self.uncommitted_size += s
        return True

    @mirrors(f"(*{PKG}.raft).reduceUncommittedSize")
    def reduce_uncommitted_size(self, ents: tuple[Entry, ...]) -> None:
        if self.uncommitted_size == 0:
            return
        s = sum(e.payload_size() for e in ents)
        self.uncommitted_size = max(0, self.uncommitted_size - s)
