"""The StatefulSet kind (apps/v1): its resource facts, validation, defaults, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podannotations import pod_specific_annotation_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (APPS, CORE, META, arr, conditions, integer, list_kind, obj, ref,
                                                   string, workload)
from reference_impl.apiserver.kinds._podspec import MIN_READY, REVISIONS, SELECTOR, TEMPLATE, ZERO_TEMPLATE
from reference_impl.apiserver.core.validation import unsupported
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, name_cell, part,
                                                     template_containers)
from reference_impl.apiserver.kinds._defaulting import (dict_items, embedded_object_meta, object_field,
                                                       template_defaults, update_strategy)
from reference_impl.apiserver.kinds.persistentvolumeclaim import persistent_volume_claim
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import selector_matches
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateStatefulSetSpec")
def validate_stateful_set(obj: dict) -> list[str]:
    """The policies, the counts, a non-empty selector matching the template, and the template's
    labels, annotations, restartPolicy Always and no activeDeadlineSeconds: 1.24 leaves the rest of
    its pod spec unchecked (a TODO upstream), so a bad one fails only at the pods' creation."""
    spec = part(obj, "spec")
    problems = []
    policy = spec.get("podManagementPolicy") or ""
    if not policy:
        problems.append(v.required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        problems.append(v.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    problems += _update_strategy_problems(part(spec, "updateStrategy"))
    problems += v.nonnegative_counts(spec, ("replicas", "minReadySeconds"), "spec")
    selector = spec.get("selector")
    if selector is None:
        problems.append(v.required("spec.selector"))
    else:
        problems += v.label_selector_problems(selector, "spec.selector")
        if not (v.as_object(selector).get("matchLabels") or v.as_object(selector).get("matchExpressions")):
            problems.append(f"spec.selector: Invalid value: {v.go_label_selector(v.as_object(selector))}: "
                            "empty selector is invalid for statefulset")
    template = part(spec, "template")
    meta, pod_spec = part(template, "metadata"), part(template, "spec")
    if not v.converts_to_selector(selector):
        problems.append(f"spec.selector: Invalid value: {v.go_label_selector(v.as_object(selector))}")
    else:
        problems += _template_problems(selector, meta, pod_spec)
    restart_policy = pod_spec.get("restartPolicy") or ""
    if restart_policy != "Always":
        problems.append(unsupported("spec.template.spec.restartPolicy", restart_policy, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        problems.append("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet "
                        "is not Supported")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidatePodTemplateSpecForStatefulSet")
def _template_problems(selector: dict | None, meta: dict, pod_spec: dict) -> list[str]:
    """Labels the selector matches (a missing selector selects nothing, an empty one is not
    compared), then valid labels and annotations, those a pod reads among them too."""
    labels = meta.get("labels")
    selects_everything = selector is not None and not (selector.get("matchLabels") or selector.get("matchExpressions"))
    problems = [] if selects_everything or selector_matches(selector, labels) else [
        f"spec.template.metadata.labels: Invalid value: {v.go_string_map(labels)}: "
        "`selector` does not match template `labels`"]
    annotations = meta.get("annotations")
    return problems + v.label_problems(labels, "spec.template.labels") + \
        v.annotation_problems(annotations, "spec.template.annotations") + \
        pod_specific_annotation_problems(annotations, pod_spec, "spec.template.annotations")


def _update_strategy_problems(strategy: dict) -> list[str]:
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if not kind:
        return [v.required("spec.updateStrategy")]
    if kind == "OnDelete":
        return [] if rolling is None else [
            f"spec.updateStrategy.rollingUpdate: Invalid value: {_go_rolling_update(rolling)}: only allowed for "
            "updateStrategy 'RollingUpdate'"]
    if kind == "RollingUpdate":
        return v.nonnegative_counts(part(strategy, "rollingUpdate"), ("partition",), "spec.updateStrategy.rollingUpdate")
    rolling_text = "(*apps.RollingUpdateStatefulSetStrategy)(nil)" if rolling is None else \
        "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)"  # a set pointer prints its address
    return [f"spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{{Type:{quote(kind)}, "
            f"RollingUpdate:{rolling_text}}}: must be 'RollingUpdate' or 'OnDelete'"]


def _go_rolling_update(rolling: object) -> str:
    """%#v of the apps.RollingUpdateStatefulSetStrategy field.Invalid dereferences."""
    return f"apps.RollingUpdateStatefulSetStrategy{{Partition:{v.as_object(rolling).get('partition') or 0}}}"


# The spec fields ValidateStatefulSetUpdate lets an update change (with 1.24's StatefulSetMinReadySeconds on).
UPDATABLE_SPEC_FIELDS = ("replicas", "template", "updateStrategy", "minReadySeconds",
                         "persistentVolumeClaimRetentionPolicy")


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateStatefulSetUpdate")
def validate_stateful_set_update(old: dict, new: dict) -> list[str]:
    """Only the updatable fields of the spec may change; the selector is not one of them. Then
    replicas and minReadySeconds not negative again (ValidateStatefulSet checked them already, so
    a negative one is a cause twice)."""
    def fixed(obj: dict) -> dict:
        return {name: value for name, value in part(obj, "spec").items() if name not in UPDATABLE_SPEC_FIELDS}
    problems = []
    if fixed(new) != fixed(old):
        problems.append("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'template', "
                        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
    return problems + v.nonnegative_counts(part(new, "spec"), ("replicas", "minReadySeconds"), "spec")


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_StatefulSet",
         "k8s.io/kubernetes/pkg/apis/apps/v1.Convert_apps_StatefulSetSpec_To_v1_StatefulSetSpec")
def stateful_set(obj: dict, spec: dict) -> None:
    spec.setdefault("podManagementPolicy", "OrderedReady")
    update_strategy(spec, partition=0)
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    for claim in dict_items(spec.get("volumeClaimTemplates")):
        # Converted back to apps/v1, each template is a v1 PersistentVolumeClaim whatever was sent.
        claim.update(apiVersion="v1", kind="PersistentVolumeClaim")
        embedded_object_meta(claim)
        claim_spec = object_field(claim, "spec")
        if claim_spec is not None:
            persistent_volume_claim(claim, claim_spec)
    template_defaults(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateStatefulSetStatusUpdate",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateStatefulSetStatus")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """With 1.24's StatefulSetMinReadySeconds (beta, on): availableReplicas is checked as well."""
    status = new.get("status") or {}
    return v.nonnegative_counts(status, ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                                         "availableReplicas", "observedGeneration", "collisionCount")) + \
        v.counts_not_above(status, ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"),
                           "replicas", v.ABOVE_REPLICAS_MSG) + \
        v.counts_not_above(status, ("availableReplicas",), "readyReplicas", v.ABOVE_READY_MSG) + \
        v.collision_count_decremented(old, new)


@mirrors("k8s.io/kubernetes/pkg/registry/apps/statefulset.dropStatefulSetDisabledFields")
def drop_disabled_fields(new: dict, old: dict | None = None) -> None:
    """StatefulSetAutoDeletePVC is alpha and off in 1.24: persistentVolumeClaimRetentionPolicy is
    dropped unless the stored set already has it."""
    if not part(old or {}, "spec").get("persistentVolumeClaimRetentionPolicy"):
        part(new, "spec").pop("persistentVolumeClaimRetentionPolicy", None)


RESOURCES = (
    Resource("apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=validate_stateful_set, update_validator=validate_stateful_set_update,
             tracks_generation=True, validate_status_update=validate_status_update,
             prepare_for_create=lambda obj, user: drop_disabled_fields(obj),
             prepare_for_update=drop_disabled_fields,
             zero_value={"spec": {"replicas": 0, "selector": None, "template": ZERO_TEMPLATE, "serviceName": "",
                                  "updateStrategy": {}},
                         "status": {"replicas": 0, "availableReplicas": 0}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"StatefulSet": stateful_set}


DEFINITIONS = {
    **workload("apps", "v1", APPS, "StatefulSet", "Pods with stable names and storage, started in order."),
    APPS + "StatefulSetStatus": obj(
        "The observed state of a StatefulSet; written by its controller.", ("availableReplicas", "replicas"),
        availableReplicas=integer("Pods ready for at least minReadySeconds."),
        collisionCount=integer("Collisions of the controller's revision hashes, used to name new revisions."),
        conditions=conditions(APPS + "StatefulSetCondition"),
        currentReplicas=integer("Pods of the current revision."),
        currentRevision=string("Revision of the current pods."),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods ready."),
        replicas=integer("Pods the controller has created."),
        updateRevision=string("Revision the pods are being updated to."),
        updatedReplicas=integer("Pods of the update revision.")),
    APPS + "StatefulSetCondition": obj(
        "One condition of a StatefulSet.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    APPS + "StatefulSetSpec": obj(
        "The desired state of a StatefulSet.", ("selector", "template", "serviceName"),
        minReadySeconds=MIN_READY,
        persistentVolumeClaimRetentionPolicy=ref(APPS + "StatefulSetPersistentVolumeClaimRetentionPolicy",
                                                 "Whether claims are deleted with the set or on scale down."),
        podManagementPolicy=string("OrderedReady or Parallel."),
        replicas=integer("Number of desired pods; defaults to 1."),
        revisionHistoryLimit=REVISIONS, selector=SELECTOR,
        serviceName=string("The headless service that names the pods."),
        template=TEMPLATE,
        updateStrategy=ref(APPS + "StatefulSetUpdateStrategy", "How pods are replaced on a template change."),
        volumeClaimTemplates=arr(ref(CORE + "PersistentVolumeClaim"), "Claims each pod gets its own of.")),
    APPS + "StatefulSetUpdateStrategy": obj(
        "How a StatefulSet replaces pods.",
        rollingUpdate=ref(APPS + "RollingUpdateStatefulSetStrategy", "Settings of a RollingUpdate."),
        type=string("RollingUpdate or OnDelete.")),
    APPS + "RollingUpdateStatefulSetStrategy": obj(
        "Bounds of a StatefulSet's rolling update.",
        partition=integer("Pods with an ordinal below it keep the old revision.")),
    APPS + "StatefulSetPersistentVolumeClaimRetentionPolicy": obj(
        "What happens to the claims of a StatefulSet's volume claim templates.",
        whenDeleted=string("Retain or Delete, when the StatefulSet is deleted; defaults to Retain."),
        whenScaled=string("Retain or Delete, when the StatefulSet is scaled down; defaults to Retain.")),
    APPS + "StatefulSetList": list_kind("apps", "v1", APPS + "StatefulSet"),
}


GO_TYPES = {
    APPS + "StatefulSetSpec": {
        "persistentVolumeClaimRetentionPolicy": "*v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        "podManagementPolicy": "v1.PodManagementPolicyType"},
    APPS + "StatefulSetUpdateStrategy": {"rollingUpdate": "*v1.RollingUpdateStatefulSetStrategy",
                                         "type": "v1.StatefulSetUpdateStrategyType"},
    APPS + "StatefulSetCondition": {"type": "v1.StatefulSetConditionType"},
    APPS + "StatefulSetPersistentVolumeClaimRetentionPolicy": {
        "whenDeleted": "v1.PersistentVolumeClaimRetentionPolicyType",
        "whenScaled": "v1.PersistentVolumeClaimRetentionPolicyType"},
}


def _stateful_set(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            age_cell(obj, now), names, images]


PRINTERS = {
    "StatefulSet": ([NAME, ("Ready", "string", 0, "Ready pods out of desired"), AGE, *WIDE_TEMPLATE[:2]],
                    _stateful_set),
}


MESSAGES = """
apps.RollingUpdateStatefulSetStrategy: 1 partition int32
apps.StatefulSet: 1 metadata! meta.ObjectMeta; 2 spec! apps.StatefulSetSpec; 3 status! apps.StatefulSetStatus
apps.StatefulSetCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time; 4 reason? string;
    5 message? string
apps.StatefulSetList: 1 metadata! meta.ListMeta; 2 items* []apps.StatefulSet
apps.StatefulSetPersistentVolumeClaimRetentionPolicy: 1 whenDeleted? string; 2 whenScaled? string
apps.StatefulSetSpec: 1 replicas int32; 2 selector* meta.LabelSelector; 3 template! core.PodTemplateSpec;
    4 volumeClaimTemplates? []core.PersistentVolumeClaim; 5 serviceName! string; 6 podManagementPolicy? string;
    7 updateStrategy! apps.StatefulSetUpdateStrategy; 8 revisionHistoryLimit int32; 9 minReadySeconds? int32;
    10 persistentVolumeClaimRetentionPolicy apps.StatefulSetPersistentVolumeClaimRetentionPolicy
apps.StatefulSetStatus: 1 observedGeneration? int64; 2 replicas! int32; 3 readyReplicas? int32;
    4 currentReplicas? int32; 5 updatedReplicas? int32; 6 currentRevision? string; 7 updateRevision? string;
    9 collisionCount int32; 10 conditions? []apps.StatefulSetCondition; 11 availableReplicas! int32
apps.StatefulSetUpdateStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateStatefulSetStrategy
"""
