"""The reference etcd against real etcd 3.4 (`/usr/bin/etcd`) on requests at the corners of the
v3 API, sent over raw gRPC (grpcio and the `aetcd` message modules) to both, one family at a time
on a fresh pair of servers: every answer's status code and message, or its response fields, must
be equal once what legitimately differs is left out (cluster and member ids, raft term, tokens,
lease ids, which become L1, L2, ... in grant order).

Families:
  auth    the root user and role, users with no role, no password, an empty or odd password,
          grants of missing roles, a role revoked or deleted while its user's token is held,
          tokens across auth disable/enable, permissions on prefixes and on ranges to "\\0",
          what a user without roles may call
  lease   TTL 0, negative, past int64; ids given; a key attached twice and moved between
          leases; keep-alive and time-to-live of an expired and a revoked lease; a revoke seen
          by a watch with prev_kv
  txn     compares of every target on missing keys and on ranges, ranges to "\\0", nested txns,
          duplicate keys, 128 and 129 operations (--max-txn-ops 128), compaction (physical, at
          the current revision, twice, in the future) and reads around it
  watch   prev_kv, filters, fragment, progress requests, start revisions compacted and in the
          future, cancels of unknown ids, two creates with one watch id
  quota   --quota-backend-bytes 300000: the NOSPACE alarm raised by filling, what it refuses,
          compaction and defrag, disarmed; CORRUPT raised by hand
  odd     compares whose value union names another target, extreme limits and ids, membership
          and leadership calls for members that do not exist

Real etcd 3.4.23 crashes on some requests the reference answers (a Range with an undefined sort
target, an Alarm with an undefined action): they are left out. Where a difference is known and
legitimate it is normalised, not hidden: `lease timetolive --keys` lists keys in Go's map order,
sorted here; Status and MemberList carry sizes, raft indexes and URLs of each server's own; the
quota family's fill count depends on when bbolt commits (every 100 ms), so its revisions differ.

    python benchmarks/etcd_corner_differential.py [--family auth,txn] [--show 20]

Prints a table of requests and equal answers per family and writes
benchmarks/results/etcd_corner_differential.json.
"""
from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import grpc
from aetcd.rpc import auth_pb2 as A, rpc_pb2 as P, rpc_pb2_grpc
from google.protobuf.json_format import MessageToDict

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reference" / "etcd")]
from processes import real_etcd, reference_server  # noqa: E402  (tests/reference/etcd)

RESULTS = Path(__file__).parent / "results"
I64 = (1 << 63) - 1
C = P.Compare


# --- clients and answers ------------------------------------------------------------------------

class Client:
    """The stubs of one server, the tokens its users got and the leases it granted."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.kv = rpc_pb2_grpc.KVStub(self.channel)
        self.lease = rpc_pb2_grpc.LeaseStub(self.channel)
        self.watch = rpc_pb2_grpc.WatchStub(self.channel)
        self.auth = rpc_pb2_grpc.AuthStub(self.channel)
        self.maint = rpc_pb2_grpc.MaintenanceStub(self.channel)
        self.cluster = rpc_pb2_grpc.ClusterStub(self.channel)
        self.tokens: dict[str, str] = {}
        self.leases: dict[str, str] = {}  # str(id) -> "L1", ...


def shown(client: Client, message) -> object:
    """A response as comparable data: ids, term and tokens left out or named by role."""
    def walk(x):
        if isinstance(x, dict):
            out = {}
            for key, value in x.items():
                if key in ("cluster_id", "member_id", "raft_term"):
                    continue
                if key == "token":
                    value = "<token>"
                if key == "keys" and isinstance(value, list):
                    value = sorted(value)  # Go's map order
                out[key] = walk(value)
            return out
        if isinstance(x, list):
            return [walk(item) for item in x]
        if isinstance(x, str) and x in client.leases:
            return client.leases[x]
        return x
    return walk(MessageToDict(message, preserving_proto_field_name=True))


def answer(client: Client, fn, *args, **kwargs) -> object:
    """The response shown, or "CODE: message" for an error."""
    try:
        return shown(client, fn(*args, timeout=kwargs.pop("timeout", 5), **kwargs))
    except grpc.RpcError as err:
        return f"{err.code().name}: {err.details()}"


def c(stub: str, method: str, request, token: str | None = None):
    def probe(s: Client):
        metadata = (("token", s.tokens[token]),) if token and token in s.tokens else ()
        return answer(s, getattr(getattr(s, stub), method), request, metadata=metadata)
    return probe


def login(name: str, password: str, as_: str | None = None):
    def probe(s: Client):
        try:
            response = s.auth.Authenticate(P.AuthenticateRequest(name=name, password=password), timeout=5)
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"
        s.tokens[as_ or name] = response.token
        return shown(s, response)
    return probe


def perm(kind: int, key: bytes, end: bytes = b"") -> A.Permission:
    return A.Permission(permType=kind, key=key, range_end=end)


def grant(ttl: int, name: str, id: int = 0):
    def probe(s: Client):
        try:
            response = s.lease.LeaseGrant(P.LeaseGrantRequest(TTL=ttl, ID=id), timeout=5)
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"
        s.leases[str(response.ID)] = name
        return shown(s, response)
    return probe


def L(s: Client, name: str) -> int:
    return next((int(k) for k, v in s.leases.items() if v == name), 424242)


def withlease(stub: str, method: str, make):
    def probe(s: Client):
        return answer(s, getattr(getattr(s, stub), method), make(s))
    return probe


def keepalive(name: str):
    def probe(s: Client):
        try:
            stream = s.lease.LeaseKeepAlive(iter([P.LeaseKeepAliveRequest(ID=L(s, name))]), timeout=3)
            return shown(s, next(stream))
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"
    return probe


def sleep(seconds: float):
    def probe(s: Client):
        time.sleep(seconds)
    return probe


def watch(requests, n: int = 10, idle: float = 1.0):
    """Send the watch requests (or `requests(client)`'s) 0.1 s apart; the responses until `n` or
    until none came for `idle` seconds."""
    def probe(s: Client):
        got: queue.Queue = queue.Queue()
        done = threading.Event()

        def sent():
            for request in (requests(s) if callable(requests) else requests):
                yield request
                time.sleep(0.1)
            done.wait(5)

        call = s.watch.Watch(sent(), timeout=10)

        def pump():
            try:
                for response in call:
                    got.put(shown(s, response))
            except grpc.RpcError as err:
                got.put(f"{err.code().name}: {err.details()}")
            got.put(None)

        threading.Thread(target=pump, daemon=True).start()
        out = []
        while len(out) < n:
            try:
                response = got.get(timeout=idle)
            except queue.Empty:
                break
            if response is None:
                break
            out.append(response)
        done.set()
        call.cancel()
        return out
    return probe


def txn(compare=(), success=(), failure=()) -> P.TxnRequest:
    return P.TxnRequest(compare=list(compare), success=list(success), failure=list(failure))


def put(k: bytes, v: bytes = b"v", **kw) -> P.RequestOp:
    return P.RequestOp(request_put=P.PutRequest(key=k, value=v, **kw))


def get(k: bytes, e: bytes = b"", **kw) -> P.RequestOp:
    return P.RequestOp(request_range=P.RangeRequest(key=k, range_end=e, **kw))


def dele(k: bytes, e: bytes = b"", **kw) -> P.RequestOp:
    return P.RequestOp(request_delete_range=P.DeleteRangeRequest(key=k, range_end=e, **kw))


def cmp(k: bytes, target: str, result: str, **kw) -> P.Compare:
    return P.Compare(key=k, target=getattr(C, target), result=getattr(C, result), **kw)


def cm(**kw) -> P.Compare:
    return P.Compare(**kw)


def fill(s: Client):
    """Puts of 4000 bytes until one is refused: the refusal."""
    for i in range(400):
        try:
            s.kv.Put(P.PutRequest(key=b"f%03d" % i, value=b"x" * 4000), timeout=5)
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"
    return "no refusal"


def alarm(action: int, member: bool = True, kind: int = P.NOSPACE):
    def probe(s: Client):
        member_id = s.cluster.MemberList(P.MemberListRequest()).members[0].ID if member else 0
        try:
            response = s.maint.Alarm(P.AlarmRequest(action=action, memberID=member_id, alarm=kind), timeout=5)
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"
        return [(a.alarm, a.memberID == member_id) for a in response.alarms]
    return probe


def status_errors(s: Client):
    return [error.split(" ", 1)[1] for error in s.maint.Status(P.StatusRequest()).errors]


def current(s: Client) -> int:
    return s.kv.Range(P.RangeRequest(key=b"z")).header.revision


# --- the families -------------------------------------------------------------------------------

AUTH = [
    ("disable when not enabled", c("auth", "AuthDisable", P.AuthDisableRequest())),
    ("enable without root", c("auth", "AuthEnable", P.AuthEnableRequest())),
    ("add root no roles", c("auth", "UserAdd", P.AuthUserAddRequest(name="root", password="rpw"))),
    ("enable root without root role", c("auth", "AuthEnable", P.AuthEnableRequest())),
    ("grant missing role", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="root", role="nope"))),
    ("grant role to missing user", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="nouser", role="root"))),
    ("add role root", c("auth", "RoleAdd", P.AuthRoleAddRequest(name="root"))),
    ("add role root again", c("auth", "RoleAdd", P.AuthRoleAddRequest(name="root"))),
    ("add role empty", c("auth", "RoleAdd", P.AuthRoleAddRequest(name=""))),
    ("add user empty", c("auth", "UserAdd", P.AuthUserAddRequest(name="", password="x"))),
    ("add user empty pw", c("auth", "UserAdd", P.AuthUserAddRequest(name="emptypw", password=""))),
    ("add user odd pw", c("auth", "UserAdd", P.AuthUserAddRequest(name="odd", password="p w\x00\u00e9:\"'\n"))),
    ("add user nopw", c("auth", "UserAdd", P.AuthUserAddRequest(name="nopw", options=A.UserAddOptions(no_password=True)))),
    ("add user nopw with pw", c("auth", "UserAdd", P.AuthUserAddRequest(name="nopw2", password="x", options=A.UserAddOptions(no_password=True)))),
    ("add user noroles", c("auth", "UserAdd", P.AuthUserAddRequest(name="noroles", password="n"))),
    ("add user u", c("auth", "UserAdd", P.AuthUserAddRequest(name="u", password="u"))),
    ("add user u again", c("auth", "UserAdd", P.AuthUserAddRequest(name="u", password="u"))),
    ("grant root root", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="root", role="root"))),
    ("grant root root twice", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="root", role="root"))),
    ("role get root", c("auth", "RoleGet", P.AuthRoleGetRequest(role="root"))),
    ("role get missing", c("auth", "RoleGet", P.AuthRoleGetRequest(role="zzz"))),
    ("user get root", c("auth", "UserGet", P.AuthUserGetRequest(name="root"))),
    ("user get nopw", c("auth", "UserGet", P.AuthUserGetRequest(name="nopw"))),
    ("user get missing", c("auth", "UserGet", P.AuthUserGetRequest(name="zz"))),
    ("user list", c("auth", "UserList", P.AuthUserListRequest())),
    ("role list", c("auth", "RoleList", P.AuthRoleListRequest())),
    ("add role r", c("auth", "RoleAdd", P.AuthRoleAddRequest(name="r"))),
    ("perm r prefix a", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="r", perm=perm(A.Permission.READWRITE, b"a", b"b")))),
    ("perm r from key \\0", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="r", perm=perm(A.Permission.READ, b"m", b"\x00")))),
    ("perm r all", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="r", perm=perm(A.Permission.WRITE, b"\x00", b"\x00")))),
    ("perm r key only", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="r", perm=perm(A.Permission.READ, b"k")))),
    ("perm r empty key", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="r", perm=perm(A.Permission.READ, b"")))),
    ("perm missing role", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="zz", perm=perm(A.Permission.READ, b"k")))),
    ("role get r", c("auth", "RoleGet", P.AuthRoleGetRequest(role="r"))),
    ("revoke perm not granted", c("auth", "RoleRevokePermission", P.AuthRoleRevokePermissionRequest(role="r", key=b"zz"))),
    ("revoke perm range mismatch", c("auth", "RoleRevokePermission", P.AuthRoleRevokePermissionRequest(role="r", key=b"a"))),
    ("revoke perm missing role", c("auth", "RoleRevokePermission", P.AuthRoleRevokePermissionRequest(role="zz", key=b"a"))),
    ("grant u r", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="u", role="r"))),
    ("grant nopw r", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="nopw", role="r"))),
    ("user get u", c("auth", "UserGet", P.AuthUserGetRequest(name="u"))),
    ("revoke u missing role", c("auth", "UserRevokeRole", P.AuthUserRevokeRoleRequest(name="u", role="zz"))),
    ("revoke missing user", c("auth", "UserRevokeRole", P.AuthUserRevokeRoleRequest(name="zz", role="r"))),
    ("auth before enable", login("root", "rpw")),
    ("enable", c("auth", "AuthEnable", P.AuthEnableRequest())),
    ("enable twice", c("auth", "AuthEnable", P.AuthEnableRequest())),
    ("login root", login("root", "rpw")),
    ("login root wrong", login("root", "x")),
    ("login emptypw ''", login("emptypw", "")),
    ("login odd", login("odd", "p w\x00\u00e9:\"'\n")),
    ("login nopw ''", login("nopw", "")),
    ("login nopw x", login("nopw", "x")),
    ("login noroles", login("noroles", "n")),
    ("login u", login("u", "u")),
    ("login missing", login("zz", "")),
    ("put no token", c("kv", "Put", P.PutRequest(key=b"a1", value=b"v"))),
    ("put u a1", c("kv", "Put", P.PutRequest(key=b"a1", value=b"v"), "u")),
    ("put u b", c("kv", "Put", P.PutRequest(key=b"b", value=b"v"), "u")),
    ("put u z (all write)", c("kv", "Put", P.PutRequest(key=b"z", value=b"v"), "u")),
    ("get u z", c("kv", "Range", P.RangeRequest(key=b"z"), "u")),
    ("get u m..", c("kv", "Range", P.RangeRequest(key=b"m", range_end=b"\x00"), "u")),
    ("get u n..", c("kv", "Range", P.RangeRequest(key=b"n", range_end=b"\x00"), "u")),
    ("get u all", c("kv", "Range", P.RangeRequest(key=b"\x00", range_end=b"\x00"), "u")),
    ("get u a prefix", c("kv", "Range", P.RangeRequest(key=b"a", range_end=b"b"), "u")),
    ("get u a..c", c("kv", "Range", P.RangeRequest(key=b"a", range_end=b"c"), "u")),
    ("get u k", c("kv", "Range", P.RangeRequest(key=b"k"), "u")),
    ("get u k prefix", c("kv", "Range", P.RangeRequest(key=b"k", range_end=b"l"), "u")),
    ("del u a prefix", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"a", range_end=b"b"), "u")),
    ("get noroles", c("kv", "Range", P.RangeRequest(key=b"a"), "noroles")),
    ("put noroles", c("kv", "Put", P.PutRequest(key=b"a", value=b"x"), "noroles")),
    ("get nopw", c("kv", "Range", P.RangeRequest(key=b"a"), "nopw")),
    ("user list as u", c("auth", "UserList", P.AuthUserListRequest(), "u")),
    ("user get self as u", c("auth", "UserGet", P.AuthUserGetRequest(name="u"), "u")),
    ("role get r as u", c("auth", "RoleGet", P.AuthRoleGetRequest(role="r"), "u")),
    ("role get root as u", c("auth", "RoleGet", P.AuthRoleGetRequest(role="root"), "u")),
    ("user get root as u", c("auth", "UserGet", P.AuthUserGetRequest(name="root"), "u")),
    ("role list as root", c("auth", "RoleList", P.AuthRoleListRequest(), "root")),
    ("revoke root from root", c("auth", "UserRevokeRole", P.AuthUserRevokeRoleRequest(name="root", role="root"), "root")),
    ("delete root user", c("auth", "UserDelete", P.AuthUserDeleteRequest(name="root"), "root")),
    ("delete root role", c("auth", "RoleDelete", P.AuthRoleDeleteRequest(role="root"), "root")),
    ("revoke perm root role", c("auth", "RoleRevokePermission", P.AuthRoleRevokePermissionRequest(role="root", key=b"a"), "root")),
    ("grant perm to root role", c("auth", "RoleGrantPermission", P.AuthRoleGrantPermissionRequest(name="root", perm=perm(A.Permission.READ, b"k")), "root")),
    ("role get root after", c("auth", "RoleGet", P.AuthRoleGetRequest(role="root"), "root")),
    ("revoke r from u (token held)", c("auth", "UserRevokeRole", P.AuthUserRevokeRoleRequest(name="u", role="r"), "root")),
    ("put u a1 after revoke", c("kv", "Put", P.PutRequest(key=b"a1", value=b"v"), "u")),
    ("grant u r back", c("auth", "UserGrantRole", P.AuthUserGrantRoleRequest(user="u", role="r"), "root")),
    ("put u a1 after regrant", c("kv", "Put", P.PutRequest(key=b"a1", value=b"v2"), "u")),
    ("delete role r in use", c("auth", "RoleDelete", P.AuthRoleDeleteRequest(role="r"), "root")),
    ("user get u after role delete", c("auth", "UserGet", P.AuthUserGetRequest(name="u"), "root")),
    ("put u a1 after role delete", c("kv", "Put", P.PutRequest(key=b"a1", value=b"v3"), "u")),
    ("change pw u", c("auth", "UserChangePassword", P.AuthUserChangePasswordRequest(name="u", password="u2"), "root")),
    ("u token after pw change", c("kv", "Range", P.RangeRequest(key=b"a1"), "u")),
    ("change pw nopw user", c("auth", "UserChangePassword", P.AuthUserChangePasswordRequest(name="nopw", password="z"), "root")),
    ("login nopw after change", login("nopw", "z")),
    ("change pw missing user", c("auth", "UserChangePassword", P.AuthUserChangePasswordRequest(name="zz", password="z"), "root")),
    ("delete missing user", c("auth", "UserDelete", P.AuthUserDeleteRequest(name="zz"), "root")),
    ("delete missing role", c("auth", "RoleDelete", P.AuthRoleDeleteRequest(role="zz"), "root")),
    ("disable as u", c("auth", "AuthDisable", P.AuthDisableRequest(), "u")),
    ("disable as root", c("auth", "AuthDisable", P.AuthDisableRequest(), "root")),
    ("old root token after disable", c("kv", "Range", P.RangeRequest(key=b"a1"), "root")),
    ("old u token after disable", c("kv", "Put", P.PutRequest(key=b"q", value=b"v"), "u")),
    ("enable again", c("auth", "AuthEnable", P.AuthEnableRequest())),
    ("old root token after reenable", c("kv", "Range", P.RangeRequest(key=b"a1"), "root")),
    ("login root 2", login("root", "rpw", "root2")),
    ("user add as root2 with status", c("auth", "UserAdd", P.AuthUserAddRequest(name="late", password="l"), "root2")),
    ("user get late", c("auth", "UserGet", P.AuthUserGetRequest(name="late"), "root2")),
    ("status as noroles", c("maint", "Status", P.StatusRequest(), "noroles")),
    ("alarm list as noroles", c("maint", "Alarm", P.AlarmRequest(action=P.AlarmRequest.GET), "noroles")),
    ("hashkv as noroles", c("maint", "HashKV", P.HashKVRequest(), "noroles")),
    ("member list as noroles", c("cluster", "MemberList", P.MemberListRequest(), "noroles")),
    ("compact as u", c("kv", "Compact", P.CompactionRequest(revision=1), "u")),
    ("lease grant as noroles", c("lease", "LeaseGrant", P.LeaseGrantRequest(TTL=60), "noroles")),
    ("lease leases as noroles", c("lease", "LeaseLeases", P.LeaseLeasesRequest(), "noroles")),
    ("defrag as noroles", c("maint", "Defragment", P.DefragmentRequest(), "noroles")),
    ("disable final", c("auth", "AuthDisable", P.AuthDisableRequest(), "root2")),
]


LEASE = [
    ("grant ttl 0", grant(0, "Z")),
    ("grant ttl -1", grant(-1, "N")),
    ("grant ttl huge", grant(I64, "H")),
    ("grant ttl 9e9", grant(9_000_000_001, "H2")),
    ("grant ttl 1", grant(1, "S")),
    ("grant id given", grant(60, "G", id=77)),
    ("grant id given again", grant(60, "G2", id=77)),
    ("grant id -1", grant(60, "NEG", id=-1)),
    ("grant ttl 60", grant(60, "A")),
    ("ttl of A", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("put k1 A", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k1", value=b"v", lease=L(s, "A")))),
    ("put k1 A again", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k1", value=b"v2", lease=L(s, "A")))),
    ("put k2 A", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k2", value=b"v", lease=L(s, "A")))),
    ("put k0 A", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k0", value=b"v", lease=L(s, "A")))),
    ("ttl keys of A", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("put k1 G (move)", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k1", value=b"v3", lease=L(s, "G")))),
    ("ttl keys of A after move", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("ttl keys of G", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "G"), keys=True))),
    ("put k2 no lease (detach)", c("kv", "Put", P.PutRequest(key=b"k2", value=b"x"))),
    ("ttl keys of A after detach", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("put ignore_lease k0", c("kv", "Put", P.PutRequest(key=b"k0", value=b"y", ignore_lease=True))),
    ("put ignore_lease missing", c("kv", "Put", P.PutRequest(key=b"kzz", ignore_lease=True))),
    ("put ignore_lease with lease", withlease("kv", "Put", lambda s: P.PutRequest(key=b"k0", value=b"y", ignore_lease=True, lease=L(s, "A")))),
    ("ttl keys of A after ignore", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("txn put with lease", withlease("kv", "Txn", lambda s: txn(success=[put(b"t1", lease=L(s, "A")), put(b"t1", lease=L(s, "G"))]))),
    ("txn put missing lease", c("kv", "Txn", txn(success=[put(b"t2", lease=999)]))),
    ("ttl keys of G 2", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "G"), keys=True))),
    ("leases", c("lease", "LeaseLeases", P.LeaseLeasesRequest())),
    ("wait for S expiry", sleep(3.0)),
    ("keepalive expired S", keepalive("S")),
    ("ttl expired S", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "S")))),
    ("revoke expired S", withlease("lease", "LeaseRevoke", lambda s: P.LeaseRevokeRequest(ID=L(s, "S")))),
    ("watch+revoke A", watch(lambda s: [P.WatchRequest(create_request=P.WatchCreateRequest(key=b"k", range_end=b"l", prev_kv=True))], n=3)),
    ("revoke A", withlease("lease", "LeaseRevoke", lambda s: P.LeaseRevokeRequest(ID=L(s, "A")))),
    ("watch after revoke", watch(lambda s: [P.WatchRequest(create_request=P.WatchCreateRequest(key=b"k", range_end=b"l", prev_kv=True, start_revision=1))], n=30)),
    ("keepalive revoked A", keepalive("A")),
    ("revoke A again", withlease("lease", "LeaseRevoke", lambda s: P.LeaseRevokeRequest(ID=L(s, "A")))),
    ("ttl revoked A", withlease("lease", "LeaseTimeToLive", lambda s: P.LeaseTimeToLiveRequest(ID=L(s, "A"), keys=True))),
    ("revoke 0", c("lease", "LeaseRevoke", P.LeaseRevokeRequest(ID=0))),
    ("ttl 0", c("lease", "LeaseTimeToLive", P.LeaseTimeToLiveRequest(ID=0))),
    ("keepalive 0", keepalive("none")),
    ("put lease -5", c("kv", "Put", P.PutRequest(key=b"x", lease=-5))),
    ("get all", c("kv", "Range", P.RangeRequest(key=b"\x00", range_end=b"\x00"))),
]


TXN = [
    ("seed", c("kv", "Put", P.PutRequest(key=b"a", value=b"1"))),
    ("seed2", c("kv", "Put", P.PutRequest(key=b"b", value=b"2"))),
    *[(f"cmp missing {t} {r}", c("kv", "Txn", txn([cmp(b"ghost", t, r, **kw)], [put(b"s")], [put(b"f")])))
      for t, kw in (("VALUE", {"value": b""}), ("VERSION", {"version": 0}), ("CREATE", {"create_revision": 0}), ("MOD", {"mod_revision": 0}), ("LEASE", {"lease": 0}))
      for r in ("EQUAL", "NOT_EQUAL", "GREATER", "LESS")],
    *[(f"cmp a {t} {r}", c("kv", "Txn", txn([cmp(b"a", t, r, **kw)], [get(b"a")], [get(b"b")])))
      for t, kw in (("VALUE", {"value": b"1"}), ("VERSION", {"version": 1}), ("CREATE", {"create_revision": 2}), ("MOD", {"mod_revision": 2}), ("LEASE", {"lease": 0}))
      for r in ("EQUAL", "NOT_EQUAL", "GREATER", "LESS")],
    ("cmp range \\0 version>0", c("kv", "Txn", txn([cmp(b"\x00", "VERSION", "GREATER", version=0, range_end=b"\x00")], [get(b"a")]))),
    ("cmp range a..c value=1", c("kv", "Txn", txn([cmp(b"a", "VALUE", "EQUAL", value=b"1", range_end=b"c")], [get(b"a")], [get(b"b")]))),
    ("cmp range empty range", c("kv", "Txn", txn([cmp(b"x", "VALUE", "EQUAL", value=b"1", range_end=b"y")], [get(b"a")], [get(b"b")]))),
    ("cmp range prefix lease", c("kv", "Txn", txn([cmp(b"a", "LEASE", "EQUAL", lease=0, range_end=b"c")], [get(b"a")]))),
    ("cmp range_end < key", c("kv", "Txn", txn([cmp(b"c", "VALUE", "EQUAL", value=b"1", range_end=b"a")], [get(b"a")], [get(b"b")]))),
    ("get range \\0", c("kv", "Txn", txn([], [get(b"a", b"\x00"), get(b"\x00", b"\x00", count_only=True)]))),
    ("del range \\0 in txn", c("kv", "Txn", txn([], [dele(b"zz", b"\x00", prev_kv=True)]))),
    ("nested txn", c("kv", "Txn", txn([], [P.RequestOp(request_txn=txn([cmp(b"a", "VALUE", "EQUAL", value=b"1")], [put(b"n1"), get(b"a")], [put(b"n2")]))]))),
    ("nested txn put dup with outer", c("kv", "Txn", txn([], [put(b"d"), P.RequestOp(request_txn=txn([], [put(b"d")]))]))),
    ("nested txn put in both branches", c("kv", "Txn", txn([], [P.RequestOp(request_txn=txn([], [put(b"e")], [put(b"e")]))]))),
    ("nested txn del+put", c("kv", "Txn", txn([], [dele(b"a"), P.RequestOp(request_txn=txn([], [put(b"a")]))]))),
    ("dup puts", c("kv", "Txn", txn([], [put(b"x"), put(b"x")]))),
    ("dup put and del", c("kv", "Txn", txn([], [put(b"x"), dele(b"x")]))),
    ("put inside del range", c("kv", "Txn", txn([], [put(b"x"), dele(b"w", b"z")]))),
    ("dup in failure", c("kv", "Txn", txn([cmp(b"a", "VALUE", "EQUAL", value=b"nope")], [put(b"q")], [put(b"q"), put(b"q")]))),
    ("dup across success/failure ok", c("kv", "Txn", txn([], [put(b"q")], [put(b"q")]))),
    ("dup dels", c("kv", "Txn", txn([], [dele(b"x"), dele(b"x")]))),
    ("128 ops", c("kv", "Txn", txn([], [put(b"o%d" % i) for i in range(128)]))),
    ("129 ops", c("kv", "Txn", txn([], [put(b"o%d" % i) for i in range(129)]))),
    ("129 compares", c("kv", "Txn", txn([cmp(b"a", "VERSION", "GREATER", version=0)] * 129, [get(b"a")]))),
    ("129 failure", c("kv", "Txn", txn([], [], [get(b"a")] * 129))),
    ("128 gets", c("kv", "Txn", txn([], [get(b"a")] * 128))),
    ("cmp empty key", c("kv", "Txn", txn([cmp(b"", "VALUE", "EQUAL", value=b"")], [get(b"a")]))),
    ("put empty key", c("kv", "Txn", txn([], [put(b"")]))),
    ("get empty key", c("kv", "Txn", txn([], [get(b"")]))),
    ("txn get rev future", c("kv", "Txn", txn([], [get(b"a", revision=1000)]))),
    ("txn put+get rev future", c("kv", "Txn", txn([], [put(b"zz"), get(b"a", revision=1000)]))),
    ("put prev_kv in txn", c("kv", "Txn", txn([], [put(b"b", b"3", prev_kv=True)]))),
    ("put ignore_value missing", c("kv", "Txn", txn([], [put(b"nokey", b"", ignore_value=True)]))),
    ("put ignore_value with value", c("kv", "Txn", txn([], [put(b"b", b"zz", ignore_value=True)]))),
    ("put ignore_value", c("kv", "Put", P.PutRequest(key=b"b", ignore_value=True, prev_kv=True))),
    ("empty txn", c("kv", "Txn", txn())),
    ("range limit neg", c("kv", "Range", P.RangeRequest(key=b"\x00", range_end=b"\x00", limit=-1))),
    ("range min/max filters", c("kv", "Range", P.RangeRequest(key=b"\x00", range_end=b"\x00", min_mod_revision=5, max_mod_revision=6, min_create_revision=3, keys_only=True))),
    ("range rev -1", c("kv", "Range", P.RangeRequest(key=b"a", revision=-1))),
    ("del range_end < key", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"c", range_end=b"a"))),
    ("compact 0", c("kv", "Compact", P.CompactionRequest(revision=0))),
    ("compact -1", c("kv", "Compact", P.CompactionRequest(revision=-1))),
    ("compact 3 physical", c("kv", "Compact", P.CompactionRequest(revision=3, physical=True))),
    ("compact 3 again", c("kv", "Compact", P.CompactionRequest(revision=3))),
    ("compact 2", c("kv", "Compact", P.CompactionRequest(revision=2))),
    ("get rev 2", c("kv", "Range", P.RangeRequest(key=b"a", revision=2))),
    ("get rev 3", c("kv", "Range", P.RangeRequest(key=b"a", revision=3))),
    ("txn get rev 2", c("kv", "Txn", txn([], [get(b"a", revision=2)]))),
    ("txn put + get rev 2", c("kv", "Txn", txn([], [put(b"p"), get(b"a", revision=2)]))),
    ("status rev", c("kv", "Range", P.RangeRequest(key=b"a", count_only=True))),
    ("compact current", c("kv", "Compact", P.CompactionRequest(revision=0))),
    ("compact future", c("kv", "Compact", P.CompactionRequest(revision=100000))),
    ("hashkv 0", c("maint", "HashKV", P.HashKVRequest(revision=0))),
    ("hashkv 2", c("maint", "HashKV", P.HashKVRequest(revision=2))),
    ("hashkv future", c("maint", "HashKV", P.HashKVRequest(revision=100000))),
]


WATCH = [
    ("seed a", c("kv", "Put", P.PutRequest(key=b"a", value=b"1"))),
    ("seed a2", c("kv", "Put", P.PutRequest(key=b"a", value=b"2"))),
    ("seed b", c("kv", "Put", P.PutRequest(key=b"b", value=b"3"))),
    ("del a", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"a"))),
    ("prev_kv from 1", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=1, prev_kv=True))])),
    ("filters nodelete", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"\x00", range_end=b"\x00", start_revision=1, filters=[P.WatchCreateRequest.NODELETE]))])),
    ("filters noput", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"\x00", range_end=b"\x00", start_revision=1, filters=[P.WatchCreateRequest.NOPUT]))])),
    ("filters both", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"\x00", range_end=b"\x00", start_revision=1, filters=[0, 1]))])),
    ("future start", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=100))])),
    ("cancel unknown", watch([P.WatchRequest(cancel_request=P.WatchCancelRequest(watch_id=5))])),
    ("cancel unknown then create", watch([P.WatchRequest(cancel_request=P.WatchCancelRequest(watch_id=0)), P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a"))])),
    ("two creates one id", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", watch_id=7)), P.WatchRequest(create_request=P.WatchCreateRequest(key=b"b", watch_id=7))])),
    ("create id then auto", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", watch_id=0)), P.WatchRequest(create_request=P.WatchCreateRequest(key=b"b", watch_id=1)), P.WatchRequest(create_request=P.WatchCreateRequest(key=b"b"))])),
    ("negative id", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", watch_id=-3))])),
    ("progress notify create", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", progress_notify=True))])),
    ("progress request no watch", watch([P.WatchRequest(progress_request=P.WatchProgressRequest())])),
    ("progress request with watch", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a")), P.WatchRequest(progress_request=P.WatchProgressRequest())])),
    ("empty request", watch([P.WatchRequest()])),
    ("fragment small", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"\x00", range_end=b"\x00", start_revision=1, fragment=True))])),
    ("empty key", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b""))])),
    ("range_end < key", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"b", range_end=b"a"))])),
    ("compact 3", c("kv", "Compact", P.CompactionRequest(revision=3))),
    ("compacted start", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=2))])),
    ("compacted start 3", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=3, prev_kv=True))])),
    ("compacted start then create", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=1)), P.WatchRequest(create_request=P.WatchCreateRequest(key=b"b", start_revision=4))])),
    ("cancel twice", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a")), P.WatchRequest(cancel_request=P.WatchCancelRequest(watch_id=0)), P.WatchRequest(cancel_request=P.WatchCancelRequest(watch_id=0))])),
]


QUOTA = [
    ("fill until refused", fill),
    ("alarm list", alarm(P.AlarmRequest.GET, member=False)),
    ("status errors", status_errors),
    ("put refused", c("kv", "Put", P.PutRequest(key=b"z", value=b"1"))),
    ("put over existing refused", c("kv", "Put", P.PutRequest(key=b"f000", value=b"1"))),
    ("delete allowed", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"f000"))),
    ("txn delete only", c("kv", "Txn", P.TxnRequest(success=[P.RequestOp(request_delete_range=P.DeleteRangeRequest(key=b"f001"))]))),
    ("txn read only", c("kv", "Txn", txn([], [get(b"f002", count_only=True)]))),
    ("txn put", c("kv", "Txn", txn([], [put(b"f002")]))),
    ("lease grant refused", c("lease", "LeaseGrant", P.LeaseGrantRequest(TTL=60))),
    ("compact", lambda s: answer(s, s.kv.Compact, P.CompactionRequest(revision=current(s)))),
    ("del all", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"\x00", range_end=b"\x00"))),
    ("put still refused", c("kv", "Put", P.PutRequest(key=b"z", value=b"1"))),
    ("compact after del", lambda s: answer(s, s.kv.Compact, P.CompactionRequest(revision=current(s)))),
    ("defrag", c("maint", "Defragment", P.DefragmentRequest())),
    ("disarm other alarm type", alarm(P.AlarmRequest.DEACTIVATE, kind=P.CORRUPT)),
    ("disarm wrong member", c("maint", "Alarm", P.AlarmRequest(action=P.AlarmRequest.DEACTIVATE, memberID=5, alarm=P.NOSPACE))),
    ("disarm none", c("maint", "Alarm", P.AlarmRequest(action=P.AlarmRequest.DEACTIVATE, memberID=0, alarm=P.NONE))),
    ("disarm", alarm(P.AlarmRequest.DEACTIVATE)),
    ("disarm again", alarm(P.AlarmRequest.DEACTIVATE)),
    ("alarm list 2", alarm(P.AlarmRequest.GET, member=False)),
    ("put after disarm", c("kv", "Put", P.PutRequest(key=b"z", value=b"1"))),
    ("activate none", alarm(P.AlarmRequest.ACTIVATE, kind=P.NONE)),
    ("activate nospace by hand", alarm(P.AlarmRequest.ACTIVATE)),
    ("put refused after manual", c("kv", "Put", P.PutRequest(key=b"z2", value=b"1"))),
    ("activate corrupt", alarm(P.AlarmRequest.ACTIVATE, kind=P.CORRUPT)),
    ("range under corrupt", c("kv", "Range", P.RangeRequest(key=b"z"))),
    ("put under corrupt", c("kv", "Put", P.PutRequest(key=b"z2", value=b"1"))),
    ("del under corrupt", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"z"))),
    ("alarm list 3", alarm(P.AlarmRequest.GET, member=False)),
    ("deactivate corrupt", alarm(P.AlarmRequest.DEACTIVATE, kind=P.CORRUPT)),
    ("deactivate nospace", alarm(P.AlarmRequest.DEACTIVATE)),
    ("put at end", c("kv", "Put", P.PutRequest(key=b"z2", value=b"1"))),
]


ODD = [
    ("seed", c("kv", "Put", P.PutRequest(key=b"a", value=b"1"))),
    ("cmp VERSION with value union", c("kv", "Txn", txn([cm(key=b"a", target=C.VERSION, result=C.EQUAL, value=b"1")], [get(b"a")], [get(b"b")]))),
    ("cmp VALUE with version union", c("kv", "Txn", txn([cm(key=b"a", target=C.VALUE, result=C.EQUAL, version=1)], [get(b"a")], [get(b"b")]))),
    ("cmp LEASE no union", c("kv", "Txn", txn([cm(key=b"a", target=C.LEASE, result=C.EQUAL)], [get(b"a")], [get(b"b")]))),
    ("cmp LEASE with lease=-1", c("kv", "Txn", txn([cm(key=b"a", target=C.LEASE, result=C.LESS, lease=-1)], [get(b"a")], [get(b"b")]))),
    ("cmp MOD no union greater", c("kv", "Txn", txn([cm(key=b"a", target=C.MOD, result=C.GREATER)], [get(b"a")], [get(b"b")]))),
    ("cmp VALUE missing key NOT_EQUAL", c("kv", "Txn", txn([cm(key=b"zz", target=C.VALUE, result=C.NOT_EQUAL, value=b"x")], [get(b"a")], [get(b"b")]))),
    ("cmp range VALUE missing all", c("kv", "Txn", txn([cm(key=b"x", range_end=b"y", target=C.VALUE, result=C.NOT_EQUAL, value=b"x")], [get(b"a")], [get(b"b")]))),
    ("range huge limit", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", limit=(1 << 63) - 1))),
    ("range count_only keys_only", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", count_only=True, keys_only=True, limit=1))),
    ("range max rev filters neg", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", max_mod_revision=-1, min_create_revision=-5))),
    ("range sort value desc limit", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", sort_target=P.RangeRequest.VALUE, sort_order=P.RangeRequest.DESCEND, limit=1))),
    ("range sort mod none order", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", sort_target=P.RangeRequest.MOD))),
    ("put huge lease id", c("kv", "Put", P.PutRequest(key=b"q", lease=(1 << 63) - 1))),
    ("del range from key \\0 empty", c("kv", "DeleteRange", P.DeleteRangeRequest(key=b"\0", range_end=b"\0", prev_kv=True))),
    ("watch start huge", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"a", start_revision=(1 << 63) - 1))])),
    ("watch key \\0 range \\0 prev", watch([P.WatchRequest(create_request=P.WatchCreateRequest(key=b"\0", range_end=b"\0", prev_kv=True, start_revision=1))])),
    ("lease ttl huge id", c("lease", "LeaseTimeToLive", P.LeaseTimeToLiveRequest(ID=(1 << 63) - 1, keys=True))),
    ("lease revoke neg", c("lease", "LeaseRevoke", P.LeaseRevokeRequest(ID=-1))),
    ("hashkv neg", c("maint", "HashKV", P.HashKVRequest(revision=-1))),
    ("move leader to self", lambda s: answer(s, s.maint.MoveLeader, P.MoveLeaderRequest(targetID=s.cluster.MemberList(P.MemberListRequest()).members[0].ID))),
    ("move leader to 0", c("maint", "MoveLeader", P.MoveLeaderRequest(targetID=0))),
    ("member remove 0", c("cluster", "MemberRemove", P.MemberRemoveRequest(ID=0))),
    ("member update unknown", c("cluster", "MemberUpdate", P.MemberUpdateRequest(ID=5, peerURLs=["http://127.0.0.1:1"]))),
    ("member promote unknown", c("cluster", "MemberPromote", P.MemberPromoteRequest(ID=5))),
    ("still serving", c("kv", "Range", P.RangeRequest(key=b"\0", range_end=b"\0", count_only=True))),
]


QUOTA_FLAGS = ("--quota-backend-bytes", "300000")
FAMILIES = {"auth": (AUTH, ()), "lease": (LEASE, ()), "txn": (TXN, ()), "watch": (WATCH, ()),
            "quota": (QUOTA, QUOTA_FLAGS), "odd": (ODD, ())}


# --- running ------------------------------------------------------------------------------------

@contextmanager
def servers(directory: Path, flags: tuple[str, ...]):
    directory.mkdir(parents=True)
    with real_etcd(directory / "etcd", *flags) as real, reference_server(directory / "reference", *flags) as ours:
        yield real, ours


def answers(address: str, probes) -> list[object]:
    client = Client(address)
    out = []
    for _, probe in probes:
        try:
            out.append(probe(client))
        except Exception as err:  # noqa: BLE001 - a probe that breaks is an answer to compare too
            out.append(("exception", repr(err)))
    client.channel.close()
    return out


def compare(name: str, directory: Path) -> dict:
    probes, flags = FAMILIES[name]
    with servers(directory / name, flags) as (real, ours):
        expected, actual = answers(real.address, probes), answers(ours.address, probes)
    differ = [{"request": label, "etcd": a, "reference": b}
              for (label, _), a, b in zip(probes, expected, actual) if a != b]
    return {"requests": len(probes), "equal": len(probes) - len(differ), "differ": differ}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", default=",".join(FAMILIES), help="comma-separated: " + ", ".join(FAMILIES))
    parser.add_argument("--show", type=int, default=10, help="differences shown per family")
    args = parser.parse_args()
    results = {}
    with TemporaryDirectory(prefix="etcd-corners-") as tmp:
        for name in args.family.split(","):
            results[name] = compare(name, Path(tmp))
            for diff in results[name]["differ"][:args.show]:
                print(f"--- {name}: {diff['request']}\n  etcd:      {diff['etcd']}\n  reference: {diff['reference']}")
    print(f"\n{'family':8} {'requests':>8} {'equal':>6}")
    for name, result in results.items():
        print(f"{name:8} {result['requests']:8} {result['equal']:6}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "etcd_corner_differential.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
