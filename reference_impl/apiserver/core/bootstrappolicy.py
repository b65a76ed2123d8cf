"""What a fresh kube-apiserver writes into storage before it serves: the system namespaces, the
default RBAC policy and the system PriorityClasses (upstream's post-start hooks
`start-system-namespaces-controller`, `rbac/bootstrap-roles` and
`scheduling/bootstrap-system-priority-classes`).

The RBAC policy is Kubernetes 1.24's: the ClusterRoles and ClusterRoleBindings of
plugin/pkg/auth/authorizer/rbac/bootstrappolicy (policy.go here, controller_policy.go in
`controllerpolicy`) and the Roles and RoleBindings of namespace_policy.go in kube-system and
kube-public. Feature gates are at their 1.24 defaults: ExpandPersistentVolumes (GA),
CSIStorageCapacity (GA) and CSIMigration (beta) on; StatefulSetAutoDeletePVC, StorageVersionAPI and
APIServerIdentity (alpha) off. Each start reconciles them with what is stored (`reconciliation`):
missing objects are created, missing rules and subjects added, nothing an administrator added is
removed. admin, edit and view are stored with only their aggregationRule; the
controller-manager's clusterrole-aggregation controller fills their rules.

Also the `default` ServiceAccount in each system namespace, which upstream's ServiceAccount
controller would make; nothing else runs it here. And the local APIServices, one per served group
version, that the aggregator's autoregister and availability controllers keep (`kinds.apiservice`),
and API Priority and Fairness's FlowSchemas and PriorityLevelConfigurations (`flowcontrolbootstrap`).
"""
from __future__ import annotations

from typing import Iterable

from reference_impl.apiserver.core import controllerpolicy, flowcontrolbootstrap, reconciliation
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.fieldmanager import LOOPBACK_FIELD_MANAGER, FieldManager
from reference_impl.apiserver.core.policyrule import (READ, READ_UPDATE, READ_WRITE, WRITE, cluster_binding,
                                                      cluster_role, events_rule, groups, role, role_binding, rule,
                                                      sas, url_rule, users)
from reference_impl.apiserver.kinds import apiservice
from reference_impl.apiserver.kinds.priorityclass import SYSTEM_PRIORITY_CLASSES
from reference_impl.apiserver.kinds.service import SERVICE_CLUSTER_IP_RANGE
from reference_impl.mirrors import mirrors

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
HEALTH_URLS = ("/livez", "/readyz", "/healthz", "/version", "/version/")

LEGACY, APPS, AUTHENTICATION, AUTHORIZATION = "", "apps", "authentication.k8s.io", "authorization.k8s.io"
AUTOSCALING, BATCH, CERTIFICATES, COORDINATION = "autoscaling", "batch", "certificates.k8s.io", "coordination.k8s.io"
DISCOVERY, EXTENSIONS, POLICY, RBAC = "discovery.k8s.io", "extensions", "policy", "rbac.authorization.k8s.io"
STORAGE, NETWORKING = "storage.k8s.io", "networking.k8s.io"

# Signer names (k8s.io/api/certificates/v1beta1).
LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown"
KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
KUBE_APISERVER_CLIENT_KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving"

AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"


def _aggregated(name: str, labels: dict[str, str] | None = None) -> dict:
    """A user-facing role whose rules the aggregation controller gathers from aggregate-to-NAME."""
    return cluster_role(name, [], labels,
                        aggregation_rule={"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_TO + name: "true"}}]})


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.NodeRules")
def node_rules() -> list[dict]:
    """What the Node authorizer lets every kubelet do. The Node authorizer narrows the graph-gated
    resources to objects its pods use, and NodeRestriction admission narrows the writes to the
    node's own objects."""
    return [
        rule("create", groups=[AUTHENTICATION], resources=["tokenreviews"]),
        rule("create", groups=[AUTHORIZATION], resources=["subjectaccessreviews", "localsubjectaccessreviews"]),
        rule(*READ, groups=[LEGACY], resources=["services"]),
        rule("create", "get", "list", "watch", groups=[LEGACY], resources=["nodes"]),
        rule("update", "patch", groups=[LEGACY], resources=["nodes/status"]),
        rule("update", "patch", groups=[LEGACY], resources=["nodes"]),
        rule("create", "update", "patch", groups=[LEGACY], resources=["events"]),
        rule(*READ, groups=[LEGACY], resources=["pods"]),
        rule("create", "delete", groups=[LEGACY], resources=["pods"]),
        rule("update", "patch", groups=[LEGACY], resources=["pods/status"]),
        rule("create", groups=[LEGACY], resources=["pods/eviction"]),
        rule("get", "list", "watch", groups=[LEGACY], resources=["secrets", "configmaps"]),
        rule("get", groups=[LEGACY], resources=["persistentvolumeclaims", "persistentvolumes"]),
        rule("get", groups=[LEGACY], resources=["endpoints"]),
        rule("create", "get", "list", "watch", groups=[CERTIFICATES], resources=["certificatesigningrequests"]),
        rule("get", "create", "update", "patch", "delete", groups=[COORDINATION], resources=["leases"]),
        rule("get", groups=[STORAGE], resources=["volumeattachments"]),
        rule("create", groups=[LEGACY], resources=["serviceaccounts/token"]),
        rule("get", "update", "patch", groups=[LEGACY], resources=["persistentvolumeclaims/status"]),
        rule("get", "watch", "list", groups=[STORAGE], resources=["csidrivers"]),
        rule("get", "create", "update", "patch", "delete", groups=[STORAGE], resources=["csinodes"]),
        rule(*READ, groups=["node.k8s.io"], resources=["runtimeclasses"]),
    ]


def _approver(name: str, signer: str) -> dict:
    return cluster_role(f"system:certificates.k8s.io:{name}",
                        [rule("approve", groups=[CERTIFICATES], resources=["signers"], names=[signer])])


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ClusterRoles")
def cluster_roles() -> list[dict]:
    return [
        cluster_role("cluster-admin", [rule("*", groups=["*"], resources=["*"]), url_rule("*", urls=["*"])]),
        cluster_role("system:discovery", [url_rule("get", urls=[
            *HEALTH_URLS, "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"])]),
        cluster_role("system:monitoring", [url_rule("get", urls=[
            "/metrics", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"])]),
        cluster_role("system:basic-user", [
            rule("create", groups=[AUTHORIZATION], resources=["selfsubjectaccessreviews", "selfsubjectrulesreviews"])]),
        cluster_role("system:public-info-viewer", [url_rule("get", urls=HEALTH_URLS)]),
        _aggregated("admin"),
        _aggregated("edit", {AGGREGATE_TO + "admin": "true"}),
        _aggregated("view", {AGGREGATE_TO + "edit": "true"}),
        cluster_role("system:aggregate-to-admin", [
            rule("create", groups=[AUTHORIZATION], resources=["localsubjectaccessreviews"]),
            rule(*READ_WRITE, groups=[RBAC], resources=["roles", "rolebindings"]),
        ], {AGGREGATE_TO + "admin": "true"}),
        cluster_role("system:aggregate-to-edit", [
            # read on the escalating resources: what edit may read that view may not
            rule(*READ, groups=[LEGACY], resources=["pods/attach", "pods/proxy", "pods/exec", "pods/portforward",
                                                     "secrets", "services/proxy"]),
            rule("impersonate", groups=[LEGACY], resources=["serviceaccounts"]),
            rule(*WRITE, groups=[LEGACY], resources=["pods", "pods/attach", "pods/proxy", "pods/exec",
                                                      "pods/portforward"]),
            rule(*WRITE, groups=[LEGACY], resources=[
                "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
            rule(*WRITE, groups=[APPS], resources=[
                "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                "deployments/rollback", "replicasets", "replicasets/scale"]),
            rule(*WRITE, groups=[AUTOSCALING], resources=["horizontalpodautoscalers"]),
            rule(*WRITE, groups=[BATCH], resources=["jobs", "cronjobs"]),
            rule(*WRITE, groups=[EXTENSIONS], resources=[
                "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses",
                "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"]),
            rule(*WRITE, groups=[POLICY], resources=["poddisruptionbudgets"]),
            rule(*WRITE, groups=[NETWORKING], resources=["networkpolicies", "ingresses"]),
        ], {AGGREGATE_TO + "edit": "true"}),
        cluster_role("system:aggregate-to-view", [
            rule(*READ, groups=[LEGACY], resources=[
                "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
                "configmaps"]),
            rule(*READ, groups=[LEGACY], resources=[
                "limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status",
                "namespaces/status", "replicationcontrollers/status", "pods/log"]),
            # namespaces at namespace scope: reading *this* namespace
            rule(*READ, groups=[LEGACY], resources=["namespaces"]),
            rule(*READ, groups=[DISCOVERY], resources=["endpointslices"]),
            rule(*READ, groups=[APPS], resources=[
                "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets",
                "daemonsets/status", "deployments", "deployments/status", "deployments/scale", "replicasets",
                "replicasets/status", "replicasets/scale"]),
            rule(*READ, groups=[AUTOSCALING],
                 resources=["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            rule(*READ, groups=[BATCH], resources=["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
            rule(*READ, groups=[EXTENSIONS], resources=[
                "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                "ingresses", "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status",
                "replicationcontrollers/scale", "networkpolicies"]),
            rule(*READ, groups=[POLICY], resources=["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            rule(*READ, groups=[NETWORKING], resources=["networkpolicies", "ingresses", "ingresses/status"]),
        ], {AGGREGATE_TO + "view": "true"}),
        cluster_role("system:heapster", [
            rule(*READ, groups=[LEGACY], resources=["events", "pods", "nodes", "namespaces"]),
            rule(*READ, groups=[EXTENSIONS], resources=["deployments"]),
        ]),
        cluster_role("system:node", node_rules()),
        cluster_role("system:node-problem-detector", [
            rule("get", groups=[LEGACY], resources=["nodes"]),
            rule("patch", groups=[LEGACY], resources=["nodes/status"]),
            events_rule(),
        ]),
        cluster_role("system:kubelet-api-admin", [
            rule("get", "list", "watch", groups=[LEGACY], resources=["nodes"]),
            rule("proxy", groups=[LEGACY], resources=["nodes"]),
            rule("*", groups=[LEGACY], resources=["nodes/proxy", "nodes/metrics", "nodes/spec", "nodes/stats",
                                                  "nodes/log"]),
        ]),
        cluster_role("system:node-bootstrapper", [
            rule("create", "get", "list", "watch", groups=[CERTIFICATES], resources=["certificatesigningrequests"])]),
        cluster_role("system:auth-delegator", [
            rule("create", groups=[AUTHENTICATION], resources=["tokenreviews"]),
            rule("create", groups=[AUTHORIZATION], resources=["subjectaccessreviews"]),
        ]),
        cluster_role("system:kube-aggregator", [rule(*READ, groups=[LEGACY], resources=["services", "endpoints"])]),
        cluster_role("system:kube-controller-manager", [
            events_rule(),
            rule("create", groups=[COORDINATION], resources=["leases"]),
            rule("get", "update", groups=[COORDINATION], resources=["leases"], names=["kube-controller-manager"]),
            rule("create", groups=[LEGACY], resources=["endpoints"]),
            rule("get", "update", groups=[LEGACY], resources=["endpoints"], names=["kube-controller-manager"]),
            rule("create", groups=[LEGACY], resources=["secrets", "serviceaccounts"]),
            rule("delete", groups=[LEGACY], resources=["secrets"]),
            rule("get", groups=[LEGACY], resources=["namespaces", "secrets", "serviceaccounts", "configmaps"]),
            rule("update", groups=[LEGACY], resources=["secrets", "serviceaccounts"]),
            rule("create", groups=[AUTHENTICATION], resources=["tokenreviews"]),
            rule("create", groups=[AUTHORIZATION], resources=["subjectaccessreviews"]),
            rule("list", "watch", groups=["*"], resources=["*"]),
            rule("create", groups=[LEGACY], resources=["serviceaccounts/token"]),
        ]),
        cluster_role("system:kube-dns", [rule("list", "watch", groups=[LEGACY], resources=["endpoints", "services"])]),
        cluster_role("system:persistent-volume-provisioner", [
            rule("get", "list", "watch", "create", "delete", groups=[LEGACY], resources=["persistentvolumes"]),
            rule("get", "list", "watch", "update", groups=[LEGACY], resources=["persistentvolumeclaims"]),
            rule(*READ, groups=[STORAGE], resources=["storageclasses"]),
            rule("watch", groups=[LEGACY], resources=["events"]),
            events_rule(),
        ]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
            rule("create", groups=[CERTIFICATES], resources=["certificatesigningrequests/nodeclient"])]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
            rule("create", groups=[CERTIFICATES], resources=["certificatesigningrequests/selfnodeclient"])]),
        cluster_role("system:volume-scheduler", [
            rule(*READ_UPDATE, groups=[LEGACY], resources=["persistentvolumes"]),
            rule(*READ, groups=[STORAGE], resources=["storageclasses"]),
            rule(*READ_UPDATE, groups=[LEGACY], resources=["persistentvolumeclaims"]),
        ]),
        _approver("legacy-unknown-approver", LEGACY_UNKNOWN_SIGNER),
        _approver("kubelet-serving-approver", KUBELET_SERVING_SIGNER),
        _approver("kube-apiserver-client-approver", KUBE_APISERVER_CLIENT_SIGNER),
        _approver("kube-apiserver-client-kubelet-approver", KUBE_APISERVER_CLIENT_KUBELET_SIGNER),
        cluster_role("system:service-account-issuer-discovery", [
            url_rule("get", urls=["/.well-known/openid-configuration", "/openid/v1/jwks"])]),
        cluster_role("system:node-proxier", [
            rule("list", "watch", groups=[LEGACY], resources=["services", "endpoints"]),
            rule("get", "list", "watch", groups=[LEGACY], resources=["nodes"]),
            events_rule(),
            rule("list", "watch", groups=[DISCOVERY], resources=["endpointslices"]),
        ]),
        cluster_role("system:kube-scheduler", [
            events_rule(),
            rule("create", groups=[COORDINATION], resources=["leases"]),
            rule("get", "update", groups=[COORDINATION], resources=["leases"], names=["kube-scheduler"]),
            rule("create", groups=[LEGACY], resources=["endpoints"]),
            rule("get", "update", groups=[LEGACY], resources=["endpoints"], names=["kube-scheduler"]),
            rule(*READ, groups=[LEGACY], resources=["nodes"]),
            rule("get", "list", "watch", "delete", groups=[LEGACY], resources=["pods"]),
            rule("create", groups=[LEGACY], resources=["pods/binding", "bindings"]),
            rule("patch", "update", groups=[LEGACY], resources=["pods/status"]),
            rule(*READ, groups=[LEGACY], resources=["services", "replicationcontrollers"]),
            rule(*READ, groups=[APPS, EXTENSIONS], resources=["replicasets"]),
            rule(*READ, groups=[APPS], resources=["statefulsets"]),
            rule(*READ, groups=[POLICY], resources=["poddisruptionbudgets"]),
            rule(*READ, groups=[LEGACY], resources=["persistentvolumeclaims", "persistentvolumes"]),
            rule("create", groups=[AUTHENTICATION], resources=["tokenreviews"]),
            rule("create", groups=[AUTHORIZATION], resources=["subjectaccessreviews"]),
            rule(*READ, groups=[STORAGE], resources=["csinodes"]),
            rule(*READ, groups=[LEGACY], resources=["namespaces"]),
            # CSIStorageCapacity
            rule(*READ, groups=[STORAGE], resources=["csidrivers"]),
            rule(*READ, groups=[STORAGE], resources=["csistoragecapacities"]),
        ]),
    ]


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ClusterRoleBindings")
def cluster_role_bindings() -> list[dict]:
    return [
        cluster_binding("cluster-admin", groups("system:masters")),
        cluster_binding("system:monitoring", groups("system:monitoring")),
        cluster_binding("system:discovery", groups("system:authenticated")),
        cluster_binding("system:basic-user", groups("system:authenticated")),
        cluster_binding("system:public-info-viewer", groups("system:authenticated", "system:unauthenticated")),
        cluster_binding("system:node-proxier", users("system:kube-proxy")),
        cluster_binding("system:kube-controller-manager", users("system:kube-controller-manager")),
        cluster_binding("system:kube-dns", sas("kube-system", "kube-dns")),
        cluster_binding("system:kube-scheduler", users("system:kube-scheduler")),
        cluster_binding("system:volume-scheduler", users("system:kube-scheduler")),
        # Deprecated since the Node authorizer (1.7): kept with no subjects.
        cluster_binding("system:node", []),
        cluster_binding("system:service-account-issuer-discovery", groups("system:serviceaccounts")),
    ]


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.NamespaceRoles")
def namespace_roles() -> list[dict]:
    return [
        role("kube-system", "extension-apiserver-authentication-reader", [
            rule("get", "list", "watch", groups=[LEGACY], resources=["configmaps"],
                 names=["extension-apiserver-authentication"])]),
        role("kube-system", "system:controller:bootstrap-signer", [
            rule("get", "list", "watch", groups=[LEGACY], resources=["secrets"])]),
        role("kube-system", "system:controller:cloud-provider", [
            rule("create", "get", "list", "watch", groups=[LEGACY], resources=["configmaps"])]),
        role("kube-system", "system:controller:token-cleaner", [
            rule("get", "list", "watch", "delete", groups=[LEGACY], resources=["secrets"]), events_rule()]),
        role("kube-system", "system::leader-locking-kube-controller-manager", [
            rule("watch", groups=[LEGACY], resources=["configmaps"]),
            rule("get", "update", groups=[LEGACY], resources=["configmaps"], names=["kube-controller-manager"])]),
        role("kube-system", "system::leader-locking-kube-scheduler", [
            rule("watch", groups=[LEGACY], resources=["configmaps"]),
            rule("get", "update", groups=[LEGACY], resources=["configmaps"], names=["kube-scheduler"])]),
        role("kube-public", "system:controller:bootstrap-signer", [
            rule("get", "list", "watch", groups=[LEGACY], resources=["configmaps"]),
            rule("update", groups=[LEGACY], resources=["configmaps"], names=["cluster-info"]),
            events_rule()]),
    ]


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.NamespaceRoleBindings")
def namespace_role_bindings() -> list[dict]:
    return [
        role_binding("kube-system", "extension-apiserver-authentication-reader",
                     users("system:kube-controller-manager", "system:kube-scheduler"),
                     name="system::extension-apiserver-authentication-reader"),
        role_binding("kube-system", "system::leader-locking-kube-controller-manager",
                     [*users("system:kube-controller-manager"), *sas("kube-system", "kube-controller-manager")]),
        role_binding("kube-system", "system::leader-locking-kube-scheduler",
                     [*users("system:kube-scheduler"), *sas("kube-system", "kube-scheduler")]),
        role_binding("kube-system", "system:controller:bootstrap-signer", sas("kube-system", "bootstrap-signer")),
        role_binding("kube-system", "system:controller:cloud-provider", sas("kube-system", "cloud-provider")),
        role_binding("kube-system", "system:controller:token-cleaner", sas("kube-system", "token-cleaner")),
        role_binding("kube-public", "system:controller:bootstrap-signer", sas("kube-system", "bootstrap-signer")),
    ]


# Who writes the bootstrap objects, as their managedFields name them: the apiserver's own
# controllers and hooks write as kube-apiserver, the RBAC hook's loopback client has no user agent
# of its own (LOOPBACK_FIELD_MANAGER), the APF configuration producer names itself.
APISERVER_MANAGER = "kube-apiserver"
APF_MANAGER = "api-priority-and-fairness-config-producer-v1"


def _tracked(registry: object, resource: str, obj: dict, manager: str) -> dict:
    """`obj` with the managedFields a create by `manager` gives it, as an API client's create
    does: an object created untracked would stay untracked through every later update."""
    return FieldManager.for_resource(registry.resource(resource)).update(None, obj, manager, registry.now())


def create_if_absent(registry: object, resource: str, namespace: str | None, obj: dict, manager: str) -> bool:
    """Create `obj` as `manager` unless an object of that name exists; True when it was created."""
    try:
        registry.create(resource, namespace, _tracked(registry, resource, obj, manager))
    except StatusError as err:
        if err.code == 409 and err.reason == "AlreadyExists":
            return False
        raise
    return True


def _key(obj: dict) -> tuple[str | None, str]:
    return obj["metadata"].get("namespace"), obj["metadata"]["name"]


def _described(obj: dict) -> str:
    return "/".join(part for part in (obj["kind"], *_key(obj)) if part)


@mirrors("k8s.io/kubernetes/pkg/registry/rbac/rest.ensureRBACPolicy",
         "(*k8s.io/component-helpers/auth/rbac/reconciliation.ReconcileRoleOptions).run",
         "(*k8s.io/component-helpers/auth/rbac/reconciliation.ReconcileRoleBindingOptions).run")
def ensure_rbac_policy(registry: object) -> list[str]:
    """Reconcile the bootstrap ClusterRoles, ClusterRoleBindings, Roles and RoleBindings with the
    stored ones; returns the `Kind/[namespace/]name`s created, updated or recreated."""
    policy = (
        ("clusterroles", [*cluster_roles(), *controllerpolicy.controller_roles()], reconciliation.reconcile_role),
        ("clusterrolebindings", [*cluster_role_bindings(), *controllerpolicy.controller_role_bindings()],
         reconciliation.reconcile_role_binding),
        ("roles", namespace_roles(), reconciliation.reconcile_role),
        ("rolebindings", namespace_role_bindings(), reconciliation.reconcile_role_binding),
    )
    written = []
    for plural, expected_objects, reconcile in policy:
        stored = {_key(obj): obj for obj in registry.list(plural)["items"]}
        for expected in expected_objects:
            namespace, name = _key(expected)
            result = reconcile(stored.get((namespace, name)), expected)
            if result.protected or result.operation == reconciliation.NONE:
                continue
            if result.operation == reconciliation.UPDATE:
                registry.update(plural, namespace, name, result.obj)
            else:
                if result.operation == reconciliation.RECREATE:
                    registry.delete(plural, namespace, name)
                if not create_if_absent(registry, plural, namespace, result.obj, LOOPBACK_FIELD_MANAGER):
                    continue
            written.append(_described(expected))
    return written


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).RunKubernetesNamespaces",
         "k8s.io/kubernetes/pkg/controlplane.createNamespaceIfNeeded")
def ensure_system_namespaces(registry: object) -> list[str]:
    """Create the missing system namespaces, and the `default` ServiceAccount in each (which the
    ServiceAccount admission plugin requires before a pod can be created there)."""
    created = []
    for name in SYSTEM_NAMESPACES:
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        if create_if_absent(registry, "namespaces", None, namespace, APISERVER_MANAGER):
            created.append(name)
        registry.ensure_default_service_account(name)
    return created


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).CreateOrUpdateMasterServiceIfNeeded")
def ensure_kubernetes_service(registry: object, secure_port: int) -> bool:
    """Create default/kubernetes, the service in front of the apiserver, when missing: 443/TCP
    (https) to `secure_port`, on the service range's first IP, selecting no pods (its endpoints
    are the apiserver's own). True when it was created."""
    try:
        registry.get("services", "default", "kubernetes")
        return False
    except StatusError as err:
        if err.code != 404:
            raise
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"ports": [{"name": "https", "protocol": "TCP", "port": 443, "targetPort": secure_port}],
                 "clusterIP": str(SERVICE_CLUSTER_IP_RANGE[1]), "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                 "type": "ClusterIP"}}
    return create_if_absent(registry, "services", "default", service, APISERVER_MANAGER)


@mirrors("k8s.io/kubernetes/pkg/registry/scheduling/rest.AddSystemPriorityClasses")
def ensure_system_priority_classes(registry: object) -> list[str]:
    """Create system-node-critical and system-cluster-critical when missing; returns their names."""
    return [pc["metadata"]["name"] for pc in SYSTEM_PRIORITY_CLASSES
            if create_if_absent(registry, "priorityclasses", None, pc, APISERVER_MANAGER)]


@mirrors("(*k8s.io/kube-aggregator/pkg/controllers/autoregister.autoRegisterController).checkAPIService",
         "(*k8s.io/kube-aggregator/pkg/controllers/status.AvailableConditionController).sync")
def ensure_local_api_services(registry: object, group_versions: Iterable[tuple[str, str]]) -> list[str]:
    """The local APIService of each served group version: created when missing, its spec put back
    when changed (autoregister syncs an `onstart` service so at start), and marked Available as
    the availability controller marks a local one. Returns the names created."""
    created = []
    for desired in apiservice.local_api_services(group_versions):
        name = desired["metadata"]["name"]
        try:
            stored = registry.get("apiservices", None, name)
        except StatusError as err:
            if err.code != 404:
                raise
            stored = registry.create("apiservices", None, _tracked(registry, "apiservices", desired, APISERVER_MANAGER))
            created.append(name)
        if stored["spec"] != desired["spec"]:
            stored = registry.update("apiservices", None, name, {**stored, "spec": desired["spec"]})
        if not _locally_available(stored):
            available = apiservice.local_available_condition(registry.now())
            registry.update("apiservices", None, name, {**stored, "status": {"conditions": [available]}},
                            subresource="status")
    return created


def _locally_available(service: dict) -> bool:
    return any(c.get("type") == "Available" and c.get("status") == "True" and c.get("reason") == "Local"
               for c in (service.get("status") or {}).get("conditions") or [])


@mirrors("k8s.io/kubernetes/pkg/registry/flowcontrol/rest.ensureAPFBootstrapConfiguration")
def ensure_flowcontrol_configuration(registry: object) -> list[str]:
    """Create the bootstrap priority levels and flow schemas that are missing; put back the spec of
    a mandatory one that changed, and of a suggested one whose autoupdate-spec annotation is still
    "true". Returns the names created. (The schemas' Dangling conditions are the APF config
    controller's: `adapter.apfcontroller`.)"""
    created = []
    for resource, mandatory, suggested in (
            ("prioritylevelconfigurations", flowcontrolbootstrap.MANDATORY_PRIORITY_LEVELS,
             flowcontrolbootstrap.SUGGESTED_PRIORITY_LEVELS),
            ("flowschemas", flowcontrolbootstrap.MANDATORY_FLOW_SCHEMAS, flowcontrolbootstrap.SUGGESTED_FLOW_SCHEMAS)):
        for desired in (*mandatory, *suggested):
            if _ensure_bootstrap_object(registry, resource, desired, always_update=desired in mandatory):
                created.append(desired["metadata"]["name"])
    return created


def _ensure_bootstrap_object(registry: object, resource: str, desired: dict, always_update: bool) -> bool:
    name = desired["metadata"]["name"]
    try:
        stored = registry.get(resource, None, name)
    except StatusError as err:
        if err.code != 404:
            raise
        registry.create(resource, None, _tracked(registry, resource, desired, APF_MANAGER))
        return True
    annotations = stored["metadata"].get("annotations") or {}
    auto_update = annotations.get(flowcontrolbootstrap.AUTO_UPDATE_ANNOTATION) == "true"
    if (always_update or auto_update) and stored.get("spec") != desired["spec"]:
        registry.update(resource, None, name, {**stored, "spec": desired["spec"]})
    return False

