"""ResourceQuota admission through the handler chain, as Kubernetes 1.24 enables it by default:
creates in a namespace with quotas are charged to the quotas' status.used, and refused with
admission/plugin/resourcequota's words when that would go over a hard limit."""
from __future__ import annotations

import json
import threading
import time

from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver.test_namespace_lifecycle import call, chain, ns  # noqa: F401 (fixtures)


def quota(chain, ns: str, hard: dict, used: dict | None = None, name: str = "compute") -> None:
    """A quota whose status the resource quota controller has computed (`used`, else all zero)."""
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard}}
    code, created = call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas", body)
    assert code == 201, created
    created["status"] = {"hard": hard, "used": used if used is not None else {k: "0" for k in hard}}
    assert call(chain, "PUT", f"/api/v1/namespaces/{ns}/resourcequotas/{name}/status", created)[0] == 200


def used(chain, ns: str, name: str = "compute") -> dict:
    return call(chain, "GET", f"/api/v1/namespaces/{ns}/resourcequotas/{name}")[1]["status"]["used"]


def pod(name: str, **resources) -> dict:
    container = {"name": "app", "image": "nginx", **({"resources": resources} if resources else {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [container]}}


def create(chain, ns: str, obj: dict, plural: str = "pods"):
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/{plural}", obj)


def test_a_create_is_charged_to_the_quota(chain, ns):
    """An admitted pod raises status.used of every resource the quota tracks."""
    quota(chain, ns, {"pods": "2", "requests.cpu": "1"})
    assert create(chain, ns, pod("a", requests={"cpu": "250m"}))[0] == 201
    assert used(chain, ns) == {"pods": "1", "requests.cpu": "250m"}


def test_going_over_the_hard_limit_is_forbidden(chain, ns):
    """The refusal names the quota and what was requested, used and limited."""
    quota(chain, ns, {"pods": "2"}, {"pods": "2"})
    code, status = create(chain, ns, pod("c"))
    assert (code, status["message"]) == (403, 'pods "c" is forbidden: exceeded quota: compute, requested: pods=1, '
                                               'used: pods=2, limited: pods=2')
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}/pods/c")[0] == 404


def test_a_compute_quota_requires_the_pod_to_set_it(chain, ns):
    """With limits.cpu in a quota, a pod whose containers set no cpu limit is refused."""
    quota(chain, ns, {"limits.cpu": "2", "requests.memory": "1Gi"})
    code, status = create(chain, ns, pod("a"))
    assert (code, status["message"]) == (403, 'pods "a" is forbidden: failed quota: compute: '
                                               'must specify limits.cpu,requests.memory')


def test_a_quota_without_status_yet_enforces_nothing(chain, ns):
    """Until the controller has written status.hard, the quota tracks nothing."""
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "new"}, "spec": {"hard": {"pods": "0"}}}
    assert call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas", body)[0] == 201
    assert create(chain, ns, pod("a"))[0] == 201


def test_status_without_usage_is_refused(chain, ns):
    """A tracked resource with a hard limit but no used value: status unknown."""
    quota(chain, ns, {"pods": "2", "count/pods": "2"}, {"pods": "0"})
    code, status = create(chain, ns, pod("a"))
    assert (code, status["message"]) == (403, 'pods "a" is forbidden: status unknown for quota: compute, '
                                               'resources: count/pods,pods')


def test_object_counts_of_other_kinds(chain, ns):
    """configmaps (a legacy name) and count/<resource>.<group> count creates of any kind."""
    quota(chain, ns, {"configmaps": "1", "count/deployments.apps": "0"})
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}}
    assert create(chain, ns, configmap, "configmaps")[0] == 201
    code, status = create(chain, ns, {**configmap, "metadata": {"name": "two"}}, "configmaps")
    assert (code, status["message"]) == (403, 'configmaps "two" is forbidden: exceeded quota: compute, '
                                               'requested: configmaps=1, used: configmaps=1, limited: configmaps=1')
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    code, status = call(chain, "POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment)
    assert (code, status["message"]) == (403, 'deployments.apps "web" is forbidden: exceeded quota: compute, '
                                               'requested: count/deployments.apps=1, used: count/deployments.apps=0, '
                                               'limited: count/deployments.apps=0')


def test_a_dry_run_create_charges_nothing(chain, ns):
    """A dry run is checked against the quota but does not raise its usage."""
    quota(chain, ns, {"pods": "1"})
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = chain.handle(Request("POST", f"/api/v1/namespaces/{ns}/pods", {"dryRun": ["All"]}, headers,
                                    json.dumps(pod("a")).encode()))
    assert response.code == 201
    assert used(chain, ns) == {"pods": "0"}


def test_concurrent_creates_do_not_both_take_the_last_slot(chain, ns):
    """The quota's status is written at the resourceVersion the check read: of creates racing
    for one slot, exactly one passes."""
    quota(chain, ns, {"pods": "1"})
    codes = []
    threads = [threading.Thread(target=lambda i=i: codes.append(create(chain, ns, pod(f"p{i}"))[0])) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 403, 403, 403]
    assert used(chain, ns) == {"pods": "1"}


def service(name: str, service_type: str = "ClusterIP") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": service_type, "ports": [{"port": 80}]}}


def change_type(chain, ns: str, name: str, service_type: str):
    _, current = call(chain, "GET", f"/api/v1/namespaces/{ns}/services/{name}")
    current["spec"]["type"] = service_type
    return call(chain, "PUT", f"/api/v1/namespaces/{ns}/services/{name}", current)


def test_a_service_updated_to_a_load_balancer_is_charged(chain, ns):
    """The service evaluator handles updates as well as creates, since a service's type can
    change: a ClusterIP service turned LoadBalancer is refused by a quota of no load balancers."""
    quota(chain, ns, {"services.loadbalancers": "0"})
    assert create(chain, ns, service("web"), "services")[0] == 201
    code, status = change_type(chain, ns, "web", "LoadBalancer")
    assert (code, status["message"]) == (403, 'services "web" is forbidden: exceeded quota: compute, requested: '
                                               'services.loadbalancers=1, used: services.loadbalancers=0, '
                                               'limited: services.loadbalancers=0')
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}/services/web")[1]["spec"]["type"] == "ClusterIP"


def test_an_update_is_charged_only_what_it_adds(chain, ns):
    """On an update the charge is the new usage less the old (never below zero): the service
    itself was paid for at its create, its node port is charged now."""
    quota(chain, ns, {"services": "1", "services.nodeports": "1"})
    assert create(chain, ns, service("web"), "services")[0] == 201
    assert used(chain, ns) == {"services": "1", "services.nodeports": "0"}
    assert change_type(chain, ns, "web", "NodePort")[0] == 200
    assert used(chain, ns) == {"services": "1", "services.nodeports": "1"}


def affine(name: str, term: dict, kind: str = "podAffinity", preferred: bool = False) -> dict:
    term = {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone", **term}
    rules = ({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": term}]}
             if preferred else {"requiredDuringSchedulingIgnoredDuringExecution": [term]})
    created = pod(name)
    created["spec"]["affinity"] = {kind: rules}
    return created


def test_a_cross_namespace_pod_affinity_scope_limits_pods_that_look_at_other_namespaces(chain, ns):
    """The CrossNamespacePodAffinity scope matches a pod one of whose (anti-)affinity terms names
    namespaces (its own too) or has a namespace selector, even an empty one; a term of neither
    looks only at the pod's namespace. The real 1.24 server refuses the first three."""
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "cross"},
            "spec": {"hard": {"pods": "0"},
                     "scopeSelector": {"matchExpressions": [{"scopeName": "CrossNamespacePodAffinity",
                                                             "operator": "Exists"}]}}}
    code, created = call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas", body)
    assert code == 201, created
    created["status"] = {"hard": {"pods": "0"}, "used": {"pods": "0"}}
    assert call(chain, "PUT", f"/api/v1/namespaces/{ns}/resourcequotas/cross/status", created)[0] == 200
    refused = 'pods "{}" is forbidden: exceeded quota: cross, requested: pods=1, used: pods=0, limited: pods=0'
    for name, term, extra in (("listed", {"namespaces": [ns]}, {}), ("selecting", {"namespaceSelector": {}}, {}),
                              ("avoiding", {"namespaces": ["other"]}, {"kind": "podAntiAffinity", "preferred": True})):
        code, status = create(chain, ns, affine(name, term, **extra))
        assert (code, status["message"]) == (403, refused.format(name))
    assert create(chain, ns, affine("local", {}))[0] == 201


# The User-Agent headers the real kube-controller-manager 1.24 sent (recorded against the reference
# cluster): the resource quota controller's status update and the replicaset controller's pod create.
QUOTA_CONTROLLER_AGENT = ("kube-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/"
                          "system:serviceaccount:kube-system:resourcequota-controller")
REPLICASET_CONTROLLER_AGENT = ("kube-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/"
                               "system:serviceaccount:kube-system:replicaset-controller")


def agent_call(chain, method: str, path: str, body: dict, agent: str):
    headers = {"Accept": "application/json", "Content-Type": "application/json", "User-Agent": agent}
    response = chain.handle(Request(method, path, {}, headers, json.dumps(body).encode()))
    return response.code, json.loads(response.body)


def test_the_charge_is_recorded_as_the_loopback_clients_status_update(chain, ns):
    """The real 1.24 kube-apiserver charges a quota through its loopback client, whose requests carry
    Go's own User-Agent: after a pod create the quota's managedFields hold a "Go-http-client"
    Update entry of the status subresource owning the used values it changed (seen on the real
    server next to the controller-manager's status entry), not only the controller's entry."""
    hard = {"pods": "4", "requests.cpu": "2"}
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": hard}}
    code, created = agent_call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas", body, "kubectl/v1.27.4")
    assert code == 201, created
    created["status"] = {"hard": hard, "used": {"pods": "0", "requests.cpu": "0"}}
    assert agent_call(chain, "PUT", f"/api/v1/namespaces/{ns}/resourcequotas/q/status", created,
                      QUOTA_CONTROLLER_AGENT)[0] == 200
    assert agent_call(chain, "POST", f"/api/v1/namespaces/{ns}/pods", pod("a", requests={"cpu": "100m"}),
                      REPLICASET_CONTROLLER_AGENT)[0] == 201
    entries = call(chain, "GET", f"/api/v1/namespaces/{ns}/resourcequotas/q")[1]["metadata"]["managedFields"]
    by_manager = {entry["manager"]: entry for entry in entries}
    assert set(by_manager) == {"kubectl", "kube-controller-manager", "Go-http-client"}
    charge = by_manager["Go-http-client"]
    assert (charge["operation"], charge.get("subresource"), charge["fieldsV1"]) == (
        "Update", "status", {"f:status": {"f:used": {"f:pods": {}, "f:requests.cpu": {}}}})


def test_a_quota_with_an_exponent_of_millions_is_answered_at_once(chain, ns):
    """A quota's hard limits of 1e9999999 and 1e-9999999 are stored as kube-apiserver 1.24 wrote
    them (1e-9999999 rounded up to 1n, then to a milli by the defaults), and a pod charged to them
    is admitted, in well under a second; an exponent past an int64 is no quantity. Upstream itself
    takes seconds here, and minutes on 9e999999999, working out 10**n."""
    started = time.process_time()
    hard = {"requests.cpu": "1e9999999", "limits.cpu": "9e999999999", "requests.memory": "1e-9999999"}
    code, created = call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas",
                         {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "far"}, "spec": {"hard": hard}})
    assert (code, created["spec"]["hard"]) == (201, {**hard, "requests.memory": "1e-3"})
    code, created = create(chain, ns, pod("a", requests={"cpu": "1e9999999"}, limits={"cpu": "9e999999999"}))
    assert code == 201 and created["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "1e9999999"
    code, status = call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas",
                        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "past"},
                         "spec": {"hard": {"cpu": "1e99999999999999999999"}}})
    assert code == 400 and status["message"].endswith("unable to parse quantity's suffix"), status
    assert time.process_time() - started < 1.0
