"""The PriorityClass kind (scheduling.k8s.io/v1): its resource facts, the system classes, validation,
defaults, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import SCHEDULING, boolean, integer, kind, list_kind, string
from reference_impl.apiserver.core.validation import invalid, required, unsupported
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.mirrors import mirrors

HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
SYSTEM_PRIORITY_CLASS_PREFIX = "system-"
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")

# Created at start by the scheduling/bootstrap-system-priority-classes post-start hook.
SYSTEM_PRIORITY_CLASSES = (
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-node-critical"},
     "value": SYSTEM_CRITICAL_PRIORITY + 1000,
     "description": "Used for system critical pods that must not be moved from their current node."},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-cluster-critical"},
     "value": SYSTEM_CRITICAL_PRIORITY,
     "description": "Used for system critical pods that must run in the cluster, but can be moved to another "
                    "node if necessary."},
)
SYSTEM_PRIORITY_CLASS_NAMES = frozenset(pc["metadata"]["name"] for pc in SYSTEM_PRIORITY_CLASSES)


@mirrors("k8s.io/kubernetes/pkg/apis/scheduling/v1.IsKnownSystemPriorityClass")
def system_priority_class_problem(name: str, value: int, global_default: bool) -> str | None:
    """Why `name` with this value and globalDefault is not one of the system classes, or None."""
    for system in SYSTEM_PRIORITY_CLASSES:
        if system["metadata"]["name"] == name:
            if system["value"] != value:
                return f"value of {name} PriorityClass must be {system['value']}"
            if global_default:
                return f"globalDefault of {name} PriorityClass must be false"
            return None
    return f"{name} is not a known system priority class"


@mirrors("k8s.io/kubernetes/pkg/apis/scheduling/validation.ValidatePriorityClass")
def validate_priority_class(obj: dict) -> list[str]:
    """Names with the system- prefix belong to the system classes, exactly as they are; any other
    class's value is at most HIGHEST_USER_DEFINABLE_PRIORITY."""
    name, value = (obj.get("metadata") or {}).get("name") or "", obj.get("value") or 0
    problems = []
    if name.startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        problem = system_priority_class_problem(name, value, bool(obj.get("globalDefault")))
        if problem:
            problems.append(f"metadata.name: Forbidden: priority class names with "
                            f"'{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. "
                            f"error: {problem}")
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        problems.append(f"value: Forbidden: maximum allowed value of a user defined priority is "
                        f"{HIGHEST_USER_DEFINABLE_PRIORITY}")
    policy = obj.get("preemptionPolicy")
    if policy == "":
        problems.append(required("preemptionPolicy"))
    elif policy is not None and policy not in PREEMPTION_POLICIES:
        problems.append(unsupported("preemptionPolicy", policy, PREEMPTION_POLICIES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/scheduling/validation.ValidatePriorityClassUpdate")
def validate_priority_class_update(old: dict, new: dict) -> list[str]:
    """The value and the preemption policy are set for good at create."""
    problems = []
    if (new.get("value") or 0) != (old.get("value") or 0):
        problems.append("Value: Forbidden: may not be changed in an update.")
    if new.get("preemptionPolicy") != old.get("preemptionPolicy"):
        problems.append(invalid("preemptionPolicy", new.get("preemptionPolicy"), "field is immutable"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/scheduling/v1.SetDefaults_PriorityClass")
def priority_class(obj: dict, spec: dict) -> None:
    obj.setdefault("value", 0)  # not omitempty: Go writes the zero value
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


RESOURCES = (
    Resource("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", False, ("pc",),
             tracks_generation=True,
             validator=validate_priority_class, validator_on_update=validate_priority_class_update,
             zero_value={"value": 0}),
)


DEFAULTS = {"PriorityClass": priority_class}
NO_SPEC = ("PriorityClass",)


DEFINITIONS = {
    SCHEDULING + "PriorityClass": kind(
        "scheduling.k8s.io", "v1", "PriorityClass", "A mapping from a class name to a pod priority.", ("value",),
        description=string("When this priority class should be used."),
        globalDefault=boolean("Whether pods without a priority class get this one's value."),
        preemptionPolicy=string("Never or PreemptLowerPriority; defaults to PreemptLowerPriority."),
        value=integer("The priority pods of this class receive.")),
    SCHEDULING + "PriorityClassList": list_kind("scheduling.k8s.io", "v1", SCHEDULING + "PriorityClass"),
}


GO_TYPES = {
    SCHEDULING + "PriorityClass": {"preemptionPolicy": "v1.PreemptionPolicy"},
}


PRINTERS = {
    "PriorityClass": ([NAME, ("Value", "integer", 0, "The priority pods of this class receive."),
                       ("Global-Default", "boolean", 0, "Whether this class is the default one."), AGE],
                      lambda o, now: [name_cell(o), o.get("value") or 0, bool(o.get("globalDefault")),
                                      age_cell(o, now)]),
}


MESSAGES = """
scheduling.PriorityClass: 1 metadata! meta.ObjectMeta; 2 value! int32; 3 globalDefault? bool; 4 description? string;
    5 preemptionPolicy string
scheduling.PriorityClassList: 1 metadata! meta.ListMeta; 2 items* []scheduling.PriorityClass
"""
