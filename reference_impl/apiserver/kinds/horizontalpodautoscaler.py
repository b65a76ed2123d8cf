"""The HorizontalPodAutoscaler kind, served as autoscaling/v2 and autoscaling/v1: its resource facts,
validation, defaults, the conversion between the two versions, OpenAPI schemas, printer columns and
protobuf layouts.

We store autoscaling/v1, as upstream 1.24 does (the group's first version priority,
pkg/apis/autoscaling/install), and serve v2 through a `Codec` converting as upstream's conversion
does: v1's targetCPUUtilizationPercentage is v2's Resource metric for cpu with a Utilization target,
and currentCPUUtilizationPercentage that metric's current utilization. What v1 has no field for
travels in its round-trip annotations: the other metrics in `autoscaling.alpha.kubernetes.io/metrics`
(`_autoscaling_v1`), every current metric in `.../current-metrics`, the behavior in `.../behavior`
(as encoding/json writes the internal type) and the conditions in `.../conditions`. Read back as
v2, the cpu target follows the annotation's metrics, as it does from a real 1.24 server. Discovery
prefers v2, as the 1.24 aggregator's version priorities do.
"""
from __future__ import annotations

import copy

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (AUTOSCALING, AUTOSCALING_V2, META, QUANTITY, arr, atomic, integer, kind,
                                                   list_kind, obj, ref, string)
from reference_impl.apiserver.kinds import _autoscaling_v2beta1
from reference_impl.apiserver.kinds._autoscaling_v1 import (BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION,
                                                            CURRENT_METRICS_ANNOTATION, METRIC_SPECS_ANNOTATION,
                                                            ROUND_TRIP_ANNOTATIONS, annotated_list, encode_metrics,
                                                            metric_from_v1, metric_to_v1)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import dict_items, object_field
from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors

V1, V2 = "autoscaling/v1", "autoscaling/v2"
METRIC_SOURCE_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")  # sorted, as upstream lists
SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external",
                 "ContainerResource": "containerResource"}
TARGET_TYPES = ("Utilization", "Value", "AverageValue")
SELECT_POLICIES = ("Disabled", "Max", "Min")
SCALING_POLICY_TYPES = ("Percent", "Pods")
MAX_STABILIZATION_WINDOW_SECONDS = 3600
MAX_PERIOD_SECONDS = 1800
DEFAULT_CPU_UTILIZATION = 80


def _cpu_utilization_metric(utilization: int) -> dict:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                      "averageUtilization": utilization}}}


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_HorizontalPodAutoscalerSpec_To_autoscaling_HorizontalPodAutoscalerSpec",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_HorizontalPodAutoscalerStatus_To_autoscaling_HorizontalPodAutoscalerStatus")
def to_v2(hpa: dict) -> dict:
    """A v1 HorizontalPodAutoscaler as v2: the metrics annotation's metrics first, then the cpu
    target, and with neither the default cpu target (v1's implicit default, which conversion
    makes explicit); the behavior, current metrics and conditions from their annotations, where
    they decode; the round-trip annotations are gone."""
    converted = copy.deepcopy(hpa)
    converted["apiVersion"] = V2
    spec = converted.get("spec")
    if isinstance(spec, dict):
        utilization = spec.pop("targetCPUUtilizationPercentage", None)
        spec["metrics"] = [] if utilization is None else [_cpu_utilization_metric(utilization)]
    meta = converted.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    metrics = annotated_list(annotations, METRIC_SPECS_ANNOTATION)
    if metrics is not None and isinstance(spec, dict):
        spec["metrics"] = [metric_from_v1(metric) for metric in metrics] + spec["metrics"]
    behavior = _autoscaling_v2beta1.behavior_from_json(str(_annotations(meta).get(BEHAVIOR_ANNOTATION, "")))
    if isinstance(spec, dict) and not spec["metrics"]:
        spec["metrics"] = [_cpu_utilization_metric(DEFAULT_CPU_UTILIZATION)]
    if isinstance(spec, dict) and behavior is not None:
        spec["behavior"] = behavior
    if isinstance(annotations, dict):
        for name in ROUND_TRIP_ANNOTATIONS:
            annotations.pop(name, None)
        if not annotations:
            del meta["annotations"]
    status = converted.get("status")
    if isinstance(status, dict):
        converted["status"] = _status_to_v2(status, _annotations(hpa.get("metadata")))
    return converted


# v1's HorizontalPodAutoscalerStatus fields in Go's order.
V1_STATUS_FIELDS = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas",
                    "currentCPUUtilizationPercentage")
# v2's HorizontalPodAutoscalerStatus fields in Go's order; currentMetrics alone has no omitempty.
V2_STATUS_FIELDS = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas", "currentMetrics",
                    "conditions")


def _status_to_v2(status: dict, annotations: dict) -> dict:
    """currentCPUUtilizationPercentage as the cpu metric's current utilization, unless the
    current-metrics annotation holds the metrics (it has more); the conditions annotation's; as
    v2's struct writes them."""
    converted = {**status, "currentMetrics": None}
    utilization = converted.pop("currentCPUUtilizationPercentage", None)
    if utilization is not None:
        converted["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": utilization}}}]
    current = annotated_list(annotations, CURRENT_METRICS_ANNOTATION)
    if current is not None:
        converted["currentMetrics"] = _autoscaling_v2beta1.metrics_converted(current, _autoscaling_v2beta1.status_to_v2)
    conditions = annotated_list(annotations, CONDITIONS_ANNOTATION)
    if conditions:
        converted["conditions"] = [_condition(condition) for condition in conditions]
    if not converted.get("currentReplicas"):
        converted.pop("currentReplicas", None)
    ordered = {k: converted.pop(k) for k in V2_STATUS_FIELDS if k in converted}
    return {**ordered, **converted}


def _condition(condition: dict) -> dict:
    """A HorizontalPodAutoscalerCondition as both versions' Go structs write it: reason and message
    omitted when empty, the transition time null when unset."""
    return {"type": condition.get("type", ""), "status": condition.get("status", ""),
            "lastTransitionTime": condition.get("lastTransitionTime"),
            **{k: condition[k] for k in ("reason", "message") if condition.get(k)}}


def _is_cpu_utilization(metric: dict, side: str) -> bool:
    resource = metric.get("resource")
    return (metric.get("type") == "Resource" and isinstance(resource, dict) and resource.get("name") == "cpu"
            and part(resource, side).get("averageUtilization") is not None)


def _cpu_utilization(metrics: object, side: str) -> int | None:
    """The cpu Resource metric's averageUtilization under `side` (target or current), or None."""
    return next((metric["resource"][side]["averageUtilization"] for metric in dict_items(metrics)
                 if _is_cpu_utilization(metric, side)), None)


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_HorizontalPodAutoscalerSpec_To_v1_HorizontalPodAutoscalerSpec",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_HorizontalPodAutoscalerStatus_To_v1_HorizontalPodAutoscalerStatus")
def to_v1(hpa: dict) -> dict:
    """A v2 HorizontalPodAutoscaler as v1: the fields v1 has, and in the round-trip annotations
    the metrics other than a cpu utilization target, every current metric, the behavior and the
    conditions."""
    converted = copy.deepcopy(hpa)
    converted["apiVersion"] = V1
    meta = converted.get("metadata")
    annotations = {k: value for k, value in _annotations(meta).items() if k not in ROUND_TRIP_ANNOTATIONS}
    spec = converted.get("spec")
    if isinstance(spec, dict):
        metrics = spec.pop("metrics", None)
        target = _cpu_utilization(metrics, "target")
        behavior = spec.pop("behavior", None)
        if target is not None:
            spec["targetCPUUtilizationPercentage"] = target
        others = [metric_to_v1(metric) for metric in dict_items(metrics) if not _is_cpu_utilization(metric, "target")]
        if others:
            annotations[METRIC_SPECS_ANNOTATION] = encode_metrics(others)
        if isinstance(behavior, dict):
            annotations[BEHAVIOR_ANNOTATION] = _autoscaling_v2beta1.behavior_json(behavior)
    status = converted.get("status")
    if isinstance(status, dict):
        current_metrics = status.pop("currentMetrics", None)
        current = _cpu_utilization(current_metrics, "current")
        conditions = status.pop("conditions", None)
        status.setdefault("currentReplicas", 0)  # no omitempty in v1
        if current is not None:
            status["currentCPUUtilizationPercentage"] = current
        converted["status"] = {**{k: status.pop(k) for k in V1_STATUS_FIELDS if k in status}, **status}
        if isinstance(current_metrics, list) and current_metrics:
            annotations[CURRENT_METRICS_ANNOTATION] = encode_metrics(
                _autoscaling_v2beta1.metrics_converted(current_metrics, _autoscaling_v2beta1.status_to_v2beta1))
        if isinstance(conditions, list) and conditions:
            annotations[CONDITIONS_ANNOTATION] = encode_metrics([_condition(c) for c in dict_items(conditions)])
    if isinstance(meta, dict):
        without = {k: value for k, value in meta.items() if k != "annotations"}
        converted["metadata"] = _autoscaling_v2beta1.with_annotations(meta, annotations) if annotations else without
    return converted


def _through_v2(hpa: dict) -> dict:
    """A v1 (or older stored) object converted to v2 and back, as upstream's decoding to the
    internal version and encoding to v1 does even where v1 is both served and stored: the implicit
    80% cpu target becomes explicit, annotations that do not decode are dropped."""
    return to_v1(_v2(hpa))


def _annotations(meta: object) -> dict:
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def _v2(hpa: dict) -> dict:
    """`hpa` as v2, the version validation and the printer read."""
    if hpa.get("apiVersion") == V1:
        return to_v2(hpa)
    return _autoscaling_v2beta1.to_v2(hpa) if hpa.get("apiVersion") == _autoscaling_v2beta1.V2BETA1 else hpa


# --- validation ----------------------------------------------------------------------------------


def _reference_problems(reference: object, path: str) -> list[str]:
    """ValidateCrossVersionObjectReference: a kind and a name, each a valid path segment."""
    reference, problems = v.as_object(reference), []
    for field in ("kind", "name"):
        if not reference.get(field):
            problems.append(v.required(f"{path}.{field}"))
        else:
            problems += v.name_problems(reference[field], "path", f"{path}.{field}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateMetricTarget")
def _target_problems(target: dict, path: str) -> list[str]:
    problems = []
    kind_ = target.get("type") or ""
    if not kind_:
        problems.append(v.required(f"{path}.type", "must specify a metric target type"))
    if kind_ not in TARGET_TYPES:
        problems.append(v.invalid(f"{path}.type", kind_, "must be either Utilization, Value, or AverageValue"))
    for field in ("value", "averageValue"):
        if target.get(field) is not None:
            amount = quantity.exact(target[field])
            if amount is not None and amount <= 0:
                problems.append(f"{path}.{field}: Invalid value: {quantity.go_syntax(target[field])}: must be positive")
    utilization = target.get("averageUtilization")
    if utilization is not None and utilization < 1:
        problems.append(v.invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))
    return problems


def _identifier_problems(metric: object, path: str) -> list[str]:
    """validateMetricIdentifier."""
    name = v.as_object(metric).get("name") or ""
    if not name:
        return [v.required(f"{path}.name", "must specify a metric name")]
    return v.name_problems(name, "path", f"{path}.name")


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateObjectSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateExternalSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validatePodsSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateResourceSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateContainerResourceSource")
def _source_problems(source_type: str, source: dict, path: str) -> list[str]:
    target, problems = v.as_object(source.get("target")), []
    value, average, utilization = (target.get(f) is not None for f in ("value", "averageValue", "averageUtilization"))
    if source_type in ("Resource", "ContainerResource"):
        if not source.get("name"):
            problems.append(v.required(f"{path}.name", "must specify a resource name"))
        if source_type == "ContainerResource":
            if not source.get("container"):
                problems.append(v.required(f"{path}.container", "must specify a container"))
            else:
                problems += v.name_problems(source["container"], "label", f"{path}.container")
        problems += _target_problems(target, f"{path}.target")
        if not utilization and not average:
            problems.append(v.required(f"{path}.target.averageUtilization",
                                       "must set either a target raw value or a target utilization"))
        if utilization and average:
            problems.append(f"{path}.target.averageValue: Forbidden: may not set both a target raw value and a "
                            "target utilization")
        return problems
    if source_type == "Object":
        problems += _reference_problems(source.get("describedObject"), f"{path}.describedObject")
    problems += _identifier_problems(source.get("metric"), f"{path}.metric")
    problems += _target_problems(target, f"{path}.target")
    if source_type == "Object" and not value and not average:
        problems.append(v.required(f"{path}.target.averageValue", "must set either a target value or averageValue"))
    elif source_type == "External":
        if not value and not average:
            problems.append(v.required(f"{path}.target.averageValue",
                                       "must set either a target value for metric or a per-pod target"))
        if value and average:
            problems.append(f"{path}.target.value: Forbidden: may not set both a target value for metric and a "
                            "per-pod target")
    elif source_type == "Pods" and not average:
        problems.append(v.required(f"{path}.target.averageValue", "must specify a positive target averageValue"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateMetricSpec")
def metric_problems(metric: dict, path: str) -> list[str]:
    """A known source type, its source filled in and no other source."""
    problems, source_type = [], metric.get("type") or ""
    if not source_type:
        problems.append(v.required(f"{path}.type", "must specify a metric source type"))
    if source_type not in METRIC_SOURCE_TYPES:
        problems.append(v.unsupported(f"{path}.type", source_type, METRIC_SOURCE_TYPES))
    present = [(t, f) for t, f in SOURCE_FIELDS.items() if metric.get(f) is not None]
    if present:
        first_type, first_field = present[0]
        problems += _source_problems(first_type, v.as_object(metric[first_field]), f"{path}.{first_field}")
    expected = SOURCE_FIELDS.get(source_type)
    if expected is None:
        problems.append(v.unsupported(f"{path}.type", source_type, METRIC_SOURCE_TYPES))
    elif metric.get(expected) is None:
        gated = " (only allowed when HPAContainerMetrics feature is enabled)" if expected == "containerResource" else ""
        problems.append(v.required(f"{path}.{expected}",
                                   f"must populate information for the given metric source{gated}"))
    if len(present) != 1:
        problems += [f"{path}.{f}: Forbidden: must populate the given metric source only"
                     for _, f in present if f != expected]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateScalingRules",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateScalingPolicy")
def scaling_rules_problems(rules: dict, path: str) -> list[str]:
    problems = []
    window = rules.get("stabilizationWindowSeconds")
    if window is not None and window < 0:
        problems.append(v.invalid(f"{path}.stabilizationWindowSeconds", window, "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        problems.append(v.invalid(f"{path}.stabilizationWindowSeconds", window,
                                  f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    if rules.get("selectPolicy") is not None and rules["selectPolicy"] not in SELECT_POLICIES:
        problems.append(v.unsupported(f"{path}.selectPolicy", rules["selectPolicy"], SELECT_POLICIES))
    policies = v.as_list(rules.get("policies"))
    if not policies:
        problems.append(v.required(f"{path}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(policies):
        policy, here = v.as_object(policy), f"{path}.policies[{i}]"
        if policy.get("type") not in SCALING_POLICY_TYPES:
            problems.append(v.unsupported(f"{here}.type", policy.get("type") or "", SCALING_POLICY_TYPES))
        for field in ("value", "periodSeconds"):
            if (policy.get(field) or 0) <= 0:
                problems.append(v.invalid(f"{here}.{field}", policy.get(field) or 0, "must be greater than zero"))
        if (policy.get("periodSeconds") or 0) > MAX_PERIOD_SECONDS:
            problems.append(v.invalid(f"{here}.periodSeconds", policy["periodSeconds"],
                                      f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateHorizontalPodAutoscalerSpec",
         "k8s.io/kubernetes/pkg/apis/autoscaling/validation.validateMetrics")
def validate_horizontal_pod_autoscaler(hpa: dict, min_replicas_lower_bound: int = 1) -> list[str]:
    """minReplicas at least 1 (HPAScaleToZero is off in 1.24), and 0 only with an Object or External
    metric; maxReplicas at least 1 and at least minReplicas, a scale target with a kind and a name,
    valid metrics and behavior. A v1 object is checked as the v2 object it converts to, so its
    errors name v2's fields, as upstream's do."""
    spec, path, problems = part(_v2(hpa), "spec"), "spec", []
    minimum, maximum = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if minimum is not None and minimum < min_replicas_lower_bound:
        problems.append(v.invalid(f"{path}.minReplicas", minimum,
                                  f"must be greater than or equal to {min_replicas_lower_bound}"))
    if maximum < 1:
        problems.append(v.invalid(f"{path}.maxReplicas", maximum, "must be greater than 0"))
    if minimum is not None and maximum < minimum:
        problems.append(v.invalid(f"{path}.maxReplicas", maximum, "must be greater than or equal to `minReplicas`"))
    problems += _reference_problems(spec.get("scaleTargetRef"), f"{path}.scaleTargetRef")
    metrics = v.as_list(spec.get("metrics"))
    for i, metric in enumerate(metrics):
        problems += metric_problems(v.as_object(metric), f"{path}.metrics[{i}]")
    if minimum == 0 and not any(v.as_object(metric).get("type") in ("Object", "External") for metric in metrics):
        problems.append(f"{path}.metrics: Forbidden: must specify at least one Object or External metric to "
                        "support scaling to zero replicas")
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for direction in ("scaleUp", "scaleDown"):
            if behavior.get(direction) is not None:
                problems += scaling_rules_problems(v.as_object(behavior[direction]), f"{path}.behavior.{direction}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.ValidateHorizontalPodAutoscalerUpdate")
def validate_horizontal_pod_autoscaler_update(old: dict, new: dict) -> list[str]:
    """An autoscaler stored with minReplicas 0 (while HPAScaleToZero was on) may keep it."""
    return validate_horizontal_pod_autoscaler(new, 0 if part(old, "spec").get("minReplicas") == 0 else 1)


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.ValidateHorizontalPodAutoscalerStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    return v.nonnegative_counts(part(new, "status"), ("currentReplicas", "desiredReplicas"))


# --- defaulting ----------------------------------------------------------------------------------

SCALE_UP_RULES = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                  "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                               {"type": "Percent", "value": 100, "periodSeconds": 15}]}
SCALE_DOWN_RULES = {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2.SetDefaults_HorizontalPodAutoscaler",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2.SetDefaults_HorizontalPodAutoscalerBehavior",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.SetDefaults_HorizontalPodAutoscaler")
def horizontal_pod_autoscaler(hpa: dict, spec: dict) -> None:
    """Every version: minReplicas 1. v2 and v2beta1: a cpu target of 80% utilization when there
    are no metrics (written as each version writes it). v2 only: a behavior's missing rules from
    the default scale-up and scale-down rules."""
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if hpa.get("apiVersion") == V1:
        return
    if hpa.get("apiVersion") == _autoscaling_v2beta1.V2BETA1:
        if not spec.get("metrics"):
            spec["metrics"] = [copy.deepcopy(_autoscaling_v2beta1.DEFAULT_CPU_METRIC)]
        return
    if not spec.get("metrics"):
        spec["metrics"] = [_cpu_utilization_metric(DEFAULT_CPU_UTILIZATION)]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for direction, defaults in (("scaleUp", SCALE_UP_RULES), ("scaleDown", SCALE_DOWN_RULES)):
            rules = object_field(behavior, direction)
            if rules is not None:
                for field, value in defaults.items():
                    if rules.get(field) is None:
                        rules[field] = copy.deepcopy(value)


def _drop_container_metric_sources(hpa: dict) -> None:
    """Every metric loses its containerResource; a v1 object's metrics are in its annotation."""
    if hpa.get("apiVersion") != V1:
        for metric in dict_items(part(hpa, "spec").get("metrics")):
            metric.pop("containerResource", None)
        return
    annotations = part(hpa, "metadata").get("annotations")
    metrics = annotated_list(annotations, METRIC_SPECS_ANNOTATION)
    if metrics and any("containerResource" in metric for metric in metrics):
        for metric in metrics:
            metric.pop("containerResource", None)
        annotations[METRIC_SPECS_ANNOTATION] = encode_metrics(metrics)


@mirrors("(k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler.autoscalerStrategy).PrepareForCreate",
         "k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler.dropContainerMetricSources")
def prepare_for_create(hpa: dict, user: object) -> None:
    """HPAContainerMetrics is off in 1.24: every metric loses its containerResource."""
    _drop_container_metric_sources(hpa)


@mirrors("(k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler.autoscalerStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler.hasContainerMetricSources")
def prepare_for_update(new: dict, old: dict) -> None:
    """containerResource sources are kept only by an autoscaler stored with one."""
    if not any(metric.get("containerResource") is not None
               for metric in dict_items(part(_v2(old), "spec").get("metrics"))):
        _drop_container_metric_sources(new)


# Both versions' empty spec: the target reference's kind and name and maxReplicas have no omitempty.
ZERO_SPEC = {"scaleTargetRef": {"kind": "", "name": ""}, "maxReplicas": 0}

RESOURCES = (
    Resource("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler",
             True, ("hpa",), subresources=("status",), categories=("all",), status_reset_on_update=True,
             storage_codec=Codec(to_v1, _v2), stored_as=V1,
             validator=validate_horizontal_pod_autoscaler,
             validator_on_update=validate_horizontal_pod_autoscaler_update,
             validate_status_update=validate_status_update,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             zero_value={"spec": ZERO_SPEC, "status": {"desiredReplicas": 0, "currentMetrics": None}}),
    Resource("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler",
             True, ("hpa",), subresources=("status",), categories=("all",), status_reset_on_update=True,
             storage_codec=Codec(_through_v2, _through_v2),
             validator=validate_horizontal_pod_autoscaler,
             validator_on_update=validate_horizontal_pod_autoscaler_update,
             validate_status_update=validate_status_update,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             zero_value={"spec": ZERO_SPEC, "status": {"currentReplicas": 0, "desiredReplicas": 0}}),
)


DEFAULTS = {"HorizontalPodAutoscaler": horizontal_pod_autoscaler}


DEFINITIONS = {
    AUTOSCALING_V2 + "HorizontalPodAutoscaler": kind(
        "autoscaling", "v2", "HorizontalPodAutoscaler", "Scales a workload by the metrics it names.",
        spec=ref(AUTOSCALING_V2 + "HorizontalPodAutoscalerSpec", "The desired behaviour of the autoscaler."),
        status=ref(AUTOSCALING_V2 + "HorizontalPodAutoscalerStatus", "The observed state of the autoscaler.")),
    AUTOSCALING_V2 + "HorizontalPodAutoscalerSpec": obj(
        "What to scale, between which bounds, on which metrics.", ("scaleTargetRef", "maxReplicas"),
        behavior=ref(AUTOSCALING_V2 + "HorizontalPodAutoscalerBehavior",
                     "How fast to scale up and down: the scaleUp and scaleDown rules."),
        maxReplicas=integer("The most replicas the autoscaler sets."),
        metrics={**arr(ref(AUTOSCALING_V2 + "MetricSpec"), "The metrics to scale on; defaults to 80% cpu utilization."),
                 "x-kubernetes-list-type": "atomic"},
        minReplicas=integer("The fewest replicas the autoscaler sets; defaults to 1."),
        scaleTargetRef=ref(AUTOSCALING_V2 + "CrossVersionObjectReference", "The workload to scale.")),
    AUTOSCALING_V2 + "HorizontalPodAutoscalerBehavior": obj(
        "How fast an autoscaler scales up and down.",
        scaleDown=ref(AUTOSCALING_V2 + "HPAScalingRules", "Rules for scaling down; by default any amount, after 300s."),
        scaleUp=ref(AUTOSCALING_V2 + "HPAScalingRules",
                    "Rules for scaling up; by default the most of doubling and 4 pods per 15s.")),
    AUTOSCALING_V2 + "HPAScalingRules": obj(
        "How fast to scale in one direction.",
        policies={**arr(ref(AUTOSCALING_V2 + "HPAScalingPolicy"), "The policies that bound each step."),
                  "x-kubernetes-list-type": "atomic"},
        selectPolicy=string("Max, Min or Disabled: which policy's bound applies; defaults to Max."),
        stabilizationWindowSeconds=integer("Seconds of past recommendations to consider, 0 to 3600.")),
    AUTOSCALING_V2 + "HPAScalingPolicy": obj(
        "A bound on one scaling step.", ("type", "value", "periodSeconds"),
        periodSeconds=integer("The window the bound holds over, in seconds, 1 to 1800."),
        type=string("Pods or Percent."),
        value=integer("Pods, or percent of the current replicas, allowed to change in the window.")),
    AUTOSCALING_V2 + "CrossVersionObjectReference": obj(  # no `+structType=atomic` in v2, unlike v1
        "Names an object of some kind in the same namespace.", ("kind", "name"),
        apiVersion=string("API version of the object."),
        kind=string("Kind of the object."),
        name=string("Name of the object.")),
    AUTOSCALING_V2 + "MetricSpec": obj(
        "One metric to scale on and its target.", ("type",),
        containerResource=ref(AUTOSCALING_V2 + "ContainerResourceMetricSource",
                              "A resource of one container of each pod, and its target."),
        external=ref(AUTOSCALING_V2 + "ExternalMetricSource", "A metric from outside the cluster, and its target."),
        object=ref(AUTOSCALING_V2 + "ObjectMetricSource", "A metric of one object, and its target."),
        pods=ref(AUTOSCALING_V2 + "PodsMetricSource", "A metric of each pod, averaged, and its target."),
        resource=ref(AUTOSCALING_V2 + "ResourceMetricSource", "A resource of each pod, and its target."),
        type=string("Object, Pods, Resource, ContainerResource or External.")),
    AUTOSCALING_V2 + "ResourceMetricSource": obj(
        "A resource (cpu, memory) of each pod, and its target.", ("name", "target"),
        name=string("The resource."),
        target=ref(AUTOSCALING_V2 + "MetricTarget", "The value to keep the resource at.")),
    AUTOSCALING_V2 + "ContainerResourceMetricSource": obj(
        "A resource of one container of each pod, and its target.", ("name", "target", "container"),
        container=string("Name of the container in the pods."),
        name=string("The resource."),
        target=ref(AUTOSCALING_V2 + "MetricTarget", "The value to keep the resource at.")),
    AUTOSCALING_V2 + "ExternalMetricSource": obj(
        "A metric from outside the cluster, and its target.", ("metric", "target"),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric."),
        target=ref(AUTOSCALING_V2 + "MetricTarget", "The value to keep the metric at.")),
    AUTOSCALING_V2 + "ObjectMetricSource": obj(
        "A metric of one object, and its target.", ("describedObject", "target", "metric"),
        describedObject=ref(AUTOSCALING_V2 + "CrossVersionObjectReference", "The object the metric describes."),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric."),
        target=ref(AUTOSCALING_V2 + "MetricTarget", "The value to keep the metric at.")),
    AUTOSCALING_V2 + "PodsMetricSource": obj(
        "A metric of each pod, averaged, and its target.", ("metric", "target"),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric."),
        target=ref(AUTOSCALING_V2 + "MetricTarget", "The value to keep the metric's average at.")),
    AUTOSCALING_V2 + "MetricIdentifier": obj(
        "A metric by name, and the label selector that narrows it.", ("name",),
        name=string("Name of the metric."),
        selector=ref(META + "LabelSelector", "Labels passed to the metrics server to narrow the metric.")),
    AUTOSCALING_V2 + "MetricTarget": obj(
        "A metric's target value.", ("type",),
        averageUtilization=integer("Percent of the pods' requests, averaged over the pods."),
        averageValue=ref(QUANTITY, "Value averaged over the pods."),
        type=string("Utilization, Value or AverageValue."),
        value=ref(QUANTITY, "Value of the metric.")),
    AUTOSCALING_V2 + "HorizontalPodAutoscalerStatus": obj(
        "What the autoscaler last saw and did.", ("desiredReplicas",),
        conditions=arr(ref(AUTOSCALING_V2 + "HorizontalPodAutoscalerCondition"),
                       "Observations of the autoscaler's current state, one per condition type.", merge_key="type",
                       map_keys=("type",)),
        currentMetrics={**arr(ref(AUTOSCALING_V2 + "MetricStatus"), "The metrics' last read values."),
                        "x-kubernetes-list-type": "atomic"},
        currentReplicas=integer("Replicas of the workload now."),
        desiredReplicas=integer("Replicas the autoscaler last wanted."),
        lastScaleTime=ref(META + "Time", "When the autoscaler last scaled."),
        observedGeneration=integer("The generation the autoscaler last saw.", "int64")),
    AUTOSCALING_V2 + "HorizontalPodAutoscalerCondition": obj(
        "One condition of an autoscaler.", ("type", "status"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("ScalingActive, AbleToScale or ScalingLimited.")),
    AUTOSCALING_V2 + "MetricStatus": obj(
        "A metric's last read value.", ("type",),
        containerResource=ref(AUTOSCALING_V2 + "ContainerResourceMetricStatus",
                              "A resource of one container of each pod."),
        external=ref(AUTOSCALING_V2 + "ExternalMetricStatus", "A metric from outside the cluster."),
        object=ref(AUTOSCALING_V2 + "ObjectMetricStatus", "A metric of one object."),
        pods=ref(AUTOSCALING_V2 + "PodsMetricStatus", "A metric of each pod, averaged."),
        resource=ref(AUTOSCALING_V2 + "ResourceMetricStatus", "A resource of each pod."),
        type=string("Object, Pods, Resource, ContainerResource or External.")),
    AUTOSCALING_V2 + "ContainerResourceMetricStatus": obj(
        "The value of a resource of one container of each pod.", ("name", "current", "container"),
        container=string("Name of the container in the pods."),
        current=ref(AUTOSCALING_V2 + "MetricValueStatus", "The value read."),
        name=string("The resource.")),
    AUTOSCALING_V2 + "ExternalMetricStatus": obj(
        "The value of a metric from outside the cluster.", ("metric", "current"),
        current=ref(AUTOSCALING_V2 + "MetricValueStatus", "The value read."),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric.")),
    AUTOSCALING_V2 + "ObjectMetricStatus": obj(
        "The value of a metric of one object.", ("metric", "current", "describedObject"),
        current=ref(AUTOSCALING_V2 + "MetricValueStatus", "The value read."),
        describedObject=ref(AUTOSCALING_V2 + "CrossVersionObjectReference", "The object the metric describes."),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric.")),
    AUTOSCALING_V2 + "PodsMetricStatus": obj(
        "The average value of a metric of each pod.", ("metric", "current"),
        current=ref(AUTOSCALING_V2 + "MetricValueStatus", "The value read."),
        metric=ref(AUTOSCALING_V2 + "MetricIdentifier", "The metric.")),
    AUTOSCALING_V2 + "ResourceMetricStatus": obj(
        "The value of a resource (cpu, memory) of each pod.", ("name", "current"),
        current=ref(AUTOSCALING_V2 + "MetricValueStatus", "The value read."),
        name=string("The resource.")),
    AUTOSCALING_V2 + "MetricValueStatus": obj(
        "A metric's value as read, in the form its target asks for.",
        averageUtilization=integer("Percent of the pods' requests, averaged over the pods."),
        averageValue=ref(QUANTITY, "Value averaged over the pods."),
        value=ref(QUANTITY, "Value of the metric.")),
    AUTOSCALING_V2 + "HorizontalPodAutoscalerList": list_kind("autoscaling", "v2",
                                                              AUTOSCALING_V2 + "HorizontalPodAutoscaler"),
    AUTOSCALING + "HorizontalPodAutoscaler": kind(
        "autoscaling", "v1", "HorizontalPodAutoscaler", "Scales a workload by its pods' cpu utilization.",
        spec=ref(AUTOSCALING + "HorizontalPodAutoscalerSpec", "The desired behaviour of the autoscaler."),
        status=ref(AUTOSCALING + "HorizontalPodAutoscalerStatus", "The observed state of the autoscaler.")),
    AUTOSCALING + "HorizontalPodAutoscalerSpec": obj(
        "What to scale, between which bounds, at which cpu utilization.", ("scaleTargetRef", "maxReplicas"),
        maxReplicas=integer("The most replicas the autoscaler sets."),
        minReplicas=integer("The fewest replicas the autoscaler sets; defaults to 1."),
        scaleTargetRef=ref(AUTOSCALING + "CrossVersionObjectReference", "The workload to scale."),
        targetCPUUtilizationPercentage=integer("The average cpu utilization to keep, in percent of requests.")),
    AUTOSCALING + "CrossVersionObjectReference": atomic(obj(
        "Names an object of some kind in the same namespace.", ("kind", "name"),
        apiVersion=string("API version of the object."),
        kind=string("Kind of the object."),
        name=string("Name of the object."))),
    AUTOSCALING + "HorizontalPodAutoscalerStatus": obj(
        "What the autoscaler last saw and did.", ("currentReplicas", "desiredReplicas"),
        currentCPUUtilizationPercentage=integer("The pods' average cpu utilization, in percent of requests."),
        currentReplicas=integer("Replicas of the workload now."),
        desiredReplicas=integer("Replicas the autoscaler last wanted."),
        lastScaleTime=ref(META + "Time", "When the autoscaler last scaled."),
        observedGeneration=integer("The generation the autoscaler last saw.", "int64")),
    AUTOSCALING + "HorizontalPodAutoscalerList": list_kind("autoscaling", "v1",
                                                           AUTOSCALING + "HorizontalPodAutoscaler"),
}


GO_TYPES = {
    AUTOSCALING_V2 + "HorizontalPodAutoscalerSpec": {"behavior": "*v2.HorizontalPodAutoscalerBehavior"},
    AUTOSCALING_V2 + "HorizontalPodAutoscalerBehavior": {"scaleDown": "*v2.HPAScalingRules",
                                                         "scaleUp": "*v2.HPAScalingRules"},
    AUTOSCALING_V2 + "HPAScalingRules": {"selectPolicy": "*v2.ScalingPolicySelect"},
    AUTOSCALING_V2 + "HPAScalingPolicy": {"type": "v2.HPAScalingPolicyType"},
    AUTOSCALING_V2 + "HorizontalPodAutoscalerCondition": {"status": "v1.ConditionStatus",
                                                          "type": "v2.HorizontalPodAutoscalerConditionType"},
    # a metric's source (and status) is one of these pointers, as its type says
    **{AUTOSCALING_V2 + name: {"containerResource": f"*v2.ContainerResource{kind}",
                               "external": f"*v2.External{kind}", "object": f"*v2.Object{kind}",
                               "pods": f"*v2.Pods{kind}", "resource": f"*v2.Resource{kind}",
                               "type": "v2.MetricSourceType"}
       for name, kind in (("MetricSpec", "MetricSource"), ("MetricStatus", "MetricStatus"))},
    AUTOSCALING_V2 + "MetricIdentifier": {"selector": "*v1.LabelSelector"},
    AUTOSCALING_V2 + "MetricTarget": {"type": "v2.MetricTargetType"},
    **{AUTOSCALING_V2 + name: {"name": "v1.ResourceName"}
       for name in ("ResourceMetricSource", "ContainerResourceMetricSource", "ResourceMetricStatus",
                    "ContainerResourceMetricStatus")},
}


def _value(source: dict, side: str, field: str) -> str:
    return str(part(source, side).get(field))


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.formatHPAMetrics")
def _metrics_cell(specs: list, statuses: list) -> str:
    """`current/target` per metric, at most two, `<unknown>` for a current value not read yet."""
    if not specs:
        return "<none>"
    cells = []
    for i, metric in enumerate(specs):
        field = SOURCE_FIELDS.get(metric.get("type"))
        if field is None:
            cells.append("<unknown type>")
            continue
        source, target = part(metric, field), part(metric, field, "target")
        status = statuses[i] if i < len(statuses) and isinstance(statuses[i], dict) else {}
        current = part(status, field, "current")
        if field in ("resource", "containerResource") and target.get("averageValue") is None:
            shown = f"{current['averageUtilization']}%" if current.get("averageUtilization") is not None \
                else "<unknown>"
            wanted = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
            cells.append(f"{shown}/{wanted}")
        elif field == "pods" or target.get("averageValue") is not None:
            shown = str(current["averageValue"]) if current.get("averageValue") is not None else "<unknown>"
            average = " (avg)" if field in ("object", "external") else ""
            cells.append(f"{shown}/{_value(source, 'target', 'averageValue')}{average}")
        else:
            shown = str(current["value"]) if current.get("value") is not None else "<unknown>"
            cells.append(f"{shown}/{_value(source, 'target', 'value')}")
    if len(cells) > 2:
        return ", ".join(cells[:2]) + f" + {len(cells) - 2} more..."
    return ", ".join(cells)


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printHorizontalPodAutoscaler")
def _horizontal_pod_autoscaler(hpa: dict, now: float) -> list:
    hpa = _v2(hpa)
    spec, status = part(hpa, "spec"), part(hpa, "status")
    target = part(spec, "scaleTargetRef")
    minimum = spec.get("minReplicas")
    return [name_cell(hpa), f"{target.get('kind', '')}/{target.get('name', '')}",
            _metrics_cell(dict_items(spec.get("metrics")), v.as_list(status.get("currentMetrics"))),
            "<unset>" if minimum is None else str(minimum), spec.get("maxReplicas", 0),
            status.get("currentReplicas", 0), age_cell(hpa, now)]


PRINTERS = {
    "HorizontalPodAutoscaler": ([NAME, ("Reference", "string", 0, "The workload the autoscaler scales."),
                                 ("Targets", "string", 0, "Current and target values of the metrics."),
                                 ("MinPods", "string", 0, "The fewest replicas."),
                                 ("MaxPods", "string", 0, "The most replicas."),
                                 ("Replicas", "string", 0, "Replicas of the workload now."), AGE],
                                _horizontal_pod_autoscaler),
}


MESSAGES = """
autoscaling.ContainerResourceMetricSource: 1 name! string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity; 5 container! string
autoscaling.ContainerResourceMetricStatus: 1 name! string; 2 currentAverageUtilization int32;
    3 currentAverageValue! resource.Quantity; 4 container! string
autoscaling.CrossVersionObjectReference: 1 kind! string; 2 name! string; 3 apiVersion? string
autoscaling.ExternalMetricSource: 1 metricName! string; 2 metricSelector meta.LabelSelector;
    3 targetValue resource.Quantity; 4 targetAverageValue resource.Quantity
autoscaling.ExternalMetricStatus: 1 metricName! string; 2 metricSelector meta.LabelSelector;
    3 currentValue! resource.Quantity; 4 currentAverageValue resource.Quantity
autoscaling.HorizontalPodAutoscaler: 1 metadata! meta.ObjectMeta; 2 spec! autoscaling.HorizontalPodAutoscalerSpec;
    3 status! autoscaling.HorizontalPodAutoscalerStatus
autoscaling.HorizontalPodAutoscalerCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time;
    4 reason? string; 5 message? string
autoscaling.HorizontalPodAutoscalerList: 1 metadata! meta.ListMeta; 2 items* []autoscaling.HorizontalPodAutoscaler
autoscaling.HorizontalPodAutoscalerSpec: 1 scaleTargetRef! autoscaling.CrossVersionObjectReference;
    2 minReplicas int32; 3 maxReplicas! int32; 4 targetCPUUtilizationPercentage int32
autoscaling.HorizontalPodAutoscalerStatus: 1 observedGeneration int64; 2 lastScaleTime meta.Time;
    3 currentReplicas! int32; 4 desiredReplicas! int32; 5 currentCPUUtilizationPercentage int32
autoscaling.MetricSpec: 1 type! string; 2 object autoscaling.ObjectMetricSource; 3 pods autoscaling.PodsMetricSource;
    4 resource autoscaling.ResourceMetricSource; 7 containerResource autoscaling.ContainerResourceMetricSource;
    5 external autoscaling.ExternalMetricSource
autoscaling.MetricStatus: 1 type! string; 2 object autoscaling.ObjectMetricStatus; 3 pods autoscaling.PodsMetricStatus;
    4 resource autoscaling.ResourceMetricStatus; 7 containerResource autoscaling.ContainerResourceMetricStatus;
    5 external autoscaling.ExternalMetricStatus
autoscaling.ObjectMetricSource: 1 target! autoscaling.CrossVersionObjectReference; 2 metricName! string;
    3 targetValue! resource.Quantity; 4 selector meta.LabelSelector; 5 averageValue resource.Quantity
autoscaling.ObjectMetricStatus: 1 target! autoscaling.CrossVersionObjectReference; 2 metricName! string;
    3 currentValue! resource.Quantity; 4 selector meta.LabelSelector; 5 averageValue resource.Quantity
autoscaling.PodsMetricSource: 1 metricName! string; 2 targetAverageValue! resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.PodsMetricStatus: 1 metricName! string; 2 currentAverageValue! resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.ResourceMetricSource: 1 name! string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity
autoscaling.ResourceMetricStatus: 1 name! string; 2 currentAverageUtilization int32;
    3 currentAverageValue! resource.Quantity
autoscaling.v2.ContainerResourceMetricSource: 1 name! string; 2 target! autoscaling.v2.MetricTarget; 3 container! string
autoscaling.v2.ContainerResourceMetricStatus: 1 name! string; 2 current! autoscaling.v2.MetricValueStatus;
    3 container! string
autoscaling.v2.CrossVersionObjectReference: 1 kind! string; 2 name! string; 3 apiVersion? string
autoscaling.v2.ExternalMetricSource: 1 metric! autoscaling.v2.MetricIdentifier; 2 target! autoscaling.v2.MetricTarget
autoscaling.v2.ExternalMetricStatus: 1 metric! autoscaling.v2.MetricIdentifier;
    2 current! autoscaling.v2.MetricValueStatus
autoscaling.v2.HPAScalingPolicy: 1 type! string; 2 value! int32; 3 periodSeconds! int32
autoscaling.v2.HPAScalingRules: 3 stabilizationWindowSeconds int32; 1 selectPolicy string;
    2 policies? []autoscaling.v2.HPAScalingPolicy
autoscaling.v2.HorizontalPodAutoscaler: 1 metadata! meta.ObjectMeta; 2 spec! autoscaling.v2.HorizontalPodAutoscalerSpec;
    3 status! autoscaling.v2.HorizontalPodAutoscalerStatus
autoscaling.v2.HorizontalPodAutoscalerBehavior: 1 scaleUp autoscaling.v2.HPAScalingRules;
    2 scaleDown autoscaling.v2.HPAScalingRules
autoscaling.v2.HorizontalPodAutoscalerCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time;
    4 reason? string; 5 message? string
autoscaling.v2.HorizontalPodAutoscalerList: 1 metadata! meta.ListMeta; 2 items* []autoscaling.v2.HorizontalPodAutoscaler
autoscaling.v2.HorizontalPodAutoscalerSpec: 1 scaleTargetRef! autoscaling.v2.CrossVersionObjectReference;
    2 minReplicas int32; 3 maxReplicas! int32; 4 metrics? []autoscaling.v2.MetricSpec;
    5 behavior autoscaling.v2.HorizontalPodAutoscalerBehavior
autoscaling.v2.HorizontalPodAutoscalerStatus: 1 observedGeneration int64; 2 lastScaleTime meta.Time;
    3 currentReplicas? int32; 4 desiredReplicas! int32; 5 currentMetrics* []autoscaling.v2.MetricStatus;
    6 conditions? []autoscaling.v2.HorizontalPodAutoscalerCondition
autoscaling.v2.MetricIdentifier: 1 name! string; 2 selector meta.LabelSelector
autoscaling.v2.MetricSpec: 1 type! string; 2 object autoscaling.v2.ObjectMetricSource;
    3 pods autoscaling.v2.PodsMetricSource; 4 resource autoscaling.v2.ResourceMetricSource;
    7 containerResource autoscaling.v2.ContainerResourceMetricSource; 5 external autoscaling.v2.ExternalMetricSource
autoscaling.v2.MetricStatus: 1 type! string; 2 object autoscaling.v2.ObjectMetricStatus;
    3 pods autoscaling.v2.PodsMetricStatus; 4 resource autoscaling.v2.ResourceMetricStatus;
    7 containerResource autoscaling.v2.ContainerResourceMetricStatus; 5 external autoscaling.v2.ExternalMetricStatus
autoscaling.v2.MetricTarget: 1 type! string; 2 value resource.Quantity; 3 averageValue resource.Quantity;
    4 averageUtilization int32
autoscaling.v2.MetricValueStatus: 1 value resource.Quantity; 2 averageValue resource.Quantity;
    3 averageUtilization int32
autoscaling.v2.ObjectMetricSource: 1 describedObject! autoscaling.v2.CrossVersionObjectReference;
    2 target! autoscaling.v2.MetricTarget; 3 metric! autoscaling.v2.MetricIdentifier
autoscaling.v2.ObjectMetricStatus: 1 metric! autoscaling.v2.MetricIdentifier;
    2 current! autoscaling.v2.MetricValueStatus; 3 describedObject! autoscaling.v2.CrossVersionObjectReference
autoscaling.v2.PodsMetricSource: 1 metric! autoscaling.v2.MetricIdentifier; 2 target! autoscaling.v2.MetricTarget
autoscaling.v2.PodsMetricStatus: 1 metric! autoscaling.v2.MetricIdentifier; 2 current! autoscaling.v2.MetricValueStatus
autoscaling.v2.ResourceMetricSource: 1 name! string; 2 target! autoscaling.v2.MetricTarget
autoscaling.v2.ResourceMetricStatus: 1 name! string; 2 current! autoscaling.v2.MetricValueStatus
"""
