"""kubectl with the kinds served for the 1.24 components (issue 12): typed creates, `apply` of a
manifest of them, `get` with kubectl's columns, `scale`, `explain`, and what defaulting stores.
On the reference etcd and on real etcd 3.4, like test_kubectl."""
from __future__ import annotations

import json

import pytest

from cluster import Cluster, control_plane  # noqa: F401  (fixture)

NS = "e2e-kinds"

MANIFEST = f"""\
apiVersion: v1
kind: Namespace
metadata: {{name: {NS}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: {NS}}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata: {{labels: {{app: agent}}}}
    spec:
      containers: [{{name: agent, image: busybox:1.36}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: {NS}}}
spec:
  serviceName: db
  replicas: 2
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: db, image: busybox:1.36}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: db, namespace: {NS}}}
spec:
  minAvailable: 1
  selector: {{matchLabels: {{app: db}}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: e2e-standard}}
provisioner: example.com/standard
"""


def ok(cluster: Cluster, *args: str, input: str | None = None) -> str:
    result = cluster.kubectl(*args, input=input)
    assert result.returncode == 0, (f"kubectl {' '.join(args)} exited {result.returncode}\n"
                                    f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result.stdout


def header(output: str) -> list[str]:
    return output.splitlines()[0].split()


@pytest.fixture(scope="module")
def kube(control_plane: Cluster) -> Cluster:  # noqa: F811
    assert ok(control_plane, "apply", "-f", "-", input=MANIFEST).splitlines() == [
        f"namespace/{NS} created", "daemonset.apps/agent created", "statefulset.apps/db created",
        "poddisruptionbudget.policy/db created", "storageclass.storage.k8s.io/e2e-standard created"]
    return control_plane


def test_get_prints_the_new_kinds_with_kubectl_columns(kube):
    """`kubectl get ds,sts,pdb` prints printers.go's columns, and `get sc` the storage class's."""
    assert header(ok(kube, "get", "daemonsets", "-n", NS)) == [
        "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE", "SELECTOR", "AGE"]
    assert ok(kube, "get", "sts", "db", "-n", NS).splitlines()[1].split()[:2] == ["db", "0/2"]
    assert ok(kube, "get", "pdb", "db", "-n", NS).splitlines()[1].split()[:4] == ["db", "1", "N/A", "0"]
    assert ok(kube, "get", "sc", "e2e-standard", "--no-headers").split()[:5] == [
        "e2e-standard", "example.com/standard", "Delete", "Immediate", "false"]


def test_get_priority_classes_prints_their_value_and_whether_default(kube):
    """`kubectl get pc` prints NAME VALUE GLOBAL-DEFAULT AGE; the system classes are there from the
    start; `kubectl create priorityclass` makes one, stored with its defaults."""
    ok(kube, "create", "priorityclass", "e2e-high", "--value=1000", "--description=batch")
    output = ok(kube, "get", "pc")
    assert header(output) == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE"]
    rows = {line.split()[0]: line.split()[1:3] for line in output.splitlines()[1:]}
    assert rows == {"system-node-critical": ["2000001000", "false"],
                    "system-cluster-critical": ["2000000000", "false"], "e2e-high": ["1000", "false"]}
    stored = json.loads(ok(kube, "get", "pc", "e2e-high", "-o", "json"))
    assert (stored["value"], stored["preemptionPolicy"]) == (1000, "PreemptLowerPriority")


def test_get_all_includes_daemon_sets_and_stateful_sets(kube):
    """DaemonSets, StatefulSets, Jobs and CronJobs are in the `all` category, as upstream's are."""
    names = ok(kube, "get", "all", "-n", NS, "-o", "name").split()
    assert {"daemonset.apps/agent", "statefulset.apps/db"} <= set(names)


def test_create_deployment_from_a_client_dry_run_gets_a_rolling_update(kube):
    """`kubectl create deployment --dry-run=client -o yaml` writes `strategy: {}`; applied, the
    server stores RollingUpdate with 25% bounds, as the real deployment controller needs."""
    manifest = ok(kube, "create", "deployment", "dry", "--image=nginx:1.25", "-n", NS, "--dry-run=client",
                  "-o", "yaml")
    assert "strategy: {}" in manifest
    ok(kube, "apply", "-f", "-", input=manifest)
    stored = json.loads(ok(kube, "get", "deployment", "dry", "-n", NS, "-o", "json"))
    assert stored["spec"]["strategy"] == {"type": "RollingUpdate",
                                          "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}


def test_create_job_and_cronjob(kube):
    """kubectl's typed creates of a Job and a CronJob are stored with their defaults."""
    ok(kube, "create", "job", "once", "--image=busybox:1.36", "-n", NS, "--", "true")
    ok(kube, "create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "-n", NS, "--", "true")
    job = json.loads(ok(kube, "get", "job", "once", "-n", NS, "-o", "json"))
    assert (job["spec"]["backoffLimit"], job["spec"]["completions"]) == (6, 1)
    assert job["spec"]["selector"]["matchLabels"]["controller-uid"] == job["metadata"]["uid"]
    assert header(ok(kube, "get", "cronjobs", "-n", NS)) == [
        "NAME", "SCHEDULE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]


def test_scale_a_statefulset(kube):
    """`kubectl scale sts` goes through the scale subresource."""
    assert ok(kube, "scale", "statefulset", "db", "--replicas=3", "-n", NS).strip() == "statefulset.apps/db scaled"
    assert json.loads(ok(kube, "get", "sts", "db", "-n", NS, "-o", "json"))["spec"]["replicas"] == 3


def test_explain_a_new_kind(kube):
    """`kubectl explain` reads the new kinds' definitions."""
    assert "schedule" in ok(kube, "explain", "cronjob.spec")


def test_zz_cleanup(kube):
    ok(kube, "delete", "storageclass", "e2e-standard")
    ok(kube, "delete", "priorityclass", "e2e-high")
    ok(kube, "delete", "namespace", NS, "--wait=false")
