"""A Deployment's conditions, as pkg/controller/deployment's progress.go and util write them:
Available (the minimum of available replicas is met) and Progressing (a rollout is moving, done,
paused, or stuck past progressDeadlineSeconds). `kubectl describe deployment` shows them and
`kubectl rollout status` fails on ProgressDeadlineExceeded.

Plain functions over a DeploymentStatus dict; the time is passed in.
"""
from __future__ import annotations

from reference_impl.machinery.timefmt import parse_rfc3339, rfc3339
from reference_impl.mirrors import mirrors

AVAILABLE, PROGRESSING, REPLICA_FAILURE = "Available", "Progressing", "ReplicaFailure"
# Reasons (deploymentutil's constants).
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
TIMED_OUT = "ProgressDeadlineExceeded"
NEW_REPLICA_SET = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
RATE_LIMITED_REQUEUE = 0.1  # seconds: DefaultControllerRateLimiter's bucket, 10 per second
MAX_INT32 = 2**31 - 1


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.NewDeploymentCondition")
def new_condition(type_: str, status: str, reason: str, message: str, now: float) -> dict:
    stamp = rfc3339(now)
    return {"type": type_, "status": status, "lastUpdateTime": stamp, "lastTransitionTime": stamp,
            "reason": reason, "message": message}


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.GetDeploymentCondition")
def get_condition(status: dict, type_: str) -> dict | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == type_), None)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.SetDeploymentCondition")
def set_condition(status: dict, condition: dict) -> None:
    """Nothing when the status and reason are those already there; otherwise the condition goes
    last, keeping the old lastTransitionTime if its status did not change."""
    current = get_condition(status, condition["type"])
    if current is not None and (current["status"], current.get("reason")) == (condition["status"], condition["reason"]):
        return
    if current is not None and current["status"] == condition["status"]:
        condition = dict(condition, lastTransitionTime=current["lastTransitionTime"])
    remove_condition(status, condition["type"])
    status.setdefault("conditions", []).append(condition)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.RemoveDeploymentCondition")
def remove_condition(status: dict, type_: str) -> None:
    kept = [c for c in status.get("conditions") or [] if c.get("type") != type_]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)  # omitempty


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.HasProgressDeadline")
def has_progress_deadline(d: dict) -> bool:
    return d["spec"].get("progressDeadlineSeconds") not in (None, MAX_INT32)


@mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).checkPausedConditions")
def check_paused_conditions(d: dict, status: dict, now: float) -> None:
    """Progressing Unknown DeploymentPaused while spec.paused, DeploymentResumed once it is not;
    a timed-out rollout keeps saying so."""
    if not has_progress_deadline(d):
        return
    current = get_condition(status, PROGRESSING)
    if current is not None and current.get("reason") == TIMED_OUT:
        return
    paused_condition = current is not None and current.get("reason") == PAUSED
    if d["spec"].get("paused") and not paused_condition:
        set_condition(status, new_condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now))
    elif not d["spec"].get("paused") and paused_condition:
        set_condition(status, new_condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now))


@mirrors("k8s.io/kubernetes/pkg/controller/deployment.calculateStatus")
def set_available_condition(status: dict, available: int, replicas: int, max_unavailable: int, now: float) -> None:
    if available >= replicas - max_unavailable:
        set_condition(status, new_condition(AVAILABLE, "True", "MinimumReplicasAvailable",
                                            "Deployment has minimum availability.", now))
    else:
        set_condition(status, new_condition(AVAILABLE, "False", "MinimumReplicasUnavailable",
                                            "Deployment does not have minimum availability.", now))


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.DeploymentComplete")
def deployment_complete(d: dict, status: dict) -> bool:
    replicas = d["spec"].get("replicas", 1)
    return (status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
            and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0))


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.DeploymentProgressing")
def deployment_progressing(d: dict, status: dict) -> bool:
    """More updated, ready or available replicas than the last status said, or fewer old ones."""
    old = d.get("status") or {}
    count = lambda s, field: s.get(field, 0)  # noqa: E731
    return (count(status, "updatedReplicas") > count(old, "updatedReplicas")
            or count(status, "replicas") - count(status, "updatedReplicas")
            < count(old, "replicas") - count(old, "updatedReplicas")
            or count(status, "readyReplicas") > count(old, "readyReplicas")
            or count(status, "availableReplicas") > count(old, "availableReplicas"))


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.DeploymentTimedOut")
def deployment_timed_out(d: dict, status: dict, now: float) -> bool:
    """No progress recorded for progressDeadlineSeconds since the Progressing condition's
    lastUpdateTime (a rollout already complete never times out)."""
    current = get_condition(status, PROGRESSING)
    if not has_progress_deadline(d) or current is None or current.get("reason") == NEW_RS_AVAILABLE:
        return False
    if current.get("reason") == TIMED_OUT:
        return True
    return parse_rfc3339(current["lastUpdateTime"]) + d["spec"]["progressDeadlineSeconds"] < now


@mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).syncRolloutStatus")
def set_progressing_condition(d: dict, status: dict, new_rs_name: str | None, now: float) -> None:
    """The Progressing condition after a rollout step, `status` holding the new counts."""
    if not has_progress_deadline(d):
        remove_condition(status, PROGRESSING)
        return
    current = get_condition(d.get("status") or {}, PROGRESSING)
    if (status.get("replicas", 0) == status.get("updatedReplicas", 0) and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE):
        return  # a resync of a finished rollout: nothing to estimate
    what = f'ReplicaSet "{new_rs_name}"' if new_rs_name else f'Deployment "{d["metadata"]["name"]}"'
    if deployment_complete(d, status):
        set_condition(status, new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE,
                                            f"{what} has successfully progressed.", now))
    elif deployment_progressing(d, status):
        # Progress moves lastUpdateTime even with the same reason, so it is set by hand here.
        condition = new_condition(PROGRESSING, "True", REPLICA_SET_UPDATED, f"{what} is progressing.", now)
        if current is not None and current["status"] == "True":
            condition["lastTransitionTime"] = current["lastTransitionTime"]
        remove_condition(status, PROGRESSING)
        set_condition(status, condition)
    elif deployment_timed_out(d, status, now):
        set_condition(status, new_condition(PROGRESSING, "False", TIMED_OUT,
                                            f"{what} has timed out progressing.", now))


@mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).requeueStuckDeployment")
def requeue_stuck_deployment(d: dict, new_status: dict, now: float) -> float | None:
    """Seconds until a rollout making no progress must be checked for its deadline (a second
    after it passes, against AddAfter's skew); None when no check is due. `d` is the Deployment
    as the sync found it, `new_status` what the sync computed. Under a second, upstream enqueues
    rate-limited: the default controller limiter's bucket lets a key back ten times a second."""
    current = get_condition(d.get("status") or {}, PROGRESSING)
    if not has_progress_deadline(d) or current is None:
        return None
    if deployment_complete(d, new_status) or current.get("reason") == TIMED_OUT:
        return None
    after = parse_rfc3339(current["lastUpdateTime"]) + d["spec"]["progressDeadlineSeconds"] - now
    return RATE_LIMITED_REQUEUE if after < 1 else after + 1


@mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).getReplicaFailures",
         "k8s.io/kubernetes/pkg/controller/deployment/util.ReplicaSetToDeploymentCondition")
def set_replica_failure_condition(status: dict, new_rs: dict | None, all_rs: list[dict]) -> None:
    """The ReplicaFailure of the new ReplicaSet, else of any other, becomes the Deployment's."""
    def failures(replica_sets):
        return [c for rs in replica_sets for c in (rs.get("status") or {}).get("conditions") or []
                if c.get("type") == REPLICA_FAILURE]
    found = failures([new_rs] if new_rs is not None else []) or failures(all_rs)
    if not found:
        remove_condition(status, REPLICA_FAILURE)
        return
    c = found[0]
    since = c.get("lastTransitionTime")
    set_condition(status, {"type": REPLICA_FAILURE, "status": c["status"], "lastUpdateTime": since,
                           "lastTransitionTime": since, "reason": c.get("reason"), "message": c.get("message")})
