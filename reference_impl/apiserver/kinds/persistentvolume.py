"""The PersistentVolume kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

import posixpath

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.podvalidation import node_selector_problems
from reference_impl.apiserver.core.pvsourcevalidation import volume_source_problems
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, atomic, boolean, integer, list_kind, obj, quantity_map, ref,
                                                   string, string_map, strings, workload)
from reference_impl.apiserver.kinds._columns import (AGE, NAME, access_modes_cell, age_cell, name_cell, part,
                                                     storage_class_of)
from reference_impl.apiserver.kinds._defaulting import (host_path_defaults, object_field, plugin_source_defaults,
                                                       resource_lists)
from reference_impl.machinery import quantity
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

# ReadWriteOncePod is behind the ReadWriteOncePod gate, alpha and off in 1.24.
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce")
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
VOLUME_MODES = ("Block", "Filesystem")
# The PersistentVolumeSource fields in the order ValidatePersistentVolumeSpec counts them.
VOLUME_SOURCES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd",
                  "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume",
                  "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi")
NOT_POSITIVE_MSG = "must be greater than zero"


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolume")
def persistent_volume(obj: dict, spec: dict) -> None:
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    host_path_defaults(spec.get("hostPath"))
    plugin_source_defaults(spec)
    spec.setdefault("volumeMode", "Filesystem")
    resource_lists(spec, "capacity")
    status = object_field(obj, "status")
    if status is not None:
        status.setdefault("phase", "Pending")


def access_mode_problems(modes: object, path: str) -> list[str]:
    """Each access mode one of the supported ones (the part of the volume and claim rules they share)."""
    return [v.unsupported(path, mode, ACCESS_MODES) for mode in v.as_list(modes) if mode not in ACCESS_MODES]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePositiveQuantityValue")
def positive_quantity_problems(written: object, path: str) -> list[str]:
    value = quantity.parse("0" if written is None else written)
    return [v.invalid(path, str(value), NOT_POSITIVE_MSG)] if value is not None and value.value <= 0 else []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateBasicResource")
def basic_resource_problems(written: object, path: str) -> list[str]:
    value = quantity.parse("0" if written is None else written)
    if value is None:
        return []
    whole = quantity.scaled_value("0" if written is None else written, 0)  # Quantity.Value, overflow and all
    return [f"{path}: Invalid value: {whole}: must be a valid resource quantity"] if whole < 0 else []


def _go_resource_list(capacity: object) -> str:
    """%#v of a core.ResourceList."""
    if capacity is None:
        return "core.ResourceList(nil)"
    return "core.ResourceList{" + ", ".join(f"{quote(name)}:{quantity.go_syntax(written)}"
                                            for name, written in sorted(v.as_object(capacity).items())) + "}"


def _clean(path: str) -> str:
    """Go's path.Clean: like normpath, but a leading "//" is one slash."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeSpec")
def validate_persistent_volume(pv: dict) -> list[str]:
    """At least one supported access mode, a positive storage capacity and nothing else, exactly
    one volume source, and a known reclaim policy, volume mode and class name."""
    spec = part(pv, "spec")
    problems = [] if v.as_list(spec.get("accessModes")) else [v.required("spec.accessModes")]
    problems += access_mode_problems(spec.get("accessModes"), "spec.accessModes")
    capacity = spec.get("capacity")
    if not v.as_object(capacity):
        problems.append(v.required("spec.capacity"))
    if "storage" not in v.as_object(capacity) or len(v.as_object(capacity)) > 1:
        problems.append(f"spec.capacity: Unsupported value: {_go_resource_list(capacity)}: supported values: "
                        f"{quote('storage')}")
    for name, written in sorted(v.as_object(capacity).items()):
        problems += basic_resource_problems(written, f"spec.capacity[{name}]")
        problems += positive_quantity_problems(written, f"spec.capacity[{name}]")
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in RECLAIM_POLICIES:
        problems.append(v.unsupported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES))
    affinity = spec.get("nodeAffinity")
    if affinity is not None:  # validateVolumeNodeAffinity
        required = v.as_object(affinity).get("required")
        problems += [v.required("spec.nodeAffinity.required", "must specify required node constraints")] \
            if required is None else node_selector_problems(v.as_object(required), "spec.nodeAffinity.required")
    problems += volume_source_problems(spec, str(v.as_object(pv.get("metadata")).get("name") or ""),
                                       node_affinity_given=affinity is not None)
    host_path = spec.get("hostPath")
    if host_path is not None and _clean(str(v.as_object(host_path).get("path") or "")) == "/" and policy == "Recycle":
        problems.append("spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount "
                        "of '/'")
    problems += class_name_problems(spec.get("storageClassName"), "spec.storageClassName")
    mode = spec.get("volumeMode")
    if mode is not None and mode not in VOLUME_MODES:
        problems.append(v.unsupported("spec.volumeMode", mode, VOLUME_MODES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeUpdate")
def validate_persistent_volume_update(old: dict, new: dict) -> list[str]:
    """The volume source and volumeMode do not change, nor nodeAffinity once set. Upstream
    appends a diff of the sources to the first message; the reference writes none."""
    before, after = part(old, "spec"), part(new, "spec")
    problems = []
    if not v.semantically_equal(_source(before), _source(after)):
        problems.append("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after "
                        "creation")
    if before.get("volumeMode") != after.get("volumeMode"):
        problems.append(v.invalid("volumeMode", after.get("volumeMode") or "null", "field is immutable"))
    if before.get("nodeAffinity") is not None and not v.semantically_equal(before["nodeAffinity"],
                                                                             after.get("nodeAffinity")):
        affinity = after.get("nodeAffinity")
        shown = '"null"' if affinity is None else "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(" + (
            "nil" if v.as_object(affinity).get("required") is None else "0xc000000000") + ")}"
        problems.append(f"nodeAffinity: Invalid value: {shown}: field is immutable")
    return problems


def _source(spec: dict) -> dict:
    """The spec's PersistentVolumeSource; a CSI controllerExpandSecretRef may be added later."""
    source = {name: spec[name] for name in VOLUME_SOURCES if spec.get(name) is not None}
    if "csi" in source:
        source["csi"] = {k: value for k, value in v.as_object(source["csi"]).items()
                         if k != "controllerExpandSecretRef"}
    return source


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateClassName")
def class_name_problems(name: object, path: str) -> list[str]:
    return v.name_problems(name, "subdomain", path) if name else []


RESOURCES = (
    # The kinds the 1.24 components list and watch besides the ones above (issue 12).
    Resource("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", False, ("pv",),
             return_deleted_object=True,
             subresources=("status",), status_reset_on_update=True,
             field_selectors=("metadata.name",), validator=validate_persistent_volume,
             update_validator=validate_persistent_volume_update,
             zero_value={"spec": {}, "status": {}},
             update_validator_runs=2, update_metadata_checks=UpdateMetadataChecks(full=2, update=0)),
)


DEFAULTS = {"PersistentVolume": persistent_volume}


DEFINITIONS = {
    **workload("", "v1", CORE, "PersistentVolume", "A piece of storage provisioned in the cluster."),
    CORE + "PersistentVolumeStatus": obj(
        "The phase of a PersistentVolume and why it is in it.",
        message=string("Why the volume is in its phase."),
        phase=string("The current phase."),
        reason=string("Machine-readable reason of the phase.")),
    CORE + "PersistentVolumeSpec": obj(
        "Capacity, access modes, reclaim policy and the volume source.",
        accessModes=strings("ReadWriteOnce, ReadOnlyMany or ReadWriteMany."),
        awsElasticBlockStore=ref(CORE + "AWSElasticBlockStoreVolumeSource", "An AWS EBS disk attached to the node."),
        azureDisk=ref(CORE + "AzureDiskVolumeSource", "An Azure data disk attached to the node."),
        azureFile=ref(CORE + "AzureFilePersistentVolumeSource", "An Azure File share mounted with SMB."),
        capacity=quantity_map("The volume's capacity; only storage."),
        cephfs=ref(CORE + "CephFSPersistentVolumeSource", "A Ceph filesystem mount."),
        cinder=ref(CORE + "CinderPersistentVolumeSource", "An OpenStack Cinder volume."),
        claimRef=ref(CORE + "ObjectReference", "The claim bound to the volume."),
        csi=ref(CORE + "CSIPersistentVolumeSource", "A volume provided by a CSI driver."),
        fc=ref(CORE + "FCVolumeSource", "A Fibre Channel volume."),
        flexVolume=ref(CORE + "FlexPersistentVolumeSource", "A volume provided by a FlexVolume driver."),
        flocker=ref(CORE + "FlockerVolumeSource", "A Flocker dataset."),
        gcePersistentDisk=ref(CORE + "GCEPersistentDiskVolumeSource", "A GCE persistent disk attached to the node."),
        glusterfs=ref(CORE + "GlusterfsPersistentVolumeSource", "A Glusterfs mount."),
        hostPath=ref(CORE + "HostPathVolumeSource", "A directory on the node; for a single-node cluster."),
        iscsi=ref(CORE + "ISCSIPersistentVolumeSource", "An iSCSI disk."),
        local=ref(CORE + "LocalVolumeSource", "A disk, partition or directory of one node."),
        mountOptions=strings("Mount options."),
        nfs=ref(CORE + "NFSVolumeSource", "An NFS mount."),
        nodeAffinity=ref(CORE + "VolumeNodeAffinity", "The nodes the volume can be reached from."),
        persistentVolumeReclaimPolicy=string("Retain, Delete or Recycle; defaults to Retain."),
        photonPersistentDisk=ref(CORE + "PhotonPersistentDiskVolumeSource", "A Photon Controller persistent disk."),
        portworxVolume=ref(CORE + "PortworxVolumeSource", "A Portworx volume."),
        quobyte=ref(CORE + "QuobyteVolumeSource", "A Quobyte mount."),
        rbd=ref(CORE + "RBDPersistentVolumeSource", "A Rados Block Device mount."),
        scaleIO=ref(CORE + "ScaleIOPersistentVolumeSource", "A ScaleIO persistent volume."),
        storageClassName=string("The StorageClass the volume belongs to."),
        storageos=ref(CORE + "StorageOSPersistentVolumeSource", "A StorageOS volume."),
        volumeMode=string("Filesystem or Block; defaults to Filesystem."),
        vsphereVolume=ref(CORE + "VsphereVirtualDiskVolumeSource", "A vSphere virtual disk.")),
    CORE + "VolumeNodeAffinity": obj(
        "The nodes a persistent volume can be reached from.",
        required=ref(CORE + "NodeSelector", "Terms a node must match.")),
    CORE + "SecretReference": atomic(obj(
        "Points at a Secret in any namespace.",
        name=string("Name of the Secret."),
        namespace=string("Namespace of the Secret."))),
    CORE + "AzureFilePersistentVolumeSource": obj(
        "An Azure File share mounted with SMB.", ("secretName", "shareName"),
        readOnly=boolean("Mount read-only."),
        secretName=string("Name of the Secret holding the account name and key."),
        secretNamespace=string("Namespace of the Secret; defaults to the pod's."),
        shareName=string("Name of the share.")),
    CORE + "CephFSPersistentVolumeSource": obj(
        "A Ceph filesystem mount.", ("monitors",),
        monitors=strings("Ceph monitors."),
        path=string("Path in the Ceph filesystem to mount; defaults to /."),
        readOnly=boolean("Mount read-only."),
        secretFile=string("Path to the key ring; defaults to /etc/ceph/user.secret."),
        secretRef=ref(CORE + "SecretReference", "Secret holding the credentials."),
        user=string("User name.")),
    CORE + "CinderPersistentVolumeSource": obj(
        "An OpenStack Cinder volume.", ("volumeID",),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "SecretReference", "Secret holding the OpenStack credentials."),
        volumeID=string("Id of the volume.")),
    CORE + "CSIPersistentVolumeSource": obj(
        "A volume provided by a CSI driver.", ("driver", "volumeHandle"),
        controllerExpandSecretRef=ref(CORE + "SecretReference", "Secret passed to ControllerExpandVolume."),
        controllerPublishSecretRef=ref(CORE + "SecretReference",
                                       "Secret passed to ControllerPublishVolume and ControllerUnpublishVolume."),
        driver=string("Name of the CSI driver."),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        nodePublishSecretRef=ref(CORE + "SecretReference", "Secret passed to NodePublishVolume."),
        nodeStageSecretRef=ref(CORE + "SecretReference", "Secret passed to NodeStageVolume and NodeUnstageVolume."),
        readOnly=boolean("Mount read-only."),
        volumeAttributes=string_map("Driver-specific attributes."),
        volumeHandle=string("The driver's id of the volume.")),
    CORE + "FlexPersistentVolumeSource": obj(
        "A volume provided by a FlexVolume driver.", ("driver",),
        driver=string("Name of the FlexVolume driver."),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        options=string_map("Extra driver options."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "SecretReference", "Secret passed to the driver.")),
    CORE + "GlusterfsPersistentVolumeSource": obj(
        "A Glusterfs mount.", ("endpoints", "path"),
        endpoints=string("Endpoints object naming the Glusterfs servers."),
        endpointsNamespace=string("Namespace of the Endpoints object; defaults to the claim's."),
        path=string("Glusterfs volume path."),
        readOnly=boolean("Mount read-only.")),
    CORE + "ISCSIPersistentVolumeSource": obj(
        "An iSCSI disk.", ("targetPortal", "iqn", "lun"),
        chapAuthDiscovery=boolean("Whether iSCSI discovery uses CHAP authentication."),
        chapAuthSession=boolean("Whether the iSCSI session uses CHAP authentication."),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        initiatorName=string("Custom iSCSI initiator name."),
        iqn=string("iSCSI qualified name of the target."),
        iscsiInterface=string("iSCSI interface name; defaults to tcp."),
        lun=integer("Logical unit number of the target."),
        portals=strings("More iSCSI target portals, as ip:port."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "SecretReference", "Secret holding the CHAP credentials."),
        targetPortal=string("iSCSI target portal, as ip:port.")),
    CORE + "LocalVolumeSource": obj(
        "A disk, partition or directory of one node.", ("path",),
        fsType=string("Filesystem type of a block device; detected when empty."),
        path=string("Full path of the volume on the node.")),
    CORE + "RBDPersistentVolumeSource": obj(
        "A Rados Block Device mount.", ("monitors", "image"),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        image=string("Name of the RADOS image."),
        keyring=string("Path to the RADOS keyring; defaults to /etc/ceph/keyring."),
        monitors=strings("Ceph monitors."),
        pool=string("RADOS pool; defaults to rbd."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "SecretReference", "Secret holding the RADOS user's key."),
        user=string("RADOS user name; defaults to admin.")),
    CORE + "ScaleIOPersistentVolumeSource": obj(
        "A ScaleIO persistent volume.", ("gateway", "system", "secretRef"),
        fsType=string("Filesystem type to mount, e.g. ext4."),
        gateway=string("Address of the ScaleIO API gateway."),
        protectionDomain=string("ScaleIO protection domain."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "SecretReference", "Secret holding the ScaleIO user's credentials."),
        sslEnabled=boolean("Whether the gateway is reached over SSL."),
        storageMode=string("ThickProvisioned or ThinProvisioned."),
        storagePool=string("ScaleIO storage pool."),
        system=string("Name of the ScaleIO system."),
        volumeName=string("Name of a volume already created in the ScaleIO system.")),
    CORE + "StorageOSPersistentVolumeSource": obj(
        "A StorageOS volume.",
        fsType=string("Filesystem type to mount, e.g. ext4."),
        readOnly=boolean("Mount read-only."),
        secretRef=ref(CORE + "ObjectReference", "Secret holding the StorageOS API credentials."),
        volumeName=string("StorageOS name of the volume."),
        volumeNamespace=string("StorageOS namespace of the volume.")),
    CORE + "PersistentVolumeList": list_kind("", "v1", CORE + "PersistentVolume"),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPersistentVolume")
def _persistent_volume(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    claim = part(spec, "claimRef")
    claim_cell = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    phase = "Terminating" if part(obj, "metadata").get("deletionTimestamp") else status.get("phase", "")
    return [name_cell(obj), part(spec, "capacity").get("storage", "0"),
            access_modes_cell(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase,
            claim_cell, storage_class_of(obj, spec), status.get("reason", ""), age_cell(obj, now),
            spec.get("volumeMode") or "<unset>"]


GO_TYPES = {
    CORE + "PersistentVolumeSpec": {"accessModes": "[]v1.PersistentVolumeAccessMode",
                                    "persistentVolumeReclaimPolicy": "v1.PersistentVolumeReclaimPolicy",
                                    "volumeMode": "v1.PersistentVolumeMode",
                                    "claimRef": "*v1.ObjectReference", "nodeAffinity": "*v1.VolumeNodeAffinity",
                                    # every PersistentVolumeSource member is a pointer to its definition
                                    **{source: "*v1." + DEFINITIONS[CORE + "PersistentVolumeSpec"]["properties"][source]
                                       ["$ref"].rpartition(".")[2] for source in VOLUME_SOURCES}},
    CORE + "VolumeNodeAffinity": {"required": "*v1.NodeSelector"},
    CORE + "PersistentVolumeStatus": {"phase": "v1.PersistentVolumePhase"},
}


PRINTERS = {
    "PersistentVolume": ([NAME, ("Capacity", "string", 0, "Size of the volume."),
                          ("Access Modes", "string", 0, "How the volume can be mounted."),
                          ("Reclaim Policy", "string", 0, "What happens to it when released."),
                          ("Status", "string", 0, "Phase of the volume."),
                          ("Claim", "string", 0, "The claim bound to it."),
                          ("StorageClass", "string", 0, "StorageClass of the pv"),
                          ("Reason", "string", 0, "Why the volume is in its phase."), AGE,
                          ("VolumeMode", "string", 1, "Filesystem or Block.")], _persistent_volume),
}


MESSAGES = """
core.PersistentVolume: 1 metadata! meta.ObjectMeta; 2 spec! core.PersistentVolumeSpec;
    3 status! core.PersistentVolumeStatus
core.PersistentVolumeList: 1 metadata! meta.ListMeta; 2 items* []core.PersistentVolume
core.PersistentVolumeSpec: 1 capacity? {}resource.Quantity; 2 - core.PersistentVolumeSource; 3 accessModes? []string;
    4 claimRef core.ObjectReference; 5 persistentVolumeReclaimPolicy? string; 6 storageClassName? string;
    7 mountOptions? []string; 8 volumeMode string; 9 nodeAffinity core.VolumeNodeAffinity
core.PersistentVolumeStatus: 1 phase? string; 2 message? string; 3 reason? string
"""
