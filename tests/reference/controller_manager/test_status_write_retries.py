"""What each workload controller does when its status write is refused, as 1.24's do: the
ReplicaSet, ReplicationController and DaemonSet controllers read the object again and write once
more (statusUpdateRetries 1), the StatefulSet's retries a conflict on its informer's copy
(retry.RetryOnConflict), and the Job's leaves a conflicted key to the update event."""
from __future__ import annotations

import copy

from cm_fixtures import pod, replicaset
from workload_fixtures import daemonset, node, replicationcontroller, statefulset

from reference_impl.client import APIStatusError
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.machinery.actions import Update

CONFLICT_STATUS = {"kind": "Status", "code": 409, "reason": "Conflict",
                   "message": "the object has been modified; please apply your changes to the latest version "
                              "and try again"}


class StatusApiserver:
    """Refuses the first `refusals` status writes with a Conflict; answers a GET with `fresh`."""

    timeout = 30.0

    def __init__(self, fresh: dict | None = None, refusals: int = 1) -> None:
        self.fresh, self.refusals, self.sent = fresh, refusals, []

    def request(self, method, path, body=None, content_type=None):
        if path.endswith("/events"):
            return body
        self.sent.append((method, path, copy.deepcopy(body)))
        if method == "GET":
            return copy.deepcopy(self.fresh)
        if method == "PUT" and path.endswith("/status") and self.refusals:
            self.refusals -= 1
            raise APIStatusError(method, path, 409, CONFLICT_STATUS)
        return body


def status_write(actions) -> Update:
    (update,) = [a for a in actions if isinstance(a, Update) and a.subresource == "status"]
    return update


def newer(obj: dict, version: str, **status) -> dict:
    fresh = copy.deepcopy(obj)
    fresh["metadata"]["resourceVersion"] = version
    fresh["status"] = {**(fresh.get("status") or {}), **status}
    return fresh


def test_a_replicaset_status_write_refused_is_written_again_on_the_object_read_back():
    """updateReplicaSetStatus: after the refusal it GETs the ReplicaSet and writes the whole new
    status onto that copy, conditional on its resourceVersion, in the same sync."""
    rs = replicaset(replicas=1)
    rs["metadata"]["resourceVersion"] = "5"
    pods = [pod("rs-a", {"app": "rs"}, owner=rs)]
    client = StatusApiserver(newer(rs, "9", replicas=7))
    manager = ControllerManager(client)
    update = status_write(manager.replicaset.sync(rs, pods))
    assert manager.perform(update)
    assert [(m, p) for m, p, _ in client.sent] == [
        ("PUT", "/apis/apps/v1/namespaces/default/replicasets/rs/status"),
        ("GET", "/apis/apps/v1/namespaces/default/replicasets/rs"),
        ("PUT", "/apis/apps/v1/namespaces/default/replicasets/rs/status")]
    retried = client.sent[-1][2]
    assert retried["metadata"]["resourceVersion"] == "9" and retried["status"] == update.obj["status"]


def test_a_replicaset_status_write_is_retried_once_only():
    """statusUpdateRetries is 1: a second refusal fails the sync (retried with backoff)."""
    rs = replicaset(replicas=1)
    client = StatusApiserver(newer(rs, "9"), refusals=2)
    manager = ControllerManager(client)
    assert not manager.perform(status_write(manager.replicaset.sync(rs, [pod("rs-a", {"app": "rs"}, owner=rs)])))
    assert [m for m, _p, _b in client.sent] == ["PUT", "GET", "PUT"]


def test_a_replication_controller_status_write_refused_is_written_again():
    rc = replicationcontroller(replicas=1)
    client = StatusApiserver(newer(rc, "9"))
    manager = ControllerManager(client)
    pods = [pod("rc-a", {"app": "rc"}, owner={**rc, "kind": "ReplicationController"})]
    assert manager.perform(status_write(manager.replication.sync(rc, pods)))
    assert client.sent[1][:2] == ("GET", "/api/v1/namespaces/default/replicationcontrollers/rc")
    assert client.sent[2][2]["kind"] == "ReplicationController"


def test_a_daemonset_status_write_refused_keeps_the_fields_it_does_not_compute():
    """storeDaemonSetStatus copies its counts (and observedGeneration) onto the DaemonSet read back:
    what else that copy's status holds (a collisionCount written since) stays."""
    ds = daemonset()
    client = StatusApiserver(newer(ds, "9", collisionCount=1, numberReady=4))
    manager = ControllerManager(client)
    pods = [pod("ds-a", {"app": "ds"}, owner={**ds, "kind": "DaemonSet"}, node="n1")]
    update = status_write(manager.daemonset.sync(ds, [node("n1")], pods, []))
    assert manager.perform(update)
    retried = client.sent[-1][2]
    assert retried["metadata"]["resourceVersion"] == "9" and retried["status"]["collisionCount"] == 1
    assert retried["status"]["numberReady"] == update.obj["status"]["numberReady"] == 1


def test_a_statefulset_status_conflict_is_retried_on_the_cached_copy():
    """UpdateStatefulSetStatus: RetryOnConflict, each retry on the lister's copy (no GET): once
    the informer has the newer StatefulSet, the write goes through."""
    set_ = statefulset(replicas=1)
    set_["metadata"]["resourceVersion"] = "5"
    client = StatusApiserver(refusals=1)
    manager = ControllerManager(client)
    manager.cache("statefulsets").upsert(newer(set_, "9"))
    update = status_write(manager.statefulset.sync(set_, [], [], []))
    assert manager.perform(update)
    assert [m for m, _p, _b in client.sent] == ["PUT", "PUT"]
    assert client.sent[-1][2]["metadata"]["resourceVersion"] == "9"


def test_a_statefulset_status_write_gives_up_after_five_conflicts():
    """retry.DefaultRetry has five steps; a sixth try is left to the key's backoff."""
    set_ = statefulset(replicas=1)
    client = StatusApiserver(refusals=6)
    manager = ControllerManager(client)
    manager.cache("statefulsets").upsert(set_)
    assert not manager.perform(status_write(manager.statefulset.sync(set_, [], [], [])))
    assert len(client.sent) == 5


class RefusingApiserver(StatusApiserver):
    """Refuses the first status write with `status`."""

    def __init__(self, status: dict) -> None:
        super().__init__()
        self.status = status

    def request(self, method, path, body=None, content_type=None):
        if method == "PUT" and path.endswith("/status") and self.refusals:
            self.sent.append((method, path, copy.deepcopy(body)))
            self.refusals -= 1
            raise APIStatusError(method, path, self.status["code"], self.status)
        return super().request(method, path, body, content_type)


def budget_sync(manager):
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
              "metadata": {"name": "pdb", "namespace": "default", "generation": 1, "resourceVersion": "3"},
              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "rs"}}}, "status": {}}
    pods = [pod(f"rs-{i}", {"app": "rs"}) for i in range(3)]
    return manager.disruption.sync(budget, pods, {})


def test_a_budget_status_write_refused_ends_in_fail_safe():
    """DisruptionController.sync: trySync's error, not a conflict, goes to failSafe, which writes
    disruptionsAllowed 0 and DisruptionAllowed False SyncFailed with the error's message."""
    refusal = {"kind": "Status", "code": 500, "reason": "InternalError",
               "message": "Internal error occurred: etcdserver: request timed out"}
    client = RefusingApiserver(refusal)
    manager = ControllerManager(client)
    (update,) = budget_sync(manager)
    assert update.obj["status"]["disruptionsAllowed"] == 2
    assert manager.perform(update)
    assert [(m, p) for m, p, _ in client.sent] == [
        ("PUT", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb/status")] * 2
    status = client.sent[-1][2]["status"]
    (condition,) = status["conditions"]
    assert status["disruptionsAllowed"] == 0
    assert (condition["type"], condition["status"], condition["reason"], condition["message"]) == (
        "DisruptionAllowed", "False", "SyncFailed", refusal["message"])


def test_a_budget_status_write_conflict_is_left_to_the_requeue():
    """A Conflict is returned as it is (requeued), with no failSafe write."""
    client = RefusingApiserver(CONFLICT_STATUS)
    manager = ControllerManager(client)
    (update,) = budget_sync(manager)
    assert not manager.perform(update)
    assert len(client.sent) == 1
