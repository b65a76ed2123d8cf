"""Storage object in-use protection end to end with kubectl, against the reference kube-apiserver
and the controller-manager process's pvc-protection and pv-protection controllers: a claim a
scheduled pod uses stays Terminating until the pod goes, an unused volume is deleted at once,
and a namespace holding claims still finishes deleting."""
from __future__ import annotations

import io
import json
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apiserver"))
from cluster import Cluster, reference_control_plane  # noqa: E402,F401  (fixture)

from reference_impl.client.rest import RestClient  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager  # noqa: E402
from workload_fixtures import eventually  # noqa: E402

NS = "storage"
CLAIM = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}


def pod_using(claim: str, node: str = "node-1") -> dict:
    spec = {"containers": [{"name": "c", "image": "nginx"}],
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec}


@pytest.fixture(scope="module")
def cluster(reference_control_plane: Cluster):  # noqa: F811
    client = RestClient(reference_control_plane.kubeconfig)
    client.request("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    manager = ControllerManager(client)
    thread = threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True)
    thread.start()
    yield reference_control_plane
    manager.stop.set()
    thread.join(timeout=10)


def kubectl(cluster: Cluster, *args: str, input: str | None = None) -> str:
    done = cluster.kubectl(*args, input=input)
    assert done.returncode == 0, done.stderr
    return done.stdout


def gone(cluster: Cluster, *args: str) -> bool:
    done = cluster.kubectl("get", *args)
    return done.returncode == 1 and "NotFound" in done.stderr


def test_a_claim_a_running_pod_uses_stays_terminating_until_the_pod_is_gone(cluster):
    """`kubectl delete pvc` of a claim a scheduled pod mounts only marks it Terminating: it keeps
    kubernetes.io/pvc-protection, which `kubectl describe` shows, until the pod is deleted."""
    kubectl(cluster, "-n", NS, "create", "-f", "-", input=json.dumps(CLAIM))
    kubectl(cluster, "-n", NS, "create", "-f", "-", input=json.dumps(pod_using("data")))
    assert kubectl(cluster, "-n", NS, "delete", "pvc", "data", "--wait=false") == \
        'persistentvolumeclaim "data" deleted\n'
    assert "Terminating" in kubectl(cluster, "-n", NS, "get", "pvc", "data", "--no-headers")
    described = kubectl(cluster, "-n", NS, "describe", "pvc", "data")
    assert "Finalizers:    [kubernetes.io/pvc-protection]" in described
    assert "Used By:       web" in described
    kubectl(cluster, "-n", NS, "delete", "pod", "web", "--grace-period=0", "--force")
    eventually(lambda: gone(cluster, "-n", NS, "pvc", "data"))


def test_an_unused_claim_and_an_unbound_volume_are_deleted_at_once(cluster):
    """The protection controllers free a claim no scheduled pod uses (an unscheduled one does not
    count) and a volume that is not Bound, so a waiting `kubectl delete` returns."""
    claim = {**CLAIM, "metadata": {"name": "spare"}}
    kubectl(cluster, "-n", NS, "create", "-f", "-", input=json.dumps(claim))
    kubectl(cluster, "-n", NS, "create", "-f", "-", input=json.dumps(pod_using("spare", node="")))
    kubectl(cluster, "-n", NS, "delete", "pvc", "spare", "--timeout=20s")
    assert gone(cluster, "-n", NS, "pvc", "spare")
    volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-spare"},
              "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                       "hostPath": {"path": "/tmp/pv-spare"}}}
    created = json.loads(kubectl(cluster, "create", "-f", "-", "-o", "json", input=json.dumps(volume)))
    assert created["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    kubectl(cluster, "delete", "pv", "pv-spare", "--timeout=20s")
    assert gone(cluster, "pv", "pv-spare")


def test_a_namespace_holding_claims_finishes_deleting(cluster):
    """The namespace controller deletes the pods and the claims; once no pod uses a claim its
    finalizer goes and the namespace is emptied and removed."""
    kubectl(cluster, "create", "namespace", "doomed-storage")
    kubectl(cluster, "-n", "doomed-storage", "create", "-f", "-", input=json.dumps(CLAIM))
    kubectl(cluster, "-n", "doomed-storage", "create", "-f", "-", input=json.dumps(pod_using("data", node="")))
    kubectl(cluster, "delete", "namespace", "doomed-storage", "--wait=false")
    eventually(lambda: gone(cluster, "namespace", "doomed-storage"), timeout=30)
