"""What benchmarks/scheduler_throughput.py reads of etcd's group commit (the proposals it committed
per WAL fsync) and of its round trips (the unary calls it started), from its /metrics, found where
the reference or a real etcd serves them."""
from __future__ import annotations

import http.server
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from scheduler_throughput import etcd_calls, etcd_counters, etcd_metrics_url, per_pod, proposals_per_fsync  # noqa: E402

from reference_impl.cluster import Process  # noqa: E402

METRICS = (b"# TYPE etcd_disk_wal_fsync_duration_seconds histogram\n"
           b'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 3\n'
           b"etcd_disk_wal_fsync_duration_seconds_count 40\n"
           b"etcd_disk_wal_fsync_duration_seconds_sum 0.5\n"
           b"etcd_server_proposals_committed_total 130\n"
           b"etcd_server_proposals_applied_total 130\n")


def counters_served(body: bytes) -> dict:
    """What etcd_counters reads from a server that answers one GET /metrics with `body`."""

    class Metrics(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/metrics" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Metrics)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        return etcd_counters(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.server_close()


def test_the_reference_etcd_metrics_are_found_on_the_http_port_its_ready_line_names(tmp_path):
    """The reference etcd serves gRPC alone on its client port in the benchmark; /metrics is on the
    HTTP port its ready line names. A real etcd serves it on its client URL."""
    log = tmp_path / "etcd.log"
    log.write_text("ready: reference etcd serving the v3 API on http://127.0.0.1:4001 (gRPC only), "
                   "HTTP on http://127.0.0.1:4002\n")
    assert etcd_metrics_url(Process("etcd", 1, ("python3", "-m", "reference_impl.etcd.run"), str(log))) \
        == "http://127.0.0.1:4002"
    real = Process("etcd", 1, ("/usr/bin/etcd", "--name=default", "--listen-client-urls=http://127.0.0.1:5001",
                               "--advertise-client-urls=http://127.0.0.1:5001"), str(tmp_path / "none.log"))
    assert etcd_metrics_url(real) == "http://127.0.0.1:5001"


def test_proposals_per_fsync_is_what_both_counters_moved_between_two_readings():
    """130 proposals committed over 40 fsyncs before, 430 over 100 after: 300 / 60 = 5 shared each."""
    before = counters_served(METRICS)
    assert before == {"etcd_disk_wal_fsync_duration_seconds_count": 40.0,
                      "etcd_server_proposals_committed_total": 130.0}
    after = {"etcd_disk_wal_fsync_duration_seconds_count": 100.0, "etcd_server_proposals_committed_total": 430.0}
    assert proposals_per_fsync(before, after) == 5.0
    assert proposals_per_fsync({}, after) is None  # unreadable before: no figure rather than a wrong one
    assert proposals_per_fsync(before, before) is None  # no fsync between: nothing to divide


def test_a_metrics_answer_cut_short_reads_as_no_figure_rather_than_ending_the_run():
    """An etcd that stops while it answers /metrics sends fewer bytes than its Content-Length:
    urllib raises http.client.IncompleteRead, an HTTPException and no OSError, which ended the
    benchmark's run; it reads as no figure, as a refused connection does."""

    class CutShort(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(METRICS) + 100))
            self.end_headers()
            self.wfile.write(METRICS)
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), CutShort)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        assert etcd_counters(f"http://127.0.0.1:{server.server_port}") == {}
    finally:
        server.server_close()


CALLS = (b"# TYPE grpc_server_started_total counter\n"
         b'grpc_server_started_total{grpc_method="Txn",grpc_service="etcdserverpb.KV",grpc_type="unary"} 30\n'
         b'grpc_server_started_total{grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 0\n'
         b'grpc_server_started_total{grpc_method="LeaseGrant",grpc_service="etcdserverpb.Lease",grpc_type="unary"} 2\n'
         b'grpc_server_started_total{grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 1\n')


def test_etcd_calls_are_its_unary_calls_started_by_method():
    """etcd's grpc_server_started_total (as real etcd 3.4 and the reference serve it) gives the
    round trips a pod costs, by method; a stream is no round trip, a method never called no row."""
    before = counters_served(METRICS + CALLS)
    assert etcd_calls(before) == {"etcd gRPC KV/Txn": 30.0, "etcd gRPC Lease/LeaseGrant": 2.0}
    assert proposals_per_fsync(before, {**before, "etcd_disk_wal_fsync_duration_seconds_count": 41.0,
                                        "etcd_server_proposals_committed_total": 133.0}) == 3.0
    after = {"etcd gRPC KV/Txn": 60.0, "etcd gRPC KV/Range": 1.0, "etcd gRPC Lease/LeaseGrant": 2.0}
    assert per_pod(etcd_calls(before), after, 10) == {"etcd gRPC KV/Range": 0.1, "etcd gRPC KV/Txn": 3.0}
