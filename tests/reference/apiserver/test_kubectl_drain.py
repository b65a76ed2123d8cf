"""`kubectl drain` against the reference kube-apiserver: the node is cordoned and its pods go
through the pods/eviction subresource, which kubectl finds through discovery. No scheduler or
kubelet runs: the pods are created on the node, and a grace period of 0 lets the eviction remove
them at once, so that kubectl's wait for their deletion ends."""
from __future__ import annotations

import http.client
import json

import pytest
import yaml

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "e2e-drain"
NODE = "drained-node"


def ok(cluster: Cluster, *args: str, input: str | None = None) -> str:
    result = cluster.kubectl(*args, input=input)
    assert result.returncode == 0, f"kubectl {' '.join(args)} exited {result.returncode}\n{result.stderr}"
    return result.stdout


def pod(name: str, owner: dict | None = None) -> dict:
    meta = {"name": name, "namespace": NS}
    if owner:
        meta["ownerReferences"] = [owner]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": NODE, "containers": [{"name": "main", "image": "busybox:1.36"}]}}


@pytest.fixture(scope="module")
def node_with_pods(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    """NODE running an unmanaged pod, and a pod of a DaemonSet."""
    kube = reference_control_plane
    ok(kube, "create", "namespace", NS)
    ok(kube, "apply", "-f", "-", input=yaml.safe_dump({"apiVersion": "v1", "kind": "Node",
                                                       "metadata": {"name": NODE}}))
    ok(kube, "apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": NS},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": {"metadata": {"labels": {"app": "agent"}},
                              "spec": {"containers": [{"name": "agent", "image": "busybox:1.36"}]}}}}))
    uid = json.loads(ok(kube, "get", "daemonset", "agent", "-n", NS, "-o", "json"))["metadata"]["uid"]
    agent = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": uid, "controller": True}
    ok(kube, "apply", "-f", "-", input=yaml.safe_dump_all([pod("lone"), pod("agent-x", agent)]))
    return kube


def test_drain_cordons_the_node_and_evicts_its_pods(node_with_pods):
    """`kubectl drain --ignore-daemonsets --force --grace-period=0` marks the node unschedulable,
    evicts the unmanaged pod and leaves the DaemonSet's pod alone."""
    kube = node_with_pods
    result = kube.kubectl("drain", NODE, "--ignore-daemonsets", "--force", "--grace-period=0", "--timeout=20s")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"node/{NODE} cordoned", f"evicting pod {NS}/lone", "pod/lone evicted",
                                          f"node/{NODE} drained"]
    assert f"ignoring DaemonSet-managed Pods: {NS}/agent-x" in result.stderr
    assert json.loads(ok(kube, "get", "node", NODE, "-o", "json"))["spec"]["unschedulable"] is True
    assert ok(kube, "get", "pods", "-n", NS, "-o", "name").split() == ["pod/agent-x"]


def test_a_refused_eviction_says_when_to_retry(node_with_pods):
    """ErrorNegotiated sends a Status's retryAfterSeconds as the Retry-After header: a budget whose
    status is older than its spec answers 429 with Retry-After: 10."""
    kube = node_with_pods
    ok(kube, "apply", "-f", "-", input=yaml.safe_dump({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "guard", "namespace": NS},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}}))
    guarded = pod("guarded")
    guarded["metadata"]["labels"] = {"app": "guarded"}
    ok(kube, "apply", "-f", "-", input=yaml.safe_dump(guarded))
    path = f"/api/v1/namespaces/{NS}/pods/guarded"
    code, current = kube.request("GET", path)
    code, _ = kube.request("PUT", path + "/status", {**current, "status": {"phase": "Running"}})
    assert code == 200
    conn = http.client.HTTPSConnection("127.0.0.1", kube.port, timeout=20, context=kube.admin_tls)
    try:
        conn.request("POST", path + "/eviction", body=json.dumps({
            "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "guarded"}}),
            headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        status = json.loads(response.read())
    finally:
        conn.close()
    assert (response.status, response.getheader("Retry-After"), status["reason"]) == (429, "10", "TooManyRequests")
