"""Builders of the bootstrap policy's objects, as pkg/apis/rbac/v1's helpers build them: a rule's
lists sorted, every role and binding labelled `kubernetes.io/bootstrapping: rbac-defaults` and
annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` (addDefaultMetadata)."""
from __future__ import annotations

from collections.abc import Iterable

from reference_impl.mirrors import mirrors

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"
DEFAULT_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
DEFAULT_ANNOTATIONS = {"rbac.authorization.kubernetes.io/autoupdate": "true"}

WRITE = ("create", "update", "patch", "delete", "deletecollection")
READ_WRITE = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
READ = ("get", "list", "watch")
READ_UPDATE = ("get", "list", "watch", "update", "patch")


@mirrors("(*k8s.io/kubernetes/pkg/apis/rbac/v1.PolicyRuleBuilder).Rule")
def rule(*verbs: str, groups: Iterable[str], resources: Iterable[str], names: Iterable[str] = ()) -> dict:
    """A resource rule, every list sorted."""
    built = {"verbs": sorted(verbs), "apiGroups": sorted(groups), "resources": sorted(resources)}
    if names:
        built["resourceNames"] = sorted(names)
    return built


def url_rule(*verbs: str, urls: Iterable[str]) -> dict:
    """A non-resource rule, every list sorted."""
    return {"verbs": sorted(verbs), "nonResourceURLs": sorted(urls)}


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.eventsRule")
def events_rule() -> dict:
    return rule("create", "update", "patch", groups=["", "events.k8s.io"], resources=["events"])


@mirrors("k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy.addDefaultMetadata")
def _metadata(name: str, labels: dict[str, str] | None = None, namespace: str | None = None) -> dict:
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["labels"] = dict(sorted({**(labels or {}), **DEFAULT_LABELS}.items()))
    meta["annotations"] = dict(DEFAULT_ANNOTATIONS)
    return meta


def cluster_role(name: str, rules: list[dict], labels: dict[str, str] | None = None,
                 aggregation_rule: dict | None = None) -> dict:
    role = {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRole", "metadata": _metadata(name, labels)}
    if rules:
        role["rules"] = rules
    if aggregation_rule:
        role["aggregationRule"] = aggregation_rule
    return role


def role(namespace: str, name: str, rules: list[dict]) -> dict:
    return {"apiVersion": RBAC_API_VERSION, "kind": "Role", "metadata": _metadata(name, namespace=namespace),
            "rules": rules}


def groups(*names: str) -> list[dict]:
    return [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": name} for name in names]


def users(*names: str) -> list[dict]:
    return [{"kind": "User", "apiGroup": RBAC_GROUP, "name": name} for name in names]


@mirrors("(*k8s.io/kubernetes/pkg/apis/rbac/v1.ClusterRoleBindingBuilder).SAs")
def sas(namespace: str, *names: str) -> list[dict]:
    return [{"kind": "ServiceAccount", "name": name, "namespace": namespace} for name in names]


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.NewClusterBinding")
def cluster_binding(role_name: str, subjects: list[dict]) -> dict:
    """A ClusterRoleBinding named after the ClusterRole it binds."""
    binding = {"apiVersion": RBAC_API_VERSION, "kind": "ClusterRoleBinding", "metadata": _metadata(role_name)}
    if subjects:
        binding["subjects"] = subjects
    binding["roleRef"] = {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role_name}
    return binding


@mirrors("k8s.io/kubernetes/pkg/apis/rbac/v1.NewRoleBinding")
def role_binding(namespace: str, role_name: str, subjects: list[dict], name: str | None = None) -> dict:
    """A RoleBinding of the Role `role_name`, named after it unless `name` is given."""
    return {"apiVersion": RBAC_API_VERSION, "kind": "RoleBinding",
            "metadata": _metadata(name or role_name, namespace=namespace), "subjects": subjects,
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": role_name}}
