"""The metrics core and the health decision, with no sockets: what /metrics and /health say about
a member's state (the HTTP listeners themselves are tested in test_etcdhttp.py)."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from reference_impl.etcd.errors import ErrTimeout, EtcdError
from reference_impl.etcd.etcdhttp import check_health, excluded_alarms
from reference_impl.etcd.messages import AlarmMember
from reference_impl.etcd.member import ClusterMember
from reference_impl.etcd.messages import (
    CompactionRequest, Compare, DeleteRangeRequest, LeaseGrantRequest, LeaseKeepAliveRequest,
    LeaseRevokeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest, WatchCreateRequest)
from reference_impl.etcd.metrics import (
    WAL_FSYNC_BUCKETS, HealthChecks, Histogram, ServerMetrics, expose)
from reference_impl.etcd.server import EtcdServer
from reference_impl.machinery.clock import ManualClock, WallClock
from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.prometheus import Family


@pytest.mark.parametrize("value, text", [
    # As Go's strconv.FormatFloat(v, 'g', -1, 64) writes them (values seen in etcd 3.4's /metrics).
    (1796474023.39, "1.79647402339e+09"), (0.001717647, "0.001717647"), (20480, "20480"),
    (999999, "999999"), (1e6, "1e+06"), (0.0001, "0.0001"), (0.00001234, "1.234e-05"),
    (0, "0"), (1, "1"), (8.192, "8.192"), (float("inf"), "+Inf"),
])
def test_numbers_are_written_as_go_writes_them(value, text):
    assert format_float(value) == text


def test_wal_fsync_buckets_are_etcds():
    """wal/metrics.go: ExponentialBuckets(0.001, 2, 14), 1 ms to 8.192 s."""
    assert [format_float(b) for b in WAL_FSYNC_BUCKETS] == [
        "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512",
        "1.024", "2.048", "4.096", "8.192"]


def test_a_histogram_counts_each_value_in_every_bucket_it_fits():
    h = Histogram((0.001, 0.01, 0.1))
    for value in (0.0005, 0.005, 0.005, 5.0):
        h.observe(value)
    snap = h.snapshot()
    assert snap.cumulative_counts == (1, 3, 3)
    assert (snap.count, snap.sum) == (4, 0.0005 + 0.005 + 0.005 + 5.0)


def test_exposition_is_prometheus_text_sorted_by_name():
    h = Histogram((0.001, 0.002))
    h.observe(0.0015)
    start = Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge")
    start.set(value=1796474023.39)
    text = expose(ServerMetrics(has_leader=True, is_leader=False, leader_changes_seen=2,
                                proposals_committed=9, proposals_applied=8, db_total_size=20480,
                                keys_total=3, wal_fsync=h.snapshot(), server_version="3.5.1",
                                health_success=4, health_failures=1, member_id=0x8e9e05c52164694d,
                                quota_backend_bytes=123456789, cluster_version="3.4.0",
                                current_revision=7, compact_revision=5, auth_revision=2,
                                fd_limit=20000, fd_used=14, db_size_in_use=16384,
                                proposals_pending=2, watchers=5),
                  [start])
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    assert samples == [
        'etcd_cluster_version{cluster_version="3.4"} 1',
        "etcd_debugging_auth_revision 2",
        "etcd_debugging_lease_granted_total 0",
        "etcd_debugging_lease_renewed_total 0",
        "etcd_debugging_lease_revoked_total 0",
        "etcd_debugging_mvcc_compact_revision 5",
        "etcd_debugging_mvcc_current_revision 7",
        "etcd_debugging_mvcc_db_total_size_in_bytes 20480",
        "etcd_debugging_mvcc_delete_total 0",
        "etcd_debugging_mvcc_keys_total 3",
        "etcd_debugging_mvcc_put_total 0",
        "etcd_debugging_mvcc_range_total 0",
        "etcd_debugging_mvcc_total_put_size_in_bytes 0",
        "etcd_debugging_mvcc_txn_total 0",
        "etcd_debugging_mvcc_watcher_total 5",
        "etcd_debugging_server_lease_expired_total 0",
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 0',
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 1',
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 1',
        "etcd_disk_wal_fsync_duration_seconds_sum 0.0015",
        "etcd_disk_wal_fsync_duration_seconds_count 1",
        "etcd_mvcc_db_total_size_in_bytes 20480",
        "etcd_mvcc_db_total_size_in_use_in_bytes 16384",
        "etcd_mvcc_delete_total 0",
        "etcd_mvcc_put_total 0",
        "etcd_mvcc_range_total 0",
        "etcd_mvcc_txn_total 0",
        "etcd_server_has_leader 1",
        "etcd_server_health_failures 1",
        "etcd_server_health_success 4",
        'etcd_server_id{server_id="8e9e05c52164694d"} 1',
        "etcd_server_is_leader 0",
        "etcd_server_is_learner 0",
        "etcd_server_leader_changes_seen_total 2",
        "etcd_server_proposals_applied_total 8",
        "etcd_server_proposals_committed_total 9",
        "etcd_server_proposals_failed_total 0",
        "etcd_server_proposals_pending 2",
        "etcd_server_quota_backend_bytes 1.23456789e+08",
        'etcd_server_version{server_version="3.5.1"} 1',
        "os_fd_limit 20000",
        "os_fd_used 14",
        "process_start_time_seconds 1.79647402339e+09",
    ]
    assert ("# HELP etcd_server_leader_changes_seen_total The number of leader changes seen.\n"
            "# TYPE etcd_server_leader_changes_seen_total counter\n") in text
    assert text.endswith("\n")


def test_a_members_metrics_follow_its_writes(tmp_path):
    """A put of a new key adds one to the key count and moves the commit and apply indexes; a
    delete takes the key away; every write is fsync'd and timed; a value larger than a bbolt
    page grows the database (small ones fit the pages it has, in etcd too)."""
    with ClusterMember.alone(tmp_path, WallClock()) as member:
        before = member.metrics()
        assert (before.has_leader, before.is_leader, before.leader_changes_seen) == (True, True, 1)
        member.put(PutRequest(b"k1", b"v"))
        member.put(PutRequest(b"k1", b"v2"))
        member.put(PutRequest(b"k2", b"v" * 5000))
        after_puts = member.metrics()
        member.delete_range(DeleteRangeRequest(b"k1"))
        after_delete = member.metrics()
    assert (before.keys_total, after_puts.keys_total, after_delete.keys_total) == (0, 2, 1)
    assert after_puts.proposals_committed == before.proposals_committed + 3
    assert after_puts.proposals_applied == before.proposals_applied + 3
    assert after_delete.proposals_applied == after_puts.proposals_applied + 1
    assert after_puts.wal_fsync.count >= before.wal_fsync.count + 3
    assert after_puts.db_total_size > before.db_total_size


def test_a_members_metrics_carry_its_store_revisions_id_and_quota(tmp_path):
    """What etcd 3.4.23's /metrics showed after two puts, a compaction and a user added under
    --quota-backend-bytes 123456789: the store's current and compacted revisions (-1 before any
    compaction), the auth store's revision, the member's id, its quota and the cluster version
    by major.minor; the reference served none of them."""
    with ClusterMember.alone(tmp_path, WallClock(), quota_backend_bytes=123456789) as member:
        fresh = member.metrics()
        member.put(PutRequest(b"a", b"1"))
        member.put(PutRequest(b"a", b"2"))
        member.compact(CompactionRequest(revision=2))
        after = member.metrics()
        assert (fresh.current_revision, fresh.compact_revision) == (1, -1)
        assert (after.current_revision, after.compact_revision) == (3, 2)
        assert (after.member_id, after.is_learner, after.quota_backend_bytes) == (member.id, False, 123456789)
        assert after.auth_revision == member.server.auth.revision
        assert after.cluster_version == member.server.cluster_version
        assert after.fd_used > 0 and after.fd_limit > 0


def test_a_members_metrics_count_its_watches_and_the_database_in_use(tmp_path):
    """etcd_debugging_mvcc_watcher_total, etcd_mvcc_db_total_size_in_use_in_bytes and
    etcd_server_proposals_pending, which etcd 3.4.23's /metrics carries and the reference did not:
    after three watches were opened etcd showed 3, and 0 once their stream closed; no proposal
    is pending between requests; the size in use is Status's dbSizeInUse."""
    with ClusterMember.alone(tmp_path, WallClock()) as member:
        member.put(PutRequest(b"k", b"v" * 5000))
        ids = [member.server.watch_create(WatchCreateRequest(b"w%d" % i)) for i in range(3)]
        opened = member.metrics()
        for watch_id in ids:
            member.server.watch_cancel(watch_id)
        closed = member.metrics()
        status = member.server.status()
    assert (opened.watchers, closed.watchers) == (3, 0)
    assert (opened.proposals_pending, closed.db_size_in_use) == (0, status.db_size_in_use)
    assert 0 < closed.db_size_in_use <= closed.db_total_size


def test_a_members_metrics_count_its_leases_as_the_lessor_does(tmp_path):
    """lease/metrics.go's families, byte for byte as etcd 3.4.23 served them after leases of TTL
    5, 60, 100000 and 1 were granted (a fifth grant refused: the id exists), one renewed twice
    and one revoked: granted 4 (a TTL under the minimum counted as 2), renewed 2, revoked 1, the
    TTLs in ExponentialBuckets(1, 2, 24). The reference served none of them."""
    with ClusterMember.alone(tmp_path, WallClock()) as member:
        for lease_id, ttl in ((1, 5), (2, 60), (3, 100000), (4, 1)):
            member.lease_grant(LeaseGrantRequest(ttl, lease_id))
        with pytest.raises(EtcdError):
            member.lease_grant(LeaseGrantRequest(5, 1))
        for _ in range(2):
            member.lease_keep_alive(LeaseKeepAliveRequest(2))
        member.lease_revoke(LeaseRevokeRequest(3))
        text = expose(member.metrics(), [])
    lines = [line for line in text.splitlines() if line.startswith("etcd_debugging_lease")]
    assert lines[:3] == ["etcd_debugging_lease_granted_total 4", "etcd_debugging_lease_renewed_total 2",
                         "etcd_debugging_lease_revoked_total 1"]
    buckets = dict(line.rsplit(" ", 1) for line in lines if "_bucket" in line)
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="1"}'] == "0"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="2"}'] == "1"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="8"}'] == "2"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="64"}'] == "3"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="65536"}'] == "3"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="131072"}'] == "4"
    assert buckets['etcd_debugging_lease_ttl_total_bucket{le="8.388608e+06"}'] == "4"
    assert lines[-2:] == ["etcd_debugging_lease_ttl_total_sum 100067", "etcd_debugging_lease_ttl_total_count 4"]


def _txn(compare=(), success=()):
    return TxnRequest(tuple(compare), tuple(RequestOp(op) for op in success), ())


# What each request added to etcd 3.4.23's mvcc counters (ranges, puts, deletes, txns, put
# size), scraped from /metrics after each one. A transaction of more than one operation is a txn
# too; a put or delete that reads the previous value is one; a txn's compares and checks are a
# read transaction of their own, ended before its writes begin; a failed range still counts.
MVCC_COUNTED = [
    (lambda s: s.range(RangeRequest(b"a")), (1, 0, 0, 0, 0)),
    (lambda s: s.put(PutRequest(b"a", b"12345")), (0, 1, 0, 0, 6)),
    (lambda s: s.put(PutRequest(b"a", b"1", prev_kv=True)), (1, 1, 0, 1, 2)),
    (lambda s: s.put(PutRequest(b"a", ignore_value=True)), (1, 1, 0, 1, 2)),
    (lambda s: s.delete_range(DeleteRangeRequest(b"zz")), (0, 0, 1, 0, 0)),
    (lambda s: s.delete_range(DeleteRangeRequest(b"a", prev_kv=True)), (1, 0, 1, 1, 0)),
    (lambda s: s.txn(_txn([Compare("EQUAL", "VERSION", b"a", value=0)] * 2,
                          [RangeRequest(b"a"), RangeRequest(b"b")])), (4, 0, 0, 1, 0)),
    (lambda s: s.txn(_txn()), (0, 0, 0, 0, 0)),
    (lambda s: s.txn(_txn(success=[RangeRequest(b"a")])), (1, 0, 0, 0, 0)),
    (lambda s: s.txn(_txn([Compare("EQUAL", "VERSION", b"a", value=0)],
                          [PutRequest(b"a", b"v"), PutRequest(b"b", b"xy")])), (1, 2, 0, 1, 5)),
    (lambda s: s.txn(_txn(success=[PutRequest(b"a", ignore_value=True)])), (2, 1, 0, 1, 2)),
    (lambda s: s.txn(_txn(success=[_txn([Compare("EQUAL", "VERSION", b"a", value=1)],
                                         [PutRequest(b"c"), DeleteRangeRequest(b"d")])])), (1, 0, 0, 0, 0)),
    (lambda s: s.lease_grant(LeaseGrantRequest(60, 7)), (0, 0, 0, 0, 0)),
    (lambda s: [s.put(PutRequest(key, lease=7)) for key in (b"l1", b"l2")], (0, 2, 0, 0, 4)),
    (lambda s: s.lease_revoke(LeaseRevokeRequest(7)), (0, 0, 2, 1, 0)),
    (lambda s: s.compact(CompactionRequest(3)), (1, 0, 0, 0, 0)),
    (lambda s: s.range(RangeRequest(b"a", revision=2)), (1, 0, 0, 0, 0)),
    (lambda s: s.range(RangeRequest(b"a", revision=2000)), (1, 0, 0, 0, 0)),
]


def test_the_mvcc_counters_count_each_transactions_operations_as_etcd_does():
    """etcd_mvcc_{range,put,delete,txn}_total and etcd_debugging_mvcc_total_put_size_in_bytes
    (mvcc/metrics_txn.go), which the reference did not serve, equal etcd 3.4.23's after each of
    18 requests (real etcd probed side by side over gRPC)."""
    server = EtcdServer(ManualClock())
    for request, expected in MVCC_COUNTED:
        before = replace(server.store.counts)
        try:
            request(server)
        except EtcdError:
            pass
        after = server.store.counts
        assert (after.ranges - before.ranges, after.puts - before.puts, after.deletes - before.deletes,
                after.txns - before.txns, after.put_size - before.put_size) == expected


def test_the_mvcc_counters_are_exposed_under_both_names(tmp_path):
    """etcd 3.4 serves each counter as etcd_mvcc_* and etcd_debugging_mvcc_* (until 3.5)."""
    with ClusterMember.alone(tmp_path, WallClock()) as member:
        member.put(PutRequest(b"k", b"v", prev_kv=True))
        text = expose(member.metrics(), [])
    samples = dict(line.split(" ") for line in text.splitlines() if not line.startswith("#"))
    for prefix in ("etcd_mvcc", "etcd_debugging_mvcc"):
        assert [samples[f"{prefix}_{name}_total"] for name in ("delete", "put", "range", "txn")] == [
            "0", "1", "1", "1"]
    assert samples["etcd_debugging_mvcc_total_put_size_in_bytes"] == "2"


class StubMember:
    def __init__(self, *, alarms=(), leader=1, quorum_read_fails=False):
        self._alarms, self.leader, self._fails = list(alarms), leader, quorum_read_fails
        self.quorum_reads: list[float] = []
        self.health_checks = HealthChecks()

    def alarms(self):
        return self._alarms

    def quorum_read(self, timeout):
        self.quorum_reads.append(timeout)
        if self._fails:
            raise ErrTimeout()


def test_healthy_is_a_leader_and_a_quorum_read_within_a_second():
    member = StubMember()
    assert check_health(member) is True
    assert member.quorum_reads == [1.0]


@pytest.mark.parametrize("member", [
    StubMember(alarms=[AlarmMember(1, "NOSPACE")]), StubMember(leader=0), StubMember(quorum_read_fails=True)],
    ids=["alarm", "no leader", "quorum read fails"])
def test_an_alarm_no_leader_or_a_failed_quorum_read_is_unhealthy(member):
    assert check_health(member) is False


@pytest.mark.parametrize("member, counts", [
    (StubMember(), (1, 0)), (StubMember(leader=0), (0, 1)), (StubMember(quorum_read_fails=True), (0, 1)),
    (StubMember(alarms=[AlarmMember(1, "NOSPACE")]), (0, 0))],
    ids=["healthy", "no leader", "quorum read fails", "alarm"])
def test_each_check_counts_as_a_success_or_a_failure_but_an_alarm_as_neither(member, counts):
    """etcd 3.4.23's checkHealth bumps health_success or health_failures at its end; an alarm
    returns before that and counts nothing."""
    check_health(member)
    assert (member.health_checks.success, member.health_checks.failures) == counts


def test_a_members_health_checks_are_in_its_metrics(tmp_path):
    with ClusterMember.alone(tmp_path, WallClock()) as member:
        check_health(member)
        metrics = member.metrics()
    assert (metrics.health_success, metrics.health_failures) == (1, 0)


def test_an_excluded_alarm_does_not_make_the_member_unhealthy():
    """etcd 3.4.23's checkHealth skips the alarms named by /health?exclude=...; any other still counts."""
    member = StubMember(alarms=[AlarmMember(1, "NOSPACE")])
    assert check_health(member, {"NOSPACE"}) is True
    assert check_health(member, {"CORRUPT"}) is False
    assert check_health(StubMember(alarms=[AlarmMember(1, "NOSPACE"),
                                           AlarmMember(1, "CORRUPT")]), {"NOSPACE"}) is False


def test_each_exclude_parameter_names_one_alarm():
    assert excluded_alarms("exclude=NOSPACE&exclude=CORRUPT&x=1") == {"NOSPACE", "CORRUPT"}
    assert excluded_alarms("") == set()


def test_a_negative_quota_flag_is_the_quota_gauges_value_and_no_quota(tmp_path):
    """etcd 3.4.23 under --quota-backend-bytes -1 wrote 'etcd_server_quota_backend_bytes -1'
    (NewBackendQuota sets the gauge to the flag before turning the quota off); the reference
    left the line out."""
    from reference_impl.etcd.alarm import backend_quota

    quota, _ = backend_quota(-1)
    with ClusterMember.alone(tmp_path, WallClock(), quota_backend_bytes=quota) as member:
        member.put(PutRequest(b"k", b"v" * 5000))  # no quota: no NOSPACE
        metrics = member.metrics()
    assert "\netcd_server_quota_backend_bytes -1\n" in expose(metrics, [])


def test_a_value_on_a_bucket_bound_counts_in_that_bucket():
    """Prometheus buckets are upper-inclusive (le): 0.001 is in le="0.001", not only above it."""
    h = Histogram((0.001, 0.01))
    h.observe(0.001)
    h.observe(0.01)
    assert h.snapshot().cumulative_counts == (1, 2)


def test_a_proposal_that_times_out_is_counted_as_failed(tmp_path):
    """etcd_server_proposals_failed_total (etcdserver's proposalsFailed), which the dashboard
    graphs and the reference did not serve: a member of two whose peer is away has no leader,
    so a put waits out the request timeout and counts once; nothing counted before."""
    from reference_impl.etcd.raftnode import parse_initial_cluster

    members = parse_initial_cluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2")
    member = ClusterMember(tmp_path, WallClock(), name="a", initial_cluster=members)
    try:
        member.request_timeout = 0.2
        assert member.metrics().proposals_failed == 0
        with pytest.raises(EtcdError) as refused:
            member.put(PutRequest(b"k", b"v"))
        assert refused.value.message == "context deadline exceeded"  # no leader to propose to
        assert member.metrics().proposals_failed == 1
        assert "\netcd_server_proposals_failed_total 1\n" in expose(member.metrics(), [])
    finally:
        member.close()


def test_an_expiry_revoke_the_leader_drops_is_not_kept(tmp_path, monkeypatch):
    """A revoke proposed for an expired lease that raft drops is answered at once and forgotten:
    its bookkeeping for the expiry counter goes with it (it stayed for the life of the member)."""
    from reference_impl.etcd.raft import ErrProposalDropped
    from reference_impl.machinery.clock import ManualClock

    clock = ManualClock(1000.0)
    with ClusterMember.alone(tmp_path, clock) as member:
        member.lease_grant(LeaseGrantRequest(10, 1))
        propose = member.node.propose
        dropped = []

        def dropping(request_id, request, now, **flags):
            if isinstance(request, LeaseRevokeRequest):
                dropped.append(request_id)
                raise ErrProposalDropped()
            return propose(request_id, request, now, **flags)

        monkeypatch.setattr(member.node, "propose", dropping)
        clock.advance(11)
        assert member.tick() == (1,)
        for _ in range(200):
            if dropped and not member._expiry_revokes:
                break
            time.sleep(0.01)
        assert dropped and member._expiry_revokes == {}


def test_a_lease_revoked_for_its_expiry_is_counted_once_applied(tmp_path):
    """etcd_debugging_server_lease_expired_total (etcdserver's leaseExpired): the leader counts
    each revoke it proposed for an expired lease once it applied; a client's revoke is not one."""
    from reference_impl.machinery.clock import ManualClock

    clock = ManualClock(1000.0)
    with ClusterMember.alone(tmp_path, clock) as member:
        for lease_id in (1, 2):
            member.lease_grant(LeaseGrantRequest(10, lease_id))
        member.lease_revoke(LeaseRevokeRequest(2))
        clock.advance(11)
        assert member.tick() == (1,)
        for _ in range(200):
            if not member.lease_leases().leases:
                break
            time.sleep(0.01)
        assert member.metrics().leases_expired == 1
        assert "\netcd_debugging_server_lease_expired_total 1\n" in expose(member.metrics(), [])
