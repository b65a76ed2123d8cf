"""The PersistentVolume kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, list_kind, opaque, workload
from reference_impl.apiserver.kinds._columns import (AGE, NAME, access_modes_cell, age_cell, name_cell, part,
                                                     storage_class_of)
from reference_impl.apiserver.kinds._defaulting import object_field
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolume")
def persistent_volume(obj: dict, spec: dict) -> None:
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    status = object_field(obj, "status")
    if status is not None:
        status.setdefault("phase", "Pending")


RESOURCES = (
    # The kinds the 1.24 components list and watch besides the ones above (issue 12).
    Resource("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", False, ("pv",),
             subresources=("status",), status_reset_on_update=True,
             field_selectors=("metadata.name",)),
)


DEFAULTS = {"PersistentVolume": persistent_volume}


DEFINITIONS = {
    **workload("", "v1", CORE, "PersistentVolume", "A piece of storage provisioned in the cluster."),
    CORE + "PersistentVolumeSpec": opaque("Capacity, access modes, reclaim policy and the volume source."),
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
core.PersistentVolume: 1 metadata meta.ObjectMeta; 2 spec core.PersistentVolumeSpec;
    3 status core.PersistentVolumeStatus
core.PersistentVolumeList: 1 metadata meta.ListMeta; 2 items []core.PersistentVolume
core.PersistentVolumeSpec: 1 capacity {}resource.Quantity; 2 - core.PersistentVolumeSource; 3 accessModes []string;
    4 claimRef core.ObjectReference; 5 persistentVolumeReclaimPolicy? string; 6 storageClassName? string;
    7 mountOptions []string; 8 volumeMode string; 9 nodeAffinity core.VolumeNodeAffinity
core.PersistentVolumeStatus: 1 phase? string; 2 message? string; 3 reason? string
"""
