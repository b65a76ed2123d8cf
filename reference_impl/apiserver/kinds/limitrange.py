"""The LimitRange kind (core/v1): its resource facts, validation, OpenAPI schema and protobuf layout."""
from __future__ import annotations

import uuid
from typing import Callable

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, arr, kind, list_kind, obj, quantity_map, ref, string
from reference_impl.apiserver.kinds._columns import part
from reference_impl.apiserver.kinds._defaulting import resource_lists
from reference_impl.machinery import quantity
from reference_impl.mirrors import mirrors

LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
BOUNDS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")


def _written(resources: object) -> dict[str, object]:
    """A ResourceList as the decoder left it (a JSON null value is Go's zero quantity)."""
    return {name: "0" if text is None else text for name, text in v.as_object(resources).items()}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLimitRangeTypeName")
def _type_problems(limit_type: str, path: str) -> list[str]:
    problems = v.label_name_problems(limit_type, path)
    if not problems and "/" not in limit_type and limit_type not in LIMIT_TYPES:
        problems.append(v.invalid(path, limit_type, "must be a standard limit type or fully qualified"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLimitRangeResourceName")
def _resource_name_problems(limit_type: str, name: str, path: str) -> list[str]:
    if limit_type in ("Pod", "Container"):
        return v.container_resource_name_problems(name, path)
    return v.resource_name_problems(name, path)


def _invalid(path: str, shown: quantity.Held, detail: Callable[[], str]) -> str:
    """field.Invalid of a Quantity copied into the error before the message's String calls run
    (which cache its text in the variable, for the checks after)."""
    value = shown.go_syntax()
    return f"{path}: Invalid value: {value}: {detail()}"


@mirrors("(k8s.io/kubernetes/pkg/registry/core/limitrange.limitrangeStrategy).PrepareForCreate")
def prepare_for_create(limit_range: dict, user: object) -> None:
    """A LimitRange created with no name is named by a new UUID (before any generateName is used)."""
    if not limit_range["metadata"].get("name"):
        limit_range["metadata"]["name"] = str(uuid.uuid4())


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateLimitRange")
def validate_limit_range(limit_range: dict) -> list[str]:
    """Known, distinct item types; resource names each type may bound; no defaults for a Pod; a
    storage bound for a PersistentVolumeClaim; and per resource min <= defaultRequest <= default <=
    max, 1 <= maxLimitRequestRatio <= max/min, default == defaultRequest where no overcommit is allowed."""
    problems, seen = [], set()
    for index, item in enumerate(v.as_list(part(limit_range, "spec").get("limits"))):
        here, item = f"spec.limits[{index}]", v.as_object(item)
        limit_type = item.get("type") or ""
        problems += _type_problems(limit_type, f"{here}.type")
        if limit_type in seen:
            problems.append(v.duplicate(f"{here}.type", limit_type))
        seen.add(limit_type)
        written = {field: _written(item.get(field)) for field in BOUNDS}

        def names(field: str) -> list[str]:
            return [p for name in sorted(written[field])
                    for p in _resource_name_problems(limit_type, name, f"{here}.{field}[{name}]")]

        problems += names("max") + names("min")
        if limit_type == "Pod":
            problems += [f"{here}.{field}: Forbidden: may not be specified when `type` is 'Pod'"
                         for field in ("default", "defaultRequest") if written[field]]
            written["default"], written["defaultRequest"] = {}, {}
        problems += names("default") + names("defaultRequest")
        if limit_type == "PersistentVolumeClaim" and not ("storage" in written["min"] or "storage" in written["max"]):
            problems.append(v.required(f"{here}.limits", "either minimum or maximum storage value is required, "
                                                         "but neither was provided"))
        problems += names("maxLimitRequestRatio")
        for name in sorted(set().union(*written.values())):
            problems += _bound_problems(here, name, {field: values[name] for field, values in written.items()
                                                     if name in values})
    return problems


# (lower, upper, the field the error is reported at, the field whose quantity it shows, detail)
_ORDER_CHECKS = (
    ("min", "max", "min", "min", "min value {min} is greater than max value {max}"),
    ("min", "defaultRequest", "defaultRequest", "defaultRequest",
     "min value {min} is greater than default request value {defaultRequest}"),
    ("defaultRequest", "max", "defaultRequest", "defaultRequest",
     "default request value {defaultRequest} is greater than max value {max}"),
    ("defaultRequest", "default", "defaultRequest", "defaultRequest",
     "default request value {defaultRequest} is greater than default limit value {default}"),
    ("min", "default", "default", "min", "min value {min} is greater than default value {default}"),
    ("default", "max", "default", "max", "default value {default} is greater than max value {max}"),
)


def _bound_problems(path: str, name: str, written: dict[str, object]) -> list[str]:
    """How one resource's bounds in an item contradict each other, in upstream's order of checks.
    Each bound is a local copy of its Quantity that the checks change as Go's pointer methods do:
    Cmp turns the receiver into an inf.Dec when the other is one, String caches its text; %#v
    shows either change in the errors after it."""
    q = {field: quantity.held(text) for field, text in written.items()}
    problems = []
    for lower, upper, at, value, detail in _ORDER_CHECKS:
        if lower in q and upper in q and q[lower].cmp(q[upper]) > 0:
            problems.append(_invalid(f"{path}.{at}[{name}]", q[value], lambda detail=detail: detail.format(
                **{field: q[field].string() for field in (lower, upper)})))
    ratio, here = q.get("maxLimitRequestRatio"), f"{path}.maxLimitRequestRatio[{name}]"
    if ratio is not None and ratio.cmp(quantity.held(1)) < 0:  # resource.NewQuantity(1, DecimalSI), made here
        problems.append(_invalid(here, ratio, lambda: f"ratio {ratio.string()} is less than 1"))
    if ratio is not None and "min" in q and "max" in q:
        low_q, high_q = q["min"].quantity, q["max"].quantity
        ratio_value, low, high = ratio.quantity.whole(), low_q.whole(), high_q.whole()
        if max(ratio_value, low, high) < quantity.MAX_INT64 // 1000:  # resource.MaxMilliValue
            ratio_value, low, high = ratio.quantity.milli() / 1000, low_q.milli(), high_q.milli()
        if low and ratio_value > high / low:  # a zero min makes Go's limit +Inf (or NaN), never exceeded
            problems.append(_invalid(here, ratio, lambda: f"ratio {ratio.string()} is greater than max/min = "
                                                          f"{high / low:f}"))
    if not v.is_overcommit_allowed(name) and "default" in q and "defaultRequest" in q \
            and q["default"].cmp(q["defaultRequest"]) != 0:
        problems.append(_invalid(f"{path}.defaultRequest[{name}]", q["defaultRequest"],
                                 lambda: f"default value {q['default'].string()} must equal to defaultRequest value "
                                         f"{q['defaultRequest'].string()} in {name}"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.SetDefaults_LimitRangeItem",
         "k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_LimitRange")
def limit_range(obj: dict, spec: dict) -> None:
    """A Container item's default limit is its max, and its default request the default limit,
    else its min, for each resource it does not set (an empty ResourceList is not written); then
    every bound of every item rounded up to thousandths."""
    for item in v.as_list(spec.get("limits")):
        if not isinstance(item, dict):
            continue
        if item.get("type") == "Container":
            default = {**v.as_object(item.get("max")), **v.as_object(item.get("default"))}
            default_request = {**v.as_object(item.get("min")), **default, **v.as_object(item.get("defaultRequest"))}
            for field, resources in (("default", default), ("defaultRequest", default_request)):
                if resources:
                    item[field] = resources
        resource_lists(item, *BOUNDS)


DEFAULTS = {"LimitRange": limit_range}


RESOURCES = (
    Resource("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",),
             validator=validate_limit_range, prepare_for_create=prepare_for_create,
             zero_value={"spec": {"limits": None}},
             allow_create_on_update=True,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=0)),
)


DEFINITIONS = {
    CORE + "LimitRange": kind("", "v1", "LimitRange", "Default and bounding resources per object in a namespace.",
                              spec=ref(CORE + "LimitRangeSpec", "The limits.")),
    CORE + "LimitRangeItem": obj(
        "The bounds and defaults of one kind of object.", ("type",),
        default=quantity_map("The limits a container gets when it sets none."),
        defaultRequest=quantity_map("The requests a container gets when it sets none."),
        max=quantity_map("The most of each resource an object may use."),
        maxLimitRequestRatio=quantity_map("The largest limit to request ratio for each resource."),
        min=quantity_map("The least of each resource an object may use."),
        type=string("The kind of object bounded: Pod, Container or PersistentVolumeClaim.")),
    CORE + "LimitRangeSpec": obj("The limits of a LimitRange.", ("limits",),
                                 limits=arr(ref(CORE + "LimitRangeItem"), "The limits, by kind.")),
    CORE + "LimitRangeList": list_kind("", "v1", CORE + "LimitRange"),
}


GO_TYPES = {
    CORE + "LimitRangeItem": {"type": "v1.LimitType"},
}


MESSAGES = """
core.LimitRange: 1 metadata! meta.ObjectMeta; 2 spec! core.LimitRangeSpec
core.LimitRangeItem: 1 type! string; 2 max? {}resource.Quantity; 3 min? {}resource.Quantity;
    4 default? {}resource.Quantity; 5 defaultRequest? {}resource.Quantity; 6 maxLimitRequestRatio? {}resource.Quantity
core.LimitRangeList: 1 metadata! meta.ListMeta; 2 items* []core.LimitRange
core.LimitRangeSpec: 1 limits* []core.LimitRangeItem
"""
