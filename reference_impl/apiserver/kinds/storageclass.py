"""The StorageClass kind (storage.k8s.io/v1): its resource facts, validation, defaults, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (STORAGE, arr, boolean, kind, list_kind, opaque, string,
                                                   string_map, strings)
from reference_impl.apiserver.core.validation import label_name_problems, required, unsupported
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors

RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateStorageClass")
def validate_storage_class(obj: dict) -> list[str]:
    provisioner = obj.get("provisioner")
    problems = label_name_problems(provisioner.lower(), "provisioner") if provisioner else [required("provisioner")]
    if obj.get("reclaimPolicy", "Delete") not in RECLAIM_POLICIES:
        problems.append(unsupported("reclaimPolicy", obj["reclaimPolicy"], RECLAIM_POLICIES))
    if obj.get("volumeBindingMode", "Immediate") not in BINDING_MODES:
        problems.append(unsupported("volumeBindingMode", obj["volumeBindingMode"], BINDING_MODES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/v1.SetDefaults_StorageClass")
def storage_class(obj: dict, spec: dict) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


RESOURCES = (
    Resource("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",),
             validator=validate_storage_class),
)


DEFAULTS = {"StorageClass": storage_class}
NO_SPEC = ("StorageClass",)


DEFINITIONS = {
    STORAGE + "StorageClass": kind(
        "storage.k8s.io", "v1", "StorageClass", "A class of dynamically provisioned volumes.", ("provisioner",),
        allowVolumeExpansion=boolean("Whether claims of this class may grow."),
        allowedTopologies=arr(opaque("A topology selector term."), "Where volumes may be provisioned."),
        mountOptions=strings("Mount options of provisioned volumes."),
        parameters=string_map("Parameters for the provisioner."),
        provisioner=string("The volume plugin that provisions."),
        reclaimPolicy=string("Delete or Retain; defaults to Delete."),
        volumeBindingMode=string("Immediate or WaitForFirstConsumer.")),
    STORAGE + "StorageClassList": list_kind("storage.k8s.io", "v1", STORAGE + "StorageClass"),
}


GO_TYPES = {
    STORAGE + "StorageClass": {"allowedTopologies": "[]v1.TopologySelectorTerm",
                               "reclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
                               "volumeBindingMode": "v1.VolumeBindingMode"},
}


def _storage_class(obj: dict, now: float) -> list:
    annotations = part(obj, "metadata").get("annotations") or {}
    default = "true" in (annotations.get("storageclass.kubernetes.io/is-default-class"),
                         annotations.get("storageclass.beta.kubernetes.io/is-default-class"))
    return [name_cell(obj) + (" (default)" if default else ""), obj.get("provisioner", ""),
            obj.get("reclaimPolicy", "Delete"), obj.get("volumeBindingMode", "Immediate"),
            bool(obj.get("allowVolumeExpansion")), age_cell(obj, now)]


PRINTERS = {
    "StorageClass": ([NAME, ("Provisioner", "string", 0, "The volume plugin that provisions."),
                      ("ReclaimPolicy", "string", 0, "Reclaim policy of provisioned volumes."),
                      ("VolumeBindingMode", "string", 0, "When volumes are bound."),
                      ("AllowVolumeExpansion", "string", 0, "Whether claims may grow."), AGE], _storage_class),
}


MESSAGES = """
core.TopologySelectorLabelRequirement: 1 key string; 2 values []string
core.TopologySelectorTerm: 1 matchLabelExpressions []core.TopologySelectorLabelRequirement
storage.StorageClass: 1 metadata meta.ObjectMeta; 2 provisioner string; 3 parameters {}string;
    4 reclaimPolicy string; 5 mountOptions []string; 6 allowVolumeExpansion bool; 7 volumeBindingMode string;
    8 allowedTopologies []core.TopologySelectorTerm
storage.StorageClassList: 1 metadata meta.ListMeta; 2 items []storage.StorageClass
"""
