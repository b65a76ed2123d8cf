"""Server-side printing: an object or a list as a `meta.k8s.io/v1` Table, the format `kubectl get` asks
for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) and prints as columns.

Like upstream's TableConvertor the server always fills every column; columns with priority 1 are
the extra ones kubectl shows only with `-o wide`. The columns and cells follow Kubernetes 1.24's
`pkg/printers/internalversion/printers.go`; kinds without a printer there (roles, cluster roles)
get the default table, Name and Created At. Ages are relative to the `now` passed in (epoch seconds).
Each kind's columns and row function are its module's `PRINTERS` (`kinds`).
"""
from __future__ import annotations

import json
from typing import Any, Callable

from reference_impl.apiserver.core import gostruct
from reference_impl.apiserver.kinds import LIST_ORDERS, PRINTERS
from reference_impl.apiserver.kinds._columns import NAME, name_cell, part
from reference_impl.mirrors import mirrors

Column = tuple  # name, type, priority, description, and optionally the format (else "name" for Name)
Printer = Callable[[dict, float], list]

DEFAULT_PRINTER: tuple[list[Column], Printer] = (
    [NAME, ("Created At", "date", 0, "When the object was created.")],
    lambda o, now: [name_cell(o), part(o, "metadata").get("creationTimestamp", "")])


def partial_metadata(obj: dict, version: str = "v1", custom: bool = False) -> dict:
    """What a row carries by default (includeObject=Metadata): a PartialObjectMetadata. A custom
    object's metadata, a map written with its keys sorted, becomes the ObjectMeta struct, written
    in its fields' order (name first, managedFields last)."""
    partial = {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}", "metadata": obj.get("metadata", {})}
    return gostruct.as_encoded(partial) if custom else partial


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1beta1/validation.ValidateTableOptions")
def include_object_problem(include_object: str) -> str | None:
    """Why `include_object` is no TableOptions.IncludeObject, in field.Invalid's words; None when it is one."""
    if include_object in ("Metadata", "None", "Object", ""):
        return None
    return f"includeObject: Invalid value: {json.dumps(include_object)}: must be 'Metadata', 'Object', 'None', or empty"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.asTable")
def as_table(resource, objects: list[dict], now: float, include_object: str = "Metadata",
             list_metadata: dict | None = None, no_headers: bool = False, version: str = "v1") -> dict:
    """The Table for `objects` (all of `resource`) in meta.k8s.io `version`; `include_object` is
    None, Metadata or Object. A custom resource brings its own printer (its CRD's columns). With
    `no_headers` the column definitions are null, as Go leaves the slice nil."""
    columns, printer = resource.printer or PRINTERS.get(resource.kind, DEFAULT_PRINTER)
    if resource.printer is None and resource.kind in LIST_ORDERS:
        objects = sorted(objects, key=LIST_ORDERS[resource.kind])
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": printer(obj, now)}
        if include_object == "Object":
            # Converted to the resource's version: a list's items gain their kind and apiVersion.
            row["object"] = {"kind": resource.kind, "apiVersion": resource.api_version, **obj}
        elif include_object != "None":
            row["object"] = partial_metadata(obj, version, resource.custom)
        else:
            row["object"] = None  # a RawExtension, which omitempty leaves in as null
        rows.append(row)
    definitions = None if no_headers else [_definition(*column) for column in columns]
    # The Table's ListMeta omits what is empty (a list's own metadata keeps `continue: ""`).
    metadata = {key: value for key, value in (list_metadata or {}).items() if value not in ("", None)}
    return {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}", "metadata": metadata,
            "columnDefinitions": definitions, "rows": rows}


def _definition(name: str, type_: str, priority: int, description: str, format_: str | None = None) -> dict:
    return {"name": name, "type": type_, "format": ("name" if name == "Name" else "") if format_ is None else format_,
            "description": description, "priority": priority}
