"""The CSINode kind (storage.k8s.io/v1): its resource facts, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import STORAGE, kind, list_kind, opaque
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part

RESOURCES = (
    Resource("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", False,
             allow_unconditional_update=False),
)


DEFINITIONS = {
    STORAGE + "CSINode": kind(
        "storage.k8s.io", "v1", "CSINode", "The CSI drivers installed on one node.", ("spec",),
        spec=opaque("The drivers registered on the node.")),
    STORAGE + "CSINodeList": list_kind("storage.k8s.io", "v1", STORAGE + "CSINode"),
}


GO_TYPES = {
    STORAGE + "CSINode": {"spec": "v1.CSINodeSpec"},
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
