"""The builders of our own OpenAPI v2 definitions, which the kind modules (`kinds`) write with.

Property names, types, formats, required fields and the strategic-merge metadata
(`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`) are facts of the Kubernetes API;
the descriptions are our own one-line summaries. kubectl reads these definitions for client-side
validation (an unknown field in a described object is an error), for `kubectl explain`, and for the
merge keys of the patches `kubectl apply` computes; the server reads the same merge keys.

A type we do not describe field by field is `opaque`: no `type` and no `properties`, which kubectl
parses as an arbitrary value and accepts whatever it holds (it does not act on
`x-kubernetes-preserve-unknown-fields` in v2 documents; the marker is there for other readers).
"""
from __future__ import annotations

from typing import Any

CORE = "io.k8s.api.core.v1."
APPS = "io.k8s.api.apps.v1."
COORDINATION = "io.k8s.api.coordination.v1."
RBAC = "io.k8s.api.rbac.v1."
AUTOSCALING = "io.k8s.api.autoscaling.v1."
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
REF_PREFIX = "#/definitions/"
BATCH = "io.k8s.api.batch.v1."
POLICY = "io.k8s.api.policy.v1."
DISCOVERY = "io.k8s.api.discovery.v1."
NODE = "io.k8s.api.node.v1."
SCHEDULING = "io.k8s.api.scheduling.v1."
NETWORKING = "io.k8s.api.networking.v1."
AUTOSCALING_V2 = "io.k8s.api.autoscaling.v2."
CERTIFICATES = "io.k8s.api.certificates.v1."
EVENTS = "io.k8s.api.events.v1."
STORAGE = "io.k8s.api.storage.v1."
STORAGE_BETA = "io.k8s.api.storage.v1beta1."
AUTHORIZATION = "io.k8s.api.authorization.v1."
AUTHENTICATION = "io.k8s.api.authentication.v1."

# --- builders ----------------------------------------------------------------------------------


def _described(schema: dict, description: str) -> dict:
    return {**schema, "description": description} if description else schema


def string(description: str, format: str = "") -> dict:
    return _described({"type": "string", **({"format": format} if format else {})}, description)


def integer(description: str, format: str = "int32") -> dict:
    return _described({"type": "integer", "format": format}, description)


def boolean(description: str) -> dict:
    return _described({"type": "boolean"}, description)


def ref(name: str, description: str = "") -> dict:
    return _described({"$ref": REF_PREFIX + name}, description)


def strings(description: str) -> dict:
    return arr(string(""), description)


def string_map(description: str, format: str = "") -> dict:
    return _described({"type": "object", "additionalProperties": string("", format)}, description)


def quantity_map(description: str) -> dict:
    return _described({"type": "object", "additionalProperties": ref(QUANTITY)}, description)


def arr(item: dict, description: str, merge_key: str = "", strategy: str = "", map_keys: tuple[str, ...] = (),
        list_type: str = "") -> dict:
    """An array; with a merge key (or a strategy), a strategic merge merges it instead of replacing it.
    `map_keys` are the keys server-side apply merges it on, when they are more than the merge key;
    `list_type` (`atomic`, `set`) is the list's `+listType` when it is no map."""
    schema = _described({"type": "array", "items": item}, description)
    if merge_key or strategy:
        schema["x-kubernetes-patch-strategy"] = strategy or "merge"
    if merge_key:
        schema["x-kubernetes-patch-merge-key"] = merge_key
    if map_keys:
        schema["x-kubernetes-list-map-keys"] = list(map_keys)
        schema["x-kubernetes-list-type"] = "map"
    elif list_type:
        schema["x-kubernetes-list-type"] = list_type
    return schema


def obj(description: str, required: tuple[str, ...] = (), /, **properties: dict) -> dict:
    schema: dict[str, Any] = {"type": "object", "description": description, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def atomic(schema: dict) -> dict:
    """A struct server-side apply owns as a whole (`+structType=atomic`): one field, replaced whole."""
    return {**schema, "x-kubernetes-map-type": "atomic"}


def opaque(description: str) -> dict:
    """An object we do not describe field by field: any content is accepted, but it must be an
    object, as the Go struct behind it must."""
    return {"type": "object", "description": description, "x-kubernetes-preserve-unknown-fields": True}


def raw(description: str) -> dict:
    """A runtime.RawExtension: any JSON value at all."""
    return {"description": description, "x-kubernetes-preserve-unknown-fields": True}


def _gvk(group: str, version: str, kind: str) -> dict:
    return {"x-kubernetes-group-version-kind": [{"group": group, "kind": kind, "version": version}]}


def kind(group: str, version: str, name: str, description: str, required: tuple[str, ...] = (), /,
         **properties: dict) -> dict:
    """A top-level kind: apiVersion, kind and metadata, then its own properties (positional-only
    parameters leave every name free for a property, `description` included)."""
    schema = obj(description, required,
                 apiVersion=string("The versioned schema of this object, e.g. `v1` or `apps/v1`."),
                 kind=string("The kind of this object, in CamelCase."),
                 metadata=ref(META + "ObjectMeta", "Standard object metadata."), **properties)
    return {**schema, **_gvk(group, version, name)}


def list_kind(group: str, version: str, definition: str, map_keys: tuple[str, ...] = ()) -> dict:
    """The `<Kind>List` of a kind: apiVersion, kind, list metadata and its items (a `+listType=map`
    on `map_keys` where the Go type says so)."""
    name = definition.rsplit(".", 1)[1]
    schema = obj(f"A list of {name} objects.", ("items",),
                 apiVersion=string("The versioned schema of this list."),
                 items=arr(ref(definition), f"The {name} objects.", map_keys=map_keys),
                 kind=string("The kind of this list."),
                 metadata=ref(META + "ListMeta", "Standard list metadata."))
    return {**schema, **_gvk(group, version, name + "List")}


def references(schema: Any) -> set[str]:
    """The definition names a schema node refers to, at any depth."""
    if isinstance(schema, dict):
        found = {schema["$ref"].removeprefix(REF_PREFIX)} if isinstance(schema.get("$ref"), str) else set()
        return found.union(*(references(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(references(item) for item in schema))
    return set()


def conditions(name: str, map_keys: tuple[str, ...] = (), list_type: str = "") -> dict:
    return arr(ref(name), "Observations of the object's current state, one per condition type.", merge_key="type",
               map_keys=map_keys, list_type=list_type)


def workload(group: str, version: str, prefix: str, name: str, description: str) -> dict:
    """A kind with a spec and a status, as `<prefix><name>Spec` and `<prefix><name>Status`, which the
    kind's module defines."""
    return {prefix + name: kind(group, version, name, description,
                                spec=ref(prefix + name + "Spec", f"The desired state of the {name}."),
                                status=ref(prefix + name + "Status", f"The observed state of the {name}."))}
