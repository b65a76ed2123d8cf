"""The VolumeAttachment kind (storage.k8s.io/v1): its resource facts, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import STORAGE, kind, list_kind, opaque
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors

# What ResetObjectMetaForStatus sets back to the stored values (generation is BeforeUpdate's too).
STATUS_RESET_META = ("deletionTimestamp", "generation", "selfLink", "labels", "annotations", "finalizers",
                     "ownerReferences")


@mirrors("(k8s.io/kubernetes/pkg/registry/storage/volumeattachment.volumeAttachmentStatusStrategy).PrepareForUpdate",
         "k8s.io/apimachinery/pkg/apis/meta/v1.ResetObjectMetaForStatus")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """volumeattachments/status keeps none of the labels, annotations, finalizers or owner
    references sent."""
    meta, old_meta = new["metadata"], old["metadata"]
    for name in STATUS_RESET_META:
        meta.pop(name, None)
        if name in old_meta:
            meta[name] = old_meta[name]


RESOURCES = (
    Resource("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", False,
             allow_unconditional_update=False, subresources=("status",), status_reset_on_update=True,
             prepare_for_status_update=prepare_for_status_update),
)


DEFINITIONS = {
    STORAGE + "VolumeAttachment": kind(
        "storage.k8s.io", "v1", "VolumeAttachment", "A volume to attach to, or detach from, a node.", ("spec",),
        spec=opaque("The attacher, the node and the volume source."),
        status=opaque("Whether the volume is attached, and errors.")),
    STORAGE + "VolumeAttachmentList": list_kind("storage.k8s.io", "v1", STORAGE + "VolumeAttachment"),
}


GO_TYPES = {
    STORAGE + "VolumeAttachment": {"spec": "v1.VolumeAttachmentSpec", "status": "v1.VolumeAttachmentStatus"},
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
