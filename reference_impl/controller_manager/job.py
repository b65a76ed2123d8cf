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

This is the 1.24 controller without finalizer-based tracking, as 1.24.0 runs it by default
(JobTrackingWithFinalizers is beta but off there, kubernetes#109487; the pinned 1.24.0-alpha.1
tree still has it on): succeeded and failed are counted from the pods that still exist, and
Indexed completion mode is not modelled.
"""
from __future__ import annotations

import copy

from reference_impl.machinery.actions import Delete, RecordEvent, Update
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.objects import (controller_ref, meta_namespace_key, owner_reference, pod_active,
                                              pod_ready)
from reference_impl.controller_manager import podcontrol
from reference_impl.controller_manager.expectations import ControllerExpectations
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


def _delete_pod(job: dict, pod: dict) -> Delete:
    return podcontrol.delete_pod(EVENT_SOURCE, job, "Job", "batch/v1", pod)


@mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).enactJobFinished")
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


def pod_from_template(job: dict) -> dict:
    """controller.GetPodFromTemplate for a Job: generateName "<job>-", controlled by the Job."""
    template = job["spec"]["template"]
    meta = copy.deepcopy(template.get("metadata") or {})
    meta.pop("name", None)
    meta["generateName"] = f"{job['metadata']['name']}-"
    meta["namespace"] = job["metadata"]["namespace"]
    meta["ownerReferences"] = [owner_reference(job, "Job", "batch/v1")]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


@mirrors("k8s.io/kubernetes/pkg/controller/job.activePodsForRemoval")
def active_pods_for_removal(pods: list[dict], count: int) -> list[dict]:
    """The cheapest pods to lose first: unscheduled, then not ready, then the rest by name."""
    return sorted(pods, key=lambda p: (bool(p.get("spec", {}).get("nodeName")), pod_ready(p),
                                       p["metadata"]["name"]))[:count]


def _phase(pod: dict) -> str:
    return pod.get("status", {}).get("phase", "Pending")


class JobController:
    def __init__(self, clock, burst_replicas: int = BURST_REPLICAS):
        self.clock = clock
        self.expectations = ControllerExpectations(clock)
        self.burst_replicas = burst_replicas
        self._requeues: dict[str, int] = {}  # the work queue's NumRequeues of each Job key
        self._not_before: dict[str, float] = {}  # when a Job with a new pod failure may be synced

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).addPod")
    def add_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "Job" and not pod["metadata"].get("deletionTimestamp"):
            self.expectations.creation_observed(f"{pod['metadata']['namespace']}/{ref['name']}")

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).deletePod")
    def delete_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "Job":
            self.expectations.deletion_observed(f"{pod['metadata']['namespace']}/{ref['name']}")

    def delete_job(self, job: dict) -> None:
        key = meta_namespace_key(job)
        self.expectations.delete(key)
        self._requeues.pop(key, None)
        self._not_before.pop(key, None)

    def backoff_remaining(self, key: str) -> float | None:
        """Seconds until the Job, waiting out its backoff after a pod failure, is to be synced."""
        not_before = self._not_before.get(key)
        return None if not_before is None else max(0.0, not_before - self.clock.now())

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).updatePod",
             "(*k8s.io/kubernetes/pkg/controller/job.Controller).enqueueControllerDelayed")
    def _backing_off(self, key: str, new_failure: bool, now: float) -> bool:
        """Whether a sync that found a new pod failure must wait for the Job's backoff."""
        if not new_failure:
            self._not_before.pop(key, None)
            return False
        not_before = self._not_before.setdefault(key, now + get_backoff(self._requeues.get(key, 0)))
        return now < not_before

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).processNextWorkItem")
    def _count_requeue(self, key: str, new_failure: bool, status_changed: bool, more_succeeded: bool) -> None:
        """A sync that acted on a new failure of an unfinished Job ends in an error, which requeues
        the key rate-limited; one that wrote the status otherwise, or saw more successes, forgets it."""
        if new_failure:
            self._requeues[key] = self._requeues.get(key, 0) + 1
            self._not_before.pop(key, None)
        elif status_changed or more_succeeded:
            self._requeues.pop(key, None)
            self._not_before.pop(key, None)  # a failure that finished the Job leaves no backoff to wait out

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).syncJob")
    def sync(self, job: dict, pods: list[dict]) -> list:
        """Actions for `job` given every pod in its namespace."""
        if is_job_finished(job):
            return []
        now, key, spec = self.clock.now(), meta_namespace_key(job), job["spec"]
        needs_sync = self.expectations.satisfied(key)
        owned = self._pods_for_job(job, pods)
        active_pods = [p for p in owned if pod_active(p)]
        active = len(active_pods)
        succeeded = sum(1 for p in owned if _phase(p) == "Succeeded")
        failed = sum(1 for p in owned if _phase(p) == "Failed")
        status = copy.deepcopy(job.get("status") or {})
        if "startTime" not in status and not job_suspended(job):
            status["startTime"] = rfc3339(now)
        timed = dict(job, status=status)

        parallelism, backoff_limit = spec.get("parallelism", 1), spec.get("backoffLimit", DEFAULT_BACKOFF_LIMIT)
        new_failure = failed > status.get("failed", 0)
        if self._backing_off(key, new_failure, now):
            return []
        # Upstream's test: a failure only fails the Job while it is not running at full parallelism.
        finished = None
        if (new_failure and active != parallelism and failed > backoff_limit) or \
                past_backoff_limit_on_failure(job, owned):
            finished = new_condition("Failed", "BackoffLimitExceeded",
                                     "Job has reached the specified backoff limit", now)
        elif past_active_deadline(timed, now):
            finished = new_condition("Failed", "DeadlineExceeded",
                                     "Job was active longer than specified deadline", now)

        actions: list = []
        if finished is not None:
            actions += [_delete_pod(job, p) for p in active_pods]
            self.expectations.expect_deletions(key, len(active_pods))
            failed += active
            active = 0
        else:
            manage_job_called = needs_sync and not job["metadata"].get("deletionTimestamp")
            if manage_job_called:
                active, created = self._manage_job(job, active_pods, succeeded)
                actions += created
            completions = spec.get("completions")
            complete = (succeeded > 0 if completions is None else succeeded >= completions) and active == 0
            if complete:
                finished = new_condition("Complete", "", "", now)
                status["completionTime"] = rfc3339(now)
            elif manage_job_called:
                actions += _suspended_or_resumed(job, status, now)
        if finished is not None:
            status["conditions"] = list(status.get("conditions") or []) + [finished]
            actions.append(_finished_event(job, finished))
        # JobStatus's counts are omitempty: a zero count is absent, not 0.
        for field, count in (("active", active), ("succeeded", succeeded), ("failed", failed)):
            if count:
                status[field] = count
            else:
                status.pop(field, None)
        status_changed = status != (job.get("status") or {})
        if status_changed:
            actions.append(Update("jobs", job["metadata"]["namespace"], timed, "status"))
        self._count_requeue(key, new_failure and finished is None, status_changed,
                            succeeded > (job.get("status") or {}).get("succeeded", 0))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).getPodsForJob")
    def _pods_for_job(self, job: dict, pods: list[dict]) -> list[dict]:
        """The pods the Job controls (and, when it has one, its selector still matches); orphans
        are not adopted here."""
        uid, selector = job["metadata"]["uid"], job["spec"].get("selector")
        return [p for p in pods if (controller_ref(p) or {}).get("uid") == uid
                and (selector is None or selector_matches(selector, p["metadata"].get("labels")))]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).manageJob")
    def _manage_job(self, job: dict, active_pods: list[dict], succeeded: int) -> tuple[int, list]:
        """(the active count after this sync's requests, the requests)."""
        spec, key = job["spec"], meta_namespace_key(job)
        active = len(active_pods)
        parallelism = 0 if spec.get("suspend") else spec.get("parallelism", 1)
        completions = spec.get("completions")
        if completions is None:
            # Without completions the Job is done once any pod succeeds: no new pods after that.
            want = min(active, parallelism) if succeeded > 0 else parallelism
        else:
            want = max(0, min(completions - succeeded, parallelism))
        if active > want:
            victims = active_pods_for_removal(active_pods, active - want)
            self.expectations.expect_deletions(key, len(victims))
            return active - len(victims), [_delete_pod(job, p) for p in victims]
        if active < want:
            count = min(want - active, self.burst_replicas)
            self.expectations.expect_creations(key, count)
            return active + count, [podcontrol.create_pod(EVENT_SOURCE, job, "Job", "batch/v1", pod_from_template(job))
                                    for _ in range(count)]
        return active, []
