"""`etcdctl snapshot save` against the reference writes a real bbolt snapshot: `snapshot status`
reads it, `snapshot restore` turns it into a data directory, and real etcd 3.4 serves the same
keys, leases, compaction and HashKV from it."""
from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys

import pytest

from processes import ROOT, etcdctl, put_all, real_etcd, reference_server, require
from reference_impl.cluster import ETCD_PEERS_ANY_PORT
from reference_impl.etcd.backend import marshal_key_value, rev_to_bytes
from reference_impl.etcd.bolt import PAGE_SIZE, BoltError, read_db, write_db
from reference_impl.etcd.member import ClusterMember
from reference_impl.etcd.messages import KeyValue
from reference_impl.etcd.mvcc import Revision
from reference_impl.etcd.run import SnapshotUnreadable, parse_args, read_restore_from
from reference_impl.machinery.clock import ManualClock

TXN = 'version("t1") = "0"\n\nput t1 a\nput t2 b\ndel x1\n\n\n'


def etcdctl_local(*args: str) -> subprocess.CompletedProcess:
    """etcdctl's file-only commands (snapshot status/restore) need no endpoint."""
    return subprocess.run([require("etcdctl"), *args], capture_output=True, text=True, timeout=30,
                          env={"ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"})


def get_json(server, *args: str) -> list:
    kvs = json.loads(etcdctl(server, "get", "-w", "json", *args).stdout).get("kvs", [])
    return [{k: kv[k] for k in ("key", "value", "create_revision", "mod_revision", "version",
                                "lease") if k in kv} for kv in kvs]


def hashkv(server) -> int:
    return json.loads(etcdctl(server, "endpoint", "hashkv", "-w", "json").stdout)[0]["HashKV"]["hash"]


def test_a_saved_snapshot_restores_into_real_etcd(tmp_path):
    """Save from the reference, restore with etcdctl, start real etcd: the same keys (all
    revision fields), the same lease, the same compaction, the same HashKV."""
    with reference_server(tmp_path / "reference") as reference:
        # enough for the key bucket to need several pages and a branch
        put_all(reference, [(f"k{i:03d}", f"value {i} " + "x" * (i % 50)) for i in range(400)])
        assert etcdctl(reference, "txn", "-i", input=TXN).returncode == 0
        lease = etcdctl(reference, "lease", "grant", "600").stdout.split()[1]
        assert etcdctl(reference, "put", "leased", "v", f"--lease={lease}").returncode == 0
        assert etcdctl(reference, "del", "k001").returncode == 0
        assert etcdctl(reference, "compact", "10").returncode == 0
        expected, expected_hash = get_json(reference, "", "--from-key"), hashkv(reference)
        saved = etcdctl(reference, "snapshot", "save", str(tmp_path / "snap.db"))
        assert saved.returncode == 0, saved.stderr
    status = etcdctl_local("snapshot", "status", str(tmp_path / "snap.db"), "-w", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["revision"] == 404
    restored = etcdctl_local("snapshot", "restore", str(tmp_path / "snap.db"),
                             "--data-dir", str(tmp_path / "restored"))
    assert restored.returncode == 0, restored.stderr
    with real_etcd(tmp_path / "restored") as etcd:  # an existing data dir: its member is used
        assert get_json(etcd, "", "--from-key") == expected
        assert hashkv(etcd) == expected_hash
        assert etcdctl(etcd, "lease", "list").stdout.split()[-1] == lease
        compacted = etcdctl(etcd, "get", "k002", "--rev=9")
        assert "required revision has been compacted" in compacted.stderr


def test_a_snapshot_file_ends_with_the_sha256_of_the_database(tmp_path):
    """etcd's Snapshot stream ends with the SHA-256 of what it sent; restore checks it."""
    with reference_server(tmp_path / "reference") as reference:
        etcdctl(reference, "put", "a", "1")
        etcdctl(reference, "snapshot", "save", str(tmp_path / "snap.db"))
    data = (tmp_path / "snap.db").read_bytes()
    db, digest = data[:-32], data[-32:]
    assert len(db) % 4096 == 0 and hashlib.sha256(db).digest() == digest
    damaged = bytearray(data)
    damaged[5000] ^= 1
    (tmp_path / "bad.db").write_bytes(bytes(damaged))
    refused = etcdctl_local("snapshot", "restore", str(tmp_path / "bad.db"),
                            "--data-dir", str(tmp_path / "restored"))
    assert refused.returncode != 0 and "expected sha256" in refused.stderr


@pytest.mark.parametrize("sizes", [[], [10], [4000, 5000, 70000], [100] * 3000])
def test_bolt_files_read_back_what_was_written(sizes):
    """The writer's pages (leaves, overflow for large values, branch levels) read back whole."""
    buckets = {b"key": [(b"%08d" % i, b"v" * size) for i, size in enumerate(sizes)],
               b"meta": [(b"consistent_index", bytes(8))]}
    assert read_db(write_db(buckets)) == buckets


def test_small_buckets_are_written_inline_as_bbolt_does():
    """A bucket whose leaf fits a quarter page lives inside its parent's leaf (root page 0), so
    ten small buckets take one page, not ten: two metas, the freelist and the root leaf. A bucket
    too big for that still gets pages of its own."""
    small = {name: [(b"k", b"v")] for name in (b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h",
                                                b"i", b"j")}
    assert len(write_db(small)) == 4 * PAGE_SIZE
    big = {**small, b"key": [(b"%04d" % i, b"v" * 100) for i in range(10)]}
    assert len(write_db(big)) == 5 * PAGE_SIZE
    assert read_db(write_db(big)) == big


# Offsets in a meta page's body (after its 16-byte page header): magic, version, page size.
META0_PAGE_SIZE, META1_PAGE_SIZE = 16 + 8, PAGE_SIZE + 16 + 8


@pytest.mark.parametrize("offset", [META0_PAGE_SIZE, META1_PAGE_SIZE, 16])
def test_a_damaged_meta_page_is_read_through_the_other_as_bbolt_does(tmp_path, offset):
    """bbolt keeps two meta pages: with one damaged (even in meta page 0's page size, which
    bbolt then takes as the OS's 4 KiB) the other is used, and `etcdctl snapshot status` reads
    the file. The reference reads it too, with every key; with both damaged both refuse."""
    buckets = {b"lease": [(b"%08d" % i, b"v" * 100) for i in range(100)], b"meta": []}
    data = bytearray(write_db(buckets))
    data[offset] ^= 0x01
    (tmp_path / "one.db").write_bytes(bytes(data))
    assert etcdctl_local("snapshot", "status", str(tmp_path / "one.db")).returncode == 0
    assert read_db(bytes(data)) == buckets
    data[PAGE_SIZE + 16 if offset < PAGE_SIZE else 16] ^= 0x01
    (tmp_path / "both.db").write_bytes(bytes(data))
    assert etcdctl_local("snapshot", "status", str(tmp_path / "both.db")).returncode != 0
    with pytest.raises(BoltError, match="no valid meta page"):
        read_db(bytes(data))


def test_a_meta_page_with_no_checksum_written_is_valid_as_bbolt_has_it(tmp_path):
    """bbolt's meta.validate checks a meta page's checksum only when it is not 0: with meta page
    0 damaged and meta page 1's checksum zeroed, etcdctl snapshot status reads the file through
    meta page 1, and so does the reference."""
    buckets = {b"lease": [(b"%08d" % i, b"v") for i in range(10)], b"meta": []}
    data = bytearray(write_db(buckets))
    data[16] ^= 0x01  # meta page 0's magic
    checksum_at = PAGE_SIZE + 16 + 56  # meta page 1: page header, meta fields, then the checksum
    data[checksum_at:checksum_at + 8] = bytes(8)
    (tmp_path / "zero.db").write_bytes(bytes(data))
    assert etcdctl_local("snapshot", "status", str(tmp_path / "zero.db")).returncode == 0
    assert read_db(bytes(data)) == buckets


def test_a_file_shorter_than_4_kib_is_an_invalid_database(tmp_path):
    """bbolt's Open reads a whole first 4 KiB before anything else and answers ErrInvalid
    ("invalid database") for a file shorter than that, as etcdctl snapshot status shows."""
    short = write_db({b"meta": []})[:4000]
    (tmp_path / "short.db").write_bytes(short)
    assert "invalid database" in etcdctl_local("snapshot", "status", str(tmp_path / "short.db")).stderr
    with pytest.raises(BoltError, match="invalid database"):
        read_db(short)


def test_a_value_running_past_the_end_of_the_file_is_refused(tmp_path):
    """A leaf element whose value size was damaged to run past the end of the file: bbolt reads
    past its mapping (etcdctl dies of SIGBUS); the reference refuses it, naming the page,
    instead of reading the short rest of the file as the value."""
    key, value = b"%016x" % 5, b"\x08\x05\x10\x3c"  # lease 5, TTL 60
    data = bytearray(write_db({b"key": [], b"lease": [(key, value)], b"meta": []}))
    element = data.rfind(struct.pack("<II", len(key), len(value)), 0, data.find(key))
    data[element + 4:element + 8] = struct.pack("<I", 6000)
    (tmp_path / "bad.db").write_bytes(bytes(data))
    assert etcdctl_local("snapshot", "status", str(tmp_path / "bad.db")).returncode != 0
    with pytest.raises(BoltError, match="runs past the end of the file"):
        read_db(bytes(data))


def fill(server) -> None:
    put_all(server, [(f"k{i:03d}", f"value {i}") for i in range(300)])
    assert etcdctl(server, "txn", "-i", input=TXN).returncode == 0
    assert etcdctl(server, "del", "k001").returncode == 0
    assert etcdctl(server, "compact", "5").returncode == 0
    lease = etcdctl(server, "lease", "grant", "600").stdout.split()[1]
    assert etcdctl(server, "put", "leased", "v", f"--lease={lease}").returncode == 0


def test_the_reference_starts_from_a_real_etcd_snapshot(tmp_path):
    """A snapshot real etcd 3.4 saved (bbolt written by Go: inline buckets, branch pages) starts
    the reference with the same keys, revisions, compaction, lease and HashKV."""
    with real_etcd(tmp_path / "etcd") as etcd:
        fill(etcd)
        expected, expected_hash = get_json(etcd, "", "--from-key"), hashkv(etcd)
        lease = etcdctl(etcd, "lease", "list").stdout.split()[-1]
        assert etcdctl(etcd, "snapshot", "save", str(tmp_path / "snap.db")).returncode == 0
    with reference_server(tmp_path / "reference", "--restore-from-snapshot",
                          str(tmp_path / "snap.db")) as reference:
        assert get_json(reference, "", "--from-key") == expected
        assert hashkv(reference) == expected_hash
        assert etcdctl(reference, "lease", "list").stdout.split()[-1] == lease
        assert "compacted" in etcdctl(reference, "get", "k002", "--rev=4").stderr
        assert etcdctl(reference, "put", "more", "1").returncode == 0
    with reference_server(tmp_path / "reference") as reference:  # restarted without the flag
        assert len(get_json(reference, "", "--from-key")) == len(expected) + 1


def test_the_reference_starts_from_etcdctl_restore_output(tmp_path):
    """The data dir `etcdctl snapshot restore` makes (member/snap/db) is accepted too."""
    with reference_server(tmp_path / "first") as first:
        fill(first)
        expected = get_json(first, "", "--from-key")
        etcdctl(first, "snapshot", "save", str(tmp_path / "snap.db"))
    restored = etcdctl_local("snapshot", "restore", str(tmp_path / "snap.db"),
                             "--data-dir", str(tmp_path / "restored"))
    assert restored.returncode == 0, restored.stderr
    with reference_server(tmp_path / "second", "--restore-from-snapshot",
                          str(tmp_path / "restored")) as second:
        assert get_json(second, "", "--from-key") == expected


def test_a_data_dir_database_is_never_read_as_carrying_a_sha256(tmp_path):
    """etcd's own member/snap/db has no SHA-256: one cut short inside a free last page, so that
    its size happens to be a multiple of 512 plus 32, is still opened by bbolt (etcd 3.4 serves
    from it; `etcdctl snapshot status` reads it). --restore-from-snapshot of the data dir reads
    it too, instead of taking its last 32 bytes for a SHA-256 that does not match."""
    db = write_db({b"key": [(rev_to_bytes(Revision(2, 0)), marshal_key_value(KeyValue(b"a", b"1", 2, 2, 1)))],
                   b"meta": []}) + bytes(PAGE_SIZE)  # bbolt grows its file ahead of use
    path = tmp_path / "member" / "snap" / "db"
    path.parent.mkdir(parents=True)
    path.write_bytes(db[:-PAGE_SIZE + 32])
    assert etcdctl_local("snapshot", "status", str(path)).returncode == 0
    assert [kv.key for kv in read_restore_from(tmp_path).records] == [b"a"]


def test_a_data_dir_db_or_a_copy_of_it_restores_as_etcdctl_lets_it(tmp_path):
    """A data dir's member/snap/db has no SHA-256. Named by its own path it is read as the data
    dir's; a copy under another name is refused as `etcdctl snapshot restore` refuses it (as a
    snapshot problem, not a log's), and read with --skip-hash-check, which etcdctl offers for it."""
    db = write_db({b"key": [(rev_to_bytes(Revision(2, 0)), marshal_key_value(KeyValue(b"a", b"1", 2, 2, 1)))],
                   b"meta": []})
    own = tmp_path / "member" / "snap" / "db"
    own.parent.mkdir(parents=True)
    own.write_bytes(db)
    copy = tmp_path / "backup.db"
    copy.write_bytes(db)
    assert [kv.key for kv in read_restore_from(own).records] == [b"a"]
    refused = etcdctl_local("snapshot", "restore", str(copy), "--data-dir", str(tmp_path / "r1"))
    assert "snapshot missing hash but --skip-hash-check=false" in refused.stderr
    assert etcdctl_local("snapshot", "restore", str(copy), "--skip-hash-check",
                         "--data-dir", str(tmp_path / "r2")).returncode == 0
    with pytest.raises(SnapshotUnreadable) as ours:
        read_restore_from(copy)
    assert str(ours.value).startswith(f"--restore-from-snapshot {copy}: snapshot missing hash but "
                                      f"--skip-hash-check=false")
    assert [kv.key for kv in read_restore_from(copy, skip_hash_check=True).records] == [b"a"]
    assert parse_args(["--restore-from-snapshot", str(copy), "--skip-hash-check"], {}).skip_hash_check


def test_restoring_refuses_a_damaged_snapshot_or_a_used_data_dir(tmp_path):
    """A snapshot whose SHA-256 does not match, one cut short (so its SHA-256 is gone: `etcdctl
    snapshot restore` refuses it too), a file that is no bbolt database, or a data dir that
    already holds data, is refused with one line and exit status 1; nothing is overwritten."""
    with reference_server(tmp_path / "first") as first:
        etcdctl(first, "put", "a", "1")
        etcdctl(first, "snapshot", "save", str(tmp_path / "snap.db"))
    damaged = bytearray((tmp_path / "snap.db").read_bytes())
    damaged[5000] ^= 1
    (tmp_path / "bad.db").write_bytes(bytes(damaged))
    noise = bytes(range(256)) * 64
    (tmp_path / "noise.db").write_bytes(noise + hashlib.sha256(noise).digest())
    # Cut short: the SHA-256 and the end of the last (free) page are gone, the rest still reads.
    (tmp_path / "cut.db").write_bytes((tmp_path / "snap.db").read_bytes()[:-100])
    refused = etcdctl_local("snapshot", "restore", str(tmp_path / "cut.db"), "--data-dir", str(tmp_path / "r"))
    assert "snapshot missing hash" in refused.stderr
    for data_dir, snapshot, says in ((tmp_path / "fresh", "bad.db", "snapshot SHA-256 mismatch"),
                                     (tmp_path / "fresh", "noise.db", "no valid meta page"),
                                     (tmp_path / "fresh", "cut.db", "snapshot missing hash"),
                                     (tmp_path / "first" / "data", "snap.db", "already holds data")):
        done = subprocess.run(
            [sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
             "--listen-client-urls", "http://127.0.0.1:0", *ETCD_PEERS_ANY_PORT,
             "--restore-from-snapshot", str(tmp_path / snapshot)], cwd=ROOT, capture_output=True, text=True, timeout=30,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 1 and says in done.stderr and "Traceback" not in done.stderr
        assert "wal:" not in done.stderr


def enable_auth(server) -> None:
    """root (password rootpw) and reader (password readpw), who may only read keys under k;
    then auth on. Each step must succeed."""
    for args in (("user", "add", "root:rootpw"), ("user", "add", "reader:readpw"),
                 ("role", "add", "read-k"), ("role", "grant-permission", "read-k", "read", "k", "--prefix"),
                 ("user", "grant-role", "reader", "read-k"), ("auth", "enable")):
        assert etcdctl(server, *args).returncode == 0, args


def check_auth(server) -> None:
    """Auth is on, both passwords work, and reader's permissions are what enable_auth granted."""
    assert "user name is empty" in etcdctl(server, "get", "k002").stderr
    assert etcdctl(server, "--user", "root:rootpw", "put", "k-root", "v").returncode == 0
    assert etcdctl(server, "--user", "reader:readpw", "get", "k002").returncode == 0
    assert "permission denied" in etcdctl(server, "--user", "reader:readpw", "put", "k002", "v").stderr
    assert "authentication failed" in etcdctl(server, "--user", "reader:wrong", "get", "k002").stderr
    roles = etcdctl(server, "--user", "root:rootpw", "user", "get", "reader").stdout
    assert "read-k" in roles


def test_users_roles_and_auth_travel_in_a_snapshot_into_real_etcd(tmp_path):
    """etcd keeps auth in the backend's auth, authUsers and authRoles buckets (bcrypt password
    hashes), so a restored member keeps its users, roles and the enabled flag."""
    with reference_server(tmp_path / "reference") as reference:
        fill(reference)
        enable_auth(reference)
        assert etcdctl(reference, "--user", "root:rootpw", "snapshot", "save",
                       str(tmp_path / "snap.db")).returncode == 0
    restored = etcdctl_local("snapshot", "restore", str(tmp_path / "snap.db"),
                             "--data-dir", str(tmp_path / "restored"))
    assert restored.returncode == 0, restored.stderr
    with real_etcd(tmp_path / "restored") as etcd:
        check_auth(etcd)


def test_users_roles_and_auth_travel_in_a_snapshot_from_real_etcd(tmp_path):
    """The other way: real etcd's bcrypt hashes check against the same passwords here."""
    with real_etcd(tmp_path / "etcd") as etcd:
        fill(etcd)
        enable_auth(etcd)
        assert etcdctl(etcd, "--user", "root:rootpw", "snapshot", "save",
                       str(tmp_path / "snap.db")).returncode == 0
    with reference_server(tmp_path / "reference", "--restore-from-snapshot",
                          str(tmp_path / "snap.db")) as reference:
        check_auth(reference)


def bucket_sizes(path) -> dict[bytes, int]:
    return {name: len(items) for name, items in read_db(path.read_bytes()[:-32]).items()}


def test_a_snapshot_holds_the_buckets_etcd_creates(tmp_path):
    """etcd's backend has the alarm, cluster (clusterVersion), members (one JSON record per
    member) and members_removed buckets; `authEnabled` is written only by an auth enable or
    disable that changes it. After three puts, `snapshot status` counts 7 keys on both."""
    sizes, statuses = {}, {}
    for kind, start in (("etcd", real_etcd), ("reference", reference_server)):
        with start(tmp_path / kind) as server:
            for i in range(3):
                assert etcdctl(server, "put", f"k{i}", "v").returncode == 0
            assert etcdctl(server, "snapshot", "save", str(tmp_path / f"{kind}.db")).returncode == 0
        sizes[kind] = bucket_sizes(tmp_path / f"{kind}.db")
        status = etcdctl_local("snapshot", "status", str(tmp_path / f"{kind}.db"), "-w", "json")
        statuses[kind] = json.loads(status.stdout)["totalKey"]
    assert sizes["reference"] == sizes["etcd"]
    assert statuses == {"etcd": 7, "reference": 7}


def test_a_snapshot_names_the_members_as_etcd_writes_them(tmp_path):
    """A members record is keyed by the member id in hex and holds the member's JSON."""
    with reference_server(tmp_path / "reference") as reference:
        assert etcdctl(reference, "snapshot", "save", str(tmp_path / "snap.db")).returncode == 0
        member = json.loads(etcdctl(reference, "member", "list", "-w", "json").stdout)["members"][0]
    buckets = read_db((tmp_path / "snap.db").read_bytes()[:-32])
    assert buckets[b"cluster"] == [(b"clusterVersion", b"3.4.0")]
    (key, value), = buckets[b"members"]
    assert key == f"{member['ID']:x}".encode()
    assert json.loads(value) == {"id": member["ID"], "peerURLs": member["peerURLs"],
                                 "name": member["name"], "clientURLs": member["clientURLs"]}


def test_auth_enabled_is_written_once_auth_was_switched(tmp_path):
    """After `auth enable` and `auth disable` etcd keeps authEnabled (now false) in the auth
    bucket; a snapshot restored from it keeps auth off."""
    with reference_server(tmp_path / "reference") as reference:
        enable_auth(reference)
        assert etcdctl(reference, "--user", "root:rootpw", "auth", "disable").returncode == 0
        assert etcdctl(reference, "snapshot", "save", str(tmp_path / "snap.db")).returncode == 0
    auth = dict(read_db((tmp_path / "snap.db").read_bytes()[:-32])[b"auth"])
    assert auth[b"authEnabled"] == b"\x00"


@pytest.mark.parametrize("entries, warned", [((), False), (("member/",), False),
                                             (("member/wal/",), True), (("member/snap/db",), True)])
def test_only_a_data_dir_with_etcds_db_or_wal_is_named_an_etcd_data_dir(tmp_path, capsys, entries, warned):
    """etcd keeps its keys in member/snap/db and member/wal: an empty member/ (or none) holds
    nothing to read, and a fresh member starts on it without a word."""
    for entry in entries:
        path = tmp_path / "data" / entry
        if entry.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.parent.mkdir(parents=True)
            path.write_bytes(b"")
    with ClusterMember.alone(tmp_path / "data", ManualClock()):
        pass
    assert ("etcd data dir" in capsys.readouterr().err) == warned


def test_an_etcd_data_dir_given_as_the_data_dir_is_named_and_its_keys_found_by_restore(tmp_path):
    """etcd 3.4 started on a data dir it cannot read warns "found invalid file under data
    directory" of each entry and starts a new member; the reference on etcd's data dir started
    a new member with no word, the keys in member/snap/db unseen. It now names the folder and
    the flag that reads it."""
    (tmp_path / "etcd").mkdir()
    with real_etcd(tmp_path / "etcd" / "data") as etcd:
        assert etcdctl(etcd, "put", "a", "1").returncode == 0
    with reference_server(tmp_path / "etcd") as in_place:
        assert etcdctl(in_place, "get", "a").stdout == ""
    warning = [line for line in in_place.log.read_text().splitlines() if "etcd data dir" in line]
    assert warning == [f"reference etcd: {tmp_path / 'etcd' / 'data'} is an etcd data dir (member/snap/db, "
                       f"member/wal), not read in place: starting a new member; --restore-from-snapshot "
                       f"{tmp_path / 'etcd' / 'data'} on an empty --data-dir reads its keys"]
    with reference_server(tmp_path / "restored", "--restore-from-snapshot", str(tmp_path / "etcd" / "data")) as restored:
        assert etcdctl(restored, "get", "a", "--print-value-only").stdout == "1\n"


def test_a_data_dir_with_only_etcds_wal_is_named_without_advising_restore(tmp_path, capsys):
    """--restore-from-snapshot reads member/snap/db only: for a data dir holding only member/wal
    the warning names the folder and advises no flag that would fail on it."""
    (tmp_path / "data" / "member" / "wal").mkdir(parents=True)
    with ClusterMember.alone(tmp_path / "data", ManualClock()):
        pass
    warning = [line for line in capsys.readouterr().err.splitlines() if "etcd data dir" in line]
    assert warning == [f"reference etcd: {tmp_path / 'data'} is an etcd data dir (member/wal, no member/snap/db), "
                       "not read in place: starting a new member; the reference reads no etcd WAL"]
