"""The replicated server's core (raftnode.RaftNode) on a simulated network: one rule per test."""
from __future__ import annotations

from dataclasses import replace

import pytest
from cluster_sim import SimCluster

from reference_impl.etcd.errors import ErrEmptyKey, ErrMemberIDExists, ErrTooManyLearners
from reference_impl.etcd.messages import LeaseGrantRequest, LeaseRevokeRequest, Member, PutRequest, RangeRequest
from reference_impl.etcd.raft import ConfChange, ConfChangeType
from reference_impl.etcd.raftnode import (
    compute_cluster_id, compute_member_id, conf_change_for_add, parse_initial_cluster)
from reference_impl.etcd.server import DEFAULT_CLUSTER_ID, DEFAULT_MEMBER_ID


def value(node, key: bytes) -> bytes | None:
    kvs = node.server.range(RangeRequest(key, serializable=True)).kvs
    return kvs[0].value if kvs else None


def put(cluster: SimCluster, node, key: bytes, val: bytes) -> int:
    request_id = cluster.request_id()
    node.propose(request_id, PutRequest(key, val), cluster.clock.now())
    cluster.step_all()
    return request_id


def test_member_and_cluster_ids_are_computed_as_etcd_computes_them():
    """etcd's default member (http://localhost:2380, token etcd-cluster) has id 8e9e05c52164694d in
    cluster cdf818194e3a8c32: the same SHA-1 recipe gives the same ids."""
    member_id = compute_member_id(["http://localhost:2380"], "etcd-cluster")
    assert member_id == DEFAULT_MEMBER_ID
    assert compute_cluster_id([member_id]) == DEFAULT_CLUSTER_ID


def test_initial_cluster_flag_is_parsed_into_members_and_bad_entries_are_refused():
    members = parse_initial_cluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2,b=http://127.0.0.1:3")
    assert sorted(m.name for m in members.values()) == ["a", "b"]
    assert [m.peer_urls for m in members.values() if m.name == "b"] == [("http://127.0.0.1:2", "http://127.0.0.1:3")]
    with pytest.raises(Exception, match="NAME=http"):
        parse_initial_cluster("a=127.0.0.1:1")


def test_a_write_applies_on_every_member_after_commit_and_answers_the_proposer():
    cluster = SimCluster()
    leader = cluster.elect()
    request_id = put(cluster, leader, b"k", b"v")
    ok, response = cluster.results[leader.id][request_id]
    assert ok and response.header.revision == 2
    assert all(value(n, b"k") == b"v" for n in cluster.nodes.values())
    assert len({n.applied for n in cluster.nodes.values()}) == 1


def test_a_write_sent_to_a_follower_is_forwarded_to_the_leader_and_answered_by_the_follower():
    cluster = SimCluster()
    cluster.elect()
    follower = cluster.followers()[0]
    request_id = put(cluster, follower, b"k", b"from-follower")
    assert cluster.results[follower.id][request_id][0]
    assert all(value(n, b"k") == b"from-follower" for n in cluster.nodes.values())


def test_nothing_is_applied_without_a_quorum():
    """A leader cut off from both followers appends the write but never commits it."""
    cluster = SimCluster()
    leader = cluster.elect()
    cluster.cut = {f.id for f in cluster.followers()}
    request_id = put(cluster, leader, b"k", b"v")
    cluster.tick(3)
    assert request_id not in cluster.results[leader.id]
    assert value(leader, b"k") is None


def test_a_malformed_request_is_refused_before_it_reaches_the_log():
    cluster = SimCluster()
    leader = cluster.elect()
    last = leader.rawnode.raft.raft_log.last_index()
    with pytest.raises(ErrEmptyKey):
        leader.propose(cluster.request_id(), PutRequest(b"", b"v"), cluster.clock.now())
    assert leader.rawnode.raft.raft_log.last_index() == last


def test_a_read_index_on_a_follower_covers_every_write_committed_before_it():
    cluster = SimCluster()
    leader = cluster.elect()
    put(cluster, leader, b"k", b"v")
    follower = cluster.followers()[0]
    follower.rawnode.read_index(b"r1")
    cluster.step_all()
    (state,) = cluster.read_states[follower.id]
    assert state.request_ctx == b"r1" and state.index >= leader.rawnode.raft.raft_log.committed
    assert follower.applied >= state.index


def test_leases_expire_only_on_the_leader_and_through_a_revoke_in_the_log():
    cluster = SimCluster()
    leader = cluster.elect()
    grant = cluster.request_id()
    leader.propose(grant, LeaseGrantRequest(ttl=5, id=42), cluster.clock.now())
    cluster.step_all()
    put_id = cluster.request_id()
    leader.propose(put_id, PutRequest(b"leased", b"v", lease=42), cluster.clock.now())
    cluster.step_all()
    cluster.tick(60)  # six seconds: past the TTL
    now = cluster.clock.now()
    assert all(f.expired_leases(now) == [] for f in cluster.followers())
    assert leader.expired_leases(now) == [42]
    assert leader.expired_leases(now) == [], "a revoke already proposed is not proposed again"
    assert all(value(n, b"leased") == b"v" for n in cluster.nodes.values()), "no member expires it alone"
    leader.propose(cluster.request_id(), LeaseRevokeRequest(42), now)
    cluster.step_all()
    assert all(value(n, b"leased") is None for n in cluster.nodes.values())


def test_a_member_far_behind_catches_up_by_snapshot():
    """Once the leader has compacted the entries a cut-off member misses, it sends a snapshot."""
    cluster = SimCluster(snapshot_count=5, catch_up_entries=2)
    leader = cluster.elect()
    lagging = cluster.followers()[0]
    cluster.cut = {lagging.id}
    for i in range(30):
        put(cluster, leader, f"k{i}".encode(), b"v")
    assert leader.rawnode.raft.raft_log.storage.first_index() > lagging.applied + 1
    cluster.cut = set()
    cluster.tick(5)
    assert cluster.snapshots_sent >= 1
    assert cluster.nodes[lagging.id].applied == leader.applied
    assert value(cluster.nodes[lagging.id], b"k29") == b"v"


def test_a_member_that_installs_a_snapshot_keeps_the_limits_its_flags_set():
    """The state machine a snapshot replaces is made again with this member's own settings
    (--max-txn-ops, --max-request-bytes, --auth-token-ttl and --auth-token, the progress interval,
    the minimum lease TTL), not etcd's defaults: they are flags of the process, not state of the cluster."""
    cluster = SimCluster(snapshot_count=5, catch_up_entries=2)
    leader = cluster.elect()
    lagging = cluster.followers()[0]
    server = lagging.server
    server.max_txn_ops, server.max_request_bytes, server.auth.token_ttl = 3, 1024, 2.0
    server.watches.progress_interval, server.lessor.min_ttl, server.auth.token_type = 1.0, 7, ""
    cluster.cut = {lagging.id}
    for i in range(30):
        put(cluster, leader, f"k{i}".encode(), b"v")
    cluster.cut = set()
    cluster.tick(5)
    assert cluster.snapshots_sent >= 1 and lagging.server is not server
    now = lagging.server
    assert (now.max_txn_ops, now.max_request_bytes, now.auth.token_ttl, now.watches.progress_interval,
            now.lessor.min_ttl, now.auth.token_type) == (3, 1024, 2.0, 1.0, 7, "")


def test_member_add_and_remove_go_through_conf_changes_on_every_member():
    cluster = SimCluster()
    leader = cluster.elect()
    newcomer = Member(compute_member_id(["http://10.0.0.4:2380"], "etcd-cluster", 1), "",
                      ("http://10.0.0.4:2380",))
    leader.propose_conf_change(conf_change_for_add(newcomer, False, 7))
    cluster.step_all()
    assert all(newcomer.id in n.members for n in cluster.nodes.values())
    node = cluster.add(newcomer)
    put(cluster, leader, b"after-add", b"v")
    cluster.tick(3)
    assert value(node, b"after-add") == b"v"
    assert node.members.keys() == leader.members.keys()
    gone = cluster.followers()[0]
    leader.propose_conf_change(ConfChange(ConfChangeType.ConfChangeRemoveNode, gone.id, id=8))
    cluster.step_all()
    assert all(gone.id not in n.members for i, n in cluster.nodes.items() if i != gone.id)
    assert leader.rawnode.raft.prs.conf_state().voters.count(gone.id) == 0


def test_a_conf_change_for_an_unknown_member_is_refused_before_proposal():
    cluster = SimCluster()
    leader = cluster.elect()
    with pytest.raises(Exception, match="member not found"):
        leader.propose_conf_change(ConfChange(ConfChangeType.ConfChangeRemoveNode, 12345, id=9))


def _learner(port: int) -> Member:
    url = f"http://10.0.0.{port}:2380"
    return Member(compute_member_id([url], "etcd-cluster", 1), "", (url,), is_learner=True)


def test_a_second_learner_is_refused_as_too_many_learners():
    """ValidateConfigurationChange: a cluster holds at most one learner (maxLearners); etcd 3.4
    answers the second add FAILED_PRECONDITION 'too many learner members in cluster'."""
    cluster = SimCluster()
    leader = cluster.elect()
    leader.propose_conf_change(conf_change_for_add(_learner(4), True, 7))
    cluster.step_all()
    with pytest.raises(ErrTooManyLearners) as caught:
        leader.propose_conf_change(conf_change_for_add(_learner(5), True, 8))
    assert (caught.value.grpc_code, caught.value.message) == (
        "FAILED_PRECONDITION", "etcdserver: too many learner members in cluster")


def test_a_member_id_added_twice_is_member_id_already_exist():
    """The id of an added member hashes its peer URLs, the cluster token and the second it was
    added: the same URLs added again within that second make the same id, which etcd 3.4
    refuses FAILED_PRECONDITION 'member ID already exist' (ErrIDExists)."""
    cluster = SimCluster()
    leader = cluster.elect()
    newcomer = Member(compute_member_id(["http://10.0.0.4:2380"], "etcd-cluster", 1), "",
                      ("http://10.0.0.4:2380",))
    leader.propose_conf_change(conf_change_for_add(newcomer, False, 7))
    cluster.step_all()
    with pytest.raises(ErrMemberIDExists) as caught:
        leader.propose_conf_change(conf_change_for_add(newcomer, False, 8))
    assert (caught.value.grpc_code, caught.value.message) == (
        "FAILED_PRECONDITION", "etcdserver: member ID already exist")


def test_a_learner_added_again_as_a_voter_is_member_id_already_exist():
    """Only a promotion turns a learner into a voter: a member add (not a promotion) with the
    id of a learner is ErrIDExists too, as etcd 3.4 answered `member add` of a learner's peer
    URL as a voter within the same second (recorded; the reference had added a second voter,
    and a one-member cluster lost its quorum)."""
    cluster = SimCluster()
    leader = cluster.elect()
    learner = Member(compute_member_id(["http://10.0.0.4:2380"], "etcd-cluster", 1), "",
                     ("http://10.0.0.4:2380",), is_learner=True)
    leader.propose_conf_change(conf_change_for_add(learner, True, 7))
    cluster.step_all()
    with pytest.raises(ErrMemberIDExists):
        leader.propose_conf_change(conf_change_for_add(replace(learner, is_learner=False), False, 8))
