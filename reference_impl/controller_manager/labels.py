"""A Service's map selector, owner references and pod readiness helpers. metav1.LabelSelector
matching is the scheduler's `selector_matches`, shared with it."""
from __future__ import annotations


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
