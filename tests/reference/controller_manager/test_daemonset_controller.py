"""The DaemonSet controller's sync, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod
from workload_fixtures import daemonset, node

from reference_impl.machinery.actions import Create, Delete, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.controller_manager.daemonset import DaemonSetsController, target_node_name
from reference_impl.controller_manager.history import REVISION_HASH_LABEL


def creates(actions, resource="pods"):
    """The creates, those sent in slow-start batches one by one."""
    return [c for c in requests_of(actions) if isinstance(c, Create) and c.resource == resource]


def deletes(actions, resource="pods"):
    """The deletes, those sent together one by one."""
    return [d for d in requests_of(actions) if isinstance(d, Delete) and d.resource == resource]


def status_of(actions):
    (update,) = [a for a in actions if isinstance(a, Update) and a.resource == "daemonsets"]
    assert update.subresource == "status"
    return update.obj["status"]


def revision_of(ds):
    """The ControllerRevision a first sync creates for the DaemonSet's template."""
    (create,) = creates(DaemonSetsController(ManualClock()).sync(ds, [], [], []), "controllerrevisions")
    return create.obj


def daemon_pod(ds, name, node_name, revision, ready=True, created="2026-01-01T00:00:00Z"):
    p = pod(name, {"app": ds["metadata"]["name"]}, owner={"kind": "DaemonSet", "metadata": ds["metadata"]},
            node=node_name, ready=ready, created=created)
    p["metadata"]["labels"][REVISION_HASH_LABEL] = revision["metadata"]["labels"][REVISION_HASH_LABEL]
    return p


def sync(ds, nodes, pods, revisions):
    return DaemonSetsController(ManualClock()).sync(ds, nodes, pods, revisions)


def test_one_pod_is_created_per_node():
    """Three nodes and no pods: a pod for each node, each pinned to its node by required node affinity."""
    ds = daemonset()
    made = creates(sync(ds, [node("a"), node("b"), node("c")], [], [revision_of(ds)]))
    assert sorted(target_node_name(a.obj) for a in made) == ["a", "b", "c"]


def test_a_node_with_its_pod_gets_no_second_one():
    """A node that already runs the daemon pod gets no new one."""
    ds = daemonset()
    rev = revision_of(ds)
    made = creates(sync(ds, [node("a"), node("b")], [daemon_pod(ds, "p", "a", rev)], [rev]))
    assert [target_node_name(a.obj) for a in made] == ["b"]


def test_node_selector_limits_the_nodes():
    """Only nodes whose labels match the template's nodeSelector get a pod."""
    ds = daemonset(node_selector={"disk": "ssd"})
    made = creates(sync(ds, [node("a", {"disk": "ssd"}), node("b")], [], [revision_of(ds)]))
    assert [target_node_name(a.obj) for a in made] == ["a"]


def test_untolerated_no_schedule_taint_keeps_the_pod_off():
    """A node with a NoSchedule taint the pod does not tolerate gets no pod."""
    ds = daemonset()
    tainted = node("a", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    assert creates(sync(ds, [tainted], [], [revision_of(ds)])) == []


def test_a_tolerated_taint_does_not_keep_the_pod_off():
    """A taint the template tolerates does not stop the daemon pod."""
    ds = daemonset(tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}])
    tainted = node("a", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    assert len(creates(sync(ds, [tainted], [], [revision_of(ds)]))) == 1


def test_daemon_pods_tolerate_cordoned_nodes():
    """A cordoned node (unschedulable taint) still gets a daemon pod: every daemon pod tolerates it."""
    ds = daemonset()
    cordoned = node("a", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}],
                    unschedulable=True)
    (made,) = creates(sync(ds, [cordoned], [], [revision_of(ds)]))
    not_ready = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
    assert not_ready in made.obj["spec"]["tolerations"]


def test_a_pod_stays_through_a_new_no_schedule_taint():
    """A running daemon pod is not deleted when its node gains an untolerated NoSchedule taint."""
    ds = daemonset()
    rev = revision_of(ds)
    tainted = node("a", taints=[{"key": "dedicated", "effect": "NoSchedule"}])
    assert deletes(sync(ds, [tainted], [daemon_pod(ds, "p", "a", rev)], [rev])) == []


def test_an_untolerated_no_execute_taint_deletes_the_pod():
    """A daemon pod on a node with an untolerated NoExecute taint is deleted."""
    ds = daemonset()
    rev = revision_of(ds)
    tainted = node("a", taints=[{"key": "dedicated", "effect": "NoExecute"}])
    assert [a.name for a in deletes(sync(ds, [tainted], [daemon_pod(ds, "p", "a", rev)], [rev]))] == ["p"]


def test_a_pod_on_a_node_that_no_longer_matches_is_deleted():
    """A node relabelled out of the nodeSelector loses its daemon pod."""
    ds = daemonset(node_selector={"disk": "ssd"})
    rev = revision_of(ds)
    assert [a.name for a in deletes(sync(ds, [node("a")], [daemon_pod(ds, "p", "a", rev)], [rev]))] == ["p"]


def test_extra_pods_on_a_node_are_deleted_keeping_the_oldest():
    """Two daemon pods on one node: the newer is deleted."""
    ds = daemonset()
    rev = revision_of(ds)
    pods = [daemon_pod(ds, "old", "a", rev, created="2026-01-01T00:00:00Z"),
            daemon_pod(ds, "new", "a", rev, created="2026-01-02T00:00:00Z")]
    assert [a.name for a in deletes(sync(ds, [node("a")], pods, [rev]))] == ["new"]


def test_expectations_stop_a_second_round_of_creates():
    """A second sync before the created pods are observed creates nothing."""
    ds = daemonset()
    rev = revision_of(ds)
    controller = DaemonSetsController(ManualClock())
    assert len(creates(controller.sync(ds, [node("a")], [], [rev]))) == 1
    assert creates(controller.sync(ds, [node("a")], [], [rev])) == []


def test_first_sync_creates_a_revision_whose_hash_labels_the_pods():
    """The template gets a ControllerRevision; created pods carry its controller-revision-hash."""
    ds = daemonset()
    actions = DaemonSetsController(ManualClock()).sync(ds, [node("a")], [], [])
    (rev,) = creates(actions, "controllerrevisions")
    (made,) = creates(actions)
    assert made.obj["metadata"]["labels"][REVISION_HASH_LABEL] == rev.obj["metadata"]["labels"][REVISION_HASH_LABEL]


def test_rolling_update_deletes_at_most_max_unavailable_old_pods():
    """After a template change with maxUnavailable 1, one old ready pod of three is deleted."""
    ds = daemonset(max_unavailable=1)
    old = revision_of(ds)
    pods = [daemon_pod(ds, f"p-{n}", n, old) for n in "abc"]
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision_of(ds)
    new["revision"] = 2
    assert len(deletes(sync(ds, [node(n) for n in "abc"], pods, [old, new]))) == 1


def test_rolling_update_waits_while_an_updated_pod_is_unavailable():
    """With maxUnavailable 1 and an updated pod not ready yet, no further old pod is deleted."""
    ds = daemonset(max_unavailable=1)
    old = revision_of(ds)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision_of(ds)
    new["revision"] = 2
    pods = [daemon_pod(ds, "p-a", "a", new, ready=False), daemon_pod(ds, "p-b", "b", old),
            daemon_pod(ds, "p-c", "c", old)]
    assert deletes(sync(ds, [node(n) for n in "abc"], pods, [old, new])) == []


def test_rolling_update_replaces_unavailable_old_pods_regardless_of_the_budget():
    """An old pod that is not ready is deleted even when the unavailability budget is spent."""
    ds = daemonset(max_unavailable=1)
    old = revision_of(ds)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision_of(ds)
    new["revision"] = 2
    pods = [daemon_pod(ds, "p-a", "a", new, ready=False), daemon_pod(ds, "p-b", "b", old, ready=False)]
    assert [a.name for a in deletes(sync(ds, [node("a"), node("b")], pods, [old, new]))] == ["p-b"]


def test_status_counts_desired_current_ready_and_updated():
    """Status reports desired, current, ready, updated and misscheduled numbers per node."""
    ds = daemonset(node_selector={"disk": "ssd"})
    rev = revision_of(ds)
    nodes = [node("a", {"disk": "ssd"}), node("b", {"disk": "ssd"}), node("c")]
    pods = [daemon_pod(ds, "p-a", "a", rev), daemon_pod(ds, "p-c", "c", rev)]
    status = status_of(DaemonSetsController(ManualClock()).sync(ds, nodes, pods, [rev]))
    counts = (status["desiredNumberScheduled"], status["currentNumberScheduled"], status["numberReady"],
              status["updatedNumberScheduled"], status["numberMisscheduled"], status["numberUnavailable"])
    assert counts == (2, 1, 1, 1, 1, 1)


def test_min_ready_seconds_holds_a_ready_pod_unavailable_and_brings_the_key_back():
    """updateDaemonSetStatus (IsPodAvailable): a pod ready for less than minReadySeconds is ready
    but unavailable; while some are, the key comes back after minReadySeconds."""
    ds = daemonset()
    ds["spec"]["minReadySeconds"] = 10
    rev = revision_of(ds)
    ready = daemon_pod(ds, "p-a", "a", rev)
    ready["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    clock = ManualClock(parse_rfc3339("2026-01-01T00:00:05Z"))
    ctl = DaemonSetsController(clock)
    status = status_of(ctl.sync(ds, [node("a")], [ready], [rev]))
    assert (status["numberReady"], status["numberAvailable"], status["numberUnavailable"]) == (1, 0, 1)
    assert ctl.requeue_after == 10
    clock.advance(6)
    status = status_of(ctl.sync({**ds, "status": status}, [node("a")], [ready], [rev]))
    assert (status["numberAvailable"], status["numberUnavailable"], ctl.requeue_after) == (1, 0, None)


def test_a_rolling_update_waits_for_new_pods_to_be_available_for_min_ready_seconds():
    """rollingUpdate counts a new pod ready for less than minReadySeconds against maxUnavailable:
    no other old pod is deleted meanwhile."""
    ds = daemonset()
    ds["spec"]["minReadySeconds"] = 30
    old = revision_of(ds)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "other"
    new = revision_of(ds)
    pods = [daemon_pod(ds, "p-a", "a", new), daemon_pod(ds, "p-b", "b", old)]
    for p, since in zip(pods, ("2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z")):  # the old pod long available
        p["status"]["conditions"][0]["lastTransitionTime"] = since
    clock = ManualClock(parse_rfc3339("2026-01-01T00:00:10Z"))
    assert deletes(DaemonSetsController(clock).sync(ds, [node("a"), node("b")], pods, [old, new])) == []
    clock.advance(30)
    assert [a.name for a in deletes(DaemonSetsController(clock).sync(
        ds, [node("a"), node("b")], pods, [old, new]))] == ["p-b"]


def test_pods_get_the_generation_label_only_from_the_generation_annotation():
    """util.CreatePodTemplate adds pod-template-generation only when GetTemplateGeneration finds
    the deprecated.daemonset.template.generation annotation; without it the label is absent."""
    ds = daemonset()
    ds["metadata"]["generation"] = 4
    (made,) = creates(sync(ds, [node("a")], [], [revision_of(ds)]))
    assert "pod-template-generation" not in made.obj["metadata"]["labels"]
    ds["metadata"]["annotations"] = {"deprecated.daemonset.template.generation": "3"}
    (made,) = creates(sync(ds, [node("a")], [], [revision_of(ds)]))
    assert made.obj["metadata"]["labels"]["pod-template-generation"] == "3"


def test_revision_carries_the_daemonsets_annotations_and_unique_label():
    """DaemonSetsController.snapshot labels the revision controller-revision-hash
    (DefaultDaemonSetUniqueLabelKey), names it `<ds>-<hash>` and copies ds.Annotations."""
    ds = daemonset()
    ds["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    rev = revision_of(ds)
    assert rev["metadata"]["annotations"] == ds["metadata"]["annotations"]
    assert rev["metadata"]["name"] == f"ds-{rev['metadata']['labels'][REVISION_HASH_LABEL]}"
    assert "controller.kubernetes.io/hash" not in rev["metadata"]["labels"]


def test_a_sync_with_expectations_outstanding_leaves_observed_generation_alone():
    """syncDaemonSet's updateDaemonSetStatus(..., false): pods still expected, the status counts
    are written but observedGeneration stays at the generation the controller last acted on."""
    ds = daemonset()
    ds["metadata"]["generation"] = 3
    ds["status"] = {"observedGeneration": 2}
    rev = revision_of(ds)
    controller = DaemonSetsController(ManualClock())
    assert status_of(controller.sync(ds, [node("a")], [], [rev]))["observedGeneration"] == 3
    waiting = status_of(controller.sync(ds, [node("a"), node("b")], [], [rev]))
    assert waiting["observedGeneration"] == 2 and waiting["desiredNumberScheduled"] == 2


def test_a_status_behind_the_generation_is_written_even_with_unchanged_counts():
    """storeDaemonSetStatus skips the write only when the counts match and observedGeneration is
    at least the generation."""
    ds = daemonset()
    ds["metadata"]["generation"] = 2
    rev = revision_of(ds)
    ds["status"] = {"observedGeneration": 1}
    assert status_of(DaemonSetsController(ManualClock()).sync(ds, [], [], [rev]))["observedGeneration"] == 2
    ds["status"] = {"observedGeneration": 5}
    assert [a for a in DaemonSetsController(ManualClock()).sync(ds, [], [], [rev]) if isinstance(a, Update)] == []
