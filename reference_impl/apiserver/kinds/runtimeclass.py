"""The RuntimeClass kind (node.k8s.io/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.podvalidation import resource_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, NODE, arr, atomic, kind, list_kind, obj, quantity_map, ref, string,
                                                   string_map)
from reference_impl.apiserver.core.validation import (go_toleration, invalid, label_problems, name_problems,
                                                      toleration_problems)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/node/validation.ValidateRuntimeClass")
def validate_runtime_class(runtime_class: dict) -> list[str]:
    """A DNS-label handler, the overhead as a pod's resource limits, and the scheduling's node
    selector as labels and its tolerations as a pod's, none twice."""
    problems = name_problems(runtime_class.get("handler") or "", "label", "handler")
    overhead = runtime_class.get("overhead")
    if overhead is not None:
        problems += resource_problems({"limits": overhead.get("podFixed") or {}}, "overhead")
    scheduling = runtime_class.get("scheduling")
    if scheduling is not None:
        problems += _scheduling_problems(scheduling)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/node/validation.validateScheduling",
         "k8s.io/kubernetes/pkg/apis/node/validation.validateTolerations")
def _scheduling_problems(scheduling: dict) -> list[str]:
    problems = label_problems(scheduling.get("nodeSelector") or {}, "scheduling.nodeSelector")
    tolerations = scheduling.get("tolerations") or []
    # Upstream passes its own path's child on to ValidateTolerations, which adds "tolerations" again.
    problems += toleration_problems(tolerations, "scheduling.tolerations.tolerations")
    seen = set()
    for i, toleration in enumerate(tolerations):
        key = tuple(toleration.get(field) or "" for field in ("key", "operator", "value", "effect"))
        if key in seen:
            problems.append(f"scheduling.tolerations[{i}]: Duplicate value: {go_toleration(toleration)}")
        seen.add(key)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/node/validation.ValidateRuntimeClassUpdate")
def validate_runtime_class_update(old: dict, new: dict) -> list[str]:
    if new.get("handler") != old.get("handler"):
        return [invalid("handler", new.get("handler") or "", "field is immutable")]
    return []


RESOURCES = (
    Resource("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", False,
             allow_unconditional_update=False, validator=validate_runtime_class,
             update_validator=validate_runtime_class_update,
             zero_value={"handler": ""},
             allow_create_on_update=True,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1), kube_finalizers=False),
)


DEFINITIONS = {
    NODE + "RuntimeClass": kind(
        "node.k8s.io", "v1", "RuntimeClass", "A container runtime configuration pods may choose.", ("handler",),
        handler=string("The CRI handler that runs the pods."),
        overhead=ref(NODE + "Overhead", "Resources the runtime itself uses per pod."),
        scheduling=ref(NODE + "Scheduling", "Node selector and tolerations for the pods of this class.")),
    NODE + "Overhead": obj("What a pod of the class costs beyond its containers.",
                           podFixed=quantity_map("Resources each pod is charged.")),
    NODE + "Scheduling": obj("Where the pods of a class may run.",
                             nodeSelector=atomic(string_map("Labels a node must have.")),
                             tolerations=arr(ref(CORE + "Toleration"), "Taints the pods tolerate.",
                                             list_type="atomic")),
    NODE + "RuntimeClassList": list_kind("node.k8s.io", "v1", NODE + "RuntimeClass"),
}


PRINTERS = {
    "RuntimeClass": ([NAME, ("Handler", "string", 0, "The CRI handler."), AGE],
                     lambda o, now: [name_cell(o), o.get("handler", ""), age_cell(o, now)]),
}


MESSAGES = """
node.Overhead: 1 podFixed? {}resource.Quantity
node.RuntimeClass: 1 metadata! meta.ObjectMeta; 2 handler! string; 3 overhead node.Overhead;
    4 scheduling node.Scheduling
node.RuntimeClassList: 1 metadata! meta.ListMeta; 2 items* []node.RuntimeClass
node.Scheduling: 1 nodeSelector? {}string; 2 tolerations? []core.Toleration
"""
