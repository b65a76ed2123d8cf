"""Elections, one rule per test: timeouts, vote granting, PreVote, CheckQuorum and the leader lease.

The rules are the Raft paper's (§5.1, §5.2, §5.4.1) and the thesis' (§9.6 PreVote, §6.2
CheckQuorum); the Go tests they follow are in etcd's raft/raft_test.go and raft_paper_test.go.
"""
from __future__ import annotations

import random

from raft_network import M, Network, entries_of_terms, new_raft, read_messages

from reference_impl.etcd.raft import ConfChange, ConfChangeType, Entry, EntryType, Message, RaftState
from reference_impl.etcd.raft.raft import CAMPAIGN_TRANSFER

FOLLOWER, CANDIDATE, LEADER, PRE_CANDIDATE = (
    RaftState.StateFollower, RaftState.StateCandidate, RaftState.StateLeader, RaftState.StatePreCandidate)


def test_follower_campaigns_after_its_randomized_election_timeout():
    """§5.2: a follower that hears nothing for an election timeout becomes a candidate: it
    increments its term, votes for itself and asks every other voter for its vote."""
    r = new_raft(1)
    ticks = 0
    while r.state == FOLLOWER:
        r.tick()
        ticks += 1
    assert 10 <= ticks < 20
    assert (r.state, r.term, r.vote) == (CANDIDATE, 1, 1)
    assert sorted((m.type, m.to, m.term, m.from_) for m in read_messages(r)) == [
        (M.MsgVote, 2, 1, 1), (M.MsgVote, 3, 1, 1)]


def test_randomized_election_timeout_lies_in_one_to_two_election_timeouts_and_follows_the_seed():
    """§5.2 (TestPastElectionTimeout): the timeout is drawn from [election, 2*election) so that
    split votes are rare; the draw comes from the injected random source, so a seed replays it."""
    def draws(seed: int) -> list[int]:
        r = new_raft(1, rand=random.Random(seed))
        out = []
        for _ in range(200):
            r.reset_randomized_election_timeout()
            out.append(r.randomized_election_timeout)
        return out

    assert set(draws(7)) == set(range(10, 20))
    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_candidate_with_votes_from_a_majority_becomes_leader():
    """§5.2: a candidate that receives votes from a majority of voters becomes leader; the others
    learn of it from its first append and follow it."""
    net = Network.of(3)
    net.isolate(3)
    net.campaign(1)
    assert (net.peers[1].state, net.peers[1].term) == (LEADER, 1)
    assert (net.peers[2].state, net.peers[2].lead) == (FOLLOWER, 1)


def test_candidate_without_a_majority_does_not_become_leader():
    """§5.2: with only two of five voters reachable, the candidate cannot win."""
    net = Network.of(5)
    for i in (3, 4, 5):
        net.isolate(i)
    net.campaign(1)
    assert net.peers[1].state == CANDIDATE


def test_candidate_rejected_by_a_majority_returns_to_follower():
    """stepCandidate: once a majority has rejected it, a candidate gives up and follows."""
    r = new_raft(1)
    r.become_candidate()
    r.step(Message(M.MsgVoteResp, from_=2, to=1, term=1, reject=True))
    assert r.state == CANDIDATE
    r.step(Message(M.MsgVoteResp, from_=3, to=1, term=1, reject=True))
    assert (r.state, r.term) == (FOLLOWER, 1)


def test_a_voter_grants_at_most_one_vote_per_term():
    """§5.2: each server votes for at most one candidate in a term (first come, first served);
    asking again, the same candidate gets the same answer."""
    r = new_raft(1)
    r.step(Message(M.MsgVote, from_=2, to=1, term=1))
    r.step(Message(M.MsgVote, from_=3, to=1, term=1))
    r.step(Message(M.MsgVote, from_=2, to=1, term=1))
    assert [(m.to, m.type, m.reject) for m in read_messages(r)] == [
        (2, M.MsgVoteResp, False), (3, M.MsgVoteResp, True), (2, M.MsgVoteResp, False)]
    assert r.vote == 2


def test_a_vote_is_granted_only_to_a_candidate_whose_log_is_at_least_as_up_to_date():
    """§5.4.1: a later last term wins; with equal last terms the longer log wins. The voter's log
    here ends at index 2 with term 2."""
    cases = [  # (candidate's last index, last term) -> granted
        ((3, 1), False),  # longer, but an older last term
        ((1, 2), False),  # same last term, shorter
        ((2, 2), True),   # same last term, same length
        ((3, 2), True),
        ((1, 3), True),   # a newer last term beats any length
    ]
    for (index, log_term), granted in cases:
        r = new_raft(1, entries=entries_of_terms(1, 2))
        r.step(Message(M.MsgVote, from_=2, to=1, term=3, index=index, log_term=log_term))
        [resp] = read_messages(r)
        assert resp.reject is not granted, (index, log_term)


def test_any_role_steps_down_on_a_message_with_a_higher_term():
    """§5.1: a server that sees a higher term adopts it and becomes a follower; an append or
    heartbeat also tells it who leads, a vote request does not."""
    for kind, lead in ((M.MsgApp, 2), (M.MsgHeartbeat, 2), (M.MsgVote, 0)):
        r = new_raft(1)
        r.become_candidate()
        r.become_leader()
        r.step(Message(kind, from_=2, to=1, term=5))
        assert (r.state, r.term, r.lead) == (FOLLOWER, 5, lead), kind


def test_messages_from_an_older_term_are_ignored():
    """§5.1 (TestStepIgnoreOldTermMsg): a request with a stale term changes nothing."""
    r = new_raft(1)
    r.become_follower(2, 2)
    r.step(Message(M.MsgApp, from_=3, to=1, term=1, index=0, log_term=0, entries=entries_of_terms(1)))
    assert (r.term, r.raft_log.last_index(), read_messages(r)) == (2, 0, [])


def test_with_prevote_or_checkquorum_a_stale_leader_is_told_the_newer_term():
    """raft.Step: with PreVote or CheckQuorum a partitioned leader may never see a higher term
    (nobody campaigns against it), so an append from an old term is answered, and the answer's
    term makes the old leader step down."""
    r = new_raft(1, pre_vote=True)
    r.become_follower(2, 2)
    r.step(Message(M.MsgApp, from_=3, to=1, term=1))
    [resp] = read_messages(r)
    assert (resp.type, resp.to, resp.term) == (M.MsgAppResp, 3, 2)
    old = new_raft(3)
    old.become_candidate()
    old.become_leader()
    old.step(resp)
    assert (old.state, old.term) == (FOLLOWER, 2)


def test_prevote_keeps_a_partitioned_node_from_raising_its_term():
    """Thesis §9.6: with PreVote a node that cannot win (here, cut off) asks first and, not getting
    a majority, never increments its term; back in the cluster it does not depose the leader."""
    net = Network.of(3, pre_vote=True)
    net.campaign(1)
    net.isolate(3)
    net.propose(1)
    for _ in range(5):
        net.campaign(3)
    assert (net.peers[3].state, net.peers[3].term) == (PRE_CANDIDATE, 1)
    net.recover()
    net.campaign(3)
    assert (net.peers[1].state, net.peers[1].term) == (LEADER, 1)
    assert (net.peers[3].state, net.peers[3].term) == (FOLLOWER, 1)


def test_without_prevote_a_rejoining_node_disrupts_the_leader():
    """The problem PreVote solves (TestDisruptiveFollower): the partitioned node's term grew with
    every election it tried, and its vote request makes the leader step down when it returns."""
    net = Network.of(3)
    net.campaign(1)
    net.isolate(3)
    net.propose(1)
    for _ in range(5):
        net.campaign(3)
    assert net.peers[3].term == 6
    net.recover()
    net.campaign(3)
    assert net.peers[1].state == FOLLOWER and net.peers[1].term == 7


def test_prevote_is_granted_without_changing_the_voters_term_or_vote():
    """raft.Step: a pre-vote for a higher term is answered at that term but leaves the voter's
    own term and vote as they were."""
    r = new_raft(1, pre_vote=True)
    r.become_follower(1, 0)
    r.step(Message(M.MsgPreVote, from_=2, to=1, term=2, index=0, log_term=0))
    [resp] = read_messages(r)
    assert (resp.type, resp.term, resp.reject) == (M.MsgPreVoteResp, 2, False)
    assert (r.term, r.vote) == (1, 0)


def test_checkquorum_leader_steps_down_when_it_has_not_heard_from_a_quorum():
    """Thesis §6.2 (TestLeaderStepdownWhenQuorumLost): every election timeout a CheckQuorum leader
    checks that a quorum was active since the last check, and otherwise steps down."""
    net = Network.of(3, check_quorum=True)
    net.campaign(1)
    leader = net.peers[1]
    for _ in range(30):
        leader.tick()
        net.send(*net.filter(read_messages(leader)))
    assert leader.state == LEADER
    net.isolate(1)
    for _ in range(21):
        leader.tick()
        net.send(*net.filter(read_messages(leader)))
    assert (leader.state, leader.term) == (FOLLOWER, 1)


def test_checkquorum_follower_ignores_vote_requests_while_its_leader_is_fresh():
    """Thesis §4.2.3 (leader lease): a follower that heard from its leader within the election
    timeout ignores a vote request with a higher term, unless it is a leadership transfer."""
    net = Network.of(3, check_quorum=True)
    net.campaign(1)
    follower = net.peers[2]
    follower.step(Message(M.MsgVote, from_=3, to=2, term=2, index=5, log_term=1))
    assert (follower.term, follower.lead, read_messages(follower)) == (1, 1, [])
    follower.step(Message(M.MsgVote, from_=3, to=2, term=2, index=5, log_term=1, context=CAMPAIGN_TRANSFER))
    [resp] = read_messages(follower)
    assert (resp.type, resp.reject, follower.term, follower.vote) == (M.MsgVoteResp, False, 2, 3)


def test_a_node_with_unapplied_committed_conf_changes_does_not_campaign():
    """raft.hup: campaigning while a committed conf change is unapplied would count votes in a
    configuration about to change."""
    cc = Entry(term=1, index=1, type=EntryType.EntryConfChange,
               data=ConfChange(ConfChangeType.ConfChangeAddNode, 4).marshal())
    r = new_raft(1, entries=[cc])
    r.raft_log.commit_to(1)
    r.step(Message(M.MsgHup, from_=1, to=1))
    assert r.state == FOLLOWER
    r.raft_log.applied_to(1)
    r.step(Message(M.MsgHup, from_=1, to=1))
    assert r.state == CANDIDATE
