"""What `kubectl describe` shows of the controllers' work on `kubeatlas cluster up` with one
kubelet, as a real 1.24 cluster shows it: the Deployment's ScalingReplicaSet, the ReplicaSet's
SuccessfulCreate and, once a ResourceQuota is full, its FailedCreate with the quota's refusal;
`kubectl autoscale` on a cluster with no metrics server: the HPA scales its target up to
minReplicas and says it cannot read the CPU metric."""
from __future__ import annotations

import json
import re

import pytest

from clusterkit import kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-controller-events"
AUTOSCALED = "e2e-autoscaled"  # apart: its pods would fill the other namespace's quota
NO_METRICS = ("failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics "
              "from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)")
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                                             "command": ["sleep", "600"]}]}}}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    kubeconfig = shared_one_kubelet_cluster(tmp_path_factory) / "admin.kubeconfig"
    for namespace in (NAMESPACE, AUTOSCALED):
        kubectl(kubeconfig, "create", "namespace", namespace)
        kubectl(kubeconfig, "apply", "-n", namespace, "-f", "-", stdin=json.dumps(DEPLOYMENT))
    api = {**DEPLOYMENT, "metadata": {"name": "api"}}
    kubectl(kubeconfig, "apply", "-n", AUTOSCALED, "-f", "-", stdin=json.dumps(api))
    # Started first: an HPA's first sync waits out its 15 s sync period, as upstream's does. The
    # first sync of `web` scales it up to its minimum, that of `api` (at its minimum) reads metrics.
    kubectl(kubeconfig, "autoscale", "deployment", "web", "-n", AUTOSCALED, "--min=2", "--max=3", "--cpu-percent=50")
    kubectl(kubeconfig, "autoscale", "deployment", "api", "-n", AUTOSCALED, "--min=1", "--max=3", "--cpu-percent=50")
    return kubeconfig


def described_events(kubeconfig, *what: str, namespace: str = NAMESPACE) -> str:
    """The Events section of `kubectl describe`, one event a line."""
    return kubectl(kubeconfig, "describe", "-n", namespace, *what).partition("\nEvents:")[2]


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


def test_autoscale_scales_a_target_below_its_minimum_up_to_it(cluster):
    rescaled = re.compile(r"Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+"
                          r"New size: 2; reason: Current number of replicas below Spec.MinReplicas")
    wait_for(lambda: rescaled.search(described_events(cluster, "hpa", "web", namespace=AUTOSCALED)), 40,
             "SuccessfulRescale")
    wait_for(lambda: kubectl(cluster, "get", "hpa", "web", "-n", AUTOSCALED, "--no-headers").split()[2:6]
             == ["<unknown>/50%", "2", "3", "2"], 20, "kubectl get hpa: TARGETS <unknown>/50%, 2 replicas")


def test_autoscale_without_metrics_says_it_cannot_read_the_cpu(cluster):
    failed = re.compile(r"Warning\s+FailedGetResourceMetric\s+.*horizontal-pod-autoscaler\s+" + re.escape(NO_METRICS))
    wait_for(lambda: failed.search(described_events(cluster, "hpa", "api", namespace=AUTOSCALED)), 40,
             "FailedGetResourceMetric")
    described = kubectl(cluster, "describe", "hpa", "api", "-n", AUTOSCALED)
    assert re.search(r"AbleToScale\s+True\s+SucceededGetScale\s+", described), described
    assert re.search(r"ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to compute the "
                     r"replica count: " + re.escape(NO_METRICS), described), described
