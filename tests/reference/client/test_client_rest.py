"""The HTTP adapter against the reference kube-apiserver on the reference etcd: a reflector fills
its cache by list+watch and follows later changes, and leader election takes and keeps a Lease.
"""
from __future__ import annotations

import json
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.client import Gone  # noqa: E402
from reference_impl.client.cache import Indexer, ResourceEventHandler  # noqa: E402
from reference_impl.client.leaderelection import LeaderElector  # noqa: E402
from reference_impl.client.reflector import Reflector  # noqa: E402
from reference_impl.client import APIStatusError  # noqa: E402
from reference_impl.client.rest import (  # noqa: E402
    RequestResults, RestClient, final_url_template, lease_step, run_reflector)
from reference_impl.machinery.prometheus import Registry  # noqa: E402

NS = "clientgo"


@pytest.fixture(scope="module")
def rest(reference_control_plane: Cluster) -> RestClient:  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    return client


def configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}


def event(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name}, "reason": "Tested", "message": "m",
            "involvedObject": {"kind": "ConfigMap", "name": "c", "namespace": NS}}


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_reflector_lists_then_follows_the_watch(rest):
    """Objects created before the reflector starts come from the list, later ones from the watch."""
    path = f"/api/v1/namespaces/{NS}/configmaps"
    rest.request("POST", path, configmap("before"))
    store = Indexer()
    events = []
    store.add_event_handler(ResourceEventHandler(
        on_add=lambda o: events.append(("add", o["metadata"]["name"])),
        on_delete=lambda o: events.append(("delete", o["metadata"]["name"]))))
    stop = threading.Event()
    thread = threading.Thread(target=run_reflector, args=(rest, path, Reflector(store), stop), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: store.get(f"{NS}/before") is not None)
        rest.request("POST", path, configmap("after"))
        assert wait_for(lambda: store.get(f"{NS}/after") is not None)
        rest.request("DELETE", f"{path}/before")
        assert wait_for(lambda: store.get(f"{NS}/before") is None)
        assert ("add", "after") in events and ("delete", "before") in events
    finally:
        stop.set()
        thread.join(timeout=5)


def compact_to_now(cluster: Cluster, rest: RestClient) -> str:
    """Compact etcd at the current revision (what kube-apiserver does every 5 minutes)."""
    from reference_impl.apiserver.storage.etcdclient import EtcdClient
    latest = rest.request("POST", f"/api/v1/namespaces/{NS}/configmaps", configmap(f"c{time.monotonic_ns()}"))
    rv = latest["metadata"]["resourceVersion"]
    client = EtcdClient(cluster.etcd_url)
    try:
        client.compact(int(rv))
    finally:
        client.close()
    return rv


# Events have no watch cache (upstream sizes theirs 0): their watches always read etcd's history,
# where a compacted revision is gone. (A watch cache holds what changed since the server started.)

def test_watch_from_a_compacted_rv_is_gone(rest, reference_control_plane):  # noqa: F811
    """A watch from a resourceVersion etcd has compacted away answers 410 Gone."""
    path = f"/api/v1/namespaces/{NS}/events"
    compact_to_now(reference_control_plane, rest)
    stop = threading.Event()
    try:
        first = next(rest.watch(path, "2", stop, timeout_seconds=1), None)
    except Gone:
        return
    # Upstream answers 200 and then an ERROR event carrying the 410 Status.
    assert first is not None and first["type"] == "ERROR" and first["object"]["code"] == 410, first


def test_reflector_relists_after_gone(rest, reference_control_plane):  # noqa: F811
    """A reflector whose watch RV was compacted relists and goes on following changes."""
    path = f"/api/v1/namespaces/{NS}/events"
    rest.request("POST", path, event("before-compaction"))
    reflector = Reflector(Indexer())
    store = reflector.store
    reflector.on_list({"items": [], "metadata": {"resourceVersion": "2"}})  # a stale list
    compact_to_now(reference_control_plane, rest)
    stop = threading.Event()
    thread = threading.Thread(target=run_reflector, args=(rest, path, reflector, stop), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: reflector.relists >= 1 and store.get(f"{NS}/before-compaction") is not None)
        rest.request("POST", path, event("after-relist"))
        assert wait_for(lambda: store.get(f"{NS}/after-relist") is not None)
    finally:
        stop.set()
        thread.join(timeout=5)


def test_leader_election_acquires_and_renews_a_lease(rest):
    """The first candidate creates the Lease and renews it; a second one is kept out."""
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "le-ns"}})
    clock = ManualClock()
    a = LeaderElector("a", clock, namespace="le-ns", name="lock")
    b = LeaderElector("b", clock, namespace="le-ns", name="lock")
    assert lease_step(rest, a)
    assert not lease_step(rest, b)
    clock.advance(5)
    assert lease_step(rest, a)
    lease = rest.request("GET", "/apis/coordination.k8s.io/v1/namespaces/le-ns/leases/lock")
    assert lease["spec"]["holderIdentity"] == "a"
    assert not lease_step(rest, b)  # b sees the renewal: its expiry countdown restarts here
    clock.advance(20)  # a stops renewing; b sees the record unchanged for longer than 15 s
    assert lease_step(rest, b)
    lease = rest.request("GET", "/apis/coordination.k8s.io/v1/namespaces/le-ns/leases/lock")
    assert lease["spec"]["holderIdentity"] == "b" and lease["spec"]["leaseTransitions"] == 1


def test_request_bodies_are_compact_json_even_past_what_orjson_encodes():
    """Bodies are encoded by orjson; an integer past 64 bits (which orjson refuses) falls back to
    the standard library, with the same compact output."""
    from reference_impl.machinery import jsonbytes
    assert jsonbytes.dumps({"a": [1, "é"], "b": None}) == '{"a":[1,"é"],"b":null}'.encode()
    assert jsonbytes.dumps({"big": 2 ** 70}) == b'{"big":1180591620717411303424}'


def test_integers_past_64_bits_are_read_as_integers_not_floats():
    """orjson reads an integer past 64 bits as a float: a run of 19 digits anywhere sends the
    bytes to the standard library, which keeps every digit; shorter runs stay with orjson."""
    from reference_impl.machinery import jsonbytes
    assert jsonbytes.loads(b'{"n":[1180591620717411303424]}') == {"n": [2 ** 70]}
    assert jsonbytes.loads(b'[-9223372036854775809]') == [-(2 ** 63) - 1]
    assert jsonbytes.loads(b'{"uid":"1234567890123456789012","n":1.5}') == {"uid": "1234567890123456789012", "n": 1.5}
    assert jsonbytes.loads(b'[123456789012345678, 9.5]') == [123456789012345678, 9.5]


def test_a_path_with_a_line_break_or_space_is_refused_before_sending(rest):
    """A name carrying CR/LF or a space would split the request line or inject a header: refused,
    as http.client refuses it."""
    import http.client
    for bad in ("/api/v1/namespaces/x\r\nX-Evil: 1", "/api/v1/name spaces"):
        with pytest.raises(http.client.InvalidURL):
            rest.request("GET", bad)
    assert rest.request("GET", f"/api/v1/namespaces/{NS}")["metadata"]["name"] == NS


def test_an_error_answer_that_is_no_status_is_worded_as_client_go_words_it(rest):
    """A group no one serves answers `404 page not found`, no Status: an APIStatusError whose
    Status is NewGenericServerResponse's for a 404 and the request's resource (the HPA
    controller's famous message), not a decoding error."""
    from reference_impl.client import APIStatusError
    with pytest.raises(APIStatusError) as raised:
        rest.request("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods")
    assert raised.value.code == 404 and raised.value.status["reason"] == "NotFound"
    assert raised.value.status["message"] == "the server could not find the requested resource (get pods.metrics.k8s.io)"


@pytest.mark.parametrize("code, method, path, body, message", [
    # NewGenericServerResponse's fixed text for the code, with the typed client's resource and name.
    (503, "POST", "/api/v1/namespaces/ns/pods/p/binding", b"",
     "the server is currently unable to handle the request (post pods p)"),
    (504, "GET", "/api/v1/nodes", b"", "the server was unable to return a response in the time allotted, "
                                       "but may still be processing the request (get nodes)"),
    (409, "POST", "/apis/events.k8s.io/v1/namespaces/ns/events", b"", "the server reported a conflict (post events.events.k8s.io)"),
    # Any other 5xx quotes the text it was given (%q), nothing for an empty body.
    (500, "PATCH", "/api/v1/namespaces/ns/pods/p/status", b"",
     'an error on the server ("") has prevented the request from succeeding (patch pods p)'),
    (502, "GET", "/api/v1/namespaces/ns", b"bad gateway\n",
     'an error on the server ("bad gateway") has prevented the request from succeeding (get namespaces ns)'),
    # JSON that is no failed Status (a proxy's `["oops"]`) is not text: "unknown".
    (500, "GET", "/healthz", b'["oops"]', 'an error on the server ("unknown") has prevented the request from succeeding'),
    (418, "GET", "/version", b'{"message": "refused"}', "the server responded with the status code 418 but did not "
                                                        "return more information"),
])
def test_an_error_answer_with_no_status_gets_client_gos_generic_message(code, method, path, body, message):
    """(*Request).transformResponse: an error answer whose body is no failed Status becomes
    NewGenericServerResponse's Status for its code, never an empty message."""
    from reference_impl.client.rest import _error_status
    assert _error_status(method, path, code, body)["message"] == message


def test_an_error_answer_that_is_a_failed_status_is_taken_as_it_is():
    from reference_impl.client.rest import _error_status
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "pods \"p\" not found",
              "reason": "NotFound", "code": 404}
    assert _error_status("GET", "/api/v1/namespaces/ns/pods/p", 404, json.dumps(status).encode()) == status


def test_each_answer_is_counted_by_code_method_and_host(reference_control_plane, tmp_path):  # noqa: F811
    """rest_client_requests_total as client-go's updateURLMetrics counts: the status code of each
    answer, `<error>` when none came, by method and the server URL's host."""
    registry = Registry()
    config = yaml.safe_load(Path(reference_control_plane.kubeconfig).read_text())
    live_host = urllib.parse.urlsplit(config["clusters"][0]["cluster"]["server"]).netloc
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"  # nothing listens there
    (tmp_path / "dead").write_text(yaml.safe_dump(config))
    clients, results = (RestClient(reference_control_plane.kubeconfig), RestClient(tmp_path / "dead")), \
        RequestResults(registry)
    for client in clients:  # one family for the process's clients, as client-go's global one
        client.results = results
    clients[0].request("GET", "/api/v1/namespaces/default")
    with pytest.raises(APIStatusError):
        clients[0].request("DELETE", "/api/v1/namespaces/no-such-namespace")
    with pytest.raises(OSError):
        clients[1].request("GET", "/api/v1/namespaces/default")
    text = registry.text().decode()
    assert (f'rest_client_requests_total{{code="200",host="{live_host}",method="GET"}} 1\n'
            f'rest_client_requests_total{{code="404",host="{live_host}",method="DELETE"}} 1\n'
            'rest_client_requests_total{code="<error>",host="127.0.0.1:1",method="GET"} 1\n') in text


@pytest.mark.parametrize("path, template", [
    # As a real kube-scheduler 1.24 labelled its requests (the lease's timeout stays as it is).
    ("/api/v1/nodes?limit=500&resourceVersion=0", "/api/v1/nodes?limit=%7Bvalue%7D&resourceVersion=%7Bvalue%7D"),
    ("/api/v1/pods?resourceVersion=0&limit=500&fieldSelector=status.phase%21%3DSucceeded",
     "/api/v1/pods?fieldSelector=%7Bvalue%7D&limit=%7Bvalue%7D&resourceVersion=%7Bvalue%7D"),
    ("/apis/events.k8s.io/v1", "/apis/events.k8s.io/v1"),
    ("/apis/events.k8s.io/v1/namespaces/default/events", "/apis/events.k8s.io/v1/namespaces/%7Bnamespace%7D/events"),
    ("/api/v1/namespaces/default/pods/p1/status", "/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D/status"),
    ("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler?timeout=5s",
     "/apis/coordination.k8s.io/v1/namespaces/%7Bnamespace%7D/leases/%7Bname%7D?timeout=5s"),
    # The rest of finalURLTemplate's cases.
    ("/api/v1/namespaces/default", "/api/v1/namespaces/%7Bname%7D"),
    ("/api/v1/nodes/n1/status", "/api/v1/nodes/%7Bname%7D/status"),
    ("/api/v1/namespaces/ns/pods/p1/binding", "/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D/binding"),
    ("/api/v1/namespaces/ns/finalize", "/api/v1/namespaces/%7Bname%7D/finalize"),
    ("/version", "/version"),
    ("/healthz/etcd", "/%7Bprefix%7D"),
])
def test_the_latencys_url_is_the_requests_template(path, template):
    assert final_url_template(path) == template


@pytest.mark.parametrize("path", [
    "/api/v1/namespaces/bench/pods/pod-00001/binding", "/api/v1/namespaces/bench/events",
    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/hollow-node-0001", "/api/v1/nodes/n.1_~x/status",
    "/", "/version", "/healthz/etcd", "/api/v1/namespaces/a-b/pods/c/d/e"])
def test_a_plain_paths_template_is_the_parsed_ones(path):
    """A path with no query and nothing escaped is templated without urlsplit, unquote and quote:
    the same label as the path parsed (an empty query sends it through the parsing)."""
    assert final_url_template(path) == final_url_template(path + "?")


def test_each_request_is_timed_by_verb_and_url_template(reference_control_plane, tmp_path):  # noqa: F811
    """rest_client_request_duration_seconds: every request, answered or not, in the buckets
    0.001 ... 0.512 that kube-scheduler 1.24 writes, labelled by its verb and URL template."""
    registry = Registry()
    config = yaml.safe_load(Path(reference_control_plane.kubeconfig).read_text())
    live_host = urllib.parse.urlsplit(config["clusters"][0]["cluster"]["server"]).netloc
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"  # nothing listens there
    (tmp_path / "dead").write_text(yaml.safe_dump(config))
    live, dead = RestClient(reference_control_plane.kubeconfig), RestClient(tmp_path / "dead")
    live.results = dead.results = RequestResults(registry)
    for name in ("default", "kube-system"):
        live.request("GET", f"/api/v1/namespaces/{name}")
    with pytest.raises(OSError):
        dead.request("GET", "/api/v1/namespaces/default")
    text = registry.text().decode()
    series = f'url="https://{live_host}/api/v1/namespaces/%7Bname%7D",verb="GET"'
    bounds = re.findall(rf'^rest_client_request_duration_seconds_bucket\{{{re.escape(series)},le="([^"]+)"\}} ', text,
                        re.MULTILINE)
    assert bounds == ["0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512",
                      "+Inf"]
    assert f"rest_client_request_duration_seconds_count{{{series}}} 2\n" in text
    assert ('rest_client_request_duration_seconds_count{url="https://127.0.0.1:1/api/v1/namespaces/%7Bname%7D",'
            'verb="GET"} 1\n') in text
    assert ("# HELP rest_client_request_duration_seconds [ALPHA] Request latency in seconds. Broken down by verb "
            "and URL.\n# TYPE rest_client_request_duration_seconds histogram\n") in text


@pytest.mark.parametrize("module, command", [("reference_impl.controller_manager.run", "kube-controller-manager"),
                                             ("reference_impl.scheduler.run", "kube-scheduler"),
                                             ("reference_impl.proxy.run", "kube-proxy"),
                                             ("reference_impl.kubelet.run", "kubelet")])
def test_a_components_user_agent_names_the_upstream_binary_it_stands_in_for(monkeypatch, module, command):
    """The apiserver names a field manager after the user agent's command, so the reference
    controller-manager's writes are managed by "kube-controller-manager", as the real one's are
    (seen in the managedFields of the Deployments, ReplicaSets, Pods, Endpoints, EndpointSlices and
    ConfigMaps it wrote against the real 1.24 apiserver)."""
    import importlib.machinery
    import types
    main = types.ModuleType("__main__")
    main.__spec__ = importlib.machinery.ModuleSpec(module, None)
    monkeypatch.setitem(sys.modules, "__main__", main)
    from reference_impl.client.rest import default_user_agent
    assert default_user_agent().startswith(f"{command}/v0.0.0 (")
