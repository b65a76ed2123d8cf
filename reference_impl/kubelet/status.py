"""Pod phase and conditions from container statuses, as 1.24's kubelet computes them.

Functions here take API-shaped dicts (a pod spec and `status.containerStatuses`) and return
API-shaped dicts, so their output can be compared with a real kubelet's.
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import rfc3339


def _status_of(statuses: list[dict], name: str) -> dict | None:
    return next((s for s in statuses if s["name"] == name), None)


@mirrors("k8s.io/kubernetes/pkg/kubelet.getPhase")
def get_phase(spec: dict, statuses: list[dict]) -> str:
    """The pod phase from its containers' states and restart policy (init containers are not run here)."""
    restart_policy = spec.get("restartPolicy", "Always")
    unknown = running = waiting = stopped = succeeded = 0
    for container in spec["containers"]:
        status = _status_of(statuses, container["name"])
        if status is None:
            unknown += 1
            continue
        state = status.get("state", {})
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            if state["terminated"]["exitCode"] == 0:
                succeeded += 1
        elif "waiting" in state:
            if "terminated" in (status.get("lastState") or {}):
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1
    if waiting > 0:
        return "Pending"
    if running > 0 and unknown == 0:
        return "Running"
    if running == 0 and stopped > 0 and unknown == 0:
        if restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if restart_policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


@mirrors("k8s.io/kubernetes/pkg/kubelet/status.GenerateContainersReadyCondition")
def containers_ready_condition(spec: dict, statuses: list[dict], phase: str) -> dict:
    unknown = [c["name"] for c in spec["containers"] if _status_of(statuses, c["name"]) is None]
    unready = [c["name"] for c in spec["containers"]
               if (s := _status_of(statuses, c["name"])) is not None and not s.get("ready")]
    if phase == "Succeeded" and not unknown:
        return {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"}
    messages = []
    if unknown:
        messages.append(f"containers with unknown status: [{' '.join(unknown)}]")
    if unready:
        messages.append(f"containers with unready status: [{' '.join(unready)}]")
    if messages:
        return {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
                "message": ", ".join(messages)}
    return {"type": "ContainersReady", "status": "True"}


@mirrors("k8s.io/kubernetes/pkg/kubelet/status.GeneratePodReadyCondition")
def pod_ready_condition(spec: dict, statuses: list[dict], phase: str) -> dict:
    """Ready follows ContainersReady (readiness gates are not supported here)."""
    return {**containers_ready_condition(spec, statuses, phase), "type": "Ready"}


@mirrors("k8s.io/kubernetes/pkg/kubelet/status.GeneratePodInitializedCondition")
def initialized_condition(spec: dict) -> dict:
    """With no init containers a pod is initialized as soon as the kubelet sees it."""
    return {"type": "Initialized", "status": "True"}


def with_transition_times(conditions: list[dict], previous: list[dict], now: float) -> list[dict]:
    """Keep a condition's lastTransitionTime while its status is unchanged (the status manager's rule).
    A previous condition may lack fields (anyone may patch pod status): absent reads as Go's zero value."""
    old = {c.get("type"): c for c in previous}
    out = []
    for cond in conditions:
        prior = old.get(cond["type"])
        changed = prior is None or prior.get("status", "") != cond["status"]
        out.append({**cond, "lastProbeTime": None,
                    "lastTransitionTime": rfc3339(now) if changed else prior.get("lastTransitionTime")})
    return out


@mirrors("k8s.io/kubernetes/pkg/util/pod.preparePatchBytesForPodStatus")
def status_patch(uid: str, old: dict, new: dict) -> dict | None:
    """The patch from the pod status the apiserver has (`old`) to the one the kubelet computed:
    only the fields that differ, with metadata.uid so it cannot land on a recreated namesake; None
    when nothing differs. A field the kubelet does not set is left as it is, not cleared."""
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    return {"metadata": {"uid": uid}, "status": changed} if changed else None
