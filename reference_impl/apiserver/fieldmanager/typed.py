"""Objects walked with their schema, as sigs.k8s.io/structured-merge-diff/v4/typed walks them: the set
of fields a value sets, the comparison of two values, the merge of an applied configuration into
a live object, and the removal of fields.

The schema is the kind's OpenAPI definition, read as k8s.io/kube-openapi's schemaconv reads it: an
object with properties is a struct, one with additionalProperties (or none described, as our
opaque types are) a map whose keys are fields of their own; `x-kubernetes-map-type: atomic` makes
either a single field. A list is associative on `x-kubernetes-list-map-keys`, else on its patch
merge key, a set when it merges without a key, else atomic (replaced whole).

Upstream compares Go objects, where a struct that is no pointer is always there (`{}` at least)
once its parent is; our objects are JSON, which may leave it out. So such a struct (no pointer
where `kinds.GO_TYPES` says) counts as added or removed only with its parent: a container's
resources in a new container, not when limits are set in an existing one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import gostruct, openapi, protobuf
from reference_impl.apiserver.core.crdopenapi import UNSTRUCTURED
from reference_impl.apiserver.core.schemas import REF_PREFIX
from reference_impl.apiserver.fieldmanager.fieldpath import Path, PathElement, path_string
from reference_impl.machinery.gofmt import format_sharp_v, format_v, type_of
from reference_impl.mirrors import mirrors

ABSENT = object()  # a field that is not there at all, as opposed to one that is null
# How schemaconv types the OpenAPI types; Quantity (a string in its definition) is untyped there.
_ATOMS = {"object": "map", "array": "list", "string": "string", "integer": "numeric", "number": "numeric",
          "boolean": "boolean"}
_UNTYPED = (REF_PREFIX + "io.k8s.apimachinery.pkg.api.resource.Quantity",)
# Schema nodes are the definitions' own dicts, alive as long as the process: what each resolves to
# and its declared fields, by the node's id (the node is kept beside, so an id is never reused).
# Every write walks its object with them. A custom resource's apply schema (marked UNSTRUCTURED) is
# built anew whenever its CRD is written, so its nodes are not kept: they would pile up unfreed.
_RESOLVED: dict[int, tuple[Mapping, Mapping]] = {}
_FIELDS: dict[tuple[int, str], tuple[Mapping, tuple["Schema", bool]]] = {}
# What a comparison asks at each declared field, by the parent node's id and the field's name:
# (the field's schema, its path element, whether Go's zero value of the parent holds it).
_MEMBERS: dict[tuple[int, str], tuple[Mapping, tuple["Schema", PathElement, bool]]] = {}


class TypedError(ValueError):
    """A value that does not fit its schema as a typed value must (a list item without its key,
    two items with the same key)."""


@dataclass(frozen=True)
class Schema:
    """One node of a kind's definition; `node` None is a type deduced from the value."""

    node: Mapping | None = None

    @classmethod
    def for_kind(cls, api_version: str, kind: str) -> "Schema":
        return cls(openapi.OpenAPIPatchMeta.for_kind(api_version, kind).schema)

    def _resolved(self) -> Mapping:
        node = self.node
        if node is None:
            return {}
        cached = _RESOLVED.get(id(node))
        if cached is None:
            ref = node.get("$ref")
            cached = (node, openapi.definitions().get(ref.removeprefix(REF_PREFIX), {}) if isinstance(ref, str)
                      else node)
            if UNSTRUCTURED not in node:
                _RESOLVED[id(node)] = cached
        return cached[1]

    @property
    def atomic(self) -> bool:
        resolved = self._resolved()
        return resolved.get("x-kubernetes-map-type") == "atomic" or resolved.get("x-kubernetes-list-type") == "atomic"

    def field(self, name: str) -> tuple["Schema", bool]:
        """The schema of a map's member `name`, and whether it is a declared struct field."""
        if self.node is None:
            return self._field(name)
        cached = _FIELDS.get((id(self.node), name))
        if cached is None:
            found = self._field(name)
            if not found[1] or UNSTRUCTURED in self.node:
                return found  # a map's key (keys are too many to keep), or a custom resource's field
            cached = _FIELDS[id(self.node), name] = (self.node, found)
        return cached[1]

    def _field(self, name: str) -> tuple["Schema", bool]:
        resolved = self._resolved()
        properties = resolved.get("properties")
        if properties and name in properties:
            return Schema(properties[name]), True
        additional = resolved.get("additionalProperties")
        return Schema(additional if isinstance(additional, dict) else None), False

    @property
    def default(self) -> Any:
        """The value the schema gives a field left out (None for none)."""
        return (self.node or {}).get("default", self._resolved().get("default"))

    @property
    def is_struct(self) -> bool:
        return bool(self._resolved().get("properties"))

    @property
    @mirrors("(*k8s.io/kube-openapi/pkg/schemaconv.convert).VisitKind")
    def closed(self) -> bool:
        """A struct whose undeclared members are refused: one that keeps unknown fields types
        its declared ones and takes any other member untyped (a deduced element type)."""
        return self.is_struct and not self._resolved().get("x-kubernetes-preserve-unknown-fields")

    @property
    def always_there(self) -> bool:
        """A struct field that is no pointer: Go's zero value of its parent holds it (never a
        field of a custom object, which is a map: its metadata too, whose node is marked though the
        ObjectMeta definition it refers to is not)."""
        return self.is_struct and not (self.node or {}).get(UNSTRUCTURED) and not self._resolved().get(UNSTRUCTURED) \
            and id(self.node) not in _pointer_fields()

    def list_keys(self) -> tuple[str, ...] | None:
        """The keys of an associative list, () for a set, None for an atomic list."""
        node = self.node or {}
        list_type = node.get("x-kubernetes-list-type")
        if list_type == "map":
            return tuple(node.get("x-kubernetes-list-map-keys") or ())
        if list_type == "set":
            return ()
        if list_type == "atomic" or "merge" not in node.get("x-kubernetes-patch-strategy", "").split(","):
            return None
        key = node.get("x-kubernetes-patch-merge-key")
        return (key,) if key else ()

    def atom(self) -> str | None:
        """What structured-merge-diff types the node as: "map", "list", a scalar ("string",
        "numeric", "boolean"), or None for untyped, which takes any value (a deduced type, an
        IntOrString, a Quantity, a node that keeps unknown fields and is no object)."""
        node = self.node
        if node is None or node.get("$ref") in _UNTYPED:
            return None
        resolved = self._resolved()
        if (resolved.get("x-kubernetes-preserve-unknown-fields") and resolved.get("type") != "object") \
                or resolved.get("format") == "int-or-string":
            return None
        if "properties" in resolved or "additionalProperties" in resolved:
            return "map"
        return _ATOMS.get(resolved.get("type"))

    def element(self) -> "Schema":
        items = self._resolved().get("items")
        return Schema(items if isinstance(items, dict) else None)


@functools.cache
def _pointer_fields() -> frozenset[int]:
    """The schema nodes of the struct fields that are pointers: those `kinds.GO_TYPES` says are
    (`*v1.Name`), and the struct fields the protobuf layouts do not mark as always written."""
    definitions = openapi.definitions()
    declared = {(name, key) for name, fields in kinds.GO_TYPES.items()
                for key, go_type in fields.items() if go_type.startswith("*")}
    return frozenset(id(definitions[name]["properties"][key]) for name, key in declared | _layout_pointers(definitions))


def _layout_pointers(definitions: dict) -> set[tuple[str, str]]:
    pointers = set()
    for name, definition in definitions.items():
        message = gostruct.layout_message(name)
        if message not in protobuf.MESSAGES:
            continue
        fields = gostruct.struct_fields(message)
        for key in definition.get("properties", {}):
            field = fields.get(key)
            if field is not None and field.label == "optional" and field.type in protobuf.MESSAGES \
                    and field.type not in protobuf.SPECIAL and field.when_absent != "zero":
                pointers.add((name, key))
    return pointers


@functools.cache
def _zero_defaults() -> dict[int, Any]:
    """The `default` 1.24's openapi-gen gives a scalar struct field without omitempty (its zero:
    Container.name "", ContainerPort.containerPort 0, OwnerReference.uid ""), by schema node.
    The served /openapi/v2 leaves these out; the field manager's schema has them, so an item
    that omits such a list key is keyed by the zero, and validation then names what is missing."""
    defaults = {}
    for name, definition in openapi.definitions().items():
        message = gostruct.layout_message(name)
        if message not in protobuf.MESSAGES:
            continue
        fields = gostruct.struct_fields(message)
        for key, node in definition.get("properties", {}).items():
            field = fields.get(key)
            if field is not None and field.when_absent == "zero" and field.label == "optional" \
                    and field.type not in protobuf.MESSAGES and "default" not in node:
                defaults[id(node)] = gostruct.SCALAR_ZEROS.get(field.type, 0)
    return defaults


def zero_like(value: dict, schema: Schema) -> dict:
    """Go's zero value of `value`'s kind as far as `value` reaches, what a create compares with
    (runtime.ObjectCreater.New): every struct it goes through is there but a pointer's, and a list
    the struct requires (no omitempty) is null rather than absent, as is any field still null
    once decoded: only a field without omitempty is written as null (a template's zero
    creationTimestamp, a ClusterRole's missing rules), and the zero object holds it so."""
    zero = {}
    required = schema._resolved().get("required", ())
    for key, child in value.items():
        child_schema, declared = schema.field(key)
        if declared and child_schema.always_there and isinstance(child, dict):
            zero[key] = zero_like(child, child_schema)
        elif declared and (child is None or (key in required and isinstance(child, list))):
            zero[key] = None
    return zero


def _granular_map(value: Any, schema: Schema) -> bool:
    return isinstance(value, dict) and not schema.atomic


def _granular_list(value: Any, schema: Schema) -> bool:
    return isinstance(value, list) and schema.list_keys() is not None


@mirrors("sigs.k8s.io/structured-merge-diff/v4/typed.keyedAssociativeListItemToPathElement",
         "sigs.k8s.io/structured-merge-diff/v4/typed.getAssociativeKeyDefault",
         "sigs.k8s.io/structured-merge-diff/v4/typed.setItemToPathElement")
def item_element(item: Any, keys: tuple[str, ...], item_schema: Schema) -> PathElement:
    """The path element of a list item: its keys (a key it omits by the schema's default), or for
    a set its value; ValueError for an item that has none."""
    if not keys:
        if isinstance(item, dict):
            raise ValueError("associative list without keys has an element that's a map type")
        if isinstance(item, list):
            raise ValueError("not supported: associative list with lists as elements")
        if item is None:
            raise ValueError("associative list without keys has an element that's an explicit null")
        return PathElement.of_value(item)
    if item is None:
        raise ValueError("associative list with keys may not have a null element")
    if not isinstance(item, dict):
        raise ValueError("associative list with keys may not have non-map elements")
    fields = {}
    for key in keys:
        key_schema = item_schema.field(key)[0]
        default = key_schema.default
        if default is None:
            default = _zero_defaults().get(id(key_schema.node))
        if key not in item and default is None:
            raise ValueError(f'associative list with keys has an element that omits key field "{key}" '
                             "(and doesn't have default value)")
        fields[key] = item.get(key, default)
    return PathElement.key(fields)


def _items(value: list, schema: Schema, path: Path) -> dict[PathElement, Any]:
    """The items of a granular list by their path elements; TypedError, in the words of the
    validation upstream runs first, for an item without one or two with the same."""
    keys = schema.list_keys() or ()
    items: dict[PathElement, Any] = {}
    for index, item in enumerate(value):
        try:
            element = item_element(item, keys, schema.element())
        except ValueError as err:
            raise TypedError(f"{path_string(path)}: element {index}: {err}") from None
        if element in items:
            raise TypedError(f"{path_string(path)}: duplicate entries for key {element}")
        items[element] = item
    return items


@mirrors("(sigs.k8s.io/structured-merge-diff/v4/typed.TypedValue).ToFieldSet")
@mirrors("(*sigs.k8s.io/structured-merge-diff/v4/typed.validatingObjectWalker).visitMapItems",
         "(*sigs.k8s.io/structured-merge-diff/v4/typed.validatingObjectWalker).visitListItems",
         "sigs.k8s.io/structured-merge-diff/v4/typed.validateScalar")
def check_declared(value: Any, schema: Schema) -> None:
    """TypedError for what does not fit the schema as a typed value: a member of a struct that
    its schema does not declare, a value of another type than the field's (a map, a list, a
    string, a number or a boolean), a list item without its key or two with the same. Every
    problem is reported, as upstream's ValidationErrors are, a struct stopping at its first
    undeclared member (upstream meets the members in Go's random map order; here in the document's)."""
    problems: list[str] = []
    _validate(value, schema, (), problems)
    if len(problems) == 1:
        raise TypedError(problems[0])
    if problems:
        raise TypedError("errors:\n  " + "\n  ".join(problems))


def _validate(value: Any, schema: Schema, path: Path, problems: list[str]) -> None:
    atom = schema.atom()
    if atom is None or value is None:
        return
    where = path_string(path) + ": " if path else ""
    if atom == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}expected map, got &{{{format_v(value)}}}")
            return
        for key, child in value.items():
            child_schema, declared = schema.field(key)
            child_path = path + (PathElement.field(key),)
            if not declared and schema.closed:
                problems.append(f"{path_string(child_path)}: field not declared in schema")
                return
            _validate(child, child_schema, child_path, problems)
    elif atom == "list":
        if not isinstance(value, list):
            problems.append(f"{where}expected list, got &{{{format_v(value)}}}")
            return
        if schema.list_keys() is None:
            items = {PathElement("i", index): item for index, item in enumerate(value)}
        else:
            try:
                items = _items(value, schema, path)
            except TypedError as err:
                problems.append(str(err))
                return
        for element, item in items.items():
            _validate(item, schema.element(), path + (element,), problems)
    elif atom == "string" and not isinstance(value, str):
        problems.append(f"{where}expected string, got &value.valueUnstructured{{Value:{format_sharp_v(value)}}}")
    elif atom == "numeric" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        problems.append(f"{where}expected numeric (int or float), got {type_of(value)}")
    elif atom == "boolean" and not isinstance(value, bool):
        problems.append(f"{where}expected boolean, got &{{{format_v(value)}}}")


def to_field_set(value: Any, schema: Schema) -> frozenset:
    """The fields `value` sets: its scalars, atomic lists and maps, map keys that are no struct
    field, list items, and fields set to null or {}."""
    paths: set[Path] = set()
    _collect(value, schema, (), paths)
    return frozenset(paths)


def _collect(value: Any, schema: Schema, path: Path, paths: set[Path]) -> None:
    if _granular_map(value, schema):
        for key, child in value.items():
            child_schema, declared = schema.field(key)
            child_path = path + (PathElement.field(key),)
            _collect(child, child_schema, child_path, paths)
            if child is None or child == {} or not declared:
                paths.add(child_path)
    elif _granular_list(value, schema):
        for element, item in _items(value, schema, path).items():
            _collect(item, schema.element(), path + (element,), paths)
            paths.add(path + (element,))
    else:
        paths.add(path)


@dataclass
class Comparison:
    """typed.Comparison: the fields an update added, changed and removed."""

    added: set = field(default_factory=set)
    modified: set = field(default_factory=set)
    removed: set = field(default_factory=set)

    def is_same(self) -> bool:
        return not (self.added or self.modified or self.removed)


@mirrors("(sigs.k8s.io/structured-merge-diff/v4/typed.TypedValue).Compare")
def compare(lhs: Any, rhs: Any, schema: Schema, skip: frozenset = frozenset()) -> Comparison:
    """What changed from `lhs` to `rhs`; fields at the paths in `skip` are not compared at all,
    as if filtered out afterwards (a status write never walks the spec)."""
    comparison = Comparison()
    _compare(lhs, rhs, schema, (), False, comparison, skip)
    return comparison


def _member(schema: Schema, key: str) -> tuple[Schema, PathElement, bool]:
    """A map's member `key` as _compare walks it: its schema, its path element, and whether it is
    a declared struct field that is always there (see `Schema.always_there`)."""
    node = schema.node
    cached = _MEMBERS.get((id(node), key)) if node is not None else None
    if cached is not None:
        return cached[1]
    child_schema, declared = schema.field(key)
    member = child_schema, PathElement.field(key), declared and child_schema.always_there
    if declared and node is not None and UNSTRUCTURED not in node:
        _MEMBERS[id(node), key] = (node, member)
    return member


def _compare(lhs: Any, rhs: Any, schema: Schema, path: Path, held: bool, c: Comparison,
             skip: frozenset) -> None:
    """`held`: a struct Go's zero value holds, whose parent both sides have, so both hold it and
    it is never added or removed itself; anywhere else a map or list one side lacks is
    (compare's postItemHook)."""
    if lhs is ABSENT:
        _added(rhs, schema, path, held, c, skip)
        return
    left, right = lhs, None if rhs is ABSENT else rhs
    if _granular_map(left if left is not None else right, schema) and isinstance(left or {}, dict) \
            and isinstance(right or {}, dict) and (left or right):
        parent_on_both_sides = isinstance(left, dict) and isinstance(right, dict)
        left, right = left or {}, right or {}
        for key in {**left, **right}:
            child_schema, element, always_there = _member(schema, key)
            child_path = path + (element,)
            if skip and child_path in skip:
                continue
            _compare(left.get(key, ABSENT), right.get(key, ABSENT), child_schema,
                     child_path, always_there and parent_on_both_sides, c, skip)
    elif _granular_list(left if left is not None else right, schema) and isinstance(left or [], list) \
            and isinstance(right or [], list) and (left or right):
        left_items, right_items = _items(left or [], schema, path), _items(right or [], schema, path)
        for element in {**left_items, **right_items}:
            _compare(left_items.get(element, ABSENT), right_items.get(element, ABSENT), schema.element(),
                     path + (element,), False, c, skip)
    else:
        if rhs is ABSENT:
            c.removed.add(path)
        elif lhs != rhs or type(lhs) is not type(rhs):
            c.modified.add(path)
        return
    if not held and rhs is ABSENT:
        c.removed.add(path)


def _added(rhs: Any, schema: Schema, path: Path, held: bool, c: Comparison, skip: frozenset) -> None:
    """_compare of a value only the right side has: every field in it is added, its maps and
    lists too (a held one's own path aside). A create compares the whole object with the kind's
    zero this way, so this walk skips asking, at each of its fields, what the left side holds."""
    if rhs and _granular_map(rhs, schema):
        for key, child in rhs.items():
            child_schema, element, _ = _member(schema, key)
            child_path = path + (element,)
            if skip and child_path in skip:
                continue
            _added(child, child_schema, child_path, False, c, skip)
    elif rhs and _granular_list(rhs, schema):
        element_schema = schema.element()
        for element, item in _items(rhs, schema, path).items():
            _added(item, element_schema, path + (element,), False, c, skip)
    else:
        c.added.add(path)
        return
    if not held:
        c.added.add(path)


@mirrors("(sigs.k8s.io/structured-merge-diff/v4/typed.TypedValue).Merge")
def merge(lhs: Any, rhs: Any, schema: Schema, path: Path = ()) -> Any:
    """`rhs` merged into `lhs`: maps key by key, granular lists item by item (the live items in
    their order, then the new ones), anything else taken from `rhs`."""
    if rhs is ABSENT:
        return lhs
    if _granular_map(rhs, schema) and isinstance(lhs, dict):
        merged = dict(lhs)
        for key, value in rhs.items():
            merged[key] = merge(lhs.get(key, ABSENT), value, schema.field(key)[0], path + (PathElement.field(key),))
        return merged
    if _granular_list(rhs, schema) and isinstance(lhs, list):
        live, applied = _items(lhs, schema, path), _items(rhs, schema, path)
        merged_items = [merge(item, applied.get(element, ABSENT), schema.element(), path + (element,))
                        for element, item in live.items()]
        return merged_items + [item for element, item in applied.items() if element not in live]
    return rhs


@mirrors("(sigs.k8s.io/structured-merge-diff/v4/typed.TypedValue).RemoveItems")
def remove_items(value: Any, paths: frozenset, schema: Schema) -> Any:
    """`value` without the fields at `paths` (and all they hold)."""
    prefixes = {path[:i] for path in paths for i in range(len(path))}
    return _remove(value, paths, prefixes, schema, ())


def _remove(value: Any, paths: frozenset, prefixes: set, schema: Schema, path: Path) -> Any:
    if path not in prefixes:
        return value
    if _granular_map(value, schema):
        kept = {}
        for key, child in value.items():
            child_path = path + (PathElement.field(key),)
            if child_path not in paths:
                kept[key] = _remove(child, paths, prefixes, schema.field(key)[0], child_path)
        return kept
    if _granular_list(value, schema):
        return [_remove(item, paths, prefixes, schema.element(), path + (element,))
                for element, item in _items(value, schema, path).items() if path + (element,) not in paths]
    return value


def recursive_difference(paths: set | frozenset, removed: frozenset) -> set:
    """Set.RecursiveDifference: `paths` without those that are, or lie below, a path in `removed`."""
    if not removed:
        return set(paths)
    lengths = sorted({len(path) for path in removed})  # only prefixes this long can be in `removed`
    kept = set()
    for path in paths:
        for length in lengths:
            if length > len(path):  # no longer prefix is left to try
                kept.add(path)
                break
            if path[:length] in removed:
                break
        else:
            kept.add(path)
    return kept
