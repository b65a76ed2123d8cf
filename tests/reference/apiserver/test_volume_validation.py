"""A pod volume's source through the handler chain, with the causes the real kube-apiserver 1.24
gives for the same pod (validateVolumeSource and what it calls). One rule per test."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.core.volumevalidation import splits_as_host_port
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, call, etcd, ns_path  # noqa: F401 (etcd: a fixture)

V = "spec.volumes[0]"
MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    chain = HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)
    chain.namespace = "volumevalidation"
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    yield chain
    registry.close()


def causes(chain, **source) -> list[str]:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "vv-"},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.21"}], "volumes": [{"name": "v", **source}]}}
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert code == 422, status
    return [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]


def test_key_paths_and_modes_of_config_maps_and_secrets(chain):
    """validateKeyToPath: a key and a relative path without '..'; modes within 0777."""
    assert causes(chain, configMap={"name": "c", "items": [{"key": "", "path": ""}]}) == [
        f"{V}.configMap.items[0].key: Required value", f"{V}.configMap.items[0].path: Required value"]
    assert causes(chain, secret={"secretName": "s", "items": [{"key": "k", "path": "a/../b"}]}) == [
        f"{V}.secret.items[0].path: Invalid value: \"a/../b\": must not contain '..'"]
    assert causes(chain, configMap={"name": "c", "defaultMode": 512}) == [
        f"{V}.configMap.defaultMode: Invalid value: 512: {MODE_MSG}"]


def test_downward_api_files_carry_no_index_and_read_volume_fields(chain):
    """validateDownwardAPIVolumeFile gets the source's own path; a volume may read labels but not
    status.phase; a resource needs its container named."""
    downward = {"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "status.phase"}}]}}
    assert causes(chain, **downward) == [
        f'{V}.downwardAPI.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: '
        '"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"']
    assert causes(chain, downwardAPI={"items": [{"path": "p", "resourceFieldRef": {"resource": "limits.cpu"}}]}) == [
        f"{V}.downwardAPI.resourceFieldRef.containerName: Required value"]
    assert causes(chain, downwardAPI={"items": [{"path": "p"}]}) == [
        f"{V}.downwardAPI: Required value: one of fieldRef and resourceFieldRef is required"]


def test_host_paths_and_their_types(chain):
    assert causes(chain, hostPath={"path": "/x", "type": "Bogus"}) == [
        f'{V}.hostPath.type: Unsupported value: "Bogus": supported values: "", "BlockDevice", "CharDevice", '
        '"Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"']
    assert causes(chain, hostPath={"path": "../x"}) == [f"{V}.hostPath.path: Invalid value: \"../x\": must not contain '..'"]


def test_disk_and_network_sources_require_their_fields(chain):
    """gcePersistentDisk's errors are on persistentDisk, upstream's field name; a partition is 0-255."""
    assert causes(chain, gcePersistentDisk={"pdName": "", "partition": -1}) == [
        f"{V}.persistentDisk.pdName: Required value",
        f"{V}.persistentDisk.partition: Invalid value: -1: must be between 1 and 255, inclusive"]
    assert causes(chain, nfs={"server": "", "path": "rel"}) == [
        f"{V}.nfs.server: Required value", f'{V}.nfs.path: Invalid value: "rel": must be an absolute path']
    assert causes(chain, persistentVolumeClaim={"claimName": ""}) == [
        f"{V}.persistentVolumeClaim.claimName: Required value"]
    assert causes(chain, emptyDir={"sizeLimit": "-1"}) == [
        f"{V}.emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity"]
    assert causes(chain, flocker={}) == [f"{V}.flocker: Required value: one of datasetName and datasetUUID is required"]


def mount_causes(chain, **mount) -> list[str]:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "vm-"},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.21",
                                     "volumeMounts": [{"name": "v", "mountPath": "/a", **mount}]}],
                     "volumes": [{"name": "v", "emptyDir": {}}]}}
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert code == 422, status
    return [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]


def test_a_mounts_sub_path_and_propagation_carry_the_lists_path(chain):
    """ValidateVolumeMounts: subPath and subPathExpr relative, without '..', not both;
    mountPropagation known, Bidirectional only when privileged. Upstream passes these the path of
    the list, not of the mount (but for the exclusive pair)."""
    mounts = "spec.containers[0].volumeMounts"
    assert mount_causes(chain, subPath="../x") == [f"{mounts}.subPath: Invalid value: \"../x\": must not contain '..'"]
    assert mount_causes(chain, subPath="/abs") == [f'{mounts}.subPath: Invalid value: "/abs": must be a relative path']
    assert mount_causes(chain, subPath="x", subPathExpr="y") == [
        f'{mounts}[0].subPathExpr: Invalid value: "y": subPathExpr and subPath are mutually exclusive']
    assert mount_causes(chain, mountPropagation="Bogus") == [
        f'{mounts}.mountPropagation: Unsupported value: "Bogus": supported values: "Bidirectional", '
        '"HostToContainer", "None"']
    assert mount_causes(chain, mountPropagation="Bidirectional") == [
        f"{mounts}.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged "
        "containers"]


def test_projected_sources_items_files_and_duplicate_paths(chain):
    """validateProjectionSources: items and downward API files checked as in their own volumes; a
    path written twice is reported on the volume with the later source's name."""
    duplicate = {"sources": [{"configMap": {"name": "a", "items": [{"key": "k", "path": "p"}]}},
                             {"secret": {"name": "b", "items": [{"key": "k", "path": "p"}]}}]}
    assert causes(chain, projected=duplicate) == [f'{V}.projected: Invalid value: "b": conflicting duplicate paths']
    downward = {"sources": [{"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "bogus"}}]}}]}
    assert causes(chain, projected=downward) == [
        f'{V}.projected.sources[0].downwardAPI.fieldRef.fieldPath: Invalid value: "bogus": error converting '
        "fieldPath: field label not supported: bogus"]


def test_a_csi_volume_names_its_driver_as_a_dns_subdomain(chain):
    """validateCSIVolumeSource and ValidateCSIDriverName: an empty name is both missing and no
    subdomain, as the real 1.24 reports it."""
    problems = causes(chain, csi={"driver": ""})
    assert [problem.split(": ")[0] for problem in problems] == [f"{V}.csi.driver", f"{V}.csi.driver"]
    assert problems[0] == f"{V}.csi.driver: Required value"
    assert causes(chain, csi={"driver": "Bad Driver"})[0].startswith(
        f'{V}.csi.driver: Invalid value: "Bad Driver": a lowercase RFC 1123 subdomain')


def test_volume_devices_name_claims_once_and_no_mounts(chain):
    """ValidateVolumeDevices: a device names a PVC or ephemeral volume of the pod, a device path
    without '..', each once, neither a mount's name or path (as the real 1.24 lists them)."""
    c = "spec.containers[0]"
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "vd-"}, "spec": {
        "volumes": [{"name": "v", "emptyDir": {}}, {"name": "p", "persistentVolumeClaim": {"claimName": "c"}}],
        "containers": [{"name": "c", "image": "nginx:1.21", "volumeMounts": [{"name": "v", "mountPath": "/a"}],
                        "volumeDevices": [{"name": "v", "devicePath": "/a"}, {"name": "nope", "devicePath": "/d/../e"},
                                          {"name": "p", "devicePath": "/b"}, {"name": "p", "devicePath": "/b"}]}]}}
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert code == 422, status
    assert [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]] == [
        f'{c}.volumeMounts[0].name: Invalid value: "v": must not already exist in volumeDevices',
        f'{c}.volumeMounts[0].mountPath: Invalid value: "/a": must not already exist as a path in volumeDevices',
        f'{c}.volumeDevices[0].name: Invalid value: "v": can only use volume source type of PersistentVolumeClaim '
        "or Ephemeral for block mode",
        f'{c}.volumeDevices[0].name: Invalid value: "v": must not already exist in volumeMounts',
        f'{c}.volumeDevices[0].devicePath: Invalid value: "/a": must not already exist as a path in volumeMounts',
        f'{c}.volumeDevices[1].name: Not found: "nope"',
        f"{c}.volumeDevices[1].devicePath: Invalid value: \"/d/../e\": can not contain backsteps ('..')",
        f'{c}.volumeDevices[3].name: Invalid value: "p": must be unique',
        f'{c}.volumeDevices[3].devicePath: Invalid value: "/b": must be unique']


@pytest.mark.parametrize("source,expected", [
    ({"iscsi": {"targetPortal": "", "iqn": "bad", "lun": -1}},
     ["iscsi.targetPortal: Required value",
      'iscsi.iqn: Invalid value: "bad": must be valid format starting with iqn, eui, or naa',
      "iscsi.lun: Invalid value: -1: must be between 0 and 255, inclusive"]),
    ({"iscsi": {"targetPortal": "t", "iqn": "iqn.2020-01.com.x", "chapAuthSession": True, "initiatorName": "eui.123"}},
     ['iscsi.iqn: Invalid value: "iqn.2020-01.com.x": must be valid format', "iscsi.secretRef: Required value",
      'iscsi.initiatorname: Invalid value: "eui.123": must be valid format']),
    ({"fc": {"targetWWNs": ["a"], "wwids": ["b"], "lun": 300}},
     ['fc.targetWWNs: Invalid value: []string{"a"}: targetWWNs and wwids can not be specified simultaneously',
      "fc.lun: Invalid value: 300: must be between 0 and 255, inclusive"]),
    ({"fc": {}}, ["fc.targetWWNs: Required value: must specify either targetWWNs or wwids, but not both"]),
    ({"fc": {"targetWWNs": ["a"]}}, ["fc.lun: Required value: lun is required if targetWWNs is specified"]),
    ({"scaleIO": {"gateway": "", "system": ""}},
     ["scaleIO.gateway: Required value", "scaleIO.system: Required value", "scaleIO.volumeName: Required value"]),
], ids=["iscsi-missing", "iscsi-format", "fc-both", "fc-none", "fc-lun", "scaleio"])
def test_iscsi_fc_and_scaleio_sources(chain, source, expected):
    """validateISCSIVolumeSource, validateFCVolumeSource and validateScaleIOVolumeSource, as the
    real 1.24 words them."""
    assert causes(chain, **source) == [f"{V}.{problem}" for problem in expected]


BLOB_URI = "https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"


def test_an_azure_disk_names_its_disk_and_a_uri_of_its_kinds_form(chain):
    """validateAzureDisk, after SetDefaults_AzureDiskVolumeSource made it a Shared (blob) disk:
    the real 1.24's causes for each of these."""
    assert causes(chain, azureDisk={}) == [
        f"{V}.azureDisk.diskName: Required value", f"{V}.azureDisk.diskURI: Required value",
        f'{V}.azureDisk.diskURI: Unsupported value: "": supported values: "{BLOB_URI}"']
    assert causes(chain, azureDisk={"diskName": "d", "diskURI": "x", "kind": "Managed"}) == [
        f'{V}.azureDisk.diskURI: Unsupported value: "x": supported values: "/subscriptions/{{sub-id}}/resourcegroups/'
        '{group-name}/providers/microsoft.compute/disks/{disk-id}"']
    assert causes(chain, azureDisk={"diskName": "d", "diskURI": "https://x", "kind": "Bogus", "cachingMode": "X"}) == [
        f'{V}.azureDisk.cachingMode: Unsupported value: "X": supported values: "None", "ReadOnly", "ReadWrite"',
        f'{V}.azureDisk.kind: Unsupported value: "Bogus": supported values: "Dedicated", "Managed", "Shared"']


REGISTRY_MSG = "must be a host:port pair or multiple pairs separated by commas"


@pytest.mark.parametrize("source,expected", [
    ({}, [f"{V}.quobyte.registry: Required value: {REGISTRY_MSG}", f"{V}.quobyte.volume: Required value"]),
    ({"registry": "x,y:1,z", "volume": "v"}, [f'{V}.quobyte.registry: Invalid value: "x,y:1,z": {REGISTRY_MSG}'] * 2),
    ({"registry": "a:1:2", "volume": "v"}, [f'{V}.quobyte.registry: Invalid value: "a:1:2": {REGISTRY_MSG}']),
    ({"registry": "nohost", "volume": "v", "tenant": "t" * 65},
     [f"{V}.quobyte.tenant: Required value: must be a UUID and may not exceed a length of 64 characters"]),
])
def test_a_quobyte_registry_is_host_port_pairs(chain, source, expected):
    """validateQuobyteVolumeSource: net.SplitHostPort for each pair (one error each); a tenant over
    64 characters is checked instead of the pairs."""
    assert causes(chain, quobyte=source) == expected


def test_a_bracketed_host_and_a_bare_port_split():
    assert [splits_as_host_port(pair) for pair in ("[::1]:7861", "a:", "[a]:1]", "[a]b:1", "a]:1")] == [
        True, True, False, False, False]


CLAIM = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
EPHEMERAL = f"{V}.ephemeral.volumeClaimTemplate"


def test_an_ephemeral_volume_has_a_valid_claim_template(chain):
    """validateEphemeralVolumeSource: a template whose spec is a valid claim's."""
    assert causes(chain, ephemeral={}) == [f"{EPHEMERAL}: Required value"]
    assert causes(chain, ephemeral={"volumeClaimTemplate": {"spec": {}}}) == [
        f"{EPHEMERAL}.spec.accessModes: Required value: at least 1 access mode is required",
        f"{EPHEMERAL}.spec.resources[storage]: Required value"]
    assert causes(chain, ephemeral={"volumeClaimTemplate": {"spec": {**CLAIM, "volumeMode": "X"}}}) == [
        f'{EPHEMERAL}.spec.volumeMode: Unsupported value: "X": supported values: "Block", "Filesystem"']


def test_a_claim_templates_metadata_holds_only_labels_and_annotations(chain):
    """validatePersistentVolumeClaimTemplateObjectMeta: labels and annotations checked first, then
    every other field set is forbidden, named as the Go field (uid is uID), a pointer even at 0."""
    metadata = {"name": "x", "uid": "u", "labels": {"a b": "c"}, "generation": 0, "deletionGracePeriodSeconds": 0}
    errors = causes(chain, ephemeral={"volumeClaimTemplate": {"metadata": metadata, "spec": CLAIM}})
    assert errors[1:] == [f"{EPHEMERAL}.metadata.{field}: Forbidden: cannot be set for an ephemeral volume"
                          for field in ("name", "uID", "deletionGracePeriodSeconds")]
    assert errors[0].startswith(f'{EPHEMERAL}.metadata.labels: Invalid value: "a b": name part must consist')


def test_a_projected_volumes_default_mode_comes_before_its_sources(chain):
    assert causes(chain, projected={"sources": [{"secret": {}}], "defaultMode": 1000}) == [
        f"{V}.projected.defaultMode: Invalid value: 1000: {MODE_MSG}", f"{V}.projected.sources[0].secret.name: Required value"]
