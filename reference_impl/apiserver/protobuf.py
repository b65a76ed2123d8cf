"""Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), decoded
to the same JSON dicts a JSON body gives.

kubectl 1.32 and later send typed objects this way (`kubectl create namespace|configmap|role...`,
`kubectl auth can-i`), so the server must read them. A body is the 4-byte magic `k8s\\0` and a
`runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is the object's gogo-protobuf
message.

`MESSAGES` is our own table of the messages kubectl sends: field number -> JSON name, type and
label. The field numbers are wire-format facts of the Kubernetes API; the table covers only what the
typed `kubectl create` commands fill in, and a field it does not list is skipped, so an object with
more fields still decodes everything the table knows.

The decoder knows the apimachinery types whose JSON is not their message shape (Time, MicroTime,
Quantity, IntOrString, RawExtension, FieldsV1, Duration). Like JSON's `omitempty`, empty strings,
empty lists and maps and zero times are left out.
"""
from __future__ import annotations

import base64
import json
import time
from typing import Any, NamedTuple

from reference_impl.mirrors import mirrors

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
SCALARS = {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "double", "float", "sint32", "sint64",
           "fixed32", "fixed64", "sfixed32", "sfixed64"}

CORE = "k8s.io.api.core.v1."
APPS = "k8s.io.api.apps.v1."
RBAC = "k8s.io.api.rbac.v1."
AUTHZ = "k8s.io.api.authorization.v1."
META = "k8s.io.apimachinery.pkg.apis.meta.v1."
RUNTIME = "k8s.io.apimachinery.pkg.runtime."
INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity"


class ProtobufError(ValueError):
    """A body that is not a well-formed Kubernetes protobuf message."""


class Field(NamedTuple):
    """One field of a message layout: its JSON name, its type (a scalar or a message's full name)
    and its label: "optional", "repeated", or "map" (a map<string, type>)."""
    name: str
    type: str = "string"
    label: str = "optional"


def many(name: str, type_: str = "string") -> Field:
    return Field(name, type_, "repeated")


def map_of(name: str, type_: str = "string") -> Field:
    return Field(name, type_, "map")


# Every object kind starts with its ObjectMeta as field 1.
OBJECT_META = Field("metadata", META + "ObjectMeta")

MESSAGES: dict[str, dict[int, Field]] = {
    # The envelope's type (runtime.TypeMeta is apiVersion=1, kind=2, unlike meta/v1's TypeMeta).
    RUNTIME + "TypeMeta": {1: Field("apiVersion"), 2: Field("kind")},

    # meta/v1
    META + "ObjectMeta": {1: Field("name"), 2: Field("generateName"), 3: Field("namespace"), 5: Field("uid"),
                          6: Field("resourceVersion"), 7: Field("generation", "int64"),
                          8: Field("creationTimestamp", META + "Time"), 9: Field("deletionTimestamp", META + "Time"),
                          10: Field("deletionGracePeriodSeconds", "int64"), 11: map_of("labels"),
                          12: map_of("annotations"), 13: many("ownerReferences", META + "OwnerReference"),
                          14: many("finalizers")},
    META + "OwnerReference": {1: Field("kind"), 3: Field("name"), 4: Field("uid"), 5: Field("apiVersion"),
                              6: Field("controller", "bool"), 7: Field("blockOwnerDeletion", "bool")},
    META + "LabelSelector": {1: map_of("matchLabels"), 2: many("matchExpressions", META + "LabelSelectorRequirement")},
    META + "LabelSelectorRequirement": {1: Field("key"), 2: Field("operator"), 3: many("values")},

    # core/v1
    CORE + "Namespace": {1: OBJECT_META, 2: Field("spec", CORE + "NamespaceSpec")},
    CORE + "NamespaceSpec": {1: many("finalizers")},
    CORE + "ConfigMap": {1: OBJECT_META, 2: map_of("data"), 3: map_of("binaryData", "bytes"),
                         4: Field("immutable", "bool")},
    CORE + "Secret": {1: OBJECT_META, 2: map_of("data", "bytes"), 3: Field("type"), 4: map_of("stringData"),
                      5: Field("immutable", "bool")},
    CORE + "ServiceAccount": {1: OBJECT_META, 2: many("secrets", CORE + "ObjectReference"),
                              3: many("imagePullSecrets", CORE + "LocalObjectReference"),
                              4: Field("automountServiceAccountToken", "bool")},
    CORE + "ObjectReference": {1: Field("kind"), 2: Field("namespace"), 3: Field("name"), 4: Field("uid"),
                               5: Field("apiVersion"), 6: Field("resourceVersion"), 7: Field("fieldPath")},
    CORE + "LocalObjectReference": {1: Field("name")},
    CORE + "Service": {1: OBJECT_META, 2: Field("spec", CORE + "ServiceSpec")},
    CORE + "ServiceSpec": {1: many("ports", CORE + "ServicePort"), 2: map_of("selector"), 3: Field("clusterIP"),
                           4: Field("type"), 5: many("externalIPs"), 7: Field("sessionAffinity"),
                           10: Field("externalName"), 18: many("clusterIPs")},
    CORE + "ServicePort": {1: Field("name"), 2: Field("protocol"), 3: Field("port", "int32"),
                           4: Field("targetPort", INT_OR_STRING), 5: Field("nodePort", "int32"),
                           6: Field("appProtocol")},
    CORE + "Pod": {1: OBJECT_META, 2: Field("spec", CORE + "PodSpec")},
    CORE + "PodTemplateSpec": {1: OBJECT_META, 2: Field("spec", CORE + "PodSpec")},
    CORE + "PodSpec": {2: many("containers", CORE + "Container"), 3: Field("restartPolicy"),
                       4: Field("terminationGracePeriodSeconds", "int64"), 6: Field("dnsPolicy"),
                       7: map_of("nodeSelector"), 8: Field("serviceAccountName"), 10: Field("nodeName"),
                       15: many("imagePullSecrets", CORE + "LocalObjectReference"), 19: Field("schedulerName"),
                       20: many("initContainers", CORE + "Container")},
    CORE + "Container": {1: Field("name"), 2: Field("image"), 3: many("command"), 4: many("args"),
                         5: Field("workingDir"), 6: many("ports", CORE + "ContainerPort"),
                         7: many("env", CORE + "EnvVar"), 8: Field("resources", CORE + "ResourceRequirements"),
                         13: Field("terminationMessagePath"), 14: Field("imagePullPolicy"),
                         16: Field("stdin", "bool"), 17: Field("stdinOnce", "bool"), 18: Field("tty", "bool"),
                         20: Field("terminationMessagePolicy")},
    CORE + "ContainerPort": {1: Field("name"), 2: Field("hostPort", "int32"), 3: Field("containerPort", "int32"),
                             4: Field("protocol"), 5: Field("hostIP")},
    CORE + "EnvVar": {1: Field("name"), 2: Field("value")},
    CORE + "ResourceRequirements": {1: map_of("limits", QUANTITY), 2: map_of("requests", QUANTITY)},

    # apps/v1
    APPS + "Deployment": {1: OBJECT_META, 2: Field("spec", APPS + "DeploymentSpec")},
    APPS + "DeploymentSpec": {1: Field("replicas", "int32"), 2: Field("selector", META + "LabelSelector"),
                              3: Field("template", CORE + "PodTemplateSpec"),
                              4: Field("strategy", APPS + "DeploymentStrategy"), 5: Field("minReadySeconds", "int32"),
                              6: Field("revisionHistoryLimit", "int32"), 7: Field("paused", "bool"),
                              9: Field("progressDeadlineSeconds", "int32")},
    APPS + "DeploymentStrategy": {1: Field("type"), 2: Field("rollingUpdate", APPS + "RollingUpdateDeployment")},
    APPS + "RollingUpdateDeployment": {1: Field("maxUnavailable", INT_OR_STRING), 2: Field("maxSurge", INT_OR_STRING)},

    # rbac.authorization.k8s.io/v1
    RBAC + "Role": {1: OBJECT_META, 2: many("rules", RBAC + "PolicyRule")},
    RBAC + "ClusterRole": {1: OBJECT_META, 2: many("rules", RBAC + "PolicyRule")},
    RBAC + "PolicyRule": {1: many("verbs"), 2: many("apiGroups"), 3: many("resources"), 4: many("resourceNames"),
                          5: many("nonResourceURLs")},
    RBAC + "RoleBinding": {1: OBJECT_META, 2: many("subjects", RBAC + "Subject"),
                           3: Field("roleRef", RBAC + "RoleRef")},
    RBAC + "ClusterRoleBinding": {1: OBJECT_META, 2: many("subjects", RBAC + "Subject"),
                                  3: Field("roleRef", RBAC + "RoleRef")},
    RBAC + "Subject": {1: Field("kind"), 2: Field("apiGroup"), 3: Field("name"), 4: Field("namespace")},
    RBAC + "RoleRef": {1: Field("apiGroup"), 2: Field("kind"), 3: Field("name")},

    # authorization.k8s.io/v1 (`kubectl auth can-i`)
    AUTHZ + "SelfSubjectAccessReview": {1: OBJECT_META, 2: Field("spec", AUTHZ + "SelfSubjectAccessReviewSpec")},
    AUTHZ + "SelfSubjectAccessReviewSpec": {1: Field("resourceAttributes", AUTHZ + "ResourceAttributes"),
                                            2: Field("nonResourceAttributes", AUTHZ + "NonResourceAttributes")},
    AUTHZ + "ResourceAttributes": {1: Field("namespace"), 2: Field("verb"), 3: Field("group"), 4: Field("version"),
                                   5: Field("resource"), 6: Field("subresource"), 7: Field("name")},
    AUTHZ + "NonResourceAttributes": {1: Field("path"), 2: Field("verb")},
}

# --- decoding ---------------------------------------------------------------------------------


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) for each field: ints for varints, bytes otherwise."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            length, at = _varint(data, at)
            if at + length > len(data):
                raise ProtobufError("truncated length-delimited field")
            value, at = data[at:at + length], at + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, at = data[at:at + size], at + size
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        yield number, wire, value


def _rfc3339(seconds: int, micros: int | None = None) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{micros:06d}Z" if micros is not None else f"{stamp}Z"


def _special(type_: str, data: bytes) -> Any:
    """The JSON form of the apimachinery types that do not marshal as their message."""
    fields = {number: value for number, _, value in _fields(data)}
    if type_ in (META + "Time", META + "MicroTime"):
        seconds, nanos = fields.get(1, 0), fields.get(2, 0)
        if not seconds and not nanos:
            return None
        return _rfc3339(seconds, nanos // 1000 if type_.endswith("MicroTime") else None)
    if type_ == INT_OR_STRING:
        return fields.get(3, b"").decode() if fields.get(1) == 1 else _signed(fields.get(2, 0), 32)
    if type_ == QUANTITY:
        return fields.get(1, b"").decode()
    if type_ in (RUNTIME + "RawExtension", META + "FieldsV1"):
        raw = fields.get(1, b"")
        return json.loads(raw) if raw else None
    if type_ == META + "Duration":
        return f"{fields.get(1, 0) / 1e9:g}s"
    raise KeyError(type_)


def _signed(value: int, bits: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else (value - (1 << 32) if bits == 32 and value >= 1 << 31 else value)


def _value(type_: str, wire: int, raw: Any) -> Any:
    if type_ == "string":
        return raw.decode()
    if type_ == "bytes":
        return base64.b64encode(raw).decode()
    if type_ == "bool":
        return bool(raw)
    if type_ in ("int32", "int64"):
        return _signed(raw, 32 if type_ == "int32" else 64)
    if type_ in SCALARS:
        if wire in (1, 5):
            raise ProtobufError(f"fixed-width {type_} fields are not used by the served kinds")
        return raw
    try:
        return _special(type_, raw)
    except KeyError:
        return decode_message(type_, raw)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def decode_message(type_: str, data: bytes) -> dict:
    """One message as a JSON dict, by its layout in MESSAGES; fields the layout lacks are skipped."""
    layout = MESSAGES.get(type_)
    if layout is None:
        raise ProtobufError(f"no protobuf layout for {type_}")
    obj: dict[str, Any] = {}
    for number, wire, raw in _fields(data):
        field = layout.get(number)
        if field is None:
            continue
        if field.label == "map":
            entry = {n: (w, v) for n, w, v in _fields(raw)}
            key = entry.get(1, (2, b""))[1].decode()
            wire_value, value = entry.get(2, (2, b""))
            obj.setdefault(field.name, {})[key] = _value(field.type, wire_value, value)
        elif field.label == "repeated":
            if wire == 2 and field.type in SCALARS - {"string", "bytes"}:
                at, values = 0, []
                while at < len(raw):
                    item, at = _varint(raw, at)
                    values.append(_value(field.type, 0, item))
                obj.setdefault(field.name, []).extend(values)
            else:
                obj.setdefault(field.name, []).append(_value(field.type, wire, raw))
        else:
            obj[field.name] = _value(field.type, wire, raw)
    return {k: v for k, v in obj.items() if v not in ("", None, [], {})}


def message_type(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    package = {"": "core", "rbac.authorization.k8s.io": "rbac", "coordination.k8s.io": "coordination",
               "authorization.k8s.io": "authorization"}.get(group, group)
    if kind in ("Status", "DeleteOptions"):
        return META + kind
    return f"k8s.io.api.{package}.{version}.{kind}"


def decode(body: bytes) -> dict:
    """A `application/vnd.kubernetes.protobuf` body as the JSON dict of its object."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the body does not start with the k8s protobuf magic number")
    # The runtime.Unknown envelope by field number: 1 typeMeta, 2 raw (the object's message);
    # 3 contentEncoding and 4 contentType are not used.
    envelope = {number: value for number, _, value in _fields(body[len(MAGIC):])}
    type_meta = decode_message(RUNTIME + "TypeMeta", envelope.get(1, b""))
    api_version, kind = type_meta.get("apiVersion", ""), type_meta.get("kind", "")
    obj = decode_message(message_type(api_version, kind), envelope.get(2, b""))
    return {"apiVersion": api_version, "kind": kind, **obj}
