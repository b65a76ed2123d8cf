"""metav1.LabelSelector matching (matchLabels and matchExpressions) and pod readiness helpers."""
from __future__ import annotations


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """A nil selector matches nothing, an empty one everything (as LabelSelectorAsSelector)."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def map_selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """A Service's map selector: empty or missing selects nothing."""
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def condition(obj: dict, kind: str) -> dict | None:
    return next((c for c in obj.get("status", {}).get("conditions") or [] if c.get("type") == kind), None)


def pod_ready(pod: dict) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def pod_active(pod: dict) -> bool:
    """Not terminal and not being deleted (controller.IsPodActive)."""
    return (pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            and not pod["metadata"].get("deletionTimestamp"))


def controller_ref(obj: dict) -> dict | None:
    return next((r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
