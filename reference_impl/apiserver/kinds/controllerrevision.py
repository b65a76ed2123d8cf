"""The ControllerRevision kind (apps/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import APPS, integer, kind, list_kind, raw
from reference_impl.apiserver.core.validation import invalid, required, semantically_equal
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateControllerRevision")
def validate_controller_revision(obj: dict) -> list[str]:
    """Some data (JSON null is none) and a revision not below 0."""
    problems = [required("data", "data is mandatory")] if obj.get("data") is None else []
    revision = obj.get("revision", 0)
    if not isinstance(revision, int) or revision < 0:
        problems.append(invalid("revision", revision, "must be greater than or equal to 0"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateControllerRevisionUpdate")
def validate_controller_revision_update(old: dict, new: dict) -> list[str]:
    """The data may not change. Upstream shows the new data as the runtime.Unknown holding its
    bytes (here the compact JSON of the value), or "null" when there is none."""
    data = new.get("data")
    if semantically_equal(data, old.get("data")):
        return []
    if data is None:
        return [invalid("data", "null", "field is immutable")]
    raw = ", ".join(f"0x{byte:02x}" for byte in json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())
    return [f'data: Invalid value: runtime.Unknown{{TypeMeta:runtime.TypeMeta{{APIVersion:"", Kind:""}}, '
            f'Raw:[]uint8{{{raw}}}, ContentEncoding:"", ContentType:"application/json"}}: field is immutable']


RESOURCES = (
    Resource("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True,
             validator=validate_controller_revision, update_validator=validate_controller_revision_update,
             zero_value={"data": None, "revision": 0}),
)


DEFINITIONS = {
    APPS + "ControllerRevision": kind(
        "apps", "v1", "ControllerRevision", "An immutable snapshot of a controller's template.", ("revision",),
        data=raw("The snapshot."),
        revision=integer("The revision number.", "int64")),
    APPS + "ControllerRevisionList": list_kind("apps", "v1", APPS + "ControllerRevision"),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printControllerRevision")
def _controller_revision(obj: dict, now: float) -> list:
    owner = next((o for o in part(obj, "metadata").get("ownerReferences") or []
                  if isinstance(o, dict) and o.get("controller")), None)
    controller = "<none>"
    if owner:
        group = str(owner.get("apiVersion", "")).rpartition("/")[0]
        kind = str(owner.get("kind", "")).lower() + (f".{group}" if group else "")
        controller = f"{kind}/{owner.get('name', '')}"
    return [name_cell(obj), controller, obj.get("revision", 0), age_cell(obj, now)]


PRINTERS = {
    "ControllerRevision": ([NAME, ("Controller", "string", 0, "Controller of the object"),
                            ("Revision", "string", 0, "The revision number."), AGE], _controller_revision),
}


MESSAGES = """
apps.ControllerRevision: 1 metadata! meta.ObjectMeta; 2 data! runtime.RawExtension; 3 revision! int64
apps.ControllerRevisionList: 1 metadata! meta.ListMeta; 2 items* []apps.ControllerRevision
"""
