"""Rules of etcd leases: grant, attach, keep-alive, time-to-live, revoke and expiry by the clock."""
from __future__ import annotations

import time

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import ClusterMember, EtcdServer
from reference_impl.etcd.errors import ErrLeaseExist, ErrLeaseNotFound, ErrLeaseTTLTooLarge
from reference_impl.etcd.lease import MAX_LEASE_TTL, Lessor
from reference_impl.etcd.messages import (
    DeleteRangeRequest, LeaseGrantRequest, LeaseKeepAliveRequest, LeaseRevokeRequest,
    LeaseTimeToLiveRequest, PutRequest, RangeRequest)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


@pytest.fixture
def server(clock) -> EtcdServer:
    return EtcdServer(clock)


def grant(server: EtcdServer, ttl: int, lease_id: int = 0) -> int:
    return server.lease_grant(LeaseGrantRequest(ttl, lease_id)).id


def live_keys(server: EtcdServer) -> list[bytes]:
    return [kv.key for kv in server.range(RangeRequest(b"\0", b"\0")).kvs]


def test_grant_with_a_chosen_id(server):
    """A grant with an id creates that lease with the asked TTL."""
    resp = server.lease_grant(LeaseGrantRequest(30, 7))
    assert (resp.id, resp.ttl) == (7, 30)


def test_grant_assigns_distinct_ids(server):
    """A grant without an id gets a fresh, positive id."""
    ids = {grant(server, 30) for _ in range(5)}
    assert len(ids) == 5 and all(i > 0 for i in ids)


def test_grant_raises_the_ttl_to_the_minimum(server):
    """A TTL below the minimum (2 s with etcd's default flags) is raised to it."""
    assert server.lease_grant(LeaseGrantRequest(0)).ttl == 2
    assert server.lease_grant(LeaseGrantRequest(1)).ttl == 2


def test_grant_refuses_a_huge_ttl(server):
    """A TTL above MaxLeaseTTL fails with ErrLeaseTTLTooLarge."""
    with pytest.raises(ErrLeaseTTLTooLarge):
        grant(server, MAX_LEASE_TTL + 1)


def test_grant_refuses_an_id_in_use(server):
    """Granting an id that is already a lease fails with ErrLeaseExist."""
    grant(server, 30, 7)
    with pytest.raises(ErrLeaseExist):
        grant(server, 30, 7)


def test_grant_does_not_make_a_revision(server):
    """Leases live beside the key space: granting one leaves the revision alone."""
    grant(server, 30)
    assert server.header().revision == 1


def test_put_with_an_unknown_lease_fails(server):
    """A put naming a lease that does not exist fails with ErrLeaseNotFound."""
    with pytest.raises(ErrLeaseNotFound):
        server.put(PutRequest(b"k", b"v", lease=42))
    assert (server.header().revision, live_keys(server)) == (1, [])


def test_revoke_deletes_the_keys_in_one_revision(server):
    """Revoking a lease deletes all its keys together, in one new revision."""
    lease = grant(server, 30)
    for k in (b"a", b"b", b"c"):
        server.put(PutRequest(k, b"v", lease=lease))
    server.put(PutRequest(b"free", b"v"))
    resp = server.lease_revoke(LeaseRevokeRequest(lease))
    assert resp.header.revision == 6 == server.header().revision
    assert live_keys(server) == [b"free"]


def test_revoke_of_an_unknown_lease_fails(server):
    """Revoking a lease that does not exist fails with ErrLeaseNotFound."""
    with pytest.raises(ErrLeaseNotFound):
        server.lease_revoke(LeaseRevokeRequest(5))


def test_revoke_without_keys_makes_no_revision(server):
    """Revoking a lease with no keys deletes nothing and keeps the revision."""
    server.lease_revoke(LeaseRevokeRequest(grant(server, 30)))
    assert server.header().revision == 1


def test_a_put_without_the_lease_detaches_the_key(server):
    """Overwriting a key without its lease detaches it: revoking no longer deletes it."""
    lease = grant(server, 30)
    server.put(PutRequest(b"k", b"1", lease=lease))
    server.put(PutRequest(b"k", b"2"))
    server.lease_revoke(LeaseRevokeRequest(lease))
    assert live_keys(server) == [b"k"]


def test_ignore_lease_keeps_the_attached_lease(server):
    """A put with ignore_lease keeps the key's lease."""
    lease = grant(server, 30)
    server.put(PutRequest(b"k", b"1", lease=lease))
    server.put(PutRequest(b"k", b"2", ignore_lease=True))
    assert server.range(RangeRequest(b"k")).kvs[0].lease == lease
    ttl = server.lease_time_to_live(LeaseTimeToLiveRequest(lease, keys=True))
    assert ttl.keys == (b"k",)


def test_deleting_a_key_detaches_it(server):
    """A deleted key is no longer among its lease's keys."""
    lease = grant(server, 30)
    server.put(PutRequest(b"k", b"1", lease=lease))
    server.delete_range(DeleteRangeRequest(b"k"))
    assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease, keys=True)).keys == ()


def test_time_to_live_reports_remaining_granted_and_keys(server, clock):
    """time-to-live answers whole seconds left (truncated), the granted TTL and the keys."""
    lease = grant(server, 30)
    server.put(PutRequest(b"b", b"v", lease=lease))
    server.put(PutRequest(b"a", b"v", lease=lease))
    clock.advance(10.5)
    resp = server.lease_time_to_live(LeaseTimeToLiveRequest(lease, keys=True))
    assert (resp.ttl, resp.granted_ttl, resp.keys) == (19, 30, (b"a", b"b"))
    assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).keys == ()


def test_time_to_live_of_an_unknown_lease_is_minus_one(server):
    """time-to-live of a lease that does not exist answers TTL -1, as etcd does, not an error."""
    assert server.lease_time_to_live(LeaseTimeToLiveRequest(99)).ttl == -1


def test_keep_alive_renews_for_a_full_ttl(server, clock):
    """A keep-alive moves the expiry to now + TTL and answers the TTL."""
    lease = grant(server, 10)
    clock.advance(8)
    assert server.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 10
    clock.advance(8)
    assert server.tick() == ()
    assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 2


def test_keep_alive_of_an_unknown_or_expired_lease_answers_ttl_0(server, clock):
    """A keep-alive for a missing lease, or one whose time is up, answers TTL 0 and renews nothing."""
    assert server.lease_keep_alive(LeaseKeepAliveRequest(99)).ttl == 0
    lease = grant(server, 5)
    clock.advance(5)
    assert server.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 0
    assert server.tick() == (lease,)


def test_leases_lists_every_lease(server):
    """leases lists the ids of all leases, soonest expiry first."""
    late, early = grant(server, 60, 1), grant(server, 10, 2)
    assert server.lease_leases().leases == (early, late)


def test_tick_expires_leases_by_the_clock(server, clock):
    """tick() revokes, with their keys, exactly the leases whose expiry has passed."""
    short, long = grant(server, 5), grant(server, 50)
    server.put(PutRequest(b"short", b"v", lease=short))
    server.put(PutRequest(b"long", b"v", lease=long))
    clock.advance(4.9)
    assert server.tick() == ()
    clock.advance(0.1)
    assert server.tick() == (short,)
    assert live_keys(server) == [b"long"]
    assert server.lease_leases().leases == (long,)


def test_lessor_promote_gives_every_lease_its_whole_ttl():
    """A new leader's leases expire a whole TTL from its clock, however stale their expiries,
    and the extension the server asks for on top."""
    lessor = Lessor()
    lessor.grant(1, 30, now=100.0)
    lessor.grant(2, 10, now=80.0)
    lessor.promote(now=5.0, extend=1.0)
    assert [(lease.id, lease.expiry) for lease in lessor.leases()] == [(2, 16.0), (1, 36.0)]


def test_a_restarted_leader_gives_each_lease_an_election_timeout_more(tmp_path):
    """etcd promotes the lessor of a new leader with its election timeout as extension: after a
    restart etcd 3.4 answered TimeToLive 30, then 27 three seconds on, for a 30 s lease granted
    4 s before (the reference had answered 29, then 26)."""
    with ClusterMember.alone(tmp_path, ManualClock(1000.0)) as member:
        lease = grant(member, 30)
    clock = ManualClock(1004.0)
    with ClusterMember.alone(tmp_path, clock) as member:
        clock.advance(0.5)
        assert member.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 30
        clock.advance(3)
        assert member.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 27


CHECKPOINTS = {"lease_checkpoints": True}
PERSISTED_CHECKPOINTS = {"lease_checkpoints": True, "persist_lease_checkpoints": True}


def checkpointed_restart(data_dir, options: dict, *, write_after: bool = False, keep_alive: bool = False) -> int:
    """A 600 s lease granted at 1000 s, the member ticked at 1300 s (when a checkpoint is due, if
    they are on), then maybe kept alive and a key written; restarted at 1400 s: its TimeToLive."""
    clock = ManualClock(1000.0)
    with ClusterMember.alone(data_dir, clock, server_options=options) as member:
        lease = grant(member, 600)
        clock.advance(300)
        member.tick()
        deadline = time.monotonic() + 10
        while options and member.server.lessor.lookup(lease).remaining_ttl != 300:
            assert time.monotonic() < deadline, "no checkpoint applied"
            time.sleep(0.01)
        if keep_alive:
            member.lease_keep_alive(LeaseKeepAliveRequest(lease))
        if write_after:
            member.put(PutRequest(b"k", b"v"))
    with ClusterMember.alone(data_dir, ManualClock(1400.0), server_options=options) as member:
        return member.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl


def test_without_checkpoints_a_restart_gives_a_lease_its_whole_ttl(tmp_path):
    assert checkpointed_restart(tmp_path, {}) == 601


def test_a_persisted_checkpoint_starts_the_lease_from_its_remaining_ttl_after_a_restart(tmp_path):
    """--experimental-enable-lease-checkpoint(-persist): the leader checkpoints a lease with more
    than 5 minutes left every 5 minutes; the restarted leader gives it the checkpointed 300 s
    (and its election timeout), not its whole 600 s, whatever was written since."""
    assert checkpointed_restart(tmp_path, PERSISTED_CHECKPOINTS, write_after=True) == 301


def test_a_checkpoint_kept_in_memory_survives_a_restart_only_if_replayed(tmp_path):
    """Without -persist the remaining TTL lives in memory: etcd 3.4 sets it again on a restart
    only by applying the checkpoint entry again, which it does unless a key-value write came
    after it (its consistent index, saved with writes, is then past the entry)."""
    assert checkpointed_restart(tmp_path / "replayed", CHECKPOINTS) == 301
    assert checkpointed_restart(tmp_path / "written", CHECKPOINTS, write_after=True) == 601


def test_a_keep_alive_clears_the_checkpoint(tmp_path):
    """A renewed lease gets its whole TTL from the next leader: the keep-alive proposes a
    checkpoint of 0 before renewing."""
    assert checkpointed_restart(tmp_path, PERSISTED_CHECKPOINTS, keep_alive=True) == 601


def test_a_keep_alive_of_an_expired_lease_proposes_no_checkpoint(tmp_path):
    """lessor.Renew refuses an expired lease before it would clear its checkpoint: no entry."""
    clock = ManualClock(1000.0)
    with ClusterMember.alone(tmp_path, clock, server_options=CHECKPOINTS) as member:
        lease = grant(member, 600)
        member.server.lessor.checkpoint(lease, 300, clock.now())
        clock.advance(601)
        raft_index = member.status().raft_index
        assert member.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 0
        assert member.status().raft_index == raft_index


def test_only_leases_with_more_than_the_interval_left_are_checkpointed():
    lessor = Lessor(checkpoints=True)
    lessor.grant(1, 600, now=0.0)
    lessor.grant(2, 300, now=0.0)
    assert lessor.due_checkpoints(299.0) == []
    assert lessor.due_checkpoints(300.5) == [(1, 300)]
    assert lessor.due_checkpoints(601.0) == []  # rescheduled only by the checkpoint's apply


def test_an_expired_lease_is_not_checkpointed_and_a_negative_checkpoint_is_none():
    """findDueScheduledCheckpoints skips a lease past its expiry; RemainingTTL takes a checkpoint
    only when it is above zero, so a new leader never starts a lease in the past."""
    lessor = Lessor(checkpoints=True)
    lessor.grant(1, 400, now=0.0)
    assert lessor.due_checkpoints(401.0) == []
    lessor.checkpoint(1, -1, now=401.0)
    lessor.promote(402.0, 1.0)
    assert lessor.lookup(1).expiry == 402.0 + 1.0 + 400
