"""`kubectl debug POD --image=busybox -- sleep 5` on `kubeatlas cluster up` with one kubelet: the
ephemeral container is added through the API, started by the kubelet, reported in the pod's
status.ephemeralContainerStatuses, and not restarted when it exits."""
from __future__ import annotations

import json
import time

import pytest

from clusterkit import kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-debug"


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory):
    return shared_one_kubelet_cluster(tmp_path_factory) / "admin.kubeconfig"


def test_kubectl_debug_runs_an_ephemeral_container_in_the_pod(kubeconfig):
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    kubectl(kubeconfig, "run", "web", "-n", NAMESPACE, "--image=busybox", "--command", "--", "sleep", "600")
    kubectl(kubeconfig, "wait", "pod/web", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")

    kubectl(kubeconfig, "debug", "web", "-n", NAMESPACE, "--image=busybox", "--", "sleep", "5")

    def pod() -> dict:
        return json.loads(kubectl(kubeconfig, "get", "pod", "web", "-n", NAMESPACE, "-o", "json"))

    def debugger_status(state: str):
        statuses = pod()["status"].get("ephemeralContainerStatuses") or []
        return statuses and state in statuses[0]["state"] and statuses[0]

    running = wait_for(lambda: debugger_status("running"), 20, "the debugger to run")
    [debugger] = pod()["spec"]["ephemeralContainers"]
    assert running["name"] == debugger["name"] and debugger["name"].startswith("debugger-")
    assert (running["image"], running["ready"], running["restartCount"]) == ("busybox", False, 0)

    finished = wait_for(lambda: debugger_status("terminated"), 20, "the debugger to exit")
    assert (finished["state"]["terminated"]["exitCode"], finished["state"]["terminated"]["reason"]) == (0, "Completed")
    time.sleep(2)  # a restart, were there one, would show within the kubelet's next syncs
    status = pod()["status"]
    assert status["ephemeralContainerStatuses"][0]["restartCount"] == 0
    assert status["phase"] == "Running" and [c["name"] for c in status["containerStatuses"]] == ["web"]


def test_kubectl_logs_reads_an_ephemeral_containers_output(kubeconfig):
    """The apiserver routes the log of an ephemeral container to the kubelet, which finds its file
    through status.ephemeralContainerStatuses."""
    kubectl(kubeconfig, "debug", "web", "-n", NAMESPACE, "--image=busybox", "--container=greeter", "--",
            "echo", "hello from the debugger")

    def greeter_exited() -> bool:
        pod = json.loads(kubectl(kubeconfig, "get", "pod", "web", "-n", NAMESPACE, "-o", "json"))
        return any(s["name"] == "greeter" and "terminated" in s["state"]
                   for s in pod["status"].get("ephemeralContainerStatuses") or [])

    wait_for(greeter_exited, 20, "the greeter to exit")
    assert kubectl(kubeconfig, "logs", "web", "-n", NAMESPACE, "-c", "greeter") == "hello from the debugger\n"
