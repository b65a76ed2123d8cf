"""The VolumeAttachment kind (storage.k8s.io/v1): its resource facts, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import STORAGE, kind, list_kind, opaque
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part

RESOURCES = (
    Resource("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", False,
             subresources=("status",), status_reset_on_update=True),
)


DEFINITIONS = {
    STORAGE + "VolumeAttachment": kind(
        "storage.k8s.io", "v1", "VolumeAttachment", "A volume to attach to, or detach from, a node.", ("spec",),
        spec=opaque("The attacher, the node and the volume source."),
        status=opaque("Whether the volume is attached, and errors.")),
    STORAGE + "VolumeAttachmentList": list_kind("storage.k8s.io", "v1", STORAGE + "VolumeAttachment"),
}


def _volume_attachment(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    return [name_cell(obj), spec.get("attacher", ""),
            part(spec, "source").get("persistentVolumeName", ""), spec.get("nodeName", ""),
            bool(part(obj, "status").get("attached")), age_cell(obj, now)]


PRINTERS = {
    "VolumeAttachment": ([NAME, ("Attacher", "string", 0, "The attaching driver."),
                          ("PV", "string", 0, "The persistent volume."), ("Node", "string", 0, "The node."),
                          ("Attached", "boolean", 0, "Whether the volume is attached."), AGE],
                         _volume_attachment),
}


MESSAGES = """
storage.VolumeAttachment: 1 metadata meta.ObjectMeta; 2 spec storage.VolumeAttachmentSpec;
    3 status storage.VolumeAttachmentStatus
storage.VolumeAttachmentList: 1 metadata meta.ListMeta; 2 items []storage.VolumeAttachment
storage.VolumeAttachmentSource: 1 persistentVolumeName string; 2 inlineVolumeSpec core.PersistentVolumeSpec
storage.VolumeAttachmentSpec: 1 attacher string; 2 source storage.VolumeAttachmentSource; 3 nodeName string
storage.VolumeAttachmentStatus: 1 attached bool; 2 attachmentMetadata {}string; 3 attachError storage.VolumeError;
    4 detachError storage.VolumeError
storage.VolumeError: 1 time meta.Time; 2 message? string
"""
