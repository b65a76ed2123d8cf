"""Member add, update and remove on a lone member, each rule as etcd 3.4.23 was seen to answer
the same Cluster RPC (recorded side by side with the reference, cluster and member IDs aside)."""
from __future__ import annotations

import hashlib
import time

import pytest

from reference_impl.etcd import ClusterMember
from reference_impl.etcd.errors import (
    ErrMemberBadURLs, ErrMemberNotFound, ErrNotEnoughStartedMembers, ErrPeerURLExist,
    ErrTimeoutLeaderTransfer)
from reference_impl.etcd.messages import PutRequest
from reference_impl.etcd.raftnode import check_peer_urls
from reference_impl.machinery.clock import ManualClock

ADDED_AT = 1_800_000_000


def test_an_added_members_id_hashes_its_urls_and_second_without_the_cluster_token(tmp_path):
    """v3rpc's MemberAdd makes the member with NewMember("", urls, "", &now): the SHA-1 of the
    sorted URLs, an empty cluster name and the second, whatever --initial-cluster-token is
    (recorded: a learner added to etcd 3.4 with the token "tok" had this ID for its second)."""
    with ClusterMember.alone(tmp_path, ManualClock(ADDED_AT)) as member:
        learner, _ = member.member_add(("http://127.0.0.1:9",), is_learner=True)
    digest = hashlib.sha1(f"http://127.0.0.1:9{ADDED_AT}".encode()).digest()
    assert learner.id == int.from_bytes(digest[:8], "big")


def test_peer_urls_are_kept_as_go_prints_them_back():
    """types.NewURLs trims each URL and url.Parse lowers its scheme: etcd 3.4 lists a member
    added with "HTTP://127.0.0.1:9" as http://127.0.0.1:9 (and so finds it taken by one added
    with the lower-case URL)."""
    assert check_peer_urls(("HTTP://127.0.0.1:9", " https://b:2 ")) == ("http://127.0.0.1:9", "https://b:2")


@pytest.mark.parametrize("url", ["http://a b:1", "http://a{b:1", "http://a\"b|c:1"])
def test_a_host_name_with_a_character_url_parse_refuses_is_a_bad_url(url):
    """url.Parse: 'invalid character " " in host name'; etcd 3.4 answers such a MemberAdd
    INVALID_ARGUMENT "given member URLs are invalid" (recorded for "http://a b:1")."""
    with pytest.raises(ErrMemberBadURLs):
        check_peer_urls((url,))


def test_an_update_may_not_take_another_members_peer_urls(tmp_path):
    """ValidateConfigurationChange refuses a ConfChangeUpdateNode whose URLs another member has,
    FAILED_PRECONDITION "etcdserver: Peer URLs already exists", both ways (recorded: the lone
    member given its learner's URL, the learner given the member's); its own URLs again pass."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        learner, _ = member.member_add(("http://127.0.0.1:9",), is_learner=True)
        own = member.members()[[m.id for m in member.members()].index(member.id)].peer_urls
        for target, urls in ((member.id, learner.peer_urls), (learner.id, own)):
            with pytest.raises(ErrPeerURLExist) as caught:
                member.member_update(target, urls)
            assert (caught.value.grpc_code, caught.value.message) == (
                "FAILED_PRECONDITION", "etcdserver: Peer URLs already exists")
        assert {m.id: m.peer_urls for m in member.member_update(member.id, own)}[member.id] == own


def test_a_removed_members_id_never_comes_back(tmp_path):
    """ValidateConfigurationChange refuses any change naming a removed id (ErrIDRemoved, which
    v3rpc answers NOT_FOUND "member not found"): the same URLs added again within the second of
    the removal hash to that id (etcd 3.4.23 answered so; the reference added the member
    again). The removed ids are kept in snapshots and across a restart."""
    with ClusterMember.alone(tmp_path, ManualClock(ADDED_AT), snapshot_count=3) as member:
        learner, _ = member.member_add(("http://127.0.0.1:9",), is_learner=True)
        member.member_remove(learner.id)
        for i in range(4):  # a snapshot comes after the removal
            member.put(PutRequest(b"k%d" % i, b"v"))
    clock = ManualClock(ADDED_AT)
    with ClusterMember.alone(tmp_path, clock) as member:
        with pytest.raises(ErrMemberNotFound) as caught:
            member.member_add(("http://127.0.0.1:9",), is_learner=True)
        assert (caught.value.grpc_code, caught.value.message) == ("NOT_FOUND", "etcdserver: member not found")
        assert [m.id for m in member.members()] == [member.id]
        clock.advance(1)  # a second later the URLs hash to another id, which may join
        added, _ = member.member_add(("http://127.0.0.1:9",), is_learner=True)
        assert added.id != learner.id


def test_removing_an_unknown_member_first_counts_the_started_voters(tmp_path):
    """mayRemoveMember skips only a learner: an ID no member has is counted as a voter that
    goes, so with a second voter that never started, etcd 3.4 answers "re-configuration failed
    due to not enough started members" (code Unknown) before it would say "member not found"."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        member.member_add(("http://127.0.0.1:9",), is_learner=False)
        with pytest.raises(ErrNotEnoughStartedMembers):
            member.member_remove(4242)


def test_a_leader_transfer_waits_as_long_as_its_caller_then_took_too_long(tmp_path):
    """EtcdServer.MoveLeader has no bound of its own: it waits for the transferee until the
    caller's context is done, then answers ErrTimeoutLeaderTransfer, code Unknown with its own
    text (etcd 3.4.23, a voter that is down as transferee: a 2 s and a 9 s deadline each
    answered at its end); the reference gave up at its request timeout, "request timed out"."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        down, _ = member.member_add(("http://127.0.0.1:9",), is_learner=False)
        member.request_timeout = 0.05  # a bound of its own would show at once
        started = time.monotonic()
        with pytest.raises(ErrTimeoutLeaderTransfer) as caught:
            member.move_leader(down.id, timeout=0.3)
        assert time.monotonic() - started >= 0.3
        assert (caught.value.grpc_code, caught.value.message) == (
            "UNKNOWN", "etcdserver: request timed out, leader transfer took too long")
        with pytest.raises(ErrTimeoutLeaderTransfer):
            member.move_leader(down.id, is_active=lambda: False)  # the caller went away


def test_an_updated_learner_is_listed_as_a_voter_as_etcd_3_4_lists_it(tmp_path):
    """v3rpc's MemberUpdate builds RaftAttributes{PeerURLs} without IsLearner and
    UpdateRaftAttributes stores it whole: etcd 3.4.23 then listed the learner without isLearner
    and counted it, never started, among the voters when asked to remove an unknown member
    (recorded side by side); Raft still holds it a learner, so the lone member keeps its quorum."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        learner, _ = member.member_add(("http://127.0.0.1:9",), is_learner=True)
        listed = {m.id: m.is_learner for m in member.member_update(learner.id, ("http://127.0.0.1:19",))}
        assert listed[learner.id] is False
        with pytest.raises(ErrNotEnoughStartedMembers):
            member.member_remove(4242)
        assert member.put(PutRequest(b"k", b"v")).header.revision == 2
