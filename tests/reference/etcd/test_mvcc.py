"""Rules of etcd's multi-version store: revisions, per-key generations, range options, compaction."""
from __future__ import annotations

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import EtcdServer
from reference_impl.etcd.errors import ErrCompacted, ErrFutureRev, ErrKeyNotFound
from reference_impl.etcd.messages import (
    CompactionRequest, DeleteRangeRequest, KeyValue, PutRequest, RangeRequest)
from reference_impl.etcd.mvcc import KeyIndex, KVStore, Revision


@pytest.fixture
def server() -> EtcdServer:
    return EtcdServer(ManualClock())


def put(server: EtcdServer, key: bytes, value: bytes = b"v", **kw) -> int:
    return server.put(PutRequest(key, value, **kw)).header.revision


def get(server: EtcdServer, key: bytes, **kw) -> KeyValue | None:
    kvs = server.range(RangeRequest(key, **kw)).kvs
    return kvs[0] if kvs else None


def keys(server: EtcdServer, key: bytes, range_end: bytes, **kw) -> list[bytes]:
    return [kv.key for kv in server.range(RangeRequest(key, range_end, **kw)).kvs]


def test_empty_store_is_at_revision_1():
    """An empty store is at revision 1, as a fresh etcd is."""
    assert KVStore().current_revision == 1
    assert EtcdServer(ManualClock()).header().revision == 1


def test_each_write_gets_the_next_revision(server):
    """The first write makes the store revision 2; each later write adds exactly one."""
    assert [put(server, b"a"), put(server, b"b"), put(server, b"a")] == [2, 3, 4]
    assert server.header().revision == 4


def test_versions_count_puts_within_a_generation(server):
    """create_revision stays, mod_revision moves and version counts up while a key lives."""
    put(server, b"k", b"1")
    put(server, b"other")
    put(server, b"k", b"2")
    assert get(server, b"k") == KeyValue(b"k", b"2", create_revision=2, mod_revision=4, version=2)


def test_delete_ends_a_generation_and_resets_the_version(server):
    """After a delete, a put starts a new generation: new create_revision, version 1."""
    put(server, b"k")
    put(server, b"k")
    server.delete_range(DeleteRangeRequest(b"k"))
    rev = put(server, b"k", b"again")
    assert get(server, b"k") == KeyValue(b"k", b"again", rev, rev, 1)


def test_key_index_keeps_generations():
    """A key's index holds one generation per life, each closed by its tombstone."""
    ki = KeyIndex(b"k")
    ki.put(Revision(2))
    ki.put(Revision(3))
    ki.tombstone(Revision(4))
    ki.put(Revision(6))
    assert ki.generations == [[Revision(2), Revision(3), Revision(4)], [Revision(6)]]
    assert [ki.get(r) for r in (1, 2, 3, 4, 5, 6)] == [
        None, Revision(2), Revision(3), None, None, Revision(6)]


def test_delete_of_nothing_does_not_make_a_revision(server):
    """Deleting keys that do not exist writes nothing and leaves the revision alone."""
    put(server, b"a")
    resp = server.delete_range(DeleteRangeRequest(b"x", b"y"))
    assert (resp.deleted, resp.header.revision, server.header().revision) == (0, 2, 2)


def test_range_end_selects_half_open_interval(server):
    """range_end selects keys in [key, range_end); a prefix is [p, p+1)."""
    for k in (b"a", b"b", b"b/1", b"b/2", b"c"):
        put(server, k)
    assert keys(server, b"b", b"c") == [b"b", b"b/1", b"b/2"]
    assert keys(server, b"b/", b"b0") == [b"b/1", b"b/2"]


def test_range_end_zero_byte_means_every_key_from_key(server):
    """range_end b"\\0" selects every key >= key; key b"\\0" too gives every key."""
    for k in (b"a", b"b", b"c"):
        put(server, k)
    assert keys(server, b"b", b"\0") == [b"b", b"c"]
    assert keys(server, b"\0", b"\0") == [b"a", b"b", b"c"]


def test_limit_sets_more_and_count_counts_all(server):
    """With a limit, kvs are cut to it, `more` says so, and count is the full number."""
    for k in (b"a", b"b", b"c"):
        put(server, k)
    resp = server.range(RangeRequest(b"a", b"\0", limit=2))
    assert ([kv.key for kv in resp.kvs], resp.more, resp.count) == ([b"a", b"b"], True, 3)
    resp = server.range(RangeRequest(b"a", b"\0", limit=3))
    assert (len(resp.kvs), resp.more) == (3, False)


def test_read_at_a_past_revision(server):
    """A read at revision r sees the store as it was right after revision r."""
    put(server, b"k", b"1")
    put(server, b"k", b"2")
    server.delete_range(DeleteRangeRequest(b"k"))
    assert get(server, b"k", revision=2).value == b"1"
    assert get(server, b"k", revision=3).value == b"2"
    assert get(server, b"k", revision=4) is None
    assert get(server, b"k", revision=1) is None


def test_a_past_read_answers_with_the_current_revision_in_the_header(server):
    """The header of a read at a past revision still carries the current revision."""
    put(server, b"k")
    put(server, b"k")
    assert server.range(RangeRequest(b"k", revision=2)).header.revision == 3


def test_count_only_returns_no_kvs(server):
    """count_only answers the count and no key-values."""
    for k in (b"a", b"b"):
        put(server, k)
    resp = server.range(RangeRequest(b"a", b"\0", count_only=True))
    assert (resp.kvs, resp.count) == ((), 2)


def test_keys_only_drops_values(server):
    """keys_only answers key-values with empty values and everything else kept."""
    put(server, b"a", b"value")
    kv = get(server, b"a", keys_only=True)
    assert (kv.key, kv.value, kv.mod_revision) == (b"a", b"", 2)


def test_sort_by_target_and_order(server):
    """sort_order and sort_target order the result; DESCEND reverses."""
    put(server, b"a", b"3")
    put(server, b"b", b"1")
    put(server, b"c", b"2")
    put(server, b"b", b"1")
    by = lambda **kw: keys(server, b"a", b"\0", **kw)  # noqa: E731
    assert by(sort_order="DESCEND") == [b"c", b"b", b"a"]
    assert by(sort_order="ASCEND", sort_target="VALUE") == [b"b", b"c", b"a"]
    assert by(sort_order="DESCEND", sort_target="MOD") == [b"b", b"c", b"a"]
    assert by(sort_order="DESCEND", sort_target="VERSION")[0] == b"b"
    assert by(sort_order="ASCEND", sort_target="CREATE") == [b"a", b"b", b"c"]


@pytest.mark.parametrize("target, order, expected", [
    ("VALUE", "ASCEND", "09 18 15 03 12 00 06 10 07 04 13 16 01 19 08 05 11 14 02 17"),
    ("VALUE", "DESCEND", "08 17 02 14 11 05 10 16 19 01 07 04 13 12 03 15 00 09 18 06"),
    ("VERSION", "ASCEND", "10 17 02 03 18 05 06 09 19 01 07 11 15 13 14 12 16 00 04 08"),
    ("VERSION", "DESCEND", "08 16 12 00 04 10 02 07 05 09 03 11 06 13 14 15 01 17 18 19"),
])
def test_equal_sort_keys_come_in_the_order_gos_unstable_sort_leaves_them(server, target, order,
                                                                         expected):
    """etcd sorts a range with sort.Sort (pdqsort, etcd 3.4.23 is built with Go 1.19), which is
    not stable: keys with equal values or versions come out in its order, not in key order.
    Recorded from etcd 3.4.23: k00..k19 put with value i*7 % 3, then every fourth put again."""
    for i in [*range(20), *range(0, 20, 4)]:
        put(server, b"k%02d" % i, b"%d" % (i * 7 % 3))
    got = keys(server, b"k", b"l", sort_target=target, sort_order=order)
    assert b" ".join(key[1:] for key in got).decode() == expected


def test_a_sort_target_without_order_sorts_ascending(server):
    """A sort target other than KEY with sort order NONE sorts ascending, as etcd does."""
    put(server, b"a", b"2")
    put(server, b"b", b"1")
    assert keys(server, b"a", b"\0", sort_target="VALUE") == [b"b", b"a"]


def test_limit_applies_after_sorting(server):
    """With a sort order, the limit takes the first keys of the sorted result."""
    for k in (b"a", b"b", b"c"):
        put(server, k)
    resp = server.range(RangeRequest(b"a", b"\0", limit=1, sort_order="DESCEND"))
    assert ([kv.key for kv in resp.kvs], resp.more) == ([b"c"], True)


def test_revision_filters(server):
    """min/max mod and create revision filters drop key-values outside the bounds."""
    put(server, b"a")  # 2
    put(server, b"b")  # 3
    put(server, b"a")  # 4: a created 2, modified 4
    assert keys(server, b"a", b"\0", min_mod_revision=4) == [b"a"]
    assert keys(server, b"a", b"\0", max_mod_revision=3) == [b"b"]
    assert keys(server, b"a", b"\0", min_create_revision=3) == [b"b"]
    assert keys(server, b"a", b"\0", max_create_revision=2) == [b"a"]


def test_put_prev_kv_returns_the_overwritten_value(server):
    """put with prev_kv answers the key-value it replaced (none for a new key)."""
    assert server.put(PutRequest(b"k", b"1", prev_kv=True)).prev_kv is None
    assert server.put(PutRequest(b"k", b"2", prev_kv=True)).prev_kv.value == b"1"


def test_ignore_value_keeps_the_value(server):
    """put with ignore_value keeps the stored value and still makes a new version."""
    put(server, b"k", b"kept")
    server.put(PutRequest(b"k", ignore_value=True))
    kv = get(server, b"k")
    assert (kv.value, kv.version) == (b"kept", 2)


def test_ignore_value_on_a_missing_key_is_key_not_found(server):
    """put with ignore_value or ignore_lease on a missing key fails with ErrKeyNotFound."""
    with pytest.raises(ErrKeyNotFound):
        server.put(PutRequest(b"missing", ignore_value=True))
    with pytest.raises(ErrKeyNotFound):
        server.put(PutRequest(b"missing", b"v", ignore_lease=True))
    assert server.header().revision == 1


def test_delete_range_prev_kv_returns_the_deleted(server):
    """delete_range with prev_kv answers what it deleted, and counts it."""
    put(server, b"a", b"1")
    put(server, b"b", b"2")
    resp = server.delete_range(DeleteRangeRequest(b"a", b"\0", prev_kv=True))
    assert (resp.deleted, [kv.value for kv in resp.prev_kvs]) == (2, [b"1", b"2"])
    assert resp.header.revision == 4


def test_delete_range_is_one_revision(server):
    """Deleting many keys at once is one revision."""
    for k in (b"a", b"b", b"c"):
        put(server, k)
    assert server.delete_range(DeleteRangeRequest(b"a", b"\0")).header.revision == 5


def test_read_below_compaction_fails(server):
    """After compacting to r, a read below r fails with ErrCompacted; at r it still works."""
    put(server, b"k", b"1")
    put(server, b"k", b"2")
    server.compact(CompactionRequest(3))
    with pytest.raises(ErrCompacted):
        get(server, b"k", revision=2)
    assert get(server, b"k", revision=3).value == b"2"


def test_read_above_current_is_future_rev(server):
    """A read at a revision above the current one fails with ErrFutureRev."""
    with pytest.raises(ErrFutureRev):
        get(server, b"k", revision=2)


def test_compacting_again_to_the_same_revision_fails(server):
    """Compacting to a revision at or below the compacted one fails with ErrCompacted."""
    put(server, b"k")
    put(server, b"k")
    server.compact(CompactionRequest(2))
    with pytest.raises(ErrCompacted):
        server.compact(CompactionRequest(2))
    with pytest.raises(ErrCompacted):
        server.compact(CompactionRequest(1))


def test_compacting_to_a_future_revision_fails(server):
    """Compacting above the current revision fails with ErrFutureRev and changes nothing."""
    with pytest.raises(ErrFutureRev):
        server.compact(CompactionRequest(5))
    assert server.store.compact_revision == -1


def test_compaction_keeps_what_is_visible(server):
    """Compaction keeps every key-value visible at the compacted revision and after."""
    put(server, b"a", b"1")
    put(server, b"a", b"2")
    put(server, b"b", b"1")
    server.delete_range(DeleteRangeRequest(b"b"))
    put(server, b"a", b"3")
    server.compact(CompactionRequest(5))
    assert get(server, b"a", revision=5).value == b"2"
    assert get(server, b"b", revision=5) is None
    assert get(server, b"a").value == b"3"
    assert get(server, b"a").version == 3


def test_compaction_forgets_deleted_keys(server):
    """A key deleted at or before the compacted revision leaves no trace in the index."""
    put(server, b"gone")
    server.delete_range(DeleteRangeRequest(b"gone"))
    put(server, b"kept")
    server.compact(CompactionRequest(4))
    assert b"gone" not in server.store._index
    assert [kv.key for kv in server.store.records()] == [b"kept"]


def test_events_between_lists_changes_in_order():
    """History lists each change once, by revision, with deletes as key and mod_revision only."""
    store = KVStore()
    with store.write() as txn:
        txn.put(b"a", b"1")
        txn.put(b"b", b"1")
    with store.write() as txn:
        txn.delete_range(b"a")
    events = store.events_between(2, 3, b"a", b"\0")
    assert [(e.type, e.kv.key, e.kv.mod_revision) for e in events] == [
        ("PUT", b"a", 2), ("PUT", b"b", 2), ("DELETE", b"a", 3)]
    assert events[2].kv == KeyValue(b"a", mod_revision=3)


def test_a_write_transaction_sees_its_own_writes():
    """Inside a write transaction, reads see the writes made so far at the coming revision."""
    store = KVStore()
    with store.write() as txn:
        txn.put(b"a", b"1")
        result = txn.range(b"a")
    assert (result.kvs[0].value, result.rev) == (b"1", 2)


def test_the_backend_size_follows_writes_deletes_and_compaction():
    """records_size (what the space quota measures) counts every stored record, tombstones and
    history included, until a compaction drops what is no longer visible."""
    store = KVStore()
    for value in (b"12345", b"123"):
        with store.write() as txn:
            txn.put(b"key", value)
    with store.write() as txn:
        txn.delete_range(b"key")
    assert store.records_size() == (3, 3 * len(b"key") + 8)
    store.compact(store.current_revision)
    assert store.records_size() == (0, 0)
