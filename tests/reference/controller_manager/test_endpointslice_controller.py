"""The EndpointSlice controller's sync, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod

from reference_impl.machinery.actions import Create, Delete, Update
from reference_impl.controller_manager.endpointslice import (CONTROLLER_NAME, LABEL_MANAGED_BY,
                                                             LABEL_SERVICE_NAME, sync_service)


def service(selector={"app": "web"}, ports=None, uid="svc-uid", **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "uid": uid, "labels": {"team": "a"}},
            "spec": {"selector": selector, "clusterIP": "10.96.0.10",
                     "ports": ports or [{"name": "http", "port": 80, "targetPort": 8080}], **spec}}


def web_pods(n, **kw):
    return [pod(f"p{i:03d}", {"app": "web"}, ip=f"10.0.{i // 250}.{i % 250 + 1}", **kw) for i in range(n)]


def sync(svc, pods, slices=(), nodes=None):
    return sync_service("default", "web", svc, pods, list(slices), nodes or {})


def stored(actions):
    """The slices as the apiserver would hold them after `actions` (creates and updates)."""
    return [a.obj for a in actions if isinstance(a, (Create, Update))]


def test_selected_pods_with_an_ip_become_endpoints_of_one_ipv4_slice():
    """Pods matching the selector and having a podIP are the endpoints of one IPv4 slice."""
    pods = web_pods(2) + [pod("other", {"app": "db"}, ip="10.1.0.1"), pod("noip", {"app": "web"})]
    (create,) = sync(service(), pods)
    assert isinstance(create, Create) and create.resource == "endpointslices"
    assert create.obj["addressType"] == "IPv4"
    assert [e["addresses"] for e in create.obj["endpoints"]] == [["10.0.0.1"], ["10.0.0.2"]]


def test_slice_is_labelled_and_owned_by_its_service():
    """A slice carries the service-name and managed-by labels and a controller ownerReference."""
    (create,) = sync(service(), web_pods(1))
    meta = create.obj["metadata"]
    assert meta["labels"] == {"team": "a", LABEL_SERVICE_NAME: "web", LABEL_MANAGED_BY: CONTROLLER_NAME}
    assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                        "uid": "svc-uid", "controller": True, "blockOwnerDeletion": True}]


def test_endpoint_conditions_node_target_and_zone():
    """An endpoint says ready/serving/terminating, its node, its zone and targets its pod."""
    p = pod("a", {"app": "web"}, ip="10.0.0.1", ready=False)
    nodes = {"n1": {"metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "z1"}}}}
    (endpoint,) = sync(service(), [p], nodes=nodes)[0].obj["endpoints"]
    assert endpoint["conditions"] == {"ready": False, "serving": False, "terminating": False}
    assert endpoint["nodeName"] == "n1" and endpoint["zone"] == "z1"
    assert endpoint["targetRef"] == {"kind": "Pod", "namespace": "default", "name": "a",
                                     "uid": p["metadata"]["uid"]}


def test_terminating_pod_stays_as_serving_but_not_ready():
    """A ready pod being deleted is kept, terminating and serving but not ready."""
    p = pod("a", {"app": "web"}, ip="10.0.0.1")
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    (endpoint,) = sync(service(), [p])[0].obj["endpoints"]
    assert endpoint["conditions"] == {"ready": False, "serving": True, "terminating": True}


def test_named_target_port_resolves_to_the_container_port():
    """A named targetPort is looked up among the pod's container ports."""
    svc = service(ports=[{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}])
    p = pod("a", {"app": "web"}, ip="10.0.0.1", ports=[{"name": "web", "containerPort": 9376}])
    (create,) = sync(svc, [p])
    assert create.obj["ports"] == [{"name": "http", "protocol": "TCP", "port": 9376}]


def test_pods_with_different_resolved_ports_get_different_slices():
    """Pods whose named port resolves differently are grouped into separate slices."""
    svc = service(ports=[{"name": "http", "port": 80, "targetPort": "web"}])
    a = pod("a", {"app": "web"}, ip="10.0.0.1", ports=[{"name": "web", "containerPort": 8080}])
    b = pod("b", {"app": "web"}, ip="10.0.0.2", ports=[{"name": "web", "containerPort": 9090}])
    creates = sync(svc, [a, b])
    assert sorted(c.obj["ports"][0]["port"] for c in creates) == [8080, 9090]


def test_at_most_100_endpoints_per_slice():
    """250 endpoints make three slices of 100, 100 and 50, with distinct names."""
    creates = sync(service(), web_pods(250))
    assert [len(c.obj["endpoints"]) for c in creates] == [100, 100, 50]
    assert len({c.obj["metadata"]["name"] for c in creates}) == 3


def test_in_sync_slices_are_left_alone():
    """A second pass over the slices the first one wrote sends nothing."""
    pods = web_pods(3)
    slices = stored(sync(service(), pods))
    assert sync(service(), pods, slices) == []


def test_changed_endpoint_updates_the_slice_in_place():
    """A pod turning unready updates the existing slice rather than making a new one."""
    slices = stored(sync(service(), web_pods(2)))
    (update,) = sync(service(), web_pods(1) + web_pods(2, ready=False)[1:], slices)
    assert isinstance(update, Update) and update.obj["metadata"]["name"] == slices[0]["metadata"]["name"]
    assert [e["conditions"]["ready"] for e in update.obj["endpoints"]] == [True, False]


def test_new_endpoint_fills_the_existing_slice():
    """A new pod is added to the existing slice that has room."""
    slices = stored(sync(service(), web_pods(2)))
    (update,) = sync(service(), web_pods(3), slices)
    assert isinstance(update, Update) and len(update.obj["endpoints"]) == 3


def test_no_endpoints_leave_one_empty_placeholder_slice():
    """A service selecting no pods still has one slice, with no endpoints and no ports: none sent
    at all, as the Go controller's protobuf write carries no empty list (the real 1.24 one's slice
    reads back `"endpoints":null,"ports":null`, and its managedFields list neither)."""
    (create,) = sync(service(), [])
    assert "endpoints" not in create.obj and "ports" not in create.obj
    assert sync(service(), [], stored([create])) == []
    read_back = {**stored([create])[0], "endpoints": None, "ports": None}
    assert sync(service(), [], [read_back]) == []


def test_a_slice_read_back_without_endpoints_takes_new_ones():
    """A slice whose endpoints the server gives as null (an empty list stored), written anyway
    (its labels are stale), is filled like an empty one when pods appear."""
    (slice_,) = stored(sync(service(), web_pods(1)))
    slice_["endpoints"] = None
    slice_["metadata"]["labels"] = {**slice_["metadata"]["labels"], "stale": "x"}
    (update,) = sync(service(), web_pods(2), [slice_])
    assert len(update.obj["endpoints"]) == 2 and "stale" not in update.obj["metadata"]["labels"]


def test_slices_of_a_deleted_service_are_deleted():
    """When the Service is gone its managed slices are deleted (our GC does not watch Services)."""
    slices = stored(sync(service(), web_pods(1)))
    assert sync_service("default", "web", None, [], slices, {}) == [
        Delete("endpointslices", "default", slices[0]["metadata"]["name"])]


def test_slice_of_an_older_service_with_the_same_name_is_replaced():
    """A slice owned by another Service UID is not reused in place of a fresh one's."""
    old = stored(sync(service(uid="old"), web_pods(1)))
    actions = sync(service(uid="new"), web_pods(1), old)
    assert {type(a) for a in actions} == {Create, Delete}


def test_selectorless_service_is_left_alone():
    """A Service without a selector gets no managed slices."""
    assert sync(service(selector=None), web_pods(1)) == []


def test_terminating_condition_alone_updates_the_slice():
    """A not-ready pod that starts terminating is rewritten though `ready` stays false."""
    p = pod("a", {"app": "web"}, ip="10.0.0.1", ready=False)
    slices = stored(sync(service(), [p]))
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    (update,) = sync(service(), [p], slices)
    assert update.obj["endpoints"][0]["conditions"]["terminating"] is True


def test_node_zone_change_updates_the_slice():
    """An endpoint whose node gains a zone label is rewritten with the zone."""
    p = pod("a", {"app": "web"}, ip="10.0.0.1")
    slices = stored(sync(service(), [p]))
    nodes = {"n1": {"metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "z2"}}}}
    (update,) = sync(service(), [p], slices, nodes)
    assert update.obj["endpoints"][0]["zone"] == "z2"
