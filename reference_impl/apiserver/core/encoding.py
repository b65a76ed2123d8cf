"""A resource's object as encoding/json writes it: a built-in kind's Go struct, a
CustomResourceDefinition's, or a custom object's map. Storage gets this form, and so does the
field manager, which sees the typed object converted back to unstructured: a field Go's encoding
leaves out is no field it manages."""
from __future__ import annotations

from reference_impl.apiserver.core import customresource, gostruct
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.kinds import customresourcedefinition as crds
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors


@mirrors("encoding/json.Marshal")
def as_encoded(r: Resource, obj: dict) -> dict:
    """`obj` as upstream's store encodes it: a built-in kind's struct, or a custom object's map."""
    if r.custom:
        customresource.as_unstructured(obj)
        return obj
    if r is crds.CRD:  # no protobuf layout here to find its struct by
        metadata = gostruct.as_encoded_message(obj.get("metadata"), "meta.ObjectMeta")
        return crds.in_struct_order({**obj, "metadata": metadata}, _as_unstructured_value)
    return gostruct.as_encoded(obj)


def _as_unstructured_value(value: object) -> object:
    """A copy of any JSON value as encoding/json writes the interface{} it decodes into."""
    held = {"value": deep_copy_json(value)}
    customresource.as_unstructured(held)
    return held["value"]
