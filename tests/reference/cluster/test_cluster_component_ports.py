"""`cluster up` serves the scheduler's and controller-manager's secure ports and kube-proxy's
healthz and metrics ports on free loopback ports, recorded with each process; who gets what there
is decided by the cluster's apiserver (TokenReview, SubjectAccessReview) or its CA."""
from __future__ import annotations

import json
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest
from clusterkit import shared_one_kubelet_cluster

from reference_impl.cluster import Cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    return Cluster.load(shared_one_kubelet_cluster(tmp_path_factory))


def serving(cluster: Cluster, name: str) -> tuple[str, ...]:
    return next(process.serving for process in cluster.processes if process.name == name)


def fetch(url: str, token: str = "", cert: tuple[str, str] | None = None) -> tuple[int, bytes]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed, as upstream's
    if cert:
        context.load_cert_chain(*cert)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context if url.startswith("https") else None) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_secure_ports_serve_healthz_to_anyone_and_metrics_only_to_whom_the_apiserver_allows(cluster):
    scheduler = serving(cluster, "scheduler")[0].removesuffix("/healthz")
    assert fetch(f"{scheduler}/healthz") == (200, b"ok")
    code, body = fetch(f"{scheduler}/metrics")
    assert code == 403 and json.loads(body)["message"] == (
        'forbidden: User "system:anonymous" cannot get path "/metrics"')
    token = subprocess.run(["kubectl", "--kubeconfig", cluster.kubeconfig, "create", "token", "default"],
                           capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    code, body = fetch(f"{scheduler}/metrics", token)
    assert code == 403 and 'User \\"system:serviceaccount:default:default\\" cannot get path' in body.decode()
    assert fetch(f"{scheduler}/metrics", "not-a-token")[0] == 401
    pki = f"{cluster.dir}/pki"
    code, body = fetch(f"{scheduler}/metrics", cert=(f"{pki}/admin.crt", f"{pki}/admin.key"))
    assert code == 200 and b'scheduler_pending_pods{queue="active"}' in body
    # As the real kube-scheduler 1.24 exports them: its build, and its client's requests.
    assert b"\nkubernetes_build_info{" in body and b'\nrest_client_requests_total{code="200",' in body
    manager_metrics = serving(cluster, "controller-manager")[0].removesuffix("/healthz") + "/metrics"
    code, body = fetch(manager_metrics, cert=(f"{pki}/admin.crt", f"{pki}/admin.key"))
    assert code == 200 and b"\nkubernetes_build_info{" in body and b'\nrest_client_requests_total{code="200",' in body
    manager = serving(cluster, "controller-manager")[0]
    code, body = fetch(f"{manager}?verbose")
    assert code == 200 and b"[+]replicaset ok\n" in body


def test_kube_proxy_serves_healthz_and_metrics_in_plain_http(cluster):
    healthz, metrics = serving(cluster, "proxy")
    code, body = fetch(healthz)
    assert code == 200 and set(json.loads(body)) == {"lastUpdated", "currentTime"}
    code, body = fetch(metrics)
    assert code == 200 and b"\nkubernetes_build_info{" in body and b"kubeproxy_" not in body
    assert b'\nrest_client_requests_total{code="200",host="127.0.0.1:' in body  # its informers' lists
