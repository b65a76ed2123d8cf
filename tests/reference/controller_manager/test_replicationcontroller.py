"""The ReplicationController controller (the ReplicaSet core over converted RCs), one rule per test."""
from __future__ import annotations

from cm_fixtures import pod
from workload_fixtures import replicationcontroller

from reference_impl.machinery.actions import Create, Patch, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from reference_impl.controller_manager.replicationcontroller import ReplicationManager, rc_to_rs


def creates(actions):
    """The creates, those sent in slow-start batches one by one."""
    return [c for c in requests_of(actions) if isinstance(c, Create)]


def owned_by(rc):
    return {"kind": "ReplicationController", "metadata": rc["metadata"]}


def test_map_selector_becomes_match_labels():
    """An RC's map selector is the converted ReplicaSet's matchLabels."""
    rc = replicationcontroller()
    assert rc_to_rs(rc)["spec"]["selector"] == {"matchLabels": {"app": "rc"}}


def test_missing_selector_defaults_to_the_template_labels():
    """An RC without a selector selects its template's labels."""
    rc = replicationcontroller()
    del rc["spec"]["selector"]
    assert rc_to_rs(rc)["spec"]["selector"] == {"matchLabels": {"app": "rc"}}


def test_missing_pods_are_created_owned_by_the_rc():
    """Created pods carry a controller reference to the ReplicationController (v1), not a ReplicaSet."""
    rc = replicationcontroller(replicas=2)
    made = creates(ReplicationManager(ManualClock()).sync(rc, []))
    assert len(made) == 2
    ref = made[0].obj["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["apiVersion"], ref["uid"]) == ("ReplicationController", "v1", rc["metadata"]["uid"])


def test_orphans_are_adopted_by_the_rc():
    """An ownerless matching pod is adopted with an ownerReference naming the RC."""
    rc = replicationcontroller(replicas=1)
    actions = ReplicationManager(ManualClock()).sync(rc, [pod("orphan", {"app": "rc"})])
    (patch,) = [a for a in actions if isinstance(a, Patch)]
    assert patch.patch["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"


def test_pods_the_rc_owns_count_as_replicas():
    """Pods controlled by the RC count, so a full RC creates nothing."""
    rc = replicationcontroller(replicas=1)
    assert creates(ReplicationManager(ManualClock()).sync(rc, [pod("p", {"app": "rc"}, owner=owned_by(rc))])) == []


def test_status_goes_to_the_rc_status_subresource():
    """Status is written to replicationcontrollers/status of the RC itself."""
    rc = replicationcontroller(replicas=1)
    actions = ReplicationManager(ManualClock()).sync(rc, [pod("p", {"app": "rc"}, owner=owned_by(rc))])
    (update,) = [a for a in actions if isinstance(a, Update)]
    assert (update.resource, update.subresource, update.obj["kind"]) == (
        "replicationcontrollers", "status", "ReplicationController")
    assert update.obj["status"]["readyReplicas"] == 1


def test_observed_pods_of_an_rc_satisfy_its_expectations():
    """A created pod seen by the watch (owned by the RC) lets the next sync act again."""
    rc = replicationcontroller(replicas=1)
    manager = ReplicationManager(ManualClock())
    manager.sync(rc, [])
    assert creates(manager.sync(rc, [])) == []
    manager.add_pod(pod("seen", {"app": "rc"}, owner=owned_by(rc)))
    assert len(creates(manager.sync(rc, []))) == 1
