"""Decoding a component configuration file as apimachinery's codecs do, refused in their words.

A file's YAML becomes JSON with its keys sorted (sigs.k8s.io/yaml goes through a Go map), which is
decoded into the kind's Go structs with field names matched exactly. The first value of the wrong
JSON type is encoding/json's UnmarshalTypeError:

  json: cannot unmarshal string into Go struct field Plugin.profiles.plugins.score.enabled.weight of type int32

(a metav1.Duration's own UnmarshalJSON refuses a bad duration in time.ParseDuration's words), and
only a file with none has its unknown fields listed, all of them, in the order the decoder meets
them: `strict decoding error: unknown field "foo", unknown field "bar"`, which a strict codec
refuses and a lenient one lets pass.

`decode_file` is the whole of a component's --config decoding (YAML, the type's apiVersion and
kind, then the struct), which each component puts in its own sentence.

This is not `gojson.unmarshal`, which decodes as encoding/json alone does (field names matched
case-insensitively, unknown ones dropped).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from reference_impl.machinery import gojson, timefmt
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class Struct:
    """A Go struct: its name, and its JSON fields' types (None: fields not modelled here, any
    object is taken); `package` qualifies its name where reflect prints it (`v1beta3.Plugins`)."""

    name: str
    fields: Mapping[str, object] | None
    package: str = ""


@dataclass(frozen=True)
class Slice:
    elem: object


@dataclass(frozen=True)
class Map:
    """A map[string]<elem>."""

    elem: object


@dataclass(frozen=True)
class Named:
    """A named scalar type (`type ProxyMode string`): decoded as `kind`, printed as `name`."""

    name: str
    kind: str


# Scalar kinds: "string", "bool", "int32", "int64", "float32", "float64", "duration" (a metav1.Duration),
# and ANY, a
# runtime.RawExtension: any JSON, decoded later.
ANY = "any"
INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def _type_name(go_type: object) -> str:
    if isinstance(go_type, Slice):
        return "[]" + _type_name(go_type.elem)
    if isinstance(go_type, Map):
        return "map[string]" + _type_name(go_type.elem)
    if isinstance(go_type, Struct):
        return f"{go_type.package}.{go_type.name}" if go_type.package else go_type.name
    if isinstance(go_type, Named):
        return go_type.name
    return "string" if go_type == "duration" else str(go_type)


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "object")


class _Decoder:
    def __init__(self) -> None:
        self.error: str | None = None
        self.unknown: list[str] = []

    def decode(self, value: object, go_type: object, owner: str, path: str) -> None:
        """encoding/json's walk: null leaves the zero value; objects in sorted key order."""
        if value is None or go_type == ANY:
            return
        if isinstance(go_type, Struct):
            if not isinstance(value, Mapping):
                return self._mismatch(value, go_type, owner, path)
            for key in sorted(value) if go_type.fields is not None else ():
                if key not in go_type.fields:
                    self.unknown.append(key)
                    continue
                self.decode(value[key], go_type.fields[key], go_type.name, f"{path}.{key}" if path else key)
        elif isinstance(go_type, (Slice, Map)):
            if not isinstance(value, list if isinstance(go_type, Slice) else Mapping):
                return self._mismatch(value, go_type, owner, path)
            for item in value if isinstance(go_type, Slice) else value.values():
                self.decode(item, go_type.elem, owner, path)
        elif not _scalar_fits(value, go_type.kind if isinstance(go_type, Named) else go_type):
            self._mismatch(value, go_type, owner, path)
        elif go_type == "duration" and self.error is None:
            try:
                timefmt.parse_duration(value)
            except ValueError as error:  # Duration.UnmarshalJSON's own error
                self.error = str(error)

    def _mismatch(self, value: object, go_type: object, owner: str, path: str) -> None:
        if self.error is None:  # Unmarshal reports the first and decodes on
            kind = _json_kind(value)
            if kind == "number" and isinstance(go_type, str) and go_type in INT_RANGES:
                kind = f"number {value}"  # a fraction, or out of the integer's range
            self.error = gojson.type_error(kind, _type_name(go_type), f"{owner}.{path}")


def _scalar_fits(value: object, kind: str) -> bool:
    if kind in ("string", "duration"):
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("float32", "float64"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    low, high = INT_RANGES[kind]
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def decode_problems(value: Mapping, go_type: Struct) -> tuple[str | None, str | None]:
    """Why `value` does not decode into `go_type` (None when it does), and the strict decoding
    error of its unknown fields (None when it has none), which only a strict codec refuses."""
    decoder = _Decoder()
    decoder.decode(value, go_type, go_type.name, "")
    if decoder.error is not None:
        return decoder.error, None
    unknown = ", ".join(f'unknown field "{name}"' for name in decoder.unknown)
    return None, f"strict decoding error: {unknown}" if unknown else None


def strict_decode_problem(value: Mapping, go_type: Struct) -> str | None:
    """Why a strict codec refuses `value` as `go_type`; None when it decodes."""
    problem, strict = decode_problems(value, go_type)
    return problem or strict


class DecodeError(ValueError):
    """A configuration file its codec refuses; the message is the codec's reason, which each
    component puts in its own sentence ("failed to load Kubelet config file ..., error failed to
    decode: ...")."""


def load_yaml(text: str) -> object:
    """A YAML file's data; its syntax error on one line, as go-yaml starts it."""
    import yaml  # here, not at the top: a component that reads no file does not pay for it
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        where = error.problem_mark or error.context_mark
        raise DecodeError(f"yaml: line {where.line + 1}: {error.problem}") from None
    except yaml.YAMLError as error:  # no position to give
        raise DecodeError(f"yaml: {error}") from None


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def type_meta_problem(config: Mapping, text: str, kinds: Collection[tuple[str, str]], scheme: str) -> str | None:
    """Why the codec cannot tell the file's type: apiVersion or kind missing (the file's `text`
    quoted, its line ends as klog quotes them to keep the error one line), or a kind `scheme`
    (its registration's file:line) does not register; None when `kinds` (apiVersion, kind) has it."""
    api_version, kind = config.get("apiVersion"), config.get("kind")
    for field, value in (("apiVersion", api_version), ("Kind", kind)):
        if not value:
            return f"Object '{field}' is missing in '{text}'".replace("\n", "\\n")
    if (api_version, kind) not in kinds:
        return f'no kind "{kind}" is registered for version "{api_version}" in scheme "{scheme}"'
    return None


def decode_file(text: str, kinds: Mapping[tuple[str, str], Struct], scheme: str) -> tuple[dict, str | None]:
    """A component's configuration file as its codec decodes it: the data (a file that is no
    mapping is an empty one), and the strict decoding error a lenient decoding lets pass (None
    when the strict one passes); a DecodeError for anything else."""
    config = load_yaml(text)
    if not isinstance(config, dict):
        config = {}
    problem = type_meta_problem(config, text, kinds, scheme)
    if problem:
        raise DecodeError(problem)
    problem, strict = decode_problems(config, kinds[config["apiVersion"], config["kind"]])
    if problem:
        raise DecodeError(problem)
    return config, strict
