"""The gRPC health service (grpc.health.v1.Health) on the client port, side by side: each test
runs against real etcd 3.4 and against the reference, with the same expected answers."""
from __future__ import annotations

import grpc
import pytest
from google.protobuf.message import DecodeError

from processes import real_etcd, reference_server
from reference_impl.etcd.grpc_health import (
    NOT_SERVING, SERVICE_UNKNOWN, SERVING, UNKNOWN, read_health_check_request,
    write_health_check_response)


@pytest.fixture(scope="module", params=["etcd", "reference"])
def server(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp(request.param) / "member"
    start = real_etcd if request.param == "etcd" else reference_server
    with start(data_dir) as running:
        yield running


def request(service: str) -> bytes:
    """A marshalled HealthCheckRequest{service}."""
    return b"\x0a" + bytes([len(service)]) + service.encode() if service else b""


def check(channel, service: str) -> bytes:
    return channel.unary_unary("/grpc.health.v1.Health/Check")(request(service), timeout=10)


def test_grpc_health_check_says_etcd_is_serving(server):
    with grpc.insecure_channel(server.address) as channel:
        assert check(channel, "") == b"\x08\x01"  # HealthCheckResponse{status: SERVING}


def test_grpc_health_check_of_another_service_is_not_found(server):
    with grpc.insecure_channel(server.address) as channel, pytest.raises(grpc.RpcError) as err:
        check(channel, "etcdserverpb.KV")
    assert (err.value.code(), err.value.details()) == (grpc.StatusCode.NOT_FOUND, "unknown service")


@pytest.mark.parametrize("service, status", [("", b"\x08\x01"), ("nope", b"\x08\x03")])
def test_grpc_health_watch_sends_the_status_now(server, service, status):
    """SERVING for etcd (""), SERVICE_UNKNOWN for any other name, then nothing until cancelled."""
    with grpc.insecure_channel(server.address) as channel:
        stream = channel.unary_stream("/grpc.health.v1.Health/Watch")(request(service), timeout=10)
        try:
            assert next(stream) == status
        finally:
            stream.cancel()


@pytest.mark.parametrize("data, service", [
    (b"", ""), (b"\x0a\x03abc", "abc"),
    (b"\x10\x05\x0a\x01x\x1d\x00\x00\x00\x00", "x"),  # unknown varint and fixed32 fields
])
def test_a_health_check_request_is_read_as_protobuf_reads_it(data, service):
    assert read_health_check_request(data) == service


@pytest.mark.parametrize("data", [b"\x0a\x05ab", b"\x0a", b"\x0b"])
def test_a_malformed_health_check_request_is_a_decode_error(data):
    with pytest.raises(DecodeError):
        read_health_check_request(data)


def protobuf_health_messages():
    """HealthCheckRequest and HealthCheckResponse built by protobuf itself from their fields (the
    status enum as int32, which protobuf writes the same way)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="health_test.proto", package="health.test",
                                               syntax="proto3")
    proto.message_type.add(name="HealthCheckRequest").field.add(
        name="service", number=1, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    proto.message_type.add(name="HealthCheckResponse").field.add(
        name="status", number=1, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return tuple(message_factory.GetMessageClass(pool.FindMessageTypeByName(f"health.test.{name}"))
                 for name in ("HealthCheckRequest", "HealthCheckResponse"))


@pytest.mark.parametrize("status", [UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN])
def test_a_health_check_response_is_written_as_protobuf_writes_it(status):
    _, response = protobuf_health_messages()
    assert write_health_check_response(status) == response(status=status).SerializeToString()


def test_a_request_protobuf_writes_is_read_back():
    request_type, _ = protobuf_health_messages()
    data = request_type(service="etcdserverpb.KV").SerializeToString()
    assert read_health_check_request(data) == "etcdserverpb.KV"
