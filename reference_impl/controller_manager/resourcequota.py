"""The resource quota controller (pkg/controller/resourcequota): every ResourceQuota's status holds
its hard limits (a copy of spec.hard) and the namespace's usage of each, recalculated from the
objects themselves; ResourceQuota admission only ever adds to usage, so this is what gives back
what deletes and finished pods release.
"""
from __future__ import annotations

from collections.abc import Callable

from reference_impl.machinery import quota
from reference_impl.machinery.actions import Update
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/apiserver/pkg/quota/v1.CalculateUsage")
def calculate_usage(resource_quota: dict, hard: dict, list_objects: Callable[[str, str], list[dict]],
                    now: float) -> dict[str, str]:
    """Usage of every hard resource some evaluator charges, summed over the objects of the quota's
    namespace that it matches; `list_objects(group, resource)` gives those objects."""
    evaluated: dict[tuple[str, str], list[str]] = {}
    for name in hard:
        if (found := quota.evaluated_resource(name)) is not None:
            evaluated.setdefault(found, []).append(name)
    matches_scopes = {"status": {"hard": hard}, "spec": resource_quota.get("spec") or {}}
    usage = {}
    for (group, resource), names in evaluated.items():
        total = {name: quota.ZERO for name in names}
        for obj in list_objects(group, resource):
            if quota.matches(matches_scopes, group, resource, obj):
                total = quota.add(total, {n: v for n, v in quota.usage(group, resource, obj, now).items()
                                          if n in total})
        usage.update({name: str(value) for name, value in total.items()})
    return usage


@mirrors("(*k8s.io/kubernetes/pkg/controller/resourcequota.Controller).syncResourceQuota")
def sync_resource_quota(resource_quota: dict, list_objects: Callable[[str, str], list[dict]], now: float) -> list:
    """A status update when status.hard differs from spec.hard or the usage has changed."""
    hard = dict((resource_quota.get("spec") or {}).get("hard") or {})
    status = resource_quota.get("status") or {}
    used = {**(status.get("used") or {}), **calculate_usage(resource_quota, hard, list_objects, now)}
    used = {name: value for name, value in used.items() if name in hard}
    if status.get("hard") == hard and status.get("used") == used:
        return []
    meta = resource_quota["metadata"]
    return [Update("resourcequotas", meta.get("namespace"), {**resource_quota, "status": {"hard": hard, "used": used}},
                   subresource="status")]
