"""What an object costs against a ResourceQuota (pkg/quota/v1): the quota evaluators that ResourceQuota
admission charges a create with and the resource quota controller sums a namespace's usage with.

Pods cost `pods`, `count/pods` and their compute requests and limits (`cpu`, `requests.cpu`,
`limits.memory`, ...); services and PersistentVolumeClaims have evaluators of their own; any other
resource costs one `count/<resource>.<group>` (and the legacy `configmaps`, `secrets`,
`replicationcontrollers`, `resourcequotas`). Usage is a dict of resource name → Quantity.
"""
from __future__ import annotations

from collections.abc import Iterable

from reference_impl.machinery.quantity import ZERO, Quantity, integer, parse
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.mirrors import mirrors

LEGACY_OBJECT_COUNT_ALIASES = {"configmaps": "configmaps", "resourcequotas": "resourcequotas",
                               "replicationcontrollers": "replicationcontrollers", "secrets": "secrets"}
POD_RESOURCES = ("count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
                 "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods")
# If a quota tracks these, every container must say how much of them it asks for (upstream calls
# that coupling a mistake it keeps for compatibility).
POD_VALIDATION_SET = ("cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory")
SERVICE_RESOURCES = ("count/services", "services", "services.loadbalancers", "services.nodeports")
CLAIM_RESOURCES = ("count/persistentvolumeclaims", "persistentvolumeclaims", "requests.storage")
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"


@mirrors("k8s.io/apiserver/pkg/quota/v1/generic.ObjectCountQuotaResourceNameFor")
def object_count_name(group: str, resource: str) -> str:
    return f"count/{resource}.{group}" if group else f"count/{resource}"


def add(a: dict[str, Quantity], b: dict[str, Quantity]) -> dict[str, Quantity]:
    """quota.Add: every resource of either, summed."""
    return {name: a.get(name, ZERO) + b.get(name, ZERO) if name in a else b[name] for name in {**a, **b}}


@mirrors("k8s.io/apiserver/pkg/quota/v1.SubtractWithNonNegativeResult")
def subtract_with_non_negative_result(a: dict[str, Quantity], b: dict[str, Quantity]) -> dict[str, Quantity]:
    """a - b for each resource of either, a difference below zero (or one only b has) as zero."""
    result = {name: Quantity(value.value - b[name].value, value.format) if name in b else value
              for name, value in a.items()}
    return {**{name: ZERO for name in b}, **{name: q if q.value > 0 else ZERO for name, q in result.items()}}


def _max(a: dict[str, Quantity], b: dict[str, Quantity]) -> dict[str, Quantity]:
    return {name: b[name] if name in b and (name not in a or b[name].value > a[name].value) else a[name]
            for name in {**a, **b}}


def resource_list(resources: object) -> dict[str, Quantity]:
    if not isinstance(resources, dict):
        return {}
    return {name: q for name, value in resources.items() if (q := parse(value)) is not None}


@mirrors("k8s.io/kubernetes/pkg/quota/v1/evaluator/core.podComputeUsageHelper")
def _pod_compute_usage(requests: dict[str, Quantity], limits: dict[str, Quantity]) -> dict[str, Quantity]:
    usage = {"pods": integer(1)}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            usage[name] = usage[f"requests.{name}"] = requests[name]
        if name in limits:
            usage[f"limits.{name}"] = limits[name]
    for name, request in requests.items():
        if name.startswith("hugepages-"):
            usage[name] = usage[f"requests.{name}"] = request
        elif "/" in name and not name.startswith("kubernetes.io/") and not name.startswith("requests."):
            usage[f"requests.{name}"] = request  # an extended resource
    return usage


def _containers(pod: dict, field: str) -> list[dict]:
    return [c for c in (pod.get("spec") or {}).get(field) or [] if isinstance(c, dict)]


def _requirements(container: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    resources = container.get("resources") or {}
    return resource_list(resources.get("requests")), resource_list(resources.get("limits"))


@mirrors("k8s.io/kubernetes/pkg/quota/v1/evaluator/core.QuotaV1Pod")
def pod_counts_compute(pod: dict, now: float) -> bool:
    """A pod that has ended, or whose deletion's grace period is over, no longer costs compute."""
    if (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
        return False
    meta = pod.get("metadata") or {}
    if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds") is not None:
        return now <= parse_rfc3339(meta["deletionTimestamp"]) + meta["deletionGracePeriodSeconds"]
    return True


@mirrors("k8s.io/kubernetes/pkg/quota/v1/evaluator/core.PodUsageFunc")
def pod_usage(pod: dict, now: float) -> dict[str, Quantity]:
    usage = {"count/pods": integer(1)}
    if not pod_counts_compute(pod, now):
        return usage
    requests, limits = {}, {}
    for container in _containers(pod, "containers"):
        container_requests, container_limits = _requirements(container)
        requests, limits = add(requests, container_requests), add(limits, container_limits)
    for container in _containers(pod, "initContainers"):
        container_requests, container_limits = _requirements(container)
        requests, limits = _max(requests, container_requests), _max(limits, container_limits)
    overhead = resource_list((pod.get("spec") or {}).get("overhead"))
    return {**usage, **_pod_compute_usage(add(requests, overhead), add(limits, overhead))}


@mirrors("(*k8s.io/kubernetes/pkg/quota/v1/evaluator/core.podEvaluator).Constraints")
def pod_constraints(required: Iterable[str], pod: dict) -> str | None:
    """`must specify <resources>` when a quota tracks cpu or memory and a container does not set them."""
    required_set = set(required) & set(POD_VALIDATION_SET)
    missing = set()
    for container in (*_containers(pod, "containers"), *_containers(pod, "initContainers")):
        missing |= required_set - set(_pod_compute_usage(*_requirements(container)))
    return f"must specify {','.join(sorted(missing))}" if missing else None


@mirrors("(*k8s.io/kubernetes/pkg/quota/v1/evaluator/core.serviceEvaluator).Usage")
def service_usage(service: dict) -> dict[str, Quantity]:
    spec = service.get("spec") or {}
    ports = len(spec.get("ports") or [])
    usage = {"count/services": integer(1), "services": integer(1), "services.loadbalancers": ZERO,
             "services.nodeports": ZERO}
    if spec.get("type") == "NodePort":
        usage["services.nodeports"] = integer(ports)
    elif spec.get("type") == "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") is False:
            ports = sum(1 for port in spec.get("ports") or [] if port.get("nodePort"))
        usage["services.nodeports"], usage["services.loadbalancers"] = integer(ports), integer(1)
    return usage


@mirrors("(*k8s.io/kubernetes/pkg/quota/v1/evaluator/core.pvcEvaluator).Usage")
def claim_usage(claim: dict) -> dict[str, Quantity]:
    spec = claim.get("spec") or {}
    usage = {"persistentvolumeclaims": integer(1), "count/persistentvolumeclaims": integer(1)}
    storage_class = spec.get("storageClassName") or ((claim.get("metadata") or {}).get("annotations") or {}).get(
        "volume.beta.kubernetes.io/storage-class", "")
    if storage_class:
        usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"] = integer(1)
    storage = resource_list((spec.get("resources") or {}).get("requests")).get("storage")
    if storage is not None:
        usage["requests.storage"] = storage
        if storage_class:
            usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}requests.storage"] = storage
    return usage


def usage(group: str, resource: str, obj: dict, now: float) -> dict[str, Quantity]:
    """What one object of `group`/`resource` costs (Evaluator.Usage)."""
    if group == "" and resource == "pods":
        return pod_usage(obj, now)
    if group == "" and resource == "services":
        return service_usage(obj)
    if group == "" and resource == "persistentvolumeclaims":
        return claim_usage(obj)
    names = [object_count_name(group, resource)]
    if group == "" and resource in LEGACY_OBJECT_COUNT_ALIASES:
        names.append(LEGACY_OBJECT_COUNT_ALIASES[resource])
    return {name: integer(1) for name in names}


def matching_resources(group: str, resource: str, names: Iterable[str]) -> list[str]:
    """The resource names among `names` that objects of `group`/`resource` are charged for
    (Evaluator.MatchingResources)."""
    if group == "" and resource == "pods":
        return [n for n in names if n in POD_RESOURCES or n.startswith(("hugepages-", "requests.hugepages-"))
                or (n.startswith("requests.") and "/" in n and not n.startswith("requests.kubernetes.io/"))]
    if group == "" and resource == "services":
        return [n for n in names if n in SERVICE_RESOURCES]
    if group == "" and resource == "persistentvolumeclaims":
        return [n for n in names if n in CLAIM_RESOURCES or (STORAGE_CLASS_SUFFIX in n and n.endswith(
            ("/persistentvolumeclaims", "/requests.storage")))]
    counted = {object_count_name(group, resource)}
    if group == "" and resource in LEGACY_OBJECT_COUNT_ALIASES:
        counted.add(LEGACY_OBJECT_COUNT_ALIASES[resource])
    return [n for n in names if n in counted]


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def status_resources(resource_quota: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """status.hard and status.used; a stored part the decoder would refuse counts as absent."""
    status = _object(resource_quota.get("status"))
    return resource_list(status.get("hard")), resource_list(status.get("used"))


def scope_selectors(resource_quota: dict) -> list[dict]:
    """spec.scopes (each an Exists) and spec.scopeSelector's expressions; a stored part the decoder
    would refuse counts as absent."""
    spec = _object(resource_quota.get("spec"))
    expressions = _list(_object(spec.get("scopeSelector")).get("matchExpressions"))
    return ([{"scopeName": scope, "operator": "Exists"} for scope in _list(spec.get("scopes"))]
            + [expression for expression in expressions if isinstance(expression, dict)])


@mirrors("k8s.io/kubernetes/pkg/quota/v1/evaluator/core.podMatchesScopeFunc")
def _pod_matches_scope(selector: dict, pod: dict) -> bool:
    spec = pod.get("spec") or {}
    scope = selector.get("scopeName")
    terminating = (spec.get("activeDeadlineSeconds") or -1) >= 0
    best_effort = not any(any(_requirements(c)) for c in (*_containers(pod, "containers"),
                                                              *_containers(pod, "initContainers")))
    if scope in ("Terminating", "NotTerminating"):
        return terminating == (scope == "Terminating")
    if scope in ("BestEffort", "NotBestEffort"):
        return best_effort == (scope == "BestEffort")
    if scope == "PriorityClass":
        name, operator = spec.get("priorityClassName") or "", selector.get("operator")
        if operator == "Exists":
            return bool(name)
        if operator == "DoesNotExist":
            return not name
        return (name in _list(selector.get("values"))) == (operator == "In")
    if scope == "CrossNamespacePodAffinity":
        return _uses_cross_namespace_pod_affinity(spec)
    return False


@mirrors("k8s.io/kubernetes/pkg/quota/v1/evaluator/core.usesCrossNamespacePodAffinity",
         "k8s.io/kubernetes/pkg/quota/v1/evaluator/core.crossNamespacePodAffinityTerm")
def _uses_cross_namespace_pod_affinity(spec: dict) -> bool:
    """A pod (anti-)affinity term, required or preferred, names namespaces or has a namespace
    selector (an empty one too): it may look at pods of other namespaces."""
    affinity = _object(spec.get("affinity"))
    terms = []
    for kind in ("podAffinity", "podAntiAffinity"):
        rules = _object(affinity.get(kind))
        terms += _list(rules.get("requiredDuringSchedulingIgnoredDuringExecution"))
        terms += [_object(weighted).get("podAffinityTerm")
                  for weighted in _list(rules.get("preferredDuringSchedulingIgnoredDuringExecution"))]
    return any(_list(term.get("namespaces")) or term.get("namespaceSelector") is not None
               for term in map(_object, terms))


@mirrors("k8s.io/apiserver/pkg/quota/v1/generic.Matches")
def matches(resource_quota: dict, group: str, resource: str, obj: dict) -> bool:
    """The quota tracks something this object costs, and the object is in every one of its scopes
    (only pods have scopes; any scope excludes every other kind)."""
    hard, _ = status_resources(resource_quota)
    if not matching_resources(group, resource, hard):
        return False
    is_pod = group == "" and resource == "pods"
    return all(is_pod and _pod_matches_scope(s, obj) for s in scope_selectors(resource_quota))


def evaluated_resource(name: str) -> tuple[str, str] | None:
    """The (group, resource) whose evaluator charges the quota resource `name`, None when none does."""
    for group, resource in (("", "pods"), ("", "services"), ("", "persistentvolumeclaims")):
        if matching_resources(group, resource, [name]):
            return group, resource
    if name in LEGACY_OBJECT_COUNT_ALIASES.values():
        return "", name
    if name.startswith("count/"):
        resource, _, group = name[len("count/"):].partition(".")
        return group, resource
    return None
