"""The Deployment kind (apps/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podvalidation import validate_workload
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (APPS, CORE, INT_OR_STRING, META, boolean, conditions, integer, kind,
                                                   list_kind, obj, ref, string)
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, name_cell, part,
                                                     selector_cell, template_containers)
from reference_impl.apiserver.kinds._defaulting import object_field, template_defaults
from reference_impl.apiserver.kinds._podspec import ZERO_TEMPLATE
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/apps/v1.SetDefaults_Deployment")
def deployment(obj: dict, spec: dict) -> None:
    spec.setdefault("replicas", 1)
    strategy = object_field(spec, "strategy")
    if strategy is not None:
        if not strategy.get("type"):  # `strategy: {}`, what `kubectl create deployment` writes
            strategy["type"] = "RollingUpdate"
        if strategy["type"] == "RollingUpdate":
            rolling = object_field(strategy, "rollingUpdate")
            if rolling is not None:
                rolling.setdefault("maxUnavailable", "25%")
                rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    template_defaults(spec)


@mirrors("(k8s.io/kubernetes/pkg/registry/apps/deployment.deploymentStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """An annotation change is a new generation, as a spec change is (which the registry counts):
    the annotations are copied to the deployment's replica sets."""
    if (new["metadata"].get("annotations") or {}) != (old["metadata"].get("annotations") or {}):
        new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1


@mirrors("(k8s.io/kubernetes/pkg/registry/apps/deployment.deploymentStatusStrategy).PrepareForUpdate")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """deployments/status keeps the annotations sent but not the labels."""
    new["metadata"].pop("labels", None)
    if "labels" in old["metadata"]:
        new["metadata"]["labels"] = old["metadata"]["labels"]


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDeploymentStrategy",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateRollingUpdateDeployment")
def strategy_problems(obj: dict) -> list[str]:
    """A known strategy type; Recreate without rollingUpdate; maxSurge and maxUnavailable whole
    percents or non-negative, not both 0, maxUnavailable at most 100% (the controller divides by
    them)."""
    strategy, path = (obj.get("spec") or {}).get("strategy") or {}, "spec.strategy"
    kind_ = strategy.get("type") or "RollingUpdate"  # what SetDefaults_Deployment leaves
    if kind_ == "Recreate":
        return [f"{path}.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"] \
            if strategy.get("rollingUpdate") is not None else []
    if kind_ != "RollingUpdate":
        # NotSupported of the whole strategy struct, as %#v prints it (a set pointer as an address)
        rolling = "nil" if strategy.get("rollingUpdate") is None else "0xc000000000"
        return [f"{path}: Unsupported value: apps.DeploymentStrategy{{Type:{quote(kind_)}, "
                f"RollingUpdate:(*apps.RollingUpdateDeployment)({rolling})}}: supported values: "
                '"Recreate", "RollingUpdate"']
    rolling = strategy.get("rollingUpdate") or {}
    unavailable_errors, unavailable = v.positive_int_or_percent(rolling.get("maxUnavailable", "25%"),
                                                               f"{path}.rollingUpdate.maxUnavailable")
    surge_errors, surge = v.positive_int_or_percent(rolling.get("maxSurge", "25%"), f"{path}.rollingUpdate.maxSurge")
    problems = unavailable_errors + surge_errors
    if unavailable == 0 and surge == 0:
        problems.append(f"{path}.rollingUpdate.maxUnavailable: Invalid value: "
                        f"{v.int_or_string(rolling.get('maxUnavailable'))}: may not be 0 when `maxSurge` is 0")
    return problems + v.not_more_than_100_percent(rolling.get("maxUnavailable"), f"{path}.rollingUpdate.maxUnavailable")


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDeploymentStatusUpdate",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDeploymentStatus")
def validate_status_update(old: dict, new: dict) -> list[str]:
    status = new.get("status") or {}
    return v.nonnegative_counts(status, ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                                         "availableReplicas", "unavailableReplicas", "collisionCount")) + \
        v.counts_not_above(status, ("updatedReplicas", "readyReplicas", "availableReplicas"), "replicas",
                           v.ABOVE_REPLICAS_MSG) + \
        v.counts_not_above(status, ("availableReplicas",), "readyReplicas", v.ABOVE_READY_MSG) + \
        v.collision_count_decremented(old, new)


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDeploymentSpec")
def _validate(obj: dict) -> list[str]:
    """The workload rules, the strategy, then the counts: minReadySeconds and revisionHistoryLimit
    not negative, a progress deadline not negative and longer than minReadySeconds."""
    spec = obj.get("spec") or {}
    problems = validate_workload(obj) + strategy_problems(obj)
    problems += v.nonnegative_counts(spec, ("minReadySeconds",), "spec")
    if spec.get("revisionHistoryLimit") is not None:
        problems += v.nonnegative_counts(spec, ("revisionHistoryLimit",), "spec")
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        problems += v.nonnegative_counts(spec, ("progressDeadlineSeconds",), "spec")
        if deadline <= (spec.get("minReadySeconds") or 0):
            problems.append(v.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    return problems


RESOURCES = (
    Resource("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",),
             subresources=("status", "scale"), categories=("all",), status_reset_on_update=True,
             validator=_validate, update_validator=v.validate_selector_immutable,
             tracks_generation=True, prepare_for_update=prepare_for_update,
             prepare_for_status_update=prepare_for_status_update,
             validate_status_update=validate_status_update,
             zero_value={"spec": {"replicas": 0, "selector": None, "template": ZERO_TEMPLATE, "strategy": {}},
                         "status": {}}),
)


DEFAULTS = {"Deployment": deployment}


DEFINITIONS = {
    APPS + "Deployment": kind("apps", "v1", "Deployment", "Declarative rollouts of a replicated pod template.",
                              spec=ref(APPS + "DeploymentSpec", "The desired state of the deployment."),
                              status=ref(APPS + "DeploymentStatus", "The observed state of the deployment.")),
    APPS + "DeploymentSpec": obj(
        "The desired state of a deployment.", ("selector", "template"),
        minReadySeconds=integer("Seconds a new pod must be ready to count as available."),
        paused=boolean("Stop rolling out changes."),
        progressDeadlineSeconds=integer("Seconds before a stalled rollout is reported as failed."),
        replicas=integer("Number of desired pods; defaults to 1."),
        revisionHistoryLimit=integer("Old ReplicaSets kept for rollback; defaults to 10."),
        selector=ref(META + "LabelSelector", "Selects the pods the deployment manages; must match the template."),
        strategy={**ref(APPS + "DeploymentStrategy", "How old pods are replaced by new ones."),
                  "x-kubernetes-patch-strategy": "retainKeys"},
        template=ref(CORE + "PodTemplateSpec", "The pods to create.")),
    APPS + "DeploymentStrategy": obj(
        "How a deployment replaces pods.",
        rollingUpdate=ref(APPS + "RollingUpdateDeployment", "Settings of a RollingUpdate."),
        type=string("Recreate or RollingUpdate.")),
    APPS + "RollingUpdateDeployment": obj(
        "Bounds of a rolling update.",
        maxSurge=ref(INT_OR_STRING, "Pods allowed above the desired count, a number or a percentage."),
        maxUnavailable=ref(INT_OR_STRING, "Pods allowed to be unavailable, a number or a percentage.")),
    APPS + "DeploymentStatus": obj(
        "The observed state of a deployment.",
        availableReplicas=integer("Pods available for at least minReadySeconds."),
        collisionCount=integer("Hash collisions seen when naming ReplicaSets."),
        conditions=conditions(APPS + "DeploymentCondition"),
        observedGeneration=integer("The generation the controller last acted on.", "int64"),
        readyReplicas=integer("Pods that are ready."),
        replicas=integer("Pods of all the deployment's ReplicaSets."),
        unavailableReplicas=integer("Pods still needed to reach the desired count."),
        updatedReplicas=integer("Pods running the current template.")),
    APPS + "DeploymentCondition": obj(
        "One condition of a deployment, e.g. Available.", ("status", "type"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        lastUpdateTime=ref(META + "Time", "When the condition was last updated."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    APPS + "DeploymentList": list_kind("apps", "v1", APPS + "Deployment"),
}


GO_TYPES = {
    APPS + "DeploymentStrategy": {"rollingUpdate": "*v1.RollingUpdateDeployment", "type": "v1.DeploymentStrategyType"},
    APPS + "DeploymentCondition": {"type": "v1.DeploymentConditionType"},
}


def _deployment(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), age_cell(obj, now),
            names, images, selector_cell(spec.get("selector"))]


PRINTERS = {
    "Deployment": ([NAME, ("Ready", "string", 0, "Ready pods out of desired"),
                    ("Up-to-date", "string", 0, "Pods on the current template."),
                    ("Available", "string", 0, "Available pods."),
                    AGE, *WIDE_TEMPLATE], _deployment),
}


MESSAGES = """
apps.Deployment: 1 metadata! meta.ObjectMeta; 2 spec! apps.DeploymentSpec; 3 status! apps.DeploymentStatus
apps.DeploymentCondition: 1 type! string; 2 status! string; 6 lastUpdateTime! meta.Time;
    7 lastTransitionTime! meta.Time; 4 reason? string; 5 message? string
apps.DeploymentList: 1 metadata! meta.ListMeta; 2 items* []apps.Deployment
apps.DeploymentSpec: 1 replicas int32; 2 selector* meta.LabelSelector; 3 template! core.PodTemplateSpec;
    4 strategy! apps.DeploymentStrategy; 5 minReadySeconds? int32; 6 revisionHistoryLimit int32; 7 paused? bool;
    9 progressDeadlineSeconds int32
apps.DeploymentStatus: 1 observedGeneration? int64; 2 replicas? int32; 3 updatedReplicas? int32; 7 readyReplicas? int32;
    4 availableReplicas? int32; 5 unavailableReplicas? int32; 6 conditions? []apps.DeploymentCondition;
    8 collisionCount int32
apps.DeploymentStrategy: 1 type? string; 2 rollingUpdate apps.RollingUpdateDeployment
apps.RollingUpdateDeployment: 1 maxUnavailable intstr.IntOrString; 2 maxSurge intstr.IntOrString
"""
