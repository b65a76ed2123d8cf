"""A CustomResourceDefinition version's openAPIV3Schema at work: whether the schema is structural
(`structural_problems`, what ValidateStructural requires of it), and what it does to a custom object:
`prune` drops the fields it does not specify (an embedded resource keeps its apiVersion, kind and
metadata), `apply_defaults` fills its `default`s, `validate` checks the value rules with the texts
kube-openapi's validator writes and the apiextensions apiserver turns into field errors
(`crdvalidate`); embedded resources are `crdobjectmeta`'s.

The schema is the JSON the CRD holds; a value is the decoded JSON of the object. Left out: CEL
rules.
"""
from __future__ import annotations

import json

from reference_impl.apiserver.core import crdobjectmeta, crdvalidate
from reference_impl.apiserver.core.goregexp import GoRegexpError, compile_go
from reference_impl.apiserver.core.validation import forbidden, invalid, quote, required, unsupported
from reference_impl.machinery.gofmt import format_sharp_v
from reference_impl.mirrors import mirrors

OPENAPI_V3_TYPES = ("array", "boolean", "integer", "number", "object", "string")
PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"
EMBEDDED = "x-kubernetes-embedded-resource"


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.ValidateStructural",
         "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceDefinitionOpenAPISchema")
def structural_problems(schema: dict, path: str) -> list[str]:
    """What keeps `schema` (a version's openAPIV3Schema, at `path`) from being a valid structural
    schema: first the OpenAPI schema rules, node by node as they are walked (no uniqueItems, not
    both properties and additionalProperties other than `true`, no preserve-unknown-fields false,
    known map and list types, a map list with keys and object items); then, sorted as
    ValidateStructural sorts them, the structural rules: each node has a type (an int-or-string or
    preserve-unknown-fields node may leave it out), one of the OpenAPI v3 types, the root an
    object not nullable, an array its items. A schema NewStructural cannot convert (a keyword it
    does not support anywhere) has only the first, which name that keyword."""
    openapi = _openapi_problems(schema, path, is_root=True)
    if not _converts_to_structural(schema):
        return openapi
    structural = _node_problems(schema, path, "root")
    if schema.get("nullable"):
        structural.append(f"{path}.nullable: Forbidden: nullable cannot be true at the root")
    return openapi + (sorted(structural) or _default_problems(schema, path, "root"))


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateUnsupportedFields")
def _converts_to_structural(schema: object) -> bool:
    if not isinstance(schema, dict):
        return True
    if any(schema.get(keyword) not in (None, "", {}) for keyword, _ in _UNSUPPORTED_KEYWORDS):
        return False
    if isinstance(schema.get("items"), list) and schema["items"]:
        return False
    return all(_converts_to_structural(child) for child, _ in _subschemas_walked(schema, ""))


# specStandardValidatorV3's refusals of JSON-schema keywords a CRD may not use.
_UNSUPPORTED_KEYWORDS = (("id", "id is not supported"), ("additionalItems", "additionalItems is not supported"),
                         ("patternProperties", "patternProperties is not supported"),
                         ("definitions", "definitions is not supported"),
                         ("dependencies", "dependencies is not supported"), ("$ref", "$ref is not supported"))
_JUNCTORS = ("not", "allOf", "oneOf", "anyOf")


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.specStandardValidatorV3).validate")
def _keyword_problems(schema: dict, path: str, defaults_forbidden: str) -> list[str]:
    kind = schema.get("type", "")
    problems = [unsupported(f"{path}.type", kind, OPENAPI_V3_TYPES)] if kind and kind not in OPENAPI_V3_TYPES else []
    if "default" in schema and defaults_forbidden:
        problems.append(forbidden(f"{path}.default", f"must not be set {defaults_forbidden}"))
    problems += [forbidden(f"{path}.{keyword}", detail) for keyword, detail in _UNSUPPORTED_KEYWORDS
                 if schema.get(keyword) not in (None, "", {})]
    if kind == "null":
        problems.append(forbidden(f"{path}.type", "type cannot be set to null, use nullable as an alternative"))
    if isinstance(schema.get("items"), list) and schema["items"]:
        problems.append(forbidden(f"{path}.items", "items must be a schema object and not an array"))
    return problems


def _subschemas_walked(schema: dict, path: str) -> list[tuple[object, str]]:
    """The schemas under `schema` in the order ValidateCustomResourceDefinitionOpenAPISchema recurses."""
    walked = [(schema.get("additionalProperties"), f"{path}.additionalProperties")]
    walked += [(child, f"{path}.properties[{name}]") for name, child in (schema.get("properties") or {}).items()]
    for junctor in _JUNCTORS:
        branches = schema.get(junctor)
        if isinstance(branches, list):
            walked += [(branch, f"{path}.{junctor}[{i}]") for i, branch in enumerate(branches)]
        else:
            walked.append((branches, f"{path}.{junctor}"))
    items = schema.get("items")
    walked += [(item, f"{path}.items[{i}]") for i, item in enumerate(items)] if isinstance(items, list) \
        else [(items, f"{path}.items")]
    return walked


# The root's fields the server owns: a default in them or anywhere under them is refused.
_META_FIELDS = ("metadata", "kind", "apiVersion")


def _openapi_problems(schema: object, path: str, is_root: bool = False, defaults_forbidden: str = "") -> list[str]:
    if not isinstance(schema, dict):
        return []
    problems = _keyword_problems(schema, path, defaults_forbidden)
    if schema.get("uniqueItems") is True:
        problems.append(f"{path}.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime "
                        "complexity becomes quadratic")
    if schema.get("properties") and schema.get("additionalProperties", True) is not True:
        problems.append(f"{path}.additionalProperties: Forbidden: additionalProperties and properties are mutual "
                        "exclusive")
    for child, child_path in _subschemas_walked(schema, path):
        top_level = next((f"in top-level {name}" for name in _META_FIELDS
                          if is_root and child_path == f"{path}.properties[{name}]"), "")
        problems += _openapi_problems(child, child_path, defaults_forbidden=defaults_forbidden or top_level)
    if schema.get(PRESERVE) is False:
        problems.append(invalid(f"{path}.{PRESERVE}", False, "must be true or undefined"))
    return problems + _list_and_map_type_problems(schema, path) + _list_map_key_problems(schema, path)


def _type_required(schema: dict, path: str, detail: str, wanted: str) -> list[str]:
    kind = schema.get("type", "")
    if kind == wanted:
        return []
    return [invalid(f"{path}.type", kind, detail) if kind else required(f"{path}.type", detail)]


def _list_and_map_type_problems(schema: dict, path: str) -> list[str]:
    """x-kubernetes-map-type atomic or granular on an object, x-kubernetes-list-type atomic, set or
    map on an array, a set's object items atomic; list map keys only on a map list, which names
    them and has object items whose key properties are scalars."""
    problems = []
    map_type, list_type = schema.get("x-kubernetes-map-type"), schema.get("x-kubernetes-list-type")
    keys = schema.get("x-kubernetes-list-map-keys") or []
    items = schema.get("items")
    if map_type is not None:
        problems += _type_required(schema, path, "must be object if x-kubernetes-map-type is specified", "object")
    if map_type is not None and map_type not in ("atomic", "granular"):
        problems.append(unsupported(f"{path}.x-kubernetes-map-type", map_type, ("atomic", "granular")))
    if list_type is not None and schema.get("type", "") != "array":
        problems += _type_required(schema, path, "must be array if x-kubernetes-list-type is specified", "array")
    elif list_type == "set" and isinstance(items, dict):
        problems += _set_item_problems(items, f"{path}.items")
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        problems.append(unsupported(f"{path}.x-kubernetes-list-type", list_type, ("atomic", "set", "map")))
    if keys and list_type is None:
        problems.append(required(f"{path}.x-kubernetes-list-type",
                                 "must be map if x-kubernetes-list-map-keys is non-empty"))
    elif keys and list_type != "map":
        problems.append(invalid(f"{path}.x-kubernetes-list-type", list_type,
                                "must be map if x-kubernetes-list-map-keys is non-empty"))
    if list_type == "map":
        if not keys:
            problems.append(required(f"{path}.x-kubernetes-list-map-keys",
                                     "must not be empty if x-kubernetes-list-type is map"))
        if isinstance(items, dict) and items.get("type", "") != "object":
            problems.append(invalid(f"{path}.items.type", items.get("type", ""),
                                    "must be object if parent array's x-kubernetes-list-type is map"))
        elif isinstance(items, dict):
            problems += _map_key_type_problems(items, keys, path)
    return problems


def _set_item_problems(items: dict, path: str) -> list[str]:
    """A set's items compare as wholes: an array item atomic, an object item atomic (granular is
    the default for objects). Go shows the item's list type as the value of both errors."""
    shown = items.get("x-kubernetes-list-type", "null")
    detail = "must be atomic as item of a list with x-kubernetes-list-type=set"
    if items.get("type") == "array" and items.get("x-kubernetes-list-type", "atomic") != "atomic":
        return [invalid(f"{path}.x-kubernetes-list-type", shown, detail)]
    if items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
        return [invalid(f"{path}.x-kubernetes-map-type", shown, detail)]
    return []


def _map_key_type_problems(items: dict, keys: list, path: str) -> list[str]:
    problems, seen = [], set()
    for key in keys:
        key_schema = (items.get("properties") or {}).get(key)
        if key_schema is None:
            problems.append(invalid(f"{path}.x-kubernetes-list-map-keys", keys,
                                    "entries must all be names of item properties"))
        elif key_schema.get("type") in ("array", "object"):
            # Go shows the items' type, not the key's.
            problems.append(invalid(f"{path}.items.properties[{key}].type", items["type"],
                                    "must be a scalar type if parent array's x-kubernetes-list-type is map"))
        if key in seen:
            problems.append(invalid(f"{path}.x-kubernetes-list-map-keys", keys, "must not contain duplicate entries"))
        seen.add(key)
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateMapListKeysMapSet")
def _list_map_key_problems(schema: dict, path: str) -> list[str]:
    """A set's or map's items are not nullable; a map's keys are required or defaulted, and not nullable."""
    items, list_type = schema.get("items"), schema.get("x-kubernetes-list-type")
    if not isinstance(items, dict) or list_type not in ("set", "map"):
        return []
    problems = [forbidden(f"{path}.items.nullable", f"cannot be nullable when x-kubernetes-list-type is {list_type}")
                ] if items.get("nullable") else []
    if list_type != "map":
        return problems
    for key in schema.get("x-kubernetes-list-map-keys") or []:
        key_schema = (items.get("properties") or {}).get(key)
        if key_schema is None:
            continue
        if key not in (items.get("required") or ()) and "default" not in key_schema:
            problems.append(required(f"{path}.items.properties[{key}].default",
                                     "this property is in x-kubernetes-list-map-keys, so it must have a default "
                                     "or be a required property"))
        if key_schema.get("nullable"):
            problems.append(forbidden(f"{path}.items.properties[{key}].nullable",
                                      "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"))
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateStructuralInvariants")
def _node_problems(schema: dict, path: str, level: str) -> list[str]:
    if not isinstance(schema, dict):
        return [invalid(path, str(schema), "must be an object")]
    problems = []
    kind, embedded = schema.get("type", ""), bool(schema.get(EMBEDDED))
    if kind and kind not in OPENAPI_V3_TYPES:
        problems.append(unsupported(f"{path}.type", kind, OPENAPI_V3_TYPES))
    if embedded and kind != "object":
        problems += _type_required(schema, path, "must be object if x-kubernetes-embedded-resource is true", "object")
    elif not kind and not schema.get(INT_OR_STRING) and not schema.get(PRESERVE):
        context = {"root": "at the root", "items": "for specified array items",
                   "field": "for specified object fields"}[level]
        problems.append(required(f"{path}.type", f"must not be empty {context}"))
    if "additionalProperties" in schema and level == "root":
        problems.append(forbidden(f"{path}.additionalProperties", "must not be used at the root"))
    if "additionalProperties" in schema and embedded:
        problems.append(forbidden(f"{path}.additionalProperties",
                                  "must not be used if x-kubernetes-embedded-resource is set"))
    if level == "root" and kind and kind != "object":
        problems.append(invalid(f"{path}.type", kind, "must be object at the root"))
    # JSONSchemaPropsOrArray decodes anything but an object or a list as no schema at all.
    if kind == "array" and not isinstance(schema.get("items"), dict):
        problems.append(required(f"{path}.items", "must be specified"))
    if embedded and not schema.get(PRESERVE) and not schema.get("properties"):
        problems.append(required(f"{path}.properties", "must not be empty if x-kubernetes-embedded-resource is true "
                                                       "without x-kubernetes-preserve-unknown-fields"))
    problems += _extension_problems(schema, path) + _resource_problems(schema, path, level, embedded)
    problems += _value_validation_problems(schema, path, _int_or_string_any_of(schema.get("anyOf")),
                                           _int_or_string_any_of(_first(schema.get("allOf")).get("anyOf")))
    if isinstance(schema.get("items"), dict):
        problems += _node_problems(schema["items"], f"{path}.items", "items")
    for name, child in (schema.get("properties") or {}).items():
        problems += _node_problems(child, f"{path}.properties[{name}]", "field")
    if isinstance(schema.get("additionalProperties"), dict):
        problems += _node_problems(schema["additionalProperties"], f"{path}.additionalProperties", "field")
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting.ValidateDefaults")
def _default_problems(schema: dict, path: str, level: str) -> list[str]:
    """Each default outside the root's metadata, kind and apiVersion (refused there already) is
    pruned already, names its apiVersion and kind where the node is a resource, and is valid
    against its own node's schema; errors are reported under `<node>.default`."""
    problems = []
    if schema.get("default") is not None:  # a null default is none (JSON's nil Object)
        problems += _one_default_problems(schema, schema["default"], f"{path}.default", level == "root")
    children = [(schema.get("items"), f"{path}.items")]
    children += [(child, f"{path}.properties[{name}]") for name, child in (schema.get("properties") or {}).items()
                 if not (level == "root" and name in _META_FIELDS)]
    children.append((schema.get("additionalProperties"), f"{path}.additionalProperties"))
    for child, child_path in children:
        if isinstance(child, dict):
            problems += _default_problems(child, child_path, "field")
    return problems


def _one_default_problems(schema: dict, default: object, path: str, is_root: bool) -> list[str]:
    pruned, is_resource = _copy(default), isinstance(default, dict) and (is_root or schema.get(EMBEDDED))
    # A resource's apiVersion, kind and metadata are never pruned.
    (prune if is_resource else _prune_value)(schema, pruned)
    problems = [] if pruned == default else [
        f"{path}: Invalid value: {format_sharp_v(default)}: must not have unknown fields"]
    if is_resource:
        problems += _embedded_type_meta_problems(default, path)
    return problems + validate(schema, default, path)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateExtensions")
def _extension_problems(schema: dict, path: str) -> list[str]:
    if not schema.get(INT_OR_STRING):
        return []
    return [invalid(f"{path}.{flag}", True, "must be false if x-kubernetes-int-or-string is true")
            for flag in (PRESERVE, EMBEDDED) if schema.get(flag)]


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateStructuralMetadataInvariants")
def _resource_problems(schema: dict, path: str, level: str, embedded: bool) -> list[str]:
    """At the root and in an embedded resource, kind and apiVersion are strings and metadata an
    object; at the root metadata may name only name and generateName, which it holds anyway."""
    properties, is_resource = schema.get("properties") or {}, level == "root" or embedded
    problems = [invalid(f"{path}.properties[{name}].type", properties[name].get("type", ""), "must be string")
                for name in ("kind", "apiVersion")
                if is_resource and isinstance(properties.get(name), dict) and properties[name].get("type") != "string"]
    metadata = properties.get("metadata")
    if not isinstance(metadata, dict):
        return problems
    if is_resource and metadata.get("type") != "object":
        problems.append(invalid(f"{path}.properties[metadata].type", metadata.get("type", ""), "must be object"))
    if level == "root" and not _metadata_implicit(metadata):
        problems.append(forbidden(f"{path}.properties[metadata]", "must not specify anything other than name and "
                                                                  "generateName, but metadata is implicitly specified"))
    return problems


# What a structural schema's metadata may say at the root beyond its type and default: nothing.
_NOT_STRUCTURAL = ("example", "externalDocs", "$schema", "x-kubernetes-validations")


# Go compares the Structural struct, so a field at its zero value is the same as none: the plain
# bools and strings when false or empty, and the lists the conversion leaves nil when empty (the
# real 1.24 server takes each; `required: []` and the *string list and map types are refused).
_ZERO_VALUED = ("description", "title", "nullable", "format", "pattern", "exclusiveMaximum", "exclusiveMinimum",
                "uniqueItems", PRESERVE, EMBEDDED, INT_OR_STRING, "enum", "allOf", "anyOf", "oneOf")


def _metadata_implicit(metadata: dict) -> bool:
    names = set(metadata.get("properties") or ())
    rest = {key for key, value in metadata.items()
            if key not in ("type", "default", "properties") + _NOT_STRUCTURAL
            and not (key in _ZERO_VALUED and (value is False or value in ("", [])))}
    return not rest and names in (set(), {"name"}, {"generateName"}, {"name", "generateName"})


def _first(branches: object) -> dict:
    return branches[0] if isinstance(branches, list) and branches and isinstance(branches[0], dict) else {}


def _int_or_string_any_of(any_of: object) -> bool:
    """anyOf [{type: integer}, {type: string}], which an int-or-string node may carry."""
    return any_of == [{"type": "integer"}, {"type": "string"}]


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateValueValidation")
def _value_validation_problems(schema: dict, path: str, skip_any_of: bool = False,
                               skip_first_all_of_any_of: bool = False) -> list[str]:
    """Schemas under anyOf, allOf, oneOf and not only add value rules; the pattern compiles."""
    problems = []
    for junctor in ("anyOf", "allOf", "oneOf"):
        branches = schema.get(junctor)
        if junctor == "anyOf" and skip_any_of or not isinstance(branches, list):
            continue
        problems += [problem for i, branch in enumerate(branches) for problem in _nested_problems(
            branch, f"{path}.{junctor}[{i}]", junctor == "allOf" and i == 0 and skip_first_all_of_any_of)]
    if isinstance(schema.get("not"), dict):
        problems += _nested_problems(schema["not"], f"{path}.not")
    return problems + _pattern_problems(schema, path)


# validateNestedValueValidation's refusals: the key, and what it must be to be structural.
_FORBIDDEN_NESTED = (("type", "must be empty"), ("additionalProperties", "must be undefined"),
                     ("default", "must be undefined"), ("title", "must be empty"), ("description", "must be empty"),
                     ("nullable", "must be false"), (PRESERVE, "must be false"), (EMBEDDED, "must be false"),
                     (INT_OR_STRING, "must be false"), ("x-kubernetes-list-map-keys", "must be empty"),
                     ("x-kubernetes-list-type", "must be undefined"), ("x-kubernetes-map-type", "must be undefined"),
                     ("x-kubernetes-validations", "must be empty"))


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema.validateNestedValueValidation")
def _nested_problems(nested: object, path: str, skip_any_of: bool = False) -> list[str]:
    if not isinstance(nested, dict):
        return []
    problems = _value_validation_problems(nested, path, skip_any_of)
    problems += _nested_problems(nested.get("items"), f"{path}.items")
    properties = nested.get("properties") or {}
    for name, child in properties.items():
        problems += _nested_problems(child, f"{path}.properties[{name}]")
    problems += [forbidden(f"{path}.{key}", f"{rule} to be structural") for key, rule in _FORBIDDEN_NESTED
                 if nested.get(key) not in (None, False, "", [])]
    if "metadata" in properties:
        problems.append(forbidden(f"{path}.properties[metadata]", "must not be specified in a nested context"))
    return problems


def _pattern_problems(schema: dict, path: str) -> list[str]:
    """A pattern must compile as Go's regexp: a value is matched against it on every write."""
    pattern = schema.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return []
    try:
        compile_go(pattern)
    except GoRegexpError as err:
        return [invalid(f"{path}.pattern", pattern, f"must be a valid regular expression, but isn't: {err}")]
    return []


def _value_schema(schema: dict, key: str) -> dict | None:
    """The schema of an object's member `key`: its property, else additionalProperties."""
    properties = schema.get("properties") or {}
    if key in properties:
        return properties[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning.PruneWithOptions")
def prune(schema: dict, obj: dict) -> None:
    """Drop, in place, every field of `obj` that `schema` does not specify, unless a node preserves
    unknown fields. apiVersion, kind and metadata at the root are the server's, never pruned."""
    for key in list(obj):
        if key in ("apiVersion", "kind", "metadata"):
            continue
        _prune_member(schema, obj, key)


def _prune_member(schema: dict, obj: dict, key) -> None:
    child = _value_schema(schema, key)
    if child is None and schema.get("additionalProperties") is True:
        _prune_unspecified(obj[key])  # additionalProperties true keeps the member, but no schema is under it
    elif child is None:
        if not schema.get(PRESERVE):
            del obj[key]
    else:
        _prune_value(child, obj[key])


def _prune_unspecified(value: object) -> None:
    """A value no schema specifies: every object in it emptied, scalars kept."""
    if isinstance(value, dict):
        value.clear()
    elif isinstance(value, list):
        for item in value:
            _prune_unspecified(item)


def _prune_value(schema: dict, value: object) -> None:
    if isinstance(value, dict):
        for key in list(value):
            if not (schema.get(EMBEDDED) and key in _META_FIELDS):
                _prune_member(schema, value, key)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            _prune_value(schema["items"], item)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting.PruneNonNullableNullsWithoutDefaults")
def prune_nulls(schema: dict, value: object) -> None:
    """Drop, in place, each null member whose schema is neither nullable nor defaulted: a client
    that writes `spec: null` meant no spec, and validation would refuse the null. Only a member
    with a schema can be dropped, so the walk follows the schema, never content it preserves
    unspecified (which may be nested past Python's recursion limit)."""
    if isinstance(value, dict):
        for key in list(value):
            child = _value_schema(schema, key)
            if child is None:
                continue
            if value[key] is None and not child.get("nullable") and "default" not in child:
                del value[key]
            else:
                prune_nulls(child, value[key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            prune_nulls(schema["items"], item)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting.Default")
def apply_defaults(schema: dict, value: object) -> None:
    """Fill, in place, each missing property that has a `default` (and each null one that is not
    nullable), then go down into objects and array items."""
    if isinstance(value, dict):
        for key, child in (schema.get("properties") or {}).items():
            if "default" in child and (key not in value or (value[key] is None and not child.get("nullable"))):
                value[key] = _copy(child["default"])
        for key, member in value.items():
            child = _value_schema(schema, key)
            if child is not None:
                apply_defaults(child, member)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            apply_defaults(schema["items"], item)


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def validate(schema: dict, value: object, base: str = "") -> list[str]:
    """The field errors of `value` (under the path `base`, none for the object itself) against
    `schema`, as kube-openapi's validator finds them (`crdvalidate`)."""
    return crdvalidate.validate(schema, value, base)


def embedded_resource_problems(schema: dict, value: object, path: str = "") -> list[str]:
    """Each x-kubernetes-embedded-resource object's type meta and metadata (`crdobjectmeta`)."""
    return crdobjectmeta.problems(schema, value, path)


def _embedded_type_meta_problems(value: dict, path: str) -> list[str]:
    return crdobjectmeta.type_meta_problems(value, path)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype.ValidateListSetsAndMaps")
def list_set_and_map_problems(schema: dict, value: object, path: str = "") -> list[str]:
    """A set's items and a map list's keys are unique: the second of each repeated one is a
    Duplicate; a map list holds objects (or nulls) only."""
    if isinstance(value, dict):
        extra = schema.get("additionalProperties")
        problems = [problem for key, member in value.items() if isinstance(extra, dict)
                    for problem in list_set_and_map_problems(extra, member, f"{path}[{key}]")]
        properties = schema.get("properties") or {}
        return problems + [problem for key, member in value.items() if isinstance(properties.get(key), dict)
                           for problem in list_set_and_map_problems(properties[key], member, _child(path, key))]
    if not isinstance(value, list):
        return []
    list_type, problems = schema.get("x-kubernetes-list-type"), []
    if list_type == "set":
        problems = [f"{path}[{i}]: Duplicate value: {_duplicate_value(value[i])}" for i in _repeated(value)]
    elif list_type == "map":
        problems = _list_map_problems(schema.get("x-kubernetes-list-map-keys") or [], value, path)
    items = schema.get("items")
    if isinstance(items, dict):
        problems += [problem for i, item in enumerate(value)
                     for problem in list_set_and_map_problems(items, item, f"{path}[{i}]")]
    return problems


# A map list item that leaves its only key out: unlike any value, equal to another such item.
_UNSPECIFIED = object()


def _list_map_problems(keys: list, items: list, path: str) -> list[str]:
    for i, item in enumerate(items):
        if item is not None and not isinstance(item, dict):
            return [invalid(f"{path}[{i}]", item, "must be an object for an array of list-type map")]
    if len(keys) == 1:
        found = [(item or {}).get(keys[0], _UNSPECIFIED) for item in items]
        return [f"{path}[{i}]: Duplicate value: "
                + _duplicate_value({} if found[i] is _UNSPECIFIED else {keys[0]: found[i]}) for i in _repeated(found)]
    found = [{key: (item or {})[key] for key in keys if key in (item or {})} for item in items]
    return [f"{path}[{i}]: Duplicate value: {_duplicate_value(found[i])}" for i in _repeated(found)]


def _repeated(values: list) -> list[int]:
    """The index of each value's second appearance, as validateListSet reports it."""
    seen: dict[str, int] = {}
    second = []
    for i, item in enumerate(values):
        # Compound items compare by their JSON (encoding/json sorts map keys), scalars by type and value.
        identity = "unspecified" if item is _UNSPECIFIED else json.dumps(item, sort_keys=True) + type(item).__name__
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] == 2:
            second.append(i)
    return second


def _duplicate_value(value: object) -> str:
    """field.Duplicate's value: a string quoted, a scalar as %v, anything else as %#v."""
    if isinstance(value, str):
        return quote(value)
    return format_sharp_v(value)
