"""Objects as the real apiserver holds a built-in kind: decoded into its Go struct, and encoded
again by encoding/json, which writes the fields in the struct's order (TypeMeta's `kind` before
`apiVersion`, then `metadata`, `spec`, `status`) and leaves out the zero value of an `omitempty`
field that is no pointer: `hostNetwork: false`, `nodeName: ""`, `tolerations: []`. A pointer's
zero (`automountServiceAccountToken: false`, `replicas: 0`) is a value Go keeps.

Decoding already loses a zero scalar, which the struct cannot tell from an absent one; an empty
list or map is still there (non-nil) for admission and validation to see (`capacity: {}` is
`ResourceList{}` to them), until the object is encoded for storage or converted for the field
manager, both of which leave it out.

The facts are the protobuf layouts (`protobuf.MESSAGES`), which list each struct's fields in Go's
order and mark the `omitempty` fields that are no pointers with `?`. Custom resources are
unstructured: they are not encoded here and keep what the client sent.
"""
from __future__ import annotations

import functools

from reference_impl.apiserver.core.protobuf import MESSAGES, SPECIAL, Field, ProtobufError, message_type
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


@mirrors("encoding/json.Unmarshal")
def as_decoded(obj: dict) -> dict:
    """`obj` as its kind's struct holds it once decoded: `as_encoded`, but with the empty lists
    and maps sent."""
    return _as_struct(obj, keep_empty=True)


def _as_struct(obj: dict, keep_empty: bool) -> dict:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    message = kind_message(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
    if message is None:
        return obj
    encoded = {key: obj[key] for key in TYPE_META if key in obj}
    encoded.update(_encoded(obj, message, keep_empty))  # an update keeps kind and apiVersion first
    return encoded


# How a field's value is encoded: as it is (a scalar, or a type that encodes itself), or as a
# struct, a list of structs or a map of structs.
AS_IS, STRUCT, STRUCTS, STRUCT_MAP = range(4)


@functools.cache
def _plan(message: str) -> tuple[tuple[str, bool, int, str], ...]:
    """(JSON name, omitempty and no pointer, how it is encoded, its message) of each field, in order."""
    plan = []
    for name, field in struct_fields(message).items():
        how = AS_IS
        if field.type in MESSAGES and field.type not in SPECIAL:
            how = {"repeated": STRUCTS, "map": STRUCT_MAP}.get(field.label, STRUCT)
        plan.append((name, field.omit_zero, how, field.type))
    return tuple(plan)


def _encoded(value: dict, message: str, keep_empty: bool) -> dict:
    encoded = {}
    for name, omit_zero, how, child in _plan(message):
        if name not in value:
            continue
        item = value[name]
        # false, 0, "", null, and unless kept, [] and {}
        if omit_zero and not item and not (keep_empty and isinstance(item, (list, dict))):
            continue
        if how == STRUCT and isinstance(item, dict):
            item = _encoded(item, child, keep_empty)
        elif how == STRUCTS and isinstance(item, list):
            item = [_encoded(element, child, keep_empty) if isinstance(element, dict) else element
                    for element in item]
        elif how == STRUCT_MAP and isinstance(item, dict):
            item = {key: _encoded(element, child, keep_empty) if isinstance(element, dict) else element
                    for key, element in item.items()}
        encoded[name] = item
    if len(encoded) < len(value):  # fields left out, or ones the struct does not know
        encoded.update((key, item) for key, item in value.items() if key not in struct_fields(message))
    return encoded
