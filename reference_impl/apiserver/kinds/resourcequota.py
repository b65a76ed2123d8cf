"""The ResourceQuota kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, arr, atomic, kind, list_kind, obj, quantity_map, ref, string, strings
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import object_field, resource_lists
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

TERMINATING, NOT_TERMINATING = "Terminating", "NotTerminating"
BEST_EFFORT, NOT_BEST_EFFORT = "BestEffort", "NotBestEffort"
PRIORITY_CLASS, CROSS_NAMESPACE_POD_AFFINITY = "PriorityClass", "CrossNamespacePodAffinity"
# The PodAffinityNamespaceSelector gate is on in 1.24, so CrossNamespacePodAffinity is a standard scope.
STANDARD_SCOPES = (TERMINATING, NOT_TERMINATING, BEST_EFFORT, NOT_BEST_EFFORT, PRIORITY_CLASS,
                   CROSS_NAMESPACE_POD_AFFINITY)
CONFLICTING_SCOPES = ((BEST_EFFORT, NOT_BEST_EFFORT), (TERMINATING, NOT_TERMINATING))
POD_COMPUTE_RESOURCES = ("cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory")
EXISTS_ONLY_MSG = ("must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, "
                   "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort "
                   "or ResourceQuotaScopeCrossNamespacePodAffinity")


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsResourceQuotaScopeValidForResource")
def _scope_limits(scope: str, resource: str) -> bool:
    """Whether a quota with `scope` may limit `resource`: BestEffort pods have no compute to count."""
    if scope == BEST_EFFORT:
        return resource == "pods"
    if scope in STANDARD_SCOPES:
        return resource == "pods" or resource in POD_COMPUTE_RESOURCES
    return True


def _go_scopes(scopes: list) -> str:
    """%#v of a []core.ResourceQuotaScope."""
    return "[]core.ResourceQuotaScope{" + ", ".join(quote(s) for s in scopes) + "}" if scopes is not None \
        else "[]core.ResourceQuotaScope(nil)"


def _go_strings(values: list | None) -> str:
    return "[]string{" + ", ".join(quote(s) for s in values) + "}" if values is not None else "[]string(nil)"


def _go_scope_selector(selector: dict) -> str:
    """%#v of a core.ScopeSelector."""
    expressions = selector.get("matchExpressions")
    inner = "[]core.ScopedResourceSelectorRequirement(nil)" if expressions is None else \
        "[]core.ScopedResourceSelectorRequirement{" + ", ".join(
            f"core.ScopedResourceSelectorRequirement{{ScopeName:{quote(r.get('scopeName') or '')}, "
            f"Operator:{quote(r.get('operator') or '')}, Values:{_go_strings(r.get('values'))}}}"
            for r in map(v.as_object, expressions)) + "}"
    return f"core.ScopeSelector{{MatchExpressions:{inner}}}"


def _resource_list_problems(resources: object, path: str) -> list[str]:
    """Each key a quota resource name, each quantity valid for it."""
    return [p for name, written in sorted(v.as_object(resources).items())
            for p in (v.quota_resource_name_problems(name, f"{path}[{name}]")
                      + v.resource_quantity_problems(name, "0" if written is None else written, f"{path}[{name}]"))]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateResourceQuotaScopes")
def _scopes_problems(spec: dict) -> list[str]:
    scopes, hard = spec.get("scopes"), sorted(v.as_object(spec.get("hard")))
    problems = []
    for scope in v.as_list(scopes):
        if scope not in STANDARD_SCOPES:
            problems.append(f"spec.scopes: Invalid value: {_go_scopes(scopes)}: unsupported scope")
        problems += [f"spec.scopes: Invalid value: {_go_scopes(scopes)}: unsupported scope applied to resource"
                     for name in hard if v.is_standard_quota_resource_name(name) and not _scope_limits(scope, name)]
    problems += [f"spec.scopes: Invalid value: {_go_scopes(scopes)}: conflicting scopes"
                 for pair in CONFLICTING_SCOPES if set(pair) <= set(v.as_list(scopes))]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateScopedResourceSelectorRequirement")
def _scope_selector_problems(spec: dict) -> list[str]:
    """Known scopes, each limiting only what it may, with an operator and values that fit it."""
    selector = spec.get("scopeSelector")
    if selector is None:
        return []
    selector, path = v.as_object(selector), "spec.scopeSelector.matchExpressions"
    hard = sorted(v.as_object(spec.get("hard")))
    problems, scopes = [], set()
    for requirement in map(v.as_object, v.as_list(selector.get("matchExpressions"))):
        scope, operator, values = (requirement.get("scopeName") or "", requirement.get("operator") or "",
                                   requirement.get("values"))
        if scope not in STANDARD_SCOPES:
            problems.append(v.invalid(f"{path}.scopeName", scope, "unsupported scope"))
        problems += [f"{path}: Invalid value: {_go_scope_selector(selector)}: unsupported scope applied to resource"
                     for name in hard if v.is_standard_quota_resource_name(name) and not _scope_limits(scope, name)]
        if scope in (BEST_EFFORT, NOT_BEST_EFFORT, TERMINATING, NOT_TERMINATING, CROSS_NAMESPACE_POD_AFFINITY) \
                and operator != "Exists":
            problems.append(v.invalid(f"{path}.operator", operator, EXISTS_ONLY_MSG))
        if operator in ("In", "NotIn"):
            if not values:
                problems.append(v.required(f"{path}.values", "must be at least one value when `operator` is 'In' or "
                                                             "'NotIn' for scope selector"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                problems.append(f"{path}.values: Invalid value: {_go_strings(values)}: must be no value when "
                                "`operator` is 'Exist' or 'DoesNotExist' for scope selector")
        else:
            problems.append(v.invalid(f"{path}.operator", operator, "not a valid selector operator"))
        scopes.add(scope)
    # Upstream shows spec.scopes here, not the selector.
    problems += [f"{path}: Invalid value: {_go_scopes(spec.get('scopes'))}: conflicting scopes"
                 for pair in CONFLICTING_SCOPES if set(pair) <= scopes]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceQuotaSpec")
def validate_resource_quota(resource_quota: dict) -> list[str]:
    """Hard limits on quota resources, with valid quantities; scopes, and a scope selector, that
    are known, do not conflict and may limit what the quota counts."""
    spec = part(resource_quota, "spec")
    return _resource_list_problems(spec.get("hard"), "spec.hard") + _scopes_problems(spec) + \
        _scope_selector_problems(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceQuotaUpdate")
def validate_update(old: dict, new: dict) -> list[str]:
    """The scopes a quota was created with stay."""
    scopes = part(new, "spec").get("scopes")
    if set(v.as_list(scopes)) != set(v.as_list(part(old, "spec").get("scopes"))):
        return [f"spec.scopes: Invalid value: {_go_scopes(scopes)}: field is immutable"]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceQuotaStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """status.hard and status.used name quota resources and hold valid quantities."""
    status = part(new, "status")
    return _resource_list_problems(status.get("hard"), "status.hard") + \
        _resource_list_problems(status.get("used"), "status.used")


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_ResourceQuota")
def resource_quota(obj: dict, spec: dict) -> None:
    resource_lists(spec, "hard")
    resource_lists(object_field(obj, "status"), "hard", "used")


DEFAULTS = {"ResourceQuota": resource_quota}

RESOURCES = (
    Resource("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True, ("quota",),
             return_deleted_object=True,
             subresources=("status",), status_reset_on_update=True, validator=validate_resource_quota,
             update_validator=validate_update, validate_status_update=validate_status_update,
             zero_value={"spec": {}, "status": {}}),
)


DEFINITIONS = {
    CORE + "ResourceQuota": kind("", "v1", "ResourceQuota", "Limits on the resources one namespace may use.",
                                 spec=ref(CORE + "ResourceQuotaSpec", "The desired state of the ResourceQuota."),
                                 status=ref(CORE + "ResourceQuotaStatus", "The observed state of the ResourceQuota.")),
    CORE + "ResourceQuotaSpec": obj(
        "The hard limits of a quota.",
        hard=quantity_map("The most of each resource the namespace may use."),
        scopeSelector=ref(CORE + "ScopeSelector", "Which objects the quota counts, as scope expressions."),
        scopes=strings("Which objects the quota counts.")),
    CORE + "ResourceQuotaStatus": obj(
        "The enforced hard limits and what the namespace uses now.",
        hard=quantity_map("The hard limits being enforced."),
        used=quantity_map("What the namespace uses now.")),
    CORE + "ScopeSelector": atomic(obj(
        "Scope expressions an object must all meet to be counted.",
        matchExpressions=arr(ref(CORE + "ScopedResourceSelectorRequirement"), "The scope expressions."))),
    CORE + "ScopedResourceSelectorRequirement": obj(
        "A scope, an operator and the values it compares with.", ("operator", "scopeName"),
        operator=string("In, NotIn, Exists or DoesNotExist."),
        scopeName=string("The scope the requirement applies to."),
        values=strings("The values for In and NotIn; empty for Exists and DoesNotExist.")),
    CORE + "ResourceQuotaList": list_kind("", "v1", CORE + "ResourceQuota"),
}


GO_TYPES = {
    CORE + "ResourceQuotaSpec": {"scopes": "[]v1.ResourceQuotaScope"},
    CORE + "ScopedResourceSelectorRequirement": {"operator": "v1.ScopeSelectorOperator",
                                                 "scopeName": "v1.ResourceQuotaScope"},
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
core.ResourceQuota: 1 metadata! meta.ObjectMeta; 2 spec! core.ResourceQuotaSpec; 3 status! core.ResourceQuotaStatus
core.ResourceQuotaList: 1 metadata! meta.ListMeta; 2 items* []core.ResourceQuota
core.ResourceQuotaSpec: 1 hard? {}resource.Quantity; 2 scopes? []string; 3 scopeSelector core.ScopeSelector
core.ResourceQuotaStatus: 1 hard? {}resource.Quantity; 2 used? {}resource.Quantity
core.ScopeSelector: 1 matchExpressions? []core.ScopedResourceSelectorRequirement
core.ScopedResourceSelectorRequirement: 1 scopeName! string; 2 operator! string; 3 values? []string
"""
