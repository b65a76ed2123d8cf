"""The roles of kube-controller-manager's controllers (bootstrappolicy/controller_policy.go): each
controller runs, with --use-service-account-credentials, as the ServiceAccount kube-system/NAME and
holds the ClusterRole system:controller:NAME, bound to that account. Feature gates at their 1.24
defaults (see `bootstrappolicy`): expand-controller exists (ExpandPersistentVolumes), the
attach-detach controller reads csinodes (CSIMigration), the statefulset controller may not update
PVCs (StatefulSetAutoDeletePVC off) and there is no storage-version-garbage-collector
(StorageVersionAPI, APIServerIdentity off)."""
from __future__ import annotations

import copy

from reference_impl.apiserver.core.policyrule import cluster_binding, cluster_role, events_rule, rule, sas
from reference_impl.mirrors import mirrors

SA_ROLE_PREFIX = "system:controller:"

LEGACY, APPS, EXTENSIONS, BATCH = "", "apps", "extensions", "batch"
AUTOSCALING, POLICY, STORAGE = "autoscaling", "policy", "storage.k8s.io"
DISCOVERY, CERTIFICATES, AUTHORIZATION = "discovery.k8s.io", "certificates.k8s.io", "authorization.k8s.io"
RBAC = "rbac.authorization.k8s.io"
SIGNERS = ("kubernetes.io/legacy-unknown", "kubernetes.io/kube-apiserver-client",
           "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving")

# (controller, its rules), in controller_policy.go's order.
CONTROLLER_RULES: tuple[tuple[str, list[dict]], ...] = (
    ("attachdetach-controller", [
        rule("list", "watch", groups=[LEGACY], resources=["persistentvolumes", "persistentvolumeclaims"]),
        rule("get", "list", "watch", groups=[LEGACY], resources=["nodes"]),
        rule("patch", "update", groups=[LEGACY], resources=["nodes/status"]),
        rule("list", "watch", groups=[LEGACY], resources=["pods"]),
        events_rule(),
        rule("get", "create", "delete", "list", "watch", groups=[STORAGE], resources=["volumeattachments"]),
        rule("get", "watch", "list", groups=[STORAGE], resources=["csidrivers"]),
        rule("get", "watch", "list", groups=[STORAGE], resources=["csinodes"]),
    ]),
    ("clusterrole-aggregation-controller", [
        rule("escalate", "get", "list", "watch", "update", "patch", groups=[RBAC], resources=["clusterroles"]),
    ]),
    ("cronjob-controller", [
        rule("get", "list", "watch", "update", groups=[BATCH], resources=["cronjobs"]),
        rule("get", "list", "watch", "create", "update", "delete", "patch", groups=[BATCH], resources=["jobs"]),
        rule("update", groups=[BATCH], resources=["cronjobs/status"]),
        rule("update", groups=[BATCH], resources=["cronjobs/finalizers"]),
        rule("list", "delete", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("daemon-set-controller", [
        rule("get", "list", "watch", groups=[EXTENSIONS, APPS], resources=["daemonsets"]),
        rule("update", groups=[EXTENSIONS, APPS], resources=["daemonsets/status"]),
        rule("update", groups=[EXTENSIONS, APPS], resources=["daemonsets/finalizers"]),
        rule("list", "watch", groups=[LEGACY], resources=["nodes"]),
        rule("list", "watch", "create", "delete", "patch", groups=[LEGACY], resources=["pods"]),
        rule("create", groups=[LEGACY], resources=["pods/binding"]),
        rule("get", "list", "watch", "create", "delete", "update", "patch", groups=[APPS],
             resources=["controllerrevisions"]),
        events_rule(),
    ]),
    ("deployment-controller", [
        rule("get", "list", "watch", "update", groups=[EXTENSIONS, APPS], resources=["deployments"]),
        rule("update", groups=[EXTENSIONS, APPS], resources=["deployments/status"]),
        rule("update", groups=[EXTENSIONS, APPS], resources=["deployments/finalizers"]),
        rule("get", "list", "watch", "create", "update", "patch", "delete", groups=[APPS, EXTENSIONS],
             resources=["replicasets"]),
        rule("get", "list", "watch", "update", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("disruption-controller", [
        rule("get", "list", "watch", groups=[EXTENSIONS, APPS], resources=["deployments"]),
        rule("get", "list", "watch", groups=[APPS, EXTENSIONS], resources=["replicasets"]),
        rule("get", "list", "watch", groups=[LEGACY], resources=["replicationcontrollers"]),
        rule("get", "list", "watch", groups=[POLICY], resources=["poddisruptionbudgets"]),
        rule("get", "list", "watch", groups=[APPS], resources=["statefulsets"]),
        rule("update", groups=[POLICY], resources=["poddisruptionbudgets/status"]),
        rule("get", groups=["*"], resources=["*/scale"]),
        events_rule(),
    ]),
    ("endpoint-controller", [
        rule("get", "list", "watch", groups=[LEGACY], resources=["services", "pods"]),
        rule("get", "list", "create", "update", "delete", groups=[LEGACY], resources=["endpoints"]),
        rule("create", groups=[LEGACY], resources=["endpoints/restricted"]),
        events_rule(),
    ]),
    ("endpointslice-controller", [
        rule("get", "list", "watch", groups=[LEGACY], resources=["services", "pods", "nodes"]),
        rule("update", groups=[LEGACY], resources=["services/finalizers"]),
        rule("get", "list", "create", "update", "delete", groups=[DISCOVERY], resources=["endpointslices"]),
        events_rule(),
    ]),
    ("endpointslicemirroring-controller", [
        rule("get", "list", "watch", groups=[LEGACY], resources=["services", "endpoints"]),
        rule("update", groups=[LEGACY], resources=["services/finalizers"]),
        rule("update", groups=[LEGACY], resources=["endpoints/finalizers"]),
        rule("get", "list", "create", "update", "delete", groups=[DISCOVERY], resources=["endpointslices"]),
        events_rule(),
    ]),
    ("expand-controller", [
        rule("get", "list", "watch", "update", "patch", groups=[LEGACY], resources=["persistentvolumes"]),
        rule("update", "patch", groups=[LEGACY], resources=["persistentvolumeclaims/status"]),
        rule("get", "list", "watch", groups=[LEGACY], resources=["persistentvolumeclaims"]),
        rule("get", "list", "watch", groups=[STORAGE], resources=["storageclasses"]),
        rule("get", groups=[LEGACY], resources=["services", "endpoints"]),
        rule("get", groups=[LEGACY], resources=["secrets"]),
        events_rule(),
    ]),
    ("ephemeral-volume-controller", [
        rule("get", "list", "watch", groups=[LEGACY], resources=["pods"]),
        rule("update", groups=[LEGACY], resources=["pods/finalizers"]),
        rule("get", "list", "watch", "create", groups=[LEGACY], resources=["persistentvolumeclaims"]),
        events_rule(),
    ]),
    ("generic-garbage-collector", [
        rule("get", "list", "watch", "patch", "update", "delete", groups=["*"], resources=["*"]),
        events_rule(),
    ]),
    ("horizontal-pod-autoscaler", [
        rule("get", "list", "watch", groups=[AUTOSCALING], resources=["horizontalpodautoscalers"]),
        rule("update", groups=[AUTOSCALING], resources=["horizontalpodautoscalers/status"]),
        rule("get", "update", groups=["*"], resources=["*/scale"]),
        rule("list", groups=[LEGACY], resources=["pods"]),
        rule("get", groups=[LEGACY], resources=["services/proxy"], names=["https:heapster:", "http:heapster:"]),
        rule("list", groups=["metrics.k8s.io"], resources=["pods"]),
        rule("get", "list", groups=["custom.metrics.k8s.io"], resources=["*"]),
        events_rule(),
    ]),
    ("job-controller", [
        rule("get", "list", "watch", "update", "patch", groups=[BATCH], resources=["jobs"]),
        rule("update", groups=[BATCH], resources=["jobs/status"]),
        rule("update", groups=[BATCH], resources=["jobs/finalizers"]),
        rule("list", "watch", "create", "delete", "patch", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("namespace-controller", [
        rule("get", "list", "watch", "delete", groups=[LEGACY], resources=["namespaces"]),
        rule("update", groups=[LEGACY], resources=["namespaces/finalize", "namespaces/status"]),
        rule("get", "list", "delete", "deletecollection", groups=["*"], resources=["*"]),
    ]),
    ("node-controller", [
        rule("get", "list", "update", "delete", "patch", groups=[LEGACY], resources=["nodes"]),
        rule("patch", "update", groups=[LEGACY], resources=["nodes/status"]),
        rule("update", groups=[LEGACY], resources=["pods/status"]),
        rule("list", "delete", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("persistent-volume-binder", [
        rule("get", "list", "watch", "update", "create", "delete", groups=[LEGACY], resources=["persistentvolumes"]),
        rule("update", groups=[LEGACY], resources=["persistentvolumes/status"]),
        rule("get", "list", "watch", "update", groups=[LEGACY], resources=["persistentvolumeclaims"]),
        rule("update", groups=[LEGACY], resources=["persistentvolumeclaims/status"]),
        rule("list", "watch", "get", "create", "delete", groups=[LEGACY], resources=["pods"]),
        rule("get", "list", "watch", groups=[STORAGE], resources=["storageclasses"]),
        rule("get", "create", "update", "delete", groups=[LEGACY], resources=["endpoints"]),
        rule("get", "create", "delete", groups=[LEGACY], resources=["services"]),
        rule("get", groups=[LEGACY], resources=["secrets"]),
        rule("get", "list", groups=[LEGACY], resources=["nodes"]),
        rule("watch", groups=[LEGACY], resources=["events"]),
        events_rule(),
    ]),
    ("pod-garbage-collector", [
        rule("list", "watch", "delete", groups=[LEGACY], resources=["pods"]),
        rule("get", "list", groups=[LEGACY], resources=["nodes"]),
    ]),
    ("replicaset-controller", [
        rule("get", "list", "watch", "update", groups=[APPS, EXTENSIONS], resources=["replicasets"]),
        rule("update", groups=[APPS, EXTENSIONS], resources=["replicasets/status"]),
        rule("update", groups=[APPS, EXTENSIONS], resources=["replicasets/finalizers"]),
        rule("list", "watch", "patch", "create", "delete", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("replication-controller", [
        rule("get", "list", "watch", "update", groups=[LEGACY], resources=["replicationcontrollers"]),
        rule("update", groups=[LEGACY], resources=["replicationcontrollers/status"]),
        rule("update", groups=[LEGACY], resources=["replicationcontrollers/finalizers"]),
        rule("list", "watch", "patch", "create", "delete", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("resourcequota-controller", [
        rule("list", "watch", groups=["*"], resources=["*"]),
        rule("update", groups=[LEGACY], resources=["resourcequotas/status"]),
        events_rule(),
    ]),
    ("route-controller", [
        rule("list", "watch", groups=[LEGACY], resources=["nodes"]),
        rule("patch", groups=[LEGACY], resources=["nodes/status"]),
        events_rule(),
    ]),
    ("service-account-controller", [
        rule("create", groups=[LEGACY], resources=["serviceaccounts"]),
        events_rule(),
    ]),
    ("service-controller", [
        rule("get", "list", "watch", groups=[LEGACY], resources=["services"]),
        rule("patch", "update", groups=[LEGACY], resources=["services/status"]),
        rule("list", "watch", groups=[LEGACY], resources=["nodes"]),
        events_rule(),
    ]),
    ("statefulset-controller", [
        rule("list", "watch", groups=[LEGACY], resources=["pods"]),
        rule("get", "list", "watch", groups=[APPS], resources=["statefulsets"]),
        rule("update", groups=[APPS], resources=["statefulsets/status"]),
        rule("update", groups=[APPS], resources=["statefulsets/finalizers"]),
        rule("get", "create", "delete", "update", "patch", groups=[LEGACY], resources=["pods"]),
        rule("get", "create", "delete", "update", "patch", "list", "watch", groups=[APPS],
             resources=["controllerrevisions"]),
        rule("get", "create", groups=[LEGACY], resources=["persistentvolumeclaims"]),
        events_rule(),
    ]),
    ("ttl-controller", [
        rule("update", "patch", "list", "watch", groups=[LEGACY], resources=["nodes"]),
        events_rule(),
    ]),
    ("certificate-controller", [
        rule("get", "list", "watch", "delete", groups=[CERTIFICATES], resources=["certificatesigningrequests"]),
        rule("update", groups=[CERTIFICATES], resources=["certificatesigningrequests/status",
                                                         "certificatesigningrequests/approval"]),
        rule("approve", groups=[CERTIFICATES], resources=["signers"],
             names=["kubernetes.io/kube-apiserver-client-kubelet"]),
        rule("sign", groups=[CERTIFICATES], resources=["signers"], names=SIGNERS),
        rule("create", groups=[AUTHORIZATION], resources=["subjectaccessreviews"]),
        events_rule(),
    ]),
    ("pvc-protection-controller", [
        rule("get", "list", "watch", "update", groups=[LEGACY], resources=["persistentvolumeclaims"]),
        rule("list", "watch", "get", groups=[LEGACY], resources=["pods"]),
        events_rule(),
    ]),
    ("pv-protection-controller", [
        rule("get", "list", "watch", "update", groups=[LEGACY], resources=["persistentvolumes"]),
        events_rule(),
    ]),
    ("ttl-after-finished-controller", [
        rule("get", "list", "watch", "delete", groups=[BATCH], resources=["jobs"]),
        events_rule(),
    ]),
    ("root-ca-cert-publisher", [
        rule("create", "update", groups=[LEGACY], resources=["configmaps"]),
        events_rule(),
    ]),
)


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ControllerRoles")
def controller_roles() -> list[dict]:
    return [cluster_role(SA_ROLE_PREFIX + name, copy.deepcopy(rules)) for name, rules in CONTROLLER_RULES]


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ControllerRoleBindings")
def controller_role_bindings() -> list[dict]:
    return [cluster_binding(SA_ROLE_PREFIX + name, sas("kube-system", name)) for name, _ in CONTROLLER_RULES]
