"""The resources the reference kube-apiserver serves, as plain data.

One `Resource` per served group/version/plural carries what discovery, routing, storage and
validation need to know about it. `validate` checks a whole object (metadata, then the kind's own
rules from `validation`); `validate_update` adds the rules that compare with the stored object;
`defaults` fills what the defaulting funcs of k8s.io/kubernetes/pkg/apis/*/v1 fill, so stored
objects look like upstream's.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Callable

from reference_impl.apiserver import validation as v

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")
COMMON_FIELDS = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    name_validation: str = "subdomain"  # "subdomain" | "label" | "dns1035" | "path"
    return_deleted_object: bool = False  # Delete answers with the object, not a Success Status
    status_reset_on_update: bool = False  # an update of the main resource keeps the old .status
    field_selectors: tuple[str, ...] = COMMON_FIELDS
    validator: Callable[[dict], list[str]] | None = field(default=None, compare=False, hash=False)
    update_validator: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False,
                                                                       hash=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def validate(self, obj: dict) -> list[str]:
        """Every validation error of `obj`, as `field: Type: detail` strings."""
        problems = v.metadata_problems(obj, self.name_validation)
        return problems + (self.validator(obj) if self.validator else [])

    def validate_update(self, old: dict, new: dict) -> list[str]:
        """`validate(new)` plus the rules comparing `new` with the stored `old`."""
        problems = self.validate(new)
        return problems + (self.update_validator(old, new) if self.update_validator else [])


def _defaults_pod_spec(spec: dict) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if not isinstance(container, dict):
            continue
        image = str(container.get("image", ""))
        latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
        for port in container.get("ports") or []:
            port.setdefault("protocol", "TCP")


def defaults(resource: Resource, obj: dict) -> None:
    """Fill the defaults upstream's SetObjectDefaults_<Kind> fill, in place."""
    spec = obj.get("spec")
    if resource.kind == "Pod" and isinstance(spec, dict):
        _defaults_pod_spec(spec)
    elif resource.kind in ("Deployment", "ReplicaSet") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        if resource.kind == "Deployment":
            spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {
                "maxUnavailable": "25%", "maxSurge": "25%"}})
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        if isinstance((spec.get("template") or {}).get("spec"), dict):
            _defaults_pod_spec(spec["template"]["spec"])
    elif resource.kind == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    elif resource.kind == "Secret":
        obj.setdefault("type", "Opaque")
        for key, value in (obj.pop("stringData", None) or {}).items():
            obj.setdefault("data", {})[key] = base64.b64encode(str(value).encode()).decode()
    elif resource.kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {}).setdefault("phase", "Active")


RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), NO_COLLECTION_DELETE,
             ("status", "finalize"), name_validation="label", return_deleted_object=True,
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "status.phase")),
    Resource("", "v1", "Pod", "pods", "pod", True, ("po",), subresources=("status", "binding", "log"),
             categories=("all",), return_deleted_object=True, status_reset_on_update=True,
             field_selectors=(*COMMON_FIELDS, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                              "spec.serviceAccountName", "status.phase", "status.podIP",
                              "status.nominatedNodeName"),
             validator=v.validate_pod, update_validator=v.validate_pod_update),
    Resource("", "v1", "Node", "nodes", "node", False, ("no",), subresources=("status",),
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.unschedulable")),
    Resource("", "v1", "Service", "services", "service", True, ("svc",), subresources=("status",),
             categories=("all",), name_validation="dns1035", status_reset_on_update=True,
             validator=v.validate_service),
    Resource("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",)),
    Resource("", "v1", "Secret", "secrets", "secret", True,
             field_selectors=(*COMMON_FIELDS, "type"), validator=v.validate_config_data),
    Resource("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",),
             validator=v.validate_config_data),
    Resource("", "v1", "Event", "events", "event", True, ("ev",),
             field_selectors=(*COMMON_FIELDS, "involvedObject.kind", "involvedObject.namespace",
                              "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                              "involvedObject.resourceVersion", "involvedObject.fieldPath",
                              "reason", "reportingComponent", "source", "type")),
    Resource("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=v.validate_workload, update_validator=v.validate_selector_immutable),
    Resource("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=v.validate_workload, update_validator=v.validate_selector_immutable,
             field_selectors=(*COMMON_FIELDS, "status.replicas")),
    Resource("coordination.k8s.io", "v1", "Lease", "leases", "lease", True,
             validator=v.validate_lease),
    Resource("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True, name_validation="path",
             validator=v.validate_role),
    Resource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", True,
             name_validation="path", validator=v.validate_role_binding,
             update_validator=v.validate_role_ref_immutable),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", False,
             name_validation="path", validator=v.validate_cluster_role),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
             "clusterrolebinding", False, name_validation="path",
             validator=v.validate_cluster_role_binding, update_validator=v.validate_role_ref_immutable),
)


def find(group: str, version: str, plural: str) -> Resource | None:
    """The resource served at /api(s)/<group>/<version>/<plural>, or None."""
    return next((r for r in RESOURCES
                 if (r.group, r.version, r.plural) == (group, version, plural)), None)


def by_plural(plural: str) -> Resource | None:
    """The resource with this plural (plurals are unique among the served resources)."""
    return next((r for r in RESOURCES if r.plural == plural), None)
