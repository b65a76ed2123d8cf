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


def _toleration_fields(toleration: Mapping[str, Any]) -> tuple:
    """A toleration as its Go struct: an absent field is the zero value."""
    return (toleration.get("key") or "", toleration.get("operator") or "", toleration.get("value") or "",
            toleration.get("effect") or "", toleration.get("tolerationSeconds"))


@mirrors("k8s.io/kubernetes/pkg/util/tolerations.isSuperset")
def tolerates_superset(ss: Mapping[str, Any], t: Mapping[str, Any]) -> bool:
    """Whether `ss` tolerates every taint `t` tolerates."""
    if _toleration_fields(ss) == _toleration_fields(t):
        return True
    ss_key, ss_operator, ss_value, ss_effect, ss_seconds = _toleration_fields(ss)
    t_key, t_operator, t_value, t_effect, t_seconds = _toleration_fields(t)
    if t_key != ss_key and (ss_key or ss_operator != "Exists"):  # an empty key with Exists matches every key
        return False
    if t_effect != ss_effect and ss_effect:
        return False
    if ss_effect == "NoExecute" and ss_seconds is not None and (t_seconds is None or t_seconds > ss_seconds):
        return False
    if ss_operator in ("Equal", ""):
        return t_operator == "Equal" and t_value == ss_value
    return ss_operator == "Exists"


@mirrors("k8s.io/kubernetes/pkg/util/tolerations.MergeTolerations")
def merge_tolerations(first: list[dict], second: list[dict]) -> list[dict]:
    """Both lists in order, without a toleration that another one kept (or a later, different one)
    already covers; of two equal ones the first stays."""
    every = [*first, *second]
    merged: list[dict] = []
    for i, toleration in enumerate(every):
        if any(tolerates_superset(kept, toleration) for kept in merged):
            continue
        if any(_toleration_fields(later) != _toleration_fields(toleration) and tolerates_superset(later, toleration)
               for later in every[i + 1:]):
            continue
        merged.append(toleration)
    return merged
