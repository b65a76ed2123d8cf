"""The Namespace controller: once a namespace is being deleted, delete everything in it, report
what is left in its status conditions, and when nothing is left remove the `kubernetes` finalizer
(PUT .../finalize) so the apiserver can drop the namespace.

The apiserver's DELETE only marks a namespace Terminating; this is the only code that empties it.
Objects are deleted with the server's default grace period, so a pod waits for its kubelet.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType

from reference_impl.apiserver import kinds
from reference_impl.machinery.actions import Delete, Update
from reference_impl.machinery.objects import set_condition
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

FINALIZER = "kubernetes"

# The conditions the deleter maintains, in upstream's order, each with the reason and message of
# its "all is well" (status False) variant (deletion/status_condition_utils.go).
CONDITIONS = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered", "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions",
                                                    "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeleted",
                                        "All content successfully deleted, may be waiting on finalization"),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
}


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).Delete")
@trace.decision
def sync_namespace(namespace: dict, contents: dict[str, list[dict]], now: str,
                   groups: Mapping[str, str] = MappingProxyType({})) -> list:
    """`contents` maps each namespaced resource (plural) to its objects in this namespace; `now`
    (RFC 3339) stamps a condition whose status changes; `groups` names the API group of the
    resources discovery found beyond the built-in ones."""
    meta = namespace["metadata"]
    if not meta.get("deletionTimestamp") or not (namespace.get("spec") or {}).get("finalizers"):
        return []
    remaining = {plural: objs for plural, objs in contents.items() if objs}
    status = _status(namespace, remaining, now, groups)
    actions: list = []
    if status != namespace.get("status"):
        updated = copy.deepcopy(namespace)
        updated["status"] = status
        actions.append(Update("namespaces", None, updated, "status"))
    if remaining:
        # Objects still terminating get no second delete; the sync runs again as the caches
        # change, and finalizes only once they show the namespace empty.
        return actions + _delete_all_content(meta["name"], remaining)
    if actions:
        # The status update changes the resourceVersion: finalize on the next sync, from the
        # namespace it returns (upstream finalizes the object UpdateStatus gave back).
        return actions
    return _finalize(namespace)


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).deleteAllContent")
def _delete_all_content(name: str, contents: dict[str, list[dict]]) -> list:
    return [Delete(resource, name, obj["metadata"]["name"], "Background")
            for resource, objs in sorted(contents.items())
            for obj in objs if not obj["metadata"].get("deletionTimestamp")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).updateNamespaceStatusFunc",
         "(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespaceConditionUpdater).ProcessContentTotals",
         "k8s.io/kubernetes/pkg/controller/namespace/deletion.updateConditions")
def _status(namespace: dict, remaining: dict[str, list[dict]], now: str, groups: Mapping[str, str]) -> dict:
    """Phase Terminating and the five deletion conditions. Discovery, group-version parsing and
    content deletion cannot fail here (the resources are a fixed list and deletes are sent after
    the sync), so those three always read False; what is left is what the caches still hold."""
    failing: dict[str, tuple[str, str]] = {}
    if remaining:
        counts = sorted(f"{plural}.{groups.get(plural, _group(plural))} has {len(objs)} resource instances"
                        for plural, objs in remaining.items())
        failing["NamespaceContentRemaining"] = ("SomeResourcesRemain",
                                                f"Some resources are remaining: {', '.join(counts)}")
    by_finalizer: dict[str, int] = {}
    for objs in remaining.values():
        for obj in objs:
            for finalizer in obj["metadata"].get("finalizers") or []:
                by_finalizer[finalizer] = by_finalizer.get(finalizer, 0) + 1
    if by_finalizer:
        held = sorted(f"{finalizer} in {n} resource instances" for finalizer, n in by_finalizer.items())
        failing["NamespaceFinalizersRemaining"] = (
            "SomeFinalizersRemain", f"Some content in the namespace has finalizers remaining: {', '.join(held)}")

    status = copy.deepcopy(namespace.get("status") or {})
    status["phase"] = "Terminating"
    conditions = status.setdefault("conditions", [])
    for type_, ok in CONDITIONS.items():
        value, (reason, message) = ("True", failing[type_]) if type_ in failing else ("False", ok)
        set_condition(conditions, {"type": type_, "status": value, "reason": reason, "message": message}, now)
    return status


def _group(plural: str) -> str:
    served = kinds.by_plural(plural)
    return served.group if served else ""


@mirrors("(*k8s.io/kubernetes/pkg/controller/namespace/deletion.namespacedResourcesDeleter).finalizeNamespace")
def _finalize(namespace: dict) -> list:
    finalizers = namespace.get("spec", {}).get("finalizers") or []
    if FINALIZER not in finalizers:
        return []
    updated = copy.deepcopy(namespace)
    updated.setdefault("spec", {})["finalizers"] = [f for f in finalizers if f != FINALIZER]
    return [Update("namespaces", None, updated, "finalize")]
