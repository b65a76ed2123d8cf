"""`/openapi/v2`: the Swagger 2.0 document kubectl reads for client-side validation (`kubectl create`,
`apply`), for `kubectl explain`, and for the strategic-merge metadata `kubectl apply` computes its
patches with; and the same metadata for the server's own strategic merge (`OpenAPIPatchMeta`).

The definitions are our own, written by each kind module (`kinds`) with `schemas`' builders. The
document is served as JSON, or as gnostic protobuf (`openapi_proto`) when asked, which is what kubectl asks for. The served
custom resources add the definitions their CRDs publish (`crdopenapi`). `/openapi/v3` is not served
(404), as 1.24 serves it only behind the OpenAPIV3 feature gate (alpha, off): kubectl then falls
back to v2.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from reference_impl.apiserver.core.discovery import GIT_VERSION
from reference_impl.apiserver.core.openapi_proto import protobuf_document
from reference_impl.apiserver.core.patch import PatchError, PatchMeta
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core.schemas import REF_PREFIX
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors


@functools.cache
def definitions() -> dict[str, dict]:
    """The definitions of every kind module, sorted (callers must not mutate them)."""
    return dict(sorted(kinds.DEFINITIONS.items()))


def _paths(resources) -> dict[str, dict]:
    """One item path per served resource, with the operations kubectl looks for: its field
    validation check finds a resource's PATCH by `x-kubernetes-group-version-kind`, and with no
    `fieldValidation` parameter listed it validates on the client side against the definitions."""
    paths: dict[str, dict] = {}
    for resource in resources:
        root = f"/apis/{resource.group}/{resource.version}" if resource.group else f"/api/{resource.version}"
        scope = "/namespaces/{namespace}" if resource.namespaced else ""
        gvk = {"group": resource.group, "version": resource.version, "kind": resource.kind}
        operations = {}
        for verb, action in (("get", "get"), ("put", "put"), ("patch", "patch"), ("delete", "delete")):
            operations[verb] = {"operationId": f"{verb}{resource.kind}", "responses": {"200": {"description": "OK"}},
                                "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}
        paths[f"{root}{scope}/{resource.plural}/{{name}}"] = operations
    return paths


def _custom_key(custom_resources: tuple) -> str:
    """What the custom resources add to the document, as JSON: the key its encodings are cached by
    (a CRD's schema may change while its resource's names do not)."""
    definitions_ = {name: schema for r in custom_resources for name, schema in (r.openapi_definitions or {}).items()}
    return json.dumps({"definitions": definitions_, "paths": _paths(custom_resources)}, sort_keys=True)


@functools.lru_cache(maxsize=4)
def _swagger(custom_key: str) -> dict:
    """The Swagger 2.0 document: the kind modules' definitions and those the served custom
    resources publish (their CRDs' schemas), as the apiextensions openapi controller merges them in."""
    custom = json.loads(custom_key)
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": GIT_VERSION},
            "paths": {**_paths(kinds.RESOURCES), **custom["paths"]},
            "definitions": dict(sorted({**definitions(), **custom["definitions"]}.items())),
            "securityDefinitions": {"BearerToken": {"type": "apiKey", "name": "authorization", "in": "header"}},
            "security": [{"BearerToken": []}]}


def swagger_json(custom_resources: tuple = ()) -> bytes:
    """The `/openapi/v2` body as JSON."""
    return _swagger_json(_custom_key(custom_resources))


def swagger_protobuf(custom_resources: tuple = ()) -> bytes:
    """The `/openapi/v2` body as gnostic protobuf, what kubectl asks for."""
    return _swagger_protobuf(_custom_key(custom_resources))


@functools.lru_cache(maxsize=4)
def _swagger_json(custom_key: str) -> bytes:
    return json.dumps(_swagger(custom_key), separators=(",", ":")).encode()


@functools.lru_cache(maxsize=4)
def _swagger_protobuf(custom_key: str) -> bytes:
    return protobuf_document(_swagger(custom_key))


@functools.cache
def _definition_for_kind(api_version: str, kind: str) -> str | None:
    group, _, version = api_version.rpartition("/")
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            if (gvk["group"], gvk["version"], gvk["kind"]) == (group, version, kind):
                return name
    return None


@dataclass(frozen=True)
class OpenAPIPatchMeta:
    """Strategic-merge metadata read from the definitions, one schema node at a time. `go_type`
    names the Go struct a definition with properties stands for (the last part of its name, `Pod`,
    `ObjectMeta`); it is empty for maps, lists and inline schemas."""

    schema: dict
    go_type: str = ""

    @classmethod
    def for_kind(cls, api_version: str, kind: str) -> "OpenAPIPatchMeta":
        """The metadata of the kind's definition; every served kind, and Scale, has one."""
        name = _definition_for_kind(api_version, kind)
        if name is None:
            raise LookupError(f"no OpenAPI definition for {api_version} {kind}")
        return _node({"$ref": REF_PREFIX + name})

    @mirrors("(k8s.io/apimachinery/pkg/util/strategicpatch.PatchMetaFromOpenAPI).LookupPatchMetadataForStruct",
             "(k8s.io/apimachinery/pkg/util/strategicpatch.PatchMetaFromOpenAPI).LookupPatchMetadataForSlice")
    def field(self, name: str) -> tuple[PatchMeta, "OpenAPIPatchMeta"]:
        prop = _resolve(self.schema).get("properties", {}).get(name)
        if prop is None:
            additional = _resolve(self.schema).get("additionalProperties")
            return PatchMeta(), OpenAPIPatchMeta(additional if isinstance(additional, dict) else {})
        strategy = prop.get("x-kubernetes-patch-strategy", "")
        meta = PatchMeta(tuple(s for s in strategy.split(",") if s), prop.get("x-kubernetes-patch-merge-key"))
        if _resolve(prop).get("type") == "array":
            return meta, _node(_resolve(prop).get("items", {}))
        return meta, _node(prop)

    @mirrors("(k8s.io/apimachinery/pkg/util/strategicpatch.PatchMetaFromStruct).LookupPatchMetadataForSlice",
             "k8s.io/apimachinery/third_party/forked/golang/json.LookupPatchMetadataForStruct")
    def slice_field(self, name: str) -> tuple[PatchMeta, "OpenAPIPatchMeta"]:
        """`field(name)` for a `$setElementOrder/` list, the one lookup of a field the object may
        not have: a struct without that JSON field (encoding/json also takes one whose name
        differs only in case) is an error."""
        properties = _resolve(self.schema).get("properties", {})
        if not self.go_type or name in properties:
            return self.field(name)
        for known in properties:
            if known.casefold() == name.casefold():
                return self.field(known)
        raise PatchError(f"unable to find api field in struct {self.go_type} for the json field {quote(name)}",
                         malformed=True)


def _node(schema: dict) -> OpenAPIPatchMeta:
    """The lookup for a schema node, naming the Go struct of a definition it refers to."""
    resolved = _resolve(schema)
    ref = schema.get("$ref")
    struct = isinstance(ref, str) and "properties" in resolved
    return OpenAPIPatchMeta(resolved, ref.rsplit(".", 1)[-1] if struct else "")


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    return definitions().get(ref.removeprefix(REF_PREFIX), {}) if isinstance(ref, str) else schema
