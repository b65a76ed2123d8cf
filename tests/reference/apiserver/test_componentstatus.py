"""`componentstatuses`: upstream's servers under upstream's names, each probed on request, the
probe's outcome as a Healthy condition, served get and list only with the deprecation warning.
The handler tests inject the probe; the probe tests and the kubectl test use real sockets."""
from __future__ import annotations

import http.server
import json
import threading

import pytest

from reference_impl.apiserver.adapter.probe import http_probe
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import componentstatus
from reference_impl.apiserver.core.componentstatus import FAILURE, SUCCESS, WARNING, ProbeOutcome
from reference_impl.apiserver.core.handlers import Request

import cluster
from cluster import Cluster

control_plane = cluster.control_plane  # the module's fixture, used by name

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
ETCD = "http://127.0.0.1:2379"
REFUSED = 'Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: connection refused'


def fake_probe(url: str) -> ProbeOutcome:
    if url == ETCD + "/health":
        return ProbeOutcome(SUCCESS, '{"health":"true"}')
    if url.endswith(":10257/healthz"):
        return ProbeOutcome(SUCCESS, "ok")
    return ProbeOutcome(FAILURE, REFUSED)


@pytest.fixture
def chain():
    return HandlerChain(None, etcd_servers=[ETCD], probe=fake_probe)


def call(chain, method: str, path: str, query: dict | None = None, accept: str = "application/json"):
    response = chain.handle(Request(method, path, {k: [v] for k, v in (query or {}).items()},
                                    {"Accept": accept}, b""))
    return response.code, json.loads(response.body), response.warnings


def test_servers_are_upstreams_fixed_addresses_and_one_etcd_per_server():
    """The scheduler on 10259, the controller-manager on 10257 (HTTPS), etcd-<i> per --etcd-servers URL."""
    servers = componentstatus.servers_to_validate(["http://127.0.0.1:1", "http://127.0.0.1:2/"])
    assert {name: s.url for name, s in servers.items()} == {
        "controller-manager": "https://127.0.0.1:10257/healthz", "scheduler": "https://127.0.0.1:10259/healthz",
        "etcd-0": "http://127.0.0.1:1/health", "etcd-1": "http://127.0.0.1:2/health"}


@pytest.mark.parametrize("body,problem", [
    ('{"health":"true"}', None),
    ('{"health":"false","reason":"NOSPACE"}', "Unhealthy status: false"),
    ("{}", "Unhealthy status: "),
    ("", "unexpected end of JSON input"),
    ("ok", "invalid character 'o' looking for beginning of value"),
])
def test_etcd_health_must_be_the_string_true(body, problem):
    """EtcdHealthCheck: the body's `health` must be "true", in its words when not."""
    assert componentstatus.etcd_health_problem(body) == problem


def test_a_body_that_does_not_validate_is_a_failure_with_the_body_as_message_and_the_reason_as_error():
    server = componentstatus.Server(ETCD + "/health", componentstatus.etcd_health_problem)
    status = componentstatus.component_status("etcd-0", server, lambda url: ProbeOutcome(SUCCESS, '{"health":"false"}'))
    assert status["conditions"] == [{"type": "Healthy", "status": "False", "message": '{"health":"false"}',
                                     "error": "Unhealthy status: false"}]


@pytest.mark.parametrize("result,status", [(SUCCESS, "True"), (FAILURE, "False"), (WARNING, "Unknown")])
def test_the_probe_result_is_the_condition_status(result, status):
    assert componentstatus.to_condition_status(result) == status


def test_list_probes_every_server_and_sends_the_deprecation_warning(chain):
    """A list holds one status per server, each a Healthy condition from its probe."""
    code, body, warnings = call(chain, "GET", "/api/v1/componentstatuses")
    assert code == 200 and warnings == ["v1 ComponentStatus is deprecated in v1.19+"]
    assert (body["kind"], body["metadata"]) == ("ComponentStatusList", {})
    assert all(set(item) == {"metadata", "conditions"} for item in body["items"])  # as a list's items are encoded
    assert {item["metadata"]["name"]: item["conditions"][0] for item in body["items"]} == {
        "controller-manager": {"type": "Healthy", "status": "True", "message": "ok"},
        "scheduler": {"type": "Healthy", "status": "False", "message": REFUSED},
        "etcd-0": {"type": "Healthy", "status": "True", "message": '{"health":"true"}'}}


def test_get_of_one_component_and_of_an_unknown_one(chain):
    """Get probes one server; a name that is none is upstream's plain error, which the real 1.24
    server answers with a 500, no reason: the client's mistake, a 400 here."""
    code, body, _ = call(chain, "GET", "/api/v1/componentstatuses/etcd-0")
    assert (code, body["metadata"], body["conditions"][0]["status"]) == (200, {"name": "etcd-0", "creationTimestamp": None}, "True")
    code, body, warnings = call(chain, "GET", "/api/v1/componentstatuses/nope")
    assert (code, body.get("reason"), body["message"]) == (400, "BadRequest", "Component not found: nope")
    assert warnings == ["v1 ComponentStatus is deprecated in v1.19+"]


@pytest.mark.parametrize("query,accept,code,message", [
    ({"export": "true"}, "application/json", 400, "the export parameter, deprecated since v1.14, is no longer supported"),
    ({}, "application/xml", 406, "406: Not Acceptable"),
    ({}, "application/json;as=Nope;g=meta.k8s.io;v=v1", 406, "only the following media types are accepted: "
     "application/json, application/yaml, application/vnd.kubernetes.protobuf")])
def test_a_get_refuses_export_and_an_accept_before_it_looks_for_the_component(chain, query, accept, code, message):
    """The route's Accept (go-restful's 406), the handler's negotiation and GetResource's export
    check come before the component is looked for (the real 1.24 server, request_random_differential)."""
    answer, body, _ = call(chain, "GET", "/api/v1/componentstatuses/nope", query, accept=accept)
    assert (answer, body["message"]) == (code, message)


def test_a_list_decodes_its_list_options(chain):
    """ListResource decodes the ListOptions before it lists: a limit that is no number is a 400."""
    code, body, _ = call(chain, "GET", "/api/v1/componentstatuses", {"limit": "abc"})
    assert (code, body["message"]) == (400, 'strconv.ParseInt: parsing "abc": invalid syntax')


def test_list_filters_by_field_selector_and_refuses_unknown_fields(chain):
    code, body, _ = call(chain, "GET", "/api/v1/componentstatuses", {"fieldSelector": "metadata.name=etcd-0"})
    assert [item["metadata"]["name"] for item in body["items"]] == ["etcd-0"]
    code, body, _ = call(chain, "GET", "/api/v1/componentstatuses", {"fieldSelector": "spec.x=etcd-0"})
    assert (code, body["message"]) == (
        400, '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"')


def test_watch_create_and_namespaced_paths_are_refused_as_upstream_refuses_them(chain):
    code, body, _ = call(chain, "GET", "/api/v1/componentstatuses", {"watch": "1"})
    assert (code, body["message"]) == (405, 'watch is not supported on resources of kind "componentstatuses"')
    code, body, warnings = call(chain, "POST", "/api/v1/componentstatuses")
    assert (code, body["reason"], warnings) == (405, "MethodNotAllowed", [])
    code, _, _ = call(chain, "GET", "/api/v1/namespaces/default/componentstatuses")
    assert code == 404


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/watch/componentstatuses"),
                                         ("GET", "/api/v1/watch/componentstatuses/etcd-0"),
                                         ("POST", "/api/v1/watch/componentstatuses")])
def test_the_watch_prefix_has_no_route_for_componentstatuses(chain, method, path):
    """The installer adds /watch/ routes only for a resource that watches: a 404, where ?watch
    on the list route is the handler's 405 (the real 1.24 server)."""
    code, _, warnings = call(chain, method, path)
    assert (code, warnings) == (404, [])


def test_componentstatuses_are_served_under_api_only(chain):
    """`/apis//v1/componentstatuses` names the legacy group's kind under the groups' prefix: the mux's
    plain 404 page, as for any other core kind there (the real 1.24 server)."""
    response = chain.handle(Request("GET", "/apis//v1/componentstatuses", {}, {"Accept": "application/json"}, b""))
    assert (response.code, response.body) == (404, b"404 page not found\n")


def test_table_has_printers_columns_and_unhealthy_for_a_false_condition(chain):
    code, table, _ = call(chain, "GET", "/api/v1/componentstatuses", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Status", "Message", "Error"]
    assert [row["cells"][:2] for row in table["rows"]] == [
        ["controller-manager", "Healthy"], ["scheduler", "Unhealthy"], ["etcd-0", "Healthy"]]
    code, table, _ = call(chain, "GET", "/api/v1/componentstatuses/etcd-0", accept=TABLE)
    assert table["metadata"] == {}


def test_discovery_lists_componentstatuses_get_and_list_with_short_name_cs(chain):
    code, body, _ = call(chain, "GET", "/api/v1")
    entry = next(r for r in body["resources"] if r["name"] == "componentstatuses")
    assert (entry["verbs"], entry["shortNames"], entry["namespaced"]) == (["get", "list"], ["cs"], False)


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"health":"true"}' if self.path == "/health" else b"no"
        self.send_response(200 if self.path == "/health" else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_http_probe_reads_the_body_and_words_a_refused_connection_as_go_does():
    """A 2xx is a success with its body, another code a failure naming it; a dial that is refused
    is a failure whose message is Go's client error."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        assert http_probe(f"http://127.0.0.1:{port}/health") == ProbeOutcome(SUCCESS, '{"health":"true"}')
        assert http_probe(f"http://127.0.0.1:{port}/other") == ProbeOutcome(
            FAILURE, "HTTP probe failed with statuscode: 503")
    finally:
        server.shutdown()
        server.server_close()
    assert http_probe(f"https://127.0.0.1:{port}/healthz") == ProbeOutcome(
        FAILURE, f'Get "https://127.0.0.1:{port}/healthz": dial tcp 127.0.0.1:{port}: connect: connection refused')


def test_kubectl_get_cs_prints_each_component_with_the_deprecation_warning(control_plane: Cluster):  # noqa: F811
    """`kubectl get cs`: NAME STATUS MESSAGE ERROR, upstream's three names, and kubectl's warning
    from the server's Warning header. Real etcd answers /health on its client URL: Healthy."""
    result = control_plane.kubectl("get", "cs")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "MESSAGE", "ERROR"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert set(rows) == {"scheduler", "controller-manager", "etcd-0"}
    if control_plane.storage == "etcd":
        assert rows["etcd-0"] == "Healthy"
    assert "Warning: v1 ComponentStatus is deprecated in v1.19+" in result.stderr
