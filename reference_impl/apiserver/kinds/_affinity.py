"""Where a pod may run relative to nodes and other pods: affinity, anti-affinity and topology
spread constraints."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (CORE, META, arr, atomic, integer, obj, ref, string, strings)

DEFINITIONS = {
    CORE + "Affinity": obj(
        "Node affinity, pod affinity and pod anti-affinity rules.",
        nodeAffinity=ref(CORE + "NodeAffinity", "Nodes the pod prefers or requires."),
        podAffinity=ref(CORE + "PodAffinity", "Pods the pod is placed near."),
        podAntiAffinity=ref(CORE + "PodAntiAffinity", "Pods the pod is kept away from.")),
    CORE + "NodeAffinity": obj(
        "Nodes the pod prefers or requires.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PreferredSchedulingTerm"),
                                                            "Node terms the scheduler prefers."),
        requiredDuringSchedulingIgnoredDuringExecution=ref(CORE + "NodeSelector",
                                                           "Node terms one of which must hold.")),
    CORE + "NodeSelector": atomic(obj(
        "Node selector terms, any of which selects a node.", ("nodeSelectorTerms",),
        nodeSelectorTerms=arr(ref(CORE + "NodeSelectorTerm"), "Terms ORed together."))),
    CORE + "NodeSelectorTerm": atomic(obj(
        "Requirements on a node's labels and fields, all of which must hold.",
        matchExpressions=arr(ref(CORE + "NodeSelectorRequirement"), "Requirements on the node's labels."),
        matchFields=arr(ref(CORE + "NodeSelectorRequirement"), "Requirements on the node's fields."))),
    CORE + "NodeSelectorRequirement": obj(
        "A key, an operator and values a node's label or field is matched with.", ("key", "operator"),
        key=string("Label or field key."),
        operator=string("In, NotIn, Exists, DoesNotExist, Gt or Lt."),
        values=strings("Values compared with; one for Gt and Lt.")),
    CORE + "PreferredSchedulingTerm": obj(
        "A node selector term and the weight of matching it.", ("preference", "weight"),
        preference=ref(CORE + "NodeSelectorTerm", "The node selector term."),
        weight=integer("Weight of the term, from 1 to 100.")),
    CORE + "PodAffinity": obj(
        "Pods the pod is placed near.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "WeightedPodAffinityTerm"),
                                                            "Pods the scheduler prefers to be near."),
        requiredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PodAffinityTerm"),
                                                           "Pods the pod must be near.")),
    CORE + "PodAntiAffinity": obj(
        "Pods the pod is kept away from.",
        preferredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "WeightedPodAffinityTerm"),
                                                            "Pods the scheduler prefers to avoid."),
        requiredDuringSchedulingIgnoredDuringExecution=arr(ref(CORE + "PodAffinityTerm"), "Pods the pod must avoid.")),
    CORE + "PodAffinityTerm": obj(
        "Pods selected by label and namespace, and the topology they share.", ("topologyKey",),
        labelSelector=ref(META + "LabelSelector", "Selects the pods to be near (or away from)."),
        namespaceSelector=ref(META + "LabelSelector", "Selects the namespaces of the pods counted."),
        namespaces=strings("Namespaces of the pods counted; empty with no namespaceSelector means the pod's own."),
        topologyKey=string("Node label whose values are the topology domains.")),
    CORE + "WeightedPodAffinityTerm": obj(
        "A pod affinity term and the weight of matching it.", ("podAffinityTerm", "weight"),
        podAffinityTerm=ref(CORE + "PodAffinityTerm", "The pod affinity term."),
        weight=integer("Weight of the term, from 1 to 100.")),
    CORE + "TopologySpreadConstraint": obj(
        "How far pods may be unevenly spread across a topology.", ("maxSkew", "topologyKey", "whenUnsatisfiable"),
        labelSelector=ref(META + "LabelSelector", "Selects the pods counted in each domain."),
        maxSkew=integer("How many more matching pods one domain may have than another."),
        topologyKey=string("Node label whose values are the topology domains."),
        whenUnsatisfiable=string("DoNotSchedule or ScheduleAnyway.")),
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
