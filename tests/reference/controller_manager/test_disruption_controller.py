"""The disruption controller's sync (pkg/controller/disruption), one rule per test: the status of a
PodDisruptionBudget as the eviction subresource reads it."""
from __future__ import annotations

import pytest

from reference_impl.controller_manager.disruption import DELETION_TIMEOUT, DisruptionController
from reference_impl.machinery.actions import Update
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.timefmt import rfc3339

NOW = 1_700_000_000.0


def pdb(min_available=None, max_unavailable=None, status=None, generation=1):
    spec = {"selector": {"matchLabels": {"app": "web"}}}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "budget", "namespace": "ns", "generation": generation, "resourceVersion": "7"},
            "spec": spec, "status": status or {}}


def owner(kind, name, uid):
    return {"apiVersion": "v1" if kind == "ReplicationController" else "apps/v1", "kind": kind, "name": name,
            "uid": uid, "controller": True}


def pod(name, ready=True, owned_by=None, deleting=False, app="web"):
    meta = {"name": name, "namespace": "ns", "labels": {"app": app}}
    if owned_by:
        meta["ownerReferences"] = [owned_by]
    if deleting:
        meta["deletionTimestamp"] = rfc3339(NOW)
    return {"metadata": meta, "status": {"phase": "Running",
                                         "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def workload(kind, name, uid, replicas, owned_by=None):
    meta = {"name": name, "namespace": "ns", "uid": uid}
    if owned_by:
        meta["ownerReferences"] = [owned_by]
    return {"kind": kind, "metadata": meta, "spec": {"replicas": replicas}}


RS = workload("ReplicaSet", "web-rs", "rs-uid", 4)
RS_POD = owner("ReplicaSet", "web-rs", "rs-uid")


def sync(budget, pods, clock=None, **controllers):
    return DisruptionController(clock or ManualClock(NOW)).sync(budget, pods, controllers)


def synced_status(budget, pods, **controllers):
    actions = sync(budget, pods, **controllers)
    assert [(isinstance(a, Update), a.resource, a.namespace, a.subresource) for a in actions] == [
        (True, "poddisruptionbudgets", "ns", "status")]
    return actions[0].obj["status"]


def counts(status):
    return tuple(status[k] for k in ("expectedPods", "desiredHealthy", "currentHealthy", "disruptionsAllowed"))


def test_min_available_count_expects_every_selected_pod():
    """An integer minAvailable is the desired healthy count and the selected pods are the
    expected ones; the disruptions allowed are the healthy pods beyond it."""
    pods = [pod("a"), pod("b"), pod("c"), pod("other", app="db")]
    status = synced_status(pdb(min_available=2), pods)
    assert counts(status) == (3, 2, 3, 1)
    assert status["observedGeneration"] == 1 and "disruptedPods" not in status
    assert [(c["type"], c["status"], c["reason"], c["observedGeneration"], c["lastTransitionTime"])
            for c in status["conditions"]] == [("DisruptionAllowed", "True", "SufficientPods", 1, rfc3339(NOW))]


def test_min_available_percentage_is_of_the_controllers_scale_rounded_up():
    """A percentage takes the scale of the pods' controllers as expected pods: 50% of 3 is 2."""
    rs = workload("ReplicaSet", "web-rs", "rs-uid", 3)
    status = synced_status(pdb(min_available="50%"), [pod("a", owned_by=RS_POD), pod("b", owned_by=RS_POD)],
                           replicasets=[rs])
    assert counts(status) == (3, 2, 2, 0)
    assert (status["conditions"][0]["status"], status["conditions"][0]["reason"]) == ("False", "InsufficientPods")


def test_max_unavailable_counts_from_the_deployment_above_the_replica_set():
    """maxUnavailable subtracts from the expected pods: a ReplicaSet a Deployment controls counts
    with the Deployment's replicas."""
    deployment = workload("Deployment", "web", "d-uid", 5)
    rs = workload("ReplicaSet", "web-rs", "rs-uid", 4, owned_by=owner("Deployment", "web", "d-uid"))
    pods = [pod(name, owned_by=RS_POD) for name in "abcde"]
    status = synced_status(pdb(max_unavailable=1), pods, replicasets=[rs], deployments=[deployment])
    assert counts(status) == (5, 4, 5, 1)


def test_max_unavailable_percentage_rounds_up():
    """25% of 3 unavailable rounds up to 1, so 2 must stay healthy."""
    ss = workload("StatefulSet", "db", "ss-uid", 3)
    pods = [pod(name, owned_by=owner("StatefulSet", "db", "ss-uid")) for name in ("db-0", "db-1", "db-2")]
    assert counts(synced_status(pdb(max_unavailable="25%"), pods, statefulsets=[ss])) == (3, 2, 3, 1)


def test_pods_of_several_controllers_add_up():
    """The expected pods are the sum of the scales of every controller behind the pods, each once."""
    rc = workload("ReplicationController", "old", "rc-uid", 2)
    pods = [pod("a", owned_by=RS_POD), pod("b", owned_by=RS_POD), pod("c", owned_by=owner(
        "ReplicationController", "old", "rc-uid"))]
    status = synced_status(pdb(max_unavailable=2), pods, replicasets=[RS], replicationcontrollers=[rc])
    assert counts(status) == (6, 4, 3, 0)


def test_unready_and_deleting_pods_are_not_healthy():
    pods = [pod("a"), pod("b", ready=False), pod("c", deleting=True)]
    assert counts(synced_status(pdb(min_available=1), pods)) == (3, 1, 1, 0)


def test_unmanaged_pods_are_not_expected_under_max_unavailable():
    """A pod with no controller adds nothing to the expected pods: with none expected, nothing may
    be disrupted."""
    assert counts(synced_status(pdb(max_unavailable=1), [pod("a"), pod("b")])) == (0, 0, 2, 0)


def test_a_pod_whose_controller_is_missing_fails_safe():
    """A sync that cannot count the expected pods sets disruptionsAllowed to 0 with a SyncFailed
    condition saying why, keeping the rest of the status."""
    before = {"disruptionsAllowed": 3, "currentHealthy": 4, "observedGeneration": 1}
    status = synced_status(pdb(max_unavailable=1, status=before), [pod("a", owned_by=RS_POD)])
    assert (status["disruptionsAllowed"], status["currentHealthy"]) == (0, 4)
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("DisruptionAllowed", "False", "SyncFailed", 'found no controllers for pod "a"')]



@pytest.mark.parametrize("api_version,kind,message", [
    ("batch/v1", "Job", "jobs.batch does not implement the scale subresource"),
    ("apps/v1", "DaemonSet", "daemonsets.apps does not implement the scale subresource"),
    ("v1", "Node", "nodes does not implement the scale subresource"),
])
def test_a_percentage_over_pods_of_a_controller_without_scale_fails_safe(api_version, kind, message):
    """getScaleController: a controller kind whose API has no /scale cannot give an expected count,
    and the SyncFailed condition says so (pods of a Job, a DaemonSet, a node's mirror pods)."""
    ref = {"apiVersion": api_version, "kind": kind, "name": "x", "uid": "x-uid", "controller": True}
    status = synced_status(pdb(min_available="50%"), [pod("a", owned_by=ref)])
    assert [(c["reason"], c["message"]) for c in status["conditions"]] == [("SyncFailed", message)]

def test_an_evicted_pod_stays_unhealthy_until_the_deletion_timeout():
    """A pod the eviction recorded in disruptedPods is not counted healthy for two minutes; after
    that it is counted again and dropped from the map."""
    recent, stale = rfc3339(NOW - 10), rfc3339(NOW - DELETION_TIMEOUT - 1)
    budget = pdb(min_available=1, status={"disruptedPods": {"a": recent, "b": stale, "gone": recent}})
    status = synced_status(budget, [pod("a"), pod("b"), pod("c")])
    assert status["disruptedPods"] == {"a": recent}
    assert counts(status) == (3, 1, 2, 1)


def test_an_up_to_date_status_is_not_written_again():
    budget = pdb(min_available=2)
    budget["status"] = synced_status(budget, [pod("a"), pod("b"), pod("c")])
    assert sync(budget, [pod("a"), pod("b"), pod("c")]) == []


def test_a_new_generation_is_observed():
    """A changed spec (a new generation) is written even when the counts stay the same."""
    budget = pdb(min_available=2)
    budget["status"] = synced_status(budget, [pod("a"), pod("b"), pod("c")])
    budget["metadata"]["generation"] = 2
    assert synced_status(budget, [pod("a"), pod("b"), pod("c")])["observedGeneration"] == 2
