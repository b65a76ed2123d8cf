"""Volumes on `kubeatlas cluster up` with one kubelet, driven with kubectl: a pod whose ConfigMap
does not exist stays ContainerCreating with a FailedMount event (kubectl describe shows it) and
starts once the ConfigMap is created, its container reading the key at its mount (kubectl logs);
the service account volume every pod gets holds a token and the namespace; a pod on an unbound
PVC is refused in the populator's words; a deleted pod's volume directory goes away."""
from __future__ import annotations

import json

import pytest

from clusterkit import kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-volumes"
# The container prints what its mounts hold, then waits; $CONTAINER_ROOT stands for "/" (runtime.py).
READER = ('cat "$CONTAINER_ROOT/etc/config/greeting"; echo; '
          'cat "$CONTAINER_ROOT/var/run/secrets/kubernetes.io/serviceaccount/namespace"; echo; '
          'cut -c1-3 "$CONTAINER_ROOT/var/run/secrets/kubernetes.io/serviceaccount/token"; sleep 600')


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    wait_for(lambda: "kube-root-ca.crt" in kubectl(kubeconfig, "get", "configmaps", "-n", NAMESPACE),
             20, "the namespace's kube-root-ca.crt")
    return directory


def apply(kubeconfig, obj: dict) -> None:
    kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(obj))


def pod(name: str, command: str, volumes: list[dict], mounts: list[dict], **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", command],
                                     "volumeMounts": mounts}], "volumes": volumes, **spec}}


def failed_mounts(kubeconfig, name: str) -> list[str]:
    events = json.loads(kubectl(kubeconfig, "get", "events", "-n", NAMESPACE, "-o", "json",
                                "--field-selector", f"involvedObject.name={name},reason=FailedMount"))
    return [e["message"] for e in events["items"]]


def get_pod(kubeconfig, name: str) -> dict:
    return json.loads(kubectl(kubeconfig, "get", "pod", name, "-n", NAMESPACE, "-o", "json"))


def test_a_pod_waits_for_its_config_map_then_reads_it_at_its_mount(cluster):
    kubeconfig = cluster / "admin.kubeconfig"
    apply(kubeconfig, pod("web", READER, [{"name": "cfg", "configMap": {"name": "x"}}],
                          [{"name": "cfg", "mountPath": "/etc/config"}]))
    expected = 'MountVolume.SetUp failed for volume "cfg" : configmap "x" not found'
    wait_for(lambda: expected in failed_mounts(kubeconfig, "web"), 30, "a FailedMount event")
    status = get_pod(kubeconfig, "web")["status"]
    assert status["phase"] == "Pending"
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    described = kubectl(kubeconfig, "describe", "pod", "web", "-n", NAMESPACE)
    assert "ContainerCreating" in described and "FailedMount" in described and expected in described

    kubectl(kubeconfig, "create", "configmap", "x", "-n", NAMESPACE, "--from-literal=greeting=hello")
    kubectl(kubeconfig, "wait", "pod/web", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    logs = wait_for(lambda: kubectl(kubeconfig, "logs", "web", "-n", NAMESPACE).count("\n") >= 3, 20, "the logs")
    assert logs and kubectl(kubeconfig, "logs", "web", "-n", NAMESPACE).splitlines()[:3] == ["hello", NAMESPACE,
                                                                                             "eyJ"]


def test_a_deleted_pod_loses_its_volume_directory(cluster):
    kubeconfig = cluster / "admin.kubeconfig"
    uid = get_pod(kubeconfig, "web")["metadata"]["uid"]
    pod_dir = cluster / "kubelet-1" / "pods" / uid
    assert (pod_dir / "volumes" / "kubernetes.io~configmap" / "cfg" / "..data").is_symlink()
    assert (pod_dir / "volumes" / "kubernetes.io~projected").is_dir()
    kubectl(kubeconfig, "delete", "pod", "web", "-n", NAMESPACE, "--grace-period=1", "--wait=true")
    wait_for(lambda: not pod_dir.exists(), 20, "the pod's directory to go")


def test_a_pod_on_an_unbound_claim_is_refused_in_the_populators_words(cluster):
    """Bound to the node directly (the scheduler would wait for the claim to bind)."""
    kubeconfig = cluster / "admin.kubeconfig"
    apply(kubeconfig, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                       "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "none",
                                "resources": {"requests": {"storage": "1Gi"}}}})
    apply(kubeconfig, pod("db", "sleep 600", [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
                          [{"name": "data", "mountPath": "/data"}], nodeName="node-1"))
    messages = wait_for(lambda: failed_mounts(kubeconfig, "db"), 30, "a FailedMount event")
    volume = next(v["name"] for v in get_pod(kubeconfig, "db")["spec"]["volumes"] if v["name"] != "data")
    assert messages == [f"Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data "
                        f"{volume}]: error processing PVC {NAMESPACE}/data: PVC is not bound"]
    assert get_pod(kubeconfig, "db")["status"]["phase"] == "Pending"
