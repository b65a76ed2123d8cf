"""Maintenance RPCs through real etcdctl, side by side with real etcd 3.4: `endpoint hashkv`
gives the same checksum on the same history, `move-leader` answers the same."""
from __future__ import annotations

import json
import time

import grpc
import pytest
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from processes import etcdctl, real_etcd, reference_server
from reference_impl.etcd.backend import hash_backend, hash_by_rev
from reference_impl.etcd.bolt import read_db
from reference_impl.etcd.mvcc import KVStore

TXN = 'version("t1") = "0"\n\nput t1 a\nput t2 b\ndel x1\n\n\n'
# Each step is followed by a hashkv of the whole history; ("hash-at", REV) is a hashkv at REV, of
# a history compacted below it. The same script gives both servers the same revisions.
SCRIPT: list[tuple[str, ...]] = [
    (),
    ("put", "x1", "one"),
    ("put", "x2", ""),
    ("put", "x1", "two"),
    ("txn",),
    ("del", "x2"),
    ("put", "x2", "again"),
    ("del", "--prefix", "t"),
    ("compact", "5"),
    ("put", "x3", "after compaction"),
    ("hash-at", "6"),
    ("compact", "9"),
]


def hashkv(server, *flags: str) -> dict:
    done = etcdctl(server, "endpoint", "hashkv", "-w", "json", *flags)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)[0]["HashKV"]
    return {"hash": answer["hash"], "compact_revision": answer["compact_revision"],
            "revision": answer["header"]["revision"]}


def run_script(server) -> list[dict]:
    seen = []
    for step in SCRIPT:
        if step == ("txn",):
            assert etcdctl(server, "txn", "-i", input=TXN).returncode == 0
        elif step[:1] == ("hash-at",):
            seen.append(hashkv(server, "--rev", step[1]))
        elif step:
            done = etcdctl(server, *step)
            assert done.returncode == 0, done.stderr
        seen.append(hashkv(server))
    refused = etcdctl(server, "endpoint", "hashkv", "--rev", "3")
    seen.append({"compacted": refused.returncode, "error": refused.stderr.splitlines()[-1]})
    return seen


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    with real_etcd(tmp_path_factory.mktemp("etcd")) as etcd, \
            reference_server(tmp_path_factory.mktemp("reference")) as reference:
        yield etcd, reference


def test_hashkv_matches_real_etcd_on_the_same_history(both):
    """HashKV is crc32c over the `key` bucket's revision keys and KeyValue protobufs, counting a
    compacted revision only while it is still visible: equal numbers to etcd's at every step."""
    etcd, reference = both
    theirs, ours = run_script(etcd), run_script(reference)
    assert ours == theirs
    assert len({step["hash"] for step in theirs[:-1]}) >= len(SCRIPT) - 1


def test_move_leader_on_one_member_is_refused_as_etcd_refuses_it(both):
    """On a one-member cluster leadership "moves" only to the leader itself; any other id is
    etcd's "bad leader transferee"."""
    for server in both:
        status = json.loads(etcdctl(server, "endpoint", "status", "-w", "json").stdout)[0]
        leader = format(status["Status"]["leader"], "x")
        moved = etcdctl(server, "move-leader", leader)
        assert moved.stdout == f"Leadership transferred from {leader} to {leader}\n"
        refused = etcdctl(server, "move-leader", "1234")
        assert refused.returncode == 1
        assert refused.stderr.splitlines()[-1] == "Error: etcdserver: bad leader transferee"


def test_an_alarm_answer_carries_no_header(both):
    """etcd 3.4's maintenanceServer.Alarm returns the applier's AlarmResponse, which has no
    header, for every action: `alarm list -w json` prints {}."""
    for server in both:
        assert etcdctl(server, "alarm", "list", "-w", "json").stdout == "{}\n"
        with grpc.insecure_channel(server.address) as channel:
            alarm = rpc_pb2_grpc.MaintenanceStub(channel).Alarm
            for action in (rpc_pb2.AlarmRequest.GET, rpc_pb2.AlarmRequest.DEACTIVATE):
                assert not alarm(rpc_pb2.AlarmRequest(action=action)).HasField("header")


def test_a_move_leader_answer_carries_no_header(both):
    """etcd 3.4's maintenanceServer.MoveLeader answers a bare MoveLeaderResponse{}."""
    for server in both:
        with grpc.insecure_channel(server.address) as channel:
            stub = rpc_pb2_grpc.MaintenanceStub(channel)
            leader = stub.Status(rpc_pb2.StatusRequest()).leader
            moved = stub.MoveLeader(rpc_pb2.MoveLeaderRequest(targetID=leader))
            assert not moved.HasField("header")


def test_snapshot_chunks_carry_no_header(both):
    """etcd 3.4's maintenanceServer.Snapshot sends each chunk, and the SHA-256 after them, as a
    bare SnapshotResponse of remaining_bytes and blob."""
    for server in both:
        with grpc.insecure_channel(server.address) as channel:
            chunks = list(rpc_pb2_grpc.MaintenanceStub(channel).Snapshot(rpc_pb2.SnapshotRequest()))
        assert len(chunks) >= 2 and not any(chunk.HasField("header") for chunk in chunks)


def test_hash_is_the_crc32c_of_the_whole_backend(both, tmp_path):
    """Maintenance.Hash is crc32c over every bucket's name and its keys and values but meta's
    consistent_index: on both servers, the number a snapshot saved right after gives, with the
    header of the current revision."""
    for server in both:
        assert etcdctl(server, "put", "hash-me", "v").returncode == 0
        with grpc.insecure_channel(server.address) as channel:
            stub = rpc_pb2_grpc.MaintenanceStub(channel)
            answer = stub.Hash(rpc_pb2.HashRequest())
            status = stub.Status(rpc_pb2.StatusRequest())
        saved = tmp_path / f"{server.kind}.db"
        assert etcdctl(server, "snapshot", "save", str(saved)).returncode == 0
        assert answer.hash == hash_backend(read_db(saved.read_bytes()[:-32]))
        assert (answer.header.revision, answer.header.member_id) == \
            (status.header.revision, status.header.member_id)


def test_hashkv_of_a_40_mb_store_answers_well_within_etcdctls_5_s_timeout():
    """The checksum runs in C: byte by byte in Python, 50 MB of values took 7 s and etcdctl
    endpoint hashkv gave up with "context deadline exceeded"."""
    store = KVStore()
    value = bytes(range(256)) * 400  # 100 kB
    for i in range(400):
        with store.write() as txn:
            txn.put(b"/registry/configmaps/default/cm-%d" % i, value)
    started = time.perf_counter()
    first = hash_by_rev(store, 0)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.5
    with store.write() as txn:
        txn.put(b"/registry/configmaps/default/cm-0", value[:-1])
    assert hash_by_rev(store, 0)[0] != first[0] and hash_by_rev(store, first[1])[0] == first[0]
