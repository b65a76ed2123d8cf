"""Requests no etcd client sends but the v3 API lets through, answered as etcd 3.4.23 answered
them when probed side by side (`/usr/bin/etcd`, recorded here as data): an empty RequestOp in a
txn, enum values etcd does not define, a progress request on a stream with watches, a member
add with bad peer URLs.

The protobuf messages go through the gRPC adapter's own conversions into the sans-IO core, so no
server process is needed.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from aetcd.rpc import rpc_pb2

from reference_impl.etcd import ClusterMember, EtcdServer
from reference_impl.etcd.errors import ErrKeyNotFound, ErrMemberBadURLs, ErrUnknownSortTarget
from reference_impl.etcd.grpc_adapter import (
    WatchRouter, _WatchStream, range_request, txn_request, watch_create_request)
from reference_impl.etcd.messages import (
    CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest)
from reference_impl.etcd.raftnode import check_peer_urls
from reference_impl.machinery.clock import ManualClock

UNDEFINED = 7  # a value none of the enums below defines


@pytest.fixture
def server() -> EtcdServer:
    s = EtcdServer(ManualClock())
    for key, value in ((b"s1", b"c"), (b"s2", b"a"), (b"s3", b"b")):
        s.put(PutRequest(key, value))
    return s


def keys(resp) -> list[bytes]:
    return [kv.key for kv in resp.kvs]


@pytest.mark.parametrize("op", [rpc_pb2.RequestOp(),
                                rpc_pb2.RequestOp(request_txn=rpc_pb2.TxnRequest(
                                    success=[rpc_pb2.RequestOp()]))],
                         ids=["top level", "nested"])
def test_an_empty_request_op_is_key_not_found(server, op):
    """checkRequestOp: a RequestOp with no request set is INVALID_ARGUMENT "key not found"
    (etcd 3.4: `etcdserver: key not found`), refused before anything is written."""
    before = server.header().revision
    with pytest.raises(ErrKeyNotFound) as caught:
        server.txn(txn_request(rpc_pb2.TxnRequest(success=[op])))
    assert (caught.value.grpc_code, caught.value.message) == (
        "INVALID_ARGUMENT", "etcdserver: key not found")
    assert server.header().revision == before


def test_an_empty_request_op_does_not_stop_a_member(tmp_path):
    """Through Raft the same request is refused and the member goes on serving (it used to stop
    its driver on the unexpected request)."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        with pytest.raises(ErrKeyNotFound):
            member.txn(txn_request(rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp()])))
        assert member.put(PutRequest(b"after", b"v")).header.revision == 2


def test_an_undefined_sort_order_leaves_the_key_order(server):
    """etcd 3.4 sorts only for ASCEND and DESCEND: any other order returns the keys in key order,
    whatever the target (recorded: s1, s2, s3 for order 7 with target KEY and with VALUE)."""
    for target in (rpc_pb2.RangeRequest.KEY, rpc_pb2.RangeRequest.VALUE):
        req = range_request(rpc_pb2.RangeRequest(key=b"s", range_end=b"t", sort_order=UNDEFINED,
                                                 sort_target=target))
        assert keys(server.range(req)) == [b"s1", b"s2", b"s3"]
    req = range_request(rpc_pb2.RangeRequest(key=b"s", range_end=b"t", sort_order=-1, limit=2))
    resp = server.range(req)
    assert (keys(resp), resp.more, resp.count) == ([b"s1", b"s2"], True, 3)


def test_enum_fields_are_named_without_asking_protobuf_per_request(monkeypatch):
    """The adapter names a request's enum values from tables made once (protobuf's Name() cost
    more than the rest of a range's conversion); defined and undefined values alike."""
    def refuse(*args):
        raise AssertionError("Name() called per request")
    for enum in (rpc_pb2.RangeRequest.SortOrder, rpc_pb2.RangeRequest.SortTarget,
                 rpc_pb2.Compare.CompareResult, rpc_pb2.Compare.CompareTarget):
        monkeypatch.setattr(enum, "Name", refuse)
    req = range_request(rpc_pb2.RangeRequest(key=b"s", sort_order=2, sort_target=UNDEFINED))
    assert (req.sort_order, req.sort_target) == ("DESCEND", str(UNDEFINED))
    txn = txn_request(rpc_pb2.TxnRequest(compare=[rpc_pb2.Compare(
        key=b"s", result=rpc_pb2.Compare.NOT_EQUAL, target=rpc_pb2.Compare.MOD, mod_revision=3)]))
    assert (txn.compare[0].result, txn.compare[0].target, txn.compare[0].value) == ("NOT_EQUAL", "MOD", 3)


def test_a_range_request_carries_every_field_the_client_set_and_defaults_the_rest():
    full = rpc_pb2.RangeRequest(
        key=b"a", range_end=b"b", limit=3, revision=2, sort_order=1, sort_target=3,
        serializable=True, keys_only=True, count_only=True, min_mod_revision=4,
        max_mod_revision=5, min_create_revision=6, max_create_revision=7)
    assert range_request(full) == RangeRequest(
        b"a", b"b", 3, 2, "ASCEND", "MOD", True, True, True, 4, 5, 6, 7)
    assert range_request(rpc_pb2.RangeRequest()) == RangeRequest(b"")


def test_an_undefined_sort_target_is_refused_not_a_crash(server):
    """A sorted range by an undefined target makes etcd 3.4 panic (a nil sorter); the reference
    refuses that one request, in a txn before any of its writes."""
    req = rpc_pb2.RangeRequest(key=b"s", range_end=b"t", sort_target=UNDEFINED)
    with pytest.raises(ErrUnknownSortTarget):
        server.range(range_request(req))
    before = server.header().revision
    with pytest.raises(ErrUnknownSortTarget):
        server.txn(txn_request(rpc_pb2.TxnRequest(success=[
            rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=b"w", value=b"v")),
            rpc_pb2.RequestOp(request_range=req)])))
    assert server.header().revision == before
    assert server.range(RangeRequest(b"w")).kvs == ()


@pytest.mark.parametrize("compare", [
    rpc_pb2.Compare(key=b"s1", target=UNDEFINED, result=rpc_pb2.Compare.EQUAL),
    rpc_pb2.Compare(key=b"missing", target=UNDEFINED, result=rpc_pb2.Compare.EQUAL),
    rpc_pb2.Compare(key=b"s1", target=rpc_pb2.Compare.VERSION, result=9, version=99),
], ids=["undefined target", "undefined target, missing key", "undefined result"])
def test_an_undefined_compare_enum_holds(server, compare):
    """compareKV: an undefined target leaves the comparison at 0 (equal), an undefined result
    holds whatever the comparison (etcd 3.4 answered succeeded: true to each)."""
    resp = server.txn(txn_request(rpc_pb2.TxnRequest(compare=[compare])))
    assert resp.succeeded


def test_an_undefined_compare_result_not_equal_is_still_checked(server):
    """Only the undefined part is lenient: NOT_EQUAL over an undefined target compares 0 with 0."""
    compare = rpc_pb2.Compare(key=b"s1", target=UNDEFINED, result=rpc_pb2.Compare.NOT_EQUAL)
    assert not server.txn(txn_request(rpc_pb2.TxnRequest(compare=[compare]))).succeeded


def _stream(server: EtcdServer, *requests: rpc_pb2.WatchRequest):
    """A watch stream that has received `requests`, and what it would send so far."""
    router = WatchRouter()
    server.set_watch_listener(router)  # as the Watch service wires it
    stream = _WatchStream(server, router)
    stream.recv_loop(iter(requests))
    return stream, stream._drain()


def test_an_undefined_watch_filter_is_ignored(server):
    """FiltersFromRequest skips a filter it does not know: the watch is created and sees puts
    (it used to leave the stream unanswered)."""
    create = rpc_pb2.WatchCreateRequest(key=b"s1", filters=[UNDEFINED])
    assert watch_create_request(create).filters == (str(UNDEFINED),)
    stream, sent = _stream(server, rpc_pb2.WatchRequest(create_request=create))
    assert [(r.watch_id, r.created) for r in sent] == [(0, True)]
    server.put(PutRequest(b"s1", b"new"))
    assert [e.kv.value for r in stream._drain() for e in r.events] == [b"new"]


def test_a_progress_request_gets_one_answer_for_the_stream(server):
    """etcd 3.4 answers a progress request with one response, watch id -1, at the current
    revision, however many watches the stream has (recorded: `watch_id: -1` after one create)."""
    create = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"s1"))
    _, sent = _stream(server, create, create,
                   rpc_pb2.WatchRequest(progress_request=rpc_pb2.WatchProgressRequest()))
    progress = [r for r in sent if not r.created]
    assert [(r.watch_id, list(r.events), r.header.revision) for r in progress] == [
        (-1, [], server.header().revision)]


def test_a_progress_request_comes_after_the_history_a_new_watch_replays(server):
    """A client that takes the progress revision as "every change up to here has come" (the
    apiserver's watch cache does) must not get it ahead of a new watch's replayed history: etcd
    sends requested progress through the watch stream since 3.4.25 (etcd#15220)."""
    revisions = [server.put(PutRequest(b"ordered", f"v{i}".encode())).header.revision for i in range(3)]
    create = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"ordered", start_revision=1))
    _, sent = _stream(server, create, rpc_pb2.WatchRequest(progress_request=rpc_pb2.WatchProgressRequest()))
    assert [(r.watch_id, [e.kv.mod_revision for e in r.events]) for r in sent if not r.created] == [
        (0, revisions), (-1, [])]



def _create(key: bytes, **fields) -> rpc_pb2.WatchRequest:
    return rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=key, **fields))


def _cancel(watch_id: int) -> rpc_pb2.WatchRequest:
    return rpc_pb2.WatchRequest(cancel_request=rpc_pb2.WatchCancelRequest(watch_id=watch_id))


def test_created_and_refused_creates_are_answered_in_the_order_they_came(server):
    """recvLoop puts every create's answer, created or refused (id -1), on one control queue
    (ctrlStream) as it reads the request. clientv3 takes each answer for its oldest create, so an
    answer out of turn hands a watch another's id or error (etcd 3.4 answered creates alternating
    valid and empty-range in turn: 400 pairs on 20 streams, checked)."""
    _, sent = _stream(server, *(_create(b"s1"), _create(b"z", range_end=b"b")) * 3)
    assert [(r.watch_id, r.created, r.canceled) for r in sent] == [
        (0, True, False), (-1, True, True), (1, True, False), (-1, True, True), (2, True, False),
        (-1, True, True)]


def test_a_watch_canceled_for_compaction_keeps_its_id(server):
    """mvcc's watchStream forgets a watch id only when the client cancels it: after compaction
    canceled watches 0 and 1, etcd 3.4 refused a create naming 1 ("duplicate watch ID") and
    the next automatic id skipped it (recorded: -1, then 2)."""
    server.compact(CompactionRequest(3))
    stream, sent = _stream(server, _create(b"s1", start_revision=1),
                           _create(b"s1", start_revision=1, watch_id=1))
    assert [(r.watch_id, r.canceled, r.compact_revision) for r in sent if r.canceled] == [
        (0, True, 3), (1, True, 3)]
    stream.recv_loop(iter([_create(b"s1", watch_id=1), _create(b"s1")]))
    assert [(r.watch_id, r.created, r.cancel_reason) for r in stream._drain()] == [
        (-1, True, "mvcc: duplicate watch ID provided on the WatchStream"), (2, True, "")]


def test_canceling_a_watch_canceled_for_compaction_answers_once(server):
    """The client's cancel of such a watch succeeds, so etcd 3.4 answered it `canceled` at the
    current revision; a second cancel, like one of an id never used, got no answer."""
    server.compact(CompactionRequest(3))
    stream, _ = _stream(server, _create(b"s1", start_revision=1))
    stream.recv_loop(iter([_cancel(0), _cancel(0), _cancel(12345)]))
    assert [(r.watch_id, r.canceled, r.compact_revision, r.header.revision)
            for r in stream._drain()] == [(0, True, 0, server.header().revision)]


def test_a_negative_start_revision_replays_nothing_unless_compacted(server):
    """A negative start revision reads history from its bytes, which sort after every revision's:
    etcd 3.4.23 sent -1 only `created` and then the puts after it; below the compacted revision
    (etcd's starts at -1), -2 and lower are canceled for compaction at -1 (each recorded)."""
    stream, sent = _stream(server, _create(b"s", range_end=b"t", start_revision=-1),
                           _create(b"s", range_end=b"t", start_revision=-2))
    assert [(r.watch_id, r.created, r.canceled, r.compact_revision, len(r.events)) for r in sent] == [
        (0, True, False, 0, 0), (1, True, False, 0, 0), (1, False, True, -1, 0)]
    server.put(PutRequest(b"s1", b"new"))
    assert [(r.watch_id, [e.kv.value for e in r.events]) for r in stream._drain()] == [(0, [b"new"])]
    server.compact(CompactionRequest(3))
    _, sent = _stream(server, _create(b"s", range_end=b"t", start_revision=-1))
    assert [(r.canceled, r.compact_revision) for r in sent] == [(False, 0), (True, 3)]


@pytest.mark.parametrize("peer_urls", [(), ("",), ("ftp://x:1",), ("http://",), ("http://a",),
                                       ("http://a:1/path",), ("%zz",), ("unix://x",),
                                       ("http://a:1", "http://b")])
def test_a_member_add_with_bad_peer_urls_is_refused(peer_urls):
    """types.NewURLs: etcd 3.4 answers INVALID_ARGUMENT "given member URLs are invalid" to a
    MemberAdd without peer URLs or with one that is not SCHEME://HOST:PORT (each recorded)."""
    with pytest.raises(ErrMemberBadURLs) as caught:
        check_peer_urls(peer_urls)
    assert (caught.value.grpc_code, caught.value.message) == (
        "INVALID_ARGUMENT", "etcdserver: given member URLs are invalid")


@pytest.mark.parametrize("peer_url", ["http://127.0.0.1:9x", "http://127.0.0.1:+9", "http://127.0.0.1:0x9",
                                      "http://127.0.0.1:9\u00e9", "http://[::1]:9a"])
def test_a_peer_url_whose_port_is_not_digits_is_refused(peer_url):
    """url.Parse's validOptionalPort: after a host's last colon only ASCII digits (or none);
    etcd 3.4.23 refused each of these (a port-less "http://127.0.0.1:" it took)."""
    with pytest.raises(ErrMemberBadURLs):
        check_peer_urls((peer_url,))


def test_a_peer_urls_host_past_ascii_is_printed_back_escaped():
    """url.URL.String escapes a host's bytes past ASCII: etcd 3.4.23 listed the member added
    with http://h\u00e9:9 as http://h%C3%A9:9."""
    assert check_peer_urls(("http://h\u00e9:9", "http://127.0.0.1:")) == (
        "http://127.0.0.1:", "http://h%C3%A9:9")


def test_good_peer_urls_pass_sorted():
    assert check_peer_urls(("https://b:2", "http://[::1]:2380", "unixs://sock:0")) == (
        "http://[::1]:2380", "https://b:2", "unixs://sock:0")


def test_a_lone_member_refuses_a_member_add_without_peer_urls(tmp_path):
    """The add used to go through with no URLs: a second voter no one can reach, so the lone
    member lost its quorum and every later write failed with "no leader"."""
    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        with pytest.raises(ErrMemberBadURLs):
            member.member_add((), False)
        assert len(member.members()) == 1
        assert member.put(PutRequest(b"after", b"v")).header.revision == 2


def test_removing_the_only_member_is_refused_with_code_unknown(tmp_path):
    """v3rpc's toGRPCErrorMap turns ErrNotEnoughStartedMembers into rpctypes'
    ErrMemberNotEnoughStarted, a client-side error and no gRPC status, so grpc-go sends it with
    code Unknown (recorded from etcd 3.4: MemberRemove of a lone member's own id)."""
    from reference_impl.etcd.errors import ErrNotEnoughStartedMembers

    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        with pytest.raises(ErrNotEnoughStartedMembers) as caught:
            member.member_remove(member.id)
        assert (caught.value.grpc_code, caught.value.message) == (
            "UNKNOWN", "etcdserver: re-configuration failed due to not enough started members")
        assert len(member.members()) == 1


def test_an_undefined_permission_type_is_kept_and_grants_nothing():
    """etcd 3.4 stores a permission of an undefined type and returns it with its number (recorded:
    `role get` lists permType -2 and 9), but no check counts it as read or write."""
    from reference_impl.etcd.auth import AuthStore
    from reference_impl.etcd.authpb import perm_type_name, perm_type_value
    from reference_impl.etcd.messages import (
        AuthRoleAddRequest, AuthRoleGrantPermissionRequest, AuthUserAddRequest,
        AuthUserGrantRoleRequest, Permission)

    names = [perm_type_name(value) for value in (9, -2, 2)]
    assert names == ["9", "-2", "READWRITE"]
    assert [perm_type_value(name) for name in names] == [9, -2, 2]
    auth = AuthStore()
    for request in (AuthRoleAddRequest("r"), AuthUserAddRequest("u"),
                    AuthRoleGrantPermissionRequest("r", Permission("9", b"q")),
                    AuthUserGrantRoleRequest("u", "r")):
        auth.apply(request)
    user = auth.user_get("u")
    assert not auth.check_range(user, b"q", b"", write=False)
    assert not auth.check_range(user, b"q", b"", write=True)


class _Aborted(Exception):
    """What the adapter's context.abort(code, details) raises here."""


class _Context:
    """The bits of a grpc.ServicerContext the adapter reads: metadata, whether the call is live
    (always, with no deadline), and abort as an error."""

    def __init__(self, *metadata: tuple[str, str]):
        self._metadata = metadata

    def invocation_metadata(self):
        return self._metadata

    def is_active(self) -> bool:
        return True

    def time_remaining(self) -> None:
        return None

    def abort(self, code, details):
        raise _Aborted(code.name, details)


def test_an_empty_token_in_the_metadata_is_a_token():
    from reference_impl.etcd.grpc_adapter import token_of

    assert token_of(_Context(("token", ""))) == ""
    assert token_of(_Context(("authorization", ""))) == ""
    assert token_of(_Context(("token", ""), ("authorization", "x"))) == ""
    assert token_of(_Context()) is None


def test_membership_changes_need_root_once_auth_is_on(tmp_path):
    """checkMembershipOperationPermission: with auth on, a user without root gets "permission
    denied" for MemberRemove/Update/Promote and a MemberAdd with good URLs (recorded for
    MemberRemove ID 1), while bad URLs are refused first; MemberList needs nothing."""
    from reference_impl.etcd.errors import ErrPermissionDenied
    from reference_impl.etcd.grpc_adapter import ClusterServicer
    from reference_impl.etcd.messages import (
        AuthEnableRequest, AuthUserAddRequest, AuthUserGrantRoleRequest)

    with ClusterMember.alone(tmp_path, ManualClock()) as member:
        for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                        AuthUserAddRequest("u", "upw"), AuthEnableRequest()):
            member.auth_change(request)
        user = _Context(("token", member.authenticate("u", "upw")))
        cluster = ClusterServicer(member)
        for call in (lambda: cluster._membership(user, "member_remove"),
                     lambda: cluster._membership(user, "member_update"),
                     lambda: cluster._membership(user, "member_promote")):
            with pytest.raises(ErrPermissionDenied):
                call()
        with pytest.raises(ErrMemberBadURLs):
            cluster.MemberAdd.__wrapped__(cluster, rpc_pb2.MemberAddRequest(), user)
        with pytest.raises(ErrPermissionDenied):
            cluster.MemberAdd.__wrapped__(cluster, rpc_pb2.MemberAddRequest(peerURLs=["http://a:1"]), user)
        assert len(cluster.MemberList.__wrapped__(cluster, rpc_pb2.MemberListRequest(), user).members) == 1
        root = _Context(("token", member.authenticate("root", "pw")))
        assert cluster._membership(root, "member_remove") == member.member_remove


def _catch_up(server: EtcdServer, fragment: bool) -> list[tuple[bool, list[bytes]]]:
    create = rpc_pb2.WatchCreateRequest(key=b"frag", range_end=b"frah", start_revision=2,
                                        fragment=fragment, prev_kv=True)
    _, sent = _stream(server, rpc_pb2.WatchRequest(create_request=create))
    return [(r.fragment, [e.kv.key for e in r.events]) for r in sent if not r.created]


def test_a_fragment_watch_gets_big_responses_in_pieces():
    """sendFragments: a response of at least --max-request-bytes plus gRPC's overhead (2 MiB) to
    a watch created with fragment is cut, all pieces but the last marked fragment. Recorded from
    etcd 3.4 for three 1,000,000-byte values caught up from history: [frag0, frag1] (fragment),
    then [frag2]; without fragment one response of the three."""
    server = EtcdServer(ManualClock())
    for i in range(3):
        server.put(PutRequest(b"frag%d" % i, bytes([65 + i]) * 1_000_000))
    assert _catch_up(server, fragment=True) == [(True, [b"frag0", b"frag1"]), (False, [b"frag2"])]
    assert _catch_up(server, fragment=False) == [(False, [b"frag0", b"frag1", b"frag2"])]


def test_fragments_stay_under_the_limit_and_keep_every_event():
    from reference_impl.etcd.grpc_adapter import send_fragments
    from aetcd.rpc import kv_pb2

    events = [kv_pb2.Event(kv=kv_pb2.KeyValue(key=b"k%03d" % i, value=b"x" * (i * 7)))
              for i in range(200)]
    response = rpc_pb2.WatchResponse(watch_id=3, events=events)
    parts = send_fragments(response, 10_000)
    assert [e for p in parts for e in p.events] == events
    assert [p.fragment for p in parts] == [True] * (len(parts) - 1) + [False]
    assert all(p.ByteSize() < 10_000 or len(p.events) == 1 for p in parts)
    # each piece is as full as etcd makes it: the next event would have reached the limit
    for part, following in zip(parts, parts[1:]):
        grown = rpc_pb2.WatchResponse()
        grown.CopyFrom(part)
        grown.events.append(following.events[0])
        assert grown.ByteSize() >= 10_000
    assert send_fragments(rpc_pb2.WatchResponse(events=events[:1]), 10) == [
        rpc_pb2.WatchResponse(events=events[:1])]


@pytest.mark.parametrize("request_pb", [
    rpc_pb2.PutRequest(key=b"k", value=b"v" * 300, lease=-1, prev_kv=True),
    rpc_pb2.PutRequest(key=b"k", ignore_value=True, ignore_lease=True),
    rpc_pb2.DeleteRangeRequest(key=b"a", range_end=b"\0", prev_kv=True),
    rpc_pb2.TxnRequest(
        compare=[rpc_pb2.Compare(key=b"k", target=rpc_pb2.Compare.VALUE, value=b""),
                 rpc_pb2.Compare(key=b"k", range_end=b"z", target=rpc_pb2.Compare.MOD, mod_revision=0,
                                 result=rpc_pb2.Compare.LESS),
                 rpc_pb2.Compare(key=b"k", target=rpc_pb2.Compare.LEASE, lease=-5)],
        success=[rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(
            key=b"a", range_end=b"b", limit=3, revision=2, sort_order=2, sort_target=4,
            keys_only=True, min_mod_revision=-1, max_create_revision=9)),
                 rpc_pb2.RequestOp(request_txn=rpc_pb2.TxnRequest(
                     failure=[rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=b"x" * 200))]))],
        failure=[rpc_pb2.RequestOp(request_delete_range=rpc_pb2.DeleteRangeRequest(key=b"d"))]),
], ids=["put", "put ignore", "delete", "txn"])
def test_a_kv_request_is_sized_as_protobuf_marshals_it(request_pb):
    """The request inside the Raft entry is counted byte for byte as protobuf writes it; the
    entry's header (its two-byte tag, length, the request id) is checked by the limits below."""
    from reference_impl.etcd.grpc_adapter import delete_range_request, put_request
    from reference_impl.etcd.wire import message_size

    convert = {"PutRequest": put_request, "DeleteRangeRequest": delete_range_request,
               "TxnRequest": txn_request}[type(request_pb).__name__]
    assert message_size(convert(request_pb)) == request_pb.ByteSize()


@pytest.mark.parametrize("make, largest", [
    (lambda n: PutRequest(b"big", b"x" * n), 1_572_838),
    (lambda n: TxnRequest(success=(RequestOp(PutRequest(b"big", b"x" * n)),)), 1_572_830),
    (lambda n: DeleteRangeRequest(b"k" * n), 1_572_843),
], ids=["put value", "txn put value", "delete key"])
def test_the_request_size_limit_falls_where_etcds_does(make, largest):
    """Recorded on etcd 3.4 (member id ending 390d): the largest value or key each request may
    carry under the 1.5 MiB limit; one byte more is "request is too large"."""
    from reference_impl.etcd.errors import ErrRequestTooLarge

    server = EtcdServer(ManualClock(), member_id=0xBDAE9BBC11DD390D)
    server.check(make(largest))
    with pytest.raises(ErrRequestTooLarge):
        server.check(make(largest + 1))


def _auth_on(server: EtcdServer) -> None:
    from reference_impl.etcd.messages import (
        AuthEnableRequest, AuthUserAddRequest, AuthUserGrantRoleRequest)

    for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                    AuthEnableRequest()):
        server.auth_change(request)


def _compact(server, context):
    from reference_impl.etcd.grpc_adapter import KVServicer
    return KVServicer(server).Compact(rpc_pb2.CompactionRequest(revision=1), context)


def _lease_grant(server, context):
    from reference_impl.etcd.grpc_adapter import LeaseServicer, Streams
    return LeaseServicer(server, Streams()).LeaseGrant(rpc_pb2.LeaseGrantRequest(TTL=10**12), context)


def _alarm(server, context):
    from reference_impl.etcd.grpc_adapter import MaintenanceServicer
    return MaintenanceServicer(server).Alarm(rpc_pb2.AlarmRequest(), context)


@pytest.mark.parametrize("auth_on", [False, True], ids=["auth off", "auth on"])
@pytest.mark.parametrize("call, answer", [
    (_compact, ("UNAUTHENTICATED", "etcdserver: invalid auth token")),
    (_lease_grant, ("UNAUTHENTICATED", "etcdserver: invalid auth token")),
    (_alarm, ("UNKNOWN", "auth: invalid auth token")),
], ids=["compact", "lease grant", "alarm"])
def test_a_raft_request_checks_the_token_it_carries(auth_on, call, answer):
    """processInternalRaftRequestOnce looks the caller's token up (AuthInfoFromCtx) before
    anything else, with auth on or off; Maintenance.Alarm passes the auth error on untranslated
    (recorded from etcd 3.4 with token "bogus": the token's error, for a lease TTL too large too,
    and no lease granted, no revision compacted)."""
    server = EtcdServer(ManualClock())
    if auth_on:
        _auth_on(server)
    with pytest.raises(_Aborted) as caught:
        call(server, _Context(("token", "bogus")))
    assert caught.value.args == answer
    assert (server.lessor.leases(), server.store.compact_revision) == ([], -1)


def test_authenticate_checks_the_callers_token_after_the_password():
    """EtcdServer.Authenticate checks the password, then sends a raft request that looks up the
    token the call carries (recorded from etcd 3.4 with token "bogus": a wrong password is
    "authentication failed", the right one "invalid auth token", and with auth off "not enabled")."""
    from reference_impl.etcd.grpc_adapter import AuthServicer

    def authenticate(server, password, *metadata):
        request = rpc_pb2.AuthenticateRequest(name="root", password=password)
        with pytest.raises(_Aborted) as caught:
            AuthServicer(server).Authenticate(request, _Context(*metadata))
        return caught.value.args

    server = EtcdServer(ManualClock())
    assert authenticate(server, "pw", ("token", "bogus")) == (
        "FAILED_PRECONDITION", "etcdserver: authentication is not enabled")
    _auth_on(server)
    assert authenticate(server, "wrong", ("token", "bogus")) == (
        "INVALID_ARGUMENT", "etcdserver: authentication failed, invalid user ID or password")
    for token in ("bogus", ""):
        assert authenticate(server, "pw", ("token", token)) == (
            "UNAUTHENTICATED", "etcdserver: invalid auth token")
    assert server.auth.tokens == {}
    request = rpc_pb2.AuthenticateRequest(name="root", password="pw")
    assert AuthServicer(server).Authenticate(request, _Context()).token in server.auth.tokens


def _nested_txn(depth: int) -> rpc_pb2.TxnRequest:
    """A txn whose success branch is a txn, `depth` times, around a put of "deep". Built in
    place: protobuf's Python decoder, which copying a message uses, stops at 100 levels."""
    txn = rpc_pb2.TxnRequest()
    level = txn
    for _ in range(depth):
        level = level.success.add().request_txn
    level.success.add().request_put.key = b"deep"
    return txn


@pytest.mark.parametrize("depth", [48, 49, 127])
def test_a_txn_nested_past_protobufs_python_depth_limit_is_read(depth):
    """etcd's Go decoder has no depth limit: a txn nested 127 deep is served (recorded from
    etcd 3.4); the Python decoder refuses 49 txns deep (100 nested messages), which made the
    reference answer INTERNAL "Exception deserializing request!"."""
    from reference_impl.etcd.grpc_adapter import read_txn_request, txn_response_pb

    data = _nested_txn(depth).SerializeToString()
    request = read_txn_request(data)
    assert request.SerializeToString() == data
    server = EtcdServer(ManualClock())
    response = txn_response_pb(server.txn(txn_request(request)))
    for _ in range(depth):
        response = response.responses[0].response_txn
    assert response.responses[0].response_put.header.revision == 2
    assert keys(server.range(RangeRequest(b"deep"))) == [b"deep"]


def test_read_txn_request_keeps_every_field_and_refuses_garbage():
    from google.protobuf.message import DecodeError
    from reference_impl.etcd.grpc_adapter import read_txn_request

    txn = _nested_txn(60)
    txn.compare.add(key=b"c", target=rpc_pb2.Compare.VALUE, value=b"v")
    txn.failure.add().request_delete_range.key = b"d"
    txn.failure.add().request_txn.SetInParent()  # an empty nested txn is still a txn
    txn.success.add().request_range.key = b"r"
    data = txn.SerializeToString()
    assert read_txn_request(data).SerializeToString() == data
    with pytest.raises(DecodeError):
        read_txn_request(data[:-1])


def test_the_txn_limit_of_operations_counts_nesting_levels_over_grpc():
    """Served by the gRPC adapter: 127 levels are a txn, 128 or more (1,000 and 5,000 tried)
    "too many operations in txn request", each level costing one of the 128 operations
    checkTxnRequest allows (recorded from etcd 3.4)."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc
    from reference_impl.etcd.grpc_adapter import add_etcd_servicers, new_grpc_server

    grpc_server = new_grpc_server()
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    add_etcd_servicers(grpc_server, EtcdServer(ManualClock()))
    grpc_server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            txn = channel.unary_unary("/etcdserverpb.KV/Txn")  # bytes in, bytes out
            txn(_nested_txn(127).SerializeToString(), timeout=10)
            assert rpc_pb2_grpc.KVStub(channel).Range(rpc_pb2.RangeRequest(key=b"deep")).count == 1
            for depth in (128, 129, 1000, 5000):
                with pytest.raises(grpc.RpcError) as caught:
                    txn(_nested_txn(depth).SerializeToString(), timeout=10)
                assert (caught.value.code(), caught.value.details()) == (
                    grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: too many operations in txn request")
    finally:
        grpc_server.stop(None)


def _op_put(key: bytes) -> rpc_pb2.RequestOp:
    return rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key))


@pytest.mark.parametrize("method, request_pb, answer", [
    ("Put", rpc_pb2.PutRequest(), "etcdserver: key is not provided"),
    ("Put", rpc_pb2.PutRequest(key=b"a", value=b"x", ignore_value=True), "etcdserver: value is provided"),
    ("Range", rpc_pb2.RangeRequest(), "etcdserver: key is not provided"),
    ("DeleteRange", rpc_pb2.DeleteRangeRequest(), "etcdserver: key is not provided"),
    ("Txn", rpc_pb2.TxnRequest(success=[_op_put(b"k%d" % i) for i in range(129)]),
     "etcdserver: too many operations in txn request"),
    ("Txn", rpc_pb2.TxnRequest(success=[_op_put(b"k"), _op_put(b"k")]),
     "etcdserver: duplicate key given in txn request"),
    ("Txn", rpc_pb2.TxnRequest(compare=[rpc_pb2.Compare()]), "etcdserver: key is not provided"),
], ids=["put no key", "put ignore_value", "range no key", "delete no key", "txn too many ops",
        "txn duplicate key", "txn compare no key"])
@pytest.mark.parametrize("metadata", [(), (("token", "bogus"),), "u"], ids=["no token", "bogus token",
                                                                           "user without roles"])
def test_a_malformed_kv_request_is_refused_before_its_token_and_permissions(method, request_pb,
                                                                            answer, metadata):
    """kvServer checks the request itself (checkPutRequest, checkTxnRequest, ...) before
    EtcdServer looks at the caller: with auth on, etcd 3.4 answered each of these
    INVALID_ARGUMENT with the request's own error, for no token, a bogus one and a user with no
    roles alike (recorded)."""
    from reference_impl.etcd.grpc_adapter import KVServicer
    from reference_impl.etcd.messages import AuthUserAddRequest

    server = EtcdServer(ManualClock())
    _auth_on(server)
    server.auth_change(AuthUserAddRequest("u", "upw"))
    if metadata == "u":
        metadata = (("token", server.authenticate("u", "upw")),)
    with pytest.raises(_Aborted) as caught:
        getattr(KVServicer(server), method)(request_pb, _Context(*metadata))
    assert caught.value.args == ("INVALID_ARGUMENT", answer)


def test_a_permission_grant_without_a_permission_is_refused():
    """etcd 3.4 dereferences the missing permission when it applies the grant and panics (again
    at every restart: the entry is in its log; seen side by side); etcd 3.5 refuses it,
    INVALID_ARGUMENT "permission not given", after the caller's root check, as the reference does."""
    from reference_impl.etcd.grpc_adapter import AuthServicer
    from reference_impl.etcd.messages import AuthRoleAddRequest, AuthUserAddRequest

    server = EtcdServer(ManualClock())
    _auth_on(server)
    for request in (AuthRoleAddRequest("r"), AuthUserAddRequest("u", "upw")):
        server.auth_change(request)
    grant = rpc_pb2.AuthRoleGrantPermissionRequest(name="r")
    for user, answer in ((("root", "pw"), ("INVALID_ARGUMENT", "etcdserver: permission not given")),
                         (("u", "upw"), ("PERMISSION_DENIED", "etcdserver: permission denied"))):
        with pytest.raises(_Aborted) as caught:
            AuthServicer(server).RoleGrantPermission(
                grant, _Context(("token", server.authenticate(*user))))
        assert caught.value.args == answer
    assert server.auth.role_get("r").permissions == ()


BIG = 1_600_000  # over --max-request-bytes (1.5 MiB), under gRPC's receive limit (2 MiB)


def _with_user_u() -> EtcdServer:
    """Auth on, and a user "u" who may write the key "w" and nothing else."""
    from reference_impl.etcd.messages import (
        AuthRoleAddRequest, AuthRoleGrantPermissionRequest, AuthUserAddRequest,
        AuthUserGrantRoleRequest, Permission)

    server = EtcdServer(ManualClock())
    for request in (AuthUserAddRequest("u", "upw"), AuthRoleAddRequest("w"),
                    AuthRoleGrantPermissionRequest("w", Permission("WRITE", b"w")),
                    AuthUserGrantRoleRequest("u", "w")):
        server.auth_change(request)
    _auth_on(server)
    return server


def _caller(server: EtcdServer, who: str) -> _Context:
    if who == "no token":
        return _Context()
    return _Context(("token", server.authenticate(who, {"u": "upw", "root": "pw"}[who])))


def _refusal(call) -> tuple[str, str]:
    with pytest.raises(_Aborted) as caught:
        call()
    return caught.value.args


TOO_LARGE = ("INVALID_ARGUMENT", "etcdserver: request is too large")


@pytest.mark.parametrize("method, request_pb", [
    ("Put", rpc_pb2.PutRequest(key=b"nope", value=b"x" * BIG)),
    ("DeleteRange", rpc_pb2.DeleteRangeRequest(key=b"n" * BIG)),
    ("Txn", rpc_pb2.TxnRequest(compare=[rpc_pb2.Compare(key=b"nope")], success=[
        rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=b"w", value=b"x" * BIG))])),
], ids=["put", "delete", "txn comparing a key the user cannot read"])
@pytest.mark.parametrize("who", ["u", "no token"])
def test_a_write_is_sized_before_its_permissions(method, request_pb, who):
    """processInternalRaftRequestOnce refuses an entry over --max-request-bytes before the
    applier checks the caller's permissions: etcd 3.4 answered "request is too large" to a
    user who may not write (or read) the keys and to a caller with no token, where the same
    request made small is "permission denied" or "user name is empty" (recorded)."""
    from reference_impl.etcd.grpc_adapter import KVServicer

    server = _with_user_u()
    kv = KVServicer(server)
    assert _refusal(lambda: getattr(kv, method)(request_pb, _caller(server, who))) == TOO_LARGE


@pytest.mark.parametrize("method, request_pb", [
    ("UserAdd", rpc_pb2.AuthUserAddRequest(name="x" * BIG, password="p")),
    ("RoleAdd", rpc_pb2.AuthRoleAddRequest(name="x" * BIG)),
], ids=["user add", "role add"])
def test_an_auth_change_is_sized_before_the_root_check(method, request_pb):
    """The same for user and role changes: etcd 3.4 checks admin permission when it applies
    them, so a user without root is told "request is too large" (recorded)."""
    from reference_impl.etcd.grpc_adapter import AuthServicer

    server = _with_user_u()
    auth = AuthServicer(server)
    assert _refusal(lambda: getattr(auth, method)(request_pb, _caller(server, "u"))) == TOO_LARGE


def test_a_write_with_a_bogus_token_is_refused_for_the_token_before_its_size():
    """AuthInfoFromCtx runs before the request is marshalled and sized (recorded: "invalid
    auth token" for a 1.6 MB put with token "bogus")."""
    from reference_impl.etcd.grpc_adapter import KVServicer

    put = rpc_pb2.PutRequest(key=b"w", value=b"x" * BIG)
    assert _refusal(lambda: KVServicer(_with_user_u()).Put(put, _Context(("token", "bogus")))) == (
        "UNAUTHENTICATED", "etcdserver: invalid auth token")


@pytest.mark.parametrize("method, request_pb", [
    ("UserGet", rpc_pb2.AuthUserGetRequest(name="x" * BIG)),
    ("RoleGet", rpc_pb2.AuthRoleGetRequest(role="x" * BIG)),
], ids=["user get", "role get"])
@pytest.mark.parametrize("who", ["auth off", "root", "u", "no token"])
def test_a_user_or_role_get_is_sized_as_a_raft_request(method, request_pb, who):
    """etcd 3.4 serves UserGet and RoleGet through raft like the other auth calls: a name over
    the size limit is "request is too large" with auth off, for root, for a user without root
    and for a caller with no token (recorded), not "user name not found" or "permission denied"."""
    from reference_impl.etcd.grpc_adapter import AuthServicer

    server = EtcdServer(ManualClock()) if who == "auth off" else _with_user_u()
    caller = _Context() if who == "auth off" else _caller(server, who)
    auth = AuthServicer(server)
    assert _refusal(lambda: getattr(auth, method)(request_pb, caller)) == TOO_LARGE


@pytest.mark.parametrize("username, largest", [("v", 1_572_833), ("u" * 200, 1_572_632)],
                         ids=["one-letter user", "200-letter user"])
def test_the_size_limit_counts_the_callers_user_and_auth_revision(username, largest):
    """The entry's header holds the user name and auth revision of a caller with a token, so
    their value may be that much smaller than the 1,572,838 bytes of a caller without one:
    with auth revision 5, a one-letter user's largest put value was 1,572,832 on etcd 3.4 and
    a 200-letter user's 1,572,631, for a member whose request ids take a byte more than this
    one's (member id ending ac92 and bd30, recorded)."""
    from reference_impl.etcd.errors import ErrRequestTooLarge
    from reference_impl.etcd.messages import (
        AuthEnableRequest, AuthUserAddRequest, AuthUserGrantRoleRequest)

    server = EtcdServer(ManualClock(), member_id=0xBDAE9BBC11DD390D)
    for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                    AuthUserAddRequest(username, "upw"), AuthUserGrantRoleRequest(username, "root"),
                    AuthEnableRequest()):
        server.auth_change(request)
    assert server.auth.revision == 5
    token = server.authenticate(username, "upw")
    server.authorize(token, PutRequest(b"big", b"x" * largest))
    with pytest.raises(ErrRequestTooLarge):
        server.authorize(token, PutRequest(b"big", b"x" * (largest + 1)))


def test_a_put_may_not_attach_a_lease_holding_keys_the_user_cannot_write():
    """authApplierV3.Put's checkLeasePuts: a user who could not revoke the lease (it holds a key
    they may not write) may not attach it to a key either. etcd 3.4 answered "permission denied"
    to such a put of a key the user may write, and let the same put through inside a txn, whose
    check leaves leases alone (recorded)."""
    from reference_impl.etcd.grpc_adapter import KVServicer
    from reference_impl.etcd.messages import LeaseGrantRequest

    server = _with_user_u()
    lease_id = server.lease_grant(LeaseGrantRequest(600)).id
    server.put(PutRequest(b"secret", b"s", lease=lease_id))
    u = _caller(server, "u")
    kv = KVServicer(server)
    put = rpc_pb2.PutRequest(key=b"w", value=b"v", lease=lease_id)
    assert _refusal(lambda: kv.Put(put, u)) == ("PERMISSION_DENIED", "etcdserver: permission denied")
    assert server.range(RangeRequest(b"w")).kvs == ()
    kv.Txn(rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp(request_put=put)]), u)
    assert server.range(RangeRequest(b"w")).kvs[0].lease == lease_id
    own = server.lease_grant(LeaseGrantRequest(600)).id
    kv.Put(rpc_pb2.PutRequest(key=b"w", value=b"v2", lease=own), u)


def test_a_watch_is_refused_for_its_permission_before_its_id():
    """recvLoop checks that the caller may read the watched keys (isWatchPermitted) before
    watchStream.Watch looks at the watch id: etcd 3.4 answered a create reusing the stream's
    watch id for a key the user may not read "permission denied", and "duplicate watch ID"
    only for a key they may read (recorded)."""
    from reference_impl.etcd.messages import AuthRoleGrantPermissionRequest, Permission

    server = _with_user_u()
    server.auth_change(AuthRoleGrantPermissionRequest("w", Permission("READ", b"rd")))
    stream = _WatchStream(server, WatchRouter(), server.authenticate("u", "upw"))
    stream.recv_loop(iter(rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(
        key=key, watch_id=5)) for key in (b"rd", b"nope", b"rd")))
    sent = [(r.watch_id, r.canceled, r.cancel_reason) for r in stream._drain()]
    assert (5, False, "") in sent
    assert [answer for answer in sent if answer[1]] == [
        (-1, True, "rpc error: code = PermissionDenied desc = etcdserver: permission denied"),
        (-1, True, "mvcc: duplicate watch ID provided on the WatchStream")]


@pytest.fixture(scope="module")
def grpc_address():
    """The gRPC adapter in front of a bare core, on a free loopback port."""
    from reference_impl.etcd.grpc_adapter import add_etcd_servicers, new_grpc_server

    grpc_server = new_grpc_server()
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    add_etcd_servicers(grpc_server, EtcdServer(ManualClock()))
    grpc_server.start()
    yield f"127.0.0.1:{port}"
    grpc_server.stop(None)


@pytest.mark.parametrize("path, code, text", [
    ("/etcdserverpb.KV/Nope", "UNIMPLEMENTED", "unknown method Nope for service etcdserverpb.KV"),
    ("/grpc.health.v1.Health/Nope", "UNIMPLEMENTED",
     "unknown method Nope for service grpc.health.v1.Health"),
    ("/etcdserverpb.Nope/Range", "UNIMPLEMENTED", "unknown service etcdserverpb.Nope"),
    # etcd 3.5's; the stubs define them, etcd 3.4 has neither
    ("/etcdserverpb.Auth/AuthStatus", "UNIMPLEMENTED",
     "unknown method AuthStatus for service etcdserverpb.Auth"),
    ("/etcdserverpb.Maintenance/Downgrade", "UNIMPLEMENTED",
     "unknown method Downgrade for service etcdserverpb.Maintenance"),
    ("/etcdserverpb.KV/Range/x", "UNIMPLEMENTED", "unknown service etcdserverpb.KV/Range"),
    ("//", "UNIMPLEMENTED", "unknown service "),
    ("/", "RESOURCE_EXHAUSTED", 'malformed method name: "/"'),
])
@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "stream"])
def test_a_call_no_service_serves_is_refused_in_grpc_gos_words(grpc_address, path, code, text,
                                                                streaming):
    """grpc-go's Server.handleStream answers a method no registered service has, as etcd 3.4
    answered these paths (recorded): a known service's unknown method, an unknown service, a
    name without a slash (codes.ResourceExhausted, as grpc-go sends it)."""
    import grpc

    with grpc.insecure_channel(grpc_address) as channel:
        if streaming:
            call = lambda: list(channel.stream_stream(path)(iter([b""]), timeout=10))
        else:
            call = lambda: channel.unary_unary(path)(b"", timeout=10)
        with pytest.raises(grpc.RpcError) as caught:
            call()
    assert (caught.value.code().name, caught.value.details()) == (code, text)


def test_a_registered_method_named_without_its_slash_is_left_to_grpcio():
    """grpc-go serves "etcdserverpb.KV/Range" as the method it names; grpcio cannot route it,
    and the refusal must not call the method unknown."""
    from reference_impl.etcd.grpc_adapter import unknown_method_status

    assert unknown_method_status("etcdserverpb.KV/Range") is None
    assert unknown_method_status("etcdserverpb.KV/Nope")[1] == (
        "unknown method Nope for service etcdserverpb.KV")


def test_an_undefined_alarm_type_is_raised_listed_and_kept(grpc_address):
    """etcd 3.4 stores an AlarmMember whatever its alarm number: recorded, ACTIVATE of alarm 9
    for member 3 answered and listed {memberID: 3, alarm: 9}, Status's errors said
    "memberID:3 alarm:9 ", and DEACTIVATE cleared it. It travels in the `alarm` bucket as is."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc

    from reference_impl.etcd.backend import marshal_alarm_member, unmarshal_alarm_member
    from reference_impl.etcd.messages import AlarmMember

    alarm, undefined = rpc_pb2.AlarmRequest, 9
    with grpc.insecure_channel(grpc_address) as channel:
        maintenance = rpc_pb2_grpc.MaintenanceStub(channel)

        def send(action: int) -> list[tuple[int, int]]:
            resp = maintenance.Alarm(alarm(action=action, alarm=undefined, memberID=3), timeout=5)
            return [(a.memberID, a.alarm) for a in resp.alarms]

        assert send(alarm.ACTIVATE) == [(3, undefined)]
        assert send(alarm.GET) == [(3, undefined)]
        assert list(maintenance.Status(rpc_pb2.StatusRequest(), timeout=5).errors) == ["memberID:3 alarm:9 "]
        assert send(alarm.DEACTIVATE) == [(3, undefined)]
        assert send(alarm.GET) == []
        # an undefined action makes etcd 3.4 exit (its applier answers nil); the reference answers nothing
        assert send(UNDEFINED) == []
    member = AlarmMember(3, str(undefined))
    assert marshal_alarm_member(member) == b"\x08\x03\x10\x09"
    assert unmarshal_alarm_member(b"\x08\x03\x10\x09") == member


def _held_open(requests: list) -> Iterator:
    """`requests`, then a wait with the stream still open (no half-close)."""
    yield from requests
    time.sleep(3)


def _received_larger(size: int) -> str:
    return f"grpc: received message larger than max ({size} vs. 2097152)"


@pytest.mark.parametrize("value_bytes", [2 * 1024 * 1024 - 20, 2 * 1024 * 1024 - 5, 3 * 1024 * 1024])
def test_a_request_past_the_receive_limit_is_refused_in_grpc_gos_words(grpc_address, value_bytes):
    """grpc-go refuses a message over --max-request-bytes plus 512 KiB (2097152 bytes) before
    etcd sees it, in its own words (recorded from etcd 3.4: "grpc: received message larger than
    max (2097154 vs. 2097152)"; grpcio's begin "SERVER: Received"). Up to that limit the request
    reaches etcd, whose own size check refuses it."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc

    put = rpc_pb2.PutRequest(key=b"k", value=b"v" * value_bytes)
    with grpc.insecure_channel(grpc_address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            rpc_pb2_grpc.KVStub(channel).Put(put, timeout=10)
    assert (caught.value.code().name, caught.value.details()) == (
        ("INVALID_ARGUMENT", "etcdserver: request is too large") if put.ByteSize() <= 2097152
        else ("RESOURCE_EXHAUSTED", _received_larger(put.ByteSize())))


def test_a_stream_request_past_the_receive_limit_ends_the_stream(grpc_address):
    """grpc-go ends a stream whose next message is too large with that status: a watch create
    for a 3 MiB key ended etcd 3.4's Watch stream RESOURCE_EXHAUSTED, at once, after the watch
    created before it; a lease keep-alive stream ends the same way."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc

    key = b"w" * 3 * 1024 * 1024
    creates = [_create(b"small"), _create(key)]
    with grpc.insecure_channel(grpc_address) as channel:
        started = time.monotonic()
        answers = rpc_pb2_grpc.WatchStub(channel).Watch(_held_open(creates), timeout=10)
        received = []
        with pytest.raises(grpc.RpcError) as caught:
            for answer in answers:
                received.append((answer.watch_id, answer.created))
        assert time.monotonic() - started < 1.0
        keep_alive = channel.stream_stream("/etcdserverpb.Lease/LeaseKeepAlive",
                                           request_serializer=lambda data: data)
        # a LeaseKeepAliveRequest with a 3 MiB unknown field 15 (tag 0x7a, length 0x300000)
        unknown_field = b"\x7a\x80\x80\xc0\x01" + bytes(3 * 1024 * 1024)
        with pytest.raises(grpc.RpcError) as caught_lease:
            list(keep_alive(_held_open([unknown_field]), timeout=10))
    assert received == [(0, True)]
    size = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=key)).ByteSize()
    assert (caught.value.code().name, caught.value.details()) == ("RESOURCE_EXHAUSTED", _received_larger(size))
    assert (caught_lease.value.code().name, caught_lease.value.details()) == (
        "RESOURCE_EXHAUSTED", _received_larger(5 + 3 * 1024 * 1024))


def test_the_receive_limit_wraps_each_method_once_and_keeps_no_unknown_one():
    """grpcio asks the interceptor for a handler on every call: wrapping it anew each time cost
    ~9 µs a call; and a method that does not exist is not remembered, so that a client naming
    ever new ones cannot grow the server's memory."""
    import grpc

    from reference_impl.etcd.grpc_limits import ReceiveLimit

    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: request)
    refusal = grpc.stream_stream_rpc_method_handler(lambda requests, context: None)
    found = []

    def continuation(details):
        found.append(details.method)
        return {"/etcdserverpb.KV/Range": handler, "/x.Y/Z": None}.get(details.method, refusal)

    def call(method: str):
        return limit.intercept_service(continuation, type("Details", (), {"method": method}))

    limit = ReceiveLimit(100, lambda path: path == "/etcdserverpb.KV/Range")
    assert call("/etcdserverpb.KV/Range") is call("/etcdserverpb.KV/Range") is not handler
    assert call("/x.Y/Z") is None and call("/x.Y/Z") is None
    assert call("/evil.S/M") is refusal and call("/evil.S/M") is refusal  # passed through as it is
    assert found == ["/etcdserverpb.KV/Range", "/x.Y/Z", "/x.Y/Z", "/evil.S/M", "/evil.S/M"]
    assert list(limit._handlers) == ["/etcdserverpb.KV/Range"]


def _serve(core) -> tuple:
    """A gRPC server with every service etcd's serves (its own, health, lock, election) for `core`."""
    from reference_impl.etcd.grpc_adapter import WatchRouter, add_etcd_servicers, new_grpc_server
    from reference_impl.etcd.grpc_concurrency import add_concurrency_servicers

    grpc_server = new_grpc_server()
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    router = WatchRouter()
    streams = add_etcd_servicers(grpc_server, core, router)
    add_concurrency_servicers(grpc_server, core, router, streams)
    grpc_server.start()
    return grpc_server, f"127.0.0.1:{port}"


def _answer(call) -> str:
    import grpc
    try:
        call()
        return "OK"
    except grpc.RpcError as err:
        return f"{err.code().name}: {err.details()}"


def test_a_call_that_requires_a_leader_is_refused_at_once_without_one(tmp_path):
    """v3rpc's interceptors: with metadata "hasleader: true" (clientv3's WithRequireLeader) a
    member that knows no leader answers UNAVAILABLE "etcdserver: no leader" to unary calls,
    serializable reads too, and to new Watch and LeaseKeepAlive streams; without it a
    serializable read is served (recorded from a three-member etcd 3.4.23 cluster with two
    members down; the reference waited for a leader until the client's deadline)."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc
    from reference_impl.etcd.raftnode import parse_initial_cluster

    # the other member never starts: no leader is ever elected
    cluster = parse_initial_cluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2")
    member = ClusterMember(tmp_path, ManualClock(), name="a", initial_cluster=cluster,
                           listen_peer=None, election_ms=100, heartbeat_ms=10)
    grpc_server, address = _serve(member)
    need_leader = (("hasleader", "true"),)
    try:
        with grpc.insecure_channel(address) as channel:
            kv, lease = rpc_pb2_grpc.KVStub(channel), rpc_pb2_grpc.LeaseStub(channel)
            watch = rpc_pb2_grpc.WatchStub(channel)
            serializable = rpc_pb2.RangeRequest(key=b"k", serializable=True)
            create = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"k"))
            no_leader = "UNAVAILABLE: etcdserver: no leader"
            assert [_answer(call) for call in (
                lambda: kv.Range(rpc_pb2.RangeRequest(key=b"k"), metadata=need_leader, timeout=3),
                lambda: kv.Range(serializable, metadata=need_leader, timeout=3),
                lambda: list(watch.Watch(iter([create]), metadata=need_leader, timeout=3)),
                lambda: list(lease.LeaseKeepAlive(iter([rpc_pb2.LeaseKeepAliveRequest(ID=1)]),
                                                  metadata=need_leader, timeout=3)),
                lambda: kv.Range(serializable, metadata=(("hasleader", "false"),), timeout=3),
            )] == [no_leader] * 4 + ["OK"]
    finally:
        grpc_server.stop(None)
        member.close()


def test_a_stream_that_requires_a_leader_ends_after_three_checks_without_one():
    """monitorLeader: a member that has seen no leader at three checks in a row, one an election
    timeout, cancels the streams that require one ("etcdserver: no leader"; etcd 3.4.23 ended such a
    watch about 3.4 s after two of three members were killed, a watch without the key stayed);
    a leader seen again meanwhile starts the count anew."""
    from types import SimpleNamespace

    from reference_impl.etcd.grpc_adapter import LeaderLoss

    member = SimpleNamespace(leader=7, election_timeout=1.0)
    loss = LeaderLoss(member)
    assert not loss.lost(0.0)
    member.leader = 0
    assert [loss.lost(t) for t in (1.0, 2.5, 2.9)] == [False, False, False]
    member.leader = 7  # a new leader: the absence is over
    assert not loss.lost(3.0)
    member.leader = 0
    assert [loss.lost(t) for t in (4.5, 6.4, 6.5)] == [False, False, True]
    member.leader = 7
    assert loss.lost(8.0), "an ended stream stays ended"


class _EndedContext:
    """A servicer context whose call has ended (or, with ended=False, is live)."""

    def __init__(self, ended: bool) -> None:
        self.ended, self.callbacks = ended, []

    def add_callback(self, callback) -> bool:
        if not self.ended:
            self.callbacks.append(callback)
        return not self.ended

    def is_active(self) -> bool:
        return not self.ended


def _leader_monitors() -> set:
    import threading

    return {t for t in threading.enumerate() if t.name == "leader-monitor"}


def test_a_call_that_already_ended_gets_no_leader_monitor():
    """grpcio's add_callback returns False once the call is over and never runs the callback:
    the reference's monitor thread then polled every second until the member lost its leader."""
    from types import SimpleNamespace

    from reference_impl.etcd.grpc_adapter import LeaderBoundContext

    before = _leader_monitors()
    LeaderBoundContext(_EndedContext(ended=True), SimpleNamespace(leader=7, election_timeout=1.0))
    assert not _leader_monitors() - before


def test_a_callback_added_after_the_leader_loss_runs_at_once(monkeypatch):
    """A stream cancelled for "no leader" is done: a callback added afterwards runs, as
    context.AfterFunc runs at once on a Go context already done; the reference never ran it."""
    from types import SimpleNamespace

    from reference_impl.etcd import grpc_adapter

    monkeypatch.setattr(grpc_adapter, "STREAM_POLL", 0.005)
    bound = grpc_adapter.LeaderBoundContext(_EndedContext(ended=False),
                                            SimpleNamespace(leader=0, election_timeout=0.005))
    deadline = time.monotonic() + 5
    while bound.cancel_reason is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert bound.cancel_reason is not None and not bound.is_active()
    ran = []
    bound.add_callback(lambda: ran.append(True))
    assert ran == [True]


def test_a_learner_serves_only_status_and_serializable_reads():
    """v3rpc's interceptors: a learner answers Status and serializable Range calls and refuses
    every other call, streams included, UNAVAILABLE "etcdserver: rpc not supported for learner"
    (recorded from an etcd 3.4.23 learner: 12 calls; the reference's learner served them all)."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc

    learner = EtcdServer(ManualClock())
    learner.is_learner = True
    grpc_server, address = _serve(learner)
    try:
        with grpc.insecure_channel(address) as channel:
            kv, maintenance = rpc_pb2_grpc.KVStub(channel), rpc_pb2_grpc.MaintenanceStub(channel)
            cluster, watch = rpc_pb2_grpc.ClusterStub(channel), rpc_pb2_grpc.WatchStub(channel)
            create = rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(key=b"k"))
            refused = "UNAVAILABLE: etcdserver: rpc not supported for learner"
            assert [_answer(call) for call in (
                lambda: kv.Range(rpc_pb2.RangeRequest(key=b"k", serializable=True), timeout=3),
                lambda: maintenance.Status(rpc_pb2.StatusRequest(), timeout=3),
                lambda: kv.Range(rpc_pb2.RangeRequest(key=b"k"), timeout=3),
                lambda: kv.Put(rpc_pb2.PutRequest(key=b"k", value=b"v"), timeout=3),
                lambda: cluster.MemberList(rpc_pb2.MemberListRequest(), timeout=3),
                lambda: list(watch.Watch(iter([create]), timeout=3)),
            )] == ["OK", "OK"] + [refused] * 4
    finally:
        grpc_server.stop(None)


def _concurrency_calls(channel, metadata=()) -> list:
    from reference_impl.etcd import concurrencypb as pb

    def unary(path: str, request, response: type):
        return lambda: channel.unary_unary(path, request_serializer=type(request).SerializeToString,
                                           response_deserializer=response.FromString)(
            request, metadata=metadata, timeout=3)
    observe = channel.unary_stream(f"/{pb.ELECTION_SERVICE}/Observe",
                                   request_serializer=pb.LeaderRequest.SerializeToString,
                                   response_deserializer=pb.LeaderResponse.FromString)
    health = channel.unary_unary("/grpc.health.v1.Health/Check")
    return [
        unary(f"/{pb.LOCK_SERVICE}/Lock", pb.LockRequest(name=b"l"), pb.LockResponse),
        unary(f"/{pb.ELECTION_SERVICE}/Campaign", pb.CampaignRequest(name=b"e", value=b"v"),
              pb.CampaignResponse),
        unary(f"/{pb.ELECTION_SERVICE}/Leader", pb.LeaderRequest(name=b"e"), pb.LeaderResponse),
        lambda: next(iter(observe(pb.LeaderRequest(name=b"e"), metadata=metadata, timeout=3))),
        lambda: health(b"", metadata=metadata, timeout=3),
    ]


def test_a_learner_refuses_lock_election_and_health_calls_too():
    """etcd's interceptors guard its whole gRPC server: on a learner the v3lock, v3election and
    health services answer UNAVAILABLE "etcdserver: rpc not supported for learner" (3.4's
    isRPCSupportedForLearner allows only Status and serializable Range; the reference's learner
    served these)."""
    import grpc

    learner = EtcdServer(ManualClock())
    learner.is_learner = True
    grpc_server, address = _serve(learner)
    try:
        with grpc.insecure_channel(address) as channel:
            assert [_answer(call) for call in _concurrency_calls(channel)] == [
                "UNAVAILABLE: etcdserver: rpc not supported for learner"] * 5
    finally:
        grpc_server.stop(None)


def test_only_the_first_hasleader_value_is_read(tmp_path):
    """etcd's interceptors read md["hasleader"][0] == "true": a call whose first value is
    another one is served without a leader, one whose first is "true" is refused; the lock,
    election and health services check it too (the reference took "true" anywhere, and did not
    check those services)."""
    import grpc
    from aetcd.rpc import rpc_pb2_grpc
    from reference_impl.etcd.raftnode import parse_initial_cluster

    cluster = parse_initial_cluster("a=http://127.0.0.1:1,b=http://127.0.0.1:2")
    member = ClusterMember(tmp_path, ManualClock(), name="a", initial_cluster=cluster,
                           listen_peer=None, election_ms=100, heartbeat_ms=10)
    grpc_server, address = _serve(member)
    serializable = rpc_pb2.RangeRequest(key=b"k", serializable=True)
    no_leader = "UNAVAILABLE: etcdserver: no leader"
    try:
        with grpc.insecure_channel(address) as channel:
            kv = rpc_pb2_grpc.KVStub(channel)
            assert [_answer(call) for call in (
                lambda: kv.Range(serializable, metadata=(("hasleader", "1"), ("hasleader", "true")),
                                 timeout=3),
                lambda: kv.Range(serializable, metadata=(("hasleader", "true"), ("hasleader", "1")),
                                 timeout=3),
            )] == ["OK", no_leader]
            need_leader = (("hasleader", "true"),)
            assert [_answer(call) for call in _concurrency_calls(channel, need_leader)] == [no_leader] * 5
    finally:
        grpc_server.stop(None)
        member.close()


def test_a_keep_alive_stream_that_requires_a_leader_ends_when_it_is_lost(monkeypatch):
    """monitorLeader cancels every stream that carries hasleader, LeaseKeepAlive too: after three
    checks without a leader the stream ends UNAVAILABLE "etcdserver: no leader" while the client
    still holds it open; a keep-alive without hasleader goes on (the reference ended only
    watches)."""
    import queue
    import threading

    import grpc
    from aetcd.rpc import rpc_pb2_grpc
    from reference_impl.etcd import grpc_adapter
    from reference_impl.etcd.messages import LeaseGrantRequest

    class LosesItsLeader(EtcdServer):
        leader = 1  # a plain attribute, that the test clears
        election_timeout = 0.05

    monkeypatch.setattr(grpc_adapter, "STREAM_POLL", 0.02)
    core = LosesItsLeader(ManualClock())
    lease = core.lease_grant(LeaseGrantRequest(60, 5)).id
    grpc_server, address = _serve(core)

    def keep_alive(stub, metadata, results: queue.Queue):
        requests: queue.Queue = queue.Queue()
        requests.put(rpc_pb2.LeaseKeepAliveRequest(ID=lease))
        answers = stub.LeaseKeepAlive(iter(requests.get, None), metadata=metadata, timeout=5)
        results.put(next(answers).TTL)
        results.put(_answer(lambda: next(answers)))
        requests.put(None)
    try:
        with grpc.insecure_channel(address) as channel:
            stub = rpc_pb2_grpc.LeaseStub(channel)
            with_leader = queue.Queue()
            threading.Thread(target=keep_alive, args=(stub, (("hasleader", "true"),), with_leader),
                             daemon=True).start()
            plain = stub.LeaseKeepAlive(iter([rpc_pb2.LeaseKeepAliveRequest(ID=lease)] * 2), timeout=5)
            assert with_leader.get(timeout=5) == 60 and next(plain).TTL == 60
            core.leader = 0
            assert with_leader.get(timeout=5) == "UNAVAILABLE: etcdserver: no leader"
            assert next(plain).TTL == 60
    finally:
        grpc_server.stop(None)


def test_observe_and_health_watch_that_require_a_leader_end_when_it_is_lost(monkeypatch):
    """etcd's stream interceptor cancels every stream that carries hasleader once monitorLeader
    gives up on the leader, whatever its service: Election.Observe then answers its context's
    error, the kept reason UNAVAILABLE "etcdserver: no leader", and grpc-go's Health.Watch its
    own CANCELLED "Stream has ended." (etcd 3.4.23, a follower whose two peers were killed:
    both ended 3 s later, the same streams without hasleader stayed); the reference kept both
    open."""
    import grpc

    from reference_impl.etcd import concurrencypb as pb
    from reference_impl.etcd import grpc_adapter, grpc_concurrency
    from reference_impl.etcd.messages import PutRequest

    class LosesItsLeader(EtcdServer):
        leader = 1  # a plain attribute, that the test clears
        election_timeout = 0.05

    monkeypatch.setattr(grpc_adapter, "STREAM_POLL", 0.02)
    monkeypatch.setattr(grpc_concurrency, "WAIT_POLL", 0.02)
    core = LosesItsLeader(ManualClock())
    core.put(PutRequest(b"e/1", b"v"))
    grpc_server, address = _serve(core)
    need_leader = (("hasleader", "true"),)
    try:
        with grpc.insecure_channel(address) as channel:
            observe = channel.unary_stream(f"/{pb.ELECTION_SERVICE}/Observe",
                                           request_serializer=pb.LeaderRequest.SerializeToString,
                                           response_deserializer=pb.LeaderResponse.FromString)
            health = channel.unary_stream("/grpc.health.v1.Health/Watch")
            streams = [observe(pb.LeaderRequest(name=b"e"), metadata=need_leader, timeout=5),
                       health(b"", metadata=need_leader, timeout=5),
                       observe(pb.LeaderRequest(name=b"e"), timeout=5), health(b"", timeout=5)]
            assert [_answer(lambda s=s: next(s)) for s in streams] == ["OK"] * 4
            core.leader = 0
            assert [_answer(lambda s=s: next(s)) for s in streams[:2]] == [
                "UNAVAILABLE: etcdserver: no leader", "CANCELLED: Stream has ended."]
            assert all(s.is_active() for s in streams[2:])
    finally:
        grpc_server.stop(None)


def test_of_two_token_values_the_first_is_the_token():
    """AuthInfoFromCtx reads md["token"][0] (else md["authorization"][0]): etcd 3.4.23 served a
    range sent with a valid token then a bad one, and refused the reverse order "invalid auth
    token"; the reference took the last value."""
    from types import SimpleNamespace

    from reference_impl.etcd.grpc_adapter import token_of

    def call(*metadata):
        return SimpleNamespace(invocation_metadata=lambda: metadata)
    assert token_of(call(("token", "good"), ("token", "bad"))) == "good"
    assert token_of(call(("authorization", "a"), ("token", "t"), ("token", "u"))) == "t"
    assert token_of(call(("authorization", "a"), ("authorization", "b"))) == "a"
    assert token_of(call(("hasleader", "true"))) is None
