"""autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscalers: what validateHorizontalPodAutoscalerSpec
refuses, with its texts; the defaults of each version; the conversion of the fields both versions
have; and both versions served over one store, v2 preferred. One rule per test."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver import kinds
from tests.reference.apiserver.test_handlers import TABLE, call
from tests.reference.apiserver import test_served_kinds

chain = test_served_kinds.chain  # a fixture, used by name: a chain with a namespace "kinds"
NS = "kinds"
TARGET = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}


def hpa(api_version: str = "autoscaling/v2", name: str = "web", **spec) -> dict:
    return {"apiVersion": api_version, "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"scaleTargetRef": TARGET, "minReplicas": 1, "maxReplicas": 3, **spec}}


def problems(version: str, obj: dict) -> list[str]:
    return kinds.find("autoscaling", version, "horizontalpodautoscalers").validate(obj)


def cpu(utilization: object) -> dict:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                      "averageUtilization": utilization}}}


@pytest.mark.parametrize("spec,message", [
    ({"minReplicas": None, "maxReplicas": 0}, "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
    ({"minReplicas": 5}, "spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"),
    ({"scaleTargetRef": {"name": "web"}}, "spec.scaleTargetRef.kind: Required value"),
    ({"scaleTargetRef": {"kind": "Deployment"}}, "spec.scaleTargetRef.name: Required value"),
    ({"scaleTargetRef": {"kind": "Deployment", "name": "a/b"}},
     "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'"),
    ({"metrics": [cpu(0)]},
     "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"),
    ({"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]},
     "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a "
     "target utilization"),
    ({"metrics": [{"type": "Resource", "resource": {"target": {"type": "Utilization", "averageUtilization": 50}}}]},
     "spec.metrics[0].resource.name: Required value: must specify a resource name"),
    ({"metrics": [{"type": "Pods"}]},
     "spec.metrics[0].pods: Required value: must populate information for the given metric source"),
    ({"metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue"}}}]},
     "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue"),
    ({"metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"},
                                            "target": {"type": "AverageValue", "averageValue": "-500m"}}}]},
     "spec.metrics[0].pods.target.averageValue: Invalid value: resource.Quantity{i:resource.int64Amount{value:-500, "
     'scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-500m", Format:"DecimalSI"}: must be positive'),
    ({"metrics": [{"type": "Object", "object": {"describedObject": TARGET, "metric": {"name": "qps"},
                                                "target": {"type": "Percent", "value": "10"}}}]},
     'spec.metrics[0].object.target.type: Invalid value: "Percent": must be either Utilization, Value, or '
     "AverageValue"),
    ({"behavior": {"scaleDown": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 60}]}}},
     "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero"),
    ({"behavior": {"scaleUp": {"stabilizationWindowSeconds": 4000,
                               "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}},
     "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600"),
])
def test_an_invalid_v2_autoscaler_is_refused_with_upstreams_text(spec, message):
    """Each mistake is reported as validateHorizontalPodAutoscalerSpec words it."""
    assert problems("v2", hpa(**spec)) == [message]


EXTERNAL_QUEUE = {"type": "External", "external": {"metric": {"name": "queue"},
                                                   "target": {"type": "Value", "value": "10"}}}
NO_SCALING_METRIC = ("spec.metrics: Forbidden: must specify at least one Object or External metric to support "
                     "scaling to zero replicas")


def test_a_created_autoscaler_may_not_scale_to_zero():
    """HPAScaleToZero is off in 1.24: minReplicas 0 is refused on create; validateMetrics also asks
    for an Object or External metric, which scaling to zero needs."""
    assert problems("v2", hpa(minReplicas=0, metrics=[cpu(50)])) == [
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1", NO_SCALING_METRIC]
    assert problems("v2", hpa(minReplicas=0, metrics=[EXTERNAL_QUEUE])) == [
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]


def test_an_update_keeps_minreplicas_zero_the_stored_autoscaler_had():
    """ValidateHorizontalPodAutoscalerUpdate: minReplicas may be 0 when the stored autoscaler's is."""
    autoscalers = kinds.find("autoscaling", "v2", "horizontalpodautoscalers")
    old = hpa(minReplicas=0, metrics=[EXTERNAL_QUEUE])
    new = hpa(minReplicas=0, maxReplicas=5, metrics=[EXTERNAL_QUEUE])
    assert autoscalers.validate_update(old, new) == []
    assert autoscalers.validate_update(hpa(), new) == [
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]


def test_a_metric_of_an_unknown_source_type_is_refused_twice_as_upstream_does():
    """validateMetricSpec reports an unknown type once before and once in its switch."""
    message = ('spec.metrics[0].type: Unsupported value: "Memory": supported values: "ContainerResource", '
               '"External", "Object", "Pods", "Resource"')
    assert problems("v2", hpa(metrics=[{"type": "Memory"}])) == [message, message]


def test_a_v1_autoscaler_is_validated_as_the_v2_object_it_converts_to():
    """A v1 target of 0% is refused at v2's field, as upstream's internal-version validation names it."""
    assert problems("v1", hpa("autoscaling/v1", targetCPUUtilizationPercentage=0)) == [
        "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"]


def test_v2_defaults_min_replicas_a_cpu_target_and_behavior_rules():
    """SetDefaults_HorizontalPodAutoscaler (v2): minReplicas 1, 80% cpu, a behavior's missing rules."""
    obj = hpa(behavior={"scaleDown": {"stabilizationWindowSeconds": 60}})
    del obj["spec"]["minReplicas"]
    kinds.set_object_defaults("HorizontalPodAutoscaler", obj)
    spec = obj["spec"]
    assert (spec["minReplicas"], spec["metrics"]) == (1, [cpu(80)])
    assert spec["behavior"]["scaleDown"] == {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                                             "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    assert spec["behavior"]["scaleUp"]["policies"] == [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                                       {"type": "Percent", "value": 100, "periodSeconds": 15}]


def test_v1_defaults_only_min_replicas():
    """SetDefaults_HorizontalPodAutoscaler (v1) sets no cpu target."""
    obj = hpa("autoscaling/v1")
    del obj["spec"]["minReplicas"]
    kinds.set_object_defaults("HorizontalPodAutoscaler", obj)
    assert obj["spec"] == {"scaleTargetRef": TARGET, "minReplicas": 1, "maxReplicas": 3}


def collection(version: str) -> str:
    return f"/apis/autoscaling/{version}/namespaces/{NS}/horizontalpodautoscalers"


def test_autoscaling_prefers_v2_in_discovery(chain):
    """/apis/autoscaling lists v2 and v1 before the deprecated betas, v2 preferred (the 1.24
    aggregator's priorities)."""
    code, group = call(chain, "GET", "/apis/autoscaling")
    assert code == 200
    assert [v["version"] for v in group["versions"]][:2] == ["v2", "v1"]
    assert group["preferredVersion"]["version"] == "v2"


def test_an_autoscaler_created_in_v1_reads_as_v2_with_a_cpu_metric(chain):
    """targetCPUUtilizationPercentage is v2's cpu Utilization metric; the status converts too."""
    code, created = call(chain, "POST", collection("v1"), hpa("autoscaling/v1", "from-v1", minReplicas=2,
                                                              targetCPUUtilizationPercentage=50))
    assert code == 201, created
    assert created["spec"]["targetCPUUtilizationPercentage"] == 50
    assert created["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    code, read = call(chain, "GET", f"{collection('v2')}/from-v1")
    assert code == 200 and read["apiVersion"] == "autoscaling/v2"
    assert read["spec"]["metrics"] == [cpu(50)] and "targetCPUUtilizationPercentage" not in read["spec"]


def test_an_autoscaler_created_in_v1_without_a_target_scales_on_80_percent_cpu(chain):
    """Converting a v1 autoscaler that names no cpu target (what `kubectl autoscale` sends without
    --cpu-percent) gives it the default 80% cpu metric, which both versions then show."""
    code, created = call(chain, "POST", collection("v1"), hpa("autoscaling/v1", "no-target"))
    assert code == 201 and created["spec"]["targetCPUUtilizationPercentage"] == 80
    assert call(chain, "GET", f"{collection('v2')}/no-target")[1]["spec"]["metrics"] == [cpu(80)]


def test_a_dry_run_in_v1_answers_the_object_converted_as_storage_would_get_it(chain):
    """A dry run answers what the store would have written and read back (DryRunnableStorage's
    copyInto encodes and decodes): a v1 autoscaler without a target shows the 80% cpu target, on
    create and on update (`kubectl autoscale --dry-run=server`)."""
    code, created = call(chain, "POST", collection("v1"), hpa("autoscaling/v1", "dry"), query={"dryRun": "All"})
    assert code == 201 and created["spec"].get("targetCPUUtilizationPercentage") == 80, created
    call(chain, "POST", collection("v1"), hpa("autoscaling/v1", "dry-update", targetCPUUtilizationPercentage=50))
    code, updated = call(chain, "PATCH", f"{collection('v1')}/dry-update",
                         {"spec": {"targetCPUUtilizationPercentage": None}},
                         content_type="application/merge-patch+json", query={"dryRun": "All"})
    assert code == 200 and updated["spec"].get("targetCPUUtilizationPercentage") == 80, updated


def test_an_autoscaler_created_in_v2_reads_as_v1_with_its_cpu_target(chain):
    """v1 shows the cpu utilization target in its spec, the other metrics only in an annotation."""
    memory = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                           "averageValue": "500Mi"}}}
    code, _ = call(chain, "POST", collection("v2"), hpa(name="from-v2", metrics=[memory, cpu(70)]))
    assert code == 201
    code, read = call(chain, "GET", f"{collection('v1')}/from-v2")
    assert code == 200 and read["apiVersion"] == "autoscaling/v1"
    assert read["spec"] == {"scaleTargetRef": TARGET, "minReplicas": 1, "maxReplicas": 3,
                            "targetCPUUtilizationPercentage": 70}
    code, table = call(chain, "GET", f"{collection('v2')}/from-v2", accept=TABLE)
    assert table["rows"][0]["cells"][2] == "<unknown>/500Mi, <unknown>/70%"


def test_v1_carries_the_metrics_it_has_no_field_for_in_the_metrics_annotation(chain):
    """Convert_autoscaling_HorizontalPodAutoscaler_To_v1: every metric but the cpu utilization
    target is a v1 MetricSpec in autoscaling.alpha.kubernetes.io/metrics, as json.Marshal writes it."""
    metrics = [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                             "averageValue": "500Mi"}}},
               cpu(70),
               {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": {"matchLabels": {"a": "b"}}},
                                         "target": {"type": "AverageValue", "averageValue": "1k"}}},
               {"type": "Object", "object": {"describedObject": {"kind": "Service", "name": "s", "apiVersion": "v1"},
                                             "metric": {"name": "hits"}, "target": {"type": "Value", "value": "10"}}},
               {"type": "External", "external": {"metric": {"name": "queue"},
                                                 "target": {"type": "AverageValue", "averageValue": "30"}}}]
    code, created = call(chain, "POST", collection("v2"), hpa(name="annotated", metrics=metrics))
    assert code == 201, created
    code, read = call(chain, "GET", f"{collection('v1')}/annotated")
    assert read["metadata"]["annotations"] == {"autoscaling.alpha.kubernetes.io/metrics": (
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},'
        '{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"1k","selector":{"matchLabels":{"a":"b"}}}},'
        '{"type":"Object","object":{"target":{"kind":"Service","name":"s","apiVersion":"v1"},"metricName":"hits",'
        '"targetValue":"10"}},{"type":"External","external":{"metricName":"queue","targetAverageValue":"30"}}]')}
    code, replaced = call(chain, "PUT", f"{collection('v1')}/annotated", read)
    assert code == 200, replaced
    code, again = call(chain, "GET", f"{collection('v2')}/annotated")
    assert again["spec"]["metrics"] == metrics[:1] + metrics[2:] + [cpu(70)] and "annotations" not in again["metadata"]


def test_a_container_resource_metric_in_the_v1_annotation_is_refused_as_in_v2(chain):
    """The annotation's metrics are the internal object's, so PrepareForCreate drops their
    containerResource too and validation refuses the metric that names the type."""
    container_cpu = [{"type": "ContainerResource",
                      "containerResource": {"name": "cpu", "container": "c", "targetAverageUtilization": 50}}]
    body = hpa("autoscaling/v1", "container-v1")
    body["metadata"]["annotations"] = {"autoscaling.alpha.kubernetes.io/metrics": json.dumps(container_cpu)}
    code, status = call(chain, "POST", collection("v1"), body)
    assert (code, status["message"]) == (422, 'HorizontalPodAutoscaler.autoscaling "container-v1" is invalid: '
                                              "spec.metrics[0].containerResource: Required value: must populate "
                                              "information for the given metric source (only allowed when "
                                              "HPAContainerMetrics feature is enabled)")


def test_an_invalid_autoscaler_is_a_422_status(chain):
    """maxReplicas below minReplicas is an Invalid Status naming the field."""
    code, status = call(chain, "POST", collection("v2"), hpa(name="bad", minReplicas=4))
    assert code == 422 and status["reason"] == "Invalid"
    assert status["message"] == ('HorizontalPodAutoscaler.autoscaling "bad" is invalid: spec.maxReplicas: Invalid '
                                 "value: 3: must be greater than or equal to `minReplicas`")


CONTAINER_CPU = {"type": "ContainerResource", "containerResource": {
    "name": "cpu", "container": "c", "target": {"type": "Utilization", "averageUtilization": 50}}}


def test_a_container_resource_metric_is_refused_while_hpa_container_metrics_is_off(chain):
    """PrepareForCreate drops every containerResource (HPAContainerMetrics is off in 1.24), so the
    metric that names the type lacks its source, in the words validateMetricSpec has for that case."""
    code, status = call(chain, "POST", f"/apis/autoscaling/v2/namespaces/{NS}/horizontalpodautoscalers",
                        hpa(name="container", metrics=[cpu(50), CONTAINER_CPU]))
    assert code == 422, status
    cause = ("Required value: must populate information for the given metric source "
             "(only allowed when HPAContainerMetrics feature is enabled)")
    assert status["message"] == (f'HorizontalPodAutoscaler.autoscaling "container" is invalid: '
                                 f"spec.metrics[1].containerResource: {cause}")
    assert status["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": cause, "field": "spec.metrics[1].containerResource"}]


def test_an_update_keeps_container_resource_metrics_only_of_an_autoscaler_that_has_some():
    """PrepareForUpdate drops them unless the stored autoscaler already has one."""
    autoscalers = kinds.find("autoscaling", "v2", "horizontalpodautoscalers")
    new = hpa(metrics=[CONTAINER_CPU])
    autoscalers.prepare_for_update(new, hpa(metrics=[cpu(50)]))
    assert new["spec"]["metrics"] == [{"type": "ContainerResource"}]
    new = hpa(metrics=[CONTAINER_CPU])
    autoscalers.prepare_for_update(new, hpa(metrics=[CONTAINER_CPU]))
    assert new["spec"]["metrics"] == [CONTAINER_CPU]


ZERO_QUANTITY = ('resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, '
                 's:"", Format:""}')


@pytest.mark.parametrize("metric,field", [
    ({"type": "Pods", "pods": {"metricName": "m"}}, "spec.metrics[0].pods.target.averageValue"),
    ({"type": "Object", "object": {"metricName": "m", "target": {"kind": "Service", "name": "s"}}},
     "spec.metrics[0].object.target.value"),
], ids=["pods", "object"])
def test_a_v2beta1_target_left_out_is_the_zero_quantity(chain, metric, field):
    """A v2beta1 Pods or Object metric without its target value converts to v2's target holding Go's
    zero Quantity (no cached text, no format), which %#v shows so (as the real 1.24 answers)."""
    body = hpa("autoscaling/v2beta1", name="zero", metrics=[metric])
    code, status = call(chain, "POST", collection("v2beta1"), body)
    assert code == 422, status
    assert status["message"] == (f'HorizontalPodAutoscaler.autoscaling "zero" is invalid: {field}: Invalid value: '
                                 f"{ZERO_QUANTITY}: must be positive")
