"""Ownership of .spec.replicas across a workload and its scale subresource, as
k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.ScaleHandler maps it: a Scale is written with
the managers that own the parent's replicas as owners of its own spec.replicas, and who owns the
Scale's replicas afterwards owns the parent's.
"""
from __future__ import annotations

from typing import Any

from reference_impl.apiserver.fieldmanager.fieldmanager import REPLICAS
from reference_impl.apiserver.fieldmanager.fieldpath import PathElement
from reference_impl.apiserver.fieldmanager.managedfields import (Managed, ManagedFieldsError, decode_managed_fields,
                                                                 encode_managed_fields)
from reference_impl.apiserver.fieldmanager.updater import VersionedSet
from reference_impl.mirrors import mirrors

SCALE_API_VERSION = "autoscaling/v1"


def _field_path(replicas_path: str) -> tuple:
    """A dotted replicas path as a field path (ResourcePathMappings' fieldpath.MakePathOrDie)."""
    return tuple(PathElement.field(name) for name in replicas_path.removeprefix(".").split("."))


def _decoded(entries: Any) -> Managed:
    try:
        return decode_managed_fields(entries)
    except ManagedFieldsError:
        return Managed()


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.ScaleHandler).ToSubresource")
def to_subresource(parent_entries: Any, parent_api_version: str, replicas_path: str = ".spec.replicas") -> list[dict]:
    """The Scale's entries: each manager of the parent's replicas (at `replicas_path`, a custom
    resource's specReplicasPath), owning the Scale's."""
    parent, parent_replicas = _decoded(parent_entries), _field_path(replicas_path)
    scale = Managed()
    for manager, owned in parent.fields.items():
        if owned.api_version == parent_api_version and parent_replicas in owned.paths:
            scale.fields[manager] = VersionedSet(frozenset({REPLICAS}), SCALE_API_VERSION, owned.applied)
            scale.times[manager] = parent.times.get(manager)
    return encode_managed_fields(scale)


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.ScaleHandler).ToParent")
def to_parent(parent_entries: Any, scale_entries: Any, parent_api_version: str,
              replicas_path: str = ".spec.replicas") -> list[dict]:
    """The parent's entries once the Scale was written: a parent manager who no longer owns the
    Scale's replicas loses the parent's; a new owner of them gets an entry owning the parent's
    (with no time, as upstream takes it from the parent, which had none for it)."""
    parent, scale = _decoded(parent_entries), _decoded(scale_entries)
    parent_replicas = _field_path(replicas_path)
    scale_fields = dict(scale.fields)
    result = Managed()
    for manager, owned in parent.fields.items():
        if owned.api_version != parent_api_version:
            continue
        if parent_replicas in owned.paths and manager not in scale_fields:
            owned = VersionedSet(owned.paths - {parent_replicas}, owned.api_version, owned.applied)
            if not owned.paths:
                continue
        scale_fields.pop(manager, None)
        result.fields[manager] = owned
        result.times[manager] = parent.times.get(manager)
    for manager, owned in scale_fields.items():
        if REPLICAS in owned.paths:
            result.fields[manager] = VersionedSet(frozenset({parent_replicas}), parent_api_version, owned.applied)
            result.times[manager] = parent.times.get(manager)
    return encode_managed_fields(result)
