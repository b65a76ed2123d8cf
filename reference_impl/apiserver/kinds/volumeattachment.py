"""The VolumeAttachment kind (storage.k8s.io/v1): its resource facts, validation, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.volumevalidation import csi_driver_name_problems
from reference_impl.apiserver.kinds.persistentvolume import persistent_volume_spec_problems
from reference_impl.apiserver.core.schemas import (CORE, META, STORAGE, boolean, kind, list_kind, obj, ref, string,
                                                   string_map)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import default_zero, object_field, resource_lists
from reference_impl.machinery.gojson import quote
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


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.validateVolumeAttachmentSpec",
         "k8s.io/kubernetes/pkg/apis/storage/validation.validateVolumeAttachmentSource")
def validate_volume_attachment(obj: dict) -> list[str]:
    """An attacher, exactly one volume source (a non-empty persistentVolumeName or an inline
    spec, valid as an inline PersistentVolume's) and a node name that is a DNS subdomain."""
    spec = part(obj, "spec")
    source = part(spec, "source")
    problems = [] if spec.get("attacher") else [v.required("spec.attacher")]
    volume_name, inline = source.get("persistentVolumeName"), source.get("inlineVolumeSpec")
    if volume_name is None and inline is None:
        problems.append(v.required("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName"))
    elif volume_name is not None and inline is not None:
        problems.append("spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName")
    elif volume_name == "":
        problems.append(v.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName"))
    elif inline is not None:
        problems += persistent_volume_spec_problems(v.as_object(inline), "", "spec.source.inlineVolumeSpec", inline=True)
    return problems + v.name_problems(spec.get("nodeName", ""), "subdomain", "spec.nodeName")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateVolumeAttachmentV1")
def validate_volume_attachment_v1(obj: dict) -> list[str]:
    """What a create through storage.k8s.io/v1 checks beyond the rest: the attacher is a CSI
    driver's name and the persistent volume's name a DNS subdomain."""
    spec = part(obj, "spec")
    problems = csi_driver_name_problems(spec.get("attacher", ""), "spec.attacher")
    volume_name = part(spec, "source").get("persistentVolumeName")
    if volume_name is not None:
        problems += v.name_problems(volume_name, "subdomain", "spec.source.persistentVolumeName")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateVolumeAttachmentUpdate")
def validate_volume_attachment_update(old: dict, new: dict) -> list[str]:
    """The spec is read-only."""
    if v.semantically_equal(old.get("spec"), new.get("spec")):
        return []
    return [f"spec: Invalid value: {go_spec(part(new, 'spec'))}: field is immutable"]


def go_spec(spec: dict) -> str:
    """%#v of a storage.VolumeAttachmentSpec (a set pointer prints as an address, which stands in)."""
    source = part(spec, "source")
    volume_name = "(*string)(nil)" if source.get("persistentVolumeName") is None else "(*string)(0xc000000000)"
    inline = ("(*core.PersistentVolumeSpec)(nil)" if source.get("inlineVolumeSpec") is None
              else "(*core.PersistentVolumeSpec)(0xc000000000)")
    return (f"storage.VolumeAttachmentSpec{{Attacher:{quote(spec.get('attacher', ''))}, "
            f"Source:storage.VolumeAttachmentSource{{PersistentVolumeName:{volume_name}, InlineVolumeSpec:{inline}}}, "
            f"NodeName:{quote(spec.get('nodeName', ''))}}}")


def volume_attachment(obj: dict, spec: dict) -> None:
    """`attached` has no omitempty: Go writes false when it is not set. An inline volume's
    capacity is rounded as a PersistentVolume's is."""
    source = spec.get("source")
    if isinstance(source, dict):
        resource_lists(source.get("inlineVolumeSpec"), "capacity")
    status = object_field(obj, "status")
    if status is not None:
        default_zero(status, "attached", False)


DEFAULTS = {"VolumeAttachment": volume_attachment}


RESOURCES = (
    Resource("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", False,
             return_deleted_object=True,
             allow_unconditional_update=False, subresources=("status",), status_reset_on_update=True,
             prepare_for_status_update=prepare_for_status_update, validator=validate_volume_attachment,
             create_validator=validate_volume_attachment_v1, update_validator=validate_volume_attachment_update,
             update_validator_runs=2,  # the strategy's ValidateVolumeAttachment, then ValidateVolumeAttachmentUpdate's
             zero_value={"spec": {"attacher": "", "source": {}, "nodeName": ""}, "status": {"attached": False}},
             update_metadata_checks=UpdateMetadataChecks(full=2, update=0)),
)


DEFINITIONS = {
    STORAGE + "VolumeAttachment": kind(
        "storage.k8s.io", "v1", "VolumeAttachment", "A volume to attach to, or detach from, a node.", ("spec",),
        spec=ref(STORAGE + "VolumeAttachmentSpec", "The attacher, the node and the volume source."),
        status=ref(STORAGE + "VolumeAttachmentStatus", "Whether the volume is attached, and errors.")),
    STORAGE + "VolumeAttachmentSpec": obj(
        "Which volume to attach to which node, by which attacher.", ("attacher", "source", "nodeName"),
        attacher=string("The attaching driver, as GetPluginName names it."),
        nodeName=string("The node to attach the volume to."),
        source=ref(STORAGE + "VolumeAttachmentSource", "The volume to attach.")),
    STORAGE + "VolumeAttachmentSource": obj(
        "The volume to attach: a persistent volume by name, or an inline volume's spec.",
        inlineVolumeSpec=ref(CORE + "PersistentVolumeSpec", "An inline pod volume migrated to CSI, as a PV spec."),
        persistentVolumeName=string("Name of the persistent volume.")),
    STORAGE + "VolumeAttachmentStatus": obj(
        "Whether a volume is attached, and the last attach and detach errors.", ("attached",),
        attachError=ref(STORAGE + "VolumeError", "The last error attaching the volume."),
        attached=boolean("Whether the volume is attached."),
        attachmentMetadata=string_map("What the attach returned, passed on to the mount."),
        detachError=ref(STORAGE + "VolumeError", "The last error detaching the volume.")),
    STORAGE + "VolumeError": obj(
        "An error of an attach or detach.",
        message=string("What went wrong."),
        time=ref(META + "Time", "When the error happened.")),
    STORAGE + "VolumeAttachmentList": list_kind("storage.k8s.io", "v1", STORAGE + "VolumeAttachment"),
}


GO_TYPES = {
    STORAGE + "VolumeAttachmentSource": {"inlineVolumeSpec": "*v1.PersistentVolumeSpec"},
    STORAGE + "VolumeAttachmentStatus": {"attachError": "*v1.VolumeError", "detachError": "*v1.VolumeError"},
}


def _volume_attachment(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    return [name_cell(obj), spec.get("attacher", ""),
            part(spec, "source").get("persistentVolumeName", ""), spec.get("nodeName", ""),
            bool(part(obj, "status").get("attached")), age_cell(obj, now)]


PRINTERS = {
    "VolumeAttachment": ([NAME, ("Attacher", "string", 0, "The attaching driver.", "name"),
                          ("PV", "string", 0, "The persistent volume."), ("Node", "string", 0, "The node."),
                          ("Attached", "boolean", 0, "Whether the volume is attached."), AGE],
                         _volume_attachment),
}


MESSAGES = """
storage.VolumeAttachment: 1 metadata! meta.ObjectMeta; 2 spec! storage.VolumeAttachmentSpec;
    3 status! storage.VolumeAttachmentStatus
storage.VolumeAttachmentList: 1 metadata! meta.ListMeta; 2 items* []storage.VolumeAttachment
storage.VolumeAttachmentSource: 1 persistentVolumeName string; 2 inlineVolumeSpec core.PersistentVolumeSpec
storage.VolumeAttachmentSpec: 1 attacher! string; 2 source! storage.VolumeAttachmentSource; 3 nodeName! string
storage.VolumeAttachmentStatus: 1 attached! bool; 2 attachmentMetadata? {}string; 3 attachError storage.VolumeError;
    4 detachError storage.VolumeError
storage.VolumeError: 1 time! meta.Time; 2 message? string
"""
