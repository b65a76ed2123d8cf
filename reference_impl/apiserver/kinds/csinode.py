"""The CSINode kind (storage.k8s.io/v1): its resource facts, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import STORAGE, arr, integer, kind, list_kind, obj, ref, string, strings
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part

RESOURCES = (
    Resource("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", False,
             allow_unconditional_update=False),
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
storage.CSINode: 1 metadata meta.ObjectMeta; 2 spec storage.CSINodeSpec
storage.CSINodeDriver: 1 name string; 2 nodeID string; 3 topologyKeys []string;
    4 allocatable storage.VolumeNodeResources
storage.CSINodeList: 1 metadata meta.ListMeta; 2 items []storage.CSINode
storage.CSINodeSpec: 1 drivers []storage.CSINodeDriver
storage.VolumeNodeResources: 1 count int32
"""
