"""What decoding a body into the kind's Go struct does, done against the kind's OpenAPI schema:
values of the wrong JSON type are refused (400, as encoding/json refuses them), and fields the
kind does not have are dropped, or, with `?fieldValidation=Strict`, refused, or with `Warn` reported
in a `Warning:` header: the server-side field validation of Kubernetes 1.25, which 1.24 has behind
its ServerSideFieldValidation feature gate, alpha and off (SERVER_SIDE_FIELD_VALIDATION), so that
1.24 drops them whatever the directive.

The schemas are `openapi.definitions()`; an object described as `x-kubernetes-preserve-unknown-
fields` keeps whatever it holds.
"""
from __future__ import annotations

import base64
import copy
import functools
import re
from dataclasses import dataclass, field as dataclass_field

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import decoding, errors, gostruct, openapi, protobuf
from reference_impl.apiserver.core.schemas import META, QUANTITY, REF_PREFIX
from reference_impl.machinery import gojson, intstr, quantity, timefmt
from reference_impl.mirrors import mirrors

DIRECTIVES = ("Ignore", "Warn", "Strict")
# The ServerSideFieldValidation feature gate: off in 1.24 (pkg/features' Alpha default), when
# every write ignores the directive it was given (once the options have validated it).
SERVER_SIDE_FIELD_VALIDATION = False
# The Go type a wrong JSON type is reported against, for the types that decode themselves
# (UnmarshalJSON): IntOrString decodes anything but a string into its int32, a Time into a string.
_UNMARSHALS_INTO = {"intstr.IntOrString": "int32", "v1.Time": "string", "v1.MicroTime": "string"}
_GO_SCALARS = {"string": "string", "boolean": "bool", "integer": "int64", "number": "float64"}
MICRO_TIME = META + "MicroTime"  # parsed as RFC3339Micro, not RFC 3339
FIELDS_V1 = META + "FieldsV1"


@dataclass(frozen=True)
class Decoded:
    """The object as the kind's struct holds it, the unknown fields that were dropped, and how deep
    lists and objects nest in what was kept (`decoding.nesting_of` of `obj`)."""

    obj: dict
    unknown: tuple[str, ...]
    depth: int


@functools.cache
def _definition_for(group: str, version: str, kind: str) -> str | None:
    for name, schema in openapi.definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            if (gvk.get("group"), gvk.get("version"), gvk.get("kind")) == (group, version, kind):
                return name
    return None


@functools.cache
def _reference_to(name: str) -> dict:
    """The schema node referring to definition `name`, one for every body of its kind."""
    return {"$ref": REF_PREFIX + name}


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def decode_into_kind(group: str, version: str, kind: str, obj: dict) -> Decoded:
    """`obj` with unknown fields removed (in place) and their paths; 400 for a wrong JSON type.
    One walk does both and measures the depth of what stays, as the typed decode would meet it."""
    name = _definition_for(group, version, kind)
    unknown: list[str] = []
    if name is None:
        return Decoded(decoding.merged(obj), (), decoding.nesting_of(obj))
    body = _Body(kind, version, unknown)
    try:
        depth = _walk(obj, _reference_to(name), None, _Field(), body, None)
    except RecursionError:
        # A type that holds itself (a CRD's JSONSchemaProps) led the walk past Python's stack: skip
        # what the struct does not have without recursion, then walk what is left, or refuse it.
        within_processed_depth(obj, _reference_to(name))
        unknown.clear()
        body = _Body(kind, version, unknown)
        depth = _walk(obj, _reference_to(name), None, _Field(), body, None)
    body.raise_saved()
    return Decoded(decoding.plain(obj), tuple(unknown), depth)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta.GetObjectMeta")
def check_object_meta(kind: str, version: str, metadata: object, within: str = "") -> None:
    """A custom resource's metadata as the CRD handler unmarshals it into ObjectMeta on its own: a
    value of the wrong JSON type is the decoder's 400, its field path starting at ObjectMeta. The
    `metadata` field of a `within` struct (an Eviction's, which the server has no schema for) is
    named from that field, as the struct's own decode names it: ObjectMeta.metadata.labels."""
    body = _Body(kind, version, [])
    field = _Field(within, (None, "metadata")) if within else _Field()
    schema = {"$ref": REF_PREFIX + META + "ObjectMeta"}
    # What ObjectMeta does not have is dropped first (in place, as the decoder drops it), so that
    # the copy and the walk below never meet an unknown field or a wrong value nested 5,000 deep.
    metadata = within_processed_depth(metadata, schema)
    _walk(copy.deepcopy(metadata), schema, None, field, body, None)
    body.raise_saved()


def kind_schema(group: str, version: str, kind: str) -> dict | None:
    """The schema node of the struct a body of the kind decodes into; None for a kind with none."""
    name = _definition_for(group, version, kind)
    return None if name is None else _reference_to(name)


@mirrors("(*encoding/json.decodeState).skip")
def within_processed_depth(value: object, schema: dict) -> object:
    """`value`, nested at most decoding.MAX_PROCESSED_DEPTH deep once the fields `schema` does not
    have are dropped (in place), as encoding/json skips them whatever they hold, and a list or an
    object where `schema` wants another type is emptied (encoding/json skips it too, after noting
    its JSON type, all its error shows); DecodeError for one still deeper. Without recursion, so
    that a body 10,000 levels deep inside a field the kind does not have decodes as upstream's
    does; the recursive code after it walks no deeper. A deep managedFields[].fieldsV1 is refused
    too, where upstream keeps it as raw bytes (FieldsV1.UnmarshalJSON) and 1.24 answers 200: the
    field manager here reads fieldsV1 through jsonbytes, which recurses, so letting it through
    would end in a RecursionError; a deliberate difference."""
    if decoding.nesting_of(value) <= decoding.MAX_PROCESSED_DEPTH:
        return value
    stack = [(value, schema)]
    while stack:
        item, node = stack.pop()
        _, node, expected, _ = _resolved(node)
        if node.get("x-kubernetes-preserve-unknown-fields"):
            continue
        if expected == "array" and isinstance(item, list):
            items = node.get("items") or _ANY_VALUE
            for index, child in enumerate(item):
                item[index] = _skipped_if_mismatched(child, items)
                stack.append((item[index], items))
        elif expected == "object" and isinstance(item, dict):
            stack += _skip_unknown_members(item, node.get("properties"), node.get("additionalProperties"))
    decoding.check_depth(decoding.nesting_of(value))
    return value


def _skip_unknown_members(obj: dict, properties: dict | None, extra: object) -> list[tuple[object, dict]]:
    """Drop, in place, the members of `obj` its struct does not have and empty the writes its field
    types cannot hold; the kept writes with their schemas, to walk next. A RepeatedKeys' `pairs` is
    rewritten once for the whole object: once per key would be quadratic in its keys."""
    below: list[tuple[object, dict]] = []
    dropped: set[str] = set()
    replaced: dict[int, object] = {}  # id of a write → what replaces it
    for key in list(obj):
        child = properties.get(key) if properties is not None else extra
        if child is None and properties is not None:
            dropped.add(key)
            del obj[key]
            getattr(obj, "shadowed", {}).pop(key, None)
        elif isinstance(child, dict):
            written = decoding.writes(obj, key)
            kept = [_skipped_if_mismatched(value, child) for value in written]
            replaced.update((id(old), new) for old, new in zip(written, kept) if old is not new)
            _rewrite_writes(obj, key, kept)
            below += [(value, child) for value in kept]
    if getattr(obj, "pairs", None) is not None and (dropped or replaced):
        obj.pairs = [(name, replaced.get(id(value), value)) for name, value in obj.pairs if name not in dropped]
    return below


def _skipped_if_mismatched(value: object, schema: dict) -> object:
    """`value`, or an empty one of its JSON type when it is a list or an object that `schema`'s
    type cannot hold (a list of numbers is a `byte` string's content)."""
    _, _, expected, format = _resolved(schema)
    if isinstance(value, dict) and expected not in (None, "object"):
        return {}
    if isinstance(value, list) and expected not in (None, "array") and format != "byte":
        return []
    return value


def _rewrite_writes(obj: dict, key: str, kept: list) -> None:
    """`kept`, one for each write of `key` in order, in place of `obj`'s writes of it."""
    obj[key] = kept[-1]
    shadowed = getattr(obj, "shadowed", {}).get(key)
    if shadowed:
        shadowed[:] = kept[:-1]


# A field's path as a chain of (parent, key or index) pairs, spelled out only for a message.
Path = tuple | None


def _spell(path: Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, step = path
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return "".join(reversed(parts)).lstrip(".")


class _Field:
    """Where encoding/json is decoding, as its errorContext records it for an UnmarshalTypeError: the
    innermost struct holding the field and the JSON names of the struct fields from the top (a list
    index or a map key adds nothing). The names are a chain spelled out only for a message: a pod
    enters a hundred fields and is rarely refused."""

    __slots__ = ("struct", "_names")

    def __init__(self, struct: str = "", names: tuple | None = None):
        self.struct, self._names = struct, names

    def enter(self, struct: str, name: str) -> _Field:
        return _Field(struct, (self._names, name))

    def where(self) -> str:
        names, chain = [], self._names
        while chain is not None:
            chain, name = chain
            names.append(name)
        return ".".join((self.struct, *reversed(names)))


@dataclass(frozen=True)
class _Body:
    """One body being decoded into `kind`: the unknown fields met so far, and the 400 for a value
    the struct cannot hold, worded as the serializer's caller wraps the decode error. As
    encoding/json does, a type error is saved (the first one) and decoding goes on; the error of a
    type that decodes itself (a Time, a Quantity) is raised at once, so it wins over one saved."""

    kind: str
    version: str
    unknown: list[str]
    saved: list[UndecodableError] = dataclass_field(default_factory=list)

    def refuse(self, problem: str, conversion_problem: str | None = None) -> "UndecodableError":
        return UndecodableError(f'{self.kind} in version "{self.version}" cannot be handled as a {self.kind}: '
                                f"{problem}", problem, conversion_problem)

    @mirrors("(*encoding/json.decodeState).saveError")
    def save(self, problem: str, conversion_problem: str | None = None) -> None:
        if not self.saved:
            refusal = self.refuse(problem, conversion_problem)
            refusal.ends_decoding = False
            self.saved.append(refusal)

    def raise_saved(self) -> None:
        if self.saved:
            raise self.saved[0]

    def with_unknown(self, unknown: list[str]) -> _Body:
        """The same body, its unknown fields gathered in `unknown`, sharing what is saved."""
        return _Body(self.kind, self.version, unknown, self.saved)


class UndecodableError(errors.StatusError):
    """The 400 for a body the kind's struct cannot hold; `problem` is the decoder's own error, which a
    patch reports in its own words, `conversion_problem` the unstructured converter's for the same
    value (what a strategic merge patch reports), when known, and `ends_decoding` whether the
    decoder stopped at it (else it was saved and decoding went on)."""

    def __init__(self, message: str, problem: str, conversion_problem: str | None = None,
                 ends_decoding: bool = True):
        super().__init__(400, "BadRequest", message)
        self.problem = problem
        self.conversion_problem = conversion_problem
        self.ends_decoding = ends_decoding


def _type_error(value: object, go_type: str, field: _Field) -> str:
    """encoding/json's message for `value` met where a value of `go_type` is decoded: a number is
    quoted only when an integer or float type cannot hold it. A pointer is followed first: the
    type named is the one it points to."""
    go_type = _UNMARSHALS_INTO.get(go_type, go_type).removeprefix("*")
    return gojson.value_type_error(value, go_type, field.where())


def _go_type(schema: dict) -> str:
    """The Go type behind a schema node as reflect.Type prints it: a definition is `<package>.<Name>`
    (the package is the last part of the definition's prefix, `v1` for core and meta alike), a list
    `[]<element>`, a map `map[string]<value>`, a scalar its format (int32, int64) or Go's default.
    A named type the schema does not name (`v1.Protocol` is a string to it) is in `kinds.GO_TYPES`."""
    name = schema.get("$ref", "").removeprefix(REF_PREFIX)
    if name:
        package, _, type_name = name.rpartition(".")
        return f"{package.rpartition('.')[2]}.{type_name}"
    format = schema.get("format", "")
    expected = schema.get("type")
    if expected == "array":
        return "[]" + _go_type(schema.get("items") or {})
    extra = schema.get("additionalProperties")
    if expected == "object" and isinstance(extra, dict):
        # every map of quantities in the API is a core v1.ResourceList
        return "v1.ResourceList" if extra.get("$ref") == REF_PREFIX + QUANTITY else f"map[string]{_go_type(extra)}"
    if expected == "integer" and format in ("int32", "int64"):
        return format
    if expected == "string" and format == "byte":
        return "[]uint8"
    return _GO_SCALARS.get(expected, expected or "interface {}")


def _element_type(go_type: str | None) -> str | None:
    """The Go type of a list's element or a map's value, when `go_type` spells it out."""
    if go_type and go_type.startswith("[]"):
        return go_type.removeprefix("[]")
    if go_type and go_type.startswith("map["):
        return go_type.partition("]")[2]
    return None


_REFLECT_KINDS = {str: "string", bool: "bool", int: "int64", float: "float64", list: "slice", dict: "map"}


@mirrors("k8s.io/apimachinery/pkg/runtime.fromUnstructured")
def conversion_problem(value: object, declared: dict, go_type: str) -> str | None:
    """What runtime.DefaultUnstructuredConverter says of `value`, of a JSON type the schema `declared`
    does not allow; None for null and an integral float into an integer, which it converts, and for
    the types that convert themselves (Quantity, IntOrString, Time). `go_type` is the Go type
    `declared` stands for."""
    name = declared.get("$ref", "").removeprefix(REF_PREFIX)
    if value is None or name in _UNMARSHALS_INTO or name == QUANTITY:
        return None
    schema = openapi.definitions().get(name, {}) if name else declared
    expected = schema.get("type") or ("object" if "properties" in schema else None)
    kind = "float64" if isinstance(value, float) else \
        "map" if isinstance(value, dict) else _REFLECT_KINDS[type(value)]  # a NumberLiteral too; a RepeatedKeys
    if kind == "int64" and not -2**63 <= value < 2**63:
        kind = "float64"  # apimachinery's JSON keeps a number past int64 a float64
    if expected == "object":
        return f"cannot restore struct from: {kind}" if "properties" in schema else f"cannot restore map from {kind}"
    if expected == "array" or schema.get("format") == "byte":
        return f"cannot restore slice from {kind}"
    # Go converts an integer to a string (a rune) and a float to an integer, which JSON does not:
    # the converter refuses those in words of their own.
    if kind == "int64" and expected == "string":
        return f"cannot convert int64 to {go_type}"
    if kind == "float64" and expected == "integer":
        return None if value == int(value) else f"cannot convert float64 to {go_type}"
    # No conversion: the converter names the kind of the destination (a named string type is a string).
    destination = schema.get("format") if expected == "integer" and schema.get("format") in ("int32", "int64") \
        else {"string": "string", "boolean": "bool", "integer": "int64", "number": "float64"}.get(expected, go_type)
    return f"unrecognized type: {destination}"


@mirrors("k8s.io/apimachinery/pkg/runtime.fromUnstructured")
def convert_integers(group: str, version: str, kind: str, obj: dict) -> None:
    """What the unstructured converter does, in place, with an integer its field's Go type cannot
    hold: converts it as Go converts between integer types (reflect's Convert), keeping the low 32
    or 64 bits, so 2147483648 in an int32 is -2147483648; and with a float of no fraction in an
    integer field (1.0e0 is 1). A strategic merge patch's result goes
    through the converter, not encoding/json, which refuses such a value."""
    name = _definition_for(group, version, kind)
    if name is not None:
        _convert_integers(obj, {"$ref": REF_PREFIX + name})


def _convert_integers(value: object, schema: dict) -> object:
    """`value` with the integers in it converted as `convert_integers` says."""
    name = schema.get("$ref", "").removeprefix(REF_PREFIX)
    schema = openapi.definitions().get(name, {}) if name else schema
    if isinstance(value, dict):
        properties, extra = schema.get("properties") or {}, schema.get("additionalProperties")
        for key, item in value.items():
            child = properties.get(key, extra)
            if isinstance(child, dict):
                value[key] = _convert_integers(item, child)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value[:] = [_convert_integers(item, schema["items"]) for item in value]
    elif schema.get("type") == "integer" and isinstance(value, float) and value.is_integer():
        # A float with no fraction is converted (reflect's Convert, through int64: amd64 makes one
        # past its range the smallest int64); one with a fraction is the converter's error.
        value = int(value) if abs(value) < 2**63 else -2**63
        if _out_of_range(value, schema.get("format", "")):
            value = _wrapped(value, schema.get("format", ""))
    elif schema.get("type") == "integer" and _out_of_range(value, schema.get("format", "")):
        value = _wrapped(value, schema.get("format", ""))
    return value


def _wrapped(value: int, format: str) -> int:
    bits = 32 if format == "int32" else 64
    return (value + 2 ** (bits - 1)) % 2 ** bits - 2 ** (bits - 1)


# Schema nodes as _walk reads them, by identity: every node is part of `openapi.definitions()`,
# which never changes, so each is resolved once rather than at every value it describes.
_RESOLVED: dict[int, tuple[dict, tuple[str, dict, str | None, str]]] = {}
_ANY_VALUE: dict = {}  # the items of a list whose schema names none
# The nodes whose every string (or boolean) value _walk would pass as it is, by id, with that type:
# a struct's or map's member of such a type is passed over without a call, as most of a body is.
_LEAF_TYPES: dict[int, type] = {}


def _resolved(schema: dict) -> tuple[str, dict, str | None, str]:
    """A schema node's definition name (when it refers to one), the schema it stands for, the JSON
    type that schema expects (None for any) and its format."""
    known = _RESOLVED.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    name = schema.get("$ref", "").removeprefix(REF_PREFIX)
    target = openapi.definitions().get(name, {}) if name and name != QUANTITY else schema
    expected = target.get("type")
    if expected is None and "properties" in target:
        expected = "object"
    resolved = name, target, expected, target.get("format", "")
    _RESOLVED[id(schema)] = schema, resolved  # the node is kept, so its id is never another's
    if name != QUANTITY and (expected == "boolean" or (expected == "string" and not resolved[3])):
        _LEAF_TYPES[id(schema)] = bool if expected == "boolean" else str
    return resolved


# A CRD schema's additionalProperties: JSONSchemaPropsOrBool decodes itself by the JSON's first byte.
_SCHEMA_OR_BOOL = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool"


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.JSONSchemaPropsOrBool).UnmarshalJSON")
def _schema_or_bool_problem(value: object) -> str | None:
    """An object is a schema, true or false whether more properties are allowed; nothing else."""
    return None if isinstance(value, (dict, bool)) else "boolean or JSON schema expected"


def _passes_as_it_is(value: object, schema: dict) -> bool:
    """Whether _walk would take `value` as it is, at depth 0, with nothing to check: a string of a
    plain string type or a boolean, once the node has been resolved."""
    leaf = _LEAF_TYPES.get(id(schema))
    return leaf is not None and isinstance(value, leaf)


def _walk(value: object, schema: dict, path: Path, field: _Field, body: _Body, go_type: str | None) -> int:
    """Check `value` against `schema`, dropping unknown fields; how deep lists and objects nest in
    what is kept (0 for a scalar). `go_type` is the Go type of `value` where the schema does not
    name it (a field of a named string type, or the element of a list of them)."""
    declared = schema
    name, schema, expected, format = _resolved(schema)
    if name == QUANTITY:
        problem = _quantity_problem(value)
        if problem:
            raise body.refuse(problem, problem)  # Quantity unmarshals itself, in the converter too
        return 0
    if value is None:
        return 0
    if name == FIELDS_V1:  # FieldsV1.UnmarshalJSON keeps any JSON as its raw bytes
        return decoding.nesting_of(value)
    if name == _SCHEMA_OR_BOOL and (problem := _schema_or_bool_problem(value)):
        raise body.refuse(problem, problem)
    if expected is None:
        return decoding.nesting_of(value)
    if expected == "string" and not format and isinstance(value, str):
        return 0  # the commonest value, which nothing below can refuse
    mismatched = not _matches(value, expected, format)
    if mismatched or _out_of_range(value, format):
        named = go_type or _go_type(declared)
        problem = _type_error(value, named, field)
        conversion = conversion_problem(value, declared, named) if mismatched else None
        if named.removeprefix("*") in _UNMARSHALS_INTO:
            raise body.refuse(problem, conversion)  # its UnmarshalJSON's error ends the decoding
        body.save(problem, conversion)
        return 0
    problem = _format_problem(value, format, name)
    if problem and format == "byte":
        body.save(problem, f"error decoding from json: {problem}")
        return 0
    if problem:
        raise body.refuse(problem, problem)  # a Time's UnmarshalJSON: its error ends the decoding
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return decoding.nesting_of(value)
    deepest = 0
    if expected == "array":
        items = schema.get("items") or _ANY_VALUE
        for index, item in enumerate(value):
            if item is None:
                item = value[index] = _zero_value(items)
            if not _passes_as_it_is(item, items):
                deepest = max(deepest, _walk(item, items, (path, index), field, body, _element_type(go_type)))
        return deepest + 1
    if expected == "object":
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        struct = name.rpartition(".")[2] or field.struct
        field_types = kinds.GO_TYPES.get(name, {})
        shadowed = getattr(value, "shadowed", None)
        for key in list(value):
            known = properties is not None and key in properties
            child = properties[key] if known else extra
            if shadowed and key in shadowed and isinstance(child, dict):
                # A key written twice: a struct field holds what decoding each value into it made, a
                # map entry the last value. encoding/json met the wrong type of any value replaced
                # (which is no part of what is kept, so its walk may change it).
                replaced = [(earlier, child) for earlier in shadowed[key]]
                if known:
                    value[key], replaced = _written_into([*shadowed[key], value[key]], child,
                                                         _is_no_pointer(name, key))
                for earlier, schema in replaced:
                    _walk(earlier, schema, (path, key), field.enter(struct, key) if known else field,
                          body.with_unknown([]),
                          (field_types.get(key) if known else _element_type(go_type)) if schema is child else None)
            if isinstance(value[key], list) and isinstance(child, dict) and child.get("format") == "byte":
                value[key] = _bytes_as_base64(value[key], field.enter(struct, key) if known else field, body)
            if properties is not None and key in properties:
                if value[key] is None and _json_kind(properties[key]) in _ZEROS:
                    # encoding/json leaves a struct, map or scalar field its zero value (or nil),
                    # as if it were absent; a null list is kept, as Go writes a nil slice back.
                    del value[key]
                    continue
                if value[key] is None and _resolved(properties[key])[3] == "int-or-string":
                    if not _is_no_pointer(name, key):
                        del value[key]  # a nil *IntOrString, which defaulting may fill
                        continue
                    value[key] = _null_decoded_into(None, properties[key])
                if _passes_as_it_is(value[key], properties[key]):
                    continue
                depth = _walk(value[key], properties[key], (path, key), field.enter(struct, key), body,
                              field_types.get(key))
            elif isinstance(extra, dict):
                if value[key] is None and extra.get("type") == "string":
                    value[key] = ""  # encoding/json stores a null map value as the zero string
                elif value[key] is None and extra.get("$ref") == REF_PREFIX + QUANTITY:
                    value[key] = "0"  # and Quantity's UnmarshalJSON makes it the zero Quantity
                if _passes_as_it_is(value[key], extra):
                    continue
                depth = _walk(value[key], extra, (path, key), field, body, _element_type(go_type))
            elif properties is not None:
                body.unknown.append(_spell((path, key)))
                del value[key]
                continue
            else:  # an object of any content: kept as it is
                depth = decoding.nesting_of(value[key])
            deepest = max(deepest, depth)
        return deepest + 1
    return 0


@mirrors("(*encoding/json.decodeState).value")
def _written_into(writes: list, schema: dict, no_pointer: bool) -> tuple[object, list[tuple[object, dict]]]:
    """What a struct field of the type `schema` describes holds once encoding/json has decoded each
    of `writes` (the values its key was written with, in order) into it, and the values it replaced
    whole, each with its schema, for their type checks. A later value decodes into what is there
    (see `_decoded_into`), a null into a field that is `no_pointer` too (see `_null_decoded_into`)."""
    replaced: list[tuple[object, dict]] = []
    held = _owned(writes[0])
    for later in writes[1:]:
        if later is None and no_pointer:
            held = _null_decoded_into(held, schema)
            continue
        held = _decoded_into(held, later, schema, replaced)
    return _value(held), replaced


@functools.cache
def _is_no_pointer(definition: str, key: str) -> bool:
    """Whether field `key` of the struct `definition` is no pointer, map, slice or interface (which
    a null sets to nil). The protobuf layouts say: such a field is written when zero; a kind with
    no layout here names its own (`kinds.NO_POINTER_FIELDS`)."""
    message = gostruct.layout_message(definition)
    if message not in protobuf.MESSAGES:
        return key in kinds.NO_POINTER_FIELDS.get(definition, ())
    field = gostruct.struct_fields(message).get(key)
    return (field is not None and field.label == "optional"
            and (field.omit_zero or field.when_absent == "zero"))


@mirrors("(*encoding/json.decodeState).literalStore",
         "(*k8s.io/apimachinery/pkg/util/intstr.IntOrString).UnmarshalJSON",
         "(*k8s.io/apimachinery/pkg/api/resource.Quantity).UnmarshalJSON")
def _null_decoded_into(held: object, schema: dict) -> object:
    """What a value that is no pointer (a struct field, a slice element) holds once a null is
    decoded into it: literalStore ignores the null (`hostname: "h"` then `hostname: null` keeps "h",
    a struct element stays), but a type that unmarshals itself decides: IntOrString reads anything
    but a string as its int and keeps its IntVal (0 after a string, its StrVal kept), Quantity and
    Time become their zero, a RawExtension ignores it. A map or a slice is nil."""
    name, target, expected, format = _resolved(schema)
    if format == "int-or-string":
        if isinstance(held, str):  # its StrVal stays beside the Int 0: no zero value to defaulting
            return intstr.IntBesideString(0) if held else 0
        return held if isinstance(held, int) and not isinstance(held, bool) else 0
    if name == QUANTITY:
        return "0"
    if format == "date-time" or expected == "array" or (expected == "object" and "properties" not in target):
        return None
    return held


class _Slice:
    """A slice being decoded into, as Go holds it: its backing array, elements owned (see `_owned`),
    and its length. Elements past the length stay for a later, longer array to decode into
    (golang/go#21092); decoding in place keeps a key written n times linear in n."""

    __slots__ = ("backing", "length")

    def __init__(self, backing: list) -> None:
        self.backing, self.length = backing, len(backing)


def _owned(value: object) -> object:
    """A value to decode into in place: an object copied, an array made a `_Slice` of owned
    elements, so the values written stay as written for their type checks."""
    if isinstance(value, dict):
        return decoding.repeated(value)
    return _Slice([_owned(item) for item in value]) if isinstance(value, list) else value


def _value(held: object) -> object:
    """What `held` is once decoded: a `_Slice` the list of its elements up to its length."""
    if isinstance(held, _Slice):
        return [_value(item) for item in held.backing[:held.length]]
    return held


def _decoded_into(held: object, later: object, schema: dict, replaced: list[tuple[object, dict]]) -> object:
    """`held` (owned, see `_owned`) once `later` is decoded into it. A struct takes each field of
    `later` as another write of that field (the walk decides them by the field's type); a map keeps
    its entries, `later`'s replacing those it names again (mapElem is zeroed for each); a slice
    decodes each element into the element at its index, those past the earlier length too while
    the backing array has them (golang/go#21092), and is cut to `later`'s length (an empty array
    is a new empty slice). Anything else, a null and a type with its own UnmarshalJSON (Quantity,
    IntOrString, Time, RawExtension) or of any content (interface{}), is replaced."""
    _, target, expected, _ = _resolved(schema)
    mergeable = not target.get("x-kubernetes-preserve-unknown-fields") and not schema.get(
        "x-kubernetes-preserve-unknown-fields")
    if mergeable and expected == "object" and isinstance(held, dict) and isinstance(later, dict) and (
            "properties" in target or isinstance(target.get("additionalProperties"), dict)):
        # Every value `later` writes is one more write of its key: the walk decodes a struct
        # field's writes into it by the field's type and keeps a map entry's last.
        return decoding.write_all(held, later)
    if mergeable and expected == "array" and isinstance(held, _Slice) and isinstance(later, list) and later:
        return _slice_decoded(held, later, target.get("items") or _ANY_VALUE, replaced)
    replaced.append((_value(held), schema))
    return _owned(later)


@mirrors("(*encoding/json.decodeState).array")
def _slice_decoded(held: _Slice, later: list, items: dict, replaced: list[tuple[object, dict]]) -> _Slice:
    """`held` with the elements of `later` decoded into its backing array in place, element by
    element (appended past its end), and its length `later`'s."""
    backing = held.backing
    for index, item in enumerate(later):
        if index >= len(backing):
            backing.append(_owned(item))
        elif item is None:
            backing[index] = _null_decoded_into(backing[index], items)
        else:
            backing[index] = _decoded_into(backing[index], item, items, replaced)
    held.length = len(later)
    return held


@mirrors("(*encoding/json.decodeState).array")
def _bytes_as_base64(items: list, field: _Field, body: _Body) -> str:
    """A JSON array met where a []byte is: encoding/json reads only a string as base64 and decodes an
    array element by element, each a uint8 (a null is 0). Kept as the base64 the field writes back."""
    decoded = bytearray()
    for item in items:
        if item is None:
            item = 0
        if not isinstance(item, int) or isinstance(item, bool) or not 0 <= item <= 255:
            shown = f"number {item}" if gojson.type_name(item) == "number" else gojson.type_name(item)
            body.save(gojson.type_error(shown, "uint8", field.where()))
            item = 0
        decoded.append(item)
    return base64.b64encode(bytes(decoded)).decode()


_ZEROS = {"object": dict, "string": str, "integer": int, "number": int, "boolean": bool}


def _json_kind(schema: dict) -> str | None:
    """The JSON type a schema (or the definition it refers to) describes; None for a Quantity, an
    IntOrString or a value of any type."""
    name = schema.get("$ref", "").removeprefix(REF_PREFIX)
    if name:
        if name == QUANTITY:
            return None
        schema = openapi.definitions().get(name, {})
    if schema.get("format") == "int-or-string":
        return None
    return schema.get("type") or ("object" if "properties" in schema else None)


def _zero_value(schema: dict) -> object:
    """What encoding/json leaves in a slice element for a JSON null: the element type's zero value
    (`rules: [null]` holds one empty PolicyRule)."""
    zero = _ZEROS.get(_json_kind(schema))
    return zero() if zero else None


# What parseQuantityString reads: a signed number with at most one '.', then suffix letters, a sign
# and digits; and the suffixes quantitySuffixer.interpret knows.
_QUANTITY_PARTS = re.compile(r"([+-]?[0-9]*(?:\.[0-9]*)?)([eEinumkKMGTP]*[-+]?[0-9]*)")
_QUANTITY_SUFFIX = re.compile(r"[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+|")
QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


@mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).UnmarshalJSON")
def _quantity_problem(value: object) -> str | None:
    """Why a JSON value is no resource.Quantity: a number or a string that parses is one, and any
    other JSON is parsed as text, which no quantity matches."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return None
    return quantity_problem(value) if isinstance(value, str) else QUANTITY_FORMAT


@mirrors("k8s.io/apimachinery/pkg/api/resource.ParseQuantity",
         "k8s.io/apimachinery/pkg/api/resource.parseQuantityString")
def quantity_problem(text: str) -> str | None:
    """Why `text` is no resource.Quantity (ErrFormatWrong, ErrSuffix, ErrNumeric), or None."""
    if quantity.is_quantity(text):
        return None
    parts = _QUANTITY_PARTS.fullmatch(text.strip())
    if not text.strip() or not parts:
        return QUANTITY_FORMAT
    if not _QUANTITY_SUFFIX.fullmatch(parts.group(2)) or quantity.exponent_overflows(parts.group(2)):
        return "unable to parse quantity's suffix"
    return "unable to parse numeric part of quantity"


def _out_of_range(value: object, format: str) -> bool:
    """An integer its Go type (int32, else int64; an IntOrString's int32) cannot hold; encoding/json
    calls that a type mismatch."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    low, high = _INT_RANGES.get("int32" if format == "int-or-string" else format, _INT_RANGES["int64"])
    return not low <= value <= high


@functools.lru_cache(maxsize=4096)
def _time_problem(text: str, micro: bool) -> str | None:
    """`timefmt.rfc3339_parse_error`, remembered: a body's times are mostly a few seconds over and
    over (its creation, its managedFields entries, its conditions), so each text is parsed once."""
    return timefmt.rfc3339_parse_error(text, micro)


def _format_problem(value: object, format: str, name: str) -> str | None:
    """What decoding a string of the right type still refuses: base64 that does not decode
    (`byte`), a time that is not RFC 3339 (`date-time`; a MicroTime, named `name`, with exactly
    six digits of fraction)."""
    if not isinstance(value, str):
        return None
    if format == "byte":
        return gojson.base64_error(value)
    if format == "date-time":
        return None if isinstance(value, timefmt.DecodedTime) else _time_problem(value, name == MICRO_TIME)
    return None


def _matches(value: object, expected: str, format: str) -> bool:
    if format == "int-or-string":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list)
    if expected == "object":
        return isinstance(value, dict)
    return True


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.fieldValidation")
def directive(values: list[str]) -> str:
    """The `fieldValidation` query parameter, already validated with the write's options: Ignore
    whatever it says while the feature gate is off, as 1.24 has it; with the gate, absent or
    empty means Ignore here (upstream's gate makes it Warn)."""
    if not SERVER_SIDE_FIELD_VALIDATION:
        return "Ignore"
    return values[0] if values and values[0] else "Ignore"


def apply(decoded: Decoded, directive_value: str) -> list[str]:
    """The warnings to send (Warn), or a 400 for unknown fields (Strict); nothing for Ignore."""
    if not decoded.unknown or directive_value == "Ignore":
        return []
    messages = [f'unknown field "{path}"' for path in decoded.unknown]
    if directive_value == "Strict":
        raise errors.bad_request("strict decoding error: " + ", ".join(messages))
    return messages
