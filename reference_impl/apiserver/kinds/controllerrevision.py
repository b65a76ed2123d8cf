"""The ControllerRevision kind (apps/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import APPS, integer, kind, list_kind, raw
from reference_impl.apiserver.core.validation import invalid, required
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


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateControllerRevisionUpdate",
         "k8s.io/apimachinery/pkg/api/validation.ValidateImmutableField")
def validate_controller_revision_update(old: dict, new: dict) -> list[str]:
    """The data may not change: upstream compares the runtime.Unknown's Raw bytes, so a member
    added or dropped (even a null or a 0), keys in another order or a number written as another
    type are changes. It shows the new data as that runtime.Unknown, or "null" when there is none.
    The bytes here are the decoded JSON written compactly, numbers as the request wrote them:
    the whitespace a request put between them is not kept."""
    data = new.get("data")
    if _raw_shape(data) == _raw_shape(old.get("data")):
        return []
    if data is None:
        return [invalid("data", "null", "field is immutable")]
    raw = ", ".join(f"0x{byte:02x}" for byte in _raw_text(data).encode("utf-8", "surrogatepass"))
    return [f'data: Invalid value: runtime.Unknown{{TypeMeta:runtime.TypeMeta{{APIVersion:"", Kind:""}}, '
            f'Raw:[]uint8{{{raw}}}, ContentEncoding:"", ContentType:"application/json"}}: field is immutable']


def _raw_shape(value: object) -> object:
    """What of decoded JSON its bytes tell apart: members in order, and each number's type with its
    value (1 and 1.0 are different bytes; 1e3 and 1000.0, read back from storage, one float)."""
    if isinstance(value, dict):
        return ("object", tuple((key, _raw_shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", tuple(_raw_shape(item) for item in value))
    return (type(value).__name__ if not isinstance(value, float) else "float", value)


def _raw_text(value: object) -> str:
    """Compact JSON with each number as the request wrote it (a NumberLiteral keeps `1e3`, `1.50`)
    and text as UTF-8, as the Raw bytes of a runtime.Unknown hold it."""
    return "".join(json.encoder._make_iterencode(  # type: ignore[attr-defined]
        {}, None, json.encoder.encode_basestring, None,  # type: ignore[attr-defined]
        lambda number: getattr(number, "text", "") or float.__repr__(number), ":", ",", False, False, True)(value, 0))


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
