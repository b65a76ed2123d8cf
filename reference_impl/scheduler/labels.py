"""Label selectors, node selector terms and taint tolerations, evaluated on plain JSON dicts.

These mirror apimachinery's `labels.Selector`, component-helpers' `nodeaffinity` and the core
helper `FindMatchingUntoleratedTaint`, which every filter plugin relies on.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from reference_impl.mirrors import mirrors


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """Whether a metav1.LabelSelector matches `labels`; a nil selector matches nothing, `{}` everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for req in selector.get("matchExpressions") or ():
        key, op, values = req["key"], req["operator"], req.get("values") or ()
        if op == "In":
            if key not in labels or labels[key] not in values:
                return False
        elif op == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif op == "Exists":
            if key not in labels:
                return False
        elif op == "DoesNotExist":
            if key in labels:
                return False
        else:
            return False
    return True


LabelsSelector = Callable[[Mapping[str, str]], bool]


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorAsSelector")
def compile_selector(selector: Mapping[str, Any] | None) -> LabelsSelector | None:
    """`selector_matches` with the selector fixed, for loops over many pods; None for a nil selector
    (it matches nothing). The common matchLabels-only selector becomes plain lookups."""
    if selector is None:
        return None
    if selector.get("matchExpressions"):
        return lambda labels: selector_matches(selector, labels)
    pairs = tuple((selector.get("matchLabels") or {}).items())
    if len(pairs) == 1:
        (key, value), = pairs
        return lambda labels: labels.get(key) == value
    return lambda labels: all(labels.get(k) == v for k, v in pairs)


def _requirement_matches(req: Mapping[str, Any], values_by_key: Mapping[str, str]) -> bool:
    key, op, values = req["key"], req["operator"], req.get("values") or ()
    if op == "In":
        return key in values_by_key and values_by_key[key] in values
    if op == "NotIn":
        return not (key in values_by_key and values_by_key[key] in values)
    if op == "Exists":
        return key in values_by_key
    if op == "DoesNotExist":
        return key not in values_by_key
    if op in ("Gt", "Lt"):
        if key not in values_by_key or len(values) != 1:
            return False
        try:
            have, want = int(values_by_key[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def node_selector_term_matches(term: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """A NodeSelectorTerm: its requirements are ANDed; a term with none matches no node."""
    exprs = term.get("matchExpressions") or ()
    fields = term.get("matchFields") or ()
    if not exprs and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    if not all(_requirement_matches(r, labels) for r in exprs):
        return False
    node_fields = {"metadata.name": node["metadata"]["name"]}
    return all(_requirement_matches(r, node_fields) for r in fields)


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


@mirrors("k8s.io/component-helpers/scheduling/corev1/nodeaffinity.GetRequiredNodeAffinity")
def get_required_node_affinity(pod: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """`required_node_affinity_matches` for one pod, answering without a look when it has neither."""
    spec = pod.get("spec") or {}
    if not spec.get("nodeSelector") and not ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"):
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
