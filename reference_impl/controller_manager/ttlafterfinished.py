"""The TTL-after-finished controller (pkg/controller/ttlafterfinished, on by default in 1.24): a
Job with spec.ttlSecondsAfterFinished is deleted, with its pods (foreground propagation), that many
seconds after it finished, as its Complete or Failed condition's lastTransitionTime says.

Sans-IO: `process_job` says what to do with a Job now, the delete or how long to wait; the adapter
re-reads the Job from the apiserver before it deletes, as upstream does, and enqueues the key again
after the wait.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.controller_manager.job import is_job_finished
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.machinery.actions import Delete
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class TTLDecision:
    """Delete the Job now (`delete`), look again in `wait` seconds, or neither (nothing to do)."""
    delete: Delete | None = None
    wait: float | None = None


@mirrors("k8s.io/kubernetes/pkg/controller/ttlafterfinished.needsCleanup")
def needs_cleanup(job: dict) -> bool:
    return job["spec"].get("ttlSecondsAfterFinished") is not None and is_job_finished(job)


@mirrors("k8s.io/kubernetes/pkg/controller/ttlafterfinished.jobFinishTime")
def job_finish_time(job: dict) -> float:
    """When the Job's Complete or Failed condition became True."""
    finished = next(c for c in job["status"]["conditions"]
                    if c.get("type") in ("Complete", "Failed") and c.get("status") == "True")
    return parse_rfc3339(finished["lastTransitionTime"])


@mirrors("(*k8s.io/kubernetes/pkg/controller/ttlafterfinished.Controller).processTTL",
         "k8s.io/kubernetes/pkg/controller/ttlafterfinished.timeLeft")
def process_job(job: dict, now: float) -> TTLDecision:
    """The foreground delete of an expired Job, only of this incarnation of it (a precondition on
    its UID); the time left for a finished Job whose TTL runs on; nothing for any other."""
    if job["metadata"].get("deletionTimestamp") or not needs_cleanup(job):
        return TTLDecision()
    remaining = job_finish_time(job) + job["spec"]["ttlSecondsAfterFinished"] - now
    if remaining > 0:
        return TTLDecision(wait=remaining)
    meta = job["metadata"]
    return TTLDecision(delete=Delete("jobs", meta["namespace"], meta["name"], propagation_policy="Foreground",
                                     uid=meta.get("uid")))
