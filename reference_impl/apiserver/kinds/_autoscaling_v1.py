"""autoscaling/v1's round-trip annotations for what v1 has no field for: a v1
HorizontalPodAutoscaler carries every metric but its cpu utilization target in
`autoscaling.alpha.kubernetes.io/metrics`, a JSON list of v1 MetricSpecs (targetAverageValue,
metricName, ... where v2 has a MetricTarget and a MetricIdentifier), and its current metrics,
behavior and conditions in three more. These functions convert the metrics list to and from v2
metrics, as upstream's conversion to and from the internal version does, and read the lists."""
from __future__ import annotations

import json

from reference_impl.mirrors import mirrors

METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"
# DropRoundTripHorizontalPodAutoscalerAnnotations: none of them is kept once converted.
ROUND_TRIP_ANNOTATIONS = (METRIC_SPECS_ANNOTATION, BEHAVIOR_ANNOTATION, CURRENT_METRICS_ANNOTATION,
                          CONDITIONS_ANNOTATION)


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _present(**fields) -> dict:
    """The fields that are set, as Go's omitempty leaves out the unset ones."""
    return {key: value for key, value in fields.items() if value is not None}


def _identifier(name: object, selector: object) -> dict:
    return _present(name=name or "", selector=selector)


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_ObjectMetricSource_To_autoscaling_ObjectMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_PodsMetricSource_To_autoscaling_PodsMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_ResourceMetricSource_To_autoscaling_ResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_ContainerResourceMetricSource_To_autoscaling_ContainerResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_v1_ExternalMetricSource_To_autoscaling_ExternalMetricSource")
def metric_from_v1(metric: dict) -> dict:
    """One v1 MetricSpec of the annotation as a v2 MetricSpec."""
    converted = {"type": metric.get("type", "")}
    if isinstance(metric.get("object"), dict):
        source = metric["object"]
        average = source.get("averageValue")
        converted["object"] = {  # v2's ObjectMetricSource order
            "describedObject": _object(source.get("target")),
            "target": _present(type="Value" if average is None else "AverageValue",
                               value=source.get("targetValue", "0"), averageValue=average),
            "metric": _identifier(source.get("metricName"), source.get("selector"))}
    if isinstance(metric.get("pods"), dict):
        source = metric["pods"]
        converted["pods"] = {"metric": _identifier(source.get("metricName"), source.get("selector")),
                             "target": {"type": "AverageValue", "averageValue": source.get("targetAverageValue", "0")}}
    for field in ("resource", "containerResource"):
        if isinstance(metric.get(field), dict):
            source = metric[field]
            utilization = source.get("targetAverageUtilization")
            converted[field] = _present(
                name=source.get("name", ""),
                target=_present(type="AverageValue" if utilization is None else "Utilization",
                                averageUtilization=utilization, averageValue=source.get("targetAverageValue")),
                container=source.get("container", "") if field == "containerResource" else None)
    if isinstance(metric.get("external"), dict):
        source = metric["external"]
        value = source.get("targetValue")
        converted["external"] = {
            "metric": _identifier(source.get("metricName"), source.get("metricSelector")),
            "target": _present(type="AverageValue" if value is None else "Value", value=value,
                               averageValue=source.get("targetAverageValue"))}
    return converted


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_ObjectMetricSource_To_v1_ObjectMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_PodsMetricSource_To_v1_PodsMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_ResourceMetricSource_To_v1_ResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_ContainerResourceMetricSource_To_v1_ContainerResourceMetricSource",
         "k8s.io/kubernetes/pkg/apis/autoscaling/v1.Convert_autoscaling_ExternalMetricSource_To_v1_ExternalMetricSource")
def metric_to_v1(metric: dict) -> dict:
    """One v2 MetricSpec as a v1 MetricSpec, its fields in the order Go's encoding/json writes them."""
    converted = {"type": metric.get("type", "")}
    if isinstance(metric.get("object"), dict):
        source = metric["object"]
        target, identifier = _object(source.get("target")), _object(source.get("metric"))
        described = _object(source.get("describedObject"))
        converted["object"] = _present(
            target=_present(kind=described.get("kind", ""), name=described.get("name", ""),
                            apiVersion=described.get("apiVersion") or None),
            metricName=identifier.get("name", ""), targetValue=target.get("value", "0"),
            selector=identifier.get("selector"), averageValue=target.get("averageValue"))
    if isinstance(metric.get("pods"), dict):
        source = metric["pods"]
        identifier = _object(source.get("metric"))
        converted["pods"] = _present(metricName=identifier.get("name", ""),
                                     targetAverageValue=_object(source.get("target")).get("averageValue", "0"),
                                     selector=identifier.get("selector"))
    for field in ("resource", "containerResource"):
        if isinstance(metric.get(field), dict):
            source = metric[field]
            target = _object(source.get("target"))
            converted[field] = _present(
                name=source.get("name", ""), targetAverageUtilization=target.get("averageUtilization"),
                targetAverageValue=target.get("averageValue"),
                container=source.get("container", "") if field == "containerResource" else None)
    if isinstance(metric.get("external"), dict):
        source = metric["external"]
        target, identifier = _object(source.get("target")), _object(source.get("metric"))
        converted["external"] = _present(metricName=identifier.get("name", ""),
                                         metricSelector=identifier.get("selector"), targetValue=target.get("value"),
                                         targetAverageValue=target.get("averageValue"))
    return converted


def annotated_list(annotations: object, name: str) -> list[dict] | None:
    """The list of objects (v1 MetricSpecs, MetricStatuses or conditions) annotation `name` holds,
    None when there is none or it does not decode (upstream then ignores it, as json.Unmarshal
    failed)."""
    encoded = _object(annotations).get(name)
    try:
        metrics = json.loads(encoded) if isinstance(encoded, str) else None
    except ValueError:
        return None
    if not isinstance(metrics, list) or not all(isinstance(metric, dict) for metric in metrics):
        return None
    return metrics


def encode_metrics(metrics: list[dict]) -> str:
    """An annotation's value: the v1 MetricSpecs (or MetricStatuses, or conditions) as json.Marshal
    writes them."""
    return json.dumps(metrics, separators=(",", ":"), ensure_ascii=False)
