"""The order etcd 3.4 checks a request in, side by side with real etcd over gRPC: the caller's
token, then (for a request it serves through raft) the entry's size, then the caller's
permissions. Requests etcdctl cannot make (a name over 1.5 MB does not fit in an argument)
go through the generated stubs; every answer, code and text, must be the same."""
from __future__ import annotations

import queue

import grpc
import pytest
from aetcd.rpc import auth_pb2, rpc_pb2, rpc_pb2_grpc

from processes import real_etcd, reference_server

BIG = 1_600_000  # over --max-request-bytes (1.5 MiB), under gRPC's receive limit (2 MiB)
TOO_LARGE = ("INVALID_ARGUMENT", "etcdserver: request is too large")
DENIED = ("PERMISSION_DENIED", "etcdserver: permission denied")


def _put(key: bytes, value: bytes = b"v", **fields) -> rpc_pb2.PutRequest:
    return rpc_pb2.PutRequest(key=key, value=value, **fields)


def _watch(**fields) -> rpc_pb2.WatchRequest:
    return rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(**fields))


class _Answers:
    """Each call's answer by name: ("OK", "") or the error's code name and text."""

    def __init__(self) -> None:
        self.by_name: dict[str, tuple[str, str]] = {}

    def call(self, name: str, method, request, token: str | None = None) -> None:
        metadata = (("token", token),) if token is not None else None
        try:
            method(request, metadata=metadata, timeout=10)
            self.by_name[name] = ("OK", "")
        except grpc.RpcError as err:
            self.by_name[name] = (err.code().name, err.details())


def _watch_answers(stub, token: str, *creates: rpc_pb2.WatchRequest) -> list[tuple]:
    """The answer to each create sent on one stream: (watch id, canceled, cancel reason)."""
    requests: queue.Queue = queue.Queue()
    stream = stub.Watch(iter(requests.get, None), metadata=(("token", token),))
    answers = []
    for create in creates:
        requests.put(create)
        response = next(stream)
        answers.append((response.watch_id, response.canceled, response.cancel_reason))
    requests.put(None)
    stream.cancel()
    return answers


def _answers(address: str) -> dict[str, object]:
    channel = grpc.insecure_channel(address)
    kv, auth = rpc_pb2_grpc.KVStub(channel), rpc_pb2_grpc.AuthStub(channel)
    lease, watch = rpc_pb2_grpc.LeaseStub(channel), rpc_pb2_grpc.WatchStub(channel)
    out = _Answers()
    out.call("user get, auth off", auth.UserGet, rpc_pb2.AuthUserGetRequest(name="x" * BIG))
    out.call("role get, auth off", auth.RoleGet, rpc_pb2.AuthRoleGetRequest(role="x" * BIG))

    # "u" may write "w" and read "rd"; the key "secret" holds a lease.
    Perm = auth_pb2.Permission
    for method, request in (
            (auth.UserAdd, rpc_pb2.AuthUserAddRequest(name="root", password="rootpw")),
            (auth.UserGrantRole, rpc_pb2.AuthUserGrantRoleRequest(user="root", role="root")),
            (auth.UserAdd, rpc_pb2.AuthUserAddRequest(name="u", password="upw")),
            (auth.RoleAdd, rpc_pb2.AuthRoleAddRequest(name="wr")),
            (auth.RoleGrantPermission, rpc_pb2.AuthRoleGrantPermissionRequest(
                name="wr", perm=Perm(permType=Perm.WRITE, key=b"w"))),
            (auth.RoleGrantPermission, rpc_pb2.AuthRoleGrantPermissionRequest(
                name="wr", perm=Perm(permType=Perm.READ, key=b"rd"))),
            (auth.UserGrantRole, rpc_pb2.AuthUserGrantRoleRequest(user="u", role="wr"))):
        method(request)
    lease_id = lease.LeaseGrant(rpc_pb2.LeaseGrantRequest(TTL=600)).ID
    kv.Put(_put(b"secret", lease=lease_id))
    auth.AuthEnable(rpc_pb2.AuthEnableRequest())
    root = auth.Authenticate(rpc_pb2.AuthenticateRequest(name="root", password="rootpw")).token
    u = auth.Authenticate(rpc_pb2.AuthenticateRequest(name="u", password="upw")).token

    big_put = _put(b"nope", b"x" * BIG)
    out.call("put", kv.Put, big_put, u)
    out.call("put, no token", kv.Put, big_put)
    out.call("put, bogus token", kv.Put, big_put, "bogus")
    out.call("delete", kv.DeleteRange, rpc_pb2.DeleteRangeRequest(key=b"n" * BIG), u)
    out.call("txn", kv.Txn, rpc_pb2.TxnRequest(
        compare=[rpc_pb2.Compare(key=b"nope")],
        success=[rpc_pb2.RequestOp(request_put=_put(b"w", b"x" * BIG))]), u)
    out.call("user add", auth.UserAdd, rpc_pb2.AuthUserAddRequest(name="x" * BIG), u)
    for who, token in (("root", root), ("u", u), ("no token", None)):
        out.call(f"user get, {who}", auth.UserGet, rpc_pb2.AuthUserGetRequest(name="x" * BIG), token)
        out.call(f"role get, {who}", auth.RoleGet, rpc_pb2.AuthRoleGetRequest(role="x" * BIG), token)
    out.call("put attaching the lease", kv.Put, _put(b"w", lease=lease_id), u)
    answers: dict[str, object] = dict(out.by_name)
    answers["watch"] = _watch_answers(watch, u, _watch(key=b"rd", watch_id=5),
                                      _watch(key=b"nope", watch_id=5), _watch(key=b"rd", watch_id=5))
    channel.close()
    return answers


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    with real_etcd(tmp_path_factory.mktemp("etcd")) as etcd:
        theirs = _answers(etcd.address)
    with reference_server(tmp_path_factory.mktemp("reference")) as reference:
        ours = _answers(reference.address)
    return theirs, ours


def test_the_reference_answers_as_etcd_does(answers):
    theirs, ours = answers
    assert ours == theirs


@pytest.mark.parametrize("name", ["put", "put, no token", "delete", "txn", "user add"])
def test_a_write_is_sized_before_its_permissions(answers, name):
    """A user who may not write the keys, or a caller with no token, is told the request is
    too large, not that it is not permitted."""
    assert answers[0][name] == answers[1][name] == TOO_LARGE


def test_a_bogus_token_is_refused_before_the_size(answers):
    assert answers[0]["put, bogus token"] == answers[1]["put, bogus token"] == (
        "UNAUTHENTICATED", "etcdserver: invalid auth token")


@pytest.mark.parametrize("name", ["user get, auth off", "role get, auth off", "user get, root",
                                  "role get, root", "user get, u", "role get, u",
                                  "user get, no token", "role get, no token"])
def test_a_user_or_role_get_is_sized_as_a_raft_request(answers, name):
    assert answers[0][name] == answers[1][name] == TOO_LARGE


def test_a_put_may_not_attach_a_lease_holding_keys_the_user_cannot_write(answers):
    name = "put attaching the lease"
    assert answers[0][name] == answers[1][name] == DENIED


def test_a_watch_is_refused_for_its_permission_before_its_id(answers):
    denied = "rpc error: code = PermissionDenied desc = etcdserver: permission denied"
    duplicate = "mvcc: duplicate watch ID provided on the WatchStream"
    assert answers[0]["watch"] == answers[1]["watch"] == [
        (5, False, ""), (-1, True, denied), (-1, True, duplicate)]
