"""The bbolt layout counted without writing it: bolt.layout_size and TreeSizer give the length of
the file write_db builds, so Status and /metrics can report the size in use cheaply."""
from __future__ import annotations

import contextlib
import random

import pytest

from reference_impl.etcd.bolt import PAGE_SIZE, TreeSizer, layout_size, write_db


def _random_buckets(rng: random.Random) -> dict[bytes, list[tuple[bytes, bytes]]]:
    # Sizes around the limits that change the layout: a quarter page (inline buckets), a page
    # (overflow), keys of a few hundred bytes to a kilobyte (several branch levels), keys over
    # half a page (branch pages of two elements, with overflow).
    buckets = {}
    for _ in range(rng.randint(0, 8)):
        name = rng.randbytes(rng.choice([1, 3, 8, 40, 1200]))
        count = rng.choice([0, 1, 2, 5, 20, 60, 200])
        key_max = rng.choice([1, 18, 100, 1000, 1900, 5000])
        value_max = rng.choice([0, 10, 200, 1000, 4000, 9000])
        buckets[name] = [(rng.randbytes(rng.randint(1, key_max)), rng.randbytes(rng.randint(0, value_max)))
                         for _ in range(count)]
    return buckets


@pytest.mark.parametrize("seed", range(4))
def test_the_counted_layout_is_as_long_as_the_written_file(seed):
    """layout_size(buckets) == len(write_db(buckets)) for any bucket set: inline and own-tree
    buckets, overflow pages, several branch levels, empty buckets and none."""
    rng = random.Random(seed)
    for _ in range(60):
        buckets = _random_buckets(rng)
        assert layout_size(buckets) == len(write_db(buckets)), buckets.keys()


def test_a_sizer_fed_one_record_at_a_time_counts_as_the_whole_bucket_does():
    """A TreeSizer fed the `key` bucket's records as they are appended gives, at every step,
    the size the whole bucket laid out anew gives: Status pays only for what was appended."""
    rng = random.Random(7)
    sizer, items = TreeSizer(), []
    for i in range(400):
        item = (i.to_bytes(8, "big") + b"_" + bytes(8), rng.randbytes(rng.choice([20, 300, 5000])))
        items.append(item)
        sizer.add(len(item[0]), len(item[1]))
        if i % 37 == 0 or i < 10:
            buckets = {b"key": items, b"meta": [(b"consistent_index", bytes(8))]}
            assert layout_size({**buckets, b"key": sizer}) == len(write_db(buckets))


def test_a_fresh_backend_lays_out_in_four_pages():
    """Meta pages, freelist and one root leaf holding every (inline, empty) bucket."""
    assert layout_size({b"key": [], b"meta": []}) == 4 * PAGE_SIZE == len(write_db({b"key": [], b"meta": []}))


def test_keys_over_half_a_page_make_a_tree_that_ends():
    """A bucket of keys over half a page (an auth user's or role's long name): each branch page
    takes two children, as bbolt's, so the levels shorten to one root. With one child a page the
    writer looped for ever; an alarm turns that into a failure."""
    import signal

    from reference_impl.etcd.bolt import read_db

    items = [(b"%05d" % i + b"u" * 2500, b"v") for i in range(40)]

    def stuck(signum, frame):
        raise TimeoutError("write_db did not finish")
    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(5)
    try:
        data = write_db({b"authUsers": items})
        size = layout_size({b"authUsers": items})
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert size == len(data)
    assert read_db(data) == {b"authUsers": items}


@contextlib.contextmanager
def _restarted_noting_the_lock(data_dir, monkeypatch):
    """A member restarted on 60 writes to 20 keys, and for each record laid out since (each
    protobuf size taken), whether the member's state lock was held."""
    from reference_impl.etcd import ClusterMember, backend
    from reference_impl.etcd.messages import PutRequest
    from reference_impl.machinery.clock import ManualClock

    with ClusterMember.alone(data_dir, ManualClock()) as server:
        for i in range(60):
            server.put(PutRequest(b"k%d" % (i % 20), b"v" * i))
    real = backend.marshal_key_value
    with ClusterMember.alone(data_dir, ManualClock()) as server:
        locked = []

        def marshal(kv, tombstone=False):
            locked.append(server._state._lock.locked())
            return real(kv, tombstone)
        monkeypatch.setattr(backend, "marshal_key_value", marshal)
        yield server, locked


def test_the_first_status_after_a_start_lays_out_the_key_bucket_without_the_state_lock(tmp_path, monkeypatch):
    """The first Status after a start (or a compaction) lays the `key` bucket out from its first
    record, a protobuf size per record (some 25 ms per 10,000 of them), and did it holding the
    member's state lock, every write waiting. The records are now taken under the lock (a dict
    copy) and counted without it; the size is the same as the file written out."""
    from reference_impl.etcd.messages import CompactionRequest

    with _restarted_noting_the_lock(tmp_path, monkeypatch) as (server, locked):
        for compact_first in (False, True):
            if compact_first:
                server.compact(CompactionRequest(server.header().revision - 5))
            locked.clear()
            status = server.status()
            assert len(locked) >= 20 and not any(locked)
            assert status.db_size_in_use == len(server.snapshot_db())


def test_the_first_compaction_after_a_start_lays_out_the_key_bucket_without_the_state_lock(tmp_path, monkeypatch):
    """Applying a compaction sizes the backend before it (the file keeps the pages it frees):
    the first one after a start laid the whole `key` bucket out inside the apply, holding the
    state lock. The compaction's caller lays it out first, without the lock."""
    from reference_impl.etcd.messages import CompactionRequest

    with _restarted_noting_the_lock(tmp_path, monkeypatch) as (server, locked):
        server.compact(CompactionRequest(50))
        assert len(locked) >= 60 and not any(locked)
        assert server.status().db_size >= len(server.snapshot_db())


def test_a_layout_of_a_replaced_store_does_not_displace_the_new_stores():
    """A layout counted without the lock is adopted only if it is of the server's store now: a
    snapshot installed between its take and its adopt replaced the store, and a Status may have
    laid the new one out already; the old store's layout must not take its place."""
    from reference_impl.etcd.backend import KeyBucketLayout
    from reference_impl.etcd.mvcc import KVStore, TxnWrite

    old, new = KVStore(), KVStore()
    for store, count in ((old, 5), (new, 9)):
        for i in range(count):
            with TxnWrite(store) as txn:
                txn.put(b"k%d" % i, b"v")
    layout = KeyBucketLayout()
    laid = KeyBucketLayout.lay_out(layout.take(old))
    assert layout.sizer(new).count == 9  # the new store laid out meanwhile
    layout.adopt(laid, new)
    assert layout.take(new) is None  # still the new store's layout: nothing to lay out again
    assert layout.sizer(new).count == 9


def test_one_caller_lays_the_key_bucket_out_and_the_others_wait_for_it(tmp_path, monkeypatch):
    """After a start, Status, /metrics and a compaction each lay the `key` bucket out if it is
    not yet: arriving together, one of them copies and counts it, the others wait and find it
    done (each counted it again before)."""
    import threading
    import time

    from reference_impl.etcd import ClusterMember, member
    from reference_impl.etcd.messages import PutRequest
    from reference_impl.machinery.clock import ManualClock

    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        for i in range(30):
            server.put(PutRequest(b"k%d" % i, b"v"))
    real = member.KeyBucketLayout.lay_out
    entered, release, calls = threading.Event(), threading.Event(), []

    def lay_out(taken):
        calls.append(1)
        entered.set()
        release.wait(5)
        return real(taken)
    monkeypatch.setattr(member.KeyBucketLayout, "lay_out", staticmethod(lay_out))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        first = threading.Thread(target=server.status)
        first.start()
        assert entered.wait(5)
        second = threading.Thread(target=server.metrics)
        second.start()
        time.sleep(0.2)  # time for the second to reach lay_out, if it would
        release.set()
        first.join(5)
        second.join(5)
        assert len(calls) == 1
        assert server.status().db_size_in_use == len(server.snapshot_db())
