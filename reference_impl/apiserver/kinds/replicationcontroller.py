"""The ReplicationController kind (core/v1): its resource facts, validation, defaults, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, META, atomic, conditions, integer, list_kind, obj, ref, string,
                                                   string_map, workload)
from reference_impl.apiserver.kinds._podspec import MIN_READY, TEMPLATE
from reference_impl.apiserver.core.podvalidation import pod_template_spec_problems
from reference_impl.apiserver.core.validation import go_string_map, invalid, required
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, labels_cell, name_cell,
                                                     part, template_containers)
from reference_impl.apiserver.kinds._defaulting import template_defaults
from reference_impl.apiserver.kinds import replicaset
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateReplicationControllerSpec")
def validate_replication_controller(obj: dict) -> list[str]:
    """A minReadySeconds that is not negative, a non-empty selector map the template's labels match
    (the template is required)."""
    spec = obj.get("spec") or {}
    problems = []
    min_ready = spec.get("minReadySeconds")
    if isinstance(min_ready, int) and min_ready < 0:
        problems.append(invalid("spec.minReadySeconds", min_ready, "must be greater than or equal to 0"))
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        problems.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    selector = spec.get("selector")
    if not selector or not isinstance(selector, dict):
        problems.append(required("spec.selector"))
    template = spec.get("template")
    if not isinstance(template, dict):
        return problems + [required("spec.template")]
    labels = (template.get("metadata") or {}).get("labels")
    if isinstance(selector, dict) and any((labels or {}).get(k) != v for k, v in selector.items()):
        problems.append(f"spec.template.metadata.labels: Invalid value: {go_string_map(labels)}: "
                        "`selector` does not match template `labels`")
    return problems + pod_template_spec_problems(template, "spec.template", ("Always",))


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_ReplicationController")
def replication_controller(obj: dict, spec: dict) -> None:
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(labels)
    spec.setdefault("replicas", 1)
    if spec.get("template") is not None:  # a *PodTemplateSpec in core/v1, unlike the apps kinds' struct
        template_defaults(spec)


RESOURCES = (
    Resource("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", True,
             ("rc",), subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=validate_replication_controller, field_selectors=(*COMMON_FIELDS, "status.replicas"),
             field_label_conversion=FieldLabelConversion((*COMMON_FIELDS, "status.replicas")),
             storage_prefix="controllers", tracks_generation=True,
             validate_status_update=replicaset.validate_status_update,
             zero_value={"spec": {"replicas": 0}, "status": {"replicas": 0}},
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"ReplicationController": replication_controller}


DEFINITIONS = {
    **workload("", "v1", CORE, "ReplicationController", "Keeps a number of identical pods running (legacy)."),
    CORE + "ReplicationControllerStatus": obj(
        "The observed state of a ReplicationController; written by its controller.", ("replicas",),
        availableReplicas=integer("Pods ready for at least minReadySeconds."),
        conditions=conditions(CORE + "ReplicationControllerCondition"),
        fullyLabeledReplicas=integer("Pods whose labels match the template's."),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods ready."),
        replicas=integer("Pods the controller has created.")),
    CORE + "ReplicationControllerCondition": obj(
        "One condition of a ReplicationController.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    CORE + "ReplicationControllerSpec": obj(
        "The desired state of a ReplicationController.",
        minReadySeconds=MIN_READY,
        replicas=integer("Number of desired pods; defaults to 1."),
        selector=atomic(string_map("Labels of the pods it counts; defaults to the template's labels.")),
        template=TEMPLATE),
    CORE + "ReplicationControllerList": list_kind("", "v1", CORE + "ReplicationController"),
}


def _replication_controller(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), age_cell(obj, now), names, images, labels_cell(spec.get("selector"))]


GO_TYPES = {
    CORE + "ReplicationControllerCondition": {"status": "v1.ConditionStatus",
                                              "type": "v1.ReplicationControllerConditionType"},
}


PRINTERS = {
    "ReplicationController": ([NAME, ("Desired", "integer", 0, "Desired pods."),
                               ("Current", "integer", 0, "Current pods."), ("Ready", "integer", 0, "Ready pods."),
                               AGE, *WIDE_TEMPLATE], _replication_controller),
}


MESSAGES = """
core.ReplicationController: 1 metadata! meta.ObjectMeta; 2 spec! core.ReplicationControllerSpec;
    3 status! core.ReplicationControllerStatus
core.ReplicationControllerCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time;
    4 reason? string; 5 message? string
core.ReplicationControllerList: 1 metadata! meta.ListMeta; 2 items* []core.ReplicationController
core.ReplicationControllerSpec: 1 replicas int32; 4 minReadySeconds? int32; 2 selector? {}string;
    3 template core.PodTemplateSpec
core.ReplicationControllerStatus: 1 replicas! int32; 2 fullyLabeledReplicas? int32; 4 readyReplicas? int32;
    5 availableReplicas? int32; 3 observedGeneration? int64; 6 conditions? []core.ReplicationControllerCondition
"""
