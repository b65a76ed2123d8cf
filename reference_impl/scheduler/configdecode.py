"""Decoding a KubeSchedulerConfiguration as kube-scheduler's strict codec does, and refusing it in
its words.

The file's YAML becomes JSON with its keys sorted (sigs.k8s.io/yaml goes through a Go map), which
is decoded into the v1beta2 or v1beta3 Go structs case-sensitively. The first value of the wrong
JSON type is encoding/json's UnmarshalTypeError:

  json: cannot unmarshal string into Go struct field Plugin.profiles.plugins.score.enabled.weight of type int32

and only a file with none has its unknown fields reported, all of them, in the order the decoder
meets them: `strict decoding error: unknown field "foo", unknown field "bar"`. A plugin's args are
decoded after, entry by entry, into the plugin's own args type.

This is not `gojson.unmarshal`, which decodes as encoding/json alone does (field names matched
case-insensitively, unknown ones dropped): the scheme's codec matches names exactly and, strict,
reports the unknown ones.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reference_impl.machinery import gojson
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class Struct:
    """A Go struct: its name, and its JSON fields' types (None: fields not modelled here, any
    object is taken)."""

    name: str
    fields: Mapping[str, object] | None
    package: str = ""


@dataclass(frozen=True)
class Slice:
    elem: object


ANY = "any"  # runtime.RawExtension: any JSON, decoded later
INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def _plugins(package: str) -> Struct:
    plugin = Struct("Plugin", {"name": "string", "weight": "int32"}, package)
    plugin_set = Struct("PluginSet", {"enabled": Slice(plugin), "disabled": Slice(plugin)}, package)
    points = ("queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve", "permit",
              "preBind", "bind", "postBind", "multiPoint")
    return Struct("Plugins", dict.fromkeys(points, plugin_set), package)


def _configuration(package: str, extra: Mapping[str, object]) -> Struct:
    profile = Struct("KubeSchedulerProfile", {
        "schedulerName": "string", "plugins": _plugins(package),
        "pluginConfig": Slice(Struct("PluginConfig", {"name": "string", "args": ANY}, package))}, package)
    return Struct("KubeSchedulerConfiguration", {
        "apiVersion": "string", "kind": "string", "parallelism": "int32",
        "leaderElection": Struct("LeaderElectionConfiguration", None, "v1alpha1"),
        "clientConnection": Struct("ClientConnectionConfiguration", None, "v1alpha1"),
        **extra, "enableProfiling": "bool", "enableContentionProfiling": "bool",
        "percentageOfNodesToScore": "int32", "podInitialBackoffSeconds": "int64", "podMaxBackoffSeconds": "int64",
        "profiles": Slice(profile), "extenders": Slice(Struct("Extender", None, package))}, package)


CONFIGURATIONS = {
    "kubescheduler.config.k8s.io/v1beta2": _configuration(
        "v1beta2", {"healthzBindAddress": "string", "metricsBindAddress": "string"}),
    "kubescheduler.config.k8s.io/v1beta3": _configuration("v1beta3", {}),
}
_RESOURCE_SPEC = Slice(Struct("ResourceSpec", {"name": "string", "weight": "int64"}, "v1beta3"))
# The args types of the plugins whose args the reference reads (others' are not checked here).
PLUGIN_ARGS = {
    "InterPodAffinity": Struct("InterPodAffinityArgs", {"apiVersion": "string", "kind": "string",
                                                        "hardPodAffinityWeight": "int32"}),
    "NodeResourcesBalancedAllocation": Struct("NodeResourcesBalancedAllocationArgs", {
        "apiVersion": "string", "kind": "string", "resources": _RESOURCE_SPEC}),
    "NodeResourcesFit": Struct("NodeResourcesFitArgs", {
        "apiVersion": "string", "kind": "string", "ignoredResources": Slice("string"),
        "ignoredResourceGroups": Slice("string"),
        "scoringStrategy": Struct("ScoringStrategy", {
            "type": "string", "resources": _RESOURCE_SPEC,
            "requestedToCapacityRatio": Struct("RequestedToCapacityRatioParam", None, "v1beta3")}, "v1beta3")}),
}


def _type_name(go_type: object) -> str:
    if isinstance(go_type, Slice):
        return "[]" + _type_name(go_type.elem)
    if isinstance(go_type, Struct):
        return f"{go_type.package}.{go_type.name}" if go_type.package else go_type.name
    return str(go_type)


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "object")


class _Decoder:
    def __init__(self) -> None:
        self.type_error: str | None = None
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
        elif isinstance(go_type, Slice):
            if not isinstance(value, list):
                return self._mismatch(value, go_type, owner, path)
            for item in value:
                self.decode(item, go_type.elem, owner, path)
        elif not _scalar_fits(value, go_type):
            self._mismatch(value, go_type, owner, path)

    def _mismatch(self, value: object, go_type: object, owner: str, path: str) -> None:
        if self.type_error is None:  # Unmarshal reports the first and decodes on
            kind = _json_kind(value)
            if kind == "number" and isinstance(go_type, str) and go_type in INT_RANGES:
                kind = f"number {value}"  # a fraction, or out of the integer's range
            self.type_error = gojson.type_error(kind, _type_name(go_type), f"{owner}.{path}")


def _scalar_fits(value: object, go_type: object) -> bool:
    if go_type == "string":
        return isinstance(value, str)
    if go_type == "bool":
        return isinstance(value, bool)
    low, high = INT_RANGES[go_type]
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode")
def strict_decode_problem(value: Mapping, go_type: Struct) -> str | None:
    """Why the strict codec refuses `value` as `go_type`; None when it decodes."""
    decoder = _Decoder()
    decoder.decode(value, go_type, go_type.name, "")
    if decoder.type_error is not None:
        return decoder.type_error
    if decoder.unknown:
        return "strict decoding error: " + ", ".join(f'unknown field "{name}"' for name in decoder.unknown)
    return None


@mirrors("k8s.io/kubernetes/pkg/scheduler/apis/config/v1beta3.convertToInternalPluginConfigArgs")
def configuration_decode_problem(config: Mapping) -> str | None:
    """The whole configuration (its apiVersion known), then each plugin's args in turn."""
    problem = strict_decode_problem(config, CONFIGURATIONS[config["apiVersion"]])
    if problem is not None:
        return problem
    for index, profile in enumerate(config.get("profiles") or ()):
        for entry_index, entry in enumerate((profile or {}).get("pluginConfig") or ()):
            args_type = PLUGIN_ARGS.get((entry or {}).get("name"))
            problem = args_type and strict_decode_problem(entry.get("args") or {}, args_type)
            if problem:
                return (f"decoding .profiles[{index}].pluginConfig[{entry_index}]: "
                        f"decoding args for plugin {entry['name']}: {problem}")
    return None
