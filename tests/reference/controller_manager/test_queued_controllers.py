"""Controllers driven by per-key work queues: a change syncs the keys it concerns, and only those;
a key whose actions failed comes back after a growing backoff."""
from __future__ import annotations

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.client.workqueue import RateLimitingQueue
from reference_impl.controller_manager.queued import CONFLICT, QueuedController, QuietRetry, SyncError, Trigger
from reference_impl.controller_manager.run import ALL, ControllerManager
from reference_impl.machinery.actions import Patch
from reference_impl.machinery.csr import CSRParseError
from reference_impl.machinery.labels import SelectorError


def rs(name: str) -> dict:
    return {"metadata": {"name": name, "namespace": "ns"}}


def owned_pod(name: str, owner: str, kind: str = "ReplicaSet") -> dict:
    return {"metadata": {"name": name, "namespace": "ns",
                         "ownerReferences": [{"kind": kind, "name": owner, "controller": True}]}}


def controller(clock: ManualClock, synced: list, outcome=lambda key: True, resync: float = 60.0) -> QueuedController:
    """A ReplicaSet-like controller whose sync records its key and returns one action, `key`."""
    def sync(key):
        synced.append(key)
        return [key]
    triggers = [Trigger("replicasets", lambda o: [f"ns/{o['metadata']['name']}"]),
                Trigger("pods", lambda o: [f"ns/{o['metadata']['ownerReferences'][0]['name']}"])]
    return QueuedController("replicaset", RateLimitingQueue(clock), sync, triggers,
                            lambda: ["ns/a", "ns/b"], resync)


def drain(c: QueuedController, perform=lambda action: True) -> None:
    while c.process_next_work_item(perform):
        pass


def test_a_change_to_one_object_syncs_only_its_key():
    """After both ReplicaSets were synced, a pod of `a` changing syncs `a` alone."""
    synced: list = []
    c = controller(ManualClock(), synced)
    c.on_change("replicasets", rs("a"))
    c.on_change("replicasets", rs("b"))
    drain(c)
    synced.clear()
    c.on_change("pods", owned_pod("a-1", "a"), owned_pod("a-1", "a"))
    drain(c)
    assert synced == ["ns/a"]


def test_changes_of_other_resources_enqueue_nothing():
    synced: list = []
    c = controller(ManualClock(), synced)
    c.on_change("services", rs("a"))
    drain(c)
    assert synced == []


def test_many_changes_before_a_sync_sync_the_key_once():
    synced: list = []
    c = controller(ManualClock(), synced)
    for i in range(5):
        c.on_change("pods", owned_pod(f"a-{i}", "a"))
    drain(c)
    assert synced == ["ns/a"]


def test_a_failing_sync_is_requeued_with_exponential_backoff_until_it_succeeds():
    """A failed action puts the key back after 5 ms, then 10 ms; a success forgets the failures."""
    clock, synced = ManualClock(), []
    c = controller(clock, synced)
    failing = {"ns/a"}
    perform = lambda action: action not in failing  # noqa: E731
    c.on_change("replicasets", rs("a"))
    assert c.process_next_work_item(perform)
    assert not c.process_next_work_item(perform)  # not before its backoff
    clock.advance(0.005)
    assert c.process_next_work_item(perform) and c.queue.num_requeues("ns/a") == 2
    clock.advance(0.009)
    assert not c.process_next_work_item(perform)
    clock.advance(0.001)
    failing.clear()
    assert c.process_next_work_item(perform)
    assert c.queue.num_requeues("ns/a") == 0 and not c.process_next_work_item(perform)
    assert synced == ["ns/a"] * 3


@pytest.mark.parametrize("error", [SyncError("bug"), ConnectionRefusedError("bug"), SelectorError("x", "bug"),
                                   CSRParseError("bug")], ids=type)
def test_a_sync_that_returns_an_error_is_reported_and_requeued_with_backoff(error):
    """A sync raising what Go returns as an error (a SyncError, a request that failed) is upstream's
    HandleError + AddRateLimited: the worker goes on, the error is handed to `handle_error` with its
    key, and the key comes back after 5 ms."""
    clock, errors = ManualClock(), []

    def sync(key):
        raise error
    c = QueuedController("broken", RateLimitingQueue(clock), sync, [Trigger("pods", lambda o: ["k"])],
                         lambda: [], 60.0, handle_error=lambda key, error: errors.append((key, str(error))))
    c.on_change("pods", {})
    assert c.process_next_work_item(lambda action: True)
    assert errors == [("k", "bug")]
    assert c.queue.num_requeues("k") == 1
    clock.advance(0.005)
    assert c.queue.get() == "k"


def test_a_sync_that_raises_anything_else_is_a_panic_out_of_the_worker():
    """A sync raising what Go returns no error for (a bug: KeyError, TypeError...) is a panic: it
    goes up to the worker's HandleCrash, handle_error never hears of it, and the key is Done (the
    deferred queue.Done) but neither forgotten nor put back with backoff."""
    clock, errors = ManualClock(), []

    def sync(key):
        return {}["spec"]
    c = QueuedController("broken", RateLimitingQueue(clock), sync, [Trigger("pods", lambda o: ["k"])],
                         lambda: [], 60.0, handle_error=lambda key, error: errors.append(key))
    c.on_change("pods", {})
    with pytest.raises(KeyError, match="spec"):
        c.process_next_work_item(lambda action: True)
    assert errors == [] and c.queue.num_requeues("k") == 0
    clock.advance(60.0)
    assert c.queue.get() is None
    c.on_change("pods", {})
    assert c.queue.get() == "k"  # done: not left processing, a new change enqueues it


def test_a_value_error_of_a_bug_in_a_sync_is_a_panic_not_a_transport_error():
    """Only the client's transport and decode errors count as a failed request: a sync's own
    `int("two")` is a bug, a panic out of the worker, never requeued as a returned error."""
    errors = []

    def sync(key):
        return int({"replicas": "two"}["replicas"])
    c = QueuedController("broken", RateLimitingQueue(ManualClock()), sync, [Trigger("pods", lambda o: ["k"])],
                         lambda: [], 60.0, handle_error=lambda key, error: errors.append(key))
    c.on_change("pods", {})
    with pytest.raises(ValueError, match="two"):
        c.process_next_work_item(lambda action: True)
    assert errors == [] and c.queue.num_requeues("k") == 0


def test_a_quiet_retry_is_requeued_with_backoff_without_a_report():
    """QuietRetry (upstream's ignorable errors, logged only at high verbosity) is retried like any
    sync error, but handle_error never hears of it."""
    clock, errors = ManualClock(), []

    def sync(key):
        raise QuietRetry("recognized csr \"c\" as [nodeclient] but subject access review was not approved")
    c = QueuedController("csrapproving", RateLimitingQueue(clock), sync, [Trigger("pods", lambda o: ["k"])],
                         lambda: [], 60.0, handle_error=lambda key, error: errors.append(key))
    c.on_change("pods", {})
    assert c.process_next_work_item(lambda action: True)
    assert errors == [] and c.queue.num_requeues("k") == 1
    clock.advance(0.005)
    assert c.queue.get() == "k"


def test_one_key_whose_sync_raises_does_not_stop_the_others():
    """Keys queued after a broken one are still synced in the same pass."""
    clock, synced = ManualClock(), []

    def sync(key):
        if key == "ns/bad":
            raise SyncError('failed to get "bad"')
        synced.append(key)
        return []
    c = QueuedController("replicaset", RateLimitingQueue(clock), sync,
                         [Trigger("replicasets", lambda o: [f"ns/{o['metadata']['name']}"])], lambda: [], 60.0,
                         handle_error=lambda key, error: None)
    for name in ("bad", "a", "b"):
        c.on_change("replicasets", rs(name))
    drain(c)
    assert synced == ["ns/a", "ns/b"] and c.queue.num_requeues("ns/bad") == 1


def test_resync_enqueues_every_key_once_per_period():
    clock, synced = ManualClock(), []
    c = controller(clock, synced, resync=10.0)
    c.resync_if_due()
    drain(c)
    assert synced == []
    clock.advance(10.0)
    c.resync_if_due()
    c.resync_if_due()
    drain(c)
    assert synced == ["ns/a", "ns/b"]


def test_the_manager_enqueues_a_pod_change_for_its_owner_only():
    """The controller-manager's triggers: a pod owned by ReplicaSet `a` queues `a` for the
    ReplicaSet controller and its namespace for nobody (it is not terminating)."""
    manager = ControllerManager(client=None)
    for name in ("a", "b"):
        manager.cache("replicasets").upsert({"metadata": {"name": name, "namespace": "ns"}, "spec": {}})
    queues = {c.name: c.queue for c in manager.controllers}
    for q in queues.values():
        while (key := q.get()) is not None:
            q.done(key)
    manager.cache("pods").upsert(owned_pod("a-1", "a"))
    assert queues["replicaset"].get() == "ns/a" and queues["replicaset"].get() is None
    assert queues["namespace"].get() is None and queues["deployment"].get() is None


class Discovery:
    """A client that answers discovery only: the core group's pods and configmaps."""
    RESOURCES = [{"name": name, "namespaced": True, "kind": kind, "verbs": ["delete", "get", "list", "watch"]}
                 for name, kind in (("pods", "Pod"), ("configmaps", "ConfigMap"))]

    def request(self, method: str, path: str, body=None):
        return {"groups": []} if path == "/apis" else {"resources": self.RESOURCES}


def monitored_manager() -> tuple[ControllerManager, QueuedController]:
    """A manager whose GC monitors what Discovery serves, their (shared) informers marked listed,
    and the GC's queue emptied."""
    manager = ControllerManager(client=Discovery())
    manager._sync_gc_monitors()
    for plural in ("pods", "configmaps"):
        manager.informers[plural]._synced.set()  # as its first list would
    collector = {c.name: c for c in manager.controllers}["garbagecollector"]
    while (key := collector.queue.get()) is not None:
        collector.queue.done(key)
    return manager, collector


def test_a_config_map_deleted_with_orphan_propagation_loses_its_finalizer():
    """The garbage collector works on every kind discovery serves, not only on workloads: a
    ConfigMap deleted with propagationPolicy Orphan (finalizer `orphan`, as `kubectl delete
    --cascade=orphan` and `kubectl replace --force --cascade=orphan` leave it) queues the GC, whose
    sync strips the reference to it from its dependent and then the finalizer, as upstream's GC
    does for every deletable kind (`replace --force --cascade=orphan` of two ConfigMaps: the real
    1.24 controller-manager let both go at once; ours left them `orphan`-finalized and kubectl
    waited until its timeout)."""
    manager, collector = monitored_manager()
    dependent = {"metadata": {"name": "dep", "namespace": "ns", "uid": "u-dep", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "u-owner"}]}}
    owner = {"metadata": {"name": "owner", "namespace": "ns", "uid": "u-owner", "finalizers": ["orphan"],
                          "deletionTimestamp": "2026-12-07T23:49:43Z"}}
    manager.cache("configmaps").upsert(dependent)
    manager.cache("configmaps").upsert(owner)
    assert collector.queue.get() == ALL
    released, unfinalized = manager._garbage_collect()
    assert (released, released.patch) == (Patch("configmaps", "ns", "dep", {}), {"metadata": {"ownerReferences": []}})
    assert (unfinalized, unfinalized.patch) == (Patch("configmaps", "ns", "owner", {}), {"metadata": {"finalizers": []}})


def test_an_owner_reference_to_another_namespace_is_reported_once():
    """The graph builder reports OwnerRefInvalidNamespace when it links the dependent, once: a GC
    sync run again before the dependent's delete is observed sends the Delete again but records no
    second event (the real 1.24 controller-manager's event has count 1)."""
    manager, _ = monitored_manager()
    manager._owner_gone = lambda _resource, _namespace, _ref: True  # the GET in "b" answers 404
    manager.cache("configmaps").upsert({"metadata": {"name": "owner", "namespace": "a", "uid": "u-own"}})
    manager.cache("configmaps").upsert({"metadata": {"name": "dep", "namespace": "b", "uid": "u-dep", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "u-own"}]}})
    event, delete = manager._garbage_collect()
    assert (event.reason, event.involved["uid"]) == ("OwnerRefInvalidNamespace", "u-dep")
    assert manager._garbage_collect() == [delete]


def test_only_an_update_of_owners_deletion_or_finalizers_queues_the_garbage_collector():
    """As GraphBuilder.processGraphChanges acts on an update only when the object's owner
    references or its being deleted changed: a pod's status written (a kubelet's every few
    seconds, a Lease renewed likewise) costs the GC nothing; a finalizer added queues it."""
    manager, collector = monitored_manager()
    pod = {"metadata": {"name": "p", "namespace": "ns", "uid": "u-p"}, "status": {"phase": "Pending"}}
    manager.cache("pods").upsert(pod)
    collector.queue.done(collector.queue.get())
    manager.cache("pods").upsert(dict(pod, status={"phase": "Running"}))
    assert collector.queue.get() is None
    manager.cache("pods").upsert({"metadata": dict(pod["metadata"], finalizers=["example.com/hold"])})
    assert collector.queue.get() == ALL


def test_a_config_map_owned_by_a_custom_resource_of_a_built_in_kind_name_is_kept():
    """The manager's GC resolves an owner by apiVersion and kind: a ConfigMap owned by a knative
    Service (serving.knative.dev/v1), which no cache here holds, is not taken for an orphan of a
    gone core Service and deleted."""
    manager, _ = monitored_manager()
    cm = {"metadata": {"name": "route-config", "namespace": "ns", "uid": "u-cm", "ownerReferences": [
        {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "hello", "uid": "u-ksvc",
         "controller": True, "blockOwnerDeletion": True}]}}
    manager.cache("configmaps").upsert(cm)
    assert manager._garbage_collect() == []


def test_a_pod_change_enqueues_its_job_after_the_pod_update_batch_period():
    """The Job controller batches pod changes (podUpdateBatchPeriod, 0.5 s in 1.24): its Job is not
    synced at once, so that the status the sync creating the pod wrote is cached first, and a
    resumed Job is not seen suspended again (a second Resumed event)."""
    manager = ControllerManager(client=None)
    manager.cache("jobs").upsert({"metadata": {"name": "pi", "namespace": "ns"}, "spec": {}})
    queue = {c.name: c.queue for c in manager.controllers}["job"]
    while (key := queue.get()) is not None:
        queue.done(key)
    manager.cache("pods").upsert(owned_pod("pi-1", "pi", kind="Job"))
    assert queue.get() is None
    assert queue.next_ready_at() - manager.clock.now() == pytest.approx(0.5, abs=0.1)


def test_a_job_comes_back_when_its_deadline_runs_out_and_not_every_second():
    """A Job's key is not resynced every second (a sync from a cache behind its own status write
    would record its events twice): a Job with activeDeadlineSeconds 30, started 10 s ago, is
    queued again in 20 s."""
    from reference_impl.machinery.timefmt import rfc3339
    manager = ControllerManager(client=None)
    job = {"metadata": {"name": "pi", "namespace": "ns", "uid": "u-pi"},
           "spec": {"activeDeadlineSeconds": 30, "parallelism": 0},
           "status": {"startTime": rfc3339(manager.clock.now() - 10)}}
    manager.cache("jobs").upsert(job)
    jobs = {c.name: c for c in manager.controllers}["job"]
    while (key := jobs.queue.get()) is not None:
        jobs.queue.done(key)
    manager._sync_job("ns/pi")
    assert jobs.queue.next_ready_at() - manager.clock.now() == pytest.approx(20, abs=1.5)
    assert jobs.next_resync - manager.clock.now() > 10


def test_the_job_queues_retry_a_failed_key_after_10_seconds_doubling():
    """The Job controller's queues are rate limited from DefaultJobBackOff (10 s) up to
    MaxJobBackOff (6 min), so a Job whose pod creates are refused is synced again 10 s, then 20 s
    later, not 5 ms later as under the default controller rate limiter."""
    manager = ControllerManager(client=None)
    queues = {c.name: c.queue for c in manager.controllers}
    queues["job"].add_rate_limited("ns/pi")
    assert queues["job"].next_ready_at() - manager.clock.now() == pytest.approx(10, abs=0.5)
    for name in ("job", "job-orphan-pod"):
        limiter = queues[name].rate_limiter
        assert [limiter.when("ns/other") for _ in range(7)] == [10, 20, 40, 80, 160, 320, 360]
    assert queues["replicaset"].rate_limiter.when("ns/rs") == 0.005


def test_a_conflict_is_retried_with_backoff_unless_the_controller_waits_for_the_update_event():
    """A write refused with a Conflict fails the sync: the key comes back after 5 ms, except in a
    controller that, as the Job controller, leaves it to the update event the conflict announces."""
    for requeue_conflicts, requeues in ((True, 1), (False, 0)):
        c = QueuedController("job", RateLimitingQueue(ManualClock()), lambda key: [key],
                             [Trigger("pods", lambda o: ["k"])], lambda: [], 60.0,
                             requeue_conflicts=requeue_conflicts)
        c.on_change("pods", {})
        assert c.process_next_work_item(lambda action: CONFLICT)
        assert c.queue.num_requeues("k") == requeues
