"""Objects as the real apiserver holds a built-in kind: decoded into its Go struct, and encoded
again by encoding/json, which writes the fields in the struct's order (TypeMeta's `kind` before
`apiVersion`, then `metadata`, `spec`, `status`) and leaves out the zero value of an `omitempty`
field that is no pointer: `hostNetwork: false`, `nodeName: ""`, `tolerations: []`. A pointer's
zero (`automountServiceAccountToken: false`, `replicas: 0`) is a value Go keeps. And it writes
what the client never sent, since the struct holds it anyway: a struct value (`status: {}`, even
with omitempty), a zero Time (`firstTimestamp: null`), a scalar without omitempty
(`reportingComponent: ""`) and a nil pointer, slice or map without omitempty (`rules: null`).

Decoding writes none of these zeros, and already loses a zero scalar, which the struct cannot
tell from an absent one; an empty list or map is still there (non-nil) for admission and
validation to see (`capacity: {}` is `ResourceList{}` to them), until the object is encoded for
storage or converted for the field manager, both of which leave it out.

The facts are the protobuf layouts (`protobuf.MESSAGES`), which list each struct's fields in Go's
order and mark the `omitempty` fields that are no pointers with `?`, the fields always written
with `!` and the nil ones written as null with `*`. Custom resources are
unstructured maps, encoded with their keys sorted (customresource.as_unstructured), not here.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from reference_impl.apiserver.core.protobuf import (INT_OR_STRING, MESSAGES, QUANTITY, SPECIAL, TIMES, Field,
                                                    ProtobufError, message_type)
from reference_impl.machinery import quantity, timefmt
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors

# metav1.TypeMeta, inline at the top of every kind's struct and in no protobuf message.
TYPE_META = ("kind", "apiVersion")


@functools.cache
def struct_fields(message: str) -> dict[str, Field]:
    """A message's fields by JSON name in the Go struct's order, an inline struct's
    (`ProbeHandler` in `Probe`) in its place."""
    fields: dict[str, Field] = {}
    for field in MESSAGES[message].values():
        if field.label == "inline":
            fields.update(struct_fields(field.type))
        else:
            fields[field.name] = field
    return fields


def layout_message(definition: str) -> str:
    """The protobuf layout's name for an OpenAPI definition: `io.k8s.api.core.v1.PodSpec` is
    `core.PodSpec`, `io.k8s.api.autoscaling.v2.MetricSpec` `autoscaling.v2.MetricSpec`."""
    *package, version, kind = definition.split(".")
    group = "meta" if package[-2:] == ["apis", "meta"] else package[-1]
    return f"{group}.{kind}" if version == "v1" else f"{group}.{version}.{kind}"


@functools.cache
def kind_message(api_version: str, kind: str) -> str | None:
    """The message of a built-in kind, None for a kind with no Go struct here."""
    try:
        return message_type(api_version, kind)
    except ProtobufError:
        return None


@mirrors("encoding/json.Marshal")
def as_encoded(obj: dict) -> dict:
    """`obj` as encoding/json writes its kind's struct (found by its apiVersion and kind);
    `obj` itself when there is none. Fields the struct does not know (none, once decoded) stay,
    after the known ones."""
    return _as_struct(obj, keep_empty=False)


@mirrors("encoding/json.Marshal")
def as_encoded_message(value: object, message: str) -> object:
    """`value` as encoding/json writes the struct of `message` (`meta.ObjectMeta` inside a kind
    with no layout of its own); anything but an object as it is."""
    return _encoded(value, message, keep_empty=False) if isinstance(value, dict) else value


@mirrors("encoding/json.Unmarshal")
def as_decoded(obj: dict) -> dict:
    """`obj` as its kind's struct holds it once decoded: `as_encoded`, but with the empty lists
    and maps sent."""
    return _as_struct(obj, keep_empty=True)


@mirrors("(*k8s.io/apimachinery/pkg/runtime.Scheme).New")
def zero_object(obj: dict) -> dict | None:
    """The zero value of `obj`'s kind, encoded (what a create's field manager compares with);
    None for a kind with no struct here."""
    type_meta = {key: obj[key] for key in TYPE_META if key in obj}
    zero = as_encoded(type_meta)
    return zero if zero is not type_meta else None


def _as_struct(obj: dict, keep_empty: bool) -> dict:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    message = kind_message(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
    if message is None:
        return obj
    return _encoded(obj, message, keep_empty)


# How a field's value is encoded: as it is (a scalar, or a type that encodes itself), as a
# struct, a list of structs or a map of structs, as a map of scalars (its keys sorted, as
# encoding/json writes every map), or as a Quantity or a map of them (a ResourceList) in the
# text Quantity.MarshalJSON writes, or as a Time or MicroTime (null for the zero instant however
# it was written, as their MarshalJSON writes IsZero). Decoding keeps a Quantity's text, a time's
# text and a map's order: the validation messages quote the text sent, and an Event's eventTime
# naming the zero instant is set (Local() gives it a location) until it is encoded.
AS_IS, STRUCT, STRUCTS, STRUCT_MAP, SCALAR_MAP, QUANTITY_VALUE, QUANTITY_MAP, TIME_VALUE = range(8)
# The zero of each scalar type and of the apimachinery types that marshal themselves: a zero
# Time, MicroTime or RawExtension marshals as null, a zero Quantity as "0".
SCALAR_ZEROS = {"string": "", "bool": False, "meta.Time": None, "meta.MicroTime": None, "runtime.RawExtension": None,
                QUANTITY: "0", INT_OR_STRING: 0}
# What a field left out is written as: nothing, a shared immutable zero, or a fresh copy of a
# struct's zero (the caller may change what it gets; a zero is plain JSON, so deep_copy_json
# copies it, at a twentieth of copy.deepcopy's cost).
NOTHING, SHARED_ZERO, COPIED_ZERO = range(3)


class Plan(NamedTuple):
    """How one field of a struct is encoded."""
    name: str
    omit_zero: bool  # omitempty and no pointer
    how: int
    type: str
    when_absent: str  # what is written when the field is absent: "zero", "null" or nothing


class Step(NamedTuple):
    """A `Plan` as `_encoded` reads it, field by field in one unpacking: what an absent field
    is written as (`absent`, and `zero`) worked out once."""
    name: str
    omit_zero: bool
    how: int
    type: str
    absent: int
    zero: object


@functools.cache
def _plan(message: str) -> tuple[Plan, ...]:
    """The fields of a message in the struct's order."""
    plan = []
    for name, field in struct_fields(message).items():
        how = AS_IS
        if field.type in MESSAGES and field.type not in SPECIAL:
            how = {"repeated": STRUCTS, "map": STRUCT_MAP}.get(field.label, STRUCT)
        elif field.type == QUANTITY:
            how = {"map": QUANTITY_MAP, "optional": QUANTITY_VALUE}.get(field.label, AS_IS)
        elif field.type in TIMES and field.label == "optional":
            how = TIME_VALUE
        elif field.label == "map":
            how = SCALAR_MAP
        plan.append(Plan(name, field.omit_zero, how, field.type, field.when_absent))
    return tuple(plan)


@functools.cache
def _steps(message: str, keep_empty: bool) -> tuple[tuple[Step, ...], frozenset[str]]:
    """The message's steps in the struct's order, and the names of its fields; decoding
    (`keep_empty`) leaves maps, quantities and times as they were sent."""
    steps = []
    for field in _plan(message):
        absent, zero = NOTHING, None
        if field.when_absent:
            zero = _zero(field)
            absent = COPIED_ZERO if isinstance(zero, dict) else SHARED_ZERO
        how = AS_IS if keep_empty and field.how >= SCALAR_MAP else field.how
        steps.append(Step(field.name, field.omit_zero, how, field.type, absent, zero))
    return tuple(steps), frozenset(struct_fields(message))


@functools.cache
def _zero(field: Plan) -> object:
    """What encoding/json writes for the field's zero value: a nil pointer, slice or map is null,
    a struct is its own encoding of {}, a scalar its zero."""
    if field.when_absent == "null":
        return None
    if field.how == STRUCT:
        return _encoded({}, field.type, keep_empty=False)
    return SCALAR_ZEROS.get(field.type, 0)


# The steps `_encoded` takes for one shape of a struct's value (its message, whether empty values
# are kept, and its keys in order): only those of the fields present and of the absent ones that
# are written anyway, which is all that the full walk writes (an absent field with nothing to
# write is skipped). A pod's PodSpec sets about a fifth of its 36 fields, so walking every field of
# every struct was most of an encode. A client sends few shapes; the cache starts over when full.
_SHAPES: dict[tuple, tuple[tuple[Step, ...], bool]] = {}
_SHAPES_MAX = 8192


def _shape(message: str, keep_empty: bool, keys: tuple[str, ...]) -> tuple[tuple[Step, ...], bool]:
    """The steps for a value with `keys`, and whether it has fields its struct does not know."""
    steps, known = _steps(message, keep_empty)
    present = set(keys)
    taken = tuple(step for step in steps if step.name in present or (step.absent and not keep_empty))
    if len(_SHAPES) >= _SHAPES_MAX:
        _SHAPES.clear()
    shape = _SHAPES[(message, keep_empty, keys)] = (taken, not present <= known)
    return shape


def _encoded(value: dict, message: str, keep_empty: bool) -> dict:
    encoded = {}
    keys = tuple(value)
    shape = _SHAPES.get((message, keep_empty, keys)) or _shape(message, keep_empty, keys)
    steps, unknown = shape
    get = value.get
    for name, omit_zero, how, type_, absent, zero in steps:
        item = get(name)
        if item is None and not (keep_empty and name in value):
            # A null decodes as the zero value (a nil pointer stays nil), which is written
            # unless omitempty leaves it out. Decoding keeps a null sent, as the stored object
            # an update compares with holds one where Go's struct has a nil.
            if absent and not keep_empty:
                encoded[name] = deep_copy_json(zero) if absent == COPIED_ZERO else zero
            continue
        # false, 0, "", and unless kept, [] and {}
        if omit_zero and not item and not (keep_empty and isinstance(item, (list, dict))):
            continue
        if how:
            item = _encoded_value(item, how, type_, keep_empty)
        encoded[name] = item
    if unknown:
        return _with_unknown_fields(encoded, value, _steps(message, keep_empty)[1])
    return encoded


def _with_unknown_fields(encoded: dict, value: dict, known: frozenset[str]) -> dict:
    """`encoded` with the fields of `value` its struct does not know after the known ones, but
    TypeMeta first: no layout lists it, and it is inline at the top of every kind's struct, at
    the top level and embedded (a StatefulSet's claim templates)."""
    type_meta = {key: value[key] for key in TYPE_META if key in value and key not in known}
    encoded = {**type_meta, **encoded} if type_meta else encoded
    encoded.update((key, item) for key, item in value.items() if key not in known and key not in type_meta)
    return encoded


def _encoded_value(item: object, how: int, type_: str, keep_empty: bool) -> object:
    """A field's value that is no plain scalar, encoded `how` its plan says."""
    if how == STRUCT and isinstance(item, dict):
        return _encoded(item, type_, keep_empty)
    if how == STRUCTS and isinstance(item, list):
        return [_encoded(element, type_, keep_empty) if isinstance(element, dict) else element for element in item]
    if how == QUANTITY_VALUE:
        return quantity.marshaled(item)
    if how == TIME_VALUE:
        return None if timefmt.is_zero_instant(item) else item
    if not isinstance(item, dict):
        return item
    if how == STRUCT_MAP:
        return {key: _encoded(element, type_, keep_empty) if isinstance(element, dict) else element
                for key, element in (item.items() if keep_empty else sorted(item.items()))}
    if how == QUANTITY_MAP:
        return {key: quantity.marshaled(element) for key, element in sorted(item.items())}
    return dict(sorted(item.items()))
