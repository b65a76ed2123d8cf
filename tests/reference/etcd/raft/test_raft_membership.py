"""Single-step membership changes (thesis §4.1) and learners, one rule per test, after etcd's
TestAddNode, TestRemoveNode, TestCommitAfterRemoveNode, TestLearner* and confchange tests."""
from __future__ import annotations

import pytest
from raft_network import M, Network, new_raft, read_messages

from reference_impl.etcd.raft import confchange
from reference_impl.etcd.raft import ConfChange, ConfChangeType, ConfState, Entry, EntryType, Message, RaftState
from reference_impl.etcd.raft.errors import ConfChangeError, ErrProposalDropped
from reference_impl.etcd.raft.raft import Raft

ADD, REMOVE, ADD_LEARNER = (ConfChangeType.ConfChangeAddNode, ConfChangeType.ConfChangeRemoveNode,
                            ConfChangeType.ConfChangeAddLearnerNode)


def leader(voters: tuple[int, ...] = (1, 2, 3), learners: tuple[int, ...] = ()) -> Raft:
    r = new_raft(1, voters, learners=learners)
    r.become_candidate()
    r.become_leader()
    for v in voters:
        if v != 1:
            r.step(Message(M.MsgVoteResp, from_=v, to=1, term=r.term))
    read_messages(r)
    return r


def propose(r: Raft, data: bytes = b"x") -> int:
    r.step(Message(M.MsgProp, from_=r.id, to=r.id, entries=(Entry(data=data),)))
    read_messages(r)
    return r.raft_log.last_index()


def ack(r: Raft, frm: int, index: int) -> None:
    r.step(Message(M.MsgAppResp, from_=frm, to=r.id, term=r.term, index=index))


def conf_change_entry(kind: ConfChangeType, node_id: int) -> Message:
    data = ConfChange(kind, node_id).marshal()
    return Message(M.MsgProp, from_=1, to=1, entries=(Entry(type=EntryType.EntryConfChange, data=data),))


def test_adding_a_voter_enlarges_the_quorum():
    """Thesis §4.1 (TestAddNode): after node 4 joins three voters, a commit needs three of four."""
    r = leader()
    cs = r.apply_conf_change(ConfChange(ADD, 4))
    assert cs == ConfState((1, 2, 3, 4), ())
    assert r.prs.progress[4].state.value == "StateProbe"
    index = propose(r)
    ack(r, 2, index)
    assert r.raft_log.committed < index
    ack(r, 4, index)
    assert r.raft_log.committed == index


def test_removing_a_voter_shrinks_the_quorum_and_may_commit_pending_entries():
    """TestCommitAfterRemoveNode: an entry waiting for a second ack commits as soon as the
    removal of the silent voter makes the leader's own copy a majority."""
    r = leader((1, 2))
    index = propose(r)
    assert r.raft_log.committed < index
    r.apply_conf_change(ConfChange(REMOVE, 2))
    assert r.prs.voters == {1} and 2 not in r.prs.progress
    assert r.raft_log.committed == index


def test_only_one_conf_change_may_be_pending_at_a_time():
    """stepLeader MsgProp (TestStepIgnoreConfig): a second conf change proposed before the first
    is applied would move two voters at once; it is replaced by an empty normal entry."""
    r = leader()
    r.step(conf_change_entry(ADD, 4))
    r.step(conf_change_entry(ADD, 5))
    last = r.raft_log.entries(r.raft_log.last_index())[0]
    assert (last.type, last.data) == (EntryType.EntryNormal, b"")
    assert r.pending_conf_index == r.raft_log.last_index() - 1


def test_a_change_moving_more_than_one_voter_is_refused():
    """confchange.Simple: without joint consensus at most one voter may change per step, and the
    last voter may not be removed; the tracker is left as it was."""
    r = leader()
    with pytest.raises(ConfChangeError, match="more than one voter"):
        confchange.simple(r.prs, r.raft_log.last_index(), [ConfChange(ADD, 4), ConfChange(ADD, 5)])
    single = leader((1,))
    with pytest.raises(ConfChangeError, match="removed all voters"):
        single.apply_conf_change(ConfChange(REMOVE, 1))
    assert single.prs.voters == {1}


def test_a_learner_receives_entries_but_its_ack_does_not_count_toward_commit():
    """Learners (TestLearnerLogReplication): the leader replicates to a learner, but only voters
    form the quorum."""
    net = Network(*(new_raft(i, (1, 2), learners=(3,)) for i in (1, 2, 3)))
    net.campaign(1)
    net.isolate(2)
    net.propose(1, b"x")
    lead, learner = net.peers[1], net.peers[3]
    assert [e.data for e in learner.raft_log.all_entries()] == [b"", b"x"]
    assert lead.raft_log.committed == 1
    net.recover()
    net.send(Message(M.MsgBeat, from_=1, to=1))
    assert lead.raft_log.committed == 2


def test_a_learner_never_campaigns_and_its_vote_is_not_counted():
    """TestLearnerElectionTimeout, TestLearnerCanVote: a learner does not start elections; a
    candidate's tally ignores a learner's grant (it needs a majority of voters)."""
    learner = new_raft(3, (1, 2), learners=(3,))
    for _ in range(50):
        learner.tick()
    assert learner.state == RaftState.StateFollower and not read_messages(learner)
    candidate = new_raft(1, (1, 2), learners=(3,))
    candidate.step(Message(M.MsgHup, from_=1, to=1))
    assert [m.to for m in read_messages(candidate)] == [2]
    candidate.step(Message(M.MsgVoteResp, from_=3, to=1, term=1))
    assert candidate.state == RaftState.StateCandidate
    candidate.step(Message(M.MsgVoteResp, from_=2, to=1, term=1))
    assert candidate.state == RaftState.StateLeader


def test_promoting_a_learner_keeps_its_progress():
    """confchange makeVoter (TestLearnerPromotion): a learner that becomes a voter keeps the
    match index the leader knows, and from then on its acknowledgements count."""
    r = leader((1, 2), learners=(3,))
    index = propose(r)
    ack(r, 3, index)
    assert r.raft_log.committed < index
    r.apply_conf_change(ConfChange(ADD, 3))
    assert r.prs.voters == {1, 2, 3} and not r.prs.progress[3].is_learner
    assert r.prs.progress[3].match == index
    assert r.raft_log.committed == index


def test_a_removed_leader_accepts_no_proposals_and_the_remaining_voters_elect_a_new_one():
    """A leader that applied its own removal no longer has a Progress, so stepLeader drops every
    proposal; etcd then stops the member, and the remaining voters elect a leader among themselves
    and commit without it (TestRemoveNode, TestCommitAfterRemoveNode)."""
    net = Network.of(3)
    net.campaign(1)
    net.send(conf_change_entry(REMOVE, 1))
    committed = net.peers[1].raft_log.committed
    assert committed == 2
    net.send(Message(M.MsgBeat, from_=1, to=1))
    for r in net.peers.values():
        assert r.raft_log.committed == committed
        r.apply_conf_change(ConfChange(REMOVE, 1))
        r.raft_log.applied_to(committed)
    old = net.peers[1]
    with pytest.raises(ErrProposalDropped):
        old.step(Message(M.MsgProp, from_=1, to=1, entries=(Entry(data=b"late"),)))
    del net.peers[1]
    net.campaign(2)
    assert net.peers[2].state == RaftState.StateLeader and net.peers[2].prs.voters == {2, 3}
    net.propose(2, b"after")
    assert net.peers[3].raft_log.committed == net.peers[2].raft_log.last_index()


def test_a_node_not_in_the_configuration_cannot_campaign():
    """raft.promotable (TestPromotable): a node outside the configuration, e.g. one added but not
    yet caught up, never starts an election."""
    r = new_raft(4, (1, 2, 3))
    for _ in range(50):
        r.tick()
    assert r.state == RaftState.StateFollower and not read_messages(r)
