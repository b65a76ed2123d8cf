"""What `kubectl describe` shows of the controllers' work on `kubeatlas cluster up` with one
kubelet, as a real 1.24 cluster shows it: the Deployment's ScalingReplicaSet, the ReplicaSet's
SuccessfulCreate and, once a ResourceQuota is full, its FailedCreate with the quota's refusal."""
from __future__ import annotations

import json
import re

import pytest

from clusterkit import kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-controller-events"
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                                             "command": ["sleep", "600"]}]}}}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    kubeconfig = shared_one_kubelet_cluster(tmp_path_factory) / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(DEPLOYMENT))
    return kubeconfig


def described_events(kubeconfig, *what: str) -> str:
    """The Events section of `kubectl describe`, one event a line."""
    return kubectl(kubeconfig, "describe", "-n", NAMESPACE, *what).partition("\nEvents:")[2]


def test_describe_deployment_shows_the_replica_set_scaled_up(cluster):
    line = re.compile(r"Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-\w+ to 1")
    wait_for(lambda: line.search(described_events(cluster, "deployment", "web")), 30, "ScalingReplicaSet")


def test_describe_replicaset_shows_the_pod_it_created(cluster):
    line = re.compile(r"Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-\w+-\w+")
    wait_for(lambda: line.search(described_events(cluster, "replicaset")), 30, "SuccessfulCreate")


def test_a_pod_over_quota_is_failed_create_with_the_quotas_refusal(cluster):
    kubectl(cluster, "create", "quota", "pods", "-n", NAMESPACE, "--hard=pods=1")
    wait_for(lambda: kubectl(cluster, "get", "quota", "pods", "-n", NAMESPACE, "-o",
                             "jsonpath={.status.used.pods}") == "1", 30, "the quota to count the pod")
    kubectl(cluster, "scale", "deployment", "web", "-n", NAMESPACE, "--replicas=2")
    line = re.compile(r'Warning\s+FailedCreate\s+\S+ \(x\d+ over \S+\)\s+replicaset-controller\s+'
                      r'Error creating: pods "web-\w+-\w+" is forbidden: exceeded quota: pods, '
                      r'requested: pods=1, used: pods=1, limited: pods=1|'
                      r'Warning\s+FailedCreate\s+\S+\s+replicaset-controller\s+Error creating: pods "web-\w+-\w+" '
                      r'is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1')
    wait_for(lambda: line.search(described_events(cluster, "replicaset")), 30, "FailedCreate")
