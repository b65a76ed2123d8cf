"""PersistentVolume, PersistentVolumeClaim, StorageClass and VolumeAttachment objects as Kubernetes
1.24 checks them:
the decoder refuses wrong JSON types with a 400, and pkg/apis/core/validation and
pkg/apis/storage/validation refuse what a volume, a claim or a class must not be with a 422 in
upstream's words."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver.test_namespace_lifecycle import call, chain, ns  # noqa: F401 (fixtures)

HOST_PATH = {"path": "/tmp/pv"}
PV_SPEC = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": HOST_PATH}
ACCESS_MODES = '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce"'


def create_pv(chain, name: str, spec: dict | None):
    body = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}}
    if spec is not None:
        body["spec"] = spec
    return call(chain, "POST", "/api/v1/persistentvolumes", body)


def create_pvc(chain, ns: str, spec: dict | None):
    body = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim"}}
    if spec is not None:
        body["spec"] = spec
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", body)


def problems(kind: str, name: str, code_and_status) -> str:
    code, status = code_and_status
    assert (code, status["reason"]) == (422, "Invalid"), status
    return status["message"].removeprefix(f'{kind} "{name}" is invalid: ')


@pytest.mark.parametrize("spec,message", [
    (None, "[spec.accessModes: Required value: at least 1 access mode is required, "
           "spec.resources[storage]: Required value]"),
    ({"resources": {"requests": {"storage": "1Gi"}}},
     "spec.accessModes: Required value: at least 1 access mode is required"),
    ({"accessModes": [], "resources": {"requests": {"storage": "1Gi"}}},
     "spec.accessModes: Required value: at least 1 access mode is required"),
    ({"accessModes": ["ReadWriteOnce"]}, "spec.resources[storage]: Required value"),
    ({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"cpu": "1"}}},
     "spec.resources[storage]: Required value"),
    ({"accessModes": ["Sometimes"], "resources": {"requests": {"storage": "1Gi"}}},
     f'spec.accessModes: Unsupported value: "Sometimes": supported values: {ACCESS_MODES}'),
    ({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "0"}}},
     'spec.resources[storage]: Invalid value: "0": must be greater than zero'),
    ({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Raw"},
     'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
    ({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "A_B"},
     'spec.storageClassName: Invalid value: "A_B": a lowercase RFC 1123 subdomain must consist of lower case '
     "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
     "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
], ids=["no-spec", "no-modes", "empty-modes", "no-resources", "no-storage", "unknown-mode", "zero-storage",
        "volume-mode", "class-name"])
def test_claim_rule(chain, ns, spec, message):
    """ValidatePersistentVolumeClaimSpec: at least one known access mode and a positive storage request."""
    assert problems("PersistentVolumeClaim", "claim", create_pvc(chain, ns, spec)) == message


@pytest.mark.parametrize("spec,message", [
    (None, "[spec.accessModes: Required value, spec.capacity: Required value, spec.capacity: Unsupported value: "
           'core.ResourceList(nil): supported values: "storage", spec: Required value: must specify a volume type]'),
    ({**PV_SPEC, "capacity": None},
     '[spec.capacity: Required value, spec.capacity: Unsupported value: core.ResourceList(nil): supported values: '
     '"storage"]'),
    ({**PV_SPEC, "capacity": {}},
     '[spec.capacity: Required value, spec.capacity: Unsupported value: core.ResourceList{}: supported values: '
     '"storage"]'),
    ({**PV_SPEC, "accessModes": None}, "spec.accessModes: Required value"),
    ({**PV_SPEC, "accessModes": []}, "spec.accessModes: Required value"),
    ({**PV_SPEC, "accessModes": [""]}, f'spec.accessModes: Unsupported value: "": supported values: {ACCESS_MODES}'),
    ({**PV_SPEC, "hostPath": None}, "spec: Required value: must specify a volume type"),
    ({**PV_SPEC, "hostPath": {}}, "spec.hostPath.path: Required value"),
    ({**PV_SPEC, "nfs": {"server": "nfs", "path": "/x"}}, "spec.nfs: Forbidden: may not specify more than 1 volume type"),
    ({**PV_SPEC, "capacity": {"storage": 9223372036854775808}},
     "spec.capacity[storage]: Invalid value: -9223372036854775808: must be a valid resource quantity"),
    ({**PV_SPEC, "capacity": {"storage": "0"}}, 'spec.capacity[storage]: Invalid value: "0": must be greater than zero'),
    ({**PV_SPEC, "persistentVolumeReclaimPolicy": "Keep"},
     'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'),
    ({**PV_SPEC, "volumeMode": "Raw"}, 'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
    ({**PV_SPEC, "hostPath": {"path": "/a/../b"}},
     'spec.hostPath.path: Invalid value: "/a/../b": must not contain \'..\''),
    ({**PV_SPEC, "hostPath": {"path": "/tmp/pv", "type": "Bogus"}},
     'spec.hostPath.type: Unsupported value: "Bogus": supported values: "", "BlockDevice", "CharDevice", "Directory", '
     '"DirectoryOrCreate", "File", "FileOrCreate", "Socket"'),
    ({**PV_SPEC, "hostPath": {"path": "/x/.."}, "persistentVolumeReclaimPolicy": "Recycle"},
     "[spec.hostPath.path: Invalid value: \"/x/..\": must not contain '..', "
     "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/']"),
    ({**PV_SPEC, "nodeAffinity": {"required": {"nodeSelectorTerms": []}}},
     "spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term"),
    ({**PV_SPEC, "nodeAffinity": {}}, "spec.nodeAffinity.required: Required value: must specify required node "
                                      "constraints"),
], ids=["no-spec", "null-capacity", "empty-capacity", "no-modes", "empty-modes", "empty-mode", "no-source",
        "no-path", "two-sources", "capacity-overflow", "zero-capacity", "reclaim-policy", "volume-mode", "backsteps",
        "host-path-type", "recycle-root", "no-terms", "no-required"])
def test_volume_rule(chain, spec, message, request):
    """ValidatePersistentVolumeSpec: access modes, a storage capacity and exactly one volume source."""
    name = request.node.callspec.id
    assert problems("PersistentVolume", name, create_pv(chain, name, spec)) == message
    assert call(chain, "GET", f"/api/v1/persistentvolumes/{name}")[0] == 404


LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
CSI = {"driver": "d", "volumeHandle": "h"}


@pytest.mark.parametrize("csi, message", [
    ({**CSI, "nodePublishSecretRef": {"name": "a.b", "namespace": "N"}},
     f'[spec.csi.name: Invalid value: "a.b": {LABEL_MSG}, spec.csi.namespace: Invalid value: "N": {LABEL_MSG}]'),
    ({**CSI, "nodePublishSecretRef": {}},
     "[spec.csi.nodePublishSecretRef .name: Required value, spec.csi.nodePublishSecretRef .namespace: Required value]"),
    ({**CSI, "controllerPublishSecretRef": {"name": "x"}, "controllerExpandSecretRef": {"namespace": "x"}},
     "[spec.csi.controllerPublishSecretRef.namespace: Required value, spec.csi.controllerExpandSecretRef.name: "
     "Required value]"),
    ({**CSI, "controllerPublishSecretRef": {"name": "a" * 64, "namespace": "ns"}},
     'spec.csi.name: Invalid value: "' + "a" * 64 + '": must be no more than 63 characters'),
    ({"driver": "D", "volumeHandle": ""}, "spec.csi.volumeHandle: Required value"),
], ids=["bad-node-publish", "empty-node-publish", "controller-refs-half", "long-name", "no-handle"])
def test_a_csi_volumes_handle_and_secret_references_are_validated(chain, csi, message, request):
    """validateCSIPersistentVolumeSource: a volume handle, and every secret a CSI volume names
    (but nodeStageSecretRef, unchecked in 1.24) with a name and a namespace that are RFC 1123
    labels; the real 1.24 server's messages, paths as upstream spells them."""
    name = f"csi-{request.node.callspec.id}"
    spec = {**PV_SPEC, "hostPath": None, "csi": csi}
    assert problems("PersistentVolume", name, create_pv(chain, name, spec)) == message


NO_SOURCE = {**PV_SPEC, "hostPath": None}
AFFINITY = {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}


@pytest.mark.parametrize("sources, message", [
    ({"glusterfs": {}}, "[spec.glusterfs.endpoints: Required value, spec.glusterfs.path: Required value]"),
    ({"glusterfs": {"endpoints": "e", "path": "p", "endpointsNamespace": ""}},
     'spec.glusterfs.endpointsNamespace: Invalid value: "": if the endpointnamespace is set, it must be a valid '
     'namespace name'),
    ({"rbd": {}}, "[spec.rbd.monitors: Required value, spec.rbd.image: Required value]"),
    ({"cephfs": {"secretRef": {"name": "s"}}}, "spec.cephfs.monitors: Required value"),
    ({"iscsi": {"targetPortal": "p", "iqn": "x", "lun": 256, "secretRef": {}}},
     '[spec.iscsi.iqn: Invalid value: "x": must be valid format, spec.iscsi.lun: Invalid value: 256: must be between 0 '
     'and 255, inclusive, spec.iscsi.secretRef.name: Required value]'),
    ({"iscsi": {"targetPortal": "p" * 60, "iqn": "iqn.2001-04.com.example:x", "initiatorName": "bad",
                "chapAuthSession": True}},
     '[spec.iscsi.targetportal: Invalid value: "' + "p" * 60 + '": Total length of <volume name>:<iscsi.targetPortal> '
     'must be under 64 characters if iscsi.initiatorName is specified., spec.iscsi.secretRef: Required value, '
     'spec.iscsi.initiatorname: Invalid value: "bad": must be valid format]'),
    ({"cinder": {"secretRef": {"name": "s"}}},
     "[spec.cinder.volumeID: Required value, spec.cinder.secretRef.namespace: Required value]"),
    ({"nfs": {"server": "s", "path": "/p"}, "flexVolume": {}, "azureFile": {}},
     "[spec.flexVolume.driver: Required value, spec.azureFile: Forbidden: may not specify more than 1 volume type]"),
    ({"azureFile": {"secretNamespace": ""}}, "[spec.azureFile.secretName: Required value, spec.azureFile.shareName: "
                                             "Required value, spec.azureFile.secretNamespace: Required value]"),
    ({"scaleIO": {"secretRef": {"name": "s"}}}, "[spec.scaleIO.gateway: Required value, spec.scaleIO.system: Required "
                                                "value, spec.scaleIO.volumeName: Required value]"),
    ({"local": {}}, "[spec.local.path: Required value, spec.nodeAffinity: Required value: Local volume requires node "
                    "affinity]"),
    ({"local": {"path": "/a/../b"}, "nodeAffinity": AFFINITY},
     "spec.local.path: Invalid value: \"/a/../b\": must not contain '..'"),
    ({"storageos": {"volumeName": "v", "secretRef": {"namespace": "x"}}}, "spec.storageos.secretRef.name: Required value"),
    ({"awsElasticBlockStore": {}}, "spec.awsElasticBlockStore.volumeID: Required value"),
    ({"flocker": {}}, "spec.flocker: Required value: one of datasetName and datasetUUID is required"),
], ids=["glusterfs", "glusterfs-namespace", "rbd", "cephfs", "iscsi", "iscsi-initiator", "cinder", "flex-counted",
        "azure-file", "scaleio", "local", "local-backsteps", "storageos", "aws", "flocker"])
def test_each_persistent_volume_source_is_validated_as_its_kind(chain, sources, message, request):
    """ValidatePersistentVolumeSpec checks the one source given with its kind's rules (the
    PersistentVolume variants where upstream has them: secret references with a namespace, an
    iSCSI portal measured with the volume's name, a local volume's node affinity); flexVolume is
    checked and counted even after another source. The real 1.24 server's messages."""
    name = f"src-{request.node.callspec.id}"
    assert problems("PersistentVolume", name, create_pv(chain, name, {**NO_SOURCE, **sources})) == message


def test_a_valid_local_volume_with_node_affinity_is_stored(chain):
    spec = {**NO_SOURCE, "local": {"path": "/mnt/x"}, "nodeAffinity": AFFINITY}
    assert create_pv(chain, "local-ok", spec)[0] == 201


def test_a_csi_volumes_node_stage_secret_is_not_validated(chain):
    spec = {**PV_SPEC, "hostPath": None, "csi": {**CSI, "nodeStageSecretRef": {"name": "Bad"}}}
    assert create_pv(chain, "csi-stage", spec)[0] == 201


def with_source(**source) -> dict:
    spec = {k: v for k, v in PV_SPEC.items() if k != "hostPath"}
    return {**spec, **source}


@pytest.mark.parametrize("spec,message", [
    (with_source(local={"path": "/mnt"}), "spec.nodeAffinity: Required value: Local volume requires node affinity"),
    (with_source(local={"path": ""}, nodeAffinity=AFFINITY), "spec.local.path: Required value"),
    (with_source(csi={"driver": "UPPER_", "volumeHandle": "h"}),
     "spec.csi.driver: Invalid value: \"UPPER_\": a lowercase RFC 1123 subdomain must consist of lower case "
     "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
     "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    (with_source(csi={"driver": "example.com", "volumeHandle": "h", "nodePublishSecretRef": {"name": "s"}}),
     "spec.csi.nodePublishSecretRef .namespace: Required value"),
    (with_source(csi={"driver": "example.com", "volumeHandle": "h", "controllerExpandSecretRef": {}}),
     "[spec.csi.controllerExpandSecretRef.name: Required value, "
     "spec.csi.controllerExpandSecretRef.namespace: Required value]"),
    (with_source(nfs={"server": "", "path": "p"}),
     '[spec.nfs.server: Required value, spec.nfs.path: Invalid value: "p": must be an absolute path]'),
    (with_source(iscsi={"targetPortal": "", "iqn": "x", "lun": -1}),
     '[spec.iscsi.targetPortal: Required value, spec.iscsi.iqn: Invalid value: "x": must be valid format, '
     "spec.iscsi.lun: Invalid value: -1: must be between 0 and 255, inclusive]"),
    (with_source(fc={"targetWWNs": ["a"]}), "spec.fc.lun: Required value: lun is required if targetWWNs is specified"),
    (with_source(rbd={"monitors": [], "image": ""}), "[spec.rbd.monitors: Required value, spec.rbd.image: Required value]"),
    (with_source(gcePersistentDisk={"pdName": "p", "partition": -1}),
     "spec.persistentDisk.partition: Invalid value: -1: must be between 1 and 255, inclusive"),
    (with_source(awsElasticBlockStore={"volumeID": ""}), "spec.awsElasticBlockStore.volumeID: Required value"),
    (with_source(cephfs={"monitors": []}), "spec.cephfs.monitors: Required value"),
    (with_source(flexVolume={"driver": ""}), "spec.flexVolume.driver: Required value"),
    (with_source(azureFile={"secretName": "", "shareName": ""}),
     "[spec.azureFile.secretName: Required value, spec.azureFile.shareName: Required value]"),
], ids=["local-affinity", "local-path", "csi-driver", "csi-node-secret", "csi-expand-secret", "nfs", "iscsi", "fc",
        "rbd", "gce-partition", "aws", "cephfs", "flex", "azure-file"])
def test_volume_source_rule(chain, spec, message, request):
    """ValidatePersistentVolumeSpec checks its one source as the PersistentVolume spells it: the
    real 1.24's words for each (a GCE disk's under spec.persistentDisk, CSI's node-publish secret
    under a path with a space)."""
    name = request.node.callspec.id
    assert problems("PersistentVolume", name, create_pv(chain, name, spec)) == message


@pytest.mark.parametrize("storage", ["10E", "1e19"])
def test_a_capacity_past_int64_kept_as_an_int64_amount_is_valid(chain, storage, request):
    """validateBasicResource asks Quantity.Value, which is 0 (not negative) for a quantity kept as an
    int64Amount whose value overflows; the real kube-apiserver 1.24 creates these volumes (fuzz20:
    they were refused with a wrapped negative value)."""
    name = f"big-{request.node.callspec.id.lower()}"
    assert create_pv(chain, name, {**PV_SPEC, "capacity": {"storage": storage}})[0] == 201


def test_a_claim_selector_is_a_valid_label_selector(chain, ns):
    """ValidatePersistentVolumeClaimSpec checks spec.selector right after the access modes' count."""
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
            "selector": {"matchLabels": {"a b": "c"}}}
    assert problems("PersistentVolumeClaim", "claim", create_pvc(chain, ns, spec)) == (
        f'spec.selector.matchLabels: Invalid value: "a b": {QUALIFIED_NAME_PART_MSG}')


def test_a_volume_source_volume_mode_and_node_affinity_are_immutable(chain):
    """ValidatePersistentVolumeUpdate: the spec's problems, then a changed source, volumeMode or
    (once set) nodeAffinity; upstream's go-cmp diff after the source's message is left out."""
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}
    assert create_pv(chain, "kept", {**PV_SPEC, "nodeAffinity": affinity})[0] == 201
    stored = call(chain, "GET", "/api/v1/persistentvolumes/kept")[1]
    moved = {**stored, "spec": {**stored["spec"], "hostPath": {"path": "/tmp/other"}, "volumeMode": "Block",
                                "nodeAffinity": {"required": {"nodeSelectorTerms": [{}]}}}}
    assert problems("PersistentVolume", "kept", call(chain, "PUT", "/api/v1/persistentvolumes/kept", moved)) == (
        "[spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation, "
        'volumeMode: Invalid value: "Block": field is immutable, nodeAffinity: Invalid value: '
        "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(0xc000000000)}: field is immutable]")
    relabelled = {**stored, "metadata": {**stored["metadata"], "labels": {"a": "b"}}}
    assert call(chain, "PUT", "/api/v1/persistentvolumes/kept", relabelled)[0] == 200


def test_a_claim_spec_is_immutable_but_for_its_volume_name_once(chain, ns):
    """ValidatePersistentVolumeClaimUpdate: the spec's problems, then a changed spec (volumeName may
    be set once; requests only change for a bound claim) and a changed volumeMode."""
    assert create_pvc(chain, ns, {"accessModes": ["ReadWriteOnce"],
                                  "resources": {"requests": {"storage": "1Gi"}}})[0] == 201
    path = f"/api/v1/namespaces/{ns}/persistentvolumeclaims/claim"
    stored = call(chain, "GET", path)[1]
    changed = {**stored, "spec": {**stored["spec"], "accessModes": ["Bogus"], "volumeMode": "Block"}}
    assert problems("PersistentVolumeClaim", "claim", call(chain, "PUT", path, changed)) == (
        f'[spec.accessModes: Unsupported value: "Bogus": supported values: {ACCESS_MODES}, spec: Forbidden: spec is '
        "immutable after creation except resources.requests for bound claims, "
        'volumeMode: Invalid value: "Block": field is immutable]')
    grown = {**stored, "spec": {**stored["spec"], "resources": {"requests": {"storage": "2Gi"}}}}
    assert problems("PersistentVolumeClaim", "claim", call(chain, "PUT", path, grown)) == (
        "spec: Forbidden: spec is immutable after creation except resources.requests for bound claims")
    bound = {**stored, "spec": {**stored["spec"], "volumeName": "pv-1"}}
    assert call(chain, "PUT", path, bound)[0] == 200


def test_a_claim_data_source_of_another_kind_is_dropped(chain, ns):
    """EnforceDataSourceBackwardsCompatibility keeps only a claim or a volume snapshot as dataSource,
    and dataSourceRef goes while AnyVolumeDataSource is off (alpha in 1.24): what remains of such
    an update changes nothing, so it passes the spec's immutability."""
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
            "dataSourceRef": {"kind": "K", "name": "n"}, "dataSource": {"kind": "L", "name": "n"}}
    code, stored = create_pvc(chain, ns, spec)
    assert code == 201 and "dataSource" not in stored["spec"] and "dataSourceRef" not in stored["spec"]
    path = f"/api/v1/namespaces/{ns}/persistentvolumeclaims/claim"
    source = {"kind": "PersistentVolumeClaim", "name": "p", "apiGroup": "x"}
    code, updated = call(chain, "PUT", path, {**stored, "spec": {**stored["spec"], "dataSource": source}})
    assert code == 200 and "dataSource" not in updated["spec"]


def test_a_valid_volume_and_claim_are_stored(chain, ns):
    assert create_pv(chain, "good", PV_SPEC)[0] == 201
    assert create_pvc(chain, ns, {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}})[0] \
        == 201


QUALIFIED_NAME_PART_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                           "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                           "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.mark.parametrize("provisioner,message", [
    ("..", f'provisioner: Invalid value: "..": {QUALIFIED_NAME_PART_MSG}'),
    ("Example.COM/X_", f'provisioner: Invalid value: "example.com/x_": {QUALIFIED_NAME_PART_MSG}'),
], ids=["dots", "lowered"])
def test_storage_class_provisioner_is_a_qualified_name(chain, provisioner, message, request):
    """validateProvisioner checks the provisioner, lowercased, as a qualified name."""
    name = request.node.callspec.id
    body = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": provisioner}
    assert problems("StorageClass.storage.k8s.io", name,
                    call(chain, "POST", "/apis/storage.k8s.io/v1/storageclasses", body)) == message


def storage_class(name: str, **fields) -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": "example.com/p", **fields}


@pytest.mark.parametrize("fields,message", [
    ({"allowedTopologies": [{"matchLabelExpressions": [{"key": "", "values": []}]}]},
     "[allowedTopologies[0].matchLabelExpressions[0].values: Required value, "
     'allowedTopologies[0].matchLabelExpressions[0].key: Invalid value: "": name part must be non-empty, '
     f'allowedTopologies[0].matchLabelExpressions[0].key: Invalid value: "": {QUALIFIED_NAME_PART_MSG}]'),
    ({"allowedTopologies": [{"matchLabelExpressions": []}]},
     'allowedTopologies[0].matchLabelExpressions: Duplicate value: ""'),
    ({"allowedTopologies": [{"matchLabelExpressions": [{"key": "k", "values": ["a"]}]},
                            {"matchLabelExpressions": [{"key": "k", "values": ["a"]}]}]},
     'allowedTopologies[1].matchLabelExpressions: Duplicate value: ""'),
    ({"allowedTopologies": [{"matchLabelExpressions": [{"key": "k", "values": ["a", "a"]}]}]},
     'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"'),
    ({"parameters": {"": "x"}}, 'parameters: Invalid value: "": field can not be empty.'),
], ids=["empty-requirement", "empty-term", "same-term", "value-twice", "empty-parameter"])
def test_storage_class_rule(chain, fields, message, request):
    """validateAllowedTopologies and validateParameters: requirements with values and a label-name
    key, distinct terms (an empty one counts as a duplicate, as upstream's pre-filled list makes
    it), and no empty parameter key."""
    name = request.node.callspec.id
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/storageclasses", storage_class(name, **fields))
    assert problems("StorageClass.storage.k8s.io", name, code_and_status) == message


def test_a_storage_class_with_an_empty_reclaim_policy_is_stored(chain):
    """validateReclaimPolicy checks only a policy that is set; defaulting fills only a missing one."""
    code, stored = call(chain, "POST", "/apis/storage.k8s.io/v1/storageclasses", storage_class("empty-policy",
                                                                                               reclaimPolicy=""))
    assert (code, stored["reclaimPolicy"]) == (201, "")


def test_a_storage_class_keeps_its_provisioner_parameters_and_policies(chain):
    """ValidateStorageClassUpdate: the class's own problems, then each changed field a volume was
    provisioned by."""
    path = "/apis/storage.k8s.io/v1/storageclasses/fixed-class"
    assert call(chain, "POST", "/apis/storage.k8s.io/v1/storageclasses", storage_class("fixed-class"))[0] == 201
    stored = call(chain, "GET", path)[1]
    changed = {**stored, "provisioner": "", "parameters": {"a": "b"}, "reclaimPolicy": "Retain",
               "volumeBindingMode": "Bogus"}
    assert problems("StorageClass.storage.k8s.io", "fixed-class", call(chain, "PUT", path, changed)) == (
        '[provisioner: Required value, volumeBindingMode: Unsupported value: "Bogus": supported values: '
        '"Immediate", "WaitForFirstConsumer", parameters: Forbidden: updates to parameters are forbidden., '
        "provisioner: Forbidden: updates to provisioner are forbidden., "
        "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden., "
        'volumeBindingMode: Invalid value: "Bogus": field is immutable]')
    assert call(chain, "PUT", path, {**stored, "allowVolumeExpansion": True})[0] == 200


@pytest.mark.parametrize("spec,problem", [
    ({**PV_SPEC, "capacity": ["x"]}, "array into Go struct field PersistentVolumeSpec.spec.capacity of type "
                                     "v1.ResourceList"),
    ({**PV_SPEC, "accessModes": {"a": 1}}, "object into Go struct field PersistentVolumeSpec.spec.accessModes of type "
                                           "[]v1.PersistentVolumeAccessMode"),
    ({**PV_SPEC, "accessModes": [1]}, "number into Go struct field PersistentVolumeSpec.spec.accessModes of type "
                                      "v1.PersistentVolumeAccessMode"),
    ({**PV_SPEC, "hostPath": ["x"]}, "array into Go struct field PersistentVolumeSpec.spec.hostPath of type "
                                     "v1.HostPathVolumeSource"),
    ({**PV_SPEC, "hostPath": {"path": 1}}, "number into Go struct field HostPathVolumeSource.spec.hostPath.path of "
                                           "type string"),
], ids=["capacity", "modes", "mode", "host-path", "path"])
def test_volume_wrong_json_type_is_400(chain, spec, problem, request):
    """encoding/json refuses a PersistentVolumeSpec field of the wrong JSON type: 400, nothing stored."""
    name = request.node.callspec.id
    code, status = create_pv(chain, name, spec)
    assert code == 400, status
    assert status["message"] == ('PersistentVolume in version "v1" cannot be handled as a PersistentVolume: '
                                 "json: cannot unmarshal " + problem)
    assert call(chain, "GET", f"/api/v1/persistentvolumes/{name}")[0] == 404


SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
ATTACHMENT_SPEC = {"attacher": "example.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv"}}
INLINE = {"csi": {"driver": "d", "volumeHandle": "h"}}


def attachment(name: str, **spec) -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": name},
            "spec": {**ATTACHMENT_SPEC, **spec}}


@pytest.mark.parametrize("spec,message", [
    ({"attacher": ""}, f'[spec.attacher: Required value, spec.attacher: Invalid value: "": {SUBDOMAIN}]'),
    ({"attacher": "UPPER bad"}, f'spec.attacher: Invalid value: "UPPER bad": {SUBDOMAIN}'),
    ({"attacher": "a" * 300}, f'[spec.attacher: Too long: must have at most 63 bytes, spec.attacher: Invalid value: '
                              f'"{"a" * 300}": must be no more than 253 characters]'),
    ({"nodeName": "UPPER"}, f'spec.nodeName: Invalid value: "UPPER": {SUBDOMAIN}'),
    ({"source": {}}, "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"),
    ({"source": {"persistentVolumeName": "pv", "inlineVolumeSpec": INLINE}},
     "spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName"),
    ({"source": {"persistentVolumeName": ""}},
     "[spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName, "
     f'spec.source.persistentVolumeName: Invalid value: "": {SUBDOMAIN}]'),
    ({"source": {"persistentVolumeName": "Not_A.DNS-name!"}},
     f'spec.source.persistentVolumeName: Invalid value: "Not_A.DNS-name!": {SUBDOMAIN}'),
], ids=["no-attacher", "attacher", "long-attacher", "node", "no-source", "two-sources", "empty-volume", "volume"])
def test_volume_attachment_rule(chain, spec, message, request):
    """ValidateVolumeAttachment and, on a create through v1, ValidateVolumeAttachmentV1: an attacher
    that is a CSI driver's name, exactly one source, DNS subdomain names for the node and the volume."""
    name = request.node.callspec.id
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/volumeattachments", attachment(name, **spec))
    assert problems("VolumeAttachment.storage.k8s.io", name, code_and_status) == message


IN_CONTEXT = "in the context of inline volumes"


@pytest.mark.parametrize("inline, message", [
    ({}, f"[spec.source.inlineVolumeSpec.csi: Required value: has to be specified {IN_CONTEXT}, "
         "spec.source.inlineVolumeSpec.accessModes: Required value, "
         "spec.source.inlineVolumeSpec: Required value: must specify a volume type]"),
    (INLINE, "spec.source.inlineVolumeSpec.accessModes: Required value"),
    ({**INLINE, "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}, "claimRef": {"name": "c"},
      "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "x", "volumeMode": "Block",
      "nodeAffinity": {"required": {"nodeSelectorTerms": []}}},
     f"[spec.source.inlineVolumeSpec.claimRef: Forbidden: may not be specified {IN_CONTEXT}, "
     f"spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified {IN_CONTEXT}, "
     f"spec.source.inlineVolumeSpec.persistentVolumeReclaimPolicy: Forbidden: may only be Retain {IN_CONTEXT}, "
     f"spec.source.inlineVolumeSpec.nodeAffinity: Forbidden: may not be specified {IN_CONTEXT}, "
     f"spec.source.inlineVolumeSpec.storageClassName: Forbidden: may not be specified {IN_CONTEXT}, "
     f"spec.source.inlineVolumeSpec.volumeMode: Forbidden: may not specify volumeMode other than Filesystem {IN_CONTEXT}]"),
    ({"accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/x"}},
     f"spec.source.inlineVolumeSpec.csi: Required value: has to be specified {IN_CONTEXT}"),
    ({**INLINE, "accessModes": ["ReadWriteOnce"], "local": {"path": "/x"}},
     "[spec.source.inlineVolumeSpec.nodeAffinity: Required value: Local volume requires node affinity, "
     "spec.source.inlineVolumeSpec.csi: Forbidden: may not specify more than 1 volume type]"),
], ids=["empty", "no-modes", "pv-fields", "not-csi", "local"])
def test_a_volume_attachments_inline_volume_is_validated_as_an_inline_persistent_volume(chain, inline, message, request):
    """validateVolumeAttachmentSource: an inline spec is ValidatePersistentVolumeSpec's with
    validateInlinePersistentVolumeSpec, a CSI volume with access modes and neither claim,
    capacity, node affinity nor class, kept and of the Filesystem mode (the real 1.24 server's
    messages)."""
    name = f"inline-{request.node.callspec.id}"
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/volumeattachments",
                           attachment(name, source={"inlineVolumeSpec": inline}))
    assert problems("VolumeAttachment.storage.k8s.io", name, code_and_status) == message


def test_a_volume_attachment_of_a_valid_inline_volume_is_stored(chain):
    spec = {**INLINE, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
            "volumeMode": "Filesystem"}
    created = call(chain, "POST", "/apis/storage.k8s.io/v1/volumeattachments",
                   attachment("inline-ok", source={"inlineVolumeSpec": spec}))
    assert created[0] == 201, created


def test_volume_attachment_spec_is_immutable(chain):
    """ValidateVolumeAttachmentUpdate: any change of the spec is refused, after the rules of a
    create but ValidateVolumeAttachmentV1's."""
    path = "/apis/storage.k8s.io/v1/volumeattachments/fixed"
    assert call(chain, "POST", "/apis/storage.k8s.io/v1/volumeattachments", attachment("fixed"))[0] == 201
    stored = call(chain, "GET", path)[1]
    changed = {**stored, "spec": {**stored["spec"], "attacher": ""}}
    assert problems("VolumeAttachment.storage.k8s.io", "fixed", call(chain, "PUT", path, changed)) == (
        '[spec.attacher: Required value, spec: Invalid value: storage.VolumeAttachmentSpec{Attacher:"", '
        "Source:storage.VolumeAttachmentSource{PersistentVolumeName:(*string)(0xc000000000), "
        'InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"n1"}: field is immutable]')
    labelled = {**stored, "metadata": {**stored["metadata"], "labels": {"a": "b"}}}
    assert call(chain, "PUT", path, labelled)[0] == 200


def csi_driver(name: str, **spec) -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": name}, "spec": spec}


@pytest.mark.parametrize("spec,message", [
    ({"fsGroupPolicy": "Bogus"},
     'spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"'),
    ({"volumeLifecycleModes": ["Bogus"]},
     'spec.volumeLifecycleModes: Unsupported value: "Bogus": supported values: "Persistent", "Ephemeral"'),
    ({"tokenRequests": [{"audience": "a"}, {"audience": "a", "expirationSeconds": 1}]},
     'spec.tokenRequests[1].audience: Duplicate value: "a"'),
    ({"tokenRequests": [{"audience": "a", "expirationSeconds": 599}]},
     "spec.tokenRequests[0].expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"),
    ({"tokenRequests": [{"audience": "a", "expirationSeconds": 2 ** 33}]},
     "spec.tokenRequests[0].expirationSeconds: Invalid value: 8589934592: may not specify a duration larger than "
     "2^32 seconds"),
], ids=["fs-group-policy", "lifecycle-mode", "audience-twice", "short-token", "long-token"])
def test_csi_driver_rule(chain, spec, message, request):
    """validateCSIDriverSpec: a known fsGroupPolicy and lifecycle modes, distinct token audiences
    with lifetimes from ten minutes to 2^32 seconds."""
    name = request.node.callspec.id
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/csidrivers", csi_driver(name, **spec))
    assert problems("CSIDriver.storage.k8s.io", name, code_and_status) == message


def test_csi_driver_spec_is_immutable_but_for_tokens_and_capacity(chain):
    """ValidateCSIDriverUpdate: the spec's own problems, then each changed immutable field, under
    upstream's paths (attachRequired's is spec.attachedRequired); storageCapacity may change."""
    path = "/apis/storage.k8s.io/v1/csidrivers/fixed.example.com"
    assert call(chain, "POST", "/apis/storage.k8s.io/v1/csidrivers", csi_driver("fixed.example.com"))[0] == 201
    stored = call(chain, "GET", path)[1]
    changed = {**stored, "spec": {**stored["spec"], "attachRequired": False, "volumeLifecycleModes": ["Bogus"],
                                  "fsGroupPolicy": "File"}}
    assert problems("CSIDriver.storage.k8s.io", "fixed.example.com", call(chain, "PUT", path, changed)) == (
        '[spec.volumeLifecycleModes: Unsupported value: "Bogus": supported values: "Persistent", "Ephemeral", '
        'spec.attachedRequired: Invalid value: false: field is immutable, '
        'spec.fsGroupPolicy: Invalid value: "File": field is immutable, '
        'spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{"Bogus"}: field is immutable]')
    assert call(chain, "PUT", path, {**stored, "spec": {**stored["spec"], "storageCapacity": True}})[0] == 200


DRIVER = {"name": "example.com", "nodeID": "n1", "topologyKeys": ["topology.example.com/zone"],
          "allocatable": {"count": 10}}
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def csi_node(name: str, *drivers: dict) -> dict:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": name},
            "spec": {"drivers": list(drivers)}}


@pytest.mark.parametrize("driver,message", [
    ({"name": "UPPER_"}, f'spec.drivers[0].name: Invalid value: "UPPER_": {SUBDOMAIN_MSG}'),
    ({"name": ""}, f'[spec.drivers[0].name: Required value, spec.drivers[0].name: Invalid value: "": {SUBDOMAIN_MSG}]'),
    ({"nodeID": ""}, "spec.drivers[0].nodeID: Required value"),
    ({"nodeID": "n" * 257}, f'spec.drivers[0].nodeID: Invalid value: "{"n" * 257}": must be 256 characters or less'),
    ({"topologyKeys": ["a b"]}, f'spec.drivers[0]: Invalid value: "a b": {QUALIFIED_NAME_PART_MSG}'),
    ({"topologyKeys": ["k", "k"]}, 'spec.drivers[0]: Duplicate value: "k"'),
    ({"allocatable": {"count": -1}},
     "spec.drivers[0].allocatable.count: Invalid value: -1: must be greater than or equal to 0"),
], ids=["name", "no-name", "no-node-id", "long-node-id", "topology-key", "topology-key-twice", "count"])
def test_csi_node_rule(chain, driver, message, request):
    """validateCSINodeDriver: a CSI driver name, a node ID of at most 256 characters (the strategy
    allows long IDs), distinct qualified-name topology keys and a count that is not negative."""
    name = request.node.callspec.id
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/csinodes", csi_node(name, {**DRIVER, **driver}))
    assert problems("CSINode.storage.k8s.io", name, code_and_status) == message


def test_a_csi_node_driver_is_named_once_and_immutable(chain):
    """ValidateCSINodeUpdate: a driver registered on the node does not change; drivers come and go."""
    twice = csi_node("twice", {"name": "a.example.com", "nodeID": "a"}, {"name": "a.example.com", "nodeID": "b"})
    code_and_status = call(chain, "POST", "/apis/storage.k8s.io/v1/csinodes", twice)
    assert problems("CSINode.storage.k8s.io", "twice", code_and_status) == (
        'spec.drivers[1].name: Duplicate value: "a.example.com"')
    assert call(chain, "POST", "/apis/storage.k8s.io/v1/csinodes", csi_node("node-a", DRIVER))[0] == 201
    stored = call(chain, "GET", "/apis/storage.k8s.io/v1/csinodes/node-a")[1]
    changed = {**stored, "spec": {"drivers": [{**DRIVER, "nodeID": "n2"}]}}
    assert problems("CSINode.storage.k8s.io", "node-a", call(chain, "PUT", "/apis/storage.k8s.io/v1/csinodes/node-a",
                                                             changed)) == (
        'CSINodeDriver: Invalid value: storage.CSINodeDriver{Name:"example.com", NodeID:"n2", '
        'TopologyKeys:[]string{"topology.example.com/zone"}, '
        "Allocatable:(*storage.VolumeNodeResources)(0xc000000000)}: field is immutable")
    added = {**stored, "spec": {"drivers": [DRIVER, {"name": "b.example.com", "nodeID": "n1"}]}}
    assert call(chain, "PUT", "/apis/storage.k8s.io/v1/csinodes/node-a", added)[0] == 200


def capacity(name: str, **fields) -> dict:
    return {"apiVersion": "storage.k8s.io/v1beta1", "kind": "CSIStorageCapacity", "metadata": {"name": name},
            "storageClassName": "sc", "capacity": "1Gi",
            "nodeTopology": {"matchLabels": {"topology.example.com/zone": "a"}}, **fields}


@pytest.mark.parametrize("fields,message", [
    ({"storageClassName": "UPPER_"}, f'storageClassName: Invalid value: "UPPER_": {SUBDOMAIN_MSG}'),
    ({"storageClassName": ""}, f'storageClassName: Invalid value: "": {SUBDOMAIN_MSG}'),
    ({"capacity": "-1"}, 'capacity: Invalid value: "-1": must be greater than or equal to 0'),
    ({"nodeTopology": {"matchLabels": {"a b": "c"}}}, f'nodeTopology.matchLabels: Invalid value: "a b": '
                                                      f"{QUALIFIED_NAME_PART_MSG}"),
    ({"nodeTopology": {"matchExpressions": [{"key": "k", "operator": "Bogus"}]}},
     'nodeTopology.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator'),
], ids=["class", "no-class", "capacity", "topology-label", "topology-operator"])
def test_csi_storage_capacity_rule(chain, ns, fields, message, request):
    """ValidateCSIStorageCapacity: a class name that is a DNS subdomain (even when empty), a
    capacity that is not negative and a valid node topology selector."""
    name = request.node.callspec.id
    code_and_status = call(chain, "POST", f"/apis/storage.k8s.io/v1beta1/namespaces/{ns}/csistoragecapacities",
                           capacity(name, **fields))
    assert problems("CSIStorageCapacity.storage.k8s.io", name, code_and_status) == message


def test_a_csi_storage_capacity_create_lists_every_error_twice(chain, ns):
    """csiStorageCapacityStrategy.Validate runs ValidateCSIStorageCapacity twice: the Invalid
    message says each error once (ToAggregate drops repeats), the causes list it twice."""
    code, status = call(chain, "POST", f"/apis/storage.k8s.io/v1beta1/namespaces/{ns}/csistoragecapacities",
                        capacity("UPPER", storageClassName=""))
    assert code == 422
    assert [cause["field"] for cause in status["details"]["causes"]] == ["metadata.name", "storageClassName"] * 2
    assert status["message"].count("storageClassName") == 1


def test_csi_storage_capacity_class_and_topology_are_immutable(chain, ns):
    """ValidateCSIStorageCapacityUpdate: the object's own problems, then each changed GetCapacity input."""
    path = f"/apis/storage.k8s.io/v1beta1/namespaces/{ns}/csistoragecapacities"
    assert call(chain, "POST", path, capacity("fixed"))[0] == 201
    stored = call(chain, "GET", f"{path}/fixed")[1]
    changed = {**stored, "storageClassName": "UPPER_", "nodeTopology": {"matchLabels": {"zone": "b"}}}
    assert problems("CSIStorageCapacity.storage.k8s.io", "fixed", call(chain, "PUT", f"{path}/fixed", changed)) == (
        f'[storageClassName: Invalid value: "UPPER_": {SUBDOMAIN_MSG}, nodeTopology: Invalid value: '
        'v1.LabelSelector{MatchLabels:map[string]string{"zone":"b"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable, "
        'storageClassName: Invalid value: "UPPER_": field is immutable]')
    assert call(chain, "PUT", f"{path}/fixed", {**stored, "capacity": "2Gi"})[0] == 200


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "stored"])
def test_a_csi_nodes_empty_lists_read_back_as_null(chain, dry_run):
    """drivers and topologyKeys are not omitempty; an empty list goes through protobuf as no field
    and comes back the nil slice, written null, dry run or not, as the real 1.24 server answers."""
    def create(obj):
        query = {"dryRun": ["All"]} if dry_run else {}
        response = chain.handle(Request("POST", "/apis/storage.k8s.io/v1/csinodes", query,
                                        {"Content-Type": "application/json"}, json.dumps(obj).encode()))
        return response.code, json.loads(response.body)
    name = "empty-dry" if dry_run else "empty-stored"
    code, created = create(csi_node(name))
    assert (code, created["spec"]) == (201, {"drivers": None})
    code, created = create(csi_node(name + "-keyless", {"name": "a.example.com", "nodeID": "a", "topologyKeys": []}))
    assert (code, created["spec"]["drivers"][0]["topologyKeys"]) == (201, None)


def test_a_volume_attachment_and_csi_driver_update_repeat_their_specs_problems():
    """volumeAttachmentStrategy runs ValidateVolumeAttachment and then ValidateVolumeAttachmentUpdate,
    which runs it again; ValidateCSIDriverUpdate validates the token requests a second time. The
    real 1.24 lists those causes twice."""
    attachments = kinds.find("storage.k8s.io", "v1", "volumeattachments")
    old = {"metadata": {"name": "va"}, "spec": {"attacher": "a", "nodeName": "n1",
                                                "source": {"persistentVolumeName": "pv"}}}
    new = {"metadata": {"name": "va"}, "spec": {**old["spec"], "attacher": ""}}
    assert [problem.split(": ")[0] for problem in attachments.validate_update(old, new)] == [
        "spec.attacher", "spec.attacher", "spec"]
    drivers = kinds.find("storage.k8s.io", "v1", "csidrivers")
    spec = {"attachRequired": True, "podInfoOnMount": False, "fsGroupPolicy": "File",
            "volumeLifecycleModes": ["Persistent"]}
    old = {"metadata": {"name": "d"}, "spec": spec}
    new = {"metadata": {"name": "d"}, "spec": {**spec, "tokenRequests": [{"audience": "a"}, {"audience": "a"}]}}
    assert drivers.validate_update(old, new) == ['spec.tokenRequests[1].audience: Duplicate value: "a"'] * 2
