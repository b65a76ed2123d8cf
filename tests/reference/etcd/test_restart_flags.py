"""A member restarted on its data dir with other cluster flags: as etcd 3.4, which parses no
--initial-cluster once a WAL exists, it restarts as the member the log names, in the cluster the
log names, with the membership the log holds, and serves what it held."""
from __future__ import annotations

import contextlib
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from processes import etcdctl, real_etcd, reference_server, start_refused

from reference_impl.cluster import free_port
from reference_impl.etcd import ClusterMember
from reference_impl.etcd.errors import ErrBadCluster
from reference_impl.etcd.member import _entries_from, _entries_plain, _name_bare_bootstrap_ids
from reference_impl.etcd.messages import PutRequest, RangeRequest
from reference_impl.etcd.raft import ConfChange, ConfChangeType, Entry, EntryType, MemoryStorage
from reference_impl.etcd.raftnode import encode_attributes, parse_initial_cluster
from reference_impl.etcd.wal import frame, read_frames
from reference_impl.machinery.clock import ManualClock

PEER = "http://127.0.0.1:23801"


def started(data_dir: Path, *, name: str = "m1", initial_cluster: str = f"m1={PEER}",
            token: str = "t1", state: str = "new") -> ClusterMember:
    member = ClusterMember(data_dir, ManualClock(), name=name, initial_cluster_state=state,
                           initial_cluster=parse_initial_cluster(initial_cluster, token))
    if not member.ready.wait(10):
        member.close()
        raise AssertionError("the member never served")
    return member


def first_start(data_dir: Path) -> tuple[int, int, tuple]:
    with started(data_dir) as member:
        member.put(PutRequest(key=b"a", value=b"1"))
        member.put(PutRequest(key=b"b", value=b"2"))
        return member.id, member.node.cluster_id, member.members()


def values(member: ClusterMember) -> dict[bytes, bytes]:
    return {kv.key: kv.value for kv in member.range(RangeRequest(key=b"\0", range_end=b"\0")).kvs}


def restarts_under_other_tokens_as(tmp_path, ids) -> None:
    """Restarted under the tokens t2 then t3, the member keeps `ids` and its data, and what it
    took under t2 is still there under t3."""
    with started(tmp_path, token="t2") as member:
        assert (member.id, member.node.cluster_id, member.members()) == ids
        assert values(member) == {b"a": b"1", b"b": b"2"}
        member.put(PutRequest(key=b"c", value=b"3"))
    with started(tmp_path, token="t3") as member:
        assert values(member) == {b"a": b"1", b"b": b"2", b"c": b"3"}


def test_a_restart_with_another_initial_cluster_token_keeps_the_ids_and_the_data(tmp_path):
    """The token only derives the ids of a new cluster: a restart keeps the ids of its log."""
    ids = first_start(tmp_path)
    restarts_under_other_tokens_as(tmp_path, ids)


def test_a_restart_with_another_initial_cluster_keeps_the_membership_of_the_log(tmp_path):
    """A member --initial-cluster names that the log never added is not a member: etcd 3.4 lists
    the one member it had (checked against /usr/bin/etcd 3.4)."""
    ids = first_start(tmp_path)
    with started(tmp_path, initial_cluster=f"m1={PEER},m2=http://127.0.0.1:23802", token="t2",
                 state="existing") as member:
        assert (member.id, member.node.cluster_id, member.members()) == ids
        assert values(member) == {b"a": b"1", b"b": b"2"}


def test_a_restart_under_another_name_publishes_that_name_for_the_same_member(tmp_path):
    """etcd 3.4 restarts the member of its WAL whatever --name says, and publishes the new name:
    `member list` then shows it for the same id and peer URLs. --initial-cluster need not name it."""
    member_id, cluster_id, members = first_start(tmp_path)
    with started(tmp_path, name="other") as member:
        assert (member.id, member.node.cluster_id) == (member_id, cluster_id)
        [listed] = member.members()
        assert (listed.id, listed.name, listed.peer_urls) == (member_id, "other", members[0].peer_urls)
        assert values(member) == {b"a": b"1", b"b": b"2"}


def bare_conf_change(entry):
    if entry.type != EntryType.EntryConfChange:
        return entry
    return replace(entry, data=replace(ConfChange.unmarshal(entry.data), context=b"").marshal())


def as_written_before_ids_in_the_log(data_dir: Path) -> None:
    """Rewrite the log as the reference etcd before the last session wrote it: segment headers
    without the member's and cluster's ids, bootstrap entries carrying bare ids (no member)."""
    for path in sorted(data_dir.glob("wal-*.log")):
        records = []
        for _, record in read_frames(path, last_segment=True):
            raw = record.pop("raw", b"")
            if "seq" not in record:
                record = {"segment": record["segment"]}
            elif "ents" in record:
                entries = [bare_conf_change(entry) for entry in _entries_from(record["ents"], raw)]
                record["ents"], raw = _entries_plain(entries)
            records.append(frame(record, raw))
        path.write_bytes(b"".join(records))


def test_a_log_from_before_ids_in_it_restarts_with_another_token_as_the_same_member(tmp_path, capsys):
    """A data dir whose log holds no ids (member_id alone does) restarts under another
    --initial-cluster-token as the member and cluster it was: the ids are the data dir's, as
    etcd takes them from its WAL whatever the flags say. The flags' member (by --name) is that
    member under the id of the data dir: it never served, its flags' id in no entry of the log."""
    ids = first_start(tmp_path)
    as_written_before_ids_in_the_log(tmp_path)
    restarts_under_other_tokens_as(tmp_path, ids)


def bare_bootstrap(storage: MemoryStorage, members) -> None:
    """Bootstrap entries as the builds before the last session wrote them: bare ids."""
    storage.append([Entry(1, i + 1, EntryType.EntryConfChange,
                          ConfChange(ConfChangeType.ConfChangeAddNode, member_id).marshal())
                    for i, member_id in enumerate(sorted(m.id for m in members))])


def test_other_first_members_of_a_log_from_before_ids_in_it_are_named_by_their_publish(tmp_path):
    """Under another token the flags' ids name none of the other first members: each one that
    ever started published itself in the log, its peer URLs too, and is named from that."""
    two = f"m1={PEER},m2=http://127.0.0.1:23802"
    old = {m.name: m for m in parse_initial_cluster(two, "t1").values()}
    storage = MemoryStorage()
    bare_bootstrap(storage, old.values())
    published = replace(old["m2"], client_urls=("http://127.0.0.1:23792",))
    storage.append([Entry(2, 3, EntryType.EntryNormal, encode_attributes(7, published))])
    flags = parse_initial_cluster(two, "t2")
    me = next(m for m in flags.values() if m.name == "m1")
    named = _name_bare_bootstrap_ids(storage, flags, me, old["m1"].id)
    assert named == {old["m1"].id: replace(me, id=old["m1"].id), old["m2"].id: published}


def test_other_first_members_never_published_need_the_token_that_named_them(tmp_path):
    """A first member of such a log that never published (never started) has only the ids the
    token gave: under another token the start is refused in one line naming the ids and the
    token."""
    two = f"m1={PEER},m2=http://127.0.0.1:23802"
    old = {m.name: m for m in parse_initial_cluster(two, "t1").values()}
    storage = MemoryStorage()
    bare_bootstrap(storage, old.values())
    flags = parse_initial_cluster(two, "t2")
    me = next(m for m in flags.values() if m.name == "m1")
    with pytest.raises(ErrBadCluster, match=f"names member\\(s\\) {old['m2'].id:x} by id alone.*"
                                            f"--initial-cluster-token"):
        _name_bare_bootstrap_ids(storage, flags, me, old["m1"].id)
    named = _name_bare_bootstrap_ids(storage, parse_initial_cluster(two, "t1"), old["m1"], old["m1"].id)
    assert named == {m.id: m for m in old.values()}


def test_a_start_refused_for_unnamed_first_members_changes_no_file(tmp_path):
    """The refusal comes before the recovery writes anything down: the torn tail of the log is
    still there for a start with the right token to repair."""
    two = f"m1={PEER},m2=http://127.0.0.1:23802"
    member = ClusterMember(tmp_path, ManualClock(), name="m1", initial_cluster=parse_initial_cluster(two, "t1"))
    member.close()  # its bootstrap entries are on disk; m2 never answered
    as_written_before_ids_in_the_log(tmp_path)
    last = sorted(tmp_path.glob("wal-*.log"))[-1]
    last.write_bytes(last.read_bytes() + b"\x40\x00")  # a record torn after its first bytes
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "LOCK"}
    with pytest.raises(ErrBadCluster, match="--initial-cluster-token"):
        ClusterMember(tmp_path, ManualClock(), name="m1", initial_cluster=parse_initial_cluster(two, "t2"))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "LOCK"} == before


@pytest.mark.parametrize("kind", ["reference", "etcd"])
def test_a_malformed_initial_cluster_is_not_read_once_the_member_has_a_wal(tmp_path, kind):
    """etcd 3.4 parses --initial-cluster only to bootstrap: a restart with one it could not
    parse (and another token) serves the data dir as before."""
    serve = reference_server if kind == "reference" else real_etcd
    with serve(tmp_path / "m") as server:
        assert etcdctl(server, "put", "k", "v").stdout == "OK\n"
    # real_etcd gives --listen-peer-urls; without it, both would listen on localhost:2380.
    listen = ("--listen-peer-urls", f"http://127.0.0.1:{free_port()}") if kind == "reference" else ()
    with serve(tmp_path / "m", "--initial-cluster", "garbage", "--initial-cluster-token", "t2", *listen) as server:
        got = etcdctl(server, "get", "k", "--print-value-only")
        assert got.stdout == "v\n", got.stderr


def test_a_member_renamed_without_listen_peer_urls_listens_on_etcds_default(tmp_path):
    """Restarted under another --name, without --listen-peer-urls, --initial-cluster names no
    peer URLs for it: etcd 3.4 listens for peers on its default, http://localhost:2380
    ("listening for peers on 127.0.0.1:2380"; with that port taken it exits: "listen tcp
    127.0.0.1:2380: bind: address already in use", checked against /usr/bin/etcd 3.4.23). The
    reference listened for no peers at all. The port is held here, so the test shows where the
    member would listen without taking localhost:2380 from anyone."""
    peer = f"http://127.0.0.1:{free_port()}"
    cluster = ("--initial-cluster", f"m1={peer}", "--initial-advertise-peer-urls", peer)
    with reference_server(tmp_path / "m", "--name", "m1", *cluster) as server:
        assert etcdctl(server, "put", "k", "v").stdout == "OK\n"
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):  # taken already: by someone else, just as refused
            held.bind(("127.0.0.1", 2380))
            held.listen()
        refused = start_refused(tmp_path / "m" / "data", "--name", "other", *cluster)
    assert refused.returncode != 0
    assert "cannot listen on localhost:2380: the port is already in use" in refused.stderr, refused.stderr
