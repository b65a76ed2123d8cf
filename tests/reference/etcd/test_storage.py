"""Rules of DurableServer: fsync before acknowledging, group commit, snapshots, recovery."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import DurableServer
from reference_impl.etcd.errors import ErrCompacted, ErrCorruptWAL
from reference_impl.etcd.messages import (
    CompactionRequest, LeaseGrantRequest, LeaseKeepAliveRequest, LeaseRevokeRequest,
    LeaseTimeToLiveRequest, PutRequest, RangeRequest, WatchCreateRequest)
from reference_impl.etcd.wal import frame


def values(server: DurableServer) -> dict[bytes, bytes]:
    return {kv.key: kv.value for kv in server.range(RangeRequest(b"\0", b"\0")).kvs}


def segments(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("wal-*.log"))


def test_acknowledged_writes_survive_a_restart(tmp_path):
    """Everything acknowledged before close is there after reopening, at the same revisions."""
    with DurableServer(tmp_path, ManualClock()) as server:
        revs = [server.put(PutRequest(b"k%d" % i, b"v%d" % i)).header.revision for i in range(5)]
    with DurableServer(tmp_path, ManualClock()) as server:
        assert revs == [2, 3, 4, 5, 6]
        assert server.header().revision == 6
        assert [kv.mod_revision for kv in server.range(RangeRequest(b"k", b"l")).kvs] == revs
        assert server.put(PutRequest(b"next")).header.revision == 7


def test_concurrent_writes_share_fsyncs(tmp_path):
    """N concurrent puts are group-committed: far fewer than N fsyncs, each put acknowledged once."""
    calls = []

    def slow_fsync(fd: int) -> None:
        calls.append(fd)
        time.sleep(0.01)
        os.fsync(fd)

    n = 40
    with DurableServer(tmp_path, ManualClock(), fsync=slow_fsync) as server:
        calls.clear()
        revs = []
        start = threading.Barrier(n)

        def writer(i: int) -> None:
            start.wait()
            revs.append(server.put(PutRequest(b"k%02d" % i, b"v")).header.revision)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(revs) == list(range(2, n + 2))
        assert len(calls) <= n // 4


def test_a_write_is_invisible_until_it_is_on_disk(tmp_path):
    """Until its fsync returns, a write is neither acknowledged nor visible to reads or watches."""
    on_disk = threading.Event()
    blocking = threading.Event()

    def gated_fsync(fd: int) -> None:
        if blocking.is_set():
            on_disk.wait(5)
        os.fsync(fd)

    with DurableServer(tmp_path, ManualClock(), fsync=gated_fsync) as server:
        wid = server.watch_create(WatchCreateRequest(b"k"))
        server.watch_drain(wid)
        blocking.set()
        done = []
        writer = threading.Thread(target=lambda: done.append(server.put(PutRequest(b"k", b"v"))))
        writer.start()
        time.sleep(0.05)
        assert (done, values(server), server.watch_drain(wid)) == ([], {}, [])
        on_disk.set()
        writer.join()
        assert done[0].header.revision == 2
        assert values(server) == {b"k": b"v"}
        assert len(server.watch_drain(wid)) == 1


def test_a_failed_fsync_acknowledges_nothing_more(tmp_path):
    """If fsync fails, that write is not applied and the server refuses further writes."""
    failing = threading.Event()

    def fsync(fd: int) -> None:
        if failing.is_set():
            raise OSError(5, "I/O error")
        os.fsync(fd)

    server = DurableServer(tmp_path, ManualClock(), fsync=fsync)
    server.put(PutRequest(b"a", b"1"))
    failing.set()
    with pytest.raises(OSError):
        server.put(PutRequest(b"b", b"1"))
    with pytest.raises(OSError):
        server.put(PutRequest(b"c", b"1"))
    assert (server.header().revision, values(server)) == (2, {b"a": b"1"})


def test_snapshots_bound_the_log(tmp_path):
    """With snapshots every N records, old log segments and snapshots are deleted; state recovers."""
    with DurableServer(tmp_path, ManualClock(), snapshot_every=10) as server:
        for i in range(95):
            server.put(PutRequest(b"k%02d" % (i % 7), b"%d" % i))
        expected = values(server)
    assert len(list(tmp_path.glob("snap-*.json"))) == 1
    assert len(segments(tmp_path)) <= 2
    assert sum(p.stat().st_size for p in segments(tmp_path)) < 10 * 200
    with DurableServer(tmp_path, ManualClock(), snapshot_every=10) as server:
        assert (values(server), server.header().revision) == (expected, 96)


def test_back_to_back_snapshots_keep_the_live_segment(tmp_path):
    """Snapshots with no writes between them never delete the segment new writes go to."""
    with DurableServer(tmp_path, ManualClock()) as server:
        server.put(PutRequest(b"a", b"1"))
        server.snapshot()
        server.snapshot()
        server.put(PutRequest(b"b", b"1"))
    with DurableServer(tmp_path, ManualClock()) as server:
        assert values(server) == {b"a": b"1", b"b": b"1"}


def test_a_torn_tail_record_is_ignored(tmp_path):
    """A record cut short at the end of the log was never acknowledged: recovery drops it,
    and the log stays readable after further writes and restarts."""
    with DurableServer(tmp_path, ManualClock()) as server:
        server.put(PutRequest(b"a", b"1"))
    whole = frame({"seq": 99, "now": 0.0, "req": {}})
    with open(segments(tmp_path)[-1], "ab") as f:
        f.write(whole[: len(whole) // 2])
    with DurableServer(tmp_path, ManualClock()) as server:
        assert (values(server), server.header().revision) == ({b"a": b"1"}, 2)
        server.put(PutRequest(b"b", b"1"))
    with DurableServer(tmp_path, ManualClock()) as server:
        assert values(server) == {b"a": b"1", b"b": b"1"}


def test_a_damaged_record_before_the_end_is_an_error(tmp_path):
    """A bad record followed by good ones is damage, not a crash: recovery refuses to start."""
    with DurableServer(tmp_path, ManualClock()) as server:
        for key in (b"a", b"b", b"c"):
            server.put(PutRequest(key, b"1"))
    path = segments(tmp_path)[-1]
    data = bytearray(path.read_bytes())
    data[12] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ErrCorruptWAL):
        DurableServer(tmp_path, ManualClock())


def test_compaction_survives_a_restart(tmp_path):
    """The compacted revision is durable: reads below it still fail after a restart."""
    with DurableServer(tmp_path, ManualClock(), snapshot_every=3) as server:
        for value in (b"1", b"2", b"3", b"4"):
            server.put(PutRequest(b"k", value))
        server.compact(CompactionRequest(4))
        server.snapshot()
        server.put(PutRequest(b"k", b"5"))
    with DurableServer(tmp_path, ManualClock()) as server:
        with pytest.raises(ErrCompacted):
            server.range(RangeRequest(b"k", revision=3))
        assert server.range(RangeRequest(b"k", revision=4)).kvs[0].value == b"3"
        assert server.range(RangeRequest(b"k")).kvs[0].version == 5


def test_leases_and_their_keys_survive_a_restart(tmp_path):
    """Leases and the keys attached to them are recovered: revoking after a restart deletes the keys."""
    with DurableServer(tmp_path, ManualClock(), snapshot_every=2) as server:
        lease = server.lease_grant(LeaseGrantRequest(60)).id
        server.put(PutRequest(b"leased", b"v", lease=lease))
        server.put(PutRequest(b"free", b"v"))
    with DurableServer(tmp_path, ManualClock()) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease, keys=True)).keys == (b"leased",)
        server.lease_revoke(LeaseRevokeRequest(lease))
        assert values(server) == {b"free": b"v"}


def test_a_lease_keeps_its_time_left_across_a_restart(tmp_path):
    """A lease keeps the time it had left when last recorded, counted from the restart, even
    if the new process's clock starts somewhere else entirely."""
    before = ManualClock(1000.0)
    with DurableServer(tmp_path, before) as server:
        lease = server.lease_grant(LeaseGrantRequest(30)).id
        before.advance(10)
        server.put(PutRequest(b"k", b"v", lease=lease))  # recorded at 1010: 20 s left
    after = ManualClock(5.0)
    with DurableServer(tmp_path, after) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 20
        after.advance(19.5)
        assert server.tick() == ()
        after.advance(0.5)
        assert server.tick() == (lease,)
        assert values(server) == {}


def test_lease_expiry_replays_the_same_after_many_restarts(tmp_path):
    """Keep-alives logged on different clocks replay to the same expiry after every restart."""
    with DurableServer(tmp_path, ManualClock(1000.0)) as server:
        lease = server.lease_grant(LeaseGrantRequest(30)).id
    second = ManualClock(0.0)
    with DurableServer(tmp_path, second) as server:
        second.advance(25)
        assert server.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 30
    third = ManualClock(500.0)
    with DurableServer(tmp_path, third) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 30
        assert server.lease_leases().leases == (lease,)


def test_one_data_dir_serves_one_process(tmp_path):
    """A data directory in use cannot be opened a second time."""
    with DurableServer(tmp_path, ManualClock()):
        with pytest.raises(BlockingIOError):
            DurableServer(tmp_path, ManualClock())
