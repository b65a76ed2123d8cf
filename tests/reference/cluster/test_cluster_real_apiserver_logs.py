"""`kubectl logs` through the real kube-apiserver 1.24 to the reference kubelet: the real
LogLocation turns kubectl's options into the kubelet's query (sinceTime in whole UTC seconds,
sinceSeconds, timestamps, tailLines, limitBytes, previous) and passes the kubelet's answer, or its
400, on as it is; what kubectl prints must be what it prints against the reference apiserver.
An opt-in as the exec module is (KUBEATLAS_REAL_APISERVER=/path/to/kube-apiserver), whose cluster
it shares."""
from __future__ import annotations

import datetime
import json
import re

import pytest

import test_cluster_real_apiserver_exec as real
from clusterkit import kubectl, run_kubectl, wait_for

cluster = real.cluster  # the exec module's fixture: a real apiserver and a reference kubelet
pytestmark = real.pytestmark
NODE = real.NODE

STAMPED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (.*)")


@pytest.fixture(scope="module")
def pods(cluster):
    for name, script in (("talker", "echo one; echo two; echo three; sleep 600"),
                         ("crasher", "echo run; sleep 1; exit 1")):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
               "spec": {"nodeName": NODE, "containers": [{"name": "main", "image": "busybox",
                                                          "command": ["sh", "-c", script]}]}}
        kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(pod))
    wait_for(lambda: logs(cluster, "talker") == "one\ntwo\nthree\n", 40, "talker's three lines")
    wait_for(lambda: kubectl(cluster, "get", "pod", "crasher", "-o",
                             "jsonpath={.status.containerStatuses[0].restartCount}") not in ("", "0"),
             40, "crasher to restart")
    return cluster


def logs(config, *args: str) -> str:
    result = run_kubectl(config, "logs", *args)
    return result.stdout if result.returncode == 0 else ""


def test_timestamps_tail_and_limit_bytes(pods):
    assert [STAMPED.fullmatch(line).group(1) for line in logs(pods, "talker", "--timestamps").splitlines()] == [
        "one", "two", "three"]
    assert logs(pods, "talker", "--tail=2") == "two\nthree\n"
    assert logs(pods, "talker", "--limit-bytes=6") == "one\ntw"


def test_since_time_with_a_fraction_and_a_zone_reaches_the_kubelet_as_utc_seconds(pods):
    later = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=2))) + datetime.timedelta(minutes=5)
    result = run_kubectl(pods, "logs", "talker", f"--since-time={later.isoformat(timespec='milliseconds')}")
    assert (result.returncode, result.stdout) == (0, "")
    assert logs(pods, "talker", "--since-time=2000-01-01T00:00:00.5+01:00") == "one\ntwo\nthree\n"
    assert logs(pods, "talker", "--since=1h") == "one\ntwo\nthree\n"


def test_previous_is_the_run_before_or_the_kubelets_400(pods):
    assert logs(pods, "crasher", "--previous") == "run\n"
    result = run_kubectl(pods, "logs", "talker", "--previous")
    assert (result.returncode, result.stderr) == (
        1, 'Error from server (BadRequest): previous terminated container "main" in pod "talker" not found\n')
