"""Rules of the EtcdServer facade: etcd's errors for bad input, headers, maintenance, replay."""
from __future__ import annotations

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import EtcdServer, backend
from reference_impl.etcd.bolt import read_db
from reference_impl.etcd.errors import (
    ErrCompacted, ErrDuplicateKey, ErrEmptyKey, ErrFutureRev, ErrKeyNotFound, ErrLeaseExist,
    ErrLeaseNotFound, ErrLeaseProvided, ErrLeaseTTLTooLarge, ErrRequestTooLarge, ErrTooManyOps,
    ErrValueProvided, EtcdError)
from reference_impl.etcd.messages import (
    Compare, CompactionRequest, DeleteRangeRequest, LeaseGrantRequest, LeaseKeepAliveRequest,
    LeaseRevokeRequest, LeaseTimeToLiveRequest, PutRequest, RangeRequest, RequestOp, TxnRequest)

MiB = 1024 * 1024


@pytest.fixture
def server() -> EtcdServer:
    s = EtcdServer(ManualClock())
    s.put(PutRequest(b"a", b"1"))
    s.put(PutRequest(b"a", b"2"))
    s.put(PutRequest(b"b", b"1"))
    s.lease_grant(LeaseGrantRequest(60, 5))
    s.compact(CompactionRequest(3))
    return s


def everything(server: EtcdServer):
    """What a client can observe of the stored state, at every readable revision."""
    now = server.header().revision
    snapshots = [server.range(RangeRequest(b"\0", b"\0", revision=r)).kvs for r in range(3, now + 1)]
    return now, server.store.compact_revision, snapshots, server.lease_leases().leases


BAD_REQUESTS = [
    ("put with empty key", lambda s: s.put(PutRequest(b"", b"v")), ErrEmptyKey),
    ("range with empty key", lambda s: s.range(RangeRequest(b"")), ErrEmptyKey),
    ("delete with empty key", lambda s: s.delete_range(DeleteRangeRequest(b"")), ErrEmptyKey),
    ("value over 1.5 MiB", lambda s: s.put(PutRequest(b"big", b"x" * (3 * MiB // 2))), ErrRequestTooLarge),
    ("txn over 1.5 MiB", lambda s: s.txn(TxnRequest(success=tuple(
        RequestOp(PutRequest(b"k%d" % i, b"x" * (MiB // 2))) for i in range(3)))), ErrRequestTooLarge),
    ("put with unknown lease", lambda s: s.put(PutRequest(b"a", b"v", lease=99)), ErrLeaseNotFound),
    ("ignore_value with a value", lambda s: s.put(PutRequest(b"a", b"v", ignore_value=True)), ErrValueProvided),
    ("ignore_lease with a lease", lambda s: s.put(PutRequest(b"a", lease=5, ignore_lease=True)), ErrLeaseProvided),
    ("ignore_value on missing key", lambda s: s.put(PutRequest(b"zz", ignore_value=True)), ErrKeyNotFound),
    ("read at a future revision", lambda s: s.range(RangeRequest(b"a", revision=99)), ErrFutureRev),
    ("read below compaction", lambda s: s.range(RangeRequest(b"a", revision=2)), ErrCompacted),
    ("compact to the past", lambda s: s.compact(CompactionRequest(2)), ErrCompacted),
    ("compact to the future", lambda s: s.compact(CompactionRequest(99)), ErrFutureRev),
    ("txn with 129 ops", lambda s: s.txn(TxnRequest(success=tuple(
        RequestOp(PutRequest(b"k%d" % i)) for i in range(129)))), ErrTooManyOps),
    ("txn putting a key twice", lambda s: s.txn(TxnRequest(success=(
        RequestOp(PutRequest(b"k")), RequestOp(PutRequest(b"k"))))), ErrDuplicateKey),
    ("txn compare with empty key", lambda s: s.txn(TxnRequest(
        compare=(Compare("EQUAL", "VERSION", b""),))), ErrEmptyKey),
    ("txn with an unknown lease", lambda s: s.txn(TxnRequest(success=(
        RequestOp(PutRequest(b"x", lease=99)),))), ErrLeaseNotFound),
    ("revoke unknown lease", lambda s: s.lease_revoke(LeaseRevokeRequest(99)), ErrLeaseNotFound),
    ("grant a lease id in use", lambda s: s.lease_grant(LeaseGrantRequest(60, 5)), ErrLeaseExist),
    ("grant a huge TTL", lambda s: s.lease_grant(LeaseGrantRequest(10**10)), ErrLeaseTTLTooLarge),
]


@pytest.mark.parametrize("make_request, error", [(r, e) for _, r, e in BAD_REQUESTS],
                         ids=[name for name, _, _ in BAD_REQUESTS])
def test_a_bad_request_gets_etcds_error_and_changes_nothing(server, make_request, error):
    """A malformed or impossible request fails with etcd's own error, and the revision, the data
    at every revision, the compaction and the leases are exactly as before."""
    before = everything(server)
    with pytest.raises(error) as caught:
        make_request(server)
    assert caught.value.message.startswith("etcdserver: ")
    assert everything(server) == before


def test_a_value_just_under_the_limit_is_accepted(server):
    """A request under 1.5 MiB is accepted: the limit is etcd's --max-request-bytes default."""
    server.put(PutRequest(b"big", b"x" * (3 * MiB // 2 - 100)))


def test_a_read_only_txn_has_no_size_limit(server):
    """The limit is on raft entries, and etcd serves a read-only txn without one (recorded from
    etcd 3.4: a txn comparing or ranging over a 1,600,000-byte key is answered)."""
    key = b"k" * 1_600_000
    assert server.txn(TxnRequest(compare=(Compare("EQUAL", "VERSION", key),))).succeeded
    ranged = server.txn(TxnRequest(success=(RequestOp(RangeRequest(key)),)))
    assert ranged.responses[0].response.kvs == ()


def test_errors_carry_grpc_codes_and_details():
    """An error carries etcd's gRPC code and message; its str adds the data behind it."""
    err = ErrCompacted(revision=2, compact_revision=3)
    assert (err.grpc_code, err.message) == ("OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted")
    assert str(err) == "etcdserver: mvcc: required revision has been compacted (revision=2, compact_revision=3)"
    assert isinstance(err, EtcdError)


def test_headers_name_the_cluster_member_and_term(server):
    """Every response header carries cluster id, member id, raft term and the revision."""
    header = server.range(RangeRequest(b"a")).header
    assert (header.cluster_id, header.member_id, header.raft_term, header.revision) == (
        server.cluster_id, server.member.id, 2, 4)


def test_status_names_the_release_whose_cluster_version_a_snapshot_records(server):
    """Status's version is an etcd release of the cluster version the snapshot file saves
    (etcd 3.4.23 saves 3.4.0), so clients and `snapshot restore` meet the same etcd."""
    major, minor, _ = server.status().version.split(".")
    cluster = dict(read_db(server.snapshot_db())[b"cluster"])[b"clusterVersion"]
    assert cluster == f"{major}.{minor}.0".encode()


def test_status_alarms_members(server):
    """status reports version, raft index and size; there are no alarms; one member, the leader."""
    status = server.status()
    assert (status.leader, status.raft_index) == (server.member.id, 5)
    assert status.db_size > 0
    assert server.alarms() == ()
    assert [m.name for m in server.members()] == ["default"]


def test_status_sizes_the_backend_in_bbolt_pages_as_fresh_etcd_does():
    """A fresh backend is 16384 bytes in use (meta pages, freelist, the bucket pages) and 20480
    in all, what a fresh etcd 3.4 reports; sizes are whole pages and grow with the data."""
    server = EtcdServer(ManualClock())
    fresh = server.status()
    assert (fresh.db_size, fresh.db_size_in_use) == (20480, 16384)
    for i in range(50):
        server.put(PutRequest(f"k{i}".encode(), b"v" * 100))
    grown = server.status()
    assert grown.db_size_in_use > fresh.db_size_in_use and grown.db_size_in_use % 4096 == 0
    assert grown.db_size == grown.db_size_in_use + 4096


def test_status_after_a_write_sizes_only_what_was_written_since(monkeypatch):
    """The size in use is the length of the file a snapshot would be, but a Status (which a
    member answers while writes wait) after one more write encodes that write's records, not
    every revision of the store again."""
    server = EtcdServer(ManualClock())
    for i in range(300):
        server.put(PutRequest(f"k{i % 100}".encode(), b"v" * 200))
    server.status()
    encoded = []
    original = backend.marshal_key_value
    monkeypatch.setattr(backend, "marshal_key_value", lambda kv, *a: encoded.append(kv) or original(kv, *a))
    server.put(PutRequest(b"k7", b"w" * 200))
    status = server.status()
    assert [kv.key for kv in encoded] == [b"k7"]
    monkeypatch.undo()
    assert status.db_size_in_use == len(server.snapshot_db())


def test_the_size_in_use_follows_every_kind_of_change():
    """Counted as the store changes, the size in use stays the snapshot file's length through
    puts, txns, deletes, leases, a compaction, more writes and a defragment."""
    server = EtcdServer(ManualClock())
    sizes = []

    def check():
        sizes.append(server.status().db_size_in_use)
        assert sizes[-1] == len(server.snapshot_db())

    for i in range(120):
        server.put(PutRequest(f"k{i % 40}".encode(), b"v" * (i * 13 % 900)))
        if i % 25 == 0:
            check()
    lease = server.lease_grant(LeaseGrantRequest(60)).id
    server.txn(TxnRequest(success=tuple(RequestOp(PutRequest(f"t{i}".encode(), b"x" * 50, lease=lease))
                                        for i in range(30))))
    check()
    server.delete_range(DeleteRangeRequest(b"k1", b"k2"))
    check()
    server.compact(CompactionRequest(server.header().revision - 3))
    check()
    server.put(PutRequest(b"after", b"compaction"))
    check()
    server.lease_revoke(LeaseRevokeRequest(lease))
    check()
    server.defragment()
    layout = len(server.snapshot_db())
    assert (server.status().db_size, server.status().db_size_in_use) == (layout + 4096, layout - 4096)
    assert len(set(sizes)) > 3


def test_a_keep_alive_renews_without_an_entry():
    """etcd's leader renews a lease in its lessor alone (lessor.Renew): the raft index stays
    where it was, as real etcd 3.4's raftIndex does across `lease keep-alive --once`."""
    clock = ManualClock()
    server = EtcdServer(clock)
    lease = server.lease_grant(LeaseGrantRequest(10, 7)).id
    index = server.raft_index
    clock.advance(8)
    assert server.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 10
    assert server.raft_index == index
    assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 10


def test_replaying_applied_requests_rebuilds_the_same_state():
    """apply(request, now) is deterministic: the same requests at the same times give the same state."""
    log = []

    class Recording(EtcdServer):
        def apply(self, request, now):
            log.append((request, now))
            return super().apply(request, now)

    clock = ManualClock(50.0)
    original = Recording(clock)
    lease = original.lease_grant(LeaseGrantRequest(10)).id
    original.put(PutRequest(b"a", b"1", lease=lease))
    original.txn(TxnRequest(compare=(Compare("EQUAL", "VERSION", b"a", value=1),),
                            success=(RequestOp(PutRequest(b"b", b"2")),)))
    clock.advance(11)
    original.tick()
    original.compact(CompactionRequest(3))

    replica = EtcdServer(ManualClock(999.0))
    for request, now in log:
        try:
            replica.apply(request, now)
        except EtcdError:
            pass
    assert everything(replica) == everything(original)


def test_the_backend_file_gives_back_space_only_when_defragmented():
    """bbolt's file does not shrink: once its keys are deleted and compacted away, etcd 3.4
    reported the same size or more with less of it in use, and a `defrag` brought the size down
    to what is in use plus the two pages the copy's commit left free (recorded: 311296, then
    20480 with 12288 in use)."""
    server = EtcdServer(ManualClock())
    for i in range(50):
        server.put(PutRequest(f"k{i}".encode(), b"v" * 1000))
    full = server.status()
    server.delete_range(DeleteRangeRequest(b"k", b"l"))
    server.compact(CompactionRequest(server.header().revision))
    emptied = server.status()
    assert emptied.db_size >= full.db_size and emptied.db_size_in_use < full.db_size_in_use
    server.defragment()
    defragmented = server.status()
    assert (defragmented.db_size, defragmented.db_size_in_use) == (20480, 12288)
    assert defragmented.db_size < emptied.db_size


def test_a_removed_member_stays_in_members_removed_and_in_the_hash():
    """etcd's mustDeleteMemberFromBackend writes the removed id (hex) -> "removed" into the
    members_removed bucket: the snapshot holds it, Maintenance.Hash covers it, and the snapshot
    still reads back."""
    from reference_impl.etcd.backend import read_snapshot
    server = EtcdServer(ManualClock())
    server.put(PutRequest(b"a", b"1"))
    before = server.hash().hash
    server.removed_members.add(0x8e9e05c52164694d)
    db = server.snapshot_db()
    assert read_db(db)[b"members_removed"] == [(b"8e9e05c52164694d", b"removed")]
    assert server.hash().hash != before
    assert [kv.key for kv in read_snapshot(db).records] == [b"a"]
