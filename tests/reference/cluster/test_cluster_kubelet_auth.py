"""The kubelet's own API on `kubeatlas cluster up`: HTTPS with a serving certificate of the cluster
CA, and every request authenticated and authorized by the apiserver as kubeadm sets it up, while
`kubectl logs` and `kubectl exec` through the apiserver go on working."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from clusterkit import kubectl, run_kubectl, shared_one_kubelet_cluster

from reference_impl.machinery.certutil import KeyPair, issue_client_cert

NAMESPACE = "e2e-kubelet-auth"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    box = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box"},
           "spec": {"containers": [{"name": "main", "image": "busybox",
                                    "command": ["sh", "-c", "echo hello from box; sleep 600"]}]}}
    kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(box))
    kubectl(kubeconfig, "wait", "pod/box", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    return directory


def kubelet_port(directory: Path) -> int:
    return int(kubectl(directory / "admin.kubeconfig", "get", "node", "node-1", "-o",
                       "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}"))


def client(directory: Path, tmp_path: Path, user: str | None = None) -> ssl.SSLContext:
    """Checks the kubelet against the cluster CA (by its address); shows a certificate of `user`
    signed by that CA if one is named."""
    pki = directory / "pki"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    if user is not None:
        pair = issue_client_cert(KeyPair((pki / "ca.crt").read_bytes(), (pki / "ca.key").read_bytes()), user)
        (tmp_path / "user.crt").write_bytes(pair.cert_pem)
        (tmp_path / "user.key").write_bytes(pair.key_pem)
        context.load_cert_chain(tmp_path / "user.crt", tmp_path / "user.key")
    return context


def get(directory: Path, context: ssl.SSLContext, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"https://127.0.0.1:{kubelet_port(directory)}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, context=context, timeout=20) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


LOGS = f"/containerLogs/{NAMESPACE}/box/main"


def test_without_a_certificate_the_kubelet_answers_401(cluster, tmp_path):
    """Anonymous access is off (kubeadm's authentication.anonymous.enabled: false)."""
    assert get(cluster, client(cluster, tmp_path), LOGS) == (401, b"Unauthorized")


def test_a_user_without_nodes_proxy_gets_403(cluster, tmp_path):
    assert get(cluster, client(cluster, tmp_path, "kubelet-auth-nobody"), LOGS) == (
        403, b"Forbidden (user=kubelet-auth-nobody, verb=get, resource=nodes, subresource=proxy)")


def test_a_user_bound_to_kubelet_api_admin_reads_the_logs(cluster, tmp_path):
    kubectl(cluster / "admin.kubeconfig", "create", "clusterrolebinding", "kubelet-auth-ops",
            "--clusterrole=system:kubelet-api-admin", "--user=kubelet-auth-ops")
    assert get(cluster, client(cluster, tmp_path, "kubelet-auth-ops"), LOGS) == (200, b"hello from box\n")


def test_a_service_account_token_is_reviewed_by_the_apiserver(cluster, tmp_path):
    """A bearer token is the user a TokenReview names; that user is then authorized as any other."""
    token = kubectl(cluster / "admin.kubeconfig", "create", "token", "default", "-n", NAMESPACE).strip()
    assert get(cluster, client(cluster, tmp_path), LOGS, {"Authorization": f"Bearer {token}"}) == (
        403, f"Forbidden (user=system:serviceaccount:{NAMESPACE}:default, verb=get, resource=nodes, "
             "subresource=proxy)".encode())


def test_kubectl_logs_and_exec_still_pass_through_the_apiserver(cluster):
    """The apiserver shows the kubelet its apiserver-kubelet-client certificate."""
    kubeconfig = cluster / "admin.kubeconfig"
    assert kubectl(kubeconfig, "logs", "-n", NAMESPACE, "box") == "hello from box\n"
    result = run_kubectl(kubeconfig, "exec", "-n", NAMESPACE, "box", "--", "sh", "-c", "echo out")
    assert (result.returncode, result.stdout) == (0, "out\n")


def test_the_nodes_proxy_reaches_the_kubelet_with_the_apiservers_certificate(cluster):
    """`kubectl get --raw /api/v1/nodes/NODE/proxy/...`: the apiserver proxies to the kubelet over
    HTTPS with its kubelet client certificate, which the kubelet authorizes as nodes/proxy."""
    kubeconfig = cluster / "admin.kubeconfig"
    assert kubectl(kubeconfig, "get", "--raw", f"/api/v1/nodes/node-1/proxy{LOGS}") == "hello from box\n"


def test_the_node_api_answers_through_the_apiservers_node_proxy(cluster):
    """/pods, /stats/summary and /metrics/resource read through `kubectl get --raw`: the pod the
    kubelet runs, with its container's usage read from its process."""
    kubeconfig = cluster / "admin.kubeconfig"
    # The cluster is shared with the other tests of this folder: only this test's namespace is looked at.
    pods = json.loads(kubectl(kubeconfig, "get", "--raw", "/api/v1/nodes/node-1/proxy/pods"))
    assert [p["metadata"]["name"] for p in pods["items"] if p["metadata"]["namespace"] == NAMESPACE] == ["box"]
    summary = json.loads(kubectl(kubeconfig, "get", "--raw", "/api/v1/nodes/node-1/proxy/stats/summary"))
    (box,) = [pod for pod in summary["pods"] if pod["podRef"]["namespace"] == NAMESPACE]
    assert (summary["node"]["nodeName"], box["podRef"]["name"], box["containers"][0]["name"]) == (
        "node-1", "box", "main")
    assert box["containers"][0]["memory"]["workingSetBytes"] > 0
    metrics = kubectl(kubeconfig, "get", "--raw", "/api/v1/nodes/node-1/proxy/metrics/resource")
    assert f'container_memory_working_set_bytes{{container="main",namespace="{NAMESPACE}",pod="box"}}' in metrics


def test_a_user_allowed_only_nodes_stats_reads_the_summary_and_not_the_pods(cluster, tmp_path):
    kubeconfig = cluster / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "clusterrole", "kubelet-auth-stats", "--verb=get,create",
            "--resource=nodes/stats")
    kubectl(kubeconfig, "create", "clusterrolebinding", "kubelet-auth-stats", "--clusterrole=kubelet-auth-stats",
            "--user=kubelet-auth-stats")
    context = client(cluster, tmp_path, "kubelet-auth-stats")
    status, body = get(cluster, context, "/stats/summary")
    assert status == 200 and json.loads(body)["node"]["nodeName"] == "node-1"
    assert get(cluster, context, "/pods") == (
        403, b"Forbidden (user=kubelet-auth-stats, verb=get, resource=nodes, subresource=proxy)")
    assert get(cluster, context, "/metrics") == (
        403, b"Forbidden (user=kubelet-auth-stats, verb=get, resource=nodes, subresource=metrics)")
