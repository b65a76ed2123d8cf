"""The kubelet API's default and debugging handlers beyond the streams and container logs: /pods,
/runningpods/, /stats/summary, the metrics, /configz, /run, /logs/, the disabled profiling
handler, and the nodes/<subresource> each is authorized as."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from reference_impl.apiserver.core.auth import RequestAuthenticator, X509Authenticator
from reference_impl.machinery.certutil import issue_client_cert, issue_serving_cert, new_ca
from reference_impl.kubelet.actions import PodKey, StartContainer
from reference_impl.kubelet.auth import KubeletAuth
from reference_impl.kubelet.host import HttpRequests, KubeletHost, metric_bucket, pod_list
from reference_impl.kubelet.kubelet import Kubelet
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.nodelogs import serve_logs
from reference_impl.machinery.gofileserver import FileRequest, content_type
from reference_impl.kubelet.runtime import ProcessRuntime
from reference_impl.kubelet.stats import ContainerStats, CpuRates, FsUsage, NodeStats, PodStats, Usage, \
    cpu_and_memory, read_dir_usage, read_group_usage, resource_metrics, summary
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.delegatedauth import WebhookAuthorizer
from reference_impl.machinery.goserver import serving_context

KEY = PodKey("ns", "p", "u1")
NODE = NodeStats("node-1", 50.0)


def pod(name: str = "p", uid: str = "u1", containers=("c",)) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "ns", "uid": uid, "annotations": {"a": "b"}},
            "spec": {"nodeName": "node-1", "containers": [{"name": c, "image": f"img-{c}"} for c in containers]}}


@pytest.fixture
def hollow():
    """A hollow kubelet core whose pod p runs, seen first at 1700000000.5."""
    kubelet = Kubelet("node-1", ManualClock(1_700_000_000.5), hollow=True)
    kubelet.set_desired_pods([pod()])
    kubelet.sync_loop_iteration()
    return kubelet


def test_pods_are_the_pods_given_with_the_pod_configs_annotations(hollow):
    """getPods: a v1 PodList of the pod manager's pods, each the API's with config.source and
    config.seen (RFC 3339 with nanoseconds) added; no kind on the items."""
    listed = json.loads(pod_list(KubeletHost(hollow).pods()))
    assert (listed["kind"], listed["apiVersion"], listed["metadata"]) == ("PodList", "v1", {})
    (item,) = listed["items"]
    assert "kind" not in item and item["metadata"]["annotations"] == {
        "a": "b", "kubernetes.io/config.source": "api", "kubernetes.io/config.seen": "2023-11-14T22:13:20.5Z"}


def test_an_empty_pod_list_is_go_json_with_null_items():
    assert pod_list([]) == b'{"kind":"PodList","apiVersion":"v1","metadata":{},"items":null}\n'


def test_running_pods_are_the_runtimes_view_names_and_images_of_running_containers(hollow):
    hollow.set_desired_pods([pod(), pod("q", "u2")])  # q is given but not started yet
    assert KubeletHost(hollow).running_pods() == [
        {"metadata": {"name": "p", "namespace": "ns", "uid": "u1", "creationTimestamp": None},
         "spec": {"containers": [{"name": "c", "image": "img-c", "resources": {}}]}, "status": {}}]


def test_a_summary_has_no_cpu_rate_before_a_second_reading():
    """usageNanoCores is the CPU time used between two readings, per second; a reading less than a
    second after the last keeps the last rate."""
    rates = CpuRates()
    first = PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(200.0, 5_000_000_000, 4096, 4096, processes=1)),))
    container = summary(NODE, [first], rates)["pods"][0]["containers"][0]
    assert container["cpu"] == {"time": "1970-01-01T00:03:20Z", "usageCoreNanoSeconds": 5_000_000_000}
    later = PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(202.0, 6_000_000_000, 4096, 4096, processes=1)),))
    stats = summary(NODE, [later], rates)
    assert stats["pods"][0]["containers"][0]["cpu"]["usageNanoCores"] == 500_000_000
    assert stats["pods"][0]["cpu"]["usageNanoCores"] == 500_000_000
    soon = PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(202.1, 6_010_000_000, 4096)),))
    assert summary(NODE, [soon], rates)["pods"][0]["cpu"]["usageNanoCores"] == 500_000_000


def test_a_summary_is_statsapi_summary_in_go_field_order():
    pods = [PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(200.0, 7, 4096, 4096, page_faults=3,
                                                                     major_page_faults=1, processes=2)),))]
    stats = summary(NODE, pods, CpuRates())
    assert stats["node"] == {"nodeName": "node-1", "startTime": "1970-01-01T00:00:50Z"}
    (item,) = stats["pods"]
    assert list(item) == ["podRef", "startTime", "containers", "cpu", "memory", "process_stats"]
    assert item["podRef"] == {"name": "p", "namespace": "ns", "uid": "u1"}
    assert list(item["containers"][0]) == ["name", "startTime", "cpu", "memory"]
    assert item["memory"] == {"time": "1970-01-01T00:03:20Z", "workingSetBytes": 4096, "rssBytes": 4096,
                              "pageFaults": 3, "majorPageFaults": 1}
    assert item["process_stats"] == {"process_count": 2}
    assert summary(NODE, [], CpuRates())["pods"] is None


def test_the_node_has_its_system_containers_fs_and_rlimit_in_go_field_order():
    fs = FsUsage(60.0, 10, 100, 90, 5, 50, 45)
    kubelet = ContainerStats("kubelet", 40.0, Usage(60.0, 9, 8))
    node = summary(NodeStats("node-1", 50.0, Usage(60.0, 7, 6), fs, (60.0, 4194304, 321), (kubelet,)), [],
                   CpuRates())["node"]
    assert list(node) == ["nodeName", "systemContainers", "startTime", "cpu", "memory", "fs", "rlimit"]
    (system,) = node["systemContainers"]
    assert (system["name"], system["cpu"]["usageCoreNanoSeconds"]) == ("kubelet", 9)
    assert node["fs"] == {"time": "1970-01-01T00:01:00Z", "availableBytes": 10, "capacityBytes": 100, "usedBytes": 90,
                          "inodesFree": 5, "inodes": 50, "inodesUsed": 45}
    assert node["rlimit"] == {"time": "1970-01-01T00:01:00Z", "maxpid": 4194304, "curproc": 321}


def test_a_containers_logs_are_its_log_folders_use_and_the_pods_ephemeral_storage(tmp_path):
    (tmp_path / "0.log").write_bytes(b"x" * 10000)
    logs = read_dir_usage(tmp_path, 60.0)
    assert logs.inodes_used == 1 and logs.used_bytes >= 10000 and logs.capacity_bytes > 0
    pods = [PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(200.0, 7, 4096), logs),
                                  ContainerStats("d", 101.0, Usage(200.0, 7, 4096), logs)))]
    (item,) = summary(NODE, pods, CpuRates())["pods"]
    assert item["containers"][0]["logs"]["usedBytes"] == logs.used_bytes
    assert item["ephemeral-storage"]["usedBytes"] == 2 * logs.used_bytes
    assert list(item) == ["podRef", "startTime", "containers", "cpu", "memory", "ephemeral-storage", "process_stats"]
    assert read_dir_usage(tmp_path / "nope", 60.0) is None


def test_only_cpu_and_memory_leaves_out_everything_else():
    """GetCPUAndMemoryStats, which metrics-server asks for: no fs, rlimit, logs or process stats."""
    fs = FsUsage(60.0, 10, 100, 90, 5, 50, 45)
    pods = [PodStats(KEY, 100.0, (ContainerStats("c", 101.0, Usage(200.0, 7, 4096, processes=1), fs),))]
    trimmed = cpu_and_memory(summary(NodeStats("node-1", 50.0, Usage(60.0, 7, 6), fs, (60.0, 1, 1)), pods,
                                     CpuRates()))
    assert list(trimmed["node"]) == ["nodeName", "startTime", "cpu", "memory"]
    assert list(trimmed["pods"][0]) == ["podRef", "startTime", "containers", "cpu", "memory"]
    assert list(trimmed["pods"][0]["containers"][0]) == ["name", "startTime", "cpu", "memory"]


def test_a_kubelet_that_has_run_no_pod_yet_has_stats(tmp_path):
    """Its log root is not made until a container logs: the node's filesystem is the one it will
    be on (before, /stats/summary and /metrics/resource failed and the connection was dropped)."""
    host = KubeletHost(Kubelet("node-1", ManualClock(1_700_000_000.0)), ProcessRuntime(tmp_path / "pods"))
    summary = host.summary()
    assert summary["node"]["nodeName"] == "node-1" and summary["node"]["fs"]["capacityBytes"] > 0
    assert "node_cpu_usage_seconds_total" in host.resource_metrics()


def test_a_hollow_pod_has_stats_with_no_usage(hollow):
    (item,) = KubeletHost(hollow).summary()["pods"]
    assert item["containers"][0]["name"] == "c" and "cpu" not in item and "cpu" not in item["containers"][0]


def test_a_process_groups_usage_counts_every_member():
    proc = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30; wait"], start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        while (usage := read_group_usage(proc.pid, 1.0)) is None or usage.processes < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert usage.working_set_bytes > 0 and usage.cpu_ns >= 0
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 5  # the killed children end on their own time, reaped by init
    while read_group_usage(proc.pid, 1.0) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_resource_metrics_are_the_cpu_and_memory_readings_stamped_with_their_times():
    pods = [PodStats(KEY, 100.0, (ContainerStats("c", 101.25, Usage(200.0015, 1_500_000_000, 4096)),))]
    text = resource_metrics(NODE, pods)
    assert ('# HELP container_cpu_usage_seconds_total [ALPHA] Cumulative cpu time consumed by the container '
            'in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\n'
            'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 1.5 200001\n') in text
    assert 'container_start_time_seconds{container="c",namespace="ns",pod="p"} 101.25 101250\n' in text
    assert 'pod_memory_working_set_bytes{namespace="ns",pod="p"} 4096 200001\n' in text
    assert "node_cpu_usage_seconds_total" not in text and text.endswith("scrape_error 0\n")
    node = NodeStats("node-1", 50.0, Usage(60.5, 2_000_000_000, 10))
    text = resource_metrics(node, [])
    assert "node_cpu_usage_seconds_total 2 60500\n" in text and "node_memory_working_set_bytes 10 60500\n" in text


def test_probe_results_are_counted_by_container_type_and_result():
    probed = pod()
    probed["spec"]["containers"][0]["readinessProbe"] = {"exec": {"command": ["true"]}}
    hollow = Kubelet("node-1", ManualClock(0.0), hollow=True)
    hollow.set_desired_pods([probed])
    hollow.sync_loop_iteration()
    hollow.probe_result(KEY, "c", "readiness", True)
    hollow.probe_result(KEY, "c", "readiness", False, "boom")
    hollow.probe_result(KEY, "c", "readiness", True)
    text = KubeletHost(hollow).probe_metrics()
    labels = 'container="c",namespace="ns",pod="p",pod_uid="u1",probe_type="Readiness"'
    assert f'prober_probe_total{{{labels},result="failed"}} 1\n' in text
    assert f'prober_probe_total{{{labels},result="successful"}} 2\n' in text


def test_requests_are_counted_by_their_paths_bucket():
    """getURLRootPath: the first segment, two under /metrics; unregistered ones are "other".
    Upstream spells "portforward" in its long-running map, so port forwards count as short."""
    assert [metric_bucket(path) for path in ("/pods", "/metrics/resource", "/metrics", "/exec/ns/p/c", "/spec/",
                                             "/debug/pprof/heap", "*")] == [
        "pods", "metrics/resource", "metrics", "exec", "other", "debug", "other"]
    requests = HttpRequests()
    for method, path in (("GET", "/exec/ns/p/c"), ("BREW", "/portForward/ns/p"), ("GET", "/exec/ns/q/c")):
        requests.count(method, path, read_only=False)
    assert sorted(requests.samples()) == [
        ('{long_running="false",method="other",path="portForward",server_type="readwrite"}', 1),
        ('{long_running="true",method="GET",path="exec",server_type="readwrite"}', 2)]


def serve_log_path(root, path, **headers):
    """The kubelet's answer for `/logs` + `path`."""
    return serve_logs(root, FileRequest("/logs" + path, headers=headers), "/logs" + path)


def test_the_node_log_directory_is_served_as_gos_file_server(tmp_path):
    (tmp_path / "apt").mkdir()
    (tmp_path / "syslog").write_text("hello\n")
    (tmp_path / "a&b").write_bytes(b"\x00\x01")
    (tmp_path / "it's.log").write_text("x")
    listing = serve_log_path(tmp_path, "/")
    assert (listing.code, listing.content_type) == (200, "text/html; charset=utf-8")
    assert listing.body == (b'<pre>\n<a href="a&b">a&amp;b</a>\n<a href="apt/">apt/</a>\n'
                            b'<a href="it%27s.log">it&#39;s.log</a>\n<a href="syslog">syslog</a>\n</pre>\n')
    assert serve_log_path(tmp_path, "/syslog").body == b"hello\n"
    assert serve_log_path(tmp_path, "/a&b").content_type == "application/octet-stream"
    assert serve_log_path(tmp_path, "/it's.log").content_type == content_type("x.log", b"")
    assert content_type("a.JSON", b"") == "application/json" and content_type("a.css", b"") == "text/css; charset=utf-8"
    assert serve_log_path(tmp_path, "/apt").headers == (("Location", "apt/"),)
    assert serve_log_path(tmp_path, "/syslog/").headers == (("Location", "../syslog"),)
    assert serve_log_path(tmp_path, "/nope").body == b"404 page not found\n"


def test_strip_prefix_is_404_when_the_path_as_sent_lacks_the_prefix(tmp_path):
    """StripPrefix("/logs/") trims URL.Path and URL.RawPath alike: an escaped prefix is no prefix."""
    (tmp_path / "syslog").write_text("hello\n")
    answer = serve_logs(tmp_path, FileRequest("/logs/syslog"), "/%6Cogs/syslog")
    assert (answer.code, answer.body) == (404, b"404 page not found\n")


# --- over HTTPS, behind the auth filter ---------------------------------------------------------

SUBRESOURCE_USERS = {"stats-reader": "stats", "metrics-reader": "metrics", "log-reader": "log", "proxy-user": "proxy"}


def allow_by_subresource(review: dict) -> dict:
    """A SubjectAccessReview endpoint that allows each user one subresource of nodes."""
    spec = review["spec"]
    allowed = SUBRESOURCE_USERS.get(spec["user"]) == spec["resourceAttributes"]["subresource"]
    return {**review, "status": {"allowed": allowed}}


@pytest.fixture(scope="module")
def ca():
    return new_ca()


@pytest.fixture
def kubelet(tmp_path, ca):
    (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
    pair = issue_serving_cert(ca, ("node-1",), ("127.0.0.1",))
    (tmp_path / "k.crt").write_bytes(pair.cert_pem)
    (tmp_path / "k.key").write_bytes(pair.key_pem)
    (tmp_path / "var-log").mkdir()
    (tmp_path / "var-log" / "syslog").write_text("node log\n")
    core = Kubelet("node-1", ManualClock(1_700_000_000.0))
    core.set_desired_pods([pod()])
    runtime = ProcessRuntime(tmp_path / "pods")
    runtime.start(StartContainer(KEY, {"name": "c", "command": [sys.executable, "-c", "import time; time.sleep(30)"],
                                       "env": [{"name": "GREETING", "value": "hi there"}]}, 0))
    record = core.pods["u1"]
    record.pod_ip, record.containers["c"].state, record.containers["c"].started_at = "127.0.0.1", "running", 1.7e9
    record.containers["c"].container_id = f"process://{runtime.processes[(KEY, 'c')].pid}"
    host = KubeletHost(core, runtime, {"enableServer": True})
    auth = KubeletAuth(RequestAuthenticator([X509Authenticator([ca.certificate])]),
                       WebhookAuthorizer(allow_by_subresource, lambda: 0.0, 300.0, 30.0), "node-1")
    server = LogServer(tmp_path / "pods", lambda ns, name: pod() if (ns, name) == ("ns", "p") else None,
                       lambda key, name: True, exec_target=runtime.exec_target, kubelet_host=host,
                       node_log_dir=tmp_path / "var-log",
                       tls=serving_context(tmp_path / "k.crt", tmp_path / "k.key", tmp_path / "ca.crt"), auth=auth)
    server.start()
    yield server
    server.stop()
    for proc in runtime.processes.values():
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def call(server, ca, tmp_path, user: str, path: str, method: str = "GET",
         headers: dict | None = None) -> tuple[int, str, bytes]:
    import ssl
    context = ssl.create_default_context(cadata=ca.cert_pem.decode())
    pair = issue_client_cert(ca, user)
    (tmp_path / "u.crt").write_bytes(pair.cert_pem)
    (tmp_path / "u.key").write_bytes(pair.key_pem)
    context.load_cert_chain(tmp_path / "u.crt", tmp_path / "u.key")
    request = urllib.request.Request(f"https://127.0.0.1:{server.port}{path}", method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, context=context) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_each_path_asks_for_its_own_subresource_of_nodes(kubelet, ca, tmp_path):
    """auth.go: /stats/ is nodes/stats, /metrics and below nodes/metrics, /logs/ nodes/log, all
    else (/pods, /runningpods/, /configz, /run, /debug/pprof/) nodes/proxy."""
    for path, subresource in (("/stats/summary", "stats"), ("/metrics", "metrics"), ("/metrics/resource", "metrics"),
                              ("/metrics/probes", "metrics"), ("/metrics/cadvisor", "metrics"), ("/logs/", "log"),
                              ("/pods", "proxy"), ("/runningpods/", "proxy"), ("/configz", "proxy")):
        user = next(name for name, allowed in SUBRESOURCE_USERS.items() if allowed == subresource)
        assert call(kubelet, ca, tmp_path, user, path)[0] == 200, path
        other = "proxy-user" if subresource != "proxy" else "stats-reader"
        assert call(kubelet, ca, tmp_path, other, path)[:3:2] == (
            403, f"Forbidden (user={other}, verb=get, resource=nodes, subresource={subresource})".encode()), path


def test_the_subresource_is_the_decoded_paths(kubelet, ca, tmp_path):
    """The attributes come from URL.Path, %-escapes decoded: /%73tats/summary is nodes/stats,
    served to its reader and refused to a nodes/proxy user, as /stats/summary is."""
    assert call(kubelet, ca, tmp_path, "stats-reader", "/%73tats/summary")[0] == 200
    assert call(kubelet, ca, tmp_path, "metrics-reader", "/metrics%2Fcadvisor")[0] == 200
    assert call(kubelet, ca, tmp_path, "proxy-user", "/%73tats/summary")[:3:2] == (
        403, b"Forbidden (user=proxy-user, verb=get, resource=nodes, subresource=stats)")


def test_stats_summary_is_served_indented_as_go_restful_writes_it(kubelet, ca, tmp_path):
    status, content_type, body = call(kubelet, ca, tmp_path, "stats-reader", "/stats/summary", "POST")
    assert (status, content_type) == (200, "application/json") and body.startswith(b'{\n "node": {\n  "nodeName"')
    (item,) = json.loads(body)["pods"]
    assert item["containers"][0]["memory"]["workingSetBytes"] > 0 and "cpu" in json.loads(body)["node"]
    assert [c["name"] for c in json.loads(body)["node"]["systemContainers"]] == ["kubelet", "pods"]
    body = call(kubelet, ca, tmp_path, "stats-reader", "/stats/summary?only_cpu_and_memory=true")[2]
    assert "fs" not in json.loads(body)["node"] and "logs" not in json.loads(body)["pods"][0]["containers"][0]
    assert call(kubelet, ca, tmp_path, "stats-reader", "/stats/container")[::2] == (404, b"404: Page Not Found")


def test_pods_and_metrics_are_served(kubelet, ca, tmp_path):
    status, content_type, body = call(kubelet, ca, tmp_path, "proxy-user", "/pods")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["items"][0]["metadata"]["uid"] == "u1"
    status, content_type, body = call(kubelet, ca, tmp_path, "metrics-reader", "/metrics")
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert b'kubelet_node_name{node="node-1"} 1\n' in body and b"kubelet_running_pods 1\n" in body
    # The Go collector's families sort before the kubelet's, the process collector's after them.
    assert body.startswith(b"# HELP go_") and b"\nprocess_open_fds " in body
    assert b"# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.\n" in body
    for bucket in ("pods", "metrics"):  # this request is counted before it is answered
        assert (b'kubelet_http_requests_total{long_running="false",method="GET",path="%s",server_type="readwrite"} 1\n'
                % bucket.encode()) in body
    cadvisor = call(kubelet, ca, tmp_path, "metrics-reader", "/metrics/cadvisor")[2].decode()
    assert "\nmachine_cpu_cores " in cadvisor, cadvisor
    # The running container's series, named and labelled as cAdvisor and the kubelet write them.
    assert re.search(r'\ncontainer_memory_working_set_bytes\{container="c",id="/kubepods/besteffort/podu1/\d+",'
                     r'image="img-c",name="process://\d+",namespace="ns",pod="p"\} [1-9][-+.e\d]* \d+\n', cadvisor), cadvisor


def test_configz_is_the_kubelets_configuration_under_its_name(kubelet, ca, tmp_path):
    assert call(kubelet, ca, tmp_path, "proxy-user", "/configz", "PUT")[::2] == (
        200, b'{"kubeletconfig":{"enableServer":true}}')


def test_run_answers_the_commands_output_or_its_failure(kubelet, ca, tmp_path):
    """cmd is split at each space and run in the container's environment; a non-zero exit is a 500."""
    assert call(kubelet, ca, tmp_path, "proxy-user", "/run/ns/p/c?cmd=printenv%20GREETING", "POST")[::2] == (
        200, b"hi there\n")
    assert call(kubelet, ca, tmp_path, "proxy-user", "/run/ns/p/c?cmd=false", "POST")[::2] == (
        500, b"command 'false' exited with 1: ")
    assert call(kubelet, ca, tmp_path, "proxy-user", "/run/ns/p/nope?cmd=true", "POST")[::2] == (
        500, b'container not found ("nope")')
    assert call(kubelet, ca, tmp_path, "proxy-user", "/run/ns/q/c?cmd=true", "POST")[::2] == (
        404, b"pod does not exist")


def test_node_logs_answer_a_range_as_http_file_server_does(kubelet, ca, tmp_path):
    """http.FileServer is serveContent too: a Range is a 206 of those bytes (Go 1.19's
    StripPrefix + FileServer answered 21 such requests, ranges and conditionals, alike)."""
    assert call(kubelet, ca, tmp_path, "log-reader", "/logs/syslog", headers={"Range": "bytes=2-4"})[::2] == (
        206, b"de ")


def test_node_logs_and_the_disabled_profiler(kubelet, ca, tmp_path):
    assert call(kubelet, ca, tmp_path, "log-reader", "/logs/syslog")[::2] == (200, b"node log\n")
    assert call(kubelet, ca, tmp_path, "proxy-user", "/debug/pprof/heap")[::2] == (
        405, b"profiling endpoint is disabled.\n")
