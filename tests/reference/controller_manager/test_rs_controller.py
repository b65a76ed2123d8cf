"""The ReplicaSet controller's sync, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod, replicaset

from reference_impl.machinery.actions import Create, Delete, Patch, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.controller_manager.expectations import EXPECTATIONS_TIMEOUT
from reference_impl.controller_manager.replicaset import ReplicaSetController


def creates(actions):
    """The creates, those sent in slow-start batches one by one."""
    return [c for c in requests_of(actions) if isinstance(c, Create)]


def deletes(actions):
    """The deletes, those sent together one by one."""
    return [d for d in requests_of(actions) if isinstance(d, Delete)]


def test_three_replicas_and_one_pod_creates_two_pods():
    """A ReplicaSet with 3 replicas and 1 pod creates 2 pods."""
    rs = replicaset(replicas=3)
    actions = ReplicaSetController(ManualClock()).sync(rs, [pod("p0", {"app": "rs"}, owner=rs)])
    assert len(creates(actions)) == 2 and not deletes(actions)


def test_created_pods_carry_template_labels_and_a_controller_ref():
    """A created pod has the template's labels, generateName "<rs>-" and a controller ownerReference."""
    rs = replicaset(replicas=1)
    (create,) = creates(ReplicaSetController(ManualClock()).sync(rs, []))
    meta = create.obj["metadata"]
    assert meta["labels"] == {"app": "rs"} and meta["generateName"] == "rs-"
    assert meta["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert meta["ownerReferences"][0]["controller"] is True


def test_expectations_stop_a_second_create_before_the_watch_catches_up():
    """A second sync before the created pods are observed creates nothing."""
    rs = replicaset(replicas=3)
    c = ReplicaSetController(ManualClock())
    assert len(creates(c.sync(rs, []))) == 3
    assert creates(c.sync(rs, [])) == []


def test_observed_creations_release_the_expectations():
    """Once the watch has shown every created pod, the next sync acts again."""
    rs = replicaset(replicas=2)
    c = ReplicaSetController(ManualClock())
    c.sync(rs, [])
    seen = [pod("a", {"app": "rs"}, owner=rs)]
    c.add_pod(seen[0])
    assert creates(c.sync(rs, seen)) == []  # one creation still unobserved
    c.add_pod(pod("b", {"app": "rs"}, owner=rs))
    # the second pod never reached the cache (e.g. it was deleted): a new one is created
    assert len(creates(c.sync(rs, seen))) == 1


def test_expectations_expire_after_their_ttl():
    """Expectations never observed stop blocking after five minutes."""
    clock = ManualClock()
    rs = replicaset(replicas=1)
    c = ReplicaSetController(clock)
    c.sync(rs, [])
    clock.advance(EXPECTATIONS_TIMEOUT + 1)
    assert len(creates(c.sync(rs, []))) == 1


def test_burst_limits_creates_per_sync():
    """At most burst_replicas pods are created in one sync."""
    rs = replicaset(replicas=50)
    assert len(creates(ReplicaSetController(ManualClock(), burst_replicas=10).sync(rs, []))) == 10


def test_too_many_pods_deletes_the_surplus():
    """A ReplicaSet with 1 replica and 3 pods deletes 2."""
    rs = replicaset(replicas=1)
    pods = [pod(f"p{i}", {"app": "rs"}, owner=rs) for i in range(3)]
    assert len(deletes(ReplicaSetController(ManualClock()).sync(rs, pods))) == 2


def test_not_ready_and_unscheduled_pods_are_deleted_first():
    """Scale-down deletes unscheduled, then not-ready pods before ready ones."""
    rs = replicaset(replicas=1)
    pods = [pod("ready", {"app": "rs"}, owner=rs),
            pod("unready", {"app": "rs"}, owner=rs, ready=False),
            pod("pending", {"app": "rs"}, owner=rs, node=None, phase="Pending", ready=False)]
    names = [a.name for a in deletes(ReplicaSetController(ManualClock()).sync(rs, pods))]
    assert names == ["pending", "unready"]


def test_terminating_and_finished_pods_do_not_count():
    """Pods being deleted or Succeeded/Failed are not counted as replicas."""
    rs = replicaset(replicas=2)
    gone = pod("gone", {"app": "rs"}, owner=rs)
    gone["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    done = pod("done", {"app": "rs"}, owner=rs, phase="Succeeded")
    assert len(creates(ReplicaSetController(ManualClock()).sync(rs, [gone, done]))) == 2


def test_orphan_matching_pod_is_adopted_and_counted():
    """An ownerless pod matching the selector is adopted (patched) instead of creating a new one."""
    rs = replicaset(replicas=1)
    actions = ReplicaSetController(ManualClock()).sync(rs, [pod("orphan", {"app": "rs"})])
    (patch,) = [a for a in actions if isinstance(a, Patch)]
    assert patch.name == "orphan" and patch.patch["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert creates(actions) == []


def test_owned_pod_that_no_longer_matches_is_released():
    """A pod we own whose labels stopped matching loses our ownerReference and is replaced."""
    rs = replicaset(replicas=1)
    actions = ReplicaSetController(ManualClock()).sync(rs, [pod("relabelled", {"app": "other"}, owner=rs)])
    (patch,) = [a for a in actions if isinstance(a, Patch)]
    assert patch.patch["metadata"]["ownerReferences"] == []
    assert len(creates(actions)) == 1


def test_pods_of_another_controller_are_left_alone():
    """A matching pod controlled by someone else is neither adopted nor counted."""
    rs, other = replicaset(replicas=1), replicaset("other")
    actions = ReplicaSetController(ManualClock()).sync(rs, [pod("theirs", {"app": "rs"}, owner=other)])
    assert not [a for a in actions if isinstance(a, Patch)] and len(creates(actions)) == 1


def test_status_counts_ready_replicas():
    """Status reports replicas and readyReplicas of the owned pods."""
    rs = replicaset(replicas=2)
    pods = [pod("a", {"app": "rs"}, owner=rs), pod("b", {"app": "rs"}, owner=rs, ready=False)]
    (update,) = [a for a in ReplicaSetController(ManualClock()).sync(rs, pods) if isinstance(a, Update)]
    assert update.subresource == "status"
    assert update.obj["status"]["replicas"] == 2 and update.obj["status"]["readyReplicas"] == 1


def test_a_refused_create_is_replica_failure_until_a_sync_without_one():
    """calculateStatus: after a pod create refused with an error, the status says ReplicaFailure
    True FailedCreate with that error; the next sync whose requests were not refused removes it."""
    ctl = ReplicaSetController(ManualClock())
    rs = replicaset(replicas=1)
    ctl.sync(rs, [])
    ctl.creation_failed("default/rs", 'pods "rs-x" is forbidden: exceeded quota: q')
    (update,) = [a for a in ctl.sync(rs, []) if isinstance(a, Update)]
    (condition,) = update.obj["status"]["conditions"]
    assert (condition["type"], condition["status"], condition["reason"], condition["message"]) == (
        "ReplicaFailure", "True", "FailedCreate", 'pods "rs-x" is forbidden: exceeded quota: q')
    rs = update.obj
    (update,) = [a for a in ctl.sync(rs, []) if isinstance(a, Update)]
    assert "conditions" not in update.obj["status"]


def test_available_replicas_count_only_pods_ready_for_min_ready_seconds():
    """calculateStatus (IsPodAvailable): with minReadySeconds a ready pod is available only once
    its Ready condition has been True for longer; until then the key comes back after
    minReadySeconds, since no pod event will."""
    start = parse_rfc3339("2026-01-01T00:00:00Z")
    clock = ManualClock(start + 5)
    rs = replicaset(replicas=2)
    rs["spec"]["minReadySeconds"] = 10
    pods = [pod(name, {"app": "rs"}, owner=rs) for name in ("a", "b")]
    for p in pods:
        p["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    ctl = ReplicaSetController(clock)
    (update,) = [a for a in ctl.sync(rs, pods) if isinstance(a, Update)]
    assert (update.obj["status"]["readyReplicas"], update.obj["status"]["availableReplicas"]) == (2, 0)
    assert ctl.requeue_after == 10
    clock.advance(6)
    (update,) = [a for a in ctl.sync(update.obj, pods) if isinstance(a, Update)]
    assert update.obj["status"]["availableReplicas"] == 2 and ctl.requeue_after is None


def test_a_ready_pod_without_a_transition_time_is_never_available_with_min_ready_seconds():
    """IsPodAvailable needs the Ready condition's lastTransitionTime once minReadySeconds is set."""
    rs = replicaset(replicas=1)
    rs["spec"]["minReadySeconds"] = 1
    actions = ReplicaSetController(ManualClock(1e9)).sync(rs, [pod("a", {"app": "rs"}, owner=rs)])
    (update,) = [a for a in actions if isinstance(a, Update)]
    assert (update.obj["status"]["readyReplicas"], update.obj["status"]["availableReplicas"]) == (1, 0)


def test_a_pod_turning_ready_brings_the_key_back_a_second_after_min_ready_seconds():
    """updatePod: a pod that turned ready while others are not enqueues its set after
    minReadySeconds and one second, so its availability shows without waiting for a resync."""
    start = parse_rfc3339("2026-01-01T00:00:00Z")
    rs = replicaset(replicas=2)
    rs["spec"]["minReadySeconds"] = 10
    pods = [pod("a", {"app": "rs"}, owner=rs), pod("b", {"app": "rs"}, owner=rs, ready=False)]
    pods[0]["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    ctl = ReplicaSetController(ManualClock(start))
    ctl.sync(rs, pods)
    assert ctl.requeue_after == 11
