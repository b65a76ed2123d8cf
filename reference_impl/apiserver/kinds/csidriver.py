"""The CSIDriver kind (storage.k8s.io/v1): its resource facts, defaults, validation, OpenAPI schema,
printer columns and protobuf layout."""
from __future__ import annotations

import json

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (STORAGE, arr, boolean, integer, kind, list_kind, obj, ref, string,
                                                   strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/storage/v1.SetDefaults_CSIDriver")
def csi_driver(obj: dict, spec: dict) -> None:
    for field, value in (("attachRequired", True), ("podInfoOnMount", False), ("storageCapacity", False),
                         ("fsGroupPolicy", "ReadWriteOnceWithFSType"), ("requiresRepublish", False),
                         ("volumeLifecycleModes", ["Persistent"])):
        spec.setdefault(field, value)


FS_GROUP_POLICIES = ("File", "None", "ReadWriteOnceWithFSType")  # sets.String's List(): sorted
LIFECYCLE_MODES = ("Persistent", "Ephemeral")  # listed as written, not sorted
# ValidateCSIDriverUpdate's immutable fields and paths: upstream spells attachRequired's path wrong.
IMMUTABLE = (("attachRequired", "spec.attachedRequired"), ("fsGroupPolicy", "spec.fsGroupPolicy"),
             ("podInfoOnMount", "spec.podInfoOnMount"), ("volumeLifecycleModes", "spec.volumeLifecycleModes"))


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.validateCSIDriverSpec")
def validate_csi_driver(obj: dict) -> list[str]:
    """A known fsGroupPolicy, token requests with distinct audiences and lifetimes between ten
    minutes and 2^32 seconds, and known volume lifecycle modes (defaulting fills the rest)."""
    spec = part(obj, "spec")
    policy = spec.get("fsGroupPolicy")
    problems = [] if policy in FS_GROUP_POLICIES else [v.unsupported("spec.fsGroupPolicy", policy, FS_GROUP_POLICIES)]
    problems += token_request_problems(spec.get("tokenRequests"))
    return problems + [v.unsupported("spec.volumeLifecycleModes", mode, LIFECYCLE_MODES)
                       for mode in spec.get("volumeLifecycleModes") or () if mode not in LIFECYCLE_MODES]


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.validateTokenRequests")
def token_request_problems(requests: object) -> list[str]:
    problems, audiences = [], set()
    for i, request in enumerate(requests or ()):
        at, audience = f"spec.tokenRequests[{i}]", request.get("audience", "")
        if audience in audiences:
            problems.append(v.duplicate(f"{at}.audience", audience))
            continue
        audiences.add(audience)
        seconds = request.get("expirationSeconds")
        if seconds is not None and seconds < 600:
            problems.append(v.invalid(f"{at}.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"))
        if seconds is not None and seconds > 1 << 32:
            problems.append(v.invalid(f"{at}.expirationSeconds", seconds,
                                      "may not specify a duration larger than 2^32 seconds"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateCSIDriverUpdate")
def validate_csi_driver_update(old: dict, new: dict) -> list[str]:
    """The spec's fields but storageCapacity, tokenRequests and requiresRepublish are immutable;
    then the token requests are validated a second time (after the spec's own pass), as upstream
    does."""
    old_spec, new_spec = part(old, "spec"), part(new, "spec")
    problems = []
    for field, path in IMMUTABLE:
        value = new_spec.get(field)
        if value == old_spec.get(field):
            continue
        if isinstance(value, list):
            shown = f"[]storage.VolumeLifecycleMode{{{', '.join(quote(mode) for mode in value)}}}"
        else:  # a pointer: its string quoted, its bool as Go prints one, nil as null
            shown = quote(value) if isinstance(value, str) else json.dumps(value)
        problems.append(f"{path}: Invalid value: {shown}: field is immutable")
    return problems + token_request_problems(new_spec.get("tokenRequests"))


RESOURCES = (
    Resource("storage.k8s.io", "v1", "CSIDriver", "csidrivers", "csidriver", False,
             return_deleted_object=True,
             allow_unconditional_update=False, validator=validate_csi_driver,
             update_validator=validate_csi_driver_update,
             zero_value={"spec": {}}),
)


DEFAULTS = {"CSIDriver": csi_driver}


DEFINITIONS = {
    STORAGE + "CSIDriver": kind(
        "storage.k8s.io", "v1", "CSIDriver", "A CSI volume driver installed in the cluster.", ("spec",),
        spec=ref(STORAGE + "CSIDriverSpec", "How Kubernetes interacts with the driver.")),
    STORAGE + "CSIDriverSpec": obj(
        "How Kubernetes interacts with a CSI driver.",
        attachRequired=boolean("Whether volumes are attached (ControllerPublishVolume); defaults to true."),
        fsGroupPolicy=string("None, File or ReadWriteOnceWithFSType: whether fsGroup ownership applies to volumes."),
        podInfoOnMount=boolean("Whether NodePublishVolume gets the pod's name, namespace, UID and service account."),
        requiresRepublish=boolean("Whether NodePublishVolume is called again periodically."),
        storageCapacity=boolean("Whether the scheduler considers the driver's CSIStorageCapacity objects."),
        tokenRequests={**arr(ref(STORAGE + "TokenRequest"), "Service account tokens passed to NodePublishVolume."),
                       "x-kubernetes-list-type": "atomic"},
        volumeLifecycleModes={**strings("Persistent and/or Ephemeral: the volume kinds the driver supports."),
                              "x-kubernetes-list-type": "set"}),
    STORAGE + "TokenRequest": obj(
        "A service account token a CSI driver asks for.", ("audience",),
        audience=string("Intended audience of the token; defaults to the apiserver's."),
        expirationSeconds=integer("The validity asked for.", "int64")),
    STORAGE + "CSIDriverList": list_kind("storage.k8s.io", "v1", STORAGE + "CSIDriver"),
}


GO_TYPES = {
    STORAGE + "CSIDriverSpec": {"fsGroupPolicy": "*v1.FSGroupPolicy",
                                "volumeLifecycleModes": "[]v1.VolumeLifecycleMode"},
}


def _csi_driver(obj: dict, now: float) -> list:
    spec = part(obj, "spec")
    tokens = spec.get("tokenRequests")
    return [name_cell(obj), spec.get("attachRequired", True), spec.get("podInfoOnMount", False),
            spec.get("storageCapacity", False),
            "<unset>" if tokens is None else ",".join(t.get("audience", "") for t in tokens if isinstance(t, dict)),
            spec.get("requiresRepublish", False), ",".join(spec.get("volumeLifecycleModes") or []) or "<none>",
            age_cell(obj, now)]


PRINTERS = {
    "CSIDriver": ([NAME, ("AttachRequired", "boolean", 0, "Whether volumes need attaching."),
                   ("PodInfoOnMount", "boolean", 0, "Whether mounts get pod information."),
                   ("StorageCapacity", "boolean", 0, "Whether capacity is reported."),
                   ("TokenRequests", "string", 0, "Audiences of requested tokens."),
                   ("RequiresRepublish", "boolean", 0, "Whether volumes are mounted again periodically."),
                   ("Modes", "string", 0, "Volume lifecycle modes."), AGE], _csi_driver),
}


MESSAGES = """
storage.CSIDriver: 1 metadata! meta.ObjectMeta; 2 spec! storage.CSIDriverSpec
storage.CSIDriverList: 1 metadata! meta.ListMeta; 2 items* []storage.CSIDriver
storage.CSIDriverSpec: 1 attachRequired bool; 2 podInfoOnMount bool; 3 volumeLifecycleModes? []string;
    4 storageCapacity bool; 5 fsGroupPolicy string; 6 tokenRequests? []storage.TokenRequest; 7 requiresRepublish bool
storage.TokenRequest: 1 audience! string; 2 expirationSeconds int64
"""
