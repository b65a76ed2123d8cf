"""The scale subresource of a custom resource: an autoscaling/v1 Scale read from, and written
into, the fields a CRD version's `subresources.scale` names (specReplicasPath, statusReplicasPath,
labelSelectorPath), as apiextensions-apiserver's ScaleREST does; and the checks its strategy makes
of those fields on every write.

The paths are dotted field names (`.spec.replicas`), walked as unstructured's Nested* helpers walk
them; a value of the wrong type is an `AccessorError` in their words, which the registry answers
as a plain (500) error, as upstream's handler does with an error that is no API status.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.apiserver.core.validation import invalid
from reference_impl.machinery.gofmt import format_v, type_of
from reference_impl.mirrors import mirrors

MAX_INT32 = 2**31 - 1
# What UpdatedObject gives a Scale patch for an object without spec replicas, to tell afterwards
# whether the patch set them.
INVALID_SPEC_REPLICAS = -2**31


class AccessorError(ValueError):
    """A value on a scale path is not of the type the Scale needs."""


@dataclass(frozen=True)
class ScalePaths:
    """A version's subresources.scale."""

    spec_replicas: str
    status_replicas: str
    label_selector: str = ""

    @classmethod
    def of(cls, scale: dict) -> "ScalePaths":
        return cls(scale.get("specReplicasPath", ""), scale.get("statusReplicasPath", ""),
                   scale.get("labelSelectorPath") or "")


def _fields(path: str) -> list[str]:
    """splitReplicasPath: the field names of a path, its leading period ignored."""
    return path.removeprefix(".").split(".")


def _go_type(value: object) -> str:
    return "<nil>" if value is None else type_of(value)


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.NestedFieldNoCopy",
         "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.NestedInt64",
         "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.NestedString")
def nested(obj: dict, path: str, expected: type) -> tuple[object, bool]:
    """The value at `path` and whether it is there (not when a step on the way is null); an
    AccessorError when a step is no object or the value is not an `expected` (int: Go's int64,
    str: string)."""
    fields, value = _fields(path), obj
    for i, name in enumerate(fields):
        if value is None:
            return None, False
        if not isinstance(value, dict):
            raise AccessorError(f".{'.'.join(fields[:i + 1])} accessor error: {format_v(value)} is of the type "
                                f"{_go_type(value)}, expected map[string]interface{{}}")
        if name not in value:
            return None, False
        value = value[name]
    if not isinstance(value, expected) or isinstance(value, bool):
        go_name = "int64" if expected is int else "string"
        raise AccessorError(f".{'.'.join(fields)} accessor error: {format_v(value)} is of the type "
                            f"{_go_type(value)}, expected {go_name}")
    return value, True


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresource.scaleFromCustomResource")
def scale_of(obj: dict, paths: ScalePaths) -> tuple[dict, bool]:
    """The Scale of a custom object and whether its spec replicas are set (absent ones read 0)."""
    spec_replicas, found = nested(obj, paths.spec_replicas, int)
    status_replicas, _ = nested(obj, paths.status_replicas, int)
    selector = nested(obj, paths.label_selector, str)[0] if paths.label_selector else ""
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": _int32(spec_replicas or 0)},
            "status": {"replicas": _int32(status_replicas or 0), **({"selector": selector} if selector else {})}}, found


def _int32(value: int) -> int:
    """int32(v) of an int64: the low 32 bits, signed."""
    return (value + 2**31) % 2**32 - 2**31


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/registry/customresource.scaleUpdatedObjectInfo).UpdatedObject")
def set_spec_replicas(obj: dict, paths: ScalePaths, replicas: int) -> None:
    """SetNestedField: the replicas written at their path, the objects on the way made where
    there are none; a step that is no object (a null: reading took it for absent) an AccessorError."""
    *parents, last = fields = _fields(paths.spec_replicas)
    target = obj
    for i, name in enumerate(parents):
        target = target.setdefault(name, {})
        if not isinstance(target, dict):
            raise AccessorError(f"value cannot be set because .{'.'.join(fields[:i + 1])} is not a "
                                "map[string]interface{}")
    target[last] = replicas


def _replicas_problems(obj: dict, path: str) -> list[str]:
    try:
        replicas, _ = nested(obj, path, int)
    except AccessorError as err:
        return [invalid(path, 0, str(err))]
    if replicas is None:
        return []
    if replicas < 0:
        return [invalid(path, replicas, "should be a non-negative integer")]
    if replicas > MAX_INT32:
        return [invalid(path, replicas, f"should be less than or equal to {MAX_INT32}")]
    return []


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.customResourceValidator).ValidateScaleSpec")
def spec_problems(obj: dict, paths: ScalePaths) -> list[str]:
    return _replicas_problems(obj, paths.spec_replicas)


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.customResourceValidator).ValidateScaleStatus")
def status_problems(obj: dict, paths: ScalePaths) -> list[str]:
    """The status replicas as the spec's; and the selector, if there is a path for it, a string."""
    problems = _replicas_problems(obj, paths.status_replicas)
    if paths.label_selector:
        try:
            nested(obj, paths.label_selector, str)
        except AccessorError as err:
            problems.append(invalid(paths.label_selector, "", str(err)))
    return problems
