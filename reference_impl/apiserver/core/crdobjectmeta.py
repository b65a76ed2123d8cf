"""The resources a custom object embeds (schema nodes with x-kubernetes-embedded-resource): what the
decoder makes of their type meta and metadata (`coerce`), and what validation asks of them
(`problems`).

Decoding holds each embedded object's apiVersion and kind to be strings and decodes its metadata
into an ObjectMeta, writing back only what that keeps (unknown fields and empty values go); either
failing is a decode error, a 400. Validation wants apiVersion and kind present and well formed and
the metadata valid ObjectMeta with path-segment names (a missing name is fine).
"""
from __future__ import annotations

import json

from reference_impl.apiserver.core.validation import (DNS1035, DNS1035_MSG, LABEL, LABEL_MSG, invalid,
                                                        metadata_problems, quote, required)
from reference_impl.machinery import gojson
from reference_impl.machinery.gofmt import format_sharp_v
from reference_impl.mirrors import mirrors

EMBEDDED = "x-kubernetes-embedded-resource"

_STRING = gojson.GoType("string", "string")
_INT64 = gojson.GoType("int64", "int64")
_TIME = gojson.GoType("v1.Time", "time")
_STRING_MAP = gojson.GoType("map[string]string", "map", element=_STRING)
_OWNER_REFERENCE = gojson.GoType("v1.OwnerReference", "struct", (
    ("apiVersion", _STRING), ("kind", _STRING), ("name", _STRING), ("uid", gojson.GoType("types.UID", "string")),
    ("controller", gojson.GoType("bool", "bool")), ("blockOwnerDeletion", gojson.GoType("bool", "bool"))))
_MANAGED_FIELDS_ENTRY = gojson.GoType("v1.ManagedFieldsEntry", "struct", (
    ("manager", _STRING), ("operation", gojson.GoType("v1.ManagedFieldsOperationType", "string")),
    ("apiVersion", _STRING), ("time", _TIME), ("fieldsType", _STRING),
    ("fieldsV1", gojson.GoType("v1.FieldsV1", "any")), ("subresource", _STRING)))
OBJECT_META = gojson.GoType("v1.ObjectMeta", "struct", (
    ("name", _STRING), ("generateName", _STRING), ("namespace", _STRING), ("selfLink", _STRING),
    ("uid", gojson.GoType("types.UID", "string")), ("resourceVersion", _STRING), ("generation", _INT64),
    ("creationTimestamp", _TIME), ("deletionTimestamp", _TIME), ("deletionGracePeriodSeconds", _INT64),
    ("labels", _STRING_MAP), ("annotations", _STRING_MAP),
    ("ownerReferences", gojson.GoType("[]v1.OwnerReference", "slice", element=_OWNER_REFERENCE)),
    ("finalizers", gojson.GoType("[]string", "slice", element=_STRING)), ("clusterName", _STRING),
    ("managedFields", gojson.GoType("[]v1.ManagedFieldsEntry", "slice", element=_MANAGED_FIELDS_ENTRY))))
# The fields of an owner reference written even when empty (no omitempty).
_OWNER_REFERENCE_ALWAYS = ("apiVersion", "kind", "name", "uid")


class CoerceError(ValueError):
    """A field error the decoder returns for an embedded resource it cannot take."""


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(value: object) -> str:
    """field.Error's value: a string quoted, null as null, anything else as %v or %#v prints it."""
    if isinstance(value, str):
        return quote(value)
    return "null" if value is None else format_sharp_v(value)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.GetObjectMeta")
def object_meta(metadata: object) -> dict:
    """`metadata` decoded as encoding/json decodes it into an ObjectMeta (ValueError: its error)."""
    return gojson.unmarshal(json.dumps(metadata), OBJECT_META)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.GetObjectMeta")
def object_meta_dropping_malformed(metadata: object) -> dict | None:
    """`object_meta`, or else the ObjectMeta of those of its fields that decode one by one (how
    objects stored before metadata was validated are read); None when it is no object."""
    try:
        return object_meta(metadata)
    except ValueError:
        if not isinstance(metadata, dict):
            return None
    good = {}
    for key, value in metadata.items():
        try:
            object_meta({key: value})
        except ValueError:
            continue
        good[key] = value
    try:
        return object_meta(good)
    except ValueError:
        return None


def as_written(meta: dict) -> dict:
    """An ObjectMeta as SetObjectMeta writes it back into an object."""
    return _as_written(meta)



def _as_written(meta: dict) -> dict:
    """An ObjectMeta as the unstructured converter writes it: zero values left out (a zero
    creationTimestamp removed as well; a pointer's 0, deletionGracePeriodSeconds', kept), map
    entries kept as they are."""
    written = {}
    for key, value in meta.items():
        if key == "ownerReferences":
            value = [{k: v for k, v in ref.items() if k in _OWNER_REFERENCE_ALWAYS or v not in ("", None, False)}
                     | {k: ref.get(k, "") for k in _OWNER_REFERENCE_ALWAYS} for ref in value]
        elif key == "managedFields":
            value = [{k: v for k, v in entry.items() if v not in ("", None)} for entry in value]
        if value in ("", 0, None, [], {}) and not isinstance(value, bool) \
                and not (key == "deletionGracePeriodSeconds" and value is not None):  # a *int64: 0 is a value
            continue
        written[key] = value
    return written


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.Coerce")
def coerce(schema: dict | None, value: object, path: str = "", drop_invalid: bool = False) -> None:
    """In place, each embedded resource in `value`: its apiVersion and kind must be strings and
    its metadata an ObjectMeta, which replaces it. The first that is not raises CoerceError; with
    `drop_invalid` (reading storage) such an apiVersion or kind is removed, malformed metadata
    fields are dropped and metadata that is no object is left as it is."""
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        embedded = bool(schema.get(EMBEDDED))
        properties, extra = schema.get("properties") or {}, schema.get("additionalProperties")
        for key in list(value):
            member = value[key]
            if embedded and key in ("apiVersion", "kind") and not isinstance(member, str):
                if drop_invalid:
                    del value[key]
                    continue
                raise CoerceError(f"{_child(path, key)}: Invalid value: {_shown(member)}: must be a string")
            if embedded and key == "metadata" and member is not None:
                if drop_invalid:
                    meta = object_meta_dropping_malformed(member)
                else:
                    try:
                        meta = object_meta(member)
                    except ValueError as err:
                        raise CoerceError(f"{_child(path, key)}: Invalid value: {_shown(member)}: {err}") from None
                if meta is not None:
                    value[key] = _as_written(meta)
                    member = value[key]
            if isinstance(properties.get(key), dict):
                coerce(properties[key], member, _child(path, key), drop_invalid)
            elif isinstance(extra, dict):
                coerce(extra, member, f"{path}[{key}]", drop_invalid)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            coerce(schema.get("items"), item, f"{path}[{i}]", drop_invalid)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.Validate")
def problems(schema: dict | None, value: object, path: str = "") -> list[str]:
    """Each x-kubernetes-embedded-resource object found in `value` names its apiVersion and kind
    and has valid metadata (or none); the root is not one of them."""
    if not isinstance(schema, dict):
        return []
    found = []
    if isinstance(value, dict):
        if schema.get(EMBEDDED):
            found += type_meta_problems(value, path)
        properties, extra = schema.get("properties") or {}, schema.get("additionalProperties")
        for key, member in value.items():
            if isinstance(properties.get(key), dict):
                found += problems(properties[key], member, _child(path, key))
            elif isinstance(extra, dict):
                found += problems(extra, member, f"{path}[{key}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += problems(schema.get("items"), item, f"{path}[{i}]")
    return found


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.validateEmbeddedResource")
def type_meta_problems(value: dict, path: str, with_metadata: bool = True) -> list[str]:
    found = [required(f"{path}.{field}", "must not be empty") for field in ("apiVersion", "kind") if field not in value]
    for key, member in value.items():
        if key == "apiVersion":
            found += _api_version_problems(member, f"{path}.apiVersion")
        elif key == "kind":
            found += _kind_problems(member, f"{path}.kind")
        elif key == "metadata" and with_metadata:
            found += _metadata_problems(member, f"{path}.metadata")
    return found


def _api_version_problems(api_version: object, path: str) -> list[str]:
    if not isinstance(api_version, str):
        return [invalid(path, api_version, "must be a string")]
    if not api_version:
        return [invalid(path, api_version, "must not be empty")]
    if api_version.count("/") > 1:
        return [invalid(path, api_version, f"unexpected GroupVersion string: {api_version}")]
    return []


def _kind_problems(kind: object, path: str) -> list[str]:
    if not isinstance(kind, str):
        return [invalid(path, kind, "must be a string")]
    if not kind:
        return [invalid(path, kind, "must not be empty")]
    label = kind.lower()
    messages = (["must be no more than 63 characters"] if len(label) > 63 else []) + \
        ([DNS1035_MSG] if not DNS1035.match(label) else [])
    return [invalid(path, kind, "may have mixed case, but should otherwise match: " + ",".join(messages))] \
        if messages else []


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateObjectMeta")
def _metadata_problems(metadata: object, path: str) -> list[str]:
    """ValidateObjectMeta with path-segment names, a name made up when there is none, and a
    namespace required to be a label when there is one."""
    try:
        meta = object_meta(metadata)
    except ValueError as err:
        return [f"{path}: Invalid value: {_shown(metadata)}: {err}"]
    meta = {**meta, "name": meta.get("name") or "fakename"}
    found = metadata_problems({"metadata": meta}, "path")
    namespace = meta.get("namespace") or ""
    if namespace:
        at = next((i for i, problem in enumerate(found) if problem.startswith("metadata.generation")
                   or problem.startswith("metadata.labels") or problem.startswith("metadata.annotations")
                   or problem.startswith("metadata.ownerReferences") or problem.startswith("metadata.finalizers")),
                  len(found))
        namespace_problems = ([invalid("metadata.namespace", namespace, "must be no more than 63 characters")]
                              if len(namespace) > 63 else []) + \
            ([invalid("metadata.namespace", namespace, LABEL_MSG)] if not LABEL.match(namespace) else [])
        found[at:at] = namespace_problems
    return [path + problem[len("metadata"):] if problem.startswith("metadata") else problem for problem in found]
