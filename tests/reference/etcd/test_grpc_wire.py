"""gRPC input refused or taken before etcd's handlers run, as etcd 3.4.23 answered the same raw
calls side by side with the reference: bytes gogo's Unmarshal refuses, large metadata,
compressed messages."""
from __future__ import annotations

import grpc
import pytest
from aetcd.rpc import rpc_pb2

from reference_impl.etcd import EtcdServer
from reference_impl.etcd import concurrencypb as pb
from reference_impl.etcd.gogowire import unmarshal_error
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.protowire import encode_varint

RANGE, PUT, UNLOCK = rpc_pb2.RangeRequest, rpc_pb2.PutRequest, pb.UnlockRequest


@pytest.mark.parametrize("request_type, data, error", [
    (RANGE, b"\xff", "unexpected EOF"),
    (RANGE, b"\x0a\x05ab", "unexpected EOF"),
    (RANGE, b"\x0a\x03foo\x10", "proto: wrong wireType = 0 for field RangeEnd"),
    (PUT, b"\x0a\x03foo\x10", "proto: wrong wireType = 0 for field Value"),
    (UNLOCK, b"\x0a\x03foo\x10", "unexpected EOF"),  # field 2 is unknown: skipped, cut short
    (UNLOCK, b"\x08\x01", "proto: wrong wireType = 0 for field Key"),
    (PUT, b"\x0f", "proto: wrong wireType = 7 for field Key"),
    (RANGE, b"\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", "proto: integer overflow"),
    (RANGE, b"\x0a\x03foo\x98\x01\x01", None),  # unknown field 19, skipped
    (RANGE, b"\x0a\x03foo\x12\x00\x12\x00", None),
])
def test_bytes_are_refused_as_gogos_unmarshal_refuses_them(request_type, data, error):
    """The generated Unmarshal methods: a known field with another wire type is an error (the
    Python decoder kept it as unknown), an unknown one is skipped by skipRpc (recorded)."""
    assert unmarshal_error(request_type.DESCRIPTOR, data) == error


def test_a_nested_message_is_read_before_the_fields_after_it():
    """A TxnRequest's compare (field 1) is unmarshalled where it comes: its error, not the bad
    success op after it, is the one returned."""
    data = b"\x0a\x02\x18\x01" + b"\x10\x01"  # a compare whose key is a varint; success too
    assert unmarshal_error(rpc_pb2.TxnRequest.DESCRIPTOR, data) == \
        "proto: wrong wireType = 0 for field Key"


def test_a_txn_nested_a_thousand_levels_is_walked_without_recursion():
    data = b"\x08\x01"  # an op whose request_range is a varint: refused at the bottom
    for _ in range(1000):
        op = b"\x22" + encode_varint(len(data)) + data  # RequestOp.request_txn
        data = b"\x12" + encode_varint(len(op)) + op  # TxnRequest.success
    assert unmarshal_error(rpc_pb2.TxnRequest.DESCRIPTOR, data) == \
        "proto: wrong wireType = 0 for field Compare"


@pytest.fixture(scope="module")
def channel():
    from reference_impl.etcd.grpc_adapter import add_etcd_servicers, new_grpc_server

    grpc_server = new_grpc_server()
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    add_etcd_servicers(grpc_server, EtcdServer(ManualClock()))
    grpc_server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as opened:
        yield opened
    grpc_server.stop(None)


def _raw(channel, path: str, data: bytes, streaming: bool = False, **options):
    if streaming:
        call = channel.stream_stream(path)
        return list(call(iter([data]), timeout=10, **options))
    return channel.unary_unary(path)(data, timeout=10, **options)


@pytest.mark.parametrize("path, streaming, text", [
    ("/etcdserverpb.KV/Range", False,
     "grpc: error unmarshalling request: proto: wrong wireType = 0 for field Key"),
    ("/etcdserverpb.KV/Txn", False,
     "grpc: error unmarshalling request: proto: wrong wireType = 0 for field Compare"),
    ("/etcdserverpb.Watch/Watch", True,
     "grpc: failed to unmarshal the received message proto: wrong wireType = 0 for field CreateRequest"),
])
def test_an_undecodable_request_is_internal_in_grpc_gos_words(channel, path, streaming, text):
    """processUnaryRPC's words for a unary call, recv's for a stream's request (recorded: the
    bytes 08 01 sent to each); grpcio said "Exception deserializing request!", and took 08 01
    for a Range with no key."""
    with pytest.raises(grpc.RpcError) as caught:
        _raw(channel, path, b"\x08\x01", streaming)
    assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.INTERNAL, text)


def test_metadata_past_grpcios_16_kib_is_taken(channel):
    """grpc-go's server takes 16 MiB of headers: etcd 3.4 answered a Range carrying a 20,000
    byte metadata value; grpcio refused it RESOURCE_EXHAUSTED."""
    answer = _raw(channel, "/etcdserverpb.KV/Range", b"\x0a\x01a", metadata=(("x-big", "y" * 20000),))
    assert rpc_pb2.RangeResponse.FromString(answer).count == 0


def test_a_compressed_request_is_unimplemented(channel):
    """etcd 3.4 registers no decompressor: a gzip request is UNIMPLEMENTED ('grpc: Decompressor
    is not installed for grpc-encoding "gzip"'; grpcio's words differ). grpcio took it."""
    with pytest.raises(grpc.RpcError) as caught:
        _raw(channel, "/etcdserverpb.KV/Range", b"\x0a\x01a", compression=grpc.Compression.Gzip)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def _field(number: int, value: bytes) -> bytes:
    return bytes([number << 3 | 2, len(value)]) + value


@pytest.mark.parametrize("kind", ["reference", "etcd"])
def test_names_and_passwords_that_are_not_utf8_are_taken_as_bytes(tmp_path, kind):
    """gogo's Unmarshal checks no string for UTF-8: etcd 3.4 adds a user whose name and password
    are Latin-1, lists the name byte for byte (also after a restart) and lets it authenticate.
    grpcio refused such a request ("Exception deserializing request!")."""
    from processes import real_etcd, reference_server
    from reference_impl.etcd.gogostrings import lenient_class

    name, password = b"r\xf6ot", b"p\xe4ss"
    start = {"reference": reference_server, "etcd": real_etcd}[kind]

    def users(channel) -> list[bytes]:
        answer = _raw(channel, "/etcdserverpb.Auth/UserList", b"")
        return list(lenient_class(rpc_pb2.AuthUserListResponse).FromString(answer).users)

    with start(tmp_path / kind) as server, grpc.insecure_channel(server.address) as channel:
        _raw(channel, "/etcdserverpb.Auth/UserAdd", _field(1, name) + _field(2, password))
        _raw(channel, "/etcdserverpb.Auth/RoleAdd", _field(1, b"r\xf6le"))
        _raw(channel, "/etcdserverpb.Auth/UserGrantRole", _field(1, name) + _field(2, b"r\xf6le"))
        assert users(channel) == [name]
        user = lenient_class(rpc_pb2.AuthUserGetResponse).FromString(
            _raw(channel, "/etcdserverpb.Auth/UserGet", _field(1, name)))
        assert list(user.roles) == [b"r\xf6le"]
    with start(tmp_path / kind) as server, grpc.insecure_channel(server.address) as channel:
        assert users(channel) == [name]
        _raw(channel, "/etcdserverpb.Auth/UserAdd", _field(1, b"root") + _field(2, b"pw"))
        _raw(channel, "/etcdserverpb.Auth/UserGrantRole", _field(1, b"root") + _field(2, b"root"))
        _raw(channel, "/etcdserverpb.Auth/AuthEnable", b"")
        token = rpc_pb2.AuthenticateResponse.FromString(_raw(
            channel, "/etcdserverpb.Auth/Authenticate", _field(1, name) + _field(2, password))).token
        assert token
        with pytest.raises(grpc.RpcError) as caught:
            _raw(channel, "/etcdserverpb.Auth/Authenticate", _field(1, name) + _field(2, b"p\xe4sS"))
        assert caught.value.details() == "etcdserver: authentication failed, invalid user ID or password"


def test_answers_keep_every_field_and_every_empty_nested_message():
    """A write's and a watch's answers, built from nested dicts, hold what protobuf's own
    reading of the same content builds, field for field and byte for byte: an all-zero header
    or a nested txn with nothing in it is still sent (as etcd's gogo encoder sends a non-nil
    message), and a put answer without prev_kv has none."""
    from google.protobuf.json_format import ParseDict

    from reference_impl.etcd import messages as m
    from reference_impl.etcd.grpc_adapter import txn_response_pb, watch_response_pb

    kv = m.KeyValue(b"k", b"v", 2, 3, 2, 7)
    zero = m.ResponseHeader()
    txn = m.TxnResponse(m.ResponseHeader(1, 2, 3, 4), True, (
        m.ResponseOp(m.PutResponse(m.ResponseHeader(revision=3), kv)),
        m.ResponseOp(m.PutResponse(zero)),
        m.ResponseOp(m.RangeResponse(m.ResponseHeader(revision=3), (kv, kv), True, 5)),
        m.ResponseOp(m.DeleteRangeResponse(zero, 1, (kv,))),
        m.ResponseOp(m.TxnResponse(zero))))
    kv_dict = {"key": "aw==", "value": "dg==", "createRevision": "2", "modRevision": "3",
               "version": "2", "lease": "7"}
    assert txn_response_pb(txn).SerializeToString() == ParseDict({
        "header": {"clusterId": "1", "memberId": "2", "revision": "3", "raftTerm": "4"},
        "succeeded": True,
        "responses": [{"responsePut": {"header": {"revision": "3"}, "prevKv": kv_dict}},
                      {"responsePut": {"header": {}}},
                      {"responseRange": {"header": {"revision": "3"}, "kvs": [kv_dict, kv_dict],
                                         "more": True, "count": "5"}},
                      {"responseDeleteRange": {"header": {}, "deleted": "1", "prevKvs": [kv_dict]}},
                      {"responseTxn": {"header": {}}}]}, rpc_pb2.TxnResponse()).SerializeToString()
    watch = m.WatchResponse(zero, 9, events=(m.Event("PUT", kv, kv), m.Event("DELETE", kv)))
    assert watch_response_pb(watch, 4).SerializeToString() == ParseDict({
        "header": {}, "watchId": "4",
        "events": [{"kv": kv_dict, "prevKv": kv_dict}, {"type": "DELETE", "kv": kv_dict}]},
        rpc_pb2.WatchResponse()).SerializeToString()
