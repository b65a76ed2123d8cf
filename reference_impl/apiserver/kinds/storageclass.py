"""The StorageClass kind (storage.k8s.io/v1): its resource facts, validation, defaults, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, STORAGE, arr, atomic, boolean, kind, list_kind, obj, ref,
                                                   string, string_map, strings)
from reference_impl.apiserver.core.validation import (as_list, as_object, duplicate, invalid, label_name_problems,
                                                      required, semantically_equal, unsupported)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.mirrors import mirrors

RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateStorageClass",
         "k8s.io/kubernetes/pkg/apis/storage/validation.validateParameters",
         "k8s.io/kubernetes/pkg/apis/storage/validation.validateReclaimPolicy")
def validate_storage_class(obj: dict) -> list[str]:
    """A provisioner that is a qualified name once lowercased, no empty parameter key, a known
    reclaim policy (or an empty one) and binding mode, and valid allowed topologies."""
    provisioner = obj.get("provisioner")
    problems = label_name_problems(provisioner.lower(), "provisioner") if provisioner else [required("provisioner")]
    problems += [invalid("parameters", "", "field can not be empty.") for key in as_object(obj.get("parameters"))
                 if not key]
    if obj.get("reclaimPolicy") and obj["reclaimPolicy"] not in RECLAIM_POLICIES:
        problems.append(unsupported("reclaimPolicy", obj["reclaimPolicy"], RECLAIM_POLICIES))
    if obj.get("volumeBindingMode", "Immediate") not in BINDING_MODES:
        problems.append(unsupported("volumeBindingMode", obj["volumeBindingMode"], BINDING_MODES))
    return problems + allowed_topologies_problems(as_list(obj.get("allowedTopologies")))


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.validateAllowedTopologies",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateTopologySelectorTerm")
def allowed_topologies_problems(terms: list) -> list[str]:
    """Each requirement with distinct values and a label-name key, each key once in a term, and no
    term twice. Upstream compares each term with a list made with one nil entry per term before
    the terms seen, so a term with no requirements (equal to nil) is reported as a duplicate too."""
    problems: list[str] = []
    seen: list[dict] = [{} for _ in terms]
    for i, term in enumerate(map(as_object, terms)):
        here, requirements = f"allowedTopologies[{i}].matchLabelExpressions", {}
        for j, requirement in enumerate(dict_items(term.get("matchLabelExpressions"))):
            at, key, values = f"{here}[{j}]", requirement.get("key") or "", as_list(requirement.get("values"))
            if not values:
                problems.append(required(f"{at}.values"))
            problems += [duplicate(f"{at}.values[{k}]", value) for k, value in enumerate(values)
                         if value in values[:k]]
            problems += label_name_problems(key, f"{at}.key")
            if key in requirements:
                problems.append(duplicate(f"{at}.key", key))
            requirements[key] = set(values)
        problems += [duplicate(here, "") for raw in seen if semantically_equal(raw, requirements)]
        seen.append(requirements)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateStorageClassUpdate")
def validate_storage_class_update(old: dict, new: dict) -> list[str]:
    """What volumes of the class were provisioned with does not change."""
    problems = [f"{field}: Forbidden: updates to {field} are forbidden." for field in
                ("parameters", "provisioner", "reclaimPolicy") if old.get(field) != new.get(field)]
    if old.get("volumeBindingMode") != new.get("volumeBindingMode"):
        problems.append(invalid("volumeBindingMode", new.get("volumeBindingMode") or "", "field is immutable"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/v1.SetDefaults_StorageClass")
def storage_class(obj: dict, spec: dict) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


RESOURCES = (
    Resource("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",),
             return_deleted_object=True,
             validator=validate_storage_class, update_validator=validate_storage_class_update,
             zero_value={"provisioner": ""},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"StorageClass": storage_class}
NO_SPEC = ("StorageClass",)


DEFINITIONS = {
    STORAGE + "StorageClass": kind(
        "storage.k8s.io", "v1", "StorageClass", "A class of dynamically provisioned volumes.", ("provisioner",),
        allowVolumeExpansion=boolean("Whether claims of this class may grow."),
        allowedTopologies={**arr(ref(CORE + "TopologySelectorTerm"), "Where volumes may be provisioned."),
                           "x-kubernetes-list-type": "atomic"},
        mountOptions=strings("Mount options of provisioned volumes."),
        parameters=string_map("Parameters for the provisioner."),
        provisioner=string("The volume plugin that provisions."),
        reclaimPolicy=string("Delete or Retain; defaults to Delete."),
        volumeBindingMode=string("Immediate or WaitForFirstConsumer.")),
    STORAGE + "StorageClassList": list_kind("storage.k8s.io", "v1", STORAGE + "StorageClass"),
    CORE + "TopologySelectorTerm": atomic(obj(
        "Topology domains, by the labels that name them; all requirements must hold.",
        matchLabelExpressions=arr(ref(CORE + "TopologySelectorLabelRequirement"), "Requirements on topology labels."))),
    CORE + "TopologySelectorLabelRequirement": obj(
        "A topology label and the values it may have.", ("key", "values"),
        key=string("The topology label key."),
        values=strings("Values the label may have; one suffices.")),
}


GO_TYPES = {
    STORAGE + "StorageClass": {"reclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
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
core.TopologySelectorLabelRequirement: 1 key! string; 2 values* []string
core.TopologySelectorTerm: 1 matchLabelExpressions? []core.TopologySelectorLabelRequirement
storage.StorageClass: 1 metadata! meta.ObjectMeta; 2 provisioner! string; 3 parameters? {}string;
    4 reclaimPolicy string; 5 mountOptions? []string; 6 allowVolumeExpansion bool; 7 volumeBindingMode string;
    8 allowedTopologies? []core.TopologySelectorTerm
storage.StorageClassList: 1 metadata! meta.ListMeta; 2 items* []storage.StorageClass
"""
