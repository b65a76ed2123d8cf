"""`kubectl logs` options, `kubectl get events` and `kubectl describe pod` on `kubeatlas cluster up`
with one kubelet, as a real 1.24 cluster answers them: each line's time with --timestamps, --tail,
--limit-bytes, --since and --since-time, the run before a restart with --previous (and upstream's
refusal when there is none), -f until the container ends; the events the kubelet writes about a pod's containers (Pulled,
Created, Started, BackOff, Unhealthy) and about its node (Starting, NodeHasSufficientMemory...)."""
from __future__ import annotations

import datetime
import json
import re

import pytest

from clusterkit import kubectl, run_kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-logs-events"
STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (.*)")


def pod(name: str, command: str, restart_policy: str = "Always", **container) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": restart_policy,
                     "containers": [{"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", command],
                                     **container}]}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    probe = {"exec": {"command": ["sh", "-c", "echo not yet; exit 1"]}, "periodSeconds": 1}
    for obj in (pod("talker", "echo one; echo two; echo three; sleep 600"),
                pod("crasher", "echo run; sleep 1; exit 1"),
                pod("finisher", "echo started; sleep 8; echo done", restart_policy="Never"),
                pod("unready", "sleep 600", readinessProbe=probe)):
        kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(obj))
    wait_for(lambda: logs(kubeconfig, "talker") == "one\ntwo\nthree\n", 40, "talker's three lines")
    return kubeconfig


def logs(kubeconfig, *args: str) -> str:
    result = run_kubectl(kubeconfig, "logs", "-n", NAMESPACE, *args)
    return result.stdout if result.returncode == 0 else ""


def events(kubeconfig, namespace: str, name: str) -> list[dict]:
    listed = json.loads(kubectl(kubeconfig, "get", "events", "-n", namespace, "-o", "json"))
    return [e for e in listed["items"] if e["involvedObject"]["name"] == name]


def test_follow_streams_until_the_container_ends(cluster):
    """-f on a running container: what it writes later comes too, and kubectl returns once it ends."""
    assert kubectl(cluster, "get", "pod", "finisher", "-n", NAMESPACE, "-o", "jsonpath={.status.phase}") == "Running"
    result = run_kubectl(cluster, "logs", "-f", "-n", NAMESPACE, "finisher")
    assert (result.returncode, result.stdout) == (0, "started\ndone\n")


def test_timestamps_put_each_lines_time_first(cluster):
    lines = logs(cluster, "talker", "--timestamps").splitlines()
    assert [STAMPED.fullmatch(line).group(1) for line in lines] == ["one", "two", "three"]


def test_tail_and_limit_bytes_cut_the_log(cluster):
    assert logs(cluster, "talker", "--tail=2") == "two\nthree\n"
    assert logs(cluster, "talker", "--limit-bytes=6") == "one\ntw"


def test_since_and_since_time_leave_out_what_was_written_before(cluster):
    assert logs(cluster, "talker", "--since=1h") == "one\ntwo\nthree\n"
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run_kubectl(cluster, "logs", "-n", NAMESPACE, "talker", f"--since-time={later}")
    assert (result.returncode, result.stdout) == (0, "")


def test_previous_shows_the_run_before_the_restart(cluster):
    wait_for(lambda: kubectl(cluster, "get", "pod", "crasher", "-n", NAMESPACE, "-o",
                             "jsonpath={.status.containerStatuses[0].restartCount}") not in ("", "0"),
             30, "crasher to restart")
    assert logs(cluster, "crasher", "--previous") == "run\n"


def test_previous_without_a_restart_is_upstreams_400(cluster):
    result = run_kubectl(cluster, "logs", "-n", NAMESPACE, "talker", "--previous")
    assert result.returncode == 1
    assert result.stderr == ('Error from server (BadRequest): previous terminated container "main" '
                             'in pod "talker" not found\n')


def test_a_started_container_has_the_kubelets_events_after_the_schedulers(cluster):
    """Scheduled (the scheduler), then Pulled, Created and Started from the kubelet on its node,
    about the container's fieldPath."""
    talker = events(cluster, NAMESPACE, "talker")
    assert [e["reason"] for e in talker] == ["Scheduled", "Pulled", "Created", "Started"]
    pulled = talker[1]
    assert pulled["message"] == 'Container image "busybox:1.36" already present on machine'
    assert pulled["source"]["component"] == "kubelet" and pulled["source"]["host"]
    assert pulled["involvedObject"]["fieldPath"] == "spec.containers{main}"


def test_a_crash_loop_is_a_back_off_warning(cluster):
    back_off = wait_for(lambda: [e for e in events(cluster, NAMESPACE, "crasher") if e["reason"] == "BackOff"],
                        40, "a BackOff event")[0]
    assert (back_off["type"], back_off["message"]) == ("Warning", "Back-off restarting failed container")


def test_a_failing_probe_is_an_unhealthy_warning_shown_by_describe(cluster):
    unhealthy = wait_for(lambda: [e for e in events(cluster, NAMESPACE, "unready") if e["reason"] == "Unhealthy"],
                         40, "an Unhealthy event")[0]
    assert (unhealthy["type"], unhealthy["message"]) == ("Warning", "Readiness probe failed: not yet\n")
    described = kubectl(cluster, "describe", "pod", "unready", "-n", NAMESPACE)
    assert re.search(r"Warning\s+Unhealthy\s+.*kubelet\s+Readiness probe failed: not yet", described), described


def test_the_node_writes_its_start_up_events_to_the_default_namespace(cluster):
    node = kubectl(cluster, "get", "nodes", "-o", "jsonpath={.items[0].metadata.name}")
    reasons = [(e["reason"], e["message"], e["involvedObject"]["kind"]) for e in events(cluster, "default", node)
               if e["source"].get("component") == "kubelet"]
    assert reasons[:5] == [
        ("Starting", "Starting kubelet.", "Node"),
        ("NodeHasSufficientMemory", f"Node {node} status is now: NodeHasSufficientMemory", "Node"),
        ("NodeHasNoDiskPressure", f"Node {node} status is now: NodeHasNoDiskPressure", "Node"),
        ("NodeHasSufficientPID", f"Node {node} status is now: NodeHasSufficientPID", "Node"),
        ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods", "Node")]
