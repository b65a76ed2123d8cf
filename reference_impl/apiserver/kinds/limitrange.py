"""The LimitRange kind (core/v1): its resource facts, OpenAPI schema and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, arr, kind, list_kind, obj, opaque, ref

RESOURCES = (
    Resource("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",)),
)


DEFINITIONS = {
    CORE + "LimitRange": kind("", "v1", "LimitRange", "Default and bounding resources per object in a namespace.",
                              spec=ref(CORE + "LimitRangeSpec", "The limits.")),
    CORE + "LimitRangeSpec": obj("The limits of a LimitRange.", ("limits",),
                                 limits=arr(opaque("Limits of one kind of object."), "The limits, by kind.")),
    CORE + "LimitRangeList": list_kind("", "v1", CORE + "LimitRange"),
}


MESSAGES = """
core.LimitRange: 1 metadata meta.ObjectMeta; 2 spec core.LimitRangeSpec
core.LimitRangeItem: 1 type string; 2 max {}resource.Quantity; 3 min {}resource.Quantity;
    4 default {}resource.Quantity; 5 defaultRequest {}resource.Quantity; 6 maxLimitRequestRatio {}resource.Quantity
core.LimitRangeList: 1 metadata meta.ListMeta; 2 items []core.LimitRange
core.LimitRangeSpec: 1 limits []core.LimitRangeItem
"""
