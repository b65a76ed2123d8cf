"""The CSIStorageCapacity kind (storage.k8s.io/v1beta1): its resource facts, validation, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import META, QUANTITY, STORAGE_BETA, kind, list_kind, ref, string
from reference_impl.apiserver.core.validation import required
from reference_impl.apiserver.kinds._columns import NAME, name_cell


def validate_csi_storage_capacity(obj: dict) -> list[str]:
    return [] if obj.get("storageClassName") else [required("storageClassName")]


RESOURCES = (
    Resource("storage.k8s.io", "v1beta1", "CSIStorageCapacity", "csistoragecapacities", "csistoragecapacity",
             True, allow_unconditional_update=False, validator=validate_csi_storage_capacity),
)


DEFINITIONS = {
    STORAGE_BETA + "CSIStorageCapacity": kind(
        "storage.k8s.io", "v1beta1", "CSIStorageCapacity", "Storage available in one topology segment.",
        ("storageClassName",),
        capacity=ref(QUANTITY, "Capacity available for new volumes."),
        maximumVolumeSize=ref(QUANTITY, "The largest volume that can be created."),
        nodeTopology=ref(META + "LabelSelector", "Nodes that can reach the storage."),
        storageClassName=string("The StorageClass the capacity is for.")),
    STORAGE_BETA + "CSIStorageCapacityList": list_kind("storage.k8s.io", "v1beta1",
                                                       STORAGE_BETA + "CSIStorageCapacity"),
}


PRINTERS = {
    "CSIStorageCapacity": ([NAME, ("StorageClassName", "string", 0, "The storage class."),
                            ("Capacity", "string", 0, "Capacity available.")],
                           lambda o, now: [name_cell(o), o.get("storageClassName", ""),
                                           o.get("capacity") or "<unset>"]),
}


MESSAGES = """
storage.v1beta1.CSIStorageCapacity: 1 metadata meta.ObjectMeta; 2 nodeTopology meta.LabelSelector;
    3 storageClassName string; 4 capacity resource.Quantity; 5 maximumVolumeSize resource.Quantity
storage.v1beta1.CSIStorageCapacityList: 1 metadata meta.ListMeta; 2 items []storage.v1beta1.CSIStorageCapacity
"""
