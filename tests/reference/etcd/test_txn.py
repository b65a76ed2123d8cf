"""Rules of etcd transactions: compares, branches, nesting, one revision, and etcd's checks."""
from __future__ import annotations

import grpc
import pytest
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from reference_impl.machinery.clock import ManualClock
from reference_impl.etcd import ClusterMember, EtcdServer, grpc_adapter
from reference_impl.etcd.errors import (
    ErrDuplicateKey, ErrEmptyKey, ErrFutureRev, ErrLeaseNotFound, ErrTooManyOps)
from reference_impl.etcd.messages import (
    Compare, DeleteRangeRequest, LeaseGrantRequest, PutRequest, RangeRequest, RequestOp,
    TxnRequest)


@pytest.fixture
def server() -> EtcdServer:
    s = EtcdServer(ManualClock())
    s.put(PutRequest(b"a", b"1"))          # rev 2
    s.put(PutRequest(b"b", b"2"))          # rev 3
    s.put(PutRequest(b"a", b"1"))          # rev 4: a created 2, version 2
    return s


def op(request) -> RequestOp:
    return RequestOp(request)


def holds(server: EtcdServer, *compares: Compare) -> bool:
    return server.txn(TxnRequest(compare=compares)).succeeded


def value(server: EtcdServer, key: bytes) -> bytes | None:
    kvs = server.range(RangeRequest(key)).kvs
    return kvs[0].value if kvs else None


def test_compare_targets(server):
    """Compares test value, version, create and mod revision and lease against the key."""
    assert holds(server, Compare("EQUAL", "VALUE", b"a", value=b"1"))
    assert holds(server, Compare("EQUAL", "VERSION", b"a", value=2))
    assert holds(server, Compare("EQUAL", "CREATE", b"a", value=2))
    assert holds(server, Compare("EQUAL", "MOD", b"a", value=4))
    assert holds(server, Compare("EQUAL", "LEASE", b"a", value=0))
    assert not holds(server, Compare("EQUAL", "VALUE", b"a", value=b"2"))


def test_compare_results(server):
    """EQUAL, NOT_EQUAL, GREATER and LESS compare the key's field to the given value."""
    assert holds(server, Compare("GREATER", "MOD", b"a", value=3))
    assert holds(server, Compare("LESS", "MOD", b"b", value=4))
    assert holds(server, Compare("NOT_EQUAL", "VALUE", b"b", value=b"x"))
    assert holds(server, Compare("GREATER", "VALUE", b"b", value=b"1"))
    assert not holds(server, Compare("LESS", "VERSION", b"a", value=2))


def test_all_compares_must_hold(server):
    """A txn succeeds only if every compare holds."""
    assert not holds(server, Compare("EQUAL", "VALUE", b"a", value=b"1"),
                     Compare("EQUAL", "VALUE", b"b", value=b"nope"))


def test_a_missing_key_compares_as_zero(server):
    """A missing key has version, revisions and lease 0; a value compare on it fails."""
    assert holds(server, Compare("EQUAL", "VERSION", b"missing", value=0))
    assert holds(server, Compare("EQUAL", "CREATE", b"missing", value=0))
    assert not holds(server, Compare("EQUAL", "VALUE", b"missing", value=b""))
    assert not holds(server, Compare("NOT_EQUAL", "VALUE", b"missing", value=b"x"))


def test_compare_over_a_range_holds_for_every_key(server):
    """A compare over a range holds only if it holds for each key in it."""
    assert holds(server, Compare("GREATER", "VERSION", b"a", b"c", value=0))
    assert not holds(server, Compare("EQUAL", "VERSION", b"a", b"c", value=2))
    assert holds(server, Compare("LESS", "MOD", b"a", b"\0", value=5))


def test_success_and_failure_branches(server):
    """The success ops run if the compares hold, the failure ops otherwise."""
    txn = lambda want: TxnRequest(  # noqa: E731
        compare=(Compare("EQUAL", "VALUE", b"a", value=want),),
        success=(op(PutRequest(b"branch", b"success")),),
        failure=(op(PutRequest(b"branch", b"failure")),))
    assert server.txn(txn(b"1")).succeeded
    assert value(server, b"branch") == b"success"
    assert not server.txn(txn(b"x")).succeeded
    assert value(server, b"branch") == b"failure"


def test_a_txn_is_one_revision(server):
    """All writes of a txn share one new revision, whatever their number."""
    resp = server.txn(TxnRequest(success=(
        op(PutRequest(b"x", b"1")), op(PutRequest(b"y", b"1")), op(DeleteRangeRequest(b"b")))))
    assert resp.header.revision == 5 == server.header().revision
    mods = {kv.key: kv.mod_revision for kv in server.range(RangeRequest(b"\0", b"\0")).kvs}
    assert mods == {b"a": 4, b"x": 5, b"y": 5}


def test_a_txn_that_writes_nothing_keeps_the_revision(server):
    """A txn with only reads, or writes that change nothing, does not make a revision."""
    server.txn(TxnRequest(success=(op(RangeRequest(b"a")),)))
    server.txn(TxnRequest(success=(op(DeleteRangeRequest(b"missing")),)))
    server.txn(TxnRequest(compare=(Compare("EQUAL", "VALUE", b"a", value=b"x"),),
                          success=(op(PutRequest(b"c", b"1")),)))
    assert server.header().revision == 4


def test_ops_see_earlier_ops_of_the_same_txn(server):
    """A range in a txn sees the txn's earlier writes, at the txn's revision."""
    resp = server.txn(TxnRequest(success=(op(PutRequest(b"a", b"new")), op(RangeRequest(b"a")))))
    put_resp, range_resp = (r.response for r in resp.responses)
    assert range_resp.kvs[0].value == b"new"
    assert put_resp.header.revision == range_resp.header.revision == 5


def test_inner_response_headers_carry_only_the_revision(server):
    """Responses inside a txn carry only a revision in their header, like etcd's."""
    resp = server.txn(TxnRequest(success=(op(PutRequest(b"c", b"1")),)))
    inner = resp.responses[0].response.header
    assert (inner.cluster_id, inner.member_id, inner.revision) == (0, 0, 5)
    assert resp.header.cluster_id == server.cluster_id


def test_nested_txns_run_in_the_same_revision(server):
    """A nested txn picks its own branch and its writes join the outer revision."""
    inner = TxnRequest(compare=(Compare("EQUAL", "VALUE", b"b", value=b"2"),),
                       success=(op(PutRequest(b"inner", b"yes")),),
                       failure=(op(PutRequest(b"inner", b"no")),))
    resp = server.txn(TxnRequest(success=(op(PutRequest(b"outer", b"1")), op(inner))))
    assert value(server, b"inner") == b"yes"
    assert resp.responses[1].response.succeeded
    assert {kv.mod_revision for kv in server.range(RangeRequest(b"inner", b"outes")).kvs} == {5}


def test_nested_compares_see_the_state_before_the_txn(server):
    """Every compare, nested ones too, is judged before any of the txn's writes."""
    inner = TxnRequest(compare=(Compare("EQUAL", "VALUE", b"a", value=b"1"),),
                       success=(op(PutRequest(b"seen", b"old a")),),
                       failure=(op(PutRequest(b"seen", b"new a")),))
    server.txn(TxnRequest(success=(op(PutRequest(b"a", b"changed")), op(inner))))
    assert value(server, b"seen") == b"old a"


def test_a_failing_op_check_fails_the_whole_txn(server):
    """A put with an unknown lease fails the whole txn with ErrLeaseNotFound; nothing changes."""
    txn = TxnRequest(success=(op(PutRequest(b"x", b"1")), op(PutRequest(b"y", b"1", lease=99))))
    with pytest.raises(ErrLeaseNotFound):
        server.txn(txn)
    assert (server.header().revision, value(server, b"x")) == (4, None)


def test_a_range_at_a_future_revision_fails_the_txn(server):
    """A range op at a future revision fails the txn with ErrFutureRev before any write."""
    txn = TxnRequest(success=(op(PutRequest(b"x", b"1")), op(RangeRequest(b"a", revision=9))))
    with pytest.raises(ErrFutureRev):
        server.txn(txn)
    assert server.header().revision == 4


def test_only_the_branch_taken_is_checked(server):
    """The lease of a put in the branch not taken is not checked."""
    txn = TxnRequest(success=(op(PutRequest(b"x", b"1")),),
                     failure=(op(PutRequest(b"y", b"1", lease=99)),))
    assert server.txn(txn).succeeded


def test_a_key_put_twice_is_a_duplicate(server):
    """Two puts of one key in one branch fail with ErrDuplicateKey."""
    with pytest.raises(ErrDuplicateKey):
        server.txn(TxnRequest(success=(op(PutRequest(b"k", b"1")), op(PutRequest(b"k", b"2")))))


def test_a_put_inside_a_deleted_range_is_a_duplicate(server):
    """A put of a key that a delete in the same branch covers fails with ErrDuplicateKey."""
    with pytest.raises(ErrDuplicateKey):
        server.txn(TxnRequest(failure=(op(DeleteRangeRequest(b"a", b"c")), op(PutRequest(b"b", b"1")))))


def test_nested_branches_may_put_the_same_key(server):
    """The two branches of a nested txn may put the same key, as only one runs."""
    inner = TxnRequest(success=(op(PutRequest(b"k", b"1")),), failure=(op(PutRequest(b"k", b"2")),))
    assert server.txn(TxnRequest(success=(op(inner),))).succeeded
    with pytest.raises(ErrDuplicateKey):
        server.txn(TxnRequest(success=(op(inner), op(PutRequest(b"k", b"3")))))


def test_a_from_key_delete_does_not_clash_with_puts(server):
    """etcd checks a from-key delete (range_end b"\\0") as an empty interval, so a put beside it
    is accepted; the ops then run in order."""
    server.txn(TxnRequest(success=(op(DeleteRangeRequest(b"a", b"\0")), op(PutRequest(b"b", b"new")))))
    assert (value(server, b"a"), value(server, b"b")) == (None, b"new")
    b = server.range(RangeRequest(b"b")).kvs[0]
    assert (b.create_revision, b.mod_revision, b.version) == (5, 5, 1)  # a new generation


def test_at_most_128_ops(server):
    """A txn may have 128 ops in a branch; 129 fail with ErrTooManyOps."""
    puts = tuple(op(PutRequest(b"k%03d" % i, b"v")) for i in range(129))
    server.txn(TxnRequest(success=puts[:128]))
    with pytest.raises(ErrTooManyOps):
        server.txn(TxnRequest(success=puts))
    assert server.header().revision == 5


def test_nested_ops_count_against_the_limit(server):
    """A nested txn gets only the ops its parent left over."""
    nested = TxnRequest(success=tuple(op(PutRequest(b"n%d" % i, b"v")) for i in range(10)))
    outer = tuple(op(PutRequest(b"o%03d" % i, b"v")) for i in range(120)) + (op(nested),)
    with pytest.raises(ErrTooManyOps):
        server.txn(TxnRequest(success=outer))


def test_a_compare_needs_a_key(server):
    """A compare with an empty key fails with ErrEmptyKey."""
    with pytest.raises(ErrEmptyKey):
        server.txn(TxnRequest(compare=(Compare("EQUAL", "VERSION", b"", value=0),)))


def test_a_put_with_a_lease_in_a_txn_attaches_it(server):
    """A put in a txn attaches its lease like a plain put."""
    lease = server.lease_grant(LeaseGrantRequest(60)).id
    server.txn(TxnRequest(success=(op(PutRequest(b"leased", b"1", lease=lease)),)))
    assert holds(server, Compare("EQUAL", "LEASE", b"leased", value=lease))


@pytest.fixture
def form_checks(monkeypatch) -> list:
    """The requests EtcdServer.check_request is called with, in order."""
    checked = []
    check_request = EtcdServer.check_request

    def counting(self, request):
        checked.append(request)
        check_request(self, request)

    monkeypatch.setattr(EtcdServer, "check_request", counting)
    return checked


def _write_over_grpc(member: ClusterMember) -> None:
    """A write Txn, a read-only Txn, a Put and a DeleteRange through the member's gRPC adapter."""
    grpc_server = grpc_adapter.new_grpc_server()
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_adapter.add_etcd_servicers(grpc_server, member)
    grpc_server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            kv = rpc_pb2_grpc.KVStub(channel)
            put = rpc_pb2.PutRequest(key=b"k", value=b"v")
            kv.Txn(rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp(request_put=put)]), timeout=5)
            kv.Txn(rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp(
                request_range=rpc_pb2.RangeRequest(key=b"k"))]), timeout=5)
            kv.Put(put, timeout=5)
            kv.DeleteRange(rpc_pb2.DeleteRangeRequest(key=b"k"), timeout=5)
    finally:
        grpc_server.stop(None)


def test_a_request_is_checked_for_its_form_once_over_grpc_and_still_on_a_direct_call(tmp_path, form_checks):
    """The gRPC adapter refuses a malformed KV request before authorizing it, as etcd's kvServer
    does; what it then hands the member is not checked for its form again (a write's size still
    is). A direct call on the member has no adapter before it: it is checked, and refused when
    malformed."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        _write_over_grpc(member)
        assert [type(request).__name__ for request in form_checks] == [
            "TxnRequest", "TxnRequest", "PutRequest", "DeleteRangeRequest"]
        form_checks.clear()
        member.txn(TxnRequest(success=(op(PutRequest(b"k", b"w")),)))
        assert len(form_checks) == 1
        puts = tuple(op(PutRequest(b"k%03d" % i, b"v")) for i in range(129))
        with pytest.raises(ErrTooManyOps):
            member.txn(TxnRequest(success=puts))
        assert member.range(RangeRequest(b"k000")).kvs == ()
