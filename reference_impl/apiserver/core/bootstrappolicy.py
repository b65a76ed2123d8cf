"""What a fresh kube-apiserver writes into storage before it serves: the system namespaces, the
default RBAC policy and the system PriorityClasses (upstream's post-start hooks
`start-system-namespaces-controller`, `rbac/bootstrap-roles` and
`scheduling/bootstrap-system-priority-classes`).

Only the ClusterRoles that concern a lone apiserver are here: cluster-admin (bound to the group
system:masters), system:discovery (discovery and health URLs, bound to system:authenticated),
system:basic-user, and system:public-info-viewer (health and version, bound to every user,
authenticated or not). Existing objects are left as they are, so an administrator's edits survive a
restart. Also the `default` ServiceAccount in each system namespace, which upstream's
ServiceAccount controller would make; nothing else runs it here.
"""
from __future__ import annotations

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.kinds.priorityclass import SYSTEM_PRIORITY_CLASSES
from reference_impl.mirrors import mirrors

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
RBAC_API_VERSION = "rbac.authorization.k8s.io/v1"
DEFAULT_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
DEFAULT_ANNOTATIONS = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
HEALTH_URLS = ("/livez", "/readyz", "/healthz", "/version", "/version/")


@mirrors("(*k8s.io/kubernetes/pkg/apis/rbac/v1.PolicyRuleBuilder).Rule")
def _built_rule(rule: dict) -> dict:
    """The rule as upstream's builder returns it: every list sorted."""
    return {key: sorted(values) for key, values in rule.items()}


def _cluster_role(name: str, rules: list[dict]) -> dict:
    return {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRole",
            "metadata": {"name": name, "labels": dict(DEFAULT_LABELS),
                         "annotations": dict(DEFAULT_ANNOTATIONS)},
            "rules": [_built_rule(rule) for rule in rules]}


def _cluster_binding(role: str, groups: tuple[str, ...]) -> dict:
    return {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRoleBinding",
            "metadata": {"name": role, "labels": dict(DEFAULT_LABELS),
                         "annotations": dict(DEFAULT_ANNOTATIONS)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}
                         for g in groups]}


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ClusterRoles")
def cluster_roles() -> list[dict]:
    return [
        _cluster_role("cluster-admin", [
            {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
            {"verbs": ["*"], "nonResourceURLs": ["*"]}]),
        _cluster_role("system:discovery", [
            {"verbs": ["get"], "nonResourceURLs": [*HEALTH_URLS, "/openapi", "/openapi/*",
                                                   "/api", "/api/*", "/apis", "/apis/*"]}]),
        _cluster_role("system:basic-user", [
            {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
             "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}]),
        _cluster_role("system:public-info-viewer", [
            {"verbs": ["get"], "nonResourceURLs": list(HEALTH_URLS)}]),
    ]


def _rule(verbs: tuple[str, ...], group: str, *resources: str) -> dict:
    return {"verbs": list(verbs), "apiGroups": [group], "resources": list(resources)}


READ = ("get", "list", "watch")


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.NodeRules")
def node_rules() -> list[dict]:
    """What the Node authorizer lets every kubelet do (ExpandPersistentVolumes is on in 1.24).
    The Node authorizer narrows the graph-gated resources to objects its pods use, and
    NodeRestriction admission narrows the writes to the node's own objects."""
    return [
        _rule(("create",), "authentication.k8s.io", "tokenreviews"),
        _rule(("create",), "authorization.k8s.io", "subjectaccessreviews", "localsubjectaccessreviews"),
        _rule(READ, "", "services"),
        _rule(("create", "get", "list", "watch"), "", "nodes"),
        _rule(("update", "patch"), "", "nodes/status"),
        _rule(("update", "patch"), "", "nodes"),
        _rule(("create", "update", "patch"), "", "events"),
        _rule(READ, "", "pods"),
        _rule(("create", "delete"), "", "pods"),
        _rule(("update", "patch"), "", "pods/status"),
        _rule(("create",), "", "pods/eviction"),
        _rule(READ, "", "secrets", "configmaps"),
        _rule(("get",), "", "persistentvolumeclaims", "persistentvolumes"),
        _rule(("get",), "", "endpoints"),
        _rule(("create", "get", "list", "watch"), "certificates.k8s.io", "certificatesigningrequests"),
        _rule(("get", "create", "update", "patch", "delete"), "coordination.k8s.io", "leases"),
        _rule(("get",), "storage.k8s.io", "volumeattachments"),
        _rule(("create",), "", "serviceaccounts/token"),
        _rule(("get", "update", "patch"), "", "persistentvolumeclaims/status"),
        _rule(("get", "watch", "list"), "storage.k8s.io", "csidrivers"),
        _rule(("get", "create", "update", "patch", "delete"), "storage.k8s.io", "csinodes"),
        _rule(READ, "node.k8s.io", "runtimeclasses"),
    ]


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.ClusterRoleBindings")
def cluster_role_bindings() -> list[dict]:
    return [
        _cluster_binding("cluster-admin", ("system:masters",)),
        _cluster_binding("system:discovery", ("system:authenticated",)),
        _cluster_binding("system:basic-user", ("system:authenticated",)),
        _cluster_binding("system:public-info-viewer", ("system:authenticated", "system:unauthenticated")),
    ]


def _create_if_absent(registry: object, resource: str, namespace: str | None, obj: dict) -> bool:
    """Create `obj` unless an object of that name exists; True when it was created."""
    try:
        registry.create(resource, namespace, obj)
    except StatusError as err:
        if err.code == 409 and err.reason == "AlreadyExists":
            return False
        raise
    return True


@mirrors("(*k8s.io/kubernetes/pkg/registry/rbac/rest.PolicyData).EnsureRBACPolicy")
def ensure_rbac_policy(registry: object) -> list[str]:
    """Create the bootstrap ClusterRoles and ClusterRoleBindings that are missing; returns their
    `kind/name`s."""
    created = []
    for resource, objects in (("clusterroles", cluster_roles()),
                              ("clusterrolebindings", cluster_role_bindings())):
        for obj in objects:
            if _create_if_absent(registry, resource, None, obj):
                created.append(f"{obj['kind']}/{obj['metadata']['name']}")
    return created


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).RunKubernetesNamespaces",
         "k8s.io/kubernetes/pkg/controlplane.createNamespaceIfNeeded")
def ensure_system_namespaces(registry: object) -> list[str]:
    """Create the missing system namespaces, and the `default` ServiceAccount in each (which the
    ServiceAccount admission plugin requires before a pod can be created there)."""
    created = []
    for name in SYSTEM_NAMESPACES:
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        if _create_if_absent(registry, "namespaces", None, namespace):
            created.append(name)
        registry.ensure_default_service_account(name)
    return created


@mirrors("k8s.io/kubernetes/pkg/registry/scheduling/rest.AddSystemPriorityClasses")
def ensure_system_priority_classes(registry: object) -> list[str]:
    """Create system-node-critical and system-cluster-critical when missing; returns their names."""
    return [pc["metadata"]["name"] for pc in SYSTEM_PRIORITY_CLASSES
            if _create_if_absent(registry, "priorityclasses", None, pc)]
