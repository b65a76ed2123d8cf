"""Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), to and from the same JSON
dicts a JSON body gives.

kubectl 1.32 and later send typed objects this way, and the 1.24 components (kube-controller-manager,
kube-scheduler, kubelet, kube-proxy) send and ask for nothing else by default. A body is the 4-byte
magic `k8s\\0` and a `runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is the
object's gogo-protobuf message.

The layouts are `protobuf_messages.TABLE` and the kind modules' `MESSAGES`, every message of the
served groups' v1 types. Decoding reads as gogo's generated Unmarshal reads, since a client gets
what kube-apiserver answers it: an unknown field is skipped, a known one of another wire type or a
value cut short is a `ProtobufError` in upstream's words (naming the Go field, never a path).
Encoding is strict about JSON keys the layout does not know: a field left out there would be data
lost without a word.

The apimachinery types whose JSON is not their message shape (Time, MicroTime, Quantity,
IntOrString, RawExtension, FieldsV1) are converted both ways. gogo writes every non-pointer field,
so decoding leaves out what Go's JSON would: the zero value of an `omitempty` scalar (TABLE marks
them), empty lists and maps, and zero times. A message that is present stays, even empty: a pointer
to an empty struct (`emptyDir: {}`) is a value.
"""
from __future__ import annotations

import base64
import functools
import json
import re
import struct
from typing import Any, NamedTuple

from reference_impl.apiserver.core import decoding
from reference_impl.apiserver.core.protobuf_messages import TABLE
from reference_impl.apiserver.kinds import MESSAGES as KIND_MESSAGES
from reference_impl.machinery.protowire import (FieldError, VarintError, consume_field, consume_varint, encode_varint,
                                                int64)
from reference_impl.machinery import intstr, quantity, timefmt
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


def has_layout(api_version: str, kind: str) -> bool:
    """Whether objects of the kind have a message here (upstream's every built-in kind has one)."""
    try:
        message_type(api_version, kind)
    except ProtobufError:
        return False
    return True


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


# --- decoding, as gogo's generated Unmarshal reads ----------------------------------------------

# Upstream's error values, in their words (ErrInvalidLengthGenerated, ErrIntOverflowGenerated, ...).
NEGATIVE_LENGTH = "proto: negative length found during unmarshaling"
INTEGER_OVERFLOW = "proto: integer overflow"
UNEXPECTED_EOF = "unexpected EOF"
END_OF_GROUP = "proto: unexpected end of group"
QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_INT64_LIMIT = 1 << 63

# The Go names of fields whose JSON name is not their Go name with its first letter raised; the
# generated code names a field by its Go name when its wire type is wrong. By JSON name where it
# is the same in every message, by message and number where it is not.
GO_FIELD_NAMES = {
    "apiGroup": "APIGroup", "apiGroups": "APIGroups", "apiVersion": "APIVersion", "apiVersions": "APIVersions",
    "awsElasticBlockStore": "AWSElasticBlockStore", "caBundle": "CABundle", "cephfs": "CephFS",
    "chapAuthDiscovery": "DiscoveryCHAPAuth", "chapAuthSession": "SessionCHAPAuth", "cidr": "CIDR", "csi": "CSI",
    "diskURI": "DataDiskURI", "dnsConfig": "DNSConfig", "dnsPolicy": "DNSPolicy", "externalID": "DoNotUseExternalID",
    "fc": "FC", "fsGroup": "FSGroup", "fsGroupChangePolicy": "FSGroupChangePolicy", "fsGroupPolicy": "FSGroupPolicy",
    "fsType": "FSType", "gcePersistentDisk": "GCEPersistentDisk", "gmsaCredentialSpec": "GMSACredentialSpec",
    "gmsaCredentialSpecName": "GMSACredentialSpecName", "grpc": "GRPC", "http": "HTTP", "httpGet": "HTTPGet",
    "httpHeaders": "HTTPHeaders", "ip": "IP", "ipBlock": "IPBlock", "ipFamilies": "IPFamilies",
    "ipFamilyPolicy": "IPFamilyPolicy", "iqn": "IQN", "iscsi": "ISCSI", "iscsiInterface": "ISCSIInterface",
    "lastState": "LastTerminationState", "nfs": "NFS", "os": "OS", "osImage": "OSImage", "pdName": "PDName",
    "pool": "RBDPool", "qosClass": "QOSClass", "rbd": "RBD", "reportingComponent": "ReportingController",
    "seLinux": "SELinux", "seLinuxOptions": "SELinuxOptions", "sslEnabled": "SSLEnabled", "storageos": "StorageOS",
    "tcpSocket": "TCPSocket", "tls": "TLS", "ttlSecondsAfterFinished": "TTLSecondsAfterFinished", "tty": "TTY",
    "uid": "UID", "url": "URL", "wwids": "WWIDs",
    # the special types' messages
    "string": "String_",
}
GO_FIELD_NAMES_IN = {
    ("core.GlusterfsPersistentVolumeSource", 1): "EndpointsName", ("core.GlusterfsVolumeSource", 1): "EndpointsName",
    ("core.PodSpec", 9): "DeprecatedServiceAccount", ("core.RBDPersistentVolumeSource", 1): "CephMonitors",
    ("core.RBDPersistentVolumeSource", 2): "RBDImage", ("core.RBDPersistentVolumeSource", 5): "RadosUser",
    ("core.RBDVolumeSource", 1): "CephMonitors", ("core.RBDVolumeSource", 2): "RBDImage",
    ("core.RBDVolumeSource", 5): "RadosUser", ("meta.APIResourceList", 2): "APIResources",
    ("meta.StatusCause", 1): "Type",
}
# The Go types whose Unmarshal reads a special type's message.
GO_TYPE_NAMES = {"meta.Time": "Timestamp", "meta.MicroTime": "Timestamp"}


class ObjectError(ProtobufError):
    """The envelope was read but its object does not unmarshal: upstream then names the kind and
    version the envelope gave (transformDecodeError)."""

    def __init__(self, message: str, api_version: str, kind: str, no_layout: bool = False) -> None:
        super().__init__(message)
        self.api_version, self.kind, self.no_layout = api_version, kind, no_layout


def go_field_name(type_: str, number: int, field: Field) -> str:
    """How the generated code names a field: its Go name."""
    if field.label == "inline" or field.type in ("meta.ObjectMeta", "meta.ListMeta") and field.name == "metadata":
        return field.type.rsplit(".", 1)[-1]
    return GO_FIELD_NAMES_IN.get((type_, number)) or GO_FIELD_NAMES.get(field.name) \
        or field.name[:1].upper() + field.name[1:]


def _gogo_varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint at `at`, refused in the words of gogo's generated loop."""
    try:
        return consume_varint(data, at)
    except VarintError as err:
        raise ProtobufError(INTEGER_OVERFLOW if err.overflow else UNEXPECTED_EOF) from None


def _gogo_length(data: bytes, at: int, end: int) -> tuple[int, int]:
    """The bounds of the length-delimited value at `at`, its length read as Go's int: negative
    past 2^63, and past `end` (the message's length) cut short."""
    length, at = _gogo_varint(data, at)
    if length >= _INT64_LIMIT or at + length >= _INT64_LIMIT:
        raise ProtobufError(NEGATIVE_LENGTH)
    if at + length > end:
        raise ProtobufError(UNEXPECTED_EOF)
    return at, at + length


@mirrors("k8s.io/api/core/v1.skipGenerated")
def skip_generated(data: bytes, at: int) -> int:
    """Where the unknown field at `at` ends, groups and all, as skipGenerated walks it (it is left
    out, whatever it holds)."""
    depth, end = 0, len(data)
    while at < end:
        key, at = _gogo_varint(data, at)
        wire = key & 7
        if wire == 0:
            _, at = _gogo_varint(data, at)
        elif wire == 1:
            at += 8
        elif wire == 2:
            length, at = _gogo_varint(data, at)
            if length >= _INT64_LIMIT:
                raise ProtobufError(NEGATIVE_LENGTH)
            at += length
        elif wire == 3:
            depth += 1
        elif wire == 4:
            if depth == 0:
                raise ProtobufError(END_OF_GROUP)
            depth -= 1
        elif wire == 5:
            at += 4
        else:
            raise ProtobufError(f"proto: illegal wireType {wire}")
        if at >= _INT64_LIMIT:
            raise ProtobufError(NEGATIVE_LENGTH)
        if depth == 0:
            return at
    raise ProtobufError(UNEXPECTED_EOF)


def _skip_field(data: bytes, at: int, end: int) -> int:
    after = skip_generated(data, at)
    if after > end:
        raise ProtobufError(UNEXPECTED_EOF)
    return after


def _int32(value: int) -> int:
    """A varint as Go's int32 accumulates it: its low 32 bits, signed."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _go_string(raw: bytes) -> str:
    """A Go string, any bytes: each byte that is no UTF-8 kept as surrogateescape keeps it, so
    that %q (gojson.quote) prints it as \\x.., a length counts it as one byte, the protobuf encoder
    writes it back as it came, and encoding/json (jsonserializer) writes it as U+FFFD, as upstream
    does with the bytes it keeps."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("utf-8", "surrogateescape")


def _scalar(type_: str, data: bytes, at: int, end: int) -> tuple[Any, int]:
    """One value of a scalar type at `at`, as the generated code reads it."""
    if type_ in VARINTS:
        value, at = _gogo_varint(data, at)
        if type_ == "bool":
            return value & 0xFFFFFFFFFFFFFFFF != 0, at
        if type_ == "int32":
            return _int32(value), at
        if type_ == "uint32":
            return value & 0xFFFFFFFF, at
        return (int64(value) if type_ == "int64" else value), at
    if type_ in FIXED:
        size = 8 if FIXED[type_][0] == 1 else 4
        if at + size > end:
            raise ProtobufError(UNEXPECTED_EOF)
        return struct.unpack(FIXED[type_][1], data[at:at + size])[0], at + size
    start, at = _gogo_length(data, at, end)
    raw = data[start:at]
    return (_go_string(raw) if type_ == "string" else base64.b64encode(raw).decode()), at


def _message_value(type_: str, raw: bytes) -> Any:
    """A message field's JSON value: the special types' own forms, named lists' items."""
    if type_ in SPECIAL:
        return _special(type_, raw)
    if type_ in NAMED_LISTS:
        return decode_message(type_, raw).get("items", [])
    return decode_message(type_, raw)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def decode_message(type_: str, data: bytes) -> dict:
    """One message as a JSON dict, by its layout in MESSAGES, read as gogo's generated Unmarshal
    reads it: an unknown field (groups too) is skipped, a known one with another wire type is an
    error naming its Go field, a repeated number may come packed or not, an int32 keeps the low 32
    bits of its varint, a message given twice is merged, a map's entry is read by field number
    alone and its last value for a key wins; strings are not checked for UTF-8. Errors are
    ProtobufErrors in upstream's words."""
    return _decode_into(type_, data, {})


def _decode_into(type_: str, data: bytes, obj: dict[str, Any]) -> dict[str, Any]:
    """`decode_message` into `obj`, the JSON of the same message read before, as Unmarshal reads
    into the struct it is given: a plain message given again is read into its earlier value in
    place (its lists grow, a map's entry is replaced key by key), so repeats cost what they hold;
    a special type's and a named list's value is replaced, since their JSON is not their message."""
    layout = MESSAGES[type_]
    go_type = GO_TYPE_NAMES.get(type_) or type_.rsplit(".", 1)[-1]
    at, end = 0, len(data)
    while at < end:
        before = at
        key, at = _gogo_varint(data, at)
        number, wire = _int32(key >> 3), key & 7
        if wire == 4:
            raise ProtobufError(f"proto: {go_type}: wiretype end group for non-group")
        if number <= 0:
            raise ProtobufError(f"proto: {go_type}: illegal tag {number} (wire type {key})")
        field = layout.get(number)
        if field is None:
            at = _skip_field(data, before, end)
            continue
        packed = field.label == "repeated" and field.type in VARINTS and wire == 2
        expected = 2 if field.label in ("map", "inline") else _wire_type(field)
        if wire != expected and not packed:
            raise ProtobufError(f"proto: wrong wireType = {wire} for field {go_field_name(type_, number, field)}")
        if field.label == "map":
            start, at = _gogo_length(data, at, end)
            entry_key, entry_value = _map_entry(field, data, start, at, end)
            obj.setdefault(field.name, {})[entry_key] = entry_value
        elif packed:
            start, at = _gogo_length(data, at, end)
            items = obj.setdefault(field.name, [])
            while start < at:
                item, start = _scalar(field.type, data, start, end)
                items.append(item)
        elif field.type in SCALARS:
            value, at = _scalar(field.type, data, at, end)
            if field.label == "repeated":
                obj.setdefault(field.name, []).append(value)
            else:
                obj[field.name] = value
        else:
            start, at = _gogo_length(data, at, end)
            if field.label == "inline":  # the embedded struct's fields are the parent's
                _decode_into(field.type, data[start:at], obj)
            elif field.label == "repeated":
                obj.setdefault(field.name, []).append(_message_value(field.type, data[start:at]))
            elif field.type in SPECIAL or field.type in NAMED_LISTS or not isinstance(obj.get(field.name), dict):
                obj[field.name] = _message_value(field.type, data[start:at])
            else:
                _decode_into(field.type, data[start:at], obj[field.name])
    for field in layout.values():
        if field.name in obj and not _present(field, obj[field.name]):
            del obj[field.name]
    return obj


def _map_entry(field: Field, data: bytes, at: int, entry_end: int, end: int) -> tuple[str, Any]:
    """One pair of a map<string, T>, a message {1: key, 2: value} whose fields the generated code
    tells apart by number only (reading past the entry up to the message's `end`, then going
    back to the entry's end); a missing key is "", a missing value its type's zero."""
    key, value = "", None
    while at < entry_end:
        before = at
        tag, at = _gogo_varint(data, at)
        number = _int32(tag >> 3)
        if number == 1:
            key, at = _scalar("string", data, at, end)
        elif number == 2:
            if field.type in SCALARS:
                value, at = _scalar(field.type, data, at, end)
            else:
                start, at = _gogo_length(data, at, end)
                value = _message_value(field.type, data[start:at])
        else:
            after = skip_generated(data, before)
            if after > entry_end:
                raise ProtobufError(UNEXPECTED_EOF)
            at = after
    if value is None:
        value = 0 if field.type in VARINTS else "" if field.type in SCALARS else \
            _message_value(field.type, b"") if field.type != QUANTITY else "0"
    return key, value


def _present(field: Field, value: Any) -> bool:
    """Whether a decoded value is in the object's JSON (see the module's docstring)."""
    if value is None or (field.label in ("repeated", "map") and not value):
        return False
    return not (field.omit_zero and value in ("", 0, False))


# Go's time: seconds from year 1 to 1970, and from its absolute zero year to year 1.
UNIX_TO_INTERNAL = 62135596800
INTERNAL_TO_ABSOLUTE = 9223371966579724800
ABSOLUTE_ZERO_YEAR = -292277022399
NANOS = 10**9


def go_utc_text(seconds: int, nanos: int, micro: bool) -> str | None:
    """What metav1.Time (micro=False) or MicroTime writes as JSON for time.Unix(seconds, nanos):
    None for Go's zero time, else RFC 3339 in UTC, its year as Go's Format writes any year (the
    int64 arithmetic wrapping as Go's does for seconds near its ends)."""
    if nanos < 0 or nanos >= NANOS:  # time.Unix normalises the nanoseconds
        carry = int(nanos / NANOS)
        seconds, nanos = seconds + carry, nanos - carry * NANOS
        if nanos < 0:
            seconds, nanos = seconds - 1, nanos + NANOS
    internal = int64((seconds + UNIX_TO_INTERNAL) & 0xFFFFFFFFFFFFFFFF)
    if internal == 0 and nanos == 0:
        return None
    absolute = (internal + INTERNAL_TO_ABSOLUTE) & 0xFFFFFFFFFFFFFFFF
    days, clock = divmod(absolute, 86400)
    year, month, day = timefmt.civil_from_days(days - 719162)  # day 0 is 1 January of a year like year 1
    year += ABSOLUTE_ZERO_YEAR - 1
    stamp = (f"{timefmt.go_year(year)}-{month:02d}-{day:02d}T{clock // 3600:02d}:{clock // 60 % 60:02d}:"
             f"{clock % 60:02d}")
    return f"{stamp}.{nanos // 1000:06d}Z" if micro else f"{stamp}Z"


def _special(type_: str, data: bytes) -> Any:
    """The JSON form of the apimachinery types that do not marshal as their message: an empty
    time is the zero time (null); Time keeps whole seconds, MicroTime its nanoseconds (written to
    the microsecond); a Quantity that ParseQuantity refuses is an error. A Timestamp message that
    is there but names the zero instant is no zero time.Time (Unmarshal's Local() gives it a
    location, so `== time.Time{}` is false: an Event's eventTime counts as set), so it is the
    zero instant's text, as a JSON body writing that text gives."""
    if type_ in TIMES and not data:
        return None
    values = decode_message(type_, data)
    if type_ in TIMES:
        micro = type_ == "meta.MicroTime"
        text = go_utc_text(values.get("seconds", 0), values.get("nanos", 0) if micro else 0, micro)
        return timefmt.DecodedTime(text or ("0001-01-01T00:00:00.000000Z" if micro else "0001-01-01T00:00:00Z"))
    if type_ == INT_OR_STRING:
        return intstr.from_message(values.get("type", 0), values.get("intVal", 0), values.get("strVal", ""))
    if type_ == QUANTITY:
        text = values.get("string", "")
        if "string" in values and (text != text.strip() or quantity.parse(text) is None):
            raise ProtobufError(QUANTITY_FORMAT)
        return text or "0"
    raw = base64.b64decode(values.get("raw", ""))
    try:  # as a JSON body is read: a deep document is refused, not a RecursionError
        return decoding.decode_json(raw) if raw else None
    except ValueError as err:
        raise ProtobufError(f"the raw object is not JSON ({err})") from err


@mirrors("(*k8s.io/apimachinery/pkg/runtime.Unknown).Unmarshal")
def read_envelope(data: bytes) -> tuple[str, str, bytes]:
    """The apiVersion, kind and raw object of a body's runtime.Unknown (after the magic)."""
    envelope = decode_message("runtime.Unknown", data)
    type_meta = envelope.get("typeMeta", {})
    return type_meta.get("apiVersion", ""), type_meta.get("kind", ""), base64.b64decode(envelope.get("raw", ""))


@mirrors("k8s.io/apimachinery/pkg/runtime/serializer/protobuf.copyKindDefaults")
def _envelope(body: bytes, default: tuple[str, str] | None) -> tuple[str, str, bytes]:
    if not body.startswith(MAGIC):  # in the serializer's words, its prefix as Go's %v prints bytes
        raise ProtobufError("provided data does not appear to be a protobuf message, expected prefix "
                            f"[{' '.join(str(byte) for byte in MAGIC)}]")
    if body == MAGIC:
        raise ProtobufError("empty body")
    api_version, kind, raw = read_envelope(body[len(MAGIC):])
    if default is not None:
        version = api_version.rpartition("/")[2] if api_version.count("/") <= 1 else ""
        kind = kind or default[1]
        api_version = api_version if version else default[0]
    return api_version, kind, raw


def envelope_kind(body: bytes, default: tuple[str, str] | None = None) -> tuple[str, str]:
    """The apiVersion and kind a body's envelope gives (`default` filling what it leaves out);
    ProtobufError for a body whose envelope does not read."""
    return _envelope(body, default)[:2]


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def decode(body: bytes, default: tuple[str, str] | None = None) -> dict:
    """A `application/vnd.kubernetes.protobuf` body as the JSON dict of its object. `default`
    (an apiVersion and kind) fills what the envelope leaves out. An error past the envelope is an
    ObjectError naming the kind it gave."""
    api_version, kind, raw = _envelope(body, default)
    try:
        type_ = message_type(api_version, kind)
    except ProtobufError as err:
        raise ObjectError(str(err), api_version, kind, no_layout=True) from None
    try:
        obj = decode_message(type_, raw)
    except ProtobufError as err:
        raise ObjectError(str(err), api_version, kind) from None
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
    an object's times are mostly a few seconds over and over. Any year `go_utc_text` writes is
    read back: year 0000, and beyond 0000-9999 as only a protobuf body gives (a JSON one is refused
    by time.Parse)."""
    match = re.fullmatch(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z", text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(group) for group in match.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    days = timefmt.days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + second, int((match.group(7) or "0").ljust(9, "0"))


def _encode_special(type_: str, value: Any, path: str) -> bytes:
    if type_ in TIMES:
        if timefmt.is_zero_instant(value):
            return b""  # Marshal writes nothing for a time that IsZero, however it is written
        seconds, nanos = _parse_time(value, path)
        if type_ == "meta.Time":
            nanos = 0  # metav1.Time marshals whole seconds, as its JSON does
        return put(1, 0, seconds) + put(2, 0, nanos)
    if type_ == INT_OR_STRING:
        if isinstance(value, str):
            return put(1, 0, 1) + put(2, 0, 0) + put(3, 2, value.encode("utf-8", "surrogateescape"))
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
        return 2, value.encode("utf-8", "surrogateescape")
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
                out += put(number, 2, put(1, 2, key.encode("utf-8", "surrogateescape")) + put(2, entry_wire, payload))
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
