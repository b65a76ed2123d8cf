"""The ReplicaSet kind (apps/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podvalidation import validate_workload
from reference_impl.apiserver.core.resources import COMMON_FIELDS, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (APPS, CORE, META, conditions, integer, kind, list_kind, obj, ref,
                                                   string)
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, name_cell, part,
                                                     selector_cell, template_containers)
from reference_impl.apiserver.kinds._defaulting import template_defaults
from reference_impl.apiserver.kinds._podspec import ZERO_TEMPLATE
from reference_impl.mirrors import mirrors


def replica_set(obj: dict, spec: dict) -> None:
    spec.setdefault("replicas", 1)
    template_defaults(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateReplicaSetStatusUpdate",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateReplicaSetStatus",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateReplicationControllerStatusUpdate",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateReplicationControllerStatus")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """A ReplicaSet's or a ReplicationController's status (their checks are the same, word for
    word): no negative count, none above replicas, no more available than ready."""
    status = new.get("status") or {}
    return v.nonnegative_counts(status, ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                                         "observedGeneration")) + \
        v.counts_not_above(status, ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"), "replicas",
                           v.ABOVE_REPLICAS_MSG) + \
        v.counts_not_above(status, ("availableReplicas",), "readyReplicas", v.ABOVE_READY_MSG)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateReplicaSetSpec")
def validate_replica_set(obj: dict) -> list[str]:
    """The workload rules, with minReadySeconds not negative checked right after the replicas."""
    problems = validate_workload(obj)
    after_replicas = 1 if problems and problems[0].startswith("spec.replicas:") else 0
    min_ready = v.nonnegative_counts(obj.get("spec") or {}, ("minReadySeconds",), "spec")
    return problems[:after_replicas] + min_ready + problems[after_replicas:]


RESOURCES = (
    Resource("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=validate_replica_set, update_validator=v.validate_selector_immutable,
             field_selectors=(*COMMON_FIELDS, "status.replicas"), tracks_generation=True,
             validate_status_update=validate_status_update,
             zero_value={"spec": {"replicas": 0, "selector": None, "template": ZERO_TEMPLATE},
                         "status": {"replicas": 0}},
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"ReplicaSet": replica_set}


DEFINITIONS = {
    APPS + "ReplicaSet": kind("apps", "v1", "ReplicaSet", "Keeps a number of identical pods running.",
                              spec=ref(APPS + "ReplicaSetSpec", "The desired state of the ReplicaSet."),
                              status=ref(APPS + "ReplicaSetStatus", "The observed state of the ReplicaSet.")),
    APPS + "ReplicaSetSpec": obj(
        "The desired state of a ReplicaSet.", ("selector",),
        minReadySeconds=integer("Seconds a new pod must be ready to count as available."),
        replicas=integer("Number of desired pods; defaults to 1."),
        selector=ref(META + "LabelSelector", "Selects the pods the ReplicaSet counts."),
        template=ref(CORE + "PodTemplateSpec", "The pods to create when there are too few.")),
    APPS + "ReplicaSetStatus": obj(
        "The observed state of a ReplicaSet.", ("replicas",),
        availableReplicas=integer("Pods available for at least minReadySeconds."),
        conditions=conditions(APPS + "ReplicaSetCondition"),
        fullyLabeledReplicas=integer("Pods whose labels match the template's."),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods that are ready."),
        replicas=integer("Pods the ReplicaSet currently has.")),
    APPS + "ReplicaSetCondition": obj(
        "One condition of a ReplicaSet.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    APPS + "ReplicaSetList": list_kind("apps", "v1", APPS + "ReplicaSet"),
}


def _replica_set(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), age_cell(obj, now), names, images, selector_cell(spec.get("selector"))]


GO_TYPES = {
    APPS + "ReplicaSetCondition": {"type": "v1.ReplicaSetConditionType"},
}


PRINTERS = {
    "ReplicaSet": ([NAME, ("Desired", "integer", 0, "Desired pods."),
                    ("Current", "integer", 0, "Current pods."),
                    ("Ready", "integer", 0, "Ready pods."),
                    AGE, *WIDE_TEMPLATE], _replica_set),
}


MESSAGES = """
apps.ReplicaSet: 1 metadata! meta.ObjectMeta; 2 spec! apps.ReplicaSetSpec; 3 status! apps.ReplicaSetStatus
apps.ReplicaSetCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time; 4 reason? string;
    5 message? string
apps.ReplicaSetList: 1 metadata! meta.ListMeta; 2 items* []apps.ReplicaSet
apps.ReplicaSetSpec: 1 replicas int32; 4 minReadySeconds? int32; 2 selector* meta.LabelSelector;
    3 template! core.PodTemplateSpec
apps.ReplicaSetStatus: 1 replicas! int32; 2 fullyLabeledReplicas? int32; 4 readyReplicas? int32;
    5 availableReplicas? int32; 3 observedGeneration? int64; 6 conditions? []apps.ReplicaSetCondition
"""
