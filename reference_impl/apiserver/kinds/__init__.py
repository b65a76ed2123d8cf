"""The kinds the apiserver serves, one module per kind (or per family upstream keeps together).

Each module in `MODULES` holds everything the apiserver knows about its kinds: `RESOURCES` (the
served group/version/plural facts, with their validators), and where the kind has them `DEFAULTS`
(kind -> its SetObjectDefaults func, called with the object and its spec) with `NO_SPEC` (kinds
whose Go type has no spec), `DEFINITIONS` (OpenAPI v2), `GO_TYPES` (definition -> the Go types of
the fields its schema does not name: a named string type as `v1.Protocol`, a struct described as
any object, as reflect prints them; decoding errors name them), `NO_POINTER_FIELDS` (definition ->
its fields that are no pointer, for structs with no protobuf layout in `MESSAGES`), `PRINTERS`
(kind -> columns and row function), `LIST_ORDERS` (kind -> the sort key its list printer orders rows
by) and `MESSAGES` (protobuf layout lines, as `core.protobuf_messages` writes them). This module
assembles them; serving a new kind is one module and one entry in `MODULES`. Types several
kinds share live in the `_`-prefixed modules.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.kinds._defaulting import object_field, omit_empty_metadata

# apiregistration.k8s.io first: the aggregator lists its own group first in /apis.
MODULES = ("apiservice", "namespace", "pod", "node", "service", "endpoints", "serviceaccount", "secret", "configmap",
           "event", "deployment", "replicaset", "lease", "rbac", "persistentvolume", "persistentvolumeclaim",
           "replicationcontroller", "resourcequota", "limitrange", "podtemplate", "daemonset", "statefulset",
           "controllerrevision", "job", "cronjob", "poddisruptionbudget", "endpointslice", "runtimeclass",
           "priorityclass", "certificatesigningrequest", "events", "storageclass", "volumeattachment", "csidriver",
           "csinode", "csistoragecapacity", "ingress", "networkpolicy", "horizontalpodautoscaler",
           "admissionregistration", "customresourcedefinition", "review", "componentstatus", "flowcontrol",
           "betaversions", "podsecuritypolicy")


def load(names: tuple[str, ...] = MODULES, package: str = __name__) -> tuple[ModuleType, ...]:
    """The kind modules `names` of `package`, imported in that order."""
    return tuple(importlib.import_module(f"{package}.{name}") for name in names)


# Types several kinds use (ObjectMeta, PodSpec, ...): schemas and layouts, nothing served.
SHARED_MODULES = ("_meta", "_podspec", "_volumes", "_containers", "_affinity")

KIND_MODULES = load()
RESOURCES: tuple[Resource, ...] = tuple(r for module in KIND_MODULES for r in module.RESOURCES)
DEFAULTS = {kind: func for module in KIND_MODULES for kind, func in getattr(module, "DEFAULTS", {}).items()}
NO_SPEC = frozenset(kind for module in KIND_MODULES for kind in getattr(module, "NO_SPEC", ()))
DEFINITIONS = {name: schema for module in (*load(SHARED_MODULES), *KIND_MODULES)
               for name, schema in getattr(module, "DEFINITIONS", {}).items()}
GO_TYPES = {name: fields for module in (*load(SHARED_MODULES), *KIND_MODULES)
            for name, fields in getattr(module, "GO_TYPES", {}).items()}
NO_POINTER_FIELDS = {name: fields for module in KIND_MODULES
                     for name, fields in getattr(module, "NO_POINTER_FIELDS", {}).items()}
PRINTERS = {kind: printer for module in KIND_MODULES for kind, printer in getattr(module, "PRINTERS", {}).items()}
LIST_ORDERS = {kind: key for module in KIND_MODULES for kind, key in getattr(module, "LIST_ORDERS", {}).items()}
MESSAGES = "\n".join(module.MESSAGES.strip() for module in (*load(SHARED_MODULES), *KIND_MODULES)
                     if hasattr(module, "MESSAGES"))


# RESOURCES by (group, version, plural) and by plural, the first of each, for the RESOURCES they
# were made of (a test may extend them): every request finds its resource, and the registry's
# calls by plural (a bind's "pods", the RBAC authorizer's roles and bindings) theirs, where a walk
# of the tuple took up to three microseconds (events.k8s.io's events are among the last).
_served: tuple[tuple[Resource, ...], dict[tuple[str, str, str], Resource], dict[str, Resource]] = ((), {}, {})


def _indexes() -> tuple[dict[tuple[str, str, str], Resource], dict[str, Resource]]:
    global _served
    resources, index, plurals = _served
    if resources is not RESOURCES:
        resources, index, plurals = RESOURCES, {}, {}
        for r in resources:
            index.setdefault((r.group, r.version, r.plural), r)
            plurals.setdefault(r.plural, r)
        _served = resources, index, plurals
    return index, plurals


def find(group: str, version: str, plural: str) -> Resource | None:
    """The resource served at /api(s)/<group>/<version>/<plural>, or None."""
    return _indexes()[0].get((group, version, plural))


def by_plural(plural: str) -> Resource | None:
    """The resource with this plural; for `events`, served by two groups, the core one."""
    return _indexes()[1].get(plural)


def default(resource: Resource, obj: dict) -> None:
    """What decoding fills in `obj`: a custom resource's `defaulter`, else the kind's defaults; and
    what it leaves out: the metadata's empty maps and lists."""
    omit_empty_metadata(obj)
    if resource.defaulter is not None:
        resource.defaulter(obj)
    else:
        set_object_defaults(resource.kind, obj)


def set_object_defaults(kind: str, obj: dict) -> None:
    """Fill the defaults upstream's SetObjectDefaults_<kind> fills, in place. The defaulter gets the
    object's spec, created empty when absent (as every Go spec struct is there); kinds with no
    defaulter have no defaults."""
    defaulter = DEFAULTS.get(kind)
    if defaulter is None:
        return
    spec = {} if kind in NO_SPEC else object_field(obj, "spec")
    if spec is not None:
        defaulter(obj, spec)
