"""Node selector terms and taint tolerations on plain JSON, as component-helpers' `nodeaffinity`
and `FindMatchingUntoleratedTaint` answer them: the scheduler's filters and the DaemonSet and
node-lifecycle controllers ask the same questions.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from reference_impl.machinery.labels import compile_requirement, requirement_matches
from reference_impl.mirrors import mirrors


def node_selector_term_matches(term: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """A NodeSelectorTerm: its requirements are ANDed; a term with none matches no node."""
    exprs = term.get("matchExpressions") or ()
    fields = term.get("matchFields") or ()
    if not exprs and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    if not all(requirement_matches(r, labels) for r in exprs):
        return False
    node_fields = {"metadata.name": node["metadata"]["name"]}
    return all(requirement_matches(r, node_fields) for r in fields)


def node_selector_term_label_matcher(term: Mapping[str, Any]) -> Callable[[Mapping[str, str]], bool] | None:
    """`node_selector_term_matches` as a test of a node's labels alone, worked out once for a term
    that is asked about many nodes (NodeAffinity scores every feasible node against each preferred
    term); None when the term has matchFields, which need the node itself."""
    if term.get("matchFields"):
        return None
    exprs = term.get("matchExpressions") or ()
    if not exprs:
        return lambda labels: False
    tests = [compile_requirement(r) for r in exprs]
    if len(tests) == 1:
        return tests[0]
    return lambda labels: all(test(labels) for test in tests)


@mirrors("(k8s.io/component-helpers/scheduling/corev1/nodeaffinity.RequiredNodeAffinity).Match")
def required_node_affinity_matches(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """spec.nodeSelector (all labels equal) AND any of the required node affinity terms."""
    spec = pod.get("spec") or {}
    labels = node["metadata"].get("labels") or {}
    for key, value in (spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if required is None:
        return True
    return any(node_selector_term_matches(t, node) for t in required.get("nodeSelectorTerms") or ())


def has_required_node_affinity(pod: Mapping[str, Any]) -> bool:
    """Whether the pod restricts its nodes: a nodeSelector or required node affinity."""
    spec = pod.get("spec") or {}
    return bool(spec.get("nodeSelector") or ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))


@mirrors("k8s.io/component-helpers/scheduling/corev1/nodeaffinity.GetRequiredNodeAffinity")
def get_required_node_affinity(pod: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """`required_node_affinity_matches` for one pod, answering without a look when it has neither."""
    if not has_required_node_affinity(pod):
        return lambda node: True
    return lambda node: required_node_affinity_matches(pod, node)


def toleration_tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """A toleration tolerates a taint when effect and key agree and, for Equal, the value does too."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "") and bool(key)
    return False


@mirrors("k8s.io/component-helpers/scheduling/corev1.FindMatchingUntoleratedTaint")
def find_untolerated_taint(taints, tolerations, effects=("NoSchedule", "NoExecute")):
    """The first taint with an effect in `effects` that no toleration tolerates, else None."""
    for taint in taints or ():
        if taint.get("effect") not in effects:
            continue
        if not any(toleration_tolerates(t, taint) for t in tolerations or ()):
            return taint
    return None
