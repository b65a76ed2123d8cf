"""Log replication, one rule per test: commit by quorum, the current-term rule, the consistency
check and conflict resolution, the probe/replicate/snapshot progress states and flow control.

Rules from the Raft paper §5.3 and §5.4.2 and from etcd's raft/raft_test.go, log_test.go and
tracker tests, whose names the docstrings give.
"""
from __future__ import annotations

import pytest
from raft_network import M, Network, entries_of_terms, new_raft, read_messages, storage_with

from reference_impl.etcd.raft import ConfState, Entry, HardState, Message, Ready, Snapshot, SnapshotMetadata
from reference_impl.etcd.raft.errors import ErrProposalDropped, RaftError
from reference_impl.etcd.raft.log import RaftLog
from reference_impl.etcd.raft.progress import Inflights, StateType
from reference_impl.etcd.raft.raft import Raft


def leader_of(n: int = 3, **config: object) -> Raft:
    """A fresh leader of term 1 whose empty entry (index 1) nobody has acknowledged yet."""
    r = new_raft(1, tuple(range(1, n + 1)), **config)
    r.become_candidate()
    r.become_leader()
    read_messages(r)
    return r


def ack(r: Raft, frm: int, index: int) -> None:
    r.step(Message(M.MsgAppResp, from_=frm, to=r.id, term=r.term, index=index))


def test_an_entry_commits_once_a_majority_has_it():
    """§5.3: the leader commits an entry once it is replicated on a majority of voters."""
    net = Network.of(5)
    net.campaign(1)
    for i in (4, 5):
        net.isolate(i)
    net.propose(1, b"x")
    assert net.peers[1].raft_log.committed == 2
    net.isolate(3)
    net.propose(1, b"y")
    assert net.peers[1].raft_log.committed == 2
    assert [e.data for e in net.peers[2].raft_log.all_entries()] == [b"", b"x", b"y"]


def test_followers_learn_the_commit_index_from_appends_and_heartbeats():
    """§5.3 (TestHandleHeartbeat): followers learn the commit index from appends and heartbeats;
    a heartbeat never carries a commit index past what the follower is known to hold
    (sendHeartbeat), since the follower may not have those entries yet."""
    follower = new_raft(2, entries=entries_of_terms(1, 1, 1))
    follower.become_follower(1, 1)
    follower.step(Message(M.MsgHeartbeat, from_=1, to=2, term=1, commit=2))
    assert follower.raft_log.committed == 2
    assert [m.type for m in read_messages(follower)] == [M.MsgHeartbeatResp]
    leader = leader_of()
    leader.prs.progress[2].match = 0
    leader.raft_log.committed = 1
    leader.bcast_heartbeat()
    assert [m.commit for m in read_messages(leader) if m.to == 2] == [0]


def test_a_leader_commits_an_older_term_entry_only_through_one_of_its_own_term():
    """§5.4.2, Figure 8: counting replicas commits only entries of the leader's current term; an
    older-term entry on a majority stays uncommitted until an entry of the current term is."""
    storage = storage_with((1, 2, 3), entries=entries_of_terms(1, 1))
    storage.set_hard_state(HardState(term=1))
    r = new_raft(1, storage=storage)
    r.become_candidate()  # term 2
    r.become_leader()     # appends an empty entry at index 3, term 2
    ack(r, 2, 2)
    assert r.raft_log.committed == 0
    ack(r, 2, 3)
    assert r.raft_log.committed == 3


def test_a_new_leader_does_not_commit_previous_term_entries_without_a_current_term_entry():
    """TestCannotCommitWithoutNewTermEntry: entries of term 1 that reached only two of five nodes
    stay uncommitted when node 2 wins term 2, until its own entry is replicated."""
    net = Network.of(5)
    net.campaign(1)
    for i in (3, 4, 5):
        net.cut(1, i)
    net.propose(1)
    net.propose(1)
    assert net.peers[1].raft_log.committed == 1
    net.recover()
    net.ignored.add(M.MsgApp)
    net.campaign(2)
    assert (net.peers[2].state.value, net.peers[2].raft_log.committed) == ("StateLeader", 1)
    net.recover()
    net.send(Message(M.MsgBeat, from_=2, to=2))
    net.propose(2)
    assert net.peers[2].raft_log.committed == 5


def test_a_follower_rejects_an_append_whose_previous_entry_it_lacks():
    """§5.3 consistency check (TestHandleMsgApp): an append is accepted only if the follower's log
    has an entry at the previous index with the previous term."""
    cases = [  # (prev index, prev term) -> accepted
        ((2, 3), False),  # term mismatch at index 2
        ((3, 3), False),  # index 3 is past the end
        ((1, 1), True),
        ((2, 2), True),
    ]
    for (index, log_term), accepted in cases:
        r = new_raft(1, entries=entries_of_terms(1, 2))
        r.become_follower(2, 2)
        r.step(Message(M.MsgApp, from_=2, to=1, term=2, index=index, log_term=log_term,
                       entries=(Entry(term=2, index=index + 1),)))
        [resp] = read_messages(r)
        assert resp.reject is not accepted, (index, log_term)


def test_the_leader_overwrites_conflicting_follower_logs():
    """§5.3, Figure 7 (TestLeaderSyncFollowerLog): whatever a follower's log holds (missing,
    extra, conflicting entries), the leader's log replaces it from the last point they agree."""
    lead_terms = (1, 1, 1, 4, 4, 5, 5, 6, 6, 6)
    followers = {
        "a": (1, 1, 1, 4, 4, 5, 5, 6, 6),
        "b": (1, 1, 1, 4),
        "c": (1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6),
        "d": (1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7),
        "e": (1, 1, 1, 4, 4, 4, 4),
        "f": (1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3),
    }
    for name, terms in followers.items():
        lead_storage = storage_with((1, 2, 3), entries=entries_of_terms(*lead_terms))
        lead_storage.set_hard_state(HardState(term=8, commit=len(lead_terms)))
        follower_storage = storage_with((1, 2, 3), entries=entries_of_terms(*terms))
        follower_storage.set_hard_state(HardState(term=7))
        net = Network(new_raft(1, storage=lead_storage), new_raft(2, storage=follower_storage))
        net.campaign(1)
        # Node 3 is not in the network; its vote lets node 1 win against (d)'s rejection.
        net.send(Message(M.MsgVoteResp, from_=3, to=1, term=9))
        net.propose(1, b"new")
        lead, follower = net.peers[1], net.peers[2]
        assert lead.state.value == "StateLeader", name
        assert follower.raft_log.all_entries() == lead.raft_log.all_entries(), name


def test_a_rejection_hint_skips_a_whole_term_per_probe():
    """Fast log backtracking (handleAppendEntries, findConflictByTerm): the follower answers a
    failed probe with the last index whose term is not above the probe's, and the leader jumps
    past every entry of the terms the follower cannot have."""
    follower = new_raft(2, entries=entries_of_terms(1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3))
    follower.become_follower(8, 1)
    follower.step(Message(M.MsgApp, from_=1, to=2, term=8, index=10, log_term=6))
    [resp] = read_messages(follower)
    assert (resp.reject, resp.reject_hint, resp.log_term) == (True, 10, 3)
    lead_log = RaftLog(storage_with((1, 2), entries=entries_of_terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6)))
    assert lead_log.find_conflict_by_term(resp.reject_hint, resp.log_term) == 3


def test_maybe_append_truncates_only_the_conflicting_suffix_and_bounds_commit():
    """raftLog.maybeAppend (TestLogMaybeAppend): entries that match are kept, the first conflict
    and everything after it is replaced, and commit moves to min(leader commit, last new index)."""
    log = RaftLog(storage_with((1,), entries=entries_of_terms(1, 2, 3)))
    assert log.maybe_append(3, 2, 3, [Entry(term=4, index=4)]) is None  # wrong previous term
    assert log.maybe_append(1, 1, 10, [Entry(term=2, index=2)]) == 2
    assert [e.term for e in log.all_entries()] == [1, 2, 3]  # a matching entry truncates nothing
    assert log.committed == 2
    assert log.find_conflict([Entry(term=2, index=2), Entry(term=4, index=3)]) == 3
    assert log.maybe_append(2, 2, 3, [Entry(term=4, index=3), Entry(term=4, index=4)]) == 4
    assert [e.term for e in log.all_entries()] == [1, 2, 4, 4]
    assert log.committed == 3
    with pytest.raises(RaftError, match="conflicts with committed entry"):
        log.maybe_append(1, 1, 3, [Entry(term=5, index=2)])


def test_an_acknowledged_probe_moves_the_follower_to_replicate():
    """Progress (TestProgressBecomeReplicate): a new leader probes each follower; the first
    successful answer tells it the match index and switches to optimistic streaming."""
    r = leader_of()
    pr = r.prs.progress[2]
    assert pr.state == StateType.StateProbe
    ack(r, 2, 1)
    assert (pr.state, pr.match, pr.next) == (StateType.StateReplicate, 1, 2)


def test_a_probing_leader_sends_one_append_per_heartbeat_until_answered():
    """TestSendAppendForProgressProbe: in probe state at most one append is in flight; more
    proposals send nothing until a heartbeat answer (or an append answer) unpauses it."""
    r = leader_of()
    r.bcast_append()
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"a"),)))
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"b"),)))
    assert [m.type for m in read_messages(r) if m.to == 2] == [M.MsgApp]
    assert r.prs.progress[2].is_paused()
    r.step(Message(M.MsgHeartbeatResp, from_=2, to=1, term=1))
    assert [m.type for m in read_messages(r) if m.to == 2] == [M.MsgApp]


def test_a_rejected_append_sends_a_replicating_follower_back_to_probe():
    """Progress.MaybeDecrTo: a rejection above the match index means the follower lost entries
    (e.g. a restart); the leader probes again from match+1."""
    r = leader_of()
    ack(r, 2, 1)
    pr = r.prs.progress[2]
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"a"),)))
    r.step(Message(M.MsgAppResp, from_=2, to=1, term=1, index=2, reject=True, reject_hint=1, log_term=1))
    assert (pr.state, pr.next) == (StateType.StateProbe, 2)
    # In probe state only the rejection of the outstanding probe (index next-1) counts.
    assert not pr.maybe_decr_to(5, 0)
    assert pr.next == 2


def test_inflights_bound_the_appends_streamed_to_a_replicating_follower():
    """Flow control (TestProgressFlowControl): with MaxInflightMsgs=3 the leader stops streaming
    after three unacknowledged appends; an acknowledgement frees the slots it covers."""
    r = leader_of(max_inflight_msgs=3)
    ack(r, 2, 1)
    read_messages(r)
    for data in (b"a", b"b", b"c", b"d", b"e"):
        r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=data),)))
    sent = [m for m in read_messages(r) if m.to == 2 and m.type == M.MsgApp]
    assert [[e.data for e in m.entries] for m in sent] == [[b"a"], [b"b"], [b"c"]]
    assert r.prs.progress[2].is_paused()
    ack(r, 2, 3)
    sent = [m for m in read_messages(r) if m.to == 2 and m.type == M.MsgApp]
    assert [e.data for m in sent for e in m.entries] == [b"d", b"e"]


def test_a_heartbeat_answer_frees_one_slot_of_a_full_window():
    """TestProgressResumeByHeartbeatResp-style: if acknowledgements were lost, a heartbeat answer
    frees the oldest inflight so replication resumes instead of stalling."""
    r = leader_of(max_inflight_msgs=1)
    ack(r, 2, 1)
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"a"),)))
    pr = r.prs.progress[2]
    assert pr.inflights.full()
    r.step(Message(M.MsgHeartbeatResp, from_=2, to=1, term=1))
    assert pr.inflights.count() == 0
    assert any(m.type == M.MsgApp and m.to == 2 for m in read_messages(r))


def test_proposals_beyond_the_uncommitted_size_limit_are_dropped():
    """MaxUncommittedEntriesSize (TestUncommittedEntryLimit): a leader refuses proposals once the
    payload of its uncommitted entries would pass the limit, and takes them again as entries
    commit and are applied; an empty entry (the leader's own) is always accepted."""
    r = leader_of(max_uncommitted_entries_size=8)
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"12345"),)))
    with pytest.raises(ErrProposalDropped):
        r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"6789"),)))
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(),)))
    ack(r, 2, r.raft_log.last_index())
    committed = r.raft_log.next_ents()
    r.advance(Ready(committed_entries=committed))
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"6789"),)))


def test_an_unreachable_follower_is_probed_again():
    """MsgUnreachable (TestRecvMsgUnreachable): when the transport reports a follower unreachable,
    the leader stops streaming optimistically to it and goes back to probing."""
    r = leader_of()
    ack(r, 2, 1)
    pr = r.prs.progress[2]
    r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"a"),)))
    assert (pr.state, pr.next) == (StateType.StateReplicate, 3)
    r.step(Message(M.MsgUnreachable, from_=2, to=1))
    assert (pr.state, pr.next) == (StateType.StateProbe, 2)


def test_inflights_free_up_to_an_index_in_order():
    """tracker.Inflights: FreeLE releases every append whose last index is at or below the ack."""
    ins = Inflights(4)
    for last in (3, 5, 8, 9):
        ins.add(last)
    assert ins.full()
    ins.free_le(6)
    assert (ins.count(), ins.full()) == (2, False)
    ins.free_first_one()
    assert list(ins.buffer) == [9]


def test_a_follower_behind_the_compacted_log_is_sent_a_snapshot_and_resumes_replicating():
    """Progress StateSnapshot (TestProvideSnap, TestSendAppendForProgressSnapshot): when the entries
    a follower needs are compacted, the leader sends its snapshot and pauses appends to it; the
    follower's acknowledgement of the snapshot index puts it back to probe and then replicate."""
    storage = storage_with((1, 2))
    r = new_raft(1, (1, 2), storage=storage)
    r.become_candidate()
    r.become_leader()
    for data in (b"a", b"b", b"c"):
        r.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=data),)))
    ack(r, 2, 4)
    assert r.raft_log.committed == 4
    persisted = r.raft_log.unstable_entries()
    storage.append(persisted)
    r.raft_log.stable_to(persisted[-1].index, persisted[-1].term)
    storage.create_snapshot(4, ConfState((1, 2)), b"state@4")
    storage.compact(4)
    pr = r.prs.progress[2]
    pr.become_probe()
    pr.match, pr.next = 0, 1  # the follower lost its disk
    pr.recent_active = True
    read_messages(r)
    r.send_append(2)
    [snap] = read_messages(r)
    assert (snap.type, snap.snapshot.metadata.index, snap.snapshot.data) == (M.MsgSnap, 4, b"state@4")
    assert (pr.state, pr.pending_snapshot, pr.is_paused()) == (StateType.StateSnapshot, 4, True)

    follower = new_raft(2, (1, 2))
    follower.step(snap)
    assert (follower.raft_log.committed, follower.raft_log.last_index()) == (4, 4)
    [resp] = read_messages(follower)
    r.step(resp)
    assert (pr.state, pr.match) == (StateType.StateReplicate, 4)


def test_a_failed_snapshot_report_returns_the_follower_to_probe():
    """MsgSnapStatus: when the transport reports that sending the snapshot failed, the leader
    stops waiting for it and probes again (after the next heartbeat answer)."""
    r = leader_of()
    pr = r.prs.progress[2]
    pr.become_snapshot(7)
    r.step(Message(M.MsgSnapStatus, from_=2, to=1, reject=True))
    assert (pr.state, pr.pending_snapshot, pr.probe_sent) == (StateType.StateProbe, 0, True)


def test_a_follower_ignores_a_snapshot_older_than_its_commit_index():
    """raft.restore (TestRestoreIgnoreSnapshot): a snapshot at or below the commit index would
    roll the log back; it is ignored and answered with the commit index."""
    r = new_raft(2, entries=entries_of_terms(1, 1, 1))
    r.become_follower(1, 1)
    r.raft_log.commit_to(3)
    stale = Snapshot(metadata=SnapshotMetadata(ConfState((1, 2, 3)), index=2, term=1))
    r.step(Message(M.MsgSnap, from_=1, to=2, term=1, snapshot=stale))
    [resp] = read_messages(r)
    assert (resp.type, resp.index, r.raft_log.last_index()) == (M.MsgAppResp, 3, 3)
