"""APIServices (apiregistration.k8s.io/v1) through the handler chain on the reference etcd: the
local APIServices autoregister keeps for every served group version, kube-aggregator's validation
and defaults, and the aggregator's table. Messages are the real 1.24 server's, word for word.
One rule per test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.run import served_group_versions
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.kinds import apiservice
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, TABLE, call, etcd  # noqa: F401 (etcd: a fixture)

from cluster import Cluster, control_plane  # noqa: F401  (fixture)

SERVICES = "/apis/apiregistration.k8s.io/v1/apiservices"


@pytest.fixture(scope="module")
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    bootstrappolicy.ensure_local_api_services(registry, served_group_versions())
    yield registry
    registry.close()


@pytest.fixture(scope="module")
def chain(registry):
    return HandlerChain(registry, now=lambda: NOW + 90)


def create(chain, name: str, **spec) -> tuple[int, dict]:
    return call(chain, "POST", SERVICES, {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                                          "metadata": {"name": name}, "spec": spec})


def test_every_served_group_version_has_a_local_api_service_with_upstreams_priorities(chain, registry):
    """autoregister's `onstart` APIServices: named version.group (`v1.` for the core group), no
    service, the priorities of apiVersionPriorities, Available True Local; a restart creates none."""
    code, listed = call(chain, "GET", SERVICES)
    services = {s["metadata"]["name"]: s for s in listed["items"]}
    assert "v1.apiregistration.k8s.io" not in services  # the aggregator's own group has none
    assert {"v1.", "v1.apps", "v2.autoscaling", "v1beta1.storage.k8s.io", "v1.apiextensions.k8s.io"} <= set(services)
    assert services["v1."]["spec"] == {"version": "v1", "groupPriorityMinimum": 18000, "versionPriority": 1}
    assert services["v1.apps"]["spec"] == {"group": "apps", "version": "v1", "groupPriorityMinimum": 17800,
                                           "versionPriority": 15}
    assert services["v1.apps"]["metadata"]["labels"] == {"kube-aggregator.kubernetes.io/automanaged": "onstart"}
    condition = services["v1.apps"]["status"]["conditions"][0]
    assert {k: condition[k] for k in ("type", "status", "reason", "message")} == {
        "type": "Available", "status": "True", "reason": "Local", "message": "Local APIServices are always available"}
    assert bootstrappolicy.ensure_local_api_services(registry, served_group_versions()) == []


def test_a_group_version_not_in_the_priority_table_gets_no_api_service():
    assert apiservice.local_api_services([("apps", "v1"), ("example.com", "v1")]) == [
        apiservice.local_api_service("apps", "v1")]


def test_kubectls_table_says_local_and_available(chain):
    """SERVICE is Local for a local APIService, namespace/name for another; AVAILABLE the
    condition's status, Unknown without one."""
    code, table = call(chain, "GET", f"{SERVICES}/v1.apps", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Service", "Available", "Age"]
    assert table["rows"][0]["cells"][:3] == ["v1.apps", "Local", "True"]
    assert apiservice.api_service_row({"metadata": {"name": "x"}, "spec": {"service": {"namespace": "n", "name": "s"}},
                                       "status": {"conditions": [{"type": "Available", "status": "False",
                                                                  "reason": "ServiceNotFound"}]}}, NOW)[1:3] == [
        "n/s", "False (ServiceNotFound)"]


def test_a_create_is_stored_with_port_443_and_no_status(chain):
    """SetDefaults_ServiceReference gives the port 443; PrepareForCreate drops the status sent."""
    code, created = call(chain, "POST", SERVICES, {
        "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1alpha1.example.com"},
        "spec": {"group": "example.com", "version": "v1alpha1", "groupPriorityMinimum": 1000, "versionPriority": 15,
                 "service": {"namespace": "default", "name": "ex"}},
        "status": {"conditions": [{"type": "Available", "status": "True"}]}})
    assert code == 201, created
    assert created["spec"]["service"] == {"namespace": "default", "name": "ex", "port": 443}
    assert created["status"] == {}


def test_an_aggregated_api_is_discovered_but_its_service_unavailable(chain):
    """The aggregator lists an APIService naming a service in /apis (by its priorities, here last),
    at /apis/<group> and in /; its proxy answers http.Error's plain 503 for the group version and
    everything under it, as the real server does while the service is not available (here it
    never is); once deleted, the group is Go's plain 404 again."""
    code, _ = create(chain, "v1beta1.metrics.k8s.io", group="metrics.k8s.io", version="v1beta1",
                     groupPriorityMinimum=100, versionPriority=100, service={"namespace": "kube-system",
                                                                              "name": "metrics-server"})
    assert code == 201
    version = {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}
    assert call(chain, "GET", "/apis")[1]["groups"][-1] == {
        "name": "metrics.k8s.io", "versions": [version], "preferredVersion": version}
    assert call(chain, "GET", "/apis/metrics.k8s.io")[1]["preferredVersion"] == version
    assert "/apis/metrics.k8s.io/v1beta1" in call(chain, "GET", "/")[1]["paths"]
    for path in ("/apis/metrics.k8s.io/v1beta1", "/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/p"):
        assert call(chain, "GET", path) == (503, b"service unavailable\n")
    assert call(chain, "GET", "/apis/metrics.k8s.io/v2")[0] == 404
    assert call(chain, "DELETE", f"{SERVICES}/v1beta1.metrics.k8s.io")[0] == 200
    assert call(chain, "GET", "/apis/metrics.k8s.io") == (404, b"404 page not found\n")


def test_an_aggregated_version_of_a_built_in_group_is_listed_with_it_and_proxied(chain):
    """A remote v2.apps is one more APIService of the group: /apis and /apis/apps list it before
    v1 (equal version priority, then Kubernetes' version order), its group version and what is
    under it are the proxy's 503, and apps/v1 is still served here (as the real 1.24 server
    answered the same APIService)."""
    code, _ = create(chain, "v2.apps", group="apps", version="v2", groupPriorityMinimum=1000, versionPriority=15,
                     service={"namespace": "default", "name": "foo"})
    assert code == 201
    try:
        v2, v1 = ({"groupVersion": f"apps/{v}", "version": v} for v in ("v2", "v1"))
        apps = {"name": "apps", "versions": [v2, v1], "preferredVersion": v2}
        assert [g for g in call(chain, "GET", "/apis")[1]["groups"] if g["name"] == "apps"] == [apps]
        assert call(chain, "GET", "/apis/apps")[1] == {"kind": "APIGroup", "apiVersion": "v1", **apps}
        for path in ("/apis/apps/v2", "/apis/apps/v2/deployments"):
            assert call(chain, "GET", path) == (503, b"service unavailable\n")
        assert call(chain, "GET", "/apis/apps/v1/namespaces/default/deployments")[0] == 200
    finally:
        call(chain, "DELETE", f"{SERVICES}/v2.apps")


def test_apiservices_are_listed_at_most_once_a_request_and_never_for_a_served_version(chain, registry, monkeypatch):
    """Only a path the aggregator might proxy (a group version not served here) or a discovery
    document listing aggregated APIs reads the APIServices, once."""
    listed = []
    monkeypatch.setattr(registry, "list", lambda plural, *a, **k: listed.append(plural) or Registry.list(
        registry, plural, *a, **k))
    for path, reads in (("/apis/apps/v1/namespaces/default/deployments", 0), ("/apis/apps/v1", 0), ("/apis", 1),
                        ("/apis/apps", 1), ("/", 1), ("/apis/unknown.example.com/v1/things", 1),
                        ("/apis/apps/v9", 1)):
        listed.clear()
        call(chain, "GET", path)
        assert listed.count("apiservices") == reads, path


def test_a_request_for_a_served_resource_walks_no_list_of_served_resources(chain, monkeypatch):
    """A resource found at its group version is served here, so no aggregated API can hold that
    version: the request skips is_aggregated's walk of every served resource (some 20 us a POST
    of an events.k8s.io Event); a version with no resource here still takes it, and gets its 404."""
    walks, served = [], HandlerChain.served.fget
    monkeypatch.setattr(HandlerChain, "served", property(lambda self: walks.append(1) or served(self)))
    assert call(chain, "GET", "/apis/events.k8s.io/v1/namespaces/default/events")[0] == 200
    assert walks == []
    assert call(chain, "GET", "/apis/events.k8s.io/v9/namespaces/default/events")[0] == 404
    assert walks


def test_a_local_api_service_is_refused_in_the_real_servers_words(chain):
    """The name must be version.group, the group a subdomain, the version a DNS-1035 label, the
    priorities in bounds; a local one has no caBundle and does not skip TLS verification."""
    code, status = create(chain, "bad", group="Foo_", version="1x", groupPriorityMinimum=0, versionPriority=1001,
                          caBundle="YWJj", insecureSkipTLSVerify=True)
    assert code == 422
    assert status["message"] == (
        'APIService.apiregistration.k8s.io "bad" is invalid: [metadata.name: Invalid value: "bad": must be '
        '`spec.version+"."+spec.group`: "1x.Foo_", spec.group: Invalid value: "Foo_": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), spec.version: Invalid value: \"1x\": "
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
        "validation is '[a-z]([-a-z0-9]*[a-z0-9])?'), spec.groupPriorityMinimum: Invalid value: 0: must be "
        "positive and less than 20000, spec.versionPriority: Invalid value: 1001: must be positive and less than "
        '1000, spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle, '
        "spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify]")


def test_a_service_backed_api_service_is_refused_in_the_real_servers_words(chain):
    """Only v1 may have no group; a service needs its namespace, name and a valid port; TLS
    verification is skipped only without a caBundle."""
    code, status = create(chain, "v1.x.y", group="", version="v2", groupPriorityMinimum=10, versionPriority=1,
                          service={"port": 0}, caBundle="YWJj", insecureSkipTLSVerify=True)
    assert code == 422
    assert status["message"] == (
        'APIService.apiregistration.k8s.io "v1.x.y" is invalid: [metadata.name: Invalid value: "v1.x.y": must be '
        '`spec.version+"."+spec.group`: "v2.", spec.group: Required value: only v1 may have an empty group and it '
        "better be legacy kube, spec.service.namespace: Required value, spec.service.name: Required value, "
        "spec.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive, "
        "spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present]")


def test_a_body_of_another_kind_is_refused_by_the_aggregators_scheme(chain):
    code, status = call(chain, "POST", SERVICES, {"apiVersion": "v1", "kind": "APIService", "metadata": {"name": "x"}})
    assert (code, status["message"]) == (400, 'APIService in version "v1" cannot be handled as a APIService: no kind '
                                              '"APIService" is registered for version "v1" in scheme '
                                              '"k8s.io/kube-aggregator/pkg/apiserver/scheme/scheme.go:32"')


def test_a_status_update_keeps_the_spec_and_checks_each_condition_status(chain):
    code, stored = call(chain, "GET", f"{SERVICES}/v1.batch")
    stored["status"]["conditions"][0]["status"] = "Maybe"
    code, status = call(chain, "PUT", f"{SERVICES}/v1.batch/status", stored)
    assert (code, status["message"]) == (422, 'APIService.apiregistration.k8s.io "v1.batch" is invalid: '
                                              'status.conditions[0].status: Unsupported value: "Maybe": supported '
                                              'values: "True", "False", "Unknown"')


def test_kubectl_get_apiservices_prints_local_and_available(control_plane: Cluster):  # noqa: F811
    """`kubectl get apiservices` as against the real server: v1.apps Local True."""
    result = control_plane.kubectl("get", "apiservices")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SERVICE", "AVAILABLE", "AGE"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert rows["v1.apps"] == rows["v1."] == ["Local", "True"]
