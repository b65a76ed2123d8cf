"""The Job controller: run pods from the template, at most `parallelism` at a time, until
`completions` of them have succeeded (Complete, with completionTime), or fail the Job when more
than `backoffLimit` pods have failed (or, with restartPolicy OnFailure, their containers have
restarted that often) or it has been active past `activeDeadlineSeconds` (Failed; its active pods
are deleted). A suspended Job has its active pods deleted and a Suspended condition; its deadline
counts from when it is resumed. Expectations stop a stale pod cache from creating twice.

A pod failure is acted on (replaced, counted, the Job failed) only after the Job's backoff: none
for its first failure, then 10 s doubling up to 6 min, reset once a sync changes the status
without a new failure. Upstream delays the Job's key in its work queue (getBackoff of the key's
requeues); here the sync itself waits, and `backoff_remaining` tells the adapter when to come back.

Tracking with finalizers (JobTrackingWithFinalizers, beta and on in the pinned 1.24.0-alpha.1 tree
whose binaries we compare against; 1.24.0 itself turned it off, kubernetes#109487): a Job the
apiserver marked with the `batch.kubernetes.io/job-tracking` annotation has its pods created with
the finalizer of that name, so that a pod cannot vanish before it is counted. A finished pod's uid
goes to status.uncountedTerminatedPods first (one status write), then its finalizer is removed
(a strategic merge patch per pod), then it moves from the uncounted lists to succeeded or failed
and the Job may finish (a second write, of the Job the first one answered with). Each step waits
for the one before it, and a Job that fails deletes its active pods before any of them: a pod
whose delete failed is not let go of under a Job already Failed. A deleted pod that never finished
counts as failed. A Job without the annotation is tracked the legacy way: counted from the pods
that still exist, any leftover finalizers removed before the status is written. An Indexed Job
(indexedjob.py) runs one pod per pending completion index and counts succeeded indexes, not pods,
in status.completedIndexes. Adoption of orphans is not modelled.
"""
from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from reference_impl.machinery.actions import Delete, InOrder, RecordEvent, Update
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.objects import (controller_ref, meta_namespace_key, owner_reference, pod_active,
                                              pod_ready)
from reference_impl.client.workqueue import ItemExponentialFailureRateLimiter
from reference_impl.controller_manager import podcontrol
from reference_impl.controller_manager.expectations import ControllerExpectations
from reference_impl.controller_manager.indexedjob import (COMPLETION_INDEX_ANNOTATION, Intervals,
                                                          add_completion_index_env_variables,
                                                          calculate_succeeded_indexes,
                                                          duplicated_index_pods_for_removal,
                                                          first_pending_indexes, get_completion_index, has,
                                                          intervals_string, is_indexed_job,
                                                          pod_generate_name_with_index, total,
                                                          valid_completion_index, with_ordered_indexes)
from reference_impl.controller_manager.replicaset import BURST_REPLICAS
from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339

DEFAULT_BACKOFF_LIMIT = 6
DEFAULT_JOB_BACKOFF, MAX_JOB_BACKOFF = 10.0, 360.0
# podUpdateBatchPeriod: a pod change enqueues its Job this much later, so that the Job's own status
# write of the sync that created the pod is in the cache before the Job is synced again. 1.24.0
# turns it on with JobReadyPods (beta there; the pinned 1.24.0-alpha.1 tree still has it alpha, off).
POD_UPDATE_BATCH_PERIOD = 0.5
EVENT_SOURCE = "job-controller"
# The finalizer a tracked Job's pods carry, and the annotation (same name) that marks the Job tracked.
JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
# At most this many uids in uncountedTerminatedPods (its representation stays under 20 KB); a sync
# stops counting there, and the status and pod updates bring the Job back for the rest.
MAX_UNCOUNTED_PODS = 500


@dataclass(frozen=True)
class RemoveTrackingFinalizers:
    """The tracking finalizer removed from each of `pods` ((name, uid) pairs), one strategic merge
    patch each, all sent even when one fails; done when every patch succeeded or found the pod gone.
    With a `job_key`, the removals are expected (the Job's finalizer expectations) as they are sent,
    and a failed one is no longer expected."""
    namespace: str
    pods: tuple
    job_key: str = ""


@dataclass(frozen=True)
class DeleteJobPod:
    """A pod the Job no longer wants: its tracking finalizer removed first (`removal`, when it
    has one), then the pod deleted. When either request fails the Job's expected deletion is
    observed at once, since the informer will never see it (failDelete); a pod already gone
    counts as deleted."""
    job_key: str
    delete: Delete
    removal: RemoveTrackingFinalizers | None = None


class DeleteActivePods(podcontrol.DeletePods):
    """The active pods of a Job that has just failed, deleted with their finalizers kept, all at
    once (deleteActivePods). A tracked Job's opens the InOrder of the tracking writes, so that a pod whose delete
    failed is neither let go of nor left running under a Job already Failed (upstream drops the
    finished condition when fewer pods were deleted than were active); a legacy Job's status is
    written whatever its answers, as upstream pretends every pod was deleted."""


@dataclass(frozen=True)
class UpdateAfterWrite(Update):
    """A status write that follows another of the same Job in one InOrder: sent with the
    resourceVersion the previous write was answered with, as upstream writes the Job its first
    UpdateStatus returned. A change made to the Job in between (a label, the garbage collector's
    foregroundDeletion finalizer) makes it a conflict instead of being undone, since the status
    strategy stores the metadata of the body."""


@dataclass(frozen=True)
class ManageJob:
    """manageJob's pod creates (a SlowStartCreates) or deletes (DeleteJobPod each), and then the
    rest of the sync: `then(uncreated, undeleted)` gives its status writes once the requests are
    answered, `uncreated` counting the pods whose create failed or was never sent, `undeleted`
    those whose delete failed. Upstream's manageJob counts only the requests that worked in the
    active count it returns, so status.active counts the pods that exist or were created; a
    create refused because the namespace is terminating counts as done (manageJob ignores that
    error). `job` is the Job as the sync found it, with the startTime it gave a Job not started;
    `then` works on a copy of it, so that a resume it decides (a new startTime) is read from its
    status writes."""
    requests: tuple
    job: dict
    then: Callable[[int, int], list]


@dataclass(frozen=True)
class FailedPodsDetected:
    """syncJob's error "failed pod(s) detected for job key": a sync that acted on a new pod failure
    of a Job left unfinished fails, so that its key comes back rate-limited (AddRateLimited, 10 s
    doubling), and that count is the backoff of the Job's next failure (getBackoff)."""
    job_key: str


@dataclass(frozen=True)
class _CountedJob:
    """What a sync found before manageJob: the Job with the status it is building (`job`), the
    status it had, its pods and their counts."""
    job: dict
    old_status: dict
    owned: list
    tracking: bool
    expected_rm: set
    succeeded: int
    failed: int
    previous_indexes: Intervals
    succeeded_indexes: Intervals
    new_failure: bool
    now: float


@mirrors("k8s.io/kubernetes/pkg/controller/job.removeTrackingFinalizerPatch")
def remove_tracking_finalizer_patch() -> dict:
    return {"metadata": {"$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER]}}


@mirrors("k8s.io/kubernetes/pkg/controller/job.hasJobTrackingFinalizer")
def has_job_tracking_finalizer(pod: dict) -> bool:
    return JOB_TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or [])


@mirrors("k8s.io/kubernetes/pkg/controller/job.trackingUncountedPods")
def tracking_uncounted_pods(job: dict) -> bool:
    """The feature gate is on (as in the pinned tree): the annotation decides."""
    return JOB_TRACKING_FINALIZER in (job["metadata"].get("annotations") or {})


def _removal(job: dict, pods: list[dict], job_key: str = "") -> RemoveTrackingFinalizers:
    return RemoveTrackingFinalizers(job["metadata"]["namespace"],
                                    tuple((p["metadata"]["name"], p["metadata"]["uid"]) for p in pods), job_key)


def _delete_pod(job: dict, pod: dict) -> Delete:
    return podcontrol.delete_pod(EVENT_SOURCE, job, "Job", "batch/v1", pod)


@mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).deleteJobPods")
def _delete_job_pod(job: dict, pod: dict) -> DeleteJobPod:
    """A pod the Job no longer wants (suspended, parallelism lowered) loses its tracking finalizer
    first, uncounted, and is deleted only once that worked."""
    removal = _removal(job, [pod]) if has_job_tracking_finalizer(pod) else None
    return DeleteJobPod(meta_namespace_key(job), _delete_pod(job, pod), removal)


def _finished_event(job: dict, finished: dict) -> RecordEvent:
    """Completed "Job completed", or a Warning with the Failed condition's reason and message;
    recorded as the condition is set, before the status update is sent."""
    if finished["type"] == "Complete":
        return podcontrol.record(EVENT_SOURCE, job, "Job", "batch/v1", "Normal", "Completed", "Job completed")
    return podcontrol.record(EVENT_SOURCE, job, "Job", "batch/v1", "Warning", finished["reason"], finished["message"])


def _suspended_or_resumed(job: dict, status: dict, now: float) -> list[RecordEvent]:
    """The Suspended condition follows spec.suspend, with a Suspended or Resumed event when it
    changes; a resumed Job starts anew, so its activeDeadlineSeconds counts from now."""
    conditions = status.setdefault("conditions", [])
    if job_suspended(job):
        changed = ensure_job_condition_status(conditions, "Suspended", "True", "JobSuspended", "Job suspended", now)
        reason, message = "Suspended", "Job suspended"
    else:
        changed = ensure_job_condition_status(conditions, "Suspended", "False", "JobResumed", "Job resumed", now)
        reason, message = "Resumed", "Job resumed"
        if changed:
            status["startTime"] = rfc3339(now)
    if not conditions:
        del status["conditions"]  # omitempty: a Job never suspended has none
    if not changed:
        return []
    return [podcontrol.record(EVENT_SOURCE, job, "Job", "batch/v1", "Normal", reason, message)]


@mirrors("k8s.io/kubernetes/pkg/controller/job.IsJobFinished")
def is_job_finished(job: dict) -> bool:
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in job.get("status", {}).get("conditions") or [])


@mirrors("k8s.io/kubernetes/pkg/controller/job.newCondition")
def new_condition(type_: str, reason: str, message: str, now: float) -> dict:
    c = {"type": type_, "status": "True", "lastProbeTime": rfc3339(now), "lastTransitionTime": rfc3339(now)}
    c.update({k: v for k, v in (("reason", reason), ("message", message)) if v})  # omitempty
    return c


@mirrors("k8s.io/kubernetes/pkg/controller/job.jobSuspended")
def job_suspended(job: dict) -> bool:
    return bool(job["spec"].get("suspend"))


@mirrors("k8s.io/kubernetes/pkg/controller/job.pastActiveDeadline")
def past_active_deadline(job: dict, now: float) -> bool:
    """A suspended Job's deadline never passes."""
    deadline = job["spec"].get("activeDeadlineSeconds")
    start = job.get("status", {}).get("startTime")
    return (deadline is not None and start is not None and not job_suspended(job)
            and now - parse_rfc3339(start) >= deadline)


@mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).updateJob")
def deadline_remaining(job: dict, now: float) -> float | None:
    """Seconds until an unfinished Job's activeDeadlineSeconds runs out, when it has one running:
    upstream's queue.AddAfter of its key as the Job starts and as the deadline is changed."""
    deadline = job["spec"].get("activeDeadlineSeconds")
    start = job.get("status", {}).get("startTime")
    if deadline is None or start is None or job_suspended(job) or is_job_finished(job):
        return None
    return max(0.0, parse_rfc3339(start) + deadline - now)


@mirrors("k8s.io/kubernetes/pkg/controller/job.pastBackoffLimitOnFailure")
def past_backoff_limit_on_failure(job: dict, pods: list[dict]) -> bool:
    """With restartPolicy OnFailure a failing container restarts in its pod instead of failing it:
    the restarts of the running and pending pods count against backoffLimit."""
    if ((job["spec"].get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = sum(container.get("restartCount", 0)
                   for pod in pods if _phase(pod) in ("Running", "Pending")
                   for key in ("initContainerStatuses", "containerStatuses")
                   for container in (pod.get("status") or {}).get(key) or [])
    limit = job["spec"].get("backoffLimit", DEFAULT_BACKOFF_LIMIT)
    return restarts > 0 if limit == 0 else restarts >= limit


@mirrors("k8s.io/kubernetes/pkg/controller/job.ensureJobConditionStatus")
def ensure_job_condition_status(conditions: list[dict], type_: str, status: str, reason: str, message: str,
                                now: float) -> bool:
    """Set the condition of `type_` in place; True when it changed. A condition not there yet is
    added only when its status is not False."""
    for c in conditions:
        if c.get("type") == type_:
            if (c.get("status"), c.get("reason"), c.get("message")) == (status, reason, message):
                return False
            c.update(status=status, reason=reason, message=message, lastTransitionTime=rfc3339(now))
            return True
    if status == "False":
        return False
    conditions.append({**new_condition(type_, reason, message, now), "status": status})
    return True


@mirrors("k8s.io/kubernetes/pkg/controller/job.getBackoff")
def get_backoff(requeues: int) -> float:
    return 0.0 if requeues <= 0 else min(DEFAULT_JOB_BACKOFF * 2 ** (requeues - 1), MAX_JOB_BACKOFF)


def pod_from_template(job: dict, index: int | None = None) -> dict:
    """controller.GetPodFromTemplate for a Job: generateName "<job>-", controlled by the Job; a
    tracked Job's pod carries the tracking finalizer. An Indexed Job's containers read
    JOB_COMPLETION_INDEX, and its pod of completion `index` has that annotation, the hostname
    "<job>-<index>" and generateName "<job>-<index>-" (manageJob)."""
    template = job["spec"]["template"]
    meta = copy.deepcopy(template.get("metadata") or {})
    spec = copy.deepcopy(template.get("spec") or {})
    meta.pop("name", None)
    if tracking_uncounted_pods(job) and JOB_TRACKING_FINALIZER not in (meta.get("finalizers") or []):
        meta["finalizers"] = list(meta.get("finalizers") or []) + [JOB_TRACKING_FINALIZER]
    meta["generateName"] = f"{job['metadata']['name']}-"
    if is_indexed_job(job):
        add_completion_index_env_variables(spec)
    if index is not None:
        meta["annotations"] = {**(meta.get("annotations") or {}), COMPLETION_INDEX_ANNOTATION: str(index)}
        spec["hostname"] = f"{job['metadata']['name']}-{index}"
        meta["generateName"] = pod_generate_name_with_index(job["metadata"]["name"], index)
    meta["namespace"] = job["metadata"]["namespace"]
    meta["ownerReferences"] = [owner_reference(job, "Job", "batch/v1")]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def _removal_rank(pod: dict) -> tuple:
    """controller.ActivePods' order here: unscheduled, then not ready, then the rest by name."""
    return (bool(pod.get("spec", {}).get("nodeName")), pod_ready(pod), pod["metadata"]["name"])


@mirrors("k8s.io/kubernetes/pkg/controller/job.activePodsForRemoval")
def active_pods_for_removal(job: dict, pods: list[dict], count: int) -> list[dict]:
    """At least `count` pods, the cheapest to lose first; of an Indexed Job, also every pod whose
    index is missing, out of range or run by another pod too."""
    remove, left = ([], pods) if not is_indexed_job(job) else \
        duplicated_index_pods_for_removal(pods, job["spec"].get("completions") or 0, _removal_rank)
    if len(remove) < count:
        remove += sorted(left, key=_removal_rank)[:count - len(remove)]
    return remove


def _phase(pod: dict) -> str:
    return pod.get("status", {}).get("phase", "Pending")


def _set_count(status: dict, field: str, count: int) -> None:
    """JobStatus's counts are omitempty: a zero count is absent, not 0."""
    if count:
        status[field] = count
    else:
        status.pop(field, None)


@mirrors("k8s.io/kubernetes/pkg/controller/job.getStatus",
         "k8s.io/kubernetes/pkg/controller/job.countValidPodsWithFilter")
def get_status(job: dict, pods: list[dict], tracking: bool, expected_rm: set[str]) -> tuple[int, int]:
    """(succeeded, failed). Tracked: the counts in the status, the uids still uncounted, and the
    pods that finished since and still carry their finalizer (a pod being deleted before it
    succeeded counts as failed). Legacy: the pods that exist, by phase. An Indexed Job's pods
    count only with a valid index."""
    if is_indexed_job(job):
        pods = [p for p in pods if valid_completion_index(job, p)]
    if not tracking:
        return (sum(1 for p in pods if _phase(p) == "Succeeded"), sum(1 for p in pods if _phase(p) == "Failed"))
    status = job.get("status") or {}
    uncounted = status.get("uncountedTerminatedPods") or {}

    def count(outcome: str, finished) -> int:
        listed = set(uncounted.get(outcome) or [])
        return status.get(outcome, 0) + len(listed) + sum(
            1 for p in pods if has_job_tracking_finalizer(p) and p["metadata"]["uid"] not in listed
            and p["metadata"]["uid"] not in expected_rm and finished(p))
    return (count("succeeded", lambda p: _phase(p) == "Succeeded"),
            count("failed", lambda p: _phase(p) == "Failed"
                  or (bool(p["metadata"].get("deletionTimestamp")) and _phase(p) != "Succeeded")))


@mirrors("k8s.io/kubernetes/pkg/controller/job.cleanUncountedPodsWithoutFinalizers")
def clean_uncounted_pods_without_finalizers(status: dict, with_finalizer: set[str]) -> bool:
    """The uncounted uids whose pods no longer carry the finalizer move to the counts; whether any did."""
    uncounted, updated = status["uncountedTerminatedPods"], False
    for outcome in ("succeeded", "failed"):
        listed = uncounted.get(outcome) or []
        kept = [uid for uid in listed if uid in with_finalizer]
        if len(kept) != len(listed):
            updated = True
            _set_count(status, outcome, status.get(outcome, 0) + len(listed) - len(kept))
            if kept:
                uncounted[outcome] = kept
            else:
                uncounted.pop(outcome, None)  # omitempty
    return updated


@mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).enactJobFinished")
def _enact_job_finished(job: dict, status: dict, finished: dict) -> list[RecordEvent]:
    """The finished condition added (and a Complete Job's completionTime), with its events; nothing
    while pods are left uncounted, the Job is not finished yet then."""
    uncounted = status.get("uncountedTerminatedPods") or {}
    if uncounted.get("succeeded") or uncounted.get("failed"):
        return []
    status["conditions"] = list(status.get("conditions") or []) + [finished]
    events = []
    if finished["type"] == "Complete":
        completions = job["spec"].get("completions")
        if completions is not None and status.get("succeeded", 0) > completions:
            events.append(podcontrol.record(EVENT_SOURCE, job, "Job", "batch/v1", "Warning", "TooManySucceededPods",
                                            "Too many succeeded pods running after completion count reached"))
        status["completionTime"] = finished["lastTransitionTime"]
    return events + [_finished_event(job, finished)]


def _completed(counted: _CountedJob, active: int) -> dict | None:
    """The Complete condition, once enough pods succeeded (any one, without completions) and
    none is active."""
    completions = counted.job["spec"].get("completions")
    done = counted.succeeded > 0 if completions is None else counted.succeeded >= completions
    return new_condition("Complete", "", "", counted.now) if done and active == 0 else None


class JobController:
    def __init__(self, clock, burst_replicas: int = BURST_REPLICAS):
        self.clock = clock
        self.expectations = ControllerExpectations(clock)
        self.burst_replicas = burst_replicas
        # The Job work queue's rate limiter: a key's failures are its NumRequeues, one count that
        # failed syncs raise, getBackoff reads and only a sync answering forget resets.
        self.rate_limiter = ItemExponentialFailureRateLimiter(DEFAULT_JOB_BACKOFF, MAX_JOB_BACKOFF)
        # The Job keys whose last sync answered forget; processNextWorkItem forgets one only if
        # the whole sync, its status write included, then succeeds (forget && err == nil).
        self._forget_answers: set[str] = set()
        self._not_before: dict[str, float] = {}  # when a Job with a new pod failure may be synced
        # uidTrackingExpectations: per Job key, the pods whose finalizer removal was sent and not yet seen.
        self.finalizer_expectations: dict[str, set[str]] = {}

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.uidTrackingExpectations).expectFinalizersRemoved")
    def expect_finalizers_removed(self, key: str, uids: list[str]) -> None:
        self.finalizer_expectations.setdefault(key, set()).update(uids)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.uidTrackingExpectations).finalizerRemovalObserved")
    def finalizer_removal_observed(self, key: str, uid: str) -> None:
        self.finalizer_expectations.get(key, set()).discard(uid)

    @staticmethod
    def _job_key(pod: dict, ref: dict | None) -> str | None:
        return f"{pod['metadata']['namespace']}/{ref['name']}" if ref and ref.get("kind") == "Job" else None

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).addPod")
    def add_pod(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self.delete_pod(pod, final=False)
            return
        key = self._job_key(pod, controller_ref(pod))
        if key:
            self.expectations.creation_observed(key)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).updatePod")
    def update_pod(self, old: dict, cur: dict) -> None:
        """A pod seen without its finalizer is no longer expected to lose it, by its old Job and its new."""
        if cur["metadata"].get("deletionTimestamp"):
            self.delete_pod(cur, final=False)
            return
        if has_job_tracking_finalizer(cur):
            return
        for key in {self._job_key(old, controller_ref(old)), self._job_key(cur, controller_ref(cur))} - {None}:
            self.finalizer_removal_observed(key, cur["metadata"]["uid"])

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).deletePod")
    def delete_pod(self, pod: dict, final: bool = True) -> None:
        key = self._job_key(pod, controller_ref(pod))
        if key:
            self.expectations.deletion_observed(key)
            if final or not has_job_tracking_finalizer(pod):
                self.finalizer_removal_observed(key, pod["metadata"]["uid"])

    def backoff_remaining(self, key: str) -> float | None:
        """Seconds until the Job, waiting out its backoff after a pod failure, is to be synced."""
        not_before = self._not_before.get(key)
        return None if not_before is None else max(0.0, not_before - self.clock.now())

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).updatePod",
             "(*k8s.io/kubernetes/pkg/controller/job.Controller).enqueueControllerDelayed")
    def _backing_off(self, key: str, new_failure: bool, now: float) -> bool:
        """Whether a sync that found a new pod failure must wait for the Job's backoff; one that
        acts on it leaves none to wait out (the key's requeue is FailedPodsDetected's)."""
        if not new_failure:
            self._not_before.pop(key, None)
            return False
        not_before = self._not_before.setdefault(key, now + get_backoff(self.rate_limiter.num_requeues(key)))
        if now < not_before:
            return True
        del self._not_before[key]
        return False

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).processNextWorkItem")
    def take_forget_answer(self, key: str) -> bool:
        """Whether the key's last sync answered forget; the answer is consumed."""
        if key not in self._forget_answers:
            return False
        self._forget_answers.remove(key)
        return True

    def _answer(self, key: str, new_failure: bool, status_changed: bool, more_succeeded: bool) -> list:
        """How syncJob ends: a sync that acted on a new failure of an unfinished Job ends in an
        error (the work queue counts its requeue); one that wrote the status otherwise, or saw
        more successes, answers forget."""
        if new_failure:
            return [FailedPodsDetected(key)]
        if status_changed or more_succeeded:
            self._forget_answers.add(key)
        return []

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).syncJob")
    def sync_deleted(self, key: str) -> list:
        """The sync of a key whose Job is gone ("Job has been deleted"): its expectations are
        dropped and it answers forget, so that the work queue forgets the key's requeues too
        and a Job created again under the name starts with no backoff."""
        self.expectations.delete(key)
        self.finalizer_expectations.pop(key, None)
        self._not_before.pop(key, None)
        self._forget_answers.add(key)
        return []

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).syncJob")
    def sync(self, job: dict, pods: list[dict]) -> list:
        """Actions for `job` given every pod in its namespace. When manageJob sends requests, the
        status writes wait for their answers (a ManageJob)."""
        if is_job_finished(job):
            self._forget_answers.add(meta_namespace_key(job))
            return []
        now, key, spec = self.clock.now(), meta_namespace_key(job), job["spec"]
        tracking = tracking_uncounted_pods(job)
        status = copy.deepcopy(job.get("status") or {})
        expected_rm: set[str] = set()
        if tracking:
            status["uncountedTerminatedPods"] = status.get("uncountedTerminatedPods") or {}
            expected_rm = self.finalizer_expectations.get(key, set()).copy()
        needs_sync = self.expectations.satisfied(key)
        owned = self._pods_for_job(job, pods)
        active_pods = [p for p in owned if pod_active(p)]
        active = len(active_pods)
        succeeded, failed = get_status(job, owned, tracking, expected_rm)
        previous_indexes: Intervals = []
        succeeded_indexes: Intervals = []
        if is_indexed_job(job):
            previous_indexes, succeeded_indexes = calculate_succeeded_indexes(
                job, owned, tracking, has_job_tracking_finalizer)
            succeeded = total(succeeded_indexes)
        if "startTime" not in status and not job_suspended(job):
            status["startTime"] = rfc3339(now)
        timed = dict(job, status=status)

        parallelism, backoff_limit = spec.get("parallelism", 1), spec.get("backoffLimit", DEFAULT_BACKOFF_LIMIT)
        new_failure = failed > status.get("failed", 0)
        if self._backing_off(key, new_failure, now):
            return []
        counted = _CountedJob(timed, job.get("status") or {}, owned, tracking, expected_rm, succeeded, failed,
                              previous_indexes, succeeded_indexes, new_failure, now)
        # Upstream's test: a failure only fails the Job while it is not running at full parallelism.
        finished = None
        if (new_failure and active != parallelism and failed > backoff_limit) or \
                past_backoff_limit_on_failure(job, owned):
            finished = new_condition("Failed", "BackoffLimitExceeded",
                                     "Job has reached the specified backoff limit", now)
        elif past_active_deadline(timed, now):
            finished = new_condition("Failed", "DeadlineExceeded",
                                     "Job was active longer than specified deadline", now)
        if finished is not None:
            # deleteActivePods: the finalizers stay; the tracking below counts these pods as failed.
            # Tracked, the deletes open the tracking writes; legacy, they are sent on their own.
            # No deletions are expected, as upstream expects none here.
            deleting = tuple(_delete_pod(job, p) for p in active_pods)
            counted = replace(counted, failed=failed + active)
            sent_alone = [DeleteActivePods(deleting)] if deleting and not tracking else []
            return sent_alone + self._write_status(counted, 0, finished, False, deleting)
        if not needs_sync or job["metadata"].get("deletionTimestamp"):
            return self._write_status(counted, active, _completed(counted, active), False)
        active, requests = self._manage_job(job, active_pods, succeeded, succeeded_indexes)
        if not requests:
            return self._after_manage_job(counted, active, 0, 0)
        return [ManageJob(tuple(requests), timed, functools.partial(self._after_manage_job, counted, active))]

    def _after_manage_job(self, counted: _CountedJob, active: int, uncreated: int, undeleted: int) -> list:
        """The rest of a sync that called manageJob, the active count it returned corrected for
        the pods not created and those not deleted: complete, or the Suspended condition
        following spec.suspend, then the status. It works on a copy of the Job the sync read."""
        counted = replace(counted, job=copy.deepcopy(counted.job))
        active += undeleted - uncreated
        finished = _completed(counted, active)
        events = [] if finished is not None else _suspended_or_resumed(counted.job, counted.job["status"], counted.now)
        return events + self._write_status(counted, active, finished, bool(events))

    def _write_status(self, counted: _CountedJob, active: int, finished: dict | None, suspend_changed: bool,
                      deleting: tuple = ()) -> list:
        """The status writes of a sync, with the failed Job's `deleting` opening a tracked Job's."""
        job, key = counted.job, meta_namespace_key(counted.job)
        status, old_status = job["status"], counted.old_status
        if counted.tracking:
            needs_flush = suspend_changed or active != old_status.get("active", 0)
            _set_count(status, "active", active)
            writes, job_finished = self._track_status_and_remove_finalizers(
                job, counted.owned, counted.expected_rm, finished, needs_flush, counted.previous_indexes)
            if deleting:
                writes = InOrder((DeleteActivePods(deleting), *writes.actions))
            # A new failure that left the Job unfinished (uids still uncounted) is an error upstream:
            # the key comes back after the backoff.
            return [writes, *self._answer(key, counted.new_failure and not job_finished, True, False)]
        # Legacy tracking: counted from the pods that exist; leftover tracking finalizers go, and
        # the status is written only once they have.
        actions: list = []
        with_finalizer = [p for p in counted.owned if has_job_tracking_finalizer(p)]
        writes: list = [_removal(job, with_finalizer)] if with_finalizer else []
        status.pop("uncountedTerminatedPods", None)
        for field, count in (("active", active), ("succeeded", counted.succeeded), ("failed", counted.failed)):
            _set_count(status, field, count)
        if is_indexed_job(job):
            status["completedIndexes"] = intervals_string(counted.succeeded_indexes)
            if not status["completedIndexes"]:
                del status["completedIndexes"]  # omitempty
        if finished is not None:
            actions += _enact_job_finished(job, status, finished)
        status_changed = status != old_status
        if status_changed:
            writes.append(Update("jobs", job["metadata"]["namespace"], job, "status"))
        if writes:
            actions.append(InOrder(tuple(writes)) if len(writes) > 1 else writes[0])
        return actions + self._answer(key, counted.new_failure and finished is None, status_changed,
                                      counted.succeeded > old_status.get("succeeded", 0))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).trackJobStatusAndRemoveFinalizers",
             "(*k8s.io/kubernetes/pkg/controller/job.Controller).flushUncountedAndRemoveFinalizers")
    def _track_status_and_remove_finalizers(self, job: dict, pods: list[dict], expected_rm: set[str],
                                            finished: dict | None, needs_flush: bool,
                                            succeeded_indexes: Intervals) -> tuple[InOrder, bool]:
        """The writes of a tracked Job's sync, each sent only once the one before it worked: the
        status with the newly finished (or terminating) pods added to uncountedTerminatedPods;
        their finalizers removed; the status with those pods moved to the counts, and the finished
        condition once nothing is left uncounted. Also whether the Job ends finished. An Indexed
        Job's succeeded pods are counted by index at once (`succeeded_indexes`: those the status
        holds), in index order, not listed as uncounted; its pods without a valid index are not
        counted at all."""
        status = job["status"]
        uncounted = status["uncountedTerminatedPods"]
        already = {outcome: set(uncounted.get(outcome) or []) for outcome in ("succeeded", "failed")}
        with_finalizer = {p["metadata"]["uid"] for p in pods
                          if has_job_tracking_finalizer(p) and p["metadata"]["uid"] not in expected_rm}
        needs_flush = clean_uncounted_pods_without_finalizers(status, with_finalizer) or needs_flush
        to_remove = []
        indexed = is_indexed_job(job)
        new_indexes: list[int] = []
        if indexed:
            pods = sorted(pods, key=get_completion_index)
        for pod in pods:
            uid = pod["metadata"]["uid"]
            if not has_job_tracking_finalizer(pod) or uid in expected_rm:
                continue
            phase = _phase(pod)
            # A pod being deleted counts as failed (an orphan never reaches Failed), as do the
            # active pods of a Job that has just finished.
            terminating = bool(pod["metadata"].get("deletionTimestamp")) or finished is not None
            if phase in ("Succeeded", "Failed") or terminating or job["metadata"].get("deletionTimestamp"):
                to_remove.append(pod)
            outcome = "succeeded" if phase == "Succeeded" else \
                "failed" if phase == "Failed" or terminating else None
            if outcome == "succeeded" and indexed:
                index = get_completion_index(pod)
                if valid_completion_index(job, pod) and not has(succeeded_indexes, index):
                    new_indexes.append(index)
                    needs_flush = True
            elif outcome and uid not in already[outcome] and (not indexed or valid_completion_index(job, pod)):
                uncounted.setdefault(outcome, []).append(uid)
                needs_flush = True
            if len(new_indexes) + sum(len(uncounted.get(o) or []) for o in already) >= MAX_UNCOUNTED_PODS:
                break
        if new_indexes:
            succeeded_indexes = with_ordered_indexes(succeeded_indexes, new_indexes)
            _set_count(status, "succeeded", total(succeeded_indexes))
            status["completedIndexes"] = intervals_string(succeeded_indexes)
        writes: list = []
        namespace = job["metadata"]["namespace"]
        if needs_flush:
            writes.append(Update("jobs", namespace, copy.deepcopy(job), "status"))
            needs_flush = False
        if to_remove:
            writes.append(_removal(job, to_remove, meta_namespace_key(job)))
            with_finalizer -= {p["metadata"]["uid"] for p in to_remove}
        needs_flush = clean_uncounted_pods_without_finalizers(status, with_finalizer) or needs_flush
        events = _enact_job_finished(job, status, finished) if finished is not None else []
        writes += events
        needs_flush = needs_flush or bool(events)
        if needs_flush:
            # After a first write, the Job it answered with is the one written again.
            after_write = writes and isinstance(writes[0], Update)
            write = UpdateAfterWrite if after_write else Update
            writes.append(write("jobs", namespace, copy.deepcopy(job), "status"))
        return InOrder(tuple(writes)), bool(events)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).getPodsForJob")
    def _pods_for_job(self, job: dict, pods: list[dict]) -> list[dict]:
        """The pods the Job controls (and, when it has one, its selector still matches); orphans
        are not adopted here."""
        uid, selector = job["metadata"]["uid"], job["spec"].get("selector")
        return [p for p in pods if (controller_ref(p) or {}).get("uid") == uid
                and (selector is None or selector_matches(selector, p["metadata"].get("labels")))]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).manageJob")
    def _manage_job(self, job: dict, active_pods: list[dict], succeeded: int,
                    succeeded_indexes: Intervals) -> tuple[int, list]:
        """(the active count once this sync's requests have all worked, the requests)."""
        spec, key = job["spec"], meta_namespace_key(job)
        active = len(active_pods)
        parallelism = 0 if spec.get("suspend") else spec.get("parallelism", 1)
        completions = spec.get("completions")
        if completions is None:
            # Without completions the Job is done once any pod succeeds: no new pods after that.
            want = min(active, parallelism) if succeeded > 0 else parallelism
        else:
            want = max(0, min(completions - succeeded, parallelism))
        # Deletes take precedence: an Indexed Job with a repeated index deletes before it creates.
        victims = active_pods_for_removal(job, active_pods, max(0, active - want))[:self.burst_replicas]
        if victims:
            self.expectations.expect_deletions(key, len(victims))
            return active - len(victims), [_delete_job_pod(job, p) for p in victims]
        if active < want:
            count = min(want - active, self.burst_replicas)
            # As upstream, the creations are expected before the pending indexes are counted.
            self.expectations.expect_creations(key, count)
            indexes: list = [None] * count
            if is_indexed_job(job):
                indexes = first_pending_indexes(active_pods, succeeded_indexes, count, completions)
            # Sent in slow-start batches, the skipped ones no longer expected (manageJob's loop).
            return active + len(indexes), [podcontrol.SlowStartCreates(tuple(
                podcontrol.create_pod(EVENT_SOURCE, job, "Job", "batch/v1", pod_from_template(job, index))
                for index in indexes))] if indexes else []
        return active, []
