"""The official Python `kubernetes` client (37.0.2) against the reference kube-apiserver on the
reference etcd: CRUD on configmaps and pods, a watch resumed from a resourceVersion, optimistic
concurrency (a stale update gets 409 Conflict), and RBAC through a bearer token.

The client deserialises every response into its generated models, so these tests also check that
the server's JSON has the shapes upstream's OpenAPI promises.
"""
from __future__ import annotations

import json
import threading

import pytest
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "pyclient"


def api_client(kubeconfig) -> client.ApiClient:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
    return client.ApiClient(configuration)


@pytest.fixture(scope="module")
def core(reference_control_plane: Cluster) -> client.CoreV1Api:  # noqa: F811
    with api_client(reference_control_plane.kubeconfig) as api:
        v1 = client.CoreV1Api(api)
        v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
        yield v1


def status_of(error: ApiException) -> dict:
    """The metav1 Status the server answered with."""
    status = json.loads(error.body)
    assert status["kind"] == "Status" and status["code"] == error.status, status
    return status


def configmap(name: str, data: dict, labels: dict | None = None) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data)


def test_configmap_crud(core):
    created = core.create_namespaced_config_map(NS, configmap("crud", {"a": "1"}, {"suite": "py"}))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp is not None

    read = core.read_namespaced_config_map("crud", NS)
    assert read.data == {"a": "1"}
    assert read.metadata.resource_version == created.metadata.resource_version

    listed = core.list_namespaced_config_map(NS, label_selector="suite=py")
    assert [item.metadata.name for item in listed.items] == ["crud"]
    assert listed.metadata.resource_version

    read.data["b"] = "2"
    replaced = core.replace_namespaced_config_map("crud", NS, read)
    assert replaced.data == {"a": "1", "b": "2"}
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)

    patched = core.patch_namespaced_config_map("crud", NS, {"data": {"a": "one"}})
    assert patched.data == {"a": "one", "b": "2"}

    # Deleting a configmap answers a Status (the generated client leaves it a dict).
    status = core.delete_namespaced_config_map("crud", NS)
    assert (status["status"] if isinstance(status, dict) else status.status) == "Success"
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("crud", NS)
    assert missing.value.status == 404
    assert status_of(missing.value)["message"] == 'configmaps "crud" not found'
    assert status_of(missing.value)["reason"] == "NotFound"


def test_pod_crud(core):
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="py-pod", labels={"app": "py"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36",
                                                             command=["sleep", "3600"])]))
    created = core.create_namespaced_pod(NS, pod)
    assert created.spec.containers[0].image == "busybox:1.36"
    # The ServiceAccount admission plugin sets the default service account.
    assert created.spec.service_account_name == "default"

    listed = core.list_namespaced_pod(NS, label_selector="app=py")
    assert [p.metadata.name for p in listed.items] == ["py-pod"]
    by_field = core.list_namespaced_pod(NS, field_selector="metadata.name=py-pod")
    assert [p.metadata.name for p in by_field.items] == ["py-pod"]
    assert core.list_namespaced_pod(NS, field_selector="metadata.name=other").items == []

    patched = core.patch_namespaced_pod("py-pod", NS, {"metadata": {"labels": {"tier": "x"}}})
    assert patched.metadata.labels == {"app": "py", "tier": "x"}

    status = core.read_namespaced_pod_status("py-pod", NS)
    status.status.phase = "Running"
    updated = core.replace_namespaced_pod_status("py-pod", NS, status)
    assert updated.status.phase == "Running"
    assert core.list_namespaced_pod(NS, field_selector="status.phase=Running").items[0] \
        .metadata.name == "py-pod"

    core.delete_namespaced_pod("py-pod", NS, grace_period_seconds=0)
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_pod("py-pod", NS)
    assert missing.value.status == 404


def test_watch_resumes_from_resource_version(core):
    start = core.list_namespaced_config_map(NS).metadata.resource_version
    core.create_namespaced_config_map(NS, configmap("w1", {"n": "1"}))
    core.create_namespaced_config_map(NS, configmap("w2", {"n": "1"}))
    core.patch_namespaced_config_map("w2", NS, {"data": {"n": "2"}})
    core.delete_namespaced_config_map("w1", NS)

    def events_from(resource_version: str, count: int) -> list[tuple[str, str, str]]:
        seen = []
        stream = watch.Watch()
        for event in stream.stream(core.list_namespaced_config_map, NS,
                                   resource_version=resource_version, timeout_seconds=5):
            obj = event["object"]
            seen.append((event["type"], obj.metadata.name, obj.metadata.resource_version))
            if len(seen) == count:
                stream.stop()
        return seen

    events = events_from(start, 4)
    assert [(kind, name) for kind, name, _ in events] == [
        ("ADDED", "w1"), ("ADDED", "w2"), ("MODIFIED", "w2"), ("DELETED", "w1")]
    revisions = [int(rv) for _, _, rv in events]
    assert revisions == sorted(revisions) and len(set(revisions)) == 4

    # Resuming from the second event's resourceVersion replays only what came after it.
    resumed = events_from(events[1][2], 2)
    assert resumed == events[2:]


def test_watch_delivers_live_events(core):
    """A watch opened before the writes sees each one as it happens."""
    start = core.list_namespaced_config_map(NS).metadata.resource_version
    seen: list[tuple[str, str]] = []
    stream = watch.Watch()

    def consume():
        for event in stream.stream(core.list_namespaced_config_map, NS, resource_version=start,
                                   label_selector="live=yes", timeout_seconds=10):
            seen.append((event["type"], event["object"].metadata.name))
            if len(seen) == 3:
                stream.stop()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    core.create_namespaced_config_map(NS, configmap("live", {"k": "v"}, {"live": "yes"}))
    core.create_namespaced_config_map(NS, configmap("not-live", {"k": "v"}, {"live": "no"}))
    core.patch_namespaced_config_map("live", NS, {"data": {"k": "w"}})
    core.delete_namespaced_config_map("live", NS)
    thread.join(timeout=15)
    assert not thread.is_alive(), f"watch did not deliver 3 events in time; saw {seen}"
    assert seen == [("ADDED", "live"), ("MODIFIED", "live"), ("DELETED", "live")]
    core.delete_namespaced_config_map("not-live", NS)


def test_stale_update_conflicts(core):
    core.create_namespaced_config_map(NS, configmap("contended", {"v": "0"}))
    first = core.read_namespaced_config_map("contended", NS)
    second = core.read_namespaced_config_map("contended", NS)
    first.data["v"] = "first"
    core.replace_namespaced_config_map("contended", NS, first)
    second.data["v"] = "second"
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("contended", NS, second)
    assert conflict.value.status == 409
    status = status_of(conflict.value)
    assert status["message"] == ('Operation cannot be fulfilled on configmaps "contended": the '
                                 'object has been modified; please apply your changes to the '
                                 'latest version and try again')
    assert status["reason"] == "Conflict"
    assert core.read_namespaced_config_map("contended", NS).data == {"v": "first"}

    with pytest.raises(ApiException) as exists:
        core.create_namespaced_config_map(NS, configmap("contended", {"v": "again"}))
    assert exists.value.status == 409
    assert status_of(exists.value)["message"] == 'configmaps "contended" already exists'
    assert status_of(exists.value)["reason"] == "AlreadyExists"
    core.delete_namespaced_config_map("contended", NS)


def test_limited_user_is_forbidden(reference_control_plane, core):  # noqa: F811
    core.create_namespaced_config_map(NS, configmap("secret-ish", {"k": "v"}))
    with api_client(reference_control_plane.alice_kubeconfig) as api:
        alice = client.CoreV1Api(api)
        with pytest.raises(ApiException) as forbidden:
            alice.list_namespaced_config_map(NS)
        assert forbidden.value.status == 403
        assert status_of(forbidden.value)["message"] == (
            'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API '
            f'group "" in the namespace "{NS}"')
    core.delete_namespaced_config_map("secret-ish", NS)


def test_unauthenticated_is_rejected(reference_control_plane):  # noqa: F811
    status, body = reference_control_plane.request("GET", f"/api/v1/namespaces/{NS}/pods",
                                                   token="not-a-valid-token")
    assert status == 401
    assert body.get("kind") == "Status" and body.get("reason") == "Unauthorized"
