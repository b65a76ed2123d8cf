"""Where a pod may run relative to nodes and other pods: affinity, anti-affinity and topology
spread constraints."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (CORE, META, arr, atomic, integer, obj, ref, string, strings)

DEFINITIONS = {
    CORE + "Affinity": obj(
        "Node affinity, pod affinity and pod anti-affinity rules.",
        nodeAffinity=ref(CORE + "NodeAffinity"),
        podAffinity=ref(CORE + "PodAffinity"),
        podAntiAffinity=ref(CORE + "PodAntiAffinity")),
    CORE + "NodeAffinity": obj(
        "Nodes the pod prefers or requires.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PreferredSchedulingTerm"), ""),
        requiredDuringSchedulingIgnoredDuringExecution=ref(CORE + "NodeSelector")),
    CORE + "NodeSelector": atomic(obj(
        "Node selector terms, any of which selects a node.", ("nodeSelectorTerms",),
        nodeSelectorTerms=arr(ref(CORE + "NodeSelectorTerm"), ""))),
    CORE + "NodeSelectorTerm": atomic(obj(
        "Requirements on a node's labels and fields, all of which must hold.",
        matchExpressions=arr(ref(CORE + "NodeSelectorRequirement"), ""),
        matchFields=arr(ref(CORE + "NodeSelectorRequirement"), ""))),
    CORE + "NodeSelectorRequirement": obj(
        "A key, an operator and values a node's label or field is matched with.", ("key", "operator"),
        key=string(""),
        operator=string(""),
        values=strings("")),
    CORE + "PreferredSchedulingTerm": obj(
        "A node selector term and the weight of matching it.", ("preference", "weight"),
        preference=ref(CORE + "NodeSelectorTerm"),
        weight=integer("")),
    CORE + "PodAffinity": obj(
        "Pods the pod is placed near.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "WeightedPodAffinityTerm"), ""),
        requiredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PodAffinityTerm"), "")),
    CORE + "PodAntiAffinity": obj(
        "Pods the pod is kept away from.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "WeightedPodAffinityTerm"), ""),
        requiredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PodAffinityTerm"), "")),
    CORE + "PodAffinityTerm": obj(
        "Pods selected by label and namespace, and the topology they share.", ("topologyKey",),
        labelSelector=ref(META + "LabelSelector"),
        namespaceSelector=ref(META + "LabelSelector"),
        namespaces=strings(""),
        topologyKey=string("")),
    CORE + "WeightedPodAffinityTerm": obj(
        "A pod affinity term and the weight of matching it.", ("podAffinityTerm", "weight"),
        podAffinityTerm=ref(CORE + "PodAffinityTerm"),
        weight=integer("")),
    CORE + "TopologySpreadConstraint": obj(
        "How far pods may be unevenly spread across a topology.", ("maxSkew", "topologyKey", "whenUnsatisfiable"),
        labelSelector=ref(META + "LabelSelector"),
        maxSkew=integer(""),
        topologyKey=string(""),
        whenUnsatisfiable=string("")),
}


GO_TYPES = {
    CORE + "Affinity": {"nodeAffinity": "*v1.NodeAffinity", "podAffinity": "*v1.PodAffinity",
                        "podAntiAffinity": "*v1.PodAntiAffinity"},
    CORE + "NodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": "*v1.NodeSelector"},
    CORE + "NodeSelectorRequirement": {"operator": "v1.NodeSelectorOperator"},
    CORE + "PodAffinityTerm": {"labelSelector": "*v1.LabelSelector", "namespaceSelector": "*v1.LabelSelector"},
    CORE + "TopologySpreadConstraint": {"labelSelector": "*v1.LabelSelector",
                                        "whenUnsatisfiable": "v1.UnsatisfiableConstraintAction"},
}
