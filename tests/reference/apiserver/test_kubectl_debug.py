"""`kubectl debug POD --image=busybox` against the reference kube-apiserver: kubectl patches the
pod's ephemeralcontainers subresource, which RBAC authorizes as `pods/ephemeralcontainers`. No
kubelet runs here (tests/reference/cluster/test_kubectl_debug.py runs one)."""
from __future__ import annotations

import json

import pytest
import yaml

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "e2e-debug"


def ok(cluster: Cluster, *args: str, input: str | None = None) -> str:
    result = cluster.kubectl(*args, input=input)
    assert result.returncode == 0, f"kubectl {' '.join(args)} exited {result.returncode}\n{result.stderr}"
    return result.stdout


def ephemeral_containers(cluster: Cluster, name: str) -> list[dict]:
    pod = json.loads(ok(cluster, "get", "pod", name, "-n", NS, "-o", "json"))
    return pod["spec"].get("ephemeralContainers", [])


@pytest.fixture(scope="module")
def kube(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    ok(reference_control_plane, "create", "namespace", NS)
    for name in ("web", "guarded"):
        ok(reference_control_plane, "apply", "-f", "-", input=yaml.safe_dump({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]}}))
    return reference_control_plane


def test_kubectl_debug_adds_an_ephemeral_container(kube):
    """Non-interactive, kubectl debug only adds the container and exits 0."""
    result = kube.kubectl("debug", "web", "-n", NS, "--image=busybox", "--", "sleep", "5")
    assert result.returncode == 0, result.stderr
    [debugger] = ephemeral_containers(kube, "web")
    assert debugger["name"].startswith("debugger-")
    assert (debugger["image"], debugger["command"]) == ("busybox", ["sleep", "5"])
    assert debugger["terminationMessagePolicy"] == "File"


def test_rbac_authorizes_the_subresource_not_the_pod(kube):
    """A role that may patch pods may not add ephemeral containers: that takes a rule for
    pods/ephemeralcontainers."""
    ok(kube, "create", "role", "pod-editor", "-n", NS, "--verb=get,list,patch,update", "--resource=pods")
    ok(kube, "create", "rolebinding", "alice-pod-editor", "-n", NS, "--role=pod-editor", "--user=alice")
    result = kube.kubectl("debug", "guarded", "-n", NS, "--image=busybox", "--", "sleep", "5", user="alice")
    assert result.returncode != 0
    assert (f'pods "guarded" is forbidden: User "alice" cannot patch resource "pods/ephemeralcontainers" '
            f'in API group "" in the namespace "{NS}"') in result.stderr
    assert ephemeral_containers(kube, "guarded") == []
    ok(kube, "create", "role", "debugger", "-n", NS, "--verb=patch", "--resource=pods/ephemeralcontainers")
    ok(kube, "create", "rolebinding", "alice-debugger", "-n", NS, "--role=debugger", "--user=alice")
    result = kube.kubectl("debug", "guarded", "-n", NS, "--image=busybox", "--", "sleep", "5", user="alice")
    assert result.returncode == 0, result.stderr
    assert len(ephemeral_containers(kube, "guarded")) == 1
