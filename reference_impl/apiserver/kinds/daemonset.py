"""The DaemonSet kind (apps/v1): its resource facts, validation, defaults, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (APPS, INT_OR_STRING, META, conditions, integer, list_kind, obj,
                                                   ref, string, workload)
from reference_impl.apiserver.kinds._podspec import MIN_READY, REVISIONS, SELECTOR, TEMPLATE, ZERO_TEMPLATE
from reference_impl.apiserver.core.podvalidation import pod_template_spec_problems
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, labels_cell, name_cell,
                                                     part, selector_cell, template_containers)
from reference_impl.apiserver.kinds._defaulting import template_defaults, update_strategy
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import selector_matches
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDaemonSetSpec")
def validate_daemon_set(obj: dict) -> list[str]:
    """A selector is not required: a missing one selects nothing, so it fails only to match the
    template's labels; an empty one matches them but is invalid. Then the template, whose pods
    restart Always and have no active deadline, and the counts and update strategy."""
    spec = v.as_object(obj.get("spec"))
    selector, template = spec.get("selector"), v.as_object(spec.get("template"))
    problems = v.label_selector_problems(selector, "spec.selector")
    labels = v.as_object(template.get("metadata")).get("labels")
    if v.converts_to_selector(selector) and not selector_matches(selector, labels):
        problems.append(f"spec.template.metadata.labels: Invalid value: {v.go_string_map(labels)}: "
                        "`selector` does not match template `labels`")
    if selector is not None and not (v.as_object(selector).get("matchLabels")
                                     or v.as_object(selector).get("matchExpressions")):
        problems.append(f"spec.selector: Invalid value: {v.go_label_selector(v.as_object(selector))}: "
                        "empty selector is invalid for daemonset")
    problems += pod_template_spec_problems(template, "spec.template", ("Always",))
    if v.as_object(template.get("spec")).get("activeDeadlineSeconds") is not None:
        problems.append("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet "
                        "is not Supported")
    problems += v.nonnegative_counts(spec, ("minReadySeconds",), "spec") + update_strategy_problems(spec)
    if spec.get("revisionHistoryLimit") is not None:
        problems += v.nonnegative_counts(spec, ("revisionHistoryLimit",), "spec")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDaemonSetUpdateStrategy",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateRollingUpdateDaemonSet")
def update_strategy_problems(spec: dict) -> list[str]:
    """OnDelete, or RollingUpdate with maxUnavailable and maxSurge whole percents (at most 100%)
    or non-negative, exactly one of them not 0 (DaemonSetUpdateSurge is on in 1.24)."""
    strategy, path = v.as_object(spec.get("updateStrategy")), "spec.updateStrategy"
    kind = strategy.get("type", "")
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        rolling = "nil" if strategy.get("rollingUpdate") is None else "0xc000000000"
        return [f"{path}: Unsupported value: apps.DaemonSetUpdateStrategy{{Type:{quote(kind)}, "
                f"RollingUpdate:(*apps.RollingUpdateDaemonSet)({rolling})}}: supported values: "
                '"RollingUpdate", "OnDelete"']
    if strategy.get("rollingUpdate") is None:
        return [v.required(f"{path}.rollingUpdate")]
    rolling, path = v.as_object(strategy["rollingUpdate"]), f"{path}.rollingUpdate"
    unavailable_errors, unavailable = v.positive_int_or_percent(rolling.get("maxUnavailable", 0),
                                                               f"{path}.maxUnavailable")
    surge_errors, surge = v.positive_int_or_percent(rolling.get("maxSurge", 0), f"{path}.maxSurge")
    problems = unavailable_errors + surge_errors
    problems += v.not_more_than_100_percent(rolling.get("maxUnavailable"), f"{path}.maxUnavailable")
    problems += v.not_more_than_100_percent(rolling.get("maxSurge"), f"{path}.maxSurge")
    if unavailable and surge:
        problems.append(f"{path}.maxSurge: Invalid value: {v.int_or_string(rolling.get('maxSurge'))}: "
                        "may not be set when maxUnavailable is non-zero")
    elif not unavailable and not surge:
        problems.append(v.required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_DaemonSet")
def daemon_set(obj: dict, spec: dict) -> None:
    update_strategy(spec, maxUnavailable=1, maxSurge=0)
    spec.setdefault("revisionHistoryLimit", 10)
    template_defaults(spec)


# apps/v1 has no spec.templateGeneration: the internal field travels as this annotation
# (Convert_apps_DaemonSet_To_v1_DaemonSet), which daemon pods copy into a pod-template-generation label.
TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def _template_generation(obj: dict) -> int:
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION, 0))
    except (TypeError, ValueError):
        return 0


def _set_template_generation(obj: dict, generation: int) -> None:
    obj["metadata"].setdefault("annotations", {})[TEMPLATE_GENERATION] = str(generation)


@mirrors("k8s.io/kubernetes/pkg/registry/apps/daemonset.daemonSetStrategy.PrepareForCreate")
def prepare_for_create(obj: dict, user: object) -> None:
    """A new DaemonSet starts at template generation 1 (or the one it was given, if higher)."""
    _set_template_generation(obj, max(_template_generation(obj), 1))


@mirrors("k8s.io/kubernetes/pkg/registry/apps/daemonset.daemonSetStrategy.PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """A changed pod template is the next template generation; otherwise the stored one stays."""
    generation = _template_generation(old) or 1
    if (new.get("spec") or {}).get("template") != (old.get("spec") or {}).get("template"):
        generation += 1
    _set_template_generation(new, generation)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDaemonSetStatusUpdate",
         "k8s.io/kubernetes/pkg/apis/apps/validation.validateDaemonSetStatus")
def validate_status_update(old: dict, new: dict) -> list[str]:
    status = new.get("status") or {}
    return v.nonnegative_counts(status, ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                                         "numberReady", "observedGeneration", "updatedNumberScheduled",
                                         "numberAvailable", "numberUnavailable", "collisionCount")) + \
        v.collision_count_decremented(old, new)


# An empty DaemonSet as Go writes it: converting to apps/v1 writes the templateGeneration, 0 here,
# as an annotation, and the status counts have no omitempty.
ZERO_DAEMON_SET = {
    "metadata": {"annotations": {"deprecated.daemonset.template.generation": "0"}},
    "spec": {"selector": None, "template": ZERO_TEMPLATE, "updateStrategy": {}},
    "status": {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0}}

RESOURCES = (
    Resource("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",),
             subresources=("status",), categories=("all",), status_reset_on_update=True,
             validator=validate_daemon_set, update_validator=v.validate_selector_immutable,
             tracks_generation=True, prepare_for_create=prepare_for_create,
             prepare_for_update=prepare_for_update, validate_status_update=validate_status_update,
             zero_value=ZERO_DAEMON_SET,
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"DaemonSet": daemon_set}


DEFINITIONS = {
    **workload("apps", "v1", APPS, "DaemonSet", "Runs one pod on each node that matches."),
    APPS + "DaemonSetStatus": obj(
        "The observed state of a DaemonSet; written by its controller.",
        ("currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"),
        collisionCount=integer("Collisions of the controller's revision hashes, used to name new revisions."),
        conditions=conditions(APPS + "DaemonSetCondition"),
        currentNumberScheduled=integer("Nodes running a daemon pod that should."),
        desiredNumberScheduled=integer("Nodes that should run the daemon pod."),
        numberAvailable=integer("Nodes whose daemon pod is available."),
        numberMisscheduled=integer("Nodes running a daemon pod that should not."),
        numberReady=integer("Nodes whose daemon pod is ready."),
        numberUnavailable=integer("Nodes that should run an available daemon pod but do not."),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        updatedNumberScheduled=integer("Nodes running the updated daemon pod.")),
    APPS + "DaemonSetCondition": obj(
        "One condition of a DaemonSet.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    APPS + "DaemonSetSpec": obj(
        "The desired state of a DaemonSet.", ("selector", "template"),
        minReadySeconds=MIN_READY, revisionHistoryLimit=REVISIONS, selector=SELECTOR, template=TEMPLATE,
        updateStrategy=ref(APPS + "DaemonSetUpdateStrategy", "How pods are replaced on a template change.")),
    APPS + "DaemonSetUpdateStrategy": obj(
        "How a DaemonSet replaces pods.",
        rollingUpdate=ref(APPS + "RollingUpdateDaemonSet", "Settings of a RollingUpdate."),
        type=string("RollingUpdate or OnDelete.")),
    APPS + "RollingUpdateDaemonSet": obj(
        "Bounds of a DaemonSet's rolling update.",
        maxSurge=ref(INT_OR_STRING, "Nodes that may run an updated pod beside the old one, a number or a percentage."),
        maxUnavailable=ref(INT_OR_STRING, "Nodes whose pod may be unavailable, a number or a percentage.")),
    APPS + "DaemonSetList": list_kind("apps", "v1", APPS + "DaemonSet"),
}


GO_TYPES = {
    APPS + "DaemonSetUpdateStrategy": {"rollingUpdate": "*v1.RollingUpdateDaemonSet",
                                       "type": "v1.DaemonSetUpdateStrategyType"},
    APPS + "DaemonSetCondition": {"type": "v1.DaemonSetConditionType"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printDaemonSet")
def _daemon_set(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), status.get("desiredNumberScheduled", 0),
            status.get("currentNumberScheduled", 0), status.get("numberReady", 0),
            status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            labels_cell(part(spec, "template", "spec").get("nodeSelector")), age_cell(obj, now), names, images,
            selector_cell(spec.get("selector"))]


PRINTERS = {
    "DaemonSet": ([NAME, ("Desired", "integer", 0, "Nodes that should run the daemon pod."),
                   ("Current", "integer", 0, "Nodes running at least one daemon pod."),
                   ("Ready", "integer", 0, "Nodes with a ready daemon pod."),
                   ("Up-to-date", "integer", 0, "Nodes running the current template."),
                   ("Available", "integer", 0, "Nodes with an available daemon pod."),
                   ("Node Selector", "string", 0, "The template's node selector."),
                   AGE, *WIDE_TEMPLATE], _daemon_set),
}


MESSAGES = """
apps.DaemonSet: 1 metadata! meta.ObjectMeta; 2 spec! apps.DaemonSetSpec; 3 status! apps.DaemonSetStatus
apps.DaemonSetCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time; 4 reason? string;
    5 message? string
apps.DaemonSetList: 1 metadata! meta.ListMeta; 2 items* []apps.DaemonSet
apps.DaemonSetSpec: 1 selector* meta.LabelSelector; 2 template! core.PodTemplateSpec;
    3 updateStrategy! apps.DaemonSetUpdateStrategy; 4 minReadySeconds? int32; 6 revisionHistoryLimit int32
apps.DaemonSetStatus: 1 currentNumberScheduled! int32; 2 numberMisscheduled! int32; 3 desiredNumberScheduled! int32;
    4 numberReady! int32; 5 observedGeneration? int64; 6 updatedNumberScheduled? int32; 7 numberAvailable? int32;
    8 numberUnavailable? int32; 9 collisionCount int32; 10 conditions? []apps.DaemonSetCondition
apps.DaemonSetUpdateStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateDaemonSet
apps.RollingUpdateDaemonSet: 1 maxUnavailable intstr.IntOrString; 2 maxSurge intstr.IntOrString
"""
