"""The ResourceQuota kind (core/v1): its resource facts, OpenAPI schema, printer columns and protobuf
layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, list_kind, obj, opaque, quantity_map, strings, workload
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors

RESOURCES = (
    Resource("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True, ("quota",),
             subresources=("status",), status_reset_on_update=True),
)


DEFINITIONS = {
    **workload("", "v1", CORE, "ResourceQuota", "Limits on the resources one namespace may use."),
    CORE + "ResourceQuotaSpec": obj(
        "The hard limits of a quota.",
        hard=quantity_map("The most of each resource the namespace may use."),
        scopeSelector=opaque("Which objects the quota counts, as scope expressions."),
        scopes=strings("Which objects the quota counts.")),
    CORE + "ResourceQuotaList": list_kind("", "v1", CORE + "ResourceQuota"),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printResourceQuota")
def _resource_quota(obj: dict, now: float) -> list:
    status = part(obj, "status")
    hard, used = part(status, "hard"), part(status, "used")
    requests, limits = [], []
    for name in sorted(hard):
        column = limits if name.split(".")[0] == "limits" and "." in name else requests
        column.append(f"{name}: {used.get(name, '0')}/{hard[name]}")
    return [name_cell(obj), age_cell(obj, now), ", ".join(requests), ", ".join(limits)]


PRINTERS = {
    "ResourceQuota": ([NAME, AGE, ("Request", "string", 0, "Used and hard request quotas."),
                       ("Limit", "string", 0, "Used and hard limit quotas.")], _resource_quota),
}


MESSAGES = """
core.ResourceQuota: 1 metadata meta.ObjectMeta; 2 spec core.ResourceQuotaSpec; 3 status core.ResourceQuotaStatus
core.ResourceQuotaList: 1 metadata meta.ListMeta; 2 items []core.ResourceQuota
core.ResourceQuotaSpec: 1 hard {}resource.Quantity; 2 scopes []string; 3 scopeSelector core.ScopeSelector
core.ResourceQuotaStatus: 1 hard {}resource.Quantity; 2 used {}resource.Quantity
core.ScopeSelector: 1 matchExpressions []core.ScopedResourceSelectorRequirement
core.ScopedResourceSelectorRequirement: 1 scopeName string; 2 operator string; 3 values []string
"""
