"""metadata.managedFields on the wire: ManagedFieldsEntry lists decoded into the managers' field sets
and encoded back, as k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal does.

A manager is identified by the JSON of its entry without fields and time (and, for an applier,
without apiVersion): entries with the same manager, operation, apiVersion and subresource are one.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from reference_impl.apiserver.fieldmanager.fieldpath import FieldPathError, Set, decode_fields_v1, encode_fields_v1
from reference_impl.apiserver.fieldmanager.updater import ManagedFields, VersionedSet
from reference_impl.machinery import jsonbytes
from reference_impl.mirrors import mirrors

APPLY, UPDATE = "Apply", "Update"
FIELDS_V1 = "FieldsV1"


class ManagedFieldsError(ValueError):
    """managedFields that do not decode; the message is upstream's."""


@dataclass
class Managed:
    """internal.managedStruct: the field sets by manager identifier, and when each last changed."""

    fields: ManagedFields = field(default_factory=dict)
    times: dict[str, str | None] = field(default_factory=dict)


@functools.lru_cache(maxsize=1024)  # a few managers write most: each write asks for its own identifier
@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.BuildManagerIdentifier")
def build_manager_identifier(manager: str, operation: str, api_version: str, subresource: str = "") -> str:
    entry = {"manager": manager, "operation": operation,
             "apiVersion": "" if operation == APPLY else api_version, "subresource": subresource}
    return json.dumps({key: value for key, value in entry.items() if value}, separators=(",", ":"))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.DecodeManagedFields")
def decode_managed_fields(entries: Any) -> Managed:
    managed = Managed()
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise ManagedFieldsError("managedFields must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ManagedFieldsError(f"managed fields entry {index} must be an object")
        if entry.get("operation") not in (APPLY, UPDATE):
            raise ManagedFieldsError("operation must be `Apply` or `Update`")
        if not entry.get("apiVersion"):
            raise ManagedFieldsError("apiVersion must not be empty")
        if not entry.get("fieldsType"):
            raise ManagedFieldsError(f"missing fieldsType in managed fields entry {index}")
        if entry["fieldsType"] != FIELDS_V1:
            raise ManagedFieldsError(f'invalid fieldsType "{entry["fieldsType"]}" in managed fields entry {index}')
        identifier = build_manager_identifier(entry.get("manager") or "", entry["operation"], entry["apiVersion"],
                                              entry.get("subresource") or "")
        try:
            paths = _paths_of(jsonbytes.dumps(entry.get("fieldsV1") or {}))
        except FieldPathError as err:
            raise ManagedFieldsError(f"error decoding versioned set from managed fields entry {index}: {err}") from None
        managed.fields[identifier] = VersionedSet(paths, entry["apiVersion"], entry["operation"] == APPLY)
        managed.times[identifier] = entry.get("time")
    return managed


# An object's entries are decoded and encoded again at every write, and most of them are what the
# last write left (the other managers', and this one's when it changed no field it owns): each
# fieldsV1 tree is turned into its set once, and each set into its tree once, by their JSON.
@functools.lru_cache(maxsize=1024)
def _paths_of(fields_v1: bytes) -> Set:
    return decode_fields_v1(jsonbytes.loads(fields_v1))


@functools.lru_cache(maxsize=1024)
def _fields_v1_of(paths: Set) -> bytes:
    return jsonbytes.dumps(encode_fields_v1(paths))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.encodeManagedFields",
         "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.sortEncodedManagedFields")
def encode_managed_fields(managed: Managed) -> list[dict]:
    """The entries in upstream's order: Apply before Update, then oldest first, then by manager,
    apiVersion and subresource."""
    entries = []
    for identifier, versioned in managed.fields.items():
        manager = json.loads(identifier)
        entry = {"manager": manager.get("manager", ""), "operation": manager["operation"],
                 "apiVersion": versioned.api_version}
        if managed.times.get(identifier):
            entry["time"] = managed.times[identifier]
        entry["fieldsType"] = FIELDS_V1
        entry["fieldsV1"] = jsonbytes.loads(_fields_v1_of(frozenset(versioned.paths)))
        if manager.get("subresource"):
            entry["subresource"] = manager["subresource"]
        entries.append(entry)
    return sorted(entries, key=lambda e: (e["operation"], e.get("time") or "", e["manager"], e["apiVersion"],
                                          e.get("subresource", "")))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.isResetManagedFields")
def is_reset(entries: Any) -> bool:
    """An empty list, or one empty entry, asks to drop every entry."""
    return entries == [] or entries == [{}]
