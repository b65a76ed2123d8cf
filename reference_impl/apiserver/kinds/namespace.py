"""The Namespace kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import (COMMON_FIELDS, NO_COLLECTION_DELETE, FieldLabelConversion, Resource,
                                                     UpdateMetadataChecks)
from reference_impl.apiserver.core.schemas import CORE, META, conditions, kind, list_kind, obj, ref, string, strings
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.core.validation import finalizer_name_problems, invalid
from reference_impl.apiserver.kinds._defaulting import object_field
from reference_impl.mirrors import mirrors


LABEL_METADATA_NAME = "kubernetes.io/metadata.name"


FINALIZER_KUBERNETES = "kubernetes"


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_Namespace",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_NamespaceStatus")
def namespace(obj: dict, spec: dict) -> None:
    """The Active phase, and the label naming the namespace, when it has a name (one from
    generateName gets it from `canonicalize`). The finalizer is the strategy's, not a default."""
    status = object_field(obj, "status")
    if status is not None:
        status.setdefault("phase", "Active")
    if obj["metadata"].get("name"):
        canonicalize(obj)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/namespace.namespaceStrategy).PrepareForCreate")
def prepare_for_create(obj: dict, user: object) -> None:
    """A new namespace is Active, whatever status it was sent, and carries the kubernetes
    finalizer after any it was given. Set after the field manager has run, so no manager owns it."""
    obj["status"] = {"phase": "Active"}
    spec = obj.setdefault("spec", {})
    finalizers = spec.get("finalizers") or []
    if FINALIZER_KUBERNETES not in finalizers:
        spec["finalizers"] = [*finalizers, FINALIZER_KUBERNETES]


@mirrors("(k8s.io/kubernetes/pkg/registry/core/namespace.namespaceStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """An update keeps the stored finalizers: only /finalize changes them (the status is kept as
    for every kind whose status is a subresource)."""
    spec = new.setdefault("spec", {})
    spec.pop("finalizers", None)
    if (old.get("spec") or {}).get("finalizers"):
        spec["finalizers"] = old["spec"]["finalizers"]


@mirrors("(k8s.io/kubernetes/pkg/registry/core/namespace.namespaceStrategy).Canonicalize")
def canonicalize(obj: dict) -> None:
    """The kubernetes.io/metadata.name label holds the namespace's name."""
    meta = obj["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}), LABEL_METADATA_NAME: meta["name"]}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNamespace")
def validate_namespace(obj: dict) -> list[str]:
    """spec.finalizers are finalizer names, reported at spec.finalizers."""
    return [problem for finalizer in (obj.get("spec") or {}).get("finalizers") or []
            for problem in finalizer_name_problems(finalizer, "spec.finalizers")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNamespaceFinalizeUpdate")
def validate_finalize_update(obj: dict) -> list[str]:
    """The finalizers /finalize sets, each reported at its index."""
    return [problem for index, finalizer in enumerate((obj.get("spec") or {}).get("finalizers") or [])
            for problem in finalizer_name_problems(finalizer, f"spec.finalizers[{index}]")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNamespaceStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """The phase is Active while the namespace has no deletionTimestamp, Terminating after."""
    phase = new["status"].get("phase") or ""
    if not new["metadata"].get("deletionTimestamp"):
        return [] if phase == "Active" else [
            invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty")]
    return [] if phase == "Terminating" else [
        invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")]


RESOURCES = (
    Resource("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), NO_COLLECTION_DELETE,
             ("status", "finalize"), name_validation="label", return_deleted_object=True, validator=validate_namespace,
             canonicalize=canonicalize, status_reset_on_update=True, validate_status_update=validate_status_update,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             field_selectors=(*COMMON_FIELDS, "status.phase"),
             field_label_conversion=FieldLabelConversion(("status.phase", "metadata.name")),
             zero_value={"spec": {}, "status": {}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Namespace": namespace}


DEFINITIONS = {
    CORE + "Namespace": kind("", "v1", "Namespace", "A scope for names of namespaced objects.",
                             spec=ref(CORE + "NamespaceSpec", "The desired state of the namespace."),
                             status=ref(CORE + "NamespaceStatus", "The observed state of the namespace.")),
    CORE + "NamespaceSpec": obj("The desired state of a namespace.",
                                finalizers=strings("What must finish before the namespace is removed.")),
    CORE + "NamespaceStatus": obj("The observed state of a namespace.",
                                  conditions=conditions(CORE + "NamespaceCondition"),
                                  phase=string("Active or Terminating.")),
    CORE + "NamespaceCondition": obj(
        "One condition of a namespace.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    CORE + "NamespaceList": list_kind("", "v1", CORE + "Namespace"),
}


GO_TYPES = {
    CORE + "NamespaceSpec": {"finalizers": "[]v1.FinalizerName"},
    CORE + "NamespaceStatus": {"phase": "v1.NamespacePhase"},
    CORE + "NamespaceCondition": {"status": "v1.ConditionStatus", "type": "v1.NamespaceConditionType"},
}


PRINTERS = {
    "Namespace": ([NAME, ("Status", "string", 0, "Namespace phase"), AGE],
                  lambda o, now: [name_cell(o), part(o, "status").get("phase", ""), age_cell(o, now)]),
}


MESSAGES = """
core.Namespace: 1 metadata! meta.ObjectMeta; 2 spec! core.NamespaceSpec; 3 status! core.NamespaceStatus
core.NamespaceCondition: 1 type! string; 2 status! string; 4 lastTransitionTime! meta.Time; 5 reason? string;
    6 message? string
core.NamespaceList: 1 metadata! meta.ListMeta; 2 items* []core.Namespace
core.NamespaceSpec: 1 finalizers? []string
core.NamespaceStatus: 1 phase? string; 2 conditions? []core.NamespaceCondition
"""
