"""Ephemeral containers in the kubelet core: added to a running pod through the API, started once,
never restarted, reported in status.ephemeralContainerStatuses and left out of the pod's phase
and readiness, as 1.24's kubelet does."""
from __future__ import annotations

import copy

import pytest

from reference_impl.kubelet.actions import StartContainer
from reference_impl.kubelet.kubelet import Kubelet
from reference_impl.machinery.clock import ManualClock
from tests.reference.kubelet.test_kubelet_core import last_status, make_pod, of, started

DEBUGGER = {"name": "debugger", "image": "busybox", "command": ["sleep", "5"], "targetContainerName": "app"}


@pytest.fixture
def kubelet():
    return Kubelet("node-1", ManualClock(1_700_000_000.0))


def with_debugger(pod: dict) -> dict:
    pod = copy.deepcopy(pod)
    pod["spec"]["ephemeralContainers"] = [DEBUGGER]
    return pod


def debugged(kubelet, restart_policy: str = "Always"):
    """A running pod to which the debugger has been added and started; its key."""
    pod = make_pod(restart_policy=restart_policy)
    key = started(kubelet, pod)
    kubelet.set_desired_pods([with_debugger(pod)])
    [start] = of(kubelet.sync_loop_iteration(), StartContainer)
    kubelet.container_started(key, start.container["name"], "process://debugger")
    return key


def test_an_ephemeral_container_added_to_a_running_pod_is_started(kubelet):
    """computePodActions starts every ephemeral container that has no status yet, and only it."""
    pod = make_pod()
    started(kubelet, pod)
    kubelet.set_desired_pods([with_debugger(pod)])
    starts = of(kubelet.sync_loop_iteration(), StartContainer)
    assert [(s.container["name"], s.container["command"], s.restart_count) for s in starts] == [
        ("debugger", ["sleep", "5"], 0)]


def test_its_status_is_reported_apart_from_the_pods_containers(kubelet):
    """status.ephemeralContainerStatuses: running, never ready, with no started field (the
    prober manager sets that for the pod's containers only); the pod stays Ready."""
    debugged(kubelet)
    status = last_status(kubelet.sync_loop_iteration())
    assert [s["name"] for s in status["containerStatuses"]] == ["app"]
    [debugger] = status["ephemeralContainerStatuses"]
    assert debugger == {"name": "debugger", "state": {"running": {"startedAt": "2023-11-14T22:13:20Z"}},
                        "lastState": {}, "ready": False, "restartCount": 0, "image": "busybox", "imageID": "",
                        "containerID": "process://debugger"}
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "True"


@pytest.mark.parametrize("exit_code,reason", [(0, "Completed"), (1, "Error")])
def test_an_exited_ephemeral_container_is_never_restarted(kubelet, exit_code, reason):
    """Ephemeral containers run as with restartPolicy Never, whatever the pod's: the exit stays
    terminated, and the pod's phase is its containers' alone."""
    key = debugged(kubelet, restart_policy="Always")
    kubelet.container_exited(key, "debugger", exit_code)
    actions = kubelet.sync_loop_iteration()
    assert of(actions, StartContainer) == []
    status = last_status(actions)
    terminated = status["ephemeralContainerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (exit_code, reason)
    assert status["phase"] == "Running"
    assert of(kubelet.sync_loop_iteration(), StartContainer) == []
