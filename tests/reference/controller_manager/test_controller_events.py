"""The Events the controllers record about their own objects, as 1.24's do (the reason, type,
message and source component `kubectl describe` shows), one rule per test: the sans-IO syncs
return them as RecordEvent actions or as the Outcome of a request, and the controller-manager
records the one each answer calls for."""
from __future__ import annotations

import copy

from cm_fixtures import deployment, pod, replicaset, uid
from workload_fixtures import (AnsweredJobController, cronjob, daemonset, job, node, replicationcontroller,
                               statefulset)

from reference_impl.client import APIStatusError
from reference_impl.controller_manager.cronjob import CronJobController
from reference_impl.controller_manager.daemonset import DaemonSetsController
from reference_impl.controller_manager.deployment import DeploymentController
from reference_impl.controller_manager.replicaset import ReplicaSetController
from reference_impl.controller_manager.replicationcontroller import ReplicationManager
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.controller_manager.statefulset import StatefulSetController
from reference_impl.machinery.actions import Create, Delete, RecordEvent, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from test_cronjob_controller import child, clock_at

QUOTA_REFUSAL = {"kind": "Status", "status": "Failure", "reason": "Forbidden", "code": 403,
                 "message": 'pods "rs-x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, '
                            'limited: pods=1'}


def described(event: RecordEvent | None) -> tuple | None:
    """What `kubectl describe` shows of an event: type, reason, source, message."""
    return event and (event.type, event.reason, event.component, event.message)


def succeeded(action, name: str = "") -> tuple | None:
    return described(action.outcome.event_for(answer={"metadata": {"name": name}}))


def failed(action, refusal: dict) -> tuple | None:
    return described(action.outcome.event_for(refusal=refusal))


def of(kind, actions):
    """The actions of `kind`, the creates sent in slow-start batches and the deletes sent
    together one by one."""
    return [a for a in requests_of(actions) if isinstance(a, kind)]


def test_a_replicaset_records_each_pod_it_creates_under_the_name_the_server_gave():
    rs = replicaset(replicas=1)
    (create,) = of(Create, ReplicaSetController(ManualClock()).sync(rs, []))
    assert succeeded(create, "rs-x7k2p") == ("Normal", "SuccessfulCreate", "replicaset-controller",
                                             "Created pod: rs-x7k2p")
    assert create.outcome.succeeded.involved == {"kind": "ReplicaSet", "namespace": "default", "name": "rs",
                                                 "uid": rs["metadata"]["uid"], "apiVersion": "apps/v1"}


def test_a_refused_pod_create_is_failed_create_with_the_servers_message():
    (create,) = of(Create, ReplicaSetController(ManualClock()).sync(replicaset(replicas=1), []))
    assert failed(create, QUOTA_REFUSAL) == ("Warning", "FailedCreate", "replicaset-controller",
                                             "Error creating: " + QUOTA_REFUSAL["message"])


def test_a_create_refused_because_the_namespace_is_terminating_records_nothing():
    (create,) = of(Create, ReplicaSetController(ManualClock()).sync(replicaset(replicas=1), []))
    terminating = {"reason": "Forbidden", "message": "unable to create new content in namespace default",
                   "details": {"causes": [{"reason": "NamespaceTerminating"}]}}
    assert failed(create, terminating) is None


def test_a_replicaset_records_each_pod_it_deletes():
    rs = replicaset(replicas=0)
    (delete,) = of(Delete, ReplicaSetController(ManualClock()).sync(rs, [pod("rs-1", {"app": "rs"}, owner=rs)]))
    assert succeeded(delete) == ("Normal", "SuccessfulDelete", "replicaset-controller", "Deleted pod: rs-1")
    assert failed(delete, {"reason": "NotFound", "message": 'pods "rs-1" not found'}) is None


def test_a_replication_controllers_events_are_about_the_rc():
    rc = replicationcontroller(replicas=1)
    (create,) = of(Create, ReplicationManager(ManualClock()).sync(rc, []))
    assert create.outcome.succeeded.component == "replication-controller"
    assert create.outcome.succeeded.involved["kind"] == "ReplicationController"
    assert create.outcome.succeeded.involved["apiVersion"] == "v1"


def test_a_new_replica_set_is_scaled_up_on_creation():
    d = deployment(replicas=3)
    (create,) = of(Create, DeploymentController().sync(d, []))
    name = create.obj["metadata"]["name"]
    assert succeeded(create, name) == ("Normal", "ScalingReplicaSet", "deployment-controller",
                                       f"Scaled up replica set {name} to 3")
    assert failed(create, {"reason": "Forbidden", "message": "no"})[1:] == (
        "ReplicaSetCreateError", "deployment-controller", f'Failed to create new replica set "{name}": no')


def test_scaling_a_replica_set_down_is_recorded_on_the_deployment():
    d = deployment(replicas=4)
    (create,) = of(Create, DeploymentController().sync(d, []))
    rs = copy.deepcopy(create.obj)
    rs["metadata"]["uid"] = uid()
    rs["spec"]["replicas"] = 4
    d["spec"]["replicas"] = 2
    (scale,) = [a for a in of(Update, DeploymentController().sync(d, [rs])) if a.resource == "replicasets"]
    assert succeeded(scale)[1:] == ("ScalingReplicaSet", "deployment-controller",
                                    f"Scaled down replica set {rs['metadata']['name']} to 2")


def test_a_statefulset_records_its_pod_by_its_stable_name():
    set_ = statefulset(replicas=1)
    (create,) = [a for a in of(Create, StatefulSetController().sync(set_, [], [], [])) if a.resource == "pods"]
    assert succeeded(create, "web-0") == ("Normal", "SuccessfulCreate", "statefulset-controller",
                                          "create Pod web-0 in StatefulSet web successful")
    assert failed(create, {"reason": "Forbidden", "message": "no"})[3] == (
        "create Pod web-0 in StatefulSet web failed error: no")
    assert failed(create, {"reason": "AlreadyExists", "message": "exists"}) is None


def test_a_daemonset_records_the_pod_it_creates_for_a_node():
    ds = daemonset()
    (create,) = [a for a in of(Create, DaemonSetsController(ManualClock()).sync(ds, [node("n1")], [], []))
                 if a.resource == "pods"]
    assert succeeded(create, "ds-abcde") == ("Normal", "SuccessfulCreate", "daemonset-controller",
                                             "Created pod: ds-abcde")


def test_a_job_records_its_pods_and_its_completion():
    j = job(completions=1)
    (create,) = of(Create, AnsweredJobController(ManualClock()).sync(j, []))
    assert succeeded(create, "pi-q8x2z") == ("Normal", "SuccessfulCreate", "job-controller", "Created pod: pi-q8x2z")
    done = pod("pi-q8x2z", {"job-name": "pi"}, owner={"kind": "Job", "metadata": j["metadata"]}, phase="Succeeded")
    (event,) = of(RecordEvent, AnsweredJobController(ManualClock()).sync(j, [done]))
    assert described(event) == ("Normal", "Completed", "job-controller", "Job completed")
    assert event.involved["kind"] == "Job" and event.involved["apiVersion"] == "batch/v1"


def test_a_failed_job_records_the_reason_of_its_failed_condition():
    j = job(completions=1, backoff_limit=0)
    lost = pod("pi-1", {"job-name": "pi"}, owner={"kind": "Job", "metadata": j["metadata"]}, phase="Failed")
    (event,) = of(RecordEvent, AnsweredJobController(ManualClock()).sync(j, [lost]))
    assert described(event) == ("Warning", "BackoffLimitExceeded", "job-controller",
                                "Job has reached the specified backoff limit")


def test_a_cronjob_records_the_job_it_creates_and_the_active_job_it_sees_complete():
    cj = cronjob()
    (create,) = of(Create, CronJobController(clock_at("2026-01-01T00:05:10")).sync(cj, []))
    name = create.obj["metadata"]["name"]
    assert succeeded(create, name) == ("Normal", "SuccessfulCreate", "cronjob-controller", f"Created job {name}")
    finished = child(cj, name, finished="Complete", completed="2026-01-01T00:05:30Z")
    cj["status"]["active"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "namespace": "default",
                               "uid": finished["metadata"]["uid"]}]
    events = of(RecordEvent, CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, [finished]))
    assert [described(e) for e in events] == [
        ("Normal", "SawCompletedJob", "cronjob-controller", f"Saw completed job: {name}, status: Complete")]


class FakeClient:
    """Answers a create with the object named (as generateName would); refuses what `refusals` says."""

    timeout = 30.0  # seconds, as RestClient's: the event recorder bounds its waits by it

    def __init__(self, refusals: dict | None = None) -> None:
        self.refusals = refusals or {}
        self.events: list[dict] = []

    def request(self, method, path, body=None, content_type=None):
        if path.endswith("/events"):
            self.events.append(body)
            return body
        if path in self.refusals:
            raise APIStatusError(method, path, self.refusals[path]["code"], self.refusals[path])
        return {**body, "metadata": {**body["metadata"], "name": body["metadata"].get("generateName", "") + "x7k2p"}}

    def request_patch(self, path, patch):
        return patch


def test_the_manager_records_the_event_the_answer_calls_for():
    """A pod created is "Created pod: <the server's name>"; a pod refused by a quota is FailedCreate
    with the refusal's message; both go to the ReplicaSet's namespace from replicaset-controller."""
    client = FakeClient()
    manager = ControllerManager(client)
    (create,) = of(Create, ReplicaSetController(ManualClock()).sync(replicaset(replicas=1), []))
    assert manager.perform(create)
    client.refusals["/api/v1/namespaces/default/pods"] = QUOTA_REFUSAL
    assert not manager.perform(create)
    assert [(e["reason"], e["message"], e["source"], e["metadata"]["namespace"]) for e in client.events] == [
        ("SuccessfulCreate", "Created pod: rs-x7k2p", {"component": "replicaset-controller"}, "default"),
        ("FailedCreate", "Error creating: " + QUOTA_REFUSAL["message"], {"component": "replicaset-controller"},
         "default")]


def test_a_refused_pod_create_is_tried_again_at_the_next_sync():
    """CreationObserved on a failed create: the ReplicaSet's expectation of the refused pod is
    lowered, so the retry of its key creates it again (and records FailedCreate again, which the
    event correlator counts) instead of waiting five minutes for the expectations to expire."""
    client = FakeClient()
    client.refusals["/api/v1/namespaces/default/pods"] = QUOTA_REFUSAL
    manager = ControllerManager(client)
    rs = replicaset(replicas=1)
    (create,) = of(Create, manager.replicaset.sync(rs, []))
    assert not manager.perform(create)
    assert len(of(Create, manager.replicaset.sync(rs, []))) == 1


def test_a_create_refused_in_a_terminating_namespace_stays_expected():
    """A create refused because the namespace is terminating counts as done, as upstream's
    slowStartBatch counts it: no retry creates the pod again."""
    client = FakeClient()
    client.refusals["/api/v1/namespaces/default/pods"] = {
        "kind": "Status", "reason": "Forbidden", "code": 403, "message": "terminating",
        "details": {"causes": [{"reason": "NamespaceTerminating"}]}}
    manager = ControllerManager(client)
    rs = replicaset(replicas=1)
    (create,) = of(Create, manager.replicaset.sync(rs, []))
    manager.perform(create)
    assert of(Create, manager.replicaset.sync(rs, [])) == []


def test_an_endpoint_slice_sync_stops_at_its_first_refused_write():
    """The reconciler's finalize returns its first error: of the two slices 150 pods need, the
    second is not created once the first is refused, and one FailedToUpdateEndpointSlices is
    recorded for the sync (not one, then a count of two)."""
    slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
    client = FakeClient({slices: {"kind": "Status", "reason": "Forbidden", "code": 403, "message": "no"}})
    sent = []
    request = client.request
    client.request = lambda method, path, *rest, **kw: sent.append(path) or request(method, path, *rest, **kw)
    patches = []
    client.request_patch = lambda path, patch: patches.append(path) or patch
    manager = ControllerManager(client)
    for i in range(150):
        manager.cache("pods").upsert(pod(f"p{i:03d}", {"app": "web"}, ip=f"10.0.{i // 250}.{i % 250 + 1}"))
    manager.cache("services").upsert({"metadata": {"name": "web", "namespace": "default", "uid": "u-svc"},
                                      "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    endpointslice = {c.name: c for c in manager.controllers}["endpointslice"]
    while (key := endpointslice.queue.get()) is not None:
        endpointslice.queue.done(key)
    endpointslice.queue.add("default/web")
    assert endpointslice.process_next_work_item(manager.perform)
    assert sent.count(slices) == 1 and patches == []
    assert [e["reason"] for e in client.events] == ["FailedToUpdateEndpointSlices"]


def test_a_refused_endpoints_write_is_a_warning_about_the_endpoints():
    from reference_impl.controller_manager import endpoints
    service = {"metadata": {"name": "web", "namespace": "default"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    (create,) = endpoints.sync_service("default", "web", service, [], None)
    assert failed(create, {"reason": "Forbidden", "message": "no"}) == (
        "Warning", "FailedToCreateEndpoint", "endpoint-controller",
        "Failed to create endpoint for service default/web: no")
    assert create.outcome.failed.involved == {"kind": "Endpoints", "namespace": "default", "name": "web",
                                              "apiVersion": "v1"}
    assert failed(create, {"reason": "Forbidden", "details": {"causes": [{"reason": "NamespaceTerminating"}]}}) is None
    stored = {"metadata": {"name": "web", "namespace": "default", "uid": "u-ep", "resourceVersion": "5"},
              "subsets": [{"addresses": [{"ip": "10.0.0.9"}], "ports": [{"port": 80}]}]}
    (update,) = endpoints.sync_service("default", "web", service, [], stored)
    assert failed(update, {"reason": "Conflict", "message": "changed"})[1:] == (
        "FailedToUpdateEndpoint", "endpoint-controller", "Failed to update endpoint default/web: changed")
    assert succeeded(update) is None


def test_a_failed_daemon_pod_is_reported_before_it_is_replaced():
    ds = daemonset()
    failed_pod = pod("ds-x", {"app": "ds"}, owner={**ds, "kind": "DaemonSet"}, node="n1", phase="Failed")
    actions = DaemonSetsController(ManualClock()).sync(ds, [node("n1")], [failed_pod], [])
    assert [described(e) for e in of(RecordEvent, actions)] == [
        ("Warning", "FailedDaemonPod", "daemonset-controller",
         "Found failed daemon pod default/ds-x on node n1, will try to kill it")]


def test_a_failed_stateful_pod_is_recreated_with_a_warning():
    set_ = statefulset(replicas=1)
    failed_pod = pod("web-0", {"app": "web"}, owner={**set_, "kind": "StatefulSet"}, phase="Failed")
    actions = StatefulSetController().sync(set_, [failed_pod], [], [])
    assert [described(e) for e in of(RecordEvent, actions)] == [
        ("Warning", "RecreatingFailedPod", "statefulset-controller",
         "StatefulSet default/web is recreating failed Pod web-0")]


def test_a_refused_endpoint_slice_write_is_a_warning_about_the_service():
    from reference_impl.controller_manager import endpointslice
    service = {"metadata": {"name": "web", "namespace": "default", "uid": "u-svc", "resourceVersion": "4"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    (create,) = endpointslice.sync_service("default", "web", service, [], [], {})
    assert failed(create, {"reason": "Forbidden", "message": "no"}) == (
        "Warning", "FailedToUpdateEndpointSlices", "endpoint-slice-controller",
        "Error updating Endpoint Slices for Service default/web: failed to create EndpointSlice for Service "
        "default/web: no")
    assert create.outcome.failed.involved["kind"] == "Service" and succeeded(create) is None


POD_DELETE_REFUSAL = {"kind": "Status", "status": "Failure", "reason": "InternalError", "code": 500,
                      "message": "Internal error occurred: etcdserver: request timed out"}


def _refuse_deletes_of(client: FakeClient, pods: list[dict], refusal: dict) -> None:
    for p in pods:
        client.refusals[f"/api/v1/namespaces/default/pods/{p['metadata']['name']}"] = refusal


def test_a_refused_pod_delete_is_tried_again_at_the_next_sync():
    """manageReplicas' DeletionObserved on a failed delete: the ReplicaSet no longer expects the
    pod to go, so the retry of its key deletes it again at once (not after five minutes), and
    the status of that sync says ReplicaFailure FailedDelete with the error."""
    client = FakeClient()
    manager = ControllerManager(client)
    rs = replicaset(replicas=1)
    pods = [pod(f"rs-{i}", {"app": "rs"}, owner=rs) for i in range(2)]
    (delete,) = of(Delete, manager.replicaset.sync(rs, pods))
    _refuse_deletes_of(client, pods, POD_DELETE_REFUSAL)
    assert not manager.perform(delete)
    actions = manager.replicaset.sync(rs, pods)
    assert [a.name for a in of(Delete, actions)] == [delete.name]
    (condition,) = of(Update, actions)[0].obj["status"]["conditions"]
    assert (condition["reason"], condition["message"]) == ("FailedDelete", POD_DELETE_REFUSAL["message"])


def test_a_pod_delete_that_finds_the_pod_gone_is_no_replica_failure():
    """A delete answered NotFound is observed (the pod is gone) without a manage error: the next
    sync acts on its cache and says no ReplicaFailure."""
    client = FakeClient()
    manager = ControllerManager(client)
    rs = replicaset(replicas=1)
    pods = [pod(f"rs-{i}", {"app": "rs"}, owner=rs) for i in range(2)]
    (delete,) = of(Delete, manager.replicaset.sync(rs, pods))
    _refuse_deletes_of(client, pods, {"kind": "Status", "reason": "NotFound", "code": 404,
                                      "message": f'pods "{delete.name}" not found'})
    manager.perform(delete)
    actions = manager.replicaset.sync(rs, pods)
    assert len(of(Delete, actions)) == 1
    assert all(not a.obj["status"].get("conditions") for a in of(Update, actions))


def test_a_refused_pod_delete_of_a_replication_controller_is_tried_again_at_the_next_sync():
    """The ReplicationManager runs the ReplicaSet core, its expectations under the RC's key."""
    client = FakeClient()
    manager = ControllerManager(client)
    rc = replicationcontroller(replicas=1)
    pods = [pod(f"rc-{i}", {"app": "rc"}, owner={**rc, "kind": "ReplicationController"}) for i in range(2)]
    (delete,) = of(Delete, manager.replication.sync(rc, pods))
    _refuse_deletes_of(client, pods, POD_DELETE_REFUSAL)
    assert not manager.perform(delete)
    assert [a.name for a in of(Delete, manager.replication.sync(rc, pods))] == [delete.name]


def test_a_refused_daemon_pod_delete_is_tried_again_at_the_next_sync():
    """syncNodes' DeletionObserved on a failed delete: a daemon pod on a node its selector no
    longer matches is deleted again by the next sync."""
    client = FakeClient()
    manager = ControllerManager(client)
    ds = daemonset(node_selector={"disk": "ssd"})
    pods = [pod("ds-a", {"app": "ds"}, owner={**ds, "kind": "DaemonSet"}, node="n1")]
    (delete,) = of(Delete, manager.daemonset.sync(ds, [node("n1")], pods, []))
    _refuse_deletes_of(client, pods, POD_DELETE_REFUSAL)
    assert not manager.perform(delete)
    assert [a.name for a in of(Delete, manager.daemonset.sync(ds, [node("n1")], pods, []))] == ["ds-a"]


def test_a_refused_daemon_pod_create_is_tried_again_at_the_next_sync():
    """syncNodes' CreationObserved on a failed create: the node's pod is created again at once."""
    client = FakeClient()
    client.refusals["/api/v1/namespaces/default/pods"] = QUOTA_REFUSAL
    manager = ControllerManager(client)
    ds = daemonset()
    (create,) = [a for a in of(Create, manager.daemonset.sync(ds, [node("n1")], [], [])) if a.resource == "pods"]
    assert not manager.perform(create)
    assert [a.resource for a in of(Create, manager.daemonset.sync(ds, [node("n1")], [], []))
            if a.resource == "pods"] == ["pods"]


def test_a_pod_already_gone_and_then_seen_deleted_is_observed_once():
    """UIDTrackingControllerExpectations: the ReplicaSet expects the deletion of each pod by its
    key, so a delete answered 404 lowers it, the watch's later event for the same pod does not,
    and the deletion of the other pod is still awaited."""
    client = FakeClient()
    manager = ControllerManager(client)
    rs = replicaset(replicas=1)
    pods = [pod(f"rs-{i}", {"app": "rs"}, owner=rs) for i in range(3)]
    gone, other = of(Delete, manager.replicaset.sync(rs, pods))
    client.refusals[f"/api/v1/namespaces/default/pods/{gone.name}"] = {
        "kind": "Status", "reason": "NotFound", "code": 404, "message": f'pods "{gone.name}" not found'}
    manager.perform(gone)
    manager.replicaset.delete_pod(next(p for p in pods if p["metadata"]["name"] == gone.name))
    assert not manager.replicaset.expectations.satisfied("default/rs")
    manager.replicaset.delete_pod(next(p for p in pods if p["metadata"]["name"] == other.name))
    assert manager.replicaset.expectations.satisfied("default/rs")
