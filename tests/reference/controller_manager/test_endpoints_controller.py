"""The Endpoints controller's sync, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod

from reference_impl.machinery.actions import Create, Delete, Update
from reference_impl.controller_manager.endpoints import sync_service


def service(selector={"app": "web"}, ports=None, **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "uid": "svc"},
            "spec": {"selector": selector, "ports": ports or [{"name": "http", "port": 80, "targetPort": 8080}], **spec}}


def subsets(actions):
    (a,) = actions
    return a.obj["subsets"]


def test_ready_matching_pods_become_addresses():
    """Ready pods matching the selector are listed under addresses with the target port."""
    pods = [pod("a", {"app": "web"}, ip="10.0.0.1"), pod("b", {"app": "web"}, ip="10.0.0.2"),
            pod("x", {"app": "other"}, ip="10.0.0.9")]
    (subset,) = subsets(sync_service("default", "web", service(), pods, None))
    assert [a["ip"] for a in subset["addresses"]] == ["10.0.0.1", "10.0.0.2"]
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP", "name": "http"}]


def test_unready_pods_become_not_ready_addresses():
    """A matching pod that is not Ready is listed under notReadyAddresses."""
    (subset,) = subsets(sync_service("default", "web", service(),
                                     [pod("a", {"app": "web"}, ip="10.0.0.1", ready=False)], None))
    assert "addresses" not in subset and subset["notReadyAddresses"][0]["ip"] == "10.0.0.1"


def test_pods_without_an_ip_are_skipped():
    """A pod not yet given an IP is not an endpoint."""
    assert subsets(sync_service("default", "web", service(), [pod("a", {"app": "web"})], None)) == []


def test_named_target_port_resolves_to_the_container_port():
    """A targetPort name is looked up among the pod's container ports."""
    svc = service(ports=[{"name": "http", "port": 80, "targetPort": "web"}])
    p = pod("a", {"app": "web"}, ip="10.0.0.1", ports=[{"name": "web", "containerPort": 9376}])
    (subset,) = subsets(sync_service("default", "web", svc, [p], None))
    assert subset["ports"][0]["port"] == 9376


def test_address_targets_the_pod():
    """Each address carries a targetRef to its pod and the pod's node."""
    p = pod("a", {"app": "web"}, ip="10.0.0.1")
    (subset,) = subsets(sync_service("default", "web", service(), [p], None))
    assert subset["addresses"][0]["targetRef"] == {"kind": "Pod", "namespace": "default", "name": "a",
                                                   "uid": p["metadata"]["uid"]}
    assert subset["addresses"][0]["nodeName"] == "n1"


def test_unchanged_endpoints_are_not_rewritten():
    """When the existing Endpoints already match, the sync does nothing."""
    pods = [pod("a", {"app": "web"}, ip="10.0.0.1")]
    (create,) = sync_service("default", "web", service(), pods, None)
    assert sync_service("default", "web", service(), pods, create.obj) == []


def test_changed_pods_update_existing_endpoints():
    """A new ready pod updates the existing Endpoints."""
    (create,) = sync_service("default", "web", service(), [pod("a", {"app": "web"}, ip="10.0.0.1")], None)
    pods = [pod("a", {"app": "web"}, ip="10.0.0.1"), pod("b", {"app": "web"}, ip="10.0.0.2")]
    (update,) = sync_service("default", "web", service(), pods, create.obj)
    assert isinstance(update, Update) and len(update.obj["subsets"][0]["addresses"]) == 2


def test_selectorless_service_is_left_alone():
    """A Service without a selector gets no managed Endpoints."""
    assert sync_service("default", "web", service(selector=None), [pod("a", ip="1.1.1.1")], None) == []


def test_deleted_service_deletes_its_endpoints():
    """Endpoints left behind by a deleted Service are deleted."""
    assert sync_service("default", "web", None, [], {"metadata": {"name": "web"}}) == \
        [Delete("endpoints", "default", "web")]


def test_new_service_creates_endpoints():
    """A Service with no Endpoints yet gets one created, named after it."""
    (create,) = sync_service("default", "web", service(), [], None)
    assert isinstance(create, Create) and create.obj["metadata"]["name"] == "web"


def _ready_since(name: str, when: str, ip: str) -> dict:
    p = pod(name, {"app": "web"}, ip=ip)
    p["status"]["conditions"][0]["lastTransitionTime"] = when
    return p


def test_endpoints_carry_the_time_of_the_change_they_follow():
    """last-change-trigger-time: the Service's creation time at its first sync (as the real 1.24
    controller-manager annotated the Endpoints of a Service selecting no pods), then the earliest
    Ready transition of a pod that changed since the last sync; a sync with nothing new drops it."""
    from reference_impl.controller_manager.endpoints import LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker
    tracker, svc = TriggerTimeTracker(), service()
    svc["metadata"]["creationTimestamp"] = "2026-12-07T04:08:13Z"
    (create,) = sync_service("default", "web", svc, [], None, tracker.compute("default", svc, []))
    assert create.obj["metadata"]["annotations"] == {LAST_CHANGE_TRIGGER_TIME: "2026-12-07T04:08:13Z"}
    stored = {**create.obj, "metadata": {**create.obj["metadata"], "resourceVersion": "5"}}
    pods = [_ready_since("b", "2026-12-07T04:09:30Z", "10.0.0.2"), _ready_since("a", "2026-12-07T04:09:10Z", "10.0.0.1")]
    (update,) = sync_service("default", "web", svc, pods, stored, tracker.compute("default", svc, pods))
    assert update.obj["metadata"]["annotations"] == {LAST_CHANGE_TRIGGER_TIME: "2026-12-07T04:09:10Z"}
    assert tracker.compute("default", svc, pods) is None
    moved = [pods[0], _ready_since("c", "2026-12-07T04:10:00Z", "10.0.0.3")]
    (update,) = sync_service("default", "web", svc, moved, update.obj, None)
    assert "annotations" not in update.obj["metadata"]
