"""Auth through real etcdctl, side by side with real etcd 3.4: users, roles, permissions,
`auth enable/disable`, `--user`; every answer (stdout, and the error line) must be the same."""
from __future__ import annotations

import threading
import time

import pytest

from processes import etcdctl, etcdctl_stream, real_etcd, reference_server
from reference_impl.etcd import ClusterMember
from reference_impl.etcd.auth import simple_token_index
from reference_impl.etcd.grpc_adapter import waited_token
from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd.errors import ErrInvalidAuthToken, ErrPermissionDenied, ErrUserEmpty
from reference_impl.etcd.messages import (
    AuthEnableRequest, AuthRoleAddRequest, AuthRoleGrantPermissionRequest, AuthUserAddRequest,
    AuthUserGrantRoleRequest, Permission, PutRequest, RangeRequest)

ROOT, ALICE, BOB = ("--user", "root:rootpw"), ("--user", "alice:apw"), ("--user", "bob:bpw")
SCRIPT: list[tuple[str, ...]] = [
    ("user", "add", "root:rootpw"),
    ("auth", "enable"),  # root has no root role yet: etcdctl adds it and retries, as with etcd
    ("put", "k", "v"),  # no user: refused
    (*ROOT, "put", "k", "v"),
    (*ROOT, "user", "add", "alice:apw"),
    (*ROOT, "user", "add", "alice:again"),
    (*ROOT, "user", "add", "bob:bpw"),
    (*ROOT, "role", "add", "app"),
    (*ROOT, "role", "add", "app"),
    (*ROOT, "role", "grant-permission", "app", "readwrite", "app/", "--prefix"),
    (*ROOT, "role", "grant-permission", "app", "read", "config"),
    (*ROOT, "role", "grant-permission", "app", "write", "logs/", "logs0"),
    (*ROOT, "role", "grant-permission", "app", "read", "x", "q"),  # written backwards: grants nothing
    (*ROOT, "role", "get", "app"),
    (*ROOT, "role", "get", "nope"),
    (*ROOT, "user", "grant-role", "alice", "app"),
    (*ROOT, "user", "grant-role", "alice", "nope"),
    (*ROOT, "user", "get", "alice"),
    (*ROOT, "user", "list"),
    (*ROOT, "role", "list"),
    (*ALICE, "put", "app/1", "one"),
    (*ALICE, "get", "app/", "--prefix"),
    (*ALICE, "get", "config"),
    (*ALICE, "put", "config", "x"),
    (*ALICE, "put", "config"),  # 1.6 MB from stdin: too large before it is refused as not permitted
    (*ALICE, "put", "logs/a", "x"),
    (*ALICE, "get", "logs/a"),
    (*ALICE, "get", "x", "q"),
    (*ALICE, "get", "app/z", "app/a"),  # backwards, but its key is readable
    (*ALICE, "get", "", "--prefix"),
    (*ALICE, "del", "app/1"),
    (*ALICE, "user", "list"),
    (*ALICE, "endpoint", "hashkv"),  # maintenance needs root
    ("endpoint", "hashkv"),
    (*ROOT, "endpoint", "hashkv"),  # the same history: the same hash
    ("--user", "alice:wrong", "get", "config"),
    (*BOB, "get", "config"),
    (*ROOT, "role", "revoke-permission", "app", "config"),
    (*ROOT, "role", "revoke-permission", "app", "config"),
    (*ALICE, "get", "config"),
    (*ROOT, "user", "revoke-role", "alice", "app"),
    (*ROOT, "user", "revoke-role", "alice", "app"),
    (*ALICE, "get", "app/1"),
    (*ROOT, "user", "passwd", "bob", "--interactive=false"),
    (*BOB, "get", "config"),
    ("--user", "bob:newpw", "get", "config"),
    (*ROOT, "user", "delete", "root"),
    (*ROOT, "role", "delete", "root"),
    (*ROOT, "user", "revoke-role", "root", "root"),
    (*ROOT, "user", "delete", "bob"),
    (*ROOT, "role", "delete", "app"),
    (*ROOT, "user", "get", "alice"),
    (*ROOT, "auth", "disable"),
    ("put", "k", "after"),
    ("get", "k", "--print-value-only"),
    ("user", "list"),
]
STDIN = {("user", "passwd", "bob", "--interactive=false"): "newpw\n",
         ("put", "config"): "x" * 1_600_000}


def transcript(server) -> list[str]:
    lines = []
    for step in SCRIPT:
        done = etcdctl(server, *step, input=STDIN.get(tuple(step[2:])))
        error = done.stderr.strip().splitlines()[-1] if done.returncode else ""
        answer = f"{done.stdout}{error}".replace(server.address, "ENDPOINT")
        lines.append(f"$ {' '.join(step)}\n{answer}")
    return lines


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    with real_etcd(tmp_path_factory.mktemp("etcd")) as etcd:
        theirs = transcript(etcd)
    with reference_server(tmp_path_factory.mktemp("reference")) as reference:
        ours = transcript(reference)
    return theirs, ours


def test_auth_answers_as_etcd_does(transcripts):
    """Each etcdctl answer, success or error, is the same as real etcd 3.4's."""
    theirs, ours = transcripts
    assert ours == theirs


def test_the_script_was_refused_where_it_should_be(transcripts):
    """The transcript did exercise refusals: no user, wrong password, no permission."""
    theirs, _ = transcripts
    text = "\n".join(theirs)
    for error in ("user name is empty", "authentication failed", "permission denied",
                  "invalid auth management", "role is not granted", "permission is not granted"):
        assert error in text


def test_a_watch_without_read_permission_is_canceled(tmp_path):
    """etcd refuses a watch the user may not read inside the stream: created, then canceled."""
    with reference_server(tmp_path / "reference") as server:
        for step in SCRIPT[:2] + [(*ROOT, "user", "add", "bob:bpw")]:
            etcdctl(server, *step)
        with etcdctl_stream(server, *BOB, "watch", "secret") as watch:
            assert any("permission denied" in line for line in watch.read(1))


# Holds characters no bcrypt hash can (its alphabet is ./A-Za-z0-9): "upw" once turned up inside
# the stored hash itself, failing the check that the log never holds the plain password.
USER_PASSWORD = "u-pw!"


def test_auth_survives_a_restart_and_snapshots(tmp_path):
    """Users, roles and the enabled flag are logged like writes: a restart, with or without a
    snapshot in between, brings them back, passwords checked against the stored hash."""
    for snapshot_count in (10000, 3):
        data_dir = tmp_path / str(snapshot_count)
        with ClusterMember.alone(data_dir, ManualClock(), snapshot_count=snapshot_count) as server:
            for request in (AuthUserAddRequest("root", "rootpw"), AuthRoleAddRequest("root"),
                            AuthUserGrantRoleRequest("root", "root"), AuthUserAddRequest("u", USER_PASSWORD),
                            AuthRoleAddRequest("r"),
                            AuthRoleGrantPermissionRequest("r", Permission("READ", b"a", b"c")),
                            AuthUserGrantRoleRequest("u", "r"), AuthEnableRequest()):
                server.auth_change(request)
        with ClusterMember.alone(data_dir, ManualClock(), snapshot_count=snapshot_count) as server:
            with pytest.raises(ErrUserEmpty):
                server.authorize(None, RangeRequest(b"b"))
            token = server.authenticate("u", USER_PASSWORD)
            server.authorize(token, RangeRequest(b"a", b"c"))
            with pytest.raises(ErrPermissionDenied):
                server.authorize(token, PutRequest(b"b", b"1"))
            with pytest.raises(ErrPermissionDenied):
                server.authorize(token, RangeRequest(b"a", b"d"))
        assert USER_PASSWORD.encode() not in b"".join(p.read_bytes() for p in data_dir.glob("wal-*.log"))


def _enabled_root_token(member: ClusterMember) -> str:
    for request in (AuthUserAddRequest("root", "rootpw"), AuthUserGrantRoleRequest("root", "root"),
                    AuthEnableRequest()):
        member.auth_change(request)
    return member.authenticate("root", "rootpw")


def test_a_restart_forgets_a_token_issued_before_a_later_write(tmp_path):
    """etcd 3.4 saves its consistent index with each key-value write and a restart applies only
    the entries after it: a token issued before the last write is not assigned again, one issued
    after it is (both seen with etcd 3.4: `invalid auth token`, and the token still serving)."""
    for write_after, survives in ((True, False), (False, True)):
        data_dir = tmp_path / str(write_after)
        with ClusterMember.alone(data_dir, ManualClock()) as member:
            token = _enabled_root_token(member)
            if write_after:
                member.authorize(token, PutRequest(b"k", b"v"))
                member.put(PutRequest(b"k", b"v"))
        with ClusterMember.alone(data_dir, ManualClock()) as member:
            if survives:
                member.authorize(token, RangeRequest(b"k"))
            else:
                with pytest.raises(ErrInvalidAuthToken):
                    member.authorize(token, RangeRequest(b"k"))


class _Call:
    """What waited_token reads of a gRPC call: its metadata, whether it is live, its time left."""

    def __init__(self, token: str, seconds: float):
        self.token, self.deadline = token, time.monotonic() + seconds

    def invocation_metadata(self):
        return (("token", self.token),)

    def is_active(self) -> bool:
        return time.monotonic() < self.deadline

    def time_remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def test_a_simple_token_naming_a_later_index_holds_its_call_until_that_index_is_applied(tmp_path):
    """isValidSimpleToken waits for the raft index after a token's dot before the token is looked
    up: etcd 3.4.23 held a call whose token named an index two writes ahead until those writes
    were applied, then refused it (invalid auth token); one naming an index no write reaches
    until the call's deadline; a token whose index is no number at once. The reference refused
    all three at once."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        prefix = _enabled_root_token(member).split(".")[0]
        ahead = f"{prefix}.{member.node.applied + 2}"
        done = threading.Event()
        waiter = threading.Thread(target=lambda: (waited_token(_Call(ahead, 10), member), done.set()))
        waiter.start()
        assert not done.wait(0.3)
        for value in (b"1", b"2"):
            member.put(PutRequest(b"k", value))
        assert done.wait(5)
        waiter.join()
        with pytest.raises(ErrInvalidAuthToken):
            member.authorize(ahead)

        started = time.monotonic()
        assert waited_token(_Call(f"{prefix}.999999", 0.4), member) == f"{prefix}.999999"
        assert time.monotonic() - started >= 0.35
        started = time.monotonic()
        for token in (f"{prefix}.x", f"{prefix}.1.2", "nodot", f"{prefix}.99999999999999999999"):
            assert waited_token(_Call(token, 5), member) == token
        assert time.monotonic() - started < 0.2


def test_a_negative_simple_token_index_is_one_no_log_reaches():
    """strconv.Atoi takes the sign and uint64() wraps it: "P.-1" waits for ever (or the deadline)."""
    assert simple_token_index("P.-1") == (1 << 64) - 1
    assert simple_token_index("P.+7") == 7
    assert [simple_token_index(t) for t in ("P.0x1", "P.", "P", "P.1.2")] == [None] * 4


def test_calls_waiting_on_a_far_token_index_do_not_starve_other_calls(tmp_path, monkeypatch):
    """etcd waits for a simple token's index in the call's own goroutine, with no deadline until
    the client gives up. A call waiting here holds a pool worker: as many calls as the server
    takes, each with a token naming an index no log reaches and no deadline, used to fill the
    pool, and every later call (the apiserver's too) got RESOURCE_EXHAUSTED. Only some calls
    may wait; the rest are refused at once as invalid tokens, and a plain Put and Range go on."""
    import grpc
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc
    from reference_impl.etcd import grpc_adapter

    monkeypatch.setattr(grpc_adapter, "MAX_CONCURRENT_RPCS", 20)
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        grpc_server = grpc_adapter.new_grpc_server()
        port = grpc_server.add_insecure_port("127.0.0.1:0")
        grpc_adapter.add_etcd_servicers(grpc_server, member)
        grpc_server.start()
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                kv = rpc_pb2_grpc.KVStub(channel)
                far = (("token", "x.9223372036854775807"),)
                held = [kv.Range.future(rpc_pb2.RangeRequest(key=b"k"), metadata=far)
                        for _ in range(20)]
                time.sleep(0.3)
                kv.Put(rpc_pb2.PutRequest(key=b"k", value=b"v"), timeout=5)
                assert kv.Range(rpc_pb2.RangeRequest(key=b"k"), timeout=5).kvs[0].value == b"v"
                refused = [call for call in held if call.done()]
                assert refused and all(call.code() == grpc.StatusCode.UNAUTHENTICATED
                                       and call.details() == ErrInvalidAuthToken.message
                                       for call in refused)
                assert len(refused) < len(held)
                for call in held:
                    call.cancel()
        finally:
            grpc_server.stop(None)


def test_a_watch_create_waits_for_its_simple_tokens_index_as_unary_calls_do(tmp_path):
    """isWatchPermitted reads the stream's auth info through the same isValidSimpleToken wait:
    etcd 3.4.23 answered a create whose token named the next index only once a write applied it
    (1.0 s, then 'invalid auth token'), and one naming an index no write reaches not at all
    before the stream's 2 s deadline. The reference refused both at once."""
    import grpc
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc
    from reference_impl.etcd import grpc_adapter

    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        prefix = _enabled_root_token(member).split(".")[0]
        grpc_server = grpc_adapter.new_grpc_server()
        port = grpc_server.add_insecure_port("127.0.0.1:0")
        grpc_adapter.add_etcd_servicers(grpc_server, member)
        grpc_server.start()
        stop = threading.Event()

        def creates():
            yield rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"k"))
            stop.wait(5)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                watch = rpc_pb2_grpc.WatchStub(channel)
                ahead = (("token", f"{prefix}.{member.node.applied + 1}"),)
                threading.Timer(0.5, lambda: member.put(PutRequest(b"x", b"y"))).start()
                started = time.monotonic()
                first = next(iter(watch.Watch(creates(), metadata=ahead, timeout=5)))
                assert time.monotonic() - started >= 0.4
                assert first.canceled and first.cancel_reason.endswith(ErrInvalidAuthToken.message)
                far = (("token", f"{prefix}.999999"),)
                with pytest.raises(grpc.RpcError) as ended:
                    next(iter(watch.Watch(creates(), metadata=far, timeout=0.6)))
                assert ended.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        finally:
            stop.set()
            grpc_server.stop(None)


def test_each_simple_token_function_names_the_go_function_it_mirrors():
    """simple_token_index is isValidSimpleToken's parsing, _token_swept the TTL keeper's sweep: a
    function inserted under the keeper's decorator had taken its name and dropped its own."""
    from reference_impl.etcd import auth

    assert auth.simple_token_index.__mirrors__ == (f"(*{auth.AUTH}.tokenSimple).isValidSimpleToken",)
    assert auth._token_swept.__mirrors__ == (f"(*{auth.AUTH}.simpleTokenTTLKeeper).run",)
