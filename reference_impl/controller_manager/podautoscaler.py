"""The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler) as 1.24 runs it on a cluster
with no metrics server, which is every cluster `kubeatlas cluster up` starts: each pass reads the
target's Scale, keeps its replicas within minReplicas and maxReplicas (SuccessfulRescale), and
otherwise finds that no metric can be read: ScalingActive False with the first metric's reason
(FailedGetResourceMetric), a Warning event per metric and FailedComputeMetricsReplicas, the
replicas left alone. `kubectl describe hpa` then shows what it shows on a real cluster.

Sans-IO: the adapter reads the Scale and lists the pod metrics, and hands in what it read or the
error it got; the sync returns the events and the status update, or, when the target must be
rescaled, a `Rescale`: the adapter writes the Scale and hands its answer to `Rescale.finish`,
since what the status says (SucceededRescale, or AbleToScale False FailedUpdateScale with the
error) depends on it. Not modelled: the replica count computed from metrics that could be read
(the adapter skips such an HPA).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from reference_impl.machinery.actions import RecordEvent, Update
from reference_impl.machinery.objects import object_reference, set_condition
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

EVENT_SOURCE = "horizontal-pod-autoscaler"
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
RESOURCE_METRIC_REASONS = {"Resource": "FailedGetResourceMetric",
                           "ContainerResource": "FailedGetContainerResourceMetric"}


class FixedItemIntervalRateLimiter:
    """Every key waits the same interval, whatever its history: the HPA queue's limiter."""

    def __init__(self, interval: float) -> None:
        self.interval = interval

    @mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.FixedItemIntervalRateLimiter).When")
    def when(self, _item) -> float:
        return self.interval

    def num_requeues(self, _item) -> int:
        return 1

    def forget(self, _item) -> None:
        pass


@dataclass(frozen=True)
class ScaleTarget:
    """What the adapter read of the HPA's scaleTargetRef: its Scale (autoscaling/v1) and the
    resource it was read from, or why it could not be read."""
    scale: dict | None = None
    # The collection's path, e.g. "/apis/apps/v1/deployments": a plural alone may name kinds of
    # several groups (a CRD's "deployments" in example.com).
    resource: str = ""
    error: str = ""


def _event(hpa: dict, type_: str, reason: str, message: str) -> RecordEvent:
    return RecordEvent(EVENT_SOURCE, object_reference(hpa, "HorizontalPodAutoscaler", "autoscaling/v2"),
                       type_, reason, message)


@dataclass(frozen=True)
class Rescale:
    """A pass that rescales the target: `update` is the Scale to write; `finish` the actions that
    follow its answer."""
    hpa: dict
    updated: dict  # the HPA as this pass leaves it before the rescale
    update: Update
    current: int
    desired: int
    reason: str
    now: float

    @mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).reconcileAutoscaler")
    def finish(self, error: str | None) -> list:
        """After the Scale's update answered `error` (None: it was taken): SuccessfulRescale and
        AbleToScale True SucceededRescale with the new replicas; or FailedRescale and AbleToScale
        False FailedUpdateScale, the replicas wanted left as they were."""
        updated = copy.deepcopy(self.updated)
        status, stamp = updated["status"], rfc3339(self.now)
        if error is not None:
            set_condition(status["conditions"], _condition(
                "AbleToScale", "False", "FailedUpdateScale",
                f"the HPA controller was unable to update the target scale: {error}"), stamp)
            _set_status(status, self.current, status.get("desiredReplicas", 0), status.get("currentMetrics"))
            return [_event(self.hpa, "Warning", "FailedRescale",
                           f"New size: {self.desired}; reason: {self.reason}; error: {error}"),
                    *_status_update(self.hpa, updated)]
        set_condition(status["conditions"], _condition(
            "AbleToScale", "True", "SucceededRescale",
            f"the HPA controller was able to update the target scale to {self.desired}"), stamp)
        _set_status(status, self.current, self.desired, None, stamp)
        return [_event(self.hpa, "Normal", "SuccessfulRescale", f"New size: {self.desired}; reason: {self.reason}"),
                *_status_update(self.hpa, updated)]


@mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).reconcileAutoscaler")
def reconcile(hpa: dict, target: ScaleTarget, pod_metrics_error: str, now: float) -> list | Rescale:
    """The actions of one pass over `hpa`, or the rescale it calls for; `pod_metrics_error` is
    the error listing the pods' metrics (the resource metrics API) answered."""
    updated = copy.deepcopy(hpa)
    status = updated.setdefault("status", {})
    status.setdefault("conditions", [])
    stamp = rfc3339(now)
    if target.scale is None:
        message = f"the HPA controller was unable to get the target's current scale: {target.error}"
        set_condition(status["conditions"], _condition("AbleToScale", "False", "FailedGetScale", message), stamp)
        return [_event(hpa, "Warning", "FailedGetScale", target.error), *_status_update(hpa, updated)]
    set_condition(status["conditions"], _condition(
        "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale"),
        stamp)
    current = target.scale["spec"].get("replicas", 0)
    spec = hpa["spec"]
    min_replicas, max_replicas = spec.get("minReplicas", 1), spec["maxReplicas"]
    actions: list = []
    if current == 0 and min_replicas != 0:
        set_condition(status["conditions"], _condition(
            "ScalingActive", "False", "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero"), stamp)
        _set_status(status, current, current, None)
        return _status_update(hpa, updated)
    if current > max_replicas:
        desired, reason = max_replicas, "Current number of replicas above Spec.MaxReplicas"
    elif current < min_replicas:
        desired, reason = min_replicas, "Current number of replicas below Spec.MinReplicas"
    else:
        # setCurrentReplicasInStatus: the replicas wanted and the metrics stay those of the last pass.
        failure = _compute_replicas_for_metrics(updated, target.scale, pod_metrics_error, actions, stamp)
        _set_status(status, current, status.get("desiredReplicas", 0), status.get("currentMetrics"))
        return actions + _status_update(hpa, updated) + [
            _event(hpa, "Warning", "FailedComputeMetricsReplicas", failure)]
    update = Update(target.resource, hpa["metadata"]["namespace"],
                    {**target.scale, "spec": {**target.scale["spec"], "replicas": desired}}, "scale")
    return Rescale(hpa, updated, update, current, desired, reason, now)


def _condition(type_: str, status: str, reason: str, message: str) -> dict:
    return {"type": type_, "status": status, "reason": reason, "message": message}


@mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).setStatus")
def _set_status(status: dict, current: int, desired: int, metrics: list | None,
                last_scale_time: str | None = None) -> None:
    """Replicas now and wanted, and the metrics read; the last scale time moves only with a rescale."""
    status.update(currentReplicas=current, desiredReplicas=desired)
    if metrics:
        status["currentMetrics"] = metrics
    else:
        status.pop("currentMetrics", None)
    if last_scale_time is not None:
        status["lastScaleTime"] = last_scale_time


@mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).updateStatusIfNeeded")
def _status_update(hpa: dict, updated: dict) -> list[Update]:
    if updated["status"] == (hpa.get("status") or {}):
        return []
    return [Update("horizontalpodautoscalers", hpa["metadata"]["namespace"], updated, "status")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).computeReplicasForMetrics")
def _compute_replicas_for_metrics(hpa: dict, scale: dict, pod_metrics_error: str, actions: list, stamp: str) -> str:
    """Every metric fails to be read (a Warning event each), and the first one's failure becomes
    ScalingActive False; returns upstream's summary of the failure."""
    conditions = hpa["status"]["conditions"]
    if not (scale.get("status") or {}).get("selector"):
        actions.append(_event(hpa, "Warning", "SelectorRequired", "selector is required"))
        set_condition(conditions, _condition("ScalingActive", "False", "InvalidSelector",
                                             "the HPA target's scale is missing a selector"), stamp)
        return "selector is required"
    specs = hpa["spec"]["metrics"]
    failures = [_metric_failure(spec, pod_metrics_error) for spec in specs]
    actions += [_event(hpa, "Warning", reason, message) for reason, message in failures]
    first_reason, first_message = failures[0]
    set_condition(conditions, _condition("ScalingActive", "False", first_reason,
                                         f"the HPA was unable to compute the replica count: {first_message}"), stamp)
    return f"invalid metrics ({len(failures)} invalid out of {len(specs)}), first error is: {first_message}"


@mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).computeStatusForResourceMetricGeneric")
def _metric_failure(spec: dict, pod_metrics_error: str) -> tuple[str, str]:
    """The reason and error of one resource metric the resource metrics API could not give."""
    source = spec["resource" if spec["type"] == "Resource" else "containerResource"]
    target = source.get("target") or {}
    if "averageValue" not in target and "averageUtilization" not in target:
        message = "invalid resource metric source: neither a utilization target nor a value target was set"
    else:
        name = source["name"]
        message = (f"failed to get {name} utilization: unable to get metrics for resource {name}: "
                   f"unable to fetch metrics from resource metrics API: {pod_metrics_error}")
    return RESOURCE_METRIC_REASONS[spec["type"]], message


def resource_metrics_only(hpa: dict) -> bool:
    """Whether every metric of `hpa` comes from the resource metrics API, the only ones modelled;
    an HPA without metrics is defaulted to CPU, so it has one."""
    metrics = hpa["spec"].get("metrics") or []
    return bool(metrics) and all(spec.get("type") in RESOURCE_METRIC_REASONS for spec in metrics)
