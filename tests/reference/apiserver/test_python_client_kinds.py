"""The official Python `kubernetes` client with the kinds served for the 1.24 components: its
generated models deserialise what the server answers for them (a required field the server left
out, or a wrong type, fails here), and the list calls the components' informers make succeed."""
from __future__ import annotations

import pytest
from kubernetes import client

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)
from test_python_client import api_client

NS = "pyclient-kinds"
TEMPLATE = client.V1PodTemplateSpec(
    metadata=client.V1ObjectMeta(labels={"app": "a"}),
    spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:1.36")]))


@pytest.fixture(scope="module")
def api(reference_control_plane: Cluster) -> client.ApiClient:  # noqa: F811
    with api_client(reference_control_plane.kubeconfig) as api:
        client.CoreV1Api(api).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
        yield api


def test_the_lists_the_components_informers_make_succeed(api):
    """Every list the 1.24 scheduler, controller-manager, kubelet and kube-proxy start with answers."""
    core, apps, batch = client.CoreV1Api(api), client.AppsV1Api(api), client.BatchV1Api(api)
    storage, policy = client.StorageV1Api(api), client.PolicyV1Api(api)
    for call in (core.list_persistent_volume, core.list_persistent_volume_claim_for_all_namespaces,
                 core.list_replication_controller_for_all_namespaces, core.list_resource_quota_for_all_namespaces,
                 apps.list_daemon_set_for_all_namespaces, apps.list_stateful_set_for_all_namespaces,
                 apps.list_controller_revision_for_all_namespaces, batch.list_job_for_all_namespaces,
                 batch.list_cron_job_for_all_namespaces, policy.list_pod_disruption_budget_for_all_namespaces,
                 storage.list_csi_node, storage.list_csi_driver, storage.list_storage_class,
                 storage.list_volume_attachment, client.DiscoveryV1Api(api).list_endpoint_slice_for_all_namespaces,
                 client.NodeV1Api(api).list_runtime_class,
                 client.CertificatesV1Api(api).list_certificate_signing_request,
                 client.EventsV1Api(api).list_event_for_all_namespaces):
        assert call().items is not None, call.__name__


def test_a_daemon_set_round_trips_with_its_defaults(api):
    """A DaemonSet created through the client comes back with RollingUpdate (maxUnavailable 1)."""
    apps = client.AppsV1Api(api)
    created = apps.create_namespaced_daemon_set(NS, client.V1DaemonSet(
        metadata=client.V1ObjectMeta(name="agent"),
        spec=client.V1DaemonSetSpec(selector=client.V1LabelSelector(match_labels={"app": "a"}), template=TEMPLATE)))
    assert created.spec.update_strategy.type == "RollingUpdate"
    assert created.spec.update_strategy.rolling_update.max_unavailable == 1
    assert created.spec.template.spec.containers[0].termination_message_path == "/dev/termination-log"


def test_a_job_and_a_stateful_set_scale(api):
    """A Job gets its generated selector; a StatefulSet is scaled through the client's scale call."""
    job = client.BatchV1Api(api).create_namespaced_job(NS, client.V1Job(
        metadata=client.V1ObjectMeta(name="once"),
        spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
            restart_policy="Never", containers=[client.V1Container(name="c", image="busybox:1.36")])))))
    assert job.spec.selector.match_labels == {"controller-uid": job.metadata.uid}
    apps = client.AppsV1Api(api)
    apps.create_namespaced_stateful_set(NS, client.V1StatefulSet(
        metadata=client.V1ObjectMeta(name="db"),
        spec=client.V1StatefulSetSpec(service_name="db", selector=client.V1LabelSelector(match_labels={"app": "a"}),
                                      template=TEMPLATE)))
    scale = apps.patch_namespaced_stateful_set_scale("db", NS, {"spec": {"replicas": 2}})
    assert scale.spec.replicas == 2
    assert apps.read_namespaced_stateful_set("db", NS).spec.pod_management_policy == "OrderedReady"
