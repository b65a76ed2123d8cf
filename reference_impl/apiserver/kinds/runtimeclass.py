"""The RuntimeClass kind (node.k8s.io/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import NODE, kind, list_kind, opaque, string
from reference_impl.apiserver.core.validation import name_problems, required
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell


def validate_runtime_class(obj: dict) -> list[str]:
    handler = obj.get("handler")
    if not handler:
        return [required("handler")]
    return name_problems(handler, "label", "handler")


RESOURCES = (
    Resource("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", False,
             validator=validate_runtime_class),
)


DEFINITIONS = {
    NODE + "RuntimeClass": kind(
        "node.k8s.io", "v1", "RuntimeClass", "A container runtime configuration pods may choose.", ("handler",),
        handler=string("The CRI handler that runs the pods."),
        overhead=opaque("Resources the runtime itself uses per pod."),
        scheduling=opaque("Node selector and tolerations for the pods of this class.")),
    NODE + "RuntimeClassList": list_kind("node.k8s.io", "v1", NODE + "RuntimeClass"),
}


PRINTERS = {
    "RuntimeClass": ([NAME, ("Handler", "string", 0, "The CRI handler."), AGE],
                     lambda o, now: [name_cell(o), o.get("handler", ""), age_cell(o, now)]),
}


MESSAGES = """
node.Overhead: 1 podFixed {}resource.Quantity
node.RuntimeClass: 1 metadata meta.ObjectMeta; 2 handler string; 3 overhead node.Overhead;
    4 scheduling node.Scheduling
node.RuntimeClassList: 1 metadata meta.ListMeta; 2 items []node.RuntimeClass
node.Scheduling: 1 nodeSelector {}string; 2 tolerations []core.Toleration
"""
