"""etcd's HTTP listener for probes and monitoring (--listen-metrics-urls), side by side: every
test that takes `server` runs against real etcd 3.4 and against the reference, with the same
expected answers, written from what etcd 3.4 says.
"""
from __future__ import annotations

import contextlib
import gzip
import http.client
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from processes import (
    ROOT, START_TIMEOUT, etcdctl, free_port, real_etcd, reference_server, require, stop_process)
from tests.reference.machinery.test_machinery_runtime_metrics import GC_FAMILIES, GO_FAMILIES, PROCESS_FAMILIES

PLAIN = "text/plain; charset=utf-8"
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Each family the reference exposes, with etcd 3.4's own HELP and TYPE lines.
FAMILIES = {
    "etcd_debugging_mvcc_keys_total": ("Total number of keys.", "gauge"),
    "etcd_disk_wal_fsync_duration_seconds": ("The latency distributions of fsync called by WAL.",
                                             "histogram"),
    "etcd_mvcc_db_total_size_in_bytes": ("Total size of the underlying database physically "
                                         "allocated in bytes.", "gauge"),
    "etcd_server_has_leader": ("Whether or not a leader exists. 1 is existence, 0 is not.", "gauge"),
    "etcd_server_health_failures": ("The total number of failed health checks", "counter"),
    "etcd_server_health_success": ("The total number of successful health checks", "counter"),
    "etcd_server_is_leader": ("Whether or not this member is a leader. 1 if is, 0 otherwise.",
                              "gauge"),
    "etcd_server_leader_changes_seen_total": ("The number of leader changes seen.", "counter"),
    "etcd_server_proposals_applied_total": ("The total number of consensus proposals applied.",
                                            "gauge"),
    "etcd_server_proposals_committed_total": ("The total number of consensus proposals committed.",
                                              "gauge"),
    "etcd_server_version": ("Which version is running. 1 for 'server_version' label with current "
                            "version.", "gauge"),
}
# client_golang's Go and process collectors, which the reference measures for itself (etcd 3.4's
# writes no GC CPU fraction).
FAMILIES.update(GO_FAMILIES, **PROCESS_FAMILIES, **{name: family for name, family in GC_FAMILIES.items()
                                                   if name != "go_memstats_gc_cpu_fraction"})


@pytest.fixture(scope="module", params=["etcd", "reference"])
def server(request, tmp_path_factory):
    """(server, metrics port): real etcd 3.4 or the reference, with one metrics listener."""
    port = free_port()
    flags = ("--listen-metrics-urls", f"http://127.0.0.1:{port}")
    data_dir = tmp_path_factory.mktemp(request.param) / "member"
    start = real_etcd if request.param == "etcd" else reference_server
    with start(data_dir, *flags) as running:
        yield running, port


def get(port: int, path: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) of one HTTP request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def metric_values(port: int) -> dict[str, str]:
    """Each sample line of /metrics: `name{labels}` -> value."""
    _, _, body = get(port, "/metrics")
    return dict(line.rsplit(" ", 1) for line in body.decode().splitlines()
                if line and not line.startswith("#"))


def test_health_of_a_member_with_a_leader_is_true(server):
    _, port = server
    status, headers, body = get(port, "/health")
    assert (status, body, headers["Content-Type"]) == (200, b'{"health":"true"}', PLAIN)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD"])
def test_health_answers_only_get(server, method):
    """etcdhttp's health handler: 405 with Allow: GET and Go's http.Error text."""
    _, port = server
    status, headers, body = get(port, "/health", method)
    assert status == 405
    assert (headers["Allow"], headers["Content-Type"], headers["X-Content-Type-Options"]) == (
        "GET", PLAIN, "nosniff")
    assert body == (b"" if method == "HEAD" else b"Method Not Allowed\n")


@pytest.mark.parametrize("path", ["/version", "/", "/health/", "/metrics/x", "/v3/kv/range"])
def test_paths_the_metrics_mux_does_not_register_are_404(server, path):
    """etcd 3.4 registers only /metrics and /health on a metrics listener (not /version)."""
    _, port = server
    status, headers, body = get(port, path)
    assert (status, body, headers["Content-Type"]) == (404, b"404 page not found\n", PLAIN)


@pytest.mark.parametrize("path, location", [
    ("//health", "/health"), ("/./metrics", "/metrics"), ("/a/../health", "/health"),
    ("/health/.", "/health"), ("//health?exclude=NOSPACE", "/health?exclude=NOSPACE"), ("/x//y", "/x/y")])
def test_an_unclean_path_is_redirected_to_its_clean_form(server, path, location):
    """Go's ServeMux answers a path with `//`, `.` or `..` by a 301 to path.Clean of it, query kept,
    with http.Redirect's little HTML body for a GET."""
    _, port = server
    status, headers, body = get(port, path)
    assert (status, headers["Location"], headers["Content-Type"]) == (301, location, "text/html; charset=utf-8")
    assert body == f'<a href="{location}">Moved Permanently</a>.\n\n'.encode()


def test_a_replys_own_headers_come_sorted_before_the_servers(server):
    """Go's net/http writes a handler's headers sorted by name, then its own Date and framing."""
    _, port = server
    _, headers, _ = get(port, "//health")
    assert list(headers) == ["Content-Type", "Location", "Date", "Content-Length"]
    _, headers, _ = get(port, "/metrics", headers={"Accept-Encoding": "gzip"})
    assert list(headers)[:3] == ["Content-Encoding", "Content-Type", "Date"]


def test_a_redirect_of_a_post_has_no_body(server):
    """http.Redirect writes its body and type only for a GET (and the type for a HEAD)."""
    _, port = server
    status, headers, body = get(port, "//health", "POST")
    assert (status, headers["Location"], body) == (301, "/health", b"")
    assert "Content-Type" not in headers


@pytest.mark.parametrize("path, status, length", [
    ("/health", 405, "19"), ("/nope", 404, "19"), ("//health", 301, None), ("/metrics", 200, None)])
def test_a_head_has_a_content_length_only_for_a_short_body_written(server, path, status, length):
    """Go's net/http frames a HEAD as the GET it would be, writing no body: a Content-Length for
    what a handler wrote once it is done, if that fits the 2 KiB buffer (http.Error's text), none
    when it wrote nothing (a redirect) or more (the metrics)."""
    _, port = server
    code, headers, body = get(port, path, "HEAD")
    assert (code, headers.get("Content-Length"), body) == (status, length, b"")


def test_metrics_longer_than_go_buffers_are_chunked(server):
    _, port = server
    status, headers, body = get(port, "/metrics")
    assert (status, headers.get("Transfer-Encoding"), headers.get("Content-Length")) == (200, "chunked", None)
    assert body.startswith(b"# HELP ")


def test_metrics_are_prometheus_text_with_etcds_names(server):
    _, port = server
    status, headers, body = get(port, "/metrics")
    assert (status, headers["Content-Type"]) == (200, METRICS_TYPE)
    text = body.decode()
    for name, (help_text, kind) in FAMILIES.items():
        assert f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n" in text
    assert "go_memstats_gc_cpu_fraction" not in text  # which Kubernetes' client_golang writes, not etcd's
    values = metric_values(port)
    assert (values["etcd_server_has_leader"], values["etcd_server_is_leader"],
            values["etcd_server_leader_changes_seen_total"]) == ("1", "1", "1")
    assert re.fullmatch(r'etcd_server_version\{server_version="3\.\d+\.\d+"\}',
                        next(k for k in values if k.startswith("etcd_server_version")))
    started = float(values["process_start_time_seconds"])
    assert time.time() - 600 < started <= time.time()
    bucket = 'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}'
    assert values[bucket] == values["etcd_disk_wal_fsync_duration_seconds_count"] != "0"


def test_metrics_follow_writes(server):
    """A put of a new key adds a key and one applied proposal; its delete takes the key away."""
    running, port = server
    before = metric_values(port)
    assert etcdctl(running, "put", "metrics/k", "v").returncode == 0
    after_put = metric_values(port)
    assert etcdctl(running, "del", "metrics/k").returncode == 0
    after_del = metric_values(port)

    def number(values, name):
        return float(values[name])

    keys = "etcd_debugging_mvcc_keys_total"
    applied = "etcd_server_proposals_applied_total"
    assert number(after_put, keys) == number(before, keys) + 1
    assert number(after_del, keys) == number(before, keys)
    assert number(after_put, applied) == number(before, applied) + 1
    assert number(after_put, "etcd_server_proposals_committed_total") >= number(after_put, applied)
    fsyncs = "etcd_disk_wal_fsync_duration_seconds_count"
    assert number(after_put, fsyncs) > number(before, fsyncs)


def test_each_health_check_counts_as_a_success(server):
    """etcdhttp's checkHealth bumps etcd_server_health_success once per healthy check; a HEAD is
    refused before any check and counts nothing."""
    _, port = server
    before = metric_values(port)
    for method in ("GET", "GET", "HEAD"):
        get(port, "/health", method)
    after = metric_values(port)
    assert (int(after["etcd_server_health_success"]) - int(before["etcd_server_health_success"]),
            after["etcd_server_health_failures"]) == (2, "0")


def test_metrics_are_gzipped_for_a_client_that_asks(server):
    _, port = server
    status, headers, body = get(port, "/metrics", headers={"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert gzip.decompress(body).startswith(b"# HELP ")


# --- before a leader, and the reference's own listener --------------------------------------------

@contextlib.contextmanager
def leaderless(kind: str, tmp_path):
    """A member of a two-member cluster whose other member never starts: it has no leader, and
    serves only its metrics listener (port returned), as etcd does before it is ready."""
    port, peer, absent, client = free_port(), free_port(), free_port(), free_port()
    cluster = f"a=http://127.0.0.1:{peer},b=http://127.0.0.1:{absent}"
    argv = [require("etcd")] if kind == "etcd" else [sys.executable, "-m", "reference_impl.etcd.run"]
    argv += ["--name", "a", "--data-dir", str(tmp_path / kind), "--initial-cluster", cluster,
             "--listen-client-urls", f"http://127.0.0.1:{client}",
             "--advertise-client-urls", f"http://127.0.0.1:{client}",
             "--listen-peer-urls", f"http://127.0.0.1:{peer}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
             "--listen-metrics-urls", f"http://127.0.0.1:{port}"]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "no metrics listener"
            time.sleep(0.05)
        yield port
    finally:
        stop_process(process)


@pytest.mark.parametrize("kind", ["etcd", "reference"])
def test_health_without_a_leader_is_503_false(kind, tmp_path):
    with leaderless(kind, tmp_path) as port:
        status, headers, body = get(port, "/health")
        values = metric_values(port)
    assert (status, body, headers["Content-Type"]) == (503, b'{"health":"false"}\n', PLAIN)
    assert (values["etcd_server_has_leader"], values["etcd_server_is_leader"],
            values["etcd_server_leader_changes_seen_total"]) == ("0", "0", "0")
    assert (values["etcd_server_health_success"], values["etcd_server_health_failures"]) == ("0", "1")


def run_reference(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reference_impl.etcd.run", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("url, problem", [
    ("https://127.0.0.1:2381", "uses TLS, which the reference does not serve; use http://"),
])
def test_a_bad_metrics_url_is_one_clear_line(tmp_path, url, problem):
    result = run_reference("--data-dir", str(tmp_path), "--listen-client-urls", "http://127.0.0.1:0",
                           "--listen-metrics-urls", url)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"reference etcd: error: --listen-metrics-urls: {url!r} {problem}\n"


def test_a_busy_metrics_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = "127.0.0.1:%d" % taken.getsockname()[1]
        result = run_reference("--data-dir", str(tmp_path), "--listen-client-urls",
                               "http://127.0.0.1:0", "--listen-metrics-urls", f"http://{address}")
    assert result.returncode == 1
    assert result.stderr == (f"reference etcd: error: cannot listen on {address}: "
                             "the port is already in use\n")


def test_help_documents_the_flag(capsys):
    from analyzer.cli import main

    assert main(["run", "etcd", "--help"]) == 0
    assert "--listen-metrics-urls" in capsys.readouterr().out


def test_the_metrics_listener_stops_with_the_server(tmp_path):
    """Once run() returns: no listener thread, no handler thread on a kept-alive connection, and
    the port can be bound again at once."""
    from reference_impl.etcd.run import run

    port, stop, out = free_port(), threading.Event(), _Lines()
    serving = threading.Thread(target=run, args=(tmp_path, "http://127.0.0.1:0"), kwargs=dict(
        listen_metrics_urls=f"http://127.0.0.1:{port}", listen_peer_urls="http://127.0.0.1:0", out=out,
        stop=stop))
    serving.start()
    try:
        assert out.ready.wait(START_TIMEOUT)
        kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        kept_alive.request("GET", "/health")
        assert kept_alive.getresponse().read() == b'{"health":"true"}'
    finally:
        stop.set()
        serving.join(timeout=15)
    assert not serving.is_alive()
    time.sleep(0.2)  # a handler thread notices its closed connection
    assert [t.name for t in threading.enumerate() if "etcd-metrics" in t.name
            or "process_request_thread" in t.name] == []
    kept_alive.close()
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


class _Lines:
    """A text stream that sets `ready` once a line is written to it."""

    def __init__(self) -> None:
        self.ready = threading.Event()

    def write(self, text: str) -> int:
        if "ready" in text:
            self.ready.set()
        return len(text)

    def flush(self) -> None:
        pass
