"""The ControllerRevision kind (apps/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import APPS, integer, kind, list_kind, raw
from reference_impl.apiserver.core.validation import invalid
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors


def validate_controller_revision(obj: dict) -> list[str]:
    revision = obj.get("revision", 0)
    if not isinstance(revision, int) or revision < 0:
        return [invalid("revision", revision, "must be greater than or equal to 0")]
    return []


RESOURCES = (
    Resource("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True,
             validator=validate_controller_revision,
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
