"""Custom resources: the `Resource`s an established CustomResourceDefinition serves, one per served
version, so that they go through the same handlers, registry and watch cache as the built-in kinds.

`resources_for(crd)` builds them: stored under /registry/<group>/<plural>/ in the storage version
(the other versions convert by their apiVersion alone with conversion strategy None, through the
CRD's webhook with Webhook: `customconversion`), decoded with
the version's schema (unknown fields pruned, defaults filled), validated against it, with the
status subresource's strategy when the version declares one, its scale subresource's paths
(`customscale`) checked on every write, and printed with its additionalPrinterColumns (Age when
it has none).

Reads from storage are defaulted again (a default added later shows). Left out: JSONPath beyond
fields, indexes and [?(@.field=="value")] filters.
"""
from __future__ import annotations

import decimal
import json
import re
from typing import Callable

from reference_impl.apiserver.core import crdobjectmeta, crdopenapi, crdschema, customconversion, customscale, errors
from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.crdtermination import terminating
from reference_impl.apiserver.core.customscale import ScalePaths
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource
from reference_impl.apiserver.core.validation import as_list, as_object, invalid
from reference_impl.apiserver.kinds import customresourcedefinition as crds
from reference_impl.apiserver.kinds._columns import name_cell, since
from reference_impl.machinery.jsonbytes import GoFloat
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.machinery.kubeversion import kube_aware_order
from reference_impl.mirrors import mirrors

MIN_INT64, MAX_INT64 = -2**63, 2**63 - 1
GO_FLOAT_EXPONENT_FROM = 1e21  # encoding/json writes a float64 this large as 1e+21, not in digits
# orjson writes a float below this as 1.5e-6 where encoding/json writes 0.0000015 (from 1e-6),
# and both write 1e-7 below that; such floats and those past 1e21 are written as GoFloats.
ORJSON_DIGITS_FROM = 1e-5

# What discovery lists for a custom resource, in the order the discovery controller writes them.
VERBS = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")
TERMINATING_VERBS = ("delete", "deletecollection", "get", "list", "watch")  # what discovery lists then
AGE = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
       "description": "CreationTimestamp is a timestamp representing the server time when this object was "
                      "created. It is not guaranteed to be set in happens-before order across separate "
                      "operations. Clients may not set this value. It is represented in RFC3339 form and "
                      "is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
                      "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}


def _schema(version: dict) -> dict:
    return as_object(as_object(version.get("schema")).get("openAPIV3Schema"))


def _status_enabled(version: dict) -> bool:
    return "status" in as_object(version.get("subresources"))


def _scale_paths(version: dict) -> ScalePaths | None:
    scale = as_object(version.get("subresources")).get("scale")
    return ScalePaths.of(scale) if isinstance(scale, dict) else None


Converter = Callable[[dict, str], dict]  # (object, apiVersion) -> the object in that apiVersion


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.nopConverter).Convert")
def _set_api_version(obj: dict, api_version: str) -> dict:
    """Strategy None: a version's object is another's with its apiVersion changed."""
    return obj if obj.get("apiVersion") == api_version else {**obj, "apiVersion": api_version}


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.CRConverterFactory).NewConverter")
def converter(crd: dict, webhook_call: customconversion.Call) -> Converter:
    """The CRD's converter: its webhook's, whose failures are plain (500) errors, or None's; either
    only from one of the CRD's own versions."""
    conversion = crd["spec"].get("conversion") or {}
    convert = _set_api_version if conversion.get("strategy") != "Webhook" else \
        _webhook_converter(customconversion.WebhookConverter(conversion, webhook_call))
    valid_versions = {f"{crd['spec']['group']}/{version['name']}" for version in crd["spec"]["versions"]}

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.crConverter).ConvertToVersion")
    def convert_from_valid_version(obj: dict, api_version: str) -> dict:
        # An object of the group in a version its CRD lacks (another CRD's, read through a list in
        # namespace `..`): upstream's 500, a 400 here as a client's request is what reached it.
        if obj.get("apiVersion") not in valid_versions:
            raise errors.bad_request(f"request to convert CR from an invalid group/version: {obj.get('apiVersion')}")
        return convert(obj, api_version)
    return convert_from_valid_version


def _webhook_converter(webhook: customconversion.WebhookConverter) -> Converter:
    def convert(obj: dict, api_version: str) -> dict:
        try:
            return webhook.convert(obj, api_version)
        except customconversion.ConversionError as err:
            raise StatusError(500, "", str(err)) from None
    return convert


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).getOrCreateServingInfoFor")
def resources_for(crd: dict,
                  webhook_call: customconversion.Call = customconversion.no_webhook_client) -> tuple[Resource, ...]:
    """The resources `crd` serves: none until it is established, else one per served version in
    version priority order, while it is being deleted too (its objects are read, updated and
    deleted until they are gone). `webhook_call` asks a conversion webhook."""
    if not crds.established(crd):
        return ()
    spec = crd["spec"]
    names, group, storage = spec["names"], spec["group"], crds.storage_version(crd)
    served = sorted((v for v in spec["versions"] if v.get("served")), key=lambda v: kube_aware_order(v["name"]))
    convert = converter(crd, webhook_call)
    # Every version's schema, by apiVersion: what is read from storage in one of them is pruned,
    # coerced and defaulted again by that version's schema, as the storage decoder does.
    on_read = _StorageSchemas({f"{group}/{v['name']}": _schema(v) for v in spec["versions"]}, names["kind"],
                              bool(spec.get("preserveUnknownFields")))
    discovery_verbs = TERMINATING_VERBS if terminating(crd) else None
    return tuple(_resource(group, names, spec["scope"] == "Namespaced", version, storage, convert,
                           crdopenapi.definitions_for(spec, version), on_read, discovery_verbs,
                           crdopenapi.apply_schema(spec, version))
                 for version in served)


class _StorageSchemas:
    """The schemas a stored custom resource is read with, by apiVersion, and the CRD's settings."""

    def __init__(self, schemas: dict[str, dict], kind: str, preserve_unknown_fields: bool) -> None:
        self.schemas, self.kind, self.preserve_unknown_fields = schemas, kind, preserve_unknown_fields


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.unstructuredSchemaCoercer).apply",
         "k8s.io/apiextensions-apiserver/pkg/apiserver.unstructuredDefaulter.Default")
def _coerced_on_read(obj: dict, storage: _StorageSchemas) -> dict:
    """An object read from storage as the schemaCoercingDecoder and the defaulter leave it, by the
    schema of the version it was stored in: pruned (unless the CRD preserves unknown fields), its
    nulls dropped where pruning drops them, its metadata and embedded resources coerced (dropping
    what is malformed), a missing generation 1, and defaults filled in, so a default or a pruned
    field added to the CRD after the object was written shows on every read; then as encoding/json
    writes the map (`as_unstructured`)."""
    schema = storage.schemas.get(obj.get("apiVersion", ""))
    if schema is None or obj.get("kind") != storage.kind:
        return obj
    obj = deep_copy_json(obj)
    meta = crdobjectmeta.object_meta_dropping_malformed(obj["metadata"]) if "metadata" in obj else None
    if not storage.preserve_unknown_fields:
        crdschema.prune(schema, obj)
        crdschema.prune_nulls(schema, obj)
    crdobjectmeta.coerce(schema, obj, drop_invalid=True)
    if meta is not None:
        meta["generation"] = meta.get("generation") or 1
        obj["metadata"] = crdobjectmeta.as_written(meta)
    crdschema.apply_defaults(schema, obj)
    as_unstructured(obj)  # the map is written again: its keys sorted, its floats in Go's text
    return obj


def _resource(group: str, names: dict, namespaced: bool, version: dict, storage: str,
              convert: Converter, openapi_definitions: dict, on_read: _StorageSchemas,
              discovery_verbs: tuple[str, ...] | None = None, apply_schema: dict | None = None) -> Resource:
    schema, status, scale = _schema(version), _status_enabled(version), _scale_paths(version)
    served_as = f"{group}/{version['name']}"

    def decode(obj: dict) -> None:
        """The decoder's pruning and coercion (an embedded resource it cannot take is a 400), then
        the defaulter's defaults."""
        crdschema.prune(schema, obj)
        crdschema.prune_nulls(schema, obj)
        try:
            crdobjectmeta.coerce(schema, obj)
        except crdobjectmeta.CoerceError as err:
            raise errors.bad_request(f'{names["kind"]} in version "{version["name"]}" cannot be handled as a '
                                     f'{names["kind"]}: {err}') from None
        crdschema.apply_defaults(schema, obj)

    def validate_content(obj: dict) -> list[str]:
        return crdschema.validate(schema, {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")})

    def validate(obj: dict, old: dict | None = None) -> list[str]:
        """The schema, the scale paths' values, embedded resources' type meta and the list sets' and
        maps' unique items; an object stored with repeated ones may keep them on update (ratcheting)."""
        scale_problems = customscale.spec_problems(obj, scale) + customscale.status_problems(obj, scale) \
            if scale else []
        list_problems = [] if old and crdschema.list_set_and_map_problems(schema, old) else \
            crdschema.list_set_and_map_problems(schema, obj)
        return type_meta_problems(obj, names["kind"], served_as) or validate_content(obj) + scale_problems \
            + crdschema.embedded_resource_problems(schema, obj) + list_problems

    def validate_status(old: dict, new: dict) -> list[str]:
        return type_meta_problems(new, names["kind"], served_as) or \
            validate_content(new) + (customscale.status_problems(new, scale) if scale else [])

    return Resource(group, version["name"], names["kind"], names["plural"], names.get("singular", ""), namespaced,
                    tuple(names.get("shortNames") or ()), VERBS,
                    (("status",) if status else ()) + (("scale",) if scale else ()),
                    tuple(names.get("categories") or ()), storage_prefix=f"{group}/{names['plural']}",
                    tracks_generation=True, custom=True, allow_unconditional_update=False, kube_finalizers=False,
                    discovery_verbs=discovery_verbs,
                    # crConverter.ConvertFieldLabel: the metadata fields only, a namespace where there is one.
                    field_label_conversion=FieldLabelConversion(COMMON_FIELDS if namespaced else ("metadata.name",)),
                    # Every read converts: objects written before the storage version changed
                    # stay in the version they were written in.
                    storage_codec=Codec(lambda obj: convert(obj, f"{group}/{storage}"),
                                        lambda obj: convert(_coerced_on_read(obj, on_read), served_as)),
                    stored_as=f"{group}/{storage}",
                    validator=validate, validator_on_update=lambda old, new: validate(new, old), defaulter=decode,
                    prepare_for_create=_drop_status if status else None,
                    prepare_for_update=_keep_status_and_count_generation if status else _count_generation,
                    prepare_for_status_update=_only_status if status else None,
                    validate_status_update=validate_status if status else None, scale_paths=scale,
                    printer=printer(as_list(version.get("additionalPrinterColumns")) or [AGE]),
                    openapi_definitions=openapi_definitions, apply_schema=apply_schema)


@mirrors("(k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.unstructuredJSONScheme).doEncode")
def as_unstructured(obj: dict) -> None:
    """`obj` as encoding/json writes the map an Unstructured holds, in place: every map's keys
    sorted, at every depth (apiVersion before kind, metadata's creationTimestamp first), and each
    number as the int64, else float64, it was decoded into (1e3 is 1000, an integer too large
    for an int64 a float64's shortest digits)."""
    for key, value in sorted(obj.items()):
        del obj[key]
        obj[key] = _unstructured_value(value)


def _unstructured_value(value: object) -> object:
    if isinstance(value, dict):
        as_unstructured(value)
    elif isinstance(value, list):
        value[:] = [_unstructured_value(item) for item in value]
    elif isinstance(value, float):
        if value.is_integer() and abs(value) < GO_FLOAT_EXPONENT_FROM:
            return int(value)
        if abs(value) >= GO_FLOAT_EXPONENT_FROM or abs(value) < ORJSON_DIGITS_FROM:
            return GoFloat(value)
        return float(value)  # the float64 alone, not the text it was decoded from
    elif type(value) is int and not MIN_INT64 <= value <= MAX_INT64:
        return _as_float64(value)
    return value


def _as_float64(value: int) -> int | float:
    """An integer too large for an int64 as Go writes the float64 it becomes: its shortest
    digits, then zeros, below 1e21; in exponent form (`1e+21`) from there."""
    as_float = float(value)
    return int(decimal.Decimal(repr(as_float))) if abs(as_float) < GO_FLOAT_EXPONENT_FROM else GoFloat(as_float)


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.customResourceValidator).ValidateTypeMeta")
def type_meta_problems(obj: dict, kind: str, api_version: str) -> list[str]:
    """A custom object's kind and apiVersion must be its resource's; when they are not, that is all
    validation says of it (the decoder took any kind)."""
    problems = []
    if obj.get("kind") != kind:
        problems.append(invalid("kind", obj.get("kind"), f"must be {kind}"))
    if obj.get("apiVersion") != api_version:
        problems.append(invalid("apiVersion", obj.get("apiVersion"), f"must be {api_version}"))
    return problems


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.customResourceStrategy).PrepareForCreate")
def _drop_status(obj: dict, user: object = None) -> None:
    """With a status subresource, a create sets no status."""
    obj.pop("status", None)


def _count_generation(new: dict, old: dict, ignored: tuple[str, ...] = ("metadata",)) -> None:
    """The generation goes up when anything but the `ignored` parts changes."""
    def content(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if k not in ignored}
    generation = old["metadata"].get("generation", 1)
    new["metadata"]["generation"] = generation + 1 if content(new) != content(old) else generation


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.customResourceStrategy).PrepareForUpdate")
def _keep_status_and_count_generation(new: dict, old: dict) -> None:
    """With a status subresource, an update of the main resource keeps the stored status, and
    only a change outside metadata and status counts."""
    new.pop("status", None)
    if "status" in old:
        new["status"] = old["status"]
    _count_generation(new, old, ("metadata", "status"))


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresource.statusStrategy).PrepareForUpdate")
def _only_status(new: dict, old: dict) -> None:
    """A status update changes the status alone (and the managedFields tracking it)."""
    status, managed = new.get("status"), new["metadata"].get("managedFields")
    new.clear()
    new.update(deep_copy_json(old))
    new.pop("status", None)
    if status is not None:
        new["status"] = status
    if managed is not None:
        new["metadata"]["managedFields"] = managed


# --- printing -------------------------------------------------------------------------------

_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\?\(@\.([^=]+)==[\"']([^\"']*)[\"']\)\]")


def find_results(json_path: str, obj: object) -> list:
    """The values a simple JSONPath (`.a.b`, `.a[0]`, `.a[?(@.type=="Ready")].status`) finds."""
    values, position = [obj], 0
    while position < len(json_path):
        step = _STEP.match(json_path, position)
        if step is None:
            return []
        position = step.end()
        field, index, key, wanted = step.groups()
        found = []
        for value in values:
            if field is not None and isinstance(value, dict) and field in value:
                found.append(value[field])
            elif index is not None and isinstance(value, list) and int(index) < len(value):
                found.append(value[int(index)])
            elif key is not None and isinstance(value, list):
                found += [item for item in value if isinstance(item, dict) and str(item.get(key)) == wanted]
        values = found
    return values


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor.cellForJSONValue")
def cell(column_type: str, value: object, now: float) -> object:
    """A found value as the column's type shows it; None (an empty cell) when it is not one."""
    if column_type == "string":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return value if column_type == "boolean" else None
    if column_type == "integer" and isinstance(value, (int, float)):
        return int(value)
    if column_type == "number" and isinstance(value, (int, float)):
        # A float64, which encoding/json writes without a fraction when it has none.
        return _unstructured_value(float(value))
    if column_type == "date" and isinstance(value, str):
        return since(value, now) if re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", value) else "<invalid>"
    return None


# The Name column of a custom resource's Table, described as ObjectMeta's swagger doc describes name.
CUSTOM_NAME = ("Name", "string", 0, "Name must be unique within a namespace. Is required when creating resources, "
               "although some resources may allow a client to request the generation of an appropriate name "
               "automatically. Name is primarily intended for creation idempotence and configuration definition. "
               "Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names", "name")


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor.New")
def printer(columns: list[dict]) -> tuple[list, object]:
    """The Table columns (Name, then the CRD's, each with its format) and the row function of one
    version."""
    definitions = [CUSTOM_NAME] + [(c["name"], c["type"], c.get("priority", 0),
                                    c.get("description") or f"Custom resource definition column (in JSONPath "
                                                            f"format): {c['jsonPath']}", c.get("format") or "")
                                   for c in columns]

    def row(obj: dict, now: float) -> list:
        cells: list = [name_cell(obj)]
        for column in columns:
            found = find_results(column["jsonPath"], obj)
            cells.append(cell(column["type"], found[0], now) if found else None)
        return cells
    return definitions, row
