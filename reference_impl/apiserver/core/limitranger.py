"""The LimitRanger admission plugin: a namespace's LimitRanges default and bound what its pods and
PersistentVolumeClaims ask for.

On a pod's create, mutating admission gives every container and init container the `default`
limits and `defaultRequest` requests of each LimitRange item of type Container that it does not
set itself, and records what it set in the `kubernetes.io/limit-ranger` annotation. Validating
admission then checks min, max and maxLimitRequestRatio per Container and per Pod, and min and max
storage requests per PersistentVolumeClaim; every violation is listed in one 403.

LimitRanges come from a `NamespacedLister` (the informer cache) once it has synced; before that
they are listed live, as upstream does when its cache has none.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Protocol

from reference_impl.apiserver.core import admission
from reference_impl.machinery.protowire import int64
from reference_impl.machinery.quantity import Quantity, parse, scaled_value
from reference_impl.mirrors import mirrors

LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
CONTAINER, POD, PERSISTENT_VOLUME_CLAIM = "Container", "Pod", "PersistentVolumeClaim"
MAX_MILLI_VALUE = (2**63 - 1) // 1000  # resource.MaxMilliValue


class NamespacedLister(Protocol):
    def list(self, namespace: str) -> list[dict] | None: ...


@dataclass(frozen=True)
class _Decoded(Quantity):
    """A Quantity with the text it was decoded from, which decides how its int64 Value and
    MilliValue overflow (10e999 is 0 to Go, not more than any bound)."""
    written: str = dataclass_field(default="", compare=False)


def _quantities(resources: object) -> dict[str, Quantity]:
    """A ResourceList's parseable quantities (a JSON null is Go's zero Quantity); a stored value the
    decoder would refuse counts as absent."""
    if not isinstance(resources, dict):
        return {}
    decoded = {}
    for name, value in resources.items():
        text = "0" if value is None else value
        if (q := parse(text)) is not None:
            decoded[name] = _Decoded(q.value, q.format, q.s, str(text))
    return decoded


def _items(limit_range: dict) -> list[dict]:
    """The spec's items; a stored part the decoder would refuse (a spec or item that is no object,
    limits that are no list) counts as absent."""
    spec = limit_range.get("spec")
    limits = spec.get("limits") if isinstance(spec, dict) else None
    return [item for item in limits if isinstance(item, dict)] if isinstance(limits, list) else []


class LimitRanger:
    def __init__(self, registry: object, lister: NamespacedLister | None = None) -> None:
        self.registry = registry
        self.lister = lister

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/limitranger.DefaultLimitRangerActions).SupportsAttributes")
    def handles(self, request: object, obj: dict | None) -> bool:
        """Pod creates and PersistentVolumeClaim creates and updates, never a subresource; an
        object being deleted is left alone."""
        if request.subresource or request.resource.group != "" or not isinstance(obj, dict):
            return False
        if request.resource.plural == "pods":
            return request.operation == admission.CREATE
        if request.resource.plural != "persistentvolumeclaims" or request.operation == admission.DELETE:
            return False
        return not ((request.old_obj or {}).get("metadata") or {}).get("deletionTimestamp")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/limitranger.LimitRanger).GetLimitRanges")
    def limit_ranges(self, namespace: str) -> list[dict]:
        cached = self.lister.list(namespace) if self.lister is not None else None
        if cached is not None:
            return cached
        return self.registry.list("limitranges", namespace)["items"]

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/limitranger.LimitRanger).Admit",
             "k8s.io/kubernetes/plugin/pkg/admission/limitranger.PodMutateLimitFunc")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if not self.handles(request, obj) or request.resource.plural != "pods":
            return obj
        for limit_range in self.limit_ranges(request.namespace):
            _merge_pod_resource_requirements(obj, _default_container_requirements(limit_range))
        return obj

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/limitranger.LimitRanger).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        if not self.handles(request, obj):
            return
        check = pod_limit_problems if request.resource.plural == "pods" else claim_limit_problems
        for limit_range in self.limit_ranges(request.namespace):
            problems = check(limit_range, obj)
            if problems:
                # utilerrors.NewAggregate: one problem as it is, several in brackets.
                raise admission.forbidden(request, obj, problems[0] if len(problems) == 1
                                          else "[" + ", ".join(problems) + "]")


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.defaultContainerResourceRequirements")
def _default_container_requirements(limit_range: dict) -> tuple[dict, dict]:
    """(requests, limits) that the Container items of `limit_range` give by default."""
    requests, limits = {}, {}
    for item in _items(limit_range):
        if item.get("type") == CONTAINER:
            requests.update({name: str(q) for name, q in _quantities(item.get("defaultRequest")).items()})
            limits.update({name: str(q) for name, q in _quantities(item.get("default")).items()})
    return requests, limits


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.mergePodResourceRequirements",
         "k8s.io/kubernetes/plugin/pkg/admission/limitranger.mergeContainerResources")
def _merge_pod_resource_requirements(pod: dict, defaults: tuple[dict, dict]) -> None:
    default_requests, default_limits = defaults
    notes = []
    spec = pod.get("spec") or {}
    for field, label in (("containers", "container"), ("initContainers", "init container")):
        for container in spec.get(field) or []:
            resources = container.setdefault("resources", {})
            requests, limits = resources.setdefault("requests", {}), resources.setdefault("limits", {})
            set_limits = sorted(name for name in default_limits if name not in limits)
            set_requests = sorted(name for name in default_requests if name not in requests)
            limits.update({name: default_limits[name] for name in set_limits})
            requests.update({name: default_requests[name] for name in set_requests})
            if set_requests:
                notes.append(f"{', '.join(set_requests)} request for {label} {container.get('name', '')}")
            if set_limits:
                notes.append(f"{', '.join(set_limits)} limit for {label} {container.get('name', '')}")
            if not requests:
                del resources["requests"]  # an empty ResourceList is omitted when the pod is encoded
            if not limits:
                del resources["limits"]
    if notes:
        annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[LIMIT_RANGER_ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.requestLimitEnforcedValues")
def _comparable(*quantities: Quantity | None) -> list[int]:
    """The values in thousandths when none would overflow that, else in whole units: Value and
    MilliValue as Go's int64 arithmetic leaves them for a decoded quantity, exact for a sum."""
    whole = [_scaled(q, 0) for q in quantities]
    if all(value <= MAX_MILLI_VALUE for value in whole):
        return [_scaled(q, -3) for q in quantities]
    return whole


def _scaled(q: Quantity | None, scale: int) -> int:
    if q is None:
        return 0
    if isinstance(q, _Decoded):
        return scaled_value(q.written, scale)
    return q.whole() if scale == 0 else q.milli()


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.minConstraint")
def _min(kind: str, name: str, enforced: Quantity, requests: dict, limits: dict) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, value = _comparable(request, limit, enforced)
    if request is None:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed_request < value:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {request}"
    if limit is not None and observed_limit < value:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {limit}"
    return None


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.maxRequestConstraint")
def _max_request(kind: str, name: str, enforced: Quantity, requests: dict) -> str | None:
    request = requests.get(name)
    observed_request, _, value = _comparable(request, None, enforced)
    if request is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed_request > value:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return None


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.maxConstraint")
def _max(kind: str, name: str, enforced: Quantity, requests: dict, limits: dict) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, value = _comparable(request, limit, enforced)
    if limit is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if observed_limit > value:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {limit}"
    if request is not None and observed_request > value:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return None


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.limitRequestRatioConstraint")
def _ratio(kind: str, name: str, enforced: Quantity, requests: dict, limits: dict) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, _ = _comparable(request, limit, enforced)
    prefix = f"{name} max limit to request ratio per {kind} is {enforced}"
    if request is None or observed_request == 0:
        return f"{prefix}, but no request is specified or request is 0"
    if limit is None or observed_limit == 0:
        return f"{prefix}, but no limit is specified or limit is 0"
    ratio = observed_limit / observed_request
    if _scaled(enforced, 0) <= MAX_MILLI_VALUE:
        exceeded = ratio * 1000 > _scaled(enforced, -3)
    else:
        exceeded = ratio > _scaled(enforced, 0)
    return f"{prefix}, but provided ratio is {ratio:f}" if exceeded else None


def _bounds(kind: str, item: dict, requests: dict, limits: dict) -> list[str]:
    """min, max and maxLimitRequestRatio of one item against one set of requests and limits, in
    the item's order of resources."""
    checks = [(_min, item.get("min")), (_max, item.get("max")), (_ratio, item.get("maxLimitRequestRatio"))]
    return [problem for check, bounds in checks for name, enforced in _quantities(bounds).items()
            if (problem := check(kind, name, enforced, requests, limits))]


def _requirements(container: dict) -> tuple[dict, dict]:
    resources = container.get("resources") or {}
    return _quantities(resources.get("requests")), _quantities(resources.get("limits"))


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.sum")
def _sum(resource_lists: list[dict]) -> dict:
    """Each resource that every list names, totalled in an int64 as Go adds MilliValue (cpu) or
    Value (the rest) of each, overflow and all (a limit of 10e999 adds 0)."""
    names = dict.fromkeys(name for resources in resource_lists for name in resources)
    total = {}
    for name in names:
        if all(name in resources for resources in resource_lists):
            scale, suffix = (-3, "m") if name == "cpu" else (0, "")
            amount = int64(sum(_scaled(r[name], scale) for r in resource_lists) & 0xFFFFFFFFFFFFFFFF)
            total.update(_quantities({name: f"{amount}{suffix}"}))  # NewMilliQuantity / NewQuantity
    return total


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.PodValidateLimitFunc")
def pod_limit_problems(limit_range: dict, pod: dict) -> list[str]:
    spec = pod.get("spec") or {}
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    init_containers = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    problems = []
    for item in _items(limit_range):
        if item.get("type") == CONTAINER:
            for container in (*containers, *init_containers):
                problems += _bounds(CONTAINER, item, *_requirements(container))
        if item.get("type") == POD:
            requirements = [_requirements(c) for c in containers]
            requests, limits = _sum([r for r, _ in requirements]), _sum([lim for _, lim in requirements])
            for init_requests, init_limits in map(_requirements, init_containers):
                for name, value in init_requests.items():  # the larger of the sum and any init container
                    if name not in requests or value.value > requests[name].value:
                        requests[name] = value
                for name, value in init_limits.items():
                    if name not in limits or value.value > limits[name].value:
                        limits[name] = value
            problems += _bounds(POD, item, requests, limits)
    return problems


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/limitranger.PersistentVolumeClaimValidateLimitFunc")
def claim_limit_problems(limit_range: dict, claim: dict) -> list[str]:
    """A claim's storage requests against min and max; its limits are no user input here."""
    requests = _quantities(((claim.get("spec") or {}).get("resources") or {}).get("requests"))
    problems = []
    for item in _items(limit_range):
        if item.get("type") == PERSISTENT_VOLUME_CLAIM:
            problems += [p for name, enforced in _quantities(item.get("min")).items()
                         if (p := _min(PERSISTENT_VOLUME_CLAIM, name, enforced, requests, {}))]
            problems += [p for name, enforced in _quantities(item.get("max")).items()
                         if (p := _max_request(PERSISTENT_VOLUME_CLAIM, name, enforced, requests))]
    return problems
