"""What the gRPC server counts of its calls for /metrics, as etcd 3.4.23 counted the same calls
(probed side by side over gRPC, its /metrics scraped after): the codec's bytes each way, the
calls per client API version, and go-grpc-prometheus's started, handled (by code), received and
sent counts per method, every method set out at zero from the start."""
from __future__ import annotations

import grpc
import pytest
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from reference_impl.etcd import EtcdServer
from reference_impl.etcd.grpc_adapter import add_etcd_servicers, new_grpc_server
from reference_impl.etcd.grpc_metrics import GrpcMetrics
from reference_impl.machinery.clock import ManualClock

KV = ("etcdserverpb.KV", "unary")


@pytest.fixture(scope="module")
def counted():
    """A server of its own counters, after the calls every test here reads."""
    metrics = GrpcMetrics()
    grpc_server = new_grpc_server(metrics=metrics)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    add_etcd_servicers(grpc_server, EtcdServer(ManualClock()), metrics=metrics)
    grpc_server.start()
    sizes = {"received": 0, "sent": 0}

    def sent(*requests):
        sizes["received"] += sum(request.ByteSize() for request in requests)
        return requests

    def answered(*responses):
        sizes["sent"] += sum(response.ByteSize() for response in responses)
        return responses

    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            kv, lease = rpc_pb2_grpc.KVStub(channel), rpc_pb2_grpc.LeaseStub(channel)
            for i in range(3):
                answered(kv.Put(*sent(rpc_pb2.PutRequest(key=b"k%d" % i, value=b"v" * 100)), timeout=5))
            with pytest.raises(grpc.RpcError):
                kv.Range(*sent(rpc_pb2.RangeRequest(key=b"k", revision=100)), timeout=5)
            granted, = answered(lease.LeaseGrant(*sent(rpc_pb2.LeaseGrantRequest(TTL=60)), timeout=5))
            renewals = sent(*[rpc_pb2.LeaseKeepAliveRequest(ID=granted.ID)] * 2)
            answered(*lease.LeaseKeepAlive(iter(renewals), timeout=5))
            watch = rpc_pb2_grpc.WatchStub(channel).Watch(iter(sent(rpc_pb2.WatchRequest(
                create_request=rpc_pb2.WatchCreateRequest(key=b"k0", start_revision=1)))), timeout=5)
            responses = answered(*[response for _, response in zip(range(2), watch)])
            assert [response.created for response in responses] == [True, False]
            watch.cancel()
            answered(kv.Range(*sent(rpc_pb2.RangeRequest(key=b"k0")),
                              metadata=(("client-api-version", "3.4"),), timeout=5))
            for n in range(3):  # methods no server has: refused before any interceptor
                with pytest.raises(grpc.RpcError) as refused:
                    channel.unary_unary(f"/evil.Service{n}/M{n}")(b"x" * 10, timeout=5)
                assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        grpc_server.stop(None).wait(5)
    return metrics, sizes


def test_the_codec_counts_each_message_it_reads_and_writes(counted):
    """etcd_network_client_grpc_received_bytes_total and _sent_bytes_total: every request and
    response, unary and streamed, at its marshalled size (etcd's codec)."""
    metrics, sizes = counted
    assert (metrics.received_bytes.value(), metrics.sent_bytes.value()) == (sizes["received"], sizes["sent"])


def test_each_call_is_started_and_handled_with_its_code(counted):
    metrics, _ = counted
    assert metrics.started.value("Put", *KV) == 3
    assert metrics.handled.value("Put", *KV, "OK") == 3
    assert metrics.handled.value("Range", *KV, "OutOfRange") == 1
    assert metrics.started.value("Range", *KV) == 2
    assert (metrics.msg_received.value("Put", *KV), metrics.msg_sent.value("Put", *KV)) == (3, 3)
    assert metrics.msg_sent.value("Range", *KV) == 1  # a refused call sends nothing


def test_a_stream_counts_each_message_and_a_cancelled_watch_is_canceled(counted):
    """etcd 3.4.23: a keep-alive stream of two requests the client closes is handled OK with two
    messages each way; a watch the client cancels is handled Canceled."""
    metrics, _ = counted
    keep_alive = ("LeaseKeepAlive", "etcdserverpb.Lease", "bidi_stream")
    assert (metrics.msg_received.value(*keep_alive), metrics.msg_sent.value(*keep_alive)) == (2, 2)
    assert metrics.handled.value(*keep_alive, "OK") == 1
    watch = ("Watch", "etcdserverpb.Watch", "bidi_stream")
    assert (metrics.handled.value(*watch, "Canceled"), metrics.handled.value(*watch, "OK")) == (1, 0)


def test_client_requests_are_counted_by_type_and_client_api_version(counted):
    metrics, _ = counted
    assert metrics.client_requests.value("unary", "unknown") == 5
    assert metrics.client_requests.value("unary", "3.4") == 1
    assert metrics.client_requests.value("stream", "unknown") == 2


def test_every_method_is_set_out_at_zero_for_every_code(counted):
    """etcd 3.4.23 serves 41 methods (its six services and health) times 17 codes of
    grpc_server_handled_total before any call, and started, received and sent at 0 for each."""
    metrics, _ = counted
    text = metrics.handled.text()
    assert text.count("\ngrpc_server_handled_total{") == 41 * 17
    assert ('grpc_server_handled_total{grpc_code="Aborted",grpc_method="Alarm",'
            'grpc_service="etcdserverpb.Maintenance",grpc_type="unary"} 0\n') in text
    started = metrics.started.text()
    assert started.count("\ngrpc_server_started_total{") == 41
    assert ('grpc_server_started_total{grpc_method="Snapshot",grpc_service="etcdserverpb.Maintenance",'
            'grpc_type="server_stream"} 0\n') in started
    assert ('grpc_server_started_total{grpc_method="Watch",grpc_service="grpc.health.v1.Health",'
            'grpc_type="server_stream"} 0\n') in started


def test_a_call_of_a_method_no_server_has_is_not_counted(counted):
    """grpc-go refuses it before any interceptor or codec runs: no series under the names a
    client chose, no call, no bytes (the reference added two series per name called)."""
    metrics, _ = counted
    assert not any("evil." in family.text() for family in metrics.families())
