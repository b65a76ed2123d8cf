"""The CSINode kind (storage.k8s.io/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import STORAGE, arr, integer, kind, list_kind, obj, ref, string, strings
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.apiserver.core.volumevalidation import csi_driver_name_problems
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

# csiNodeIDLongerMaxLength: the strategy validates with AllowLongNodeID.
NODE_ID_MAX_LENGTH = 256


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.validateCSINodeDrivers",
         "k8s.io/kubernetes/pkg/apis/storage/validation.validateCSINodeDriver")
def validate_csi_node(obj: dict) -> list[str]:
    """Each driver: a CSI driver name given once, a node ID, a count that is not negative and
    distinct topology keys that are qualified names."""
    problems, names = [], set()
    for i, driver in enumerate(dict_items(part(obj, "spec").get("drivers"))):
        here, name, node_id = f"spec.drivers[{i}]", driver.get("name") or "", driver.get("nodeID") or ""
        problems += csi_driver_name_problems(name, f"{here}.name")
        if not node_id:
            problems.append(v.required(f"{here}.nodeID"))
        if len(node_id) > NODE_ID_MAX_LENGTH:
            problems.append(v.invalid(f"{here}.nodeID", node_id, f"must be {NODE_ID_MAX_LENGTH} characters or less"))
        count = v.as_object(driver.get("allocatable")).get("count")
        if isinstance(count, int) and count < 0:
            problems.append(v.invalid(f"{here}.allocatable.count", count, v.NEGATIVE_MSG))
        if name in names:
            problems.append(v.duplicate(f"{here}.name", name))
        names.add(name)
        keys = v.as_list(driver.get("topologyKeys"))
        for j, key in enumerate(keys):
            if not key:
                problems.append(v.required(here))
            if key in keys[:j]:
                problems.append(v.duplicate(here, key))
            problems += v.label_name_problems(key, here)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateCSINodeUpdate")
def validate_csi_node_update(old: dict, new: dict) -> list[str]:
    """A driver registered under a name does not change; drivers may be added or removed."""
    old_drivers = dict_items(part(old, "spec").get("drivers"))
    return [f"CSINodeDriver: Invalid value: {go_driver(driver)}: field is immutable"
            for before in old_drivers for driver in dict_items(part(new, "spec").get("drivers"))
            if before.get("name") == driver.get("name") and not v.semantically_equal(before, driver)]


def go_driver(driver: dict) -> str:
    """Go's %#v of a storage.CSINodeDriver (a set pointer prints its address)."""
    keys = driver.get("topologyKeys")
    allocatable = "nil" if driver.get("allocatable") is None else "0xc000000000"
    return (f"storage.CSINodeDriver{{Name:{quote(driver.get('name') or '')}, "
            f"NodeID:{quote(driver.get('nodeID') or '')}, "
            f"TopologyKeys:{'[]string(nil)' if keys is None else v.go_value(keys)}, "
            f"Allocatable:(*storage.VolumeNodeResources)({allocatable})}}")


def store_empty_lists_as_nil(obj: dict) -> None:
    """`drivers` and a driver's `topologyKeys` are not omitempty: an empty list, stored as protobuf
    (where it is no field at all), reads back as the nil slice, written null (as for a Role's
    rules, a dry run's copy goes through the same encoding)."""
    spec = part(obj, "spec")
    if spec.get("drivers") == []:
        spec["drivers"] = None
    for driver in dict_items(spec.get("drivers")):
        if driver.get("topologyKeys") == []:
            driver["topologyKeys"] = None


RESOURCES = (
    Resource("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", False,
             return_deleted_object=True,
             allow_unconditional_update=False, validator=validate_csi_node, canonicalize=store_empty_lists_as_nil,
             update_validator=validate_csi_node_update,
             zero_value={"spec": {"drivers": None}},
             update_metadata_checks=UpdateMetadataChecks(full=2, update=0)),
)


DEFINITIONS = {
    STORAGE + "CSINode": kind(
        "storage.k8s.io", "v1", "CSINode", "The CSI drivers installed on one node.", ("spec",),
        spec=ref(STORAGE + "CSINodeSpec", "The drivers registered on the node.")),
    STORAGE + "CSINodeSpec": obj(
        "The CSI drivers registered on a node.", ("drivers",),
        drivers=arr(ref(STORAGE + "CSINodeDriver"), "One entry per driver; empty when none is.", merge_key="name")),
    STORAGE + "CSINodeDriver": obj(
        "A CSI driver registered on a node.", ("name", "nodeID"),
        allocatable=ref(STORAGE + "VolumeNodeResources", "Volumes of the driver the node can hold."),
        name=string("Name of the driver, as its CSIDriver object is named."),
        nodeID=string("The driver's id of the node."),
        topologyKeys=strings("Node label keys the driver reports its topology with.")),
    STORAGE + "VolumeNodeResources": obj(
        "Limits on the volumes of one driver a node can hold.",
        count=integer("Most volumes of the driver on the node; none means no limit.")),
    STORAGE + "CSINodeList": list_kind("storage.k8s.io", "v1", STORAGE + "CSINode"),
}


GO_TYPES = {
    STORAGE + "CSINodeDriver": {"allocatable": "*v1.VolumeNodeResources"},
}


PRINTERS = {
    "CSINode": ([NAME, ("Drivers", "integer", 0, "CSI drivers registered on the node"), AGE],
                lambda o, now: [name_cell(o), len(part(o, "spec").get("drivers") or []), age_cell(o, now)]),
}


MESSAGES = """
storage.CSINode: 1 metadata! meta.ObjectMeta; 2 spec! storage.CSINodeSpec
storage.CSINodeDriver: 1 name! string; 2 nodeID! string; 3 topologyKeys* []string;
    4 allocatable storage.VolumeNodeResources
storage.CSINodeList: 1 metadata! meta.ListMeta; 2 items* []storage.CSINode
storage.CSINodeSpec: 1 drivers* []storage.CSINodeDriver
storage.VolumeNodeResources: 1 count int32
"""
