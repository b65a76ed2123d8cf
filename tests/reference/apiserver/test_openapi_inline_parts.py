"""The parts of kinds that were described as "any object" inline (a persistent volume's sources,
its claimRef and nodeAffinity, ...) are described field by field, as the real 1.24 OpenAPI document
describes them: an unknown field inside one is dropped on create (with `fieldValidation=Strict`,
refused), and an object that sets every known field is stored and read back unchanged. The
definitions' property names, types and formats are checked against the real document's in
`test_openapi_definitions.py`."""
from __future__ import annotations

import copy
import json

import pytest

from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401
from reference_impl.apiserver.core import fieldvalidation


@pytest.fixture(autouse=True)
def server_side_field_validation(monkeypatch):
    """These tests read what the decoder knows through `fieldValidation=Strict`, which 1.24 has
    behind the ServerSideFieldValidation feature gate (off by default): they turn it on."""
    monkeypatch.setattr(fieldvalidation, "SERVER_SIDE_FIELD_VALIDATION", True)


def _persistent_volume(name: str, source: str, volume_source: dict) -> dict:
    return {"metadata": {"name": name}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
        "volumeMode": "Filesystem", "storageClassName": "fast", "mountOptions": ["ro"],
        source: volume_source,
        "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": "ns", "name": "c",
                     "uid": "1c7a8a1e-0f3b-4d5c-9e6f-123456789abc", "resourceVersion": "7", "fieldPath": "x"},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}],
             "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}}


SECRET = {"name": "s", "namespace": "n"}
# One of each PersistentVolumeSource with every field, the sources whose definitions a PV alone uses.
PERSISTENT_VOLUME_SOURCES = {
    "csi": {"driver": "d.example.com", "volumeHandle": "h", "readOnly": True, "fsType": "ext4",
            "volumeAttributes": {"a": "b"}, "controllerPublishSecretRef": SECRET, "nodeStageSecretRef": SECRET,
            "nodePublishSecretRef": SECRET, "controllerExpandSecretRef": SECRET},
    "local": {"path": "/mnt/disk", "fsType": "xfs"},
    "azureFile": {"secretName": "s", "shareName": "share", "readOnly": True, "secretNamespace": "n"},
    "cephfs": {"monitors": ["m:6789"], "path": "/", "user": "u", "secretFile": "/f", "secretRef": SECRET,
               "readOnly": True},
    "cinder": {"volumeID": "v", "fsType": "ext4", "readOnly": True, "secretRef": SECRET},
    "flexVolume": {"driver": "example/d", "fsType": "ext4", "secretRef": SECRET, "readOnly": True,
                   "options": {"o": "p"}},
    "glusterfs": {"endpoints": "e", "path": "p", "readOnly": True, "endpointsNamespace": "n"},
    "iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:storage", "lun": 1,
              "iscsiInterface": "default", "fsType": "ext4", "readOnly": True, "portals": ["10.0.0.2:3260"],
              "chapAuthDiscovery": True, "chapAuthSession": True, "secretRef": SECRET,
              "initiatorName": "iqn.2001-04.com.example:node1"},
    "rbd": {"monitors": ["m:6789"], "image": "i", "fsType": "ext4", "pool": "rbd", "user": "admin",
            "keyring": "/k", "secretRef": SECRET, "readOnly": True},
    "scaleIO": {"gateway": "https://g", "system": "s", "secretRef": SECRET, "sslEnabled": True,
                "protectionDomain": "p", "storagePool": "sp", "storageMode": "ThinProvisioned", "volumeName": "v",
                "fsType": "xfs", "readOnly": True},
    "storageos": {"volumeName": "v", "volumeNamespace": "n", "fsType": "ext4", "readOnly": True,
                  "secretRef": {"kind": "Secret", "namespace": "n", "name": "s", "uid": "u", "apiVersion": "v1",
                                "resourceVersion": "1", "fieldPath": "f"}},
}


@pytest.mark.parametrize("source", sorted(PERSISTENT_VOLUME_SOURCES))
def test_a_persistent_volumes_known_fields_round_trip(chain, source):
    """Every field of a PV's source, claimRef and nodeAffinity is stored and read back."""
    sent = _persistent_volume(f"pv-{source.lower()}", source, PERSISTENT_VOLUME_SOURCES[source])
    code, created = call(chain, "POST", "/api/v1/persistentvolumes", copy.deepcopy(sent))
    assert code == 201, created
    stored = call(chain, "GET", f"/api/v1/persistentvolumes/{sent['metadata']['name']}")[1]
    assert created["spec"] == stored["spec"] == sent["spec"]


def _persistent_volume_with_unknown_fields(name: str) -> dict:
    pv = _persistent_volume(name, "csi", {"driver": "d.example.com", "volumeHandle": "h", "bogus": 1,
                                          "nodePublishSecretRef": {"name": "s", "namespace": "n", "bogus": 1}})
    pv["spec"]["claimRef"]["bogus"] = 1
    pv["spec"]["nodeAffinity"]["bogus"] = 1
    pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["bogus"] = 1
    return pv


def test_unknown_fields_inside_a_persistent_volumes_parts_are_dropped(chain):
    code, created = call(chain, "POST", "/api/v1/persistentvolumes", _persistent_volume_with_unknown_fields("pv-drop"))
    assert code == 201, created
    stored = call(chain, "GET", "/api/v1/persistentvolumes/pv-drop")[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_a_persistent_volumes_parts(chain):
    code, status = call(chain, "POST", "/api/v1/persistentvolumes", _persistent_volume_with_unknown_fields("pv-strict"),
                        query={"fieldValidation": "Strict"})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == (  # in the order the decoder meets them
        'strict decoding error: unknown field "spec.csi.bogus", unknown field "spec.csi.nodePublishSecretRef.bogus", '
        'unknown field "spec.claimRef.bogus", unknown field "spec.nodeAffinity.required.nodeSelectorTerms[0].bogus", '
        'unknown field "spec.nodeAffinity.bogus"')


def _claim(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
        "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"},
        "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"}}}


def test_a_claims_data_source_round_trips(chain):
    """dataSource is kept whole; dataSourceRef is behind AnyVolumeDataSource, off in 1.24, and the
    real server drops it from a new claim."""
    code, created = call(chain, "POST", ns_path(chain, "persistentvolumeclaims"), _claim("kept"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "persistentvolumeclaims", "kept"))[1]
    for spec in (created["spec"], stored["spec"]):
        assert spec["dataSource"] == _claim("")["spec"]["dataSource"] and "dataSourceRef" not in spec


def test_a_claims_data_source_is_one_field_in_managed_fields_as_upstreams_are(chain):
    """TypedLocalObjectReference is atomic (+structType=atomic): the real server records
    `f:dataSource: {}`, and `f:dataSourceRef: {}` too, which it tracks before dropping the field."""
    code, created = call(chain, "POST", ns_path(chain, "persistentvolumeclaims"), _claim("owned"))
    assert code == 201, created
    fields = created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
    assert (fields["f:dataSource"], fields["f:dataSourceRef"]) == ({}, {})


def test_strict_field_validation_refuses_unknown_fields_in_a_claims_data_source(chain):
    claim = _claim("strict")
    claim["spec"]["dataSource"]["bogus"] = claim["spec"]["dataSourceRef"]["bogus"] = 1
    code, status = call(chain, "POST", ns_path(chain, "persistentvolumeclaims"), claim,
                        query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, 'strict decoding error: unknown field "spec.dataSource.bogus", '
                                               'unknown field "spec.dataSourceRef.bogus"')


def test_a_persistent_volumes_managed_fields_go_inside_its_source_as_upstreams_do(chain):
    """As the real 1.24 server records a create: a pointer struct (the source, nodeAffinity) is a
    field of its own (`.`) holding its fields; an ObjectReference, a SecretReference and a
    NodeSelector are atomic, one field each."""
    pv = {"metadata": {"name": "pv-owned"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "csi": {"driver": "d.example.com", "volumeHandle": "h", "nodePublishSecretRef": {"name": "s", "namespace": "n"}},
        "claimRef": {"namespace": "ns", "name": "c"},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a"]}]}]}}}}
    code, created = call(chain, "POST", "/api/v1/persistentvolumes", pv)
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {
        "f:accessModes": {}, "f:capacity": {".": {}, "f:storage": {}}, "f:claimRef": {},
        "f:csi": {".": {}, "f:driver": {}, "f:nodePublishSecretRef": {}, "f:volumeHandle": {}},
        "f:nodeAffinity": {".": {}, "f:required": {}}, "f:persistentVolumeReclaimPolicy": {}, "f:volumeMode": {}}}


NODE_STATUS_PARTS = {
    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
    "images": [{"names": ["registry.k8s.io/pause:3.7", "registry.k8s.io/pause@sha256:bb"], "sizeBytes": 311278}],
    "volumesAttached": [{"name": "kubernetes.io/csi/d.example.com^h", "devicePath": "/dev/xvdba"}],
}


def test_a_nodes_status_parts_round_trip(chain):
    """The kubelet's daemon endpoints, a node's images and its attached volumes are stored whole."""
    code, created = call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": "n-kept"},
                                                          "status": copy.deepcopy(NODE_STATUS_PARTS)})
    assert code == 201, created
    stored = call(chain, "GET", "/api/v1/nodes/n-kept")[1]
    for status in (created["status"], stored["status"]):
        assert {key: status[key] for key in NODE_STATUS_PARTS} == NODE_STATUS_PARTS


def _node_with_unknown_fields(name: str) -> dict:
    status = copy.deepcopy(NODE_STATUS_PARTS)
    status["daemonEndpoints"]["bogus"] = status["daemonEndpoints"]["kubeletEndpoint"]["bogus"] = 1
    status["images"][0]["bogus"] = status["volumesAttached"][0]["bogus"] = 1
    return {"metadata": {"name": name}, "spec": {"configSource": {"configMap": {
        "namespace": "kube-system", "name": "kubelet-config", "kubeletConfigKey": "kubelet", "bogus": 1}}},
        "status": status}


def test_unknown_fields_inside_a_nodes_parts_are_dropped(chain):
    code, created = call(chain, "POST", "/api/v1/nodes", _node_with_unknown_fields("n-drop"))
    assert code == 201, created
    stored = call(chain, "GET", "/api/v1/nodes/n-drop")[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_a_nodes_parts(chain):
    code, status = call(chain, "POST", "/api/v1/nodes", _node_with_unknown_fields("n-strict"),
                        query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, (
        'strict decoding error: unknown field "spec.configSource.configMap.bogus", '
        'unknown field "status.daemonEndpoints.kubeletEndpoint.bogus", unknown field "status.daemonEndpoints.bogus", '
        'unknown field "status.images[0].bogus", unknown field "status.volumesAttached[0].bogus"'))


def test_a_nodes_config_source_is_a_pointer_field_as_upstreams_managed_fields_show(chain):
    """The real 1.24 server records `configSource` and its `configMap` (both pointers) as fields of
    their own."""
    node = {"metadata": {"name": "n-owned"}, "spec": {"configSource": {"configMap": {
        "namespace": "kube-system", "name": "kc", "kubeletConfigKey": "kubelet"}}}}
    code, created = call(chain, "POST", "/api/v1/nodes", node)
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {"f:configSource": {
        ".": {}, "f:configMap": {".": {}, "f:kubeletConfigKey": {}, "f:name": {}, "f:namespace": {}}}}}


def _workload(kind: str, name: str, **spec: object) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": {
        "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
                                                          "spec": {"containers": [{"name": "c", "image": "i"}]}},
        **spec}}


def _daemon_set(name: str) -> dict:
    return _workload("DaemonSet", name, updateStrategy={"type": "RollingUpdate",
                                                        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})


def _stateful_set(name: str) -> dict:
    return _workload("StatefulSet", name, serviceName="s",
                     persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Retain"},
                     updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})


@pytest.mark.parametrize("plural,make", [("daemonsets", _daemon_set), ("statefulsets", _stateful_set)])
def test_a_workloads_update_strategy_round_trips(chain, plural, make):
    code, created = call(chain, "POST", ns_path(chain, plural, group="apps/v1"), make("kept"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, plural, "kept", group="apps/v1"))[1]
    assert created["spec"]["updateStrategy"] == stored["spec"]["updateStrategy"] == make("")["spec"]["updateStrategy"]


def _with_unknown_fields_in_the_strategy(workload: dict) -> dict:
    workload["spec"]["updateStrategy"]["rollingUpdate"]["bogus"] = 1
    if "persistentVolumeClaimRetentionPolicy" in workload["spec"]:
        workload["spec"]["persistentVolumeClaimRetentionPolicy"]["bogus"] = 1
    return workload


@pytest.mark.parametrize("plural,make", [("daemonsets", _daemon_set), ("statefulsets", _stateful_set)])
def test_unknown_fields_in_a_workloads_update_strategy_are_dropped(chain, plural, make):
    code, created = call(chain, "POST", ns_path(chain, plural, group="apps/v1"),
                         _with_unknown_fields_in_the_strategy(make("dropped")))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, plural, "dropped", group="apps/v1"))[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


@pytest.mark.parametrize("plural,make,message", [
    ("daemonsets", _daemon_set, 'unknown field "spec.updateStrategy.rollingUpdate.bogus"'),
    ("statefulsets", _stateful_set, 'unknown field "spec.persistentVolumeClaimRetentionPolicy.bogus", '
                                    'unknown field "spec.updateStrategy.rollingUpdate.bogus"')])
def test_strict_field_validation_refuses_unknown_fields_in_a_workloads_update_strategy(chain, plural, make, message):
    code, status = call(chain, "POST", ns_path(chain, plural, group="apps/v1"),
                        _with_unknown_fields_in_the_strategy(make("strict")), query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, "strict decoding error: " + message)


@pytest.mark.parametrize("plural,make,expected", [
    ("daemonsets", _daemon_set,
     {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}}),
    ("statefulsets", _stateful_set, {"f:rollingUpdate": {".": {}, "f:partition": {}}, "f:type": {}})])
def test_a_rolling_update_is_a_pointer_field_as_upstreams_managed_fields_show(chain, plural, make, expected):
    """What the real 1.24 server records for the same create: rollingUpdate is a field of its own."""
    code, created = call(chain, "POST", ns_path(chain, plural, group="apps/v1"), make("owned"))
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:updateStrategy"] == expected


def test_a_deployments_rolling_update_is_a_pointer_field_as_upstreams_managed_fields_show(chain):
    deployment = _workload("Deployment", "owned", strategy={"type": "RollingUpdate",
                                                            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
    code, created = call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), deployment)
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:strategy"] == {
        "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}}


def _endpoint_slice(name: str) -> dict:
    return {"metadata": {"name": name}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"],
                           "conditions": {"ready": True, "serving": True, "terminating": False},
                           "hostname": "h", "nodeName": "n1", "zone": "z1",
                           "targetRef": {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u", "apiVersion": "v1",
                                         "resourceVersion": "1", "fieldPath": "f"}}],
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "appProtocol": "http"}]}


def test_an_endpoint_slices_endpoints_and_ports_round_trip(chain):
    code, created = call(chain, "POST", ns_path(chain, "endpointslices", group="discovery.k8s.io/v1"),
                         _endpoint_slice("kept"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "endpointslices", "kept", group="discovery.k8s.io/v1"))[1]
    sent = _endpoint_slice("")
    for slice_ in (created, stored):
        assert (slice_["endpoints"], slice_["ports"]) == (sent["endpoints"], sent["ports"])


def _endpoint_slice_with_unknown_fields(name: str) -> dict:
    slice_ = _endpoint_slice(name)
    endpoint = slice_["endpoints"][0]
    endpoint["bogus"] = endpoint["conditions"]["bogus"] = endpoint["targetRef"]["bogus"] = 1
    slice_["ports"][0]["bogus"] = 1
    return slice_


def test_unknown_fields_inside_an_endpoint_slices_endpoints_and_ports_are_dropped(chain):
    code, created = call(chain, "POST", ns_path(chain, "endpointslices", group="discovery.k8s.io/v1"),
                         _endpoint_slice_with_unknown_fields("dropped"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "endpointslices", "dropped", group="discovery.k8s.io/v1"))[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_an_endpoint_slices_endpoints_and_ports(chain):
    code, status = call(chain, "POST", ns_path(chain, "endpointslices", group="discovery.k8s.io/v1"),
                        _endpoint_slice_with_unknown_fields("strict"), query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, (
        'strict decoding error: unknown field "endpoints[0].conditions.bogus", '
        'unknown field "endpoints[0].targetRef.bogus", unknown field "endpoints[0].bogus", '
        'unknown field "ports[0].bogus"'))


STORAGE_GROUP = "/apis/storage.k8s.io/v1"
CSI_DRIVER_SPEC = {"attachRequired": False, "podInfoOnMount": True, "volumeLifecycleModes": ["Persistent", "Ephemeral"],
                   "storageCapacity": True, "fsGroupPolicy": "File", "requiresRepublish": True,
                   "tokenRequests": [{"audience": "a", "expirationSeconds": 3600}]}
CSI_NODE_SPEC = {"drivers": [{"name": "d.example.com", "nodeID": "n1", "topologyKeys": ["zone"],
                              "allocatable": {"count": 5}}]}
VOLUME_ATTACHMENT_SPEC = {"attacher": "d.example.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv1"}}
STORAGE_SPECS = [("csidrivers", CSI_DRIVER_SPEC), ("csinodes", CSI_NODE_SPEC),
                 ("volumeattachments", VOLUME_ATTACHMENT_SPEC)]


@pytest.mark.parametrize("plural,spec", STORAGE_SPECS)
def test_a_storage_objects_spec_round_trips(chain, plural, spec):
    code, created = call(chain, "POST", f"{STORAGE_GROUP}/{plural}",
                         {"metadata": {"name": f"{plural}-kept"}, "spec": copy.deepcopy(spec)})
    assert code == 201, created
    stored = call(chain, "GET", f"{STORAGE_GROUP}/{plural}/{plural}-kept")[1]
    assert created["spec"] == stored["spec"] == spec


def _storage_object_with_unknown_fields(plural: str, name: str) -> tuple[dict, list[str]]:
    spec = copy.deepcopy(dict(STORAGE_SPECS)[plural])
    if plural == "csidrivers":
        spec["tokenRequests"][0]["bogus"] = spec["bogus"] = 1
        return {"metadata": {"name": name}, "spec": spec}, ["spec.tokenRequests[0].bogus", "spec.bogus"]
    if plural == "csinodes":
        spec["drivers"][0]["allocatable"]["bogus"] = spec["drivers"][0]["bogus"] = 1
        return {"metadata": {"name": name}, "spec": spec}, ["spec.drivers[0].allocatable.bogus",
                                                            "spec.drivers[0].bogus"]
    spec["source"]["bogus"] = 1
    status = {"attached": True, "attachError": {"message": "m", "bogus": 1}, "bogus": 1}
    return ({"metadata": {"name": name}, "spec": spec, "status": status},
            ["spec.source.bogus", "status.attachError.bogus", "status.bogus"])


@pytest.mark.parametrize("plural", [plural for plural, _ in STORAGE_SPECS])
def test_unknown_fields_inside_a_storage_objects_spec_are_dropped(chain, plural):
    obj, _ = _storage_object_with_unknown_fields(plural, f"{plural}-dropped")
    code, created = call(chain, "POST", f"{STORAGE_GROUP}/{plural}", obj)
    assert code == 201, created
    stored = call(chain, "GET", f"{STORAGE_GROUP}/{plural}/{plural}-dropped")[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


@pytest.mark.parametrize("plural", [plural for plural, _ in STORAGE_SPECS])
def test_strict_field_validation_refuses_unknown_fields_inside_a_storage_objects_spec(chain, plural):
    obj, unknown = _storage_object_with_unknown_fields(plural, f"{plural}-strict")
    code, status = call(chain, "POST", f"{STORAGE_GROUP}/{plural}", obj, query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (
        400, "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown))


LOAD_BALANCER = {"ingress": [{"ip": "192.0.2.1", "hostname": "lb.example.com",
                              "ports": [{"port": 80, "protocol": "TCP", "error": "Pending"}]}]}


def _service(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"ports": [{"port": 80}], "sessionAffinity": "ClientIP",
                                                 "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}}


def _ingress(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {"defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}}


# the kinds whose status holds a LoadBalancerStatus: plural, group/version, an object of the kind
LOAD_BALANCED = [("services", "", _service), ("ingresses", "networking.k8s.io/v1", _ingress)]


@pytest.mark.parametrize("plural,group,make", LOAD_BALANCED)
def test_a_load_balancer_status_round_trips(chain, plural, group, make):
    code, created = call(chain, "POST", ns_path(chain, plural, group=group), make("kept"))
    assert code == 201, created
    code, updated = call(chain, "PUT", ns_path(chain, plural, "kept/status", group=group),
                         {**created, "status": {"loadBalancer": copy.deepcopy(LOAD_BALANCER)}})
    assert code == 200, updated
    stored = call(chain, "GET", ns_path(chain, plural, "kept", group=group))[1]
    assert updated["status"]["loadBalancer"] == stored["status"]["loadBalancer"] == LOAD_BALANCER


@pytest.mark.parametrize("plural,group,make", LOAD_BALANCED)
def test_strict_field_validation_refuses_unknown_fields_in_a_load_balancer_status(chain, plural, group, make):
    load_balancer = copy.deepcopy(LOAD_BALANCER)
    load_balancer["ingress"][0]["bogus"] = load_balancer["ingress"][0]["ports"][0]["bogus"] = 1
    code, status = call(chain, "POST", ns_path(chain, plural, group=group),
                        {**make("strict"), "status": {"loadBalancer": load_balancer}},
                        query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, 'strict decoding error: unknown field '
                                              '"status.loadBalancer.ingress[0].ports[0].bogus", unknown field '
                                              '"status.loadBalancer.ingress[0].bogus"')


def test_a_services_session_affinity_config_round_trips_and_drops_unknown_fields(chain):
    service = _service("affinity")
    affinity = service["spec"]["sessionAffinityConfig"]
    affinity["bogus"] = affinity["clientIP"]["bogus"] = 1
    code, created = call(chain, "POST", ns_path(chain, "services"), service)
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "services", "affinity"))[1]
    assert created["spec"]["sessionAffinityConfig"] == stored["spec"]["sessionAffinityConfig"] == {
        "clientIP": {"timeoutSeconds": 60}}


def test_strict_field_validation_refuses_unknown_fields_in_a_services_session_affinity_config(chain):
    service = _service("strict")
    service["spec"]["sessionAffinityConfig"]["clientIP"]["bogus"] = 1
    code, status = call(chain, "POST", ns_path(chain, "services"), service, query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (
        400, 'strict decoding error: unknown field "spec.sessionAffinityConfig.clientIP.bogus"')


AGGREGATION_RULE = {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-view": "true"}}]}
ALLOWED_TOPOLOGIES = [{"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone", "values": ["a", "b"]}]}]
# a cluster-scoped object, the field that holds the part, and the part
CLUSTER_PARTS = [("/apis/rbac.authorization.k8s.io/v1/clusterroles", {}, "aggregationRule", AGGREGATION_RULE),
                 ("/apis/storage.k8s.io/v1/storageclasses", {"provisioner": "p.example.com"}, "allowedTopologies",
                  ALLOWED_TOPOLOGIES)]


@pytest.mark.parametrize("path,obj,field,value", CLUSTER_PARTS)
def test_an_aggregation_rule_and_allowed_topologies_round_trip(chain, path, obj, field, value):
    name = f"{field.lower()}-kept"
    code, created = call(chain, "POST", path, {"metadata": {"name": name}, **obj, field: copy.deepcopy(value)})
    assert code == 201, created
    stored = call(chain, "GET", f"{path}/{name}")[1]
    assert created[field] == stored[field] == value


@pytest.mark.parametrize("path,obj,field,value,unknown", [
    (*CLUSTER_PARTS[0], "aggregationRule.clusterRoleSelectors[0].bogus"),
    (*CLUSTER_PARTS[1], "allowedTopologies[0].matchLabelExpressions[0].bogus")])
def test_unknown_fields_in_an_aggregation_rule_and_allowed_topologies_are_dropped_or_refused(
        chain, path, obj, field, value, unknown):
    value = copy.deepcopy(value)
    (value["clusterRoleSelectors"][0] if field == "aggregationRule"
     else value[0]["matchLabelExpressions"][0])["bogus"] = 1
    name = f"{field.lower()}-unknown"
    code, status = call(chain, "POST", path, {"metadata": {"name": name}, **obj, field: value},
                        query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, f'strict decoding error: unknown field "{unknown}"')
    code, created = call(chain, "POST", path, {"metadata": {"name": name}, **obj, field: value})
    assert code == 201, created
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(call(chain, "GET", f"{path}/{name}")[1])


@pytest.mark.parametrize("extra,problem", [
    ({"scopes": "all"}, "string into Go struct field CertificateSigningRequestSpec.spec.extra of type v1.ExtraValue"),
    ({"scopes": ["all", 1]}, "number into Go struct field CertificateSigningRequestSpec.spec.extra of type string")])
def test_a_certificate_signing_requests_extra_is_a_map_of_string_lists(chain, extra, problem):
    """`extra` is a map[string]ExtraValue (a []string): any other value does not decode, as the real
    server answers."""
    csr = {"metadata": {"name": "extra"}, "spec": {"request": "eA==", "signerName": "example.com/x",
                                                   "usages": ["digital signature"], "extra": extra}}
    code, status = call(chain, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr)
    assert (code, status["message"]) == (400, 'CertificateSigningRequest in version "v1" cannot be handled as a '
                                              f'CertificateSigningRequest: json: cannot unmarshal {problem}')


HPA_GROUP = "autoscaling/v2"
HPA_METRICS = [
    {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": {"matchLabels": {"a": "b"}}},
                              "target": {"type": "AverageValue", "averageValue": "10"}}},
    {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                                      "name": "i"},
                                  "metric": {"name": "rps"}, "target": {"type": "Value", "value": "2k"}}},
    {"type": "External", "external": {"metric": {"name": "queue"},
                                      "target": {"type": "AverageValue", "averageValue": "30"}}}]
HPA_BEHAVIOR = {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                            "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
                "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Min",
                              "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}
HPA_STATUS = {"desiredReplicas": 2, "currentReplicas": 1,
              "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale",
                              "message": "m", "lastTransitionTime": "2024-01-02T03:04:05Z"}],
              "currentMetrics": [
                  {"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "9"}}},
                  {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 50,
                                                                              "averageValue": "100m"}}},
                  {"type": "Object", "object": {"describedObject": {"kind": "Ingress", "name": "i"},
                                                "metric": {"name": "rps"}, "current": {"value": "1k"}}},
                  {"type": "External", "external": {"metric": {"name": "queue"}, "current": {"averageValue": "3"}}},
                  {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                                      "current": {"averageUtilization": 40}}}]}


def _autoscaler(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "minReplicas": 1,
        "maxReplicas": 5, "metrics": copy.deepcopy(HPA_METRICS), "behavior": copy.deepcopy(HPA_BEHAVIOR)}}


def test_an_autoscalers_metrics_behavior_and_status_round_trip(chain):
    code, created = call(chain, "POST", ns_path(chain, "horizontalpodautoscalers", group=HPA_GROUP),
                         _autoscaler("kept"))
    assert code == 201, created
    assert (created["spec"]["metrics"], created["spec"]["behavior"]) == (HPA_METRICS, HPA_BEHAVIOR)
    code, updated = call(chain, "PUT", ns_path(chain, "horizontalpodautoscalers", "kept/status", group=HPA_GROUP),
                         {**created, "status": copy.deepcopy(HPA_STATUS)})
    assert code == 200, updated
    stored = call(chain, "GET", ns_path(chain, "horizontalpodautoscalers", "kept", group=HPA_GROUP))[1]
    assert (stored["spec"]["metrics"], stored["spec"]["behavior"]) == (HPA_METRICS, HPA_BEHAVIOR)
    # Stored as autoscaling/v1, as 1.24 stores it, whose External and ContainerResource statuses
    # hold the current value and average value as Quantities, not pointers: left out, they read "0".
    expected = copy.deepcopy(HPA_STATUS)
    expected["currentMetrics"][-2]["external"]["current"]["value"] = "0"
    expected["currentMetrics"][-1]["containerResource"]["current"]["averageValue"] = "0"
    assert updated["status"] == stored["status"] == expected


def _autoscaler_with_unknown_fields(name: str) -> dict:
    hpa = _autoscaler(name)
    spec = hpa["spec"]
    spec["behavior"]["scaleUp"]["bogus"] = spec["behavior"]["scaleUp"]["policies"][0]["bogus"] = 1
    spec["metrics"][0]["pods"]["metric"]["bogus"] = spec["metrics"][1]["object"]["bogus"] = 1
    spec["metrics"][2]["external"]["target"]["bogus"] = 1
    hpa["status"] = {"desiredReplicas": 1, "currentMetrics": [{"type": "Pods", "pods": {
        "metric": {"name": "qps"}, "current": {"averageValue": "9", "bogus": 1}}}],
        "conditions": [{"type": "AbleToScale", "status": "True", "observedGeneration": 1}]}
    return hpa


def test_unknown_fields_inside_an_autoscalers_parts_are_dropped(chain):
    code, created = call(chain, "POST", ns_path(chain, "horizontalpodautoscalers", group=HPA_GROUP),
                         _autoscaler_with_unknown_fields("dropped"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "horizontalpodautoscalers", "dropped", group=HPA_GROUP))[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_an_autoscalers_parts(chain):
    """An autoscaling/v2 condition has no observedGeneration (it is no metav1.Condition)."""
    code, status = call(chain, "POST", ns_path(chain, "horizontalpodautoscalers", group=HPA_GROUP),
                        _autoscaler_with_unknown_fields("strict"), query={"fieldValidation": "Strict"})
    unknown = ("spec.metrics[0].pods.metric.bogus", "spec.metrics[1].object.bogus",
               "spec.metrics[2].external.target.bogus", "spec.behavior.scaleUp.policies[0].bogus",
               "spec.behavior.scaleUp.bogus", "status.currentMetrics[0].pods.current.bogus",
               "status.conditions[0].observedGeneration")
    assert (code, status["message"]) == (
        400, "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown))


CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _crd(plural: str) -> dict:
    return {"metadata": {"name": f"{plural}.example.com"}, "spec": {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": plural, "singular": plural[:-1], "kind": plural[:-1].title(),
                  "listKind": plural[:-1].title() + "List"},
        "conversion": {"strategy": "Webhook", "webhook": {"conversionReviewVersions": ["v1"], "clientConfig": {
            "caBundle": "eA==", "service": {"namespace": "ns", "name": "conv", "path": "/convert", "port": 8443}}}},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                     "statusReplicasPath": ".status.replicas",
                                                     "labelSelectorPath": ".status.selector"}},
            "additionalPrinterColumns": [{"name": "Size", "type": "integer", "format": "int32", "description": "d",
                                          "priority": 1, "jsonPath": ".spec.size"}]}]}}


def test_a_custom_resource_definitions_conversion_columns_and_subresources_round_trip(chain):
    code, created = call(chain, "POST", CRDS, _crd("widgets"))
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/widgets.example.com")[1]
    assert created["spec"] == stored["spec"] == _crd("widgets")["spec"]


def _crd_with_unknown_fields(plural: str) -> dict:
    crd = _crd(plural)
    crd["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["bogus"] = 1
    crd["spec"]["conversion"]["bogus"] = 1
    version = crd["spec"]["versions"][0]
    version["subresources"]["status"]["bogus"] = version["subresources"]["scale"]["bogus"] = 1
    version["additionalPrinterColumns"][0]["bogus"] = 1
    crd["status"] = {"conditions": [{"type": "Established", "status": "True", "bogus": 1}]}
    return crd


def test_unknown_fields_inside_a_custom_resource_definitions_parts_are_dropped(chain):
    code, created = call(chain, "POST", CRDS, _crd_with_unknown_fields("gadgets"))
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/gadgets.example.com")[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_a_custom_resource_definitions_parts(chain):
    code, status = call(chain, "POST", CRDS, _crd_with_unknown_fields("gizmos"), query={"fieldValidation": "Strict"})
    unknown = ("spec.conversion.webhook.clientConfig.service.bogus", "spec.conversion.bogus",
               "spec.versions[0].subresources.status.bogus", "spec.versions[0].subresources.scale.bogus",
               "spec.versions[0].additionalPrinterColumns[0].bogus", "status.conditions[0].bogus")
    assert (code, status["message"]) == (
        400, "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown))


def _crd_with_unknown_fields_in_its_schema(plural: str) -> dict:
    crd = _crd(plural)
    crd["spec"]["versions"][0]["schema"] = {"openAPIV3Schema": {
        "type": "object", "bogus": 1, "externalDocs": {"url": "https://example.com", "bogus": 1},
        "properties": {"spec": {"type": "object", "bogus": 1, "properties": {"size": {"type": "integer"}}}}}}
    return crd


def test_unknown_fields_in_a_custom_resource_definitions_schema_are_dropped(chain):
    code, created = call(chain, "POST", CRDS, _crd_with_unknown_fields_in_its_schema("doohickeys"))
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/doohickeys.example.com")[1]
    for crd in (created, stored):
        assert crd["spec"]["versions"][0]["schema"] == {"openAPIV3Schema": {
            "type": "object", "externalDocs": {"url": "https://example.com"},
            "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}


def test_strict_field_validation_refuses_unknown_fields_in_a_custom_resource_definitions_schema(chain):
    code, status = call(chain, "POST", CRDS, _crd_with_unknown_fields_in_its_schema("whatsits"),
                        query={"fieldValidation": "Strict"})
    schema = "spec.versions[0].schema.openAPIV3Schema"
    unknown = (f"{schema}.bogus", f"{schema}.externalDocs.bogus", f"{schema}.properties.spec.bogus")
    assert (code, status["message"]) == (
        400, "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown))


def test_every_keyword_of_a_custom_resource_definitions_schema_is_kept(chain):
    """Every JSONSchemaProps field a CRD may use is stored and read back (x-kubernetes-validations is
    behind the CustomResourceValidationExpressions gate, off in 1.24)."""
    crd = _crd("thingamabobs")
    crd["spec"]["versions"][0]["schema"] = {"openAPIV3Schema": {
        "type": "object", "description": "d", "title": "t", "required": ["spec"],
        "externalDocs": {"description": "more", "url": "https://example.com"},
        "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "spec": {"type": "object", "minProperties": 1, "maxProperties": 9, "nullable": True,
                     "x-kubernetes-map-type": "granular",
                     "properties": {"size": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 9.5,
                                             "exclusiveMinimum": True, "exclusiveMaximum": True,
                                             "multipleOf": 2, "default": 4, "example": 6, "enum": [4, 6]},
                                    "name": {"type": "string", "minLength": 1, "maxLength": 63,
                                             "pattern": "^[a-z]+$"},
                                    "port": {"x-kubernetes-int-or-string": True,
                                             "anyOf": [{"type": "integer"}, {"type": "string"}]}}},
            "items": {"type": "array", "minItems": 0, "maxItems": 5, "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
            "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                         "x-kubernetes-preserve-unknown-fields": True}}}}
    code, created = call(chain, "POST", CRDS, copy.deepcopy(crd))
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/thingamabobs.example.com")[1]
    assert created["spec"]["versions"] == stored["spec"]["versions"] == crd["spec"]["versions"]
