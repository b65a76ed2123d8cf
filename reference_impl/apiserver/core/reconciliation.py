"""How a bootstrap role or binding is reconciled with the one stored (component-helpers'
auth/rbac/reconciliation, as the rbac/bootstrap-roles post-start hook runs it): a missing object is
created; an existing one gains the labels, annotations, rules, aggregation selectors or subjects it
lacks and keeps whatever an administrator added; a binding whose roleRef differs is recreated;
an object annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` is left as it is.

Plain data in, a decision out: the caller reads and writes storage.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from reference_impl.apiserver.core.escalation import uncovered
from reference_impl.mirrors import mirrors

AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate"

CREATE, UPDATE, RECREATE, NONE = "create", "update", "recreate", "none"


@dataclass(frozen=True)
class Reconciled:
    """What to do (`operation`) and the object to write for it; `protected` when the stored object
    opted out, in which case nothing is written."""
    operation: str
    obj: dict
    protected: bool = False


def _protected(existing: dict) -> bool:
    return (existing["metadata"].get("annotations") or {}).get(AUTOUPDATE_ANNOTATION) == "false"


@mirrors("k8s.io/component-helpers/auth/rbac/reconciliation.merge")
def _merged(expected: dict | None, existing: dict | None) -> dict | None:
    """The expected map overlaid by the existing one: the stored values win."""
    if expected is None and existing is None:
        return None
    return {**(expected or {}), **(existing or {})}


def _merge_metadata(obj: dict, existing: dict, expected: dict) -> bool:
    """Merge the expected labels and annotations into `obj`; True when that changed anything."""
    changed = False
    for field in ("annotations", "labels"):
        merged = _merged(expected["metadata"].get(field), existing["metadata"].get(field))
        if merged != existing["metadata"].get(field):
            obj["metadata"][field] = merged
            changed = True
    return changed


def _selectors(role: dict) -> list[dict] | None:
    rule = role.get("aggregationRule")
    return None if rule is None else list(rule.get("clusterRoleSelectors") or [])


@mirrors("k8s.io/component-helpers/auth/rbac/reconciliation.computeReconciledRole")
def reconcile_role(existing: dict | None, expected: dict) -> Reconciled:
    """A Role or ClusterRole, in the union mode the post-start hook uses (no permission is removed)."""
    if existing is None:
        return Reconciled(CREATE, copy.deepcopy(expected))
    obj = copy.deepcopy(existing)
    changed = _merge_metadata(obj, existing, expected)
    missing = uncovered(existing.get("rules") or [], expected.get("rules") or [])
    if missing:
        obj["rules"] = [*(existing.get("rules") or []), *missing]
        changed = True
    expected_selectors, existing_selectors = _selectors(expected), _selectors(existing)
    if expected_selectors is None and existing_selectors is not None:
        del obj["aggregationRule"]
        changed = True
    elif expected_selectors is not None:
        missing_selectors = [s for s in expected_selectors if s not in (existing_selectors or [])]
        if missing_selectors:
            obj["aggregationRule"] = {"clusterRoleSelectors": [*(existing_selectors or []), *missing_selectors]}
            changed = True
    return Reconciled(UPDATE if changed else NONE, obj, _protected(existing))


@mirrors("k8s.io/component-helpers/auth/rbac/reconciliation.computeReconciledRoleBinding")
def reconcile_role_binding(existing: dict | None, expected: dict) -> Reconciled:
    """A RoleBinding or ClusterRoleBinding, in union mode: missing subjects are appended."""
    if existing is None:
        return Reconciled(CREATE, copy.deepcopy(expected))
    if existing.get("roleRef") != expected["roleRef"]:  # roleRef is immutable: delete and create
        return Reconciled(RECREATE, copy.deepcopy(expected), _protected(existing))
    obj = copy.deepcopy(existing)
    changed = _merge_metadata(obj, existing, expected)
    subjects = existing.get("subjects") or []
    missing = []
    for subject in expected.get("subjects") or []:
        if subject not in subjects and subject not in missing:
            missing.append(subject)
    if missing:
        obj["subjects"] = [*subjects, *missing]
        changed = True
    return Reconciled(UPDATE if changed else NONE, obj, _protected(existing))
