"""The version each kind is stored in, whichever version wrote it: 1.24's storage version of each
group is its first version priority (pkg/apis/<group>/install), so HorizontalPodAutoscalers are
stored as autoscaling/v1, PodDisruptionBudgets as policy/v1beta1, EndpointSlices as
discovery.k8s.io/v1beta1, FlowSchemas and PriorityLevelConfigurations as v1beta1, while CronJobs,
RuntimeClasses and events.k8s.io Events keep their GA (or core) version. Each expectation was read
with `etcdctl get` from a real 1.24 kube-apiserver given the same objects. And what v1 cannot hold
of an autoscaler survives its storage in the round-trip annotations."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import call
from tests.reference.etcd.processes import reference_server

NOW = 1_700_000_000.0
NS = "stored"
TARGET = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}
HPA_SPEC = {"scaleTargetRef": TARGET, "minReplicas": 1, "maxReplicas": 3}
CRON_SPEC = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
    "containers": [{"name": "c", "image": "i"}], "restartPolicy": "OnFailure"}}}}}
EVENT = {"eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "a/b", "reportingInstance": "i",
         "action": "A", "reason": "R", "type": "Normal", "regarding": {"kind": "Pod", "name": "p", "namespace": NS}}
SCHEMA_SPEC = {"priorityLevelConfiguration": {"name": "global-default"}, "matchingPrecedence": 5000}
LEVEL_SPEC = {"type": "Limited", "limited": {"assuredConcurrencyShares": 5, "limitResponse": {"type": "Reject"}}}

# (served group/version, plural, namespaced, the rest of a valid object, the stored group/version)
WRITES = [
    ("autoscaling/v2", "horizontalpodautoscalers", True, {"spec": HPA_SPEC}, "autoscaling/v1"),
    ("autoscaling/v2beta2", "horizontalpodautoscalers", True, {"spec": HPA_SPEC}, "autoscaling/v1"),
    ("autoscaling/v2beta1", "horizontalpodautoscalers", True, {"spec": HPA_SPEC}, "autoscaling/v1"),
    ("autoscaling/v1", "horizontalpodautoscalers", True, {"spec": HPA_SPEC}, "autoscaling/v1"),
    ("policy/v1", "poddisruptionbudgets", True, {"spec": {"minAvailable": 1}}, "policy/v1beta1"),
    ("policy/v1beta1", "poddisruptionbudgets", True, {"spec": {"minAvailable": 1}}, "policy/v1beta1"),
    ("discovery.k8s.io/v1", "endpointslices", True, {"addressType": "IPv4", "endpoints": [
        {"addresses": ["10.0.0.1"]}]}, "discovery.k8s.io/v1beta1"),
    ("discovery.k8s.io/v1beta1", "endpointslices", True, {"addressType": "IPv4", "endpoints": [
        {"addresses": ["10.0.0.1"]}]}, "discovery.k8s.io/v1beta1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "flowschemas", False, {"spec": SCHEMA_SPEC},
     "flowcontrol.apiserver.k8s.io/v1beta1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "prioritylevelconfigurations", False, {"spec": LEVEL_SPEC},
     "flowcontrol.apiserver.k8s.io/v1beta1"),
    ("batch/v1beta1", "cronjobs", True, {"spec": CRON_SPEC}, "batch/v1"),
    ("node.k8s.io/v1beta1", "runtimeclasses", False, {"handler": "h"}, "node.k8s.io/v1"),
    ("events.k8s.io/v1", "events", True, EVENT, "v1"),
]
KINDS = {"horizontalpodautoscalers": "HorizontalPodAutoscaler", "poddisruptionbudgets": "PodDisruptionBudget",
         "endpointslices": "EndpointSlice", "flowschemas": "FlowSchema", "cronjobs": "CronJob", "events": "Event",
         "prioritylevelconfigurations": "PriorityLevelConfiguration", "runtimeclasses": "RuntimeClass"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A chain over a reference etcd, and a client reading that etcd directly."""
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        registry = Registry(client, ManualClock(NOW))
        chain = HandlerChain(registry, now=lambda: NOW + 90)
        call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
        yield chain, client
        registry.close()
        client.close()


def collection(group_version: str, plural: str, namespaced: bool) -> str:
    root = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    return f"{root}/namespaces/{NS}/{plural}" if namespaced else f"{root}/{plural}"


def stored(client: EtcdClient, key: str) -> dict:
    return json.loads(client.range(key).kvs[0].value)


@pytest.mark.parametrize("served,plural,namespaced,body,storage", WRITES,
                         ids=[f"{plural}-{served}" for served, plural, *_ in WRITES])
def test_an_object_is_stored_in_its_groups_storage_version(cluster, served, plural, namespaced, body, storage):
    """Whichever version a client writes, etcd holds the group's storage version."""
    chain, client = cluster
    name = f"{served.replace('/', '-').replace('.', '-')}"
    obj = {"apiVersion": served, "kind": KINDS[plural], "metadata": {"name": name}, **body}
    code, created = call(chain, "POST", collection(served, plural, namespaced), obj)
    assert code == 201, created
    prefix = "events" if plural == "events" else plural
    key = f"/registry/{prefix}/{NS}/{name}" if namespaced else f"/registry/{prefix}/{name}"
    assert stored(client, key)["apiVersion"] == storage


def test_the_served_version_reads_back_what_it_wrote(cluster):
    """A v1 PodDisruptionBudget with an empty selector (all pods) is stored as v1beta1's match-all
    selector and reads back empty; a v1 EndpointSlice's zone and nodeName are v1beta1 topology."""
    chain, client = cluster
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "all"},
              "spec": {"minAvailable": 1, "selector": {}}}
    assert call(chain, "POST", collection("policy/v1", "poddisruptionbudgets", True), budget)[0] == 201
    assert stored(client, f"/registry/poddisruptionbudgets/{NS}/all")["spec"]["selector"] == {"matchExpressions": [
        {"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "DoesNotExist"}]}
    read = call(chain, "GET", collection("policy/v1", "poddisruptionbudgets", True) + "/all")[1]
    assert read["apiVersion"] == "policy/v1" and read["spec"]["selector"] == {}
    endpoint = {"addresses": ["10.0.0.1"], "nodeName": "n1", "zone": "z1"}
    slice_ = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "zoned"},
              "addressType": "IPv4", "endpoints": [endpoint]}
    assert call(chain, "POST", collection("discovery.k8s.io/v1", "endpointslices", True), slice_)[0] == 201
    assert stored(client, f"/registry/endpointslices/{NS}/zoned")["endpoints"][0]["topology"] == {
        "kubernetes.io/hostname": "n1", "topology.kubernetes.io/zone": "z1"}
    read = call(chain, "GET", collection("discovery.k8s.io/v1", "endpointslices", True) + "/zoned")[1]
    assert read["endpoints"][0] == {**endpoint, "conditions": {}}


BEHAVIOR = {"scaleUp": {"stabilizationWindowSeconds": 10, "selectPolicy": "Min",
                        "policies": [{"type": "Pods", "value": 4, "periodSeconds": 30}]},
            "scaleDown": {"policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}
CPU = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}
PODS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}
STATUS = {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": [
    {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 55}}}],
    "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z",
                    "reason": "R"}]}


@pytest.fixture(scope="module")
def autoscaler(cluster):
    """A v2 autoscaler with a cpu target before another metric, a behavior, current metrics and
    conditions: every part v1 has no field for."""
    chain, _ = cluster
    path = collection("autoscaling/v2", "horizontalpodautoscalers", True)
    body = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "full"},
            "spec": {**HPA_SPEC, "metrics": [CPU, PODS], "behavior": BEHAVIOR}}
    code, created = call(chain, "POST", path, body)
    assert code == 201, created
    code, updated = call(chain, "PUT", f"{path}/full/status", {**created, "status": STATUS})
    assert code == 200, updated
    return path + "/full"


def test_v1_storage_keeps_an_autoscalers_v2_parts_in_annotations(cluster, autoscaler):
    """As a real 1.24 server stores it: behavior as encoding/json writes the internal type (Go's
    field names, defaults filled, null where unset), the current metrics as v1 MetricStatuses and
    the conditions as v1 conditions, each under autoscaling.alpha.kubernetes.io/."""
    _, client = cluster
    annotations = stored(client, f"/registry/horizontalpodautoscalers/{NS}/full")["metadata"]["annotations"]
    assert annotations == {
        "autoscaling.alpha.kubernetes.io/behavior":
            '{"ScaleUp":{"StabilizationWindowSeconds":10,"SelectPolicy":"Min","Policies":[{"Type":"Pods","Value":4,'
            '"PeriodSeconds":30}]},"ScaleDown":{"StabilizationWindowSeconds":null,"SelectPolicy":"Max","Policies":'
            '[{"Type":"Percent","Value":50,"PeriodSeconds":60}]}}',
        "autoscaling.alpha.kubernetes.io/conditions":
            '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"R"}]',
        "autoscaling.alpha.kubernetes.io/current-metrics":
            '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":55,"currentAverageValue":"0"}}]',
        "autoscaling.alpha.kubernetes.io/metrics":
            '[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]'}


def test_an_autoscaler_reads_back_as_v2_from_its_v1_storage(cluster, autoscaler):
    """Read as v2 it has everything again, but the cpu target comes after the annotation's metrics,
    and a current cpu utilization has v1's non-pointer averageValue, "0", as from the real server."""
    chain, _ = cluster
    code, read = call(chain, "GET", autoscaler)
    assert code == 200
    assert read["spec"]["metrics"] == [PODS, CPU]
    assert read["spec"]["behavior"]["scaleUp"] == BEHAVIOR["scaleUp"]
    assert "annotations" not in read["metadata"]
    assert read["status"] == {**STATUS, "currentMetrics": [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageValue": "0", "averageUtilization": 55}}}]}


CONVERTED = [r for r in kinds.RESOURCES if r.storage_codec is not None]


@pytest.mark.parametrize("resource", CONVERTED, ids=[f"{r.plural}-{r.api_version}" for r in CONVERTED])
def test_a_resource_names_the_version_its_codec_writes(resource):
    """Discovery's storageVersionHash is computed from `stored_as`: it must be what goes to etcd."""
    obj = {"apiVersion": resource.api_version, "kind": resource.kind, "metadata": {"name": "x"}}
    assert resource.storage_codec.to_storage(obj)["apiVersion"] == resource.storage_api_version


@pytest.mark.parametrize("plural,spec", [("flowschemas", SCHEMA_SPEC), ("prioritylevelconfigurations", LEVEL_SPEC)])
def test_a_flowcontrol_object_stored_as_v1beta2_reads_back_as_v1beta1(cluster, plural, spec):
    """An object an older reference server stored as v1beta2 (the fields are v1beta1's) is read
    through the v1beta1 endpoint in v1beta1, as the codec stamps the served version on read."""
    chain, client = cluster
    v1beta2 = "flowcontrol.apiserver.k8s.io/v1beta2"
    name = f"old-{plural}"
    obj = {"apiVersion": v1beta2, "kind": KINDS[plural], "metadata": {"name": name}, "spec": spec}
    code, created = call(chain, "POST", collection(v1beta2, plural, False), obj)
    assert code == 201, created
    key = f"/registry/{plural}/{name}"
    held = client.range(key).kvs[0]
    client.put_if_mod_revision(key, json.dumps({**stored(client, key), "apiVersion": v1beta2}).encode(),
                               held.mod_revision)
    for served in ("flowcontrol.apiserver.k8s.io/v1beta1", v1beta2):
        code, read = call(chain, "GET", f"{collection(served, plural, False)}/{name}")
        assert (code, read["apiVersion"]) == (200, served)
