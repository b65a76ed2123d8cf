"""The reference kube-proxy's plain HTTP ports: /healthz as proxier_health.go answers it, the
metrics port's paths, and the sync counted in its metrics; over a socket, as net/http's ServeMux."""
from __future__ import annotations

import json
import re
import socket

import pytest

from reference_impl.apiserver.core.discovery import version_info
from reference_impl.machinery import componentserver as cs
from reference_impl.machinery.process import main as process_main
from reference_impl.proxy import serving
from reference_impl.proxy.run import COMMAND, ProxyRunner, parse_args

SECOND = 1_000_000_000
GO_NOW = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC m=\+\d+\.\d{9}")


def test_healthy_while_starting_and_after_each_sync():
    health = serving.ProxierHealth(timeout=60)
    assert health.healthz((10 * SECOND, 5 * SECOND)).code == 200
    health.last_queued, health.last_updated = (1, 2 * SECOND), (1, 3 * SECOND)
    assert health.healthz((10 * SECOND, 100 * SECOND)).code == 200


def test_a_change_queued_longer_than_the_timeout_is_a_503_naming_the_last_sync():
    """healthzHandler: unhealthy once the queued change is older than healthTimeout; the answer
    then shows the last sync's time, a healthy one the current time as lastUpdated."""
    health = serving.ProxierHealth(timeout=60)
    health.last_updated, health.last_queued = (1_700_000_000 * SECOND, 1 * SECOND), (0, 2 * SECOND)
    young = health.healthz((1_700_000_050 * SECOND + 120, 61 * SECOND))
    assert young.code == 200
    assert json.loads(young.body) == {"lastUpdated": "2023-11-14 22:14:10.00000012 +0000 UTC m=+61.000000000",
                                      "currentTime": "2023-11-14 22:14:10.00000012 +0000 UTC m=+61.000000000"}
    stale = health.healthz((1_700_000_100 * SECOND, 62 * SECOND + 1))
    assert stale.code == 503
    assert stale.body == (b'{"lastUpdated": "2023-11-14 22:13:20 +0000 UTC m=+1.000000000","currentTime": '
                          b'"2023-11-14 22:15:00 +0000 UTC m=+62.000000001"}')
    assert ("Content-Type", "application/json") in stale.headers


def test_a_sync_marks_the_proxy_updated():
    runner = ProxyRunner(None, "127.0.0.1", None)
    try:
        runner.services.store.add({"metadata": {"name": "s", "namespace": "d"}, "spec": {"ports": []}})
        assert runner.health.last_queued is not None and runner.health.last_updated is None
        runner.sync_once()
    finally:
        runner.proxier.close()
    assert runner.health.last_updated[1] >= runner.health.last_queued[1]


def test_userspace_mode_exports_the_build_info_and_no_kubeproxy_family():
    """newProxyServer registers pkg/proxy/metrics only for the iptables and ipvs proxiers; every
    kube-proxy registers kubernetes_build_info."""
    text = serving.metrics_registry().text().decode()
    families = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert [name for name in families if not name.startswith(("go_", "process_"))] == ["kubernetes_build_info"]
    version = version_info()  # what the apiserver's /version says, the same release
    assert (f'kubernetes_build_info{{build_date="{version["buildDate"]}",compiler="gc",'
            f'git_commit="{version["gitCommit"]}",git_tree_state="clean",git_version="v1.24.0",'
            f'go_version="{version["goVersion"]}",major="1",minor="24",platform="linux/amd64"}} 1\n') in text


def test_the_metrics_port_serves_healthz_ping_proxy_mode_metrics_and_configz():
    mux = serving.metrics_mux("userspace", serving.metrics_registry(), {"Mode": "userspace"})
    assert mux(cs.Request("GET", "/healthz/ping")).body == b"ok"
    mode = mux(cs.Request("GET", "/proxyMode"))
    assert (mode.body, mode.headers) == (b"userspace", (("Content-Type", "text/plain; charset=utf-8"), cs.NOSNIFF))
    assert mux(cs.Request("GET", "/configz")).body == b'{"kubeproxy.config.k8s.io":{"Mode":"userspace"}}'
    assert b"\nkubernetes_build_info{" in mux(cs.Request("GET", "/metrics")).body
    assert mux(cs.Request("GET", "/nope")).body == b"404 page not found\n"


@pytest.fixture
def healthz_port():
    server = cs.serve(("127.0.0.1", 0), serving.healthz_mux(serving.ProxierHealth()), None, "test")
    yield server.port
    server.stop()


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(raw)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return re.sub(rb"Date: [^\r]*\r\n", b"", out)


def test_the_healthz_port_is_a_serve_mux_that_redirects_unclean_paths(healthz_port):
    """Only /healthz is registered with a plain ServeMux: `/a/../healthz` is redirected, any
    other path is its 404, and nothing asks for credentials."""
    answer = exchange(healthz_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Content-Type-Options: "
                             b"nosniff\r\n")
    assert GO_NOW.fullmatch(json.loads(answer.split(b"\r\n\r\n", 1)[1])["currentTime"])
    assert exchange(healthz_port, b"GET /a/../healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") == (
        b"HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/html; charset=utf-8\r\nLocation: /healthz\r\n"
        b"Content-Length: 43\r\nConnection: close\r\n\r\n<a href=\"/healthz\">Moved Permanently</a>.\n\n")
    assert exchange(healthz_port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").endswith(
        b"\r\n\r\n404 page not found\n")


def test_bind_address_flags_take_ip_port_an_ip_alone_or_empty():
    args = parse_args(["--kubeconfig", "k", "--healthz-bind-address", "", "--metrics-bind-address",
                       "127.0.0.1:0"], {})
    assert (args.healthz_bind_address, args.metrics_bind_address) == (None, ("127.0.0.1", 0))
    defaults = parse_args(["--kubeconfig", "k"], {})
    assert (defaults.healthz_bind_address, defaults.metrics_bind_address) == (("0.0.0.0", 10256), ("127.0.0.1", 10249))
    assert parse_args(["--kubeconfig", "k", "--metrics-bind-address", "::1"], {}).metrics_bind_address == ("::1", 10249)


@pytest.mark.parametrize("value, reason", [
    ("localhost:10249", '"localhost" is not a valid IP address'),
    ("bad", '"bad" is not in a valid format (ip or ip:port): address bad: missing port in address'),
    ("1.2.3.4:5:6", '"1.2.3.4:5:6" is not in a valid format (ip or ip:port): address 1.2.3.4:5:6: too many colons in address'),
    ("[::1]10256", '"[::1]10256" is not in a valid format (ip or ip:port): address [::1]10256: missing port in address'),
    ("a]:1", '"a]:1" is not in a valid format (ip or ip:port): address a]:1: unexpected \']\' in address'),
    ("1.2.3.4:x", '"x" is not a valid number')])
def test_a_bind_address_that_is_no_ip_port_is_refused_in_pflags_words(value, reason, capsys):
    """IPPortVar's Set, as the real kube-proxy 1.24 words it (compared side by side); exit 1."""
    assert process_main(COMMAND, ["--kubeconfig", "k", "--metrics-bind-address", value], {}) == 1
    assert capsys.readouterr().err == (
        f'Error: invalid argument "{value}" for "--metrics-bind-address" flag: {reason}\n')
