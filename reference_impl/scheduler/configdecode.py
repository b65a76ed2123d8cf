"""The Go types kube-scheduler's strict codec decodes a KubeSchedulerConfiguration into
(`machinery.strictjson`), and its words for what it refuses.

The first value of the wrong JSON type, else every unknown field, refuses the configuration;
a plugin's args are decoded after, entry by entry, into the plugin's own args type:

  decoding .profiles[0].pluginConfig[0]: decoding args for plugin InterPodAffinity: json: ...
"""
from __future__ import annotations

from collections.abc import Mapping

from reference_impl.machinery.strictjson import ANY, Slice, Struct, strict_decode_problem
from reference_impl.mirrors import mirrors


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
        "leaderElection": Struct("LeaderElectionConfiguration", {
            "leaderElect": "bool", "leaseDuration": "duration", "renewDeadline": "duration",
            "retryPeriod": "duration", "resourceLock": "string", "resourceName": "string",
            "resourceNamespace": "string"}, "v1alpha1"),
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
    "DefaultPreemption": Struct("DefaultPreemptionArgs", {"apiVersion": "string", "kind": "string",
                                                          "minCandidateNodesPercentage": "int32",
                                                          "minCandidateNodesAbsolute": "int32"}),
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
