"""The CSIStorageCapacity kind (storage.k8s.io/v1beta1): its resource facts, validation, OpenAPI schema
and protobuf layout. It has no printer columns: 1.24's registry gives it the default table convertor
(Name, Created At), though printers.go defines columns for it."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import META, QUANTITY, STORAGE_BETA, kind, list_kind, ref, string
from reference_impl.apiserver.core.validation import (NEGATIVE_MSG, go_label_selector, invalid,
                                                      label_selector_problems, metadata_problems, name_problems,
                                                      semantically_equal)
from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateCSIStorageCapacity")
def validate_csi_storage_capacity(obj: dict) -> list[str]:
    """A valid node topology selector, a class name that is a DNS subdomain (ValidateClassName
    without a prefix: an empty one too) and a capacity that is not negative."""
    problems = label_selector_problems(obj.get("nodeTopology"), "nodeTopology")
    problems += name_problems(obj.get("storageClassName") or "", "subdomain", "storageClassName")
    amount = quantity.exact(obj.get("capacity"))
    if amount is not None and amount < 0:
        problems.append(invalid("capacity", obj["capacity"], NEGATIVE_MSG))
    return problems


@mirrors("(k8s.io/kubernetes/pkg/registry/storage/csistoragecapacity.csiStorageCapacityStrategy).Validate")
def validate_csi_storage_capacity_again(obj: dict) -> list[str]:
    """The strategy's Validate calls ValidateCSIStorageCapacity twice (so written in 1.24), so a
    create lists every error twice: the second time, metadata included."""
    return metadata_problems(obj, "subdomain", core=True) + validate_csi_storage_capacity(obj)


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateCSIStorageCapacityUpdate")
def validate_csi_storage_capacity_update(old: dict, new: dict) -> list[str]:
    """The inputs of CSI's GetCapacity, the topology and the class, do not change."""
    problems = []
    if not semantically_equal(old.get("nodeTopology"), new.get("nodeTopology")):
        topology = new.get("nodeTopology")
        shown = "(*v1.LabelSelector)(nil)" if topology is None else go_label_selector(topology)
        problems.append(f"nodeTopology: Invalid value: {shown}: field is immutable")
    if old.get("storageClassName") != new.get("storageClassName"):
        problems.append(invalid("storageClassName", new.get("storageClassName") or "", "field is immutable"))
    return problems


RESOURCES = (
    Resource("storage.k8s.io", "v1beta1", "CSIStorageCapacity", "csistoragecapacities", "csistoragecapacity",
             True, allow_unconditional_update=False, validator=validate_csi_storage_capacity,
             create_validator=validate_csi_storage_capacity_again,
             update_validator=validate_csi_storage_capacity_update,
             zero_value={"storageClassName": ""},
             deprecation_warning="storage.k8s.io/v1beta1 CSIStorageCapacity is deprecated in v1.24+, "
                                 "unavailable in v1.27+",
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
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
                                                       STORAGE_BETA + "CSIStorageCapacity", map_keys=("name",)),
}


MESSAGES = """
storage.v1beta1.CSIStorageCapacity: 1 metadata! meta.ObjectMeta; 2 nodeTopology meta.LabelSelector;
    3 storageClassName! string; 4 capacity resource.Quantity; 5 maximumVolumeSize resource.Quantity
storage.v1beta1.CSIStorageCapacityList: 1 metadata! meta.ListMeta; 2 items* []storage.v1beta1.CSIStorageCapacity
"""
