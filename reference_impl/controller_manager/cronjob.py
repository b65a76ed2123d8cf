"""The CronJob controller (1.24's ControllerV2): at each time its schedule names, create a Job
`<cronjob>-<scheduled time in minutes since the epoch>` from the jobTemplate, honouring
concurrencyPolicy (Allow, Forbid, Replace) and startingDeadlineSeconds, keep status.active,
lastScheduleTime and lastSuccessfulTime, and delete finished Jobs beyond the history limits.

Upstream puts a Job into status.active from the create call's answer (it needs the new UID) and
checks a missing one with a GET. A sans-IO sync has neither, so a Job it started (named after a
scheduled time since status.lastScheduleTime) enters status.active once the Job cache shows it,
and a Job leaves once the cache no longer does; any other unfinished Job it controls is an
UnexpectedJob, as upstream's. The deterministic Job name makes a create from a stale cache a
harmless 409, as it is upstream.
"""
from __future__ import annotations

import copy
import json

from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, Update
from reference_impl.machinery.objects import condition, controller_ref, object_reference, owner_reference
from reference_impl.machinery.cron import CronError, parse_standard
from reference_impl.controller_manager.job import is_job_finished
from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339

EVENT_SOURCE = "cronjob-controller"
NEXT_SCHEDULE_DELTA = 0.1  # nextScheduleDelta: a CronJob is synced this long after its scheduled time


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getTimeHashInMinutes")
def time_hash_in_minutes(scheduled: float) -> int:
    return int(scheduled) // 60


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getJobName")
def job_name(cj: dict, scheduled: float) -> str:
    return f"{cj['metadata']['name']}-{time_hash_in_minutes(scheduled)}"


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getJobFromTemplate2")
def job_from_template(cj: dict, scheduled: float) -> dict:
    template = cj["spec"]["jobTemplate"]
    meta = template.get("metadata") or {}
    metadata = {"name": job_name(cj, scheduled), "namespace": cj["metadata"]["namespace"],
                "ownerReferences": [owner_reference(cj, "CronJob", "batch/v1")]}
    # copyLabels and copyAnnotations make empty maps, which omitempty leaves out of the Job.
    for key in ("labels", "annotations"):
        if meta.get(key):
            metadata[key] = dict(meta[key])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
            "spec": copy.deepcopy(template.get("spec") or {})}


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getMostRecentScheduleTime")
def most_recent_schedule_time(earliest: float, now: float, schedule) -> tuple[float | None, int]:
    """(the latest start time in (earliest, now], how many were missed). Like upstream it assumes
    evenly spaced start times from the first two, so the count is exact only for such schedules."""
    t1 = schedule.next(earliest)
    if t1 is None or now < t1:
        return None, 0
    t2 = schedule.next(t1)
    if t2 is None or now < t2:
        return t1, 1
    between = round(t2 - t1)
    missed = int(now - t1) // between + 1
    return t1 + (missed - 1) * between, missed


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.nextScheduledTimeDuration")
def next_scheduled_time_duration(schedule, now: float) -> float | None:
    """Seconds until the CronJob's key is to come back: just after its next scheduled time."""
    upcoming = schedule.next(now)
    return None if upcoming is None else upcoming + NEXT_SCHEDULE_DELTA - now


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getNextScheduleTime")
def next_schedule_time(cj: dict, now: float, schedule) -> tuple[float | None, int]:
    """(the start time to act on now, if any: the most recent one since the last start (or the
    CronJob's creation), no earlier than startingDeadlineSeconds ago; how many were missed)."""
    last = (cj.get("status") or {}).get("lastScheduleTime")
    earliest = parse_rfc3339(last) if last else parse_rfc3339(cj["metadata"]["creationTimestamp"])
    deadline = cj["spec"].get("startingDeadlineSeconds")
    if deadline is not None:
        earliest = max(earliest, now - deadline)
    if earliest > now:
        return None, 0
    return most_recent_schedule_time(earliest, now, schedule)


def _job_ref(job: dict) -> dict:
    """The ObjectReference status.active holds (getRef)."""
    return {"apiVersion": "batch/v1", "kind": "Job", "name": job["metadata"]["name"],
            "namespace": job["metadata"]["namespace"], "uid": job["metadata"]["uid"]}


def _started_here(cj: dict, job: dict) -> bool:
    """Whether this controller started `job` and has yet to list it: named for a scheduled time no
    earlier than status.lastScheduleTime (later when the Job is cached before the status write
    that records its start). Upstream has it in status.active from the create's answer, and
    rereads the CronJob before it calls a Job unexpected."""
    prefix, _, minutes = job["metadata"]["name"].rpartition("-")
    if prefix != cj["metadata"]["name"] or not minutes.isdigit():
        return False
    last = (cj.get("status") or {}).get("lastScheduleTime")
    return last is None or int(minutes) >= time_hash_in_minutes(parse_rfc3339(last))


def _event(cj: dict, type_: str, reason: str, message: str) -> RecordEvent:
    return RecordEvent(EVENT_SOURCE, object_reference(cj, "CronJob", "batch/v1"), type_, reason, message)


def _create_job(cj: dict, job: dict) -> Create:
    """SuccessfulCreate "Created job <name>", or FailedCreate "Error creating job: <error>"; a
    Job already there (a stale cache) or a terminating namespace records nothing."""
    return Create("jobs", cj["metadata"]["namespace"], job, outcome=Outcome(
        _event(cj, "Normal", "SuccessfulCreate", "Created job {name}"),
        _event(cj, "Warning", "FailedCreate", "Error creating job: {error}"),
        quiet_for=("AlreadyExists", "NamespaceTerminating")))


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.deleteJob")
def _delete_job(cj: dict, namespace: str, name: str) -> Delete:
    """SuccessfulDelete "Deleted job <name>", or FailedDelete "Deleted job: <error>" (sic)."""
    return Delete("jobs", namespace, name, "Background", outcome=Outcome(
        _event(cj, "Normal", "SuccessfulDelete", f"Deleted job {name}"),
        _event(cj, "Warning", "FailedDelete", "Deleted job: {error}")))


@mirrors("k8s.io/kubernetes/pkg/controller/cronjob.getFinishedStatus")
def finished_status(job: dict) -> str | None:
    for kind in ("Complete", "Failed"):
        c = condition(job, kind)
        if c is not None and c.get("status") == "True":
            return kind
    return None


def _start_time_order(job: dict) -> tuple:
    """byJobStartTimeStar: Jobs never started sort last, ties by name."""
    start = (job.get("status") or {}).get("startTime")
    return (start is None, parse_rfc3339(start) if start else 0.0, job["metadata"]["name"])


class CronJobController:
    def __init__(self, clock):
        self.clock = clock
        # What the last sync asks of its work queue: seconds until the key's next sync, or None.
        self.requeue_after: float | None = None

    @mirrors("(*k8s.io/kubernetes/pkg/controller/cronjob.ControllerV2).sync")
    def sync(self, cj: dict, jobs: list[dict]) -> list:
        """Actions for `cj` given every Job in its namespace."""
        self.requeue_after = None
        uid = cj["metadata"]["uid"]
        owned = [j for j in jobs if (controller_ref(j) or {}).get("uid") == uid]
        updated = copy.deepcopy(cj)
        updated.setdefault("status", {})
        actions = self._sync_cronjob(updated, owned)
        cleanup = [] if cj["metadata"].get("deletionTimestamp") else self._cleanup_finished_jobs(updated, owned)
        # Upstream's syncCronJob writes the status before cleanupFinishedJobs deletes: a deleted
        # Job's event then finds the CronJob cached without the Jobs it has seen complete.
        if updated["status"] != (cj.get("status") or {}):
            actions.append(Update("cronjobs", cj["metadata"]["namespace"], updated, "status"))
        return actions + cleanup

    @mirrors("(*k8s.io/kubernetes/pkg/controller/cronjob.ControllerV2).syncCronJob")
    def _sync_cronjob(self, cj: dict, owned: list[dict]) -> list:
        """Brings cj["status"] up to date in place; returns the Job requests and the events."""
        now, status = self.clock.now(), cj["status"]
        active = {ref.get("uid"): ref for ref in status.get("active") or []}
        actions: list = []
        for job in owned:
            job_uid = job["metadata"]["uid"]
            if not is_job_finished(job):
                if job_uid in active:
                    continue
                if _started_here(cj, job):
                    active[job_uid] = _job_ref(job)
                else:
                    actions.append(_event(cj, "Warning", "UnexpectedJob",
                                          f"Saw a job that the controller did not create or forgot: "
                                          f"{job['metadata']['name']}"))
                continue
            if active.pop(job_uid, None) is not None:
                actions.append(_event(cj, "Normal", "SawCompletedJob",
                                      f"Saw completed job: {job['metadata']['name']}, status: {finished_status(job)}"))
            completed = (job.get("status") or {}).get("completionTime")
            last_success = status.get("lastSuccessfulTime")
            if finished_status(job) == "Complete" and completed and (
                    not last_success or parse_rfc3339(completed) > parse_rfc3339(last_success)):
                status["lastSuccessfulTime"] = completed
        seen = {j["metadata"]["uid"] for j in owned}
        self._set_active(status, [ref for ref_uid, ref in active.items() if ref_uid in seen])

        if cj["metadata"].get("deletionTimestamp") or cj["spec"].get("suspend"):
            return actions
        try:
            schedule = parse_standard(cj["spec"]["schedule"])
        except CronError as error:  # nothing more until the schedule is edited
            return actions + [_event(cj, "Warning", "UnparseableSchedule",
                                     f"unparseable schedule: {json.dumps(cj['spec']['schedule'])} : {error.reason}")]
        # Every return from here on comes back at the next scheduled time (syncCronJob's requeueAfter).
        self.requeue_after = next_scheduled_time_duration(schedule, now)
        scheduled, missed = next_schedule_time(cj, now, schedule)
        if missed > 100:
            actions.append(_event(cj, "Warning", "TooManyMissedTimes",
                                  f"too many missed start times: {missed}. Set or decrease "
                                  ".spec.startingDeadlineSeconds or check clock skew"))
        if scheduled is None:
            return actions
        deadline = cj["spec"].get("startingDeadlineSeconds")
        if deadline is not None and scheduled + deadline < now:
            return actions  # missed: too late to start this one
        name = job_name(cj, scheduled)
        last = status.get("lastScheduleTime")
        if (any(ref["name"] == name for ref in status.get("active") or [])
                or any(j["metadata"]["name"] == name for j in owned)
                or (last and parse_rfc3339(last) == scheduled)):
            return actions  # already started
        policy = cj["spec"].get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status.get("active"):
            return actions + [_event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior "
                                     "execution is running and concurrency policy is Forbid")]
        if policy == "Replace":
            actions += [_delete_job(cj, ref["namespace"], ref["name"]) for ref in status.get("active") or []]
            self._set_active(status, [])
        actions.append(_create_job(cj, job_from_template(cj, scheduled)))
        status["lastScheduleTime"] = rfc3339(scheduled)
        return actions

    @staticmethod
    def _set_active(status: dict, refs: list[dict]) -> None:
        if refs:
            status["active"] = sorted(refs, key=lambda r: r["name"])
        else:
            status.pop("active", None)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/cronjob.ControllerV2).cleanupFinishedJobs")
    def _cleanup_finished_jobs(self, cj: dict, owned: list[dict]) -> list:
        """Delete the oldest finished Jobs beyond successfulJobsHistoryLimit and
        failedJobsHistoryLimit (a limit left unset keeps them all)."""
        actions: list = []
        for outcome, limit_field in (("Complete", "successfulJobsHistoryLimit"),
                                     ("Failed", "failedJobsHistoryLimit")):
            limit = cj["spec"].get(limit_field)
            if limit is None:
                continue
            finished = sorted((j for j in owned if finished_status(j) == outcome), key=_start_time_order)
            actions += self._remove_oldest_jobs(cj, finished, limit)
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/cronjob.ControllerV2).removeOldestJobs")
    def _remove_oldest_jobs(self, cj: dict, finished: list[dict], limit: int) -> list:
        doomed = finished[:max(0, len(finished) - limit)]
        gone = {j["metadata"]["uid"] for j in doomed}
        self._set_active(cj["status"], [r for r in cj["status"].get("active") or [] if r.get("uid") not in gone])
        return [_delete_job(cj, j["metadata"]["namespace"], j["metadata"]["name"]) for j in doomed]
