"""The resources the reference kube-apiserver serves, as plain data.

One `Resource` per served group/version/plural carries what discovery, routing, storage and
validation need to know about it. `validate` checks a whole object (metadata, then the kind's own
rules from `validation`); `validate_update` adds the rules that compare with the stored object.
Defaulting is in `defaults`, printing in `table`, the OpenAPI schemas in `schemas*`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from reference_impl.apiserver import validation as v
from reference_impl.apiserver.conversion import EVENTS_V1, Codec

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
    storage_prefix: str = ""  # the etcd key below /registry/ when it is not the plural
    tracks_generation: bool = False  # the strategy bumps metadata.generation on spec changes
    storage_codec: Codec | None = field(default=None, compare=False, hash=False)  # stored in another version
    validator: Callable[[dict], list[str]] | None = field(default=None, compare=False, hash=False)
    update_validator: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False,
                                                                       hash=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def etcd_prefix(self) -> str:
        return self.storage_prefix or self.plural

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
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.unschedulable"),
             storage_prefix="minions"),
    Resource("", "v1", "Service", "services", "service", True, ("svc",), subresources=("status",),
             categories=("all",), name_validation="dns1035", status_reset_on_update=True,
             validator=v.validate_service, storage_prefix="services/specs"),
    Resource("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",),
             storage_prefix="services/endpoints"),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",),
             subresources=("token",)),
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
             validator=v.validate_workload, update_validator=v.validate_selector_immutable,
             tracks_generation=True),
    Resource("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=v.validate_workload, update_validator=v.validate_selector_immutable,
             field_selectors=(*COMMON_FIELDS, "status.replicas"), tracks_generation=True),
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
    # The kinds the 1.24 components list and watch besides the ones above (issue 12).
    Resource("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", False, ("pv",),
             subresources=("status",), status_reset_on_update=True,
             field_selectors=("metadata.name",)),
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", True,
             ("pvc",), subresources=("status",), status_reset_on_update=True),
    Resource("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", True,
             ("rc",), subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=v.validate_replication_controller, field_selectors=(*COMMON_FIELDS, "status.replicas"),
             storage_prefix="controllers", tracks_generation=True),
    Resource("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True, ("quota",),
             subresources=("status",), status_reset_on_update=True),
    Resource("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",)),
    Resource("", "v1", "PodTemplate", "podtemplates", "podtemplate", True),
    Resource("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",),
             subresources=("status",), categories=("all",), status_reset_on_update=True,
             validator=v.validate_daemon_set, update_validator=v.validate_selector_immutable,
             tracks_generation=True),
    Resource("apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=v.validate_stateful_set, update_validator=v.validate_selector_immutable,
             tracks_generation=True),
    Resource("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True,
             validator=v.validate_controller_revision),
    Resource("batch", "v1", "Job", "jobs", "job", True, subresources=("status",), categories=("all",),
             status_reset_on_update=True, validator=v.validate_job,
             update_validator=v.validate_selector_immutable,
             field_selectors=(*COMMON_FIELDS, "status.successful"), tracks_generation=True),
    Resource("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), subresources=("status",),
             categories=("all",), status_reset_on_update=True, validator=v.validate_cron_job,
             tracks_generation=True),
    Resource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", True,
             ("pdb",), subresources=("status",), status_reset_on_update=True, tracks_generation=True),
    Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True,
             validator=v.validate_endpoint_slice),
    Resource("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", False,
             validator=v.validate_runtime_class),
    Resource("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
             "certificatesigningrequest", False, ("csr",), subresources=("status", "approval"),
             status_reset_on_update=True, field_selectors=(*COMMON_FIELDS, "spec.signerName")),
    # Stored as core/v1 Events, under the same keys (conversion.py).
    Resource("events.k8s.io", "v1", "Event", "events", "event", True, ("ev",), storage_codec=EVENTS_V1),
    Resource("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",),
             validator=v.validate_storage_class),
    Resource("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", False,
             subresources=("status",), status_reset_on_update=True),
    Resource("storage.k8s.io", "v1", "CSIDriver", "csidrivers", "csidriver", False),
    Resource("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", False),
    Resource("storage.k8s.io", "v1beta1", "CSIStorageCapacity", "csistoragecapacities", "csistoragecapacity",
             True, validator=v.validate_csi_storage_capacity),
)


def find(group: str, version: str, plural: str) -> Resource | None:
    """The resource served at /api(s)/<group>/<version>/<plural>, or None."""
    return next((r for r in RESOURCES
                 if (r.group, r.version, r.plural) == (group, version, plural)), None)


def by_plural(plural: str) -> Resource | None:
    """The resource with this plural; for `events`, served by two groups, the core one."""
    return next((r for r in RESOURCES if r.plural == plural), None)
