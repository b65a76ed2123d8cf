"""The `/openapi/v2` definitions a CustomResourceDefinition publishes (apiextensions-apiserver's
openapi controller and builder): for each served version, `<reversed group>.<version>.<Kind>` and
its `<Kind>List`, marked with `x-kubernetes-group-version-kind`, so that `kubectl explain` finds
a custom kind as a built-in one, and kubectl's client-side validation checks its fields.

The schema is the version's openAPIV3Schema made fit for v2 (ToStructuralOpenAPIV2: no junctors,
no nullable, nothing below a field that keeps unknown fields), with the root's apiVersion, kind
and metadata set as for every Kubernetes object. A version without a schema, or one whose root
keeps unknown fields, publishes a bare object, which kubectl validates nothing of.
"""
from __future__ import annotations

import copy

from reference_impl.apiserver.core.schemas import REF_PREFIX
from reference_impl.mirrors import mirrors

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
CONVENTIONS = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
# TypeMeta's and the partial object metadata's descriptions, as the builder copies them.
API_VERSION = {"description": "APIVersion defines the versioned schema of this representation of an object. Servers "
                              "should convert recognized schemas to the latest internal value, and may reject "
                              f"unrecognized values. More info: {CONVENTIONS}#resources", "type": "string"}
KIND = {"description": "Kind is a string value representing the REST resource this object represents. Servers may "
                       "infer this from the endpoint the client submits requests to. Cannot be updated. In "
                       f"CamelCase. More info: {CONVENTIONS}#types-kinds", "type": "string"}
OBJECT_METADATA = {"description": f"Standard object's metadata. More info: {CONVENTIONS}#metadata",
                   "$ref": f"{REF_PREFIX}{META}ObjectMeta"}
LIST_METADATA = {"description": f"Standard list metadata. More info: {CONVENTIONS}#types-kinds",
                 "$ref": f"{REF_PREFIX}{META}ListMeta"}
EMBEDDED_API_VERSION = {**API_VERSION, "description": "apiVersion defines the versioned schema of this representation "
                        f"of an object. More info: {CONVENTIONS}#resources"}
EMBEDDED_KIND = {**KIND, "description": "kind is a string value representing the type of this object. In CamelCase. "
                 f"More info: {CONVENTIONS}#types-kinds"}
PRESERVE = "x-kubernetes-preserve-unknown-fields"
# Our mark on each node of an apply schema (apply_schema): a custom object is a map, not a Go
# struct, so no field of it is there before it is written (fieldmanager.typed's always_there).
UNSTRUCTURED = "x-unstructured"


@mirrors("k8s.io/kube-openapi/pkg/util.ToRESTFriendlyName")
def definition_name(group: str, version: str, kind: str) -> str:
    """`example.com/v1/Widget` as `com.example.v1.Widget`: the group's domain reversed."""
    return ".".join([*reversed(group.split(".")), version, kind])


def _children(schema: dict) -> list[dict]:
    children = list((schema.get("properties") or {}).values())
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            children.append(schema[key])
    return children


@mirrors("k8s.io/apiextensions-apiserver/pkg/controller/openapi/v2.ToStructuralOpenAPIV2")
def to_structural_openapi_v2(schema: dict) -> dict:
    """A copy of `schema` that kubectl's v2 reader copes with; each node is fixed before its
    children, so a parent still sees which of its properties were nullable."""
    out = copy.deepcopy(schema)
    _fit_for_v2(out)
    return out


def _fit_for_v2(node: dict) -> None:
    for junctor in ("allOf", "oneOf", "anyOf", "not"):
        node.pop(junctor, None)
    if node.pop("nullable", False):
        for key in ("type", "items", "properties"):
            node.pop(key, None)
    if node.get(PRESERVE):
        node.pop("items", None)
        node.pop("properties", None)
    if "items" not in node and node.get("type") == "array":
        node.pop("type")
    if node.get(PRESERVE) and node.get("type") == "object":
        node.pop("type")
    nullable = {name for name, prop in (node.get("properties") or {}).items() if prop.get("nullable")}
    if nullable and "required" in node:
        node["required"] = [name for name in node["required"] if name not in nullable] or None
    additional = node.get("additionalProperties")
    if isinstance(additional, dict) and additional.get("nullable"):
        node["required"] = None
    if node.get("required") is None:
        node.pop("required", None)
    for child in _children(node):
        _fit_for_v2(child)
    # The served document is decoded and encoded again on its way out, and kube-openapi's
    # SchemaOrBool decodes `{}` (shorter than 4 bytes) as false.
    if node.get("additionalProperties") == {}:
        node["additionalProperties"] = False


def _prune_defaults(node: dict) -> None:
    """The v2 handler serves no defaults (kube-openapi's PruneDefaults)."""
    node.pop("default", None)
    for child in _children(node):
        _prune_defaults(child)


@mirrors("k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder.addEmbeddedProperties")
def _add_embedded_properties(node: dict) -> None:
    """An `x-kubernetes-embedded-resource` object is a whole object: apiVersion, kind and metadata
    as the root's, the first two required (unless it keeps unknown fields)."""
    for child in _children(node):
        _add_embedded_properties(child)
    if node.get(PRESERVE) or not node.get("x-kubernetes-embedded-resource"):
        return
    node.setdefault("properties", {}).update(apiVersion=dict(EMBEDDED_API_VERSION), kind=dict(EMBEDDED_KIND),
                                             metadata=dict(OBJECT_METADATA))
    node["required"] = [*(node.get("required") or []),
                        *(name for name in ("kind", "apiVersion") if name not in (node.get("required") or []))]


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder.builder).buildKubeNative")
def kind_schema(schema: dict | None, preserve_unknown_fields: bool, gvk: dict) -> dict:
    if schema is None or schema.get(PRESERVE) or preserve_unknown_fields:
        built = {"type": "object"}
    else:
        built = to_structural_openapi_v2(schema)
        _prune_defaults(built)
        built.setdefault("properties", {}).update(metadata=dict(OBJECT_METADATA), apiVersion=dict(API_VERSION),
                                                  kind=dict(KIND))
        _add_embedded_properties(built)
    return {**built, "x-kubernetes-group-version-kind": [gvk]}


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver.buildOpenAPIModelsForApply",
         "(*k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder.builder).buildKubeNative")
def apply_schema(crd_spec: dict, version: dict) -> dict | None:
    """The definition server-side apply types one version's objects by: the version's schema as
    it is written (not made fit for v2, so a root that keeps unknown fields still declares its
    properties), with the root's apiVersion, kind and metadata and those of embedded resources.
    None where there is no schema (or the CRD keeps unknown fields): the objects are typed by their
    values, but for their metadata."""
    schema = (version.get("schema") or {}).get("openAPIV3Schema")
    if not isinstance(schema, dict) or crd_spec.get("preserveUnknownFields"):
        return None
    built = copy.deepcopy(schema)
    built.setdefault("properties", {}).update(metadata=dict(OBJECT_METADATA), apiVersion=dict(API_VERSION),
                                              kind=dict(KIND))
    _add_embedded_properties(built)
    _mark_unstructured(built)
    _pass_on_unknown_fields(built, False)
    return built


@mirrors("(*k8s.io/kube-openapi/pkg/schemaconv.convert).makeRef")
def _pass_on_unknown_fields(node: dict, kept: bool) -> None:
    """schemaconv passes a node's x-kubernetes-preserve-unknown-fields on to every node inlined
    below it (a CRD's are all inlined; metadata is a reference): an object declaring properties
    there takes undeclared members too."""
    kept = kept or node.get(PRESERVE) is True
    if kept and "properties" in node:
        node[PRESERVE] = True
    for child in _children(node):
        _pass_on_unknown_fields(child, kept)


def _mark_unstructured(node: dict) -> None:
    node[UNSTRUCTURED] = True
    for child in _children(node):
        _mark_unstructured(child)


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder.builder).buildListSchema")
def list_schema(kind_definition: str, names: dict, group: str, version: str) -> dict:
    return {"description": f"{names['listKind']} is a list of {names['kind']}", "required": ["items"],
            "properties": {"apiVersion": dict(API_VERSION),
                           "items": {"description": f"List of {names['plural']}. More info: {CONVENTIONS}",
                                     "type": "array", "items": {"$ref": REF_PREFIX + kind_definition}},
                           "kind": dict(KIND), "metadata": dict(LIST_METADATA)},
            "x-kubernetes-group-version-kind": [{"group": group, "kind": names["listKind"], "version": version}]}


@mirrors("k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder.BuildOpenAPIV2")
def definitions_for(crd_spec: dict, version: dict) -> dict[str, dict]:
    """The two definitions one served version of a CRD publishes."""
    group, names = crd_spec["group"], crd_spec["names"]
    names = {**names, "listKind": names.get("listKind") or names["kind"] + "List"}
    schema = (version.get("schema") or {}).get("openAPIV3Schema")
    name = definition_name(group, version["name"], names["kind"])
    gvk = {"group": group, "kind": names["kind"], "version": version["name"]}
    return {name: kind_schema(schema, bool(crd_spec.get("preserveUnknownFields")), gvk),
            definition_name(group, version["name"], names["listKind"]): list_schema(name, names, group,
                                                                                   version["name"])}
