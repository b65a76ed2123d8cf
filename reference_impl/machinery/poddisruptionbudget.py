"""The DisruptionAllowed condition of a PodDisruptionBudget, which the apiserver's eviction and the
disruption controller both keep in step with status.disruptionsAllowed
(k8s.io/component-helpers/apps/poddisruptionbudget)."""
from __future__ import annotations

from reference_impl.machinery.objects import condition, set_condition
from reference_impl.mirrors import mirrors

DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"


@mirrors("k8s.io/component-helpers/apps/poddisruptionbudget.UpdateDisruptionAllowedCondition")
def update_disruption_allowed_condition(pdb: dict, now: str) -> None:
    """DisruptionAllowed is True (SufficientPods) while a disruption is allowed, else False
    (InsufficientPods)."""
    status = pdb.setdefault("status", {})
    allowed = status.get("disruptionsAllowed", 0) > 0
    set_disruption_allowed(pdb, "True" if allowed else "False", SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS,
                           "", now)


def set_disruption_allowed(pdb: dict, status: str, reason: str, message: str, now: str) -> None:
    """meta.SetStatusCondition of DisruptionAllowed, at the status' observedGeneration."""
    new = {"type": DISRUPTION_ALLOWED, "status": status, "reason": reason, "message": message}
    observed = pdb["status"].get("observedGeneration")
    if observed:
        new["observedGeneration"] = observed
    set_condition(pdb["status"].setdefault("conditions", []), new, now)


@mirrors("k8s.io/component-helpers/apps/poddisruptionbudget.ConditionsAreUpToDate")
def conditions_are_up_to_date(pdb: dict) -> bool:
    """Whether the status was computed for the current generation and its DisruptionAllowed
    condition says what disruptionsAllowed does."""
    status = pdb.get("status") or {}
    found = condition(pdb, DISRUPTION_ALLOWED)
    if found is None or status.get("observedGeneration", 0) != pdb["metadata"].get("generation", 0):
        return False
    if status.get("disruptionsAllowed", 0) > 0:
        return (found.get("status"), found.get("reason")) == ("True", SUFFICIENT_PODS)
    return (found.get("status"), found.get("reason")) == ("False", INSUFFICIENT_PODS)
