"""kubectl's everyday commands against the reference kube-apiserver, where its output once differed
from what the same kubectl prints against a real 1.24 kube-apiserver: each test states what the
real server gives (compared side by side, kubectl 1.27, real kube-apiserver 1.24 on etcd 3.4)."""
from __future__ import annotations

import json

import pytest
import yaml

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "e2e-workflows"


def ok(cluster: Cluster, *args: str, input: str | None = None) -> str:
    result = cluster.kubectl(*args, input=input)
    assert result.returncode == 0, f"kubectl {' '.join(args)} exited {result.returncode}: {result.stderr}"
    return result.stdout


def workload(kind: str, name: str, **spec) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"matchLabels": labels}, **spec, "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                                         "resources": {"limits": {"cpu": "1"}}}]}}}}


@pytest.fixture(scope="module")
def kube(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    ok(reference_control_plane, "create", "namespace", NS)
    manifests = [workload("Deployment", "web", replicas=1), workload("DaemonSet", "agent")]
    ok(reference_control_plane, "apply", "-f", "-", input=yaml.safe_dump_all(manifests))
    return reference_control_plane


def test_get_all_lists_kinds_in_discovery_order(kube):
    """`kubectl get all` walks the "all" category in discovery order, and discovery lists a group
    version's resources sorted: the daemon set comes before the deployment."""
    assert ok(kube, "get", "all", "-n", NS, "-o", "name").split() == [
        "daemonset.apps/agent", "deployment.apps/web"]


def test_a_template_keeps_its_limits_alone(kube):
    """The real server stores a deployment's template as sent: limits without requests, and no
    enableServiceLinks (both are defaulted on a Pod only)."""
    spec = json.loads(ok(kube, "get", "deployment", "web", "-n", NS, "-o", "json"))["spec"]["template"]["spec"]
    assert spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert "enableServiceLinks" not in spec


def test_create_token_prints_the_request_answered(kube):
    """The real server answers a TokenRequest with the request as sent plus its status: kubectl
    prints no name or namespace, a null creationTimestamp and the bound reference without a uid."""
    ok(kube, "create", "secret", "generic", "bound", "-n", NS)
    answer = json.loads(ok(kube, "create", "token", "default", "-n", NS, "--bound-object-kind=Secret",
                           "--bound-object-name=bound", "-o", "json"))
    assert answer["metadata"] == {"creationTimestamp": None}
    assert answer["spec"]["boundObjectRef"] == {"kind": "Secret", "apiVersion": "v1", "name": "bound"}


def test_removing_a_missing_label_from_an_unlabelled_object_reports_labeled(kube):
    """Once its last label is removed the real server stores no `labels: {}`, so kubectl's second
    removal (which adds an empty map) reports the object labeled, after saying the label is missing."""
    ok(kube, "create", "configmap", "unlabelled", "-n", NS)
    ok(kube, "label", "configmap", "unlabelled", "-n", NS, "a=b")
    assert ok(kube, "label", "configmap", "unlabelled", "-n", NS, "a-") == "configmap/unlabelled unlabeled\n"
    assert ok(kube, "label", "configmap", "unlabelled", "-n", NS, "a-") == (
        'label "a" not found.\nconfigmap/unlabelled labeled\n')


def test_create_service_with_a_taken_node_port_fails(kube):
    """kubectl create service nodeport with a node port another service holds: the real server's
    allocator refuses it and kubectl says why."""
    ok(kube, "create", "service", "nodeport", "first", "-n", NS, "--tcp=80:8080", "--node-port=30123")
    result = kube.kubectl("create", "service", "nodeport", "second", "-n", NS, "--tcp=80:8080", "--node-port=30123")
    assert (result.returncode, result.stderr) == (1, 'error: failed to create NodePort service: Service "second" '
                                                     "is invalid: spec.ports[0].nodePort: Invalid value: 30123: "
                                                     "provided port is already allocated\n")


@pytest.mark.parametrize("cascade,finalizer", [("foreground", "foregroundDeletion"), ("orphan", "orphan")])
def test_a_cascading_delete_waits_for_the_garbage_collector(kube, cascade, finalizer):
    """`kubectl delete --cascade=foreground|orphan` sends that propagation policy; the real server
    keeps the object, marked deleted, with the finalizer the garbage collector removes (none runs
    here), so `--wait=false` returns and the object is still there."""
    name = f"cascade-{cascade}"
    ok(kube, "create", "deployment", name, "-n", NS, "--image=nginx:1.25")
    assert ok(kube, "delete", "deployment", name, "-n", NS, f"--cascade={cascade}", "--wait=false") == \
        f'deployment.apps "{name}" deleted\n'
    meta = json.loads(ok(kube, "get", "deployment", name, "-n", NS, "-o", "json"))["metadata"]
    assert meta["finalizers"] == [finalizer] and meta["deletionTimestamp"]


def test_a_template_shows_a_null_creation_timestamp_no_field_manager_owns(kube):
    """`kubectl get -o yaml` of a workload shows its template's `creationTimestamp: null`, as Go
    writes the zero time of an embedded ObjectMeta; no manager owns it."""
    deployment = yaml.safe_load(ok(kube, "get", "deployment", "web", "-n", NS, "-o", "yaml", "--show-managed-fields"))
    assert deployment["spec"]["template"]["metadata"] == {"creationTimestamp": None, "labels": {"app": "web"}}
    owned = deployment["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:template"]["f:metadata"]
    assert owned == {"f:labels": {".": {}, "f:app": {}}}


def test_a_server_dry_run_create_of_an_existing_object_fails(kube):
    """`kubectl create --dry-run=server` of an object that exists fails as the create would."""
    result = kube.kubectl("create", "deployment", "web", "-n", NS, "--image=nginx:1.25", "--dry-run=server")
    assert (result.returncode, result.stderr) == (
        1, 'error: failed to create deployment: deployments.apps "web" already exists\n')


def test_annotating_a_deployment_bumps_its_generation(kube):
    """`kubectl annotate` of a deployment is a new generation on the real server; a label is not."""
    ok(kube, "create", "deployment", "annotated", "-n", NS, "--image=nginx:1.25")
    ok(kube, "label", "deployment", "annotated", "-n", NS, "tier=web")
    ok(kube, "annotate", "deployment", "annotated", "-n", NS, "note=x")
    assert ok(kube, "get", "deployment", "annotated", "-n", NS, "-o", "jsonpath={.metadata.generation}") == "2"


def test_autoscale_without_a_cpu_percent_targets_80_percent(kube):
    """`kubectl autoscale` with no usable --cpu-percent creates a v1 autoscaler without a target;
    the real server converts it to the default 80% cpu target, which `kubectl get hpa` shows."""
    ok(kube, "autoscale", "deployment", "web", "-n", NS, "--max=3", "--name=web-default", "--cpu-percent=-1")
    assert ok(kube, "get", "hpa", "web-default", "-n", NS, "-o", "jsonpath={.spec.metrics}") == (
        '[{"resource":{"name":"cpu","target":{"averageUtilization":80,"type":"Utilization"}},"type":"Resource"}]')


def test_logs_of_a_pod_on_a_missing_node(kube):
    """The real server names the missing node as a pod (its node lookup's NotFound takes the
    request's resource), and kubectl prints that."""
    ok(kube, "run", "stranded", "-n", NS, "--image=nginx:1.25", '--overrides={"spec":{"nodeName":"gone"}}')
    result = kube.kubectl("logs", "stranded", "-n", NS)
    assert (result.returncode, result.stderr) == (1, 'Error from server (NotFound): pods "gone" not found\n')


def test_get_cronjob_prints_suspend_as_the_real_printer_does(kube):
    """The real CronJob printer writes SUSPEND as the string False (printBoolPtr), not a bool."""
    ok(kube, "create", "cronjob", "nightly", "-n", NS, "--image=busybox:1.36", "--schedule=0 3 * * *")
    assert ok(kube, "get", "cronjob", "nightly", "-n", NS, "--no-headers").split()[6] == "False"


def test_a_created_job_carries_the_job_tracking_annotation(kube):
    """`kubectl create job` on the real 1.24 server gives a job batch.kubernetes.io/job-tracking."""
    ok(kube, "create", "job", "tracked", "-n", NS, "--image=busybox:1.36")
    annotations = json.loads(ok(kube, "get", "job", "tracked", "-n", NS, "-o", "json"))["metadata"]["annotations"]
    assert annotations == {"batch.kubernetes.io/job-tracking": ""}


def test_the_kubernetes_service_is_served_in_default(kube):
    """A fresh real kube-apiserver serves default/kubernetes on 10.96.0.1:443, so a user's
    request for that IP finds it taken."""
    assert ok(kube, "get", "service", "kubernetes", "-n", "default", "-o",
              "jsonpath={.spec.clusterIP} {.spec.ports[0].port} {.spec.ports[0].targetPort}") == \
        f"10.96.0.1 443 {kube.port}"
    result = kube.kubectl("create", "service", "clusterip", "first-ip", "-n", NS, "--tcp=80", "--clusterip=10.96.0.1")
    assert result.stderr == ('error: failed to create ClusterIP service: Service "first-ip" is invalid: '
                             'spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: '
                             'provided IP is already allocated\n')


def test_explain_shows_the_fields_the_real_openapi_has(kube):
    """`kubectl explain` walks /openapi/v2: 1.24's ObjectMeta still lists clusterName, and its
    CronJobSpec has no timeZone (the real server's explain, kubectl 1.27 and 1.33)."""
    fields = ok(kube, "explain", "configmap.metadata").split("FIELDS:")[1]
    assert "clusterName\t<string>" in fields
    result = kube.kubectl("explain", "cronjob.spec.timeZone")
    assert (result.returncode, result.stderr) == (1, 'error: field "timeZone" does not exist\n')
