"""ReadIndex (thesis §6.4) and leadership transfer (thesis §3.10), one rule per test, after etcd's
TestReadOnlyOptionSafe, TestReadOnlyForNewLeader and the TestLeaderTransfer* tests."""
from __future__ import annotations

import pytest
from raft_network import M, Network, new_raft, read_messages

from reference_impl.etcd.raft import Entry, Message, RaftState
from reference_impl.etcd.raft.errors import ErrProposalDropped
from reference_impl.etcd.raft.messages import ReadState


def read_request(ctx: bytes, frm: int = 0, to: int = 0) -> Message:
    return Message(M.MsgReadIndex, from_=frm, to=to, entries=(Entry(data=ctx),))


def test_read_index_is_answered_only_after_a_quorum_acknowledges_a_heartbeat():
    """ReadOnlySafe: the leader records its commit index for the read and sends a heartbeat
    carrying the read's context; only once a quorum has answered it is the read index released,
    proving no newer leader existed when the read arrived."""
    net = Network.of(3)
    net.campaign(1)
    leader = net.peers[1]
    net.ignored.add(M.MsgHeartbeatResp)
    net.send(read_request(b"ctx", frm=1, to=1))
    assert leader.read_states == []
    leader.step(Message(M.MsgHeartbeatResp, from_=2, to=1, term=1, context=b"other"))
    assert leader.read_states == []
    leader.step(Message(M.MsgHeartbeatResp, from_=2, to=1, term=1, context=b"ctx"))
    assert leader.read_states == [ReadState(index=1, request_ctx=b"ctx")]


def test_read_index_waits_until_the_leader_has_committed_an_entry_of_its_term():
    """Thesis §6.4 (TestReadOnlyForNewLeader): a new leader's commit index may be behind the
    cluster's until its own empty entry commits, so reads are held until then."""
    r = new_raft(1)
    r.become_candidate()
    r.become_leader()
    read_messages(r)
    r.step(read_request(b"early"))
    assert r.pending_read_index_messages and not read_messages(r)
    r.step(Message(M.MsgAppResp, from_=2, to=1, term=1, index=1))
    heartbeats = [m for m in read_messages(r) if m.type == M.MsgHeartbeat]
    assert {m.context for m in heartbeats} == {b"early"}
    r.step(Message(M.MsgHeartbeatResp, from_=3, to=1, term=1, context=b"early"))
    assert r.read_states == [ReadState(index=1, request_ctx=b"early")]


def test_later_reads_confirm_earlier_ones():
    """readOnly.advance: requests are answered in arrival order, so the quorum acknowledgement of
    a later read's heartbeat releases every read queued before it."""
    net = Network.of(3)
    net.campaign(1)
    leader = net.peers[1]
    net.ignored.add(M.MsgHeartbeatResp)
    net.send(read_request(b"a", frm=1, to=1))
    net.propose(1)
    net.send(read_request(b"b", frm=1, to=1))
    leader.step(Message(M.MsgHeartbeatResp, from_=3, to=1, term=1, context=b"b"))
    assert leader.read_states == [ReadState(1, b"a"), ReadState(2, b"b")]


def test_a_follower_forwards_reads_to_the_leader_and_gets_the_index_back():
    """stepFollower: a follower forwards MsgReadIndex to the leader and receives the read index
    in a MsgReadIndexResp, which becomes a ReadState on the follower."""
    net = Network.of(3)
    net.campaign(1)
    net.propose(1)
    net.send(read_request(b"f", frm=2, to=2))
    assert net.peers[2].read_states == [ReadState(index=2, request_ctx=b"f")]


def test_leadership_moves_to_an_up_to_date_transferee_at_once():
    """Thesis §3.10 (TestLeaderTransferToUpToDateNode): the leader sends MsgTimeoutNow to a
    caught-up transferee, which campaigns immediately and wins the next term."""
    net = Network.of(3)
    net.campaign(1)
    net.send(Message(M.MsgTransferLeader, from_=2, to=1))
    assert (net.peers[2].state, net.peers[2].term) == (RaftState.StateLeader, 2)
    assert (net.peers[1].state, net.peers[1].lead) == (RaftState.StateFollower, 2)


def test_a_lagging_transferee_is_caught_up_before_it_is_told_to_campaign():
    """TestLeaderTransferToSlowFollower: the leader first replicates the missing entries and sends
    MsgTimeoutNow only when the transferee's match reaches its last index."""
    net = Network.of(3)
    net.campaign(1)
    net.isolate(3)
    net.propose(1)
    net.recover()
    assert net.peers[3].raft_log.last_index() < net.peers[1].raft_log.last_index()
    net.send(Message(M.MsgTransferLeader, from_=3, to=1))
    assert net.peers[3].state == RaftState.StateLeader
    assert net.peers[3].raft_log.committed >= 2


def test_proposals_are_dropped_while_a_transfer_is_under_way_and_it_times_out():
    """TestLeaderTransferIgnoreProposal, TestLeaderTransferTimeout: during a transfer the leader
    refuses proposals; a transfer not done within an election timeout is abandoned."""
    net = Network.of(3)
    net.campaign(1)
    net.isolate(3)
    leader = net.peers[1]
    net.send(Message(M.MsgTransferLeader, from_=3, to=1))
    assert leader.lead_transferee == 3
    with pytest.raises(ErrProposalDropped):
        leader.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"x"),)))
    for _ in range(10):
        leader.tick()
    assert (leader.lead_transferee, leader.state) == (0, RaftState.StateLeader)
    leader.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"x"),)))


def test_a_transfer_overrides_the_checkquorum_leader_lease():
    """TestLeaderTransferWithCheckQuorum: voters ignore vote requests while their leader is fresh,
    but a transferee's request is marked as a transfer and is granted."""
    net = Network.of(3, check_quorum=True)
    net.campaign(1)
    net.send(Message(M.MsgTransferLeader, from_=2, to=1))
    assert net.peers[2].state == RaftState.StateLeader


def test_a_learner_cannot_be_made_leader_by_transfer():
    """stepLeader MsgTransferLeader: a learner has no vote and may not lead; the request is ignored."""
    leader = new_raft(1, (1, 2), learners=(3,))
    leader.become_candidate()
    leader.become_leader()
    leader.step(Message(M.MsgTransferLeader, from_=3, to=1))
    assert leader.lead_transferee == 0
