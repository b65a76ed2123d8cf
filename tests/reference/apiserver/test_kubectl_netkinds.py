"""kubectl with Ingress, NetworkPolicy and HorizontalPodAutoscaler: `create ingress`, `autoscale`,
`apply` of a NetworkPolicy, and `get ingress,hpa,netpol` with printers.go's columns. On the
reference etcd and on real etcd 3.4, like test_kubectl."""
from __future__ import annotations

import json

import pytest

from cluster import Cluster, control_plane  # noqa: F401  (fixture)

NS = "e2e-netkinds"

POLICY = f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web, namespace: {NS}}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  ingress:
  - from: [{{ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}}}]
    ports: [{{port: 80}}]
"""


def ok(cluster: Cluster, *args: str, input: str | None = None) -> str:
    result = cluster.kubectl(*args, input=input)
    assert result.returncode == 0, (f"kubectl {' '.join(args)} exited {result.returncode}\n"
                                    f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def kube(control_plane: Cluster) -> Cluster:  # noqa: F811
    ok(control_plane, "create", "namespace", NS)
    ok(control_plane, "create", "deployment", "web", "--image=nginx:1.25", "-n", NS)
    yield control_plane
    ok(control_plane, "delete", "namespace", NS, "--wait=false")


def test_create_ingress_autoscale_and_apply_a_network_policy_then_get_them(kube):
    """The three typed writes succeed, and `kubectl get ingress,hpa,netpol` prints each kind with
    printers.go's columns and cells."""
    assert ok(kube, "create", "ingress", "web", "--rule=foo.com/*=web:80", "-n", NS).strip() == \
        "ingress.networking.k8s.io/web created"
    assert ok(kube, "autoscale", "deployment", "web", "--min=1", "--max=3", "--cpu-percent=50", "-n", NS).strip() \
        == "horizontalpodautoscaler.autoscaling/web autoscaled"
    assert ok(kube, "apply", "-f", "-", input=POLICY).strip() == "networkpolicy.networking.k8s.io/web created"

    sections = [s.splitlines() for s in ok(kube, "get", "ingress,hpa,netpol", "-n", NS).strip().split("\n\n")]
    assert [[line.split() for line in section] for section in sections] == [
        [["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
         ["ingress.networking.k8s.io/web", "<none>", "foo.com", "80", sections[0][1].split()[-1]]],
        [["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
         ["horizontalpodautoscaler.autoscaling/web", "Deployment/web", "<unknown>/50%", "1", "3", "0",
          sections[1][1].split()[-1]]],
        [["NAME", "POD-SELECTOR", "AGE"], ["networkpolicy.networking.k8s.io/web", "app=web",
                                           sections[2][1].split()[-1]]]]

    ingress = json.loads(ok(kube, "get", "ingress", "web", "-n", NS, "-o", "json"))
    assert ingress["spec"]["rules"][0]["http"]["paths"][0] == {
        "path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}
    policy = json.loads(ok(kube, "get", "netpol", "web", "-n", NS, "-o", "json"))
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert policy["spec"]["ingress"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]


def test_an_ingress_without_a_path_type_is_refused_with_upstreams_text(kube):
    """kubectl prints the 422 Status the server answers for a path with no pathType (past its own
    check against the OpenAPI schema, where pathType is required too)."""
    manifest = json.dumps({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                           "metadata": {"name": "bad", "namespace": NS},
                           "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {
                               "service": {"name": "web", "port": {"number": 80}}}}]}}]}})
    result = kube.kubectl("create", "--validate=false", "-f", "-", input=manifest)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'The Ingress "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be '
        "specified")
