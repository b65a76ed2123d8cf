"""Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), to and from the same JSON
dicts a JSON body gives.

kubectl 1.32 and later send typed objects this way, and the 1.24 components (kube-controller-manager,
kube-scheduler, kubelet, kube-proxy) send and ask for nothing else by default. A body is the 4-byte
magic `k8s\\0` and a `runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is the
object's gogo-protobuf message.

The layouts are `protobuf_messages.TABLE` and the kind modules' `MESSAGES`, every message of the
served groups' v1 types. Decoding is
strict, because a field we skipped would be data lost without a word: an unknown field number, a
wire type that does not fit the field, a truncated value or a string that is not UTF-8 raises a
`ProtobufError` naming the kind and the field's JSON path. Encoding is as strict about JSON keys the
layout does not know.

The apimachinery types whose JSON is not their message shape (Time, MicroTime, Quantity,
IntOrString, RawExtension, FieldsV1) are converted both ways. gogo writes every non-pointer field,
so decoding leaves out what Go's JSON would: the zero value of an `omitempty` scalar (TABLE marks
them), empty lists and maps, and zero times. A message that is present stays, even empty: a pointer
to an empty struct (`emptyDir: {}`) is a value.
"""
from __future__ import annotations

import base64
import calendar
import functools
import json
import re
import struct
import time
from typing import Any, NamedTuple

from reference_impl.apiserver.core.protobuf_messages import TABLE
from reference_impl.apiserver.kinds import MESSAGES as KIND_MESSAGES
from reference_impl.machinery.protowire import (FieldError, VarintError, consume_field, consume_varint, encode_varint,
                                                int64)
from reference_impl.mirrors import mirrors

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
VARINTS = {"bool", "int32", "int64", "uint32", "uint64"}
FIXED = {"double": (1, "<d"), "float": (5, "<f")}
SCALARS = VARINTS | set(FIXED) | {"string", "bytes"}
TIMES = {"meta.Time", "meta.MicroTime"}
INT_OR_STRING, QUANTITY = "intstr.IntOrString", "resource.Quantity"
RAW_JSON = {"runtime.RawExtension", "meta.FieldsV1"}  # one bytes field 1 that holds JSON
SPECIAL = TIMES | RAW_JSON | {INT_OR_STRING, QUANTITY}

# The package of each API group's v1 messages in TABLE.
PACKAGES = {"": "core", "apps": "apps", "batch": "batch", "coordination.k8s.io": "coordination",
            "discovery.k8s.io": "discovery", "events.k8s.io": "events", "storage.k8s.io": "storage",
            "policy": "policy", "certificates.k8s.io": "certificates", "rbac.authorization.k8s.io": "rbac",
            "authorization.k8s.io": "authorization", "authentication.k8s.io": "authentication",
            "autoscaling": "autoscaling", "networking.k8s.io": "networking", "node.k8s.io": "node",
            "scheduling.k8s.io": "scheduling", "admissionregistration.k8s.io": "admissionregistration",
            "meta.k8s.io": "meta", "apiregistration.k8s.io": "apiregistration",
            "flowcontrol.apiserver.k8s.io": "flowcontrol"}
# Registered in every group version (metav1.AddToGroupVersion), so their typeMeta names any group;
# the discovery documents go out with the version of their own endpoint (`v1`, or none for /api/v1).
META_KINDS = {"Status", "DeleteOptions", "ListOptions", "APIVersions", "APIGroupList", "APIGroup", "APIResourceList"}


class ProtobufError(ValueError):
    """A body that is not a well-formed Kubernetes protobuf message of a kind we serve."""


class Field(NamedTuple):
    """One field of a message layout: its JSON name, its type (a scalar or a message's name in
    TABLE) and its label: "optional", "repeated", "map" (a map<string, type>) or "inline" (a
    message whose fields sit in its parent's JSON, `VolumeSource` in `Volume`); `omit_zero` when its
    zero value means absent (an `omitempty` field that is not a pointer); `when_absent` what
    encoding/json writes for it when the client left it out: "zero" (a struct value or a field
    without omitempty), "null" (a nil pointer, slice or map without omitempty), or "" (nothing)."""
    name: str
    type: str
    label: str = "optional"
    omit_zero: bool = False
    when_absent: str = ""


# The markers after a JSON name in a layout (see protobuf_messages).
MARKERS = {"?": "", "!": "zero", "*": "null"}


def _parse(table: str) -> tuple[dict[str, dict[int, Field]], set[str]]:
    messages: dict[str, dict[int, Field]] = {}
    named_lists = set()
    for entry in re.split(r"\n(?! )", table.strip()):
        name, _, body = entry.partition(":")
        body = " ".join(body.split())
        if body.startswith("= []"):  # a named slice: `message ExtraValue { repeated string items = 1; }`
            messages[name] = {1: Field("items", body[4:], "repeated")}
            named_lists.add(name)
            continue
        layout = messages[name] = {}
        for part in body.split("; "):
            number, json_name, type_ = part.split()
            label = "inline" if json_name == "-" else {"[]": "repeated", "{}": "map"}.get(type_[:2], "optional")
            marker = json_name[-1] if json_name[-1] in MARKERS else ""
            type_ = type_[2:] if label in ("repeated", "map") else type_
            layout[int(number)] = Field(json_name.removesuffix(marker), type_, label, marker == "?", MARKERS.get(marker, ""))
    return messages, named_lists


MESSAGES, NAMED_LISTS = _parse(TABLE.strip() + "\n" + KIND_MESSAGES)
# The envelope (runtime.TypeMeta is apiVersion=1, kind=2, unlike meta/v1's TypeMeta).
MESSAGES["runtime.TypeMeta"] = {1: Field("apiVersion", "string"), 2: Field("kind", "string")}
MESSAGES["runtime.Unknown"] = {1: Field("typeMeta", "runtime.TypeMeta"), 2: Field("raw", "bytes"),
                               3: Field("contentEncoding", "string"), 4: Field("contentType", "string")}
# The messages behind the special types, read as strictly as the others before their JSON is made.
MESSAGES.update({time_type: {1: Field("seconds", "int64"), 2: Field("nanos", "int32")} for time_type in TIMES})
MESSAGES.update({raw_type: {1: Field("raw", "bytes")} for raw_type in RAW_JSON})
MESSAGES[INT_OR_STRING] = {1: Field("type", "int64"), 2: Field("intVal", "int32"), 3: Field("strVal", "string")}
MESSAGES[QUANTITY] = {1: Field("string", "string")}


def message_type(api_version: str, kind: str) -> str:
    """The TABLE name of the message for an apiVersion and kind; ProtobufError if there is none."""
    group, _, version = api_version.rpartition("/")
    if kind in META_KINDS:
        return "meta." + kind
    package = PACKAGES.get(group) if version == "v1" else f"{PACKAGES.get(group)}.{version}"
    name = f"{package}.{kind}"
    if group not in PACKAGES or name not in MESSAGES:
        raise ProtobufError(f"no protobuf layout for {api_version or '(no apiVersion)'} {kind or '(no kind)'}")
    return name


# --- wire format ------------------------------------------------------------------------------


def _wire_type(field: Field) -> int:
    if field.type in VARINTS:
        return 0
    return FIXED[field.type][0] if field.type in FIXED else 2


def _varint(data: bytes, at: int, path: str) -> tuple[int, int]:
    try:
        return consume_varint(data, at)
    except VarintError as err:
        raise ProtobufError(f"{path}: {err}") from None


def fields(data: bytes, path: str = ""):
    """(field number, wire type, value) for each field of one message: ints for varints, bytes
    otherwise. Raises ProtobufError, naming `path`, for a message cut short."""
    at = 0
    while at < len(data):
        try:
            number, wire, value, at = consume_field(data, at)
        except FieldError as err:
            never_used = ", which Kubernetes never uses" if err.wire_type is not None else ""
            raise ProtobufError(f"{path}: {err}{never_used}") from None
        except VarintError as err:
            raise ProtobufError(f"{path}: {err}") from None
        yield number, wire, value


def put(number: int, wire: int, payload: int | bytes) -> bytes:
    """One field as `fields` reads it back: its key, then the varint or the bytes."""
    key = encode_varint(number << 3 | wire)
    if wire == 0:
        return key + encode_varint(payload)
    return key + (encode_varint(len(payload)) if wire == 2 else b"") + payload


# --- decoding ---------------------------------------------------------------------------------


def _rfc3339(seconds: int, micros: int | None, path: str) -> str:
    try:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError) as err:
        raise ProtobufError(f"{path}: {seconds} seconds is not a time") from err
    return f"{stamp}.{micros:06d}Z" if micros is not None else f"{stamp}Z"


def _signed(value: int, bits: int, path: str) -> int:
    value = int64(value)
    if bits == 32 and not -(1 << 31) <= value < 1 << 31:
        raise ProtobufError(f"{path}: {value} does not fit an int32")
    return value


def _special(type_: str, data: bytes, path: str) -> Any:
    """The JSON form of the apimachinery types that do not marshal as their message."""
    values = decode_message(type_, data, path)
    if type_ in TIMES:
        seconds, nanos = values.get("seconds", 0), values.get("nanos", 0)
        if not seconds and not nanos:
            return None
        return _rfc3339(seconds, nanos // 1000 if type_ == "meta.MicroTime" else None, path)
    if type_ == INT_OR_STRING:
        return values.get("strVal", "") if values.get("type") == 1 else values.get("intVal", 0)
    if type_ == QUANTITY:
        return values.get("string", "")
    raw = base64.b64decode(values.get("raw", ""))
    try:
        return json.loads(raw) if raw else None
    except ValueError as err:
        raise ProtobufError(f"{path}: the raw object is not JSON ({err})") from err


def _string(raw: bytes, path: str) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as err:
        raise ProtobufError(f"{path}: a string that is not UTF-8") from err


def _value(field: Field, raw: Any, path: str) -> Any:
    type_ = field.type
    if type_ == "string":
        return _string(raw, path)
    if type_ == "bytes":
        return base64.b64encode(raw).decode()
    if type_ == "bool":
        if raw not in (0, 1):
            raise ProtobufError(f"{path}: {raw} is not a bool")
        return bool(raw)
    if type_ in ("int32", "int64"):
        return _signed(raw, 32 if type_ == "int32" else 64, path)
    if type_ in VARINTS:
        return raw
    if type_ in FIXED:
        return struct.unpack(FIXED[type_][1], raw)[0]
    if type_ in SPECIAL:
        return _special(type_, raw, path)
    if type_ in NAMED_LISTS:
        return decode_message(type_, raw, path).get("items", [])
    return decode_message(type_, raw, path)


def _expect_wire(field: Field, wire: int, path: str, number: int) -> None:
    expected = 2 if field.label == "map" else _wire_type(field)
    packed = field.label == "repeated" and wire == 2 and expected != 2
    if wire != expected and not packed:
        raise ProtobufError(f"{path}: field {number} has wire type {wire}, but {field.type} is written "
                            f"with wire type {expected}")


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def decode_message(type_: str, data: bytes, path: str = "") -> dict:
    """One message as a JSON dict, by its layout in MESSAGES; `path` (the kind and JSON field names
    down to this message) is what errors name."""
    path = path or type_.split(".")[-1]
    layout = MESSAGES[type_]
    obj: dict[str, Any] = {}
    for number, wire, raw in fields(data, path):
        field = layout.get(number)
        if field is None:
            raise ProtobufError(f"{path}: unknown field {number} (wire type {wire}) in {type_}")
        where = path if field.label == "inline" else f"{path}.{field.name}"
        _expect_wire(field, wire, where, number)
        if field.label == "inline":
            obj.update(decode_message(field.type, raw, where))
        elif field.label == "map":
            key, value = _map_entry(field, raw, where)
            obj.setdefault(field.name, {})[key] = value
        elif field.label == "repeated":
            items = obj.setdefault(field.name, [])
            if wire == 2 and field.type in VARINTS:
                at = 0
                while at < len(raw):
                    item, at = _varint(raw, at, where)
                    items.append(_value(field, item, where))
            else:
                items.append(_value(field, raw, f"{where}[{len(items)}]"))
        else:
            obj[field.name] = _value(field, raw, where)
    by_name = {field.name: field for field in layout.values()}
    return {k: v for k, v in obj.items() if k not in by_name or _present(by_name[k], v)}


def _map_entry(field: Field, data: bytes, path: str) -> tuple[str, Any]:
    """One pair of a map<string, T>, which protobuf writes as a message {1: key, 2: value}."""
    value_field = field._replace(label="optional")
    key, value = "", None
    for number, wire, raw in fields(data, path):
        if number == 1:
            _expect_wire(Field("key", "string"), wire, path, number)
            key = _string(raw, path)
        elif number == 2:
            _expect_wire(value_field, wire, f"{path}[{key}]", number)
            value = _value(value_field, raw, f"{path}[{key}]")
        else:
            raise ProtobufError(f"{path}: unknown field {number} (wire type {wire}) in a map entry")
    if value is None:  # an entry may leave out a zero value
        value = _value(value_field, 0 if _wire_type(value_field) == 0 else b"", f"{path}[{key}]")
    return key, value


def _present(field: Field, value: Any) -> bool:
    """Whether a decoded value is in the object's JSON (see the module's docstring)."""
    if value is None or (field.label in ("repeated", "map") and not value):
        return False
    return not (field.omit_zero and value in ("", 0, False))


# The fields of runtime.Unknown: typeMeta, raw, contentEncoding, contentType, all length-delimited.
_UNKNOWN_FIELDS = {1: "TypeMeta", 2: "Raw", 3: "ContentEncoding", 4: "ContentType"}


@mirrors("(*k8s.io/apimachinery/pkg/runtime.Unknown).Unmarshal", "k8s.io/apimachinery/pkg/runtime.skipGenerated")
def check_unknown(data: bytes) -> None:
    """The envelope's framing as gogo's generated Unmarshal checks it, in its words: a value cut
    short is io.ErrUnexpectedEOF whichever field it is in. The fields are read after, strictly."""
    at = 0
    while at < len(data):
        key, at = _gogo_varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 4:
            raise ProtobufError("proto: Unknown: wiretype end group for non-group")
        if number <= 0:  # gogo prints the whole key where it says wire type
            raise ProtobufError(f"proto: Unknown: illegal tag {number} (wire type {key})")
        if number in _UNKNOWN_FIELDS and wire != 2:
            raise ProtobufError(f"proto: wrong wireType = {wire} for field {_UNKNOWN_FIELDS[number]}")
        if wire == 0:
            _, at = _gogo_varint(data, at)
        elif wire in (1, 5):
            at += 8 if wire == 1 else 4
        elif wire == 2:
            size, at = _gogo_varint(data, at)
            at += size
        elif wire == 3:  # a group gogo would skip; the strict reader refuses it
            return
        else:
            raise ProtobufError(f"proto: illegal wireType {wire}")
        if at > len(data):
            raise ProtobufError("unexpected EOF")


def _gogo_varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint at `at`, refused in the words of gogo's generated loop."""
    try:
        return consume_varint(data, at)
    except VarintError as err:
        raise ProtobufError("proto: integer overflow" if err.overflow else "unexpected EOF") from None


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def decode(body: bytes) -> dict:
    """A `application/vnd.kubernetes.protobuf` body as the JSON dict of its object."""
    if not body.startswith(MAGIC):  # in the serializer's words, its prefix as Go's %v prints bytes
        raise ProtobufError("provided data does not appear to be a protobuf message, expected prefix "
                            f"[{' '.join(str(byte) for byte in MAGIC)}]")
    if body == MAGIC:
        raise ProtobufError("empty body")
    check_unknown(body[len(MAGIC):])
    envelope = decode_message("runtime.Unknown", body[len(MAGIC):], "Unknown")
    type_meta = envelope.get("typeMeta", {})
    api_version, kind = type_meta.get("apiVersion", ""), type_meta.get("kind", "")
    if envelope.get("contentEncoding"):
        raise ProtobufError(f"{kind}: content encoding {envelope['contentEncoding']!r} is not supported")
    raw = base64.b64decode(envelope.get("raw", ""))
    obj = decode_message(message_type(api_version, kind), raw, kind)
    return {"apiVersion": api_version, "kind": kind, **obj}


# --- encoding ---------------------------------------------------------------------------------


def _parse_time(value: str, path: str) -> tuple[int, int]:
    parsed = _utc_time(str(value))
    if parsed is None:
        raise ProtobufError(f"{path}: {value!r} is not an RFC 3339 time in UTC")
    return parsed


@functools.lru_cache(maxsize=4096)
def _utc_time(text: str) -> tuple[int, int] | None:
    """(seconds, nanoseconds) of an RFC 3339 time in UTC, None for other text; remembered, since
    an object's times are mostly a few seconds over and over and strptime is slow."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", text)
    if not match:
        return None
    seconds = calendar.timegm(time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S"))
    return seconds, int((match.group(2) or "0").ljust(9, "0"))


def _encode_special(type_: str, value: Any, path: str) -> bytes:
    if type_ in TIMES:
        seconds, nanos = _parse_time(value, path)
        if type_ == "meta.Time":
            nanos = 0  # metav1.Time marshals whole seconds, as its JSON does
        return put(1, 0, seconds) + put(2, 0, nanos)
    if type_ == INT_OR_STRING:
        if isinstance(value, str):
            return put(1, 0, 1) + put(2, 0, 0) + put(3, 2, value.encode())
        return put(1, 0, 0) + put(2, 0, _int(value, path)) + put(3, 2, b"")
    if type_ == QUANTITY:
        return put(1, 2, str(value).encode())
    return put(1, 2, json.dumps(value, separators=(",", ":")).encode())


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtobufError(f"{path}: {value!r} is not an integer")
    return value


def _encode_value(field: Field, value: Any, path: str) -> tuple[int, int | bytes]:
    """The wire type and payload of one value of a field's type."""
    type_ = field.type
    if type_ == "string":
        if not isinstance(value, str):
            raise ProtobufError(f"{path}: {value!r} is not a string")
        return 2, value.encode()
    if type_ == "bytes":
        try:
            return 2, base64.b64decode(value, validate=True)
        except (TypeError, ValueError) as err:
            raise ProtobufError(f"{path}: {value!r} is not base64") from err
    if type_ == "bool":
        if not isinstance(value, bool):
            raise ProtobufError(f"{path}: {value!r} is not a bool")
        return 0, int(value)
    if type_ in VARINTS:
        return 0, _int(value, path)
    if type_ in FIXED:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProtobufError(f"{path}: {value!r} is not a number")
        return FIXED[type_][0], struct.pack(FIXED[type_][1], value)
    if type_ in SPECIAL:
        return 2, _encode_special(type_, value, path)
    if type_ in NAMED_LISTS:
        return 2, encode_message(type_, {"items": value}, path)
    return 2, encode_message(type_, value, path)


def _json_names(type_: str) -> set[str]:
    names = set()
    for field in MESSAGES[type_].values():
        names |= _json_names(field.type) if field.label == "inline" else {field.name}
    return names


# Each layout's JSON names and its fields in number order, worked out once per layout (by the
# layout's identity: a test may put another layout in MESSAGES).
_PLANS: dict[str, tuple[dict, frozenset[str], tuple[tuple[int, Field], ...]]] = {}


def _plan(type_: str) -> tuple[frozenset[str], tuple[tuple[int, Field], ...]]:
    layout = MESSAGES[type_]
    known = _PLANS.get(type_)
    if known is None or known[0] is not layout:
        known = _PLANS[type_] = (layout, frozenset(_json_names(type_)), tuple(sorted(layout.items())))
    return known[1], known[2]


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Encode")
def encode_message(type_: str, obj: dict, path: str = "") -> bytes:
    """One JSON dict as its message, fields in number order as gogo writes them; a key the layout
    does not know is an error rather than left out."""
    path = path or type_.split(".")[-1]
    if not isinstance(obj, dict):
        raise ProtobufError(f"{path}: {obj!r} is not an object")
    # TypeMeta has no protobuf field: the envelope carries the kind, and list items drop it.
    names, fields = _plan(type_)
    unknown = set(obj) - names - {"apiVersion", "kind"}
    if unknown:
        raise ProtobufError(f"{path}: no protobuf field for {', '.join(sorted(unknown))} in {type_}")
    out = bytearray()
    for number, field in fields:
        if field.label == "inline":
            inner_names = _plan(field.type)[0]
            inner = {k: v for k, v in obj.items() if k in inner_names}
            if inner:
                out += put(number, 2, encode_message(field.type, inner, path))
            continue
        value = obj.get(field.name)
        if value is None:
            continue
        where = f"{path}.{field.name}"
        if field.label in ("map", "repeated") and not isinstance(value, dict if field.label == "map" else list):
            raise ProtobufError(f"{where}: {value!r} is not {'an object' if field.label == 'map' else 'a list'}")
        if field.label == "map":
            for key in sorted(value):
                entry_wire, payload = _encode_value(field, value[key], f"{where}[{key}]")
                out += put(number, 2, put(1, 2, key.encode()) + put(2, entry_wire, payload))
        elif field.label == "repeated":
            for i, item in enumerate(value):
                out += put(number, *_encode_value(field, item, f"{where}[{i}]"))
        else:
            out += put(number, *_encode_value(field, value, where))
    return bytes(out)


def encode(obj: dict) -> bytes:
    """A JSON dict with apiVersion and kind as an `application/vnd.kubernetes.protobuf` body."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    raw = encode_message(message_type(api_version, kind), obj, kind)
    type_meta = put(1, 2, api_version.encode()) + put(2, 2, kind.encode())
    # gogo writes Unknown's contentEncoding and contentType even when empty.
    return MAGIC + put(1, 2, type_meta) + put(2, 2, raw) + put(3, 2, b"") + put(4, 2, b"")


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/streaming.encoder).Encode")
def watch_frame(event_type: str, obj: dict) -> bytes:
    """One event of a protobuf watch stream (`;stream=watch`): a 4-byte big-endian length, then a
    meta/v1 WatchEvent written without magic or envelope, whose RawExtension holds the object as a
    whole protobuf body."""
    return watch_frame_of(event_type, encode(obj))


def watch_frame_of(event_type: str, encoded: bytes) -> bytes:
    """`watch_frame` around an object already `encode`d, which the watchers of one event share."""
    event = put(1, 2, event_type.encode()) + put(2, 2, put(1, 2, encoded))
    return struct.pack(">I", len(event)) + event
