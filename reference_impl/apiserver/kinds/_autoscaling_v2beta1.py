"""autoscaling/v2beta1 HorizontalPodAutoscalers and v2, the version they convert through (on to
v1, the one we store): conversion of their metrics (upstream's
pkg/apis/autoscaling/v2beta1/conversion.go), and v2beta1's OpenAPI definitions.

v2beta1 names a metric's target in flat fields (`targetAverageUtilization`, `targetValue`,
`targetAverageValue`) where v2 has a MetricTarget with its type, and a metric's name and selector
beside them where v2 has a MetricIdentifier; the type of v2's target follows from which v2beta1
fields are set. v2beta1's Quantity fields without a pointer are Go's zero Quantity ("0") when v2
has none. The behavior, which only v2 has, travels in the
`autoscaling.alpha.kubernetes.io/behavior` annotation, written as encoding/json writes upstream's
internal HorizontalPodAutoscalerBehavior (Go's field names, no omitempty).
"""
from __future__ import annotations

import json

from reference_impl.apiserver.core.schemas import META, QUANTITY, arr, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds._autoscaling_v1 import BEHAVIOR_ANNOTATION, ROUND_TRIP_ANNOTATIONS
from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors

V2BETA1 = "autoscaling/v2beta1"
DEFINITION = "io.k8s.api.autoscaling.v2beta1."
DEFAULT_CPU_METRIC = {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 80}}
METRIC_SOURCES = ("object", "pods", "resource", "containerResource", "external")
# The internal HPAScalingRules' and HPAScalingPolicy's fields: (JSON name in v2, Go field name).
RULE_FIELDS = (("stabilizationWindowSeconds", "StabilizationWindowSeconds"), ("selectPolicy", "SelectPolicy"),
               ("policies", "Policies"))
POLICY_FIELDS = (("type", "Type"), ("value", "Value"), ("periodSeconds", "PeriodSeconds"))
DIRECTIONS = (("scaleUp", "ScaleUp"), ("scaleDown", "ScaleDown"))
OBJECT_META_AFTER_ANNOTATIONS = ("ownerReferences", "finalizers", "clusterName", "managedFields")


def _set(**fields) -> dict:
    """The fields that are set, in the order given (the Go struct's): omitempty."""
    return {k: value for k, value in fields.items() if value is not None}


def _reference(ref_: dict) -> dict:
    return _set(kind=ref_.get("kind", ""), name=ref_.get("name", ""), apiVersion=ref_.get("apiVersion"))


# --- v2beta1 -> v2 -------------------------------------------------------------------------------


def _target(type_: str, value=None, average_value=None, average_utilization=None) -> dict:
    return _set(type=type_, value=value, averageValue=average_value, averageUtilization=average_utilization)


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ObjectMetricSource_To_autoscaling_ObjectMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_PodsMetricSource_To_autoscaling_PodsMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ResourceMetricSource_To_autoscaling_ResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ContainerResourceMetricSource_To_autoscaling_ContainerResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ExternalMetricSource_To_autoscaling_ExternalMetricSource")
def source_to_v2(source_type: str, source: dict) -> dict:
    if source_type == "object":
        average = source.get("averageValue")
        return {"describedObject": _reference(source.get("target") or {}),
                "target": _target("Value" if average is None else "AverageValue",
                                  source.get("targetValue", quantity.UNSET), average),
                "metric": _set(name=source.get("metricName", ""), selector=source.get("selector"))}
    if source_type == "pods":
        return {"metric": _set(name=source.get("metricName", ""), selector=source.get("selector")),
                "target": _target("AverageValue", average_value=source.get("targetAverageValue", quantity.UNSET))}
    if source_type == "external":
        value = source.get("targetValue")
        return {"metric": _set(name=source.get("metricName", ""), selector=source.get("metricSelector")),
                "target": _target("AverageValue" if value is None else "Value", value, source.get("targetAverageValue"))}
    utilization = source.get("targetAverageUtilization")
    target = _target("AverageValue" if utilization is None else "Utilization",
                     average_value=source.get("targetAverageValue"), average_utilization=utilization)
    return _set(name=source.get("name", ""), target=target, container=source.get("container"))


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ObjectMetricStatus_To_autoscaling_ObjectMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_PodsMetricStatus_To_autoscaling_PodsMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ResourceMetricStatus_To_autoscaling_ResourceMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ContainerResourceMetricStatus_To_autoscaling_ContainerResourceMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_ExternalMetricStatus_To_autoscaling_ExternalMetricStatus")
def status_to_v2(source_type: str, status: dict) -> dict:
    if source_type == "object":
        return {"metric": _set(name=status.get("metricName", ""), selector=status.get("selector")),
                "current": _set(value=status.get("currentValue", "0"), averageValue=status.get("averageValue")),
                "describedObject": _reference(status.get("target") or {})}
    if source_type == "pods":
        return {"metric": _set(name=status.get("metricName", ""), selector=status.get("selector")),
                "current": {"averageValue": status.get("currentAverageValue", "0")}}
    if source_type == "external":
        return {"metric": _set(name=status.get("metricName", ""), selector=status.get("metricSelector")),
                "current": _set(value=status.get("currentValue", "0"), averageValue=status.get("currentAverageValue"))}
    current = _set(averageValue=status.get("currentAverageValue", "0"),
                   averageUtilization=status.get("currentAverageUtilization"))
    return _set(name=status.get("name", ""), current=current, container=status.get("container"))


# --- v2 -> v2beta1 -------------------------------------------------------------------------------


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ObjectMetricSource_To_v2beta1_ObjectMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_PodsMetricSource_To_v2beta1_PodsMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ResourceMetricSource_To_v2beta1_ResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ContainerResourceMetricSource_To_v2beta1_ContainerResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ExternalMetricSource_To_v2beta1_ExternalMetricSource")
def source_to_v2beta1(source_type: str, source: dict) -> dict:
    target, metric = source.get("target") or {}, source.get("metric") or {}
    if source_type == "object":
        return _set(target=_reference(source.get("describedObject") or {}), metricName=metric.get("name", ""),
                    targetValue=target.get("value") or "0", selector=metric.get("selector"),
                    averageValue=target.get("averageValue"))
    if source_type == "pods":
        return _set(metricName=metric.get("name", ""), targetAverageValue=target.get("averageValue") or "0",
                    selector=metric.get("selector"))
    if source_type == "external":
        return _set(metricName=metric.get("name", ""), metricSelector=metric.get("selector"),
                    targetValue=target.get("value"), targetAverageValue=target.get("averageValue"))
    return _set(name=source.get("name", ""), targetAverageUtilization=target.get("averageUtilization"),
                targetAverageValue=target.get("averageValue"), container=source.get("container"))


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ObjectMetricStatus_To_v2beta1_ObjectMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_PodsMetricStatus_To_v2beta1_PodsMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ResourceMetricStatus_To_v2beta1_ResourceMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ContainerResourceMetricStatus_To_v2beta1_ContainerResourceMetricStatus",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_ExternalMetricStatus_To_v2beta1_ExternalMetricStatus")
def status_to_v2beta1(source_type: str, status: dict) -> dict:
    current, metric = status.get("current") or {}, status.get("metric") or {}
    if source_type == "object":
        return _set(target=_reference(status.get("describedObject") or {}), metricName=metric.get("name", ""),
                    currentValue=current.get("value") or "0", selector=metric.get("selector"),
                    averageValue=current.get("averageValue"))
    if source_type == "pods":
        return _set(metricName=metric.get("name", ""), currentAverageValue=current.get("averageValue") or "0",
                    selector=metric.get("selector"))
    if source_type == "external":
        return _set(metricName=metric.get("name", ""), metricSelector=metric.get("selector"),
                    currentValue=current.get("value") or "0", currentAverageValue=current.get("averageValue"))
    return _set(name=status.get("name", ""), currentAverageUtilization=current.get("averageUtilization"),
                currentAverageValue=current.get("averageValue") or "0", container=status.get("container"))


# --- whole objects -------------------------------------------------------------------------------


def metrics_converted(metrics: object, convert) -> object:
    """Each metric (spec or status) with its source converted by `convert(source_type, source)`;
    the source fields in the Go struct's order."""
    if not isinstance(metrics, list):
        return metrics
    converted = []
    for metric in metrics:
        if not isinstance(metric, dict):
            converted.append(metric)
            continue
        sources = {name: convert(name, metric[name]) for name in METRIC_SOURCES if isinstance(metric.get(name), dict)}
        converted.append({**{k: value for k, value in metric.items() if k not in METRIC_SOURCES}, **sources})
    return converted


def _converted(hpa: dict, api_version: str, source, status) -> dict:
    converted = {**hpa, "apiVersion": api_version}
    if isinstance(hpa.get("spec"), dict) and "metrics" in hpa["spec"]:
        converted["spec"] = {**hpa["spec"], "metrics": metrics_converted(hpa["spec"]["metrics"], source)}
    if isinstance(hpa.get("status"), dict) and "currentMetrics" in hpa["status"]:
        converted["status"] = {**hpa["status"], "currentMetrics": metrics_converted(hpa["status"]["currentMetrics"], status)}
    return converted


def behavior_json(behavior: dict) -> str:
    """json.Marshal of the internal HorizontalPodAutoscalerBehavior: Go's field names, nil as null."""
    def rules(direction: object) -> dict | None:
        if not isinstance(direction, dict):
            return None
        policies = direction.get("policies")
        return {**{go: direction.get(name) for name, go in RULE_FIELDS[:2]},
                "Policies": None if policies is None else [
                    {go: policy.get(name, "" if name == "type" else 0) for name, go in POLICY_FIELDS}
                    for policy in policies if isinstance(policy, dict)]}
    return json.dumps({go: rules(behavior.get(name)) for name, go in DIRECTIONS}, separators=(",", ":"))


def behavior_from_json(encoded: str) -> dict | None:
    """The behavior an annotation holds, None where it is not JSON or is empty (json.Unmarshal
    matches Go's field names whatever their case)."""
    try:
        decoded = json.loads(encoded)
    except ValueError:
        return None
    if not isinstance(decoded, dict):
        return None

    def field(obj: dict, go: str) -> object:
        return next((value for key, value in obj.items() if key.lower() == go.lower()), None)

    behavior = {}
    for name, go in DIRECTIONS:
        rules = field(decoded, go)
        if isinstance(rules, dict):
            converted = {field_name: field(rules, go_name) for field_name, go_name in RULE_FIELDS}
            if isinstance(converted["policies"], list):
                converted["policies"] = [{n: field(p, g) for n, g in POLICY_FIELDS if field(p, g) is not None}
                                         for p in converted["policies"] if isinstance(p, dict)]
            behavior[name] = {k: value for k, value in converted.items() if value is not None}
    return behavior or None


def _without_round_trip_annotations(hpa: dict) -> tuple[dict, dict]:
    """`hpa` with its metadata's round-trip annotations dropped (the annotations map too, once empty),
    and the annotations it had."""
    meta = hpa.get("metadata") if isinstance(hpa.get("metadata"), dict) else {}
    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    kept = {k: value for k, value in annotations.items() if k not in ROUND_TRIP_ANNOTATIONS}
    meta = {k: value for k, value in meta.items() if k != "annotations"}
    return {**hpa, "metadata": with_annotations(meta, kept) if kept else meta}, annotations


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_v2beta1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler")
def to_v2(hpa: dict) -> dict:
    """The metrics converted, and the behavior annotation (when it holds one) as spec.behavior."""
    converted, annotations = _without_round_trip_annotations(_converted(hpa, "autoscaling/v2", source_to_v2,
                                                                       status_to_v2))
    behavior = behavior_from_json(str(annotations.get(BEHAVIOR_ANNOTATION, "")))
    if behavior is not None and isinstance(converted.get("spec"), dict):
        converted["spec"] = {**converted["spec"], "behavior": behavior}
    return converted


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta1.Convert_autoscaling_HorizontalPodAutoscaler_To_v2beta1_HorizontalPodAutoscaler")
def from_v2(hpa: dict) -> dict:
    """The metrics converted, and spec.behavior, which v2beta1 has no field for, as the annotation."""
    converted, _ = _without_round_trip_annotations(_converted(hpa, V2BETA1, source_to_v2beta1, status_to_v2beta1))
    spec = converted.get("spec")
    if isinstance(spec, dict) and "behavior" in spec:
        behavior = spec["behavior"]
        converted["spec"] = {k: value for k, value in spec.items() if k != "behavior"}
        if isinstance(behavior, dict):
            annotations = {**converted["metadata"].get("annotations", {}), BEHAVIOR_ANNOTATION: behavior_json(behavior)}
            converted["metadata"] = with_annotations(converted["metadata"], annotations)
    return converted


def with_annotations(meta: dict, annotations: dict) -> dict:
    """`meta` with these annotations in ObjectMeta's place for them, sorted as a Go map is written."""
    before = {k: value for k, value in meta.items() if k not in OBJECT_META_AFTER_ANNOTATIONS and k != "annotations"}
    after = {k: meta[k] for k in OBJECT_META_AFTER_ANNOTATIONS if k in meta}
    return {**before, "annotations": dict(sorted(annotations.items())), **after}


# --- OpenAPI -------------------------------------------------------------------------------------


def _selector(description: str) -> dict:
    return ref(META + "LabelSelector", description)


def _quantity(description: str) -> dict:
    return ref(QUANTITY, description)


def _cross_version_reference() -> dict:
    return ref(DEFINITION + "CrossVersionObjectReference", "The object the metric describes.")


def _metric_union(suffix: str, description: str) -> dict:
    return obj(description, ("type",), type=string("Object, Pods, Resource, ContainerResource or External."),
               **{name: ref(DEFINITION + f"{name[0].upper()}{name[1:]}Metric{suffix}", f"A {name} metric.")
                  for name in METRIC_SOURCES})


DEFINITIONS = {
    DEFINITION + "HorizontalPodAutoscaler": kind(
        "autoscaling", "v2beta1", "HorizontalPodAutoscaler", "Scales a workload by the metrics it names.",
        spec=ref(DEFINITION + "HorizontalPodAutoscalerSpec", "The desired behaviour of the autoscaler."),
        status=ref(DEFINITION + "HorizontalPodAutoscalerStatus", "The observed state of the autoscaler.")),
    DEFINITION + "HorizontalPodAutoscalerList": list_kind("autoscaling", "v2beta1", DEFINITION + "HorizontalPodAutoscaler"),
    DEFINITION + "HorizontalPodAutoscalerSpec": obj(
        "What to scale, between which bounds, on which metrics.", ("scaleTargetRef", "maxReplicas"),
        maxReplicas=integer("The most replicas."), minReplicas=integer("The fewest replicas; defaults to 1."),
        metrics=arr(ref(DEFINITION + "MetricSpec"), "The metrics to scale on."),
        scaleTargetRef=ref(DEFINITION + "CrossVersionObjectReference", "The workload to scale.")),
    DEFINITION + "CrossVersionObjectReference": obj(
        "An object of any group version.", ("kind", "name"), apiVersion=string("Its API version."),
        kind=string("Its kind."), name=string("Its name.")),
    DEFINITION + "HorizontalPodAutoscalerStatus": obj(
        "What the autoscaler last saw and did.", ("currentReplicas", "desiredReplicas"),
        conditions=arr(ref(DEFINITION + "HorizontalPodAutoscalerCondition"), "The autoscaler's conditions."),
        currentMetrics=arr(ref(DEFINITION + "MetricStatus"), "The metrics last read."),
        currentReplicas=integer("Replicas of the workload now."), desiredReplicas=integer("Replicas wanted."),
        lastScaleTime=ref(META + "Time", "When the autoscaler last scaled."),
        observedGeneration=integer("The generation last acted on.", "int64")),
    DEFINITION + "HorizontalPodAutoscalerCondition": obj(
        "One condition of an autoscaler.", ("type", "status"),
        lastTransitionTime=ref(META + "Time", "When the status last changed."), message=string("Why, for people."),
        reason=string("Why, in CamelCase."), status=string("True, False or Unknown."), type=string("The condition.")),
    DEFINITION + "MetricSpec": _metric_union("Source", "One metric to scale on."),
    DEFINITION + "MetricStatus": _metric_union("Status", "One metric as last read."),
    DEFINITION + "ObjectMetricSource": obj(
        "A metric of one object.", ("target", "metricName", "targetValue"),
        averageValue=_quantity("The target value per pod."), metricName=string("The metric."),
        selector=_selector("Narrows the metric."), target=_cross_version_reference(),
        targetValue=_quantity("The target value.")),
    DEFINITION + "PodsMetricSource": obj(
        "A metric averaged over the pods.", ("metricName", "targetAverageValue"), metricName=string("The metric."),
        selector=_selector("Narrows the metric."), targetAverageValue=_quantity("The target average.")),
    DEFINITION + "ResourceMetricSource": obj(
        "A resource of the pods' containers.", ("name",), name=string("The resource."),
        targetAverageUtilization=integer("The target percentage of the request."),
        targetAverageValue=_quantity("The target average.")),
    DEFINITION + "ContainerResourceMetricSource": obj(
        "A resource of one container of each pod.", ("name", "container"), container=string("The container."),
        name=string("The resource."), targetAverageUtilization=integer("The target percentage of the request."),
        targetAverageValue=_quantity("The target average.")),
    DEFINITION + "ExternalMetricSource": obj(
        "A metric from outside the cluster.", ("metricName",), metricName=string("The metric."),
        metricSelector=_selector("Narrows the metric."), targetAverageValue=_quantity("The target average."),
        targetValue=_quantity("The target value.")),
    DEFINITION + "ObjectMetricStatus": obj(
        "An object's metric as last read.", ("target", "metricName", "currentValue"),
        averageValue=_quantity("The value per pod."), currentValue=_quantity("The value."),
        metricName=string("The metric."), selector=_selector("Narrows the metric."), target=_cross_version_reference()),
    DEFINITION + "PodsMetricStatus": obj(
        "A pods metric as last read.", ("metricName", "currentAverageValue"),
        currentAverageValue=_quantity("The average."), metricName=string("The metric."),
        selector=_selector("Narrows the metric.")),
    DEFINITION + "ResourceMetricStatus": obj(
        "A resource metric as last read.", ("name", "currentAverageValue"),
        currentAverageUtilization=integer("The percentage of the request."),
        currentAverageValue=_quantity("The average."), name=string("The resource.")),
    DEFINITION + "ContainerResourceMetricStatus": obj(
        "A container resource metric as last read.", ("name", "currentAverageValue", "container"),
        container=string("The container."), currentAverageUtilization=integer("The percentage of the request."),
        currentAverageValue=_quantity("The average."), name=string("The resource.")),
    DEFINITION + "ExternalMetricStatus": obj(
        "An external metric as last read.", ("metricName", "currentValue"),
        currentAverageValue=_quantity("The average."), currentValue=_quantity("The value."),
        metricName=string("The metric."), metricSelector=_selector("Narrows the metric.")),
}


MESSAGES = """
autoscaling.v2beta1.ContainerResourceMetricSource: 1 name! string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity; 4 container! string
autoscaling.v2beta1.ContainerResourceMetricStatus: 1 name! string; 2 currentAverageUtilization int32;
    3 currentAverageValue! resource.Quantity; 4 container! string
autoscaling.v2beta1.CrossVersionObjectReference: 1 kind! string; 2 name! string; 3 apiVersion? string
autoscaling.v2beta1.ExternalMetricSource: 1 metricName! string; 2 metricSelector meta.LabelSelector;
    3 targetValue resource.Quantity; 4 targetAverageValue resource.Quantity
autoscaling.v2beta1.ExternalMetricStatus: 1 metricName! string; 2 metricSelector meta.LabelSelector;
    3 currentValue! resource.Quantity; 4 currentAverageValue resource.Quantity
autoscaling.v2beta1.HorizontalPodAutoscaler: 1 metadata! meta.ObjectMeta;
    2 spec! autoscaling.v2beta1.HorizontalPodAutoscalerSpec; 3 status! autoscaling.v2beta1.HorizontalPodAutoscalerStatus
autoscaling.v2beta1.HorizontalPodAutoscalerCondition: 1 type! string; 2 status! string;
    3 lastTransitionTime! meta.Time; 4 reason? string; 5 message? string
autoscaling.v2beta1.HorizontalPodAutoscalerList: 1 metadata! meta.ListMeta;
    2 items* []autoscaling.v2beta1.HorizontalPodAutoscaler
autoscaling.v2beta1.HorizontalPodAutoscalerSpec: 1 scaleTargetRef! autoscaling.v2beta1.CrossVersionObjectReference;
    2 minReplicas int32; 3 maxReplicas! int32; 4 metrics? []autoscaling.v2beta1.MetricSpec
autoscaling.v2beta1.HorizontalPodAutoscalerStatus: 1 observedGeneration int64; 2 lastScaleTime meta.Time;
    3 currentReplicas! int32; 4 desiredReplicas! int32; 5 currentMetrics* []autoscaling.v2beta1.MetricStatus;
    6 conditions* []autoscaling.v2beta1.HorizontalPodAutoscalerCondition
autoscaling.v2beta1.MetricSpec: 1 type! string; 2 object autoscaling.v2beta1.ObjectMetricSource;
    3 pods autoscaling.v2beta1.PodsMetricSource; 4 resource autoscaling.v2beta1.ResourceMetricSource;
    7 containerResource autoscaling.v2beta1.ContainerResourceMetricSource;
    5 external autoscaling.v2beta1.ExternalMetricSource
autoscaling.v2beta1.MetricStatus: 1 type! string; 2 object autoscaling.v2beta1.ObjectMetricStatus;
    3 pods autoscaling.v2beta1.PodsMetricStatus; 4 resource autoscaling.v2beta1.ResourceMetricStatus;
    7 containerResource autoscaling.v2beta1.ContainerResourceMetricStatus;
    5 external autoscaling.v2beta1.ExternalMetricStatus
autoscaling.v2beta1.ObjectMetricSource: 1 target! autoscaling.v2beta1.CrossVersionObjectReference;
    2 metricName! string; 3 targetValue! resource.Quantity; 4 selector meta.LabelSelector;
    5 averageValue resource.Quantity
autoscaling.v2beta1.ObjectMetricStatus: 1 target! autoscaling.v2beta1.CrossVersionObjectReference;
    2 metricName! string; 3 currentValue! resource.Quantity; 4 selector meta.LabelSelector;
    5 averageValue resource.Quantity
autoscaling.v2beta1.PodsMetricSource: 1 metricName! string; 2 targetAverageValue! resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.v2beta1.PodsMetricStatus: 1 metricName! string; 2 currentAverageValue! resource.Quantity;
    3 selector meta.LabelSelector
autoscaling.v2beta1.ResourceMetricSource: 1 name! string; 2 targetAverageUtilization int32;
    3 targetAverageValue resource.Quantity
autoscaling.v2beta1.ResourceMetricStatus: 1 name! string; 2 currentAverageUtilization int32;
    3 currentAverageValue! resource.Quantity
"""
