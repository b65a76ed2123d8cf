"""What kube-scheduler refuses in a KubeSchedulerConfiguration before it starts: a version its
scheme does not know, what its strict decoding refuses (`configdecode`), and what
`ValidateKubeSchedulerConfiguration` checks of the fields the reference scheduler reads. Each
problem is one line naming its field path, as field.Error writes it. The reference's own one-profile
shorthand has no Go type: its values' JSON types are checked against `SHORTHAND`.
"""
from __future__ import annotations

from collections.abc import Mapping

from reference_impl.machinery.strictjson import type_meta_problem
from reference_impl.mirrors import mirrors
from reference_impl.scheduler import configdecode

KIND = "KubeSchedulerConfiguration"
API_VERSIONS = ("kubescheduler.config.k8s.io/v1beta2", "kubescheduler.config.k8s.io/v1beta3")
SCHEME = "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"

_PLUGIN_SET = {"enabled": [{"name": str, "weight": int}], "disabled": [{"name": str, "weight": int}]}
# The fields the reference reads, with their JSON types: a dict is an object with those fields,
# {str: shape} one whose every value has that shape, a one-item list an array of that item.
PROFILE = {
    "schedulerName": str,
    "plugins": {str: _PLUGIN_SET},  # by extension point
    "pluginConfig": [{"name": str, "args": dict}],
}
# The reference's own shorthand: a file holding one profile, with the percentage and the
# plugins to import (name → `module:Class`) beside it.
SHORTHAND = {**PROFILE, "percentageOfNodesToScore": int, "registry": {str: str}}
_RESOURCES = [{"name": str, "weight": int}]
# The args the reference's plugins read.
PLUGIN_ARGS = {
    "DefaultPreemption": {"minCandidateNodesPercentage": int, "minCandidateNodesAbsolute": int},
    "InterPodAffinity": {"hardPodAffinityWeight": int},
    "NodeResourcesBalancedAllocation": {"resources": _RESOURCES},
    "NodeResourcesFit": {"scoringStrategy": {"type": str, "resources": _RESOURCES}},
}
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "an integer"}


@mirrors("k8s.io/kubernetes/pkg/scheduler/apis/config/validation.ValidateKubeSchedulerConfiguration")
def validate(config: Mapping, raw: str = "") -> list[str]:
    """The problems of a whole KubeSchedulerConfiguration (one that names its apiVersion), read
    from the file text `raw`, which the YAML serializer quotes when the type is missing."""
    problem = type_meta_problem(config, raw, {(api_version, KIND) for api_version in API_VERSIONS}, SCHEME)
    if problem is not None:
        return [problem]
    problem = configdecode.configuration_decode_problem(config)
    if problem is not None:
        return [problem]
    problems = []
    if config.get("parallelism") is not None and config["parallelism"] <= 0:
        problems.append(f"parallelism: Invalid value: {config['parallelism']}: "
                        "should be an integer value greater than zero")
    names: dict[str, int] = {}
    for index, profile in enumerate(config.get("profiles") or ()):
        name = profile.get("schedulerName")
        if name == "":
            problems.append(f"profiles[{index}].schedulerName: Required value")
        elif name is not None and name in names:
            problems.append(f'profiles[{index}].schedulerName: Duplicate value: "{name}"')
        names.setdefault(name, index)
        problems += plugin_config_problems(profile, f"profiles[{index}].")
    percentage = config.get("percentageOfNodesToScore")
    if percentage is not None and not 0 <= percentage <= 100:
        problems.append(f"percentageOfNodesToScore: Invalid value: {percentage}: "
                        "not in valid range [0-100]")
    initial = config.get("podInitialBackoffSeconds")
    initial = 1 if initial is None else initial  # v1beta3's defaults
    if initial <= 0:
        problems.append(f"podInitialBackoffSeconds: Invalid value: {initial}: must be greater than 0")
    maximum = config.get("podMaxBackoffSeconds")
    if maximum is not None and maximum < initial:
        problems.append(f"podMaxBackoffSeconds: Invalid value: {maximum}: "
                        "must be greater than or equal to PodInitialBackoffSeconds")
    return problems


@mirrors("k8s.io/kubernetes/pkg/scheduler/apis/config/validation.validatePluginConfig")
def plugin_config_problems(profile: Mapping, prefix: str = "") -> list[str]:
    """A profile's pluginConfig: each plugin configured once, with args of the right shape and
    the ranges upstream's Validate*Args allow."""
    problems, seen = [], set()
    for index, entry in enumerate(profile.get("pluginConfig") or ()):
        name, args, path = entry.get("name", ""), entry.get("args") or {}, f"{prefix}pluginConfig[{index}]"
        if name in seen:
            problems.append(f'{path}: Duplicate value: "{name}"')
        seen.add(name)
        wrong = shape_problems(args, PLUGIN_ARGS.get(name, {}), f"{path}.args")
        problems += wrong or _args_problems(name, args, f"{path}.args")
    return problems


def _args_problems(plugin: str, args: Mapping, path: str) -> list[str]:
    problems = []
    if plugin == "DefaultPreemption":
        problems += _preemption_args_problems(args, path)
    weight = args.get("hardPodAffinityWeight")
    if plugin == "InterPodAffinity" and weight is not None and not 0 <= weight <= 100:
        problems.append(f"{path}.hardPodAffinityWeight: Invalid value: {weight}: "
                        "not in valid range [0, 100]")
    if plugin == "NodeResourcesBalancedAllocation":
        names = set()
        for index, resource in enumerate(args.get("resources") or ()):
            if resource.get("name") in names:
                problems.append(f'{path}.resources[{index}].name: Duplicate value: '
                                f'"{resource.get("name")}"')
            names.add(resource.get("name"))
            if _weight(resource) != 1:
                problems.append(f"{path}.resources[{index}].weight: Invalid value: "
                                f"{_weight(resource)}: must be 1")
    if plugin == "NodeResourcesFit":
        for index, resource in enumerate((args.get("scoringStrategy") or {}).get("resources") or ()):
            if not 0 < _weight(resource) <= 100:
                problems.append(f"{path}.resources[{index}].weight: Invalid value: "
                                f"{_weight(resource)}: resource weight of "
                                f"{resource.get('name', '')} not in valid range (0, 100]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/scheduler/apis/config/validation.ValidateDefaultPreemptionArgs")
def _preemption_args_problems(args: Mapping, path: str) -> list[str]:
    """The candidate sample's bounds, after v1beta3's defaults (10% and 100)."""
    percentage = args.get("minCandidateNodesPercentage")
    percentage = 10 if percentage is None else percentage
    absolute = args.get("minCandidateNodesAbsolute")
    absolute = 100 if absolute is None else absolute
    problems = []
    if not 0 <= percentage <= 100:
        problems.append(f"{path}.minCandidateNodesPercentage: Invalid value: {percentage}: "
                        "not in valid range [0, 100]")
    if absolute < 0:
        problems.append(f"{path}.minCandidateNodesAbsolute: Invalid value: {absolute}: "
                        "not in valid range [0, inf)")
    if percentage == 0 and absolute == 0:
        problems += [f"{path}.minCandidateNodesPercentage: Invalid value: 0: "
                     "cannot be zero at the same time as minCandidateNodesAbsolute",
                     f"{path}.minCandidateNodesAbsolute: Invalid value: 0: "
                     "cannot be zero at the same time as minCandidateNodesPercentage"]
    return problems


def _weight(resource: Mapping) -> int:
    """A resource's weight after v1beta3's defaulting: unset or 0 is 1."""
    return resource.get("weight") or 1


def shape_problems(value, shape, path: str) -> list[str]:
    """Where `value` is not of `shape`'s JSON types (null counts as absent)."""
    if isinstance(shape, dict):
        if not isinstance(value, Mapping):
            return [_wrong(path, dict, value)]
        if list(shape) == [str]:
            return [problem for key, inner in value.items()
                    for problem in shape_problems(inner, shape[str], f"{path}.{key}")]
        return [problem for key, inner in shape.items() if value.get(key) is not None
                for problem in shape_problems(value[key], inner, f"{path}.{key}" if path else key)]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [_wrong(path, list, value)]
        return [problem for index, item in enumerate(value)
                for problem in shape_problems(item, shape[0], f"{path}[{index}]")]
    if shape is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, Mapping if shape is dict else shape)
    return [] if ok else [_wrong(path, shape, value)]


def _wrong(path: str, expected: type, value) -> str:
    got = "null" if value is None else next(
        (name for kind, name in _JSON_TYPES.items()
         if isinstance(value, kind) and not isinstance(value, bool)),
        "a boolean" if isinstance(value, bool) else "a number")
    return f"{path}: Invalid value: expected {_JSON_TYPES[expected]}, got {got}"
