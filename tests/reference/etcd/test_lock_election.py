"""The v3lock and v3election gRPC services, against real etcd 3.4 and the reference: the same
calls give the same answers, codes and texts (lease IDs, cluster and member IDs normalised).

etcdctl's `lock` and `elect` run clientv3's concurrency package client-side over KV, Lease and
Watch and never call these services (gRPC clients of other languages and etcd's grpc-gateway
do); their outputs and exit codes are compared too. Both servers start empty, so revisions are
compared as they are.
"""
from __future__ import annotations

import difflib
import re
import threading
import time

import grpc
import pytest
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from processes import etcdctl, etcdctl_stream, real_etcd, reference_server, require
from reference_impl.etcd import concurrencypb as pb

LOCK, ELECTION = pb.LOCK_SERVICE, pb.ELECTION_SERVICE
RESPONSES = {"Lock": pb.LockResponse, "Unlock": pb.UnlockResponse,
             "Campaign": pb.CampaignResponse, "Proclaim": pb.ProclaimResponse,
             "Leader": pb.LeaderResponse, "Resign": pb.ResignResponse}


class Caller:
    """Unary calls of the two services on one channel, each answer as one line of text."""

    def __init__(self, channel: grpc.Channel, lease_names: dict[int, str]):
        self.channel = channel
        self.lease_names = lease_names

    def raw(self, service: str, method: str, request, timeout: float = 5.0):
        call = self.channel.unary_unary(f"/{service}/{method}",
                                        request_serializer=type(request).SerializeToString,
                                        response_deserializer=RESPONSES[method].FromString)
        return call(request, timeout=timeout)

    def line(self, service: str, method: str, request, timeout: float = 5.0) -> str:
        try:
            return f"{method}: {self.show(self.raw(service, method, request, timeout))}"
        except grpc.RpcError as err:
            return f"{method}: {err.code().name} {err.details()!r}"

    def show(self, message) -> str:
        """The message as text, the header reduced to its revision and lease IDs named."""
        revision = message.header.revision
        message.ClearField("header")
        text = " ".join(str(message).split())
        for lease, name in self.lease_names.items():
            text = text.replace(f"{lease:x}", name).replace(str(lease), name)
        return f"rev={revision} {text}"


def grant(channel: grpc.Channel, names: dict[int, str], ttl: int = 30) -> int:
    lease = rpc_pb2_grpc.LeaseStub(channel).LeaseGrant(rpc_pb2.LeaseGrantRequest(TTL=ttl)).ID
    names[lease] = f"<L{len(names) + 1}>"
    return lease


def put(channel: grpc.Channel, key: bytes, value: bytes) -> None:
    rpc_pb2_grpc.KVStub(channel).Put(rpc_pb2.PutRequest(key=key, value=value))


def transcript(address: str) -> str:
    """Locks and an election, their errors included, and what an observer saw meanwhile."""
    names: dict[int, str] = {}
    with grpc.insecure_channel(address) as channel:
        c = Caller(channel, names)
        a = grant(channel, names)
        out = [c.line(LOCK, "Lock", pb.LockRequest(name=b"lk", lease=1234)),
               c.line(LOCK, "Lock", pb.LockRequest(name=b"lk", lease=a)),
               c.line(LOCK, "Lock", pb.LockRequest(name=b"lk", lease=a)),
               c.line(LOCK, "Unlock", pb.UnlockRequest(key=b"nope")),
               c.line(LOCK, "Unlock", pb.UnlockRequest()),
               c.line(ELECTION, "Leader", pb.LeaderRequest(name=b"el")),
               c.line(ELECTION, "Campaign", pb.CampaignRequest(name=b"el", lease=999, value=b"v"))]
        observed: list[str] = []
        observer = threading.Thread(target=_observe, args=(c, b"el", observed, 3.0))
        observer.start()
        time.sleep(0.3)  # the observer waits for a first leader
        campaign = c.raw(ELECTION, "Campaign", pb.CampaignRequest(name=b"el", lease=a, value=b"v1"))
        leader = campaign.leader
        out += [f"Campaign: {c.show(campaign)}",
                c.line(ELECTION, "Campaign", pb.CampaignRequest(name=b"el", lease=a, value=b"v2")),
                c.line(ELECTION, "Leader", pb.LeaderRequest(name=b"el")),
                c.line(ELECTION, "Proclaim", pb.ProclaimRequest(leader=leader, value=b"v3")),
                c.line(ELECTION, "Proclaim", pb.ProclaimRequest(value=b"v3")),
                c.line(ELECTION, "Proclaim", pb.ProclaimRequest(
                    leader=pb.LeaderKey(name=b"el", key=leader.key, rev=leader.rev + 100,
                                        lease=a), value=b"v4")),
                c.line(ELECTION, "Resign", pb.ResignRequest()),
                c.line(ELECTION, "Resign", pb.ResignRequest(leader=leader)),
                c.line(ELECTION, "Leader", pb.LeaderRequest(name=b"el"))]
        time.sleep(0.2)
        put(channel, b"el/zz", b"direct")  # a key put under the prefix leads too
        observer.join()
        out += [f"Observe: {line}" for line in observed]
        out.append(c.line(LOCK, "Unlock", pb.UnlockRequest(key=b"lk/%x" % a)))
    return "\n".join(out)


def _observe(c: Caller, name: bytes, out: list[str], timeout: float) -> None:
    stream = c.channel.unary_stream(f"/{ELECTION}/Observe",
                                    request_serializer=pb.LeaderRequest.SerializeToString,
                                    response_deserializer=pb.LeaderResponse.FromString)
    try:
        for response in stream(pb.LeaderRequest(name=name), timeout=timeout):
            out.append(c.show(response))
    except grpc.RpcError:
        pass  # the deadline ends it: real etcd's status then races the client's own (Unknown or
        # DeadlineExceeded), so it is not compared


# NAME/<session lease in hex>: etcd's lease IDs begin with 16 bits of the member ID, so a
# member ID ending in 0x00XX gives a key of 14 hex digits or fewer.
SESSION_KEY = re.compile(r"\b(dl|de)/[0-9a-f]{1,16}\b")


def etcdctl_transcript(server) -> str:
    """etcdctl's lock and elect (clientv3 concurrency run client-side): outputs and exit codes,
    a second locker queued behind the first, and an observer seeing the elected leader."""
    out = []
    for args in (("lock", "dl", "echo", "held"), ("lock", "dl", "false"), ("lock",),
                 ("elect", "de"), ("elect", "-l")):
        result = etcdctl(server, *args)
        out.append(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}[rc={result.returncode}]")
    with etcdctl_stream(server, "lock", "dl", "--", "sh", "-c", "echo locked; sleep 2") as first:
        out += first.read(1)  # the first locker holds the lock for 2 s from about now
        asked = time.monotonic()
        second = etcdctl(server, "lock", "dl", "echo", "second")
        # Not the first process's exit: etcdctl unlocks before it exits, so the second may be
        # answered while the first is still ending.
        out.append(f"second locker waited for the first: {time.monotonic() - asked >= 1.0} "
                   f"{second.stdout.strip()} [rc={second.returncode}]")
    with etcdctl_stream(server, "elect", "de", "p1") as candidate:
        out += candidate.read(2)
        with etcdctl_stream(server, "elect", "-l", "de") as observer:
            out += observer.read(2)
    return SESSION_KEY.sub(r"\1/<session>", "\n".join(out))


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    require("etcd")
    require("etcdctl")
    root = tmp_path_factory.mktemp("lock_election")
    with real_etcd(root / "etcd") as etcd:
        expected = transcript(etcd.address) + "\n" + etcdctl_transcript(etcd)
    with reference_server(root / "reference") as reference:
        actual = transcript(reference.address) + "\n" + etcdctl_transcript(reference)
    return expected, actual


def test_lock_and_election_answer_as_real_etcd(transcripts):
    """Every call's answer, error code and text, and the observer's stream, match etcd 3.4's."""
    expected, actual = transcripts
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "real etcd 3.4", "reference", lineterm=""))
        pytest.fail(f"lock/election transcripts differ:\n{diff}", pytrace=False)


def test_the_transcript_reached_the_error_paths(transcripts):
    expected, _ = transcripts
    for text in ("etcdserver: requested lease not found", "election: no leader",
                 "election: not leader", '"leader" field must be provided',
                 "etcdserver: key is not provided", "Observe: rev=", "Error: exit status 1",
                 "second locker waited for the first: True second [rc=0]", "de/<session>\np1"):
        assert text in expected


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    with reference_server(tmp_path_factory.mktemp("lock") / "reference") as server:
        with grpc.insecure_channel(server.address) as channel:
            yield channel


def test_a_second_locker_waits_until_the_first_unlocks(reference):
    """The lock goes to the oldest key under NAME/: a second Lock returns only after the
    holder's key is deleted, at a revision past that delete."""
    names: dict[int, str] = {}
    c = Caller(reference, names)
    first = c.raw(LOCK, "Lock", pb.LockRequest(name=b"wait", lease=grant(reference, names)))
    second: list = []
    waiter = threading.Thread(target=lambda: second.append(c.raw(
        LOCK, "Lock", pb.LockRequest(name=b"wait", lease=grant(reference, names)))))
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive() and not second
    unlocked = c.raw(LOCK, "Unlock", pb.UnlockRequest(key=first.key))
    waiter.join(5)
    assert second and second[0].key != first.key
    assert second[0].header.revision == unlocked.header.revision


def test_a_locker_that_goes_away_gives_up_its_place(reference):
    """A Lock whose caller's deadline passes while it waits deletes its own key (Mutex.Lock
    unlocks when its wait fails), so it never holds the lock for nobody."""
    names: dict[int, str] = {}
    c = Caller(reference, names)
    holder = c.raw(LOCK, "Lock", pb.LockRequest(name=b"gone", lease=grant(reference, names)))
    with pytest.raises(grpc.RpcError) as err:
        c.raw(LOCK, "Lock", pb.LockRequest(name=b"gone", lease=grant(reference, names)), timeout=0.5)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    kv = rpc_pb2_grpc.KVStub(reference)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        keys = [k.key for k in kv.Range(rpc_pb2.RangeRequest(key=b"gone/", range_end=b"gone0")).kvs]
        if keys == [holder.key]:
            break
        time.sleep(0.1)
    assert keys == [holder.key]


def test_a_lock_without_a_lease_gets_a_session_lease_of_60_seconds(reference):
    """Lock with lease 0 opens a session on a new 60 s lease, named in the key, as etcd's
    NewSession grants (and the server never keeps it alive)."""
    c = Caller(reference, {})
    key = c.raw(LOCK, "Lock", pb.LockRequest(name=b"nolease")).key
    lease = int(key.rsplit(b"/", 1)[1], 16)
    ttl = rpc_pb2_grpc.LeaseStub(reference).LeaseTimeToLive(rpc_pb2.LeaseTimeToLiveRequest(ID=lease))
    assert ttl.grantedTTL == 60
