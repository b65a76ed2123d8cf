"""Rules of a lone member's disk: fsync before acknowledging, group commit, snapshots, recovery."""
from __future__ import annotations

import base64
import io
import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from processes import put_all, real_etcd, reference_server, start_refused
from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import ClusterMember
from reference_impl.etcd.errors import (
    ErrCompacted, ErrCorruptWAL, ErrLeaseNotFound, ErrOldDataDir, ErrStopped)
from reference_impl.etcd.messages import (
    CompactionRequest, LeaseGrantRequest, LeaseKeepAliveRequest, LeaseRevokeRequest,
    LeaseTimeToLiveRequest, PutRequest, RangeRequest, WatchCreateRequest)
from reference_impl.etcd.raftnode import decode_entry
from reference_impl.etcd.run import run, wait_for_lock
from reference_impl.etcd.state import decode_snapshot, from_plain, to_plain
from reference_impl.etcd.wal import MAX_SNAPSHOTS, WAL, Snapshotter, frame, read_frames


def values(server: ClusterMember, serializable: bool = False) -> dict[bytes, bytes]:
    request = RangeRequest(b"\0", b"\0", serializable=serializable)
    return {kv.key: kv.value for kv in server.range(request).kvs}


def segments(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("wal-*.log"))


def test_acknowledged_writes_survive_a_restart(tmp_path):
    """Everything acknowledged before close is there after reopening, at the same revisions."""
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        revs = [server.put(PutRequest(b"k%d" % i, b"v%d" % i)).header.revision for i in range(5)]
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
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
    with ClusterMember.alone(tmp_path, ManualClock(), fsync=slow_fsync) as server:
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

    with ClusterMember.alone(tmp_path, ManualClock(), fsync=gated_fsync) as server:
        wid = server.watch_create(WatchCreateRequest(b"k"))
        server.watch_drain(wid)
        blocking.set()
        done = []
        writer = threading.Thread(target=lambda: done.append(server.put(PutRequest(b"k", b"v"))))
        writer.start()
        time.sleep(0.05)
        # Serializable: a linearizable read would wait behind the fsync for its ReadIndex.
        assert (done, values(server, serializable=True), server.watch_drain(wid)) == ([], {}, [])
        on_disk.set()
        writer.join()
        assert done[0].header.revision == 2
        assert values(server) == {b"k": b"v"}
        assert len(server.watch_drain(wid)) == 1


def test_a_failed_fsync_acknowledges_nothing_more(tmp_path):
    """If fsync fails, that write is not applied and the member stops: every later request gets
    the same error (after a failed fsync the kernel may have dropped the pages)."""
    failing = threading.Event()

    def fsync(fd: int) -> None:
        if failing.is_set():
            raise OSError(5, "I/O error")
        os.fsync(fd)

    with ClusterMember.alone(tmp_path, ManualClock(), fsync=fsync) as server:
        server.put(PutRequest(b"a", b"1"))
        failing.set()
        with pytest.raises(OSError):
            server.put(PutRequest(b"b", b"1"))
        with pytest.raises(OSError):
            server.put(PutRequest(b"c", b"1"))
        with pytest.raises(OSError):
            values(server)
        assert (server.header().revision, values(server, serializable=True)) == (2, {b"a": b"1"})


def test_snapshots_bound_the_log(tmp_path):
    """With snapshots every N records, old log segments and snapshots are deleted (all but the
    newest five snapshots, etcd's default --max-snapshots, and the log after the oldest of
    them); state recovers."""
    with ClusterMember.alone(tmp_path, ManualClock(), snapshot_count=10) as server:
        for i in range(95):
            server.put(PutRequest(b"k%02d" % (i % 7), b"%d" % i))
        expected = values(server)
    assert len(list(tmp_path.glob("snap-*.json"))) == MAX_SNAPSHOTS == 5
    assert len(segments(tmp_path)) <= MAX_SNAPSHOTS + 1
    # What is left is the entries after the oldest snapshot kept (four snapshots apart, about 11
    # records each, and the tail), each ~270 bytes with its hard state (the 95 puts took ~25 KB).
    assert sum(p.stat().st_size for p in segments(tmp_path)) < 56 * 400
    with ClusterMember.alone(tmp_path, ManualClock(), snapshot_count=10) as server:
        assert (values(server), server.header().revision) == (expected, 96)


def test_back_to_back_snapshots_keep_the_live_segment(tmp_path):
    """Snapshots with no writes between them never delete the segment new writes go to."""
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        server.put(PutRequest(b"a", b"1"))
        server.snapshot()
        server.snapshot()
        server.put(PutRequest(b"b", b"1"))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert values(server) == {b"a": b"1", b"b": b"1"}


def test_a_torn_tail_record_is_ignored(tmp_path):
    """A record cut short at the end of the log was never acknowledged: recovery drops it,
    and the log stays readable after further writes and restarts."""
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        server.put(PutRequest(b"a", b"1"))
    whole = frame({"seq": 99, "now": 0.0, "req": {}})
    with open(segments(tmp_path)[-1], "ab") as f:
        f.write(whole[: len(whole) // 2])
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert (values(server), server.header().revision) == ({b"a": b"1"}, 2)
        server.put(PutRequest(b"b", b"1"))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert values(server) == {b"a": b"1", b"b": b"1"}


def test_a_damaged_record_before_the_end_is_an_error(tmp_path):
    """A bad record followed by good ones is damage, not a crash: recovery refuses to start."""
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        for key in (b"a", b"b", b"c"):
            server.put(PutRequest(key, b"1"))
    path = segments(tmp_path)[-1]
    data = bytearray(path.read_bytes())
    data[12] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ErrCorruptWAL):
        ClusterMember.alone(tmp_path, ManualClock())


def test_compaction_survives_a_restart(tmp_path):
    """The compacted revision is durable: reads below it still fail after a restart."""
    with ClusterMember.alone(tmp_path, ManualClock(), snapshot_count=3) as server:
        for value in (b"1", b"2", b"3", b"4"):
            server.put(PutRequest(b"k", value))
        server.compact(CompactionRequest(4))
        server.snapshot()
        server.put(PutRequest(b"k", b"5"))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        with pytest.raises(ErrCompacted):
            server.range(RangeRequest(b"k", revision=3))
        assert server.range(RangeRequest(b"k", revision=4)).kvs[0].value == b"3"
        assert server.range(RangeRequest(b"k")).kvs[0].version == 5


def test_leases_and_their_keys_survive_a_restart(tmp_path):
    """Leases and the keys attached to them are recovered: revoking after a restart deletes the keys."""
    with ClusterMember.alone(tmp_path, ManualClock(), snapshot_count=2) as server:
        lease = server.lease_grant(LeaseGrantRequest(60)).id
        server.put(PutRequest(b"leased", b"v", lease=lease))
        server.put(PutRequest(b"free", b"v"))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease, keys=True)).keys == (b"leased",)
        server.lease_revoke(LeaseRevokeRequest(lease))
        assert values(server) == {b"free": b"v"}


def test_a_restarted_member_gives_its_leases_their_whole_ttl(tmp_path):
    """On being elected after a restart a member gives every lease its whole TTL again from its
    new clock, however far that clock is from the old one, and its election timeout on top
    (etcd's lessor Promote, without lease checkpoints); it then expires on time."""
    before = ManualClock(1000.0)
    with ClusterMember.alone(tmp_path, before) as server:
        lease = server.lease_grant(LeaseGrantRequest(30)).id
        before.advance(25)
        server.put(PutRequest(b"k", b"v", lease=lease))  # 5 s left on the old clock
    after = ManualClock(5.0)
    with ClusterMember.alone(tmp_path, after) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 31
        after.advance(30.5)
        assert server.tick() == ()
        after.advance(0.5)
        assert server.tick() == (lease,)
        assert values(server) == {}


def test_lease_expiry_replays_the_same_after_many_restarts(tmp_path):
    """A lease granted and kept alive on different clocks comes back after every restart with
    its TTL and an election timeout (renewed whole on each election; keep-alives leave no entry
    to replay)."""
    with ClusterMember.alone(tmp_path, ManualClock(1000.0)) as server:
        lease = server.lease_grant(LeaseGrantRequest(30)).id
    second = ManualClock(0.0)
    with ClusterMember.alone(tmp_path, second) as server:
        second.advance(25)
        assert server.lease_keep_alive(LeaseKeepAliveRequest(lease)).ttl == 30
    third = ManualClock(500.0)
    with ClusterMember.alone(tmp_path, third) as server:
        assert server.lease_time_to_live(LeaseTimeToLiveRequest(lease)).ttl == 31
        assert server.lease_leases().leases == (lease,)


def test_keep_alive_entries_of_an_older_log_still_replay(tmp_path):
    """Logs written while keep-alives were proposed as entries hold them between other writes:
    a restart replays them (renewing, or answering nothing for a lease gone) and goes on."""
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        lease = server.lease_grant(LeaseGrantRequest(30)).id
        server._propose(LeaseKeepAliveRequest(lease))  # as lease_keep_alive did before
        server.lease_revoke(LeaseRevokeRequest(lease))
        with pytest.raises(ErrLeaseNotFound):
            server._propose(LeaseKeepAliveRequest(lease))
        server.put(PutRequest(b"after", b"v"))
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert values(server) == {b"after": b"v"}
        assert server.lease_leases().leases == ()


def test_one_data_dir_serves_one_process(tmp_path):
    """A data directory in use cannot be opened a second time without waiting for it."""
    with ClusterMember.alone(tmp_path, ManualClock()):
        with pytest.raises(BlockingIOError):
            ClusterMember.alone(tmp_path, ManualClock())


def test_a_second_process_waits_for_the_data_dir_and_says_so(tmp_path):
    """As etcd waits on its backend's flock: the second opener waits (saying so once the wait
    is long), and starts with the first one's writes as soon as the first one lets go."""
    said, opened = io.StringIO(), []
    first = ClusterMember.alone(tmp_path, ManualClock())
    first.put(PutRequest(b"k", b"first"))
    wait = lambda try_lock, path: wait_for_lock(try_lock, path, threading.Event(), said, warn_after=0)
    second = threading.Thread(target=lambda: opened.append(
        ClusterMember.alone(tmp_path, ManualClock(), wait_for_lock=wait)))
    second.start()
    time.sleep(0.3)
    assert not opened
    first.close()
    second.join(10)
    with opened[0] as server:
        assert values(server) == {b"k": b"first"}
    assert said.getvalue() == (
        f'reference etcd: another etcd process is using "{tmp_path / "LOCK"}" and holds the file '
        "lock, or loading backend file is taking >10 seconds\n"
        "reference etcd: waiting for it to exit before starting...\n")


def test_a_stop_ends_the_wait_for_the_data_dir(tmp_path):
    """A signal while waiting for the lock ends the process instead of leaving it waiting."""
    stop = threading.Event()
    stop.set()
    with pytest.raises(ErrStopped):
        wait_for_lock(lambda: False, "LOCK", stop, io.StringIO())


def test_a_signal_while_waiting_for_the_data_dir_stops_quietly(tmp_path):
    """etcd killed while it waits for the lock just ends; the reference's run() ended with the
    error "etcdserver: server stopped", printed as if the member had failed."""
    stop = threading.Event()
    stop.set()  # as SIGTERM sets it
    with ClusterMember.alone(tmp_path, ManualClock()):  # holds the lock
        assert run(tmp_path, "http://127.0.0.1:0", listen_peer_urls="http://127.0.0.1:0", out=io.StringIO(),
                   stop=stop) is None


def modes(data_dir: Path) -> set[tuple[str, int]]:
    """("dir" or "file", permission bits) of the data dir and everything in it."""
    paths = [data_dir, *data_dir.rglob("*")]
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)) for p in paths}


def test_a_new_data_dir_and_its_files_are_private_to_their_owner(tmp_path):
    """The log and snapshots hold every value (Secrets too): the data dir and any missing folder
    above it are made 0700 and every file in it 0600, as etcd's TouchDirAll and PrivateFileMode
    make them, whatever the umask lets through."""
    data_dir = tmp_path / "above" / "data"
    with ClusterMember.alone(data_dir, ManualClock(), snapshot_count=3) as server:
        for i in range(5):
            server.put(PutRequest(b"k%d" % i, b"v"))
    assert list(data_dir.glob("snap-*.json")) and list(data_dir.glob("wal-*.log"))
    assert modes(data_dir) == {("dir", 0o700), ("file", 0o600)}
    assert stat.S_IMODE((tmp_path / "above").stat().st_mode) == 0o700


def test_the_member_ids_are_on_disk_before_the_member_serves(tmp_path):
    """The member_id file is fsync'd, and the folder after its rename, before the first start
    returns: a power loss after it must not leave the file empty (or gone while the log is
    there), which would refuse every later start."""
    synced: list[str] = []

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        os.fsync(fd)

    with ClusterMember.alone(tmp_path, ManualClock(), fsync=fsync):
        ids_synced = synced.index(str(tmp_path / "member_id.tmp"))
        assert str(tmp_path) in synced[ids_synced + 1:]
    assert not list(tmp_path.glob("*.tmp"))


def test_an_open_data_dir_is_warned_about_and_left_as_it_is(tmp_path, capsys):
    """An existing data dir others may read is used, with etcd's warning naming its permission."""
    tmp_path.chmod(0o755)
    with ClusterMember.alone(tmp_path, ManualClock()):
        pass
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert (f'check file permission: directory "{tmp_path}" exist, but the permission is '
            f'"drwxr-xr-x". The recommended permission is "-rwx------"') in capsys.readouterr().err


def test_real_etcd_and_the_reference_keep_their_data_private_alike(tmp_path):
    """Side by side after a few writes: both data dirs hold only 0700 folders and 0600 files.
    (etcd writes its .snap files 0666 less the umask, but those hold only the v2 store's
    membership; the reference's snap-*.json hold the keys, as etcd's 0600 db does.)"""
    with real_etcd(tmp_path / "etcd") as etcd:
        put_all(etcd, [("a", "1"), ("b", "2")])
    with reference_server(tmp_path / "ref", "--snapshot-count", "1") as reference:
        put_all(reference, [("a", "1"), ("b", "2")])
    assert modes(tmp_path / "etcd") == {("dir", 0o700), ("file", 0o600)}
    assert modes(tmp_path / "ref" / "data") == {("dir", 0o700), ("file", 0o600)}


def test_a_data_dir_of_the_old_layout_is_refused_in_one_line(tmp_path):
    """The log of the reference etcd before every member ran through Raft (requests, not Raft
    entries) is refused by the process with one line saying what to do, and no traceback."""
    old = WAL(tmp_path)
    old.open(1)
    old.append({"seq": 1, "now": 0.0, "req": to_plain(PutRequest(b"k", b"v"))})
    old.close()
    done = start_refused(tmp_path)
    assert done.returncode == 1
    assert "written by an older reference etcd" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_an_old_layout_snapshot_is_refused(tmp_path):
    """An old snapshot (the state machine alone) is refused too, and the refusal releases the
    directory: asking again gets the same answer, not "locked"."""
    Snapshotter(tmp_path).save(3, {"raft_index": 3, "records": [], "leases": []})
    for _ in range(2):
        with pytest.raises(ErrOldDataDir):
            ClusterMember.alone(tmp_path, ManualClock())


def _as_written_before_raw_data(data_dir: Path) -> None:
    """Rewrite a data dir as the reference wrote it before entry data and snapshot state went
    raw: entry data in base64 inside the JSON, a request's bytes in base64 inside the entry's
    JSON, the snapshot's key-values in plain form."""
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    def old_entry(data: bytes) -> bytes:
        if b"\n" not in data:
            return data  # no request in it (an attributes entry, a conf change)
        plain, raw = decode_entry(data)
        plain["req"] = to_plain(from_plain(plain["req"], raw))
        return json.dumps(plain).encode()

    def entries_b64(plain: list, raw: bytes, at: int) -> list:
        out = []
        for term, index, kind, length in plain:
            out.append([term, index, kind, b64(old_entry(raw[at:at + length]))])
            at += length
        return out

    for path in segments(data_dir):
        records = [record for _, record in read_frames(path, last_segment=True)]
        for record in records:
            if "ents" in record:
                record["ents"] = entries_b64(record["ents"], record.pop("raw", b""), 0)
        path.write_bytes(b"".join(frame(record) for record in records))
    for snap_path in data_dir.glob("snap-*.json"):
        ((_, snap),) = read_frames(snap_path, last_segment=False)
        raw, length = snap.pop("raw"), snap.pop("data_len")
        state, records, members = decode_snapshot(raw[:length])
        old_data = json.dumps({"state": {**state, "records": [to_plain(kv) for kv in records]},
                               "members": members}).encode()
        snap["tail"] = entries_b64(snap["tail"], raw, length)
        snap_path.write_bytes(frame({**snap, "data": b64(old_data)}))


def test_a_data_dir_with_base64_entries_and_snapshot_still_opens(tmp_path):
    """A log and snapshot written before entry data, requests' bytes and key-values went raw
    after their JSON are read as they were: every acknowledged write is there, at its revision."""
    with ClusterMember.alone(tmp_path, ManualClock(), snapshot_count=5) as server:
        revs = [server.put(PutRequest(b"k%d" % i, b"v%d" % i)).header.revision for i in range(9)]
    assert list(tmp_path.glob("snap-*.json"))
    _as_written_before_raw_data(tmp_path)
    with ClusterMember.alone(tmp_path, ManualClock()) as server:
        assert values(server) == {b"k%d" % i: b"v%d" % i for i in range(9)}
        assert [kv.mod_revision for kv in server.range(RangeRequest(b"k", b"l")).kvs] == revs
        assert server.put(PutRequest(b"next")).header.revision == revs[-1] + 1
