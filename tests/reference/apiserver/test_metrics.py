"""`/metrics`: the apiserver's Prometheus families, their names, labels and values as 1.24 serves them.

The chain is called without sockets, over a real registry on the reference etcd; one rule per test."""
from __future__ import annotations

import dataclasses
import gzip
import http.client
import json
import re
import time

import pytest

from reference_impl.apiserver.adapter.server import APIServer, HandlerChain
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import bootstrappolicy, metrics
from reference_impl.apiserver.core.auth import UserInfo
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from reference_impl.apiserver.core.registry import Registry, go_type_name
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import (NOW, POD, call, chain, etcd, ns_path,  # noqa: F401
                                                     registry)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
# The process and Go collectors' families, which every scrape carries.
RUNTIME_PREFIXES = ("go_", "process_")


def parse(text: str) -> tuple[dict, dict, list]:
    """The text exposition format 0.0.4: HELP and TYPE per family, then (name, labels, value) samples."""
    helps, types, samples = {}, {}, []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            helps[name] = help_text
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            types[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            samples.append((match[1], dict(LABEL.findall(match[2] or "")), float(match[3])))
    return helps, types, samples


def scrape(chain) -> list:
    response = chain.handle(Request("GET", "/metrics", {}, {"Accept": "*/*"}))
    assert (response.code, response.content_type) == (200, "text/plain; version=0.0.4; charset=utf-8")
    return parse(response.body.decode())[2]


def value(samples: list, name: str, **labels) -> float:
    found = [v for n, have, v in samples if n == name and all(have.get(k) == w for k, w in labels.items())]
    return sum(found)


def test_metrics_families_carry_upstream_names_help_and_types(chain):
    """Each family has the HELP (with its stability level) and TYPE kube-apiserver 1.24 writes."""
    call(chain, "GET", ns_path(chain, "pods"))
    response = chain.handle(Request("GET", "/metrics", {}, {}))
    helps, types, _ = parse(response.body.decode())
    own = {name: kind for name, kind in types.items() if not name.startswith(RUNTIME_PREFIXES)}
    assert own == {"apiserver_current_inflight_requests": "gauge", "apiserver_request_duration_seconds": "histogram",
                   "apiserver_request_total": "counter", "etcd_request_duration_seconds": "histogram"}
    assert {"go_goroutines", "go_threads", "process_cpu_seconds_total", "process_open_fds",
            "process_resident_memory_bytes", "process_start_time_seconds"} <= types.keys()
    assert helps["apiserver_request_total"] == (
        "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, "
        "scope, component, and HTTP response code.")


def test_a_create_counts_as_post_with_its_code(chain):
    """A create is verb POST, scope namespace, code 201, component apiserver."""
    labels = dict(verb="POST", resource="pods", scope="namespace", code="201", component="apiserver",
                  group="", version="v1", subresource="", dry_run="")
    before = value(scrape(chain), "apiserver_request_total", **labels)
    assert call(chain, "POST", ns_path(chain, "pods"), POD)[0] == 201
    assert value(scrape(chain), "apiserver_request_total", **labels) == before + 1


def test_a_get_of_a_missing_object_counts_with_code_404(chain):
    """A GET of an object is verb GET, scope resource; its 404 is counted as code 404."""
    assert call(chain, "GET", ns_path(chain, "pods", "nope"))[0] == 404
    samples = scrape(chain)
    assert value(samples, "apiserver_request_total", verb="GET", resource="pods", scope="resource", code="404") == 1


def test_a_collection_get_is_list_and_a_dry_run_is_labelled(chain):
    """GET of a collection is LIST (scope cluster across namespaces); dryRun=All is the dry_run label."""
    call(chain, "GET", "/api/v1/pods")
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}}, query={"dryRun": "All"})
    samples = scrape(chain)
    assert value(samples, "apiserver_request_total", verb="LIST", scope="cluster", resource="pods", code="200") == 1
    assert value(samples, "apiserver_request_total", verb="POST", resource="configmaps", dry_run="All") == 1


def test_a_server_side_apply_counts_as_apply(chain):
    """A PATCH with the apply patch type is verb APPLY."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}}
    code, _ = call(chain, "PATCH", ns_path(chain, "configmaps", "applied"), body,
                   content_type="application/apply-patch+yaml", query={"fieldManager": "test"})
    assert code == 201
    assert value(scrape(chain), "apiserver_request_total", verb="APPLY", resource="configmaps", code="201") == 1


def test_a_watch_is_long_running_then_counted_as_watch_when_it_ends(chain):
    """A watch is in apiserver_longrunning_requests while it streams and counted as WATCH, code 200,
    when it ends."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, watch = call(chain, "GET", ns_path(chain, "pods"), query={"watch": "true", "timeoutSeconds": "30"})
    assert code == 200
    assert b'"ADDED"' in next(watch.chunks)
    samples = scrape(chain)
    assert value(samples, "apiserver_longrunning_requests", verb="WATCH", resource="pods", scope="namespace") == 1
    assert value(samples, "apiserver_request_total", verb="WATCH") == 0
    watch.stop()
    list(watch.chunks)
    samples = scrape(chain)
    assert value(samples, "apiserver_longrunning_requests", verb="WATCH") == 0
    assert value(samples, "apiserver_request_total", verb="WATCH", resource="pods", code="200") == 1
    assert value(samples, "apiserver_request_duration_seconds_count", verb="WATCH", resource="pods") == 1


def test_the_duration_histogram_has_upstream_buckets_and_counts_each_request(chain):
    """apiserver_request_duration_seconds has buckets 0.05 ... 60 and +Inf; _count matches the counter."""
    call(chain, "GET", ns_path(chain, "pods"))
    samples = scrape(chain)
    buckets = [labels for name, labels, _ in samples
               if name == "apiserver_request_duration_seconds_bucket" and labels["verb"] == "LIST"
               and labels["resource"] == "pods" and labels["scope"] == "namespace"]
    bounds = [labels["le"] for labels in buckets]
    labels = buckets[0]
    assert list(labels) == ["component", "dry_run", "group", "resource", "scope", "subresource", "verb",
                            "version", "le"]
    assert bounds == ["0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1", "1.25", "1.5", "2", "3", "4", "5", "6",
                      "8", "10", "15", "20", "30", "45", "60", "+Inf"]
    labels = dict(verb="LIST", resource="pods", scope="namespace")
    assert value(samples, "apiserver_request_duration_seconds_count", **labels) == \
        value(samples, "apiserver_request_total", **labels) == 1


def test_requests_no_route_serves_are_not_counted(chain):
    """Only requests that reach a REST route or an instrumented handler are counted: a 405 from the
    router and a discovery document are not."""
    before = value(scrape(chain), "apiserver_request_total")
    assert call(chain, "PUT", ns_path(chain, "pods"), POD)[0] == 405
    chain.handle(Request("GET", "/api/v1", {}, {}))
    assert value(scrape(chain), "apiserver_request_total") == before


def test_a_root_health_check_counts_with_its_path_as_subresource(chain):
    """/readyz is instrumented as verb GET with its path as subresource and no component; a single
    check's path (/readyz/etcd) is not."""
    chain.handle(Request("GET", "/readyz", {}, {}))
    chain.handle(Request("HEAD", "/readyz", {}, {}))
    chain.handle(Request("GET", "/readyz/etcd", {}, {}))
    samples = scrape(chain)
    assert value(samples, "apiserver_request_total", verb="GET", subresource="/readyz", component="",
                 scope="", code="200") == 2
    assert value(samples, "apiserver_request_total", subresource="/readyz/etcd") == 0


def test_inflight_reports_the_most_executing_in_the_last_second(chain):
    """apiserver_current_inflight_requests holds the previous second's most executing requests per
    kind (mutating, readOnly), not the count at the moment of the scrape."""
    clock = ManualClock(0.0)
    chain.metrics = metrics.APIServerMetrics(clock=clock)
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    clock.advance(1.5)
    samples = scrape(chain)
    assert value(samples, "apiserver_current_inflight_requests", request_kind="mutating") == 1
    assert value(samples, "apiserver_current_inflight_requests", request_kind="readOnly") == 0
    clock.advance(1.0)
    samples = scrape(chain)  # the first scrape executed in the second before
    assert value(samples, "apiserver_current_inflight_requests", request_kind="mutating") == 0
    assert value(samples, "apiserver_current_inflight_requests", request_kind="readOnly") == 1


def test_delete_resets_the_metrics(chain):
    """With profiling on (the default) 1.24 installs MetricsWithReset: a DELETE empties every vector
    family and answers `metrics reset`; the inflight gauge comes back with the next second."""
    clock = ManualClock(0.0)
    chain.metrics = metrics.APIServerMetrics(clock=clock)
    call(chain, "GET", ns_path(chain, "pods"))
    clock.advance(1.0)
    response = chain.handle(Request("DELETE", "/metrics", {}, {}))
    assert (response.code, response.body, response.content_type) == (200, b"metrics reset\n",
                                                                     "text/plain; charset=utf-8")
    helps, _, samples = parse(chain.handle(Request("GET", "/metrics", {}, {})).body.decode())
    assert "process_start_time_seconds" in helps
    assert all(name.startswith(RUNTIME_PREFIXES) for name in helps)  # the collectors' are not reset
    clock.advance(1.0)
    assert value(scrape(chain), "apiserver_current_inflight_requests", request_kind="readOnly") == 1


def test_metrics_are_gzipped_for_a_client_that_asks():
    """promhttp compresses when Accept-Encoding names gzip (alone or with parameters), over HTTP."""
    server = APIServer(None)
    server.start()
    try:
        for accept, encoding in (("gzip", "gzip"), ("br, gzip;q=1", "gzip"), ("xgzip", None)):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", "/metrics", headers={"Accept-Encoding": accept})
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert (response.status, response.getheader("Content-Encoding")) == (200, encoding)
            text = gzip.decompress(body) if encoding else body
            assert text.startswith(b"# HELP apiserver_current_inflight_requests ")
    finally:
        server.stop()


def test_each_etcd_request_is_observed_by_operation_and_go_type(chain):
    """etcd_request_duration_seconds: one observation per etcd request of the etcd3 store, labelled
    with its operation and the Go type it decodes into (getTypeName): the internal type's pointer for
    an object, a pointer to its slice for a list."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    call(chain, "GET", ns_path(chain, "configmaps", "c"))
    call(chain, "GET", ns_path(chain, "configmaps", "missing"))
    call(chain, "PUT", ns_path(chain, "configmaps", "c"), {"metadata": {"name": "c"}, "data": {"k": "v"}})
    call(chain, "DELETE", ns_path(chain, "configmaps", "c"))
    call(chain, "GET", "/apis/apps/v1/deployments", query={"limit": "5"})
    helps, types, samples = parse(chain.handle(Request("GET", "/metrics", {}, {})).body.decode())
    assert (helps["etcd_request_duration_seconds"], types["etcd_request_duration_seconds"]) == (
        "[ALPHA] Etcd request latency in seconds for each operation and object type.", "histogram")
    for operation, count in (("create", 1), ("update", 1), ("delete", 1)):
        assert value(samples, "etcd_request_duration_seconds_count", operation=operation,
                     type="*core.ConfigMap") == count
    assert value(samples, "etcd_request_duration_seconds_count", operation="get", type="*core.ConfigMap") >= 2
    assert value(samples, "etcd_request_duration_seconds_count", operation="list",
                 type="*[]apps.Deployment") >= 1
    bounds = [labels["le"] for name, labels, _ in samples if name == "etcd_request_duration_seconds_bucket"
              and labels == {"operation": "create", "type": "*core.ConfigMap", "le": labels["le"]}]
    assert bounds == ["0.005", "0.025", "0.1", "0.25", "0.5", "1", "2", "4", "15", "30", "60", "+Inf"]


def test_delete_resets_the_etcd_request_latencies_too(chain):
    """etcd_request_duration_seconds is one of the registry's resettable vectors."""
    call(chain, "GET", ns_path(chain, "configmaps", "missing"))
    chain.handle(Request("DELETE", "/metrics", {}, {}))
    _, types, _ = parse(chain.handle(Request("GET", "/metrics", {}, {})).body.decode())
    assert "etcd_request_duration_seconds" not in types


def test_storage_objects_counts_each_resources_keys_in_etcd(chain, registry):
    """apiserver_storage_objects{resource}: each store's count_only range of its prefix (store.Count,
    observed as listWithCount of that key), labelled with its group resource; Events of both groups
    are one storage, one count."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "counted"}})
    stored = registry.storage.client.range("/registry/configmaps/", prefix=True, count_only=True).count
    registry.observe_counts()
    helps, types, samples = parse(chain.handle(Request("GET", "/metrics", {}, {})).body.decode())
    assert (helps["apiserver_storage_objects"], types["apiserver_storage_objects"]) == (
        "[STABLE] Number of stored objects at the time of last check split by kind.", "gauge")
    assert value(samples, "apiserver_storage_objects", resource="configmaps") == stored >= 1
    assert value(samples, "apiserver_storage_objects", resource="namespaces") >= 1
    counted = {labels["resource"] for name, labels, _ in samples if name == "apiserver_storage_objects"}
    assert {"deployments.apps", "clusterroles.rbac.authorization.k8s.io", "events"} <= counted
    assert "events.events.k8s.io" not in counted
    assert value(samples, "etcd_request_duration_seconds_count", operation="listWithCount",
                 type="/registry/configmaps/") == 1


def test_object_counts_are_observed_at_start_and_then_every_period(registry):
    """startObservingCount: JitterUntil runs the count at once, then again each period (a minute by
    --etcd-count-metric-poll-period, stretched by up to 1.2 times by jitter)."""
    def pod_counts() -> float:
        return dict(registry.storage.metrics.latencies()).get(("listWithCount", "/registry/pods/"), [0])[-1]

    registry.start_observing_counts(period=0.05)
    deadline = time.monotonic() + 10
    while pod_counts() < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pod_counts() >= 2


def test_the_type_label_names_the_internal_go_type():
    """getTypeName of the object upstream's store decodes into: the internal package's type (Events of
    events.k8s.io are the core Event storage's), an Unstructured for a custom resource."""
    assert go_type_name(kinds.find("events.k8s.io", "v1", "events")) == "core.Event"
    assert go_type_name(kinds.find("rbac.authorization.k8s.io", "v1", "clusterroles")) == "rbac.ClusterRole"
    custom = dataclasses.replace(kinds.find("apps", "v1", "deployments"), custom=True)
    assert go_type_name(custom) == "unstructured.Unstructured"


@pytest.mark.parametrize("number,text", [(1, "1"), (0.05, "0.05"), (1.25, "1.25"), (1e6, "1e+06"),
                                         (1764937003.95, "1.76493700395e+09"), (0.00001, "1e-05"),
                                         (10**17 + 1, "1e+17"), (True, "1")])
def test_values_are_written_as_go_formats_floats(number, text):
    """Sample values and bucket bounds are strconv.FormatFloat(v, 'g', -1, 64)."""
    assert metrics.format_float(number) == text


# --- authorization ---

USERS = {"bob": UserInfo("bob", groups=("system:authenticated",)),
         "prometheus": UserInfo("prometheus", groups=("system:monitoring", "system:authenticated"))}


class TokenIsUser:
    def authenticate(self, request):
        return USERS.get(request.header("Authorization").removeprefix("Bearer "))


@pytest.fixture
def rbac_chain(etcd):  # noqa: F811
    registry = Registry(etcd, ManualClock(NOW))
    bootstrappolicy.ensure_rbac_policy(registry)
    yield HandlerChain(registry, TokenIsUser(), new_authorizer(RegistrySource(registry)), now=lambda: NOW)
    registry.close()


def get_metrics(chain, token: str, method: str = "GET"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return chain.handle(Request(method, "/metrics", {}, headers))


def test_system_monitoring_may_read_metrics(rbac_chain):
    """The system:monitoring ClusterRole (bound to group system:monitoring) allows get /metrics."""
    assert get_metrics(rbac_chain, "prometheus").code == 200


def test_a_user_without_the_rule_is_forbidden_metrics(rbac_chain):
    """Any other user gets the 403 Status the authorization filter writes for a non-resource path."""
    response = get_metrics(rbac_chain, "bob")
    assert response.code == 403
    assert json.loads(response.body)["message"] == 'forbidden: User "bob" cannot get path "/metrics"'


def test_an_unauthenticated_request_for_metrics_is_401(rbac_chain):
    """Without credentials (and no anonymous authenticator) /metrics is 401, as every path."""
    assert get_metrics(rbac_chain, "").code == 401


def test_metrics_answers_post_as_get(rbac_chain):
    """promhttp's handler ignores the method: a POST allowed by RBAC (system:masters) gets the metrics;
    system:monitoring's user, allowed only get, is forbidden the post."""
    USERS["admin"] = UserInfo("admin", groups=("system:masters", "system:authenticated"))
    response = get_metrics(rbac_chain, "admin", "POST")
    assert (response.code, response.content_type) == (200, metrics.TEXT_CONTENT_TYPE)
    assert json.loads(get_metrics(rbac_chain, "prometheus", "POST").body)["message"] == \
        'forbidden: User "prometheus" cannot post path "/metrics"'


def test_metrics_allows_delete_only_to_a_user_allowed_delete(rbac_chain):
    """system:monitoring grants get on /metrics, not delete: its user's DELETE is the 403 Status."""
    response = get_metrics(rbac_chain, "prometheus", "DELETE")
    assert (response.code, json.loads(response.body)["message"]) == (
        403, 'forbidden: User "prometheus" cannot delete path "/metrics"')
