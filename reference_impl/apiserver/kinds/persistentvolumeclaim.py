"""The PersistentVolumeClaim kind (core/v1): its resource facts, defaults, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (CORE, META, conditions, list_kind, obj, quantity_map, ref,
                                                   string, strings, workload)
from reference_impl.apiserver.kinds._columns import (AGE, NAME, access_modes_cell, age_cell, name_cell, part,
                                                     storage_class_of)
from reference_impl.apiserver.kinds._defaulting import object_field, resource_lists
from reference_impl.machinery import quantity
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.apiserver.kinds.persistentvolume import (VOLUME_MODES, access_mode_problems,
                                                             basic_resource_problems, class_name_problems,
                                                             positive_quantity_problems)
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_PersistentVolumeClaim")
def persistent_volume_claim(obj: dict, spec: dict) -> None:
    spec.setdefault("volumeMode", "Filesystem")
    resource_lists(spec.get("resources"), "limits", "requests")
    status = object_field(obj, "status")
    if status is not None:
        status.setdefault("phase", "Pending")
        resource_lists(status, "capacity", "allocatedResources")


@mirrors("k8s.io/kubernetes/pkg/api/persistentvolumeclaim.DropDisabledFields")
@mirrors("(k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim.persistentvolumeclaimStatusStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/api/persistentvolumeclaim.DropDisabledFieldsFromStatus")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """persistentvolumeclaims/status writes the RecoverVolumeExpansionFailure fields, a gate off
    in 1.24, only for a claim that has them already."""
    old_status = old.get("status") or {}
    for name in ("allocatedResources", "resizeStatus"):
        if name not in old_status:
            new["status"].pop(name, None)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim.persistentvolumeclaimStrategy).PrepareForCreate")
def prepare_for_create(pvc: dict, user: object) -> None:
    drop_data_sources(pvc, None)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim.persistentvolumeclaimStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/api/persistentvolumeclaim.DropDisabledFields",
         "k8s.io/kubernetes/pkg/api/persistentvolumeclaim.EnforceDataSourceBackwardsCompatibility")
def drop_data_sources(new: dict, old: dict | None) -> None:
    """dataSourceRef goes unless the stored claim has it (AnyVolumeDataSource is alpha, off in
    1.24); a dataSource other than a claim or a volume snapshot is dropped too, unless the stored
    claim has a data source already or the request keeps a dataSourceRef."""
    spec, before = part(new, "spec"), part(old or {}, "spec")
    if before.get("dataSourceRef") is None:
        spec.pop("dataSourceRef", None)
    if any(x is not None for x in (before.get("dataSource"), before.get("dataSourceRef"),
                                   spec.get("dataSourceRef"))):
        return
    source = spec.get("dataSource")
    if source is not None and (v.as_object(source).get("kind"), v.as_object(source).get("apiGroup") or "") not in (
            ("PersistentVolumeClaim", ""), ("VolumeSnapshot", "snapshot.storage.k8s.io")):
        del spec["dataSource"]


def validate_persistent_volume_claim(pvc: dict) -> list[str]:
    return claim_spec_problems(part(pvc, "spec"), "spec")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeClaimSpec")
def claim_spec_problems(spec: dict, path: str) -> list[str]:
    """At least one supported access mode, a positive storage request, and a known volume mode and
    class name: a claim's spec, or an ephemeral volume's claim template's, at `path`."""
    problems = [] if v.as_list(spec.get("accessModes")) else [
        v.required(f"{path}.accessModes", "at least 1 access mode is required")]
    problems += v.label_selector_problems(spec.get("selector"), f"{path}.selector")
    problems += access_mode_problems(spec.get("accessModes"), f"{path}.accessModes")
    requests = v.as_object(part(spec, "resources").get("requests"))
    if "storage" not in requests:
        problems.append(v.required(f"{path}.resources[storage]"))
    else:
        problems += positive_quantity_problems(requests["storage"], f"{path}.resources[storage]") or \
            v.resource_quantity_problems("storage", requests["storage"] or "0", f"{path}.resources[storage]")
    problems += class_name_problems(spec.get("storageClassName"), f"{path}.storageClassName")
    mode = spec.get("volumeMode")
    if mode is not None and mode not in VOLUME_MODES:
        problems.append(v.unsupported(f"{path}.volumeMode", mode, VOLUME_MODES))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeClaimUpdate")
def validate_persistent_volume_claim_update(old: dict, new: dict) -> list[str]:
    """The spec does not change, but for a volumeName set once and, on a bound claim, a storage
    request that does not shrink; nor does volumeMode. Upstream appends a diff of the specs to the
    spec's message; the reference writes none."""
    before, after = deep_copy_json(part(old, "spec")), deep_copy_json(part(new, "spec"))
    if not before.get("volumeName"):
        before["volumeName"] = after.get("volumeName")
    old_size, new_size = (quantity.exact(part(part(spec, "resources"), "requests").get("storage") or "0")
                          for spec in (part(old, "spec"), part(new, "spec")))
    requests = part(after, "resources", "requests")
    if part(new, "status").get("phase") == "Bound" and requests:
        requests["storage"] = part(before, "resources", "requests").get("storage")
    problems = []
    if not v.semantically_equal(before, after):
        problems.append("spec: Forbidden: spec is immutable after creation except resources.requests for bound "
                        "claims")
    if old_size is not None and new_size is not None and new_size < old_size:
        problems.append("spec.resources.requests.storage: Forbidden: field can not be less than previous value")
    if part(old, "spec").get("volumeMode") != part(new, "spec").get("volumeMode"):
        problems.append(v.invalid("volumeMode", part(new, "spec").get("volumeMode") or "null", "field is immutable"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePersistentVolumeClaimStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """No negative status.capacity (the spec is the stored one, and the RecoverVolumeExpansionFailure
    fields this would check are dropped while that gate is off)."""
    return [problem for name, written in sorted(v.as_object(part(new, "status").get("capacity")).items())
            for problem in basic_resource_problems(written, f"status.capacity[{name}]")]


RESOURCES = (
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", True,
             ("pvc",), subresources=("status",), status_reset_on_update=True, return_deleted_object=True,
             prepare_for_status_update=prepare_for_status_update, validate_status_update=validate_status_update,
             prepare_for_create=prepare_for_create, prepare_for_update=drop_data_sources,
             validator=validate_persistent_volume_claim, update_validator=validate_persistent_volume_claim_update,
             zero_value={"spec": {"resources": {}}, "status": {}},
             update_metadata_checks=UpdateMetadataChecks(full=2, update=1)),
)


DEFAULTS = {"PersistentVolumeClaim": persistent_volume_claim}


DEFINITIONS = {
    **workload("", "v1", CORE, "PersistentVolumeClaim", "A request for storage by a user."),
    CORE + "PersistentVolumeClaimStatus": obj(
        "The observed state of a claim: its phase, capacity and conditions.",
        accessModes=strings("Access modes the bound volume has."),
        allocatedResources=quantity_map("Storage allocated to the claim, as resizing requested."),
        capacity=quantity_map("Resources of the bound volume."),
        conditions=conditions(CORE + "PersistentVolumeClaimCondition"),
        phase=string("The current phase."),
        resizeStatus=string("State of a resize in progress; empty when none.")),
    CORE + "PersistentVolumeClaimCondition": obj(
        "One condition of a claim, e.g. Resizing.", ("status", "type"),
        lastProbeTime=ref(META + "Time", "When the condition was last probed."),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("The condition type.")),
    CORE + "PersistentVolumeClaimSpec": obj(
        "The storage a claim asks for.",
        accessModes=strings("ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."),
        dataSource=ref(CORE + "TypedLocalObjectReference", "An object to populate the volume from."),
        dataSourceRef=ref(CORE + "TypedLocalObjectReference", "An object to populate the volume from, of any kind."),
        resources=ref(CORE + "ResourceRequirements", "The storage requested."),
        selector=ref(META + "LabelSelector", "Selects the volumes the claim may bind to."),
        storageClassName=string("The StorageClass the claim asks for."),
        volumeMode=string("Filesystem or Block; defaults to Filesystem."),
        volumeName=string("The volume the claim is bound to.")),
    CORE + "PersistentVolumeClaimList": list_kind("", "v1", CORE + "PersistentVolumeClaim"),
}


GO_TYPES = {
    CORE + "PersistentVolumeClaimSpec": {"accessModes": "[]v1.PersistentVolumeAccessMode",
                                         "dataSource": "*v1.TypedLocalObjectReference",
                                         "dataSourceRef": "*v1.TypedLocalObjectReference",
                                         "volumeMode": "v1.PersistentVolumeMode"},
    CORE + "PersistentVolumeClaimCondition": {"status": "v1.ConditionStatus",
                                              "type": "v1.PersistentVolumeClaimConditionType"},
    CORE + "PersistentVolumeClaimStatus": {"accessModes": "[]v1.PersistentVolumeAccessMode",
                                           "phase": "v1.PersistentVolumeClaimPhase",
                                           "resizeStatus": "*v1.PersistentVolumeClaimResizeStatus"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPersistentVolumeClaim")
def _persistent_volume_claim(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    phase = "Terminating" if part(obj, "metadata").get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes_cell(status.get("accessModes"))
        capacity = part(status, "capacity").get("storage", "0")
    return [name_cell(obj), phase, spec.get("volumeName", ""), capacity, modes,
            storage_class_of(obj, spec), age_cell(obj, now), spec.get("volumeMode") or "<unset>"]


PRINTERS = {
    "PersistentVolumeClaim": ([NAME, ("Status", "string", 0, "Phase of the claim."),
                               ("Volume", "string", 0, "The volume bound to it."),
                               ("Capacity", "string", 0, "Size of the bound volume."),
                               ("Access Modes", "string", 0, "How the bound volume can be mounted."),
                               ("StorageClass", "string", 0, "StorageClass of the pvc"), AGE,
                               ("VolumeMode", "string", 1, "Filesystem or Block.")], _persistent_volume_claim),
}


MESSAGES = """
core.PersistentVolumeClaim: 1 metadata! meta.ObjectMeta; 2 spec! core.PersistentVolumeClaimSpec;
    3 status! core.PersistentVolumeClaimStatus
core.PersistentVolumeClaimCondition: 1 type! string; 2 status! string; 3 lastProbeTime! meta.Time;
    4 lastTransitionTime! meta.Time; 5 reason? string; 6 message? string
core.PersistentVolumeClaimList: 1 metadata! meta.ListMeta; 2 items* []core.PersistentVolumeClaim
core.PersistentVolumeClaimStatus: 1 phase? string; 2 accessModes? []string; 3 capacity? {}resource.Quantity;
    4 conditions? []core.PersistentVolumeClaimCondition; 5 allocatedResources? {}resource.Quantity;
    6 resizeStatus string
"""
