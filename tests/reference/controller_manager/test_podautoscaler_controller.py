"""The HorizontalPodAutoscaler controller on a cluster with no metrics server, one rule per test:
what 1.24's reconcileAutoscaler writes and records when no metric can be read."""
from __future__ import annotations

from types import SimpleNamespace

from reference_impl.client import APIStatusError
from reference_impl.client.workqueue import RateLimitingQueue
from reference_impl.client.apply import apply
from reference_impl.controller_manager.podautoscaler import (SYNC_PERIOD, FixedItemIntervalRateLimiter, ScaleTarget,
                                                             reconcile, resource_metrics_only)
from reference_impl.controller_manager.queued import QueuedController, Trigger
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.machinery.actions import RecordEvent, Update
from reference_impl.machinery.clock import ManualClock

NO_METRICS = "the server could not find the requested resource (get pods.metrics.k8s.io)"
CPU_ERROR = ("failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics "
             f"from resource metrics API: {NO_METRICS}")
NOW = 1_800_000_000.0


def hpa(min_replicas=1, max_replicas=3, status=None):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "ns", "uid": "u-hpa", "resourceVersion": "7"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": min_replicas, "maxReplicas": max_replicas,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]},
            "status": status or {}}


def scale(replicas, selector="app=web"):
    return ScaleTarget({"apiVersion": "autoscaling/v1", "kind": "Scale",
                        "metadata": {"name": "web", "namespace": "ns", "resourceVersion": "3"},
                        "spec": {"replicas": replicas}, "status": {"replicas": replicas, "selector": selector}},
                       "/apis/apps/v1/deployments")


def events(actions):
    return [(a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)]


def written_status(actions):
    (update,) = [a for a in actions if isinstance(a, Update) and a.subresource == "status"]
    return update.obj["status"]


def conditions(status):
    return [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]]


def test_no_metrics_is_scaling_active_false_with_the_metrics_error():
    """Within min and max, the CPU metric cannot be read: AbleToScale True, ScalingActive False
    FailedGetResourceMetric, and the two Warnings `kubectl describe hpa` shows; no rescale."""
    actions = reconcile(hpa(), scale(2), NO_METRICS, NOW)
    assert conditions(written_status(actions)) == [
        ("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale"),
        ("ScalingActive", "False", "FailedGetResourceMetric",
         f"the HPA was unable to compute the replica count: {CPU_ERROR}")]
    assert events(actions) == [
        ("Warning", "FailedGetResourceMetric", CPU_ERROR),
        ("Warning", "FailedComputeMetricsReplicas",
         f"invalid metrics (1 invalid out of 1), first error is: {CPU_ERROR}")]
    assert not [a for a in actions if isinstance(a, Update) and a.subresource == "scale"]
    assert (written_status(actions)["currentReplicas"], written_status(actions)["desiredReplicas"]) == (2, 0)


def test_a_target_below_min_is_scaled_up_to_min():
    decision = reconcile(hpa(min_replicas=2), scale(1), NO_METRICS, NOW)
    rescale = decision.update
    assert (rescale.resource, rescale.subresource, rescale.obj["spec"]["replicas"]) == ("/apis/apps/v1/deployments", "scale", 2)
    (succeeded, status_update) = decision.finish(None)
    assert succeeded.message == "New size: 2; reason: Current number of replicas below Spec.MinReplicas"
    assert succeeded.component == "horizontal-pod-autoscaler"
    status = status_update.obj["status"]
    assert (status["currentReplicas"], status["desiredReplicas"]) == (1, 2)
    assert status["lastScaleTime"] == "2027-01-15T08:00:00Z"
    assert conditions(status)[0][2:] == ("SucceededRescale",
                                         "the HPA controller was able to update the target scale to 2")


def test_a_target_above_max_is_scaled_down_to_max():
    decision = reconcile(hpa(max_replicas=3), scale(5), NO_METRICS, NOW)
    assert decision.update.obj["spec"]["replicas"] == 3
    assert events(decision.finish(None)) == [
        ("Normal", "SuccessfulRescale", "New size: 3; reason: Current number of replicas above Spec.MaxReplicas")]


def test_a_refused_rescale_is_able_to_scale_false_failed_update_scale():
    """The Scale's update refused (a 403, a 409): FailedRescale with the error, AbleToScale False
    FailedUpdateScale, the replicas wanted and the last scale time left as they were."""
    error = 'deployments.apps "web" is forbidden: User "system:kube-controller-manager" cannot update resource'
    before = {"currentReplicas": 5, "desiredReplicas": 5, "lastScaleTime": "2027-01-15T07:00:00Z"}
    actions = reconcile(hpa(max_replicas=3, status=before), scale(5), NO_METRICS, NOW).finish(error)
    assert events(actions) == [
        ("Warning", "FailedRescale",
         f"New size: 3; reason: Current number of replicas above Spec.MaxReplicas; error: {error}")]
    status = written_status(actions)
    assert conditions(status)[0] == ("AbleToScale", "False", "FailedUpdateScale",
                                     f"the HPA controller was unable to update the target scale: {error}")
    assert (status["currentReplicas"], status["desiredReplicas"], status["lastScaleTime"]) == (
        5, 5, "2027-01-15T07:00:00Z")


def test_a_target_at_zero_replicas_is_not_autoscaled():
    status = written_status(reconcile(hpa(), scale(0), NO_METRICS, NOW))
    assert conditions(status)[1][:3] == ("ScalingActive", "False", "ScalingDisabled")
    assert (status["currentReplicas"], status["desiredReplicas"]) == (0, 0)


def test_a_target_that_cannot_be_read_is_failed_get_scale():
    actions = reconcile(hpa(), ScaleTarget(error='deployments.apps "web" not found'), NO_METRICS, NOW)
    assert events(actions) == [("Warning", "FailedGetScale", 'deployments.apps "web" not found')]
    assert conditions(written_status(actions)) == [
        ("AbleToScale", "False", "FailedGetScale",
         'the HPA controller was unable to get the target\'s current scale: deployments.apps "web" not found')]


def test_a_scale_without_a_selector_is_invalid_selector():
    actions = reconcile(hpa(), scale(2, selector=""), NO_METRICS, NOW)
    assert events(actions) == [("Warning", "SelectorRequired", "selector is required"),
                               ("Warning", "FailedComputeMetricsReplicas", "selector is required")]
    assert conditions(written_status(actions))[1][:3] == ("ScalingActive", "False", "InvalidSelector")


def test_an_unchanged_status_is_not_written_again():
    """The second pass finds what the first wrote: only its events, no status update."""
    first = written_status(reconcile(hpa(), scale(2), NO_METRICS, NOW))
    again = reconcile(hpa(status=first), scale(2), NO_METRICS, NOW + SYNC_PERIOD)
    assert not [a for a in again if isinstance(a, Update)] and len(events(again)) == 2


def test_only_resource_metrics_are_modelled():
    pods_metric = {**hpa(), "spec": {**hpa()["spec"], "metrics": [{"type": "Pods", "pods": {}}]}}
    assert resource_metrics_only(hpa()) and not resource_metrics_only(pods_metric)


def test_a_change_to_an_hpa_waits_out_the_sync_period():
    """Every enqueue goes through the fixed-interval limiter, and a key already waiting keeps its
    time: an HPA is synced once per period however often it changes."""
    clock = ManualClock()
    synced = []
    controller = QueuedController("horizontalpodautoscaler",
                                  RateLimitingQueue(clock, FixedItemIntervalRateLimiter(SYNC_PERIOD)),
                                  lambda key: synced.append(key) or [], [Trigger("hpas", lambda obj: ["ns/web"])],
                                  lambda: [], 1e9, rate_limited_adds=True)
    controller.on_change("hpas", {})
    clock.advance(1)
    controller.on_change("hpas", {})
    clock.advance(SYNC_PERIOD - 1.5)
    assert not controller.process_next_work_item(lambda action: True)
    clock.advance(1)
    while controller.process_next_work_item(lambda action: True):
        pass
    clock.advance(SYNC_PERIOD)
    assert not controller.process_next_work_item(lambda action: True) and synced == ["ns/web"]


class DiscoveryClient:
    """Serves one group's discovery and a Scale; records every request."""

    timeout = 30.0  # seconds, as RestClient's: the event recorder bounds its waits by it

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    def request(self, method, path, body=None):
        self.requests.append((method, path))
        if path == "/apis/example.com/v1":
            return {"resources": [{"name": "deployments", "kind": "Deployment"}]}
        return body or scale(1).scale


def test_a_custom_kind_sharing_a_plural_is_rescaled_in_its_own_group():
    """The rescale names the collection the Scale was read from, not the plural alone: a CRD's
    `deployments` in example.com must not scale the apps Deployment of the same name."""
    client = DiscoveryClient()
    target = ControllerManager._scale_target(SimpleNamespace(client=client), "ns", {
        "apiVersion": "example.com/v1", "kind": "Deployment", "name": "web"})
    apply(client, reconcile(hpa(min_replicas=2), target, NO_METRICS, NOW).update)
    assert client.requests[-2:] == [("GET", "/apis/example.com/v1/namespaces/ns/deployments/web/scale"),
                                    ("PUT", "/apis/example.com/v1/namespaces/ns/deployments/web/scale")]


class RefusingClient(DiscoveryClient):
    """Refuses every PUT as a conflict, the way a Scale changed since it was read is refused."""

    def request(self, method, path, body=None):
        if method == "PUT":
            raise APIStatusError(method, path, 409, {"reason": "Conflict", "message": "the object has been modified"})
        return super().request(method, path, body)


def test_the_manager_hands_a_refused_scale_update_to_finish():
    """The adapter writes the Scale and passes the refusal's message on: FailedUpdateScale."""
    manager = SimpleNamespace(client=RefusingClient())
    decision = reconcile(hpa(min_replicas=2), scale(1), NO_METRICS, NOW)
    error = ControllerManager._update_scale(manager, decision.update)
    assert error == "the object has been modified"
    assert written_status(decision.finish(error))["conditions"][0]["reason"] == "FailedUpdateScale"
    assert ControllerManager._update_scale(SimpleNamespace(client=DiscoveryClient()), decision.update) is None
