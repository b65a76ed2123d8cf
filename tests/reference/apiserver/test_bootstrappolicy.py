"""The default RBAC policy a kube-apiserver 1.24 reconciles at start (the rbac/bootstrap-roles
post-start hook): which roles and bindings exist, what the user-facing roles grant once the
clusterrole-aggregation controller has filled them, and how a restart reconciles what it finds.
Sans-IO through the handler chain, over a reference etcd of this module's own."""
from __future__ import annotations

import io
import ipaddress
import json
import socket
import time

import pytest
from aetcd.rpc import rpc_pb2

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import bootstrappolicy, endpointreconciler
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.auth import UserInfo
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from reference_impl.apiserver.core.registry import Registry
from reference_impl.controller_manager import clusterroleaggregation
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver import test_handlers

etcd = test_handlers.etcd  # the etcd fixture, shared

NOW = 1_700_000_000.0
RBAC = "/apis/rbac.authorization.k8s.io/v1"
DEFAULTS = "kubernetes.io/bootstrapping=rbac-defaults"

# What `kubectl get clusterroles -l kubernetes.io/bootstrapping=rbac-defaults` lists on a fresh
# kube-apiserver v1.24 with its default feature gates.
CLUSTER_ROLES_1_24 = [
    "admin", "cluster-admin", "edit", "system:aggregate-to-admin", "system:aggregate-to-edit",
    "system:aggregate-to-view", "system:auth-delegator", "system:basic-user",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver", "system:certificates.k8s.io:legacy-unknown-approver",
    "system:controller:attachdetach-controller", "system:controller:certificate-controller",
    "system:controller:clusterrole-aggregation-controller", "system:controller:cronjob-controller",
    "system:controller:daemon-set-controller", "system:controller:deployment-controller",
    "system:controller:disruption-controller", "system:controller:endpoint-controller",
    "system:controller:endpointslice-controller", "system:controller:endpointslicemirroring-controller",
    "system:controller:ephemeral-volume-controller", "system:controller:expand-controller",
    "system:controller:generic-garbage-collector", "system:controller:horizontal-pod-autoscaler",
    "system:controller:job-controller", "system:controller:namespace-controller",
    "system:controller:node-controller", "system:controller:persistent-volume-binder",
    "system:controller:pod-garbage-collector", "system:controller:pv-protection-controller",
    "system:controller:pvc-protection-controller", "system:controller:replicaset-controller",
    "system:controller:replication-controller", "system:controller:resourcequota-controller",
    "system:controller:root-ca-cert-publisher", "system:controller:route-controller",
    "system:controller:service-account-controller", "system:controller:service-controller",
    "system:controller:statefulset-controller", "system:controller:ttl-after-finished-controller",
    "system:controller:ttl-controller", "system:discovery", "system:heapster", "system:kube-aggregator",
    "system:kube-controller-manager", "system:kube-dns", "system:kube-scheduler", "system:kubelet-api-admin",
    "system:monitoring", "system:node", "system:node-bootstrapper", "system:node-problem-detector",
    "system:node-proxier", "system:persistent-volume-provisioner", "system:public-info-viewer",
    "system:service-account-issuer-discovery", "system:volume-scheduler", "view",
]
CONTROLLERS_1_24 = [name for name in CLUSTER_ROLES_1_24 if name.startswith("system:controller:")]
CLUSTER_ROLE_BINDINGS_1_24 = sorted([
    "cluster-admin", "system:basic-user", "system:discovery", "system:kube-controller-manager", "system:kube-dns",
    "system:kube-scheduler", "system:monitoring", "system:node", "system:node-proxier",
    "system:public-info-viewer", "system:service-account-issuer-discovery", "system:volume-scheduler",
    *CONTROLLERS_1_24,
])
KUBE_SYSTEM_ROLES_1_24 = [
    "extension-apiserver-authentication-reader", "system::leader-locking-kube-controller-manager",
    "system::leader-locking-kube-scheduler", "system:controller:bootstrap-signer",
    "system:controller:cloud-provider", "system:controller:token-cleaner",
]
KUBE_SYSTEM_ROLE_BINDINGS_1_24 = [
    "system::extension-apiserver-authentication-reader", "system::leader-locking-kube-controller-manager",
    "system::leader-locking-kube-scheduler", "system:controller:bootstrap-signer",
    "system:controller:cloud-provider", "system:controller:token-cleaner",
]
KUBE_PUBLIC_1_24 = ["system:controller:bootstrap-signer"]

USERS = {"admin": UserInfo("admin", groups=("system:masters", "system:authenticated")),
         "bob": UserInfo("bob", groups=("system:authenticated",)),
         "carol": UserInfo("carol", groups=("system:authenticated",))}


class TokenIsUser:
    def authenticate(self, request):
        return USERS.get(request.header("Authorization").removeprefix("Bearer "))



@pytest.fixture
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    bootstrappolicy.ensure_system_namespaces(registry)
    bootstrappolicy.ensure_rbac_policy(registry)
    yield registry
    registry.close()


@pytest.fixture
def chain(registry):
    return HandlerChain(registry, TokenIsUser(), new_authorizer(RegistrySource(registry)), now=lambda: NOW)


def send(chain, user, method, path, body=None):
    response = chain.handle(Request(method, path, {}, {"Authorization": f"Bearer {user}",
                                                       "Content-Type": "application/json"},
                                    json.dumps(body).encode() if body is not None else b""))
    return response.code, json.loads(response.body)


def names(registry, plural, namespace=None):
    return [item["metadata"]["name"]
            for item in registry.list(plural, namespace, label_selector=DEFAULTS)["items"]]


def aggregate(registry):
    """One pass of the clusterrole-aggregation controller over every aggregated ClusterRole, its
    applies sent to the registry as the apiserver's apply handler stores them."""
    cluster_roles = registry.list("clusterroles")["items"]
    for role in cluster_roles:
        for action in clusterroleaggregation.sync_cluster_role(role["metadata"]["name"], cluster_roles):
            stored = registry.get("clusterroles", None, action.name)
            registry.update("clusterroles", None, action.name, {**stored, "rules": action.obj["rules"]})


def bind(chain, user, cluster_role, namespace):
    assert send(chain, "admin", "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})[0] in (201, 409)
    code, _ = send(chain, "admin", "POST", f"{RBAC}/namespaces/{namespace}/rolebindings",
                   {"metadata": {"name": f"{user}-{cluster_role}"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
                    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]})
    assert code in (201, 409)


# --- what exists after start ---------------------------------------------------------------------

def test_bootstrap_cluster_roles_are_kubernetes_1_24s(registry):
    """The apiserver creates the 62 ClusterRoles of 1.24's ClusterRoles() and ControllerRoles()."""
    assert names(registry, "clusterroles") == CLUSTER_ROLES_1_24


def test_bootstrap_cluster_role_bindings_are_kubernetes_1_24s(registry):
    """…and the 43 ClusterRoleBindings of ClusterRoleBindings() and ControllerRoleBindings()."""
    assert names(registry, "clusterrolebindings") == CLUSTER_ROLE_BINDINGS_1_24


def test_bootstrap_namespaced_roles_are_kubernetes_1_24s(registry):
    """NamespaceRoles and NamespaceRoleBindings: leader locking, bootstrap signer and friends in
    kube-system, the bootstrap signer's in kube-public."""
    assert names(registry, "roles", "kube-system") == KUBE_SYSTEM_ROLES_1_24
    assert names(registry, "rolebindings", "kube-system") == KUBE_SYSTEM_ROLE_BINDINGS_1_24
    assert names(registry, "roles", "kube-public") == KUBE_PUBLIC_1_24
    assert names(registry, "rolebindings", "kube-public") == KUBE_PUBLIC_1_24


def test_controller_bindings_name_the_controllers_service_accounts(registry):
    """system:controller:X is bound to the ServiceAccount kube-system/X (no apiGroup on it)."""
    binding = registry.get("clusterrolebindings", None, "system:controller:deployment-controller")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "deployment-controller",
                                    "namespace": "kube-system"}]


def test_aggregated_roles_are_stored_without_rules(registry):
    """An apiserver alone stores admin, edit and view with their aggregationRule and no rules: the
    controller-manager's aggregation controller fills them."""
    edit = registry.get("clusterroles", None, "edit")
    assert edit["aggregationRule"] == {"clusterRoleSelectors": [
        {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}]}
    assert edit["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "rbac-defaults",
                                          "rbac.authorization.k8s.io/aggregate-to-admin": "true"}
    assert edit["rules"] is None


def test_a_role_without_rules_shows_rules_null(chain):
    """`rules` is not omitempty in rbac/v1: a Role or ClusterRole written without rules is served
    (and stored) with "rules": null, as Go encodes a nil slice."""
    code, created = send(chain, "admin", "POST", f"{RBAC}/clusterroles", {
        "metadata": {"name": "gathers-nothing"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"gathers": "nothing"}}]}})
    assert (code, created["rules"]) == (201, None)
    code, created = send(chain, "admin", "POST", f"{RBAC}/namespaces/kube-public/roles",
                         {"metadata": {"name": "grants-nothing"}})
    assert (code, created["rules"]) == (201, None)


# --- what the user-facing roles grant --------------------------------------------------------------

def test_edit_in_a_namespace_lets_bob_create_a_deployment_there(chain, registry):
    """`kubectl create rolebinding --clusterrole=edit --user=bob -n team`: bob may create a
    Deployment in team."""
    aggregate(registry)
    bind(chain, "bob", "edit", "team")
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    code, _ = send(chain, "bob", "POST", "/apis/apps/v1/namespaces/team/deployments", deployment)
    assert code in (201, 409)
    assert send(chain, "bob", "GET", "/api/v1/namespaces/team/secrets")[0] == 200


def test_edit_in_a_namespace_gives_nothing_elsewhere(chain, registry):
    """…and may not read Secrets in another namespace."""
    aggregate(registry)
    bind(chain, "bob", "edit", "team")
    code, status = send(chain, "bob", "GET", "/api/v1/namespaces/kube-system/secrets")
    assert (code, status["message"]) == (403, 'secrets is forbidden: User "bob" cannot list resource "secrets" '
                                              'in API group "" in the namespace "kube-system"')


def test_view_cannot_read_secrets(chain, registry):
    """view reads the namespace's workloads, never its Secrets."""
    aggregate(registry)
    bind(chain, "carol", "view", "viewed")
    assert send(chain, "carol", "GET", "/api/v1/namespaces/viewed/pods")[0] == 200
    code, status = send(chain, "carol", "GET", "/api/v1/namespaces/viewed/secrets")
    assert (code, status["message"]) == (403, 'secrets is forbidden: User "carol" cannot list resource "secrets" '
                                              'in API group "" in the namespace "viewed"')


# --- reconciliation at the next start --------------------------------------------------------------

def test_a_second_start_writes_nothing(registry):
    """Everything already reconciled: no create, no update."""
    assert bootstrappolicy.ensure_rbac_policy(registry) == []


def test_a_missing_rule_is_added_back_and_an_extra_one_kept(registry):
    """autoupdate=true: the missing permissions are appended, one rule each as validation.Covers
    breaks them down; rules an administrator added stay."""
    role = registry.get("clusterroles", None, "system:kube-dns")
    extra = {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}
    registry.update("clusterroles", None, "system:kube-dns", {**role, "rules": [extra]})
    assert bootstrappolicy.ensure_rbac_policy(registry) == ["ClusterRole/system:kube-dns"]
    assert registry.get("clusterroles", None, "system:kube-dns")["rules"] == [
        extra, *({"verbs": [verb], "apiGroups": [""], "resources": [resource]}
                 for resource in ("endpoints", "services") for verb in ("list", "watch"))]


def test_a_role_with_autoupdate_false_is_left_alone(registry):
    """rbac.authorization.kubernetes.io/autoupdate=false protects a role from reconciliation."""
    role = registry.get("clusterroles", None, "system:heapster")
    role["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = "false"
    registry.update("clusterroles", None, "system:heapster", {**role, "rules": []})
    assert bootstrappolicy.ensure_rbac_policy(registry) == []
    assert not registry.get("clusterroles", None, "system:heapster").get("rules")
    role = registry.get("clusterroles", None, "system:heapster")
    role["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = "true"
    registry.update("clusterroles", None, "system:heapster", role)


def test_a_missing_subject_is_added_back_and_an_extra_one_kept(registry):
    """A binding gets its missing subjects appended; subjects an administrator added stay."""
    binding = registry.get("rolebindings", "kube-system", "system::leader-locking-kube-scheduler")
    carol = {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "carol"}
    registry.update("rolebindings", "kube-system", "system::leader-locking-kube-scheduler",
                    {**binding, "subjects": [carol]})
    assert bootstrappolicy.ensure_rbac_policy(registry) == [
        "RoleBinding/kube-system/system::leader-locking-kube-scheduler"]
    assert registry.get("rolebindings", "kube-system", "system::leader-locking-kube-scheduler")["subjects"] == [
        carol, {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:kube-scheduler"},
        {"kind": "ServiceAccount", "name": "kube-scheduler", "namespace": "kube-system"}]


def test_a_binding_to_another_role_is_recreated(registry):
    """roleRef is immutable: a binding whose roleRef differs is deleted and created anew."""
    registry.delete("clusterrolebindings", None, "system:kube-dns")
    registry.create("clusterrolebindings", None, {
        "metadata": {"name": "system:kube-dns"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}})
    assert bootstrappolicy.ensure_rbac_policy(registry) == ["ClusterRoleBinding/system:kube-dns"]
    binding = registry.get("clusterrolebindings", None, "system:kube-dns")
    assert binding["roleRef"]["name"] == "system:kube-dns"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kube-dns", "namespace": "kube-system"}]


def test_a_deleted_role_is_created_again(registry):
    registry.delete("clusterroles", None, "system:node-problem-detector")
    assert bootstrappolicy.ensure_rbac_policy(registry) == ["ClusterRole/system:node-problem-detector"]


def test_the_kubernetes_service_fronts_the_apiserver_on_the_first_service_ip(registry):
    """The bootstrap controller's default/kubernetes service: 443/TCP named https to the secure
    port, on the first IP of the service range, selecting no pods; written once."""
    assert bootstrappolicy.ensure_kubernetes_service(registry, 6443) is True
    service = registry.get("services", "default", "kubernetes")
    # Go writes a map's keys sorted, so the labels come back in this order (as from the real 1.24).
    assert list(service["metadata"]["labels"].items()) == [("component", "apiserver"), ("provider", "kubernetes")]
    spec = service["spec"]
    assert (spec["clusterIP"], spec["type"], spec["sessionAffinity"], "selector" in spec) == (
        "10.96.0.1", "ClusterIP", "None", False)
    assert spec["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]
    assert bootstrappolicy.ensure_kubernetes_service(registry, 6443) is False


@pytest.fixture
def reconciler(registry):
    """The lease reconciler over `registry`, with no Endpoints, EndpointSlice or lease of the
    kubernetes Service left by an earlier test; the lines it logs are in `.logged`."""
    for plural in ("endpoints", "endpointslices"):
        try:
            registry.delete(plural, "default", "kubernetes")
        except StatusError:
            pass
    leases = endpointreconciler.MasterLeases(registry.storage)
    for ip in leases.list_leases():
        leases.remove_lease(ip)
    logged: list[str] = []
    reconciler = endpointreconciler.LeaseEndpointReconciler(registry, leases, logged.append)
    reconciler.logged = logged
    return reconciler


def kubernetes_endpoints(registry, plural: str) -> list[dict]:
    return [item for item in registry.list(plural, "default")["items"] if item["metadata"]["name"] == "kubernetes"]


def published(registry) -> tuple[list, list, list]:
    """(the Endpoints' subsets, the EndpointSlice's endpoints and ports) of default/kubernetes."""
    endpoints = registry.get("endpoints", "default", "kubernetes")
    endpoint_slice = registry.get("endpointslices", "default", "kubernetes")
    return endpoints["subsets"], endpoint_slice["endpoints"], endpoint_slice["ports"]


def test_the_apiserver_publishes_its_advertised_address_as_the_kubernetes_endpoints(registry, reconciler):
    """With --advertise-address=192.0.2.2 the real 1.24 apiserver writes these Endpoints and this
    EndpointSlice (their managedFields those of kube-apiserver's Update)."""
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 24713)
    endpoints = registry.get("endpoints", "default", "kubernetes")
    assert endpoints["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert endpoints["subsets"] == [{"addresses": [{"ip": "192.0.2.2"}], "ports": [{"name": "https", "port": 24713, "protocol": "TCP"}]}]
    assert [(e["manager"], e["operation"], list(e["fieldsV1"])) for e in endpoints["metadata"]["managedFields"]] == [
        ("kube-apiserver", "Update", ["f:metadata", "f:subsets"])]
    endpoint_slice = registry.get("endpointslices", "default", "kubernetes")
    assert endpoint_slice["metadata"]["labels"] == {"kubernetes.io/service-name": "kubernetes"}
    assert (endpoint_slice["addressType"], endpoint_slice["endpoints"], endpoint_slice["ports"]) == (
        "IPv4", [{"addresses": ["192.0.2.2"], "conditions": {"ready": True}}],
        [{"name": "https", "protocol": "TCP", "port": 24713}])
    assert sorted(endpoint_slice["metadata"]["managedFields"][0]["fieldsV1"]) == [
        "f:addressType", "f:endpoints", "f:metadata", "f:ports"]
    assert reconciler.logged == ['Resetting endpoints for master service "kubernetes" to [192.0.2.2]']


def test_deleted_kubernetes_endpoints_and_slice_come_back_on_the_next_round(registry, reconciler):
    """The bootstrap controller reconciles every 10 s (checked on the real 1.24: both deleted,
    both back within 10 s, as they were)."""
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    before = published(registry)
    registry.delete("endpoints", "default", "kubernetes")
    registry.delete("endpointslices", "default", "kubernetes")
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert published(registry) == before


def test_an_edited_address_is_reset_and_an_edited_port_kept(registry, reconciler):
    """Only the addresses are reconciled (RunKubernetesService passes reconcilePorts=false): on
    the real 1.24 an Endpoints edited to 10.1.2.3:1234 came back as 192.0.2.2:1234, and the
    EndpointSlice followed it to port 1234."""
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    endpoints = registry.get("endpoints", "default", "kubernetes")
    endpoints["subsets"] = [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"name": "https", "port": 1234, "protocol": "TCP"}]}]
    registry.update("endpoints", "default", "kubernetes", endpoints)
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert published(registry) == (
        [{"addresses": [{"ip": "192.0.2.2"}], "ports": [{"name": "https", "port": 1234, "protocol": "TCP"}]}],
        [{"addresses": ["192.0.2.2"], "conditions": {"ready": True}}], [{"name": "https", "protocol": "TCP", "port": 1234}])


def test_the_endpoints_list_every_apiserver_with_a_live_lease(registry, reconciler, etcd):
    """Each apiserver keeps /registry/masterleases/<its IP> alive with a 15 s TTL (an etcd
    lease), and the Endpoints hold the IPs of all leases, sorted; a lease gone drops its IP."""
    other = endpointreconciler.LeaseEndpointReconciler(registry, reconciler.leases, lambda line: None)
    endpointreconciler.update_kubernetes_service(registry, other, "192.0.2.9", 6443)
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert [a["ip"] for a in published(registry)[0][0]["addresses"]] == ["192.0.2.2", "192.0.2.9"]
    assert [e["addresses"] for e in published(registry)[1]] == [["192.0.2.2"], ["192.0.2.9"]]
    (kv,) = etcd._call("Range", rpc_pb2.RangeRequest(key=b"/registry/masterleases/192.0.2.2")).kvs
    ttl = etcd._call("LeaseTimeToLive", rpc_pb2.LeaseTimeToLiveRequest(ID=kv.lease), service="lease").TTL
    assert 10 < ttl <= 15 + 60  # LeaseManager's lease, shared by writes in the next minute
    reconciler.leases.remove_lease("192.0.2.9")
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert published(registry)[0][0]["addresses"] == [{"ip": "192.0.2.2"}]


def test_a_loopback_advertise_address_is_refused_every_round(registry, reconciler):
    """A loopback address is refused by Endpoints validation: the real 1.24 logs, every 10 s,
    the reset it tries and why it failed, and publishes nothing."""
    for _ in range(2):
        out = io.StringIO()
        endpointreconciler.run_kubernetes_service(registry, reconciler, "127.0.0.1", 6443, out)
        assert out.getvalue() == (
            'unable to sync kubernetes service: Endpoints "kubernetes" is invalid: subsets[0].addresses[0].ip: '
            'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)\n')
    assert reconciler.logged == ['Resetting endpoints for master service "kubernetes" to [127.0.0.1]'] * 2
    assert not kubernetes_endpoints(registry, "endpoints") and not kubernetes_endpoints(registry, "endpointslices")


def test_the_loop_puts_deleted_endpoints_back_and_removes_its_lease_at_stop(registry, reconciler):
    """KubernetesServiceLoop: a round at start, then one per interval; at stop this apiserver's
    lease is deleted and, with no apiserver left, the endpoints stay as they were (upstream's
    RemoveEndpoints refuses to erase them all, and says so)."""
    from reference_impl.apiserver.adapter.run import KubernetesServiceLoop
    out = io.StringIO()
    loop = KubernetesServiceLoop(registry, "192.0.2.2", 6443, out, interval=0.05)
    try:
        before = published(registry)
        registry.delete("endpoints", "default", "kubernetes")
        deadline = time.monotonic() + 5
        while not kubernetes_endpoints(registry, "endpoints") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert published(registry) == before
    finally:
        loop.stop()
    assert reconciler.leases.list_leases() == []
    assert published(registry) == before
    assert out.getvalue().endswith(
        "Shutting down kubernetes service endpoint reconciler\nUnable to remove endpoints from kubernetes service: "
        "no master IPs were listed in storage, refusing to erase all endpoints for the kubernetes service\n")


def test_an_unnamed_endpoints_port_is_an_empty_name_in_the_slice_written_once(registry, reconciler):
    """endpointSliceFromEndpoints points the slice port's name at the Endpoints port's, so an
    unnamed one (an edited port: reconcilePorts=false keeps it) is "" there, not absent; the
    next round finds the slice equal and writes nothing (it was rewritten every 10 s)."""
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    endpoints = registry.get("endpoints", "default", "kubernetes")
    endpoints["subsets"][0]["ports"] = [{"port": 1234, "protocol": "TCP"}]
    registry.update("endpoints", "default", "kubernetes", endpoints)
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    endpoint_slice = registry.get("endpointslices", "default", "kubernetes")
    assert endpoint_slice["ports"] == [{"name": "", "protocol": "TCP", "port": 1234}]
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert registry.get("endpointslices", "default", "kubernetes")["metadata"]["resourceVersion"] == (
        endpoint_slice["metadata"]["resourceVersion"])


def test_not_ready_addresses_are_not_ready_endpoints_of_the_slice(registry, reconciler):
    """endpointSliceFromEndpoints adds the first subset's notReadyAddresses as endpoints whose
    ready condition is false, after the ready ones, keeping each address's nodeName."""
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    endpoints = registry.get("endpoints", "default", "kubernetes")
    endpoints["subsets"][0]["notReadyAddresses"] = [{"ip": "192.0.2.7", "nodeName": "n1"}]
    registry.update("endpoints", "default", "kubernetes", endpoints)
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    assert registry.get("endpointslices", "default", "kubernetes")["endpoints"] == [
        {"addresses": ["192.0.2.2"], "conditions": {"ready": True}},
        {"addresses": ["192.0.2.7"], "conditions": {"ready": False}, "nodeName": "n1"}]


STALE_DATA = ("Found stale data, removed previous endpoints on kubernetes service, apiserver didn't exit "
              "successfully previously\n")


def test_at_start_a_lease_left_by_a_crash_is_removed_first(registry, reconciler):
    """Controller.Start removes this apiserver's endpoints once (RemoveEndpoints, ports
    reconciled) before the rounds begin: a lease a crash left behind is deleted, the Endpoints
    reset to the other apiservers' IPs with the port reset, and "Found stale data" logged; the
    first round then puts this apiserver back."""
    from reference_impl.apiserver.adapter.run import KubernetesServiceLoop
    other = endpointreconciler.LeaseEndpointReconciler(registry, reconciler.leases, lambda line: None)
    endpointreconciler.update_kubernetes_service(registry, other, "192.0.2.9", 6443)
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    endpoints = registry.get("endpoints", "default", "kubernetes")
    endpoints["subsets"][0]["ports"] = [{"name": "https", "port": 1234, "protocol": "TCP"}]
    registry.update("endpoints", "default", "kubernetes", endpoints)
    out = io.StringIO()
    loop = KubernetesServiceLoop(registry, "192.0.2.2", 6443, out, interval=3600)
    try:
        assert out.getvalue() == (
            'Resetting endpoints for master service "kubernetes" to [192.0.2.9]\n' + STALE_DATA +
            'Resetting endpoints for master service "kubernetes" to [192.0.2.2 192.0.2.9]\n')
        assert published(registry)[0] == [{"addresses": [{"ip": "192.0.2.2"}, {"ip": "192.0.2.9"}],
                                           "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    finally:
        loop.stop()


def test_at_start_a_lone_apiservers_stale_lease_is_removed_and_the_refusal_logged(registry, reconciler):
    """The only apiserver restarted within its lease's 15 s: Start deletes the lease, then
    refuses to erase every endpoint (no master IPs), which it logs; with no lease at all it
    logs nothing (RemoveLease's not found)."""
    from reference_impl.apiserver.adapter.run import KubernetesServiceLoop
    endpointreconciler.update_kubernetes_service(registry, reconciler, "192.0.2.2", 6443)
    for logged in ("Error removing old endpoints from kubernetes service: no master IPs were listed in storage, "
                   "refusing to erase all endpoints for the kubernetes service\n", ""):
        out = io.StringIO()
        KubernetesServiceLoop(registry, "192.0.2.2", 6443, out, interval=3600).stop()  # the lease removed
        assert out.getvalue().split("Shutting down kubernetes service endpoint reconciler\n")[0] == logged


def test_at_stop_a_lease_already_gone_is_logged_as_the_storage_error(registry, reconciler):
    """Controller.Stop logs RemoveEndpoints' error, RemoveLease's not found included, worded as
    storage.StorageError writes it."""
    from reference_impl.apiserver.adapter.run import KubernetesServiceLoop
    out = io.StringIO()
    loop = KubernetesServiceLoop(registry, "192.0.2.2", 6443, out, interval=3600)
    reconciler.leases.remove_lease("192.0.2.2")
    loop.stop()
    assert out.getvalue().endswith(
        "Shutting down kubernetes service endpoint reconciler\nUnable to remove endpoints from kubernetes service: "
        "StorageError: key not found, Code: 1, Key: /registry/masterleases/192.0.2.2, ResourceVersion: 0, "
        "AdditionalErrorMsg: \n")


def host_interface(prefer_ipv6: bool) -> str:
    return "fd00::2" if prefer_ipv6 else "192.0.2.2"


def test_the_advertise_address_defaults_to_a_bind_address_naming_one_interface():
    from reference_impl.apiserver.adapter.run import advertise_address, parse_args
    assert advertise_address(parse_args(["--etcd-servers=e", "--cert-dir=c", "--bind-address=192.0.2.7"]),
                             host_interface) == "192.0.2.7"
    assert advertise_address(parse_args(["--etcd-servers=e", "--cert-dir=c", "--advertise-address=192.0.2.3"]),
                             host_interface) == "192.0.2.3"


@pytest.mark.parametrize("bind, chosen", [("127.0.0.1", "192.0.2.2"), ("0.0.0.0", "192.0.2.2"), ("::1", "fd00::2")])
def test_a_loopback_or_unspecified_bind_address_advertises_the_default_route_address(bind, chosen):
    """ResolveBindAddress: bound to loopback (a local cluster) or to every interface, the real
    1.24 advertises the address of the default route's interface ("external host was not
    specified, using 192.0.2.2", the Endpoints then hold it), preferring the bind address's
    family; the reference published nothing."""
    from reference_impl.apiserver.adapter.run import advertise_address, parse_args
    assert advertise_address(parse_args(["--etcd-servers=e", "--cert-dir=c", f"--bind-address={bind}"]),
                             host_interface) == chosen


def test_the_default_route_address_is_one_of_this_hosts_and_not_loopback():
    from reference_impl.apiserver.adapter.run import default_route_address
    chosen = default_route_address()
    if chosen is not None:  # a host with no default route has none, and nothing is published
        assert not ipaddress.ip_address(chosen).is_loopback
        with socket.socket(socket.AF_INET6 if ":" in chosen else socket.AF_INET, socket.SOCK_DGRAM) as bound:
            bound.bind((chosen, 0))  # an address of this host's


@pytest.mark.parametrize("unspecified", ["0.0.0.0", "::"])
def test_an_unspecified_advertise_address_counts_as_none_given(unspecified):
    """DefaultAdvertiseAddress replaces an unspecified --advertise-address as it fills a missing
    one: by the bind address when that names an interface, else the default route's."""
    from reference_impl.apiserver.adapter.run import advertise_address, parse_args
    flag = f"--advertise-address={unspecified}"
    assert advertise_address(parse_args(["--etcd-servers=e", "--cert-dir=c", flag, "--bind-address=127.0.0.1"]),
                             host_interface) == "192.0.2.2"
    assert advertise_address(parse_args(["--etcd-servers=e", "--cert-dir=c", flag, "--bind-address=192.0.2.7"]),
                             host_interface) == "192.0.2.7"


def managers(obj: dict) -> list[tuple[str, str, str]]:
    return [(entry["manager"], entry["operation"], entry["time"]) for entry in obj["metadata"]["managedFields"]]


def test_the_bootstrap_objects_are_tracked_as_their_writers_created_them(registry):
    """Each bootstrap object has the managedFields its upstream writer's create gives it (the real
    1.24 side by side: 116 of 119 the same, the rest a race between writers), so that later
    updates are tracked and an apply conflicts with the fields they own."""
    bootstrappolicy.ensure_kubernetes_service(registry, 6443)
    bootstrappolicy.ensure_system_priority_classes(registry)
    created = "2023-11-14T22:13:20Z"
    assert managers(registry.get("clusterroles", None, "view")) == [("Go-http-client", "Update", created)]
    assert managers(registry.get("rolebindings", "kube-public", "system:controller:bootstrap-signer")) == [
        ("Go-http-client", "Update", created)]
    assert managers(registry.get("namespaces", None, "kube-node-lease")) == [("kube-apiserver", "Update", created)]
    assert managers(registry.get("priorityclasses", None, "system-node-critical")) == [
        ("kube-apiserver", "Update", created)]
    service = registry.get("services", "default", "kubernetes")
    port = {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}, "f:targetPort": {}}
    assert service["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"] == {
        "f:clusterIP": {}, "f:internalTrafficPolicy": {}, "f:ipFamilyPolicy": {},
        "f:ports": {".": {}, 'k:{"port":443,"protocol":"TCP"}': port}, "f:sessionAffinity": {}, "f:type": {}}
