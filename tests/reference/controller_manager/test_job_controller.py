"""The Job controller's sync, one rule per test."""
from __future__ import annotations

import copy
import threading

import pytest

from cm_fixtures import pod
from workload_fixtures import AnsweredJobController, job

from reference_impl.client import APIStatusError
from reference_impl.controller_manager import job as job_module
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.machinery.actions import Create, Delete, InOrder, RecordEvent, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.objects import meta_namespace_key
from reference_impl.controller_manager.job import (DeleteActivePods, DeleteJobPod,
                                                   RemoveTrackingFinalizers, UpdateAfterWrite)
from reference_impl.machinery.timefmt import rfc3339


def creates(actions):
    """The creates, those sent in slow-start batches one by one."""
    return [c for c in requests_of(actions) if isinstance(c, Create)]


def requests(actions):
    """The actions with those grouped into one (InOrder, a pod's finalizer removal and delete, the
    deletes of a failed Job's pods) taken apart."""
    for a in actions:
        if isinstance(a, InOrder):
            yield from requests(a.actions)
        elif isinstance(a, DeleteJobPod):
            yield from requests([a.removal] if a.removal else [])
            yield a.delete
        elif isinstance(a, DeleteActivePods):
            yield from a.deletes
        else:
            yield a


def deletes(actions):
    return [a for a in requests(actions) if isinstance(a, Delete)]


def status_of(actions):
    (update,) = [a for a in actions if isinstance(a, Update)]
    assert (update.resource, update.subresource) == ("jobs", "status")
    return update.obj["status"]


def job_pod(j, name, phase="Running"):
    return pod(name, {"job-name": j["metadata"]["name"]}, owner={"kind": "Job", "metadata": j["metadata"]},
               phase=phase)


def condition_types(status):
    return [(c["type"], c.get("reason")) for c in status.get("conditions") or []]


def test_pods_are_created_up_to_parallelism():
    """A Job with 5 completions and parallelism 2 runs 2 pods at a time."""
    actions = AnsweredJobController(ManualClock()).sync(job(completions=5, parallelism=2), [])
    assert len(creates(actions)) == 2


def test_no_more_pods_than_completions_still_needed():
    """With 4 of 5 completions succeeded, only one more pod runs even at parallelism 3."""
    j = job(completions=5, parallelism=3)
    pods = [job_pod(j, f"done{i}", "Succeeded") for i in range(4)]
    assert len(creates(AnsweredJobController(ManualClock()).sync(j, pods))) == 1


def test_created_pods_are_controlled_by_the_job():
    """A Job's pod has generateName "<job>-" and a controller reference to the Job."""
    j = job()
    (create,) = creates(AnsweredJobController(ManualClock()).sync(j, []))
    ref = create.obj["metadata"]["ownerReferences"][0]
    assert create.obj["metadata"]["generateName"] == "pi-"
    assert (ref["kind"], ref["uid"], ref["controller"]) == ("Job", j["metadata"]["uid"], True)


def test_start_time_is_set_on_the_first_sync():
    """The first sync records startTime from the clock."""
    clock = ManualClock()
    assert status_of(AnsweredJobController(clock).sync(job(), []))["startTime"] == rfc3339(clock.now())


def test_expectations_stop_a_second_round_of_creates():
    """A second sync before the created pods are observed creates nothing."""
    controller, j = AnsweredJobController(ManualClock()), job(completions=3, parallelism=3)
    assert len(creates(controller.sync(j, []))) == 3
    assert creates(controller.sync(j, [])) == []


def test_enough_successes_complete_the_job():
    """Once completions pods have succeeded and none is active, the Job is Complete with completionTime."""
    clock = ManualClock()
    j = job(completions=2, parallelism=2)
    pods = [job_pod(j, "a", "Succeeded"), job_pod(j, "b", "Succeeded")]
    status = status_of(AnsweredJobController(clock).sync(j, pods))
    assert condition_types(status) == [("Complete", None)]
    assert status["completionTime"] == rfc3339(clock.now()) and status["succeeded"] == 2


def test_without_completions_one_success_completes_the_job():
    """A Job without completions is Complete once any pod succeeded and the others have ended."""
    j = job(completions=None, parallelism=2)
    status = status_of(AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "a", "Succeeded")]))
    assert condition_types(status) == [("Complete", None)]


def test_failures_past_the_backoff_limit_fail_the_job():
    """More failed pods than backoffLimit fail the Job (BackoffLimitExceeded) and create no more pods."""
    j = job(backoff_limit=1)
    actions = AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "f1", "Failed"), job_pod(j, "f2", "Failed")])
    assert creates(actions) == []
    assert condition_types(status_of(actions)) == [("Failed", "BackoffLimitExceeded")]


def test_failures_within_the_backoff_limit_are_retried():
    """A failed pod within backoffLimit is replaced by a new one."""
    j = job(backoff_limit=2)
    actions = AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "f1", "Failed")])
    assert len(creates(actions)) == 1 and status_of(actions)["failed"] == 1


def test_active_deadline_fails_the_job_and_deletes_its_pods():
    """Past activeDeadlineSeconds since startTime the Job is Failed (DeadlineExceeded) and its
    active pods are deleted."""
    clock = ManualClock()
    j = job(deadline=30)
    j["status"]["startTime"] = rfc3339(clock.now())
    clock.advance(31)
    actions = AnsweredJobController(clock).sync(j, [job_pod(j, "slow")])
    assert [a.name for a in deletes(actions)] == ["slow"]
    status = status_of(actions)
    assert condition_types(status) == [("Failed", "DeadlineExceeded")] and "active" not in status


def test_a_finished_job_is_left_alone():
    """A Job with a Complete condition gets no requests at all."""
    j = job()
    j["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    assert AnsweredJobController(ManualClock()).sync(j, []) == []


def test_lowering_parallelism_deletes_surplus_pods():
    """More active pods than parallelism: the surplus is deleted, unscheduled ones first."""
    j = job(completions=10, parallelism=1)
    waiting = job_pod(j, "waiting", "Pending")
    waiting["spec"].pop("nodeName")
    actions = AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "running"), waiting])
    assert [a.name for a in deletes(actions)] == ["waiting"]


def test_zero_counts_are_left_out_of_the_status():
    """JobStatus's active, succeeded and failed are omitempty: a Job with two running pods and no
    finished ones has active 2 and neither succeeded nor failed."""
    j = job(completions=2, parallelism=2)
    status = status_of(AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "a"), job_pod(j, "b")]))
    assert status["active"] == 2 and "succeeded" not in status and "failed" not in status


def events(actions):
    return [(a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)]


def test_suspending_a_job_deletes_its_active_pods():
    """spec.suspend true: every active pod is deleted, the Suspended condition is True
    (JobSuspended) and a Suspended event is recorded."""
    j = job(completions=3, parallelism=2)
    j["spec"]["suspend"] = True
    j["status"]["startTime"] = "2026-01-01T00:00:00Z"
    actions = AnsweredJobController(ManualClock()).sync(j, [job_pod(j, "a"), job_pod(j, "b")])
    assert sorted(a.name for a in deletes(actions)) == ["a", "b"] and not creates(actions)
    assert condition_types(status_of(actions)) == [("Suspended", "JobSuspended")]
    assert events(actions) == [("Normal", "Suspended", "Job suspended")]


def test_a_job_created_suspended_has_no_start_time():
    """A suspended Job has not started: no startTime, no pods."""
    j = job()
    j["spec"]["suspend"] = True
    actions = AnsweredJobController(ManualClock()).sync(j, [])
    assert "startTime" not in status_of(actions) and not creates(actions)


def test_resuming_a_job_restarts_its_clock():
    """spec.suspend false after true: Suspended goes False (JobResumed), a Resumed event, pods
    created again, and startTime moves to now so activeDeadlineSeconds counts from the resume."""
    clock = ManualClock()
    j = job(deadline=30)
    j["spec"]["suspend"] = True
    ctl = AnsweredJobController(clock)
    j["status"] = status_of(ctl.sync(j, []))
    clock.advance(100)
    j["spec"]["suspend"] = False
    actions = ctl.sync(j, [])
    status = status_of(actions)
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("Suspended", "False", "JobResumed")]
    assert status["startTime"] == rfc3339(clock.now()) and len(creates(actions)) == 1
    assert events(actions) == [("Normal", "Resumed", "Job resumed")]


def test_a_suspended_jobs_deadline_does_not_pass():
    """activeDeadlineSeconds does not fail a suspended Job, however long it waits."""
    clock = ManualClock()
    j = job(deadline=30)
    j["spec"]["suspend"] = True
    j["status"] = {"startTime": rfc3339(clock.now())}
    clock.advance(1000)
    status = status_of(AnsweredJobController(clock).sync(j, []))
    assert condition_types(status) == [("Suspended", "JobSuspended")]


def test_container_restarts_past_the_backoff_limit_fail_an_on_failure_job():
    """With restartPolicy OnFailure the restarts of its running pods' containers count: as many as
    backoffLimit fail the Job with BackoffLimitExceeded and its Warning event."""
    j = job(backoff_limit=2)
    j["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    crashing = job_pod(j, "crashing")
    crashing["status"]["containerStatuses"] = [{"name": "c", "restartCount": 2}]
    actions = AnsweredJobController(ManualClock()).sync(j, [crashing])
    assert [a.name for a in deletes(actions)] == ["crashing"]
    assert condition_types(status_of(actions)) == [("Failed", "BackoffLimitExceeded")]
    assert events(actions) == [("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit")]


class FailingJob:
    """A Job whose pods fail one after another, synced on a fake clock; remembers its status."""

    def __init__(self, backoff_limit=6):
        self.clock = ManualClock()
        self.ctl = AnsweredJobController(self.clock)
        self.job = job(backoff_limit=backoff_limit)
        self.pods = []

    def fail_one(self):
        self.pods.append(job_pod(self.job, f"f{len(self.pods)}", "Failed"))

    def sync(self):
        actions = self.ctl.sync(self.job, self.pods)
        for update in [a for a in actions if isinstance(a, Update)]:
            self.job = dict(self.job, status=update.obj["status"])
        for create in creates(actions):
            self.ctl.add_pod({**create.obj, "metadata": {**create.obj["metadata"], "namespace": "default"}})
        return actions


def test_a_first_pod_failure_is_replaced_at_once():
    """getBackoff is 0 for a Job never requeued: its first failed pod is replaced in that sync."""
    f = FailingJob()
    f.sync()
    f.fail_one()
    assert len(creates(f.sync())) == 1


def test_later_failures_wait_ten_seconds_doubling():
    """After the first failure each new one is acted on only after 10 s, then 20 s, ...:
    before that the sync does nothing and says how long is left."""
    f = FailingJob()
    f.sync()
    f.fail_one()
    f.sync()
    for backoff in (10, 20, 40):
        f.fail_one()
        assert f.sync() == [] and f.ctl.backoff_remaining("default/pi") == backoff
        f.clock.advance(backoff - 1)
        assert f.sync() == []
        f.clock.advance(1)
        actions = f.sync()
        assert len(creates(actions)) == 1 and f.job["status"]["failed"] == len(f.pods)
        assert f.ctl.backoff_remaining("default/pi") is None


def test_the_backoff_limit_is_judged_after_the_backoff():
    """The failure that exceeds backoffLimit fails the Job once its backoff has passed."""
    f = FailingJob(backoff_limit=1)
    f.sync()
    f.fail_one()
    f.sync()
    f.fail_one()
    assert f.sync() == []
    f.clock.advance(10)
    assert condition_types(status_of(f.sync())) == [("Failed", "BackoffLimitExceeded")]


def test_a_failure_that_finishes_the_job_leaves_no_backoff():
    """The sync that fails the Job after its backoff forgets the key (upstream's forget): no
    backoff is left to bring the Job back at once, from a cache that may not show it failed yet,
    to record BackoffLimitExceeded twice."""
    f = FailingJob(backoff_limit=1)
    f.sync()
    f.fail_one()
    f.sync()
    f.fail_one()
    f.sync()
    f.clock.advance(10)
    f.sync()
    assert f.ctl.backoff_remaining("default/pi") is None


def test_the_deadline_left_counts_from_the_start_and_stops_when_suspended_or_finished():
    """deadline_remaining: activeDeadlineSeconds after startTime, none for a suspended or
    finished Job or one without a deadline."""
    from reference_impl.controller_manager.job import deadline_remaining
    clock = ManualClock()
    j = job(deadline=30)
    j["status"]["startTime"] = rfc3339(clock.now() - 10)
    assert deadline_remaining(j, clock.now()) == 20
    assert deadline_remaining(j, clock.now() + 40) == 0
    j["spec"]["suspend"] = True
    assert deadline_remaining(j, clock.now()) is None
    assert deadline_remaining(job(), clock.now()) is None


# --- tracking with finalizers (a Job the apiserver annotated batch.kubernetes.io/job-tracking) ---

TRACKING = "batch.kubernetes.io/job-tracking"


def tracked_job(**kwargs):
    j = job(**kwargs)
    j["metadata"]["annotations"] = {TRACKING: ""}
    j["metadata"]["resourceVersion"] = "7"
    return j


def tracked_pod(j, name, phase="Running", finalizer=True):
    p = job_pod(j, name, phase)
    if finalizer:
        p["metadata"]["finalizers"] = [TRACKING]
    return p


def steps(actions):
    """The writes of a tracked sync: the one InOrder's steps."""
    (chain,) = [a for a in actions if isinstance(a, InOrder)]
    return list(chain.actions)


def test_a_tracked_jobs_pods_are_created_with_the_tracking_finalizer():
    """manageJob adds batch.kubernetes.io/job-tracking to the pod template's finalizers."""
    (create,) = creates(AnsweredJobController(ManualClock()).sync(tracked_job(), []))
    assert create.obj["metadata"]["finalizers"] == [TRACKING]


def test_an_untracked_jobs_pods_have_no_finalizer():
    """Without the annotation (legacy tracking) the pods are created without it."""
    (create,) = creates(AnsweredJobController(ManualClock()).sync(job(), []))
    assert "finalizers" not in create.obj["metadata"]


def test_a_tracked_jobs_status_holds_an_empty_uncounted_terminated_pods():
    """The first status write of a tracked Job carries uncountedTerminatedPods: {} (a pointer to
    an empty struct upstream), and the active count."""
    (update,) = steps(AnsweredJobController(ManualClock()).sync(tracked_job(), []))
    assert update.obj["status"]["uncountedTerminatedPods"] == {} and update.obj["status"]["active"] == 1


def test_a_finished_pod_is_listed_uncounted_then_loses_its_finalizer_then_is_counted():
    """The order upstream writes in: the status with the pod's uid in uncountedTerminatedPods
    (conditional on the Job's resourceVersion), its finalizer removed, then the status with it
    counted and the Job Complete (conditional on the resourceVersion the first write answered with)."""
    j = tracked_job()
    p = tracked_pod(j, "a", "Succeeded")
    first, removal, event, last = steps(AnsweredJobController(ManualClock()).sync(j, [p]))
    assert isinstance(first, Update) and isinstance(removal, RemoveTrackingFinalizers)
    assert first.obj["status"]["uncountedTerminatedPods"] == {"succeeded": [p["metadata"]["uid"]]}
    assert "succeeded" not in first.obj["status"] and first.obj["metadata"]["resourceVersion"] == "7"
    assert removal.pods == (("a", p["metadata"]["uid"]),) and removal.job_key == "default/pi"
    assert (event.reason, event.message) == ("Completed", "Job completed")
    assert last.obj["status"]["uncountedTerminatedPods"] == {} and last.obj["status"]["succeeded"] == 1
    assert condition_types(last.obj["status"]) == [("Complete", None)]
    assert isinstance(last, UpdateAfterWrite) and not isinstance(first, UpdateAfterWrite)


def test_an_uncounted_pod_without_its_finalizer_is_counted():
    """A uid left in uncountedTerminatedPods whose pod has lost the finalizer (or is gone) moves
    to the count in one write."""
    j = tracked_job(completions=2, parallelism=2)
    j["status"] = {"active": 1, "uncountedTerminatedPods": {"failed": ["gone-uid"]}}
    (update,) = steps(AnsweredJobController(ManualClock()).sync(j, [tracked_pod(j, "b")]))
    assert update.obj["status"]["failed"] == 1 and update.obj["status"]["uncountedTerminatedPods"] == {}
    assert update.obj["metadata"]["resourceVersion"] == "7"


def test_a_pod_whose_finalizer_removal_is_expected_is_not_counted_again():
    """Once its removal was sent, a pod still shown with the finalizer by a stale cache is skipped."""
    ctl, j = AnsweredJobController(ManualClock()), tracked_job(completions=2, parallelism=2)
    done = tracked_pod(j, "a", "Succeeded")
    j["status"] = {"active": 1, "succeeded": 1, "uncountedTerminatedPods": {}}
    ctl.expect_finalizers_removed("default/pi", [done["metadata"]["uid"]])
    actions = ctl.sync(j, [done, tracked_pod(j, "b")])
    assert steps(actions) == [] and creates(actions) == []


def test_seeing_the_pod_without_its_finalizer_ends_the_expectation():
    """updatePod: a pod without the finalizer is no longer expected to lose it."""
    ctl, j = AnsweredJobController(ManualClock()), tracked_job()
    old = tracked_pod(j, "a", "Succeeded")
    ctl.expect_finalizers_removed("default/pi", [old["metadata"]["uid"]])
    ctl.update_pod(old, {**old, "metadata": {**old["metadata"], "finalizers": []}})
    assert ctl.finalizer_expectations["default/pi"] == set()


def test_a_pod_deleted_before_it_finished_counts_as_failed():
    """A tracked pod being deleted that has not succeeded is uncounted as failed, and its finalizer
    removed, so that it is counted once it is gone."""
    j = tracked_job(completions=2, parallelism=1)
    p = tracked_pod(j, "a")
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    first, removal, _last = steps(AnsweredJobController(ManualClock()).sync(j, [p]))
    assert first.obj["status"]["uncountedTerminatedPods"] == {"failed": [p["metadata"]["uid"]]}
    assert removal.pods == (("a", p["metadata"]["uid"]),)


def test_a_failed_tracked_job_deletes_its_active_pods_and_counts_them_failed():
    """Past its deadline, the active pods are deleted (keeping their finalizers) and uncounted as
    failed; the Failed condition comes in the write after their finalizers are removed."""
    clock = ManualClock()
    j = tracked_job(deadline=10)
    j["status"] = {"startTime": rfc3339(clock.now() - 20), "active": 1, "uncountedTerminatedPods": {}}
    p = tracked_pod(j, "a")
    actions = AnsweredJobController(clock).sync(j, [p])
    assert [d.name for d in deletes(actions)] == ["a"]
    deleting, first, removal, _event, last = steps(actions)
    assert [d.name for d in deleting.deletes] == ["a"]
    assert first.obj["status"]["uncountedTerminatedPods"] == {"failed": [p["metadata"]["uid"]]}
    assert "conditions" not in first.obj["status"]
    assert last.obj["status"]["failed"] == 1 and condition_types(last.obj["status"]) == [("Failed", "DeadlineExceeded")]


def test_a_deleted_tracked_job_removes_its_pods_finalizers():
    """A Job being deleted (foreground) lets go of its running pods' finalizers, uncounted."""
    j = tracked_job()
    j["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    j["status"] = {"active": 1, "uncountedTerminatedPods": {}}
    p = tracked_pod(j, "a")
    (removal,) = steps(AnsweredJobController(ManualClock()).sync(j, [p]))
    assert removal.pods == (("a", p["metadata"]["uid"]),)


def test_a_suspended_tracked_jobs_pods_lose_their_finalizer_before_deletion():
    """deleteJobPods: the finalizer is removed first (the pod is not counted), then the pod deleted."""
    j = tracked_job()
    j["spec"]["suspend"] = True
    j["status"] = {"active": 1, "uncountedTerminatedPods": {}}
    actions = AnsweredJobController(ManualClock()).sync(j, [tracked_pod(j, "a")])
    (pair,) = [a for a in actions if isinstance(a, DeleteJobPod)]
    assert pair.removal.pods[0][0] == pair.delete.name == "a" and pair.removal.job_key == ""
    assert pair.job_key == "default/pi"


def test_an_untracked_job_removes_leftover_finalizers():
    """Legacy tracking: any tracking finalizer on the Job's pods is removed, unexpected."""
    j = job()
    p = tracked_pod(j, "a")
    (removal,) = [a for a in requests(AnsweredJobController(ManualClock()).sync(j, [p]))
                  if isinstance(a, RemoveTrackingFinalizers)]
    assert removal.pods == (("a", p["metadata"]["uid"]),) and removal.job_key == ""


def test_a_failed_tracked_jobs_pod_deletes_open_its_tracking_writes():
    """deleteActivePods comes first, in the same InOrder: the status writes, the finalizer
    removals and the Failed condition are sent only once every active pod's delete went through
    (upstream drops the finished condition when fewer pods were deleted than were active)."""
    j = tracked_job(backoff_limit=0, completions=2, parallelism=2)
    j["status"] = {"active": 2, "uncountedTerminatedPods": {}}
    a, b = tracked_pod(j, "a", "Failed"), tracked_pod(j, "b")
    actions = AnsweredJobController(ManualClock()).sync(j, [a, b])
    assert [x for x in actions if isinstance(x, Delete)] == []
    deleting, *writes = steps(actions)
    assert [d.name for d in deleting.deletes] == ["b"]
    assert condition_types(writes[-1].obj["status"]) == [("Failed", "BackoffLimitExceeded")]


def test_the_pods_a_failed_job_deletes_are_not_expected():
    """deleteActivePods sets no expectations: a delete that fails leaves nothing that would hold
    back manageJob (e.g. once the deadline is raised) until the expectations expire."""
    clock = ManualClock()
    j = tracked_job(deadline=10)
    j["status"] = {"startTime": rfc3339(clock.now() - 20), "active": 1, "uncountedTerminatedPods": {}}
    ctl = AnsweredJobController(clock)
    assert [d.name for d in deletes(ctl.sync(j, [tracked_pod(j, "a")]))] == ["a"]
    assert ctl.expectations.satisfied("default/pi")


def test_an_untracked_jobs_leftover_finalizers_go_before_its_status_is_written():
    """Legacy tracking: the status is written only once the leftover finalizers are removed
    (upstream returns before its status update when the removal fails)."""
    j = job()
    p = tracked_pod(j, "a")
    (chain,) = [x for x in AnsweredJobController(ManualClock()).sync(j, [p]) if isinstance(x, InOrder)]
    removal, update = chain.actions
    assert isinstance(removal, RemoveTrackingFinalizers) and update.subresource == "status"


def test_a_new_failure_that_leaves_uids_uncounted_keeps_its_backoff(monkeypatch):
    """A sync with a new failure whose Job stays unfinished because uids are left uncounted (here
    the per-sync limit of uncounted pods was reached) ends in an error upstream: the Job's next
    sync waits out the backoff instead of forgetting it."""
    monkeypatch.setattr(job_module, "MAX_UNCOUNTED_PODS", 1)
    clock = ManualClock()
    j = tracked_job(completions=2, parallelism=2, deadline=10)
    a, b = tracked_pod(j, "a", "Failed"), tracked_pod(j, "b", "Failed")
    j["status"] = {"startTime": rfc3339(clock.now() - 20),
                   "uncountedTerminatedPods": {"failed": [b["metadata"]["uid"]]}}
    ctl = AnsweredJobController(clock)
    *_, last = steps(ctl.sync(j, [a, b]))
    assert last.obj["status"]["uncountedTerminatedPods"] == {"failed": [b["metadata"]["uid"]]}
    assert "conditions" not in last.obj["status"]
    assert ctl.sync(j, [a, b]) == [] and ctl.backoff_remaining("default/pi") == 10


# --- the Job's actions as the controller-manager sends them ---

class JobApiserver:
    """Answers a write with the object at the next resourceVersion; refuses each (method, path)
    of `refusals` with a 500, as an etcd timeout would."""

    timeout = 30.0

    def __init__(self, *refusals) -> None:
        self.refusals, self.sent, self.version = set(refusals), [], 7

    def request(self, method, path, body=None, content_type=None):
        if path.endswith("/events"):
            return body
        self.sent.append((method, path, body))
        if (method, path) in self.refusals:
            raise APIStatusError(method, path, 500, {"kind": "Status", "code": 500, "reason": "InternalError",
                                                     "message": "etcdserver: request timed out"})
        if method == "PUT":
            self.version += 1
            return {**body, "metadata": {**body["metadata"], "resourceVersion": str(self.version)}}
        return body or {}


def perform(manager, actions):
    return [manager.perform(action) for action in actions]


def test_a_failed_delete_leaves_the_pod_tracked_and_the_job_unfinished():
    """backoffLimit 0, one failed pod, pod b running: when deleting b fails, no status is written,
    no finalizer removed and the Job not marked Failed while b runs on."""
    client = JobApiserver(("DELETE", "/api/v1/namespaces/default/pods/b"))
    manager = ControllerManager(client)
    j = tracked_job(backoff_limit=0, completions=2, parallelism=2)
    j["status"] = {"active": 2, "uncountedTerminatedPods": {}}
    assert not all(perform(manager, manager.job.sync(j, [tracked_pod(j, "a", "Failed"), tracked_pod(j, "b")])))
    assert [(method, path) for method, path, _ in client.sent] == [("DELETE", "/api/v1/namespaces/default/pods/b")]


def test_the_last_status_write_carries_the_first_writes_resource_version():
    """The Job the first status write answered with is the one written again: the second write
    is conditional on its resourceVersion, so a label or finalizer added in between is a conflict,
    not undone."""
    client = JobApiserver()
    manager = ControllerManager(client)
    j = tracked_job()
    assert all(perform(manager, manager.job.sync(j, [tracked_pod(j, "a", "Succeeded")])))
    puts = [body for method, _path, body in client.sent if method == "PUT"]
    assert [put["metadata"]["resourceVersion"] for put in puts] == ["7", "8"]


def test_a_failed_finalizer_removal_releases_the_expected_delete():
    """failDelete: when the finalizer of a pod to delete cannot be removed, the pod is not deleted
    and the Job no longer expects its deletion, so that the next sync acts again at once."""
    client = JobApiserver(("PATCH", "/api/v1/namespaces/default/pods/a"))
    manager = ControllerManager(client)
    j = tracked_job()
    j["spec"]["suspend"] = True
    j["status"] = {"active": 1, "uncountedTerminatedPods": {}}
    assert not all(perform(manager, manager.job.sync(j, [tracked_pod(j, "a")])))
    assert "DELETE" not in [method for method, _path, _body in client.sent]
    assert manager.job.expectations.satisfied("default/pi")


POD_CREATES = ("POST", "/api/v1/namespaces/default/pods")


def status_writes(client):
    return [body["status"] for method, path, body in client.sent if method == "PUT" and path.endswith("/status")]


def test_a_pod_whose_create_failed_is_not_counted_active():
    """manageJob takes each pod whose create failed, and each one the slow start never sent, off
    the active count it returns: three pods wanted, the first create refused, none active."""
    client = JobApiserver(POD_CREATES)
    manager = ControllerManager(client)
    assert not all(perform(manager, manager.job.sync(job(completions=3, parallelism=3), [])))
    assert [(m, p) for m, p, _ in client.sent].count(POD_CREATES) == 1
    (status,) = status_writes(client)
    assert "active" not in status and "startTime" in status


def test_a_tracked_job_whose_creates_failed_writes_no_status():
    """Tracked with finalizers, the status is written when active changes: with every create
    refused it stays 0, so nothing is written."""
    client = JobApiserver(POD_CREATES)
    manager = ControllerManager(client)
    j = tracked_job(completions=2, parallelism=2)
    j["status"] = {"uncountedTerminatedPods": {}}
    assert not all(perform(manager, manager.job.sync(j, [])))
    assert status_writes(client) == []


def test_a_pod_whose_delete_failed_is_still_counted_active():
    """deleteJobPods counts only the deletes that worked: a suspended Job whose running pod could
    not be deleted is written Suspended with that pod still active."""
    client = JobApiserver(("DELETE", "/api/v1/namespaces/default/pods/a"))
    manager = ControllerManager(client)
    j = job()
    j["spec"]["suspend"] = True
    j["status"] = {"active": 1, "startTime": "2026-01-01T00:00:00Z"}
    assert not all(perform(manager, manager.job.sync(j, [job_pod(j, "a")])))
    (status,) = status_writes(client)
    assert status["active"] == 1 and condition_types(status) == [("Suspended", "JobSuspended")]


class DeleteBarrierApiserver(JobApiserver):
    """Holds each pod delete until `together` deletes are in flight, for at most 5 s."""

    def __init__(self, together: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(together, timeout=5)

    def request(self, method, path, body=None, content_type=None):
        if method == "DELETE" and "/pods/" in path:
            self.barrier.wait()
        return super().request(method, path, body, content_type)


def test_the_pods_of_a_suspended_job_are_deleted_together():
    """deleteJobPods starts a goroutine per pod: the three pods of a Job just suspended are all
    being deleted at once, and the Job is written with none active."""
    client = DeleteBarrierApiserver(3)
    manager = ControllerManager(client)
    j = job(completions=3, parallelism=3)
    j["spec"]["suspend"] = True
    j["status"] = {"active": 3, "startTime": "2026-01-01T00:00:00Z"}
    assert all(perform(manager, manager.job.sync(j, [job_pod(j, name) for name in "abc"])))
    (status,) = status_writes(client)
    assert "active" not in status


@pytest.mark.parametrize("tracked", [False, True])
def test_the_active_pods_of_a_job_past_its_deadline_are_deleted_together(tracked):
    """deleteActivePods starts a goroutine per pod, for a legacy Job and a tracked one: its three
    running pods are all being deleted at once."""
    client = DeleteBarrierApiserver(3)
    manager = ControllerManager(client)
    j = (tracked_job if tracked else job)(completions=3, parallelism=3, deadline=30)
    j["status"] = {"active": 3, "startTime": "2000-01-01T00:00:00Z"}
    pod_of = tracked_pod if tracked else job_pod
    assert all(perform(manager, manager.job.sync(j, [pod_of(j, name) for name in "abc"])))
    assert [m for m, _p, _b in client.sent].count("DELETE") == 3


def test_a_failed_sync_counts_toward_the_backoff_of_the_next_pod_failure():
    """One counter, the work queue's NumRequeues: a sync whose pod create was refused requeues the
    key rate-limited, so getBackoff delays the Job's next pod failure by 10 s, as updatePod's
    enqueueController(pod, false) does."""
    manager = ControllerManager(JobApiserver(("POST", "/api/v1/namespaces/default/pods")))
    jobs = {c.name: c for c in manager.controllers}["job"]
    j = job()
    j["status"] = {"startTime": "2026-01-01T00:00:00Z"}
    manager.cache("jobs").upsert(j)
    while (key := jobs.queue.get()) is not None:
        jobs.queue.done(key)
    jobs.queue.add("default/pi")
    assert jobs.process_next_work_item(manager.perform)
    assert jobs.queue.num_requeues("default/pi") == 1
    assert manager.job.sync(j, [job_pod(j, "a", "Failed")]) == []
    assert manager.job.backoff_remaining("default/pi") == pytest.approx(10, abs=1)


def test_a_sync_that_changes_nothing_keeps_the_requeues():
    """syncJob answers forget only when it wrote the status or saw more successes: a sync of an
    unchanged Job leaves the key's requeues to its next failure's backoff."""
    manager = ControllerManager(JobApiserver())
    jobs = {c.name: c for c in manager.controllers}["job"]
    j = job()
    j["status"] = {"startTime": "2026-01-01T00:00:00Z", "active": 1}
    manager.cache("jobs").upsert(j)
    manager.cache("pods").upsert(job_pod(j, "a"))
    manager.job.expectations.expect_creations("default/pi", 0)
    while (key := jobs.queue.get()) is not None:
        jobs.queue.done(key)
    jobs.queue.add_rate_limited("default/pi")
    jobs.queue.add("default/pi")
    assert jobs.process_next_work_item(manager.perform)
    assert jobs.queue.num_requeues("default/pi") == 1


def test_a_sync_whose_status_write_failed_keeps_the_requeues():
    """processNextWorkItem forgets only when syncJob answers forget with no error: a sync that saw
    one more success but whose status write was refused keeps the key's requeues, and
    AddRateLimited counts one more."""
    manager = ControllerManager(JobApiserver(("PUT", "/apis/batch/v1/namespaces/default/jobs/pi/status")))
    jobs = {c.name: c for c in manager.controllers}["job"]
    j = job(completions=3)
    j["status"] = {"startTime": "2026-01-01T00:00:00Z", "active": 1}
    manager.cache("jobs").upsert(j)
    manager.cache("pods").upsert(job_pod(j, "a", "Succeeded"))
    manager.job.expectations.expect_creations("default/pi", 0)
    jobs.queue.add_rate_limited("default/pi")
    jobs.queue.add_rate_limited("default/pi")
    while (key := jobs.queue.get()) is not None:
        jobs.queue.done(key)
    jobs.queue.add("default/pi")
    assert jobs.process_next_work_item(manager.perform)
    assert jobs.queue.num_requeues("default/pi") == 3


class ConflictingApiserver(JobApiserver):
    """Refuses every Job status write with 409 Conflict, as a Job updated since it was cached is."""

    def request(self, method, path, body=None, content_type=None):
        if method == "PUT" and path.endswith("/status"):
            raise APIStatusError(method, path, 409, {
                "kind": "Status", "code": 409, "reason": "Conflict",
                "message": 'Operation cannot be fulfilled on jobs.batch "pi": the object has been modified; '
                           'please apply your changes to the latest version and try again'})
        return super().request(method, path, body, content_type)


def test_a_status_write_that_conflicts_is_not_retried_with_backoff():
    """processNextWorkItem: a sync whose Job write met a conflict is not put back rate-limited;
    the Job's update event, which the conflict says is coming, brings the key back."""
    manager = ControllerManager(ConflictingApiserver())
    jobs = {c.name: c for c in manager.controllers}["job"]
    manager.cache("jobs").upsert(job())
    while (key := jobs.queue.get()) is not None:
        jobs.queue.done(key)
    jobs.queue.add("default/pi")
    assert jobs.process_next_work_item(manager.perform)
    assert jobs.queue.num_requeues("default/pi") == 0 and jobs.queue.next_ready_at() is None


NOW = 1_800_000_000.0  # the ManualClock of the managers synced_once drives, past the Jobs' startTimes


def synced_once(manager, j, pods=()):
    """The Job and its pods cached, the Job queue emptied (its keys waiting too, the manager's
    ManualClock moved on to when they are due), then one pass of its worker over the Job's key;
    the Job queue."""
    jobs = {c.name: c for c in manager.controllers}["job"]
    manager.cache("jobs").upsert(j)
    for p in pods:
        manager.cache("pods").upsert(p)
    while (due := jobs.queue.next_ready_at()) is not None:  # the pods' adds wait out podUpdateBatchPeriod
        manager.clock.advance(max(0.0, due - manager.clock.now()))
        while (key := jobs.queue.get()) is not None:
            jobs.queue.done(key)
    jobs.queue.add(meta_namespace_key(j))
    assert jobs.process_next_work_item(manager.perform)
    return jobs.queue


class DeletedMidSyncApiserver(JobApiserver):
    """The Job's delete event reaches `jobs` (the manager's cache) while its sync's pod create is
    in flight, and the create is refused (500)."""

    jobs = None

    def __init__(self) -> None:
        super().__init__(("POST", "/api/v1/namespaces/default/pods"))

    def request(self, method, path, body=None, content_type=None):
        if (method, path) == ("POST", "/api/v1/namespaces/default/pods"):
            self.jobs.delete(self.jobs.get("default/pi"))
        return super().request(method, path, body, content_type)


def test_the_sync_that_finds_the_job_deleted_forgets_its_key():
    """syncJob answers forget for a Job gone from the cache (and drops its expectations): the
    requeue a sync in flight when the Job was deleted counted is forgotten, so a Job created
    again under the name starts with no backoff."""
    client = DeletedMidSyncApiserver()
    manager = ControllerManager(client, clock=ManualClock(NOW))
    client.jobs = manager.cache("jobs")
    j = job()
    j["status"] = {"startTime": "2026-01-01T00:00:00Z"}
    queue = synced_once(manager, j)
    assert queue.num_requeues("default/pi") == 1  # the refused create's AddRateLimited
    manager.clock.advance(queue.next_ready_at() - manager.clock.now())
    assert {c.name: c for c in manager.controllers}["job"].process_next_work_item(manager.perform)
    assert queue.num_requeues("default/pi") == 0
    assert "default/pi" not in manager.job.expectations._store
    assert "default/pi" not in manager.job.finalizer_expectations


def test_a_sync_that_replaces_a_failed_pod_brings_the_job_back_after_the_backoff():
    """syncJob answers "failed pod(s) detected" once it has acted on a new failure: the key comes
    back rate-limited, 10 s later (not at once), with one requeue counted for the next failure."""
    manager = ControllerManager(JobApiserver(), clock=ManualClock(NOW))
    j = job(completions=3)
    j["status"] = {"startTime": "2026-01-01T00:00:00Z", "active": 1}
    queue = synced_once(manager, j, [job_pod(j, "a", "Failed")])
    assert queue.get() is None and queue.num_requeues("default/pi") == 1
    assert queue.next_ready_at() - manager.clock.now() == pytest.approx(10, abs=1)


def test_a_new_failure_whose_status_write_failed_counts_one_requeue():
    """syncJob returns the write's error before "failed pod(s) detected": one AddRateLimited, so
    one requeue, and the key back 10 s later."""
    manager = ControllerManager(JobApiserver(("PUT", "/apis/batch/v1/namespaces/default/jobs/pi/status")),
                                clock=ManualClock(NOW))
    j = job(completions=3)
    j["status"] = {"startTime": "2026-01-01T00:00:00Z", "active": 1}
    queue = synced_once(manager, j, [job_pod(j, "a", "Failed")])
    assert queue.num_requeues("default/pi") == 1
    assert queue.next_ready_at() - manager.clock.now() == pytest.approx(10, abs=1)


def test_a_job_started_by_a_sync_that_creates_its_pods_comes_back_at_its_deadline():
    """The sync that starts a Job also creates its pods, its status written once they are
    answered: the deadline counts from the startTime that sync sets, so the key is queued again
    in activeDeadlineSeconds."""
    manager = ControllerManager(JobApiserver(), clock=ManualClock(NOW))
    queue = synced_once(manager, job(deadline=30))
    assert queue.next_ready_at() - manager.clock.now() == pytest.approx(30, abs=1.5)


def test_a_job_resumed_by_a_sync_that_creates_its_pods_comes_back_at_its_new_deadline():
    """A resumed Job's startTime is reset by the sync that resumes it and creates its pods: its
    key comes back activeDeadlineSeconds after the resume, not after the old startTime."""
    manager = ControllerManager(JobApiserver(), clock=ManualClock(NOW))
    j = job(deadline=30)
    j["status"] = {"startTime": rfc3339(manager.clock.now() - 20),
                   "conditions": [{"type": "Suspended", "status": "True", "reason": "JobSuspended"}]}
    queue = synced_once(manager, j)
    assert queue.next_ready_at() - manager.clock.now() == pytest.approx(30, abs=1.5)


def test_the_rest_of_a_sync_leaves_the_job_it_read_unchanged():
    """ManageJob's `then` works on a copy: the Job the sync read (and the adapter may read again)
    keeps its status, even when the rest of the sync resumes it."""
    j = job(deadline=30)
    j["status"] = {"startTime": "2026-01-01T00:00:00Z",
                   "conditions": [{"type": "Suspended", "status": "True", "reason": "JobSuspended"}]}
    (manage,) = job_module.JobController(ManualClock()).sync(j, [])
    before = copy.deepcopy(manage.job)
    manage.then(0, 0)
    assert manage.job == before
